/*
 * Tests for auditor/baseline.c: a report written by report_json_write()
 * from one audit, read back and compared with a second audit of a changed
 * directory (the same twice, an account fixed, renamed, added, a waiver
 * expiring), the resolved list as the JSON report carries it, and the
 * errors: malformed JSON with its position, other schemas, other domains,
 * --force.
 */
#include <criterion/criterion.h>

#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../auditor/baseline.h"
#include "../../auditor/error.h"
#include "../../auditor/exitcode.h"
#include "../../auditor/sbuf.h"
#include "../../auditor/timeutil.h"
#include "../../auditor/xalloc.h"
#include "../../reports/report.h"
#include "../fixture.h"

#define NOW "2026-01-15T00:00:00Z"
#define BASE "CN=Users,DC=corp,DC=example,DC=test"
#define UAC_NORMAL 0x200
#define UAC_NOEXPIRE 0x10000
#define UAC_REVERSIBLE 0x80
#define UAC_NOTREQD 0x20

static char tmpdir[] = "/tmp/privaudit-baseline.XXXXXX";

static void setup(void)
{
	cr_assert(mkdtemp(tmpdir) != NULL);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	cr_assert(system(cmd) == 0);
}

TestSuite(baseline, .init = setup, .fini = teardown);

/* A clean user (recent logon and password, created long ago) with extra UAC bits. */
static void user(struct sbuf *sb, const char *sam, unsigned rid, unsigned uac)
{
	sbuf_addf(sb,
		  "\ndn: CN=%s," BASE "\n"
		  "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
		  "objectClass: user\n"
		  "cn: %s\nsAMAccountName: %s\nobjectSid: S-1-5-21-1-2-3-%u\n"
		  "userAccountControl: %u\n"
		  "pwdLastSet: %s\nlastLogonTimestamp: %s\nwhenCreated: %s\nwhenChanged: %s\n"
		  "employeeID: %u\nmanager: CN=boss," BASE "\n",
		  sam, sam, sam, rid, UAC_NORMAL | uac, fixture_filetime_days_ago(NOW, 10),
		  fixture_filetime_days_ago(NOW, 2), fixture_gentime_days_ago(NOW, 400),
		  fixture_gentime_days_ago(NOW, 10), rid);
}

/*
 * The base directory: alice (password never expires), bob (reversible
 * encryption), carol (clean). Each flag is a pair of strings to vary.
 */
struct people {
	const char *alice_sam;
	unsigned bob_uac;
	bool dave;  /* a new account with PASSWD_NOTREQD */
};

static char *directory(const struct people *p)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_adds(&sb, fixture_domain_ldif);
	user(&sb, p->alice_sam ? p->alice_sam : "alice", 1101, UAC_NOEXPIRE);
	user(&sb, "bob", 1102, p->bob_uac);
	user(&sb, "carol", 1103, 0);
	if (p->dave)
		user(&sb, "dave", 1104, UAC_NOTREQD);
	return sbuf_detach(&sb);
}

static const struct people base_people = { NULL, UAC_REVERSIBLE, false };

static struct fixture *run(const struct people *p, const char *policy, const char *now)
{
	char *ldif = directory(p);
	struct fixture *fx = fixture_run(ldif, policy, now ? now : NOW);

	free(ldif);
	return fx;
}

/* Write fx's report as NAME in the temporary directory; returns its path (static). */
static const char *write_report(struct fixture *fx, const char *name, const json_t *resolved)
{
	static char path[4][256];
	static int next;
	struct report_meta m = { 0 };
	struct error err = ERROR_INIT;
	char *p = path[next++ % 4];

	snprintf(p, 256, "%s/%s", tmpdir, name);
	m.source_kind = "ldif";
	m.uri = "fixture.ldif";
	m.generated_at = fx->now;
	m.evaluated_at = fx->now;
	m.tool_version = "test";
	m.resolved = resolved;
	cr_assert(report_json_write(&fx->audit, &m, p, &err) == 0, "%s", err.msg);
	return p;
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	cr_assert(fp);
	fputs(text, fp);
	cr_assert(fclose(fp) == 0);
}

static const char *tmp_path(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	return p;
}

/* Load old, apply to fx (no force); asserts success. */
static void compare(struct baseline *b, const char *old, struct fixture *fx)
{
	struct error err = ERROR_INIT;

	baseline_init(b);
	cr_assert(baseline_load(b, old, &err) == 0, "%s", err.msg);
	cr_assert(baseline_apply(b, &fx->audit, fx->dir.domain_sid, false, &err) == 0, "%s",
		  err.msg);
}

