/*
 * Tests of the mfa family (checks/mfa.c): who must have MFA evidence,
 * every evidence source, who is skipped (service accounts, gMSA/MSA,
 * computers, disabled and unprivileged accounts), nested membership
 * through a cycle, and when the check is unknown.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <string.h>

#include "../../auditor/sbuf.h"
#include "../../auditor/timeutil.h"
#include "../fixture.h"
#include "helpers.h"

#define POLICY                                                                   \
	"{\"vpn\": {\"groups\": [\"VPN-Users\"]},"                               \
	" \"mfa\": {\"groups\": [\"MFA-Enrolled\"]},"                            \
	" \"incident\": {\"password_reset_after\": \"2025-10-04\"}}"

/* mfa.privileged-missing */

static const char *const da_it_admins[] = {
	"S-1-5-21-1-2-3-512", "member: CN=IT-Admins," BASE "\n", NULL,
};

Test(mfa, privileged_missing_fires_for_admins_without_evidence)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), b = good("bob", 1106), c = good("carol", 1107);
	struct fixture *fx;
	const struct finding *f;

	a.lines = "primaryGroupID: 512\n";
	domain(&sb, da_it_admins);
	add_user(&sb, &a);
	add_user(&sb, &b);
	add_user(&sb, &c);
	group(&sb, "IT-Admins", 1210, "bob", NULL);
	group(&sb, "MFA-Enrolled", 1201, NULL);
	fx = run_ldif(&sb, POLICY);
	f = fixture_find(fx, "mfa.privileged-missing", "alice");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_CRITICAL);
	cr_assert(strstr(fixture_message(f), "MFA-Enrolled"), "%s", fixture_message(f));
	cr_assert_str_eq(ev_str(f, "privileged_path"), "alice -> Domain Admins");
	f = fixture_find(fx, "mfa.privileged-missing", "bob");
	cr_assert(f);
	cr_assert_str_eq(ev_str(f, "privileged_path"), "bob -> IT-Admins -> Domain Admins");
	cr_assert_not(fixture_has(fx, "mfa.privileged-missing", "carol"));
	cr_assert_eq(fixture_count(fx, "mfa.privileged-missing"), 2);
	fixture_free(fx);
}

Test(mfa, privileged_missing_accepts_every_evidence_source)
{
	struct sbuf sb = SBUF_INIT;
	struct u grp = good("grp", 1105), nested = good("nested", 1106), card = good("card", 1107);
	struct u attr = good("attr", 1108), wrong = good("wrong", 1109), none = good("none", 1110);
	struct fixture *fx;

	grp.lines = nested.lines = none.lines = "primaryGroupID: 512\n";
	card.uac = 512 | 0x40000;
	card.lines = "primaryGroupID: 512\n";
	attr.lines = "primaryGroupID: 512\nextensionAttribute7: MFA\n";
	wrong.lines = "primaryGroupID: 512\nextensionAttribute7: pending\n";
	domain(&sb, NULL);
	add_user(&sb, &grp);
	add_user(&sb, &nested);
	add_user(&sb, &card);
	add_user(&sb, &attr);
	add_user(&sb, &wrong);
	add_user(&sb, &none);
	group(&sb, "MFA-Enrolled", 1201, "grp", "Duo", NULL);
	group(&sb, "Duo", 1202, "nested", NULL);
	fx = run_ldif(&sb, "{\"mfa\": {\"groups\": [\"MFA-Enrolled\"], \"smartcard_required\": true,"
		      " \"attribute\": {\"name\": \"extensionAttribute7\", \"values\": [\"mfa\"]}}}");
	cr_assert_not(fixture_has(fx, "mfa.privileged-missing", "grp"));
	cr_assert_not(fixture_has(fx, "mfa.privileged-missing", "nested"));
	cr_assert_not(fixture_has(fx, "mfa.privileged-missing", "card"));
	cr_assert_not(fixture_has(fx, "mfa.privileged-missing", "attr"));
	cr_assert(fixture_has(fx, "mfa.privileged-missing", "wrong"));
	cr_assert(fixture_has(fx, "mfa.privileged-missing", "none"));
	cr_assert_eq(json_array_size(json_object_get(
			     finding_evidence(fixture_find(fx, "mfa.privileged-missing", "none")),
			     "mfa_sources_consulted")), 3);
	fixture_free(fx);
}

