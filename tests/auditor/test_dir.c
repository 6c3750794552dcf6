/*
 * Tests for auditor/dir.c (building the directory model from raw entries,
 * lookups) and auditor/hmap.c, the map behind the lookups. Entries come
 * from LDIF text through ldif_load_mem, as every source feeds dir_add.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../../auditor/dir.h"
#include "../../auditor/error.h"
#include "../../auditor/exitcode.h"
#include "../../auditor/hmap.h"
#include "../../auditor/ldif.h"
#include "../../auditor/sbuf.h"
#include "../../auditor/strutil.h"
#include "../../auditor/timeutil.h"
#include "../../auditor/xalloc.h"

#define USERS "CN=Users,DC=corp,DC=example,DC=test"

/* Binary objectSid S-1-5-21-1-2-3-500, base64 */
#define SID_500_B64 "AQUAAAAAAAUVAAAAAQAAAAIAAAADAAAA9AEAAA=="

static void load_extra(struct dir *d, const char *ldif, const char *const *extra, size_t n)
{
	struct error err = ERROR_INIT;

	dir_init(d, extra, n);
	cr_assert_eq(ldif_load_mem(d, ldif, strlen(ldif), "t.ldif", &err), 0, "rejected: %s",
		     err.msg);
}

static void load(struct dir *d, const char *ldif)
{
	load_extra(d, ldif, NULL, 0);
}

static void expect_error(const char *ldif, const char *msg)
{
	struct dir d;
	struct error err = ERROR_INIT;

	dir_init(&d, NULL, 0);
	cr_expect_eq(ldif_load_mem(&d, ldif, strlen(ldif), "t.ldif", &err), -1,
		     "accepted; expected \"%s\"", msg);
	cr_expect_eq(err.code, EXIT_INPUT);
	cr_expect_str_eq(err.msg, msg);
	dir_release(&d);
}

/* The account named sam (the directory looks up groups only by name). */
static struct account *account(const struct dir *d, const char *sam)
{
	for (size_t i = 0; i < d->naccounts; i++)
		if (d->accounts[i]->h.sam && strcasecmp(d->accounts[i]->h.sam, sam) == 0)
			return d->accounts[i];
	cr_assert_fail("no account \"%s\"", sam);
	return NULL;
}

/* The normalised DN of g's pending member i, rebuilt in sb. */
static const char *pending_dn(const struct dir *d, const struct group *g, size_t i,
			      struct sbuf *sb)
{
	const char *at = g->pending;
	size_t off = 0;

	cr_assert_lt(i, g->npending);
	sbuf_reset(sb);
	for (size_t k = 0; k <= i; k++)
		off = dir_pending_append(d, &at, sb);
	return sb->buf + off;
}

/* ---- kinds ------------------------------------------------------------- */

Test(dir, user_kind_from_object_class)
{
	struct dir d;

	load(&d, "dn: CN=alice," USERS "\n"
		 "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
		 "objectClass: user\n"
		 "sAMAccountName: alice\n");
	cr_assert_eq(d.naccounts, 1);
	cr_expect_eq(d.accounts[0]->h.kind, OBJ_USER);
	cr_expect_str_eq(d.accounts[0]->h.dn, "CN=alice," USERS);
	{
		struct sbuf sb = SBUF_INIT;

		cr_expect_str_eq(dir_obj_ndn(&d.accounts[0]->h, &sb),
				 "cn=alice,cn=users,dc=corp,dc=example,dc=test");
		sbuf_release(&sb);
	}
	dir_release(&d);
}

Test(dir, computer_kind_wins_over_user)
{
	struct dir d;

	load(&d, "dn: CN=WS1,CN=Computers,DC=corp,DC=example,DC=test\n"
		 "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
		 "objectClass: user\nobjectClass: computer\n"
		 "sAMAccountName: WS1$\n");
	cr_assert_eq(d.naccounts, 1);
	cr_expect_eq(d.accounts[0]->h.kind, OBJ_COMPUTER);
	dir_release(&d);
}

Test(dir, gmsa_kind_wins_over_computer_and_user)
{
	struct dir d;

	load(&d, "dn: CN=gmsa-web,CN=Managed Service Accounts,DC=corp,DC=example,DC=test\n"
		 "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
		 "objectClass: user\nobjectClass: computer\n"
		 "objectClass: msDS-GroupManagedServiceAccount\n"
		 "sAMAccountName: gmsa-web$\n"
		 "\n"
		 "dn: CN=msa-old,CN=Managed Service Accounts,DC=corp,DC=example,DC=test\n"
		 "objectClass: top\nobjectClass: user\nobjectClass: computer\n"
		 "objectClass: msDS-ManagedServiceAccount\n"
		 "sAMAccountName: msa-old$\n"
		 "\n"
		 /* the order of the values does not matter, nor their case */
		 "dn: CN=gmsa-2,CN=Managed Service Accounts,DC=corp,DC=example,DC=test\n"
		 "objectClass: MSDS-GROUPMANAGEDSERVICEACCOUNT\nobjectClass: computer\n"
		 "objectClass: user\n"
		 "sAMAccountName: gmsa-2$\n");
	cr_assert_eq(d.naccounts, 3);
	for (size_t i = 0; i < 3; i++)
		cr_expect_eq(d.accounts[i]->h.kind, OBJ_GMSA, "%s", d.accounts[i]->h.sam);
	dir_release(&d);
}

Test(dir, contact_and_other_classes_are_skipped_but_counted)
{
	struct dir d;

	load(&d, "dn: CN=ext,CN=Users,DC=corp,DC=example,DC=test\n"
		 "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
		 "objectClass: contact\n"
		 "sAMAccountName: ext\n"
		 "\n"
		 "dn: OU=Sales,DC=corp,DC=example,DC=test\n"
		 "objectClass: top\nobjectClass: organizationalUnit\n"
		 "\n"
		 "dn: CN=nothing,DC=corp,DC=example,DC=test\n"
		 "cn: nothing\n");
	cr_expect_eq(d.nentries, 3);
	cr_expect_eq(d.naccounts, 0);
	cr_expect_eq(d.ngroups, 0);
	cr_expect_null(dir_find_by_dn(&d, "CN=ext,CN=Users,DC=corp,DC=example,DC=test"));
	cr_expect_null(dir_find_name(&d, "ext"));
	dir_release(&d);
}

Test(dir, group_kind)
{
	struct dir d;
	struct dir_obj *o;
	struct group *g;
	struct sbuf sb = SBUF_INIT;

	load(&d, "dn: CN=IT-Admins,OU=Groups,DC=corp,DC=example,DC=test\n"
		 "objectClass: top\nobjectClass: group\n"
		 "cn: IT-Admins\nsAMAccountName: IT-Admins\ndescription: admins of IT\n"
		 "groupType: -2147483646\n"
		 "objectSid: S-1-5-21-1-2-3-1200\n"
		 "member: CN=alice," USERS "\n"
		 "member: CN=bob," USERS "\n");
	cr_assert_eq(d.ngroups, 1);
	o = dir_find_name(&d, "it-admins");
	cr_assert_not_null(o);
	cr_assert_eq(o->kind, OBJ_GROUP);
	g = (struct group *)o;
	cr_expect_eq(g, d.groups[0]);
	cr_expect_str_eq(g->cn, "IT-Admins");
	cr_expect_str_eq(g->description, "admins of IT");
	cr_expect_eq(g->group_type, 0x80000002u);
	cr_expect_str_eq(g->h.sid, "S-1-5-21-1-2-3-1200");
	/* alice and bob are not in this directory: kept as DNs to resolve later */
	cr_assert_eq(g->nmember_objs, 0);
	cr_assert_eq(g->npending, 2);
	cr_expect_str_eq(pending_dn(&d, g, 0, &sb), "cn=alice,cn=users,dc=corp,dc=example,dc=test");
	cr_expect_str_eq(pending_dn(&d, g, 1, &sb), "cn=bob,cn=users,dc=corp,dc=example,dc=test");
	cr_expect_eq(g->index, 0);
	cr_expect_eq(g->target, -1);
	sbuf_release(&sb);
	dir_release(&d);
}

Test(dir, ranged_member_values_are_members)
{
	struct dir d;

	load(&d, "dn: CN=Big,DC=corp,DC=example,DC=test\n"
		 "objectClass: group\n"
		 "member;range=0-1: CN=a," USERS "\n"
		 "member;range=0-1: CN=b," USERS "\n"
		 "member;range=2-*: CN=c," USERS "\n");
	cr_assert_eq(d.ngroups, 1);
	cr_expect_eq(d.groups[0]->nmember_objs + d.groups[0]->npending, 3);
	cr_expect(d.seen[OBJ_GROUP] & ATTR_BIT(ATTR_MEMBER));
	dir_release(&d);
}

Test(dir, members_read_before_their_group_are_resolved_at_once)
{
	struct dir d;
	struct group *g;
	struct sbuf sb = SBUF_INIT;

	load(&d, "dn: CN=alice," USERS "\nobjectClass: user\nsAMAccountName: alice\n\n"
		 "dn: CN=Team,DC=corp,DC=example,DC=test\nobjectClass: group\n"
		 "member: cn=ALICE, " USERS "\n"
		 "member: CN=later," USERS "\n\n"
		 "dn: CN=later," USERS "\nobjectClass: user\nsAMAccountName: later\n");
	g = d.groups[0];
	cr_assert_eq(g->nmember_objs, 1, "alice was read before the group");
	cr_expect_eq(g->member_objs[0], &d.accounts[0]->h);
	cr_assert_eq(g->npending, 1, "later comes after the group: resolved by dir_resolve");
	cr_expect_str_eq(pending_dn(&d, g, 0, &sb), "cn=later,cn=users,dc=corp,dc=example,dc=test");
	sbuf_release(&sb);
	dir_release(&d);
}

