/*
 * The JSON report, schema "privaudit.report/1" (DESIGN.md "JSON report").
 *
 * The envelope is written by hand and each element of the long arrays
 * (findings, accounts) is built and dumped on its own, so a report with a
 * million findings never sits in memory as one jansson tree. The output is
 * what jansson would print for the whole document with JSON_INDENT(2) and
 * preserved key order, and depends only on the audit and the metadata:
 * two runs on the same data differ in generated_at alone.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "../auditor/dir.h"
#include "../auditor/engine.h"
#include "../auditor/error.h"
#include "../auditor/outfile.h"
#include "../auditor/policy.h"
#include "../auditor/readiness.h"
#include "../auditor/sbuf.h"
#include "../auditor/timeutil.h"
#include "../auditor/utf8.h"
#include "../auditor/xalloc.h"
#include "../checks/registry.h"

#ifndef PRIVAUDIT_VERSION
#define PRIVAUDIT_VERSION "0.0.0"
#endif

#define SCHEMA "privaudit.report/1"
#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY)

/* UTF-8 */

json_t *report_json_str(const char *s)
{
	json_t *j;
	char *clean;

	if (!s)
		return json_null();
	if (utf8_valid(s, strlen(s)))
		return json_string_nocheck(s);
	clean = utf8_clean(s);
	j = json_string_nocheck(clean);
	free(clean);
	return j;
}

json_t *report_json_time(int64_t t)
{
	char buf[40];

	if (t == TIME_NEVER)
		return json_null();
	time_format(t, buf, sizeof(buf));
	return json_string_nocheck(buf);
}

/*
 * Evidence comes from the checks as a jansson tree. Strings built with
 * jansson's *_nocheck functions may hold invalid UTF-8, which would make
 * the dump fail halfway through a finding: return a cleaned copy when
 * needed (new reference either way).
 */
static bool tree_valid(json_t *v)
{
	const char *key;
	json_t *val;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return utf8_valid(json_string_value(v), json_string_length(v));
	case JSON_ARRAY:
		json_array_foreach(v, i, val)
			if (!tree_valid(val))
				return false;
		return true;
	case JSON_OBJECT:
		json_object_foreach(v, key, val)
			if (!utf8_valid(key, strlen(key)) || !tree_valid(val))
				return false;
		return true;
	default:
		return true;
	}
}

static json_t *tree_clean(json_t *v)
{
	const char *key;
	json_t *val, *out;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING: {
		/* an embedded NUL ends the cleaned copy: it could not be shown anyway */
		return report_json_str(json_string_value(v));
	}
	case JSON_ARRAY:
		out = json_array();
		json_array_foreach(v, i, val)
			json_array_append_new(out, tree_clean(val));
		return out;
	case JSON_OBJECT:
		out = json_object();
		json_object_foreach(v, key, val) {
			char *k = utf8_clean(key);

			json_object_set_new_nocheck(out, k, tree_clean(val));
			free(k);
		}
		return out;
	default:
		return json_incref(v);
	}
}

static json_t *clean_ref(json_t *ev)
{
	if (!ev)
		return json_object();
	if (tree_valid(ev))
		return json_incref(ev);
	return tree_clean(ev);
}

/* The streaming writer */

#define MAX_DEPTH 4

struct jw {
	FILE *fp;
	int depth;
	bool first[MAX_DEPTH];  /* no member or element yet at this depth */
};

static void indent(FILE *fp, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("  ", fp);
}

/*
 * Write v (stolen) at the current position: dumped into one buffer, then
 * re-indented in one pass so that it nests at the writer's depth.
 */
static void jw_value(struct jw *w, json_t *v)
{
	char stack[4096], *buf = stack;
	size_t n, start = 0;

	if (!v)
		v = json_null();
	n = json_dumpb(v, stack, sizeof(stack), DUMP_FLAGS);
	if (n > sizeof(stack)) {
		buf = xmalloc(n);
		n = json_dumpb(v, buf, n, DUMP_FLAGS);
	}
	json_decref(v);
	/* values are cleaned before they get here; never emit half a value */
	if (n == 0) {
		fputs("null", w->fp);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n')
			continue;
		fwrite(buf + start, 1, i + 1 - start, w->fp);
		indent(w->fp, w->depth);
		start = i + 1;
	}
	fwrite(buf + start, 1, n - start, w->fp);
out:
	if (buf != stack)
		free(buf);
}

