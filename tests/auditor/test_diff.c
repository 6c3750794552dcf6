/*
 * Tests for auditor/diff.c (`privaudit diff OLD NEW`): reports written by
 * report_json_write() from fixture audits, compared by diff_run(); the
 * "privaudit.diff/1" document read back (counts, lists, gate), the exit
 * codes (0, 1 on new unwaived findings at or above fail_on, 2 on bad
 * input, 4 when the diff report cannot be written) and the console
 * summary.
 */
#include <criterion/criterion.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../auditor/diff.h"
#include "../../auditor/error.h"
#include "../../auditor/exitcode.h"
#include "../../auditor/sbuf.h"
#include "../../reports/report.h"
#include "../fixture.h"

#define NOW "2026-01-15T00:00:00Z"
#define BASE "CN=Users,DC=corp,DC=example,DC=test"
#define UAC_NORMAL 0x200
#define UAC_NOEXPIRE 0x10000
#define UAC_REVERSIBLE 0x80
#define UAC_NOTREQD 0x20

static char tmpdir[] = "/tmp/privaudit-diff.XXXXXX";

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

TestSuite(diff, .init = setup, .fini = teardown);

static const char *tmp_path(const char *name)
{
	static char p[8][256];
	static int next;
	char *s = p[next++ % 8];

	snprintf(s, 256, "%s/%s", tmpdir, name);
	return s;
}

/* A clean user (recent logon and password, created long ago) with extra UAC bits. */
static void user(struct sbuf *sb, const char *sam, unsigned rid, unsigned uac)
{
	sbuf_addf(sb,
		  "\ndn: CN=%s," BASE "\n"
		  "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
		  "objectClass: user\n"
		  "cn: %s\nsAMAccountName: %s\nobjectSid: S-1-5-21-1-2-3-%u\n"
		  "userAccountControl: %u\n"
		  "pwdLastSet: %s\nlastLogonTimestamp: %s\nwhenCreated: %s\nwhenChanged: %s\n",
		  sam, sam, sam, rid, UAC_NORMAL | uac, fixture_filetime_days_ago(NOW, 10),
		  fixture_filetime_days_ago(NOW, 2), fixture_gentime_days_ago(NOW, 400),
		  fixture_gentime_days_ago(NOW, 10));
}

/*
 * alice: password never expires (medium); bob: reversible (high); carol:
 * clean. Variations: alice renamed, bob fixed, dave added (PASSWD_NOTREQD,
 * high), erin added (password never expires, medium).
 */
struct people {
	const char *alice_sam;
	bool bob_fixed, dave, erin;
};

static struct fixture *run(const struct people *p, const char *policy, const char *now)
{
	struct sbuf sb = SBUF_INIT;
	struct fixture *fx;

	sbuf_adds(&sb, fixture_domain_ldif);
	user(&sb, p && p->alice_sam ? p->alice_sam : "alice", 1101, UAC_NOEXPIRE);
	user(&sb, "bob", 1102, p && p->bob_fixed ? 0 : UAC_REVERSIBLE);
	user(&sb, "carol", 1103, 0);
	if (p && p->dave)
		user(&sb, "dave", 1104, UAC_NOTREQD);
	if (p && p->erin)
		user(&sb, "erin", 1105, UAC_NOEXPIRE);
	fx = fixture_run(sb.buf, policy, now ? now : NOW);
	sbuf_release(&sb);
	return fx;
}

/* Audit p and write its report as name; returns the path. */
static const char *report(const struct people *p, const char *policy, const char *now,
			  const char *name)
{
	struct fixture *fx = run(p, policy, now);
	struct report_meta m = { 0 };
	struct error err = ERROR_INIT;
	const char *path = tmp_path(name);

	m.source_kind = "ldif";
	m.uri = "fixture.ldif";
	m.generated_at = m.evaluated_at = fx->now;
	m.tool_version = "test";
	cr_assert(report_json_write(&fx->audit, &m, path, &err) == 0, "%s", err.msg);
	fixture_free(fx);
	return path;
}