static enum finding_change change_of(const struct fixture *fx, const char *check,
				     const char *sam)
{
	const struct finding *f = fixture_find(fx, check, sam);

	cr_assert(f, "no %s finding on %s", check, sam);
	return f->change;
}

/* Whether the resolved list holds a finding of check on sam. */
static bool resolved_has(const json_t *resolved, const char *check, const char *sam)
{
	size_t i;
	json_t *f;

	json_array_foreach(resolved, i, f) {
		const char *c = json_string_value(json_object_get(f, "check"));
		const char *s = json_string_value(
			json_object_get(json_object_get(f, "subject"), "sam"));

		if (c && s && strcmp(c, check) == 0 && strcmp(s, sam) == 0)
			return true;
	}
	return false;
}

/* The scenarios */

Test(baseline, same_directory_twice_is_all_persisting)
{
	struct fixture *a = run(&base_people, NULL, NULL), *b = run(&base_people, NULL, NULL);
	struct baseline bl;
	struct sbuf key = SBUF_INIT;

	cr_assert(a->audit.nfindings >= 2, "the fixture must have findings");
	compare(&bl, write_report(a, "old.json", NULL), b);
	cr_assert_eq(bl.nnew, 0);
	cr_assert_eq(bl.nresolved, 0);
	cr_assert_eq(bl.npersisting, b->audit.nfindings);
	cr_assert_eq(json_array_size(bl.resolved), 0);
	for (size_t i = 0; i < b->audit.nfindings; i++)
		cr_assert_eq(b->audit.findings[i]->change, CHANGE_PERSISTING, "%s",
			     finding_key(b->audit.findings[i], &key));
	sbuf_release(&key);
	baseline_release(&bl);
	fixture_free(a);
	fixture_free(b);
}

Test(baseline, fixed_account_is_resolved)
{
	struct people fixed = base_people;
	struct fixture *a, *b;
	struct baseline bl;

	fixed.bob_uac = 0;
	a = run(&base_people, NULL, NULL);
	b = run(&fixed, NULL, NULL);
	cr_assert(fixture_has(a, "pwd.reversible", "bob"));
	cr_assert(!fixture_has(b, "pwd.reversible", "bob"));
	compare(&bl, write_report(a, "old.json", NULL), b);
	cr_assert_eq(bl.nnew, 0);
	cr_assert_eq(bl.nresolved, 1);
	cr_assert_eq(bl.npersisting, b->audit.nfindings);
	cr_assert(resolved_has(bl.resolved, "pwd.reversible", "bob"));
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(bl.resolved, 0), "key")),
			 "pwd.reversible|S-1-5-21-1-2-3-1102");
	cr_assert_eq(change_of(b, "pwd.never-expires", "alice"), CHANGE_PERSISTING);
	baseline_release(&bl);
	fixture_free(a);
	fixture_free(b);
}

/* A report read from a pipe, which cannot be read twice: the resolved finding all the same. */
Test(baseline, a_baseline_from_a_pipe_gives_the_resolved_findings)
{
	struct people fixed = base_people;
	struct fixture *a = run(&base_people, NULL, NULL), *b;
	const char *old = write_report(a, "old.json", NULL), *fifo = tmp_path("pipe");
	struct baseline bl;
	struct error err = ERROR_INIT;
	pid_t pid;
	int status;

	fixed.bob_uac = 0;
	b = run(&fixed, NULL, NULL);
	cr_assert(mkfifo(fifo, 0600) == 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "cat '%s' > '%s'", old, fifo);
		_exit(system(cmd) == 0 ? 0 : 1);
	}
	baseline_init(&bl);
	cr_assert(baseline_load(&bl, fifo, &err) == 0, "%s", err.msg);
	cr_assert(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_gt(bl.nfindings, 0);
	cr_assert_not_null(bl.findings[0].text, "a pipe's findings are kept");
	cr_assert(baseline_apply(&bl, &b->audit, b->dir.domain_sid, false, &err) == 0, "%s",
		  err.msg);
	cr_assert_eq(bl.nresolved, 1);
	cr_assert(resolved_has(bl.resolved, "pwd.reversible", "bob"));
	baseline_release(&bl);
	fixture_free(a);
	fixture_free(b);
}