static void jw_sep(struct jw *w)
{
	if (!w->first[w->depth])
		fputc(',', w->fp);
	w->first[w->depth] = false;
	fputc('\n', w->fp);
	indent(w->fp, w->depth);
}

static void jw_begin(struct jw *w, FILE *fp)
{
	memset(w, 0, sizeof(*w));
	w->fp = fp;
	w->first[1] = true;
	w->depth = 1;
	fputc('{', fp);
}

static void jw_end(struct jw *w)
{
	fputs("\n}\n", w->fp);
}

/* key is a literal: ASCII, nothing to escape */
static void jw_member(struct jw *w, const char *key, json_t *v)
{
	jw_sep(w);
	fprintf(w->fp, "\"%s\": ", key);
	jw_value(w, v);
}

static void jw_array_begin(struct jw *w, const char *key)
{
	jw_sep(w);
	fprintf(w->fp, "\"%s\": [", key);
	w->depth++;
	w->first[w->depth] = true;
}

static void jw_array_item(struct jw *w, json_t *v)
{
	jw_sep(w);
	jw_value(w, v);
}

static void jw_array_end(struct jw *w)
{
	bool empty = w->first[w->depth];

	w->depth--;
	if (!empty) {
		fputc('\n', w->fp);
		indent(w->fp, w->depth);
	}
	fputc(']', w->fp);
}

/* Sections */

static json_t *source_json(const struct audit *a, const struct report_meta *m)
{
	const struct dir *d = a->dir;
	json_t *src = json_object(), *sources = json_array();

	json_object_set_new(src, "kind", report_json_str(m->source_kind));
	json_object_set_new(src, "uri", report_json_str(m->uri));
	json_object_set_new(src, "base_dn",
			    report_json_str(m->base_dn ? m->base_dn : d->domain.h.dn));
	json_object_set_new(src, "domain", report_json_str(d->domain.dns));
	json_object_set_new(src, "domain_sid", report_json_str(d->domain_sid));
	for (size_t i = 0; i < d->nlast_logon_sources; i++)
		json_array_append_new(sources, report_json_str(d->last_logon_sources[i]));
	json_object_set_new(src, "last_logon_sources", sources);
	return src;
}

static json_t *policy_json(const struct policy *p)
{
	json_t *o = json_object();

	json_object_set_new(o, "path", report_json_str(p->path));
	json_object_set_new(o, "sha256", report_json_str(p->sha256));
	return o;
}

static json_t *summary_json(const struct summary *s)
{
	json_t *o = json_object(), *by = json_object(), *gate = json_object();

	json_object_set_new(o, "accounts", json_integer((json_int_t)s->accounts));
	json_object_set_new(o, "enabled", json_integer((json_int_t)s->enabled));
	json_object_set_new(o, "privileged", json_integer((json_int_t)s->privileged));
	json_object_set_new(o, "vpn_capable", json_integer((json_int_t)s->vpn_capable));
	for (size_t i = 0; i < SEV_COUNT; i++) {
		enum severity sev = severity_order_desc[i];

		json_object_set_new(by, severity_name(sev),
				    json_integer((json_int_t)s->by_severity[sev]));
	}
	json_object_set_new(o, "findings", by);
	json_object_set_new(o, "waived", json_integer((json_int_t)s->waived));
	json_object_set_new(o, "unknown_checks", json_integer((json_int_t)s->unknown_checks));
	json_object_set_new(gate, "fail_on", json_string(severity_name(s->fail_on)));
	json_object_set_new(gate, "verdict", json_string(s->pass ? "pass" : "fail"));
	json_object_set_new(o, "gate", gate);
	return o;
}

