/*
 * The policy loader: the built-in defaults, the policy JSON read over them
 * and validated strictly, and the defaults written back out as JSON.
 *
 * jansson parses and catches syntax errors (with their position), but it
 * keeps no position for the values it returns. Every semantic error must
 * still name the line and column of the offending key or value, so a small
 * scanner below walks the raw text again, by the path the validator is at
 * ("checks" / "pwd.old" / "max_age_days"), once, when an error is reported.
 * The text has already been accepted by jansson, so the scanner need not
 * validate; it only has to agree with jansson on where things are.
 *
 * Lifecycle: policy_init(), then any number of policy_load*() calls (each
 * starts again from the defaults and replaces the policy only when the
 * whole file is valid; on error the policy is left as it was), then
 * policy_release().
 */
#include "policy.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../checks/registry.h"
#include "dir.h"
#include "error.h"
#include "exitcode.h"
#include "sbuf.h"
#include "sha256.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

/* Defaults that are not a check's own (DESIGN.md, "Policy JSON"). */
#define POLICY_VERSION 1
#define VPN_CSV_COLUMN "user"
#define VPN_CSV_TIME_COLUMN "last_login"
#define VPN_CSV_MATCH "sAMAccountName"
#define MFA_CSV_COLUMN "upn"
#define MFA_CSV_MATCH "userPrincipalName"
#define DEFAULT_FAIL_ON SEV_HIGH

/* Longest key or value quoted in a message before it is cut short. */
#define QUOTE_MAX 80
/* Deepest path in the schema: checks / ID / PARAM / map key. */
#define PATH_MAX_DEPTH 8

/* ---- the raw-text scanner --------------------------------------------- */

/* One step of a path: an object key, or (key NULL) an array index. */
struct path_elem {
	const char *key;
	size_t index;
};

struct scan {
	const char *s;
	size_t len, i;
};

static void scan_ws(struct scan *sc)
{
	while (sc->i < sc->len && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t' ||
				   sc->s[sc->i] == '\n' || sc->s[sc->i] == '\r'))
		sc->i++;
}

static int scan_peek(const struct scan *sc)
{
	return sc->i < sc->len ? (unsigned char)sc->s[sc->i] : -1;
}

static int scan_hex4(struct scan *sc, unsigned *out)
{
	unsigned v = 0;

	if (sc->len - sc->i < 4)
		return -1;
	for (int k = 0; k < 4; k++) {
		char c = sc->s[sc->i++];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void utf8_put(struct sbuf *sb, unsigned cp)
{
	if (cp < 0x80) {
		sbuf_addch(sb, (char)cp);
	} else if (cp < 0x800) {
		sbuf_addch(sb, (char)(0xc0 | cp >> 6));
		sbuf_addch(sb, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		sbuf_addch(sb, (char)(0xe0 | cp >> 12));
		sbuf_addch(sb, (char)(0x80 | (cp >> 6 & 0x3f)));
		sbuf_addch(sb, (char)(0x80 | (cp & 0x3f)));
	} else {
		sbuf_addch(sb, (char)(0xf0 | cp >> 18));
		sbuf_addch(sb, (char)(0x80 | (cp >> 12 & 0x3f)));
		sbuf_addch(sb, (char)(0x80 | (cp >> 6 & 0x3f)));
		sbuf_addch(sb, (char)(0x80 | (cp & 0x3f)));
	}
}

/*
 * A string at the cursor; decoded into out (if not NULL) as jansson decodes
 * keys, so that keys with escapes compare equal to jansson's.
 */
static int scan_string(struct scan *sc, struct sbuf *out)
{
	if (scan_peek(sc) != '"')
		return -1;
	sc->i++;
	while (sc->i < sc->len) {
		char c = sc->s[sc->i++];
		unsigned cp, lo;

		if (c == '"')
			return 0;
		if (c != '\\') {
			if (out)
				sbuf_addch(out, c);
			continue;
		}
		if (sc->i >= sc->len)
			return -1;
		c = sc->s[sc->i++];
		switch (c) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			if (scan_hex4(sc, &cp))
				return -1;
			if (cp >= 0xd800 && cp < 0xdc00 && sc->len - sc->i >= 6 &&
			    sc->s[sc->i] == '\\' && sc->s[sc->i + 1] == 'u') {
				sc->i += 2;
				if (scan_hex4(sc, &lo))
					return -1;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (out)
				utf8_put(out, cp);
			continue;
		default: break; /* '"', '\\', '/' stand for themselves */
		}
		if (out)
			sbuf_addch(out, c);
	}
	return -1;
}

/* Skip one value (after any white space). */
static int scan_skip(struct scan *sc)
{
	size_t depth = 0;
	int c;

	scan_ws(sc);
	c = scan_peek(sc);
	if (c == '"')
		return scan_string(sc, NULL);
	if (c != '{' && c != '[') {
		while ((c = scan_peek(sc)) != -1 && !strchr(",}] \t\r\n", c))
			sc->i++;
		return 0;
	}
	while ((c = scan_peek(sc)) != -1) {
		if (c == '"') {
			if (scan_string(sc, NULL))
				return -1;
			continue;
		}
		sc->i++;
		if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth == 0)
			return 0;
	}
	return -1;
}

/* Step over the separator after a member or element. */
static void scan_next(struct scan *sc)
{
	scan_ws(sc);
	if (scan_peek(sc) == ',')
		sc->i++;
}

/*
 * The byte offset of the value at path, or of the key itself when at_key
 * (the last step must then be a key). When the path cannot be followed
 * (it always can, as jansson accepted the text), the deepest position
 * reached.
 */
static size_t scan_locate(const char *text, size_t len, const struct path_elem *path,
			  size_t depth, bool at_key)
{
	struct scan sc = { text, len, 0 };
	struct sbuf name = SBUF_INIT;
	size_t found;

	scan_ws(&sc);
	found = sc.i;
	for (size_t d = 0; d < depth; d++) {
		bool last = d + 1 == depth, hit = false;

		scan_ws(&sc);
		if (path[d].key) {
			if (scan_peek(&sc) != '{')
				break;
			sc.i++;
			for (;;) {
				size_t kpos;

				scan_ws(&sc);
				kpos = sc.i;
				sbuf_reset(&name);
				if (scan_string(&sc, &name))
					break;
				scan_ws(&sc);
				if (scan_peek(&sc) != ':')
					break;
				sc.i++;
				scan_ws(&sc);
				if (name.len == strlen(path[d].key) &&
				    memcmp(name.buf, path[d].key, name.len) == 0) {
					found = last && at_key ? kpos : sc.i;
					hit = true;
					break;
				}
				if (scan_skip(&sc))
					break;
				scan_next(&sc);
			}
		} else {
			if (scan_peek(&sc) != '[')
				break;
			sc.i++;
			for (size_t n = 0;; n++) {
				scan_ws(&sc);
				if (scan_peek(&sc) == -1 || scan_peek(&sc) == ']')
					break;
				if (n == path[d].index) {
					found = sc.i;
					hit = true;
					break;
				}
				if (scan_skip(&sc))
					break;
				scan_next(&sc);
			}
		}
		if (!hit)
			break;
	}
	sbuf_release(&name);
	return found;
}

/* 1-based line and byte column of offset off. */
static void text_linecol(const char *text, size_t len, size_t off, size_t *line, size_t *col)
{
	size_t start = 0;

	*line = 1;
	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			start = i + 1;
		}
	}
	*col = off - start + 1;
}

