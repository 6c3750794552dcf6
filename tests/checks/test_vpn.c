/*
 * Tests of the vpn family (checks/vpn.c): firing and non-firing cases,
 * both sides of every threshold, who is skipped (disabled, non-VPN,
 * msNPAllowDialin FALSE, computers), supersedes, and when each check is
 * unknown. Directories are small LDIF fixtures audited at a fixed time.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <string.h>

#include "../../auditor/sbuf.h"
#include "../../auditor/timeutil.h"
#include "../../checks/registry.h"
#include "../fixture.h"
#include "helpers.h"

#define POLICY                                                                   \
	"{\"vpn\": {\"groups\": [\"VPN-Users\"]},"                               \
	" \"mfa\": {\"groups\": [\"MFA-Enrolled\"]},"                            \
	" \"incident\": {\"password_reset_after\": \"2025-10-04\"}}"

/* Run the checks again after a test changed the resolved directory. */
static void rerun(struct fixture *fx)
{
	audit_release(&fx->audit);
	audit_init(&fx->audit, &fx->dir, &fx->policy, fx->now);
	audit_run(&fx->audit);
}

/* vpn.stale */

Test(vpn, stale_fires_one_second_past_max_idle_days)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), b = good("bob", 1106);
	struct fixture *fx;
	const struct finding *f;

	a.logon = ft_ago(45, 1);
	b.logon = ft_ago(45, 0);
	domain(&sb, NULL);
	add_user(&sb, &a);
	add_user(&sb, &b);
	group(&sb, "VPN-Users", 1200, "alice", "bob", NULL);
	group(&sb, "MFA-Enrolled", 1201, "alice", "bob", NULL);
	fx = run_ldif(&sb, POLICY);
	cr_assert_eq(fixture_status(fx, "vpn.stale"), STATUS_FAIL);
	f = fixture_find(fx, "vpn.stale", "alice");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_HIGH);
	cr_assert(strstr(fixture_message(f), "45 days ago"), "%s", fixture_message(f));
	cr_assert_str_eq(ev_str(f, "source"), "directory");
	cr_assert_eq(json_integer_value(json_object_get(finding_evidence(f), "max_idle_days")), 45);
	cr_assert_not(fixture_has(fx, "vpn.stale", "bob"));
	cr_assert_eq(fixture_count(fx, "vpn.stale"), 1);
	fixture_free(fx);
}

Test(vpn, stale_honours_max_idle_days_parameter)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;

	a.logon = ft_ago(20, 1);
	domain(&sb, NULL);
	add_user(&sb, &a);
	group(&sb, "VPN-Users", 1200, "alice", NULL);
	fx = run_ldif(&sb, "{\"vpn\": {\"groups\": [\"VPN-Users\"]},"
		      " \"checks\": {\"vpn.stale\": {\"max_idle_days\": 20}}}");
	cr_assert(fixture_has(fx, "vpn.stale", "alice"));
	fixture_free(fx);
}

Test(vpn, stale_skips_disabled_non_vpn_and_computers)
{
	struct sbuf sb = SBUF_INIT;
	struct u dis = good("dis", 1105), out = good("outsider", 1106);
	struct fixture *fx;

	dis.uac = 514;
	dis.logon = ft_ago(100, 0);
	out.logon = ft_ago(100, 0);
	domain(&sb, NULL);
	add_user(&sb, &dis);
	add_user(&sb, &out);
	sbuf_addf(&sb,
		  "\ndn: CN=WS1,CN=Computers,DC=corp,DC=example,DC=test\n"
		  "objectClass: top\nobjectClass: user\nobjectClass: computer\n"
		  "sAMAccountName: WS1$\nobjectSid: S-1-5-21-1-2-3-1300\nuserAccountControl: 4096\n"
		  "lastLogonTimestamp: %s\nwhenCreated: %s\n",
		  ft_ago(100, 0), gt_ago(400, 0));
	group(&sb, "VPN-Users", 1200, "dis", NULL);
	sbuf_adds(&sb, "member: CN=WS1,CN=Computers,DC=corp,DC=example,DC=test\n");
	fx = run_ldif(&sb, POLICY);
	cr_assert_eq(fixture_count(fx, "vpn.stale"), 0);
	cr_assert_eq(fixture_status(fx, "vpn.stale"), STATUS_PASS);
	cr_assert_not(fixture_has(fx, "vpn.disabled-retains-access", "WS1$"));
	fixture_free(fx);
}

