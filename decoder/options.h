/*-------------------------------------------------------------------------
 *
 * options.h
 *		The options a client passes to the tidemark output plugin.
 *
 * Owns parsing and validation of the option list given to the slot
 * (START_REPLICATION ... (name 'value', ...) or the options of
 * pg_logical_slot_*_changes), and the two questions answered from it:
 * "is this relation selected" and "is this message prefix forwarded".
 * It must not look at catalogs or at the decoding context: it works on
 * names and strings only.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIDEMARK_OPTIONS_H
#define TIDEMARK_OPTIONS_H

#include "postgres.h"

#include "nodes/pg_list.h"

/* write_batch_size accepts 0 (one message per write) up to this. */
#define TM_MAX_WRITE_BATCH_SIZE		(64 * 1024 * 1024)
#define TM_DEFAULT_WRITE_BATCH_SIZE	65536

/*
 * One include or exclude pattern.  Each part is a glob in which an
 * unescaped '*' matches any run of bytes and a backslash makes the next
 * byte literal; the parser produces this form from the user's syntax
 * (quoted identifiers, case folding), so matching never re-parses it.
 */
typedef struct TmPattern
{
	char	   *nspglob;
	char	   *relglob;
} TmPattern;

typedef struct TmOptions
{
	int			proto_version;
	bool		binary;
	List	   *include;		/* TmPattern *; NIL means every relation */
	List	   *exclude;		/* TmPattern * */
	bool		origin_none;	/* drop changes that carry an origin */
	bool		all_messages;	/* messages '*' */
	List	   *message_prefixes;	/* char *, when !all_messages */
	bool		skip_empty_xacts;
	bool		streaming;
	bool		publish_via_root;
	int			write_batch_size;
} TmOptions;

extern void tm_options_parse(List *defelems, TmOptions *opts);
extern bool tm_options_relation_selected(const TmOptions *opts,
										 const char *nspname,
										 const char *relname);
extern bool tm_options_message_selected(const TmOptions *opts,
										const char *prefix);

#endif							/* TIDEMARK_OPTIONS_H */
