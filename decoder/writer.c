/*-------------------------------------------------------------------------
 *
 * writer.c
 *		Encoder of tidemark's binary change format, and batching of
 *		messages into output plugin writes.
 *
 * Batching
 * --------
 * The walsender turns every OutputPluginWrite into one CopyData message,
 * flushed to the socket, and a row of pg_logical_slot_*_binary_changes is
 * one write too.  pgoutput writes once per message, so a transaction of a
 * thousand rows costs a thousand CopyData messages.  tidemark instead
 * appends consecutive messages to the same ctx->out and writes when the
 * transaction (or stream block) ends, or as soon as ctx->out reaches
 * write_batch_size, so a small transaction is one CopyData message and a
 * huge one is cut into pieces of about write_batch_size bytes.
 *
 * Why this is legal (logical.c, walsender.c, logicalfuncs.c):
 *	- OutputPluginPrepareWrite only requires ctx->accept_writes, which
 *	  every callback wrapper that may write sets; OutputPluginWrite only
 *	  requires ctx->prepared_write, which nothing but OutputPluginWrite
 *	  clears.  Neither is reset between callbacks, so a write prepared in
 *	  one callback can be completed in a later one.
 *	- The begin, change, commit, stream_start .. stream_stop callbacks of
 *	  one transaction or stream block all run inside a single
 *	  ReorderBufferReplay / ReorderBufferStreamTXN call, and nothing else
 *	  uses ctx->out meanwhile: keepalives and progress updates
 *	  (WalSndKeepalive, WalSndUpdateProgress, ProcessPendingWrites) use the
 *	  walsender's own buffer.  The SQL interface's loop only counts rows,
 *	  that is writes.  A non-transactional message is delivered outside any
 *	  replay, so it never finds a write open, and is written on its own.
 *	- WalSndPrepareWrite puts its 'w' header (dataStart = walEnd = the LSN
 *	  of the first message in the write) at the start of ctx->out and
 *	  WalSndWriteData only fills its send time in place, so appending after
 *	  the header is exactly what a single large message would do;
 *	  LogicalOutputPrepareWrite just resets ctx->out.
 *	- An error in between ends the decoding session (walsender exit, or
 *	  the SQL function's context is freed), and the next session starts
 *	  from a fresh context: a half-built batch cannot leak into it.
 * Consequently a client must take positions from COMMIT/STREAM_COMMIT
 * end_lsn, not from the CopyData header, which is the position of the
 * first message of the payload.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "port/pg_bswap.h"
#include "utils/memutils.h"

#include "tidemark_protocol.h"
#include "writer.h"

/*
 * Room left for a message's body length before its body is written: a
 * uvar of 5 bytes holds up to 2^35 - 1, more than a StringInfo can hold
 * (MaxAllocSize).  Once the body is written the length is encoded in as
 * few bytes as it needs and the body moved back over the unused ones.
 */
#define TM_LENGTH_RESERVE	5

void
tm_batch_init(TmBatch *batch, LogicalDecodingContext *ctx, int batch_size)
{
	batch->ctx = ctx;
	batch->batch_size = batch_size;
	batch->open = false;
}

/* Returns the buffer to append the next message to, opening a write if needed. */
StringInfo
tm_batch_add(TmBatch *batch)
{
	if (!batch->open)
	{
		OutputPluginPrepareWrite(batch->ctx, true);
		batch->open = true;
	}
	return batch->ctx->out;
}

/* Called after each complete message: writes once the batch is full. */
void
tm_batch_added(TmBatch *batch)
{
	Assert(batch->open);
	if (batch->batch_size == 0 || batch->ctx->out->len >= batch->batch_size)
		tm_batch_flush(batch);
}

/* Writes whatever is pending: at a transaction or stream block boundary. */
void
tm_batch_flush(TmBatch *batch)
{
	if (batch->open)
	{
		OutputPluginWrite(batch->ctx, true);
		batch->open = false;
	}
}

static inline int
encode_uvar(uint8 *buf, uint64 v)
{
	int			n = 0;

	while (v >= 0x80)
	{
		buf[n++] = (uint8) (v | 0x80);
		v >>= 7;
	}
	buf[n++] = (uint8) v;
	return n;
}

static inline void
put_u8(StringInfo out, uint8 v)
{
	appendStringInfoCharMacro(out, (char) v);
}

static inline void
put_uvar(StringInfo out, uint64 v)
{
	uint8		buf[10];

	if (v < 0x80)
		appendStringInfoCharMacro(out, (char) v);
	else
		appendBinaryStringInfo(out, (char *) buf, encode_uvar(buf, v));
}

