/*-------------------------------------------------------------------------
 *
 * relcache.c
 *		Per-relation state of a tidemark decoding session.
 *
 * Like pgoutput's RelationSyncCache: a hash of entries keyed by relation
 * OID, marked invalid by cache invalidation callbacks and rebuilt on next
 * use.  The callbacks only flip flags; freeing and catalog access happen
 * at rebuild time, because a callback can fire in the middle of writing
 * a change that is still using an entry's columns.
 *
 * Invalidation callbacks cannot be unregistered, and the SQL interface
 * creates a new decoding context for every call in the same backend, so
 * the callbacks are registered once per backend and find the live cache
 * through tm_active_cache.  That pointer is cleared by a reset callback of
 * the memory context holding the cache, so it can never dangle: not after
 * a clean shutdown, and not after an error that frees the decoding
 * context without calling the shutdown callback.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/transam.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "nodes/bitmapset.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "relcache.h"
#include "tidemark_protocol.h"

struct TmRelCache
{
	MemoryContext cxt;			/* owns the hash, its entries and this */
	HTAB	   *hash;
	const TmOptions *opts;
	int			nstream_sent;	/* at least the entries with a valid
								 * stream_xid: 0 lets scans be skipped */
};

/* The cache the invalidation callbacks act on; see the file header. */
static TmRelCache *tm_active_cache = NULL;
static bool tm_callbacks_registered = false;

static void
invalidate_entry(TmRelEntry *entry)
{
	entry->valid = false;
	entry->schema_sent = false;
	entry->stream_xid = InvalidTransactionId;
	entry->new_version = true;
}

static void
relation_invalidated(Datum arg, Oid relid)
{
	if (tm_active_cache == NULL)
		return;

	if (OidIsValid(relid))
	{
		TmRelEntry *entry = hash_search(tm_active_cache->hash, &relid,
										HASH_FIND, NULL);

		if (entry != NULL)
			invalidate_entry(entry);
	}
	else
	{
		HASH_SEQ_STATUS status;
		TmRelEntry *entry;

		hash_seq_init(&status, tm_active_cache->hash);
		while ((entry = hash_seq_search(&status)) != NULL)
			invalidate_entry(entry);
	}
}

/*
 * A schema rename or drop changes nspname and may change whether include
 * and exclude select a relation, without any relcache invalidation of the
 * relations in it.  hashvalue 0 means every namespace.
 */
static void
namespace_invalidated(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS status;
	TmRelEntry *entry;

	if (tm_active_cache == NULL)
		return;

	hash_seq_init(&status, tm_active_cache->hash);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (hashvalue == 0 || entry->nsp_hash == hashvalue)
			invalidate_entry(entry);
	}
}

/*
 * Renaming or moving a user-defined type changes the type names sent in
 * RELATION messages, again without a relcache invalidation of the tables
 * using it.  Built-in types are sent by OID only, so only entries with a
 * user-defined column type need to care.
 */
static void
type_invalidated(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS status;
	TmRelEntry *entry;

	if (tm_active_cache == NULL)
		return;

	hash_seq_init(&status, tm_active_cache->hash);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (entry->has_user_types)
			invalidate_entry(entry);
	}
}

static void
cache_memory_released(void *arg)
{
	if (tm_active_cache == (TmRelCache *) arg)
		tm_active_cache = NULL;
}

