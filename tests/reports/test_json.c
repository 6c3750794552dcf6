/*
 * Tests for reports/json.c: the "privaudit.report/1" document read back
 * with jansson (schema, counts, order, keys, accounts), byte-for-byte
 * determinism, invalid UTF-8 from the directory, and the atomic write.
 *
 * The audit is built by hand, as the engine would leave it (findings
 * sorted, states filled, summary computed), so that the report is tested
 * on its own.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <ftw.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../auditor/dir.h"
#include "../../auditor/engine.h"
#include "../../auditor/error.h"
#include "../../auditor/exitcode.h"
#include "../../auditor/policy.h"
#include "../../auditor/sbuf.h"
#include "../../auditor/timeutil.h"
#include "../../auditor/xalloc.h"
#include "../../checks/registry.h"
#include "../../reports/report.h"
#include "../fixture.h"

/* A hand-built audit */

static const struct check chk_vpn_no_mfa = {
	.id = "vpn.no-mfa", .family = "vpn", .title = "VPN without MFA",
	.severity = SEV_CRITICAL,
};
static const struct check chk_pwd_old = {
	.id = "pwd.old", .family = "pwd", .title = "Old password",
	.severity = SEV_MEDIUM,
};
static const struct check chk_pwd_policy = {
	.id = "pwd.domain-policy", .family = "pwd", .title = "Weak domain policy",
	.severity = SEV_MEDIUM,
};
static const struct check chk_priv_nested = {
	.id = "priv.nested", .family = "priv", .title = "Nested admin",
	.severity = SEV_INFO,
};

struct hand {
	struct dir d;
	struct policy p;
	struct audit a;
	struct account acc[4];
	struct account *accs[4];
	struct waiver w;
	struct finding_subject domain;
};

#define NOW 1767225600  /* 2026-01-01T00:00:00Z */

/* the policy owns writable strings */
static char s_policy_path[] = "policy.json";
static char s_w_check[] = "pwd.old", s_w_account[] = "alice", s_w_reason[] = "rotated by hand",
	    s_w_owner[] = "it-ops", s_w_expires[] = "2026-03-31";

static void account_set(struct account *acc, const char *sam, const char *rid, bool enabled)
{
	struct sbuf dn = SBUF_INIT, sid = SBUF_INIT;

	memset(acc, 0, sizeof(*acc));
	sbuf_addf(&dn, "CN=%s,CN=Users,DC=corp,DC=example,DC=test", sam);
	sbuf_addf(&sid, "S-1-5-21-1-2-3-%s", rid);
	acc->h.kind = OBJ_USER;
	acc->h.dn = sbuf_detach(&dn);
	acc->h.sid = sbuf_detach(&sid);
	acc->h.sam = sam;
	acc->enabled = enabled;
	acc->uac = UAC_NORMAL_ACCOUNT | (enabled ? 0 : UAC_ACCOUNTDISABLE);
	acc->pwd_state = PWD_SET;
	acc->pwd_last_set = NOW - 400 * SECONDS_PER_DAY;
	acc->last_logon = acc->last_logon_ts = TIME_NEVER;
	acc->last_logon_eff = TIME_NEVER;
	acc->account_expires = TIME_NEVER;
	acc->when_created = acc->when_changed = TIME_NEVER;
	acc->admin_count = -1;
	acc->dialin = -1;
	acc->vpn_last_login = TIME_NEVER;
}

static struct finding *push(struct hand *h, const struct check *c, enum severity sev,
			    const struct account *acc, const char *msg, const char *detail)
{
	struct finding *f = xcalloc(1, sizeof(*f));

	f->check = c;
	f->severity = sev;
	if (acc) {
		f->obj = &acc->h;
	} else {
		h->domain.kind = "domain";
		h->domain.sam = h->d.domain.dns;
		h->domain.dn = h->d.domain.h.dn;
		h->domain.sid = h->d.domain_sid;
		f->obj = &h->d.domain.h;
		f->subject = &h->domain;
	}
	f->message = xstrdup(msg);
	finding_ev_int(f, "days", 400);
	if (detail)
		f->detail = xstrdup(detail);
	xgrow(&h->a.findings, &h->a.findings_alloc, h->a.nfindings + 1, sizeof(*h->a.findings));
	h->a.findings[h->a.nfindings++] = f;
	return f;
}

/* The summary the engine would compute from the hand-made findings. */
static void summarise(struct hand *h)
{
	struct summary *s = &h->a.summary;
	size_t at_or_above = 0;

	memset(s->by_severity, 0, sizeof(s->by_severity));
	s->waived = 0;
	s->accounts = s->enabled = s->privileged = s->vpn_capable = 0;
	for (size_t i = 0; i < h->d.naccounts; i++) {
		const struct account *acc = h->d.accounts[i];

		s->accounts++;
		s->enabled += acc->enabled;
		s->privileged += acc->enabled && acc->privileged;
		s->vpn_capable += acc->enabled && acc->vpn;
	}
	for (size_t i = 0; i < h->a.nfindings; i++) {
		const struct finding *f = h->a.findings[i];

		if (f->waiver) {
			s->waived++;
		} else {
			s->by_severity[f->severity]++;
			if (severity_rank(f->severity) >= severity_rank(s->fail_on))
				at_or_above++;
		}
	}
	s->unknown_checks = 0;
	for (size_t i = 0; i < registry_count(); i++)
		s->unknown_checks += h->a.states[i].status == STATUS_UNKNOWN;
	s->pass = at_or_above == 0 && s->unknown_checks == 0;
}

static struct hand *hand_new(void)
{
	struct hand *h = xcalloc(1, sizeof(*h));
	size_t n = registry_count();

	h->d.domain.h.kind = OBJ_DOMAIN;
	h->d.domain.h.dn = "DC=corp,DC=example,DC=test";
	h->d.domain.dns = "corp.example.test";
	h->d.domain_sid = "S-1-5-21-1-2-3";
	h->d.last_logon_sources[0] = "lastLogonTimestamp";
	h->d.nlast_logon_sources = 1;

	/* directory order is not sAMAccountName order on purpose */
	account_set(&h->acc[0], "carol", "1103", true);
	h->acc[0].vpn = true;
	account_set(&h->acc[1], "Bob", "1102", false);
	h->acc[1].privileged = true;
	h->acc[1].priv_path = "Bob -> Domain Admins";
	h->acc[1].pwd_state = PWD_MUST_CHANGE;
	h->acc[1].pwd_last_set = TIME_NEVER;
	account_set(&h->acc[2], "alice", "1101", true);
	h->acc[2].privileged = true;
	h->acc[2].vpn = true;
	h->acc[2].priv_path = "alice -> IT-Admins -> Domain Admins";
	h->acc[2].mfa_sources = MFA_SRC_GROUP | MFA_SRC_CSV;
	h->acc[2].uac |= UAC_DONT_EXPIRE_PASSWORD | UAC_NOT_DELEGATED;
	h->acc[2].last_logon_eff = NOW - 3 * SECONDS_PER_DAY;
	h->acc[2].nspns = 2;
	h->acc[2].upn = "alice@corp.example.test";
	account_set(&h->acc[3], "web01$", "1104", true);
	h->acc[3].h.kind = OBJ_COMPUTER;
	for (int i = 0; i < 4; i++)
		h->accs[i] = &h->acc[i];
	h->d.accounts = h->accs;
	h->d.naccounts = 4;

	h->p.path = s_policy_path;
	memset(h->p.sha256, 'a', 64);
	h->p.fail_on = SEV_HIGH;
	h->p.unknown_fails = true;
	h->p.checks = xcalloc(n ? n : 1, sizeof(*h->p.checks));
	for (size_t i = 0; i < n; i++) {
		h->p.checks[i].enabled = true;
		h->p.checks[i].severity = -1;
	}
	h->w = (struct waiver){
		.check = s_w_check, .account = s_w_account, .reason = s_w_reason,
		.owner = s_w_owner, .expires = TIME_NEVER, .expires_text = s_w_expires,
		.index = 0,
	};
	h->p.waivers = &h->w;
	h->p.nwaivers = 1;

	h->a.dir = &h->d;
	h->a.policy = &h->p;
	h->a.now = NOW;
	h->a.states = xcalloc(n ? n : 1, sizeof(*h->a.states));
	h->a.summary.fail_on = SEV_HIGH;

	/* sorted as the engine sorts: severity desc, check id, sAMAccountName */
	push(h, &chk_vpn_no_mfa, SEV_CRITICAL, &h->acc[2], "alice is VPN-capable without MFA", NULL);
	push(h, &chk_vpn_no_mfa, SEV_CRITICAL, &h->acc[0], "carol is VPN-capable without MFA", NULL);
	push(h, &chk_pwd_policy, SEV_MEDIUM, NULL, "minimum length 7 < 14", "min_length");
	push(h, &chk_pwd_policy, SEV_MEDIUM, NULL, "lockout threshold 0", "lockout_threshold");
	push(h, &chk_pwd_old, SEV_MEDIUM, &h->acc[2], "password 400 days old", NULL)->waiver = &h->w;
	push(h, &chk_pwd_old, SEV_MEDIUM, &h->acc[0], "password 400 days old", NULL);
	push(h, &chk_priv_nested, SEV_INFO, &h->acc[2], "alice -> IT-Admins -> Domain Admins", NULL)
		->change = CHANGE_NEW;
	for (size_t i = 0; i < n; i++)
		h->a.states[i].status = STATUS_PASS;
	if (n > 1) {
		h->a.states[0].status = STATUS_UNKNOWN;
		h->a.states[0].reason = xstrdup("lastLogon and lastLogonTimestamp absent from all user entries");
		h->a.states[1].status = STATUS_DISABLED;
		h->p.checks[1].enabled = false;
	}
	summarise(h);
	return h;
}

static void hand_free(struct hand *h)
{
	for (size_t i = 0; i < h->a.nfindings; i++) {
		struct finding *f = h->a.findings[i];

		free(f->message);
		free(f->detail);
		finding_evidence_release(f);
		free(f);
	}
	free(h->a.findings);
	for (size_t i = 0; i < registry_count(); i++)
		free(h->a.states[i].reason);
	free(h->a.states);
	free(h->p.checks);
	for (int i = 0; i < 4; i++) {
		free((char *)h->acc[i].h.dn);
		free((char *)h->acc[i].h.sid);
	}
	free(h);
}

