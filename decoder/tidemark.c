/*-------------------------------------------------------------------------
 *
 * tidemark.c
 *		The tidemark logical decoding output plugin.
 *
 * Owns the output plugin callbacks and the decisions they make: which
 * changes and messages are sent, when BEGIN, RELATION and STREAM_START
 * go out, and where transaction and stream block boundaries flush the
 * current batch.  Option parsing lives in options.c, per-relation state
 * in relcache.c, the byte layout and batching in writer.c; this file must
 * not encode bytes itself.
 *
 * Memory: everything a change needs is allocated in change_cxt, reset
 * after every callback, so memory stays flat however many changes flow.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/tupconvert.h"
#include "catalog/pg_class.h"
#include "replication/logical.h"
#include "replication/origin.h"
#include "replication/output_plugin.h"
#include "replication/reorderbuffer.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "compat.h"
#include "options.h"
#include "relcache.h"
#include "tidemark_protocol.h"
#include "writer.h"

PG_MODULE_MAGIC;

extern PGDLLEXPORT void _PG_output_plugin_init(OutputPluginCallbacks *cb);

/* How often, in changes, to let the walsender send a keepalive; see compat.h. */
#define TM_PROGRESS_INTERVAL	100

typedef struct TmData
{
	MemoryContext change_cxt;	/* reset after every callback */
	TmOptions	opts;
	TmRelCache *relcache;
	TmBatch		batch;

	/* The transaction being replayed (not streamed). */
	bool		begin_sent;

	/* The stream block being sent, between stream_start and stream_stop. */
	bool		in_stream;
	ReorderBufferTXN *stream_txn;
	bool		stream_start_sent;

	/*
	 * Top-level xids of the streamed transactions that some STREAM_START
	 * went out for, from then to their STREAM_COMMIT or STREAM_ABORT.  (A
	 * hash rather than txn->output_plugin_private, which 14 lacks.)
	 */
	HTAB	   *streamed_xids;

	int			changes_since_progress;
} TmData;

static void tm_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt,
					   bool is_init);
static void tm_shutdown(LogicalDecodingContext *ctx);
static void tm_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn);
static void tm_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
					  XLogRecPtr commit_lsn);
static void tm_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
					  Relation relation, ReorderBufferChange *change);
static void tm_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
						int nrelations, Relation relations[],
						ReorderBufferChange *change);
static void tm_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
					   XLogRecPtr message_lsn, bool transactional,
					   const char *prefix, Size message_size,
					   const char *message);
static bool tm_filter_by_origin(LogicalDecodingContext *ctx,
								RepOriginId origin_id);
#ifdef TM_HAVE_STREAMING
static void tm_stream_start(LogicalDecodingContext *ctx, ReorderBufferTXN *txn);
static void tm_stream_stop(LogicalDecodingContext *ctx, ReorderBufferTXN *txn);
static void tm_stream_abort(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
							XLogRecPtr abort_lsn);
static void tm_stream_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
							 XLogRecPtr commit_lsn);
#endif

void
_PG_output_plugin_init(OutputPluginCallbacks *cb)
{
	AssertVariableIsOfType(&_PG_output_plugin_init, LogicalOutputPluginInit);

	cb->startup_cb = tm_startup;
	cb->begin_cb = tm_begin;
	cb->change_cb = tm_change;
	cb->truncate_cb = tm_truncate;
	cb->commit_cb = tm_commit;
	cb->message_cb = tm_message;
	cb->filter_by_origin_cb = tm_filter_by_origin;
	cb->shutdown_cb = tm_shutdown;

	/*
	 * The stream callbacks share the non-streamed ones where the only
	 * difference is the xid prefix, which follows from data->in_stream.
	 * Two-phase callbacks are left unset: prepared transactions are then
	 * decoded as ordinary ones at COMMIT PREPARED.
	 */
#ifdef TM_HAVE_STREAMING
	cb->stream_start_cb = tm_stream_start;
	cb->stream_stop_cb = tm_stream_stop;
	cb->stream_abort_cb = tm_stream_abort;
	cb->stream_commit_cb = tm_stream_commit;
	cb->stream_change_cb = tm_change;
	cb->stream_message_cb = tm_message;
	cb->stream_truncate_cb = tm_truncate;
#endif
}

