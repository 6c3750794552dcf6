/*
 * Tests of the priv family (checks/privileged.c): group sizes and their
 * limits, every account check's firing and non-firing cases, both sides
 * of every threshold, nested membership (groups, primaryGroupID, cycles),
 * who is skipped, supersedes, and when a check is unknown.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../auditor/sbuf.h"
#include "../../auditor/timeutil.h"
#include "../../checks/registry.h"
#include "../fixture.h"
#include "helpers.h"

#define DA "S-1-5-21-1-2-3-512"
#define PU "S-1-5-21-1-2-3-525"

static void computer(struct sbuf *sb, const char *cn, unsigned rid, unsigned uac, const char *lines)
{
	sbuf_addf(sb,
		  "\ndn: CN=%s,CN=Computers,DC=corp,DC=example,DC=test\n"
		  "objectClass: top\nobjectClass: user\nobjectClass: computer\n"
		  "sAMAccountName: %s$\nobjectSid: S-1-5-21-1-2-3-%u\nuserAccountControl: %u\n%s",
		  cn, cn, rid, uac, lines ? lines : "");
}

static void gmsa(struct sbuf *sb, const char *cn, unsigned rid, const char *lines)
{
	sbuf_addf(sb,
		  "\ndn: CN=%s,CN=Managed Service Accounts,DC=corp,DC=example,DC=test\n"
		  "objectClass: top\nobjectClass: user\nobjectClass: computer\n"
		  "objectClass: msDS-GroupManagedServiceAccount\n"
		  "sAMAccountName: %s$\nobjectSid: S-1-5-21-1-2-3-%u\nuserAccountControl: 4096\n%s",
		  cn, cn, rid, lines ? lines : "");
}

/* priv.group-size */

Test(privileged, group_size_fires_over_the_limit_and_lists_sorted_members)
{
	static const char *const adds[] = {
		DA, "member: CN=IT-Admins," BASE "\n"
		    "member: CN=u1," BASE "\nmember: CN=u2," BASE "\nmember: CN=off," BASE "\n"
		    "member: CN=APP1,CN=Computers,DC=corp,DC=example,DC=test\n"
		    "member: CN=DC1,CN=Computers,DC=corp,DC=example,DC=test\n",
		NULL,
	};
	struct sbuf sb = SBUF_INIT;
	struct u u1 = good("u1", 1111), u2 = good("u2", 1112), u3 = good("Zed", 1113);
	struct u u4 = good("bea", 1114), off = good("off", 1115);
	struct fixture *fx;
	const struct finding *f;
	json_t *names;

	u4.lines = "primaryGroupID: 512\n";
	off.uac = 514;
	domain(&sb, adds);
	add_user(&sb, &u1);
	add_user(&sb, &u2);
	add_user(&sb, &u3);
	add_user(&sb, &u4);
	add_user(&sb, &off);
	computer(&sb, "APP1", 1300, 4096, NULL);
	computer(&sb, "DC1", 1301, 0x2000 | 0x80000, NULL);
	group(&sb, "IT-Admins", 1210, "Zed", NULL);
	/* 5 counted: u1, u2, Zed (nested), bea (primary group), APP1$; not off, not DC1$ */
	fx = run_ldif(&sb, NULL);
	cr_assert_not(fixture_has(fx, "priv.group-size", "Domain Admins"));
	fixture_free(fx);

	sb = (struct sbuf)SBUF_INIT;
	domain(&sb, adds);
	add_user(&sb, &u1);
	add_user(&sb, &u2);
	add_user(&sb, &u3);
	add_user(&sb, &u4);
	add_user(&sb, &off);
	computer(&sb, "APP1", 1300, 4096, NULL);
	computer(&sb, "DC1", 1301, 0x2000 | 0x80000, NULL);
	gmsa(&sb, "gmsa1", 1302, "primaryGroupID: 512\n");
	group(&sb, "IT-Admins", 1210, "Zed", NULL);
	fx = run_ldif(&sb, NULL);
	f = fixture_find(fx, "priv.group-size", "Domain Admins");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_HIGH);
	cr_assert_str_eq(finding_kind(f), "group");
	cr_assert_null(finding_upn(f), "a group has no UPN: not read as an account's");
	cr_assert_eq(json_integer_value(json_object_get(finding_evidence(f), "members")), 6);
	cr_assert_eq(json_integer_value(json_object_get(finding_evidence(f), "limit")), 5);
	names = json_object_get(finding_evidence(f), "member_names");
	cr_assert_eq(json_array_size(names), 6);
	cr_assert_str_eq(json_string_value(json_array_get(names, 0)), "APP1$");
	cr_assert_str_eq(json_string_value(json_array_get(names, 1)), "bea");
	cr_assert_str_eq(json_string_value(json_array_get(names, 2)), "gmsa1$");
	cr_assert_str_eq(json_string_value(json_array_get(names, 5)), "Zed");
	/* Administrators holds them all but has no limit */
	cr_assert_eq(fixture_count(fx, "priv.group-size"), 1);
	fixture_free(fx);
}