/* ---- the loader's context and its messages ----------------------------- */

struct loader {
	const char *text;
	size_t len;
	const char *name;         /* file name for messages */
	struct error *err;
	struct policy *p;
	struct path_elem path[PATH_MAX_DEPTH];
	size_t depth;
	struct sbuf quoted[4];    /* q()'s results, reused in turn */
	unsigned nquoted;
};

static void ld_push_key(struct loader *ld, const char *key)
{
	if (ld->depth == PATH_MAX_DEPTH)
		abort(); /* the schema is never this deep: a bug here */
	ld->path[ld->depth++] = (struct path_elem){ key, 0 };
}

static void ld_push_index(struct loader *ld, size_t index)
{
	if (ld->depth == PATH_MAX_DEPTH)
		abort();
	ld->path[ld->depth++] = (struct path_elem){ NULL, index };
}

static void ld_pop(struct loader *ld)
{
	ld->depth--;
}

static void quote_into(struct sbuf *sb, const char *s)
{
	size_t n = 0;

	sbuf_addch(sb, '"');
	for (; *s; s++, n++) {
		unsigned char c = (unsigned char)*s;

		if (n == QUOTE_MAX) {
			sbuf_adds(sb, "...");
			break;
		}
		if (c == '"' || c == '\\')
			sbuf_addf(sb, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			sbuf_addf(sb, "\\u%04x", c);
		else
			sbuf_addch(sb, (char)c);
	}
	sbuf_addch(sb, '"');
}

/* s quoted and escaped for a message; valid until four more calls. */
static const char *q(struct loader *ld, const char *s)
{
	struct sbuf *sb = &ld->quoted[ld->nquoted++ % 4];

	sbuf_reset(sb);
	quote_into(sb, s);
	return sb->buf;
}

static bool is_identifier(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* The first depth steps of the path: checks."vpn.stale".max_members, waivers[2]. */
static void path_describe(struct sbuf *sb, const struct path_elem *path, size_t depth)
{
	for (size_t d = 0; d < depth; d++) {
		if (!path[d].key) {
			sbuf_addf(sb, "[%zu]", path[d].index);
			continue;
		}
		if (d)
			sbuf_addch(sb, '.');
		if (is_identifier(path[d].key))
			sbuf_adds(sb, path[d].key);
		else
			quote_into(sb, path[d].key);
	}
}

/* How a value is named in a message: its key quoted, then any indexes. */
static void value_describe(struct sbuf *sb, const struct path_elem *path, size_t depth)
{
	size_t d = depth;

	while (d > 0 && !path[d - 1].key)
		d--;
	if (d == 0) {
		sbuf_adds(sb, "policy");
		d = 0;
	} else {
		quote_into(sb, path[d - 1].key);
	}
	for (; d < depth; d++)
		sbuf_addf(sb, "[%zu]", path[d].index);
}

enum at { AT_VALUE, AT_KEY };

static int ld_vfail(struct loader *ld, enum at at, bool name_value, const char *fmt,
		    va_list ap)
{
	struct sbuf msg = SBUF_INIT;
	size_t off, line, col;

	off = scan_locate(ld->text, ld->len, ld->path, ld->depth, at == AT_KEY);
	text_linecol(ld->text, ld->len, off, &line, &col);
	if (name_value) {
		value_describe(&msg, ld->path, ld->depth);
		sbuf_adds(&msg, ": ");
	}
	sbuf_vaddf(&msg, fmt, ap);
	error_set(ld->err, EXIT_INPUT, "%s:%zu:%zu: %s", ld->name, line, col, msg.buf);
	sbuf_release(&msg);
	return -1;
}

/* An error about the value at the current path, named by its key. */
__attribute__((format(printf, 2, 3)))
static int fail_value(struct loader *ld, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ld_vfail(ld, AT_VALUE, true, fmt, ap);
	va_end(ap);
	return -1;
}

/* An error about the key that ends the current path, at the key. */
__attribute__((format(printf, 2, 3)))
static int fail_key(struct loader *ld, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ld_vfail(ld, AT_KEY, false, fmt, ap);
	va_end(ap);
	return -1;
}

/* An error at the value at the current path, with the message as given. */
__attribute__((format(printf, 2, 3)))
static int fail_at(struct loader *ld, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ld_vfail(ld, AT_VALUE, false, fmt, ap);
	va_end(ap);
	return -1;
}

/* "unknown key "x" in vpn" for the key that ends the current path. */
static int fail_unknown_key(struct loader *ld, const char *key)
{
	struct sbuf where = SBUF_INIT;
	int rc;

	path_describe(&where, ld->path, ld->depth - 1);
	rc = fail_key(ld, "unknown key %s%s%s", q(ld, key), where.len ? " in " : "",
		      where.buf);
	sbuf_release(&where);
	return rc;
}

/* "waivers[2]: missing key "reason"", at the object of the current path. */
static int fail_missing(struct loader *ld, const char *key)
{
	struct sbuf where = SBUF_INIT;
	int rc;

	path_describe(&where, ld->path, ld->depth);
	rc = fail_at(ld, "%s: missing key %s", where.buf, q(ld, key));
	sbuf_release(&where);
	return rc;
}

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

static int expect(struct loader *ld, const json_t *v, bool ok, const char *what)
{
	if (ok)
		return 0;
	return fail_value(ld, "expected %s, got %s", what, json_type_name(v));
}

/* ---- typed values ------------------------------------------------------- */

static int get_bool(struct loader *ld, const json_t *v, bool *out)
{
	if (expect(ld, v, json_is_boolean(v), "a boolean"))
		return -1;
	*out = json_is_true(v);
	return 0;
}

/* A non-empty string, as a borrowed pointer into v. */
static int get_str(struct loader *ld, const json_t *v, const char **out)
{
	if (expect(ld, v, json_is_string(v), "a string"))
		return -1;
	if (!*json_string_value(v))
		return fail_value(ld, "empty string");
	*out = json_string_value(v);
	return 0;
}

/* A non-empty string replacing *out (owned). */
static int get_strdup(struct loader *ld, const json_t *v, char **out)
{
	const char *s;

	if (get_str(ld, v, &s))
		return -1;
	free(*out);
	*out = xstrdup(s);
	return 0;
}

static int get_int(struct loader *ld, const json_t *v, long long min, long long max,
		   long long *out)
{
	long long i;

	if (expect(ld, v, json_is_integer(v), "an integer"))
		return -1;
	i = json_integer_value(v);
	if (i < min || i > max)
		return fail_value(ld, "%lld out of range (expected %lld to %lld)", i, min, max);
	*out = i;
	return 0;
}

/* An ISO 8601 date or date-time; *date_only tells which. */
static int get_time(struct loader *ld, const json_t *v, int64_t *out, int *date_only)
{
	const char *s;

	if (expect(ld, v, json_is_string(v), "a string"))
		return -1;
	s = json_string_value(v);
	if (time_from_iso8601(s, out, date_only))
		return fail_value(ld, "bad date %s (expected ISO 8601)", q(ld, s));
	return 0;
}

static void strlist_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* An array of non-empty strings replacing the strings in *v and *n. */
static int get_strings(struct loader *ld, const json_t *arr, char ***v, size_t *n)
{
	size_t i, count;
	char **out;

	if (expect(ld, arr, json_is_array(arr), "an array of strings"))
		return -1;
	count = json_array_size(arr);
	out = xcalloc(count ? count : 1, sizeof(*out));
	for (i = 0; i < count; i++) {
		const char *s;
		int rc;

		ld_push_index(ld, i);
		rc = get_str(ld, json_array_get(arr, i), &s);
		ld_pop(ld);
		if (rc)
			goto fail;
		out[i] = xstrdup(s);
	}
	for (size_t k = 0; k < *n; k++)
		free((*v)[k]);
	free(*v);
	*v = out;
	*n = count;
	return 0;
fail:
	while (i--)
		free(out[i]);
	free(out);
	return -1;
}

static int get_strlist(struct loader *ld, const json_t *arr, struct strlist *l)
{
	return get_strings(ld, arr, &l->v, &l->n);
}

static int get_severity(struct loader *ld, const json_t *v, enum severity *out)
{
	const char *s;

	if (expect(ld, v, json_is_string(v), "a string"))
		return -1;
	s = json_string_value(v);
	/* exact names only: the policy file is a contract, not free text */
	for (int i = 0; i < SEV_COUNT; i++) {
		if (strcmp(s, severity_name((enum severity)i)) == 0) {
			*out = (enum severity)i;
			return 0;
		}
	}
	return fail_value(ld, "unknown severity %s (expected info, low, medium, high or critical)",
			  q(ld, s));
}

/* The object at the current path, or an error. */
static int expect_object(struct loader *ld, const json_t *v)
{
	return expect(ld, v, json_is_object(v), "an object");
}

/* ---- sections ----------------------------------------------------------- */

static void csv_clear(struct csv_source *c)
{
	free(c->path);
	free(c->column);
	free(c->match);
	free(c->time_column);
	memset(c, 0, sizeof(*c));
}

static void csv_defaults(struct csv_source *c, bool vpn)
{
	csv_clear(c);
	c->column = xstrdup(vpn ? VPN_CSV_COLUMN : MFA_CSV_COLUMN);
	c->match = xstrdup(vpn ? VPN_CSV_MATCH : MFA_CSV_MATCH);
	c->time_column = vpn ? xstrdup(VPN_CSV_TIME_COLUMN) : NULL;
}

/* What a key handler returns for a key its object does not have. */
#define KEY_UNKNOWN 1

/*
 * Calls fn for each member of obj with its key pushed on the path, so that
 * errors name it; a key fn returns KEY_UNKNOWN for is an unknown-key error.
 * The first error stops the walk.
 */
typedef int key_fn(struct loader *ld, const char *key, const json_t *val, void *data);

static int each_key(struct loader *ld, const json_t *obj, key_fn *fn, void *data)
{
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)obj, key, val) {
		int rc;

		ld_push_key(ld, key);
		rc = fn(ld, key, val, data);
		if (rc == KEY_UNKNOWN)
			rc = fail_unknown_key(ld, key);
		ld_pop(ld);
		if (rc)
			return -1;
	}
	return 0;
}

