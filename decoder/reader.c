/*-------------------------------------------------------------------------
 *
 * reader.c
 *		Bounds-checked reader of tidemark's binary change format and its
 *		rendering as jsonb, behind tidemark.to_json(bytea).
 *
 * Owns the reading of tidemark_protocol.h inside the server; it shares no
 * code with the writer on purpose.  It never trusts a length: each one is
 * checked against the bytes that remain (in the payload, and in the
 * current message body) before anything is read, and failures name the
 * byte offset from the start of the payload.
 *
 * The JSON shape is a contract: the agent's C++ parser must print the
 * same text for every vector in regress/vectors, so change it only
 * together with that parser and the vectors.
 *
 * Result
 *	A payload holding exactly one message gives that message's object;
 *	any other number (batched writes, or an empty payload) gives an array
 *	of the objects in payload order.
 *
 * Objects (keys marked ? are present only when stated)
 *	begin			type, final_lsn, commit_time, xid,
 *					origin? {name, lsn} when the BEGIN carries an origin
 *	commit			type, commit_lsn, end_lsn, commit_time
 *	relation		type, relid, schema_version, namespace, name,
 *					replica_identity ("default"|"nothing"|"full"|"index"),
 *					columns: [{name, type_oid, typmod, type_name? (when
 *					not empty), identity, primary_key, not_null}]
 *	insert			type, relid, new
 *	update			type, relid, old_kind? ("key"|"full") and old? when an
 *					old tuple is sent, new
 *	delete			type, relid, old_kind? and old? as for update (absent
 *					under REPLICA IDENTITY NOTHING)
 *	truncate		type, cascade, restart_identity, relids: [..]
 *	message			type, transactional, lsn, prefix, content,
 *					content_text? (see below)
 *	stream_start	type, xid, first
 *	stream_stop		type
 *	stream_commit	type, xid, commit_lsn, end_lsn, commit_time
 *	stream_abort	type, xid, subxid
 *	unknown			type, code (the whole first byte, 0x80 bit included),
 *					length (of the body, which is skipped)
 * A relation, insert, update, delete, truncate or message sent with
 * TM_XID_PREFIXED also has "xid".  Other types may not carry the bit.
 *
 * Scalars
 *	LSNs				text "X/Y": upper-case hex of the high and low 32
 *						bits, no leading zeros (as pg_lsn prints)
 *	xids, relids, type_oid, schema_version, typmod, code, length
 *						JSON integers (typmod may be negative)
 *	commit_time			text "YYYY-MM-DDTHH:MM:SS.ffffff+00:00", always
 *						six fractional digits, UTC, proleptic Gregorian;
 *						a time outside 0001-01-01 .. 9999-12-31 is an error
 *	content				"\x" then lower-case hex of every byte (bytea's
 *						hex output)
 *	content_text		the content as a string, present only when it is
 *						valid UTF-8 without a NUL byte and the database
 *						encoding is UTF8 (or the content is pure ASCII)
 *	tuple values		null -> JSON null; unchanged toast ->
 *						{"unchanged_toast": true}; text -> {"text": ".."};
 *						binary -> {"binary": "\x.."} (hex as for content)
 * Printed with jsonb's text output, keys come sorted by length, then
 * bytewise; that ordering is what the shared vectors hold.
 *
 * Strictness (the C++ parser must apply the same rules)
 *	- a uvar longer than 10 bytes or beyond 64 bits is an error;
 *	  non-minimal encodings are accepted
 *	- reserved bits in any flag byte, in a NULL or unchanged-toast value
 *	  header, an unknown replica identity, or UPDATE/DELETE flags with
 *	  both KEY and FULL are errors
 *	- bytes left over at the end of a known message's body are an error;
 *	  an unknown message type is skipped whole
 *	- strings (names, prefixes, text values) must be valid in the
 *	  database encoding and free of NUL bytes; lengths above
 *	  TM_MAX_VALUE_LENGTH are refused before anything is allocated
 *	Framing and structure errors raise ERRCODE_INVALID_BINARY_REPRESENTATION;
 *	well-framed but impossible contents raise ERRCODE_DATA_CORRUPTED.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "mb/pg_wchar.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"

#include "reader.h"
#include "tidemark_protocol.h"

/* Days from 0001-01-01 and to 9999-12-31 (inclusive), from 2000-01-01. */
#define TM_FIRST_DAY	(-730119)
#define TM_LAST_DAY		2921939