static struct report_meta meta(int64_t generated)
{
	struct report_meta m = {
		.source_kind = "ldif",
		.uri = "etc/sample-directory.ldif",
		.generated_at = generated,
		.evaluated_at = NOW,
		.tool_version = "9.9.9",
	};
	return m;
}

/* A scratch directory per test */

static char dir[64];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void setup(void)
{
	strcpy(dir, "/tmp/privaudit-json-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	chmod(dir, 0700);
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static const char *in_dir(const char *name)
{
	static char buf[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct sbuf sb = SBUF_INIT;
	char buf[4096];
	size_t n;

	cr_assert_not_null(fp, "cannot open %s", path);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sbuf_add(&sb, buf, n);
	fclose(fp);
	return sbuf_detach(&sb);
}

/* Write the report of h and load it back (new reference). */
static json_t *write_and_load(struct hand *h, const char *name)
{
	struct error err = ERROR_INIT;
	struct report_meta m = meta(NOW + 3600);
	json_error_t jerr;
	json_t *doc;

	cr_assert_eq(report_json_write(&h->a, &m, in_dir(name), &err), 0, "%s", err.msg);
	doc = json_load_file(in_dir(name), JSON_REJECT_DUPLICATES, &jerr);
	cr_assert_not_null(doc, "invalid JSON: %s at %d:%d", jerr.text, jerr.line, jerr.column);
	return doc;
}

static int count_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static bool matches(const char *re, const char *s)
{
	regex_t rx;
	int r;

	cr_assert_eq(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
	r = regexec(&rx, s, 0, NULL, 0);
	regfree(&rx);
	return r == 0;
}

#define ISO_RE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"

static const char *str_at(json_t *o, const char *path)
{
	json_t *v = o;
	char buf[256], *save = NULL;

	strncpy(buf, path, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	for (char *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
		v = json_object_get(v, k);
		cr_assert_not_null(v, "missing %s", path);
	}
	cr_assert(json_is_string(v), "%s is not a string", path);
	return json_string_value(v);
}

static json_int_t int_at(json_t *o, const char *k1, const char *k2)
{
	json_t *v = json_object_get(o, k1);

	if (k2)
		v = json_object_get(v, k2);
	cr_assert(json_is_integer(v), "%s.%s is not an integer", k1, k2 ? k2 : "");
	return json_integer_value(v);
}

TestSuite(json, .init = setup, .fini = teardown);

Test(json, envelope_follows_schema)
{
	struct hand *h = hand_new();
	json_t *doc = write_and_load(h, "r.json");
	const char *top[] = { "schema", "tool", "generated_at", "evaluated_at", "source",
			      "policy", "summary", "readiness", "checks", "findings",
			      "privileged_accounts", "vpn_accounts" };
	const char *key;
	json_t *val, *src;
	size_t i = 0;

	/* exactly these keys, in this order */
	json_object_foreach(doc, key, val) {
		cr_assert_lt(i, sizeof(top) / sizeof(top[0]), "unexpected key %s", key);
		cr_assert_str_eq(key, top[i]);
		i++;
	}
	cr_assert_eq(i, sizeof(top) / sizeof(top[0]));
	cr_assert_str_eq(str_at(doc, "schema"), "privaudit.report/1");
	cr_assert_str_eq(str_at(doc, "tool.name"), "privaudit");
	cr_assert_str_eq(str_at(doc, "tool.version"), "9.9.9");
	cr_assert_str_eq(str_at(doc, "generated_at"), "2026-01-01T01:00:00Z");
	cr_assert_str_eq(str_at(doc, "evaluated_at"), "2026-01-01T00:00:00Z");
	cr_assert(matches(ISO_RE, str_at(doc, "generated_at")));

	src = json_object_get(doc, "source");
	cr_assert_str_eq(str_at(src, "kind"), "ldif");
	cr_assert_str_eq(str_at(src, "uri"), "etc/sample-directory.ldif");
	/* no base DN given: the domain head's */
	cr_assert_str_eq(str_at(src, "base_dn"), "DC=corp,DC=example,DC=test");
	cr_assert_str_eq(str_at(src, "domain"), "corp.example.test");
	cr_assert_str_eq(str_at(src, "domain_sid"), "S-1-5-21-1-2-3");
	cr_assert_eq(json_array_size(json_object_get(src, "last_logon_sources")), 1);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(src, "last_logon_sources"), 0)),
			 "lastLogonTimestamp");

	cr_assert_str_eq(str_at(doc, "policy.path"), "policy.json");
	cr_assert_eq(strlen(str_at(doc, "policy.sha256")), 64);
	cr_assert_str_eq(str_at(doc, "summary.gate.fail_on"), "high");
	cr_assert_str_eq(str_at(doc, "summary.gate.verdict"), "fail");
	json_decref(doc);
	hand_free(h);
}

Test(json, builtin_policy_path_is_null_and_base_dn_from_meta)
{
	struct hand *h = hand_new();
	struct error err = ERROR_INIT;
	struct report_meta m = meta(NOW);
	json_t *doc;

	h->p.path = NULL;
	m.base_dn = "OU=Corp,DC=corp,DC=example,DC=test";
	m.source_kind = "ldap";
	m.uri = "ldaps://dc1.corp.example.test";
	cr_assert_eq(report_json_write(&h->a, &m, in_dir("r.json"), &err), 0);
	doc = json_load_file(in_dir("r.json"), 0, NULL);
	cr_assert_not_null(doc);
	cr_assert(json_is_null(json_object_get(json_object_get(doc, "policy"), "path")));
	cr_assert_str_eq(str_at(doc, "source.base_dn"), "OU=Corp,DC=corp,DC=example,DC=test");
	cr_assert_str_eq(str_at(doc, "source.kind"), "ldap");
	cr_assert_str_eq(str_at(doc, "source.uri"), "ldaps://dc1.corp.example.test");
	json_decref(doc);
	hand_free(h);
}

Test(json, summary_counts_match_findings)
{
	struct hand *h = hand_new();
	json_t *doc = write_and_load(h, "r.json");
	json_t *findings = json_object_get(doc, "findings"), *f;
	json_int_t by[SEV_COUNT] = { 0 }, waived = 0;
	size_t i;

	cr_assert_eq(json_array_size(findings), h->a.nfindings);
	json_array_foreach(findings, i, f) {
		int sev = severity_parse(str_at(f, "severity"));

		cr_assert_geq(sev, 0);
		if (json_object_get(f, "waiver"))
			waived++;
		else
			by[sev]++;
	}
	for (int s = 0; s < SEV_COUNT; s++)
		cr_assert_eq(int_at(json_object_get(doc, "summary"), "findings",
				    severity_name((enum severity)s)), by[s],
			     "%s", severity_name((enum severity)s));
	cr_assert_eq(int_at(doc, "summary", "waived"), waived);
	cr_assert_eq(waived, 1);
	cr_assert_eq(by[SEV_CRITICAL], 2);
	cr_assert_eq(by[SEV_MEDIUM], 3);
	cr_assert_eq(int_at(doc, "summary", "accounts"), 4);
	cr_assert_eq(int_at(doc, "summary", "enabled"), 3);
	cr_assert_eq(int_at(doc, "summary", "privileged"), 1);
	cr_assert_eq(int_at(doc, "summary", "vpn_capable"), 2);
	cr_assert_eq(int_at(doc, "summary", "unknown_checks"), registry_count() > 1 ? 1 : 0);
	/* severities listed most severe first */
	{
		const char *order[] = { "critical", "high", "medium", "low", "info" };
		const char *key;
		json_t *val;
		size_t k = 0;

		json_object_foreach(json_object_get(json_object_get(doc, "summary"), "findings"), key, val)
			cr_assert_str_eq(key, order[k++]);
		cr_assert_eq(k, 5);
	}
	json_decref(doc);
	hand_free(h);
}

Test(json, findings_keep_engine_order_and_fields)
{
	struct hand *h = hand_new();
	json_t *doc = write_and_load(h, "r.json");
	json_t *findings = json_object_get(doc, "findings"), *f, *subj;
	const char *prev_check = "";
	int prev_rank = 99;
	size_t i;

	json_array_foreach(findings, i, f) {
		int rank = severity_rank((enum severity)severity_parse(str_at(f, "severity")));
		const char *check = str_at(f, "check");
		const char *key = str_at(f, "key");

		cr_assert_str_eq(check, h->a.findings[i]->check->id);
		cr_assert_leq(rank, prev_rank, "finding %zu out of severity order", i);
		if (rank == prev_rank)
			cr_assert_geq(strcmp(check, prev_check), 0, "finding %zu out of check order", i);
		prev_rank = rank;
		prev_check = check;
		/* key: "check|sid-or-dn[|detail]" */
		cr_assert_eq(strncmp(key, check, strlen(check)), 0);
		cr_assert(matches("^[a-z]+\\.[a-z-]+\\|S-1-5-21-[0-9-]+(\\|[a-z_]+)?$", key), "%s", key);
		cr_assert(json_is_object(json_object_get(f, "evidence")));
		subj = json_object_get(f, "subject");
		cr_assert(json_is_object(subj));
		cr_assert_eq(json_object_size(subj), 5);
	}

	f = json_array_get(findings, 0);
	subj = json_object_get(f, "subject");
	cr_assert_str_eq(str_at(subj, "kind"), "user");
	cr_assert_str_eq(str_at(subj, "sam"), "alice");
	cr_assert_str_eq(str_at(subj, "dn"), "CN=alice,CN=Users,DC=corp,DC=example,DC=test");
	cr_assert_str_eq(str_at(subj, "sid"), "S-1-5-21-1-2-3-1101");
	cr_assert_str_eq(str_at(subj, "upn"), "alice@corp.example.test");
	cr_assert_str_eq(str_at(f, "message"), "alice is VPN-capable without MFA");
	cr_assert_eq(int_at(f, "evidence", "days"), 400);
	cr_assert_null(json_object_get(f, "waiver"));
	cr_assert_null(json_object_get(f, "change"));

	/* absent subject fields are null, not missing */
	f = json_array_get(findings, 1);
	cr_assert(json_is_null(json_object_get(json_object_get(f, "subject"), "upn")));

	/* a domain finding with a discriminator */
	f = json_array_get(findings, 2);
	cr_assert_str_eq(str_at(f, "subject.kind"), "domain");
	cr_assert_str_eq(str_at(f, "subject.sam"), "corp.example.test");
	cr_assert_str_eq(str_at(f, "key"), "pwd.domain-policy|S-1-5-21-1-2-3|min_length");

	/* the waived finding carries its waiver */
	f = json_array_get(findings, 4);
	cr_assert_str_eq(str_at(f, "waiver.check"), "pwd.old");
	cr_assert_str_eq(str_at(f, "waiver.account"), "alice");
	cr_assert_str_eq(str_at(f, "waiver.reason"), "rotated by hand");
	cr_assert_str_eq(str_at(f, "waiver.owner"), "it-ops");
	cr_assert_str_eq(str_at(f, "waiver.expires"), "2026-03-31");
	cr_assert_eq(int_at(f, "waiver", "index"), 0);

	/* change only with a baseline */
	f = json_array_get(findings, 6);
	cr_assert_str_eq(str_at(f, "change"), "new");
	json_decref(doc);
	hand_free(h);
}

Test(json, waiver_without_expiry_is_null)
{
	struct hand *h = hand_new();
	json_t *doc;

	h->w.expires_text = NULL;
	doc = write_and_load(h, "r.json");
	cr_assert(json_is_null(json_object_get(json_object_get(
		json_array_get(json_object_get(doc, "findings"), 4), "waiver"), "expires")));
	json_decref(doc);
	hand_free(h);
}

Test(json, checks_list_every_registry_check)
{
	struct hand *h = hand_new();
	size_t n = registry_count();
	json_t *doc, *checks, *c;
	size_t i;

	if (n > 2)
		h->p.checks[2].severity = SEV_CRITICAL;
	if (n > 2)
		h->a.states[2] = (struct check_state){ .status = STATUS_FAIL, .findings = 3, .unwaived = 2 };
	summarise(h);
	doc = write_and_load(h, "r.json");
	checks = json_object_get(doc, "checks");
	cr_assert_eq(json_array_size(checks), n);
	json_array_foreach(checks, i, c) {
		const struct check *rc = registry_get(i);
		const char *status = str_at(c, "status");

		cr_assert_str_eq(str_at(c, "id"), rc->id);
		cr_assert_str_eq(str_at(c, "family"), rc->family);
		cr_assert_str_eq(str_at(c, "title"), rc->title);
		cr_assert_str_eq(status, check_status_name(h->a.states[i].status));
		cr_assert_eq(int_at(c, "findings", NULL), (json_int_t)h->a.states[i].findings);
		/* reason exactly when unknown */
		cr_assert_eq(json_object_get(c, "reason") != NULL, strcmp(status, "unknown") == 0);
		if (i == 2)
			cr_assert_str_eq(str_at(c, "severity"), "critical");
		else
			cr_assert_str_eq(str_at(c, "severity"), severity_name(rc->severity));
	}
	if (n > 2) {
		c = json_array_get(checks, 0);
		cr_assert_str_eq(str_at(c, "status"), "unknown");
		cr_assert_str_eq(str_at(c, "reason"),
				 "lastLogon and lastLogonTimestamp absent from all user entries");
		cr_assert_str_eq(str_at(json_array_get(checks, 1), "status"), "disabled");
		cr_assert_eq(int_at(json_array_get(checks, 2), "findings", NULL), 3);
	}
	json_decref(doc);
	hand_free(h);
}

Test(json, privileged_and_vpn_accounts)
{
	struct hand *h = hand_new();
	json_t *doc = write_and_load(h, "r.json");
	json_t *priv = json_object_get(doc, "privileged_accounts");
	json_t *vpn = json_object_get(doc, "vpn_accounts");
	json_t *a, *b;

	/* every privileged account, disabled ones too, by sAMAccountName (bytes) */
	cr_assert_eq(json_array_size(priv), 2);
	a = json_array_get(priv, 1);
	b = json_array_get(priv, 0);
	cr_assert_str_eq(str_at(a, "sam"), "alice");
	cr_assert_str_eq(str_at(b, "sam"), "Bob");

	cr_assert_str_eq(str_at(a, "dn"), "CN=alice,CN=Users,DC=corp,DC=example,DC=test");
	cr_assert_str_eq(str_at(a, "sid"), "S-1-5-21-1-2-3-1101");
	cr_assert_str_eq(str_at(a, "kind"), "user");
	cr_assert(json_is_true(json_object_get(a, "enabled")));
	cr_assert_str_eq(str_at(a, "path"), "alice -> IT-Admins -> Domain Admins");
	cr_assert_str_eq(str_at(a, "last_logon"), "2025-12-29T00:00:00Z");
	cr_assert_str_eq(str_at(a, "pwd_last_set"), "2024-11-27T00:00:00Z");
	cr_assert(json_is_false(json_object_get(a, "must_change")));
	cr_assert(json_is_true(json_object_get(a, "mfa")));
	cr_assert_eq(json_array_size(json_object_get(a, "mfa_sources")), 2);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(a, "mfa_sources"), 0)), "group");
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(a, "mfa_sources"), 1)), "csv");
	cr_assert(json_is_true(json_object_get(a, "vpn")));
	cr_assert_eq(int_at(a, "spn", NULL), 2);
	cr_assert_eq(json_array_size(json_object_get(a, "flags")), 2);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(a, "flags"), 0)),
			 "DONT_EXPIRE_PASSWORD");
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(a, "flags"), 1)),
			 "NOT_DELEGATED");

	cr_assert(json_is_false(json_object_get(b, "enabled")));
	cr_assert(json_is_null(json_object_get(b, "last_logon")));
	cr_assert(json_is_null(json_object_get(b, "pwd_last_set")));
	cr_assert(json_is_true(json_object_get(b, "must_change")));
	cr_assert(json_is_false(json_object_get(b, "mfa")));
	cr_assert_eq(json_array_size(json_object_get(b, "mfa_sources")), 0);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(b, "flags"), 0)),
			 "ACCOUNTDISABLE");

	cr_assert_eq(json_array_size(vpn), 2);
	cr_assert_str_eq(str_at(json_array_get(vpn, 0), "sam"), "alice");
	cr_assert_str_eq(str_at(json_array_get(vpn, 1), "sam"), "carol");
	cr_assert(json_is_null(json_object_get(json_array_get(vpn, 1), "path")));
	/* both lists have the same fields */
	cr_assert_eq(json_object_size(json_array_get(vpn, 1)), json_object_size(a));
	json_decref(doc);
	hand_free(h);
}