struct result {
	int code;
	struct error err;
	json_t *doc;       /* the diff report, or NULL */
	char *console;
};

static void result_free(struct result *r)
{
	json_decref(r->doc);
	free(r->console);
}

/* diff_run with fail_on (-1: the report's), force; reads the diff report back. */
static struct result diff(const char *old, const char *new, int fail_on, bool force)
{
	struct result r = { 0, ERROR_INIT, NULL, NULL };
	struct diff_options o = { 0 };
	const char *out = tmp_path("diff.json");
	size_t len = 0;
	json_error_t jerr;

	unlink(out);
	o.old_path = old;
	o.new_path = new;
	o.json = out;
	o.fail_on = fail_on;
	o.force = force;
	o.console = open_memstream(&r.console, &len);
	o.generated_at = 1768435200;
	o.tool_version = "test";
	r.code = diff_run(&o, &r.err);
	fclose(o.console);
	if (access(out, F_OK) == 0) {
		r.doc = json_load_file(out, JSON_REJECT_DUPLICATES, &jerr);
		cr_assert(r.doc, "diff report: %s", jerr.text);
	}
	return r;
}

static json_int_t count(const struct result *r, const char *which)
{
	json_t *v = json_object_get(json_object_get(r->doc, "counts"), which);

	cr_assert(json_is_integer(v), "counts.%s", which);
	return json_integer_value(v);
}

static json_t *list(const struct result *r, const char *which)
{
	json_t *v = json_object_get(json_object_get(r->doc, "findings"), which);

	cr_assert(json_is_array(v), "findings.%s", which);
	return v;
}

static const char *gate_str(const struct result *r, const char *member)
{
	return json_string_value(json_object_get(json_object_get(r->doc, "gate"), member));
}

/* The entry of list which for check on sam, or NULL. */
static json_t *entry(const struct result *r, const char *which, const char *check,
		     const char *sam)
{
	size_t i;
	json_t *f;

	json_array_foreach(list(r, which), i, f) {
		const char *c = json_string_value(json_object_get(f, "check"));
		const char *s = json_string_value(json_object_get(f, "sam"));

		if (c && s && strcmp(c, check) == 0 && strcmp(s, sam) == 0)
			return f;
	}
	return NULL;
}

Test(diff, same_directory_twice)
{
	const char *old = report(NULL, NULL, NULL, "old.json");
	const char *new = report(NULL, NULL, NULL, "new.json");
	struct result r = diff(old, new, -1, false);

	cr_assert_eq(r.code, EXIT_PASS, "%s", r.err.msg);
	cr_assert_str_eq(json_string_value(json_object_get(r.doc, "schema")), "privaudit.diff/1");
	cr_assert_eq(count(&r, "new"), 0);
	cr_assert_eq(count(&r, "persisting"), 2);
	cr_assert_eq(count(&r, "resolved"), 0);
	cr_assert_eq(json_array_size(list(&r, "persisting")), 2);
	cr_assert_eq(json_array_size(list(&r, "new")), 0);
	cr_assert_eq(json_array_size(list(&r, "resolved")), 0);
	cr_assert_str_eq(gate_str(&r, "verdict"), "pass");
	cr_assert_str_eq(gate_str(&r, "fail_on"), "high");
	cr_assert_str_eq(gate_str(&r, "from"), "new report");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r.doc, "old"), "path")),
			 old);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r.doc, "new"),
							   "evaluated_at")),
			 NOW);
	cr_assert_str_eq(json_string_value(json_object_get(r.doc, "generated_at")),
			 "2026-01-15T00:00:00Z");
	result_free(&r);
}

