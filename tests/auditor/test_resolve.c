/*
 * Tests for auditor/resolve.c (dir_resolve): enabled state, effective last
 * logon, roles, service accounts, privileged membership and its path,
 * VPN capability, MFA evidence, Protected Users, resultant PSOs and the
 * domain SID. Directories are the fixture's domain header plus a few
 * entries, audited at NOW.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "../../auditor/sbuf.h"
#include "../../auditor/timeutil.h"
#include "../fixture.h"

#define NOW "2026-01-01T00:00:00Z"
#define BASE "CN=Users,DC=corp,DC=example,DC=test"
#define DOM "S-1-5-21-1-2-3"

/* ---- building directories ---------------------------------------------- */

static void start(struct sbuf *sb)
{
	sbuf_init(sb);
	sbuf_adds(sb, fixture_domain_ldif);
}

/* A user CN=sam,BASE with objectSid sid; more: extra attribute lines. */
static void user_sid(struct sbuf *sb, const char *sam, const char *sid, unsigned uac,
		     const char *more)
{
	sbuf_addf(sb,
		  "dn: CN=%s," BASE "\n"
		  "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
		  "objectClass: user\n"
		  "cn: %s\nsAMAccountName: %s\nobjectSid: %s\nuserAccountControl: %u\n%s%s\n",
		  sam, sam, sam, sid, uac, more ? more : "", more && *more ? "\n" : "");
}

static void user(struct sbuf *sb, const char *sam, unsigned rid, unsigned uac, const char *more)
{
	char sid[64];

	snprintf(sid, sizeof(sid), DOM "-%u", rid);
	user_sid(sb, sam, sid, uac, more);
}

/* A bare user at "rdns,DC=corp,DC=example,DC=test". */
static void user_at(struct sbuf *sb, const char *rdns, const char *sam, unsigned rid)
{
	sbuf_addf(sb,
		  "dn: %s,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName: %s\nobjectSid: " DOM "-%u\n"
		  "userAccountControl: 512\n\n",
		  rdns, sam, rid);
}

static void computer(struct sbuf *sb, const char *sam, unsigned rid, unsigned uac,
		     const char *more)
{
	sbuf_addf(sb,
		  "dn: CN=%s,CN=Computers,DC=corp,DC=example,DC=test\n"
		  "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
		  "objectClass: user\nobjectClass: computer\n"
		  "cn: %s\nsAMAccountName: %s$\nobjectSid: " DOM "-%u\nuserAccountControl: %u\n%s%s\n",
		  sam, sam, sam, rid, uac, more ? more : "", more && *more ? "\n" : "");
}

static void gmsa(struct sbuf *sb, const char *sam, unsigned rid, const char *more)
{
	sbuf_addf(sb,
		  "dn: CN=%s,CN=Managed Service Accounts,DC=corp,DC=example,DC=test\n"
		  "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
		  "objectClass: user\nobjectClass: computer\n"
		  "objectClass: msDS-GroupManagedServiceAccount\n"
		  "cn: %s\nsAMAccountName: %s$\nobjectSid: " DOM "-%u\nuserAccountControl: 4096\n%s%s\n",
		  sam, sam, sam, rid, more ? more : "", more && *more ? "\n" : "");
}

/* A group CN=name,BASE with RID rid; members are added with member(). */
static void group(struct sbuf *sb, const char *name, unsigned rid)
{
	sbuf_addf(sb,
		  "dn: CN=%s," BASE "\n"
		  "objectClass: top\nobjectClass: group\n"
		  "cn: %s\nsAMAccountName: %s\nobjectSid: " DOM "-%u\n\n",
		  name, name, name, rid);
}

/* Add "member: dn" to the group whose objectSid is sid (anywhere in sb). */
static void member(struct sbuf *sb, const char *sid, const char *dn)
{
	struct sbuf line = SBUF_INIT, out = SBUF_INIT;
	const char *at;
	size_t off;

	sbuf_addf(&line, "objectSid: %s\n", sid);
	at = strstr(sb->buf, line.buf);
	cr_assert_not_null(at, "no group with SID %s", sid);
	off = (size_t)(at - sb->buf) + line.len;
	sbuf_add(&out, sb->buf, off);
	sbuf_addf(&out, "member: %s\n", dn);
	sbuf_adds(&out, sb->buf + off);
	sbuf_release(sb);
	*sb = out;
	sbuf_release(&line);
}

/* member() with a user or group CN=name,BASE as the member. */
static void member_of(struct sbuf *sb, const char *group_sid, const char *name)
{
	char dn[256];

	snprintf(dn, sizeof(dn), "CN=%s," BASE, name);
	member(sb, group_sid, dn);
}

static struct fixture *run(struct sbuf *sb, const char *policy)
{
	struct fixture *fx = fixture_run(sb->buf, policy, NOW);

	sbuf_release(sb);
	return fx;
}

static const struct group *grp(const struct fixture *fx, const char *name)
{
	const struct dir_obj *o = dir_find_name(&fx->dir, name);

	cr_assert_not_null(o, "no group %s", name);
	cr_assert_eq(o->kind, OBJ_GROUP, "%s is not a group", name);
	return (const struct group *)o;
}

/* Whether account sam is transitively in group name (which must be a target). */
static bool in_group(const struct fixture *fx, const char *sam, const char *name)
{
	const struct group *g = grp(fx, name);

	cr_assert_geq(g->target, 0, "%s is not a resolution target", name);
	return dir_in_target(&fx->dir, fixture_account(fx, sam), (size_t)g->target);
}

#define ACC(fx, sam) fixture_account((fx), (sam))

/* ---- enabled ------------------------------------------------------------ */

Test(resolve, enabled_from_disabled_bit_and_account_expires)
{
	struct sbuf sb;
	struct fixture *fx;
	char more[7][128];

	snprintf(more[0], sizeof(more[0]), "accountExpires: %s", fixture_filetime_days_ago(NOW, 1));
	snprintf(more[1], sizeof(more[1]), "accountExpires: %s", fixture_filetime(NOW));
	snprintf(more[2], sizeof(more[2]), "accountExpires: %s",
		 fixture_filetime("2026-01-01T00:00:01Z"));
	snprintf(more[3], sizeof(more[3]), "accountExpires: 0");
	snprintf(more[4], sizeof(more[4]), "accountExpires: 9223372036854775807");
	start(&sb);
	user(&sb, "active", 2100, 512, NULL);
	user(&sb, "disabled", 2101, 514, NULL);
	user(&sb, "expired", 2102, 512, more[0]);
	user(&sb, "expires-now", 2103, 512, more[1]);
	user(&sb, "expires-soon", 2104, 512, more[2]);
	user(&sb, "never0", 2105, 512, more[3]);
	user(&sb, "nevermax", 2106, 512, more[4]);
	user(&sb, "disabled-future", 2107, 514 | 0x10000, more[2]);
	fx = run(&sb, NULL);
	cr_expect(ACC(fx, "active")->enabled);
	cr_expect_not(ACC(fx, "disabled")->enabled);
	cr_expect_not(ACC(fx, "expired")->enabled);
	cr_expect_not(ACC(fx, "expires-now")->enabled, "accountExpires == now is past");
	cr_expect(ACC(fx, "expires-soon")->enabled);
	cr_expect(ACC(fx, "never0")->enabled);
	cr_expect(ACC(fx, "nevermax")->enabled);
	cr_expect_not(ACC(fx, "disabled-future")->enabled);
	fixture_free(fx);
}

/* ---- last logon --------------------------------------------------------- */

