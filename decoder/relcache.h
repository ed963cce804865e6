/*-------------------------------------------------------------------------
 *
 * relcache.h
 *		Per-relation state of a tidemark decoding session.
 *
 * Owns, for every relation the session has seen: what it is reported as
 * (itself, or its partition root under publish_via_root, with the tuple
 * conversion between the two), whether include/exclude select it, the
 * description that RELATION messages and tuples are written from (with
 * each column's output or send function looked up once), and whether
 * and in which schema version that description has been sent.  Entries
 * are invalidated by relcache and syscache callbacks and rebuilt lazily.
 * It must not write anything to the client: writer.c encodes, tidemark.c
 * decides what to send.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIDEMARK_RELCACHE_H
#define TIDEMARK_RELCACHE_H

#include "postgres.h"

#include "access/tupconvert.h"
#include "access/tupdesc.h"
#include "fmgr.h"
#include "utils/hsearch.h"
#include "utils/relcache.h"

#include "options.h"

/* One column as sent: neither dropped nor generated. */
typedef struct TmColumn
{
	AttrNumber	attnum;			/* in the relation's descriptor, 1-based */
	uint8		flags;			/* TM_COL_* */
	char	   *name;
	Oid			typid;
	int32		typmod;
	char	   *typname;		/* qualified name of a non-built-in type, or "" */
	bool		binary;			/* value in send format, else text */
	bool		varlena;		/* may be an unchanged TOAST pointer */
	FmgrInfo	func;			/* the send or output function */
} TmColumn;

typedef struct TmRelEntry
{
	Oid			relid;			/* hash key */

	/* Everything down to ncolumns is derived, and rebuilt when !valid. */
	bool		valid;
	MemoryContext cxt;			/* owns the derived fields */

	/*
	 * The relation its changes are reported as, and the map converting its
	 * tuples to that relation's layout (NULL when none is needed).
	 */
	Oid			publish_relid;
	TupleConversionMap *map;

	/* As a reported relation. */
	bool		selected;		/* matches include and not exclude */
	char	   *nspname;
	char	   *relname;
	uint32		nsp_hash;		/* syscache hash of its namespace */
	char		replident;		/* TM_RI_*, same letters as relreplident */
	bool		has_user_types; /* some column type is not built in */
	TupleDesc	tupdesc;		/* to deform tuples of this layout */
	int			ncolumns;
	TmColumn   *columns;

	/* RELATION message state; survives rebuilds. */
	bool		schema_sent;	/* the client has the current description */
	TransactionId stream_xid;	/* ... or has it within this streamed
								 * transaction only */
	bool		new_version;	/* next send gets schema_version + 1 */
	uint64		schema_version;
} TmRelEntry;

typedef struct TmRelCache TmRelCache;

extern TmRelCache *tm_relcache_create(MemoryContext parent, const TmOptions *opts);
extern TmRelEntry *tm_relcache_get(TmRelCache *cache, Relation rel);
extern TmRelEntry *tm_relcache_get_by_oid(TmRelCache *cache, Oid relid);
extern bool tm_relcache_needs_send(TmRelEntry *entry, TransactionId stream_xid);
extern void tm_relcache_mark_sent(TmRelCache *cache, TmRelEntry *entry,
								  TransactionId stream_xid);
extern void tm_relcache_end_stream_txn(TmRelCache *cache, TransactionId stream_xid);

#endif							/* TIDEMARK_RELCACHE_H */
