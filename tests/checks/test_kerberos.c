/*
 * Tests of the krb family (checks/kerberos.c): each check's firing and
 * non-firing cases, who is considered (users, and for delegation gMSA/MSA
 * and computers that are not DCs), krbtgt's own check with both sides of
 * its age limit and of the incident cut-off, and when a check is unknown.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "../../auditor/sbuf.h"
#include "../../auditor/timeutil.h"
#include "../fixture.h"
#include "helpers.h"

static void computer(struct sbuf *sb, const char *cn, unsigned rid, unsigned uac, const char *lines)
{
	sbuf_addf(sb,
		  "\ndn: CN=%s,CN=Computers,DC=corp,DC=example,DC=test\n"
		  "objectClass: top\nobjectClass: user\nobjectClass: computer\n"
		  "sAMAccountName: %s$\nobjectSid: S-1-5-21-1-2-3-%u\nuserAccountControl: %u\n%s",
		  cn, cn, rid, uac, lines ? lines : "");
}

static void gmsa(struct sbuf *sb, const char *cn, unsigned rid, unsigned uac, const char *lines)
{
	sbuf_addf(sb,
		  "\ndn: CN=%s,CN=Managed Service Accounts,DC=corp,DC=example,DC=test\n"
		  "objectClass: top\nobjectClass: user\nobjectClass: computer\n"
		  "objectClass: msDS-GroupManagedServiceAccount\n"
		  "sAMAccountName: %s$\nobjectSid: S-1-5-21-1-2-3-%u\nuserAccountControl: %u\n%s",
		  cn, cn, rid, uac, lines ? lines : "");
}

/* krbtgt as AD keeps it: disabled, with an SPN; pwd NULL leaves pwdLastSet out. */
static void krbtgt(struct sbuf *sb, const char *pwd)
{
	sbuf_adds(sb, "\ndn: CN=krbtgt," BASE "\n"
		      "objectClass: top\nobjectClass: user\n"
		      "sAMAccountName: krbtgt\nobjectSid: S-1-5-21-1-2-3-502\n"
		      "userAccountControl: 514\nservicePrincipalName: kadmin/changepw\n");
	if (pwd)
		sbuf_addf(sb, "pwdLastSet: %s\n", pwd);
}

static json_t *ev(const struct finding *f, const char *key)
{
	return json_object_get(finding_evidence(f), key);
}

/* krb.kerberoastable */

Test(kerberos, kerberoastable_fires_for_enabled_users_with_an_spn)
{
	struct sbuf sb = SBUF_INIT;
	struct u s = good("svc-web", 1105), d = good("svc-old", 1106), n = good("alice", 1107);
	struct fixture *fx;
	const struct finding *f;

	s.lines = "servicePrincipalName: HTTP/web1.corp.example.test\n"
		  "servicePrincipalName: HTTP/web1\n";
	d.uac = 514;
	d.lines = "servicePrincipalName: HTTP/old\n";
	domain(&sb, NULL);
	add_user(&sb, &s);
	add_user(&sb, &d);
	add_user(&sb, &n);
	krbtgt(&sb, ft_ago(10, 0));
	computer(&sb, "WEB1", 1300, 4096, "servicePrincipalName: HOST/web1\n");
	gmsa(&sb, "gmsa1", 1301, 4096, "servicePrincipalName: HTTP/app\n");
	fx = run_ldif(&sb, NULL);
	f = fixture_find(fx, "krb.kerberoastable", "svc-web");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_MEDIUM);
	cr_assert_eq(json_array_size(ev(f, "service_principal_names")), 2);
	cr_assert_not(fixture_has(fx, "krb.kerberoastable", "svc-old"));
	cr_assert_not(fixture_has(fx, "krb.kerberoastable", "alice"));
	cr_assert_not(fixture_has(fx, "krb.kerberoastable", "krbtgt"));
	cr_assert_not(fixture_has(fx, "krb.kerberoastable", "WEB1$"));
	cr_assert_not(fixture_has(fx, "krb.kerberoastable", "gmsa1$"));
	cr_assert_eq(fixture_count(fx, "krb.kerberoastable"), 1);
	fixture_free(fx);
}

Test(kerberos, kerberoastable_unknown_without_spns_in_the_export)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;

	domain(&sb, NULL);
	add_user(&sb, &a);
	fx = run_ldif(&sb, NULL);
	cr_assert_eq(fixture_status(fx, "krb.kerberoastable"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_status(fx, "krb.rc4-only"), STATUS_UNKNOWN);
	fixture_free(fx);
}

/* krb.asrep-roastable */