Test(resolve, last_logon_is_the_newest_of_both_attributes)
{
	struct sbuf sb, m = SBUF_INIT;
	struct fixture *fx;

	start(&sb);
	sbuf_addf(&m, "lastLogon: %s\nlastLogonTimestamp: %s", fixture_filetime("2025-12-01"),
		  fixture_filetime("2025-12-10"));
	user(&sb, "ts-newer", 2100, 512, m.buf);
	sbuf_reset(&m);
	sbuf_addf(&m, "lastLogon: %s\nlastLogonTimestamp: %s", fixture_filetime("2025-12-20"),
		  fixture_filetime("2025-12-10"));
	user(&sb, "ll-newer", 2101, 512, m.buf);
	user(&sb, "never", 2102, 512, NULL);
	user(&sb, "zeros", 2103, 512, "lastLogon: 0\nlastLogonTimestamp: 0");
	sbuf_reset(&m);
	sbuf_addf(&m, "lastLogon: 0\nlastLogonTimestamp: %s", fixture_filetime("2025-12-10"));
	user(&sb, "ll-zero", 2104, 512, m.buf);
	sbuf_reset(&m);
	sbuf_addf(&m, "lastLogon: %s", fixture_filetime("2025-11-11"));
	user(&sb, "ll-only", 2105, 512, m.buf);
	sbuf_release(&m);
	fx = run(&sb, NULL);
	cr_expect_eq(ACC(fx, "ts-newer")->last_logon_eff, time_from_civil(2025, 12, 10, 0, 0, 0));
	cr_expect_eq(ACC(fx, "ll-newer")->last_logon_eff, time_from_civil(2025, 12, 20, 0, 0, 0));
	cr_expect_eq(ACC(fx, "never")->last_logon_eff, TIME_NEVER);
	cr_expect_eq(ACC(fx, "zeros")->last_logon_eff, TIME_NEVER);
	cr_expect_eq(ACC(fx, "ll-zero")->last_logon_eff, time_from_civil(2025, 12, 10, 0, 0, 0));
	cr_expect_eq(ACC(fx, "ll-only")->last_logon_eff, time_from_civil(2025, 11, 11, 0, 0, 0));
	cr_assert_eq(fx->dir.nlast_logon_sources, 2);
	cr_expect_str_eq(fx->dir.last_logon_sources[0], "lastLogonTimestamp");
	cr_expect_str_eq(fx->dir.last_logon_sources[1], "lastLogon");
	fixture_free(fx);
}

Test(resolve, last_logon_sources_name_only_what_was_read)
{
	struct sbuf sb, m = SBUF_INIT;
	struct fixture *fx;

	start(&sb);
	sbuf_addf(&m, "lastLogonTimestamp: %s", fixture_filetime("2025-12-10"));
	user(&sb, "a", 2100, 512, m.buf);
	sbuf_release(&m);
	fx = run(&sb, NULL);
	cr_assert_eq(fx->dir.nlast_logon_sources, 1);
	cr_expect_str_eq(fx->dir.last_logon_sources[0], "lastLogonTimestamp");
	fixture_free(fx);
}

/* ---- roles -------------------------------------------------------------- */

Test(resolve, well_known_rids_only_in_the_domain)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	user(&sb, "Administrator", 500, 512, NULL);
	user(&sb, "Guest", 501, 514, NULL);
	user(&sb, "krbtgt", 502, 514, "servicePrincipalName: kadmin/changepw");
	user_sid(&sb, "other-admin", "S-1-5-21-9-9-9-500", 512, NULL);
	user_sid(&sb, "other-krbtgt", "S-1-5-21-9-9-9-502", 514, NULL);
	user_sid(&sb, "sub-admin", DOM "-7-500", 512, NULL);
	user(&sb, "alice", 2100, 512, NULL);
	fx = run(&sb, NULL);
	cr_expect_eq(ACC(fx, "Administrator")->roles, ROLE_BUILTIN_ADMIN);
	cr_expect_eq(ACC(fx, "Guest")->roles, ROLE_GUEST);
	cr_expect_eq(ACC(fx, "krbtgt")->roles, ROLE_KRBTGT, "krbtgt with an SPN is no service account");
	cr_expect_eq(ACC(fx, "other-admin")->roles, 0u);
	cr_expect_eq(ACC(fx, "other-krbtgt")->roles, 0u);
	cr_expect_eq(ACC(fx, "sub-admin")->roles, 0u, "S-1-5-21-1-2-3-7-500 is not RID 500 of the domain");
	cr_expect_eq(ACC(fx, "alice")->roles, 0u);
	cr_expect(account_is_user(ACC(fx, "Administrator")));
	cr_expect(account_is_user(ACC(fx, "Guest")));
	cr_expect_not(account_is_user(ACC(fx, "krbtgt")));
	cr_expect(account_is_human(ACC(fx, "alice")));
	fixture_free(fx);
}

Test(resolve, domain_controllers_by_uac)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	computer(&sb, "DC1", 1000, 0x82000, "primaryGroupID: 516");
	computer(&sb, "RODC1", 1001, 0x04001000, "primaryGroupID: 521");
	computer(&sb, "WS1", 1002, 0x1000, "primaryGroupID: 515");
	gmsa(&sb, "gmsa-web", 2003, NULL);
	fx = run(&sb, NULL);
	cr_expect_eq(ACC(fx, "DC1$")->roles, ROLE_DC);
	cr_expect(account_is_dc(ACC(fx, "DC1$")));
	cr_expect_eq(ACC(fx, "RODC1$")->roles, ROLE_RODC);
	cr_expect(account_is_dc(ACC(fx, "RODC1$")));
	cr_expect_eq(ACC(fx, "WS1$")->roles, 0u);
	cr_expect_not(account_is_dc(ACC(fx, "WS1$")));
	cr_expect_not(account_is_user(ACC(fx, "WS1$")));
	cr_expect_not(account_is_user(ACC(fx, "gmsa-web$")));
	cr_expect_not(account_is_human(ACC(fx, "gmsa-web$")));
	fixture_free(fx);
}

/* ---- service accounts --------------------------------------------------- */

Test(resolve, service_account_by_spn_on_users_only)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	user(&sb, "websvc", 2100, 512, "servicePrincipalName: HTTP/web1.corp.example.test");
	user(&sb, "alice", 2101, 512, NULL);
	computer(&sb, "WS1", 2102, 0x1000, "servicePrincipalName: HOST/ws1");
	gmsa(&sb, "gmsa-sql", 1103, "servicePrincipalName: MSSQLSvc/sql1:1433");
	fx = run(&sb, NULL);
	cr_expect(ACC(fx, "websvc")->roles & ROLE_SERVICE);
	cr_expect(account_is_user(ACC(fx, "websvc")));
	cr_expect_not(account_is_human(ACC(fx, "websvc")));
	cr_expect_not(ACC(fx, "alice")->roles & ROLE_SERVICE);
	cr_expect_not(ACC(fx, "WS1$")->roles & ROLE_SERVICE);
	cr_expect_not(ACC(fx, "gmsa-sql$")->roles & ROLE_SERVICE);
	fixture_free(fx);
}

Test(resolve, service_account_by_policy_name_pattern)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	user(&sb, "svc-backup", 2100, 512, NULL);
	user(&sb, "SVC-Web", 2101, 512, NULL);
	user(&sb, "mysvc-x", 2102, 512, NULL);
	user(&sb, "svc", 2103, 512, NULL);
	computer(&sb, "svc-box", 2104, 0x1000, NULL);
	fx = run(&sb, "{\"service_accounts\": {\"name_patterns\": [\"svc-*\"]}}");
	cr_expect(ACC(fx, "svc-backup")->roles & ROLE_SERVICE);
	cr_expect(ACC(fx, "SVC-Web")->roles & ROLE_SERVICE, "patterns are case-insensitive");
	cr_expect_not(ACC(fx, "mysvc-x")->roles & ROLE_SERVICE);
	cr_expect_not(ACC(fx, "svc")->roles & ROLE_SERVICE);
	cr_expect_not(ACC(fx, "svc-box$")->roles & ROLE_SERVICE, "computers are not service accounts");
	fixture_free(fx);
}

Test(resolve, service_account_by_policy_ou)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	sbuf_adds(&sb, "dn: OU=Service Accounts,DC=corp,DC=example,DC=test\n"
		       "objectClass: organizationalUnit\n\n");
	user_at(&sb, "CN=app1,OU=Service Accounts", "app1", 1100);
	user_at(&sb, "CN=app2,OU=Batch,OU=Service Accounts", "app2", 1101);
	user_at(&sb, "CN=app3,OU=Other Service Accounts", "app3", 1102);
	user(&sb, "alice", 2103, 512, NULL);
	fx = run(&sb, "{\"service_accounts\": {\"ous\": "
		      "[\"ou=service accounts, dc=CORP,dc=example, dc=test\"]}}");
	cr_expect(ACC(fx, "app1")->roles & ROLE_SERVICE);
	cr_expect(ACC(fx, "app2")->roles & ROLE_SERVICE, "a sub-OU is under the OU");
	cr_expect_not(ACC(fx, "app3")->roles & ROLE_SERVICE, "a name ending alike is not under it");
	cr_expect_not(ACC(fx, "alice")->roles & ROLE_SERVICE);
	fixture_free(fx);
}