static void
tm_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool is_init)
{
	TmData	   *data = MemoryContextAllocZero(ctx->context, sizeof(TmData));
	MemoryContext old = MemoryContextSwitchTo(ctx->context);

	data->change_cxt = AllocSetContextCreate(ctx->context, "tidemark change",
											 ALLOCSET_DEFAULT_SIZES);
	tm_options_parse(ctx->output_plugin_options, &data->opts);

	opt->output_type = OUTPUT_PLUGIN_BINARY_OUTPUT;
	opt->receive_rewrites = false;

	if (data->opts.streaming && !TM_CAN_STREAM(ctx))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("option \"streaming\" cannot be enabled in this decoding session"),
				 errdetail("Streaming of in-progress transactions needs PostgreSQL 14 or later.")));
	TM_SET_STREAMING(ctx, data->opts.streaming);

	data->relcache = tm_relcache_create(ctx->context, &data->opts);
	if (data->opts.streaming)
	{
		HASHCTL		hctl;

		memset(&hctl, 0, sizeof(hctl));
		hctl.keysize = sizeof(TransactionId);
		hctl.entrysize = sizeof(TransactionId);
		hctl.hcxt = ctx->context;
		data->streamed_xids = hash_create("tidemark streamed transactions", 16,
										  &hctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	tm_batch_init(&data->batch, ctx, data->opts.write_batch_size);
	ctx->output_plugin_private = data;

	MemoryContextSwitchTo(old);
}

static void
tm_shutdown(LogicalDecodingContext *ctx)
{
	TmData	   *data = ctx->output_plugin_private;

	/*
	 * Everything lives under ctx->context, which the caller deletes next;
	 * the relation cache unregisters itself from the invalidation
	 * callbacks when its memory goes (see relcache.c).
	 */
	MemoryContextDelete(data->change_cxt);
	data->change_cxt = NULL;
}

#ifdef TM_PLUGIN_REPORTS_PROGRESS
static void
count_change(LogicalDecodingContext *ctx, TmData *data)
{
	if (++data->changes_since_progress >= TM_PROGRESS_INTERVAL)
	{
		TM_UPDATE_PROGRESS(ctx, false);
		data->changes_since_progress = 0;
	}
}
#else
#define count_change(ctx, data) ((void) 0)
#endif

static void
send_begin(TmData *data, ReorderBufferTXN *txn)
{
	char	   *origin_name = NULL;
	StringInfo	out;

	if (txn->origin_id != InvalidRepOriginId &&
		!replorigin_by_oid(txn->origin_id, true, &origin_name))
	{
		/*
		 * The origin was dropped since: the transaction still came from
		 * elsewhere, which is what a client filtering loops needs to know.
		 */
		origin_name = "";
	}

	out = tm_batch_add(&data->batch);
	tm_write_begin(out, txn->final_lsn, TM_TXN_COMMIT_TIME(txn), txn->xid,
				   origin_name, txn->origin_lsn);
	tm_batch_added(&data->batch);
	data->begin_sent = true;
}

#ifdef TM_HAVE_STREAMING
static void
send_stream_start(TmData *data, ReorderBufferTXN *txn)
{
	bool		found;
	StringInfo	out;

	hash_search(data->streamed_xids, &txn->xid, HASH_ENTER, &found);
	out = tm_batch_add(&data->batch);
	tm_write_stream_start(out, txn->xid, !found);
	tm_batch_added(&data->batch);
	data->stream_start_sent = true;
}

/* Forgets a streamed transaction; returns whether any block of it was sent. */
static bool
end_streamed_txn(TmData *data, TransactionId xid)
{
	bool		found;

	hash_search(data->streamed_xids, &xid, HASH_REMOVE, &found);
	return found;
}
#endif

/*
 * Sends what must precede a change: BEGIN, or STREAM_START inside a stream
 * block.  With skip_empty_xacts they are deferred to here, so that a
 * transaction whose changes are all filtered out sends nothing.
 */
static void
ensure_started(LogicalDecodingContext *ctx, TmData *data, ReorderBufferTXN *txn)
{
#ifdef TM_HAVE_STREAMING
	if (data->in_stream)
	{
		if (!data->stream_start_sent)
			send_stream_start(data, data->stream_txn);
		return;
	}
#endif
	if (!data->begin_sent)
		send_begin(data, txn);
}

static void
ensure_relation_sent(TmData *data, TmRelEntry *entry, TransactionId xid)
{
	TransactionId stream_xid = InvalidTransactionId;
	StringInfo	out;

	if (data->in_stream)
		stream_xid = data->stream_txn->xid;
	if (!tm_relcache_needs_send(entry, stream_xid))
		return;
	tm_relcache_mark_sent(data->relcache, entry, stream_xid);
	out = tm_batch_add(&data->batch);
	tm_write_relation(out, xid, entry);
	tm_batch_added(&data->batch);
}

/* The entry changes of this relation are reported as, or NULL if filtered out. */
static TmRelEntry *
reported_entry(TmData *data, TmRelEntry *source)
{
	TmRelEntry *target = source;

	if (source->publish_relid != source->relid)
		target = tm_relcache_get_by_oid(data->relcache, source->publish_relid);
	return target->selected ? target : NULL;
}

/* Kind of old tuple the WAL carries for this relation (TM_OLD_*). */
static uint8
old_tuple_kind(TmRelEntry *source, HeapTuple oldtuple)
{
	if (oldtuple == NULL)
		return 0;
	return source->replident == TM_RI_FULL ? TM_OLD_FULL : TM_OLD_KEY;
}

static void
send_change(LogicalDecodingContext *ctx, TmData *data, ReorderBufferTXN *txn,
			Relation relation, ReorderBufferChange *change)
{
	TmRelEntry *source;
	TmRelEntry *target;
	HeapTuple	oldtuple = TM_CHANGE_OLDTUPLE(change);
	HeapTuple	newtuple = TM_CHANGE_NEWTUPLE(change);
	TransactionId xid = data->in_stream ? TM_CHANGE_XID(change) : InvalidTransactionId;
	uint8		old_kind;
	StringInfo	out;

	switch (change->action)
	{
		case REORDER_BUFFER_CHANGE_INSERT:
		case REORDER_BUFFER_CHANGE_UPDATE:
		case REORDER_BUFFER_CHANGE_DELETE:
			break;
		default:
			elog(ERROR, "unexpected reorder buffer change action %d",
				 (int) change->action);
	}

	source = tm_relcache_get(data->relcache, relation);
	target = reported_entry(data, source);
	if (target == NULL)
		return;

	/* Determined by the relation that logged the change. */
	old_kind = old_tuple_kind(source, oldtuple);

	if (source->map != NULL)
	{
		if (oldtuple != NULL)
			oldtuple = execute_attr_map_tuple(oldtuple, source->map);
		if (newtuple != NULL)
			newtuple = execute_attr_map_tuple(newtuple, source->map);
	}

	ensure_started(ctx, data, txn);
	ensure_relation_sent(data, target, xid);

	out = tm_batch_add(&data->batch);
	switch (change->action)
	{
		case REORDER_BUFFER_CHANGE_INSERT:
			if (newtuple == NULL)
				elog(ERROR, "insert without a new tuple in relation %u",
					 target->relid);
			tm_write_insert(out, xid, target, newtuple);
			break;
		case REORDER_BUFFER_CHANGE_UPDATE:
			if (newtuple == NULL)
				elog(ERROR, "update without a new tuple in relation %u",
					 target->relid);
			tm_write_update(out, xid, target, old_kind, oldtuple, newtuple);
			break;
		case REORDER_BUFFER_CHANGE_DELETE:
			tm_write_delete(out, xid, target, old_kind, oldtuple);
			break;
		default:
			Assert(false);
			break;
	}
	tm_batch_added(&data->batch);
}

static void
tm_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
		  Relation relation, ReorderBufferChange *change)
{
	TmData	   *data = ctx->output_plugin_private;
	MemoryContext old;

	count_change(ctx, data);

	old = MemoryContextSwitchTo(data->change_cxt);
	send_change(ctx, data, txn, relation, change);
	MemoryContextSwitchTo(old);
	MemoryContextReset(data->change_cxt);
}