/* What errcontext reports while a message body is being read. */
typedef struct TmMessageContext
{
	uint8		code;
	Size		offset;
} TmMessageContext;

static const char *
message_type_name(uint8 type)
{
	switch (type)
	{
		case TM_MSG_BEGIN:
			return "begin";
		case TM_MSG_COMMIT:
			return "commit";
		case TM_MSG_RELATION:
			return "relation";
		case TM_MSG_INSERT:
			return "insert";
		case TM_MSG_UPDATE:
			return "update";
		case TM_MSG_DELETE:
			return "delete";
		case TM_MSG_TRUNCATE:
			return "truncate";
		case TM_MSG_MESSAGE:
			return "message";
		case TM_MSG_STREAM_START:
			return "stream_start";
		case TM_MSG_STREAM_STOP:
			return "stream_stop";
		case TM_MSG_STREAM_COMMIT:
			return "stream_commit";
		case TM_MSG_STREAM_ABORT:
			return "stream_abort";
	}
	return NULL;
}

static void
message_error_callback(void *arg)
{
	TmMessageContext *ctx = (TmMessageContext *) arg;

	errcontext("tidemark message of type \"%s\" starting at offset %zu",
			   message_type_name(ctx->code & TM_MSG_TYPE_MASK), ctx->offset);
}

/* ---------------------------------------------------------------------
 * Primitives
 * ---------------------------------------------------------------------
 */

void
tm_reader_init(TmReader *r, const char *data, Size len)
{
	r->data = (const uint8 *) data;
	r->pos = 0;
	r->end = len;
}

static void
tm_need(TmReader *r, Size n, const char *what)
{
	if (r->end - r->pos < n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("tidemark data truncated at offset %zu: expected %s",
						r->pos, what),
				 errdetail("Bytes needed: %zu, bytes remaining: %zu.",
						   n, r->end - r->pos)));
}

uint8
tm_read_u8(TmReader *r, const char *what)
{
	tm_need(r, 1, what);
	return r->data[r->pos++];
}

uint64
tm_read_uvar(TmReader *r, const char *what)
{
	Size		start = r->pos;
	uint64		result = 0;
	int			i;

	for (i = 0; i < 10; i++)
	{
		uint8		b = tm_read_u8(r, what);

		/* the tenth byte holds bit 63 only */
		if (i == 9 && b > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("variable-length integer for %s at offset %zu does not fit in 64 bits",
							what, start)));
		result |= ((uint64) (b & 0x7F)) << (7 * i);
		if ((b & 0x80) == 0)
			return result;
	}
	pg_unreachable();
}

int64
tm_read_svar(TmReader *r, const char *what)
{
	uint64		z = tm_read_uvar(r, what);

	return (int64) (z >> 1) ^ -(int64) (z & 1);
}

int64
tm_read_i64(TmReader *r, const char *what)
{
	uint64		v = 0;
	int			i;

	tm_need(r, 8, what);
	for (i = 0; i < 8; i++)
		v = (v << 8) | r->data[r->pos++];
	return (int64) v;
}

/* Returns a pointer into the payload: len bytes, not terminated. */
const char *
tm_read_raw(TmReader *r, Size len, const char *what)
{
	const char *p;

	tm_need(r, len, what);
	p = (const char *) r->data + r->pos;
	r->pos += len;
	return p;
}

static Size
tm_checked_length(uint64 len, Size offset, const char *what)
{
	if (len > TM_MAX_VALUE_LENGTH)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("length " UINT64_FORMAT " of %s at offset %zu exceeds the limit of " UINT64_FORMAT " bytes",
						len, what, offset, (uint64) TM_MAX_VALUE_LENGTH)));
	return (Size) len;
}