/* An object of the policy whose members are all handled by fn. */
static int load_object(struct loader *ld, const json_t *obj, key_fn *fn, void *data)
{
	if (expect_object(ld, obj))
		return -1;
	return each_key(ld, obj, fn, data);
}

struct csv_load {
	struct csv_source *c;
	bool vpn, has_path;
};

static int csv_key(struct loader *ld, const char *key, const json_t *val, void *data)
{
	struct csv_load *cl = data;

	if (strcmp(key, "path") == 0) {
		cl->has_path = true;
		return get_strdup(ld, val, &cl->c->path);
	}
	if (strcmp(key, "column") == 0)
		return get_strdup(ld, val, &cl->c->column);
	if (strcmp(key, "match") == 0)
		return get_strdup(ld, val, &cl->c->match);
	if (strcmp(key, "optional") == 0)
		return get_bool(ld, val, &cl->c->optional);
	if (cl->vpn && strcmp(key, "time_column") == 0)
		return get_strdup(ld, val, &cl->c->time_column);
	return KEY_UNKNOWN;
}

/* null, "path", or {path, column, match, optional[, time_column]}. */
static int load_csv(struct loader *ld, const json_t *v, struct csv_source *c, bool vpn)
{
	struct csv_load cl = { c, vpn, false };

	csv_defaults(c, vpn);
	if (json_is_null(v))
		return 0;
	if (json_is_string(v))
		return get_strdup(ld, v, &c->path);
	if (expect(ld, v, json_is_object(v), "null, a string or an object"))
		return -1;
	if (each_key(ld, v, csv_key, &cl))
		return -1;
	if (!cl.has_path)
		return fail_missing(ld, "path");
	return 0;
}

