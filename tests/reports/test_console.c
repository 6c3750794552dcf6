/*
 * Tests for reports/console.c: the verdict comes first, unknown checks are
 * listed with their reasons (never shown as passed), colours only when
 * asked, nothing from the directory reaches the terminal as a control
 * sequence, and the list of findings stays short.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../auditor/engine.h"
#include "../../auditor/sbuf.h"
#include "../../auditor/xalloc.h"
#include "../../checks/registry.h"
#include "../../reports/report.h"
#include "../fixture.h"

#define NOW "2026-01-01T00:00:00Z"

/*
 * A small domain: a Domain Admin with an old password, a VPN group, a user
 * whose sAMAccountName carries an escape sequence ("ev\e[2Jil"), and
 * nusers users with passwords older than a year.
 */
static struct fixture *run(int nusers, const char *policy)
{
	struct sbuf sb = SBUF_INIT;
	struct fixture *fx;

	sbuf_adds(&sb, fixture_domain_ldif);
	sbuf_addf(&sb,
		  "dn: CN=VPN-Users,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: group\nsAMAccountName: VPN-Users\nobjectSid: S-1-5-21-1-2-3-3000\n"
		  "member: CN=carol,CN=Users,DC=corp,DC=example,DC=test\n\n"
		  "dn: CN=adm-alice,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName: adm-alice\nobjectSid: S-1-5-21-1-2-3-1100\n"
		  "userAccountControl: 512\npwdLastSet: %s\nlastLogonTimestamp: %s\n"
		  "whenCreated: 20200101000000.0Z\nprimaryGroupID: 512\nadminCount: 1\n\n",
		  fixture_filetime_days_ago(NOW, 400), fixture_filetime_days_ago(NOW, 1));
	sbuf_addf(&sb,
		  "dn: CN=carol,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName: carol\nobjectSid: S-1-5-21-1-2-3-1101\n"
		  "userAccountControl: 512\npwdLastSet: %s\nlastLogonTimestamp: %s\n"
		  "whenCreated: 20200101000000.0Z\nprimaryGroupID: 513\nadminCount: 0\n\n",
		  fixture_filetime_days_ago(NOW, 10), fixture_filetime_days_ago(NOW, 1));
	sbuf_addf(&sb,
		  "dn: CN=evil,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName:: ZXYbWzJKaWw=\nobjectSid: S-1-5-21-1-2-3-1102\n"
		  "userAccountControl: 66048\npwdLastSet: %s\nlastLogonTimestamp: %s\n"
		  "whenCreated: 20200101000000.0Z\nprimaryGroupID: 513\n\n",
		  fixture_filetime_days_ago(NOW, 10), fixture_filetime_days_ago(NOW, 1));
	for (int i = 0; i < nusers; i++)
		sbuf_addf(&sb,
			  "dn: CN=user%02d,CN=Users,DC=corp,DC=example,DC=test\n"
			  "objectClass: user\nsAMAccountName: user%02d\nobjectSid: S-1-5-21-1-2-3-%d\n"
			  "userAccountControl: 512\npwdLastSet: %s\nlastLogonTimestamp: %s\n"
			  "whenCreated: 20200101000000.0Z\nprimaryGroupID: 513\n\n",
			  i, i, 2000 + i, fixture_filetime_days_ago(NOW, 400),
			  fixture_filetime_days_ago(NOW, 1));
	fx = fixture_run(sb.buf, policy, NOW);
	sbuf_release(&sb);
	return fx;
}

static const char *vpn_policy =
	"{\"version\": 1, \"vpn\": {\"groups\": [\"VPN-Users\"]},"
	" \"incident\": {\"password_reset_after\": \"2025-10-04\"}}";

/* The console output as a string (new). */
static char *render(const struct fixture *fx, bool color, bool verbose)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct report_meta m = { .source_kind = "ldif", .uri = "fixture.ldif" };

	cr_assert_not_null(fp);
	report_console(fp, &fx->audit, &m, color, verbose);
	fclose(fp);
	return buf;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The line of s that starts with prefix, or NULL. */
static const char *line_starting(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, prefix, n) == 0)
			return p;
	return NULL;
}