const char *
tm_read_bytes(TmReader *r, Size *len, const char *what)
{
	Size		offset = r->pos;

	*len = tm_checked_length(tm_read_uvar(r, what), offset, what);
	return tm_read_raw(r, *len, what);
}

/*
 * Text that becomes a jsonb string: jsonb cannot hold a NUL, and the
 * server assumes every string it handles is valid in its encoding.
 */
static char *
tm_checked_text(const char *p, Size len, Size offset, const char *what)
{
	if (memchr(p, '\0', len) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("%s at offset %zu contains a NUL byte", what, offset)));
	if (!pg_verify_mbstr(GetDatabaseEncoding(), p, (int) len, true))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("%s at offset %zu is not valid in encoding \"%s\"",
						what, offset, GetDatabaseEncodingName())));
	return pnstrdup(p, len);
}

/* A str: palloc'd, terminated, checked as tm_checked_text does. */
char *
tm_read_str(TmReader *r, const char *what)
{
	Size		offset = r->pos;
	Size		len;
	const char *p = tm_read_bytes(r, &len, what);

	return tm_checked_text(p, len, offset, what);
}

static uint8
tm_read_flags(TmReader *r, uint8 allowed, const char *what)
{
	Size		offset = r->pos;
	uint8		flags = tm_read_u8(r, what);

	if ((flags & ~allowed) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("reserved bits 0x%02X set in %s at offset %zu",
						flags & ~allowed, what, offset)));
	return flags;
}

/*
 * A count of items that each take at least one byte cannot exceed the
 * bytes left; checking that first keeps a corrupt count from driving a
 * long loop or a large allocation.
 */
static uint64
tm_read_count(TmReader *r, const char *what)
{
	Size		offset = r->pos;
	uint64		n = tm_read_uvar(r, what);

	if (n > r->end - r->pos)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("%s " UINT64_FORMAT " at offset %zu exceeds the %zu bytes that remain",
						what, n, offset, r->end - r->pos)));
	return n;
}

/* ---------------------------------------------------------------------
 * jsonb building
 * ---------------------------------------------------------------------
 */

static void
push_key(JsonbParseState **st, const char *key)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) key;
	v.val.string.len = strlen(key);
	pushJsonbValue(st, WJB_KEY, &v);
}

static void
push_string(JsonbParseState **st, JsonbIteratorToken tok, char *s, Size len)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = s;
	v.val.string.len = (int) len;
	pushJsonbValue(st, tok, &v);
}

/* s must live as long as the jsonb under construction: it is not copied */
static void
field_string(JsonbParseState **st, const char *key, char *s)
{
	push_key(st, key);
	push_string(st, WJB_VALUE, s, strlen(s));
}

static void
push_number(JsonbParseState **st, JsonbIteratorToken tok, const char *digits)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
														CStringGetDatum(digits),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
	pushJsonbValue(st, tok, &v);
}

static void
push_uint(JsonbParseState **st, JsonbIteratorToken tok, uint64 n)
{
	char		buf[32];

	snprintf(buf, sizeof(buf), UINT64_FORMAT, n);
	push_number(st, tok, buf);
}

static void
field_uint(JsonbParseState **st, const char *key, uint64 n)
{
	push_key(st, key);
	push_uint(st, WJB_VALUE, n);
}

static void
field_int(JsonbParseState **st, const char *key, int64 n)
{
	char		buf[32];

	snprintf(buf, sizeof(buf), INT64_FORMAT, n);
	push_key(st, key);
	push_number(st, WJB_VALUE, buf);
}

static void
field_bool(JsonbParseState **st, const char *key, bool b)
{
	JsonbValue	v;

	v.type = jbvBool;
	v.val.boolean = b;
	push_key(st, key);
	pushJsonbValue(st, WJB_VALUE, &v);
}

static void
field_lsn(JsonbParseState **st, const char *key, uint64 lsn)
{
	field_string(st, key,
				 psprintf("%X/%X", (uint32) (lsn >> 32), (uint32) lsn));
}