Test(resolve, service_account_by_any_of_several_policy_ous)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	user_at(&sb, "CN=app1,OU=Batch", "app1", 1100);
	user_at(&sb, "CN=app2 , OU=Web", "app2", 1101);
	user_at(&sb, "CN=app3,OU=x\\,OU=Web", "app3", 1102);
	user(&sb, "alice", 2103, 512, NULL);
	fx = run(&sb, "{\"service_accounts\": {\"ous\": [\"OU=Nowhere,DC=corp,DC=example,DC=test\", "
		      "\"OU=Web,DC=corp,DC=example,DC=test\", \"ou=batch,dc=corp,dc=example,dc=test\"]}}");
	cr_expect(ACC(fx, "app1")->roles & ROLE_SERVICE, "under the last OU");
	cr_expect(ACC(fx, "app2")->roles & ROLE_SERVICE, "under the second, its DN spaced");
	cr_expect_not(ACC(fx, "app3")->roles & ROLE_SERVICE, "an escaped comma is no separator");
	cr_expect_not(ACC(fx, "alice")->roles & ROLE_SERVICE);
	fixture_free(fx);
}

/*
 * An OU of service_accounts.ous is found by the accounts and groups under
 * it (an export need not hold OUs, and the directory keeps none); one
 * that holds none (a typo, or an OU emptied) leaves the classification
 * unresolved, naming the first such OU.
 */
Test(resolve, service_ous_are_found_by_what_they_hold)
{
	static const struct {
		const char *ous, *unresolved;
	} cases[] = {
		{ "\"OU=Empty,DC=corp,DC=example,DC=test\"",
		  "OU \"OU=Empty,DC=corp,DC=example,DC=test\"" },
		{ "\"OU=Service Accounts,DC=corp,DC=example,DC=test\"", NULL },
		{ "\"ou=batch, OU=service accounts,dc=CORP,DC=example,DC=test\"", NULL },
		{ "\"OU=Groups Only,DC=corp,DC=example,DC=test\"", NULL },
		{ "\" \"", NULL },
		{ "\"DC=corp,DC=example,DC=test\"", NULL },
		{ "\"OU=Service Account,DC=corp,DC=example,DC=test\"",
		  "OU \"OU=Service Account,DC=corp,DC=example,DC=test\"" },
		{ "\"OU=Accounts,DC=corp,DC=example,DC=test\"",
		  "OU \"OU=Accounts,DC=corp,DC=example,DC=test\"" },
		/* "CN=odd\\,OU=Ghost,...": an escaped comma separates nothing */
		{ "\"OU=Ghost,DC=corp,DC=example,DC=test\"",
		  "OU \"OU=Ghost,DC=corp,DC=example,DC=test\"" },
		{ "\"OU=Groups Only,DC=corp,DC=example,DC=test\", \"OU=Nowhere,DC=corp,DC=example,DC=test\", "
		  "\"OU=Elsewhere,DC=corp,DC=example,DC=test\"",
		  "OU \"OU=Nowhere,DC=corp,DC=example,DC=test\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct sbuf sb, policy = SBUF_INIT;
		struct fixture *fx;

		start(&sb);
		sbuf_adds(&sb, "dn: OU=Empty,DC=corp,DC=example,DC=test\n"
			       "objectClass: organizationalUnit\n\n");
		user_at(&sb, "CN=app1,OU=Service Accounts", "app1", 1100);
		user_at(&sb, "CN=app2,OU=Batch,OU=Service Accounts", "app2", 1101);
		user_at(&sb, "CN=odd\\,OU=Ghost", "odd", 1103);
		sbuf_adds(&sb, "dn: CN=web,OU=Groups Only,DC=corp,DC=example,DC=test\n"
			       "objectClass: group\nsAMAccountName: web\n"
			       "objectSid: " DOM "-1102\n\n");
		sbuf_addf(&policy, "{\"service_accounts\": {\"ous\": [%s]}}", cases[i].ous);
		fx = run(&sb, policy.buf);
		if (!cases[i].unresolved) {
			cr_expect_null(fx->dir.unresolved_service, "%s: %s", cases[i].ous,
				       fx->dir.unresolved_service);
		} else {
			cr_assert_not_null(fx->dir.unresolved_service, "%s", cases[i].ous);
			cr_expect_not_null(strstr(fx->dir.unresolved_service, cases[i].unresolved),
					   "%s", fx->dir.unresolved_service);
			cr_expect_not_null(strstr(fx->dir.unresolved_service,
						  "named in service_accounts.ous holds no account or group"),
					   "%s", fx->dir.unresolved_service);
		}
		fixture_free(fx);
		sbuf_release(&policy);
	}
}

/* ---- privileged --------------------------------------------------------- */

Test(resolve, privileged_direct_member_of_domain_admins)
{
	struct sbuf sb;
	struct fixture *fx;
	const struct account *a;

	start(&sb);
	user(&sb, "alice", 2100, 512, NULL);
	user(&sb, "bob", 2101, 512, NULL);
	member_of(&sb, DOM "-512", "alice");
	fx = run(&sb, NULL);
	a = ACC(fx, "alice");
	cr_expect(a->privileged);
	cr_expect_str_eq(a->priv_path, "alice -> Domain Admins");
	cr_expect_not(a->priv_nested);
	cr_expect(in_group(fx, "alice", "Administrators"), "Administrators holds Domain Admins");
	cr_expect_not(ACC(fx, "bob")->privileged);
	cr_expect_null(ACC(fx, "bob")->priv_path);
	cr_expect(grp(fx, "Domain Admins")->privileged);
	cr_expect_eq(grp(fx, "Domain Admins")->priv_dist, 0);
	fixture_free(fx);
}

Test(resolve, privileged_through_nested_groups)
{
	struct sbuf sb;
	struct fixture *fx;
	const struct account *a;

	start(&sb);
	group(&sb, "IT-Admins", 1200);
	group(&sb, "Helpdesk", 1201);
	user(&sb, "alice", 2100, 512, NULL);
	user(&sb, "hd", 2101, 512, NULL);
	member_of(&sb, DOM "-512", "IT-Admins");
	member_of(&sb, DOM "-1200", "alice");
	member_of(&sb, DOM "-1200", "Helpdesk");
	member_of(&sb, DOM "-1201", "hd");
	fx = run(&sb, NULL);
	a = ACC(fx, "alice");
	cr_expect(a->privileged);
	cr_expect_str_eq(a->priv_path, "alice -> IT-Admins -> Domain Admins");
	cr_expect(a->priv_nested);
	a = ACC(fx, "hd");
	cr_expect(a->privileged);
	cr_expect_str_eq(a->priv_path, "hd -> Helpdesk -> IT-Admins -> Domain Admins");
	cr_expect(a->priv_nested);
	cr_expect_not(grp(fx, "IT-Admins")->privileged);
	cr_expect_eq(grp(fx, "IT-Admins")->priv_dist, 1);
	cr_expect_eq(grp(fx, "Helpdesk")->priv_dist, 2);
	fixture_free(fx);
}

/*
 * dir.privileged: the privileged accounts and no other, in the order of
 * dir.accounts, though classification splits the accounts between two
 * threads (here 4 and 4) and each collects its own.
 */
Test(resolve, privileged_list_in_account_order)
{
	static const char *const sams[] = { "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7" };
	static const bool admin[] = { true, false, true, false, false, true, true, false };
	struct sbuf sb;
	struct fixture *fx;
	size_t k = 0;

	start(&sb);
	group(&sb, "IT-Admins", 1200);
	member_of(&sb, DOM "-512", "IT-Admins");
	for (unsigned i = 0; i < 8; i++) {
		user(&sb, sams[i], 2100 + i, 512, NULL);
		/* directly and through a nested group in turn */
		if (admin[i])
			member_of(&sb, i % 2 ? DOM "-1200" : DOM "-512", sams[i]);
	}
	fx = run(&sb, NULL);
	cr_assert_eq(fx->dir.naccounts, 8);
	cr_assert_eq(fx->dir.nprivileged, 4);
	for (size_t i = 0; i < fx->dir.naccounts; i++) {
		const struct account *a = fx->dir.accounts[i];

		cr_expect_eq(a->privileged, admin[i], "%s", a->h.sam);
		if (a->privileged)
			cr_expect_eq(fx->dir.privileged[k++], a, "%s out of place", a->h.sam);
	}
	fixture_free(fx);
}

Test(resolve, privileged_by_primary_group_without_member_attribute)
{
	struct sbuf sb;
	struct fixture *fx;
	const struct account *a;

	start(&sb);
	user(&sb, "carol", 2100, 512, "primaryGroupID: 512");
	user(&sb, "dave", 2101, 512, "primaryGroupID: 513");
	fx = run(&sb, NULL);
	a = ACC(fx, "carol");
	cr_expect(a->privileged);
	cr_expect_str_eq(a->priv_path, "carol -> Domain Admins");
	cr_expect_not(a->priv_nested, "the primary group is a direct membership");
	cr_expect_not(ACC(fx, "dave")->privileged);
	fixture_free(fx);
}

Test(resolve, primary_group_of_a_nested_privileged_group)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	group(&sb, "Ops", 1200);
	member(&sb, "S-1-5-32-544", "CN=Ops," BASE);
	user(&sb, "erin", 2100, 512, "primaryGroupID: 1200");
	fx = run(&sb, NULL);
	/* Ops is in CN=Users here, and Administrators holds it by DN */
	cr_expect(ACC(fx, "erin")->privileged);
	cr_expect_str_eq(ACC(fx, "erin")->priv_path, "erin -> Ops -> Administrators");
	cr_expect(ACC(fx, "erin")->priv_nested);
	fixture_free(fx);
}