static int incident_key(struct loader *ld, const char *key, const json_t *val, void *data)
{
	struct policy *p = ld->p;
	int rc;

	(void)data;
	if (strcmp(key, "password_reset_after") != 0)
		return KEY_UNKNOWN;
	if (json_is_null(val)) {
		p->has_incident = false;
		p->incident = TIME_NEVER;
		return 0;
	}
	rc = get_time(ld, val, &p->incident, NULL);
	p->has_incident = rc == 0;
	return rc;
}

static int load_incident(struct loader *ld, const json_t *obj)
{
	return load_object(ld, obj, incident_key, NULL);
}

static int privileged_key(struct loader *ld, const char *key, const json_t *val, void *data)
{
	(void)data;
	if (strcmp(key, "extra_groups") == 0)
		return get_strlist(ld, val, &ld->p->priv_extra_groups);
	return KEY_UNKNOWN;
}

static int load_privileged(struct loader *ld, const json_t *obj)
{
	return load_object(ld, obj, privileged_key, NULL);
}

static int vpn_key(struct loader *ld, const char *key, const json_t *val, void *data)
{
	struct policy *p = ld->p;

	(void)data;
	if (strcmp(key, "groups") == 0)
		return get_strlist(ld, val, &p->vpn_groups);
	if (strcmp(key, "dialin_attribute") == 0)
		return get_bool(ld, val, &p->vpn_dialin_attribute);
	if (strcmp(key, "activity_csv") == 0)
		return load_csv(ld, val, &p->vpn_activity, true);
	return KEY_UNKNOWN;
}

static int load_vpn(struct loader *ld, const json_t *obj)
{
	return load_object(ld, obj, vpn_key, NULL);
}

struct mfa_attribute_load {
	bool has_name, has_values;
};

static int mfa_attribute_key(struct loader *ld, const char *key, const json_t *val, void *data)
{
	struct mfa_attribute_load *m = data;

	if (strcmp(key, "name") == 0) {
		m->has_name = true;
		return get_strdup(ld, val, &ld->p->mfa_attribute);
	}
	if (strcmp(key, "values") == 0) {
		m->has_values = true;
		return get_strlist(ld, val, &ld->p->mfa_attribute_values);
	}
	return KEY_UNKNOWN;
}