/*
 * The VPN reopening readiness (auditor/readiness.h), only when VPN checks
 * ran: verdict first, then the counts behind it, the krbtgt fact, the
 * unknown checks that matter and the reasons for a NO-GO.
 */
static json_t *readiness_json(const struct readiness *r)
{
	json_t *o = json_object(), *k = json_object(), *unk = json_array(), *why = json_array();

	json_object_set_new(o, "verdict", json_string(readiness_verdict(r)));
	json_object_set_new(o, "incident", report_json_time(r->has_incident ? r->incident : TIME_NEVER));
	json_object_set_new(o, "vpn_capable", json_integer((json_int_t)r->vpn_capable));
	json_object_set_new(o, "no_mfa", json_integer((json_int_t)r->no_mfa));
	json_object_set_new(o, "password_not_reset", json_integer((json_int_t)r->password_not_reset));
	json_object_set_new(o, "stale", json_integer((json_int_t)r->stale));
	json_object_set_new(o, "never_used", json_integer((json_int_t)r->never_used));
	json_object_set_new(o, "privileged", json_integer((json_int_t)r->privileged));
	json_object_set_new(o, "unowned", json_integer((json_int_t)r->unowned));
	json_object_set_new(o, "waived", json_integer((json_int_t)r->waived));
	json_object_set_new(k, "rotated", r->krbtgt == KRBTGT_UNKNOWN ? json_null()
					  : json_boolean(r->krbtgt == KRBTGT_ROTATED));
	json_object_set_new(k, "pwd_last_set", report_json_time(r->krbtgt_pwd_last_set));
	json_object_set_new(o, "krbtgt", k);
	for (size_t i = 0; i < r->nunknown; i++)
		json_array_append_new(unk, json_string(r->unknown[i]));
	json_object_set_new(o, "unknown_checks", unk);
	for (size_t i = 0; i < r->nreasons; i++)
		json_array_append_new(why, report_json_str(r->reasons[i]));
	json_object_set_new(o, "reasons", why);
	return o;
}

/* The severity the policy gives check i: its override, else the default. */
static enum severity effective_severity(const struct policy *p, size_t i, const struct check *c)
{
	if (p && p->checks && p->checks[i].severity >= 0 && p->checks[i].severity < SEV_COUNT)
		return (enum severity)p->checks[i].severity;
	return c->severity;
}

static json_t *check_json(const struct audit *a, size_t i)
{
	const struct check *c = registry_get(i);
	const struct check_state *st = &a->states[i];
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(c->id));
	json_object_set_new(o, "family", json_string(c->family));
	json_object_set_new(o, "title", report_json_str(c->title));
	json_object_set_new(o, "severity",
			    json_string(severity_name(effective_severity(a->policy, i, c))));
	json_object_set_new(o, "status", json_string(check_status_name(st->status)));
	json_object_set_new(o, "findings", json_integer((json_int_t)st->findings));
	if (st->status == STATUS_UNKNOWN)
		json_object_set_new(o, "reason", report_json_str(st->reason ? st->reason : ""));
	return o;
}

static json_t *waiver_json(const struct waiver *w)
{
	json_t *o = json_object();

	json_object_set_new(o, "check", report_json_str(w->check));
	json_object_set_new(o, "account", report_json_str(w->account));
	json_object_set_new(o, "reason", report_json_str(w->reason));
	json_object_set_new(o, "owner", report_json_str(w->owner));
	json_object_set_new(o, "expires", report_json_str(w->expires_text));
	json_object_set_new(o, "index", json_integer((json_int_t)w->index));
	return o;
}