/* Direct groups: each once, in the order of the groups, the primary group last. */
Test(resolve, direct_groups_once_in_order_primary_last)
{
	struct sbuf sb;
	struct fixture *fx;
	const struct account *a;
	const struct group *ga;

	start(&sb);
	group(&sb, "GA", 1200);
	group(&sb, "GB", 1201);
	group(&sb, "GC", 1202);
	user(&sb, "fred", 2100, 512, "primaryGroupID: 1202");
	member_of(&sb, DOM "-1200", "fred");
	member_of(&sb, DOM "-1200", "fred");
	member_of(&sb, DOM "-1201", "fred");
	member_of(&sb, DOM "-1202", "GA");
	member_of(&sb, DOM "-1202", "GA");
	fx = run(&sb, NULL);
	a = ACC(fx, "fred");
	cr_assert_eq(a->h.nparents, 3);
	cr_expect_str_eq(fx->dir.groups[a->h.parents[0]]->h.sam, "GA");
	cr_expect_str_eq(fx->dir.groups[a->h.parents[1]]->h.sam, "GB");
	cr_expect_str_eq(fx->dir.groups[a->h.parents[2]]->h.sam, "GC", "the primary group comes last");
	ga = grp(fx, "GA");
	cr_assert_eq(ga->h.nparents, 1, "a group listed twice is one parent");
	cr_expect_str_eq(fx->dir.groups[ga->h.parents[0]]->h.sam, "GC");
	cr_expect_eq(grp(fx, "GB")->h.nparents, 0);
	fixture_free(fx);
}

/* Members before, or after, their groups: the same memberships either way. */
static struct fixture *run_in_order(bool groups_first)
{
	struct sbuf sb;

	start(&sb);
	if (groups_first) {
		group(&sb, "GA", 1200);
		group(&sb, "GB", 1201);
	}
	user(&sb, "Smith\\, John", 2100, 512, NULL);
	user(&sb, "back\\\\", 2101, 512, NULL);
	user(&sb, "carol", 2102, 512, NULL);
	if (!groups_first) {
		group(&sb, "GA", 1200);
		group(&sb, "GB", 1201);
	}
	member_of(&sb, DOM "-1200", "Smith\\, John");
	member_of(&sb, DOM "-1200", "back\\\\");
	member_of(&sb, DOM "-1201", "carol");
	member_of(&sb, DOM "-1201", "nobody");
	member_of(&sb, DOM "-512", "GA");
	return run(&sb, NULL);
}

Test(resolve, members_read_before_or_after_their_groups)
{
	struct fixture *first = run_in_order(true), *last = run_in_order(false);
	static const char *const sams[] = { "Smith\\, John", "back\\\\", "carol" };

	for (size_t i = 0; i < 3; i++) {
		const struct account *a = ACC(first, sams[i]), *b = ACC(last, sams[i]);

		cr_expect_eq(a->h.nparents, 1, "%s", sams[i]);
		cr_expect_eq(b->h.nparents, 1, "%s", sams[i]);
		cr_expect_eq(a->privileged, i < 2, "%s", sams[i]);
		cr_expect_eq(b->privileged, a->privileged, "%s", sams[i]);
		if (a->privileged) {
			cr_expect_str_eq(a->priv_path, b->priv_path);
			cr_expect_eq(strstr(a->priv_path, " -> GA -> Domain Admins") != NULL, true,
				     "%s", a->priv_path);
		}
	}
	fixture_free(first);
	fixture_free(last);
}

Test(resolve, membership_cycle_is_resolved)
{
	struct sbuf sb;
	struct fixture *fx;
	const struct account *a;

	start(&sb);
	group(&sb, "A", 1200);
	group(&sb, "B", 1201);
	group(&sb, "C", 1202);
	member_of(&sb, DOM "-1201", "A");    /* A in B */
	member_of(&sb, DOM "-1200", "B");    /* B in A */
	member_of(&sb, DOM "-512", "B");     /* B in Domain Admins */
	member_of(&sb, DOM "-1202", "C");    /* C in itself */
	user(&sb, "dave", 2100, 512, NULL);
	user(&sb, "eve", 2101, 512, NULL);
	member_of(&sb, DOM "-1200", "dave");
	member_of(&sb, DOM "-1202", "eve");
	fx = run(&sb, NULL);
	a = ACC(fx, "dave");
	cr_expect(a->privileged);
	cr_expect_str_eq(a->priv_path, "dave -> A -> B -> Domain Admins");
	cr_expect(a->priv_nested);
	cr_expect_not(ACC(fx, "eve")->privileged);
	fixture_free(fx);
}

Test(resolve, privileged_through_builtin_administrators)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	user(&sb, "bo", 2100, 512, NULL);
	member(&sb, "S-1-5-32-544", "CN=bo," BASE);
	fx = run(&sb, NULL);
	cr_expect(ACC(fx, "bo")->privileged);
	cr_expect_str_eq(ACC(fx, "bo")->priv_path, "bo -> Administrators");
	cr_expect_not(ACC(fx, "bo")->priv_nested);
	fixture_free(fx);
}

Test(resolve, every_well_known_privileged_group)
{
	static const struct {
		const char *sid, *name;
	} groups[] = {
		{ "S-1-5-32-548", "Account Operators" },
		{ "S-1-5-32-549", "Server Operators" },
		{ "S-1-5-32-550", "Print Operators" },
		{ "S-1-5-32-551", "Backup Operators" },
		{ DOM "-518", "Schema Admins" },
		{ DOM "-519", "Enterprise Admins" },
		{ DOM "-520", "Group Policy Creator Owners" },
		{ DOM "-526", "Key Admins" },
		{ DOM "-527", "Enterprise Key Admins" },
		{ DOM "-1101", "DnsAdmins" },
	};
	const size_t n = sizeof(groups) / sizeof(groups[0]);
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	for (size_t i = 0; i < n; i++) {
		char sam[16], dn[64];

		snprintf(sam, sizeof(sam), "u%zu", i);
		snprintf(dn, sizeof(dn), "CN=%s," BASE, sam);
		user(&sb, sam, 1200 + (unsigned)i, 512, NULL);
		member(&sb, groups[i].sid, dn);
	}
	fx = run(&sb, NULL);
	for (size_t i = 0; i < n; i++) {
		char sam[16], path[96];
		const struct account *a;

		snprintf(sam, sizeof(sam), "u%zu", i);
		snprintf(path, sizeof(path), "%s -> %s", sam, groups[i].name);
		a = ACC(fx, sam);
		cr_expect(a->privileged, "member of %s", groups[i].name);
		cr_expect_str_eq(a->priv_path, path);
	}
	fixture_free(fx);
}

Test(resolve, unprivileged_groups_and_other_domains)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	/* a Domain Admins of another domain (e.g. from a trust) */
	sbuf_adds(&sb, "dn: CN=Foreign DA,DC=corp,DC=example,DC=test\nobjectClass: group\n"
		       "sAMAccountName: Foreign DA\nobjectSid: S-1-5-21-9-9-9-512\n\n");
	user(&sb, "pu", 2100, 512, NULL);
	user(&sb, "du", 2101, 512, "primaryGroupID: 513");
	user(&sb, "fu", 2102, 512, NULL);
	user(&sb, "gu", 2103, 512, NULL);
	member_of(&sb, DOM "-525", "pu");
	member(&sb, "S-1-5-21-9-9-9-512", "CN=fu," BASE);
	member_of(&sb, DOM "-514", "gu");
	fx = run(&sb, NULL);
	cr_expect_not(ACC(fx, "pu")->privileged, "Protected Users is not privileged");
	cr_expect_not(ACC(fx, "du")->privileged, "Domain Users is not privileged");
	cr_expect_not(ACC(fx, "fu")->privileged, "RID 512 of another domain");
	cr_expect_not(ACC(fx, "gu")->privileged);
	fixture_free(fx);
}