Test(kerberos, asrep_roastable_fires_on_dont_req_preauth)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), b = good("bob", 1106), d = good("dis", 1107);
	struct fixture *fx;

	a.uac = 512 | 0x400000;
	d.uac = 514 | 0x400000;
	domain(&sb, NULL);
	add_user(&sb, &a);
	add_user(&sb, &b);
	add_user(&sb, &d);
	computer(&sb, "WS1", 1300, 4096 | 0x400000, NULL);
	fx = run_ldif(&sb, NULL);
	cr_assert(fixture_has(fx, "krb.asrep-roastable", "alice"));
	cr_assert_eq(fixture_find(fx, "krb.asrep-roastable", "alice")->severity, SEV_HIGH);
	cr_assert_not(fixture_has(fx, "krb.asrep-roastable", "bob"));
	cr_assert_not(fixture_has(fx, "krb.asrep-roastable", "dis"));
	cr_assert_not(fixture_has(fx, "krb.asrep-roastable", "WS1$"));
	fixture_free(fx);
}

/* krb.des-enabled */

Test(kerberos, des_enabled_fires_on_the_uac_flag_or_any_des_bit)
{
	struct sbuf sb = SBUF_INIT;
	struct u flag = good("flag", 1105), crc = good("crc", 1106), md5 = good("md5", 1107);
	struct u aes = good("aes", 1108), zero = good("zero", 1109), none = good("none", 1110);
	struct fixture *fx;
	const struct finding *f;
	json_t *names;

	flag.uac = 512 | 0x200000;
	crc.lines = "msDS-SupportedEncryptionTypes: 31\n"; /* DES, RC4 and AES */
	md5.lines = "msDS-SupportedEncryptionTypes: 2\n";
	aes.lines = "msDS-SupportedEncryptionTypes: 24\n";
	zero.lines = "msDS-SupportedEncryptionTypes: 0\n";
	domain(&sb, NULL);
	add_user(&sb, &flag);
	add_user(&sb, &crc);
	add_user(&sb, &md5);
	add_user(&sb, &aes);
	add_user(&sb, &zero);
	add_user(&sb, &none);
	computer(&sb, "OLD1", 1300, 4096, "msDS-SupportedEncryptionTypes: 3\n");
	fx = run_ldif(&sb, NULL);
	f = fixture_find(fx, "krb.des-enabled", "flag");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_MEDIUM);
	cr_assert(json_is_true(ev(f, "use_des_key_only")));
	f = fixture_find(fx, "krb.des-enabled", "crc");
	cr_assert(f);
	names = ev(f, "enctypes");
	cr_assert_eq(json_array_size(names), 5);
	cr_assert_str_eq(json_string_value(json_array_get(names, 0)), "DES-CBC-CRC");
	cr_assert_str_eq(json_string_value(json_array_get(names, 4)), "AES256-CTS-HMAC-SHA1-96");
	cr_assert_eq(json_integer_value(ev(f, "supported_encryption_types")), 31);
	cr_assert(fixture_has(fx, "krb.des-enabled", "md5"));
	cr_assert_not(fixture_has(fx, "krb.des-enabled", "aes"));
	cr_assert_not(fixture_has(fx, "krb.des-enabled", "zero"));
	cr_assert_not(fixture_has(fx, "krb.des-enabled", "none"));
	cr_assert_not(fixture_has(fx, "krb.des-enabled", "OLD1$"));
	fixture_free(fx);
}

/* krb.rc4-only */