Test(vpn, stale_supersedes_acct_stale)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), o = good("outsider", 1106);
	struct fixture *fx;

	a.logon = ft_ago(200, 0);
	o.logon = ft_ago(200, 0);
	domain(&sb, NULL);
	add_user(&sb, &a);
	add_user(&sb, &o);
	group(&sb, "VPN-Users", 1200, "alice", NULL);
	fx = run_ldif(&sb, POLICY);
	cr_assert(fixture_has(fx, "vpn.stale", "alice"));
	cr_assert_not(fixture_has(fx, "acct.stale", "alice"));
	cr_assert(fixture_has(fx, "acct.stale", "outsider"));
	fixture_free(fx);
}

Test(vpn, stale_uses_the_vpn_activity_csv_when_loaded)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), b = good("bob", 1106), c = good("carol", 1107);
	struct fixture *fx;
	struct account *acc;
	const struct finding *f;

	domain(&sb, NULL);
	add_user(&sb, &a);
	add_user(&sb, &b);
	add_user(&sb, &c);
	group(&sb, "VPN-Users", 1200, "alice", "bob", "carol", NULL);
	fx = run_ldif(&sb, POLICY);
	cr_assert_eq(fixture_count(fx, "vpn.stale"), 0);

	/* what the CSV loader would leave: recent directory logons, old VPN ones */
	fx->dir.vpn_csv_loaded = true;
	acc = (struct account *)fixture_account(fx, "alice");
	acc->vpn_last_login = now_t() - 45 * DAY - 1;
	acc = (struct account *)fixture_account(fx, "bob");
	acc->vpn_last_login = now_t() - 45 * DAY;
	acc = (struct account *)fixture_account(fx, "carol");
	acc->vpn_last_login = TIME_NEVER;   /* created 400 days ago, never on the VPN */
	rerun(fx);
	f = fixture_find(fx, "vpn.stale", "alice");
	cr_assert(f);
	cr_assert_str_eq(ev_str(f, "source"), "vpn_activity_csv");
	cr_assert_not(fixture_has(fx, "vpn.stale", "bob"));
	cr_assert(fixture_has(fx, "vpn.stale", "carol"));
	fixture_free(fx);
}

Test(vpn, stale_unknown_when_the_activity_csv_was_not_read)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;

	a.logon = ft_ago(100, 0);
	domain(&sb, NULL);
	add_user(&sb, &a);
	group(&sb, "VPN-Users", 1200, "alice", NULL);
	fx = run_ldif(&sb, "{\"vpn\": {\"groups\": [\"VPN-Users\"],"
		      " \"activity_csv\": {\"path\": \"missing.csv\", \"optional\": true}}}");
	cr_assert_eq(fixture_status(fx, "vpn.stale"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_count(fx, "vpn.stale"), 0);
	fixture_free(fx);
}

Test(vpn, stale_unknown_without_any_logon_attribute)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;

	a.logon = NULL;
	domain(&sb, NULL);
	add_user(&sb, &a);
	group(&sb, "VPN-Users", 1200, "alice", NULL);
	fx = run_ldif(&sb, POLICY);
	cr_assert_eq(fixture_status(fx, "vpn.stale"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_status(fx, "vpn.never-used"), STATUS_UNKNOWN);
	fixture_free(fx);
}

/* vpn.never-used */

Test(vpn, never_used_fires_one_second_past_grace_days)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), b = good("bob", 1106), c = good("carol", 1107);
	struct fixture *fx;

	a.logon = "0";                 /* 0 means never */
	a.created = gt_ago(14, 1);
	b.logon = "0";
	b.created = gt_ago(14, 0);
	domain(&sb, NULL);
	add_user(&sb, &a);
	add_user(&sb, &b);
	add_user(&sb, &c);
	group(&sb, "VPN-Users", 1200, "alice", "bob", "carol", NULL);
	fx = run_ldif(&sb, POLICY);
	cr_assert(fixture_has(fx, "vpn.never-used", "alice"));
	cr_assert_eq(fixture_find(fx, "vpn.never-used", "alice")->severity, SEV_HIGH);
	cr_assert_not(fixture_has(fx, "vpn.never-used", "bob"));
	cr_assert_not(fixture_has(fx, "vpn.never-used", "carol"));
	/* 14 days is well under vpn.stale's 45 */
	cr_assert_not(fixture_has(fx, "vpn.stale", "alice"));
	fixture_free(fx);
}