Test(diff, fixed_account_is_resolved_and_passes)
{
	struct people fixed = { .bob_fixed = true };
	const char *old = report(NULL, NULL, NULL, "old.json");
	const char *new = report(&fixed, NULL, NULL, "new.json");
	struct result r = diff(old, new, -1, false);
	json_t *f;

	cr_assert_eq(r.code, EXIT_PASS, "%s", r.err.msg);
	cr_assert_eq(count(&r, "resolved"), 1);
	cr_assert_eq(count(&r, "new"), 0);
	cr_assert_eq(count(&r, "persisting"), 1);
	f = entry(&r, "resolved", "pwd.reversible", "bob");
	cr_assert(f);
	cr_assert_str_eq(json_string_value(json_object_get(f, "key")),
			 "pwd.reversible|S-1-5-21-1-2-3-1102");
	cr_assert_str_eq(json_string_value(json_object_get(f, "severity")), "high");
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(f, "subject"), "sid")),
			 "S-1-5-21-1-2-3-1102");
	cr_assert(json_is_false(json_object_get(f, "waived")));
	result_free(&r);
}

Test(diff, renamed_account_persists)
{
	struct people renamed = { .alice_sam = "alice.smith" };
	const char *old = report(NULL, NULL, NULL, "old.json");
	const char *new = report(&renamed, NULL, NULL, "new.json");
	struct result r = diff(old, new, -1, false);
	json_t *f;

	cr_assert_eq(r.code, EXIT_PASS, "%s", r.err.msg);
	cr_assert_eq(count(&r, "new"), 0);
	cr_assert_eq(count(&r, "resolved"), 0);
	f = entry(&r, "persisting", "pwd.never-expires", "alice.smith");
	cr_assert(f, "the renamed account's finding persists under its new name");
	cr_assert_str_eq(json_string_value(json_object_get(f, "key")),
			 "pwd.never-expires|S-1-5-21-1-2-3-1101");
	result_free(&r);
}

Test(diff, new_high_finding_fails_the_default_gate)
{
	struct people more = { .dave = true };
	const char *old = report(NULL, NULL, NULL, "old.json");
	const char *new = report(&more, NULL, NULL, "new.json");
	struct result r = diff(old, new, -1, false);

	cr_assert_eq(r.code, EXIT_GATE);
	cr_assert_eq(count(&r, "new"), 1);
	cr_assert_eq(count(&r, "persisting"), 2);
	cr_assert(entry(&r, "new", "pwd.not-required", "dave"));
	cr_assert_str_eq(gate_str(&r, "verdict"), "fail");
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(r.doc, "gate"),
							"new_failing")),
		     1);
	result_free(&r);
}

Test(diff, fail_on_override_moves_the_threshold)
{
	struct people dave = { .dave = true }, erin = { .erin = true };
	const char *old = report(NULL, NULL, NULL, "old.json");
	const char *with_dave = report(&dave, NULL, NULL, "dave.json");
	const char *with_erin = report(&erin, NULL, NULL, "erin.json");
	struct result r;

	/* dave's finding is high: above critical it no longer counts */
	r = diff(old, with_dave, SEV_CRITICAL, false);
	cr_assert_eq(r.code, EXIT_PASS, "%s", r.err.msg);
	cr_assert_str_eq(gate_str(&r, "fail_on"), "critical");
	cr_assert_str_eq(gate_str(&r, "from"), "command line");
	result_free(&r);
	/* erin's is medium: below the report's high, at --fail-on medium */
	r = diff(old, with_erin, -1, false);
	cr_assert_eq(r.code, EXIT_PASS, "%s", r.err.msg);
	cr_assert_eq(count(&r, "new"), 1);
	result_free(&r);
	r = diff(old, with_erin, SEV_MEDIUM, false);
	cr_assert_eq(r.code, EXIT_GATE);
	result_free(&r);
	r = diff(old, with_erin, SEV_INFO, false);
	cr_assert_eq(r.code, EXIT_GATE);
	result_free(&r);
}

Test(diff, default_threshold_is_the_new_reports)
{
	static const char medium[] = "{\"version\": 1, \"gate\": {\"fail_on\": \"medium\"}}";
	struct people erin = { .erin = true };
	const char *old = report(NULL, NULL, NULL, "old.json");
	const char *new = report(&erin, medium, NULL, "new.json");
	struct result r = diff(old, new, -1, false);

	cr_assert_eq(r.code, EXIT_GATE);
	cr_assert_str_eq(gate_str(&r, "fail_on"), "medium");
	result_free(&r);
}