Test(privileged, group_size_limits_by_name_sid_and_dn)
{
	static const char *const adds[] = {
		DA, "member: CN=u1," BASE "\nmember: CN=u2," BASE "\n",
		"S-1-5-21-1-2-3-518", "member: CN=u1," BASE "\n",
		"S-1-5-32-551", "member: CN=u2," BASE "\n",
		NULL,
	};
	struct sbuf sb = SBUF_INIT;
	struct u u1 = good("u1", 1111), u2 = good("u2", 1112);
	struct fixture *fx;

	domain(&sb, adds);
	add_user(&sb, &u1);
	add_user(&sb, &u2);
	sbuf_adds(&sb, "\n");
	/* defaults: Schema Admins 0 and Backup Operators 0 fire, Domain Admins 5 does not */
	fx = fixture_run(sb.buf, NULL, NOW);
	cr_assert(fixture_has(fx, "priv.group-size", "Schema Admins"));
	cr_assert(fixture_has(fx, "priv.group-size", "Backup Operators"));
	cr_assert_not(fixture_has(fx, "priv.group-size", "Domain Admins"));
	fixture_free(fx);
	/* by SID: the smaller limit wins over the default by name */
	fx = fixture_run(sb.buf, "{\"checks\": {\"priv.group-size\": {\"max_members\":"
				 " {\"S-1-5-21-1-2-3-512\": 1, \"schema admins\": 1}}}}", NOW);
	cr_assert(fixture_has(fx, "priv.group-size", "Domain Admins"));
	cr_assert_not(fixture_has(fx, "priv.group-size", "Schema Admins"));
	fixture_free(fx);
	/* by DN, any case and spacing */
	fx = fixture_run(sb.buf, "{\"checks\": {\"priv.group-size\": {\"max_members\":"
				 " {\"cn=domain admins, cn=users,dc=corp,dc=example,dc=test\": 2}}}}",
			 NOW);
	cr_assert_not(fixture_has(fx, "priv.group-size", "Domain Admins"));
	fixture_free(fx);
	fx = fixture_run(sb.buf, "{\"checks\": {\"priv.group-size\": {\"max_members\":"
				 " {\"CN=Domain Admins,CN=Users,DC=corp,DC=example,DC=test\": 1}}}}",
			 NOW);
	cr_assert(fixture_has(fx, "priv.group-size", "Domain Admins"));
	fixture_free(fx);
	sbuf_release(&sb);
}

Test(privileged, group_size_default_limits_follow_well_known_sids)
{
	/* a localised domain: Domain Admins is called "Admins du domaine" */
	struct sbuf sb = SBUF_INIT;
	struct u u[6] = {
		good("a1", 1111), good("a2", 1112), good("a3", 1113),
		good("a4", 1114), good("a5", 1115), good("a6", 1116),
	};
	struct fixture *fx;
	const char *p;
	size_t i;

	p = strstr(fixture_domain_ldif, "dn: CN=Domain Admins");
	sbuf_add(&sb, fixture_domain_ldif, (size_t)(p - fixture_domain_ldif));
	p = strstr(p, "\n\n") + 2;
	sbuf_adds(&sb, "dn: CN=Admins du domaine," BASE "\nobjectClass: group\n"
		       "sAMAccountName: Admins du domaine\nobjectSid: S-1-5-21-1-2-3-512\n\n");
	sbuf_adds(&sb, p);
	for (i = 0; i < 6; i++) {
		u[i].lines = "primaryGroupID: 512\n";
		add_user(&sb, &u[i]);
	}
	fx = run_ldif(&sb, NULL);
	cr_assert(fixture_has(fx, "priv.group-size", "Admins du domaine"));
	fixture_free(fx);
}

