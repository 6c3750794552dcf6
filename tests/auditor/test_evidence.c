/*
 * Tests for auditor/evidence.c: MFA enrollment matched by UPN,
 * sAMAccountName, mail (case-insensitively, ambiguous names ignored) from
 * plain and Duo/Okta/Entra-like exports (BOM, CRLF, extra columns); the
 * VPN activity CSV driving vpn.stale on both sides of the limit; required
 * and optional sources that are missing or malformed; paths relative to
 * the policy file; the login time formats.
 *
 * The audit runs through run_csv(), tests/fixture.c's fixture_run() with
 * evidence_load() between dir_resolve() and the checks, as main.c does.
 * CSV files live in tests/data/csv/ (the tests run from tests/).
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "../../auditor/error.h"
#include "../../auditor/evidence.h"
#include "../../auditor/exitcode.h"
#include "../../auditor/ldif.h"
#include "../../auditor/sbuf.h"
#include "../../auditor/timeutil.h"
#include "../../auditor/xalloc.h"
#include "../../checks/registry.h"
#include "../fixture.h"

#define NOW "2026-01-01T00:00:00Z"

/*
 * fixture_run() plus evidence_load_stats(). policy_path, when not NULL,
 * becomes policy.path (CSV paths are relative to its directory). On an
 * evidence error: NULL, with *err set.
 */
static struct fixture *run_csv(const char *ldif, const char *policy_json, const char *policy_path,
			       struct evidence_stats *st, struct error *err)
{
	struct fixture *fx = xcalloc(1, sizeof(*fx));
	struct error lerr = ERROR_INIT;
	const char **extra;
	size_t nextra;

	cr_assert_eq(time_from_iso8601(NOW, &fx->now, NULL), 0);
	policy_init(&fx->policy);
	cr_assert_eq(policy_load_string(&fx->policy, policy_json, "policy.json", &lerr), 0,
		     "policy: %s", lerr.msg);
	if (policy_path)
		fx->policy.path = xstrdup(policy_path);
	extra = policy_extra_attributes(&fx->policy, &nextra);
	dir_init(&fx->dir, extra, nextra);
	free(extra);
	cr_assert_eq(ldif_load_mem(&fx->dir, ldif, strlen(ldif), "fixture.ldif", &lerr), 0,
		     "ldif: %s", lerr.msg);
	dir_resolve(&fx->dir, &fx->policy, fx->now);
	if (evidence_load_stats(&fx->dir, &fx->policy, fx->now, st, err) < 0) {
		dir_release(&fx->dir);
		policy_release(&fx->policy);
		free(fx);
		return NULL;
	}
	audit_init(&fx->audit, &fx->dir, &fx->policy, fx->now);
	audit_run(&fx->audit);
	return fx;
}

static struct fixture *must_run(const char *ldif, const char *policy_json, struct evidence_stats *st)
{
	struct error err = ERROR_INIT;
	struct fixture *fx = run_csv(ldif, policy_json, NULL, st, &err);

	cr_assert_not_null(fx, "evidence: %s", err.msg);
	return fx;
}

/* Run that must fail in evidence_load; returns the message. */
static const char *must_fail(const char *ldif, const char *policy_json)
{
	static struct error err;
	struct fixture *fx;

	memset(&err, 0, sizeof(err));
	fx = run_csv(ldif, policy_json, NULL, NULL, &err);
	cr_assert_null(fx, "evidence_load succeeded");
	cr_assert_eq(err.code, EXIT_INPUT);
	return err.msg;
}

static void add_user(struct sbuf *sb, const char *sam, int rid, const char *upn, const char *mail,
		     int primary)
{
	sbuf_addf(sb,
		  "dn: CN=%s,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName: %s\nobjectSid: S-1-5-21-1-2-3-%d\n"
		  "userAccountControl: 512\npwdLastSet: %s\nlastLogonTimestamp: %s\n"
		  "whenCreated: 20200101000000.0Z\nprimaryGroupID: %d\n"
		  "employeeID: %d\n",
		  sam, sam, rid, fixture_filetime_days_ago(NOW, 10), fixture_filetime_days_ago(NOW, 1),
		  primary, rid);
	if (upn)
		sbuf_addf(sb, "userPrincipalName: %s\n", upn);
	if (mail)
		sbuf_addf(sb, "mail: %s\n", mail);
	sbuf_addch(sb, '\n');
}