static json_t *finding_json(const struct finding *f)
{
	json_t *o = json_object(), *subj = json_object();

	json_object_set_new(o, "check", json_string(f->check->id));
	json_object_set_new(o, "severity", json_string(severity_name(f->severity)));
	json_object_set_new(subj, "kind", report_json_str(f->kind));
	json_object_set_new(subj, "sam", report_json_str(f->sam));
	json_object_set_new(subj, "dn", report_json_str(f->dn));
	json_object_set_new(subj, "sid", report_json_str(f->sid));
	json_object_set_new(subj, "upn", report_json_str(f->upn));
	json_object_set_new(o, "subject", subj);
	json_object_set_new(o, "message", report_json_str(f->message));
	json_object_set_new(o, "evidence", clean_ref(f->evidence));
	json_object_set_new(o, "key", report_json_str(f->key));
	if (f->waiver)
		json_object_set_new(o, "waiver", waiver_json(f->waiver));
	if (f->change != CHANGE_NONE)
		json_object_set_new(o, "change",
				    json_string(f->change == CHANGE_NEW ? "new" : "persisting"));
	return o;
}

/* Accounts */

static const char *kind_name(enum obj_kind k)
{
	switch (k) {
	case OBJ_USER: return "user";
	case OBJ_COMPUTER: return "computer";
	case OBJ_GMSA: return "gmsa";
	case OBJ_GROUP: return "group";
	case OBJ_DOMAIN: return "domain";
	case OBJ_PSO: return "pso";
	default: return "unknown";
	}
}

/* The userAccountControl flags an auditor looks at, in bit order. */
static const struct {
	uint32_t bit;
	const char *name;
} uac_flags[] = {
	{ UAC_ACCOUNTDISABLE, "ACCOUNTDISABLE" },
	{ UAC_PASSWD_NOTREQD, "PASSWD_NOTREQD" },
	{ UAC_ENCRYPTED_TEXT_PWD_ALLOWED, "ENCRYPTED_TEXT_PWD_ALLOWED" },
	{ UAC_DONT_EXPIRE_PASSWORD, "DONT_EXPIRE_PASSWORD" },
	{ UAC_SMARTCARD_REQUIRED, "SMARTCARD_REQUIRED" },
	{ UAC_TRUSTED_FOR_DELEGATION, "TRUSTED_FOR_DELEGATION" },
	{ UAC_NOT_DELEGATED, "NOT_DELEGATED" },
	{ UAC_USE_DES_KEY_ONLY, "USE_DES_KEY_ONLY" },
	{ UAC_DONT_REQ_PREAUTH, "DONT_REQ_PREAUTH" },
	{ UAC_TRUSTED_TO_AUTH_FOR_DELEGATION, "TRUSTED_TO_AUTH_FOR_DELEGATION" },
};

static const struct {
	unsigned bit;
	const char *name;
} mfa_names[] = {
	{ MFA_SRC_GROUP, "group" },
	{ MFA_SRC_SMARTCARD, "smartcard" },
	{ MFA_SRC_ATTRIBUTE, "attribute" },
	{ MFA_SRC_CSV, "csv" },
};

json_t *report_account_json(const struct account *acc)
{
	json_t *o = json_object(), *srcs = json_array(), *flags = json_array();

	json_object_set_new(o, "sam", report_json_str(acc->h.sam));
	json_object_set_new(o, "dn", report_json_str(acc->h.dn));
	json_object_set_new(o, "sid", report_json_str(acc->h.sid));
	json_object_set_new(o, "kind", json_string(kind_name(acc->h.kind)));
	json_object_set_new(o, "enabled", json_boolean(acc->enabled));
	json_object_set_new(o, "path", report_json_str(acc->priv_path));
	json_object_set_new(o, "last_logon", report_json_time(acc->last_logon_eff));
	json_object_set_new(o, "pwd_last_set",
			    acc->pwd_state == PWD_SET ? report_json_time(acc->pwd_last_set)
						      : json_null());
	json_object_set_new(o, "must_change", json_boolean(acc->pwd_state == PWD_MUST_CHANGE));
	json_object_set_new(o, "mfa", json_boolean(acc->mfa_sources != 0));
	for (size_t i = 0; i < sizeof(mfa_names) / sizeof(mfa_names[0]); i++)
		if (acc->mfa_sources & mfa_names[i].bit)
			json_array_append_new(srcs, json_string(mfa_names[i].name));
	json_object_set_new(o, "mfa_sources", srcs);
	json_object_set_new(o, "vpn", json_boolean(acc->vpn));
	json_object_set_new(o, "spn", json_integer((json_int_t)acc->nspns));
	for (size_t i = 0; i < sizeof(uac_flags) / sizeof(uac_flags[0]); i++)
		if (acc->uac & uac_flags[i].bit)
			json_array_append_new(flags, json_string(uac_flags[i].name));
	json_object_set_new(o, "flags", flags);
	json_object_set_new(o, "protected_users", json_boolean(acc->protected_users));
	return o;
}