Test(baseline, renamed_account_persists_with_the_same_key)
{
	struct people renamed = base_people;
	struct fixture *a, *b;
	struct baseline bl;
	struct sbuf key = SBUF_INIT;
	char *old_key;

	renamed.alice_sam = "alice.smith";
	a = run(&base_people, NULL, NULL);
	b = run(&renamed, NULL, NULL);
	compare(&bl, write_report(a, "old.json", NULL), b);
	cr_assert_eq(bl.nnew, 0);
	cr_assert_eq(bl.nresolved, 0);
	cr_assert_eq(change_of(b, "pwd.never-expires", "alice.smith"), CHANGE_PERSISTING);
	old_key = xstrdup(finding_key(fixture_find(a, "pwd.never-expires", "alice"), &key));
	cr_assert_str_eq(finding_key(fixture_find(b, "pwd.never-expires", "alice.smith"), &key),
			 old_key);
	cr_assert_str_eq(key.buf, "pwd.never-expires|S-1-5-21-1-2-3-1101");
	free(old_key);
	sbuf_release(&key);
	baseline_release(&bl);
	fixture_free(a);
	fixture_free(b);
}

Test(baseline, new_account_is_new)
{
	struct people more = base_people;
	struct fixture *a, *b;
	struct baseline bl;

	more.dave = true;
	a = run(&base_people, NULL, NULL);
	b = run(&more, NULL, NULL);
	compare(&bl, write_report(a, "old.json", NULL), b);
	cr_assert_eq(change_of(b, "pwd.not-required", "dave"), CHANGE_NEW);
	cr_assert_eq(change_of(b, "pwd.reversible", "bob"), CHANGE_PERSISTING);
	cr_assert_eq(change_of(b, "pwd.never-expires", "alice"), CHANGE_PERSISTING);
	cr_assert_eq(bl.nnew, fixture_count(b, "pwd.not-required"));
	cr_assert_eq(bl.nnew, 1);
	cr_assert_eq(bl.nresolved, 0);
	cr_assert_eq(bl.npersisting + bl.nnew, b->audit.nfindings);
	baseline_release(&bl);
	fixture_free(a);
	fixture_free(b);
}

Test(baseline, expired_waiver_brings_the_finding_back_as_persisting)
{
	static const char policy[] =
		"{\"version\": 1, \"waivers\": [{\"check\": \"pwd.never-expires\", "
		"\"account\": \"alice\", \"reason\": \"vendor\", \"owner\": \"it-ops\", "
		"\"expires\": \"2026-01-31\"}]}";
	struct fixture *a = run(&base_people, policy, "2026-01-15T00:00:00Z");
	struct fixture *b = run(&base_people, policy, "2026-02-01T00:00:00Z");
	const struct finding *f;
	struct baseline bl;

	cr_assert(fixture_find(a, "pwd.never-expires", "alice")->waiver != NULL);
	cr_assert(!fixture_has(a, "policy.waiver-expired", "alice"));
	compare(&bl, write_report(a, "old.json", NULL), b);
	f = fixture_find(b, "pwd.never-expires", "alice");
	cr_assert(f->waiver == NULL, "the expired waiver must not hide the finding");
	cr_assert_eq(f->change, CHANGE_PERSISTING);
	cr_assert_eq(change_of(b, "policy.waiver-expired", "alice"), CHANGE_NEW);
	cr_assert_eq(bl.nnew, 1);
	cr_assert_eq(bl.nresolved, 0);
	baseline_release(&bl);
	fixture_free(a);
	fixture_free(b);
}

/* The JSON report carries the changes and the resolved findings */

Test(baseline, report_carries_change_and_resolved)
{
	struct people changed = base_people;
	struct fixture *a, *b;
	struct baseline bl;
	json_error_t jerr;
	json_t *doc, *findings, *f;
	size_t i, nnew = 0, npers = 0;

	changed.bob_uac = 0;
	changed.dave = true;
	a = run(&base_people, NULL, NULL);
	b = run(&changed, NULL, NULL);
	compare(&bl, write_report(a, "old.json", NULL), b);
	doc = json_load_file(write_report(b, "new.json", bl.resolved), 0, &jerr);
	cr_assert(doc, "%s", jerr.text);
	findings = json_object_get(doc, "findings");
	json_array_foreach(findings, i, f) {
		const char *c = json_string_value(json_object_get(f, "change"));

		cr_assert(c, "every finding has a change with a baseline");
		nnew += strcmp(c, "new") == 0;
		npers += strcmp(c, "persisting") == 0;
	}
	cr_assert_eq(nnew, bl.nnew);
	cr_assert_eq(npers, bl.npersisting);
	cr_assert_eq(json_array_size(json_object_get(doc, "resolved")), 1);
	cr_assert(resolved_has(json_object_get(doc, "resolved"), "pwd.reversible", "bob"));
	cr_assert_null(json_object_get(json_array_get(json_object_get(doc, "resolved"), 0),
				       "change"));
	json_decref(doc);
	baseline_release(&bl);
	fixture_free(a);
	fixture_free(b);
}

