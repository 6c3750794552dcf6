/*
 * Baselines (see baseline.h): a previous JSON report read back strictly,
 * and the comparison of its findings with a new audit's by key.
 */
#include "baseline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
	free(b->path);
	json_decref(b->root);
	json_decref(b->resolved);
	free(b->findings);
	baseline_init(b);
}

/* Reading */

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

static int read_finding(struct baseline_finding *bf, json_t *f, size_t i, const char *path,
			struct error *err)
{
	char where[64];
	const json_t *subj;

	snprintf(where, sizeof(where), "findings[%zu].", i);
	if (!json_is_object(f))
		return error_set(err, EXIT_INPUT, "%s: findings[%zu]: expected an object", path, i);
	memset(bf, 0, sizeof(*bf));
	bf->obj = f;
	if (get_str(f, "key", false, &bf->key, path, where, err) < 0 ||
	    get_str(f, "check", false, &bf->check, path, where, err) < 0 ||
	    get_severity(f, "severity", &bf->severity, path, where, err) < 0)
		return -1;
	if (!*bf->key)
		return error_set(err, EXIT_INPUT, "%s: %skey: empty", path, where);
	if (json_object_get(f, "message") &&
	    get_str(f, "message", true, &bf->message, path, where, err) < 0)
		return -1;
	if (!(subj = get_obj(f, "subject", path, where, err)))
		return -1;
	snprintf(where, sizeof(where), "findings[%zu].subject.", i);
	if (get_str(subj, "sam", true, &bf->sam, path, where, err) < 0)
		return -1;
	bf->waived = json_is_object(json_object_get(f, "waiver"));
	return 0;
}

/* The envelope: schema, source.domain_sid, summary.gate.fail_on, findings. */
static int read_report(struct baseline *b, const char *path, struct error *err)
{
	const json_t *src, *summary, *gate;
	json_t *findings;

	if (!json_is_object(b->root))
		return error_set(err, EXIT_INPUT, "%s: not a privaudit report: expected a JSON object",
				 path);
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
	findings = json_object_get(b->root, "findings");
	if (!json_is_array(findings))
		return error_set(err, EXIT_INPUT, "%s: findings: %s", path,
				 findings ? "expected an array" : "missing");
	b->nfindings = json_array_size(findings);
	b->findings = xcalloc(b->nfindings ? b->nfindings : 1, sizeof(*b->findings));
	for (size_t i = 0; i < b->nfindings; i++)
		if (read_finding(&b->findings[i], json_array_get(findings, i), i, path, err) < 0)
			return -1;
	return 0;
}

int baseline_load(struct baseline *b, const char *path, struct error *err)
{
	json_error_t jerr;
	struct stat st;
	FILE *fp;

	baseline_release(b);
	fp = fopen(path, "r");
	if (!fp)
		return error_set(err, EXIT_INPUT, "cannot read report \"%s\": %s", path,
				 strerror(errno));
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(fp);
		return error_set(err, EXIT_INPUT, "cannot read report \"%s\": %s", path,
				 strerror(EISDIR));
	}
	/* duplicate keys would make "which value counts" a guess */
	b->root = json_loadf(fp, JSON_REJECT_DUPLICATES, &jerr);
	if (!b->root && ferror(fp)) {
		int e = errno;

		fclose(fp);
		return error_set(err, EXIT_INPUT, "cannot read report \"%s\": %s", path,
				 strerror(e));
	}
	fclose(fp);
	if (!b->root)
		return error_set(err, EXIT_INPUT, "%s:%d:%d: %s", path, jerr.line, jerr.column,
				 jerr.text);
	if (read_report(b, path, err) < 0) {
		baseline_release(b);
		return -1;
	}
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
		json_t *copy;

		if (claimed[i])
			continue;
		/* a baseline that had its own baseline says "change": not ours to repeat */
		copy = json_copy(b->findings[i].obj);
		json_object_del(copy, "change");
		json_array_append_new(b->resolved, copy);
		b->nresolved++;
	}
	free(claimed);
	free(match);
	free(keys);
	return 0;
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