Test(diff, persisting_findings_never_fail)
{
	/* bob's high finding is in both: a pipeline fails on regressions only */
	const char *old = report(NULL, NULL, NULL, "old.json");
	const char *new = report(NULL, NULL, NULL, "new.json");
	struct result r = diff(old, new, SEV_INFO, false);

	cr_assert_eq(r.code, EXIT_PASS, "%s", r.err.msg);
	result_free(&r);
}

Test(diff, waived_new_finding_does_not_fail)
{
	static const char waived[] =
		"{\"version\": 1, \"waivers\": [{\"check\": \"pwd.not-required\", "
		"\"account\": \"dave\", \"reason\": \"kiosk\", \"owner\": \"it-ops\", "
		"\"expires\": \"2026-12-31\"}]}";
	struct people more = { .dave = true };
	const char *old = report(NULL, NULL, NULL, "old.json");
	const char *new = report(&more, waived, NULL, "new.json");
	struct result r = diff(old, new, -1, false);
	json_t *f;

	cr_assert_eq(r.code, EXIT_PASS, "%s", r.err.msg);
	f = entry(&r, "new", "pwd.not-required", "dave");
	cr_assert(f);
	cr_assert(json_is_true(json_object_get(f, "waived")));
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(r.doc, "gate"),
							"new_failing")),
		     0);
	result_free(&r);
}

Test(diff, expired_waiver_between_runs)
{
	static const char policy[] =
		"{\"version\": 1, \"waivers\": [{\"check\": \"pwd.reversible\", "
		"\"account\": \"bob\", \"reason\": \"legacy app\", \"owner\": \"it-ops\", "
		"\"expires\": \"2026-01-31\"}]}";
	const char *old = report(NULL, policy, "2026-01-15T00:00:00Z", "old.json");
	const char *new = report(NULL, policy, "2026-02-01T00:00:00Z", "new.json");
	struct result r = diff(old, new, -1, false);
	json_t *f;

	/* the finding persists (now unwaived); the expired waiver is new (medium) */
	cr_assert_eq(r.code, EXIT_PASS, "%s", r.err.msg);
	f = entry(&r, "persisting", "pwd.reversible", "bob");
	cr_assert(f);
	cr_assert(json_is_false(json_object_get(f, "waived")));
	cr_assert(entry(&r, "new", "policy.waiver-expired", "bob"));
	cr_assert_eq(count(&r, "new"), 1);
	cr_assert_eq(count(&r, "resolved"), 0);
	result_free(&r);
	r = diff(old, new, SEV_MEDIUM, false);
	cr_assert_eq(r.code, EXIT_GATE);
	result_free(&r);
}

Test(diff, changed_severity_is_shown)
{
	static const char critical[] =
		"{\"version\": 1, \"checks\": {\"pwd.reversible\": {\"severity\": \"critical\"}}}";
	const char *old = report(NULL, NULL, NULL, "old.json");
	const char *new = report(NULL, critical, NULL, "new.json");
	struct result r = diff(old, new, -1, false);
	json_t *f = entry(&r, "persisting", "pwd.reversible", "bob");

	cr_assert(f);
	cr_assert_str_eq(json_string_value(json_object_get(f, "severity")), "critical");
	cr_assert_str_eq(json_string_value(json_object_get(f, "previous_severity")), "high");
	cr_assert_null(json_object_get(entry(&r, "persisting", "pwd.never-expires", "alice"),
				       "previous_severity"));
	/* a persisting finding, even escalated, does not fail a diff */
	cr_assert_eq(r.code, EXIT_PASS);
	result_free(&r);
}

/* Input errors */

static void rewrite(const char *path, const char *obj, const char *member, json_t *value)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, JSON_PRESERVE_ORDER, &jerr);

	cr_assert(doc, "%s", jerr.text);
	json_object_set_new(obj ? json_object_get(doc, obj) : doc, member, value);
	cr_assert(json_dump_file(doc, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0);
	json_decref(doc);
}