/* mfa.attribute: null or {name, values}. */
static int load_mfa_attribute(struct loader *ld, const json_t *v)
{
	struct policy *p = ld->p;
	struct mfa_attribute_load m = { false, false };

	free(p->mfa_attribute);
	p->mfa_attribute = NULL;
	strlist_clear(&p->mfa_attribute_values);
	if (json_is_null(v))
		return 0;
	if (expect(ld, v, json_is_object(v), "null or an object"))
		return -1;
	if (each_key(ld, v, mfa_attribute_key, &m))
		return -1;
	if (!m.has_name)
		return fail_missing(ld, "name");
	if (!m.has_values)
		return fail_missing(ld, "values");
	return 0;
}

static int mfa_key(struct loader *ld, const char *key, const json_t *val, void *data)
{
	struct policy *p = ld->p;

	(void)data;
	if (strcmp(key, "groups") == 0)
		return get_strlist(ld, val, &p->mfa_groups);
	if (strcmp(key, "smartcard_required") == 0)
		return get_bool(ld, val, &p->mfa_smartcard_required);
	if (strcmp(key, "attribute") == 0)
		return load_mfa_attribute(ld, val);
	if (strcmp(key, "enrollment_csv") == 0)
		return load_csv(ld, val, &p->mfa_enrollment, false);
	return KEY_UNKNOWN;
}

static int load_mfa(struct loader *ld, const json_t *obj)
{
	return load_object(ld, obj, mfa_key, NULL);
}

static int service_accounts_key(struct loader *ld, const char *key, const json_t *val, void *data)
{
	(void)data;
	if (strcmp(key, "name_patterns") == 0)
		return get_strlist(ld, val, &ld->p->service_name_patterns);
	if (strcmp(key, "ous") == 0)
		return get_strlist(ld, val, &ld->p->service_ous);
	return KEY_UNKNOWN;
}

static int load_service_accounts(struct loader *ld, const json_t *obj)
{
	return load_object(ld, obj, service_accounts_key, NULL);
}

static int load_param_map(struct loader *ld, const struct check_param *cp,
			  struct param_value *pv, const json_t *obj)
{
	const char *key, **seen;
	size_t nseen = 0;
	json_t *val;
	int rc = 0;

	if (expect(ld, obj, json_is_object(obj), "an object of integers"))
		return -1;
	seen = xcalloc(json_object_size(obj) + 1, sizeof(*seen));
	json_object_foreach((json_t *)obj, key, val) {
		long long i = 0;
		size_t k;

		ld_push_key(ld, key);
		if (!*key) {
			struct sbuf where = SBUF_INIT;

			path_describe(&where, ld->path, ld->depth - 1);
			rc = fail_key(ld, "empty key in %s", where.buf);
			sbuf_release(&where);
		} else {
			for (k = 0; k < nseen; k++)
				if (str_ieq(seen[k], key))
					break;
			if (k < nseen) {
				struct sbuf where = SBUF_INIT;

				path_describe(&where, ld->path, ld->depth - 1);
				rc = fail_key(ld, "duplicate key %s in %s (keys ignore case)",
					      q(ld, key), where.buf);
				sbuf_release(&where);
			} else {
				seen[nseen++] = key;
				rc = get_int(ld, val, cp->min, cp->max, &i);
			}
		}
		ld_pop(ld);
		if (rc)
			break;
		for (k = 0; k < pv->nmap; k++)
			if (str_ieq(pv->map[k].key, key))
				break;
		if (k == pv->nmap) {
			pv->map = xreallocarray(pv->map, pv->nmap + 1, sizeof(*pv->map));
			pv->map[pv->nmap++].key = xstrdup(key);
		}
		pv->map[k].value = i;
	}
	free(seen);
	return rc;
}

static int load_param(struct loader *ld, const struct check_param *cp,
		      struct param_value *pv, const json_t *v)
{
	switch (cp->type) {
	case PARAM_INT:
		return get_int(ld, v, cp->min, cp->max, &pv->i);
	case PARAM_STRINGS:
		return get_strings(ld, v, &pv->strings, &pv->nstrings);
	case PARAM_INT_MAP:
		return load_param_map(ld, cp, pv, v);
	}
	return fail_value(ld, "unsupported parameter type");
}

static int load_check(struct loader *ld, size_t index, const json_t *obj)
{
	const struct check *c = registry_get(index);
	struct check_config *cfg = &ld->p->checks[index];
	const char *key;
	json_t *val;

	if (expect_object(ld, obj))
		return -1;
	json_object_foreach((json_t *)obj, key, val) {
		size_t j = 0;
		int rc;

		ld_push_key(ld, key);
		if (strcmp(key, "enabled") == 0) {
			rc = get_bool(ld, val, &cfg->enabled);
		} else if (strcmp(key, "severity") == 0) {
			enum severity s;

			/*
			 * Any severity given is an override, even the check's
			 * own: it replaces escalations (DESIGN.md), which is how
			 * a policy caps them. The defaults JSON therefore lists
			 * no severity.
			 */
			rc = get_severity(ld, val, &s);
			if (!rc)
				cfg->severity = (int)s;
		} else {
			for (j = 0; c->params && c->params[j].name; j++)
				if (strcmp(c->params[j].name, key) == 0)
					break;
			if (c->params && c->params[j].name)
				rc = load_param(ld, &c->params[j], &cfg->params[j], val);
			else
				rc = fail_unknown_key(ld, key);
		}
		ld_pop(ld);
		if (rc)
			return -1;
	}
	return 0;
}