Test(console, verdict_line_comes_first)
{
	struct fixture *fx = run(0, vpn_policy);
	char *out = render(fx, false, false);

	cr_assert_not(fx->audit.summary.pass);
	cr_assert_eq(strncmp(out, "FAIL  gate fail_on high: ", 25), 0, "%s", out);
	free(out);
	fixture_free(fx);
}

Test(console, pass_verdict_when_gate_passes)
{
	/* no accounts at all, and unknown checks do not fail this gate */
	struct fixture *fx = fixture_run(fixture_domain_ldif,
		"{\"version\": 1, \"gate\": {\"fail_on\": \"critical\", \"unknown_fails\": false}}",
		NOW);
	char *out = render(fx, false, false);

	cr_assert(fx->audit.summary.pass);
	cr_assert_eq(strncmp(out, "PASS  gate fail_on critical: no unwaived finding at or above critical",
			     strlen("PASS  gate fail_on critical: no unwaived finding at or above critical")),
		     0, "%s", out);
	free(out);
	out = render(fx, true, false);
	cr_assert_eq(strncmp(out, "\033[1;32mPASS\033[0m", strlen("\033[1;32mPASS\033[0m")), 0, "%s", out);
	free(out);
	fixture_free(fx);
}

Test(console, counts_and_domain_are_shown)
{
	struct fixture *fx = run(2, vpn_policy);
	char *out = render(fx, false, false);
	const struct summary *s = &fx->audit.summary;
	struct sbuf want = SBUF_INIT;

	cr_assert_not_null(line_starting(out, "domain    corp.example.test (S-1-5-21-1-2-3), ldif fixture.ldif"),
			   "%s", out);
	sbuf_addf(&want, "accounts  %zu (enabled %zu, privileged %zu, VPN-capable %zu)",
		  s->accounts, s->enabled, s->privileged, s->vpn_capable);
	cr_assert_not_null(line_starting(out, want.buf), "%s\n%s", want.buf, out);
	cr_assert_eq(s->accounts, 5);
	cr_assert_geq(s->privileged, 1);
	cr_assert_geq(s->vpn_capable, 1);
	sbuf_reset(&want);
	sbuf_addf(&want, "findings  %zu critical, %zu high, %zu medium, %zu low, %zu info (unwaived); %zu waived",
		  s->by_severity[SEV_CRITICAL], s->by_severity[SEV_HIGH],
		  s->by_severity[SEV_MEDIUM], s->by_severity[SEV_LOW],
		  s->by_severity[SEV_INFO], s->waived);
	cr_assert_not_null(line_starting(out, want.buf), "%s\n%s", want.buf, out);
	cr_assert_not_null(line_starting(out, "by family "), "%s", out);
	sbuf_release(&want);
	free(out);
	fixture_free(fx);
}

Test(console, unknown_checks_are_listed_with_reasons)
{
	/* no VPN groups and no dial-in attribute: the vpn checks cannot run */
	struct fixture *fx = run(0, NULL);
	char *out = render(fx, false, false);
	const char *unknown = line_starting(out, "unknown   ");
	size_t n = registry_count(), listed = 0;

	cr_assert_gt(fx->audit.summary.unknown_checks, 0);
	cr_assert_not_null(unknown, "%s", out);
	cr_assert_not_null(strstr(unknown, "(not passed)"));
	for (size_t i = 0; i < n; i++) {
		const char *id = registry_get(i)->id;
		const char *p;

		if (fx->audit.states[i].status != STATUS_UNKNOWN)
			continue;
		/* each unknown check is named after the "unknown" header, with its reason */
		p = strstr(unknown, id);
		cr_assert_not_null(p, "%s not listed:\n%s", id, out);
		p = strchr(p, '\n');
		cr_assert_not_null(p);
		cr_assert_not_null(strstr(unknown, fx->audit.states[i].reason));
		listed++;
	}
	cr_assert_eq(listed, fx->audit.summary.unknown_checks);
	/* unknown checks fail the gate by default, and the verdict says why */
	cr_assert_eq(strncmp(out, "FAIL", 4), 0);
	cr_assert_not_null(strstr(out, "checks unknown"));
	free(out);
	fixture_free(fx);
}

