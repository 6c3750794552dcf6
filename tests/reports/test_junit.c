/*
 * Tests for reports/junit.c: the JUnit XML of a fixture audit validated
 * against the common (Jenkins) JUnit schema, tests/data/junit.xsd, with
 * xmllint when it is installed (libxml2-utils); its structure (one
 * testcase per check, failure / skipped / error / system-out, the totals),
 * escaping of markup and of characters XML 1.0 forbids, and the atomic
 * write.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../auditor/error.h"
#include "../../auditor/exitcode.h"
#include "../../auditor/sbuf.h"
#include "../../checks/registry.h"
#include "../../reports/junit.h"
#include "../fixture.h"

#define NOW "2026-01-15T00:00:00Z"
#define BASE "CN=Users,DC=corp,DC=example,DC=test"

static char tmpdir[] = "/tmp/privaudit-junit.XXXXXX";

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

TestSuite(junit, .init = setup, .fini = teardown);

/* A user: recent logon and password, created long ago; sam_line is the whole line. */
static void user(struct sbuf *sb, const char *cn, const char *sam_line, unsigned rid,
		 unsigned uac)
{
	sbuf_addf(sb,
		  "\ndn: CN=%s," BASE "\n"
		  "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
		  "objectClass: user\n"
		  "cn: %s\n%s\nobjectSid: S-1-5-21-1-2-3-%u\n"
		  "userAccountControl: %u\n"
		  "pwdLastSet: %s\nlastLogonTimestamp: %s\nwhenCreated: %s\nwhenChanged: %s\n",
		  cn, cn, sam_line, rid, 0x200 | uac, fixture_filetime_days_ago(NOW, 10),
		  fixture_filetime_days_ago(NOW, 2), fixture_gentime_days_ago(NOW, 400),
		  fixture_gentime_days_ago(NOW, 10));
}

/*
 * alice: password never expires, waived; bob and "weird" (a name full of
 * markup, control characters, U+FFFF and an invalid byte): reversible
 * encryption; pwd.old disabled by the policy.
 */
static struct fixture *scenario(void)
{
	static const char policy[] =
		"{\"version\": 1, \"checks\": {\"pwd.old\": {\"enabled\": false}},"
		" \"waivers\": [{\"check\": \"pwd.never-expires\", \"account\": \"alice\","
		" \"reason\": \"vendor <appliance> & co\", \"owner\": \"it-ops\","
		" \"expires\": \"2026-12-31\"}]}";
	struct sbuf sb = SBUF_INIT;
	struct fixture *fx;

	sbuf_adds(&sb, fixture_domain_ldif);
	user(&sb, "alice", "sAMAccountName: alice", 1101, 0x10000);
	user(&sb, "bob", "sAMAccountName: bob", 1102, 0x80);
	/* we<i>rd&"' \x01 \x1f U+FFFF \xff */
	user(&sb, "weird", "sAMAccountName:: d2U8aT5yZCYiJwEf77+//w==", 1103, 0x80);
	fx = fixture_run(sb.buf, policy, NOW);
	sbuf_release(&sb);
	return fx;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct sbuf sb = SBUF_INIT;
	char buf[4096];
	size_t n;

	cr_assert(fp, "cannot open %s", path);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sbuf_add(&sb, buf, n);
	fclose(fp);
	return sbuf_detach(&sb);
}

static char *write_junit(const struct fixture *fx, const char *name, char **path_out)
{
	struct sbuf path = SBUF_INIT;
	struct error err = ERROR_INIT;
	char *text;

	sbuf_addf(&path, "%s/%s", tmpdir, name);
	cr_assert(report_junit_write(&fx->audit, path.buf, &err) == 0, "%s", err.msg);
	text = slurp(path.buf);
	if (path_out)
		*path_out = sbuf_detach(&path);
	sbuf_release(&path);
	return text;
}

/* The <testcase> element of check id, as a new string. */
static char *testcase(const char *xml, const char *id)
{
	struct sbuf needle = SBUF_INIT;
	const char *start, *end;
	char *s;

	sbuf_addf(&needle, " name=\"%s\" ", id);
	start = strstr(xml, needle.buf);
	cr_assert(start, "no testcase %s", id);
	while (start > xml && strncmp(start, "<testcase", 9) != 0)
		start--;
	end = strstr(start, "</testcase>");
	cr_assert(end);
	s = strndup(start, (size_t)(end - start) + strlen("</testcase>"));
	sbuf_release(&needle);
	return s;
}