Test(vpn, never_used_supersedes_stale_and_the_acct_checks)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), o = good("outsider", 1106);
	struct fixture *fx;

	a.logon = NULL;
	a.created = gt_ago(200, 0);
	o.logon = NULL;
	o.created = gt_ago(200, 0);
	domain(&sb, NULL);
	add_user(&sb, &a);
	add_user(&sb, &o);
	sbuf_adds(&sb, "lastLogon: 0\n"); /* keeps a logon attribute in the export */
	group(&sb, "VPN-Users", 1200, "alice", NULL);
	fx = run_ldif(&sb, POLICY);
	cr_assert(fixture_has(fx, "vpn.never-used", "alice"));
	cr_assert_not(fixture_has(fx, "vpn.stale", "alice"));
	cr_assert_not(fixture_has(fx, "acct.never-logged-on", "alice"));
	cr_assert_not(fixture_has(fx, "acct.stale", "alice"));
	cr_assert(fixture_has(fx, "acct.never-logged-on", "outsider"));
	fixture_free(fx);
}

Test(vpn, stale_reports_when_never_used_is_disabled)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;

	a.logon = "0";
	a.created = gt_ago(200, 0);
	domain(&sb, NULL);
	add_user(&sb, &a);
	group(&sb, "VPN-Users", 1200, "alice", NULL);
	fx = run_ldif(&sb, "{\"vpn\": {\"groups\": [\"VPN-Users\"]},"
		      " \"checks\": {\"vpn.never-used\": {\"enabled\": false}}}");
	cr_assert(fixture_has(fx, "vpn.stale", "alice"));
	cr_assert(strstr(fixture_message(fixture_find(fx, "vpn.stale", "alice")), "never"));
	fixture_free(fx);
}

/* Who is VPN-capable */

Test(vpn, dialin_false_denies_a_vpn_group_member)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;

	a.logon = ft_ago(100, 0);
	a.lines = "msNPAllowDialin: FALSE\n";
	domain(&sb, NULL);
	add_user(&sb, &a);
	group(&sb, "VPN-Users", 1200, "alice", NULL);
	fx = run_ldif(&sb, POLICY);
	cr_assert_not(fixture_account(fx, "alice")->vpn);
	cr_assert_not(fixture_has(fx, "vpn.stale", "alice"));
	cr_assert_not(fixture_has(fx, "vpn.no-mfa", "alice"));
	cr_assert_not(fixture_has(fx, "vpn.unowned", "alice"));
	fixture_free(fx);
}

Test(vpn, dialin_true_makes_vpn_capable_without_a_group)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;

	a.lines = "msNPAllowDialin: TRUE\n";
	domain(&sb, NULL);
	add_user(&sb, &a);
	fx = run_ldif(&sb, NULL);
	cr_assert(fixture_has(fx, "vpn.no-mfa", "alice"));
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(
				 finding_evidence(fixture_find(fx, "vpn.no-mfa", "alice")), "vpn_access"), 0)),
			 "msNPAllowDialin=TRUE");
	fixture_free(fx);
}

Test(vpn, nested_groups_primary_group_and_cycles_give_vpn_access)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), b = good("bob", 1106), c = good("carol", 1107);
	struct fixture *fx;

	b.lines = "employeeID: E2\nprimaryGroupID: 1200\n";
	domain(&sb, NULL);
	add_user(&sb, &a);
	add_user(&sb, &b);
	add_user(&sb, &c);
	/* Sales -> Remote -> VPN-Users -> Sales: a cycle */
	group(&sb, "VPN-Users", 1200, "Sales", NULL);
	group(&sb, "Remote", 1202, "VPN-Users", NULL);
	group(&sb, "Sales", 1203, "alice", "Remote", NULL);
	group(&sb, "MFA-Enrolled", 1204, NULL); /* named by POLICY: no member */
	fx = run_ldif(&sb, POLICY);
	cr_assert(fixture_account(fx, "alice")->vpn);
	cr_assert(fixture_account(fx, "bob")->vpn);
	cr_assert_not(fixture_account(fx, "carol")->vpn);
	cr_assert(fixture_has(fx, "vpn.no-mfa", "alice"));
	cr_assert(fixture_has(fx, "vpn.no-mfa", "bob"));
	cr_assert_not(fixture_has(fx, "vpn.no-mfa", "carol"));
	fixture_free(fx);
}