/* priv.stale */

Test(privileged, stale_fires_one_second_past_max_idle_days_and_supersedes_acct)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), b = good("bob", 1106), c = good("carol", 1107);
	struct u n = good("newbie", 1108), o = good("outsider", 1109);
	struct fixture *fx;

	a.logon = ft_ago(90, 1);
	b.logon = ft_ago(90, 0);
	c.logon = ft_ago(400, 0);
	n.logon = "0";
	n.created = gt_ago(91, 0);
	o.logon = ft_ago(400, 0);
	a.lines = b.lines = c.lines = n.lines = "primaryGroupID: 512\n";
	domain(&sb, NULL);
	add_user(&sb, &a);
	add_user(&sb, &b);
	add_user(&sb, &c);
	add_user(&sb, &n);
	add_user(&sb, &o);
	fx = run_ldif(&sb, NULL);
	cr_assert(fixture_has(fx, "priv.stale", "alice"));
	cr_assert_eq(fixture_find(fx, "priv.stale", "alice")->severity, SEV_HIGH);
	cr_assert_not(fixture_has(fx, "priv.stale", "bob"));
	cr_assert(fixture_has(fx, "priv.stale", "carol"));
	cr_assert_not(fixture_has(fx, "acct.stale", "carol"));
	cr_assert(fixture_has(fx, "priv.stale", "newbie"));
	cr_assert_not(fixture_has(fx, "acct.never-logged-on", "newbie"));
	cr_assert(fixture_has(fx, "acct.stale", "outsider"));
	cr_assert_not(fixture_has(fx, "priv.stale", "outsider"));
	fixture_free(fx);
}

/* priv.disabled-member */

Test(privileged, disabled_member_fires_for_disabled_and_expired_admins)
{
	static const char *const adds[] = { DA, "member: CN=IT-Admins," BASE "\n", NULL };
	struct sbuf sb = SBUF_INIT;
	struct u d = good("dis", 1105), e = good("exp", 1106), ok = good("ok", 1107);
	struct u plain = good("plain", 1108);
	struct fixture *fx;
	char lines[128];

	d.uac = 514;
	snprintf(lines, sizeof(lines), "accountExpires: %s\n", ft_ago(0, 1));
	e.lines = lines;
	plain.uac = 514;
	domain(&sb, adds);
	add_user(&sb, &d);
	add_user(&sb, &e);
	add_user(&sb, &ok);
	add_user(&sb, &plain);
	group(&sb, "IT-Admins", 1210, "dis", "exp", "ok", NULL);
	fx = run_ldif(&sb, NULL);
	cr_assert(fixture_has(fx, "priv.disabled-member", "dis"));
	cr_assert_eq(fixture_find(fx, "priv.disabled-member", "dis")->severity, SEV_MEDIUM);
	cr_assert(fixture_has(fx, "priv.disabled-member", "exp"));
	cr_assert_not(fixture_has(fx, "priv.disabled-member", "ok"));
	cr_assert_not(fixture_has(fx, "priv.disabled-member", "plain"));
	/* the other priv checks consider enabled accounts only */
	cr_assert_not(fixture_has(fx, "priv.not-protected-users", "dis"));
	cr_assert(fixture_has(fx, "priv.not-protected-users", "ok"));
	fixture_free(fx);
}

/* priv.password-old */