static char *
hex_text(const char *p, Size len)
{
	static const char digits[] = "0123456789abcdef";
	char	   *out = palloc(len * 2 + 3);
	char	   *o = out;
	Size		i;

	*o++ = '\\';
	*o++ = 'x';
	for (i = 0; i < len; i++)
	{
		uint8		b = (uint8) p[i];

		*o++ = digits[b >> 4];
		*o++ = digits[b & 0x0F];
	}
	*o = '\0';
	return out;
}

/*
 * Writes the calendar date of a day number counted from 1970-01-01
 * (proleptic Gregorian; H. Hinnant's civil_from_days).  Shared in spirit
 * with the agent, which must print the very same text.
 */
static void
civil_from_days(int64 z, int *year, int *month, int *day)
{
	int64		era;
	int64		doe;
	int64		yoe;
	int64		doy;
	int64		mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = (int) (doy - (153 * mp + 2) / 5 + 1);
	*month = (int) (mp < 10 ? mp + 3 : mp - 9);
	*year = (int) (yoe + era * 400 + (*month <= 2 ? 1 : 0));
}

static void
tm_read_time_field(TmReader *r, JsonbParseState **st, const char *key)
{
	Size		offset = r->pos;
	int64		t = tm_read_i64(r, key);
	int64		days;
	int64		usec;
	int			year;
	int			month;
	int			day;

	days = t / USECS_PER_DAY;
	usec = t % USECS_PER_DAY;
	if (usec < 0)
	{
		usec += USECS_PER_DAY;
		days--;
	}
	if (days < TM_FIRST_DAY || days > TM_LAST_DAY)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("%s " INT64_FORMAT " at offset %zu is outside years 1 to 9999",
						key, t, offset)));

	/* 10957 days separate 1970-01-01 from PostgreSQL's epoch */
	civil_from_days(days + 10957, &year, &month, &day);
	field_string(st, key,
				 psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00",
						  year, month, day,
						  (int) (usec / USECS_PER_HOUR),
						  (int) (usec / USECS_PER_MINUTE % 60),
						  (int) (usec / USECS_PER_SEC % 60),
						  (int) (usec % USECS_PER_SEC)));
}

/* ---------------------------------------------------------------------
 * Message bodies
 * ---------------------------------------------------------------------
 */

static void
read_tuple(TmReader *r, JsonbParseState **st, const char *key)
{
	uint64		ncols = tm_read_count(r, "tuple column count");
	uint64		i;

	push_key(st, key);
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < ncols; i++)
	{
		Size		offset = r->pos;
		uint64		header = tm_read_uvar(r, "value header");
		uint64		kind = header & TM_VALUE_KIND_MASK;
		uint64		rawlen = header >> TM_VALUE_LENGTH_SHIFT;
		JsonbValue	v;
		Size		len;
		const char *p;

		switch (kind)
		{
			case TM_VALUE_NULL:
			case TM_VALUE_UNCHANGED_TOAST:
				if (rawlen != 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
							 errmsg("value header at offset %zu has kind %d and a nonzero length",
									offset, (int) kind)));
				if (kind == TM_VALUE_NULL)
				{
					v.type = jbvNull;
					pushJsonbValue(st, WJB_ELEM, &v);
				}
				else
				{
					pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
					field_bool(st, "unchanged_toast", true);
					pushJsonbValue(st, WJB_END_OBJECT, NULL);
				}
				break;
			case TM_VALUE_TEXT:
				len = tm_checked_length(rawlen, offset, "text value");
				p = tm_read_raw(r, len, "text value");
				pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
				push_key(st, "text");
				push_string(st, WJB_VALUE,
							tm_checked_text(p, len, offset, "text value"), len);
				pushJsonbValue(st, WJB_END_OBJECT, NULL);
				break;
			case TM_VALUE_BINARY:
				len = tm_checked_length(rawlen, offset, "binary value");
				p = tm_read_raw(r, len, "binary value");
				pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
				field_string(st, "binary", hex_text(p, len));
				pushJsonbValue(st, WJB_END_OBJECT, NULL);
				break;
		}
	}
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