/* Remove the generated_at line so that two reports can be compared. */
static void strip_generated(char *s)
{
	char *p = strstr(s, "\"generated_at\"");
	char *e;

	cr_assert_not_null(p);
	e = strchr(p, '\n');
	cr_assert_not_null(e);
	memmove(p, e, strlen(e) + 1);
}

Test(json, output_is_deterministic_apart_from_generated_at)
{
	struct hand *h = hand_new();
	struct error err = ERROR_INIT;
	struct report_meta m1 = meta(NOW + 10), m2 = meta(NOW + 99999);
	char *a, *b;

	cr_assert_eq(report_json_write(&h->a, &m1, in_dir("a.json"), &err), 0);
	cr_assert_eq(report_json_write(&h->a, &m2, in_dir("b.json"), &err), 0);
	a = slurp(in_dir("a.json"));
	b = slurp(in_dir("b.json"));
	cr_assert_str_neq(a, b);
	strip_generated(a);
	strip_generated(b);
	cr_assert_str_eq(a, b);
	free(a);
	free(b);
	hand_free(h);
}

Test(json, streamed_output_equals_jansson_pretty_print)
{
	struct hand *h = hand_new();
	json_t *doc = write_and_load(h, "r.json");
	char *text = slurp(in_dir("r.json"));
	char *pretty = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	/* the hand-written envelope nests exactly as one jansson dump would */
	cr_assert_eq(strlen(text), strlen(pretty) + 1);
	cr_assert_eq(strncmp(text, pretty, strlen(pretty)), 0);
	cr_assert_eq(text[strlen(pretty)], '\n');
	free(text);
	free(pretty);
	json_decref(doc);
	hand_free(h);
}

Test(json, empty_audit_has_empty_arrays)
{
	struct hand *h = hand_new();
	json_t *doc;
	char *text, *pretty;

	for (size_t i = 0; i < h->a.nfindings; i++) {
		struct finding *f = h->a.findings[i];

		free(f->message);
		free(f->detail);
		finding_evidence_release(f);
		free(f);
	}
	h->a.nfindings = 0;
	h->d.naccounts = 0;
	summarise(h);
	doc = write_and_load(h, "r.json");
	cr_assert_eq(json_array_size(json_object_get(doc, "findings")), 0);
	cr_assert_eq(json_array_size(json_object_get(doc, "privileged_accounts")), 0);
	cr_assert_eq(json_array_size(json_object_get(doc, "vpn_accounts")), 0);
	text = slurp(in_dir("r.json"));
	pretty = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	cr_assert_eq(strncmp(text, pretty, strlen(pretty)), 0);
	cr_assert_not_null(strstr(text, "\"findings\": []"));
	free(text);
	free(pretty);
	json_decref(doc);
	hand_free(h);
}

Test(json, resolved_written_when_given)
{
	struct hand *h = hand_new();
	struct error err = ERROR_INIT;
	struct report_meta m = meta(NOW);
	json_t *resolved = json_pack("[{s:s}]", "key", "pwd.old|S-1-5-21-1-2-3-1200");
	json_t *doc;
	const char *key;
	json_t *val;
	bool before_accounts = false;

	m.resolved = resolved;
	cr_assert_eq(report_json_write(&h->a, &m, in_dir("r.json"), &err), 0);
	doc = json_load_file(in_dir("r.json"), 0, NULL);
	cr_assert_not_null(doc);
	cr_assert_str_eq(str_at(json_array_get(json_object_get(doc, "resolved"), 0), "key"),
			 "pwd.old|S-1-5-21-1-2-3-1200");
	json_object_foreach(doc, key, val) {
		if (!strcmp(key, "resolved"))
			before_accounts = true;
		if (!strcmp(key, "privileged_accounts"))
			break;
	}
	cr_assert(before_accounts);
	json_decref(doc);
	json_decref(resolved);
	hand_free(h);
}

