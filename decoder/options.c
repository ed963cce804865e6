/*-------------------------------------------------------------------------
 *
 * options.c
 *		Parsing and validation of the tidemark output plugin's options.
 *
 * The options are described by one table; the error for an unknown
 * option lists the valid ones from that same table, so the two cannot
 * drift apart.  Everything is validated at startup, before the first
 * change is decoded: a client with a typo learns it at once instead of
 * after the slot has been consumed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "commands/defrem.h"
#include "parser/scansup.h"
#include "utils/builtins.h"

#include "options.h"
#include "tidemark_protocol.h"

typedef void (*TmOptionParser) (const char *name, const char *value,
								TmOptions *opts);

typedef struct TmOptionDef
{
	const char *name;
	bool		is_bool;		/* may be given without a value (= true) */
	TmOptionParser parse;
} TmOptionDef;

static void parse_proto_version(const char *name, const char *value, TmOptions *opts);
static void parse_binary(const char *name, const char *value, TmOptions *opts);
static void parse_include(const char *name, const char *value, TmOptions *opts);
static void parse_exclude(const char *name, const char *value, TmOptions *opts);
static void parse_origin(const char *name, const char *value, TmOptions *opts);
static void parse_messages(const char *name, const char *value, TmOptions *opts);
static void parse_skip_empty_xacts(const char *name, const char *value, TmOptions *opts);
static void parse_streaming(const char *name, const char *value, TmOptions *opts);
static void parse_publish_via_root(const char *name, const char *value, TmOptions *opts);
static void parse_write_batch_size(const char *name, const char *value, TmOptions *opts);

static const TmOptionDef tm_option_defs[] = {
	{"proto_version", false, parse_proto_version},
	{"binary", true, parse_binary},
	{"include", false, parse_include},
	{"exclude", false, parse_exclude},
	{"origin", false, parse_origin},
	{"messages", false, parse_messages},
	{"skip_empty_xacts", true, parse_skip_empty_xacts},
	{"streaming", true, parse_streaming},
	{"publish_via_root", true, parse_publish_via_root},
	{"write_batch_size", false, parse_write_batch_size},
};

#define TM_NUM_OPTIONS lengthof(tm_option_defs)

static char *
valid_option_names(void)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < TM_NUM_OPTIONS; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "", tm_option_defs[i].name);
	return buf.data;
}

static void
set_defaults(TmOptions *opts)
{
	memset(opts, 0, sizeof(TmOptions));
	opts->proto_version = TM_PROTO_VERSION_CURRENT;
	opts->binary = false;
	opts->include = NIL;
	opts->exclude = NIL;
	opts->origin_none = false;
	opts->all_messages = false;
	opts->message_prefixes = NIL;
	opts->skip_empty_xacts = true;
	opts->streaming = false;
	opts->publish_via_root = false;
	opts->write_batch_size = TM_DEFAULT_WRITE_BATCH_SIZE;
}

/*
 * Parses the option list into *opts, which is entirely overwritten.
 * Allocations go to the current memory context, which must live as long
 * as the decoding session.
 */
void
tm_options_parse(List *defelems, TmOptions *opts)
{
	bool		seen[TM_NUM_OPTIONS] = {0};
	ListCell   *lc;

	set_defaults(opts);

	foreach(lc, defelems)
	{
		DefElem    *def = lfirst_node(DefElem, lc);
		int			i;
		const char *value;

		for (i = 0; i < TM_NUM_OPTIONS; i++)
		{
			if (strcmp(def->defname, tm_option_defs[i].name) == 0)
				break;
		}
		if (i == TM_NUM_OPTIONS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"%s\" is not recognized by tidemark",
							def->defname),
					 errhint("Valid options are: %s.", valid_option_names())));

		if (seen[i])
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("conflicting or redundant options"),
					 errdetail("Option \"%s\" is given more than once.",
							   def->defname)));
		seen[i] = true;

		if (def->arg != NULL)
			value = defGetString(def);
		else if (tm_option_defs[i].is_bool)
			value = "true";		/* a bare boolean option means on */
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"%s\" requires a value", def->defname)));

		tm_option_defs[i].parse(def->defname, value, opts);
	}
}

static bool
parse_bool_option(const char *name, const char *value)
{
	bool		result;

	if (!parse_bool(value, &result))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value \"%s\" for option \"%s\"", value, name),
				 errhint("Valid values are on, off, true, false, yes, no, 1, 0.")));
	return result;
}

/* Parses a whole decimal integer, or returns false. */
static bool
parse_int_value(const char *value, long *result)
{
	char	   *end;

	errno = 0;
	*result = strtol(value, &end, 10);
	if (errno != 0 || end == value)
		return false;
	while (scanner_isspace(*end))
		end++;
	return *end == '\0';
}