TmRelCache *
tm_relcache_create(MemoryContext parent, const TmOptions *opts)
{
	MemoryContext cxt;
	TmRelCache *cache;
	HASHCTL		ctl;
	MemoryContextCallback *released;

	cxt = AllocSetContextCreate(parent, "tidemark relation cache",
								ALLOCSET_DEFAULT_SIZES);
	cache = MemoryContextAllocZero(cxt, sizeof(TmRelCache));
	cache->cxt = cxt;
	cache->opts = opts;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(TmRelEntry);
	ctl.hcxt = cxt;
	cache->hash = hash_create("tidemark relations", 128, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	released = MemoryContextAlloc(cxt, sizeof(MemoryContextCallback));
	released->func = cache_memory_released;
	released->arg = cache;
	MemoryContextRegisterResetCallback(cxt, released);

	tm_active_cache = cache;

	if (!tm_callbacks_registered)
	{
		CacheRegisterRelcacheCallback(relation_invalidated, (Datum) 0);
		CacheRegisterSyscacheCallback(NAMESPACEOID, namespace_invalidated, (Datum) 0);
		CacheRegisterSyscacheCallback(TYPEOID, type_invalidated, (Datum) 0);
		tm_callbacks_registered = true;
	}
	return cache;
}

static void
build_columns(TmRelCache *cache, TmRelEntry *entry, Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Bitmapset  *idattrs = NULL;
	Bitmapset  *pkattrs;
	bool		all_identity = rel->rd_rel->relreplident == REPLICA_IDENTITY_FULL;

	/*
	 * Under REPLICA IDENTITY FULL the whole row identifies it, so every
	 * column is flagged as part of the identity, as pgoutput does.
	 */
	if (!all_identity)
		idattrs = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_IDENTITY_KEY);
	pkattrs = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);

	entry->tupdesc = CreateTupleDescCopy(desc);
	entry->columns = palloc0(sizeof(TmColumn) * Max(desc->natts, 1));
	entry->ncolumns = 0;
	entry->has_user_types = false;

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		TmColumn   *col;
		HeapTuple	typtup;
		Form_pg_type typform;
		bool		builtin;
		Oid			funcoid;
		int			offset = att->attnum - FirstLowInvalidHeapAttributeNumber;

		if (att->attisdropped || att->attgenerated)
			continue;

		col = &entry->columns[entry->ncolumns++];
		col->attnum = att->attnum;
		col->name = pstrdup(NameStr(att->attname));
		col->typid = att->atttypid;
		col->typmod = att->atttypmod;
		col->varlena = att->attlen == -1;

		col->flags = 0;
		if (all_identity || bms_is_member(offset, idattrs))
			col->flags |= TM_COL_IDENTITY;
		if (bms_is_member(offset, pkattrs))
			col->flags |= TM_COL_PRIMARY_KEY;
		if (att->attnotnull)
			col->flags |= TM_COL_NOT_NULL;

		typtup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(att->atttypid));
		if (!HeapTupleIsValid(typtup))
			elog(ERROR, "cache lookup failed for type %u", att->atttypid);
		typform = (Form_pg_type) GETSTRUCT(typtup);

		/*
		 * A user-defined type's OID differs between source and target, and
		 * its send format may embed OIDs, so it always travels as text.
		 */
		builtin = att->atttypid < FirstNormalObjectId;
		col->binary = cache->opts->binary && builtin && OidIsValid(typform->typsend);
		funcoid = col->binary ? typform->typsend : typform->typoutput;
		ReleaseSysCache(typtup);

		fmgr_info_cxt(funcoid, &col->func, entry->cxt);
		if (builtin)
			col->typname = "";
		else
		{
			col->typname = format_type_be_qualified(att->atttypid);
			entry->has_user_types = true;
		}
	}

	bms_free(idattrs);
	bms_free(pkattrs);
}

/*
 * Works out what the relation's changes are reported as.  Under
 * publish_via_root a partition's changes are reported as its topmost
 * partitioned ancestor's, converting tuples by column name because a
 * partition's physical layout (column order, dropped columns) may differ.
 */
static void
build_routing(TmRelCache *cache, TmRelEntry *entry, Relation rel)
{
	List	   *ancestors;
	Oid			root;
	Relation	rootrel;

	entry->publish_relid = entry->relid;
	entry->map = NULL;

	if (!cache->opts->publish_via_root || !rel->rd_rel->relispartition)
		return;

	ancestors = get_partition_ancestors(entry->relid);
	if (ancestors == NIL)
		return;
	root = llast_oid(ancestors);
	list_free(ancestors);

	rootrel = RelationIdGetRelation(root);
	if (!RelationIsValid(rootrel))
		elog(ERROR, "could not open relation with OID %u", root);
	entry->publish_relid = root;
	entry->map = convert_tuples_by_name(CreateTupleDescCopy(RelationGetDescr(rel)),
										CreateTupleDescCopy(RelationGetDescr(rootrel)));
	RelationClose(rootrel);
}