static size_t occurrences(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static bool have_xmllint(void)
{
	return system("command -v xmllint >/dev/null 2>&1") == 0;
}

Test(junit, validates_against_the_junit_schema)
{
	struct fixture *fx = scenario();
	char *path, *xml = write_junit(fx, "junit.xml", &path);
	struct sbuf cmd = SBUF_INIT;

	if (!have_xmllint()) {
		free(xml);
		free(path);
		fixture_free(fx);
		cr_skip_test("xmllint (libxml2-utils) is not installed");
	}
	/* cwd is tests/ */
	/* quiet when it validates, xmllint's reasons when not */
	sbuf_addf(&cmd, "out=$(xmllint --noout --schema data/junit.xsd '%s' 2>&1) || "
			"{ echo \"$out\"; exit 1; }", path);
	cr_assert_eq(system(cmd.buf), 0, "%s does not validate: %s", path, xml);
	sbuf_release(&cmd);
	free(xml);
	free(path);
	fixture_free(fx);
}

Test(junit, the_schema_rejects_what_it_should)
{
	/* the schema is a real check: a testcase without a name fails it */
	char path[256];
	FILE *fp;
	struct sbuf cmd = SBUF_INIT;

	if (!have_xmllint())
		cr_skip_test("xmllint (libxml2-utils) is not installed");
	snprintf(path, sizeof(path), "%s/bad.xml", tmpdir);
	fp = fopen(path, "w");
	cr_assert(fp);
	fputs("<testsuites><testsuite name=\"x\" tests=\"1\" failures=\"0\" errors=\"0\">"
	      "<testcase classname=\"c\"/></testsuite></testsuites>\n", fp);
	fclose(fp);
	sbuf_addf(&cmd, "xmllint --noout --schema data/junit.xsd '%s' >/dev/null 2>&1", path);
	cr_assert_neq(system(cmd.buf), 0);
	sbuf_release(&cmd);
}

Test(junit, one_testcase_per_check_with_totals)
{
	struct fixture *fx = scenario();
	char *xml = write_junit(fx, "junit.xml", NULL);
	size_t n = registry_count(), unknown = 0, failures = 0;
	struct sbuf head = SBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		unknown += fx->audit.states[i].status == STATUS_UNKNOWN;
		failures += fx->audit.states[i].unwaived > 0;
	}
	cr_assert(unknown > 0, "the fixture has unknown checks");
	cr_assert_eq(failures, 1, "only pwd.reversible fails");
	cr_assert_eq(occurrences(xml, "<testcase "), n);
	cr_assert_eq(occurrences(xml, "<failure "), 1);
	cr_assert_eq(occurrences(xml, "<skipped "), 1);
	cr_assert_eq(occurrences(xml, "<error "), unknown);
	cr_assert(strncmp(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"privaudit\"",
			  66) == 0, "%.120s", xml);
	sbuf_addf(&head, "<testsuite name=\"privaudit\" tests=\"%zu\" failures=\"1\" errors=\"%zu\" "
			 "skipped=\"1\" time=\"", n, unknown);
	cr_assert(strstr(xml, head.buf), "%s not in %.400s", head.buf, xml);
	cr_assert(strstr(xml, "timestamp=\"2026-01-15T00:00:00\""));
	cr_assert(strstr(xml, "<property name=\"verdict\" value=\"fail\"/>"));
	cr_assert(strstr(xml, "<property name=\"fail_on\" value=\"high\"/>"));
	cr_assert(strstr(xml, "<property name=\"domain_sid\" value=\"S-1-5-21-1-2-3\"/>"));
	/* registry order */
	for (size_t i = 1; i < n; i++) {
		struct sbuf a = SBUF_INIT, b = SBUF_INIT;

		sbuf_addf(&a, " name=\"%s\" ", registry_get(i - 1)->id);
		sbuf_addf(&b, " name=\"%s\" ", registry_get(i)->id);
		cr_assert(strstr(xml, a.buf) < strstr(xml, b.buf), "%s before %s", a.buf, b.buf);
		sbuf_release(&a);
		sbuf_release(&b);
	}
	cr_assert(strstr(xml, "</testsuite>\n</testsuites>\n"));
	sbuf_release(&head);
	free(xml);
	fixture_free(fx);
}