static int load_checks(struct loader *ld, const json_t *obj)
{
	const char *key;
	json_t *val;

	if (expect_object(ld, obj))
		return -1;
	json_object_foreach((json_t *)obj, key, val) {
		size_t index;
		int rc;

		ld_push_key(ld, key);
		if (!registry_find(key, &index))
			rc = fail_key(ld, "unknown check %s", q(ld, key));
		else
			rc = load_check(ld, index, val);
		ld_pop(ld);
		if (rc)
			return -1;
	}
	return 0;
}

static int load_waiver(struct loader *ld, const json_t *obj, struct waiver *w)
{
	const char *key;
	json_t *val;

	if (expect_object(ld, obj))
		return -1;
	json_object_foreach((json_t *)obj, key, val) {
		int rc;

		ld_push_key(ld, key);
		if (strcmp(key, "check") == 0) {
			rc = get_strdup(ld, val, &w->check);
			if (!rc && !registry_find(w->check, NULL))
				rc = fail_value(ld, "unknown check %s", q(ld, w->check));
		} else if (strcmp(key, "account") == 0) {
			rc = get_strdup(ld, val, &w->account);
		} else if (strcmp(key, "reason") == 0) {
			rc = get_strdup(ld, val, &w->reason);
		} else if (strcmp(key, "owner") == 0) {
			rc = get_strdup(ld, val, &w->owner);
		} else if (strcmp(key, "expires") == 0) {
			int64_t t;
			int date_only;

			rc = get_time(ld, val, &t, &date_only);
			if (!rc) {
				/* inclusive: a date holds until the end of that day (UTC) */
				w->expires = date_only ? t + SECONDS_PER_DAY : t;
				free(w->expires_text);
				w->expires_text = xstrdup(json_string_value(val));
			}
		} else {
			rc = fail_unknown_key(ld, key);
		}
		ld_pop(ld);
		if (rc)
			return -1;
	}
	if (!w->check)
		return fail_missing(ld, "check");
	if (!w->account)
		return fail_missing(ld, "account");
	if (!w->reason)
		return fail_missing(ld, "reason");
	return 0;
}

static void waivers_clear(struct policy *p)
{
	for (size_t i = 0; i < p->nwaivers; i++) {
		struct waiver *w = &p->waivers[i];

		free(w->check);
		free(w->account);
		free(w->reason);
		free(w->owner);
		free(w->expires_text);
	}
	free(p->waivers);
	p->waivers = NULL;
	p->nwaivers = 0;
}

static int load_waivers(struct loader *ld, const json_t *arr)
{
	struct policy *p = ld->p;
	size_t n;

	if (expect(ld, arr, json_is_array(arr), "an array"))
		return -1;
	waivers_clear(p);
	n = json_array_size(arr);
	if (!n)
		return 0;
	p->waivers = xcalloc(n, sizeof(*p->waivers));
	for (size_t i = 0; i < n; i++) {
		struct waiver *w = &p->waivers[i];
		int rc;

		/* counted before it is filled, so that release frees a partial one */
		p->nwaivers = i + 1;
		w->index = i;
		w->expires = TIME_NEVER;
		ld_push_index(ld, i);
		rc = load_waiver(ld, json_array_get(arr, i), w);
		ld_pop(ld);
		if (rc)
			return -1;
	}
	return 0;
}

static int gate_key(struct loader *ld, const char *key, const json_t *val, void *data)
{
	(void)data;
	if (strcmp(key, "fail_on") == 0)
		return get_severity(ld, val, &ld->p->fail_on);
	if (strcmp(key, "unknown_fails") == 0)
		return get_bool(ld, val, &ld->p->unknown_fails);
	return KEY_UNKNOWN;
}

static int load_gate(struct loader *ld, const json_t *obj)
{
	return load_object(ld, obj, gate_key, NULL);
}

static int load_version(struct loader *ld, const json_t *v)
{
	if (expect(ld, v, json_is_integer(v), "an integer"))
		return -1;
	if (json_integer_value(v) != POLICY_VERSION)
		return fail_value(ld, "unsupported version %lld (expected %d)",
				  (long long)json_integer_value(v), POLICY_VERSION);
	ld->p->version = POLICY_VERSION;
	return 0;
}

/* The top-level sections of a policy and their loaders. */
static const struct {
	const char *key;
	int (*load)(struct loader *ld, const json_t *v);
} sections[] = {
	{ "version", load_version },
	{ "incident", load_incident },
	{ "privileged", load_privileged },
	{ "vpn", load_vpn },
	{ "mfa", load_mfa },
	{ "service_accounts", load_service_accounts },
	{ "checks", load_checks },
	{ "waivers", load_waivers },
	{ "gate", load_gate },
};

static int root_key(struct loader *ld, const char *key, const json_t *val, void *data)
{
	(void)data;
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (strcmp(key, sections[i].key) == 0)
			return sections[i].load(ld, val);
	return KEY_UNKNOWN;
}

static int load_root(struct loader *ld, const json_t *root)
{
	if (!json_is_object(root))
		return fail_at(ld, "expected a json object at the top level, got %s",
			       json_type_name(root));
	return each_key(ld, root, root_key, NULL);
}

/* ---- defaults, load, release -------------------------------------------- */

static size_t check_nparams(const struct check *c)
{
	size_t n = 0;

	while (c->params && c->params[n].name)
		n++;
	return n;
}