/*
 * alice, bob, carol, erin, frank, gina, shared1, shared2 are in VPN-Users;
 * dave is a Domain Admin (primary group 512), not on the VPN. shared1 and
 * shared2 have the same mail. with_mail false: no mail attribute at all.
 */
static char *domain(bool with_mail)
{
	static const char *const vpn[] = { "alice", "bob", "carol", "erin", "frank", "gina",
					   "shared1", "shared2" };
	struct sbuf sb = SBUF_INIT;

	sbuf_adds(&sb, fixture_domain_ldif);
	sbuf_adds(&sb, "dn: CN=VPN-Users,CN=Users,DC=corp,DC=example,DC=test\n"
		       "objectClass: group\nsAMAccountName: VPN-Users\nobjectSid: S-1-5-21-1-2-3-3000\n");
	for (size_t i = 0; i < sizeof(vpn) / sizeof(vpn[0]); i++)
		sbuf_addf(&sb, "member: CN=%s,CN=Users,DC=corp,DC=example,DC=test\n", vpn[i]);
	sbuf_addch(&sb, '\n');
	add_user(&sb, "alice", 1200, "alice@corp.example.test",
		 with_mail ? "Alice.Smith@corp.example.test" : NULL, 513);
	add_user(&sb, "bob", 1201, "bob@corp.example.test", with_mail ? "bob@corp.example.test" : NULL,
		 513);
	add_user(&sb, "carol", 1202, "carol@corp.example.test", NULL, 513);
	add_user(&sb, "dave", 1203, "dave@corp.example.test", NULL, 512);
	add_user(&sb, "erin", 1204, "erin@corp.example.test", NULL, 513);
	add_user(&sb, "frank", 1205, "frank@corp.example.test", NULL, 513);
	add_user(&sb, "gina", 1206, "gina@corp.example.test", NULL, 513);
	add_user(&sb, "shared1", 1207, NULL, with_mail ? "shared@corp.example.test" : NULL, 513);
	add_user(&sb, "shared2", 1208, NULL, with_mail ? "Shared@corp.example.test" : NULL, 513);
	return sbuf_detach(&sb);
}

static char *mfa_policy(const char *path, const char *column, const char *match, bool optional)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_addf(&sb,
		  "{\"version\": 1, \"vpn\": {\"groups\": [\"VPN-Users\"]},"
		  " \"mfa\": {\"enrollment_csv\": {\"path\": \"%s\", \"column\": \"%s\","
		  " \"match\": \"%s\", \"optional\": %s}}}",
		  path, column, match, optional ? "true" : "false");
	return sbuf_detach(&sb);
}

static bool has_csv(const struct fixture *fx, const char *sam)
{
	return fixture_account(fx, sam)->mfa_sources & MFA_SRC_CSV;
}

/* MFA enrollment */

Test(evidence, mfa_by_upn_is_case_insensitive)
{
	char *ldif = domain(true), *pol = mfa_policy("data/csv/mfa-upn.csv", "upn",
						     "userPrincipalName", false);
	struct evidence_stats st;
	struct fixture *fx = must_run(ldif, pol, &st);

	cr_assert(fx->dir.mfa_csv_loaded);
	cr_assert(has_csv(fx, "alice"));
	cr_assert(has_csv(fx, "dave"), "DAVE@CORP.EXAMPLE.TEST matches dave@corp.example.test");
	cr_assert_not(has_csv(fx, "bob"));
	cr_assert(st.mfa.configured && st.mfa.loaded);
	cr_assert_str_eq(st.mfa.path, "data/csv/mfa-upn.csv");
	cr_assert_eq(st.mfa.rows, 3);
	cr_assert_eq(st.mfa.matched, 2);
	cr_assert_eq(st.mfa.unmatched, 1);
	cr_assert_str_eq(st.mfa.unmatched_example, "nobody@corp.example.test");
	cr_assert_eq(st.mfa.accounts, 2);
	cr_assert_not(st.vpn.configured);

	/* the checks see the evidence */
	cr_assert_not(fixture_has(fx, "vpn.no-mfa", "alice"));
	cr_assert(fixture_has(fx, "vpn.no-mfa", "bob"));
	cr_assert(fixture_has(fx, "vpn.no-mfa", "carol"));
	cr_assert_eq(fixture_status(fx, "mfa.privileged-missing"), STATUS_PASS);
	cr_assert_not(fixture_has(fx, "mfa.privileged-missing", "dave"));
	fixture_free(fx);
	free(pol);
	free(ldif);
}