static void
parse_proto_version(const char *name, const char *value, TmOptions *opts)
{
	long		v;

	if (!parse_int_value(value, &v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value \"%s\" for option \"%s\"", value, name),
				 errhint("The value must be an integer between %d and %d.",
						 TM_PROTO_VERSION_MIN, TM_PROTO_VERSION_MAX)));
	if (v < TM_PROTO_VERSION_MIN || v > TM_PROTO_VERSION_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("proto_version %ld is not supported by this tidemark", v),
				 errdetail("Supported protocol versions are %d to %d.",
						   TM_PROTO_VERSION_MIN, TM_PROTO_VERSION_MAX)));
	opts->proto_version = (int) v;
}

static void
parse_binary(const char *name, const char *value, TmOptions *opts)
{
	opts->binary = parse_bool_option(name, value);
}

static void
parse_skip_empty_xacts(const char *name, const char *value, TmOptions *opts)
{
	opts->skip_empty_xacts = parse_bool_option(name, value);
}

static void
parse_streaming(const char *name, const char *value, TmOptions *opts)
{
	opts->streaming = parse_bool_option(name, value);
}

static void
parse_publish_via_root(const char *name, const char *value, TmOptions *opts)
{
	opts->publish_via_root = parse_bool_option(name, value);
}

static void
parse_write_batch_size(const char *name, const char *value, TmOptions *opts)
{
	long		v;

	if (!parse_int_value(value, &v) || v < 0 || v > TM_MAX_WRITE_BATCH_SIZE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value \"%s\" for option \"%s\"", value, name),
				 errhint("The value must be a number of bytes between 0 and %d; 0 sends every message on its own.",
						 TM_MAX_WRITE_BATCH_SIZE)));
	opts->write_batch_size = (int) v;
}

static void
parse_origin(const char *name, const char *value, TmOptions *opts)
{
	if (pg_strcasecmp(value, "any") == 0)
		opts->origin_none = false;
	else if (pg_strcasecmp(value, "none") == 0)
		opts->origin_none = true;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value \"%s\" for option \"%s\"", value, name),
				 errhint("Valid values are any and none.")));
}

/*
 * messages: comma-separated logical-message prefixes, or '*' for all.
 * Surrounding whitespace of each prefix is ignored.
 */
static void
parse_messages(const char *name, const char *value, TmOptions *opts)
{
	const char *p = value;

	for (;;)
	{
		const char *start;
		const char *end;
		const char *comma = strchr(p, ',');

		end = comma != NULL ? comma : p + strlen(p);
		start = p;
		while (start < end && scanner_isspace(*start))
			start++;
		while (end > start && scanner_isspace(end[-1]))
			end--;
		if (start == end)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value \"%s\" for option \"%s\"", value, name),
					 errdetail("A message prefix is empty."),
					 errhint("Give a comma-separated list of message prefixes, or * for all of them.")));
		if (end - start == 1 && *start == '*')
			opts->all_messages = true;
		else
			opts->message_prefixes = lappend(opts->message_prefixes,
											 pnstrdup(start, end - start));
		if (comma == NULL)
			break;
		p = comma + 1;
	}
}

/*
 * Reports a bad include/exclude pattern.  item is the offending pattern
 * as the user wrote it.
 */
static void
pattern_error(const char *optname, const char *item, int itemlen,
			  const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg("invalid pattern \"%.*s\" in option \"%s\"",
					itemlen, item, optname),
			 errdetail("%s", detail),
			 errhint("Patterns are schema.table, with * as a wildcard and double quotes around identifiers that need them, e.g. public.orders or \"Sales\".*.")));
}

/* Appends one literal byte to a glob, escaping the glob's metacharacters. */
static void
glob_append_literal(StringInfo glob, char c)
{
	if (c == '*' || c == '\\')
		appendStringInfoChar(glob, '\\');
	appendStringInfoChar(glob, c);
}

/*
 * Parses a comma-separated list of schema.table patterns.
 *
 * Like SQL identifiers, unquoted text is folded to lower case and a
 * double-quoted run is taken literally ("" stands for one quote); the two
 * may be mixed within one part, e.g. "Sales"_* .  Outside quotes '*' is
 * a wildcard, '.' separates the schema from the table and ',' ends the
 * pattern; whitespace is allowed only around a pattern.
 */