/* The optional old tuple of UPDATE and DELETE, led by its flags byte. */
static void
read_old_tuple(TmReader *r, JsonbParseState **st)
{
	Size		offset = r->pos;
	uint8		flags = tm_read_flags(r, TM_OLD_KEY | TM_OLD_FULL, "old tuple flags");

	if (flags == (TM_OLD_KEY | TM_OLD_FULL))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("old tuple flags at offset %zu claim both a key and a full row",
						offset)));
	if (flags == 0)
		return;
	field_string(st, "old_kind", (flags & TM_OLD_KEY) ? "key" : "full");
	read_tuple(r, st, "old");
}

static void
read_begin(TmReader *r, JsonbParseState **st)
{
	uint8		flags;

	field_lsn(st, "final_lsn", tm_read_uvar(r, "final_lsn"));
	tm_read_time_field(r, st, "commit_time");
	field_uint(st, "xid", tm_read_uvar(r, "xid"));
	flags = tm_read_flags(r, TM_BEGIN_HAS_ORIGIN, "begin flags");
	if (flags & TM_BEGIN_HAS_ORIGIN)
	{
		char	   *name = tm_read_str(r, "origin name");
		uint64		lsn = tm_read_uvar(r, "origin lsn");

		push_key(st, "origin");
		pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
		field_string(st, "name", name);
		field_lsn(st, "lsn", lsn);
		pushJsonbValue(st, WJB_END_OBJECT, NULL);
	}
}

static void
read_commit(TmReader *r, JsonbParseState **st)
{
	tm_read_flags(r, 0, "commit flags");
	field_lsn(st, "commit_lsn", tm_read_uvar(r, "commit_lsn"));
	field_lsn(st, "end_lsn", tm_read_uvar(r, "end_lsn"));
	tm_read_time_field(r, st, "commit_time");
}