Test(diff, other_schema_version_is_an_error_unless_forced)
{
	struct people more = { .dave = true };
	const char *old = report(NULL, NULL, NULL, "old.json");
	const char *new = report(&more, NULL, NULL, "new.json");
	struct result r;

	rewrite(old, NULL, "schema", json_string("privaudit.report/2"));
	r = diff(old, new, -1, false);
	cr_assert_eq(r.code, EXIT_INPUT);
	cr_assert(strstr(r.err.msg, "privaudit.report/2"), "%s", r.err.msg);
	cr_assert_null(r.doc, "no diff report on error");
	cr_assert_str_eq(r.console, "");
	result_free(&r);
	r = diff(old, new, -1, true);
	cr_assert_eq(r.code, EXIT_GATE, "%s", r.err.msg);
	cr_assert_eq(count(&r, "new"), 1);
	result_free(&r);
	/* the same for NEW */
	r = diff(new, old, -1, false);
	cr_assert_eq(r.code, EXIT_INPUT);
	result_free(&r);
}

Test(diff, other_domain_is_an_error_unless_forced)
{
	const char *old = report(NULL, NULL, NULL, "old.json");
	const char *new = report(NULL, NULL, NULL, "new.json");
	struct result r;

	rewrite(new, "source", "domain_sid", json_string("S-1-5-21-7-7-7"));
	r = diff(old, new, -1, false);
	cr_assert_eq(r.code, EXIT_INPUT);
	cr_assert(strstr(r.err.msg, "another domain") && strstr(r.err.msg, "S-1-5-21-7-7-7"),
		  "%s", r.err.msg);
	cr_assert_null(r.doc);
	result_free(&r);
	r = diff(old, new, -1, true);
	cr_assert_eq(r.code, EXIT_PASS, "%s", r.err.msg);
	cr_assert_eq(count(&r, "persisting"), 2);
	result_free(&r);
}

Test(diff, malformed_or_missing_report_is_an_input_error)
{
	const char *old = report(NULL, NULL, NULL, "old.json");
	const char *bad = tmp_path("bad.json");
	FILE *fp = fopen(bad, "w");
	struct result r;
	struct sbuf want = SBUF_INIT;

	cr_assert(fp);
	fputs("{\n  \"schema\": \"privaudit.report/1\"\n  \"findings\": []\n}\n", fp);
	fclose(fp);
	r = diff(old, bad, -1, true);
	cr_assert_eq(r.code, EXIT_INPUT);
	sbuf_addf(&want, "%s:3:", bad);
	cr_assert(strncmp(r.err.msg, want.buf, want.len) == 0, "%s", r.err.msg);
	result_free(&r);
	r = diff(tmp_path("absent.json"), old, -1, false);
	cr_assert_eq(r.code, EXIT_INPUT);
	cr_assert(strstr(r.err.msg, "absent.json"), "%s", r.err.msg);
	result_free(&r);
	sbuf_release(&want);
}

