/*-------------------------------------------------------------------------
 *
 * reader.h
 *		Bounds-checked reader of tidemark's binary change format, and its
 *		rendering as jsonb (tidemark.to_json).
 *
 * Owns the decoding side of tidemark_protocol.h inside the server.  It
 * must not depend on the writer: reading what the writer meant rather
 * than what it wrote would hide exactly the bugs this exists to catch.
 * Every read checks the remaining length first and reports a failure
 * with ereport, naming the byte offset in the payload.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIDEMARK_READER_H
#define TIDEMARK_READER_H

#include "postgres.h"

#include "utils/jsonb.h"

typedef struct TmReader
{
	const uint8 *data;			/* the whole payload */
	Size		pos;			/* next byte to read, from data[0] */
	Size		end;			/* reads must stay below this */
} TmReader;

extern void tm_reader_init(TmReader *r, const char *data, Size len);
extern uint8 tm_read_u8(TmReader *r, const char *what);
extern uint64 tm_read_uvar(TmReader *r, const char *what);
extern int64 tm_read_svar(TmReader *r, const char *what);
extern int64 tm_read_i64(TmReader *r, const char *what);
extern const char *tm_read_raw(TmReader *r, Size len, const char *what);
extern const char *tm_read_bytes(TmReader *r, Size *len, const char *what);
extern char *tm_read_str(TmReader *r, const char *what);

extern Jsonb *tm_payload_to_jsonb(const char *data, Size len);

#endif							/* TIDEMARK_READER_H */
