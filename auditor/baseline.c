/*
 * Baselines (see baseline.h): a previous JSON report read back strictly,
 * and the comparison of its findings with a new audit's by key.
 */
#include "baseline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "error.h"
#include "exitcode.h"
#include "hmap.h"
#include "sbuf.h"
#include "strutil.h"
#include "xalloc.h"

#define SCHEMA_PREFIX "privaudit.report/"

void baseline_init(struct baseline *b)
{
	memset(b, 0, sizeof(*b));
}

void baseline_release(struct baseline *b)
{
	bool subjects = b->subjects;

	free(b->path);
	if (b->fp)
		fclose(b->fp);
	arena_release(&b->text);
	json_decref(b->root);
	json_decref(b->resolved);
	free(b->findings);
	baseline_init(b);
	b->subjects = subjects;
}

/* Reading: the fields */

/* A member that must be a string, or (when nullable) null: NULL then. */
static int get_str(const json_t *obj, const char *name, bool nullable, const char **out,
		   const char *path, const char *where, struct error *err)
{
	const json_t *v = json_object_get(obj, name);

	if (v && json_is_string(v)) {
		*out = json_string_value(v);
		return 0;
	}
	if (v && nullable && json_is_null(v)) {
		*out = NULL;
		return 0;
	}
	return error_set(err, EXIT_INPUT, "%s: %s%s: %s", path, where, name,
			 v ? (nullable ? "expected a string or null" : "expected a string")
			   : "missing");
}

static int get_severity(const json_t *obj, const char *name, enum severity *out,
			const char *path, const char *where, struct error *err)
{
	const char *s;
	int sev;

	if (get_str(obj, name, false, &s, path, where, err) < 0)
		return -1;
	sev = severity_parse(s);
	if (sev < 0)
		return error_set(err, EXIT_INPUT, "%s: %s%s: unknown severity \"%s\"", path, where,
				 name, s);
	*out = (enum severity)sev;
	return 0;
}

static const json_t *get_obj(const json_t *obj, const char *name, const char *path,
			     const char *where, struct error *err)
{
	const json_t *v = json_object_get(obj, name);

	if (!v || !json_is_object(v)) {
		error_set(err, EXIT_INPUT, "%s: %s%s: %s", path, where, name,
			  v ? "expected an object" : "missing");
		return NULL;
	}
	return v;
}

static const char *keep(struct baseline *b, const char *s)
{
	return s ? arena_strdup(&b->text, s) : NULL;
}

/* Finding i, parsed as f: its fields into bf, the strings copied. */
static int read_finding(struct baseline *b, struct baseline_finding *bf, json_t *f, size_t i,
			const char *path, struct error *err)
{
	char where[64];
	const json_t *subj;
	const char *key, *check, *message = NULL, *sam;

	snprintf(where, sizeof(where), "findings[%zu].", i);
	if (!json_is_object(f))
		return error_set(err, EXIT_INPUT, "%s: findings[%zu]: expected an object", path, i);
	if (get_str(f, "key", false, &key, path, where, err) < 0 ||
	    get_str(f, "check", false, &check, path, where, err) < 0 ||
	    get_severity(f, "severity", &bf->severity, path, where, err) < 0)
		return -1;
	if (!*key)
		return error_set(err, EXIT_INPUT, "%s: %skey: empty", path, where);
	if (json_object_get(f, "message") &&
	    get_str(f, "message", true, &message, path, where, err) < 0)
		return -1;
	if (!(subj = get_obj(f, "subject", path, where, err)))
		return -1;
	snprintf(where, sizeof(where), "findings[%zu].subject.", i);
	if (get_str(subj, "sam", true, &sam, path, where, err) < 0)
		return -1;
	bf->key = keep(b, key);
	bf->check = keep(b, check);
	bf->message = keep(b, message);
	bf->sam = keep(b, sam);
	bf->waived = json_is_object(json_object_get(f, "waiver"));
	if (b->subjects) {
		/* as text: a parsed object costs several times its size, and there are millions */
		char *text = json_dumps(subj, JSON_COMPACT | JSON_PRESERVE_ORDER);

		bf->subject = keep(b, text);
		free(text);
	}
	return 0;
}

