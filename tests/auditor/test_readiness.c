/*
 * Tests for auditor/readiness.c: GO only when every blocking count is
 * zero (unwaived findings), krbtgt was rotated after the incident and no
 * vpn.*, mfa.* or krb.krbtgt-old check is unknown; NO-GO with a reason
 * otherwise; no readiness at all when VPN checks did not run.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "../../auditor/readiness.h"
#include "../../auditor/sbuf.h"
#include "../../auditor/timeutil.h"
#include "../fixture.h"

#define NOW "2026-01-01T00:00:00Z"

/* What each VPN user looks like; the defaults make a clean account. */
struct user {
	const char *sam;
	int rid;
	bool mfa;           /* in MFA-Enrolled */
	double pwd_days;    /* pwdLastSet, days before NOW (the incident is 89 days before) */
	double logon_days;  /* lastLogonTimestamp, days before NOW; < 0: never */
	bool admin;         /* primary group Domain Admins */
	bool owner;         /* employeeID */
};

/*
 * The standard domain, krbtgt with its password set krbtgt_days before
 * NOW, VPN-Users and MFA-Enrolled with the users as members.
 */
static char *domain(const struct user *u, size_t n, double krbtgt_days)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_adds(&sb, fixture_domain_ldif);
	sbuf_addf(&sb,
		  "dn: CN=krbtgt,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName: krbtgt\nobjectSid: S-1-5-21-1-2-3-502\n"
		  "userAccountControl: 514\npwdLastSet: %s\nwhenCreated: 20200101000000.0Z\n"
		  "primaryGroupID: 513\n\n",
		  fixture_filetime_days_ago(NOW, krbtgt_days));
	sbuf_adds(&sb, "dn: CN=VPN-Users,CN=Users,DC=corp,DC=example,DC=test\n"
		       "objectClass: group\nsAMAccountName: VPN-Users\nobjectSid: S-1-5-21-1-2-3-3000\n");
	for (size_t i = 0; i < n; i++)
		sbuf_addf(&sb, "member: CN=%s,CN=Users,DC=corp,DC=example,DC=test\n", u[i].sam);
	sbuf_adds(&sb, "\ndn: CN=MFA-Enrolled,CN=Users,DC=corp,DC=example,DC=test\n"
		       "objectClass: group\nsAMAccountName: MFA-Enrolled\nobjectSid: S-1-5-21-1-2-3-3001\n");
	for (size_t i = 0; i < n; i++)
		if (u[i].mfa)
			sbuf_addf(&sb, "member: CN=%s,CN=Users,DC=corp,DC=example,DC=test\n", u[i].sam);
	sbuf_addch(&sb, '\n');
	for (size_t i = 0; i < n; i++) {
		sbuf_addf(&sb,
			  "dn: CN=%s,CN=Users,DC=corp,DC=example,DC=test\n"
			  "objectClass: user\nsAMAccountName: %s\nobjectSid: S-1-5-21-1-2-3-%d\n"
			  "userAccountControl: 512\npwdLastSet: %s\n"
			  "whenCreated: 20200101000000.0Z\nprimaryGroupID: %d\n",
			  u[i].sam, u[i].sam, u[i].rid, fixture_filetime_days_ago(NOW, u[i].pwd_days),
			  u[i].admin ? 512 : 513);
		sbuf_addf(&sb, "lastLogonTimestamp: %s\n",
			  u[i].logon_days < 0 ? "0" : fixture_filetime_days_ago(NOW, u[i].logon_days));
		if (u[i].owner)
			sbuf_addf(&sb, "employeeID: %d\n", u[i].rid);
		sbuf_addch(&sb, '\n');
	}
	return sbuf_detach(&sb);
}

#define POLICY_HEAD                                                                     \
	"{\"version\": 1, \"incident\": {\"password_reset_after\": \"2025-10-04\"},"     \
	" \"vpn\": {\"groups\": [\"VPN-Users\"]}, \"mfa\": {\"groups\": [\"MFA-Enrolled\"]}"