/*
 * A member not read yet is kept as its first RDN and the number of the
 * rest, each rest once: whatever the DN, it comes back whole.
 */
Test(dir, pending_members_keep_each_parent_once)
{
	static const char *const dns[] = {
		"CN=Smith\\, John,OU=Sales,DC=corp,DC=example,DC=test",
		"CN=solo",
		"CN=a\\,b",
		"CN=x,OU=Sales,DC=corp,DC=example,DC=test",
		"CN = Y , ou=SALES, DC=corp,DC=example,DC=test",
		"CN=z\\\\,OU=Sales,DC=corp,DC=example,DC=test",
	};
	static const char *const want[] = {
		"cn=smith\\, john,ou=sales,dc=corp,dc=example,dc=test",
		"cn=solo",
		"cn=a\\,b",
		"cn=x,ou=sales,dc=corp,dc=example,dc=test",
		"cn=y,ou=sales,dc=corp,dc=example,dc=test",
		"cn=z\\\\,ou=sales,dc=corp,dc=example,dc=test",
	};
	struct sbuf ldif = SBUF_INIT, sb = SBUF_INIT;
	struct dir d;
	struct group *g;
	size_t n = sizeof(dns) / sizeof(*dns);

	sbuf_adds(&ldif, "dn: CN=Team,DC=corp,DC=example,DC=test\nobjectClass: group\n");
	for (size_t i = 0; i < n; i++)
		sbuf_addf(&ldif, "member: %s\n", dns[i]);
	/* 300 OUs: numbers past 127 take two bytes */
	for (int i = 0; i < 300; i++)
		sbuf_addf(&ldif, "member: CN=u%d,OU=ou%d,DC=corp,DC=example,DC=test\n", i, i);
	load(&d, ldif.buf);
	g = d.groups[0];
	cr_assert_eq(g->npending, n + 300);
	for (size_t i = 0; i < n; i++)
		cr_expect_str_eq(pending_dn(&d, g, i, &sb), want[i], "member %zu", i);
	for (int i = 0; i < 300; i++) {
		char dn[96];

		snprintf(dn, sizeof(dn), "cn=u%d,ou=ou%d,dc=corp,dc=example,dc=test", i, i);
		cr_expect_str_eq(pending_dn(&d, g, n + (size_t)i, &sb), dn);
	}
	/* ou=sales once; "b" never: its comma is escaped, z's backslash is */
	cr_expect_eq(d.nparent_dns, 1 + 300);
	cr_expect_str_eq(d.parent_dns[0], "ou=sales,dc=corp,dc=example,dc=test");
	sbuf_release(&sb);
	sbuf_release(&ldif);
	dir_release(&d);
}

/* Members listed before they are read take a few bytes each, not their DN. */
Test(dir, pending_members_are_kept_small)
{
	struct sbuf ldif = SBUF_INIT;
	struct dir d;

	sbuf_adds(&ldif, "dn: CN=Big,DC=corp,DC=example,DC=test\nobjectClass: group\n");
	for (int i = 0; i < 10000; i++)
		sbuf_addf(&ldif, "member: CN=user%07d,OU=Research and Development,"
				 "OU=People,DC=corp,DC=example,DC=test\n", i);
	load(&d, ldif.buf);
	cr_assert_eq(d.groups[0]->npending, 10000);
	/* "cn=user0000000" and its NUL, one byte for the rest: 16 of 80 bytes */
	cr_expect_leq(d.members.used, 10000 * 16 + 256, "%zu bytes", d.members.used);
	sbuf_release(&ldif);
	dir_release(&d);
}

Test(dir, domain_head_and_its_password_policy)
{
	struct dir d;

	load(&d, "dn: DC=corp,DC=example,DC=test\n"
		 "objectClass: top\nobjectClass: domain\nobjectClass: domainDNS\n"
		 "objectSid: S-1-5-21-1-2-3\n"
		 "minPwdLength: 7\npwdHistoryLength: 24\nmaxPwdAge: -36288000000000\n"
		 "minPwdAge: -864000000000\nlockoutThreshold: 0\n"
		 "lockoutDuration: -9223372036854775808\npwdProperties: 17\n");
	cr_expect_str_eq(d.domain.h.dn, "DC=corp,DC=example,DC=test");
	cr_expect_eq(d.domain.h.kind, OBJ_DOMAIN);
	cr_expect_str_eq(d.domain.dns, "corp.example.test");
	cr_expect_str_eq(d.domain.h.sid, "S-1-5-21-1-2-3");
	cr_expect_eq(d.domain.min_pwd_length, 7);
	cr_expect_eq(d.domain.pwd_history, 24);
	cr_expect_eq(d.domain.max_pwd_age, 42 * SECONDS_PER_DAY);
	cr_expect_eq(d.domain.min_pwd_age, 1 * SECONDS_PER_DAY);
	cr_expect_eq(d.domain.lockout_threshold, 0);
	cr_expect_eq(d.domain.lockout_duration, TIME_NEVER);
	cr_expect_eq(d.domain.pwd_properties, 17);
	cr_expect_eq(d.naccounts + d.ngroups + d.npsos, 0);
	cr_expect_eq(dir_find_by_dn(&d, "dc=CORP, dc=example, dc=test"), &d.domain.h);
	dir_release(&d);
}

Test(dir, domain_head_absent_leaves_unknown_values)
{
	struct dir d;

	load(&d, "dn: CN=alice," USERS "\nobjectClass: user\n");
	cr_expect_null(d.domain.h.dn);
	cr_expect_eq(d.domain.min_pwd_length, -1);
	cr_expect_eq(d.domain.pwd_history, -1);
	cr_expect_eq(d.domain.lockout_threshold, -1);
	cr_expect_eq(d.domain.pwd_properties, -1);
	cr_expect_eq(d.domain.max_pwd_age, TIME_NEVER);
	dir_release(&d);
}

Test(dir, second_domain_head_is_ignored)
{
	struct dir d;

	load(&d, "dn: DC=corp,DC=example,DC=test\nobjectClass: domainDNS\nminPwdLength: 14\n"
		 "\n"
		 "dn: DC=child,DC=corp,DC=example,DC=test\nobjectClass: domainDNS\n"
		 "minPwdLength: 1\n");
	cr_expect_str_eq(d.domain.dns, "corp.example.test");
	cr_expect_eq(d.domain.min_pwd_length, 14);
	dir_release(&d);
}

Test(dir, password_settings_object)
{
	struct dir d;
	struct pso *p;

	load(&d, "dn: CN=Admins PSO,CN=Password Settings Container,CN=System,DC=corp,DC=example,DC=test\n"
		 "objectClass: top\nobjectClass: msDS-PasswordSettings\n"
		 "msDS-PasswordSettingsPrecedence: 10\n"
		 "msDS-MinimumPasswordLength: 20\n"
		 "msDS-PasswordHistoryLength: 24\n"
		 "msDS-LockoutThreshold: 3\n"
		 "msDS-PasswordComplexityEnabled: TRUE\n"
		 "msDS-PasswordReversibleEncryptionEnabled: false\n"
		 "msDS-MaximumPasswordAge: -36288000000000\n"
		 "msDS-PSOAppliesTo: CN=Domain Admins," USERS "\n"
		 "msDS-PSOAppliesTo: CN=alice," USERS "\n");
	cr_assert_eq(d.npsos, 1);
	p = d.psos[0];
	cr_expect_eq(p->h.kind, OBJ_PSO);
	cr_expect_str_eq(p->cn, "Admins PSO", "cn from the DN when the attribute is absent");
	cr_expect_str_eq(p->h.sam, "Admins PSO");
	cr_expect_eq(p->precedence, 10);
	cr_expect_eq(p->min_length, 20);
	cr_expect_eq(p->history, 24);
	cr_expect_eq(p->lockout_threshold, 3);
	cr_expect_eq(p->complexity, 1);
	cr_expect_eq(p->reversible, 0);
	cr_expect_eq(p->max_age, 42 * SECONDS_PER_DAY);
	cr_assert_eq(p->napplies_to, 2);
	cr_expect_str_eq(p->applies_to[1], "CN=alice," USERS);
	cr_expect_eq(dir_find_by_dn(&d, "cn=admins pso,cn=password settings container,cn=system,"
				       "dc=corp,dc=example,dc=test"),
		     &p->h);
	dir_release(&d);
}

Test(dir, pso_absent_values_are_minus_one)
{
	struct dir d;
	struct pso *p;

	load(&d, "dn: CN=Bare,CN=Password Settings Container,CN=System,DC=x\n"
		 "objectClass: msDS-PasswordSettings\ncn: Bare PSO\n");
	cr_assert_eq(d.npsos, 1);
	p = d.psos[0];
	cr_expect_str_eq(p->cn, "Bare PSO");
	cr_expect_eq(p->precedence, -1);
	cr_expect_eq(p->min_length, -1);
	cr_expect_eq(p->history, -1);
	cr_expect_eq(p->lockout_threshold, -1);
	cr_expect_eq(p->complexity, -1);
	cr_expect_eq(p->reversible, -1);
	cr_expect_eq(p->max_age, TIME_NEVER);
	cr_expect_eq(p->napplies_to, 0);
	dir_release(&d);
}