Test(console, no_escape_bytes_without_color)
{
	struct fixture *fx = run(3, vpn_policy);
	char *out = render(fx, false, true);
	char *col;

	/* the escape in evil's sAMAccountName is neutralised too */
	cr_assert_null(strchr(out, '\033'), "%s", out);
	cr_assert_not_null(strstr(out, "ev?[2Jil"), "%s", out);
	free(out);
	col = render(fx, true, false);
	cr_assert_not_null(strstr(col, "\033["));
	/* colour codes come from the report, never from the data */
	cr_assert_null(strstr(col, "\033[2J"));
	free(col);
	fixture_free(fx);
}

Test(console, message_control_characters_are_neutralised)
{
	struct fixture *fx = run(1, vpn_policy);
	struct finding *f;
	char *out;

	cr_assert_gt(fx->audit.nfindings, 0);
	f = fx->audit.findings[0];
	f->message = arena_strdup(&fx->audit.mem, "line one\nline two\033]0;title\007 \xc2\x9b" "31m \xff end");
	f->message_packed = false;
	out = render(fx, false, false);
	cr_assert_null(strchr(out, '\033'));
	cr_assert_null(strchr(out, '\007'));
	cr_assert_null(strstr(out, "\xc2\x9b"));
	cr_assert_not_null(strstr(out, "line one?line two?]0;title? ?31m \xef\xbf\xbd end"), "%s", out);
	free(out);
	fixture_free(fx);
}

Test(console, top_findings_are_capped_with_more_line)
{
	struct fixture *fx = run(20, vpn_policy);
	char *out = render(fx, false, false);
	const char *top = line_starting(out, "most severe findings:");
	size_t unwaived = 0, shown = 0;
	char more[64];

	for (size_t i = 0; i < fx->audit.nfindings; i++)
		unwaived += !fx->audit.findings[i]->waiver;
	cr_assert_gt(unwaived, 15);
	cr_assert_not_null(top, "%s", out);
	for (const char *p = strchr(top, '\n') + 1; strncmp(p, "  ", 2) == 0; p = strchr(p, '\n') + 1) {
		const char *eol = strchr(p, '\n');
		const char *m = strstr(p, "more in the report");

		if (m && m < eol)
			break;
		shown++;
	}
	cr_assert_eq(shown, 15, "%s", out);
	snprintf(more, sizeof(more), "  %zu more in the report\n", unwaived - 15);
	cr_assert_not_null(strstr(out, more), "%s\n%s", more, out);
	/* the most severe finding is the first listed */
	cr_assert_not_null(strstr(strchr(top, '\n') + 1,
				  severity_name(fx->audit.findings[0]->severity)));
	cr_assert_lt(count_lines(out), 45, "%s", out);
	free(out);
	fixture_free(fx);
}

Test(console, verbose_lists_every_finding)
{
	struct fixture *fx = run(20, vpn_policy);
	char *out = render(fx, false, true);

	cr_assert_null(strstr(out, "more in the report"));
	for (size_t i = 0; i < fx->audit.nfindings; i++) {
		const char *sam = finding_sam(fx->audit.findings[i]);

		if (sam && strncmp(sam, "user", 4) == 0)
			cr_assert_not_null(strstr(out, sam));
	}
	free(out);
	fixture_free(fx);
}

Test(console, waived_findings_are_counted_not_listed)
{
	struct fixture *fx = run(0,
		"{\"version\": 1, \"vpn\": {\"groups\": [\"VPN-Users\"]},"
		" \"incident\": {\"password_reset_after\": \"2025-10-04\"},"
		" \"waivers\": [{\"check\": \"pwd.never-expires\", \"account\": \"S-1-5-21-1-2-3-1102\","
		" \"reason\": \"vendor appliance\", \"owner\": \"it-ops\"}]}");
	char *out = render(fx, false, false);
	const struct finding *f = NULL;

	for (size_t i = 0; i < fx->audit.nfindings; i++)
		if (!strcmp(fx->audit.findings[i]->check->id, "pwd.never-expires"))
			f = fx->audit.findings[i];
	cr_assert_not_null(f);
	cr_assert_not_null(f->waiver);
	cr_assert_eq(fx->audit.summary.waived, 1);
	cr_assert_not_null(strstr(out, "; 1 waived\n"), "%s", out);
	cr_assert_null(strstr(out, "pwd.never-expires"), "%s", out);
	free(out);
	out = render(fx, false, true);
	cr_assert_not_null(strstr(out, "[waived: it-ops, vendor appliance]"), "%s", out);
	free(out);
	fixture_free(fx);
}