/* The VPN groups of the evidence found in every word of the targets (more than 64 of them). */
Test(vpn, vpn_access_names_groups_past_the_first_64_targets)
{
	struct sbuf sb = SBUF_INIT, pol = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;
	const json_t *via;

	domain(&sb, NULL);
	add_user(&sb, &a);
	sbuf_adds(&pol, "{\"vpn\": {\"groups\": [");
	for (unsigned i = 0; i < 70; i++) {
		char name[16];

		snprintf(name, sizeof(name), "VPN-%02u", i);
		if (i == 3 || i == 66)
			group(&sb, name, 1200 + i, "alice", NULL);
		else
			group(&sb, name, 1200 + i, NULL);
		sbuf_addf(&pol, "%s\"%s\"", i ? ", " : "", name);
	}
	sbuf_adds(&pol, "]}}");
	fx = run_ldif(&sb, pol.buf);
	cr_assert_gt(fx->dir.ntargets, 64);
	cr_assert(fixture_has(fx, "vpn.no-mfa", "alice"));
	via = json_object_get(finding_evidence(fixture_find(fx, "vpn.no-mfa", "alice")),
			      "vpn_access");
	cr_assert_eq(json_array_size(via), 2);
	cr_expect_str_eq(json_string_value(json_array_get(via, 0)), "VPN-03");
	cr_expect_str_eq(json_string_value(json_array_get(via, 1)), "VPN-66");
	sbuf_release(&pol);
	fixture_free(fx);
}

Test(vpn, unknown_when_a_vpn_group_is_not_in_the_directory)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;

	domain(&sb, NULL);
	add_user(&sb, &a);
	fx = run_ldif(&sb, "{\"vpn\": {\"groups\": [\"VPN Users\"]}}");
	cr_assert_eq(fixture_status(fx, "vpn.no-mfa"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_status(fx, "vpn.stale"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_status(fx, "vpn.disabled-retains-access"), STATUS_UNKNOWN);
	fixture_free(fx);
}

Test(vpn, unknown_when_nothing_tells_who_can_use_the_vpn)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;

	domain(&sb, NULL);
	add_user(&sb, &a);
	sbuf_adds(&sb, "\n");
	fx = fixture_run(sb.buf, NULL, NOW);
	/* no VPN group, msNPAllowDialin on no entry: silence is not a pass */
	cr_assert_eq(fixture_status(fx, "vpn.no-mfa"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_status(fx, "vpn.privileged"), STATUS_UNKNOWN);
	fixture_free(fx);
	fx = fixture_run(sb.buf, "{\"vpn\": {\"dialin_attribute\": false}}", NOW);
	cr_assert_eq(fixture_status(fx, "vpn.no-mfa"), STATUS_UNKNOWN);
	fixture_free(fx);
	sbuf_release(&sb);
}

/* vpn.disabled-retains-access */

Test(vpn, disabled_retains_access_fires_for_disabled_and_expired_only)
{
	struct sbuf sb = SBUF_INIT;
	struct u d = good("dis", 1105), e = good("exp", 1106), ok = good("ok", 1107);
	struct u out = good("outsider", 1108);
	struct fixture *fx;
	const struct finding *f;
	char lines[128];

	d.uac = 514;
	snprintf(lines, sizeof(lines), "employeeID: E1\naccountExpires: %s\n", ft_ago(1, 0));
	e.lines = lines;
	out.uac = 514;
	domain(&sb, NULL);
	add_user(&sb, &d);
	add_user(&sb, &e);
	add_user(&sb, &ok);
	add_user(&sb, &out);
	group(&sb, "VPN-Users", 1200, "dis", "exp", "ok", NULL);
	fx = run_ldif(&sb, POLICY);
	f = fixture_find(fx, "vpn.disabled-retains-access", "dis");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_LOW);
	cr_assert(json_is_true(json_object_get(finding_evidence(f), "disabled")));
	f = fixture_find(fx, "vpn.disabled-retains-access", "exp");
	cr_assert(f);
	cr_assert(strstr(fixture_message(f), "expired"), "%s", fixture_message(f));
	cr_assert_not(fixture_has(fx, "vpn.disabled-retains-access", "ok"));
	cr_assert_not(fixture_has(fx, "vpn.disabled-retains-access", "outsider"));
	/* the other VPN checks consider enabled accounts only */
	cr_assert_not(fixture_has(fx, "vpn.no-mfa", "dis"));
	cr_assert_not(fixture_has(fx, "vpn.no-mfa", "exp"));
	fixture_free(fx);
}