static int null_last_cmp(const char *x, const char *y)
{
	if (!x || !y)
		return !x - !y;
	return strcmp(x, y);
}

/*
 * sAMAccountName order, byte by byte as the engine sorts findings, so that
 * both lists read alike; then the DN, for a total order.
 */
static int account_cmp(const void *pa, const void *pb)
{
	const struct account *x = *(const struct account *const *)pa;
	const struct account *y = *(const struct account *const *)pb;
	int r = null_last_cmp(x->h.sam, y->h.sam);

	if (r)
		return r;
	return null_last_cmp(x->h.ndn ? x->h.ndn : x->h.dn, y->h.ndn ? y->h.ndn : y->h.dn);
}

static void write_accounts(struct jw *w, const struct dir *d, const char *key, bool vpn)
{
	const struct account **v = xcalloc(d->naccounts ? d->naccounts : 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < d->naccounts; i++) {
		const struct account *acc = d->accounts[i];

		if (vpn ? acc->vpn : acc->privileged)
			v[n++] = acc;
	}
	qsort(v, n, sizeof(*v), account_cmp);
	jw_array_begin(w, key);
	for (size_t i = 0; i < n && !ferror(w->fp); i++)
		jw_array_item(w, report_account_json(v[i]));
	jw_array_end(w);
	free(v);
}

void report_json_stream(FILE *out, const struct audit *a, const struct report_meta *m)
{
	static const struct report_meta none;
	struct jw w;
	struct readiness ready;
	json_t *tool = json_object();
	size_t nchecks = registry_count();

	if (!m)
		m = &none;
	jw_begin(&w, out);
	jw_member(&w, "schema", json_string(SCHEMA));
	json_object_set_new(tool, "name", json_string("privaudit"));
	json_object_set_new(tool, "version",
			    report_json_str(m->tool_version ? m->tool_version : PRIVAUDIT_VERSION));
	jw_member(&w, "tool", tool);
	jw_member(&w, "generated_at", report_json_time(m->generated_at));
	jw_member(&w, "evaluated_at", report_json_time(m->evaluated_at));
	jw_member(&w, "source", source_json(a, m));
	jw_member(&w, "policy", policy_json(a->policy));
	jw_member(&w, "summary", summary_json(&a->summary));
	readiness_compute(&ready, a);
	if (ready.computed)
		jw_member(&w, "readiness", readiness_json(&ready));
	readiness_release(&ready);

	jw_array_begin(&w, "checks");
	for (size_t i = 0; i < nchecks; i++)
		jw_array_item(&w, check_json(a, i));
	jw_array_end(&w);

	jw_array_begin(&w, "findings");
	/* a full disk shows as a stream error: stop there, commit reports it */
	for (size_t i = 0; i < a->nfindings && !ferror(out); i++)
		jw_array_item(&w, finding_json(a->findings[i]));
	jw_array_end(&w);

	if (m->resolved)
		jw_member(&w, "resolved", clean_ref((json_t *)m->resolved));
	write_accounts(&w, a->dir, "privileged_accounts", false);
	write_accounts(&w, a->dir, "vpn_accounts", true);
	jw_end(&w);
}

int report_json_write(const struct audit *a, const struct report_meta *m,
		      const char *path, struct error *err)
{
	struct outfile o;

	if (outfile_open(&o, path, err) < 0)
		return -1;
	report_json_stream(o.fp, a, m);
	return outfile_commit(&o, err);
}