static const char policy_plain[] = POLICY_HEAD "}";

static const struct user clean = { "alice", 1200, true, 10, 1, false, true };

static struct fixture *run(const struct user *u, size_t n, double krbtgt_days, const char *policy,
			   struct readiness *r)
{
	char *ldif = domain(u, n, krbtgt_days);
	struct fixture *fx = fixture_run(ldif, policy, NOW);

	free(ldif);
	readiness_compute(r, &fx->audit);
	return fx;
}

static bool has_reason(const struct readiness *r, const char *text)
{
	for (size_t i = 0; i < r->nreasons; i++)
		if (strstr(r->reasons[i], text))
			return true;
	return false;
}

static void dump(const struct readiness *r, struct sbuf *sb)
{
	for (size_t i = 0; i < r->nreasons; i++)
		sbuf_addf(sb, "[%s] ", r->reasons[i]);
}

Test(readiness, go_when_everything_is_clean)
{
	struct readiness r;
	struct sbuf why = SBUF_INIT;
	struct fixture *fx = run(&clean, 1, 20, policy_plain, &r);

	dump(&r, &why);
	cr_assert(r.computed);
	cr_assert(r.go, "NO-GO: %s", why.buf);
	cr_assert_str_eq(readiness_verdict(&r), "GO");
	cr_assert_eq(r.nreasons, 0);
	cr_assert_eq(r.vpn_capable, 1);
	cr_assert_eq(r.no_mfa + r.password_not_reset + r.stale + r.never_used + r.privileged + r.unowned, 0);
	cr_assert_eq(r.krbtgt, KRBTGT_ROTATED);
	cr_assert(r.has_incident);
	cr_assert_eq(r.nunknown, 0);
	sbuf_release(&why);
	readiness_release(&r);
	fixture_free(fx);
}

Test(readiness, no_go_for_each_blocking_count)
{
	const struct user u[] = {
		clean,
		{ "bob", 1201, false, 10, 1, false, true },      /* no MFA */
		{ "carol", 1202, true, 100, 1, false, true },    /* password before the incident */
		{ "dan", 1203, true, 10, 46, false, true },      /* stale (45 days) */
		{ "erin", 1204, true, 10, -1, false, true },     /* never used */
		{ "frank", 1205, true, 10, 1, true, true },      /* privileged */
		{ "gina", 1206, true, 10, 1, false, false },     /* no owner */
	};
	struct readiness r;
	struct fixture *fx = run(u, sizeof(u) / sizeof(u[0]), 20, policy_plain, &r);

	cr_assert(r.computed);
	cr_assert_not(r.go);
	cr_assert_str_eq(readiness_verdict(&r), "NO-GO");
	cr_assert_eq(r.vpn_capable, 7);
	cr_assert_eq(r.no_mfa, 1);
	cr_assert_eq(r.password_not_reset, 1);
	cr_assert_eq(r.stale, 1, "never-used supersedes stale for erin");
	cr_assert_eq(r.never_used, 1);
	cr_assert_eq(r.privileged, 1);
	cr_assert_eq(r.unowned, 1);
	cr_assert_eq(r.krbtgt, KRBTGT_ROTATED);
	cr_assert_eq(r.nreasons, 6);
	cr_assert_str_eq(r.reasons[0], "1 VPN-capable account without MFA evidence (vpn.no-mfa)");
	cr_assert(has_reason(&r, "(vpn.password-not-reset)"));
	cr_assert(has_reason(&r, "1 privileged account reachable from the VPN (vpn.privileged)"));
	cr_assert(has_reason(&r, "1 stale VPN-capable account (vpn.stale)"));
	cr_assert(has_reason(&r, "(vpn.never-used)"));
	cr_assert(has_reason(&r, "(vpn.unowned)"));
	readiness_release(&r);
	fixture_free(fx);
}

Test(readiness, stale_boundary_is_exactly_the_limit)
{
	/* exactly 45 days: not stale, GO */
	const struct user u = { "dan", 1203, true, 10, 45, false, true };
	struct readiness r;
	struct fixture *fx = run(&u, 1, 20, policy_plain, &r);

	cr_assert_eq(r.stale, 0);
	cr_assert(r.go);
	readiness_release(&r);
	fixture_free(fx);
}