/* vpn.no-mfa */

Test(vpn, no_mfa_fires_without_evidence_and_names_the_sources)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), b = good("bob", 1106), c = good("carol", 1107);
	struct fixture *fx;
	const struct finding *f;
	json_t *src;

	c.uac = 512 | 0x40000; /* SMARTCARD_REQUIRED */
	domain(&sb, NULL);
	add_user(&sb, &a);
	add_user(&sb, &b);
	add_user(&sb, &c);
	group(&sb, "VPN-Users", 1200, "alice", "bob", "carol", NULL);
	group(&sb, "MFA-Enrolled", 1201, "Okta", NULL);
	group(&sb, "Okta", 1202, "bob", NULL);
	fx = run_ldif(&sb, "{\"vpn\": {\"groups\": [\"VPN-Users\"]},"
		      " \"mfa\": {\"groups\": [\"MFA-Enrolled\"], \"smartcard_required\": true}}");
	f = fixture_find(fx, "vpn.no-mfa", "alice");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_CRITICAL);
	cr_assert(strstr(fixture_message(f), "MFA-Enrolled"), "%s", fixture_message(f));
	src = json_object_get(finding_evidence(f), "mfa_sources_consulted");
	cr_assert_eq(json_array_size(src), 2);
	cr_assert_str_eq(json_string_value(json_array_get(src, 0)), "MFA-Enrolled");
	cr_assert_str_eq(json_string_value(json_array_get(src, 1)), "SMARTCARD_REQUIRED");
	cr_assert_not(fixture_has(fx, "vpn.no-mfa", "bob"));   /* nested MFA group */
	cr_assert_not(fixture_has(fx, "vpn.no-mfa", "carol")); /* smart card */
	fixture_free(fx);
}

Test(vpn, no_mfa_smartcard_counts_only_when_the_policy_says_so)
{
	struct sbuf sb = SBUF_INIT;
	struct u c = good("carol", 1107);
	struct fixture *fx;

	c.uac = 512 | 0x40000;
	domain(&sb, NULL);
	add_user(&sb, &c);
	group(&sb, "VPN-Users", 1200, "carol", NULL);
	group(&sb, "MFA-Enrolled", 1201, NULL);
	fx = run_ldif(&sb, "{\"vpn\": {\"groups\": [\"VPN-Users\"]},"
		      " \"mfa\": {\"groups\": [\"MFA-Enrolled\"], \"smartcard_required\": false}}");
	cr_assert(fixture_has(fx, "vpn.no-mfa", "carol"));
	fixture_free(fx);
}

Test(vpn, no_mfa_unknown_when_the_enrollment_csv_was_not_read)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;

	domain(&sb, NULL);
	add_user(&sb, &a);
	group(&sb, "VPN-Users", 1200, "alice", NULL);
	fx = run_ldif(&sb, "{\"vpn\": {\"groups\": [\"VPN-Users\"]},"
		      " \"mfa\": {\"enrollment_csv\": {\"path\": \"missing.csv\", \"optional\": true}}}");
	cr_assert_eq(fixture_status(fx, "vpn.no-mfa"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_count(fx, "vpn.no-mfa"), 0);
	fixture_free(fx);
}

/* vpn.password-not-reset */

