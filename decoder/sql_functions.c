/*-------------------------------------------------------------------------
 *
 * sql_functions.c
 *		SQL-callable functions of CREATE EXTENSION tidemark.
 *
 * Owns the C side of sql/tidemark--*.sql: thin wrappers that check their
 * arguments and hand the work to reader.c, plus the check that the
 * server lets "tidemark" be used as an output plugin.  Nothing here runs
 * inside logical decoding; the output plugin must not call into it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/varlena.h"

#include "reader.h"

/* The server setting that lists the libraries trusted as output plugins. */
#define TM_PLUGIN_SETTING	"output_plugin_libraries"
#define TM_PLUGIN_NAME		"tidemark"

PG_FUNCTION_INFO_V1(tidemark_to_json);
PG_FUNCTION_INFO_V1(tidemark_plugin_allowed);
PG_FUNCTION_INFO_V1(tidemark_check_plugin_allowed);

Datum
tidemark_to_json(PG_FUNCTION_ARGS)
{
	bytea	   *payload = PG_GETARG_BYTEA_PP(0);

	PG_RETURN_JSONB_P(tm_payload_to_jsonb(VARDATA_ANY(payload),
										  VARSIZE_ANY_EXHDR(payload)));
}

/*
 * The setting's current value, or NULL when this server has no such
 * setting (releases before it was introduced allow every plugin).  The
 * setting is superuser-only; reading it here without the caller's
 * privileges reveals no more than whether tidemark is listed.
 */
static const char *
plugin_setting(void)
{
	return GetConfigOption(TM_PLUGIN_SETTING, true, false);
}

/*
 * The server matches library names exactly, without case folding, after
 * splitting the list the way every list setting is split.
 */
static bool
plugin_allowed(void)
{
	const char *value = plugin_setting();
	char	   *copy;
	List	   *names;
	ListCell   *lc;

	if (value == NULL)
		return true;

	copy = pstrdup(value);
	if (!SplitGUCList(copy, ',', &names))
		return false;
	foreach(lc, names)
	{
		if (strcmp((const char *) lfirst(lc), TM_PLUGIN_NAME) == 0)
			return true;
	}
	return false;
}

/* Appends a list element, double-quoted when splitting would alter it. */
static void
append_list_element(StringInfo buf, const char *name)
{
	const char *p;

	if (strpbrk(name, ", \t\n\r\f\v\"") == NULL)
	{
		appendStringInfoString(buf, name);
		return;
	}
	appendStringInfoChar(buf, '"');
	for (p = name; *p != '\0'; p++)
	{
		if (*p == '"')
			appendStringInfoChar(buf, '"');
		appendStringInfoChar(buf, *p);
	}
	appendStringInfoChar(buf, '"');
}

/*
 * The hint naming the line to add to postgresql.conf: the current list
 * plus tidemark, so that applying it keeps every plugin the DBA already
 * trusted (no final period, so that the line can be copied as it
 * stands).  It shows the current value only to roles that may read it
 * anyway; the outer user is used so that a trusted CREATE EXTENSION,
 * which runs as the bootstrap superuser, does not show it to the role
 * that asked.
 */
static char *
plugin_setting_hint(void)
{
	char	   *copy;
	List	   *names = NIL;
	ListCell   *lc;
	StringInfoData list;
	StringInfoData hint;
	const char *p;

	if (!has_privs_of_role(GetOuterUserId(),
						   get_role_oid("pg_read_all_settings", false)))
		return psprintf("Add \"%s\" to %s in postgresql.conf and reload the configuration.",
						TM_PLUGIN_NAME, TM_PLUGIN_SETTING);

	/* rebuilt from its elements: an unparsable value contributes nothing */
	copy = pstrdup(plugin_setting());
	if (!SplitGUCList(copy, ',', &names))
		names = NIL;
	initStringInfo(&list);
	foreach(lc, names)
	{
		const char *name = (const char *) lfirst(lc);

		if (name[0] == '\0')
			continue;
		append_list_element(&list, name);
		appendStringInfoString(&list, ", ");
	}
	appendStringInfoString(&list, TM_PLUGIN_NAME);

	/* a postgresql.conf string doubles its single quotes */
	initStringInfo(&hint);
	appendStringInfo(&hint, "Add this line to postgresql.conf and reload the configuration: %s = '",
					 TM_PLUGIN_SETTING);
	for (p = list.data; *p != '\0'; p++)
	{
		if (*p == '\'')
			appendStringInfoChar(&hint, '\'');
		appendStringInfoChar(&hint, *p);
	}
	appendStringInfoChar(&hint, '\'');
	return hint.data;
}

Datum
tidemark_plugin_allowed(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(plugin_allowed());
}

/*
 * Reports, as an ERROR when raise_error or else as a WARNING, that the
 * server will refuse the plugin; returns whether it is allowed.  One
 * function serves create_slot (which must stop) and the install script
 * (which must only tell the DBA).
 */
Datum
tidemark_check_plugin_allowed(PG_FUNCTION_ARGS)
{
	bool		raise_error = PG_GETARG_BOOL(0);

	if (plugin_allowed())
		PG_RETURN_BOOL(true);

	ereport(raise_error ? ERROR : WARNING,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("output plugin \"%s\" is not allowed by this server",
					TM_PLUGIN_NAME),
			 errdetail("The setting %s does not list \"%s\".",
					   TM_PLUGIN_SETTING, TM_PLUGIN_NAME),
			 errhint("%s", plugin_setting_hint())));
	PG_RETURN_BOOL(false);
}