Test(baseline, a_report_written_with_a_baseline_is_itself_a_baseline)
{
	struct fixture *a = run(&base_people, NULL, NULL), *b = run(&base_people, NULL, NULL);
	struct baseline first, second;

	compare(&first, write_report(a, "q1.json", NULL), b);
	/* q2.json carries "change" and "resolved": still a valid baseline */
	compare(&second, write_report(b, "q2.json", first.resolved), a);
	cr_assert_eq(second.nnew, 0);
	cr_assert_eq(second.nresolved, 0);
	baseline_release(&first);
	baseline_release(&second);
	fixture_free(a);
	fixture_free(b);
}

Test(baseline, apply_twice_replaces_the_result)
{
	struct people fixed = base_people;
	struct fixture *a, *b;
	struct baseline bl;
	struct error err = ERROR_INIT;

	fixed.bob_uac = 0;
	a = run(&base_people, NULL, NULL);
	b = run(&fixed, NULL, NULL);
	compare(&bl, write_report(a, "old.json", NULL), b);
	cr_assert(baseline_apply(&bl, &b->audit, b->dir.domain_sid, false, &err) == 0);
	cr_assert_eq(bl.nresolved, 1);
	cr_assert_eq(json_array_size(bl.resolved), 1);
	cr_assert_eq(bl.npersisting + bl.nnew, b->audit.nfindings);
	baseline_release(&bl);
	fixture_free(a);
	fixture_free(b);
}

/* Matching as multisets */

static const char two_findings_one_key[] =
	"{\"schema\": \"privaudit.report/1\",\n"
	" \"source\": {\"domain_sid\": \"S-1-5-21-1-2-3\"},\n"
	" \"summary\": {\"gate\": {\"fail_on\": \"high\", \"verdict\": \"pass\"}},\n"
	" \"findings\": [\n"
	"  {\"check\": \"policy.waiver-expired\", \"severity\": \"medium\", "
	"\"subject\": {\"sam\": \"svc\"}, \"key\": \"policy.waiver-expired|svc\"},\n"
	"  {\"check\": \"policy.waiver-expired\", \"severity\": \"medium\", "
	"\"subject\": {\"sam\": \"svc\"}, \"key\": \"policy.waiver-expired|svc\"},\n"
	"  {\"check\": \"pwd.old\", \"severity\": \"medium\", "
	"\"subject\": {\"sam\": null}, \"key\": \"pwd.old|S-1-5-21-1-2-3-1101\", "
	"\"waiver\": {\"index\": 0}}\n"
	" ]}\n";

Test(baseline, keys_match_as_multisets)
{
	const char *path = tmp_path("multi.json");
	const char *keys[] = { "policy.waiver-expired|svc", "pwd.old|S-1-5-21-1-2-3-1101",
			       "pwd.old|s-1-5-21-1-2-3-1101", NULL, "pwd.old|S-1-5-21-1-2-3-1101" };
	size_t match[5];
	struct baseline b;
	struct error err = ERROR_INIT;
	bool *claimed;

	write_text(path, two_findings_one_key);
	baseline_init(&b);
	cr_assert(baseline_load(&b, path, &err) == 0, "%s", err.msg);
	cr_assert_eq(b.nfindings, 3);
	cr_assert(b.findings[2].waived);
	cr_assert_null(b.findings[2].sam);
	cr_assert_eq(b.fail_on, SEV_HIGH);
	claimed = baseline_match(&b, keys, 5, match);
	cr_assert_eq(match[0], 0);
	cr_assert_eq(match[1], 2);
	cr_assert_eq(match[2], BASELINE_NONE, "keys compare exactly");
	cr_assert_eq(match[3], BASELINE_NONE);
	cr_assert_eq(match[4], BASELINE_NONE, "an old finding is claimed once");
	cr_assert(claimed[0] && !claimed[1] && claimed[2]);
	free(claimed);
	baseline_release(&b);
}