Test(resolve, dns_admins_is_found_by_name)
{
	struct sbuf sb;
	struct fixture *fx;

	/* a directory whose DnsAdmins has another RID than the fixture's */
	sbuf_init(&sb);
	sbuf_adds(&sb, "dn: DC=corp,DC=example,DC=test\nobjectClass: domainDNS\n"
		       "objectSid: " DOM "\n\n"
		       "dn: CN=DnsAdmins," BASE "\nobjectClass: group\nsAMAccountName: DnsAdmins\n"
		       "objectSid: " DOM "-4321\nmember: CN=dns-op," BASE "\n\n");
	user(&sb, "dns-op", 2100, 512, NULL);
	fx = run(&sb, NULL);
	cr_expect(ACC(fx, "dns-op")->privileged);
	cr_expect_str_eq(ACC(fx, "dns-op")->priv_path, "dns-op -> DnsAdmins");
	fixture_free(fx);
}

static void extra_group_case(const char *policy)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	sbuf_adds(&sb, "dn: CN=IT-Admins,OU=Groups,DC=corp,DC=example,DC=test\nobjectClass: group\n"
		       "sAMAccountName: IT-Admins\nobjectSid: " DOM "-1200\n\n");
	user(&sb, "erin", 2100, 512, NULL);
	user(&sb, "frank", 2101, 512, NULL);
	member(&sb, DOM "-1200", "CN=erin," BASE);
	fx = run(&sb, policy);
	cr_expect(ACC(fx, "erin")->privileged, "policy %s", policy);
	cr_expect_str_eq(ACC(fx, "erin")->priv_path, "erin -> IT-Admins");
	cr_expect_not(ACC(fx, "erin")->priv_nested, "an extra group is a privileged group itself");
	cr_expect_not(ACC(fx, "frank")->privileged);
	cr_expect(grp(fx, "IT-Admins")->privileged);
	fixture_free(fx);
}

Test(resolve, policy_extra_group_by_name)
{
	extra_group_case("{\"privileged\": {\"extra_groups\": [\"it-admins\"]}}");
}

Test(resolve, policy_extra_group_by_dn)
{
	extra_group_case("{\"privileged\": {\"extra_groups\": "
			 "[\"cn=IT-Admins, ou=groups, dc=corp, dc=example, dc=test\"]}}");
}

Test(resolve, policy_extra_group_by_sid)
{
	extra_group_case("{\"privileged\": {\"extra_groups\": [\"S-1-5-21-1-2-3-1200\"]}}");
}

Test(resolve, shortest_path_is_kept)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	group(&sb, "Long1", 1200);
	group(&sb, "Long2", 1201);
	group(&sb, "Short", 1202);
	member_of(&sb, DOM "-512", "Long2");
	member_of(&sb, DOM "-1201", "Long1");
	member_of(&sb, DOM "-519", "Short");
	user(&sb, "alice", 2100, 512, NULL);
	member_of(&sb, DOM "-1200", "alice");
	member_of(&sb, DOM "-1202", "alice");
	fx = run(&sb, NULL);
	cr_expect_str_eq(ACC(fx, "alice")->priv_path, "alice -> Short -> Enterprise Admins");
	cr_expect(ACC(fx, "alice")->priv_nested);
	fixture_free(fx);
}

Test(resolve, shortest_path_ties_break_by_name)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	group(&sb, "Zeta", 1200);
	group(&sb, "alpha", 1201);
	member_of(&sb, DOM "-512", "Zeta");
	member_of(&sb, DOM "-512", "alpha");
	user(&sb, "alice", 2100, 512, NULL);
	member_of(&sb, DOM "-1200", "alice");
	member_of(&sb, DOM "-1201", "alice");
	fx = run(&sb, NULL);
	cr_expect_str_eq(ACC(fx, "alice")->priv_path, "alice -> alpha -> Domain Admins");
	fixture_free(fx);
}

Test(resolve, nested_only_without_any_direct_membership)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	group(&sb, "IT-Admins", 1200);
	member_of(&sb, DOM "-512", "IT-Admins");
	user(&sb, "both", 2100, 512, NULL);
	user(&sb, "prim", 2101, 512, "primaryGroupID: 551");
	member_of(&sb, DOM "-1200", "both");
	member(&sb, "S-1-5-32-551", "CN=both," BASE);
	member_of(&sb, DOM "-1200", "prim");
	fx = run(&sb, NULL);
	cr_expect_not(ACC(fx, "both")->priv_nested, "also a direct member of Backup Operators");
	cr_expect_str_eq(ACC(fx, "both")->priv_path, "both -> Backup Operators");
	/* primaryGroupID 551 is not a domain RID: S-1-5-21-1-2-3-551 does not exist */
	cr_expect(ACC(fx, "prim")->priv_nested);
	fixture_free(fx);
}

/* ---- VPN ---------------------------------------------------------------- */

Test(resolve, vpn_by_dialin_attribute)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	user(&sb, "allow", 2100, 512, "msNPAllowDialin: TRUE");
	user(&sb, "deny", 2101, 512, "msNPAllowDialin: FALSE");
	user(&sb, "unset", 2102, 512, NULL);
	fx = run(&sb, NULL);
	cr_expect(ACC(fx, "allow")->vpn);
	cr_expect_not(ACC(fx, "deny")->vpn);
	cr_expect_not(ACC(fx, "unset")->vpn);
	fixture_free(fx);

	start(&sb);
	user(&sb, "allow", 2100, 512, "msNPAllowDialin: TRUE");
	fx = run(&sb, "{\"vpn\": {\"dialin_attribute\": false}}");
	cr_expect_not(ACC(fx, "allow")->vpn, "dialin_attribute false ignores TRUE");
	fixture_free(fx);
}

Test(resolve, vpn_by_group_and_explicit_deny)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	group(&sb, "VPN-Users", 1200);
	group(&sb, "Remote", 1201);
	member_of(&sb, DOM "-1200", "Remote");
	user(&sb, "direct", 2100, 512, NULL);
	user(&sb, "nested", 2101, 512, NULL);
	user(&sb, "denied", 2102, 512, "msNPAllowDialin: FALSE");
	user(&sb, "outside", 2103, 512, NULL);
	user(&sb, "dialin", 2104, 512, "msNPAllowDialin: TRUE");
	user(&sb, "prim", 2105, 512, "primaryGroupID: 1201");
	member_of(&sb, DOM "-1200", "direct");
	member_of(&sb, DOM "-1201", "nested");
	member_of(&sb, DOM "-1200", "denied");
	fx = run(&sb, "{\"vpn\": {\"groups\": [\"VPN-Users\"], \"dialin_attribute\": false}}");
	cr_expect(ACC(fx, "direct")->vpn);
	cr_expect(ACC(fx, "nested")->vpn);
	cr_expect(ACC(fx, "prim")->vpn, "the primary group counts");
	cr_expect_not(ACC(fx, "denied")->vpn, "FALSE wins over the group");
	cr_expect_not(ACC(fx, "outside")->vpn);
	cr_expect_not(ACC(fx, "dialin")->vpn);
	fixture_free(fx);
}

/* ---- MFA ---------------------------------------------------------------- */

Test(resolve, mfa_by_group_nested)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	group(&sb, "MFA-Enrolled", 1200);
	group(&sb, "Duo", 1201);
	member_of(&sb, DOM "-1200", "Duo");
	user(&sb, "a", 2100, 512, NULL);
	user(&sb, "b", 2101, 512, NULL);
	member_of(&sb, DOM "-1201", "a");
	fx = run(&sb, "{\"mfa\": {\"groups\": [\"mfa-enrolled\"]}}");
	cr_expect_eq(ACC(fx, "a")->mfa_sources, MFA_SRC_GROUP);
	cr_expect_eq(ACC(fx, "b")->mfa_sources, 0u);
	fixture_free(fx);
}

