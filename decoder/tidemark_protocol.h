/*-------------------------------------------------------------------------
 *
 * tidemark_protocol.h
 *		The one definition of tidemark's binary change format.
 *
 * Included by the decoder (C, inside the server), by the extension's
 * reader (tidemark.to_json) and by the agent (C++).  It must therefore
 * depend on nothing but <stdint.h>: no PostgreSQL headers, no C++.
 * docs/format.md describes the same bytes in prose; a change here is a
 * change there, and to the vectors in regress/vectors.
 *
 * Encoding primitives
 * -------------------
 *	u8		one byte
 *	uvar	unsigned LEB128: 7 bits per byte, least significant group
 *			first, high bit set on every byte but the last; at most 10
 *			bytes for 64 bits
 *	svar	signed value zigzag-encoded ((n << 1) ^ (n >> 63)) then uvar
 *	i64		8 bytes, big-endian, two's complement
 *	str		uvar length, then that many bytes (UTF-8 in the server
 *			encoding, no terminator)
 *	bytes	uvar length, then that many bytes
 *
 * Framing
 * -------
 * One CopyData payload (or one row of pg_logical_slot_*_binary_changes)
 * carries one or more messages back to back.  Every message is
 *
 *	u8 type, uvar body_length, body[body_length]
 *
 * so a reader can skip a message it does not know.  Type bit 0x80
 * (TM_XID_PREFIXED) marks a change sent inside a streamed block: its
 * body starts with the uvar xid of the (sub)transaction that made it.
 *
 * Times are microseconds since 2000-01-01 00:00:00 UTC (PostgreSQL's
 * TimestampTz); LSNs, xids and relation ids are uvar.
 *-------------------------------------------------------------------------
 */
#ifndef TIDEMARK_PROTOCOL_H
#define TIDEMARK_PROTOCOL_H

#include <stdint.h>

/* Versions a decoder can emit / a reader can read. */
#define TM_PROTO_VERSION_MIN		1
#define TM_PROTO_VERSION_MAX		1
#define TM_PROTO_VERSION_CURRENT	1

/* Logical-message prefix used by tidemark.emit_watermark(). */
#define TM_WATERMARK_PREFIX			"tidemark"

/* Message types (first byte of every message). */
#define TM_MSG_BEGIN				'B'
#define TM_MSG_COMMIT				'C'
#define TM_MSG_RELATION				'R'
#define TM_MSG_INSERT				'I'
#define TM_MSG_UPDATE				'U'
#define TM_MSG_DELETE				'D'
#define TM_MSG_TRUNCATE				'T'
#define TM_MSG_MESSAGE				'M'
#define TM_MSG_STREAM_START			'S'
#define TM_MSG_STREAM_STOP			'E'
#define TM_MSG_STREAM_COMMIT		'c'
#define TM_MSG_STREAM_ABORT			'A'
#define TM_MSG_TYPE_MASK			0x7F
#define TM_XID_PREFIXED				0x80

/*
 * BEGIN body:
 *	uvar final_lsn (the commit record's LSN), i64 commit_time, uvar xid,
 *	u8 flags; if flags & TM_BEGIN_HAS_ORIGIN: str origin_name,
 *	uvar origin_lsn (the commit's LSN on the origin node).
 */
#define TM_BEGIN_HAS_ORIGIN			0x01

/*
 * COMMIT body:
 *	u8 flags (0), uvar commit_lsn, uvar end_lsn (the position after the
 *	commit record: where a restart resumes), i64 commit_time.
 */

/*
 * RELATION body:
 *	uvar relid (the source OID of the relation the changes are reported
 *	as: the partition root when publish_via_root is on),
 *	uvar schema_version (starts at 1 per relation and session, grows by
 *	one each time the definition is sent again after an invalidation),
 *	str namespace, str name, u8 replica_identity (one of TM_RI_*),
 *	uvar ncolumns, then per column:
 *		u8 flags (TM_COL_*), str name, uvar type_oid, svar typmod,
 *		str type_name (schema-qualified, quoted where needed, for types
 *		that are not built in; empty for built-in types).
 * Dropped and generated columns are not sent; tuples carry exactly the
 * columns listed here, in this order.
 */
#define TM_RI_DEFAULT				'd'
#define TM_RI_NOTHING				'n'
#define TM_RI_FULL					'f'
#define TM_RI_INDEX					'i'

#define TM_COL_IDENTITY				0x01	/* part of the replica identity */
#define TM_COL_PRIMARY_KEY			0x02	/* part of the primary key */
#define TM_COL_NOT_NULL				0x04

/*
 * Tuple (inside INSERT, UPDATE, DELETE):
 *	uvar ncolumns, then per column one uvar header h:
 *		h & TM_VALUE_KIND_MASK is the kind; for TEXT and BINARY, h >> 2
 *		is the value's length and that many bytes follow.
 *	TEXT values are the type's output function result; BINARY values
 *	its send function result (only for built-in types, so that no OID
 *	of the source's catalogs ever reaches the target inside a value).
 */
#define TM_VALUE_NULL				0
#define TM_VALUE_UNCHANGED_TOAST	1
#define TM_VALUE_TEXT				2
#define TM_VALUE_BINARY				3
#define TM_VALUE_KIND_MASK			3
#define TM_VALUE_LENGTH_SHIFT		2

/*
 * INSERT body:	uvar relid, tuple new.
 * UPDATE body:	uvar relid, u8 flags, [tuple old if flags has KEY or
 *				FULL], tuple new.  KEY: the old replica identity, sent when
 *				it changed (columns outside the identity are NULL);
 *				FULL: the whole old row (REPLICA IDENTITY FULL).
 * DELETE body:	uvar relid, u8 flags (KEY or FULL, or neither under
 *				REPLICA IDENTITY NOTHING), [tuple old].
 */
#define TM_OLD_KEY					0x01
#define TM_OLD_FULL					0x02

/*
 * TRUNCATE body: u8 flags, uvar nrelids, uvar relid[nrelids].
 */
#define TM_TRUNCATE_CASCADE			0x01
#define TM_TRUNCATE_RESTART_IDENTITY 0x02

/*
 * MESSAGE body: u8 flags, uvar lsn, str prefix, bytes content.
 */
#define TM_MESSAGE_TRANSACTIONAL	0x01

/*
 * Streaming of in-progress transactions (option streaming = on):
 *	STREAM_START body:	uvar xid, u8 flags (TM_STREAM_FIRST on the
 *						first block of this transaction).
 *	STREAM_STOP body:	empty.
 *	STREAM_COMMIT body:	uvar xid, u8 flags (0), uvar commit_lsn,
 *						uvar end_lsn, i64 commit_time.
 *	STREAM_ABORT body:	uvar xid, uvar subxid (equal to xid when the
 *						whole transaction aborted).
 * Between START and STOP, RELATION, INSERT, UPDATE, DELETE, TRUNCATE
 * and transactional MESSAGE carry TM_XID_PREFIXED.
 */
#define TM_STREAM_FIRST				0x01

/* A reader refuses a length beyond this rather than trusting the wire. */
#define TM_MAX_VALUE_LENGTH			((uint64_t) 0x40000000)	/* 1 GB */

#endif							/* TIDEMARK_PROTOCOL_H */