/* Errors */

static void expect_load_error_file(const char *path, const char *pattern)
{
	struct baseline b;
	struct error err = ERROR_INIT;
	regex_t re;
	struct sbuf full = SBUF_INIT;

	baseline_init(&b);
	cr_assert(baseline_load(&b, path, &err) < 0, "accepted: %s", path);
	cr_assert_eq(err.code, EXIT_INPUT);
	sbuf_addf(&full, "^%s%s", path, pattern);
	cr_assert(regcomp(&re, full.buf, REG_EXTENDED | REG_NOSUB) == 0);
	cr_assert(regexec(&re, err.msg, 0, NULL, 0) == 0, "\"%s\" does not match \"%s\"",
		  err.msg, full.buf);
	regfree(&re);
	sbuf_release(&full);
	cr_assert_null(b.root);
	cr_assert_eq(b.nfindings, 0);
	cr_assert_null(b.fp);
	baseline_release(&b);
}

static void expect_load_error(const char *text, const char *pattern)
{
	const char *path = tmp_path("bad.json");

	write_text(path, text);
	expect_load_error_file(path, pattern);
}

Test(baseline, malformed_json_names_line_and_column)
{
	expect_load_error("{\n  \"schema\": \"privaudit.report/1\",\n  \"findings\": [,]\n}\n",
			  ":3:[0-9]+: ");
	expect_load_error("", ":[0-9-]+:[0-9-]+: ");
	expect_load_error("{\"schema\": \"a\", \"schema\": \"b\"}", ":1:[0-9]+: .*duplicate");
}

Test(baseline, rejects_what_is_not_a_report)
{
	expect_load_error("[]", ": not a privaudit report");
	expect_load_error("{\"findings\": []}", ": not a privaudit report");
	expect_load_error("{\"schema\": \"privaudit.diff/1\"}",
			  ": not a privaudit report: schema \"privaudit.diff/1\"");
}

Test(baseline, rejects_missing_or_mistyped_fields)
{
	static const char head[] =
		"{\"schema\": \"privaudit.report/1\", \"source\": {\"domain_sid\": null}, "
		"\"summary\": {\"gate\": {\"fail_on\": \"high\"}}, ";
	struct sbuf sb = SBUF_INIT;

	expect_load_error("{\"schema\": \"privaudit.report/1\", \"findings\": []}", ": source: missing");
	expect_load_error("{\"schema\": \"privaudit.report/1\", \"source\": {}, \"findings\": []}",
			  ": source.domain_sid: missing");
	expect_load_error("{\"schema\": \"privaudit.report/1\", \"source\": {\"domain_sid\": 1}, "
			  "\"summary\": {}, \"findings\": []}",
			  ": source.domain_sid: expected a string or null");
	expect_load_error("{\"schema\": \"privaudit.report/1\", \"source\": {\"domain_sid\": null}, "
			  "\"summary\": {\"gate\": {\"fail_on\": \"severe\"}}, \"findings\": []}",
			  ": summary.gate.fail_on: unknown severity \"severe\"");
	sbuf_addf(&sb, "%s\"findings\": {}}", head);
	expect_load_error(sb.buf, ": findings: expected an array");
	sbuf_reset(&sb);
	sbuf_addf(&sb, "%s\"findings\": [{\"check\": \"pwd.old\", \"severity\": \"low\", "
		       "\"subject\": {\"sam\": \"x\"}}]}", head);
	expect_load_error(sb.buf, ": findings\\[0\\]\\.key: missing");
	sbuf_reset(&sb);
	sbuf_addf(&sb, "%s\"findings\": [{\"key\": \"k\", \"check\": \"pwd.old\", "
		       "\"severity\": \"low\", \"subject\": {\"sam\": 3}}]}", head);
	expect_load_error(sb.buf, ": findings\\[0\\]\\.subject\\.sam: expected a string or null");
	sbuf_reset(&sb);
	sbuf_addf(&sb, "%s\"findings\": [{\"key\": \"\", \"check\": \"pwd.old\", "
		       "\"severity\": \"low\", \"subject\": {\"sam\": null}}]}", head);
	expect_load_error(sb.buf, ": findings\\[0\\]\\.key: empty");
	sbuf_release(&sb);
}

/* The envelope of a report with findings text (rest of the findings array and object). */
#define ENVELOPE "{\"schema\": \"privaudit.report/1\", \"source\": {\"domain_sid\": null}, " \
		 "\"summary\": {\"gate\": {\"fail_on\": \"high\"}}, "