Test(vpn, password_not_reset_fires_one_second_before_the_cutoff)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), b = good("bob", 1106), c = good("carol", 1107);
	struct fixture *fx;
	const struct finding *f;

	a.pwd = fixture_filetime("2025-10-03T23:59:59Z");
	b.pwd = fixture_filetime("2025-10-04T00:00:00Z");
	c.pwd = "0"; /* must change: pwd.must-change's alone */
	domain(&sb, NULL);
	add_user(&sb, &a);
	add_user(&sb, &b);
	add_user(&sb, &c);
	group(&sb, "VPN-Users", 1200, "alice", "bob", "carol", NULL);
	fx = run_ldif(&sb, POLICY);
	f = fixture_find(fx, "vpn.password-not-reset", "alice");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_CRITICAL);
	cr_assert_str_eq(ev_str(f, "password_reset_after"), "2025-10-04T00:00:00Z");
	cr_assert_not(fixture_has(fx, "vpn.password-not-reset", "bob"));
	cr_assert_not(fixture_has(fx, "vpn.password-not-reset", "carol"));
	fixture_free(fx);
}

Test(vpn, password_not_reset_supersedes_the_pwd_check)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), o = good("outsider", 1106);
	struct fixture *fx;

	a.pwd = ft_ago(200, 0);
	o.pwd = ft_ago(200, 0);
	domain(&sb, NULL);
	add_user(&sb, &a);
	add_user(&sb, &o);
	group(&sb, "VPN-Users", 1200, "alice", NULL);
	fx = run_ldif(&sb, POLICY);
	cr_assert(fixture_has(fx, "vpn.password-not-reset", "alice"));
	cr_assert_not(fixture_has(fx, "pwd.not-reset-since-incident", "alice"));
	cr_assert(fixture_has(fx, "pwd.not-reset-since-incident", "outsider"));
	fixture_free(fx);
}

Test(vpn, password_not_reset_unknown_without_an_incident_date)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;

	a.pwd = ft_ago(300, 0);
	domain(&sb, NULL);
	add_user(&sb, &a);
	group(&sb, "VPN-Users", 1200, "alice", NULL);
	fx = run_ldif(&sb, "{\"vpn\": {\"groups\": [\"VPN-Users\"]}}");
	cr_assert_eq(fixture_status(fx, "vpn.password-not-reset"), STATUS_UNKNOWN);
	fixture_free(fx);
}

/* vpn.privileged */

Test(vpn, privileged_fires_for_admins_on_the_vpn)
{
	static const char *const adds[] = {
		"S-1-5-21-1-2-3-512", "member: CN=IT-Admins," BASE "\n", NULL,
	};
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), b = good("bob", 1106), c = good("carol", 1107);
	struct fixture *fx;
	const struct finding *f;

	a.lines = "employeeID: E1\nprimaryGroupID: 512\n";
	domain(&sb, adds);
	add_user(&sb, &a);
	add_user(&sb, &b);
	add_user(&sb, &c);
	group(&sb, "IT-Admins", 1210, "bob", NULL);
	group(&sb, "VPN-Users", 1200, "alice", "bob", "carol", NULL);
	fx = run_ldif(&sb, POLICY);
	cr_assert(fixture_has(fx, "vpn.privileged", "alice"));
	f = fixture_find(fx, "vpn.privileged", "bob");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_HIGH);
	cr_assert_str_eq(ev_str(f, "privileged_path"), "bob -> IT-Admins -> Domain Admins");
	cr_assert_not(fixture_has(fx, "vpn.privileged", "carol"));
	fixture_free(fx);
}

/* vpn.password-never-expires */

Test(vpn, password_never_expires_fires_and_supersedes_pwd_never_expires)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), b = good("bob", 1106), o = good("outsider", 1107);
	struct fixture *fx;

	a.uac = 512 | 0x10000;
	o.uac = 512 | 0x10000;
	domain(&sb, NULL);
	add_user(&sb, &a);
	add_user(&sb, &b);
	add_user(&sb, &o);
	group(&sb, "VPN-Users", 1200, "alice", "bob", NULL);
	fx = run_ldif(&sb, POLICY);
	cr_assert(fixture_has(fx, "vpn.password-never-expires", "alice"));
	cr_assert_eq(fixture_find(fx, "vpn.password-never-expires", "alice")->severity, SEV_HIGH);
	cr_assert_not(fixture_has(fx, "pwd.never-expires", "alice"));
	cr_assert_not(fixture_has(fx, "vpn.password-never-expires", "bob"));
	cr_assert(fixture_has(fx, "pwd.never-expires", "outsider"));
	fixture_free(fx);
}