Test(resolve, mfa_by_smartcard_only_when_required)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	user(&sb, "card", 2100, 512 | 0x40000, NULL);
	user(&sb, "nocard", 2101, 512, NULL);
	fx = run(&sb, NULL);
	cr_expect_eq(ACC(fx, "card")->mfa_sources, MFA_SRC_SMARTCARD);
	cr_expect_eq(ACC(fx, "nocard")->mfa_sources, 0u);
	fixture_free(fx);

	start(&sb);
	user(&sb, "card", 2100, 512 | 0x40000, NULL);
	fx = run(&sb, "{\"mfa\": {\"smartcard_required\": false}}");
	cr_expect_eq(ACC(fx, "card")->mfa_sources, 0u);
	fixture_free(fx);
}

Test(resolve, mfa_by_attribute_case_insensitive)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	user(&sb, "upper", 2100, 512, "extensionAttribute7: MFA");
	user(&sb, "duo", 2101, 512, "extensionattribute7: duo");
	user(&sb, "other", 2102, 512, "extensionAttribute7: none");
	user(&sb, "absent", 2103, 512, NULL);
	user(&sb, "multi", 2104, 512, "extensionAttribute7: none\nextensionAttribute7: Mfa");
	user(&sb, "prefix", 2105, 512, "extensionAttribute7: mfa-pending");
	fx = run(&sb, "{\"mfa\": {\"attribute\": {\"name\": \"extensionAttribute7\", "
		      "\"values\": [\"mfa\", \"Duo\"]}}}");
	cr_expect_eq(ACC(fx, "upper")->mfa_sources, MFA_SRC_ATTRIBUTE);
	cr_expect_eq(ACC(fx, "duo")->mfa_sources, MFA_SRC_ATTRIBUTE);
	cr_expect_eq(ACC(fx, "other")->mfa_sources, 0u);
	cr_expect_eq(ACC(fx, "absent")->mfa_sources, 0u);
	cr_expect_eq(ACC(fx, "multi")->mfa_sources, MFA_SRC_ATTRIBUTE);
	cr_expect_eq(ACC(fx, "prefix")->mfa_sources, 0u);
	fixture_free(fx);
}

Test(resolve, mfa_by_an_attribute_the_model_also_reads)
{
	struct sbuf sb;
	struct fixture *fx;

	/* info is one of dir.c's fixed attributes */
	start(&sb);
	user(&sb, "yes", 2100, 512, "info: MFA");
	user(&sb, "no", 2101, 512, "info: phone 1234");
	fx = run(&sb, "{\"mfa\": {\"attribute\": {\"name\": \"info\", \"values\": [\"mfa\"]}}}");
	cr_expect_eq(ACC(fx, "yes")->mfa_sources, MFA_SRC_ATTRIBUTE);
	cr_expect_eq(ACC(fx, "no")->mfa_sources, 0u);
	fixture_free(fx);
}

Test(resolve, mfa_sources_add_up)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	group(&sb, "MFA-Enrolled", 1200);
	user(&sb, "all", 2100, 512 | 0x40000, "extensionAttribute7: mfa");
	member_of(&sb, DOM "-1200", "all");
	fx = run(&sb, "{\"mfa\": {\"groups\": [\"MFA-Enrolled\"], \"attribute\": "
		      "{\"name\": \"extensionAttribute7\", \"values\": [\"mfa\"]}}}");
	cr_expect_eq(ACC(fx, "all")->mfa_sources,
		     MFA_SRC_GROUP | MFA_SRC_SMARTCARD | MFA_SRC_ATTRIBUTE);
	fixture_free(fx);
}

/* ---- Protected Users ---------------------------------------------------- */

Test(resolve, protected_users_direct_and_nested)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	group(&sb, "Tier0", 1200);
	member_of(&sb, DOM "-525", "Tier0");
	user(&sb, "direct", 2100, 512, NULL);
	user(&sb, "nested", 2101, 512, NULL);
	user(&sb, "no", 2102, 512, NULL);
	member_of(&sb, DOM "-525", "direct");
	member_of(&sb, DOM "-1200", "nested");
	fx = run(&sb, NULL);
	cr_expect(ACC(fx, "direct")->protected_users);
	cr_expect(ACC(fx, "nested")->protected_users);
	cr_expect_not(ACC(fx, "no")->protected_users);
	fixture_free(fx);
}

/* ---- resultant PSO ------------------------------------------------------ */

static void pso(struct sbuf *sb, const char *cn, int precedence, const char *guid,
		const char *applies_to)
{
	sbuf_addf(sb,
		  "dn: CN=%s,CN=Password Settings Container,CN=System,DC=corp,DC=example,DC=test\n"
		  "objectClass: top\nobjectClass: msDS-PasswordSettings\ncn: %s\n"
		  "msDS-PasswordSettingsPrecedence: %d\n"
		  "msDS-MinimumPasswordLength: 14\n",
		  cn, cn, precedence);
	if (guid)
		sbuf_addf(sb, "objectGUID: %s\n", guid);
	for (const char *p = applies_to; p && *p;) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		sbuf_addf(sb, "msDS-PSOAppliesTo: CN=%.*s," BASE "\n", (int)n, p);
		p = bar ? bar + 1 : p + n;
	}
	sbuf_adds(sb, "\n");
}

static const char *pso_of(const struct fixture *fx, const char *sam)
{
	const struct pso *p = ACC(fx, sam)->pso;

	return p ? p->cn : "(none)";
}

Test(resolve, pso_linked_to_the_user_beats_group_linked)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	group(&sb, "G", 1200);
	user(&sb, "alice", 2100, 512, NULL);
	user(&sb, "bob", 2101, 512, NULL);
	user(&sb, "carl", 2102, 512, NULL);
	member_of(&sb, DOM "-1200", "alice");
	member_of(&sb, DOM "-1200", "bob");
	pso(&sb, "User PSO", 10, NULL, "alice");
	pso(&sb, "Group PSO", 1, NULL, "G");
	fx = run(&sb, NULL);
	cr_expect_str_eq(pso_of(fx, "alice"), "User PSO");
	cr_expect_str_eq(pso_of(fx, "bob"), "Group PSO");
	cr_expect_str_eq(pso_of(fx, "carl"), "(none)");
	fixture_free(fx);
}

Test(resolve, pso_lowest_precedence_among_groups_and_nesting)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	group(&sb, "G1", 1200);
	group(&sb, "G2", 1201);
	group(&sb, "Inner", 1202);
	member_of(&sb, DOM "-1201", "Inner");
	user(&sb, "carol", 2100, 512, NULL);
	user(&sb, "dan", 2101, 512, NULL);
	member_of(&sb, DOM "-1200", "carol");
	member_of(&sb, DOM "-1202", "carol");
	member_of(&sb, DOM "-1202", "dan");
	pso(&sb, "Twenty", 20, NULL, "G1");
	pso(&sb, "Five", 5, NULL, "G2");
	fx = run(&sb, NULL);
	cr_expect_str_eq(pso_of(fx, "carol"), "Five");
	cr_expect_str_eq(pso_of(fx, "dan"), "Five", "G2 holds Inner which holds dan");
	fixture_free(fx);
}

Test(resolve, pso_lowest_precedence_among_user_links)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	user(&sb, "alice", 2100, 512, NULL);
	pso(&sb, "Nine", 9, NULL, "alice");
	pso(&sb, "Three", 3, NULL, "alice");
	fx = run(&sb, NULL);
	cr_expect_str_eq(pso_of(fx, "alice"), "Three");
	fixture_free(fx);
}

/*
 * carol in G1 and G2, PSO cn1 (GUID guid1, or none) linked to G1 and cn2
 * to G2, both of precedence 7: the one that governs her.
 */
static void expect_tie(const char *cn1, const char *guid1, const char *cn2, const char *guid2,
		       const char *winner)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	group(&sb, "G1", 1200);
	group(&sb, "G2", 1201);
	user(&sb, "carol", 2100, 512, NULL);
	member_of(&sb, DOM "-1200", "carol");
	member_of(&sb, DOM "-1201", "carol");
	pso(&sb, cn1, 7, guid1, "G1");
	pso(&sb, cn2, 7, guid2, "G2");
	fx = run(&sb, NULL);
	cr_expect_str_eq(pso_of(fx, "carol"), winner);
	fixture_free(fx);
}

Test(resolve, pso_tie_goes_to_the_smaller_guid)
{
	expect_tie("A-Big-Guid", "ffffffff-0000-0000-0000-000000000000", "Z-Small-Guid",
		   "0a000000-0000-0000-0000-000000000000", "Z-Small-Guid");
}