Test(kerberos, rc4_only_fires_for_spn_users_without_aes)
{
	struct sbuf sb = SBUF_INIT;
	struct u absent = good("absent", 1105), zero = good("zero", 1106), rc4 = good("rc4", 1107);
	struct u a128 = good("aes128", 1108), mixed = good("mixed", 1109), nospn = good("nospn", 1110);
	struct fixture *fx;
	const struct finding *f;

	absent.lines = "servicePrincipalName: HTTP/a\n";
	zero.lines = "servicePrincipalName: HTTP/z\nmsDS-SupportedEncryptionTypes: 0\n";
	rc4.lines = "servicePrincipalName: HTTP/r\nmsDS-SupportedEncryptionTypes: 4\n";
	a128.lines = "servicePrincipalName: HTTP/b\nmsDS-SupportedEncryptionTypes: 8\n";
	mixed.lines = "servicePrincipalName: HTTP/m\nmsDS-SupportedEncryptionTypes: 28\n";
	nospn.lines = "msDS-SupportedEncryptionTypes: 4\n";
	domain(&sb, NULL);
	add_user(&sb, &absent);
	add_user(&sb, &zero);
	add_user(&sb, &rc4);
	add_user(&sb, &a128);
	add_user(&sb, &mixed);
	add_user(&sb, &nospn);
	computer(&sb, "WEB1", 1300, 4096, "servicePrincipalName: HOST/web1\n");
	fx = run_ldif(&sb, NULL);
	f = fixture_find(fx, "krb.rc4-only", "absent");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_MEDIUM);
	cr_assert(json_is_null(ev(f, "supported_encryption_types")));
	cr_assert(fixture_has(fx, "krb.rc4-only", "zero"));
	f = fixture_find(fx, "krb.rc4-only", "rc4");
	cr_assert(f);
	cr_assert_str_eq(json_string_value(json_array_get(ev(f, "enctypes"), 0)), "RC4-HMAC");
	cr_assert_not(fixture_has(fx, "krb.rc4-only", "aes128"));
	cr_assert_not(fixture_has(fx, "krb.rc4-only", "mixed"));
	cr_assert_not(fixture_has(fx, "krb.rc4-only", "nospn"));
	cr_assert_not(fixture_has(fx, "krb.rc4-only", "WEB1$"));
	fixture_free(fx);
}

/* krb.unconstrained-delegation and krb.protocol-transition */

Test(kerberos, delegation_checks_cover_users_gmsa_and_non_dc_computers)
{
	struct sbuf sb = SBUF_INIT;
	struct u u1 = good("alice", 1105), u2 = good("bob", 1106), d = good("dis", 1107);
	struct fixture *fx;

	u1.uac = 512 | 0x80000;
	u2.uac = 512 | 0x1000000;
	d.uac = 514 | 0x80000 | 0x1000000;
	domain(&sb, NULL);
	add_user(&sb, &u1);
	add_user(&sb, &u2);
	add_user(&sb, &d);
	computer(&sb, "APP1", 1300, 4096 | 0x80000, NULL);
	computer(&sb, "APP2", 1301, 4096 | 0x1000000, NULL);
	computer(&sb, "DC1", 1302, 0x2000 | 0x80000 | 0x1000000, NULL);
	computer(&sb, "RODC1", 1303, 4096 | 0x4000000 | 0x80000 | 0x1000000, NULL);
	gmsa(&sb, "gmsa1", 1304, 4096 | 0x80000 | 0x1000000, NULL);
	fx = run_ldif(&sb, NULL);
	cr_assert(fixture_has(fx, "krb.unconstrained-delegation", "alice"));
	cr_assert_eq(fixture_find(fx, "krb.unconstrained-delegation", "alice")->severity, SEV_HIGH);
	cr_assert(fixture_has(fx, "krb.unconstrained-delegation", "APP1$"));
	cr_assert(fixture_has(fx, "krb.unconstrained-delegation", "gmsa1$"));
	cr_assert_not(fixture_has(fx, "krb.unconstrained-delegation", "bob"));
	cr_assert_not(fixture_has(fx, "krb.unconstrained-delegation", "APP2$"));
	cr_assert_not(fixture_has(fx, "krb.unconstrained-delegation", "dis"));
	cr_assert_not(fixture_has(fx, "krb.unconstrained-delegation", "DC1$"));
	cr_assert_not(fixture_has(fx, "krb.unconstrained-delegation", "RODC1$"));
	cr_assert_eq(fixture_count(fx, "krb.unconstrained-delegation"), 3);

	cr_assert(fixture_has(fx, "krb.protocol-transition", "bob"));
	cr_assert_eq(fixture_find(fx, "krb.protocol-transition", "bob")->severity, SEV_MEDIUM);
	cr_assert(fixture_has(fx, "krb.protocol-transition", "APP2$"));
	cr_assert(fixture_has(fx, "krb.protocol-transition", "gmsa1$"));
	cr_assert_not(fixture_has(fx, "krb.protocol-transition", "alice"));
	cr_assert_not(fixture_has(fx, "krb.protocol-transition", "dis"));
	cr_assert_not(fixture_has(fx, "krb.protocol-transition", "DC1$"));
	cr_assert_not(fixture_has(fx, "krb.protocol-transition", "RODC1$"));
	cr_assert_eq(fixture_count(fx, "krb.protocol-transition"), 3);
	fixture_free(fx);
}

/* krb.krbtgt-old */

static struct fixture *krbtgt_run(const char *pwd, const char *policy)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);

	domain(&sb, NULL);
	add_user(&sb, &a);
	krbtgt(&sb, pwd);
	return run_ldif(&sb, policy);
}