Test(dir, kind_from_sam_account_type_without_object_class)
{
	struct dir d;

	load(&d, "dn: CN=alice," USERS "\nsAMAccountName: alice\nsAMAccountType: 805306368\n"
		 "\n"
		 "dn: CN=WS1,CN=Computers,DC=x\nsAMAccountName: WS1$\nsAMAccountType: 805306369\n"
		 "\n"
		 "dn: CN=G1," USERS "\nsAMAccountName: G1\nsAMAccountType: 268435456\n"
		 "\n"
		 "dn: CN=G2," USERS "\nsAMAccountName: G2\nsAMAccountType: 268435457\n"
		 "\n"
		 "dn: CN=L1," USERS "\nsAMAccountName: L1\nsAMAccountType: 536870912\n"
		 "\n"
		 "dn: CN=L2," USERS "\nsAMAccountName: L2\nsAMAccountType: 536870913\n"
		 "\n"
		 /* trust account: not audited */
		 "dn: CN=T," USERS "\nsAMAccountName: T$\nsAMAccountType: 805306370\n"
		 "\n"
		 "dn: CN=N," USERS "\nsAMAccountName: N\n");
	cr_expect_eq(d.nentries, 8);
	cr_expect_eq(account(&d, "alice")->h.kind, OBJ_USER);
	cr_expect_eq(account(&d, "WS1$")->h.kind, OBJ_COMPUTER);
	cr_expect_eq(d.ngroups, 4);
	cr_expect_eq(d.naccounts, 2);
	cr_expect_null(dir_find_by_dn(&d, "CN=T," USERS));
	cr_expect_null(dir_find_by_dn(&d, "CN=N," USERS));
	dir_release(&d);
}

Test(dir, object_class_wins_over_sam_account_type)
{
	struct dir d;

	/* an objectClass that is not audited is not overridden by sAMAccountType */
	load(&d, "dn: CN=c," USERS "\nobjectClass: contact\nsAMAccountType: 805306368\n");
	cr_expect_eq(d.naccounts, 0);
	dir_release(&d);
}

/* ---- SIDs and GUIDs ---------------------------------------------------- */

Test(dir, object_sid_binary_and_text_forms)
{
	struct dir d;

	load(&d, "dn: CN=Administrator," USERS "\nobjectClass: user\nsAMAccountName: Administrator\n"
		 "objectSid:: " SID_500_B64 "\n"
		 "\n"
		 "dn: CN=alice," USERS "\nobjectClass: user\nsAMAccountName: alice\n"
		 "objectSid: S-1-5-21-1-2-3-1105\n"
		 "\n"
		 "dn: CN=bob," USERS "\nobjectClass: user\nsAMAccountName: bob\n"
		 "objectSid: s-1-5-21-1-2-3-1106\n");
	cr_expect_str_eq(account(&d, "Administrator")->h.sid, "S-1-5-21-1-2-3-500");
	cr_expect_str_eq(account(&d, "alice")->h.sid, "S-1-5-21-1-2-3-1105");
	cr_expect_str_eq(account(&d, "bob")->h.sid, "S-1-5-21-1-2-3-1106", "text SID upper-cased");
	/* accounts are not looked up by SID: only groups, PSOs and the head are */
	cr_expect_null(dir_find_by_sid(&d, "S-1-5-21-1-2-3-500"));
	cr_expect_null(dir_find_by_sid(&d, "S-1-5-21-1-2-3-9999"));
	dir_release(&d);
}

Test(dir, malformed_binary_sid_is_an_error_at_its_value)
{
	/* 16 bytes: the header announces 5 sub-authorities (28 bytes) */
	expect_error("dn: CN=x," USERS "\nobjectClass: user\nobjectSid:: AQUAAAAAAAUVAAAAAQAAAA==\n",
		     "t.ldif:3:13: bad SID value for \"CN=x," USERS "\"");
}

Test(dir, malformed_text_sid_is_an_error)
{
	expect_error("dn: CN=x," USERS "\nobjectClass: user\nobjectSid: S-1-5-21-x\n",
		     "t.ldif:3:12: bad SID value for \"CN=x," USERS "\"");
	expect_error("dn: CN=x," USERS "\nobjectClass: user\nsIDHistory: S-1-5-\n",
		     "t.ldif:3:13: bad SID value for \"CN=x," USERS "\"");
}

Test(dir, malformed_sid_of_a_group_is_an_error)
{
	expect_error("dn: CN=g," USERS "\nobjectClass: group\nobjectSid: junk\n",
		     "t.ldif:3:12: bad SID value for \"CN=g," USERS "\"");
}

Test(dir, sid_history_binary_and_text)
{
	struct dir d;
	struct account *a;

	load(&d, "dn: CN=mig," USERS "\nobjectClass: user\nsAMAccountName: mig\n"
		 "sIDHistory:: " SID_500_B64 "\n"
		 "sIDHistory: S-1-5-21-9-9-9-1000\n");
	a = account(&d, "mig");
	cr_assert_eq(dir_account_more(a)->nsid_history, 2);
	cr_expect_str_eq(dir_account_more(a)->sid_history[0], "S-1-5-21-1-2-3-500");
	cr_expect_str_eq(dir_account_more(a)->sid_history[1], "S-1-5-21-9-9-9-1000");
	dir_release(&d);
}

