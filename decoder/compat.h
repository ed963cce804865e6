/*-------------------------------------------------------------------------
 *
 * compat.h
 *		Every difference between the PostgreSQL versions tidemark's decoder
 *		builds against (13 to 17), and nothing else.
 *
 * The rest of the decoder never tests PG_VERSION_NUM: it uses the macros
 * below, so that supporting a new major version means touching this file
 * only.  Include it after postgres.h and replication/reorderbuffer.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIDEMARK_COMPAT_H
#define TIDEMARK_COMPAT_H

#include "replication/logical.h"
#include "replication/output_plugin.h"
#include "replication/reorderbuffer.h"

#if PG_VERSION_NUM < 130000
#error "tidemark needs PostgreSQL 13 or later"
#endif

/*
 * Streaming of in-progress transactions (the stream_* callbacks and
 * ctx->streaming) appeared in 14.
 */
#if PG_VERSION_NUM >= 140000
#define TM_HAVE_STREAMING 1
#define TM_SET_STREAMING(ctx, on)	((ctx)->streaming = (on))
#define TM_CAN_STREAM(ctx)			((ctx)->streaming)
/* The top-level transaction of a (sub)transaction. */
#define TM_TXN_TOPLEVEL(txn)		((txn)->toptxn != NULL ? (txn)->toptxn : (txn))
/* The (sub)transaction that made a change; ReorderBufferChange.txn is 14+. */
#define TM_CHANGE_XID(change)		((change)->txn->xid)
#else
#define TM_CHANGE_XID(change)		((void) (change), InvalidTransactionId)
#define TM_SET_STREAMING(ctx, on)	((void) (ctx), (void) (on))
#define TM_CAN_STREAM(ctx)			((void) (ctx), false)
#endif

/* 14 moved the commit time into a union shared with prepare time. */
#if PG_VERSION_NUM >= 140000
#define TM_TXN_COMMIT_TIME(txn)		((txn)->xact_time.commit_time)
#else
#define TM_TXN_COMMIT_TIME(txn)		((txn)->commit_time)
#endif

/* 17 replaced ReorderBufferTupleBuf by a plain HeapTuple. */
#if PG_VERSION_NUM >= 170000
#define TM_CHANGE_NEWTUPLE(change)	((change)->data.tp.newtuple)
#define TM_CHANGE_OLDTUPLE(change)	((change)->data.tp.oldtuple)
#else
#define TM_CHANGE_NEWTUPLE(change) \
	((change)->data.tp.newtuple != NULL ? &(change)->data.tp.newtuple->tuple : NULL)
#define TM_CHANGE_OLDTUPLE(change) \
	((change)->data.tp.oldtuple != NULL ? &(change)->data.tp.oldtuple->tuple : NULL)
#endif

/*
 * 15 added skipped_xact to OutputPluginUpdateProgress: the walsender uses
 * it to send a keepalive for a transaction the plugin skipped entirely, so
 * that a synchronous standby is not left waiting for it.
 */
#if PG_VERSION_NUM >= 150000
#define TM_UPDATE_PROGRESS(ctx, skipped_xact) \
	OutputPluginUpdateProgress((ctx), (skipped_xact))
#else
#define TM_UPDATE_PROGRESS(ctx, skipped_xact) \
	((void) (skipped_xact), OutputPluginUpdateProgress(ctx))
#endif

/*
 * Up to 15 the output plugin itself must report progress while it works
 * through a long transaction whose changes it filters out, or the
 * walsender sends nothing and the receiver times out (pgoutput does this
 * every 100 changes).  From 16 on the reorder buffer does it for every
 * plugin.
 */
#if PG_VERSION_NUM < 160000
#define TM_PLUGIN_REPORTS_PROGRESS 1
#endif

#endif							/* TIDEMARK_COMPAT_H */