Test(resolve, pso_tie_without_guid_goes_to_the_smaller_dn)
{
	expect_tie("Beta", NULL, "alpha", NULL, "alpha");
}

/* A GUID the bind could not read: after every PSO with one, whatever the DNs. */
Test(resolve, pso_tie_an_unread_guid_comes_after_a_read_one)
{
	expect_tie("A-No-Guid", NULL, "Z-Guid", "ffffffff-0000-0000-0000-000000000000", "Z-Guid");
	expect_tie("Z-Guid", "ffffffff-0000-0000-0000-000000000000", "A-No-Guid", NULL, "Z-Guid");
}

/* 0 to n - 1, from the generator *state (deterministic). */
static unsigned rnd_below(uint64_t *state, unsigned n)
{
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((*state >> 33) % n);
}

#define RND(n) rnd_below(&rnd, (n))

/* The resultant PSO as DESIGN.md has it, link by link: the reference. */
static int ref_pso_cmp(const struct pso *x, const struct pso *y)
{
	int c;

	if (x->precedence != y->precedence)
		return x->precedence < y->precedence ? -1 : 1;
	if (x->guid && y->guid && (c = strcmp(x->guid, y->guid)))
		return c;
	if (!x->guid != !y->guid)
		return x->guid ? -1 : 1;
	return dir_obj_ndn_cmp(&x->h, &y->h);
}

static const struct pso *ref_pso(const struct dir *d, const struct account *a)
{
	const struct pso *direct = NULL, *via_group = NULL;

	for (size_t i = 0; i < d->npsos; i++) {
		const struct pso *p = d->psos[i];

		for (size_t k = 0; k < p->napplied; k++) {
			const struct dir_obj *o = p->applied[k];
			const struct group *g = (const struct group *)o;

			if (o == &a->h && (!direct || ref_pso_cmp(p, direct) < 0))
				direct = p;
			if (o->kind == OBJ_GROUP && g->target >= 0 &&
			    dir_in_target(d, a, (size_t)g->target) &&
			    (!via_group || ref_pso_cmp(p, via_group) < 0))
				via_group = p;
		}
	}
	return direct ? direct : via_group;
}

/*
 * PSOs linked at random to 1,000 users and 150 nested groups (more than 64
 * targets), with precedences that tie and GUIDs that are sometimes
 * missing: every account gets the PSO of the reference.
 */
Test(resolve, pso_of_many_links_matches_the_reference)
{
	enum { USERS = 1000, GROUPS = 150, PSOS = 12 };
	struct sbuf sb;
	struct fixture *fx;
	uint64_t rnd = 42;
	size_t with_pso = 0, direct = 0;

	start(&sb);
	for (unsigned u = 0; u < USERS; u++) {
		char sam[16];

		snprintf(sam, sizeof(sam), "u%u", u);
		user(&sb, sam, 10000 + u, 512, NULL);
	}
	for (unsigned g = 0; g < GROUPS; g++) {
		sbuf_addf(&sb,
			  "dn: CN=G%u," BASE "\nobjectClass: top\nobjectClass: group\n"
			  "cn: G%u\nsAMAccountName: G%u\nobjectSid: " DOM "-%u\n",
			  g, g, g, 20000 + g);
		for (unsigned k = 0; k < 20; k++)
			sbuf_addf(&sb, "member: CN=u%u," BASE "\n", RND(USERS));
		if (g > 0 && RND(2))
			sbuf_addf(&sb, "member: CN=G%u," BASE "\n", RND(g));
		sbuf_addch(&sb, '\n');
	}
	for (unsigned i = 0; i < PSOS; i++) {
		sbuf_addf(&sb,
			  "dn: CN=P%u,CN=Password Settings Container,CN=System,DC=corp,DC=example,DC=test\n"
			  "objectClass: top\nobjectClass: msDS-PasswordSettings\ncn: P%u\n"
			  "msDS-PasswordSettingsPrecedence: %u\nmsDS-MinimumPasswordLength: 14\n",
			  i, i, RND(3));
		if (RND(3))
			sbuf_addf(&sb, "objectGUID: %08x-0000-0000-0000-000000000000\n",
				  RND(4));
		for (unsigned k = 0; k < 60; k++) {
			char kind = RND(2) ? 'u' : 'G';

			sbuf_addf(&sb, "msDS-PSOAppliesTo: CN=%c%u," BASE "\n", kind,
				  RND(GROUPS));
		}
		sbuf_addch(&sb, '\n');
	}
	fx = run(&sb, NULL);
	cr_assert_gt(fx->dir.ntargets, 64);
	for (size_t i = 0; i < fx->dir.naccounts; i++) {
		const struct account *a = fx->dir.accounts[i];
		const struct pso *want = ref_pso(&fx->dir, a);

		cr_assert_eq(a->pso, want, "%s: %s, expected %s", a->h.sam,
			     a->pso ? a->pso->cn : "(none)", want ? want->cn : "(none)");
		with_pso += want != NULL;
		for (size_t k = 0; want && k < want->napplied; k++)
			direct += want->applied[k] == &a->h;
	}
	/* both kinds of link decide for many accounts, and some have none */
	cr_expect_gt(direct, 50);
	cr_expect_gt(with_pso - direct, 50);
	cr_expect_lt(with_pso, fx->dir.naccounts);
	fixture_free(fx);
}

/* ---- the domain SID ----------------------------------------------------- */

Test(resolve, domain_sid_from_the_head)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	user_sid(&sb, "x1", "S-1-5-21-9-9-9-1000", 512, NULL);
	user_sid(&sb, "x2", "S-1-5-21-9-9-9-1001", 512, NULL);
	fx = run(&sb, NULL);
	cr_expect_str_eq(fx->dir.domain_sid, DOM, "the head wins over the accounts");
	fixture_free(fx);
}

Test(resolve, domain_sid_inferred_without_the_head)
{
	struct sbuf sb;
	struct fixture *fx;

	sbuf_init(&sb);
	sbuf_adds(&sb, "dn: CN=Domain Admins," BASE "\nobjectClass: group\n"
		       "sAMAccountName: Domain Admins\nobjectSid: S-1-5-21-7-8-9-512\n\n");
	user_sid(&sb, "Administrator", "S-1-5-21-7-8-9-500", 512, NULL);
	user_sid(&sb, "krbtgt", "S-1-5-21-7-8-9-502", 514, NULL);
	user_sid(&sb, "alice", "S-1-5-21-7-8-9-1105", 512, "primaryGroupID: 512");
	user_sid(&sb, "guest-from-trust", "S-1-5-21-1-1-1-501", 512, NULL);
	fx = run(&sb, NULL);
	cr_expect_str_eq(fx->dir.domain_sid, "S-1-5-21-7-8-9");
	cr_expect_null(fx->dir.domain.h.dn);
	cr_expect_eq(ACC(fx, "Administrator")->roles, ROLE_BUILTIN_ADMIN);
	cr_expect_eq(ACC(fx, "krbtgt")->roles, ROLE_KRBTGT);
	cr_expect_eq(ACC(fx, "guest-from-trust")->roles, 0u);
	cr_expect(ACC(fx, "alice")->privileged, "primaryGroupID resolved with the inferred SID");
	cr_expect_str_eq(ACC(fx, "alice")->priv_path, "alice -> Domain Admins");
	fixture_free(fx);
}

Test(resolve, domain_sid_inference_tie_takes_the_smaller)
{
	struct sbuf sb;
	struct fixture *fx;

	sbuf_init(&sb);
	user_sid(&sb, "b", "S-1-5-21-2-2-2-1000", 512, NULL);
	user_sid(&sb, "a", "S-1-5-21-1-1-1-1000", 512, NULL);
	fx = run(&sb, NULL);
	cr_expect_str_eq(fx->dir.domain_sid, "S-1-5-21-1-1-1");
	fixture_free(fx);
}

Test(resolve, no_sid_anywhere_leaves_no_domain_sid)
{
	struct sbuf sb;
	struct fixture *fx;

	sbuf_init(&sb);
	sbuf_adds(&sb, "dn: CN=a," BASE "\nobjectClass: user\nsAMAccountName: a\n"
		       "primaryGroupID: 512\n\n");
	fx = run(&sb, NULL);
	cr_expect_null(fx->dir.domain_sid);
	cr_expect_not(ACC(fx, "a")->privileged);
	cr_expect(fx->dir.resolved);
	fixture_free(fx);
}

/* ---- scale and odd shapes ----------------------------------------------- */