Test(dir, object_guid_binary_and_text)
{
	struct dir d;

	load(&d, "dn: CN=a,CN=Password Settings Container,CN=System,DC=corp,DC=example,DC=test\n"
		 "objectClass: msDS-PasswordSettings\n"
		 "objectGUID:: ABEiM0RVZneImaq7zN3u/w==\n"
		 "\n"
		 "dn: CN=b,CN=Password Settings Container,CN=System,DC=corp,DC=example,DC=test\n"
		 "objectClass: msDS-PasswordSettings\n"
		 "objectGUID: {0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9}\n"
		 "\n"
		 "dn: CN=c," USERS "\nobjectClass: user\nsAMAccountName: c\n"
		 "objectGUID:: ABEiM0RVZneImaq7zN3u/w==\n");
	cr_assert_eq(d.npsos, 2);
	cr_expect_str_eq(d.psos[0]->guid, "00112233445566778899aabbccddeeff");
	cr_expect_str_eq(d.psos[1]->guid, "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
	/* only PSOs keep it (their precedence tie-break): struct account has no field */
	cr_expect_not_null(account(&d, "c"));
	dir_release(&d);
}

/* ---- values that do not parse ------------------------------------------ */

Test(dir, non_numeric_user_account_control_is_an_error)
{
	expect_error("dn: CN=x," USERS "\nobjectClass: user\nuserAccountControl: 512x\n",
		     "t.ldif:3:21: bad integer value for \"CN=x," USERS "\"");
	expect_error("dn: CN=x," USERS "\nobjectClass: user\nuserAccountControl: \n",
		     "t.ldif:3:21: bad integer value for \"CN=x," USERS "\"");
	expect_error("dn: CN=x," USERS "\nobjectClass: user\nprimaryGroupID: five\n",
		     "t.ldif:3:17: bad integer value for \"CN=x," USERS "\"");
}

Test(dir, bad_generalized_time_is_an_error)
{
	expect_error("dn: CN=x," USERS "\nobjectClass: user\nwhenCreated: 20251301000000.0Z\n",
		     "t.ldif:3:14: bad GeneralizedTime value for \"CN=x," USERS "\"");
	expect_error("dn: CN=x," USERS "\nobjectClass: user\nwhenChanged: yesterday\n",
		     "t.ldif:3:14: bad GeneralizedTime value for \"CN=x," USERS "\"");
}

Test(dir, bad_filetime_is_an_error)
{
	expect_error("dn: CN=x," USERS "\nobjectClass: user\npwdLastSet: 2025-01-01\n",
		     "t.ldif:3:13: bad time value for \"CN=x," USERS "\"");
	expect_error("dn: CN=x," USERS "\nobjectClass: user\nlastLogonTimestamp: 99999999999999999999\n",
		     "t.ldif:3:21: bad time value for \"CN=x," USERS "\"");
}

Test(dir, bad_boolean_is_an_error)
{
	expect_error("dn: CN=x," USERS "\nobjectClass: user\nmsNPAllowDialin: yes\n",
		     "t.ldif:3:18: bad boolean value for \"CN=x," USERS "\"");
}

Test(dir, bad_domain_interval_is_an_error)
{
	expect_error("dn: DC=corp,DC=example,DC=test\nobjectClass: domainDNS\nmaxPwdAge: 42 days\n",
		     "t.ldif:3:12: bad time value for \"DC=corp,DC=example,DC=test\"");
}

Test(dir, raw_entry_without_position_names_the_origin_only)
{
	struct dir d;
	struct error err = ERROR_INIT;
	struct raw_value oc = { "user", 4 }, uac = { "x", 1 };
	struct raw_attr attrs[] = {
		{ .name = "objectClass", .vals = &oc, .nvals = 1 },
		{ .name = "userAccountControl", .vals = &uac, .nvals = 1 },
	};
	struct raw_entry e = { "CN=x,DC=y", attrs, 2, "ldap://dc1", 0, NULL, NULL };

	dir_init(&d, NULL, 0);
	cr_expect_eq(dir_add(&d, &e, &err), -1);
	cr_expect_str_eq(err.msg, "ldap://dc1: bad integer value for \"CN=x,DC=y\"");
	dir_release(&d);
}

Test(dir, raw_entry_with_several_values_in_one_attribute)
{
	struct dir d;
	struct error err = ERROR_INIT;
	struct raw_value oc[] = { { "top", 3 }, { "user", 4 } };
	struct raw_value spn[] = { { "HTTP/a", 6 }, { "HTTP/b", 6 } };
	struct raw_value sam = { "websvcXXX", 6 }; /* len cuts the value */
	struct raw_attr attrs[] = {
		{ .name = "objectClass", .vals = oc, .nvals = 2 },
		{ .name = "servicePrincipalName", .vals = spn, .nvals = 2 },
		{ .name = "sAMAccountName", .vals = &sam, .nvals = 1 },
	};
	struct raw_entry e = { "CN=websvc,DC=y", attrs, 3, "ldap://dc1", 0, NULL, NULL };
	struct account *a;

	dir_init(&d, NULL, 0);
	cr_assert_eq(dir_add(&d, &e, &err), 0, "%s", err.msg);
	a = account(&d, "websvc");
	cr_assert_eq(a->nspns, 2);
	cr_expect_str_eq(a->spns[0], "HTTP/a");
	cr_expect_str_eq(a->spns[1], "HTTP/b");
	dir_release(&d);
}

/* ---- account values ---------------------------------------------------- */

Test(dir, account_fields)
{
	struct dir d;
	struct account *a;

	load(&d, "dn: CN=Alice Smith," USERS "\n"
		 "objectClass: user\n"
		 "cn: Alice Smith\n"
		 "sAMAccountName: alice\n"
		 "userPrincipalName: alice@corp.example.test\n"
		 "description: Sales\n"
		 "info: phone 123\n"
		 "userAccountControl: 66048\n"
		 "primaryGroupID: 513\n"
		 "adminCount: 1\n"
		 "msNPAllowDialin: true\n"
		 "msDS-SupportedEncryptionTypes: 24\n"
		 "servicePrincipalName: HTTP/web1.corp.example.test\n"
		 "servicePrincipalName: HTTP/web1\n"
		 "pwdLastSet: 133000000000000000\n"
		 "lastLogon: 133000000000000000\n"
		 "lastLogonTimestamp: 0\n"
		 "whenCreated: 20251001193100.0Z\n"
		 "whenChanged: 20251002000000Z\n");
	a = account(&d, "alice");
	cr_expect_str_eq(a->cn, "Alice Smith");
	cr_expect_str_eq(a->upn, "alice@corp.example.test");
	cr_expect_str_eq(a->description, "Sales");
	cr_expect_str_eq(dir_account_more(a)->info, "phone 123");
	cr_expect_eq(a->uac, 66048u);
	cr_expect(a->has_primary_gid);
	cr_expect_eq(a->primary_gid, 513u);
	cr_expect_eq(a->admin_count, 1);
	cr_expect_eq(a->dialin, 1);
	cr_expect(a->has_enctypes);
	cr_expect_eq(a->enctypes, 24u);
	cr_assert_eq(a->nspns, 2);
	cr_expect_str_eq(a->spns[0], "HTTP/web1.corp.example.test");
	cr_expect_eq(a->pwd_state, PWD_SET);
	cr_expect_eq(a->pwd_last_set, 1655526400);
	cr_expect_eq(a->last_logon, 1655526400);
	cr_expect_eq(a->last_logon_ts, TIME_NEVER, "0 means never");
	cr_expect_eq(a->when_created, time_from_civil(2025, 10, 1, 19, 31, 0));
	cr_expect_eq(a->when_changed, time_from_civil(2025, 10, 2, 0, 0, 0));
	cr_expect_eq(a->account_expires, TIME_NEVER);
	cr_expect_eq(a->vpn_last_login, TIME_NEVER);
	dir_release(&d);
}

Test(dir, absent_account_values)
{
	struct dir d;
	struct account *a;

	load(&d, "dn: CN=bare," USERS "\nobjectClass: user\nsAMAccountName: bare\n");
	a = account(&d, "bare");
	cr_expect_null(a->upn);
	cr_expect_null(a->h.sid);
	cr_expect_eq(a->uac, 0u);
	cr_expect_not(a->has_primary_gid);
	cr_expect_eq(a->admin_count, -1);
	cr_expect_eq(a->dialin, -1);
	cr_expect_not(a->has_enctypes);
	cr_expect_eq(a->pwd_state, PWD_ABSENT);
	cr_expect_eq(a->pwd_last_set, TIME_NEVER);
	cr_expect_eq(a->last_logon, TIME_NEVER);
	cr_expect_eq(a->last_logon_ts, TIME_NEVER);
	cr_expect_eq(a->when_created, TIME_NEVER);
	cr_expect_eq(a->nspns, 0);
	cr_expect_eq(dir_account_more(a)->nsid_history, 0);
	cr_expect_null(a->more, "nothing rare: nothing kept apart");
	dir_release(&d);
}

Test(dir, dialin_false_and_case)
{
	struct dir d;

	load(&d, "dn: CN=a," USERS "\nobjectClass: user\nsAMAccountName: a\nmsNPAllowDialin: FALSE\n"
		 "\n"
		 "dn: CN=b," USERS "\nobjectClass: user\nsAMAccountName: b\nmsNPAllowDialin: True\n");
	cr_expect_eq(account(&d, "a")->dialin, 0);
	cr_expect_eq(account(&d, "b")->dialin, 1);
	dir_release(&d);
}

Test(dir, pwd_last_set_zero_is_must_change)
{
	struct dir d;
	struct account *a;

	load(&d, "dn: CN=new," USERS "\nobjectClass: user\nsAMAccountName: new\npwdLastSet: 0\n");
	a = account(&d, "new");
	cr_expect_eq(a->pwd_state, PWD_MUST_CHANGE);
	cr_expect_eq(a->pwd_last_set, TIME_NEVER);
	dir_release(&d);
}

Test(dir, account_expires_never_values)
{
	struct dir d;

	load(&d, "dn: CN=a," USERS "\nobjectClass: user\nsAMAccountName: a\naccountExpires: 0\n"
		 "\n"
		 "dn: CN=b," USERS "\nobjectClass: user\nsAMAccountName: b\n"
		 "accountExpires: 9223372036854775807\n"
		 "\n"
		 "dn: CN=c," USERS "\nobjectClass: user\nsAMAccountName: c\n"
		 "accountExpires: 133000000000000000\n");
	cr_expect_eq(account(&d, "a")->account_expires, TIME_NEVER);
	cr_expect_eq(account(&d, "b")->account_expires, TIME_NEVER);
	cr_expect_eq(account(&d, "c")->account_expires, 1655526400);
	dir_release(&d);
}

Test(dir, last_value_of_a_single_valued_attribute_wins)
{
	struct dir d;

	load(&d, "dn: CN=a," USERS "\nobjectClass: user\nsAMAccountName: a\n"
		 "userAccountControl: 512\nuserAccountControl: 514\n");
	cr_expect_eq(account(&d, "a")->uac, 514u);
	dir_release(&d);
}

Test(dir, unknown_attributes_are_ignored)
{
	struct dir d;

	load(&d, "dn: CN=a," USERS "\nobjectClass: user\nsAMAccountName: a\n"
		 "jpegPhoto:: /9j/4AAQ\n"
		 "msExchMailboxGuid: not-a-guid\n"
		 "telephoneNumber: +81 3 1234\n");
	cr_expect_eq(d.naccounts, 1);
	cr_expect_eq(d.seen[OBJ_USER], ATTR_BIT(ATTR_OBJECTCLASS) | ATTR_BIT(ATTR_SAMACCOUNTNAME));
	dir_release(&d);
}

/*
 * Attribute names are remembered by spelling in a table of its own: names
 * that share their first and last bytes and length stay apart, and once
 * the table is full the names after are still looked up.
 */
Test(dir, attribute_names_beyond_the_name_cache)
{
	struct sbuf sb = SBUF_INIT;
	struct dir d;
	struct account *a;

	sbuf_addf(&sb, "dn: CN=a," USERS "\nobjectClass: user\n");
	/* unknown names of the lengths of those below, to share their slots */
	for (int i = 0; i < 2 * DIR_NAME_CACHE; i++)
		sbuf_addf(&sb, "u%0*d: v\n", (int[]){ 8, 10, 13, 17 }[i % 4], i);
	/* after the table has filled: names of the same ends and lengths */
	sbuf_addf(&sb, "sAMAccountName: a\nsAMAccountType: 805306368\n"
		       "whenCreated: 20200101000000.0Z\nwhenChanged: 20210101000000.0Z\n"
		       "lastLogon: 132539328000000000\n"
		       "userAccountControl: 66048\nuserAccountCOntrol: 66050\n");
	load(&d, sb.buf);
	a = account(&d, "a");
	cr_assert_not_null(a);
	cr_expect_eq(a->uac, 66050u, "a second spelling is the same attribute");
	cr_expect_neq(a->when_created, a->when_changed);
	cr_expect_eq(d.seen[OBJ_USER],
		     ATTR_BIT(ATTR_OBJECTCLASS) | ATTR_BIT(ATTR_SAMACCOUNTNAME) |
			     ATTR_BIT(ATTR_SAMACCOUNTTYPE) | ATTR_BIT(ATTR_WHENCREATED) |
			     ATTR_BIT(ATTR_WHENCHANGED) | ATTR_BIT(ATTR_LASTLOGON) |
			     ATTR_BIT(ATTR_USERACCOUNTCONTROL));
	dir_release(&d);
	sbuf_release(&sb);
}

/* Names of every length from 1 to 36 ("a", "ab", ...), as extra attributes. */
static void name_ladder(char names[36][40], const char *extra[36])
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";

	for (size_t len = 1; len <= 36; len++) {
		memcpy(names[len - 1], letters, len);
		names[len - 1][len] = '\0';
		extra[len - 1] = names[len - 1];
	}
}