Test(evidence, without_the_csv_the_admin_lacks_mfa)
{
	/* the control for the case above: dave's evidence came from the CSV */
	char *ldif = domain(true);
	struct fixture *fx = must_run(ldif, "{\"version\": 1, \"vpn\": {\"groups\": [\"VPN-Users\"]}}",
				      NULL);

	cr_assert_not(fx->dir.mfa_csv_loaded);
	cr_assert(fixture_has(fx, "mfa.privileged-missing", "dave"));
	cr_assert(fixture_has(fx, "vpn.no-mfa", "alice"));
	fixture_free(fx);
	free(ldif);
}

Test(evidence, mfa_by_sam_account_name_trimmed)
{
	char *ldif = domain(true), *pol = mfa_policy("data/csv/mfa-sam.csv", "sam", "sAMAccountName",
						     false);
	struct evidence_stats st;
	struct fixture *fx = must_run(ldif, pol, &st);

	cr_assert(has_csv(fx, "alice"), "ALICE matches alice");
	cr_assert(has_csv(fx, "bob"), "\"  bob  \" is trimmed");
	cr_assert_not(has_csv(fx, "carol"));
	cr_assert_eq(st.mfa.rows, 2);
	cr_assert_eq(st.mfa.matched, 2);
	fixture_free(fx);
	free(pol);
	free(ldif);
}

Test(evidence, mfa_by_mail_and_ambiguous_names_give_nothing)
{
	char *ldif = domain(true), *pol = mfa_policy("data/csv/mfa-mail.csv", "mail", "mail", false);
	struct evidence_stats st;
	struct fixture *fx = must_run(ldif, pol, &st);

	cr_assert(has_csv(fx, "alice"), "alice.smith@ matches Alice.Smith@");
	/* shared@ is the mail of two accounts: neither gets evidence */
	cr_assert_not(has_csv(fx, "shared1"));
	cr_assert_not(has_csv(fx, "shared2"));
	cr_assert(fixture_has(fx, "vpn.no-mfa", "shared1"));
	cr_assert_eq(st.mfa.ambiguous, 1);
	cr_assert_eq(st.mfa.matched, 1);
	fixture_free(fx);
	free(pol);
	free(ldif);
}

Test(evidence, duo_like_export_with_bom_crlf_and_extra_columns)
{
	char *ldif = domain(true), *pol = mfa_policy("data/csv/mfa-duo.csv", "Email", "mail", false);
	struct evidence_stats st;
	struct fixture *fx = must_run(ldif, pol, &st);

	cr_assert(has_csv(fx, "alice"));
	cr_assert(has_csv(fx, "bob"));
	cr_assert_not(has_csv(fx, "carol"));
	cr_assert_eq(st.mfa.rows, 3);
	cr_assert_eq(st.mfa.unmatched, 1);
	cr_assert_str_eq(st.mfa.unmatched_example, "ghost@corp.example.test");
	fixture_free(fx);
	free(pol);
	free(ldif);
}

Test(evidence, okta_like_export_by_login)
{
	char *ldif = domain(true), *pol = mfa_policy("data/csv/mfa-okta.csv", "Login",
						     "userPrincipalName", false);
	struct fixture *fx = must_run(ldif, pol, NULL);

	cr_assert(has_csv(fx, "bob"));
	cr_assert(has_csv(fx, "dave"));
	cr_assert_not(has_csv(fx, "alice"));
	fixture_free(fx);
	free(pol);
	free(ldif);
}

Test(evidence, entra_like_export_with_spaced_header)
{
	char *ldif = domain(true), *pol = mfa_policy("data/csv/mfa-entra.csv", "User principal name",
						     "userPrincipalName", false);
	struct fixture *fx = must_run(ldif, pol, NULL);

	cr_assert(has_csv(fx, "alice"));
	cr_assert(has_csv(fx, "carol"));
	cr_assert_not(has_csv(fx, "bob"));
	cr_assert_not(fixture_has(fx, "vpn.no-mfa", "carol"));
	fixture_free(fx);
	free(pol);
	free(ldif);
}