/* One finding, its key, sam and message numbered i, one line. */
static void add_finding(struct sbuf *sb, size_t i)
{
	sbuf_addf(sb,
		  "%s\n  {\"key\": \"pwd.old|S-1-5-21-1-2-3-%zu\", \"check\": \"pwd.old\", "
		  "\"severity\": \"medium\", \"subject\": {\"sam\": \"user%zu\", \"dn\": "
		  "\"CN=user%zu,CN=Users\"}, \"message\": \"password \\\"%zu\\\" \\u00e9t\\u00e9 "
		  "%s\", \"evidence\": {\"age_days\": %zu}}",
		  i ? "," : "", i, i, i, i, "set long ago, and this message is long enough that "
		  "twenty thousand of them take several of the reader's chunks", i);
}

/*
 * A report of 20,000 findings, several megabytes: read across the reader's
 * chunks, every finding whole, its strings decoded, and with the other
 * arrays (account lists) checked but not kept.
 */
Test(baseline, a_large_report_is_read_a_finding_at_a_time)
{
	enum { N = 20000 };
	const char *path = tmp_path("large.json");
	struct sbuf sb = SBUF_INIT;
	struct baseline b;
	struct error err = ERROR_INIT;
	json_t *subject;

	sbuf_adds(&sb, ENVELOPE "\"privileged_accounts\": [{\"sam\": \"a\"}, {\"sam\": \"b\"}],\n"
		       "\"findings\": [");
	for (size_t i = 0; i < N; i++)
		add_finding(&sb, i);
	sbuf_adds(&sb, "\n], \"vpn_accounts\": []}\n");
	cr_assert_gt(sb.len, (size_t)(4 << 20));
	write_text(path, sb.buf);
	baseline_init(&b);
	cr_assert(baseline_load(&b, path, &err) == 0, "%s", err.msg);
	cr_assert_eq(b.nfindings, N);
	for (size_t i = 0; i < N; i += 997) {
		char want[64];

		snprintf(want, sizeof(want), "pwd.old|S-1-5-21-1-2-3-%zu", i);
		cr_assert_str_eq(b.findings[i].key, want);
		snprintf(want, sizeof(want), "user%zu", i);
		cr_assert_str_eq(b.findings[i].sam, want);
		snprintf(want, sizeof(want), "password \"%zu\" \xc3\xa9t\xc3\xa9 set", i);
		cr_assert(strncmp(b.findings[i].message, want, strlen(want)) == 0, "%s",
			  b.findings[i].message);
		cr_assert_eq(b.findings[i].severity, SEV_MEDIUM);
		cr_assert_null(b.findings[i].subject, "subjects are kept only when asked");
	}
	cr_assert_null(json_object_get(b.root, "privileged_accounts"));
	cr_assert_str_eq(b.schema, "privaudit.report/1");
	baseline_release(&b);

	b.subjects = true;
	cr_assert(baseline_load(&b, path, &err) == 0, "%s", err.msg);
	cr_assert(b.subjects, "kept across the load");
	subject = baseline_subject(&b.findings[N - 1]);
	cr_assert_str_eq(json_string_value(json_object_get(subject, "dn")), "CN=user19999,CN=Users");
	json_decref(subject);
	baseline_release(&b);
	sbuf_release(&sb);
}

/* An error far into a large report: its line, as the file counts them. */
Test(baseline, an_error_deep_in_a_large_report_names_its_line)
{
	const char *path = tmp_path("deep.json");
	struct sbuf sb = SBUF_INIT, want = SBUF_INIT;

	sbuf_adds(&sb, ENVELOPE "\"findings\": [");
	for (size_t i = 0; i < 30000; i++)
		add_finding(&sb, i);
	/* line 30,002 (the findings start on line 2): a member without its colon */
	sbuf_adds(&sb, ",\n  {\"key\": \"k\", \"check\" \"pwd.old\"}]}");
	write_text(path, sb.buf);
	sbuf_addf(&want, ":30002:[0-9]+: ':' expected");
	expect_load_error_file(path, want.buf);
	sbuf_release(&want);
	sbuf_release(&sb);
}