/*
 * A name is remembered by its bytes, not by what they hash to: names of
 * every length from 1 to 36 (extra attributes of a policy), each with one
 * byte changed at every place, are told apart from them whichever of the
 * two comes first.
 */
Test(dir, attribute_names_one_byte_apart_at_any_length)
{
	char names[36][40];
	const char *extra[36];

	name_ladder(names, extra);
	for (int first = 0; first < 2; first++) {
		for (size_t len = 1; len <= 36; len++) {
			for (size_t at = 0; at < len; at++) {
				struct dir d;
				char other[40];
				uint64_t bits, other_bits;
				int id, other_id;

				dir_init(&d, extra, 36);
				memcpy(other, names[len - 1], len + 1);
				other[at] = '_';
				if (first) {
					other_id = dir_attr_classify(&d, other, len, &other_bits);
					id = dir_attr_classify(&d, names[len - 1], len, &bits);
				} else {
					id = dir_attr_classify(&d, names[len - 1], len, &bits);
					other_id = dir_attr_classify(&d, other, len, &other_bits);
				}
				cr_assert_eq(id, -1);
				cr_assert_eq(bits, UINT64_C(1) << (len - 1), "\"%s\"", names[len - 1]);
				cr_assert_eq(other_id, -1);
				cr_assert_eq(other_bits, 0, "\"%s\" taken for \"%s\"", other,
					     names[len - 1]);
				dir_release(&d);
			}
		}
	}
}

/* Find "dn", name and "dn" in turn: name is then the spelling expected next. */
static void follow(struct dir *d, const char *name, size_t len)
{
	uint64_t bits;

	dir_attr_seen(d, "dn", 2, &bits);
	dir_attr_seen(d, name, len, &bits);
	dir_attr_seen(d, "dn", 2, &bits);
}

/*
 * The spelling that followed the last one found is taken from a line only
 * when the line starts with it byte for byte and then a colon: not when a
 * byte differs at any place, nor when the name goes on, has options, or
 * has no colon after it (every length from 1 to 36).
 */
Test(dir, attribute_name_predicted_only_when_the_line_starts_with_it)
{
	static const char *const after[] = { "x: v", ";range=0-*: v", " : v", "; v" };
	char names[36][40];
	const char *extra[36];

	name_ladder(names, extra);
	for (size_t len = 1; len <= 36; len++) {
		const char *name = names[len - 1];
		struct sbuf line = SBUF_INIT;
		struct dir d;
		uint64_t bits;
		size_t nlen = 0;

		dir_init(&d, extra, 36);
		dir_attr_classify(&d, "dn", 2, &bits);
		dir_attr_classify(&d, name, len, &bits);
		for (int round = 0; round < 2; round++) {
			follow(&d, name, len);
			sbuf_reset(&line);
			sbuf_addf(&line, "%s: v", name);
			cr_assert_eq(dir_attr_next(&d, line.buf, line.len, &nlen, &bits), -1, "%s",
				     line.buf);
			cr_assert_eq(bits, UINT64_C(1) << (len - 1), "%s", line.buf);
			cr_assert_eq(nlen, len);
		}
		for (size_t at = 0; at < len; at++) {
			follow(&d, name, len);
			sbuf_reset(&line);
			sbuf_addf(&line, "%s: v", name);
			line.buf[at] = '_';
			cr_assert_eq(dir_attr_next(&d, line.buf, line.len, &nlen, &bits), DIR_ATTR_UNSEEN,
				     "%s", line.buf);
		}
		for (size_t k = 0; k < sizeof(after) / sizeof(*after); k++) {
			follow(&d, name, len);
			sbuf_reset(&line);
			sbuf_addf(&line, "%s%s", name, after[k]);
			cr_assert_eq(dir_attr_next(&d, line.buf, line.len, &nlen, &bits), DIR_ATTR_UNSEEN,
				     "%s", line.buf);
		}
		/* a line that ends with the name, though a colon follows in memory */
		follow(&d, name, len);
		sbuf_reset(&line);
		sbuf_addf(&line, "%s:", name);
		cr_assert_eq(dir_attr_next(&d, line.buf, len, &nlen, &bits), DIR_ATTR_UNSEEN, "%s",
			     name);
		/* a shorter name that the line's colon follows */
		follow(&d, name, len);
		sbuf_reset(&line);
		sbuf_addf(&line, "%.*s: v", (int)len - 1, name);
		cr_assert_eq(dir_attr_next(&d, line.buf, line.len, &nlen, &bits), DIR_ATTR_UNSEEN, "%s",
			     line.buf);
		sbuf_release(&line);
		dir_release(&d);
	}
}

/* Names of one repeated byte share their words at every length: the length tells them apart. */
Test(dir, attribute_names_of_one_byte_repeated_differ_by_length)
{
	const char *extra[] = { "aaaaaaaaa" };
	struct dir d;
	uint64_t bits;

	dir_init(&d, extra, 1);
	for (size_t n = 8; n <= 40; n++) {
		char name[41];

		memset(name, 'a', n);
		cr_assert_eq(dir_attr_classify(&d, name, n, &bits), -1);
		cr_assert_eq(bits, n == 9 ? 1u : 0u, "length %zu", n);
		cr_assert_eq(dir_attr_seen(&d, name, n, &bits), -1, "length %zu", n);
		cr_assert_eq(bits, n == 9 ? 1u : 0u, "length %zu seen", n);
	}
	dir_release(&d);
}

/*
 * Names alike in length and in their first and last eight bytes stay
 * apart: in the eight bytes after the first (a name of 18), and beyond
 * them (a name of 29).
 */
Test(dir, attribute_names_alike_at_both_ends)
{
	struct dir d;

	load(&d, "dn: CN=a," USERS "\nobjectClass: user\nsAMAccountName: a\n"
		 "userAccountControl: 66048\nuserAccoXYtControl: 2\n"
		 "msDS-SupportedEncryptionTypes: 24\nmsDS-SupportedEnXXXXXionTypes: 4\n"
		 "\n"
		 "dn: CN=b," USERS "\nobjectClass: user\nsAMAccountName: b\n"
		 "userAccoXYtControl: 2\nuserAccountControl: 512\n"
		 "msDS-SupportedEnXXXXXionTypes: 4\nmsDS-SupportedEncryptionTypes: 16\n");
	cr_expect_eq(account(&d, "a")->uac, 66048u);
	cr_expect_eq(account(&d, "b")->uac, 512u);
	cr_expect_eq(account(&d, "a")->enctypes, 24u);
	cr_expect_eq(account(&d, "b")->enctypes, 16u);
	dir_release(&d);
}

/*
 * The LDIF reader leaves out what the directory ignores, and it is still
 * read as LDIF: a bad value of an ignored attribute is an error, and a
 * reader for another purpose is given every attribute.
 */
static int count_attrs(void *data, const struct raw_entry *e, struct error *err)
{
	(void)err;
	*(size_t *)data += e->nattrs;
	return 0;
}

Test(dir, ignored_attributes_are_still_parsed)
{
	struct dir d;
	struct error err = ERROR_INIT;
	const char *bad = "dn: CN=a," USERS "\nobjectClass: user\nsAMAccountName: a\n"
			  "jpegPhoto:: /9j/4A*Q\n";
	const char *good = "dn: CN=a," USERS "\nobjectClass: user\nsAMAccountName: a\n"
			   "jpegPhoto:: /9j/4AAQ\n";
	size_t nattrs = 0;

	dir_init(&d, NULL, 0);
	cr_expect_eq(ldif_load_mem(&d, bad, strlen(bad), "t.ldif", &err), -1);
	cr_expect_str_eq(err.msg, "t.ldif:4:19: invalid base64 value");
	dir_release(&d);
	cr_expect_eq(ldif_read_mem(good, strlen(good), "t.ldif", count_attrs, &nattrs, &err), 0);
	cr_expect_eq(nattrs, 3);
}

/* ---- duplicates and lookups -------------------------------------------- */

Test(dir, duplicate_dn_is_an_error)
{
	expect_error("dn: CN=a," USERS "\nobjectClass: user\n"
		     "\n"
		     "dn: cn=A, cn=users, dc=CORP, dc=example, dc=test\nobjectClass: user\n",
		     "t.ldif:4: duplicate entry \"cn=A, cn=users, dc=CORP, dc=example, dc=test\"");
}

Test(dir, duplicate_dn_across_kinds_is_an_error)
{
	expect_error("dn: CN=a," USERS "\nobjectClass: user\n"
		     "\n"
		     "dn: CN=a," USERS "\nobjectClass: group\n",
		     "t.ldif:4: duplicate entry \"CN=a," USERS "\"");
}