static inline void
put_svar(StringInfo out, int64 v)
{
	put_uvar(out, ((uint64) v << 1) ^ (uint64) (v >> 63));
}

static inline void
put_i64(StringInfo out, int64 v)
{
	uint64		be = pg_hton64((uint64) v);

	appendBinaryStringInfo(out, (char *) &be, sizeof(be));
}

static inline void
put_bytes(StringInfo out, const char *data, Size len)
{
	put_uvar(out, len);
	appendBinaryStringInfo(out, data, (int) len);
}

static inline void
put_str(StringInfo out, const char *s)
{
	put_bytes(out, s, strlen(s));
}

/* Starts a message; returns where its body starts, for msg_end. */
static int
msg_start(StringInfo out, uint8 type, TransactionId xid)
{
	int			body_start;

	if (TransactionIdIsValid(xid))
		type |= TM_XID_PREFIXED;
	put_u8(out, type);
	enlargeStringInfo(out, TM_LENGTH_RESERVE);
	out->len += TM_LENGTH_RESERVE;
	body_start = out->len;
	/* the xid of a streamed change is the first field of its body */
	if (TransactionIdIsValid(xid))
		put_uvar(out, xid);
	return body_start;
}

static void
msg_end(StringInfo out, int body_start)
{
	Size		body_len = out->len - body_start;
	char	   *lenpos = out->data + body_start - TM_LENGTH_RESERVE;
	uint8		buf[10];
	int			n = encode_uvar(buf, body_len);

	Assert(n <= TM_LENGTH_RESERVE);
	memcpy(lenpos, buf, n);
	if (n < TM_LENGTH_RESERVE)
	{
		memmove(lenpos + n, out->data + body_start, body_len);
		out->len -= TM_LENGTH_RESERVE - n;
		out->data[out->len] = '\0';
	}
}

/*
 * A tuple: one header per column of the entry, then the value.  Values
 * are produced in the current (per-change) memory context and freed as
 * soon as they are copied, so a wide row does not hold all its text
 * forms at once.
 */
static void
put_tuple(StringInfo out, TmRelEntry *entry, HeapTuple tuple)
{
	TupleDesc	desc = entry->tupdesc;
	Datum	   *values = palloc(sizeof(Datum) * Max(desc->natts, 1));
	bool	   *isnull = palloc(sizeof(bool) * Max(desc->natts, 1));

	heap_deform_tuple(tuple, desc, values, isnull);

	put_uvar(out, entry->ncolumns);
	for (int i = 0; i < entry->ncolumns; i++)
	{
		TmColumn   *col = &entry->columns[i];
		int			idx = col->attnum - 1;
		Datum		value = values[idx];

		if (isnull[idx])
			put_u8(out, TM_VALUE_NULL);
		else if (col->varlena && VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(value)))
		{
			/*
			 * The value was not changed and is stored out of line: the WAL
			 * does not carry it, the client keeps what it has.
			 */
			put_u8(out, TM_VALUE_UNCHANGED_TOAST);
		}
		else if (col->binary)
		{
			bytea	   *bin = SendFunctionCall(&col->func, value);
			Size		len = VARSIZE(bin) - VARHDRSZ;

			put_uvar(out, ((uint64) len << TM_VALUE_LENGTH_SHIFT) | TM_VALUE_BINARY);
			appendBinaryStringInfo(out, VARDATA(bin), (int) len);
			pfree(bin);
		}
		else
		{
			char	   *text = OutputFunctionCall(&col->func, value);
			Size		len = strlen(text);

			put_uvar(out, ((uint64) len << TM_VALUE_LENGTH_SHIFT) | TM_VALUE_TEXT);
			appendBinaryStringInfo(out, text, (int) len);
			pfree(text);
		}
	}

	pfree(values);
	pfree(isnull);
}

void
tm_write_begin(StringInfo out, XLogRecPtr final_lsn, TimestampTz commit_time,
			   TransactionId xid, const char *origin_name, XLogRecPtr origin_lsn)
{
	int			body = msg_start(out, TM_MSG_BEGIN, InvalidTransactionId);

	put_uvar(out, final_lsn);
	put_i64(out, commit_time);
	put_uvar(out, xid);
	put_u8(out, origin_name != NULL ? TM_BEGIN_HAS_ORIGIN : 0);
	if (origin_name != NULL)
	{
		put_str(out, origin_name);
		put_uvar(out, origin_lsn);
	}
	msg_end(out, body);
}