Test(baseline, syntax_between_the_members_is_checked)
{
	expect_load_error(ENVELOPE "\"findings\": []} x", ":1:[0-9]+: end of file expected");
	expect_load_error(ENVELOPE "\"findings\": [] \"x\": 1}", ":1:[0-9]+: '}' expected");
	expect_load_error(ENVELOPE "\"findings\": [{} {}]}", ":1:[0-9]+: '\\]' expected");
	expect_load_error(ENVELOPE "\"findings\" []}", ":1:[0-9]+: ':' expected");
	expect_load_error(ENVELOPE "findings: []}", ":1:[0-9]+: string or '}' expected");
	expect_load_error(ENVELOPE "\"findings\": [], \"findings\": []}",
			  ":1:[0-9]+: duplicate object key near '\"findings\"'");
	expect_load_error(ENVELOPE "\"findings\": [], \"find\\u0069ngs\": []}",
			  ":1:[0-9]+: duplicate object key");
	expect_load_error(ENVELOPE "\"findings\": [tru]}", ":1:[0-9]+: ");
	expect_load_error(ENVELOPE "\"findings\": [{\"a\": 1, \"a\": 2}]}", ":1:[0-9]+: .*duplicate");
	expect_load_error(ENVELOPE "\"findings\": [", ":1:[0-9]+: ");
}

/*
 * Syntax errors first, wherever they are; then the envelope; then the
 * first bad finding: as when the report was read whole.
 */
Test(baseline, errors_come_in_the_order_of_a_whole_read)
{
	static const char bad_finding[] = "{\"check\": \"pwd.old\", \"severity\": \"low\", "
					  "\"subject\": {\"sam\": \"x\"}}";
	struct sbuf sb = SBUF_INIT;

	sbuf_addf(&sb, ENVELOPE "\"findings\": [%s, %s], \"tail\": [1,]}", bad_finding,
		  bad_finding);
	expect_load_error(sb.buf, ":1:[0-9]+: ");
	sbuf_reset(&sb);
	sbuf_addf(&sb, "{\"findings\": [%s], \"schema\": \"privaudit.diff/1\"}", bad_finding);
	expect_load_error(sb.buf, ": not a privaudit report: schema");
	sbuf_reset(&sb);
	sbuf_addf(&sb, ENVELOPE "\"findings\": [{\"key\": \"k\", \"check\": \"c\", \"severity\": "
		       "\"low\", \"subject\": {\"sam\": null}}, %s, %s]}", bad_finding, bad_finding);
	expect_load_error(sb.buf, ": findings\\[1\\]\\.key: missing");
	sbuf_release(&sb);
}

/* A report rewritten in place between reading and comparing: an error, never a guess. */
Test(baseline, a_baseline_changed_while_read_is_an_error)
{
	struct fixture *a = run(&base_people, NULL, NULL);
	struct people fixed = base_people;
	struct fixture *b;
	struct baseline bl;
	struct error err = ERROR_INIT;
	const char *old = write_report(a, "old.json", NULL);
	FILE *fp;
	char c;

	fixed.bob_uac = 0;   /* bob's finding is resolved: read again */
	b = run(&fixed, NULL, NULL);
	baseline_init(&bl);
	cr_assert(baseline_load(&bl, old, &err) == 0, "%s", err.msg);
	/* the first value of every finding, its first character, in place */
	fp = fopen(old, "r+");
	cr_assert(fp);
	for (size_t i = 0; i < bl.nfindings; i++) {
		cr_assert(fseek(fp, (long)bl.findings[i].off, SEEK_SET) == 0);
		for (size_t k = 0; k < bl.findings[i].len; k++) {
			cr_assert(fread(&c, 1, 1, fp) == 1);
			if (c == ':') {
				long at = ftell(fp);

				cr_assert(fseek(fp, at + 2, SEEK_SET) == 0);
				cr_assert(fwrite("X", 1, 1, fp) == 1);
				break;
			}
		}
	}
	cr_assert(fclose(fp) == 0);
	cr_assert(baseline_apply(&bl, &b->audit, b->dir.domain_sid, false, &err) < 0);
	cr_assert_eq(err.code, EXIT_INPUT);
	cr_assert(strstr(err.msg, "changed while it was read"), "%s", err.msg);
	baseline_release(&bl);
	fixture_free(a);
	fixture_free(b);
}

Test(baseline, missing_file_is_an_input_error)
{
	struct baseline b;
	struct error err = ERROR_INIT;

	baseline_init(&b);
	cr_assert(baseline_load(&b, tmp_path("absent.json"), &err) < 0);
	cr_assert_eq(err.code, EXIT_INPUT);
	cr_assert(strstr(err.msg, "absent.json") && strstr(err.msg, "No such file"), "%s",
		  err.msg);
	err = (struct error)ERROR_INIT;
	cr_assert(baseline_load(&b, tmpdir, &err) < 0);
	cr_assert_eq(err.code, EXIT_INPUT);
	cr_assert(strstr(err.msg, "directory"), "%s", err.msg);
}