Test(kerberos, krbtgt_old_fires_one_second_past_max_age_days)
{
	struct fixture *fx = krbtgt_run(ft_ago(180, 1), NULL);
	const struct finding *f = fixture_find(fx, "krb.krbtgt-old", "krbtgt");

	cr_assert(f);
	cr_assert_eq(f->severity, SEV_HIGH);
	cr_assert_eq(json_integer_value(ev(f, "age_days")), 180);
	cr_assert(json_is_false(ev(f, "set_before_incident")));
	fixture_free(fx);

	fx = krbtgt_run(ft_ago(180, 0), NULL);
	cr_assert_not(fixture_has(fx, "krb.krbtgt-old", "krbtgt"));
	cr_assert_eq(fixture_status(fx, "krb.krbtgt-old"), STATUS_PASS);
	fixture_free(fx);
}

Test(kerberos, krbtgt_old_is_critical_when_set_before_the_incident)
{
	static const char policy[] = "{\"incident\": {\"password_reset_after\": \"2025-10-04\"}}";
	struct fixture *fx = krbtgt_run(fixture_filetime("2025-10-03T23:59:59Z"), policy);
	const struct finding *f = fixture_find(fx, "krb.krbtgt-old", "krbtgt");

	/* 89 days old: young enough, but set before the incident */
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_CRITICAL);
	cr_assert(json_is_true(ev(f, "set_before_incident")));
	cr_assert(strstr(fixture_message(f), "2025-10-04"), "%s", fixture_message(f));
	fixture_free(fx);

	fx = krbtgt_run(fixture_filetime("2025-10-04T00:00:00Z"), policy);
	cr_assert_not(fixture_has(fx, "krb.krbtgt-old", "krbtgt"));
	fixture_free(fx);

	/* a policy severity replaces the escalation */
	fx = krbtgt_run(ft_ago(400, 0), "{\"incident\": {\"password_reset_after\": \"2025-10-04\"},"
					" \"checks\": {\"krb.krbtgt-old\": {\"severity\": \"medium\"}}}");
	cr_assert_eq(fixture_find(fx, "krb.krbtgt-old", "krbtgt")->severity, SEV_MEDIUM);
	fixture_free(fx);
}

Test(kerberos, krbtgt_old_honours_max_age_days)
{
	struct fixture *fx = krbtgt_run(ft_ago(30, 1),
					"{\"checks\": {\"krb.krbtgt-old\": {\"max_age_days\": 30}}}");

	cr_assert(fixture_has(fx, "krb.krbtgt-old", "krbtgt"));
	fixture_free(fx);
}

Test(kerberos, krbtgt_old_unknown_without_krbtgt_or_its_pwdlastset)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;

	domain(&sb, NULL);
	add_user(&sb, &a);
	fx = run_ldif(&sb, NULL);
	cr_assert_eq(fixture_status(fx, "krb.krbtgt-old"), STATUS_UNKNOWN);
	fixture_free(fx);

	fx = krbtgt_run(NULL, NULL);
	cr_assert_eq(fixture_status(fx, "krb.krbtgt-old"), STATUS_UNKNOWN);
	fixture_free(fx);

	fx = krbtgt_run("0", NULL);
	cr_assert_eq(fixture_status(fx, "krb.krbtgt-old"), STATUS_UNKNOWN);
	fixture_free(fx);
}

Test(kerberos, krbtgt_is_checked_by_no_other_kerberos_check)
{
	struct sbuf sb = SBUF_INIT;
	struct fixture *fx;

	domain(&sb, NULL);
	sbuf_adds(&sb, "\ndn: CN=krbtgt," BASE "\n"
		       "objectClass: top\nobjectClass: user\n"
		       "sAMAccountName: krbtgt\nobjectSid: S-1-5-21-1-2-3-502\n"
		       "userAccountControl: 23593472\n" /* enabled, every bad flag */
		       "servicePrincipalName: kadmin/changepw\n");
	fx = run_ldif(&sb, NULL);
	cr_assert_not(fixture_has(fx, "krb.kerberoastable", "krbtgt"));
	cr_assert_not(fixture_has(fx, "krb.asrep-roastable", "krbtgt"));
	cr_assert_not(fixture_has(fx, "krb.des-enabled", "krbtgt"));
	cr_assert_not(fixture_has(fx, "krb.rc4-only", "krbtgt"));
	cr_assert_not(fixture_has(fx, "krb.unconstrained-delegation", "krbtgt"));
	cr_assert_not(fixture_has(fx, "krb.protocol-transition", "krbtgt"));
	fixture_free(fx);
}