Test(mfa, privileged_missing_skips_non_human_disabled_and_unprivileged)
{
	struct sbuf sb = SBUF_INIT;
	struct u svc = good("svc-sql", 1105), pat = good("svc-backup", 1106);
	struct u dis = good("dis", 1107), plain = good("plain", 1108);
	struct fixture *fx;

	svc.lines = "primaryGroupID: 512\nservicePrincipalName: MSSQLSvc/db1.corp.example.test\n";
	pat.lines = "primaryGroupID: 512\n";
	dis.uac = 514;
	dis.lines = "primaryGroupID: 512\n";
	domain(&sb, NULL);
	add_user(&sb, &svc);
	add_user(&sb, &pat);
	add_user(&sb, &dis);
	add_user(&sb, &plain);
	sbuf_addf(&sb,
		  "\ndn: CN=APP1,CN=Computers,DC=corp,DC=example,DC=test\n"
		  "objectClass: top\nobjectClass: user\nobjectClass: computer\n"
		  "sAMAccountName: APP1$\nobjectSid: S-1-5-21-1-2-3-1300\nuserAccountControl: 4096\n"
		  "primaryGroupID: 512\n"
		  "\ndn: CN=gmsa1,CN=Managed Service Accounts,DC=corp,DC=example,DC=test\n"
		  "objectClass: top\nobjectClass: user\nobjectClass: computer\n"
		  "objectClass: msDS-GroupManagedServiceAccount\n"
		  "sAMAccountName: gmsa1$\nobjectSid: S-1-5-21-1-2-3-1301\nuserAccountControl: 4096\n"
		  "primaryGroupID: 512\n");
	group(&sb, "MFA-Enrolled", 1201, NULL);
	fx = run_ldif(&sb, "{\"mfa\": {\"groups\": [\"MFA-Enrolled\"]},"
		      " \"service_accounts\": {\"name_patterns\": [\"svc-*\"]}}");
	cr_assert_eq(fixture_count(fx, "mfa.privileged-missing"), 0);
	cr_assert_eq(fixture_status(fx, "mfa.privileged-missing"), STATUS_PASS);
	/* they are priv.service-account's */
	cr_assert(fixture_has(fx, "priv.service-account", "svc-sql"));
	cr_assert(fixture_has(fx, "priv.service-account", "svc-backup"));
	cr_assert(fixture_has(fx, "priv.service-account", "APP1$"));
	cr_assert(fixture_has(fx, "priv.service-account", "gmsa1$"));
	fixture_free(fx);
}

Test(mfa, privileged_missing_follows_nested_groups_through_a_cycle)
{
	static const char *const adds[] = {
		"S-1-5-21-1-2-3-512", "member: CN=Tier0," BASE "\n", NULL,
	};
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;

	domain(&sb, adds);
	add_user(&sb, &a);
	/* Ops -> Tier0 -> Ops, and Tier0 is in Domain Admins */
	group(&sb, "Ops", 1211, "alice", "Tier0", NULL);
	group(&sb, "Tier0", 1212, "Ops", NULL);
	fx = run_ldif(&sb, "{\"mfa\": {\"smartcard_required\": false}}");
	cr_assert(fixture_has(fx, "mfa.privileged-missing", "alice"));
	cr_assert(strstr(fixture_message(fixture_find(fx, "mfa.privileged-missing", "alice")),
			 "none configured"));
	fixture_free(fx);
}

Test(mfa, privileged_missing_unknown_when_the_enrollment_csv_was_not_read)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;

	a.lines = "primaryGroupID: 512\n";
	domain(&sb, NULL);
	add_user(&sb, &a);
	fx = run_ldif(&sb, "{\"mfa\": {\"enrollment_csv\": {\"path\": \"missing.csv\","
		      " \"optional\": true}}}");
	cr_assert_eq(fixture_status(fx, "mfa.privileged-missing"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_count(fx, "mfa.privileged-missing"), 0);
	fixture_free(fx);
}

Test(mfa, privileged_missing_severity_override_applies)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;

	a.lines = "primaryGroupID: 512\n";
	domain(&sb, NULL);
	add_user(&sb, &a);
	fx = run_ldif(&sb, "{\"checks\": {\"mfa.privileged-missing\": {\"severity\": \"high\"}}}");
	cr_assert_eq(fixture_find(fx, "mfa.privileged-missing", "alice")->severity, SEV_HIGH);
	fixture_free(fx);
}