Test(dir, find_by_dn_ignores_case_and_spacing)
{
	struct dir d;
	struct dir_obj *o;

	load(&d, "dn: CN=Alice Smith,OU=Sales Dept," USERS "\nobjectClass: user\n"
		 "sAMAccountName: alice\n"
		 "\n"
		 "dn: CN=Smith\\, John," USERS "\nobjectClass: user\nsAMAccountName: jsmith\n");
	o = dir_find_by_dn(&d, "cn=alice smith, ou=sales dept, cn=USERS, DC = corp,dc=example ,dc=test");
	cr_assert_not_null(o);
	cr_expect_str_eq(o->sam, "alice");
	cr_expect_null(dir_find_by_dn(&d, "CN=Alice  Smith,OU=Sales Dept," USERS),
		       "inner spaces matter");
	cr_expect_null(dir_find_by_dn(&d, "CN=Alice Smith," USERS));
	o = dir_find_by_dn(&d, "cn=smith\\, john,cn=users,dc=corp,dc=example,dc=test");
	cr_assert_not_null(o);
	cr_expect_str_eq(o->sam, "jsmith");
	cr_expect_null(dir_find_by_dn(&d, "cn=smith,cn=john,cn=users,dc=corp,dc=example,dc=test"));
	dir_release(&d);
}

/* The directory from ldif read as a stream: the LDIF reader's thread hashes the member DNs. */
static void load_stream(struct dir *d, const char *ldif)
{
	struct error err = ERROR_INIT;
	FILE *fp = fmemopen((void *)ldif, strlen(ldif), "r");

	cr_assert_not_null(fp);
	dir_init(d, NULL, 0);
	cr_assert_eq(ldif_read(fp, "t.ldif", dir_add_cb, d, &err), 0, "rejected: %s", err.msg);
	fclose(fp);
}

/*
 * The DN map files an object under its DN as read, unless its normalised
 * DN is more than the DN in lower case: every spelling finds it either way.
 * loader reads the LDIF, in memory (the directory normalises the member
 * DNs) or as a stream (the reader does, and passes a plain one as written).
 */
static void dn_spellings(void (*loader)(struct dir *, const char *))
{
	static const char *const alice[] = {
		"CN=Alice Smith,OU=Sales Dept," USERS,
		"cn=alice smith,ou=sales dept,cn=users,dc=corp,dc=example,dc=test",
		"CN=ALICE SMITH,OU=SALES DEPT,CN=USERS,DC=CORP,DC=EXAMPLE,DC=TEST",
		"cn = Alice Smith , ou= Sales Dept,cn=Users ,DC=corp,dc=example,dc=test",
	};
	static const char *const bob[] = {
		"cn = Bob , OU=IT,  cn=Users,DC=corp,DC=example,DC=test",
		"cn=bob,ou=it,cn=users,dc=corp,dc=example,dc=test",
		"CN=BOB,OU=IT," USERS,
		" Cn =bob,Ou = it ,CN=Users, DC=corp,DC=example,DC=test",
	};
	static const char *const smith[] = {
		"CN=Smith\\, John," USERS,
		"cn=smith\\, john,cn=users,dc=corp,dc=example,dc=test",
		"cn = SMITH\\, JOHN , CN=USERS,DC=corp,DC=example,DC=test",
	};
	struct dir d;
	struct dir_obj *a, *b, *s, *e;
	struct sbuf sb = SBUF_INIT;

	/* a group first, its members read after it: they are looked up at resolution */
	loader(&d, "dn: CN=Early," USERS "\nobjectClass: group\n"
		 "member: cn=BOB,ou=it, CN=Users,DC=corp,DC=example,DC=test\n"
		 "member: CN=Alice Smith , OU=Sales Dept," USERS "\n"
		 /* neither space nor escape: waits as written, in lower case */
		 "member: CN=\xc3\x89LAN,CN=USERS,DC=corp,DC=example,DC=test\n"
		 "\n"
		 "dn: CN=Alice Smith,OU=Sales Dept," USERS "\nobjectClass: user\n"
		 "sAMAccountName: alice\n"
		 "\n"
		 "dn: cn = Bob , OU=IT,  cn=Users,DC=corp,DC=example,DC=test\nobjectClass: user\n"
		 "sAMAccountName: bob\n"
		 "\n"
		 "dn: CN=Smith\\, John," USERS "\nobjectClass: user\nsAMAccountName: jsmith\n"
		 "\n"
		 /* CN=Élan: non-ASCII letters do not fold */
		 "dn:: Q049w4lsYW4sQ049VXNlcnMsREM9Y29ycCxEQz1leGFtcGxlLERDPXRlc3Q=\n"
		 "objectClass: user\nsAMAccountName: elan\n"
		 "\n"
		 /* its members read before it: looked up while reading */
		 "dn: CN=Late," USERS "\nobjectClass: group\n"
		 "member: CN=BOB,OU=IT," USERS "\n"
		 "member: cn=alice smith,ou=sales dept,cn=users,dc=corp,dc=example,dc=test\n"
		 "member: CN=SMITH\\, JOHN," USERS "\n"
		 "member: CN=\xc3\x89LAN," USERS "\n");
	a = dir_find_by_dn(&d, alice[0]);
	b = dir_find_by_dn(&d, bob[0]);
	s = dir_find_by_dn(&d, smith[0]);
	e = dir_find_by_dn(&d, "CN=\xc3\x89lan," USERS);
	cr_assert(a && b && s && e);
	cr_expect_str_eq(a->sam, "alice");
	cr_expect_str_eq(b->sam, "bob");
	cr_expect_str_eq(s->sam, "jsmith");
	cr_expect_str_eq(e->sam, "elan");
	cr_expect_not(a->ndn_apart, "case only: the DN alone is kept");
	cr_expect_not(s->ndn_apart);
	cr_expect(b->ndn_apart, "spaces around separators: the normalised DN is kept too");
	cr_expect_str_eq(b->dn, bob[0], "the DN stays as read");
	for (size_t i = 0; i < sizeof(alice) / sizeof(alice[0]); i++)
		cr_expect_eq(dir_find_by_dn(&d, alice[i]), a, "%s", alice[i]);
	for (size_t i = 0; i < sizeof(bob) / sizeof(bob[0]); i++)
		cr_expect_eq(dir_find_by_dn(&d, bob[i]), b, "%s", bob[i]);
	for (size_t i = 0; i < sizeof(smith) / sizeof(smith[0]); i++)
		cr_expect_eq(dir_find_by_dn(&d, smith[i]), s, "%s", smith[i]);
	cr_expect_null(dir_find_by_dn(&d, "CN=\xc3\xa9lan," USERS), "\xc3\x89 is not \xc3\xa9");
	cr_expect_null(dir_find_by_dn(&d, "CN=Smith,CN=John," USERS));
	cr_expect_eq(dir_find_name(&d, "cn=BOB , ou=IT,cn=users,dc=corp,dc=example,dc=test"), b);

	cr_expect_str_eq(dir_obj_ndn(a, &sb), alice[1]);
	cr_expect_str_eq(dir_obj_ndn(b, &sb), bob[1]);
	cr_expect_str_eq(dir_obj_ndn(s, &sb), smith[1]);
	cr_expect_str_eq(dir_obj_ndn(e, &sb), "cn=\xc3\x89lan,cn=users,dc=corp,dc=example,dc=test");
	cr_expect(dir_obj_ndn_eq(a, alice[1]));
	cr_expect(dir_obj_ndn_eq(b, bob[1]));
	cr_expect_not(dir_obj_ndn_eq(b, alice[1]));
	cr_expect_not(dir_obj_ndn_eq(a, "cn=alice smith,ou=sales dept,cn=users,dc=corp,dc=example"));
	/* ordered as strcmp orders the normalised DNs */
	cr_expect_lt(dir_obj_ndn_cmp(a, b), 0);
	cr_expect_gt(dir_obj_ndn_cmp(e, s), 0, "0xc3 sorts after ASCII");
	cr_expect_eq(dir_obj_ndn_cmp(b, b), 0);
	cr_expect_null(dir_obj_ndn(&d.domain.h, &sb), "no domain head read");
	cr_expect_gt(dir_obj_ndn_cmp(&d.domain.h, a), 0, "no DN sorts last");

	/* Late's members were looked up as they were read */
	cr_assert_eq(d.ngroups, 2);
	cr_assert_eq(d.groups[1]->nmember_objs, 4);
	cr_expect_eq(d.groups[1]->member_objs[0], b);
	cr_expect_eq(d.groups[1]->member_objs[1], a);
	cr_expect_eq(d.groups[1]->member_objs[2], s);
	cr_expect_null(d.groups[1]->pending);
	cr_expect_eq(d.groups[1]->member_objs[3], e);
	/* Early's wait as DNs, for dir_resolve to look up */
	cr_assert_eq(d.groups[0]->npending, 3);
	cr_expect_eq(dir_find_by_dn(&d, pending_dn(&d, d.groups[0], 0, &sb)), b);
	cr_expect_eq(dir_find_by_dn(&d, pending_dn(&d, d.groups[0], 1, &sb)), a);
	cr_expect_str_eq(pending_dn(&d, d.groups[0], 2, &sb),
			 "cn=\xc3\x89lan,cn=users,dc=corp,dc=example,dc=test");
	{
		struct dir_obj *found[3];

		dir_find_pending(&d, d.groups[0], found);
		cr_expect_eq(found[0], b);
		cr_expect_eq(found[1], a);
		cr_expect_eq(found[2], e);
	}
	sbuf_release(&sb);
	dir_release(&d);
}