Test(json, invalid_utf8_still_yields_valid_json)
{
	struct hand *h = hand_new();
	json_t *doc, *f;
	struct finding *bad = h->a.findings[1];

	free(bad->message);
	bad->message = xstrdup("description holds \xff\xfe bytes \xe3\x81 and \xc0\xaf");
	h->acc[0].h.sam = "car\xe9ol";              /* Latin-1, not UTF-8 */
	bad->obj = &h->acc[0].h;
	/* evidence from directory data: cleaned when added */
	finding_ev_str(bad, "description", "Passwort: \xfc" "ber");
	h->acc[2].priv_path = "alice -> \xed\xa0\x80 -> Domain Admins";  /* a surrogate */
	doc = write_and_load(h, "r.json");
	f = json_array_get(json_object_get(doc, "findings"), 1);
	cr_assert_str_eq(str_at(f, "message"),
			 "description holds \xef\xbf\xbd\xef\xbf\xbd bytes \xef\xbf\xbd\xef\xbf\xbd"
			 " and \xef\xbf\xbd\xef\xbf\xbd");
	cr_assert_str_eq(str_at(f, "subject.sam"), "car\xef\xbf\xbdol");
	cr_assert_str_eq(str_at(f, "evidence.description"), "Passwort: \xef\xbf\xbd" "ber");
	cr_assert_str_eq(str_at(json_array_get(json_object_get(doc, "privileged_accounts"), 1), "path"),
			 "alice -> \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd -> Domain Admins");
	json_decref(doc);
	hand_free(h);
}

Test(json, json_helpers)
{
	{
		json_t *j = report_json_str(NULL);

		cr_assert(json_is_null(j));
		json_decref(j);
		j = report_json_time(TIME_NEVER);
		cr_assert(json_is_null(j));
		json_decref(j);
		j = report_json_time(NOW);
		cr_assert_str_eq(json_string_value(j), "2026-01-01T00:00:00Z");
		json_decref(j);
	}
}

Test(json, report_file_has_mode_0600)
{
	struct hand *h = hand_new();
	struct error err = ERROR_INIT;
	struct report_meta m = meta(NOW);
	struct stat st;

	umask(022);
	cr_assert_eq(report_json_write(&h->a, &m, in_dir("r.json"), &err), 0);
	cr_assert_eq(stat(in_dir("r.json"), &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600);
	cr_assert_eq(count_entries(), 1);
	hand_free(h);
}

/* r.json as a previous run left it. */
static void previous_report(void)
{
	FILE *fp = fopen(in_dir("r.json"), "w");

	cr_assert_not_null(fp);
	fputs("previous report\n", fp);
	fclose(fp);
}

/* r.json is still the previous run's, and no temporary file is left. */
static void expect_previous_kept(void)
{
	char *text = slurp(in_dir("r.json"));

	cr_assert_str_eq(text, "previous report\n");
	free(text);
	cr_assert_eq(count_entries(), 1);
}

Test(json, unwritable_target_fails_with_exit_report_and_keeps_previous)
{
	struct hand *h = hand_new();
	struct error err = ERROR_INIT;
	struct report_meta m = meta(NOW);

	previous_report();
	cr_assert_eq(chmod(dir, 0500), 0);
	if (access(dir, W_OK) == 0) {
		/* running as root: a regular file where the directory should be */
		chmod(dir, 0700);
		cr_assert_eq(report_json_write(&h->a, &m, in_dir("r.json/x.json"), &err), -1);
	} else {
		cr_assert_eq(report_json_write(&h->a, &m, in_dir("r.json"), &err), -1);
	}
	chmod(dir, 0700);
	cr_assert_eq(err.code, EXIT_REPORT);
	cr_assert(strncmp(err.msg, "cannot write report \"", 21) == 0, "%s", err.msg);
	expect_previous_kept();
	hand_free(h);
}

/*
 * h's report, written with files limited to limit bytes, fails as on a
 * full disk: the previous report stays, and no temporary file.
 */
static void expect_write_fails_at(struct hand *h, rlim_t limit)
{
	struct error err = ERROR_INIT;
	struct report_meta m = meta(NOW);
	struct rlimit rl = { limit, limit };

	previous_report();
	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	cr_assert_eq(report_json_write(&h->a, &m, in_dir("r.json"), &err), -1);
	cr_assert_eq(err.code, EXIT_REPORT);
	cr_assert_not_null(strstr(err.msg, "File too large"), "%s", err.msg);
	expect_previous_kept();
}

Test(json, write_failure_midway_keeps_previous_and_leaves_no_temp)
{
	struct hand *h = hand_new();

	/* enough findings to outgrow the limit: the write fails as on a full disk */
	for (int i = 0; i < 200; i++)
		push(h, &chk_priv_nested, SEV_INFO, &h->acc[2], "padding finding", NULL);
	expect_write_fails_at(h, 2048);
	hand_free(h);
}

/* The whole pipeline: LDIF -> directory -> engine -> report */

#define ISO_NOW "2026-01-01T00:00:00Z"

static struct fixture *run_fixture(void)
{
	struct sbuf sb = SBUF_INIT;
	struct fixture *fx;

	sbuf_adds(&sb, fixture_domain_ldif);
	sbuf_addf(&sb,
		  "dn: CN=VPN-Users,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: group\nsAMAccountName: VPN-Users\nobjectSid: S-1-5-21-1-2-3-3000\n"
		  "member: CN=carol,CN=Users,DC=corp,DC=example,DC=test\n"
		  "member: CN=latin,CN=Users,DC=corp,DC=example,DC=test\n\n"
		  "dn: CN=adm-alice,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName: adm-alice\nobjectSid: S-1-5-21-1-2-3-1100\n"
		  "userAccountControl: 66048\npwdLastSet: %s\nlastLogonTimestamp: %s\n"
		  "whenCreated: 20200101000000.0Z\nprimaryGroupID: 512\nadminCount: 1\n"
		  "servicePrincipalName: http/adm\n\n",
		  fixture_filetime_days_ago(ISO_NOW, 400), fixture_filetime_days_ago(ISO_NOW, 1));
	sbuf_addf(&sb,
		  "dn: CN=carol,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName: carol\nobjectSid: S-1-5-21-1-2-3-1101\n"
		  "userAccountControl: 512\npwdLastSet: %s\nlastLogonTimestamp: %s\n"
		  "whenCreated: 20200101000000.0Z\nprimaryGroupID: 513\nadminCount: 0\n\n",
		  fixture_filetime_days_ago(ISO_NOW, 400), fixture_filetime_days_ago(ISO_NOW, 100));
	/* a Latin-1 sAMAccountName and description: not UTF-8 */
	sbuf_addf(&sb,
		  "dn: CN=latin,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName:: Y2Fy6W9s\nobjectSid: S-1-5-21-1-2-3-1102\n"
		  "userAccountControl: 66048\npwdLastSet: %s\n"
		  "whenCreated: 20200101000000.0Z\nprimaryGroupID: 513\n"
		  "description:: UGFzc3dvcnQ6IPxiZXI=\n\n",
		  fixture_filetime_days_ago(ISO_NOW, 500));
	for (int i = 0; i < 6; i++)
		sbuf_addf(&sb,
			  "dn: CN=user%d,CN=Users,DC=corp,DC=example,DC=test\n"
			  "objectClass: user\nsAMAccountName: user%d\nobjectSid: S-1-5-21-1-2-3-%d\n"
			  "userAccountControl: %d\npwdLastSet: %s\nlastLogonTimestamp: %s\n"
			  "whenCreated: 20200101000000.0Z\nprimaryGroupID: 513\n\n",
			  5 - i, 5 - i, 2000 + i, i % 2 ? 512 : 66048,
			  i == 3 ? "0" : fixture_filetime_days_ago(ISO_NOW, 100 * i),
			  fixture_filetime_days_ago(ISO_NOW, 50 * i));
	fx = fixture_run(sb.buf,
			 "{\"version\": 1, \"vpn\": {\"groups\": [\"VPN-Users\"]},"
			 " \"incident\": {\"password_reset_after\": \"2025-10-04\"},"
			 " \"waivers\": [{\"check\": \"pwd.never-expires\", \"account\": \"user5\","
			 " \"reason\": \"appliance\", \"owner\": \"it-ops\", \"expires\": \"2026-06-30\"}]}",
			 ISO_NOW);
	sbuf_release(&sb);
	return fx;
}

static json_t *write_fixture(struct fixture *fx, const char *name, int64_t generated)
{
	struct error err = ERROR_INIT;
	struct report_meta m = meta(generated);
	json_error_t jerr;
	json_t *doc;

	m.evaluated_at = fx->now;
	cr_assert_eq(report_json_write(&fx->audit, &m, in_dir(name), &err), 0, "%s", err.msg);
	doc = json_load_file(in_dir(name), JSON_REJECT_DUPLICATES, &jerr);
	cr_assert_not_null(doc, "invalid JSON: %s at %d:%d", jerr.text, jerr.line, jerr.column);
	return doc;
}

Test(json, real_audit_is_sorted_and_counts_agree)
{
	struct fixture *fx = run_fixture();
	json_t *doc = write_fixture(fx, "r.json", NOW);
	json_t *findings = json_object_get(doc, "findings"), *f, *checks, *c;
	json_int_t by[SEV_COUNT] = { 0 }, waived = 0;
	size_t i, nchecks = registry_count();
	size_t *per_check = xcalloc(nchecks, sizeof(*per_check));
	json_t *prev = NULL;

	cr_assert_gt(json_array_size(findings), 10);
	json_array_foreach(findings, i, f) {
		enum severity sev = (enum severity)severity_parse(str_at(f, "severity"));
		size_t idx;

		cr_assert_not_null(registry_find(str_at(f, "check"), &idx));
		per_check[idx]++;
		if (json_object_get(f, "waiver"))
			waived++;
		else
			by[sev]++;
		if (prev) {
			int r0 = severity_rank((enum severity)severity_parse(str_at(prev, "severity")));
			int r1 = severity_rank(sev);
			json_t *s0 = json_object_get(json_object_get(prev, "subject"), "sam");
			json_t *s1 = json_object_get(json_object_get(f, "subject"), "sam");

			cr_assert_geq(r0, r1, "finding %zu: severity out of order", i);
			if (r0 == r1) {
				int cc = strcmp(str_at(prev, "check"), str_at(f, "check"));

				cr_assert_leq(cc, 0, "finding %zu: check out of order", i);
				if (cc == 0 && json_is_string(s0) && json_is_string(s1))
					cr_assert_leq(strcmp(json_string_value(s0), json_string_value(s1)), 0,
						      "finding %zu: sAMAccountName out of order", i);
			}
		}
		prev = f;
	}
	for (int s = 0; s < SEV_COUNT; s++)
		cr_assert_eq(int_at(json_object_get(doc, "summary"), "findings",
				    severity_name((enum severity)s)), by[s]);
	cr_assert_eq(int_at(doc, "summary", "waived"), waived);
	cr_assert_eq(waived, 1);

	/* each check's count is the number of its findings in the list */
	checks = json_object_get(doc, "checks");
	cr_assert_eq(json_array_size(checks), nchecks);
	json_array_foreach(checks, i, c) {
		cr_assert_eq(int_at(c, "findings", NULL), (json_int_t)per_check[i], "%s",
			     str_at(c, "id"));
		if (per_check[i])
			cr_assert_str_eq(str_at(c, "status"), "fail");
	}
	cr_assert_eq(int_at(doc, "summary", "accounts"), 9);
	cr_assert_eq(json_array_size(json_object_get(doc, "privileged_accounts")), 1);
	cr_assert_str_eq(str_at(json_array_get(json_object_get(doc, "privileged_accounts"), 0), "sam"),
			 "adm-alice");
	cr_assert_eq(json_array_size(json_object_get(doc, "vpn_accounts")), 2);
	free(per_check);
	json_decref(doc);
	fixture_free(fx);
}

Test(json, real_audit_keys_and_invalid_utf8)
{
	struct fixture *fx = run_fixture();
	json_t *doc = write_fixture(fx, "r.json", NOW);
	json_t *f;
	size_t i;
	bool latin = false;

	json_array_foreach(json_object_get(doc, "findings"), i, f) {
		const char *key = str_at(f, "key");
		json_t *sid = json_object_get(json_object_get(f, "subject"), "sid");
		json_t *sam = json_object_get(json_object_get(f, "subject"), "sam");
		struct sbuf want = SBUF_INIT;

		/* "check|sid-or-dn[|detail]" */
		sbuf_addf(&want, "%s|", str_at(f, "check"));
		cr_assert_eq(strncmp(key, want.buf, want.len), 0, "%s", key);
		if (json_is_string(sid) && strcmp(str_at(f, "subject.kind"), "waiver") != 0) {
			sbuf_adds(&want, json_string_value(sid));
			cr_assert_eq(strncmp(key, want.buf, want.len), 0, "%s", key);
			cr_assert(key[want.len] == '\0' || key[want.len] == '|', "%s", key);
		}
		sbuf_release(&want);
		if (json_is_string(sam) && !strcmp(json_string_value(sam), "car\xef\xbf\xbdol"))
			latin = true;
	}
	cr_assert(latin, "the Latin-1 account has no finding under its cleaned name");
	json_decref(doc);
	fixture_free(fx);
}

Test(json, real_audit_is_deterministic)
{
	struct fixture *fx1 = run_fixture(), *fx2 = run_fixture();
	json_t *d1 = write_fixture(fx1, "a.json", NOW + 5);
	json_t *d2 = write_fixture(fx2, "b.json", NOW + 86400);
	char *a = slurp(in_dir("a.json")), *b = slurp(in_dir("b.json"));

	strip_generated(a);
	strip_generated(b);
	cr_assert_str_eq(a, b);
	free(a);
	free(b);
	json_decref(d1);
	json_decref(d2);
	fixture_free(fx1);
	fixture_free(fx2);
}

/* reports/catalogue.c: `privaudit checks [--json]` */

static char *catalogue(bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct error err = ERROR_INIT;

	cr_assert_not_null(fp);
	cr_assert_eq(report_catalogue(fp, json, &err), 0, "%s", err.msg);
	fclose(fp);
	return buf;
}

Test(catalogue, table_lists_every_check)
{
	char *out = catalogue(false);
	const char *p = out;

	cr_assert_eq(strncmp(out, "ID ", 3), 0);
	for (size_t i = 0; i < registry_count(); i++) {
		const struct check *c = registry_get(i);

		p = strchr(p, '\n') + 1;
		cr_assert_eq(strncmp(p, c->id, strlen(c->id)), 0, "line %zu", i + 1);
		cr_assert_not_null(strstr(p, severity_name(c->severity)));
	}
	free(out);
}

Test(catalogue, json_has_metadata_and_defaults)
{
	char *out = catalogue(true);
	json_error_t jerr;
	json_t *all = json_loads(out, JSON_REJECT_DUPLICATES, &jerr), *c;
	size_t i;

	cr_assert_not_null(all, "%s", jerr.text);
	cr_assert_eq(json_array_size(all), registry_count());
	json_array_foreach(all, i, c) {
		const struct check *rc = registry_get(i);
		json_t *params = json_object_get(c, "parameters");
		size_t np = 0;

		cr_assert_str_eq(str_at(c, "id"), rc->id);
		cr_assert_str_eq(str_at(c, "family"), rc->family);
		cr_assert_str_eq(str_at(c, "severity"), severity_name(rc->severity));
		cr_assert(json_is_string(json_object_get(c, "rationale")));
		cr_assert(json_is_string(json_object_get(c, "remediation")));
		cr_assert(json_is_array(json_object_get(c, "references")));
		cr_assert(json_is_array(json_object_get(c, "supersedes")));
		for (const struct check_param *p = rc->params; p && p->name; p++, np++) {
			json_t *jp = json_array_get(params, np);
			json_t *def = json_object_get(jp, "default");

			cr_assert_str_eq(str_at(jp, "name"), p->name);
			if (p->type == PARAM_INT) {
				cr_assert_str_eq(str_at(jp, "type"), "int");
				cr_assert_eq(json_integer_value(def), p->def);
			} else if (p->type == PARAM_STRINGS) {
				cr_assert_str_eq(str_at(jp, "type"), "list");
				cr_assert(json_is_array(def));
			} else {
				cr_assert_str_eq(str_at(jp, "type"), "object");
				cr_assert(json_is_object(def));
			}
		}
		cr_assert_eq(json_array_size(params), np);
	}
	free(out);
	json_decref(all);
}

Test(catalogue, known_entries)
{
	char *out = catalogue(true);
	json_t *all = json_loads(out, 0, NULL), *c, *found = NULL;
	size_t i;

	json_array_foreach(all, i, c)
		if (!strcmp(str_at(c, "id"), "priv.group-size"))
			found = c;
	cr_assert_not_null(found);
	c = json_array_get(json_object_get(found, "parameters"), 0);
	cr_assert_str_eq(str_at(c, "name"), "max_members");
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(c, "default"), "Domain Admins")), 5);
	json_array_foreach(all, i, c)
		if (!strcmp(str_at(c, "id"), "vpn.never-used"))
			found = c;
	cr_assert_eq(json_array_size(json_object_get(found, "supersedes")), 3);
	free(out);
	json_decref(all);
}