Test(evidence, csv_path_is_relative_to_the_policy_file)
{
	char *ldif = domain(true), *pol = mfa_policy("mfa-upn.csv", "upn", "userPrincipalName", false);
	struct evidence_stats st;
	struct error err = ERROR_INIT;
	struct fixture *fx = run_csv(ldif, pol, "data/csv/policy.json", &st, &err);

	cr_assert_not_null(fx, "%s", err.msg);
	cr_assert_str_eq(st.mfa.path, "data/csv/mfa-upn.csv");
	cr_assert(has_csv(fx, "alice"));
	fixture_free(fx);
	free(pol);
	free(ldif);
}

Test(evidence, evidence_path_rules)
{
	struct policy p;
	char *s;

	policy_init(&p);
	s = evidence_path(&p, "mfa.csv");
	cr_assert_str_eq(s, "mfa.csv", "built-in policy: the working directory");
	free(s);
	p.path = xstrdup("/etc/privaudit/policies/vpn.json");
	s = evidence_path(&p, "exports/mfa.csv");
	cr_assert_str_eq(s, "/etc/privaudit/policies/exports/mfa.csv");
	free(s);
	s = evidence_path(&p, "/srv/mfa.csv");
	cr_assert_str_eq(s, "/srv/mfa.csv", "absolute paths are kept");
	free(s);
	free(p.path);
	p.path = xstrdup("policy.json");
	s = evidence_path(&p, "mfa.csv");
	cr_assert_str_eq(s, "mfa.csv");
	free(s);
	free(p.path);
	p.path = xstrdup("-");
	s = evidence_path(&p, "mfa.csv");
	cr_assert_str_eq(s, "mfa.csv", "stdin: the working directory");
	free(s);
	free(p.path);
	p.path = NULL;
	policy_release(&p);
}

/* Missing and malformed */

Test(evidence, required_missing_file_is_exit_2)
{
	char *ldif = domain(true), *pol = mfa_policy("data/csv/nope.csv", "upn", "userPrincipalName",
						     false);

	cr_assert_str_eq(must_fail(ldif, pol), "data/csv/nope.csv: cannot open: No such file or directory");
	free(pol);
	free(ldif);
}