static bool
relation_listed(Oid relid, int nrelations, Relation relations[])
{
	for (int i = 0; i < nrelations; i++)
	{
		if (RelationGetRelid(relations[i]) == relid)
			return true;
	}
	return false;
}

static void
send_truncate(LogicalDecodingContext *ctx, TmData *data, ReorderBufferTXN *txn,
			  int nrelations, Relation relations[], ReorderBufferChange *change)
{
	TransactionId xid = data->in_stream ? TM_CHANGE_XID(change) : InvalidTransactionId;
	TmRelEntry **reported = palloc(sizeof(TmRelEntry *) * nrelations);
	Oid		   *relids = palloc(sizeof(Oid) * nrelations);
	int			n = 0;
	uint8		flags = 0;
	StringInfo	out;

	for (int i = 0; i < nrelations; i++)
	{
		TmRelEntry *source = tm_relcache_get(data->relcache, relations[i]);

		if (reported_entry(data, source) == NULL)
			continue;

		/*
		 * Without publish_via_root every change is reported as its leaf
		 * partition, and a partitioned table has no rows of its own, so a
		 * consumer knows only the leaves: list those, as pgoutput does.
		 */
		if (!data->opts.publish_via_root &&
			relations[i]->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
			continue;

		/*
		 * Under publish_via_root, truncating the root also lists every
		 * partition: the root stands for them.  A partition truncated
		 * without its root is reported as itself, because reporting it as
		 * the root would make the target empty the other partitions too.
		 */
		if (source->publish_relid != source->relid &&
			relation_listed(source->publish_relid, nrelations, relations))
			continue;

		reported[n] = source;
		relids[n] = source->relid;
		n++;
	}
	if (n == 0)
		return;

	ensure_started(ctx, data, txn);
	for (int i = 0; i < n; i++)
		ensure_relation_sent(data, reported[i], xid);

	if (change->data.truncate.cascade)
		flags |= TM_TRUNCATE_CASCADE;
	if (change->data.truncate.restart_seqs)
		flags |= TM_TRUNCATE_RESTART_IDENTITY;

	out = tm_batch_add(&data->batch);
	tm_write_truncate(out, xid, flags, n, relids);
	tm_batch_added(&data->batch);
}

static void
tm_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
			int nrelations, Relation relations[], ReorderBufferChange *change)
{
	TmData	   *data = ctx->output_plugin_private;
	MemoryContext old;

	count_change(ctx, data);

	old = MemoryContextSwitchTo(data->change_cxt);
	send_truncate(ctx, data, txn, nrelations, relations, change);
	MemoryContextSwitchTo(old);
	MemoryContextReset(data->change_cxt);
}