Test(catalogue, write_error_is_reported)
{
	FILE *fp = fopen("/dev/full", "w");
	struct error err = ERROR_INIT;

	cr_assert_not_null(fp);
	cr_assert_eq(report_catalogue(fp, true, &err), -1);
	cr_assert_eq(err.code, EXIT_REPORT);
	fclose(fp);
}

/* Readiness (auditor/readiness.h) */

/* alice is VPN-capable without MFA; krbtgt was rotated after the incident. */
static struct fixture *readiness_fixture(bool with_vpn)
{
	struct sbuf sb = SBUF_INIT;
	struct fixture *fx;

	sbuf_adds(&sb, fixture_domain_ldif);
	sbuf_addf(&sb,
		  "dn: CN=krbtgt,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName: krbtgt\nobjectSid: S-1-5-21-1-2-3-502\n"
		  "userAccountControl: 514\npwdLastSet: %s\nprimaryGroupID: 513\n\n"
		  "dn: CN=VPN-Users,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: group\nsAMAccountName: VPN-Users\nobjectSid: S-1-5-21-1-2-3-3000\n"
		  "member: CN=alice,CN=Users,DC=corp,DC=example,DC=test\n\n"
		  "dn: CN=alice,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName: alice\nobjectSid: S-1-5-21-1-2-3-1200\n"
		  "userAccountControl: 512\npwdLastSet: %s\nlastLogonTimestamp: %s\n"
		  "whenCreated: 20200101000000.0Z\nprimaryGroupID: 513\nemployeeID: 7\n\n",
		  fixture_filetime("2025-10-05T00:00:00Z"), fixture_filetime_days_ago(ISO_NOW, 10),
		  fixture_filetime_days_ago(ISO_NOW, 1));
	fx = fixture_run(sb.buf, with_vpn ?
			 "{\"version\": 1, \"vpn\": {\"groups\": [\"VPN-Users\"]},"
			 " \"incident\": {\"password_reset_after\": \"2025-10-04\"}}" :
			 "{\"version\": 1, \"vpn\": {\"dialin_attribute\": false},"
			 " \"incident\": {\"password_reset_after\": \"2025-10-04\"}}",
			 ISO_NOW);
	sbuf_release(&sb);
	return fx;
}

Test(json, readiness_section_when_vpn_checks_ran)
{
	struct fixture *fx = readiness_fixture(true);
	json_t *doc = write_fixture(fx, "r.json", NOW);
	json_t *r = json_object_get(doc, "readiness"), *k, *reasons;
	const char *keys[] = { "verdict", "incident", "vpn_capable", "no_mfa", "password_not_reset",
			       "stale", "never_used", "privileged", "unowned", "waived", "krbtgt",
			       "unknown_checks", "reasons" };
	const char *key, *prev = NULL;
	json_t *val;
	size_t i = 0;

	cr_assert_not_null(r, "no readiness");
	json_object_foreach(r, key, val) {
		cr_assert_lt(i, sizeof(keys) / sizeof(keys[0]), "unexpected key %s", key);
		cr_assert_str_eq(key, keys[i]);
		i++;
	}
	cr_assert_eq(i, sizeof(keys) / sizeof(keys[0]));
	/* right after the summary */
	json_object_foreach(doc, key, val) {
		if (strcmp(key, "readiness") == 0)
			break;
		prev = key;
	}
	cr_assert_str_eq(prev, "summary");
	cr_assert_str_eq(str_at(r, "verdict"), "NO-GO");
	cr_assert_str_eq(str_at(r, "incident"), "2025-10-04T00:00:00Z");
	cr_assert_eq(int_at(r, "vpn_capable", NULL), 1);
	cr_assert_eq(int_at(r, "no_mfa", NULL), 1);
	cr_assert_eq(int_at(r, "password_not_reset", NULL), 0);
	cr_assert_eq(int_at(r, "stale", NULL), 0);
	cr_assert_eq(int_at(r, "never_used", NULL), 0);
	cr_assert_eq(int_at(r, "privileged", NULL), 0);
	cr_assert_eq(int_at(r, "unowned", NULL), 0);
	cr_assert_eq(int_at(r, "waived", NULL), 0);
	k = json_object_get(r, "krbtgt");
	cr_assert(json_is_true(json_object_get(k, "rotated")));
	cr_assert_str_eq(str_at(k, "pwd_last_set"), "2025-10-05T00:00:00Z");
	cr_assert_eq(json_array_size(json_object_get(r, "unknown_checks")), 0);
	reasons = json_object_get(r, "reasons");
	cr_assert_eq(json_array_size(reasons), 1);
	cr_assert_str_eq(json_string_value(json_array_get(reasons, 0)),
			 "1 VPN-capable account without MFA evidence (vpn.no-mfa)");
	json_decref(doc);
	fixture_free(fx);
}