json_t *baseline_subject(const struct baseline_finding *f)
{
	return f->subject ? json_loads(f->subject, 0, NULL) : NULL;
}

/*
 * The envelope: schema, source.domain_sid, summary.gate.fail_on, and
 * findings an array (findings: whether it was one; the findings
 * themselves were read as they came).
 */
static int read_envelope(struct baseline *b, bool findings, const char *path,
			 struct error *err)
{
	const json_t *src, *summary, *gate;

	if (!json_is_string(json_object_get(b->root, "schema")))
		return error_set(err, EXIT_INPUT,
				 "%s: not a privaudit report: \"schema\" missing or not a string", path);
	b->schema = json_string_value(json_object_get(b->root, "schema"));
	if (strncmp(b->schema, SCHEMA_PREFIX, strlen(SCHEMA_PREFIX)) != 0)
		return error_set(err, EXIT_INPUT,
				 "%s: not a privaudit report: schema \"%s\" (expected \"%s\")", path,
				 b->schema, BASELINE_SCHEMA);
	if (json_object_get(b->root, "evaluated_at") &&
	    get_str(b->root, "evaluated_at", true, &b->evaluated_at, path, "", err) < 0)
		return -1;
	if (!(src = get_obj(b->root, "source", path, "", err)) ||
	    get_str(src, "domain_sid", true, &b->domain_sid, path, "source.", err) < 0)
		return -1;
	if (!(summary = get_obj(b->root, "summary", path, "", err)) ||
	    !(gate = get_obj(summary, "gate", path, "summary.", err)) ||
	    get_severity(gate, "fail_on", &b->fail_on, path, "summary.gate.", err) < 0)
		return -1;
	if (!findings)
		return error_set(err, EXIT_INPUT, "%s: findings: %s", path,
				 json_object_get(b->root, "findings") ? "expected an array"
								      : "missing");
	return 0;
}

/*
 * Reading: the text. The top level must be an object. Each member is
 * parsed alone with jansson, so that the rules of JSON (UTF-8, escapes,
 * duplicate keys within a value) are jansson's, and kept in b->root;
 * but an array is parsed an element at a time: the elements of
 * "findings" become baseline_findings, those of the other arrays (the
 * account lists) are only checked. What lies between the values (braces,
 * brackets, commas, colons, spaces, the members' names) is read here.
 * Syntax errors come first, as the file goes; then the envelope's; then
 * the first finding's.
 */
struct rd {
	FILE *fp;
	const char *path;
	char *buf;
	size_t len, pos, cap;    /* buf[pos..len) not consumed yet */
	uint64_t base;           /* the file offset of buf[0] */
	int line, col;           /* of buf[pos], as jansson counts: col characters in */
	bool eof;
	bool seekable;           /* a regular file: findings are read again from it */
};

#define RD_CHUNK (1u << 20)

/* At least need bytes from pos in buf, unless the file ends first. */
static int rd_fill(struct rd *r, size_t need, struct error *err)
{
	while (r->len - r->pos < need && !r->eof) {
		size_t n;

		if (r->pos) {
			memmove(r->buf, r->buf + r->pos, r->len - r->pos);
			r->len -= r->pos;
			r->base += r->pos;
			r->pos = 0;
		}
		if (r->cap - r->len < RD_CHUNK) {
			r->cap = r->cap * 2 > r->len + RD_CHUNK ? r->cap * 2 : r->len + RD_CHUNK;
			r->buf = xreallocarray(r->buf, r->cap, 1);
		}
		n = fread(r->buf + r->len, 1, r->cap - r->len, r->fp);
		r->len += n;
		if (n == 0) {
			if (ferror(r->fp))
				return error_set(err, EXIT_INPUT, "cannot read report \"%s\": %s",
						 r->path, strerror(errno));
			r->eof = true;
		}
	}
	return 0;
}