void
tm_write_commit(StringInfo out, XLogRecPtr commit_lsn, XLogRecPtr end_lsn,
				TimestampTz commit_time)
{
	int			body = msg_start(out, TM_MSG_COMMIT, InvalidTransactionId);

	put_u8(out, 0);
	put_uvar(out, commit_lsn);
	put_uvar(out, end_lsn);
	put_i64(out, commit_time);
	msg_end(out, body);
}

void
tm_write_relation(StringInfo out, TransactionId xid, TmRelEntry *entry)
{
	int			body = msg_start(out, TM_MSG_RELATION, xid);

	put_uvar(out, entry->relid);
	put_uvar(out, entry->schema_version);
	put_str(out, entry->nspname);
	put_str(out, entry->relname);
	put_u8(out, (uint8) entry->replident);
	put_uvar(out, entry->ncolumns);
	for (int i = 0; i < entry->ncolumns; i++)
	{
		TmColumn   *col = &entry->columns[i];

		put_u8(out, col->flags);
		put_str(out, col->name);
		put_uvar(out, col->typid);
		put_svar(out, col->typmod);
		put_str(out, col->typname);
	}
	msg_end(out, body);
}

void
tm_write_insert(StringInfo out, TransactionId xid, TmRelEntry *entry,
				HeapTuple newtuple)
{
	int			body = msg_start(out, TM_MSG_INSERT, xid);

	put_uvar(out, entry->relid);
	put_tuple(out, entry, newtuple);
	msg_end(out, body);
}

/* old_kind is TM_OLD_KEY, TM_OLD_FULL, or 0 when oldtuple is NULL. */
void
tm_write_update(StringInfo out, TransactionId xid, TmRelEntry *entry,
				uint8 old_kind, HeapTuple oldtuple, HeapTuple newtuple)
{
	int			body = msg_start(out, TM_MSG_UPDATE, xid);

	Assert((old_kind != 0) == (oldtuple != NULL));
	put_uvar(out, entry->relid);
	put_u8(out, old_kind);
	if (oldtuple != NULL)
		put_tuple(out, entry, oldtuple);
	put_tuple(out, entry, newtuple);
	msg_end(out, body);
}

void
tm_write_delete(StringInfo out, TransactionId xid, TmRelEntry *entry,
				uint8 old_kind, HeapTuple oldtuple)
{
	int			body = msg_start(out, TM_MSG_DELETE, xid);

	Assert((old_kind != 0) == (oldtuple != NULL));
	put_uvar(out, entry->relid);
	put_u8(out, old_kind);
	if (oldtuple != NULL)
		put_tuple(out, entry, oldtuple);
	msg_end(out, body);
}

void
tm_write_truncate(StringInfo out, TransactionId xid, uint8 flags, int nrelids,
				  const Oid *relids)
{
	int			body = msg_start(out, TM_MSG_TRUNCATE, xid);

	put_u8(out, flags);
	put_uvar(out, nrelids);
	for (int i = 0; i < nrelids; i++)
		put_uvar(out, relids[i]);
	msg_end(out, body);
}

void
tm_write_message(StringInfo out, TransactionId xid, bool transactional,
				 XLogRecPtr lsn, const char *prefix, Size size,
				 const char *content)
{
	int			body = msg_start(out, TM_MSG_MESSAGE, xid);

	put_u8(out, transactional ? TM_MESSAGE_TRANSACTIONAL : 0);
	put_uvar(out, lsn);
	put_str(out, prefix);
	put_bytes(out, content, size);
	msg_end(out, body);
}

void
tm_write_stream_start(StringInfo out, TransactionId xid, bool first)
{
	int			body = msg_start(out, TM_MSG_STREAM_START, InvalidTransactionId);

	put_uvar(out, xid);
	put_u8(out, first ? TM_STREAM_FIRST : 0);
	msg_end(out, body);
}

void
tm_write_stream_stop(StringInfo out)
{
	int			body = msg_start(out, TM_MSG_STREAM_STOP, InvalidTransactionId);

	msg_end(out, body);
}

void
tm_write_stream_commit(StringInfo out, TransactionId xid, XLogRecPtr commit_lsn,
					   XLogRecPtr end_lsn, TimestampTz commit_time)
{
	int			body = msg_start(out, TM_MSG_STREAM_COMMIT, InvalidTransactionId);

	put_uvar(out, xid);
	put_u8(out, 0);
	put_uvar(out, commit_lsn);
	put_uvar(out, end_lsn);
	put_i64(out, commit_time);
	msg_end(out, body);
}

void
tm_write_stream_abort(StringInfo out, TransactionId xid, TransactionId subxid)
{
	int			body = msg_start(out, TM_MSG_STREAM_ABORT, InvalidTransactionId);

	put_uvar(out, xid);
	put_uvar(out, subxid);
	msg_end(out, body);
}