Test(junit, failure_lists_the_unwaived_findings)
{
	struct fixture *fx = scenario();
	char *xml = write_junit(fx, "junit.xml", NULL);
	char *tc = testcase(xml, "pwd.reversible");

	cr_assert(strncmp(tc, "<testcase classname=\"pwd\" name=\"pwd.reversible\" time=\"", 54) == 0,
		  "%s", tc);
	cr_assert(strstr(tc, "<failure message=\"2 unwaived findings\" type=\"high\">"), "%s", tc);
	cr_assert(strstr(tc, "high bob: "), "%s", tc);
	cr_assert(strstr(tc, "[pwd.reversible|S-1-5-21-1-2-3-1102]\n"), "%s", tc);
	cr_assert_eq(occurrences(tc, "\nhigh ") + (strstr(tc, ">high ") != NULL), 2, "%s", tc);
	cr_assert(!strstr(tc, "<system-out>"), "nothing waived here");
	free(tc);
	free(xml);
	fixture_free(fx);
}

Test(junit, waived_findings_go_to_system_out)
{
	struct fixture *fx = scenario();
	char *xml = write_junit(fx, "junit.xml", NULL);
	char *tc = testcase(xml, "pwd.never-expires");

	cr_assert(!strstr(tc, "<failure"), "a waived finding does not fail: %s", tc);
	cr_assert(strstr(tc, "<system-out>medium alice: "), "%s", tc);
	cr_assert(strstr(tc, "owner it-ops, reason vendor &lt;appliance&gt; &amp; co, "
			     "expires 2026-12-31)"), "%s", tc);
	free(tc);
	free(xml);
	fixture_free(fx);
}

Test(junit, disabled_is_skipped_and_unknown_is_an_error)
{
	struct fixture *fx = scenario();
	char *xml = write_junit(fx, "junit.xml", NULL);
	char *tc = testcase(xml, "pwd.old");
	size_t i;

	cr_assert(strstr(tc, "<skipped message=\"disabled by the policy\"/>"), "%s", tc);
	free(tc);
	cr_assert(registry_find("vpn.stale", &i));
	cr_assert_eq(fx->audit.states[i].status, STATUS_UNKNOWN);
	tc = testcase(xml, "vpn.stale");
	cr_assert(strstr(tc, "<error message=\""), "%s", tc);
	cr_assert(strstr(tc, "type=\"unknown\"/>"), "%s", tc);
	cr_assert(fx->audit.states[i].reason && *fx->audit.states[i].reason);
	free(tc);
	/* a passing check is an empty testcase */
	tc = testcase(xml, "pwd.not-required");
	cr_assert(strstr(tc, "\">\n    </testcase>"), "%s", tc);
	free(tc);
	free(xml);
	fixture_free(fx);
}

Test(junit, escapes_markup_and_strips_forbidden_characters)
{
	struct fixture *fx = scenario();
	char *xml = write_junit(fx, "junit.xml", NULL);

	cr_assert(strstr(xml, "high we&lt;i&gt;rd&amp;&quot;&apos;\xef\xbf\xbd: "),
		  "markup escaped, controls and U+FFFF dropped, the bad byte U+FFFD: %s", xml);
	for (const unsigned char *p = (const unsigned char *)xml; *p; p++)
		cr_assert(*p >= 0x20 || *p == '\n' || *p == '\t' || *p == '\r',
			  "control character 0x%02x in the XML", *p);
	cr_assert(!strstr(xml, "\xef\xbf\xbf"));
	free(xml);
	fixture_free(fx);
}

Test(junit, clean_directory_has_no_failure)
{
	struct sbuf sb = SBUF_INIT;
	struct fixture *fx;
	char *xml;

	sbuf_adds(&sb, fixture_domain_ldif);
	user(&sb, "carol", "sAMAccountName: carol", 1103, 0);
	fx = fixture_run(sb.buf, NULL, NOW);
	xml = write_junit(fx, "junit.xml", NULL);
	cr_assert_eq(occurrences(xml, "<failure"), 0);
	cr_assert(strstr(xml, " failures=\"0\" "));
	sbuf_release(&sb);
	free(xml);
	fixture_free(fx);
}

Test(junit, unwritable_path_is_exit_4)
{
	struct fixture *fx = scenario();
	struct error err = ERROR_INIT;
	struct sbuf path = SBUF_INIT;

	sbuf_addf(&path, "%s/missing/junit.xml", tmpdir);
	cr_assert(report_junit_write(&fx->audit, path.buf, &err) < 0);
	cr_assert_eq(err.code, EXIT_REPORT);
	cr_assert(access(path.buf, F_OK) != 0);
	sbuf_release(&path);
	fixture_free(fx);
}