static void param_value_default(const struct check_param *cp, struct param_value *pv)
{
	memset(pv, 0, sizeof(*pv));
	switch (cp->type) {
	case PARAM_INT:
		pv->i = cp->def;
		break;
	case PARAM_STRINGS:
		while (cp->def_strings && cp->def_strings[pv->nstrings])
			pv->nstrings++;
		pv->strings = xcalloc(pv->nstrings ? pv->nstrings : 1, sizeof(*pv->strings));
		for (size_t i = 0; i < pv->nstrings; i++)
			pv->strings[i] = xstrdup(cp->def_strings[i]);
		break;
	case PARAM_INT_MAP:
		while (cp->def_map && cp->def_map[pv->nmap].key)
			pv->nmap++;
		pv->map = xcalloc(pv->nmap ? pv->nmap : 1, sizeof(*pv->map));
		for (size_t i = 0; i < pv->nmap; i++) {
			pv->map[i].key = xstrdup(cp->def_map[i].key);
			pv->map[i].value = cp->def_map[i].value;
		}
		break;
	}
}

static void param_value_release(struct param_value *pv)
{
	for (size_t i = 0; i < pv->nstrings; i++)
		free(pv->strings[i]);
	free(pv->strings);
	for (size_t i = 0; i < pv->nmap; i++)
		free((char *)pv->map[i].key); /* owned by the policy, const for readers */
	free(pv->map);
	memset(pv, 0, sizeof(*pv));
}

/* The defaults, without the fingerprint (which needs the defaults text). */
static void policy_init_values(struct policy *p)
{
	size_t n = registry_count();

	memset(p, 0, sizeof(*p));
	p->version = POLICY_VERSION;
	p->incident = TIME_NEVER;
	p->vpn_dialin_attribute = true;
	csv_defaults(&p->vpn_activity, true);
	p->mfa_smartcard_required = true;
	csv_defaults(&p->mfa_enrollment, false);
	p->checks = xcalloc(n ? n : 1, sizeof(*p->checks));
	for (size_t i = 0; i < n; i++) {
		const struct check *c = registry_get(i);
		size_t np = check_nparams(c);

		p->checks[i].enabled = true;
		p->checks[i].severity = -1;
		if (!np)
			continue;
		p->checks[i].params = xcalloc(np, sizeof(*p->checks[i].params));
		for (size_t j = 0; j < np; j++)
			param_value_default(&c->params[j], &p->checks[i].params[j]);
	}
	p->fail_on = DEFAULT_FAIL_ON;
	p->unknown_fails = true;
}

void policy_init(struct policy *p)
{
	char *text = policy_defaults_json();

	policy_init_values(p);
	sha256_hex(text, strlen(text), p->sha256);
	free(text);
}

void policy_release(struct policy *p)
{
	free(p->path);
	strlist_clear(&p->priv_extra_groups);
	strlist_clear(&p->vpn_groups);
	csv_clear(&p->vpn_activity);
	strlist_clear(&p->mfa_groups);
	free(p->mfa_attribute);
	strlist_clear(&p->mfa_attribute_values);
	csv_clear(&p->mfa_enrollment);
	strlist_clear(&p->service_name_patterns);
	strlist_clear(&p->service_ous);
	if (p->checks) {
		for (size_t i = 0; i < registry_count(); i++) {
			size_t np = check_nparams(registry_get(i));

			for (size_t j = 0; p->checks[i].params && j < np; j++)
				param_value_release(&p->checks[i].params[j]);
			free(p->checks[i].params);
		}
		free(p->checks);
	}
	waivers_clear(p);
	/* zeroed, so that a second release is harmless */
	memset(p, 0, sizeof(*p));
}

static bool all_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
	return true;
}

/*
 * Parse text and apply it over fresh defaults. The result replaces p (an
 * initialised policy) only when the whole file is valid: on error p is
 * left as it was, so the caller releases it as usual.
 */
static int policy_load_buf(struct policy *p, const char *text, size_t len,
			   const char *name, const char *path, struct error *err)
{
	struct policy np;
	struct loader ld = { .text = text, .len = len, .name = name, .err = err, .p = &np };
	json_error_t jerr;
	json_t *root;
	int rc = -1;

	policy_init_values(&np);
	np.path = path ? xstrdup(path) : NULL;
	sha256_hex(text, len, np.sha256);
	for (size_t i = 0; i < sizeof(ld.quoted) / sizeof(ld.quoted[0]); i++)
		sbuf_init(&ld.quoted[i]);

	if (all_space(text, len)) {
		error_set(err, EXIT_INPUT, "%s:1:1: empty policy file", name);
		goto out;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		size_t line, col, pos = jerr.position > 0 ? (size_t)jerr.position : 0;

		/* from the byte position: jansson counts columns in characters */
		text_linecol(text, len, pos, &line, &col);
		if (col > 1)
			col--; /* position is past the offending byte */
		error_set(err, EXIT_INPUT, "%s:%zu:%zu: %s", name, line, col, jerr.text);
		goto out;
	}
	rc = load_root(&ld, root);
	json_decref(root);
out:
	for (size_t i = 0; i < sizeof(ld.quoted) / sizeof(ld.quoted[0]); i++)
		sbuf_release(&ld.quoted[i]);
	if (rc) {
		policy_release(&np);
	} else {
		policy_release(p);
		*p = np;
	}
	return rc;
}

int policy_load_string(struct policy *p, const char *text, const char *name,
		       struct error *err)
{
	return policy_load_buf(p, text, strlen(text), name ? name : "<string>", NULL, err);
}