static void
read_relation(TmReader *r, JsonbParseState **st)
{
	Size		offset;
	uint8		ri;
	const char *ri_name;
	uint64		ncols;
	uint64		i;

	field_uint(st, "relid", tm_read_uvar(r, "relid"));
	field_uint(st, "schema_version", tm_read_uvar(r, "schema_version"));
	field_string(st, "namespace", tm_read_str(r, "namespace"));
	field_string(st, "name", tm_read_str(r, "relation name"));

	offset = r->pos;
	ri = tm_read_u8(r, "replica identity");
	switch (ri)
	{
		case TM_RI_DEFAULT:
			ri_name = "default";
			break;
		case TM_RI_NOTHING:
			ri_name = "nothing";
			break;
		case TM_RI_FULL:
			ri_name = "full";
			break;
		case TM_RI_INDEX:
			ri_name = "index";
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("unknown replica identity 0x%02X at offset %zu",
							ri, offset)));
	}
	field_string(st, "replica_identity", (char *) ri_name);

	ncols = tm_read_count(r, "column count");
	push_key(st, "columns");
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < ncols; i++)
	{
		uint8		flags = tm_read_flags(r,
										  TM_COL_IDENTITY | TM_COL_PRIMARY_KEY | TM_COL_NOT_NULL,
										  "column flags");
		char	   *type_name;

		pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
		field_string(st, "name", tm_read_str(r, "column name"));
		field_uint(st, "type_oid", tm_read_uvar(r, "type_oid"));
		field_int(st, "typmod", tm_read_svar(r, "typmod"));
		type_name = tm_read_str(r, "type_name");
		if (type_name[0] != '\0')
			field_string(st, "type_name", type_name);
		field_bool(st, "identity", (flags & TM_COL_IDENTITY) != 0);
		field_bool(st, "primary_key", (flags & TM_COL_PRIMARY_KEY) != 0);
		field_bool(st, "not_null", (flags & TM_COL_NOT_NULL) != 0);
		pushJsonbValue(st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

static void
read_truncate(TmReader *r, JsonbParseState **st)
{
	uint8		flags = tm_read_flags(r,
									  TM_TRUNCATE_CASCADE | TM_TRUNCATE_RESTART_IDENTITY,
									  "truncate flags");
	uint64		nrelids;
	uint64		i;

	field_bool(st, "cascade", (flags & TM_TRUNCATE_CASCADE) != 0);
	field_bool(st, "restart_identity", (flags & TM_TRUNCATE_RESTART_IDENTITY) != 0);
	nrelids = tm_read_count(r, "relation count");
	push_key(st, "relids");
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < nrelids; i++)
		push_uint(st, WJB_ELEM, tm_read_uvar(r, "relid"));
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

static bool
is_ascii(const char *p, Size len)
{
	Size		i;

	for (i = 0; i < len; i++)
		if ((uint8) p[i] >= 0x80)
			return false;
	return true;
}

static void
read_message(TmReader *r, JsonbParseState **st)
{
	uint8		flags = tm_read_flags(r, TM_MESSAGE_TRANSACTIONAL, "message flags");
	Size		len;
	const char *content;

	field_bool(st, "transactional", (flags & TM_MESSAGE_TRANSACTIONAL) != 0);
	field_lsn(st, "lsn", tm_read_uvar(r, "lsn"));
	field_string(st, "prefix", tm_read_str(r, "prefix"));
	content = tm_read_bytes(r, &len, "content");
	field_string(st, "content", hex_text(content, len));

	/*
	 * The content is arbitrary bytes; show it as text as well only where
	 * that cannot fail or differ between readers.
	 */
	if (memchr(content, '\0', len) == NULL &&
		pg_verify_mbstr(PG_UTF8, content, (int) len, true) &&
		(GetDatabaseEncoding() == PG_UTF8 || is_ascii(content, len)))
	{
		push_key(st, "content_text");
		push_string(st, WJB_VALUE, pnstrdup(content, len), len);
	}
}

static void
read_stream_start(TmReader *r, JsonbParseState **st)
{
	field_uint(st, "xid", tm_read_uvar(r, "xid"));
	field_bool(st, "first",
			   (tm_read_flags(r, TM_STREAM_FIRST, "stream start flags") & TM_STREAM_FIRST) != 0);
}

static void
read_stream_commit(TmReader *r, JsonbParseState **st)
{
	field_uint(st, "xid", tm_read_uvar(r, "xid"));
	tm_read_flags(r, 0, "stream commit flags");
	field_lsn(st, "commit_lsn", tm_read_uvar(r, "commit_lsn"));
	field_lsn(st, "end_lsn", tm_read_uvar(r, "end_lsn"));
	tm_read_time_field(r, st, "commit_time");
}

static void
read_stream_abort(TmReader *r, JsonbParseState **st)
{
	field_uint(st, "xid", tm_read_uvar(r, "xid"));
	field_uint(st, "subxid", tm_read_uvar(r, "subxid"));
}

/* Message types that may carry TM_XID_PREFIXED. */
static bool
may_carry_xid(uint8 type)
{
	return type == TM_MSG_RELATION || type == TM_MSG_INSERT ||
		type == TM_MSG_UPDATE || type == TM_MSG_DELETE ||
		type == TM_MSG_TRUNCATE || type == TM_MSG_MESSAGE;
}

/*
 * Reads the body of one message, its header already consumed, into the
 * object under construction.  r->end is the end of the body.
 */
static void
read_known_body(TmReader *r, JsonbParseState **st, uint8 code)
{
	uint8		type = code & TM_MSG_TYPE_MASK;

	field_string(st, "type", (char *) message_type_name(type));
	if (code & TM_XID_PREFIXED)
	{
		if (!may_carry_xid(type))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("message type 0x%02X cannot carry an xid prefix", code)));
		field_uint(st, "xid", tm_read_uvar(r, "xid prefix"));
	}

	switch (type)
	{
		case TM_MSG_BEGIN:
			read_begin(r, st);
			break;
		case TM_MSG_COMMIT:
			read_commit(r, st);
			break;
		case TM_MSG_RELATION:
			read_relation(r, st);
			break;
		case TM_MSG_INSERT:
			field_uint(st, "relid", tm_read_uvar(r, "relid"));
			read_tuple(r, st, "new");
			break;
		case TM_MSG_UPDATE:
			field_uint(st, "relid", tm_read_uvar(r, "relid"));
			read_old_tuple(r, st);
			read_tuple(r, st, "new");
			break;
		case TM_MSG_DELETE:
			field_uint(st, "relid", tm_read_uvar(r, "relid"));
			read_old_tuple(r, st);
			break;
		case TM_MSG_TRUNCATE:
			read_truncate(r, st);
			break;
		case TM_MSG_MESSAGE:
			read_message(r, st);
			break;
		case TM_MSG_STREAM_START:
			read_stream_start(r, st);
			break;
		case TM_MSG_STREAM_STOP:
			break;
		case TM_MSG_STREAM_COMMIT:
			read_stream_commit(r, st);
			break;
		case TM_MSG_STREAM_ABORT:
			read_stream_abort(r, st);
			break;
	}

	if (r->pos != r->end)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unexpected data at offset %zu after the last field of the message",
						r->pos),
				 errdetail("Bytes left over: %zu.", r->end - r->pos)));
}