static void
tm_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
		   XLogRecPtr message_lsn, bool transactional, const char *prefix,
		   Size message_size, const char *message)
{
	TmData	   *data = ctx->output_plugin_private;
	MemoryContext old;
	StringInfo	out;

	count_change(ctx, data);

	if (!tm_options_message_selected(&data->opts, prefix))
		return;

	old = MemoryContextSwitchTo(data->change_cxt);
	if (transactional)
	{
		/*
		 * Inside a stream the reorder buffer hands over the top-level
		 * transaction only, so that is the xid the message is tagged with.
		 */
		TransactionId xid = data->in_stream ? txn->xid : InvalidTransactionId;

		ensure_started(ctx, data, txn);
		out = tm_batch_add(&data->batch);
		tm_write_message(out, xid, true, message_lsn, prefix, message_size,
						 message);
		tm_batch_added(&data->batch);
	}
	else
	{
		/*
		 * Delivered as soon as decoded, outside any transaction's replay:
		 * it is a write of its own.  (No batch can be open here; flushing
		 * first keeps the order right even if one were.)
		 */
		tm_batch_flush(&data->batch);
		out = tm_batch_add(&data->batch);
		tm_write_message(out, InvalidTransactionId, false, message_lsn, prefix,
						 message_size, message);
		tm_batch_flush(&data->batch);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(data->change_cxt);
}

static void
tm_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	TmData	   *data = ctx->output_plugin_private;

	data->begin_sent = false;
	if (!data->opts.skip_empty_xacts)
	{
		MemoryContext old = MemoryContextSwitchTo(data->change_cxt);

		send_begin(data, txn);
		MemoryContextSwitchTo(old);
		MemoryContextReset(data->change_cxt);
	}
}