Test(json, no_readiness_section_when_vpn_checks_did_not_run)
{
	struct fixture *fx = readiness_fixture(false);
	json_t *doc = write_fixture(fx, "r.json", NOW);

	cr_assert_eq(fixture_status(fx, "vpn.no-mfa"), STATUS_UNKNOWN);
	cr_assert_null(json_object_get(doc, "readiness"));
	json_decref(doc);
	fixture_free(fx);
}

Test(json, hand_audit_readiness_lists_unknown_vpn_check)
{
	struct hand *h = hand_new();
	json_t *doc = write_and_load(h, "r.json");
	json_t *r = json_object_get(doc, "readiness"), *unk;
	size_t idx;

	cr_assert_not_null(registry_find("vpn.stale", &idx));
	cr_assert_eq(idx, 0, "the hand audit makes check 0 unknown");
	cr_assert_str_eq(str_at(r, "verdict"), "NO-GO");
	cr_assert(json_is_null(json_object_get(r, "incident")));
	cr_assert(json_is_null(json_object_get(json_object_get(r, "krbtgt"), "rotated")));
	unk = json_object_get(r, "unknown_checks");
	cr_assert_eq(json_array_size(unk), 1);
	cr_assert_str_eq(json_string_value(json_array_get(unk, 0)), "vpn.stale");
	json_decref(doc);
	hand_free(h);
}

/*
 * The hand-written emitter: every byte as jansson 2.14 would write the
 * same tree with JSON_INDENT(2) | JSON_PRESERVE_ORDER. Two comparisons:
 * the whole report against jansson's dump of the report read back (layout
 * and escaping everywhere), and a finding's evidence against jansson's
 * dump of the equivalent tree (finding_evidence()), indented to where it
 * sits in the report.
 */

#define PRETTY (JSON_INDENT(2) | JSON_PRESERVE_ORDER)

/* Every control character, quote, backslash, slash, DEL and non-ASCII. */
static void hostile_text(char *buf)
{
	static const char tail[] = "\"\\/\x7f" "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x94\x91 end";
	size_t n = 0;

	for (int c = 1; c < 0x20; c++)
		buf[n++] = (char)c;
	memcpy(buf + n, tail, sizeof(tail));
}

/* The report at name must be what jansson writes for the report it holds. */
static char *assert_jansson_layout(const char *name)
{
	char *text = slurp(in_dir(name));
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);
	char *again;
	struct sbuf want = SBUF_INIT;

	cr_assert_not_null(doc, "invalid JSON: %s at %d:%d", jerr.text, jerr.line, jerr.column);
	again = json_dumps(doc, PRETTY);
	sbuf_addf(&want, "%s\n", again);
	cr_assert_str_eq(text, want.buf);
	sbuf_release(&want);
	free(again);
	json_decref(doc);
	return text;
}

/* jansson's dump of v, each line after the first indented by depth levels. */
static char *dump_at_depth(json_t *v, int depth)
{
	char *d = json_dumps(v, PRETTY);
	struct sbuf sb = SBUF_INIT;

	for (const char *p = d; *p; p++) {
		sbuf_addch(&sb, *p);
		if (*p == '\n')
			for (int i = 0; i < depth; i++)
				sbuf_adds(&sb, "  ");
	}
	free(d);
	return sbuf_detach(&sb);
}

Test(json, emit_evidence_of_every_type_is_what_jansson_writes)
{
	struct hand *h = hand_new();
	struct error err = ERROR_INIT;
	struct report_meta m = meta(NOW);
	struct finding *f = h->a.findings[0];
	char hostile[64];
	const char *list[] = { "plain", NULL, "tab\there", "bad \xff\xfe byte", "", "q\"\\" };
	json_t *want, *arr;
	char *text, *ev;

	hostile_text(hostile);
	finding_ev_str(f, "hostile", hostile);
	finding_ev_str(f, "invalid", "Passwort: \xfc" "ber \xed\xa0\x80 \xc0\xaf");
	finding_ev_str(f, "none", NULL);
	finding_ev_int(f, "negative", -42);
	finding_ev_int(f, "min", -9223372036854775807LL - 1);
	finding_ev_int(f, "max", 9223372036854775807LL);
	finding_ev_bool(f, "yes", true);
	finding_ev_bool(f, "no", false);
	finding_ev_time(f, "never", TIME_NEVER);
	finding_ev_time(f, "when", NOW);
	finding_ev_strs(f, "empty", NULL, 0);
	finding_ev_strs(f, "list", list, sizeof(list) / sizeof(*list));
	finding_ev_str(f, hostile, "a hostile key");
	finding_ev_int(f, "days", 7);              /* set twice: replaced in place */

	/* the tree the old jansson evidence held */
	want = json_object();
	json_object_set_new(want, "days", json_integer(7));
	json_object_set_new(want, "hostile", json_string(hostile));
	json_object_set_new(want, "invalid", json_string("Passwort: \xef\xbf\xbd" "ber "
							 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
							 "\xef\xbf\xbd\xef\xbf\xbd"));
	json_object_set_new(want, "none", json_null());
	json_object_set_new(want, "negative", json_integer(-42));
	json_object_set_new(want, "min", json_integer(-9223372036854775807LL - 1));
	json_object_set_new(want, "max", json_integer(9223372036854775807LL));
	json_object_set_new(want, "yes", json_true());
	json_object_set_new(want, "no", json_false());
	json_object_set_new(want, "never", json_null());
	json_object_set_new(want, "when", json_string("2026-01-01T00:00:00Z"));
	json_object_set_new(want, "empty", json_array());
	arr = json_array();
	json_array_append_new(arr, json_string("plain"));
	json_array_append_new(arr, json_string(""));
	json_array_append_new(arr, json_string("tab\there"));
	json_array_append_new(arr, json_string("bad \xef\xbf\xbd\xef\xbf\xbd byte"));
	json_array_append_new(arr, json_string(""));
	json_array_append_new(arr, json_string("q\"\\"));
	json_object_set_new(want, "list", arr);
	json_object_set_new(want, hostile, json_string("a hostile key"));
	cr_assert(json_equal(finding_evidence(f), want), "finding_evidence() differs");

	cr_assert_eq(report_json_write(&h->a, &m, in_dir("r.json"), &err), 0, "%s", err.msg);
	text = assert_jansson_layout("r.json");
	ev = dump_at_depth(want, 3);
	cr_assert_not_null(strstr(text, ev), "evidence not as jansson dumps it:\n%s", ev);
	cr_assert_not_null(strstr(text, "\\u000B\\f\\r\\u000E"), "upper-case \\u escapes");
	cr_assert_not_null(strstr(text, "\\u001F\\\"\\\\/\x7f" "caf\xc3\xa9"), "DEL and UTF-8 raw");
	free(ev);
	free(text);
	json_decref(want);
	hand_free(h);
}

Test(json, emit_invalid_utf8_evidence_keys_are_cleaned)
{
	struct hand *h = hand_new();
	struct error err = ERROR_INIT;
	struct report_meta m = meta(NOW);
	json_t *doc, *ev, *want;
	char *text, *dump;

	finding_ev_str(h->a.findings[0], "k\xff", "v");
	/* two keys that clean alike: the second value takes the first place */
	finding_ev_int(h->a.findings[1], "a\xfe", 1);
	finding_ev_int(h->a.findings[1], "b", 2);
	finding_ev_int(h->a.findings[1], "a\xff", 3);
	cr_assert_eq(report_json_write(&h->a, &m, in_dir("r.json"), &err), 0, "%s", err.msg);
	text = assert_jansson_layout("r.json");
	doc = json_loads(text, 0, NULL);
	ev = json_object_get(json_array_get(json_object_get(doc, "findings"), 0), "evidence");
	want = json_pack("{s:I, s:s}", "days", (json_int_t)400, "k\xef\xbf\xbd", "v");
	cr_assert(json_equal(ev, want));
	json_decref(want);
	ev = json_object_get(json_array_get(json_object_get(doc, "findings"), 1), "evidence");
	want = json_pack("{s:I, s:I, s:I}", "days", (json_int_t)400, "a\xef\xbf\xbd", (json_int_t)3,
			 "b", (json_int_t)2);
	cr_assert(json_equal(ev, want));
	dump = dump_at_depth(want, 3);
	cr_assert_not_null(strstr(text, dump), "order kept:\n%s", dump);
	free(dump);
	json_decref(want);
	json_decref(doc);
	free(text);
	hand_free(h);
}

/*
 * An account as the JSON schema lists it (DESIGN.md), built with jansson
 * from the account's fields: the oracle for the hand-written writer.
 */