static void
build_entry(TmRelCache *cache, TmRelEntry *entry, Relation rel)
{
	MemoryContext old;
	Oid			nspoid = RelationGetNamespace(rel);

	if (entry->cxt == NULL)
		entry->cxt = AllocSetContextCreate(cache->cxt, "tidemark relation",
										   ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(entry->cxt);

	/*
	 * Valid from here: an invalidation arriving during the catalog lookups
	 * below must leave the entry invalid, so that the next use rebuilds it.
	 */
	entry->valid = true;

	old = MemoryContextSwitchTo(entry->cxt);

	entry->nspname = get_namespace_name(nspoid);
	if (entry->nspname == NULL)
		elog(ERROR, "cache lookup failed for namespace %u", nspoid);
	entry->relname = pstrdup(RelationGetRelationName(rel));
	entry->nsp_hash = GetSysCacheHashValue1(NAMESPACEOID, ObjectIdGetDatum(nspoid));
	entry->replident = rel->rd_rel->relreplident;
	entry->selected = tm_options_relation_selected(cache->opts, entry->nspname,
												   entry->relname);
	build_routing(cache, entry, rel);
	build_columns(cache, entry, rel);

	MemoryContextSwitchTo(old);
}

static TmRelEntry *
lookup_entry(TmRelCache *cache, Oid relid)
{
	TmRelEntry *entry;
	bool		found;

	entry = hash_search(cache->hash, &relid, HASH_ENTER, &found);
	if (!found)
	{
		entry->valid = false;
		entry->cxt = NULL;
		entry->schema_sent = false;
		entry->stream_xid = InvalidTransactionId;
		entry->new_version = true;
		entry->schema_version = 0;
	}
	return entry;
}

/*
 * The valid entry of an open relation.  The pointer stays valid for the
 * whole session (dynahash never moves entries), its derived fields until
 * the next invalidation.
 */
TmRelEntry *
tm_relcache_get(TmRelCache *cache, Relation rel)
{
	TmRelEntry *entry = lookup_entry(cache, RelationGetRelid(rel));

	if (!entry->valid)
		build_entry(cache, entry, rel);
	return entry;
}

/* Same for a relation known by OID only (a partition root). */
TmRelEntry *
tm_relcache_get_by_oid(TmRelCache *cache, Oid relid)
{
	TmRelEntry *entry = lookup_entry(cache, relid);

	if (!entry->valid)
	{
		Relation	rel = RelationIdGetRelation(relid);

		if (!RelationIsValid(rel))
			elog(ERROR, "could not open relation with OID %u", relid);
		build_entry(cache, entry, rel);
		RelationClose(rel);
	}
	return entry;
}

/*
 * Whether a change of this relation must be preceded by a RELATION
 * message.  stream_xid is the top-level xid of the stream block being
 * sent, or InvalidTransactionId outside streams.
 *
 * A RELATION message sent inside a stream belongs to that transaction:
 * the client applies it only if the transaction commits, and discards it
 * with the subtransaction that carried it.  So it counts for later blocks
 * of the same transaction only, and not after any STREAM_ABORT of it
 * (tm_relcache_end_stream_txn).
 */
bool
tm_relcache_needs_send(TmRelEntry *entry, TransactionId stream_xid)
{
	if (entry->schema_sent)
		return false;
	return !TransactionIdIsValid(stream_xid) || entry->stream_xid != stream_xid;
}

/*
 * Called just before a RELATION message for the entry is written: picks
 * the schema version to send and records that the client has it.
 */
void
tm_relcache_mark_sent(TmRelCache *cache, TmRelEntry *entry,
					  TransactionId stream_xid)
{
	if (entry->new_version)
	{
		entry->schema_version++;
		entry->new_version = false;
	}
	if (!TransactionIdIsValid(stream_xid))
		entry->schema_sent = true;
	else
	{
		if (!TransactionIdIsValid(entry->stream_xid))
			cache->nstream_sent++;
		entry->stream_xid = stream_xid;
	}
}

/*
 * The streamed transaction stream_xid committed, or it or one of its
 * subtransactions aborted: descriptions sent inside its stream no longer
 * count, and are sent again before the relation's next change.
 */
void
tm_relcache_end_stream_txn(TmRelCache *cache, TransactionId stream_xid)
{
	HASH_SEQ_STATUS status;
	TmRelEntry *entry;
	int			remaining = 0;

	if (cache->nstream_sent == 0)
		return;

	/* Recounts, since invalidations clear stream_xid behind the counter. */
	hash_seq_init(&status, cache->hash);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (entry->stream_xid == stream_xid)
			entry->stream_xid = InvalidTransactionId;
		else if (TransactionIdIsValid(entry->stream_xid))
			remaining++;
	}
	cache->nstream_sent = remaining;
}