static void
tm_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
		  XLogRecPtr commit_lsn)
{
	TmData	   *data = ctx->output_plugin_private;
	bool		skipped = !data->begin_sent;
	StringInfo	out;

	TM_UPDATE_PROGRESS(ctx, skipped);
	data->changes_since_progress = 0;

	if (skipped)
	{
		elog(DEBUG2, "tidemark skipped empty transaction %u", txn->xid);
		return;
	}

	out = tm_batch_add(&data->batch);
	tm_write_commit(out, commit_lsn, txn->end_lsn, TM_TXN_COMMIT_TIME(txn));
	tm_batch_flush(&data->batch);
	data->begin_sent = false;
}

static bool
tm_filter_by_origin(LogicalDecodingContext *ctx, RepOriginId origin_id)
{
	TmData	   *data = ctx->output_plugin_private;

	return data->opts.origin_none && origin_id != InvalidRepOriginId;
}

#ifdef TM_HAVE_STREAMING

static void
tm_stream_start(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	TmData	   *data = ctx->output_plugin_private;

	Assert(!data->in_stream);
	data->in_stream = true;
	data->stream_txn = txn;
	data->stream_start_sent = false;
	if (!data->opts.skip_empty_xacts)
		send_stream_start(data, txn);
}

static void
tm_stream_stop(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	TmData	   *data = ctx->output_plugin_private;

	Assert(data->in_stream);
	if (data->stream_start_sent)
	{
		StringInfo	out = tm_batch_add(&data->batch);

		tm_write_stream_stop(out);
		tm_batch_flush(&data->batch);
	}
	data->in_stream = false;
	data->stream_txn = NULL;
	data->stream_start_sent = false;
}

/*
 * Called for the whole transaction, or for one of its subtransactions
 * (txn is then the subtransaction).  Nothing is sent for a transaction
 * none of whose blocks was sent.
 */
static void
tm_stream_abort(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
				XLogRecPtr abort_lsn)
{
	TmData	   *data = ctx->output_plugin_private;
	ReorderBufferTXN *toptxn = TM_TXN_TOPLEVEL(txn);
	bool		sent;

	if (toptxn == txn)
		sent = end_streamed_txn(data, toptxn->xid);
	else
		sent = hash_search(data->streamed_xids, &toptxn->xid, HASH_FIND, NULL) != NULL;

	if (sent)
	{
		StringInfo	out = tm_batch_add(&data->batch);

		tm_write_stream_abort(out, toptxn->xid, txn->xid);
		tm_batch_flush(&data->batch);
	}
	tm_relcache_end_stream_txn(data->relcache, toptxn->xid);
}

static void
tm_stream_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
				 XLogRecPtr commit_lsn)
{
	TmData	   *data = ctx->output_plugin_private;
	bool		sent = end_streamed_txn(data, txn->xid);

	TM_UPDATE_PROGRESS(ctx, !sent);
	data->changes_since_progress = 0;

	if (sent)
	{
		StringInfo	out = tm_batch_add(&data->batch);

		tm_write_stream_commit(out, txn->xid, commit_lsn, txn->end_lsn,
							   TM_TXN_COMMIT_TIME(txn));
		tm_batch_flush(&data->batch);
	}
	tm_relcache_end_stream_txn(data->relcache, txn->xid);
}

#endif							/* TM_HAVE_STREAMING */