Test(readiness, waived_findings_do_not_block)
{
	const struct user u[] = { clean, { "bob", 1201, false, 10, 1, false, true } };
	struct readiness r;
	struct fixture *fx = run(u, 2, 20,
		POLICY_HEAD ", \"waivers\": [{\"check\": \"vpn.no-mfa\", \"account\": \"bob\","
		" \"reason\": \"hardware token ordered\", \"owner\": \"it-sec\", \"expires\": \"2026-12-31\"}]}",
		&r);

	cr_assert_eq(r.no_mfa, 0);
	cr_assert_eq(r.waived, 1);
	cr_assert(r.go);
	readiness_release(&r);
	fixture_free(fx);
}

Test(readiness, krbtgt_not_rotated_is_no_go_even_with_its_check_disabled)
{
	struct readiness r;
	struct fixture *fx = run(&clean, 1, 100,
		POLICY_HEAD ", \"checks\": {\"krb.krbtgt-old\": {\"enabled\": false}}}", &r);

	cr_assert_not(r.go);
	cr_assert_eq(r.krbtgt, KRBTGT_NOT_ROTATED);
	cr_assert_eq(r.nreasons, 1);
	cr_assert(has_reason(&r, "krbtgt not rotated since the incident"));
	readiness_release(&r);
	fixture_free(fx);
}

Test(readiness, krbtgt_rotated_exactly_at_the_cut_off)
{
	/* the incident is 2025-10-04T00:00:00Z, 89 days before NOW */
	struct readiness r;
	struct fixture *fx = run(&clean, 1, 89, policy_plain, &r);

	cr_assert_eq(r.krbtgt, KRBTGT_ROTATED);
	cr_assert(r.go);
	readiness_release(&r);
	fixture_free(fx);
	fx = run(&clean, 1, 89.00001, policy_plain, &r);
	cr_assert_eq(r.krbtgt, KRBTGT_NOT_ROTATED);
	cr_assert_not(r.go);
	readiness_release(&r);
	fixture_free(fx);
}

Test(readiness, no_incident_date_is_no_go)
{
	struct readiness r;
	struct fixture *fx = run(&clean, 1, 20,
		"{\"version\": 1, \"vpn\": {\"groups\": [\"VPN-Users\"]},"
		" \"mfa\": {\"groups\": [\"MFA-Enrolled\"]}}", &r);

	cr_assert(r.computed);
	cr_assert_not(r.go);
	cr_assert_not(r.has_incident);
	cr_assert_eq(r.krbtgt, KRBTGT_UNKNOWN);
	cr_assert(has_reason(&r, "no incident.password_reset_after date"));
	cr_assert(has_reason(&r, "vpn.password-not-reset could not be evaluated"));
	readiness_release(&r);
	fixture_free(fx);
}

Test(readiness, missing_krbtgt_is_no_go)
{
	struct readiness r;
	struct sbuf sb = SBUF_INIT;
	struct fixture *fx;

	sbuf_adds(&sb, fixture_domain_ldif);
	sbuf_adds(&sb, "dn: CN=VPN-Users,CN=Users,DC=corp,DC=example,DC=test\n"
		       "objectClass: group\nsAMAccountName: VPN-Users\nobjectSid: S-1-5-21-1-2-3-3000\n"
		       "member: CN=alice,CN=Users,DC=corp,DC=example,DC=test\n\n"
		       "dn: CN=MFA-Enrolled,CN=Users,DC=corp,DC=example,DC=test\n"
		       "objectClass: group\nsAMAccountName: MFA-Enrolled\nobjectSid: S-1-5-21-1-2-3-3001\n"
		       "member: CN=alice,CN=Users,DC=corp,DC=example,DC=test\n\n");
	sbuf_addf(&sb, "dn: CN=alice,CN=Users,DC=corp,DC=example,DC=test\n"
		       "objectClass: user\nsAMAccountName: alice\nobjectSid: S-1-5-21-1-2-3-1200\n"
		       "userAccountControl: 512\npwdLastSet: %s\nlastLogonTimestamp: %s\n"
		       "whenCreated: 20200101000000.0Z\nprimaryGroupID: 513\nemployeeID: 1\n\n",
		  fixture_filetime_days_ago(NOW, 10), fixture_filetime_days_ago(NOW, 1));
	fx = fixture_run(sb.buf, policy_plain, NOW);
	readiness_compute(&r, &fx->audit);
	cr_assert_not(r.go);
	cr_assert_eq(r.krbtgt, KRBTGT_UNKNOWN);
	cr_assert(has_reason(&r, "krbtgt (RID 502) is not in the directory"));
	readiness_release(&r);
	fixture_free(fx);
	sbuf_release(&sb);
}