/*
 * Reads one framed message and pushes it as an object; returns what
 * pushJsonbValue returns when the object closes (the finished value when
 * the object is the top level).
 */
static JsonbValue *
read_message_frame(TmReader *r, JsonbParseState **st)
{
	Size		offset = r->pos;
	uint8		code = tm_read_u8(r, "message type");
	uint64		body_len = tm_read_uvar(r, "message length");
	Size		payload_end = r->end;
	JsonbValue *result;

	if (body_len > r->end - r->pos)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("tidemark message at offset %zu claims " UINT64_FORMAT " bytes but only %zu remain",
						offset, body_len, r->end - r->pos)));
	r->end = r->pos + (Size) body_len;

	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	if (message_type_name(code & TM_MSG_TYPE_MASK) == NULL)
	{
		/* a newer writer's message: say it was there and step over it */
		field_string(st, "type", "unknown");
		field_uint(st, "code", code);
		field_uint(st, "length", body_len);
		r->pos = r->end;
	}
	else
	{
		TmMessageContext ctx;
		ErrorContextCallback errcallback;

		ctx.code = code;
		ctx.offset = offset;
		errcallback.callback = message_error_callback;
		errcallback.arg = &ctx;
		errcallback.previous = error_context_stack;
		error_context_stack = &errcallback;

		read_known_body(r, st, code);

		error_context_stack = errcallback.previous;
	}
	result = pushJsonbValue(st, WJB_END_OBJECT, NULL);

	r->end = payload_end;
	return result;
}

/* Counts the messages of a payload, checking only the framing. */
static int64
count_messages(const char *data, Size len)
{
	TmReader	r;
	int64		n = 0;

	tm_reader_init(&r, data, len);
	while (r.pos < r.end)
	{
		Size		offset = r.pos;
		uint64		body_len;

		tm_read_u8(&r, "message type");
		body_len = tm_read_uvar(&r, "message length");
		if (body_len > r.end - r.pos)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("tidemark message at offset %zu claims " UINT64_FORMAT " bytes but only %zu remain",
							offset, body_len, r.end - r.pos)));
		r.pos += (Size) body_len;
		n++;
	}
	return n;
}

Jsonb *
tm_payload_to_jsonb(const char *data, Size len)
{
	JsonbParseState *st = NULL;
	JsonbValue *result;
	TmReader	r;

	tm_reader_init(&r, data, len);
	if (count_messages(data, len) == 1)
		result = read_message_frame(&r, &st);
	else
	{
		pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
		while (r.pos < r.end)
			read_message_frame(&r, &st);
		result = pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	}
	return JsonbValueToJsonb(result);
}