static json_t *expected_account(const struct account *acc)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} flags[] = {
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
	}, mfa[] = {
		{ MFA_SRC_GROUP, "group" },
		{ MFA_SRC_SMARTCARD, "smartcard" },
		{ MFA_SRC_ATTRIBUTE, "attribute" },
		{ MFA_SRC_CSV, "csv" },
	};
	json_t *o = json_object(), *srcs = json_array(), *fl = json_array();

	json_object_set_new(o, "sam", report_json_str(acc->h.sam));
	json_object_set_new(o, "dn", report_json_str(acc->h.dn));
	json_object_set_new(o, "sid", report_json_str(acc->h.sid));
	json_object_set_new(o, "kind", json_string(dir_kind_name(acc->h.kind)));
	json_object_set_new(o, "enabled", json_boolean(acc->enabled));
	json_object_set_new(o, "path", report_json_str(acc->priv_path));
	json_object_set_new(o, "last_logon", report_json_time(acc->last_logon_eff));
	json_object_set_new(o, "pwd_last_set",
			    report_json_time(acc->pwd_state == PWD_SET ? acc->pwd_last_set
								: TIME_NEVER));
	json_object_set_new(o, "must_change", json_boolean(acc->pwd_state == PWD_MUST_CHANGE));
	json_object_set_new(o, "mfa", json_boolean(acc->mfa_sources != 0));
	for (size_t i = 0; i < sizeof(mfa) / sizeof(mfa[0]); i++)
		if (acc->mfa_sources & mfa[i].bit)
			json_array_append_new(srcs, json_string(mfa[i].name));
	json_object_set_new(o, "mfa_sources", srcs);
	json_object_set_new(o, "vpn", json_boolean(acc->vpn));
	json_object_set_new(o, "spn", json_integer((json_int_t)acc->nspns));
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (acc->uac & flags[i].bit)
			json_array_append_new(fl, json_string(flags[i].name));
	json_object_set_new(o, "flags", fl);
	json_object_set_new(o, "protected_users", json_boolean(acc->protected_users));
	return o;
}

Test(json, emit_whole_report_is_laid_out_as_jansson_does)
{
	struct hand *h = hand_new();
	struct error err = ERROR_INIT;
	struct report_meta m = meta(NOW);
	json_t *doc, *accs;
	char hostile[64];
	char *text;

	hostile_text(hostile);
	free(h->a.findings[2]->message);
	h->a.findings[2]->message = xstrdup(hostile);
	h->acc[2].priv_path = "alice -> \"IT\\Admins\" -> \xff Domain Admins";
	h->acc[1].uac |= UAC_PASSWD_NOTREQD | UAC_TRUSTED_TO_AUTH_FOR_DELEGATION;
	h->acc[1].mfa_sources = MFA_SRC_SMARTCARD | MFA_SRC_ATTRIBUTE;
	h->acc[1].nspns = 123456789;
	cr_assert_eq(report_json_write(&h->a, &m, in_dir("r.json"), &err), 0, "%s", err.msg);
	text = assert_jansson_layout("r.json");
	doc = json_loads(text, 0, NULL);
	cr_assert_str_eq(str_at(json_array_get(json_object_get(doc, "findings"), 2), "message"),
			 hostile);
	/* the accounts as the schema lists them */
	accs = json_object_get(doc, "privileged_accounts");
	cr_assert_eq(json_array_size(accs), 2);
	for (size_t i = 0; i < json_array_size(accs); i++) {
		const char *sam = str_at(json_array_get(accs, i), "sam");
		struct account *acc = !strcmp(sam, "alice") ? &h->acc[2] : &h->acc[1];
		json_t *want = expected_account(acc), *clean;
		char *d = json_dumps(want, JSON_ENCODE_ANY);

		/* report_json_str() already cleans: the dump round-trips */
		clean = json_loads(d, 0, NULL);
		cr_assert(json_equal(json_array_get(accs, i), clean), "%s differs", sam);
		free(d);
		json_decref(clean);
		json_decref(want);
	}
	json_decref(doc);
	free(text);
	hand_free(h);
}

Test(json, emit_resolved_tree_of_any_shape_is_laid_out_as_jansson_does)
{
	struct hand *h = hand_new();
	struct error err = ERROR_INIT;
	struct report_meta m = meta(NOW);
	json_t *resolved = json_array(), *o = json_object(), *doc, *r;
	char hostile[64];
	char *text, *want;

	hostile_text(hostile);
	json_object_set_new(o, "key", json_string("pwd.old|S-1-5-21-1-2-3-1200"));
	json_object_set_new(o, hostile, json_string(hostile));
	json_object_set_new(o, "real", json_real(0.1));
	json_object_set_new(o, "int", json_integer(-7));
	json_object_set_new(o, "nested", json_pack("{s:[], s:{}, s:[{s:n, s:b}]}", "a", "o", "deep",
						   "x", "y", 1));
	json_array_append_new(resolved, o);
	json_array_append_new(resolved, json_array());
	m.resolved = resolved;
	cr_assert_eq(report_json_write(&h->a, &m, in_dir("r.json"), &err), 0, "%s", err.msg);
	text = assert_jansson_layout("r.json");
	want = dump_at_depth(resolved, 1);
	cr_assert_not_null(strstr(text, want));
	free(want);
	free(text);

	/* invalid UTF-8 anywhere: the tree is cleaned, keys included */
	json_object_set_new_nocheck(o, "bad\xff", json_stringn_nocheck("x\xfe", 2));
	cr_assert_eq(report_json_write(&h->a, &m, in_dir("r.json"), &err), 0, "%s", err.msg);
	free(assert_jansson_layout("r.json"));
	doc = json_load_file(in_dir("r.json"), 0, NULL);
	r = json_array_get(json_object_get(doc, "resolved"), 0);
	cr_assert_str_eq(str_at(r, "bad\xef\xbf\xbd"), "x\xef\xbf\xbd");
	cr_assert_str_eq(str_at(r, "key"), "pwd.old|S-1-5-21-1-2-3-1200");
	json_decref(doc);
	json_decref(resolved);
	hand_free(h);
}

/*
 * A report several times the 1 MB write buffer: a string and an evidence
 * array each spanning buffers, so that the writer thread goes round its
 * ring of buffers more than once; and enough findings for the second
 * formatting thread to have chunks of them.
 */
static struct hand *big_hand(void)
{
	struct hand *h = hand_new();
	struct finding *f = h->a.findings[3];
	const char **many = xcalloc(150000, sizeof(*many));
	char *big = xmalloc(2500001);

	for (size_t i = 0; i < 150000; i++)
		many[i] = i % 3 ? "member-with-a-longish-name" : "tab\tand \"quote\"";
	finding_ev_strs(f, "members", many, 150000);
	memset(big, 'x', 2500000);
	big[2500000] = '\0';
	big[1000000] = '\n';
	finding_ev_str(f, "big", big);
	free(big);
	free(many);
	for (size_t i = 0; i < 2500; i++)
		push(h, registry_get(1), SEV_MEDIUM, &h->acc[i % 4], "one of many", NULL);
	return h;
}

/* Threads of this process, from /proc/self/status. */
static int thread_count(void)
{
	FILE *fp = fopen("/proc/self/status", "r");
	char line[256];
	int n = -1;

	cr_assert_not_null(fp);
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(fp);
	return n;
}

/*
 * Whether the process is back to n threads within a second: a joined
 * thread can still be counted for a moment while the kernel reaps it.
 */