Test(privileged, password_old_fires_one_second_past_max_age_and_supersedes_pwd_old)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), b = good("bob", 1106), c = good("carol", 1107);
	struct u m = good("mustchange", 1108), o = good("outsider", 1109);
	struct fixture *fx;

	a.pwd = ft_ago(180, 1);
	b.pwd = ft_ago(180, 0);
	c.pwd = ft_ago(400, 0);
	m.pwd = "0";
	o.pwd = ft_ago(400, 0);
	a.lines = b.lines = c.lines = m.lines = "primaryGroupID: 512\n";
	domain(&sb, NULL);
	add_user(&sb, &a);
	add_user(&sb, &b);
	add_user(&sb, &c);
	add_user(&sb, &m);
	add_user(&sb, &o);
	fx = run_ldif(&sb, NULL);
	cr_assert(fixture_has(fx, "priv.password-old", "alice"));
	cr_assert_eq(json_integer_value(json_object_get(
			     finding_evidence(fixture_find(fx, "priv.password-old", "alice")), "max_age_days")),
		     180);
	cr_assert_not(fixture_has(fx, "priv.password-old", "bob"));
	cr_assert(fixture_has(fx, "priv.password-old", "carol"));
	cr_assert_not(fixture_has(fx, "pwd.old", "carol"));
	cr_assert_not(fixture_has(fx, "priv.password-old", "mustchange"));
	cr_assert(fixture_has(fx, "pwd.old", "outsider"));
	fixture_free(fx);
}

/* priv.password-never-expires, priv.asrep-roastable */

Test(privileged, uac_flags_fire_and_supersede_the_generic_checks)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), b = good("bob", 1106), o = good("outsider", 1107);
	struct u c = good("carol", 1108);
	struct fixture *fx;

	a.uac = b.uac = o.uac = 512 | 0x10000 | 0x400000;
	a.lines = c.lines = "primaryGroupID: 512\n";
	b.uac |= 2;
	b.lines = "primaryGroupID: 512\n";
	domain(&sb, NULL);
	add_user(&sb, &a);
	add_user(&sb, &b);
	add_user(&sb, &o);
	add_user(&sb, &c);
	fx = run_ldif(&sb, NULL);
	cr_assert(fixture_has(fx, "priv.password-never-expires", "alice"));
	cr_assert_eq(fixture_find(fx, "priv.password-never-expires", "alice")->severity, SEV_HIGH);
	cr_assert_not(fixture_has(fx, "pwd.never-expires", "alice"));
	cr_assert(fixture_has(fx, "priv.asrep-roastable", "alice"));
	cr_assert_eq(fixture_find(fx, "priv.asrep-roastable", "alice")->severity, SEV_CRITICAL);
	cr_assert_not(fixture_has(fx, "krb.asrep-roastable", "alice"));
	cr_assert_not(fixture_has(fx, "priv.password-never-expires", "bob"));
	cr_assert_not(fixture_has(fx, "priv.asrep-roastable", "bob"));
	cr_assert_not(fixture_has(fx, "priv.password-never-expires", "carol"));
	cr_assert_not(fixture_has(fx, "priv.asrep-roastable", "carol"));
	cr_assert(fixture_has(fx, "pwd.never-expires", "outsider"));
	cr_assert(fixture_has(fx, "krb.asrep-roastable", "outsider"));
	cr_assert_not(fixture_has(fx, "priv.asrep-roastable", "outsider"));
	fixture_free(fx);
}

/* priv.kerberoastable */

Test(privileged, kerberoastable_fires_and_supersedes_krb_kerberoastable)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("svc-sql", 1105), o = good("svc-web", 1106);
	struct fixture *fx;
	const struct finding *f;

	a.lines = "primaryGroupID: 512\nservicePrincipalName: MSSQLSvc/db1.corp.example.test\n";
	o.lines = "servicePrincipalName: HTTP/web1.corp.example.test\n";
	domain(&sb, NULL);
	add_user(&sb, &a);
	add_user(&sb, &o);
	fx = run_ldif(&sb, NULL);
	f = fixture_find(fx, "priv.kerberoastable", "svc-sql");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_CRITICAL);
	cr_assert_str_eq(json_string_value(json_array_get(
				 json_object_get(finding_evidence(f), "service_principal_names"), 0)),
			 "MSSQLSvc/db1.corp.example.test");
	cr_assert_not(fixture_has(fx, "krb.kerberoastable", "svc-sql"));
	cr_assert_not(fixture_has(fx, "priv.kerberoastable", "svc-web"));
	cr_assert(fixture_has(fx, "krb.kerberoastable", "svc-web"));
	fixture_free(fx);
}