Test(resolve, member_dns_match_whatever_their_case_and_spacing)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	user(&sb, "alice", 2100, 512, NULL);
	member(&sb, DOM "-512", "cn=ALICE, cn=users, dc=corp,dc=Example , dc=test");
	fx = run(&sb, NULL);
	cr_expect(ACC(fx, "alice")->privileged);
	fixture_free(fx);
}

Test(resolve, computers_and_gmsa_can_be_privileged)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	computer(&sb, "SRV1", 2100, 0x1000, NULL);
	gmsa(&sb, "gmsa-adm", 2101, NULL);
	member(&sb, DOM "-512", "CN=SRV1,CN=Computers,DC=corp,DC=example,DC=test");
	member(&sb, DOM "-512", "CN=gmsa-adm,CN=Managed Service Accounts,DC=corp,DC=example,DC=test");
	fx = run(&sb, NULL);
	cr_expect(ACC(fx, "SRV1$")->privileged);
	cr_expect_str_eq(ACC(fx, "SRV1$")->priv_path, "SRV1$ -> Domain Admins");
	cr_expect(ACC(fx, "gmsa-adm$")->privileged);
	fixture_free(fx);
}

Test(resolve, more_than_64_target_groups)
{
	struct sbuf sb, pol = SBUF_INIT;
	struct fixture *fx;

	start(&sb);
	sbuf_adds(&pol, "{\"privileged\": {\"extra_groups\": [");
	for (unsigned i = 0; i < 70; i++) {
		char name[16];

		snprintf(name, sizeof(name), "G%u", i);
		group(&sb, name, 3000 + i);
		sbuf_addf(&pol, "%s\"%s\"", i ? ", " : "", name);
	}
	sbuf_adds(&pol, "]}, \"mfa\": {\"groups\": [\"MFA\"]}, \"vpn\": {\"groups\": [\"VPN\"]}}");
	group(&sb, "MFA", 3100);
	group(&sb, "VPN", 3101);
	user(&sb, "last", 2100, 512, NULL);
	user(&sb, "first", 2101, 512, NULL);
	user(&sb, "none", 2102, 512, NULL);
	member_of(&sb, DOM "-3069", "last");
	member_of(&sb, DOM "-3000", "first");
	member_of(&sb, DOM "-3100", "last");
	member_of(&sb, DOM "-3101", "last");
	fx = run(&sb, pol.buf);
	sbuf_release(&pol);
	cr_expect_gt(fx->dir.ntargets, 64);
	cr_expect_geq(fx->dir.target_words, 2);
	cr_expect(ACC(fx, "last")->privileged);
	cr_expect_str_eq(ACC(fx, "last")->priv_path, "last -> G69");
	cr_expect_eq(ACC(fx, "last")->mfa_sources, MFA_SRC_GROUP);
	cr_expect(ACC(fx, "last")->vpn);
	cr_expect(ACC(fx, "first")->privileged);
	cr_expect_eq(ACC(fx, "first")->mfa_sources, 0u);
	cr_expect_not(ACC(fx, "first")->vpn);
	cr_expect_not(ACC(fx, "none")->privileged);
	fixture_free(fx);
}

Test(resolve, deep_nesting_is_resolved)
{
	struct sbuf sb;
	struct fixture *fx;
	const char *path;

	start(&sb);
	for (unsigned i = 0; i < 300; i++) {
		char name[16];

		snprintf(name, sizeof(name), "N%u", i);
		group(&sb, name, 4000 + i);
	}
	for (unsigned i = 0; i + 1 < 300; i++) {
		char sid[64], dn[128];

		snprintf(sid, sizeof(sid), DOM "-%u", 4000 + i + 1);
		snprintf(dn, sizeof(dn), "CN=N%u," BASE, i);
		member(&sb, sid, dn);
	}
	member_of(&sb, DOM "-512", "N299");
	user(&sb, "deep", 2100, 512, NULL);
	member_of(&sb, DOM "-4000", "deep");
	fx = run(&sb, NULL);
	cr_assert(ACC(fx, "deep")->privileged);
	path = ACC(fx, "deep")->priv_path;
	cr_expect_eq(strncmp(path, "deep -> N0 -> N1 -> N2 -> ", 26), 0, "%s", path);
	cr_expect(strstr(path, " -> N298 -> N299 -> Domain Admins") != NULL, "%.80s...", path);
	cr_expect_eq(grp(fx, "N0")->priv_dist, 300);
	fixture_free(fx);
}

/*
 * Groups C0..C<n-1>, each a member of the next, C<n-1> in Domain Admins;
 * user u<i> in C<i> (with users) or u0 alone in C0.
 */
static struct fixture *chain(unsigned n, bool with_users)
{
	struct sbuf sb;

	start(&sb);
	for (unsigned i = 0; i < n; i++) {
		sbuf_addf(&sb,
			  "dn: CN=C%u," BASE "\nobjectClass: top\nobjectClass: group\n"
			  "cn: C%u\nsAMAccountName: C%u\nobjectSid: " DOM "-%u\n",
			  i, i, i, 20000 + i);
		if (i > 0)
			sbuf_addf(&sb, "member: CN=C%u," BASE "\n", i - 1);
		if (i == 0 || with_users)
			sbuf_addf(&sb, "member: CN=u%u," BASE "\n", i);
		sbuf_addch(&sb, '\n');
		if (i == 0 || with_users) {
			char sam[16];

			snprintf(sam, sizeof(sam), "u%u", i);
			user(&sb, sam, 10000 + i, 512, NULL);
		}
	}
	{
		char top[16];

		snprintf(top, sizeof(top), "C%u", n - 1);
		member_of(&sb, DOM "-512", top);
	}
	return run(&sb, NULL);
}

/* " -> C<from> ... -> C<to - 1>" */
static void names(struct sbuf *sb, unsigned from, unsigned to)
{
	for (unsigned i = from; i < to; i++)
		sbuf_addf(sb, " -> C%u", i);
}

/* The path of the user in C<from> of a chain of n groups, as it is named. */
static void chain_path(struct sbuf *sb, const char *sam, unsigned from, unsigned n)
{
	unsigned groups = n - from + 1;   /* C<from> .. C<n-1>, Domain Admins */

	sbuf_reset(sb);
	sbuf_adds(sb, sam);
	if (groups <= 32) {
		names(sb, from, n);
	} else {
		names(sb, from, from + 16);
		sbuf_addf(sb, " -> [%u more group%s]", groups - 32, groups - 32 == 1 ? "" : "s");
		names(sb, n - 15, n);
	}
	sbuf_adds(sb, " -> Domain Admins");
}

/* 32 groups named in full; 33 and 34 with one and two left out. */
Test(resolve, path_of_more_than_32_groups_leaves_the_middle_out)
{
	static const struct {
		unsigned chain;
		const char *middle;
	} cases[] = {
		{ 31, NULL },
		{ 32, " -> C15 -> [1 more group] -> C17 -> " },
		{ 33, " -> C15 -> [2 more groups] -> C18 -> " },
	};
	struct sbuf want = SBUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fixture *fx = chain(cases[i].chain, false);
		const char *path = ACC(fx, "u0")->priv_path;

		chain_path(&want, "u0", 0, cases[i].chain);
		cr_expect_str_eq(path, want.buf);
		if (cases[i].middle)
			cr_expect(strstr(path, cases[i].middle), "%s", path);
		else
			cr_expect(strstr(path, " -> C30 -> Domain Admins") && !strchr(path, '['),
				  "%s", path);
		fixture_free(fx);
	}
	sbuf_release(&want);
}

/*
 * A user in every group of a long chain: each path names at most 32
 * groups, the right ones, so the paths grow with the chain and not with
 * its square.
 */
Test(resolve, long_chain_paths_stay_short)
{
	enum { N = 3000 };
	struct fixture *fx = chain(N, true);
	struct sbuf want = SBUF_INIT;
	size_t total = 0;

	for (unsigned i = 0; i < N; i++) {
		char sam[16];
		const struct account *a;

		snprintf(sam, sizeof(sam), "u%u", i);
		a = ACC(fx, sam);
		cr_assert(a->privileged, "%s", sam);
		chain_path(&want, sam, i, N);
		cr_assert_str_eq(a->priv_path, want.buf);
		total += strlen(a->priv_path);
	}
	cr_expect_leq(total, (size_t)N * 400);   /* the whole paths: 13,500 */
	sbuf_release(&want);
	fixture_free(fx);
}