Test(dir, dn_kept_once_yet_found_by_every_spelling)
{
	dn_spellings(load);
}

Test(dir, dn_kept_once_yet_found_by_every_spelling_read_as_a_stream)
{
	dn_spellings(load_stream);
}

Test(dir, find_name_by_sam_dn_or_sid)
{
	struct dir d;
	struct dir_obj *vpn;

	load(&d, "dn: CN=Alice Smith," USERS "\nobjectClass: user\nsAMAccountName: alice\n"
		 "objectSid: S-1-5-21-1-2-3-1105\n"
		 "\n"
		 "dn: CN=VPN Users," USERS "\nobjectClass: group\nsAMAccountName: VPN-Users\n"
		 "objectSid: s-1-5-21-1-2-3-1300\n"
		 "\n"
		 "dn: CN=weird," USERS "\nobjectClass: group\nsAMAccountName: a=b\n");
	vpn = dir_find_by_dn(&d, "CN=VPN Users," USERS);
	cr_assert_not_null(vpn);
	cr_expect_eq(dir_find_name(&d, "VPN-Users"), vpn);
	cr_expect_eq(dir_find_name(&d, "vpn-users"), vpn, "sAMAccountName is case-insensitive");
	cr_expect_eq(dir_find_name(&d, "cn=vpn users, cn=users,dc=corp,dc=example,dc=test"), vpn);
	cr_expect_eq(dir_find_name(&d, "S-1-5-21-1-2-3-1300"), vpn);
	cr_expect_eq(dir_find_by_sid(&d, "S-1-5-21-1-2-3-1300"), vpn);
	cr_expect_str_eq(dir_find_name(&d, "a=b")->sam, "a=b", "a name with = that is no DN");
	/* accounts are found by DN only: the policy names groups */
	cr_expect_eq(dir_find_name(&d, "CN=Alice Smith," USERS), dir_find_by_dn(&d, "CN=Alice Smith," USERS));
	cr_expect_null(dir_find_name(&d, "alice"));
	cr_expect_null(dir_find_name(&d, "S-1-5-21-1-2-3-1105"));
	cr_expect_null(dir_find_name(&d, "nobody"));
	cr_expect_null(dir_find_name(&d, "S-1-5-21-1-2-3-4242"));
	cr_expect_null(dir_find_name(&d, "CN=nobody," USERS));
	dir_release(&d);
}

Test(dir, first_object_with_a_sam_account_name_wins)
{
	struct dir d;

	load(&d, "dn: CN=one," USERS "\nobjectClass: group\nsAMAccountName: dup\n"
		 "\n"
		 "dn: CN=two," USERS "\nobjectClass: group\nsAMAccountName: DUP\n");
	cr_expect_str_eq(dir_find_name(&d, "dup")->dn, "CN=one," USERS);
	cr_expect_eq(d.ngroups, 2);
	dir_release(&d);
}

/* ---- extra attributes and seen bits ------------------------------------ */

Test(dir, extra_attributes_are_kept_per_account)
{
	static const char *const extra[] = { "extensionAttribute7", "employeeID" };
	struct dir d;
	struct account *a;
	const struct dir_value *v;
	size_t n = 0;

	load_extra(&d,
		   "dn: CN=a," USERS "\nobjectClass: user\nsAMAccountName: a\n"
		   "EXTENSIONATTRIBUTE7: mfa\n"
		   "extensionAttribute7: yubikey\n"
		   "employeeID;binary: 42\n"
		   "manager: CN=boss," USERS "\n"
		   "\n"
		   "dn: CN=WS1,CN=Computers,DC=x\nobjectClass: computer\nsAMAccountName: WS1$\n"
		   "\n"
		   "dn: CN=G," USERS "\nobjectClass: group\nemployeeID: 7\n",
		   extra, 2);
	cr_assert_eq(d.nextra, 2);
	cr_expect_str_eq(d.extra_names[0], "extensionAttribute7");
	a = account(&d, "a");
	v = dir_extra_first(a, 0);
	cr_assert_not_null(v);
	for (const struct dir_value *p = a->extra; p; p = p->next)
		if (p->attr == 0) {
			cr_expect(strcmp(p->val, "mfa") == 0 || strcmp(p->val, "yubikey") == 0,
				  "value %s", p->val);
			n++;
		}
	cr_expect_eq(n, 2, "both values of the multi-valued extra attribute");
	v = dir_extra_first(a, 1);
	cr_assert_not_null(v);
	cr_expect_str_eq(v->val, "42");
	cr_expect_eq(d.extra_seen[OBJ_USER], 3u);
	cr_expect_eq(d.extra_seen[OBJ_COMPUTER], 0u);
	cr_expect_eq(d.extra_seen[OBJ_GROUP], 0u, "extras are read on accounts only");
	cr_expect_null(dir_extra_first(account(&d, "WS1$"), 0));
	dir_release(&d);
}

/*
 * The policy may name a fixed attribute as an extra one (mfa.attribute
 * "info", vpn.unowned's required_attributes ["userPrincipalName"]): the
 * readers of extras (resolve.c, checks/vpn.c) look for it among the
 * extras, so it must be kept there too.
 */
Test(dir, extra_attribute_that_is_also_a_fixed_one_is_kept)
{
	static const char *const extra[] = { "info", "userPrincipalName" };
	struct dir d;
	struct account *a;
	const struct dir_value *v;

	load_extra(&d,
		   "dn: CN=a," USERS "\nobjectClass: user\nsAMAccountName: a\n"
		   "info: mfa\nuserPrincipalName: a@corp.example.test\n",
		   extra, 2);
	a = account(&d, "a");
	cr_expect_str_eq(dir_account_more(a)->info, "mfa", "the fixed field is filled");
	v = dir_extra_first(a, 0);
	cr_expect_not_null(v, "info is not kept as an extra attribute");
	if (v)
		cr_expect_str_eq(v->val, "mfa");
	v = dir_extra_first(a, 1);
	cr_expect_not_null(v, "userPrincipalName is not kept as an extra attribute");
	cr_expect_eq(d.extra_seen[OBJ_USER], 3u);
	dir_release(&d);
}

Test(dir, seen_bits_per_kind)
{
	struct dir d;

	load(&d, "dn: CN=a," USERS "\nobjectClass: user\nsAMAccountName: a\n"
		 "lastLogonTimestamp: 133000000000000000\n"
		 "\n"
		 "dn: CN=WS1,CN=Computers,DC=x\nobjectClass: computer\nsAMAccountName: WS1$\n"
		 "lastLogon: 133000000000000000\nuserAccountControl: 4096\n"
		 "\n"
		 "dn: CN=G," USERS "\nobjectClass: group\nmember: CN=a," USERS "\n");
	cr_expect(d.seen[OBJ_USER] & ATTR_BIT(ATTR_LASTLOGONTIMESTAMP));
	cr_expect_not(d.seen[OBJ_USER] & ATTR_BIT(ATTR_LASTLOGON));
	cr_expect_not(d.seen[OBJ_USER] & ATTR_BIT(ATTR_USERACCOUNTCONTROL));
	cr_expect(d.seen[OBJ_COMPUTER] & ATTR_BIT(ATTR_LASTLOGON));
	cr_expect(d.seen[OBJ_COMPUTER] & ATTR_BIT(ATTR_USERACCOUNTCONTROL));
	cr_expect_not(d.seen[OBJ_COMPUTER] & ATTR_BIT(ATTR_LASTLOGONTIMESTAMP));
	cr_expect(d.seen[OBJ_GROUP] & ATTR_BIT(ATTR_MEMBER));
	cr_expect_eq(d.seen[OBJ_GMSA], 0u);
	cr_expect_eq(account(&d, "a")->h.seen,
		     ATTR_BIT(ATTR_OBJECTCLASS) | ATTR_BIT(ATTR_SAMACCOUNTNAME) |
			     ATTR_BIT(ATTR_LASTLOGONTIMESTAMP));
	dir_release(&d);
}

Test(dir, attribute_names_round_trip)
{
	for (int i = 0; i < ATTR_COUNT; i++) {
		const char *name = dir_attr_name((enum dir_attr)i);

		cr_assert_not_null(name, "attribute %d has no name", i);
		cr_expect_eq(dir_attr_lookup(name), i, "%s", name);
	}
	cr_expect_eq(dir_attr_lookup("LASTLOGONTIMESTAMP"), ATTR_LASTLOGONTIMESTAMP);
	cr_expect_eq(dir_attr_lookup("msds-supportedencryptiontypes"), ATTR_SUPPORTEDENCTYPES);
	cr_expect_eq(dir_attr_lookup("jpegPhoto"), -1);
	cr_expect_null(dir_attr_name(ATTR_COUNT));
}

/* ---- hmap (the lookups' map) ------------------------------------------- */

Test(hmap, put_get_case_insensitive)
{
	struct hmap m = HMAP_INIT;
	int a = 1, b = 2;

	cr_expect_null(hmap_get(&m, "x"), "empty map");
	cr_expect_eq(hmap_put(&m, "Domain Admins", &a), &a);
	cr_expect_eq(hmap_get(&m, "domain admins"), &a);
	cr_expect_eq(hmap_get(&m, "DOMAIN ADMINS"), &a);
	cr_expect_eq(hmap_put(&m, "DOMAIN admins", &b), &a, "the first value stays");
	cr_expect_eq(hmap_get(&m, "Domain Admins"), &a);
	cr_expect_eq(m.count, 1);
	cr_expect_null(hmap_get(&m, "Domain Admin"));
	hmap_release(&m);
	cr_expect_null(hmap_get(&m, "Domain Admins"));
}