/* priv.delegable */

Test(privileged, delegable_fires_unless_not_delegated_or_protected)
{
	static const char *const adds[] = {
		PU, "member: CN=Tier0," BASE "\n", NULL,
	};
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), s = good("sensitive", 1106), p = good("prot", 1107);
	struct fixture *fx;

	a.lines = s.lines = p.lines = "primaryGroupID: 512\n";
	s.uac = 512 | 0x100000;
	domain(&sb, adds);
	add_user(&sb, &a);
	add_user(&sb, &s);
	add_user(&sb, &p);
	computer(&sb, "APP1", 1300, 4096, "primaryGroupID: 512\n");
	computer(&sb, "DC1", 1301, 0x2000 | 0x80000, "primaryGroupID: 516\n");
	group(&sb, "Tier0", 1212, "prot", NULL);
	fx = run_ldif(&sb, NULL);
	cr_assert(fixture_has(fx, "priv.delegable", "alice"));
	cr_assert_eq(fixture_find(fx, "priv.delegable", "alice")->severity, SEV_MEDIUM);
	cr_assert_not(fixture_has(fx, "priv.delegable", "sensitive"));
	cr_assert_not(fixture_has(fx, "priv.delegable", "prot"));
	cr_assert(fixture_has(fx, "priv.delegable", "APP1$"));
	cr_assert_not(fixture_has(fx, "priv.delegable", "DC1$"));
	fixture_free(fx);
}

/* priv.not-protected-users */

Test(privileged, not_protected_users_fires_for_people_only)
{
	static const char *const adds[] = { PU, "member: CN=prot," BASE "\n", NULL };
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105), p = good("prot", 1106), s = good("svc-x", 1107);
	struct fixture *fx;

	a.lines = p.lines = "primaryGroupID: 512\n";
	s.lines = "primaryGroupID: 512\nservicePrincipalName: HTTP/x\n";
	domain(&sb, adds);
	add_user(&sb, &a);
	add_user(&sb, &p);
	add_user(&sb, &s);
	gmsa(&sb, "gmsa1", 1302, "primaryGroupID: 512\n");
	computer(&sb, "APP1", 1300, 4096, "primaryGroupID: 512\n");
	fx = run_ldif(&sb, NULL);
	cr_assert(fixture_has(fx, "priv.not-protected-users", "alice"));
	cr_assert_eq(fixture_find(fx, "priv.not-protected-users", "alice")->severity, SEV_LOW);
	cr_assert_not(fixture_has(fx, "priv.not-protected-users", "prot"));
	cr_assert_not(fixture_has(fx, "priv.not-protected-users", "svc-x"));
	cr_assert_not(fixture_has(fx, "priv.not-protected-users", "gmsa1$"));
	cr_assert_not(fixture_has(fx, "priv.not-protected-users", "APP1$"));
	cr_assert_eq(fixture_count(fx, "priv.not-protected-users"), 1);
	fixture_free(fx);
}

/* priv.service-account */