static bool threads_back_to(int n)
{
	for (int i = 0; i < 100; i++) {
		if (thread_count() == n)
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * Write h's report to r.json, check that every thread the writing started
 * was joined and that the layout is jansson's; the text (caller frees).
 */
static char *write_laid_out(struct hand *h)
{
	struct error err = ERROR_INIT;
	struct report_meta m = meta(NOW);
	int threads = thread_count();

	cr_assert_eq(report_json_write(&h->a, &m, in_dir("r.json"), &err), 0, "%s", err.msg);
	cr_assert(threads_back_to(threads), "a report thread was not joined");
	return assert_jansson_layout("r.json");
}

Test(json, emit_big_report_crosses_the_write_buffers_intact)
{
	struct hand *h = big_hand();
	char *text = write_laid_out(h);

	cr_assert_gt(strlen(text), 6 * 1024 * 1024);
	free(text);
	hand_free(h);
}

/*
 * Findings are formatted in chunks, every other one on a second thread:
 * 5,000 of them (several chunks, an odd count, the last chunk short) come
 * out in order, laid out as jansson does. (big_hand's tests cover a
 * report written when no thread can start.)
 */
Test(json, many_findings_cross_the_formatting_chunks_in_order)
{
	struct hand *h = hand_new();
	size_t first = h->a.nfindings, n = 5000;
	json_error_t jerr;
	json_t *doc, *findings;
	char *text;

	for (size_t i = 0; i < n; i++) {
		struct sbuf msg = SBUF_INIT, detail = SBUF_INIT;

		sbuf_addf(&msg, "finding %05zu \"quoted\"", i);
		sbuf_addf(&detail, "d%05zu", i);
		push(h, registry_get(0), SEV_LOW, &h->acc[i % 4], msg.buf, detail.buf);
		sbuf_release(&msg);
		sbuf_release(&detail);
	}
	text = write_laid_out(h);
	doc = json_loads(text, 0, &jerr);
	findings = json_object_get(doc, "findings");
	cr_assert_eq(json_array_size(findings), h->a.nfindings);
	for (size_t i = 0; i < n; i++) {
		char want[64];

		snprintf(want, sizeof(want), "finding %05zu \"quoted\"", i);
		cr_assert_str_eq(str_at(json_array_get(findings, first + i), "message"), want);
	}
	json_decref(doc);
	free(text);
	hand_free(h);
}

/*
 * Strings are copied sixteen bytes at a time until a byte needs an
 * escape or a UTF-8 check: a message of every length up to 48 with one
 * such byte (or DEL, or a lone invalid one) at every place comes back
 * whole and in place. The 8,000-odd findings fill several write buffers
 * and formatting chunks, so messages also straddle their ends at many
 * offsets.
 */
Test(json, strings_with_a_byte_to_escape_anywhere_come_back_whole)
{
	static const char *const odd[] = { "\"", "\\", "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xff" };
	struct hand *h = hand_new();
	size_t first = h->a.nfindings, n = 0;
	struct sbuf *want = NULL;
	size_t want_alloc = 0;
	json_error_t jerr;
	json_t *doc, *findings;
	char *text;

	for (size_t len = 1; len <= 48; len++)
		for (size_t at = 0; at < len; at++)
			for (size_t k = 0; k < sizeof(odd) / sizeof(*odd); k++) {
				struct sbuf msg = SBUF_INIT;

				for (size_t i = 0; i < len; i++)
					sbuf_adds(&msg, i == at ? odd[k] : i % 2 ? "b" : "a");
				push(h, registry_get(0), SEV_LOW, &h->acc[n % 4], msg.buf, NULL);
				xgrow(&want, &want_alloc, n + 1, sizeof(*want));
				sbuf_init(&want[n]);
				/* the lone 0xff is replaced, as report_json_str() does */
				for (size_t i = 0; i < len; i++)
					sbuf_adds(&want[n], i != at ? (i % 2 ? "b" : "a")
							  : k == 6 ? "\xef\xbf\xbd" : odd[k]);
				sbuf_release(&msg);
				n++;
			}
	text = write_laid_out(h);
	cr_assert_gt(strlen(text), 2 * 1024 * 1024);
	doc = json_loads(text, 0, &jerr);
	cr_assert_not_null(doc, "%s", jerr.text);
	findings = json_object_get(doc, "findings");
	cr_assert_eq(json_array_size(findings), first + n);
	for (size_t i = 0; i < n; i++) {
		cr_assert_str_eq(str_at(json_array_get(findings, first + i), "message"), want[i].buf,
				 "finding %zu", i);
		sbuf_release(&want[i]);
	}
	free(want);
	json_decref(doc);
	free(text);
	hand_free(h);
}

/*
 * A long list of accounts is formatted in chunks on two threads too, and
 * sorted by sAMAccountName through the names' first sixteen bytes: 3,001
 * VPN accounts whose names differ only after those come out in byte
 * order, laid out as jansson does.
 */
Test(json, many_accounts_cross_the_formatting_chunks_in_order)
{
	struct hand *h = hand_new();
	size_t n = 3001;
	struct account *acc = xcalloc(n, sizeof(*acc));
	struct account **v = xcalloc(n, sizeof(*v));
	char **names = xcalloc(n, sizeof(*names));
	json_error_t jerr;
	json_t *doc, *vpn;
	char *text;

	for (size_t i = 0; i < n; i++) {
		struct sbuf name = SBUF_INIT, rid = SBUF_INIT;

		/* directory order is not name order: a step prime to n */
		sbuf_addf(&name, "vpn-user-sixteen%05zu", (i * 1409) % n);
		sbuf_addf(&rid, "%zu", 5000 + i);
		names[i] = sbuf_detach(&name);
		account_set(&acc[i], names[i], rid.buf, true);
		acc[i].vpn = true;
		v[i] = &acc[i];
		sbuf_release(&rid);
	}
	h->d.accounts = v;
	h->d.naccounts = n;
	text = write_laid_out(h);
	doc = json_loads(text, 0, &jerr);
	vpn = json_object_get(doc, "vpn_accounts");
	cr_assert_eq(json_array_size(vpn), n);
	for (size_t i = 0; i < n; i++) {
		char want[64];

		snprintf(want, sizeof(want), "vpn-user-sixteen%05zu", i);
		cr_assert_str_eq(str_at(json_array_get(vpn, i), "sam"), want);
	}
	json_decref(doc);
	free(text);
	for (size_t i = 0; i < n; i++) {
		free((char *)acc[i].h.dn);
		free((char *)acc[i].h.sid);
		free(names[i]);
	}
	free(names);
	free(acc);
	free(v);
	h->d.accounts = h->accs;
	h->d.naccounts = 4;
	hand_free(h);
}

/* Two reports' texts are the same bytes; both are freed. */
static void assert_same_text(char *x, char *y)
{
	cr_assert_eq(strlen(x), strlen(y));
	cr_assert(strcmp(x, y) == 0);
	free(x);
	free(y);
}

static void *idle(void *arg)
{
	return arg;
}

Test(json, big_report_is_the_same_when_no_thread_can_start)
{
	struct hand *h = big_hand();
	struct error err = ERROR_INIT;
	struct report_meta m = meta(NOW);
	struct rlimit rl, saved;
	long pages = 0;
	FILE *fp;
	char *threaded, *inlined;
	pthread_t t;

	/*
	 * Too little address space for a thread stack (8 MB by default) but
	 * enough for the buffers: the report is written without the thread.
	 * First, before any thread has run: glibc reuses a joined thread's
	 * stack.
	 */
	fp = fopen("/proc/self/statm", "r");
	cr_assert_not_null(fp);
	cr_assert_eq(fscanf(fp, "%ld", &pages), 1);
	fclose(fp);
	cr_assert_eq(getrlimit(RLIMIT_AS, &saved), 0);
	rl = saved;
	rl.rlim_cur = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + 6 * 1024 * 1024;
	cr_assert_eq(setrlimit(RLIMIT_AS, &rl), 0);
	cr_assert_eq(report_json_write(&h->a, &m, in_dir("b.json"), &err), 0, "%s", err.msg);
	cr_assert_neq(pthread_create(&t, NULL, idle, NULL), 0, "a thread could still start");
	cr_assert_eq(setrlimit(RLIMIT_AS, &saved), 0);
	cr_assert_eq(report_json_write(&h->a, &m, in_dir("a.json"), &err), 0, "%s", err.msg);
	threaded = slurp(in_dir("a.json"));
	inlined = slurp(in_dir("b.json"));
	assert_same_text(inlined, threaded);
	hand_free(h);
}

Test(json, big_report_write_failure_keeps_previous_and_leaves_no_temp)
{
	struct hand *h = big_hand();
	int threads = thread_count();

	/* the limit is reached by the writer thread, buffers after the first */
	expect_write_fails_at(h, 1536 * 1024);
	cr_assert(threads_back_to(threads), "the writer thread was not joined");
	hand_free(h);
}

/* A hand of n more findings, each with its own message and detail. */
static struct hand *many_hand(size_t n)
{
	struct hand *h = hand_new();

	for (size_t i = 0; i < n; i++) {
		struct sbuf msg = SBUF_INIT, detail = SBUF_INIT;

		sbuf_addf(&msg, "finding %05zu \"quoted\"", i);
		sbuf_addf(&detail, "d%05zu", i);
		push(h, registry_get(i % 5), SEV_LOW, &h->acc[i % 4], msg.buf, detail.buf);
		sbuf_release(&msg);
		sbuf_release(&detail);
	}
	return h;
}

/*
 * Whether the file system of the test directory writes past the page
 * cache with O_DIRECT: tmpfs takes the flag but keeps the pages, and some
 * file systems refuse it.
 */
static bool direct_writes_here(void)
{
	struct statfs fs;
	void *block = NULL;
	int fd;
	bool ok;

	if (statfs(in_dir("."), &fs) < 0 || fs.f_type == TMPFS_MAGIC)
		return false;
	fd = open(in_dir("probe"), O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0600);
	if (fd < 0)
		return false;
	cr_assert_eq(posix_memalign(&block, 4096, 4096), 0);
	memset(block, 'x', 4096);
	ok = write(fd, block, 4096) == 4096;
	close(fd);
	free(block);
	unlink(in_dir("probe"));
	return ok;
}

/* The pages of file path in the page cache, and in all (*total). */
static size_t pages_cached(const char *path, size_t *total)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd = open(path, O_RDONLY);
	struct stat st;
	unsigned char *vec;
	void *map;
	size_t n = 0;

	cr_assert(fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0);
	*total = ((size_t)st.st_size + (size_t)page - 1) / (size_t)page;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	cr_assert_neq(map, MAP_FAILED);
	vec = xmalloc(*total);
	cr_assert_eq(mincore(map, (size_t)st.st_size, vec), 0);
	for (size_t i = 0; i < *total; i++)
		n += vec[i] & 1;
	free(vec);
	munmap(map, (size_t)st.st_size);
	close(fd);
	return n;
}

/*
 * A report of 20,000 findings goes to its file past the page cache
 * (O_DIRECT), its last buffer of any length through it: the file's pages
 * are not cached but for the last buffer's, and it holds the bytes a
 * stream gets. Skipped where the file system cannot tell (tmpfs) or
 * refuses direct writes.
 */
Test(json, large_report_written_direct_is_what_a_stream_gets)
{
	struct hand *h = many_hand(20000);
	struct error err = ERROR_INIT;
	struct report_meta m = meta(NOW);
	FILE *fp;
	char *direct, *streamed;
	size_t cached, total;

	if (!direct_writes_here()) {
		hand_free(h);
		cr_skip_test("the test directory's file system does not write past the page cache");
	}
	cr_assert_eq(report_json_write(&h->a, &m, in_dir("d.json"), &err), 0, "%s", err.msg);
	cached = pages_cached(in_dir("d.json"), &total);
	cr_assert_gt(total, 2048, "%zu pages", total);
	cr_assert_leq(cached, 1024 * 1024 / 4096 + 1, "%zu of %zu pages cached", cached, total);
	fp = fopen(in_dir("s.json"), "w");
	cr_assert_not_null(fp);
	report_json_stream(fp, &h->a, &m);
	cr_assert_eq(fclose(fp), 0);
	direct = assert_jansson_layout("d.json");
	streamed = slurp(in_dir("s.json"));
	cr_assert_gt(strlen(direct), 8 * 1024 * 1024);
	assert_same_text(direct, streamed);
	hand_free(h);
}

/* A direct write that fails fails the report: the previous one is kept. */
Test(json, large_report_direct_write_failure_keeps_previous)
{
	struct hand *h = many_hand(20000);

	expect_write_fails_at(h, 1536 * 1024);
	hand_free(h);
}

Test(json, big_report_to_stdout)
{
	struct hand *h = big_hand();
	struct error err = ERROR_INIT;
	struct report_meta m = meta(NOW);
	char *file, *out;

	cr_assert_eq(report_json_write(&h->a, &m, in_dir("a.json"), &err), 0, "%s", err.msg);
	cr_assert_not_null(freopen(in_dir("b.json"), "w", stdout));
	fputs("before\n", stdout);
	cr_assert_eq(report_json_write(&h->a, &m, "-", &err), 0, "%s", err.msg);
	fputs("after\n", stdout);
	cr_assert_eq(fflush(stdout), 0);
	file = slurp(in_dir("a.json"));
	out = slurp(in_dir("b.json"));
	cr_assert_eq(strlen(out), strlen(file) + 13);
	cr_assert(strncmp(out, "before\n", 7) == 0);
	cr_assert(strncmp(out + 7, file, strlen(file)) == 0);
	cr_assert_str_eq(out + 7 + strlen(file), "after\n");
	free(file);
	free(out);

	/* a full device fails in the writer thread; the error is the device's */
	cr_assert_not_null(freopen("/dev/full", "w", stdout));
	cr_assert_eq(report_json_write(&h->a, &m, "-", &err), -1);
	cr_assert_eq(err.code, EXIT_REPORT);
	cr_assert_not_null(strstr(err.msg, "No space left on device"), "%s", err.msg);
	hand_free(h);
}