/* What `unzip -p` prints for member of the workbook at path (new string). */
static char *unzip_member(const char *path, const char *member)
{
	struct sbuf cmd = SBUF_INIT, out = SBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *p;

	sbuf_addf(&cmd, "unzip -p '%s' '%s'", path, member);
	p = popen(cmd.buf, "r");
	cr_assert(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		sbuf_add(&out, buf, n);
	cr_assert_eq(pclose(p), 0, "%s", cmd.buf);
	sbuf_release(&cmd);
	return sbuf_detach(&out);
}

Test(diff, xlsx_workbook_has_summary_and_changes)
{
	struct people more = { .dave = true, .bob_fixed = true };
	const char *old = report(NULL, NULL, NULL, "old.json");
	const char *new = report(&more, NULL, NULL, "new.json");
	struct diff_options o = { 0 };
	struct error err = ERROR_INIT;
	struct stat st;
	char magic[2] = { 0 }, *wb, *strings;
	FILE *fp;

	o.old_path = old;
	o.new_path = new;
	o.fail_on = -1;
	o.xlsx = tmp_path("diff.xlsx");
	cr_assert_eq(diff_run(&o, &err), EXIT_GATE, "%s", err.msg);
	cr_assert(stat(o.xlsx, &st) == 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	fp = fopen(o.xlsx, "rb");
	cr_assert(fp && fread(magic, 1, 2, fp) == 2);
	fclose(fp);
	cr_assert(magic[0] == 'P' && magic[1] == 'K', "a zip file");
	if (system("command -v unzip >/dev/null 2>&1") != 0)
		cr_skip_test("unzip is not installed");
	wb = unzip_member(o.xlsx, "xl/workbook.xml");
	cr_assert(strstr(wb, "name=\"Summary\"") && strstr(wb, "name=\"Changes\""), "%s", wb);
	strings = unzip_member(o.xlsx, "xl/sharedStrings.xml");
	cr_assert(strstr(strings, "pwd.not-required") && strstr(strings, "dave") &&
		  strstr(strings, "pwd.reversible|S-1-5-21-1-2-3-1102") &&
		  strstr(strings, "resolved") && strstr(strings, "persisting"), "%s", strings);
	free(wb);
	free(strings);
}

Test(diff, xlsx_to_stdout_or_nowhere_is_exit_4)
{
	const char *old = report(NULL, NULL, NULL, "old.json");
	struct diff_options o = { 0 };
	struct error err = ERROR_INIT;

	o.old_path = o.new_path = old;
	o.fail_on = -1;
	o.xlsx = "-";
	cr_assert_eq(diff_run(&o, &err), EXIT_REPORT);
	cr_assert(strstr(err.msg, "standard output"), "%s", err.msg);
	err = (struct error)ERROR_INIT;
	o.xlsx = tmp_path("missing/diff.xlsx");
	cr_assert_eq(diff_run(&o, &err), EXIT_REPORT);
	cr_assert(access(o.xlsx, F_OK) != 0);
}

Test(diff, unwritable_report_is_exit_4_and_keeps_the_old_file)
{
	struct people more = { .dave = true };
	const char *old = report(NULL, NULL, NULL, "old.json");
	const char *new = report(&more, NULL, NULL, "new.json");
	struct diff_options o = { 0 };
	struct error err = ERROR_INIT;
	char *text = NULL;
	size_t len = 0;

	o.old_path = old;
	o.new_path = new;
	o.fail_on = -1;
	o.json = tmp_path("no-such-dir/diff.json");
	o.console = open_memstream(&text, &len);
	cr_assert_eq(diff_run(&o, &err), EXIT_REPORT);
	fclose(o.console);
	cr_assert_eq(err.code, EXIT_REPORT);
	cr_assert(strstr(err.msg, "no-such-dir/diff.json"), "%s", err.msg);
	cr_assert_str_eq(text, "", "no summary when the report failed");
	free(text);
}

Test(diff, without_json_only_the_console)
{
	struct people more = { .dave = true, .bob_fixed = true };
	const char *old = report(NULL, NULL, NULL, "old.json");
	const char *new = report(&more, NULL, NULL, "new.json");
	struct diff_options o = { 0 };
	struct error err = ERROR_INIT;
	char *text = NULL;
	size_t len = 0;

	o.old_path = old;
	o.new_path = new;
	o.fail_on = -1;
	o.console = open_memstream(&text, &len);
	cr_assert_eq(diff_run(&o, &err), EXIT_GATE, "%s", err.msg);
	fclose(o.console);
	cr_assert(strncmp(text, "FAIL  diff gate fail_on high: 1 new unwaived finding at or above high\n",
			  69) == 0, "%s", text);
	cr_assert(strstr(text, "changes   1 new, 1 persisting, 1 resolved\n"), "%s", text);
	cr_assert(strstr(text, "  new         high      pwd.not-required              dave\n"),
		  "%s", text);
	cr_assert(strstr(text, "  resolved    high      pwd.reversible                bob\n"),
		  "%s", text);
	cr_assert(!strstr(text, "persisting  "), "persisting listed only when verbose");
	cr_assert(!strchr(text, '\033'), "no colour unless asked");
	free(text);
}