Test(privileged, service_account_reports_non_human_admins_but_not_dcs)
{
	struct sbuf sb = SBUF_INIT;
	struct u s = good("svc-sql", 1105), pat = good("svc-backup", 1106), a = good("alice", 1107);
	struct u unpriv = good("svc-web", 1108);
	struct fixture *fx;

	s.lines = "primaryGroupID: 512\nservicePrincipalName: MSSQLSvc/db1\n";
	pat.lines = a.lines = "primaryGroupID: 512\n";
	unpriv.lines = "servicePrincipalName: HTTP/web1\n";
	domain(&sb, NULL);
	add_user(&sb, &s);
	add_user(&sb, &pat);
	add_user(&sb, &a);
	add_user(&sb, &unpriv);
	gmsa(&sb, "gmsa1", 1302, "primaryGroupID: 512\n");
	computer(&sb, "APP1", 1300, 4096, "primaryGroupID: 512\n");
	computer(&sb, "DC1", 1301, 0x2000 | 0x80000, "primaryGroupID: 512\n");
	fx = run_ldif(&sb, "{\"service_accounts\": {\"name_patterns\": [\"SVC-B*\"]}}");
	cr_assert(fixture_has(fx, "priv.service-account", "svc-sql"));
	cr_assert_eq(fixture_find(fx, "priv.service-account", "svc-sql")->severity, SEV_HIGH);
	cr_assert(fixture_has(fx, "priv.service-account", "svc-backup"));
	cr_assert(fixture_has(fx, "priv.service-account", "gmsa1$"));
	cr_assert(fixture_has(fx, "priv.service-account", "APP1$"));
	cr_assert_not(fixture_has(fx, "priv.service-account", "DC1$"));
	cr_assert_not(fixture_has(fx, "priv.service-account", "alice"));
	cr_assert_not(fixture_has(fx, "priv.service-account", "svc-web"));
	fixture_free(fx);
}

/*
 * A service account by its OU; an OU of service_accounts.ous that holds
 * nothing (a typo here) leaves the checks that single out service
 * accounts, or leave them out, unknown: else the account it meant would
 * pass priv.service-account in silence.
 */
Test(privileged, service_ou_that_holds_nothing_makes_the_service_checks_unknown)
{
	static const char *const ids[] = {
		"priv.service-account", "priv.not-protected-users", "mfa.privileged-missing",
	};
	struct u a = good("alice", 1107);
	struct fixture *fx;

	for (int typo = 0; typo < 2; typo++) {
		struct sbuf sb = SBUF_INIT;

		a.lines = "primaryGroupID: 512\n";
		domain(&sb, NULL);
		add_user(&sb, &a);
		sbuf_adds(&sb, "\ndn: CN=batch1,OU=Service Accounts,DC=corp,DC=example,DC=test\n"
			       "objectClass: user\nsAMAccountName: batch1\n"
			       "objectSid: S-1-5-21-1-2-3-1108\nuserAccountControl: 512\n"
			       "primaryGroupID: 512\n");
		fx = run_ldif(&sb, typo ? "{\"service_accounts\": {\"ous\": "
					  "[\"OU=Service Acounts,DC=corp,DC=example,DC=test\"]}}"
					: "{\"service_accounts\": {\"ous\": "
					  "[\"OU=Service Accounts,DC=corp,DC=example,DC=test\"]}}");
		if (!typo) {
			cr_assert(fixture_has(fx, "priv.service-account", "batch1"));
			cr_assert_not(fixture_has(fx, "priv.service-account", "alice"));
			cr_assert(fixture_has(fx, "priv.not-protected-users", "alice"));
			cr_assert_not(fixture_has(fx, "priv.not-protected-users", "batch1"));
			cr_assert_not(fixture_has(fx, "mfa.privileged-missing", "batch1"));
			fixture_free(fx);
			continue;
		}
		for (size_t i = 0; i < sizeof(ids) / sizeof(*ids); i++) {
			size_t idx;

			cr_assert_not_null(registry_find(ids[i], &idx));
			cr_assert_eq(fx->audit.states[idx].status, STATUS_UNKNOWN, "%s", ids[i]);
			cr_assert_not_null(strstr(fx->audit.states[idx].reason,
						  "OU \"OU=Service Acounts,DC=corp,DC=example,DC=test\" "
						  "named in service_accounts.ous holds no account or group "
						  "of the directory: who is a service account cannot be told"),
					   "%s: %s", ids[i], fx->audit.states[idx].reason);
			cr_assert_not(fixture_has(fx, ids[i], "batch1"), "%s", ids[i]);
		}
		/* checks that do not rest on it still run */
		cr_assert_neq(fixture_status(fx, "priv.stale"), STATUS_UNKNOWN);
		cr_assert_neq(fixture_status(fx, "priv.nested"), STATUS_UNKNOWN);
		fixture_free(fx);
	}
}

/* priv.nested */