/* The readiness block (auditor/readiness.h) */

Test(console, readiness_block_no_go_with_reasons)
{
	struct fixture *fx = run(0, vpn_policy);
	char *out = render(fx, false, false);
	const char *block = line_starting(out, "readiness ");
	const char *top = line_starting(out, "most severe findings:");

	cr_assert_not_null(block, "%s", out);
	cr_assert_eq(strncmp(block, "readiness NO-GO  the VPN must stay closed (incident cut-off "
				    "2025-10-04T00:00:00Z)\n",
			     strlen("readiness NO-GO  the VPN must stay closed (incident cut-off "
				    "2025-10-04T00:00:00Z)\n")),
		     0, "%s", out);
	cr_assert_not_null(line_starting(out, "  1 VPN-capable: 1 without MFA, 0 password not reset, "
					      "0 stale, 0 never used, 0 privileged, "),
			   "%s", out);
	cr_assert_not_null(line_starting(out, "  krbtgt rotation unknown\n"), "%s", out);
	cr_assert_not_null(line_starting(out, "  - 1 VPN-capable account without MFA evidence (vpn.no-mfa)\n"),
			   "%s", out);
	cr_assert_not_null(line_starting(out, "  - krbtgt (RID 502) is not in the directory"), "%s", out);
	/* after the counts, before the findings */
	cr_assert_gt(block, line_starting(out, "findings  "));
	cr_assert_lt(block, top);
	free(out);
	fixture_free(fx);
}

Test(console, no_readiness_block_without_vpn_checks)
{
	/* the defaults: no VPN group and no msNPAllowDialin anywhere */
	struct fixture *fx = run(0, NULL);
	char *out = render(fx, false, false);

	cr_assert_eq(fixture_status(fx, "vpn.stale"), STATUS_UNKNOWN);
	cr_assert_null(strstr(out, "readiness"), "%s", out);
	free(out);
	fixture_free(fx);
}

Test(console, readiness_block_go_in_colour)
{
	struct sbuf sb = SBUF_INIT;
	struct fixture *fx;
	char *out;

	sbuf_adds(&sb, fixture_domain_ldif);
	/* carol: VPN, smart card required (MFA), owner, recent logon and password */
	sbuf_addf(&sb,
		  "dn: CN=krbtgt,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName: krbtgt\nobjectSid: S-1-5-21-1-2-3-502\n"
		  "userAccountControl: 514\npwdLastSet: %s\nprimaryGroupID: 513\n\n"
		  "dn: CN=VPN-Users,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: group\nsAMAccountName: VPN-Users\nobjectSid: S-1-5-21-1-2-3-3000\n"
		  "member: CN=carol,CN=Users,DC=corp,DC=example,DC=test\n\n"
		  "dn: CN=carol,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName: carol\nobjectSid: S-1-5-21-1-2-3-1101\n"
		  "userAccountControl: 262656\npwdLastSet: %s\nlastLogonTimestamp: %s\n"
		  "whenCreated: 20200101000000.0Z\nprimaryGroupID: 513\nemployeeID: 42\n\n",
		  fixture_filetime("2025-10-06T12:00:00Z"), fixture_filetime_days_ago(NOW, 10),
		  fixture_filetime_days_ago(NOW, 1));
	fx = fixture_run(sb.buf, vpn_policy, NOW);
	out = render(fx, true, false);
	cr_assert_not_null(strstr(out, "readiness \033[1;32mGO\033[0m  the VPN may reopen (incident cut-off "
				       "2025-10-04T00:00:00Z)\n"),
			   "%s", out);
	cr_assert_not_null(strstr(out, "  krbtgt rotated after the incident (password set "
				       "2025-10-06T12:00:00Z)\n"),
			   "%s", out);
	cr_assert_null(strstr(out, "  - "), "a GO has no reasons: %s", out);
	free(out);
	fixture_free(fx);
	sbuf_release(&sb);
}