/* The next byte, or -1 at the end. */
static int rd_peek(struct rd *r, struct error *err)
{
	if (rd_fill(r, 1, err) < 0)
		return -2;
	return r->pos < r->len ? (unsigned char)r->buf[r->pos] : -1;
}

static void rd_advance(struct rd *r, size_t n)
{
	for (const char *p = r->buf + r->pos, *end = p + n; p < end; p++) {
		if (*p == '\n') {
			r->line++;
			r->col = 0;
		} else if (((unsigned char)*p & 0xc0) != 0x80) {
			r->col++;
		}
	}
	r->pos += n;
}

static int rd_skip_spaces(struct rd *r, struct error *err)
{
	int c;

	while ((c = rd_peek(r, err)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		rd_advance(r, 1);
	return c;
}

/* A syntax error at the next byte. */
static int rd_fail(struct rd *r, const char *what, struct error *err)
{
	int c = r->pos < r->len ? (unsigned char)r->buf[r->pos] : -1;

	if (c < 0)
		return error_set(err, EXIT_INPUT, "%s:%d:%d: %s near end of file", r->path, r->line,
				 r->col + 1, what);
	return error_set(err, EXIT_INPUT, "%s:%d:%d: %s near '%c'", r->path, r->line, r->col + 1,
			 what, c >= 0x20 && c < 0x7f ? c : '?');
}

/* Whether c ends a scalar (a number, true, false, null). */
static bool scalar_end(char c)
{
	return strchr(" \t\n\r,:[]{}\"", c) != NULL;
}

/*
 * The length of the value at pos, its bytes in buf: a string to its
 * closing quote, an object or array to its closing brace or bracket
 * (strings and nesting followed), a scalar to the next space or
 * punctuation. What it holds is jansson's to say.
 */
static int rd_value(struct rd *r, size_t *n, struct error *err)
{
	size_t i = 0, depth = 0;
	bool in_string = false, scalar = false;

	for (;; i++) {
		char c;

		if (r->pos + i >= r->len) {
			if (rd_fill(r, i + 1, err) < 0)
				return -1;
			if (r->pos + i >= r->len)
				break;   /* the end: unterminated, jansson says so */
		}
		c = r->buf[r->pos + i];
		if (i == 0)
			scalar = c != '"' && c != '{' && c != '[';
		if (scalar) {
			if (scalar_end(c))
				break;
		} else if (in_string) {
			if (c == '\\') {
				i++;
			} else if (c == '"') {
				in_string = false;
				if (depth == 0) {
					i++;
					break;
				}
			}
		} else if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if ((c == '}' || c == ']') && --depth == 0) {
			i++;
			break;
		}
	}
	if (r->pos + i > r->len)
		i = r->len - r->pos;   /* a backslash at the very end */
	if (i == 0 && r->pos < r->len)
		i = 1;                 /* no value but a stray ']' or ',': jansson names it */
	*n = i;
	return 0;
}

/* The value of n bytes at pos, parsed (a new reference), consumed. */
static json_t *rd_parse(struct rd *r, size_t n, struct error *err)
{
	json_error_t jerr;
	json_t *v = json_loadb(r->buf + r->pos, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
			       &jerr);

	if (!v) {
		int line = r->line, col = r->col;

		if (jerr.line >= 1) {
			line += jerr.line - 1;
			col = jerr.line == 1 ? col + jerr.column : jerr.column;
		}
		error_set(err, EXIT_INPUT, "%s:%d:%d: %s", r->path, line, col, jerr.text);
		return NULL;
	}
	rd_advance(r, n);
	return v;
}

/*
 * After a value of an array or object that close ends: 1 past a comma
 * (*c: the byte after it), 0 past close, -1 (err set) otherwise.
 */
static int rd_next(struct rd *r, char close, int *c, struct error *err)
{
	if ((*c = rd_skip_spaces(r, err)) == ',') {
		rd_advance(r, 1);
		*c = rd_skip_spaces(r, err);
		return 1;
	}
	if (*c == close) {
		rd_advance(r, 1);
		return 0;
	}
	if (*c != -2)
		rd_fail(r, close == ']' ? "']' expected" : "'}' expected", err);
	return -1;
}

/* The elements of an array (at '['), each read into b when findings. */
static int read_array(struct baseline *b, struct rd *r, bool findings, struct error *ferr,
		      struct error *err)
{
	size_t alloc = 0;
	int c, more;

	rd_advance(r, 1);
	if ((c = rd_skip_spaces(r, err)) == ']') {
		rd_advance(r, 1);
		return 0;
	}
	for (size_t i = 0;; i++) {
		uint64_t off;
		size_t n;
		json_t *v;

		if (c == -2 || rd_value(r, &n, err) < 0)
			return -1;
		off = r->base + r->pos;
		if (!(v = rd_parse(r, n, err)))
			return -1;
		if (findings) {
			struct baseline_finding *bf;

			xgrow(&b->findings, &alloc, b->nfindings + 1, sizeof(*b->findings));
			bf = memset(&b->findings[b->nfindings++], 0, sizeof(*bf));
			bf->off = off;
			bf->len = n;
			bf->sum = hmap_hash_bytes(r->buf + r->pos - n, n);
			if (!r->seekable)
				bf->text = arena_memdup(&b->text, r->buf + r->pos - n, n);
			/* the first such error waits: syntax errors come first */
			if (!ferr->code)
				read_finding(b, bf, v, i, r->path, ferr);
		}
		json_decref(v);
		if ((more = rd_next(r, ']', &c, err)) <= 0)
			return more;
	}
}

/* The members of the top-level object (at '{'); seen: their names. */
static int read_members(struct baseline *b, struct rd *r, json_t *seen, struct error *ferr,
			struct error *err)
{
	bool findings = false;
	int c, more;

	rd_advance(r, 1);
	if ((c = rd_skip_spaces(r, err)) == '}') {
		rd_advance(r, 1);
		c = rd_skip_spaces(r, err);
		return c == -1 ? read_envelope(b, false, r->path, err)
			       : c == -2 ? -1 : rd_fail(r, "end of file expected", err);
	}
	for (;;) {
		json_t *name, *v;
		const char *key;
		size_t n;

		if (c != '"')
			return c == -2 ? -1 : rd_fail(r, "string or '}' expected", err);
		if (rd_value(r, &n, err) < 0 || !(name = rd_parse(r, n, err)))
			return -1;
		key = json_string_value(name);
		if (json_object_get(seen, key)) {
			/* where jansson says it: past the name */
			error_set(err, EXIT_INPUT, "%s:%d:%d: duplicate object key near '\"%s\"'",
				  r->path, r->line, r->col, key);
			json_decref(name);
			return -1;
		}
		json_object_set_new(seen, key, json_true());
		if ((c = rd_skip_spaces(r, err)) != ':') {
			json_decref(name);
			return c == -2 ? -1 : rd_fail(r, "':' expected", err);
		}
		rd_advance(r, 1);
		if ((c = rd_skip_spaces(r, err)) == '[') {
			bool these = strcmp(key, "findings") == 0;

			if (read_array(b, r, these, ferr, err) < 0) {
				json_decref(name);
				return -1;
			}
			findings |= these;
		} else {
			if (c == -2 || rd_value(r, &n, err) < 0 || !(v = rd_parse(r, n, err))) {
				json_decref(name);
				return -1;
			}
			json_object_set_new(b->root, key, v);
		}
		json_decref(name);
		if ((more = rd_next(r, '}', &c, err)) < 0)
			return -1;
		if (!more)
			break;
	}
	if ((c = rd_skip_spaces(r, err)) != -1)
		return c == -2 ? -1 : rd_fail(r, "end of file expected", err);
	if (read_envelope(b, findings, r->path, err) < 0)
		return -1;
	if (ferr->code) {
		*err = *ferr;
		*ferr = (struct error)ERROR_INIT;
		return -1;
	}
	return 0;
}

int baseline_load(struct baseline *b, const char *path, struct error *err)
{
	struct rd r = { .path = path, .line = 1 };
	struct error ferr = ERROR_INIT;
	struct stat st;
	int c, rc;

	baseline_release(b);
	r.fp = fopen(path, "r");
	if (!r.fp)
		return error_set(err, EXIT_INPUT, "cannot read report \"%s\": %s", path,
				 strerror(errno));
	if (fstat(fileno(r.fp), &st) != 0)
		st.st_mode = 0;
	if (S_ISDIR(st.st_mode)) {
		fclose(r.fp);
		return error_set(err, EXIT_INPUT, "cannot read report \"%s\": %s", path,
				 strerror(EISDIR));
	}
	/* a pipe (--baseline <(...)) cannot be read twice: its findings are kept */
	r.seekable = S_ISREG(st.st_mode);
	c = rd_skip_spaces(&r, err);
	if (c == '{') {
		json_t *seen = json_object();

		b->root = json_object();
		rc = read_members(b, &r, seen, &ferr, err);
		json_decref(seen);
	} else if (c == -2) {
		rc = -1;
	} else {
		/* not an object: jansson says what is wrong with it */
		json_error_t jerr;
		json_t *doc;

		rewind(r.fp);
		doc = json_loadf(r.fp, JSON_REJECT_DUPLICATES, &jerr);
		if (doc)
			rc = error_set(err, EXIT_INPUT,
				       "%s: not a privaudit report: expected a JSON object", path);
		else
			rc = error_set(err, EXIT_INPUT, "%s:%d:%d: %s", path, jerr.line,
				       jerr.column, jerr.text);
		json_decref(doc);
	}
	free(r.buf);
	if (rc < 0) {
		fclose(r.fp);
		baseline_release(b);
		return -1;
	}
	b->fp = r.fp;
	b->path = xstrdup(path);
	return 0;
}

int baseline_check(const struct baseline *b, const char *domain_sid, bool force,
		   struct error *err)
{
	const char *old = b->domain_sid;

	if (force)
		return 0;
	if (strcmp(b->schema, BASELINE_SCHEMA) != 0)
		return error_set(err, EXIT_INPUT,
				 "%s: schema \"%s\" differs from \"%s\" (--force compares anyway)",
				 b->path, b->schema, BASELINE_SCHEMA);
	if ((old || domain_sid) && !(old && domain_sid && str_ieq(old, domain_sid)))
		return error_set(err, EXIT_INPUT,
				 "%s: report of another domain: \"%s\", not \"%s\" (--force compares anyway)",
				 b->path, old ? old : "none", domain_sid ? domain_sid : "none");
	return 0;
}

/* Matching */

/* The old findings of one key, in report order, and how many are claimed. */
struct key_run {
	size_t *idx;
	size_t n, alloc, claimed;
};

bool *baseline_match(const struct baseline *b, const char *const *keys, size_t nkeys,
		     size_t *match)
{
	struct hmap map = HMAP_INIT_EXACT;
	struct key_run *runs = xcalloc(b->nfindings ? b->nfindings : 1, sizeof(*runs));
	bool *claimed = xcalloc(b->nfindings ? b->nfindings : 1, sizeof(*claimed));
	size_t nruns = 0;

	/* keys are built from SIDs and normalised DNs: compare them exactly */
	for (size_t i = 0; i < b->nfindings; i++) {
		struct key_run *r = hmap_put(&map, b->findings[i].key, &runs[nruns]);

		if (r == &runs[nruns])
			nruns++;
		xgrow(&r->idx, &r->alloc, r->n + 1, sizeof(*r->idx));
		r->idx[r->n++] = i;
	}
	for (size_t k = 0; k < nkeys; k++) {
		struct key_run *r = keys[k] ? hmap_get(&map, keys[k]) : NULL;

		match[k] = BASELINE_NONE;
		if (r && r->claimed < r->n) {
			match[k] = r->idx[r->claimed++];
			claimed[match[k]] = true;
		}
	}
	for (size_t i = 0; i < nruns; i++)
		free(runs[i].idx);
	free(runs);
	hmap_release(&map);
	return claimed;
}

/*
 * Old finding i as a JSON object, read again from the file (a new
 * reference), or NULL and err when the file no longer holds the same
 * text there.
 */
static json_t *reread(const struct baseline *b, size_t i, struct error *err)
{
	const struct baseline_finding *bf = &b->findings[i];
	char *text = bf->text ? NULL : xmalloc(bf->len ? bf->len : 1);
	const char *at = bf->text ? bf->text : text;
	json_t *f = NULL;

	if ((bf->text || pread(fileno(b->fp), text, bf->len, (off_t)bf->off) == (ssize_t)bf->len) &&
	    hmap_hash_bytes(at, bf->len) == bf->sum)
		f = json_loadb(at, bf->len, JSON_REJECT_DUPLICATES, NULL);
	free(text);
	if (!json_is_object(f)) {
		json_decref(f);
		error_set(err, EXIT_INPUT, "%s: changed while it was read (findings[%zu])", b->path,
			  i);
		return NULL;
	}
	return f;
}

int baseline_apply(struct baseline *b, struct audit *a, const char *domain_sid, bool force,
		   struct error *err)
{
	const char **keys;
	size_t *match;
	bool *claimed;
	struct arena text = ARENA_INIT;
	struct sbuf key = SBUF_INIT;

	if (baseline_check(b, domain_sid, force, err) < 0)
		return -1;
	keys = xcalloc(a->nfindings ? a->nfindings : 1, sizeof(*keys));
	match = xcalloc(a->nfindings ? a->nfindings : 1, sizeof(*match));
	for (size_t i = 0; i < a->nfindings; i++)
		keys[i] = arena_strdup(&text, finding_key(a->findings[i], &key));
	sbuf_release(&key);
	claimed = baseline_match(b, keys, a->nfindings, match);
	arena_release(&text);

	b->nnew = b->npersisting = b->nresolved = 0;
	for (size_t i = 0; i < a->nfindings; i++) {
		bool persisting = match[i] != BASELINE_NONE;

		a->findings[i]->change = persisting ? CHANGE_PERSISTING : CHANGE_NEW;
		if (persisting)
			b->npersisting++;
		else
			b->nnew++;
	}
	json_decref(b->resolved);
	b->resolved = json_array();
	for (size_t i = 0; i < b->nfindings; i++) {
		json_t *old;

		if (claimed[i])
			continue;
		if (!(old = reread(b, i, err))) {
			json_decref(b->resolved);
			b->resolved = NULL;
			break;
		}
		/* a baseline that had its own baseline says "change": not ours to repeat */
		json_object_del(old, "change");
		json_array_append_new(b->resolved, old);
		b->nresolved++;
	}
	free(claimed);
	free(match);
	free(keys);
	return b->resolved ? 0 : -1;
}

/* Console */

/* s for a terminal: a report may hold anything, escape sequences included. */
static void put_text(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, out);
}

void baseline_console(FILE *out, const struct baseline *b, bool color)
{
	const char *bold = color ? "\033[1m" : "", *red = color ? "\033[31m" : "",
		   *green = color ? "\033[32m" : "", *reset = color ? "\033[0m" : "";

	/* aligned with the summary's "domain    ", "as of     " lines */
	fprintf(out, "%sbaseline%s  ", bold, reset);
	put_text(out, b->path ? b->path : "(none)");
	if (b->evaluated_at) {
		fputs(" (", out);
		put_text(out, b->evaluated_at);
		fputc(')', out);
	}
	fprintf(out, ": %s%zu new%s, %zu persisting, %s%zu resolved%s\n",
		b->nnew ? red : "", b->nnew, b->nnew ? reset : "", b->npersisting,
		b->nresolved ? green : "", b->nresolved, b->nresolved ? reset : "");
}