/*
 * Every byte counts in a hash: keys of every length up to 40 hash apart
 * from the same key with one byte changed at any place, folded or not,
 * and a key hashes folded as its lower case does.
 */
Test(hmap, every_byte_of_a_key_counts_in_its_hash)
{
	char key[41], other[41], lower[41];

	for (size_t len = 1; len <= 40; len++) {
		for (size_t i = 0; i < len; i++) {
			key[i] = (char)('A' + (i * 7 + len) % 26);
			lower[i] = (char)(key[i] + 32);
		}
		cr_assert_eq(hmap_hash_folded(key, len), hmap_hash_bytes(lower, len), "length %zu", len);
		for (size_t at = 0; at < len; at++) {
			memcpy(other, key, len);
			other[at] = '0';
			cr_assert_neq(hmap_hash_bytes(key, len), hmap_hash_bytes(other, len),
				      "length %zu, byte %zu", len, at);
			cr_assert_neq(hmap_hash_folded(key, len), hmap_hash_folded(other, len),
				      "length %zu, byte %zu", len, at);
		}
	}
}

Test(hmap, grows_and_keeps_every_key)
{
	static char keys[3000][16];
	static int vals[3000];
	struct hmap m = HMAP_INIT;

	for (int i = 0; i < 3000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "key-%d", i);
		vals[i] = i;
		cr_assert_eq(hmap_put(&m, keys[i], &vals[i]), &vals[i]);
	}
	cr_expect_eq(m.count, 3000);
	cr_expect_lt(m.count * 10, m.size * 7, "load stays under 70%%");
	for (int i = 0; i < 3000; i++) {
		char k[16];

		snprintf(k, sizeof(k), "KEY-%d", i);
		cr_assert_eq(hmap_get(&m, k), &vals[i], "%s", k);
	}
	cr_expect_null(hmap_get(&m, "key-3000"));
	hmap_release(&m);
}

/*
 * A map told how many entries are coming takes its size at once: filling
 * it to that count does not grow it, and a reserve on a map holding
 * entries keeps them. A reserve for fewer than it holds changes nothing.
 */
Test(hmap, reserve_sizes_once_and_keeps_entries)
{
	static char keys[5000][16];
	static int vals[5000];
	struct hmap m = HMAP_INIT;
	struct hmap_slot *slots;
	size_t size;

	for (int i = 0; i < 5000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "key-%d", i);
		vals[i] = i;
	}
	for (int i = 0; i < 100; i++)
		cr_assert_eq(hmap_put(&m, keys[i], &vals[i]), &vals[i]);
	hmap_reserve(&m, 5000);
	size = m.size;
	slots = m.slots;
	cr_expect_lt(5000 * 10, size * 7, "5000 entries fit under 70%% load");
	cr_expect_geq(5000 * 10, size / 2 * 7, "the least size that fits: %zu", size);
	for (int i = 0; i < 100; i++)
		cr_assert_eq(hmap_get(&m, keys[i]), &vals[i], "kept: %s", keys[i]);
	for (int i = 100; i < 4999; i++)
		cr_assert_eq(hmap_put(&m, keys[i], &vals[i]), &vals[i]);
	cr_expect_eq(m.size, size, "no growth up to the count reserved");
	cr_expect_eq(m.slots, slots);
	hmap_reserve(&m, 10);
	cr_expect_eq(m.size, size, "a smaller reserve changes nothing");
	cr_assert_eq(hmap_put(&m, keys[4999], &vals[4999]), &vals[4999]);
	for (int i = 0; i < 5000; i++)
		cr_assert_eq(hmap_get(&m, keys[i]), &vals[i], "%s", keys[i]);
	cr_expect_eq(m.count, 5000);
	hmap_release(&m);
}

/*
 * A map of several megabytes takes its slots in huge pages where the
 * kernel gives them; it keeps every key all the same, and the pipelined
 * lookups (hmap_get_many) find what single lookups find, misses too.
 */
Test(hmap, large_map_and_lookups_in_bulk)
{
	enum { N = 200000 };
	struct hmap m = { .mode = HMAP_FOLDED };
	char (*keys)[40] = xcalloc(N + 100, sizeof(*keys));
	const char **want = xcalloc(N + 100, sizeof(*want));
	uint64_t *h = xcalloc(N + 100, sizeof(*h));
	void **got = xcalloc(N + 100, sizeof(*got));
	bool *any_case = xcalloc(N + 100, sizeof(*any_case));
	size_t *lens = xcalloc(N + 100, sizeof(*lens));

	for (int i = 0; i < N + 100; i++) {
		snprintf(keys[i], sizeof(keys[i]), "CN=User%07d,OU=People,DC=x", i);
		if (i < N)
			cr_assert_eq(hmap_put(&m, keys[i], keys[i]), keys[i]);
	}
	cr_assert_geq(m.size * sizeof(*m.slots), (size_t)4 << 20);
	for (int i = 0; i < N + 100; i++) {
		char *low = dn_normalise(keys[i], strlen(keys[i]));

		/* looked up in lower case, as normalised DNs are */
		want[i] = low;
		h[i] = hmap_hash_bytes(low, strlen(low));
	}
	hmap_get_many(&m, want, NULL, h, N + 100, NULL, got);
	for (int i = 0; i < N + 100; i++) {
		if (i < N)
			cr_assert_eq(got[i], keys[i], "%s", keys[i]);
		else
			cr_assert_null(got[i], "%s", keys[i]);
		cr_assert_eq(hmap_get(&m, want[i]), got[i]);
		free((char *)want[i]);
	}
	/* looked up as written, in any case, every other key */
	for (int i = 0; i < N + 100; i++) {
		any_case[i] = i % 2;
		lens[i] = strlen(keys[i]);
		want[i] = any_case[i] ? keys[i] : dn_normalise(keys[i], strlen(keys[i]));
		h[i] = any_case[i] ? hmap_hash_folded(keys[i], strlen(keys[i]))
				   : hmap_hash_bytes(want[i], strlen(want[i]));
	}
	hmap_get_many(&m, want, lens, h, N + 100, any_case, got);
	for (int i = 0; i < N + 100; i++) {
		cr_assert_eq(got[i], i < N ? keys[i] : NULL, "%s", keys[i]);
		if (!any_case[i])
			free((char *)want[i]);
	}
	free(any_case);
	free(lens);
	hmap_release(&m);
	free(keys);
	free(want);
	free(h);
	free(got);
}

Test(hmap, exact_map_compares_bytes)
{
	struct hmap m = HMAP_INIT_EXACT;
	int a = 1, b = 2;

	cr_expect_eq(hmap_put(&m, "cn=a,dc=x", &a), &a);
	cr_expect_eq(hmap_get(&m, "cn=a,dc=x"), &a);
	cr_expect_null(hmap_get(&m, "CN=a,dc=x"), "an exact map does not fold case");
	cr_expect_eq(hmap_put(&m, "CN=a,dc=x", &b), &b, "a different key");
	cr_expect_eq(m.count, 2);
	hmap_release(&m);
}

Test(hmap, folded_map_keeps_keys_as_given_and_finds_them_in_lower_case)
{
	struct hmap m = HMAP_INIT_FOLDED;
	int a = 1, b = 2;
	const char *key = "CN=Alice Smith,CN=Users,DC=corp";

	cr_expect_eq(hmap_hash(&m, key), hmap_hash_exact("cn=alice smith,cn=users,dc=corp"),
		     "hashed as the key in lower case");
	cr_expect_eq(hmap_put(&m, key, &a), &a);
	cr_expect_eq(hmap_get(&m, "cn=alice smith,cn=users,dc=corp"), &a);
	cr_expect_eq(hmap_get_hashed(&m, "cn=alice smith,cn=users,dc=corp",
				     hmap_hash_exact("cn=alice smith,cn=users,dc=corp")), &a);
	cr_expect_null(hmap_get(&m, "cn=alice smith,cn=users,dc=cor"));
	cr_expect_eq(hmap_put(&m, "cn=ALICE SMITH,cn=users,dc=corp", &b), &a, "the same key");
	cr_expect_eq(m.count, 1);
	cr_expect_eq(hmap_put(&m, "cn=alice smith,cn=users,dc=corp,dc=x", &b), &b);
	cr_expect_eq(m.count, 2);
	hmap_release(&m);
}

Test(hmap, folded_map_takes_keys_of_any_length)
{
	struct hmap m = HMAP_INIT_FOLDED;
	static char big[70001], lower[70001], shorter[70001];
	int a = 1, b = 2;

	memset(big, 'X', sizeof(big) - 1);
	memset(lower, 'x', sizeof(lower) - 1);
	memset(shorter, 'x', sizeof(shorter) - 2);
	cr_expect_eq(hmap_put(&m, big, &a), &a);
	cr_expect_eq(hmap_put(&m, shorter, &b), &b);
	cr_expect_eq(hmap_get(&m, lower), &a);
	cr_expect_eq(hmap_get(&m, shorter), &b);
	cr_expect_eq(hmap_put(&m, "", &b), &b);
	cr_expect_eq(hmap_get(&m, ""), &b);
	cr_expect_null(hmap_get(&m, "x"));
	hmap_release(&m);
}