Test(evidence, optional_missing_file_makes_the_checks_unknown)
{
	char *ldif = domain(true), *pol = mfa_policy("data/csv/nope.csv", "upn", "userPrincipalName",
						     true);
	struct evidence_stats st;
	struct fixture *fx = must_run(ldif, pol, &st);
	const char *want = "MFA enrollment CSV \"data/csv/nope.csv\" not found (optional): "
			   "data/csv/nope.csv: No such file or directory";
	size_t idx;

	cr_assert_not(fx->dir.mfa_csv_loaded);
	cr_assert_str_eq(fx->dir.mfa_csv_unknown_reason, want);
	cr_assert(st.mfa.configured);
	cr_assert_not(st.mfa.loaded);
	cr_assert_eq(fixture_status(fx, "vpn.no-mfa"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_status(fx, "mfa.privileged-missing"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_count(fx, "vpn.no-mfa"), 0);
	cr_assert_not_null(registry_find("vpn.no-mfa", &idx));
	cr_assert_str_eq(fx->audit.states[idx].reason, want);
	/* the other checks still run */
	cr_assert_eq(fixture_status(fx, "vpn.stale"), STATUS_PASS);
	cr_assert_not(fx->audit.summary.pass, "unknown checks fail the default gate");
	fixture_free(fx);
	free(pol);
	free(ldif);
}

Test(evidence, required_malformed_file_names_line_and_column)
{
	char *ldif = domain(true), *pol = mfa_policy("data/csv/mfa-malformed.csv", "upn",
						     "userPrincipalName", false);

	cr_assert_str_eq(must_fail(ldif, pol),
			 "data/csv/mfa-malformed.csv:3:1: unterminated quoted field "
			 "(the quote opened here is never closed)");
	free(pol);
	free(ldif);
}

Test(evidence, optional_malformed_file_is_unknown_with_no_partial_evidence)
{
	char *ldif = domain(true), *pol = mfa_policy("data/csv/mfa-malformed.csv", "upn",
						     "userPrincipalName", true);
	struct fixture *fx = must_run(ldif, pol, NULL);

	cr_assert_not(fx->dir.mfa_csv_loaded);
	/* alice is on line 2, before the error: she must not keep evidence */
	cr_assert_not(has_csv(fx, "alice"));
	cr_assert(strstr(fx->dir.mfa_csv_unknown_reason, "is malformed (optional): "
			 "data/csv/mfa-malformed.csv:3:1: unterminated"),
		  "%s", fx->dir.mfa_csv_unknown_reason);
	cr_assert_eq(fixture_status(fx, "vpn.no-mfa"), STATUS_UNKNOWN);
	fixture_free(fx);
	free(pol);
	free(ldif);
}

Test(evidence, missing_column_lists_the_header)
{
	char *ldif = domain(true), *pol = mfa_policy("data/csv/mfa-upn.csv", "email", "mail", false);

	cr_assert_str_eq(must_fail(ldif, pol),
			 "data/csv/mfa-upn.csv:1: no column \"email\" in the header (columns: \"upn\")");
	free(pol);
	free(ldif);
}

Test(evidence, match_attribute_absent_everywhere_is_unknown_not_a_finding_per_account)
{
	char *ldif = domain(false), *pol = mfa_policy("data/csv/mfa-mail.csv", "mail", "mail", false);
	struct fixture *fx = must_run(ldif, pol, NULL);

	cr_assert_not(fx->dir.mfa_csv_loaded);
	cr_assert(strstr(fx->dir.mfa_csv_unknown_reason, "the match attribute \"mail\" is absent from all "
			 "account entries"), "%s", fx->dir.mfa_csv_unknown_reason);
	cr_assert_eq(fixture_status(fx, "vpn.no-mfa"), STATUS_UNKNOWN);
	fixture_free(fx);
	free(pol);
	free(ldif);
}

Test(evidence, directory_must_be_resolved_first)
{
	struct dir d;
	struct policy p;
	struct error err = ERROR_INIT;

	policy_init(&p);
	dir_init(&d, NULL, 0);
	cr_assert_eq(evidence_load(&d, &p, 0, &err), -1);
	cr_assert(strstr(err.msg, "resolved"));
	dir_release(&d);
	policy_release(&p);
}

Test(evidence, nothing_configured_is_a_no_op)
{
	char *ldif = domain(true);
	struct evidence_stats st;
	struct sbuf sb = SBUF_INIT;
	struct fixture *fx = must_run(ldif, "{\"version\": 1}", &st);

	cr_assert_not(st.mfa.configured);
	cr_assert_not(st.vpn.configured);
	cr_assert_not(fx->dir.mfa_csv_loaded);
	cr_assert_null(fx->dir.mfa_csv_unknown_reason);
	cr_assert_null(fx->dir.vpn_csv_unknown_reason);
	evidence_stats_describe(&st, &sb);
	cr_assert_str_eq(sb.buf, "");
	sbuf_release(&sb);
	fixture_free(fx);
	free(ldif);
}

/* VPN activity */

static const char vpn_policy[] =
	"{\"version\": 1, \"vpn\": {\"groups\": [\"VPN-Users\"], \"activity_csv\": {"
	"\"path\": \"data/csv/vpn-activity.csv\", \"column\": \"User Name\","
	" \"time_column\": \"Last Login Time\", \"match\": \"sAMAccountName\"}}}";

Test(evidence, vpn_activity_drives_vpn_stale_on_both_sides_of_the_limit)
{
	char *ldif = domain(true);
	struct evidence_stats st;
	struct fixture *fx = must_run(ldif, vpn_policy, &st);
	const struct finding *f;
	int64_t t;

	cr_assert(fx->dir.vpn_csv_loaded);
	/* newest of two rows, 45 days and 1 second ago: stale */
	cr_assert_eq(time_from_iso8601("2025-11-16T23:59:59Z", &t, NULL), 0);
	cr_assert_eq(fixture_account(fx, "alice")->vpn_last_login, t);
	cr_assert(fixture_has(fx, "vpn.stale", "alice"));
	/* exactly 45 days ago (a zone-less time is UTC): not older than 45 days */
	cr_assert_eq(time_from_iso8601("2025-11-17T00:00:00Z", &t, NULL), 0);
	cr_assert_eq(fixture_account(fx, "bob")->vpn_last_login, t);
	cr_assert_not(fixture_has(fx, "vpn.stale", "bob"));
	/* Cisco ASA and RFC 2822 times, 12 days ago */
	cr_assert_eq(time_from_iso8601("2025-12-20T08:00:00Z", &t, NULL), 0);
	cr_assert_eq(fixture_account(fx, "erin")->vpn_last_login, t);
	cr_assert_eq(fixture_account(fx, "frank")->vpn_last_login, t);
	cr_assert_not(fixture_has(fx, "vpn.stale", "erin"));
	cr_assert_not(fixture_has(fx, "vpn.stale", "frank"));
	/* never seen by the gateway (or with no time), created in 2020: stale */
	cr_assert_eq(fixture_account(fx, "carol")->vpn_last_login, TIME_NEVER);
	cr_assert(fixture_has(fx, "vpn.stale", "carol"));
	cr_assert(fixture_has(fx, "vpn.stale", "gina"));
	cr_assert(fixture_has(fx, "vpn.stale", "shared1"));
	cr_assert_eq(fixture_count(fx, "vpn.stale"), 5);
	f = fixture_find(fx, "vpn.stale", "alice");
	cr_assert_str_eq(json_string_value(json_object_get(finding_evidence(f), "source")), "vpn_activity_csv");

	cr_assert_eq(st.vpn.rows, 8);
	cr_assert_eq(st.vpn.matched, 7);
	cr_assert_eq(st.vpn.unmatched, 1);
	cr_assert_str_eq(st.vpn.unmatched_example, "mallory");
	cr_assert_eq(st.vpn.no_time, 1);
	cr_assert_eq(st.vpn.accounts, 4);
	fixture_free(fx);
	free(ldif);
}

Test(evidence, without_vpn_activity_the_directory_logon_counts)
{
	/* the control: everyone logged on to the domain yesterday */
	char *ldif = domain(true);
	struct fixture *fx = must_run(ldif, "{\"version\": 1, \"vpn\": {\"groups\": [\"VPN-Users\"]}}",
				      NULL);

	cr_assert_eq(fixture_status(fx, "vpn.stale"), STATUS_PASS);
	cr_assert_eq(fixture_count(fx, "vpn.stale"), 0);
	fixture_free(fx);
	free(ldif);
}

Test(evidence, vpn_bad_time_is_exit_2_with_line)
{
	char *ldif = domain(true);
	const char *msg = must_fail(ldif,
		"{\"version\": 1, \"vpn\": {\"groups\": [\"VPN-Users\"], \"activity_csv\": "
		"{\"path\": \"data/csv/vpn-badtime.csv\"}}}");

	cr_assert_eq(strncmp(msg, "data/csv/vpn-badtime.csv:2: field 2 (\"last_login\"): bad time \"yesterday\"",
			     strlen("data/csv/vpn-badtime.csv:2: field 2 (\"last_login\"): bad time \"yesterday\"")),
		     0, "%s", msg);
	free(ldif);
}

Test(evidence, optional_missing_vpn_activity_makes_vpn_stale_unknown)
{
	char *ldif = domain(true);
	struct fixture *fx = must_run(ldif,
		"{\"version\": 1, \"vpn\": {\"groups\": [\"VPN-Users\"], \"activity_csv\": "
		"{\"path\": \"data/csv/nope.csv\", \"optional\": true}}}", NULL);

	cr_assert_not(fx->dir.vpn_csv_loaded);
	cr_assert_eq(fixture_status(fx, "vpn.stale"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_status(fx, "vpn.no-mfa"), STATUS_FAIL);
	cr_assert_str_eq(fx->dir.vpn_csv_unknown_reason,
			 "VPN activity CSV \"data/csv/nope.csv\" not found (optional): "
			 "data/csv/nope.csv: No such file or directory");
	fixture_free(fx);
	free(ldif);
}

Test(evidence, both_optional_missing_give_both_reasons)
{
	char *ldif = domain(true);
	struct fixture *fx = must_run(ldif,
		"{\"version\": 1, \"vpn\": {\"groups\": [\"VPN-Users\"], \"activity_csv\": "
		"{\"path\": \"data/csv/nope-vpn.csv\", \"optional\": true}},"
		" \"mfa\": {\"enrollment_csv\": {\"path\": \"data/csv/nope-mfa.csv\", \"optional\": true}}}",
		NULL);

	cr_assert(strstr(fx->dir.mfa_csv_unknown_reason, "MFA enrollment CSV \"data/csv/nope-mfa.csv\""));
	cr_assert(strstr(fx->dir.vpn_csv_unknown_reason, "VPN activity CSV \"data/csv/nope-vpn.csv\""));
	cr_assert_null(strstr(fx->dir.vpn_csv_unknown_reason, "MFA"), "each source keeps its own reason");
	fixture_free(fx);
	free(ldif);
}

Test(evidence, stats_describe_for_verbose)
{
	char *ldif = domain(true);
	struct evidence_stats st;
	struct sbuf sb = SBUF_INIT;
	struct fixture *fx = must_run(ldif, vpn_policy, &st);

	evidence_stats_describe(&st, &sb);
	cr_assert_str_eq(sb.buf,
			 "VPN activity CSV \"data/csv/vpn-activity.csv\": 8 rows, 7 matched, 1 unmatched "
			 "(first: \"mallory\"), 1 without a time; 4 accounts with a VPN login\n");
	sbuf_release(&sb);
	fixture_free(fx);
	free(ldif);
}

/* Login times */

static int64_t iso(const char *s)
{
	int64_t t;

	cr_assert_eq(time_from_iso8601(s, &t, NULL), 0, "%s", s);
	return t;
}

Test(evidence, login_time_formats)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "2025-10-04", "2025-10-04T00:00:00Z" },
		{ "2025-10-04T08:15:00Z", "2025-10-04T08:15:00Z" },
		{ "2025-10-04T08:15:00.123Z", "2025-10-04T08:15:00Z" },
		{ "2025-10-04T08:15:00+09:00", "2025-10-03T23:15:00Z" },
		{ "2025-10-04T08:15:00-0500", "2025-10-04T13:15:00Z" },
		{ "2025-10-04 08:15:00", "2025-10-04T08:15:00Z" },
		{ "2025-10-04 08:15", "2025-10-04T08:15:00Z" },
		{ "2025/10/04 08:15:00", "2025-10-04T08:15:00Z" },
		{ "2025-10-04 08:15:00 UTC", "2025-10-04T08:15:00Z" },
		{ "2025-10-04 08:15:00 +09", "2025-10-03T23:15:00Z" },
		{ "  2025-10-04T08:15:00Z  ", "2025-10-04T08:15:00Z" },
		{ "1759565700", "2025-10-04T08:15:00Z" },
		{ "1759565700123", "2025-10-04T08:15:00Z" },
		{ "Oct 04 2025 08:15:00", "2025-10-04T08:15:00Z" },
		{ "Oct  4 2025 08:15:00", "2025-10-04T08:15:00Z" },
		{ "Sat, 04 Oct 2025 08:15:00 GMT", "2025-10-04T08:15:00Z" },
		{ "Sat, 04 Oct 2025 08:15:00 +0900", "2025-10-03T23:15:00Z" },
		{ "4 October 2025 08:15", "2025-10-04T08:15:00Z" },
		{ "2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t t = 0;

		cr_assert_eq(evidence_parse_time(cases[i].in, &t), 0, "rejected \"%s\"", cases[i].in);
		cr_assert_eq(t, iso(cases[i].want), "\"%s\"", cases[i].in);
	}
}

Test(evidence, login_time_rejects)
{
	static const char *const bad[] = {
		"", "yesterday", "04/10/2025", "10/04/2025 08:15", "2025-13-01", "2025-02-29",
		"2025-10-04T25:00:00Z", "2025-10-04T08:61:00Z", "2025-10-04T08:15:00+24:00",
		"2025-10-04T08:15:00 PST", "2025-10-04X", "12345678", "12345678901234",
		"Foo 04 2025 08:15:00", "Oct 04 2025", "2025-10-04T08:15:00Zjunk",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t t;

		cr_assert_eq(evidence_parse_time(bad[i], &t), -1, "accepted \"%s\"", bad[i]);
	}
}
