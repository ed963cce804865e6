/*-------------------------------------------------------------------------
 *
 * writer.h
 *		Encoder of tidemark's binary change format, and the batching of
 *		messages into output plugin writes.
 *
 * Owns the byte layout of every message as tidemark_protocol.h defines
 * it, and when ctx->out is handed to the walsender (or the SQL
 * interface).  It must not decide what to send: filtering, ordering and
 * transaction state belong to tidemark.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIDEMARK_WRITER_H
#define TIDEMARK_WRITER_H

#include "postgres.h"

#include "access/htup.h"
#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "replication/logical.h"

#include "relcache.h"

/*
 * Groups consecutive messages into one write (one CopyData message on the
 * replication protocol, one row from pg_logical_slot_*_binary_changes).
 */
typedef struct TmBatch
{
	LogicalDecodingContext *ctx;
	int			batch_size;		/* write once ctx->out holds this much */
	bool		open;			/* prepared, not yet written */
} TmBatch;

extern void tm_batch_init(TmBatch *batch, LogicalDecodingContext *ctx,
						  int batch_size);
extern StringInfo tm_batch_add(TmBatch *batch);
extern void tm_batch_added(TmBatch *batch);
extern void tm_batch_flush(TmBatch *batch);

/* Messages, appended to out.  xid is InvalidTransactionId outside streams. */
extern void tm_write_begin(StringInfo out, XLogRecPtr final_lsn,
						   TimestampTz commit_time, TransactionId xid,
						   const char *origin_name, XLogRecPtr origin_lsn);
extern void tm_write_commit(StringInfo out, XLogRecPtr commit_lsn,
							XLogRecPtr end_lsn, TimestampTz commit_time);
extern void tm_write_relation(StringInfo out, TransactionId xid,
							  TmRelEntry *entry);
extern void tm_write_insert(StringInfo out, TransactionId xid,
							TmRelEntry *entry, HeapTuple newtuple);
extern void tm_write_update(StringInfo out, TransactionId xid,
							TmRelEntry *entry, uint8 old_kind,
							HeapTuple oldtuple, HeapTuple newtuple);
extern void tm_write_delete(StringInfo out, TransactionId xid,
							TmRelEntry *entry, uint8 old_kind,
							HeapTuple oldtuple);
extern void tm_write_truncate(StringInfo out, TransactionId xid, uint8 flags,
							  int nrelids, const Oid *relids);
extern void tm_write_message(StringInfo out, TransactionId xid,
							 bool transactional, XLogRecPtr lsn,
							 const char *prefix, Size size,
							 const char *content);
extern void tm_write_stream_start(StringInfo out, TransactionId xid, bool first);
extern void tm_write_stream_stop(StringInfo out);
extern void tm_write_stream_commit(StringInfo out, TransactionId xid,
								   XLogRecPtr commit_lsn, XLogRecPtr end_lsn,
								   TimestampTz commit_time);
extern void tm_write_stream_abort(StringInfo out, TransactionId xid,
								  TransactionId subxid);

#endif							/* TIDEMARK_WRITER_H */