Test(readiness, unknown_mfa_check_is_no_go)
{
	struct readiness r;
	struct fixture *fx = run(&clean, 1, 20,
		"{\"version\": 1, \"incident\": {\"password_reset_after\": \"2025-10-04\"},"
		" \"vpn\": {\"groups\": [\"VPN-Users\"]}, \"mfa\": {\"groups\": [\"MFA-Enrolled\"],"
		" \"enrollment_csv\": {\"path\": \"data/csv/nope.csv\", \"optional\": true}}}", &r);

	/* the CSV was never loaded (fixture_run has no evidence step): unknown */
	cr_assert(r.computed);
	cr_assert_not(r.go);
	cr_assert_eq(r.nunknown, 2);
	cr_assert_str_eq(r.unknown[0], "vpn.no-mfa");
	cr_assert_str_eq(r.unknown[1], "mfa.privileged-missing");
	cr_assert(has_reason(&r, "vpn.no-mfa could not be evaluated: "));
	readiness_release(&r);
	fixture_free(fx);
}

Test(readiness, disabled_blocking_check_is_no_go)
{
	struct readiness r;
	struct fixture *fx = run(&clean, 1, 20,
		POLICY_HEAD ", \"checks\": {\"vpn.no-mfa\": {\"enabled\": false}}}", &r);

	cr_assert(r.computed);
	cr_assert_not(r.go);
	cr_assert_eq(r.nreasons, 1);
	cr_assert_str_eq(r.reasons[0], "vpn.no-mfa is disabled by the policy: readiness cannot be "
				       "established without it");
	readiness_release(&r);
	fixture_free(fx);
}

Test(readiness, not_computed_when_vpn_checks_are_disabled)
{
	struct readiness r;
	struct sbuf pol = SBUF_INIT;
	const char *ids[] = { "vpn.stale", "vpn.never-used", "vpn.disabled-retains-access",
			      "vpn.no-mfa", "vpn.password-not-reset", "vpn.privileged",
			      "vpn.password-never-expires", "vpn.unowned" };
	struct fixture *fx;

	sbuf_adds(&pol, POLICY_HEAD ", \"checks\": {");
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		sbuf_addf(&pol, "%s\"%s\": {\"enabled\": false}", i ? ", " : "", ids[i]);
	sbuf_adds(&pol, "}}");
	fx = run(&clean, 1, 20, pol.buf, &r);
	cr_assert_not(r.computed);
	cr_assert_not(r.go, "not computed is never GO");
	readiness_release(&r);
	fixture_free(fx);
	sbuf_release(&pol);
}

Test(readiness, not_computed_when_vpn_capability_cannot_be_told)
{
	/* no VPN groups and no msNPAllowDialin anywhere: every vpn.* check is unknown */
	struct readiness r;
	struct fixture *fx = run(&clean, 1, 20,
		"{\"version\": 1, \"incident\": {\"password_reset_after\": \"2025-10-04\"}}", &r);

	cr_assert_eq(fixture_status(fx, "vpn.no-mfa"), STATUS_UNKNOWN);
	cr_assert_not(r.computed);
	readiness_release(&r);
	fixture_free(fx);
}