static int read_all(FILE *f, struct sbuf *sb)
{
	char buf[8192];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(sb, buf, n);
	return ferror(f) ? -1 : 0;
}

int policy_load(struct policy *p, const char *path, struct error *err)
{
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	struct sbuf text = SBUF_INIT;
	FILE *f;
	int rc;

	f = is_stdin ? stdin : fopen(path, "rb");
	if (!f)
		return error_set(err, EXIT_INPUT, "%s: cannot read: %s", name, strerror(errno));
	errno = 0;
	if (read_all(f, &text)) {
		int e = errno ? errno : EIO;

		if (!is_stdin)
			fclose(f);
		sbuf_release(&text);
		return error_set(err, EXIT_INPUT, "%s: cannot read: %s", name, strerror(e));
	}
	if (!is_stdin)
		fclose(f);
	rc = policy_load_buf(p, text.buf, text.len, name, path, err);
	sbuf_release(&text);
	return rc;
}

/* ---- the defaults as JSON ----------------------------------------------- */

static json_t *strings_json(const char *const *v)
{
	json_t *arr = json_array();

	for (; v && *v; v++)
		json_array_append_new(arr, json_string(*v));
	return arr;
}

static json_t *check_defaults_json(const struct check *c)
{
	json_t *obj = json_object();

	json_object_set_new(obj, "enabled", json_true());
	for (const struct check_param *cp = c->params; cp && cp->name; cp++) {
		json_t *v = NULL;

		switch (cp->type) {
		case PARAM_INT:
			v = json_integer(cp->def);
			break;
		case PARAM_STRINGS:
			v = strings_json(cp->def_strings);
			break;
		case PARAM_INT_MAP:
			v = json_object();
			for (const struct param_map_entry *e = cp->def_map; e && e->key; e++)
				json_object_set_new(v, e->key, json_integer(e->value));
			break;
		}
		json_object_set_new(obj, cp->name, v);
	}
	return obj;
}

char *policy_defaults_json(void)
{
	json_t *root = json_object(), *sec, *checks;
	struct sbuf sb = SBUF_INIT;
	char *text;

	json_object_set_new(root, "version", json_integer(POLICY_VERSION));

	sec = json_object();
	json_object_set_new(sec, "password_reset_after", json_null());
	json_object_set_new(root, "incident", sec);

	sec = json_object();
	json_object_set_new(sec, "extra_groups", json_array());
	json_object_set_new(root, "privileged", sec);

	sec = json_object();
	json_object_set_new(sec, "groups", json_array());
	json_object_set_new(sec, "dialin_attribute", json_true());
	json_object_set_new(sec, "activity_csv", json_null());
	json_object_set_new(root, "vpn", sec);

	sec = json_object();
	json_object_set_new(sec, "groups", json_array());
	json_object_set_new(sec, "smartcard_required", json_true());
	json_object_set_new(sec, "attribute", json_null());
	json_object_set_new(sec, "enrollment_csv", json_null());
	json_object_set_new(root, "mfa", sec);

	sec = json_object();
	json_object_set_new(sec, "name_patterns", json_array());
	json_object_set_new(sec, "ous", json_array());
	json_object_set_new(root, "service_accounts", sec);

	checks = json_object();
	for (size_t i = 0; i < registry_count(); i++) {
		const struct check *c = registry_get(i);

		json_object_set_new(checks, c->id, check_defaults_json(c));
	}
	json_object_set_new(root, "checks", checks);

	json_object_set_new(root, "waivers", json_array());

	sec = json_object();
	json_object_set_new(sec, "fail_on", json_string(severity_name(DEFAULT_FAIL_ON)));
	json_object_set_new(sec, "unknown_fails", json_true());
	json_object_set_new(root, "gate", sec);

	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text)
		abort(); /* json_dumps fails only when out of memory */
	sbuf_adds(&sb, text);
	sbuf_addch(&sb, '\n');
	free(text);
	return sbuf_detach(&sb);
}

/* ---- extra attributes --------------------------------------------------- */

static void extra_add(const char **v, size_t *n, const char *name)
{
	if (!name || !*name)
		return;
	for (size_t i = 0; i < *n; i++)
		if (str_ieq(v[i], name))
			return;
	v[(*n)++] = name;
}

const char **policy_extra_attributes(const struct policy *p, size_t *n)
{
	size_t cap = 3, count = 0, nchecks = p->checks ? registry_count() : 0;
	const char **v;

	for (size_t i = 0; i < nchecks; i++) {
		const struct check *c = registry_get(i);

		for (size_t j = 0; p->checks[i].params && c->params && c->params[j].name; j++)
			cap += p->checks[i].params[j].nstrings;
	}
	v = xcalloc(cap, sizeof(*v));
	extra_add(v, &count, p->mfa_attribute);
	for (size_t i = 0; i < nchecks; i++) {
		const struct check *c = registry_get(i);

		for (size_t j = 0; p->checks[i].params && c->params && c->params[j].name; j++) {
			const struct param_value *pv = &p->checks[i].params[j];

			if (c->params[j].type != PARAM_STRINGS ||
			    strcmp(c->params[j].name, "required_attributes") != 0)
				continue;
			for (size_t k = 0; k < pv->nstrings; k++)
				extra_add(v, &count, pv->strings[k]);
		}
	}
	if (p->mfa_enrollment.path)
		extra_add(v, &count, p->mfa_enrollment.match);
	if (p->vpn_activity.path)
		extra_add(v, &count, p->vpn_activity.match);
	*n = count;
	return v;
}