/* Rewrite one member of the report at path with jansson. */
static void rewrite(const char *path, const char *obj, const char *member, json_t *value)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, JSON_PRESERVE_ORDER, &jerr);

	cr_assert(doc, "%s", jerr.text);
	json_object_set_new(obj ? json_object_get(doc, obj) : doc, member, value);
	cr_assert(json_dump_file(doc, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0);
	json_decref(doc);
}

Test(baseline, other_schema_version_needs_force)
{
	struct fixture *a = run(&base_people, NULL, NULL), *b = run(&base_people, NULL, NULL);
	const char *old = write_report(a, "old.json", NULL);
	struct baseline bl;
	struct error err = ERROR_INIT;

	rewrite(old, NULL, "schema", json_string("privaudit.report/2"));
	baseline_init(&bl);
	cr_assert(baseline_load(&bl, old, &err) == 0, "%s", err.msg);
	cr_assert(baseline_apply(&bl, &b->audit, b->dir.domain_sid, false, &err) < 0);
	cr_assert_eq(err.code, EXIT_INPUT);
	cr_assert(strstr(err.msg, old) && strstr(err.msg, "\"privaudit.report/2\"") &&
		  strstr(err.msg, "--force"), "%s", err.msg);
	cr_assert_eq(b->audit.findings[0]->change, CHANGE_NONE, "nothing marked on error");
	err = (struct error)ERROR_INIT;
	cr_assert(baseline_apply(&bl, &b->audit, b->dir.domain_sid, true, &err) == 0, "%s",
		  err.msg);
	cr_assert_eq(bl.npersisting, b->audit.nfindings);
	baseline_release(&bl);
	fixture_free(a);
	fixture_free(b);
}

Test(baseline, other_domain_needs_force)
{
	struct fixture *a = run(&base_people, NULL, NULL), *b = run(&base_people, NULL, NULL);
	const char *old = write_report(a, "old.json", NULL);
	struct baseline bl;
	struct error err = ERROR_INIT;

	rewrite(old, "source", "domain_sid", json_string("S-1-5-21-9-9-9"));
	baseline_init(&bl);
	cr_assert(baseline_load(&bl, old, &err) == 0, "%s", err.msg);
	cr_assert(baseline_apply(&bl, &b->audit, b->dir.domain_sid, false, &err) < 0);
	cr_assert_eq(err.code, EXIT_INPUT);
	cr_assert(strstr(err.msg, "S-1-5-21-9-9-9") && strstr(err.msg, "S-1-5-21-1-2-3") &&
		  strstr(err.msg, "another domain"), "%s", err.msg);
	err = (struct error)ERROR_INIT;
	/* SIDs compare case-insensitively */
	cr_assert(baseline_check(&bl, "s-1-5-21-9-9-9", false, &err) == 0, "%s", err.msg);
	cr_assert(baseline_check(&bl, NULL, false, &err) < 0, "a domain against none differs");
	err = (struct error)ERROR_INIT;
	cr_assert(baseline_apply(&bl, &b->audit, b->dir.domain_sid, true, &err) == 0, "%s",
		  err.msg);
	cr_assert_eq(bl.npersisting, b->audit.nfindings);
	baseline_release(&bl);
	fixture_free(a);
	fixture_free(b);
}

Test(baseline, console_line_has_the_three_counts)
{
	struct people changed = base_people;
	struct fixture *a, *b;
	struct baseline bl;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct sbuf want = SBUF_INIT;

	changed.bob_uac = 0;
	changed.dave = true;
	a = run(&base_people, NULL, NULL);
	b = run(&changed, NULL, NULL);
	compare(&bl, write_report(a, "old.json", NULL), b);
	baseline_console(out, &bl, false);
	fclose(out);
	sbuf_addf(&want, "baseline  %s (2026-01-15T00:00:00Z): 1 new, %zu persisting, 1 resolved\n",
		  bl.path, b->audit.nfindings - 1);
	cr_assert_str_eq(text, want.buf);
	free(text);
	sbuf_release(&want);
	baseline_release(&bl);
	fixture_free(a);
	fixture_free(b);
}