Test(privileged, nested_fires_only_when_every_path_is_indirect)
{
	static const char *const adds[] = {
		DA, "member: CN=IT-Admins," BASE "\nmember: CN=both," BASE "\n"
		    "member: CN=direct," BASE "\n",
		NULL,
	};
	struct sbuf sb = SBUF_INIT;
	struct u n = good("nested", 1105), b = good("both", 1106), d = good("direct", 1107);
	struct u p = good("primary", 1108), c = good("cyclic", 1109);
	struct fixture *fx;
	const struct finding *f;

	p.lines = "primaryGroupID: 512\n";
	domain(&sb, adds);
	add_user(&sb, &n);
	add_user(&sb, &b);
	add_user(&sb, &d);
	add_user(&sb, &p);
	add_user(&sb, &c);
	group(&sb, "IT-Admins", 1210, "nested", "both", "Helpdesk", NULL);
	/* Helpdesk -> IT-Admins -> Helpdesk: a cycle on the way */
	group(&sb, "Helpdesk", 1211, "cyclic", "IT-Admins", NULL);
	fx = run_ldif(&sb, NULL);
	f = fixture_find(fx, "priv.nested", "nested");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_INFO);
	cr_assert_str_eq(ev_str(f, "privileged_path"), "nested -> IT-Admins -> Domain Admins");
	cr_assert(strstr(fixture_message(f), "nested -> IT-Admins -> Domain Admins"), "%s",
		  fixture_message(f));
	f = fixture_find(fx, "priv.nested", "cyclic");
	cr_assert(f);
	cr_assert_str_eq(ev_str(f, "privileged_path"),
			 "cyclic -> Helpdesk -> IT-Admins -> Domain Admins");
	cr_assert_not(fixture_has(fx, "priv.nested", "both"));
	cr_assert_not(fixture_has(fx, "priv.nested", "direct"));
	cr_assert_not(fixture_has(fx, "priv.nested", "primary"));
	fixture_free(fx);
}

Test(privileged, nested_counts_policy_extra_groups_as_privileged)
{
	struct sbuf sb = SBUF_INIT;
	struct u n = good("nested", 1105);
	struct fixture *fx;

	domain(&sb, NULL);
	add_user(&sb, &n);
	group(&sb, "IT-Admins", 1210, "nested", NULL);
	fx = run_ldif(&sb, "{\"privileged\": {\"extra_groups\": [\"IT-Admins\"]}}");
	cr_assert(fixture_account(fx, "nested")->privileged);
	cr_assert_not(fixture_has(fx, "priv.nested", "nested"));
	fixture_free(fx);
}

/* priv.admincount-orphan */

Test(privileged, admincount_orphan_fires_for_unprivileged_flagged_users)
{
	struct sbuf sb = SBUF_INIT;
	struct u o = good("former", 1105), a = good("admin", 1106), z = good("zero", 1107);
	struct u d = good("gone", 1108);
	struct fixture *fx;

	o.lines = "adminCount: 1\n";
	a.lines = "adminCount: 1\nprimaryGroupID: 512\n";
	z.lines = "adminCount: 0\n";
	d.uac = 514;
	d.lines = "adminCount: 1\n";
	domain(&sb, NULL);
	add_user(&sb, &o);
	add_user(&sb, &a);
	add_user(&sb, &z);
	add_user(&sb, &d);
	fx = run_ldif(&sb, NULL);
	cr_assert(fixture_has(fx, "priv.admincount-orphan", "former"));
	cr_assert_eq(fixture_find(fx, "priv.admincount-orphan", "former")->severity, SEV_LOW);
	cr_assert_not(fixture_has(fx, "priv.admincount-orphan", "admin"));
	cr_assert_not(fixture_has(fx, "priv.admincount-orphan", "zero"));
	cr_assert_not(fixture_has(fx, "priv.admincount-orphan", "gone"));
	fixture_free(fx);
}

Test(privileged, admincount_orphan_unknown_without_admincount)
{
	struct sbuf sb = SBUF_INIT;
	struct u o = good("former", 1105);
	struct fixture *fx;

	domain(&sb, NULL);
	add_user(&sb, &o);
	fx = run_ldif(&sb, NULL);
	cr_assert_eq(fixture_status(fx, "priv.admincount-orphan"), STATUS_UNKNOWN);
	fixture_free(fx);
}