static List *
parse_pattern_list(const char *optname, const char *value)
{
	List	   *result = NIL;
	const char *p = value;

	for (;;)
	{
		StringInfoData parts[2];
		int			part = 0;
		bool		part_nonempty[2] = {false, false};
		bool		trailing_space = false;
		const char *item;
		TmPattern  *pat;

		initStringInfo(&parts[0]);
		initStringInfo(&parts[1]);

		while (scanner_isspace(*p))
			p++;
		item = p;

		while (*p != '\0' && *p != ',')
		{
			if (scanner_isspace(*p))
			{
				trailing_space = true;
				p++;
				continue;
			}
			if (trailing_space)
				pattern_error(optname, item, (int) strcspn(item, ","),
							  "Whitespace is only allowed around a pattern; quote identifiers that contain it.");

			if (*p == '"')
			{
				p++;
				for (;;)
				{
					if (*p == '\0')
						pattern_error(optname, item, (int) strlen(item),
									  "A quoted identifier is not terminated.");
					if (*p == '"')
					{
						if (p[1] != '"')
							break;
						p++;	/* "" is one literal quote */
					}
					glob_append_literal(&parts[part], *p);
					part_nonempty[part] = true;
					p++;
				}
				p++;			/* the closing quote */
			}
			else if (*p == '.')
			{
				if (part == 1)
					pattern_error(optname, item, (int) strcspn(item, ","),
								  "A pattern has exactly one dot, between the schema and the table.");
				part = 1;
				p++;
			}
			else if (*p == '*')
			{
				appendStringInfoChar(&parts[part], '*');
				part_nonempty[part] = true;
				p++;
			}
			else
			{
				/* an unquoted run, folded to lower case as SQL does */
				const char *run = p;
				char	   *folded;

				while (*p != '\0' && *p != ',' && *p != '.' && *p != '*' &&
					   *p != '"' && !scanner_isspace(*p))
					p++;
				folded = downcase_identifier(run, (int) (p - run), false, false);
				for (const char *f = folded; *f != '\0'; f++)
					glob_append_literal(&parts[part], *f);
				part_nonempty[part] = true;
			}
		}

		if (!part_nonempty[0] && part == 0)
			pattern_error(optname, item, (int) strcspn(item, ","),
						  "A pattern is empty.");
		if (part == 0)
			pattern_error(optname, item, (int) strcspn(item, ","),
						  "A pattern needs a schema and a table separated by a dot.");
		if (!part_nonempty[0] || !part_nonempty[1])
			pattern_error(optname, item, (int) strcspn(item, ","),
						  "The schema or the table part of a pattern is empty.");

		pat = palloc(sizeof(TmPattern));
		pat->nspglob = parts[0].data;
		pat->relglob = parts[1].data;
		result = lappend(result, pat);

		if (*p == '\0')
			break;
		p++;					/* the comma */
	}
	return result;
}

static void
parse_include(const char *name, const char *value, TmOptions *opts)
{
	opts->include = parse_pattern_list(name, value);
}

static void
parse_exclude(const char *name, const char *value, TmOptions *opts)
{
	opts->exclude = parse_pattern_list(name, value);
}

/*
 * Matches s against a glob made by parse_pattern_list.  Backtracks only
 * to the most recent '*', which is enough for globs (linear in practice).
 */
static bool
glob_match(const char *glob, const char *s)
{
	const char *star_glob = NULL;
	const char *star_s = NULL;

	while (*s != '\0')
	{
		if (*glob == '*')
		{
			star_glob = ++glob;
			star_s = s;
			continue;
		}
		if (*glob != '\0')
		{
			const char *lit = glob[0] == '\\' ? glob + 1 : glob;

			if (*lit == *s)
			{
				glob = lit + 1;
				s++;
				continue;
			}
		}
		if (star_glob == NULL)
			return false;
		glob = star_glob;
		s = ++star_s;
	}
	while (*glob == '*')
		glob++;
	return *glob == '\0';
}

static bool
patterns_match(List *patterns, const char *nspname, const char *relname)
{
	ListCell   *lc;

	foreach(lc, patterns)
	{
		TmPattern  *pat = (TmPattern *) lfirst(lc);

		if (glob_match(pat->nspglob, nspname) && glob_match(pat->relglob, relname))
			return true;
	}
	return false;
}

/* A relation is sent when it matches include (default: all) and not exclude. */
bool
tm_options_relation_selected(const TmOptions *opts, const char *nspname,
							 const char *relname)
{
	if (opts->include != NIL && !patterns_match(opts->include, nspname, relname))
		return false;
	return !patterns_match(opts->exclude, nspname, relname);
}

bool
tm_options_message_selected(const TmOptions *opts, const char *prefix)
{
	ListCell   *lc;

	if (opts->all_messages)
		return true;
	foreach(lc, opts->message_prefixes)
	{
		if (strcmp((const char *) lfirst(lc), prefix) == 0)
			return true;
	}
	return false;
}