/* vpn.unowned */

Test(vpn, unowned_fires_when_every_owner_attribute_is_missing)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), b = good("bob", 1106), c = good("shared", 1107);
	struct fixture *fx;
	const struct finding *f;

	b.lines = "manager: CN=alice," BASE "\n";
	c.lines = NULL;
	domain(&sb, NULL);
	add_user(&sb, &a);
	add_user(&sb, &b);
	add_user(&sb, &c);
	group(&sb, "VPN-Users", 1200, "alice", "bob", "shared", NULL);
	fx = run_ldif(&sb, POLICY);
	f = fixture_find(fx, "vpn.unowned", "shared");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_MEDIUM);
	cr_assert(strstr(fixture_message(f), "employeeID, manager"), "%s", fixture_message(f));
	cr_assert_not(fixture_has(fx, "vpn.unowned", "alice"));
	cr_assert_not(fixture_has(fx, "vpn.unowned", "bob"));
	fixture_free(fx);
}

Test(vpn, unowned_honours_required_attributes)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), b = good("bob", 1106);
	struct fixture *fx;

	b.lines = "department: Sales\n";
	domain(&sb, NULL);
	add_user(&sb, &a);
	add_user(&sb, &b);
	group(&sb, "VPN-Users", 1200, "alice", "bob", NULL);
	fx = run_ldif(&sb, "{\"vpn\": {\"groups\": [\"VPN-Users\"]}, \"checks\": {\"vpn.unowned\":"
		      " {\"required_attributes\": [\"Department\"]}}}");
	cr_assert(fixture_has(fx, "vpn.unowned", "alice"));
	cr_assert_not(fixture_has(fx, "vpn.unowned", "bob"));
	fixture_free(fx);
}

Test(vpn, unowned_unknown_when_no_user_carries_the_attributes)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;

	a.lines = NULL;
	domain(&sb, NULL);
	add_user(&sb, &a);
	group(&sb, "VPN-Users", 1200, "alice", NULL);
	fx = run_ldif(&sb, POLICY);
	cr_assert_eq(fixture_status(fx, "vpn.unowned"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_count(fx, "vpn.unowned"), 0);
	fixture_free(fx);
}

Test(vpn, a_clean_vpn_user_passes_every_vpn_check)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;
	static const char *const ids[] = {
		"vpn.stale", "vpn.never-used", "vpn.disabled-retains-access", "vpn.no-mfa",
		"vpn.password-not-reset", "vpn.privileged", "vpn.password-never-expires",
		"vpn.unowned",
	};

	domain(&sb, NULL);
	add_user(&sb, &a);
	group(&sb, "VPN-Users", 1200, "alice", NULL);
	group(&sb, "MFA-Enrolled", 1201, "alice", NULL);
	fx = run_ldif(&sb, POLICY);
	for (size_t i = 0; i < sizeof(ids) / sizeof(*ids); i++)
		cr_assert_eq(fixture_status(fx, ids[i]), STATUS_PASS, "%s", ids[i]);
	fixture_free(fx);
}

Test(vpn, an_mfa_group_missing_from_the_directory_makes_no_mfa_unknown)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;

	a.lines = "msNPAllowDialin: TRUE\n";
	domain(&sb, NULL);
	add_user(&sb, &a);
	/* POLICY names MFA-Enrolled, which this directory lacks */
	fx = run_ldif(&sb, POLICY);
	cr_assert_eq(fixture_status(fx, "vpn.no-mfa"), STATUS_UNKNOWN);
	{
		size_t idx;

		cr_assert_not_null(registry_find("vpn.no-mfa", &idx));
		cr_assert_not_null(strstr(fx->audit.states[idx].reason,
					  "group \"MFA-Enrolled\" named in mfa.groups is not in the directory"),
				   "%s", fx->audit.states[idx].reason);
	}
	cr_assert_not(fixture_has(fx, "vpn.no-mfa", "alice"));
	fixture_free(fx);
}