/* priv.builtin-admin-used */

Test(privileged, builtin_admin_used_fires_within_min_idle_days)
{
	struct sbuf sb = SBUF_INIT;
	struct u adm = good("Administrator", 500);
	struct fixture *fx;

	adm.logon = ft_ago(35, 0);
	domain(&sb, NULL);
	add_user(&sb, &adm);
	fx = run_ldif(&sb, NULL);
	cr_assert(fixture_has(fx, "priv.builtin-admin-used", "Administrator"));
	cr_assert_eq(fixture_find(fx, "priv.builtin-admin-used", "Administrator")->severity,
		     SEV_MEDIUM);
	fixture_free(fx);

	sb = (struct sbuf)SBUF_INIT;
	adm.logon = ft_ago(35, 1);
	domain(&sb, NULL);
	add_user(&sb, &adm);
	fx = run_ldif(&sb, NULL);
	cr_assert_not(fixture_has(fx, "priv.builtin-admin-used", "Administrator"));
	cr_assert_eq(fixture_status(fx, "priv.builtin-admin-used"), STATUS_PASS);
	fixture_free(fx);
}

Test(privileged, builtin_admin_used_ignores_never_disabled_and_other_rids)
{
	struct sbuf sb = SBUF_INIT;
	struct u adm = good("Administrator", 500), other = good("admin2", 1105);
	struct fixture *fx;

	adm.logon = "0";
	other.lines = "primaryGroupID: 512\n";
	domain(&sb, NULL);
	add_user(&sb, &adm);
	add_user(&sb, &other);
	fx = run_ldif(&sb, NULL);
	cr_assert_eq(fixture_count(fx, "priv.builtin-admin-used"), 0);
	fixture_free(fx);

	sb = (struct sbuf)SBUF_INIT;
	adm.logon = ft_ago(1, 0);
	adm.uac = 514;
	domain(&sb, NULL);
	add_user(&sb, &adm);
	fx = run_ldif(&sb, NULL);
	cr_assert_eq(fixture_count(fx, "priv.builtin-admin-used"), 0);
	fixture_free(fx);
}

Test(privileged, unknown_when_membership_was_not_exported)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	const char *p;
	struct fixture *fx;

	/* the domain without any member attribute */
	for (p = fixture_domain_ldif; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = (size_t)(nl - p) + 1;

		if (strncmp(p, "member:", 7) != 0)
			sbuf_add(&sb, p, len);
		p += len;
	}
	a.lines = "primaryGroupID: 512\n";
	add_user(&sb, &a);
	fx = run_ldif(&sb, NULL);
	cr_assert_eq(fixture_status(fx, "priv.not-protected-users"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_status(fx, "priv.group-size"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_status(fx, "mfa.privileged-missing"), STATUS_UNKNOWN);
	fixture_free(fx);
}

Test(privileged, an_extra_group_missing_from_the_directory_makes_the_checks_unknown)
{
	struct sbuf sb = SBUF_INIT;
	struct u a = good("alice", 1105);
	struct fixture *fx;
	size_t idx;

	domain(&sb, NULL);
	add_user(&sb, &a);
	fx = run_ldif(&sb, "{\"privileged\": {\"extra_groups\": [\"IT-Admins\"]}}");
	cr_assert_not_null(registry_find("priv.stale", &idx));
	cr_assert_eq(fx->audit.states[idx].status, STATUS_UNKNOWN);
	cr_assert_not_null(strstr(fx->audit.states[idx].reason,
				  "group \"IT-Admins\" named in privileged.extra_groups is not in the directory"),
			   "%s", fx->audit.states[idx].reason);
	cr_assert_eq(fixture_status(fx, "mfa.privileged-missing"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_status(fx, "vpn.privileged"), STATUS_UNKNOWN);
	/* checks that do not rest on the classification still run */
	cr_assert_neq(fixture_status(fx, "priv.builtin-admin-used"), STATUS_UNKNOWN);
	fixture_free(fx);
}
