/*
 * Tests of the acct family (checks/accounts.c): each check's firing and
 * non-firing cases, both sides of every threshold, who is skipped,
 * supersedes, escalation and overrides, unknown states, and the
 * password-in-description matcher on its own.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../../auditor/sbuf.h"
#include "../../auditor/timeutil.h"
#include "../../checks/accounts.h"
#include "../../checks/registry.h"
#include "../fixture.h"
#include "helpers.h"

/* Open an entry of the given objectClass chain; the caller adds attributes. */
static void entry(struct sbuf *sb, const char *container, const char *classes,
		  const char *sam, const char *sam_suffix, const char *sid, unsigned uac)
{
	sbuf_addf(sb,
		  "\ndn: CN=%s,%s\n"
		  "objectClass: top\n"
		  "objectClass: person\n"
		  "objectClass: organizationalPerson\n"
		  "objectClass: user\n"
		  "%s"
		  "cn: %s\n"
		  "sAMAccountName: %s%s\n"
		  "objectSid: %s\n"
		  "userAccountControl: %u\n",
		  sam, container, classes, sam, sam, sam_suffix, sid, uac);
}

static void user(struct sbuf *sb, const char *sam, unsigned rid, unsigned uac)
{
	char sid[64];

	snprintf(sid, sizeof(sid), "S-1-5-21-1-2-3-%u", rid);
	entry(sb, BASE, "", sam, "", sid, uac);
}

static void computer(struct sbuf *sb, const char *sam, unsigned rid, unsigned uac)
{
	char sid[64];

	snprintf(sid, sizeof(sid), "S-1-5-21-1-2-3-%u", rid);
	entry(sb, "CN=Computers,DC=corp,DC=example,DC=test", "objectClass: computer\n", sam,
	      "$", sid, uac);
}

static void gmsa(struct sbuf *sb, const char *sam, unsigned rid, unsigned uac)
{
	char sid[64];

	snprintf(sid, sizeof(sid), "S-1-5-21-1-2-3-%u", rid);
	entry(sb, "CN=Managed Service Accounts,DC=corp,DC=example,DC=test",
	      "objectClass: computer\nobjectClass: msDS-GroupManagedServiceAccount\n", sam, "$",
	      sid, uac);
}

/* Logged on last_days(+secs) ago, created long before. */
static void logon(struct sbuf *sb, long long days, long long secs)
{
	sbuf_addf(sb, "lastLogonTimestamp: %s\n", ft_ago(days, secs));
	sbuf_addf(sb, "whenCreated: %s\n", gt_ago(2000, 0));
	sbuf_addf(sb, "pwdLastSet: %s\n", ft_ago(10, 0));
}

/* Never logged on (lastLogonTimestamp 0), created days(+secs) ago. */
static void never(struct sbuf *sb, long long days, long long secs)
{
	sbuf_adds(sb, "lastLogonTimestamp: 0\n");
	sbuf_addf(sb, "whenCreated: %s\n", gt_ago(days, secs));
	sbuf_addf(sb, "pwdLastSet: %s\n", ft_ago(days, secs));
}

static struct fixture *run(struct sbuf *sb, const char *policy)
{
	struct fixture *fx;

	sbuf_adds(sb, "\n");
	fx = fixture_run(sb->buf, policy, NOW);
	sbuf_release(sb);
	return fx;
}

/* acct.stale */

Test(accounts, stale_fires_one_second_past_the_limit)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	const struct finding *f;

	user(&sb, "at-limit", 2101, 512);
	logon(&sb, 180, 0);
	user(&sb, "past-limit", 2102, 512);
	logon(&sb, 180, 1);
	user(&sb, "active", 2103, 512);
	logon(&sb, 1, 0);
	fx = run(&sb, NULL);

	cr_assert_not(fixture_has(fx, "acct.stale", "at-limit"));
	cr_assert_not(fixture_has(fx, "acct.stale", "active"));
	f = fixture_find(fx, "acct.stale", "past-limit");
	cr_assert_not_null(f);
	cr_assert_eq(f->severity, SEV_MEDIUM);
	cr_assert_str_eq(fixture_message(f), "no logon for 180 days (limit 180)");
	cr_assert_eq(ev_int(f, "limit_days"), 180);
	cr_assert_str_eq(json_string_value(json_object_get(finding_evidence(f), "last_logon")),
			 "2025-07-04T23:59:59Z");
	cr_assert_eq(fixture_count(fx, "acct.stale"), 1);
	fixture_free(fx);
}

Test(accounts, stale_uses_the_newest_of_lastlogon_and_timestamp)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "recent-dc", 2101, 512);
	logon(&sb, 400, 0);
	sbuf_addf(&sb, "lastLogon: %s\n", ft_ago(2, 0));
	fx = run(&sb, NULL);
	cr_assert_not(fixture_has(fx, "acct.stale", "recent-dc"));
	cr_assert_eq(fixture_status(fx, "acct.stale"), STATUS_PASS);
	fixture_free(fx);
}

Test(accounts, stale_honours_max_idle_days)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "d60", 2101, 512);
	logon(&sb, 60, 0);
	user(&sb, "d60s", 2102, 512);
	logon(&sb, 60, 1);
	fx = run(&sb, "{\"version\": 1, \"checks\": {\"acct.stale\": {\"max_idle_days\": 60}}}");
	cr_assert_not(fixture_has(fx, "acct.stale", "d60"));
	cr_assert(fixture_has(fx, "acct.stale", "d60s"));
	fixture_free(fx);
}

Test(accounts, stale_skips_disabled_and_non_users)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "disabled", 2101, 514);
	logon(&sb, 400, 0);
	user(&sb, "expired", 2102, 512);
	logon(&sb, 400, 0);
	sbuf_addf(&sb, "accountExpires: %s\n", ft_ago(0, 1));
	computer(&sb, "ws1", 2103, 4096);
	logon(&sb, 400, 0);
	gmsa(&sb, "gmsa1", 2104, 4096);
	logon(&sb, 400, 0);
	user(&sb, "krbtgt", 502, 512);
	logon(&sb, 400, 0);
	user(&sb, "Guest", 501, 512);
	logon(&sb, 400, 0);
	computer(&sb, "DC1", 1000, 532480);
	logon(&sb, 400, 0);
	user(&sb, "Administrator", 500, 512);
	logon(&sb, 400, 0);
	fx = run(&sb, NULL);

	cr_assert(fixture_has(fx, "acct.stale", "Administrator"));
	cr_assert_eq(fixture_count(fx, "acct.stale"), 1);
	fixture_free(fx);
}

Test(accounts, stale_treats_never_logged_on_as_idle_since_creation)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	const struct finding *f;

	user(&sb, "old-unused", 2101, 512);
	never(&sb, 180, 1);
	user(&sb, "young-unused", 2102, 512);
	never(&sb, 180, 0);
	/* hide acct.never-logged-on so that acct.stale shows */
	fx = run(&sb, "{\"version\": 1, \"checks\": "
		      "{\"acct.never-logged-on\": {\"enabled\": false}}}");
	cr_assert_eq(fixture_status(fx, "acct.never-logged-on"), STATUS_DISABLED);
	f = fixture_find(fx, "acct.stale", "old-unused");
	cr_assert_not_null(f);
	cr_assert_str_eq(fixture_message(f), "never logged on, created 180 days ago (limit 180)");
	cr_assert(json_is_null(json_object_get(finding_evidence(f), "last_logon")));
	cr_assert_not(fixture_has(fx, "acct.stale", "young-unused"));
	fixture_free(fx);
}

Test(accounts, never_logged_on_supersedes_stale)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "old-unused", 2101, 512);
	never(&sb, 400, 0);
	user(&sb, "idle", 2102, 512);
	logon(&sb, 400, 0);
	fx = run(&sb, NULL);
	cr_assert(fixture_has(fx, "acct.never-logged-on", "old-unused"));
	cr_assert_not(fixture_has(fx, "acct.stale", "old-unused"));
	/* an account that did log on is acct.stale's alone */
	cr_assert(fixture_has(fx, "acct.stale", "idle"));
	cr_assert_not(fixture_has(fx, "acct.never-logged-on", "idle"));
	fixture_free(fx);
}

Test(accounts, stale_unknown_without_logon_attributes)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "alice", 2101, 512);
	sbuf_addf(&sb, "whenCreated: %s\n", gt_ago(1000, 0));
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_status(fx, "acct.stale"), STATUS_UNKNOWN);
	cr_assert_not_null(strstr(reason(fx, "acct.stale"), "lastLogonTimestamp"));
	cr_assert_eq(fixture_status(fx, "acct.never-logged-on"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_count(fx, "acct.stale"), 0);
	cr_assert_eq(fixture_count(fx, "acct.never-logged-on"), 0);
	fixture_free(fx);
}

/* acct.never-logged-on */

Test(accounts, never_logged_on_fires_one_second_past_the_grace)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	const struct finding *f;

	user(&sb, "at-grace", 2101, 512);
	never(&sb, 30, 0);
	user(&sb, "past-grace", 2102, 512);
	never(&sb, 30, 1);
	user(&sb, "used", 2103, 512);
	logon(&sb, 1, 0);
	user(&sb, "disabled", 2104, 514);
	never(&sb, 400, 0);
	computer(&sb, "ws1", 2105, 4096);
	never(&sb, 400, 0);
	gmsa(&sb, "gmsa1", 2106, 4096);
	never(&sb, 400, 0);
	user(&sb, "krbtgt", 502, 512);
	never(&sb, 400, 0);
	user(&sb, "Guest", 501, 512);
	never(&sb, 400, 0);
	fx = run(&sb, NULL);

	cr_assert_not(fixture_has(fx, "acct.never-logged-on", "at-grace"));
	f = fixture_find(fx, "acct.never-logged-on", "past-grace");
	cr_assert_not_null(f);
	cr_assert_eq(f->severity, SEV_LOW);
	cr_assert_str_eq(fixture_message(f), "never logged on, created 30 days ago (grace 30)");
	cr_assert_eq(ev_int(f, "grace_days"), 30);
	cr_assert_eq(fixture_count(fx, "acct.never-logged-on"), 1);
	fixture_free(fx);
}

Test(accounts, never_logged_on_honours_grace_days)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "d7", 2101, 512);
	never(&sb, 7, 0);
	user(&sb, "d7s", 2102, 512);
	never(&sb, 7, 1);
	fx = run(&sb, "{\"version\": 1, \"checks\": "
		      "{\"acct.never-logged-on\": {\"grace_days\": 7}}}");
	cr_assert_not(fixture_has(fx, "acct.never-logged-on", "d7"));
	cr_assert(fixture_has(fx, "acct.never-logged-on", "d7s"));
	fixture_free(fx);
}

Test(accounts, never_logged_on_without_whencreated_fires)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	/* an unknown creation time cannot prove the account is within its grace */
	user(&sb, "mystery", 2101, 512);
	sbuf_adds(&sb, "lastLogonTimestamp: 0\n");
	user(&sb, "used", 2102, 512);
	logon(&sb, 1, 0);
	fx = run(&sb, NULL);
	cr_assert(fixture_has(fx, "acct.never-logged-on", "mystery"));
	fixture_free(fx);
}

/* acct.guest-enabled */

Test(accounts, guest_enabled_fires_on_rid_501_only)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	const struct finding *f;

	user(&sb, "Guest", 501, 512);
	logon(&sb, 1, 0);
	user(&sb, "guest2", 2101, 512); /* named like a guest, but not RID 501 */
	logon(&sb, 1, 0);
	fx = run(&sb, NULL);
	f = fixture_find(fx, "acct.guest-enabled", "Guest");
	cr_assert_not_null(f);
	cr_assert_eq(f->severity, SEV_HIGH);
	cr_assert_eq(fixture_count(fx, "acct.guest-enabled"), 1);
	fixture_free(fx);
}

Test(accounts, guest_disabled_or_expired_passes)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "Guest", 501, 514);
	logon(&sb, 1, 0);
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_status(fx, "acct.guest-enabled"), STATUS_PASS);
	fixture_free(fx);

	sb = ldif_start();
	user(&sb, "Guest", 501, 512);
	logon(&sb, 1, 0);
	sbuf_addf(&sb, "accountExpires: %s\n", ft_ago(1, 0));
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_status(fx, "acct.guest-enabled"), STATUS_PASS);
	fixture_free(fx);
}

Test(accounts, guest_missing_is_unknown)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "alice", 2101, 512);
	logon(&sb, 1, 0);
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_status(fx, "acct.guest-enabled"), STATUS_UNKNOWN);
	cr_assert_str_eq(reason(fx, "acct.guest-enabled"),
			 "no account with RID 501 (Guest) in the directory");
	fixture_free(fx);
}

/* acct.sid-history */

Test(accounts, sid_history_plain_is_medium)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	const struct finding *f;

	user(&sb, "migrated", 2101, 512);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "sIDHistory: S-1-5-21-9-8-7-1234\n");
	user(&sb, "native", 2102, 512);
	logon(&sb, 1, 0);
	user(&sb, "gone", 2103, 514);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "sIDHistory: S-1-5-21-9-8-7-512\n");
	fx = run(&sb, NULL);

	f = fixture_find(fx, "acct.sid-history", "migrated");
	cr_assert_not_null(f);
	cr_assert_eq(f->severity, SEV_MEDIUM);
	cr_assert_eq(json_array_size(json_object_get(finding_evidence(f), "sid_history")), 1);
	cr_assert_eq(json_array_size(json_object_get(finding_evidence(f), "privileged_sids")), 0);
	cr_assert_not(fixture_has(fx, "acct.sid-history", "native"));
	cr_assert_not(fixture_has(fx, "acct.sid-history", "gone"));
	cr_assert_eq(fixture_count(fx, "acct.sid-history"), 1);
	fixture_free(fx);
}

Test(accounts, sid_history_privileged_sid_escalates_to_high)
{
	static const char *const privileged[] = {
		"S-1-5-21-9-8-7-500", "S-1-5-21-9-8-7-512", "S-1-5-21-9-8-7-516",
		"S-1-5-21-9-8-7-518", "S-1-5-21-9-8-7-519", "S-1-5-21-9-8-7-520",
		"S-1-5-21-9-8-7-526", "S-1-5-21-9-8-7-527", "S-1-5-21-1-2-3-512",
		"S-1-5-32-544", "S-1-5-32-548", "S-1-5-32-549", "S-1-5-32-550",
		"S-1-5-32-551",
	};
	static const char *const plain[] = {
		"S-1-5-21-9-8-7-513", "S-1-5-21-9-8-7-1512", "S-1-5-32-545",
		"S-1-5-21-9-8-7-521", "S-1-5-21-9-8-7-525",
	};

	for (size_t i = 0; i < sizeof(privileged) / sizeof(privileged[0]); i++) {
		struct sbuf sb = ldif_start();
		struct fixture *fx;
		const struct finding *f;

		user(&sb, "migrated", 2101, 512);
		logon(&sb, 1, 0);
		sbuf_adds(&sb, "sIDHistory: S-1-5-21-9-8-7-1234\n");
		sbuf_addf(&sb, "sIDHistory: %s\n", privileged[i]);
		fx = run(&sb, NULL);
		f = fixture_find(fx, "acct.sid-history", "migrated");
		cr_assert_not_null(f, "%s", privileged[i]);
		cr_assert_eq(f->severity, SEV_HIGH, "%s not escalated", privileged[i]);
		cr_assert_eq(json_array_size(json_object_get(finding_evidence(f), "sid_history")), 2);
		cr_assert_str_eq(json_string_value(json_array_get(
					 json_object_get(finding_evidence(f), "privileged_sids"), 0)),
				 privileged[i]);
		fixture_free(fx);
	}
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		struct sbuf sb = ldif_start();
		struct fixture *fx;
		const struct finding *f;

		user(&sb, "migrated", 2101, 512);
		logon(&sb, 1, 0);
		sbuf_addf(&sb, "sIDHistory: %s\n", plain[i]);
		fx = run(&sb, NULL);
		f = fixture_find(fx, "acct.sid-history", "migrated");
		cr_assert_not_null(f, "%s", plain[i]);
		cr_assert_eq(f->severity, SEV_MEDIUM, "%s escalated", plain[i]);
		fixture_free(fx);
	}
}

Test(accounts, sid_history_severity_override_beats_escalation)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "migrated", 2101, 512);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "sIDHistory: S-1-5-21-9-8-7-512\n");
	fx = run(&sb, "{\"version\": 1, \"checks\": {\"acct.sid-history\": {\"severity\": \"low\"}}}");
	cr_assert_eq(fixture_find(fx, "acct.sid-history", "migrated")->severity, SEV_LOW);
	fixture_free(fx);
}

/* acct.primary-group */

Test(accounts, primary_group_expected_values_pass)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "u513", 2101, 512);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "primaryGroupID: 513\n");
	user(&sb, "u514", 2102, 512);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "primaryGroupID: 514\n");
	computer(&sb, "ws1", 2103, 4096);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "primaryGroupID: 515\n");
	gmsa(&sb, "gmsa1", 2104, 4096);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "primaryGroupID: 515\n");
	computer(&sb, "DC1", 1000, 532480);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "primaryGroupID: 516\n");
	computer(&sb, "RODC1", 2105, 0x1000 | 0x4000000);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "primaryGroupID: 521\n");
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_status(fx, "acct.primary-group"), STATUS_PASS);
	cr_assert_eq(fixture_count(fx, "acct.primary-group"), 0);
	fixture_free(fx);
}

Test(accounts, primary_group_mismatches_fire)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	const struct finding *f;

	user(&sb, "hidden-admin", 2101, 512);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "primaryGroupID: 512\n");
	user(&sb, "as-computer", 2102, 512);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "primaryGroupID: 515\n");
	computer(&sb, "ws1", 2103, 4096);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "primaryGroupID: 513\n");
	gmsa(&sb, "gmsa1", 2104, 4096);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "primaryGroupID: 512\n");
	computer(&sb, "DC1", 1000, 532480);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "primaryGroupID: 515\n");
	computer(&sb, "RODC1", 2105, 0x1000 | 0x4000000);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "primaryGroupID: 516\n");
	fx = run(&sb, NULL);

	f = fixture_find(fx, "acct.primary-group", "hidden-admin");
	cr_assert_not_null(f);
	cr_assert_eq(f->severity, SEV_MEDIUM);
	cr_assert_str_eq(fixture_message(f),
			 "primaryGroupID is 512, expected 513 or 514 for a user");
	cr_assert_eq(ev_int(f, "primary_group_id"), 512);
	cr_assert(fixture_has(fx, "acct.primary-group", "as-computer"));
	cr_assert(fixture_has(fx, "acct.primary-group", "ws1$"));
	cr_assert(fixture_has(fx, "acct.primary-group", "gmsa1$"));
	f = fixture_find(fx, "acct.primary-group", "DC1$");
	cr_assert_not_null(f);
	cr_assert_str_eq(fixture_message(f),
			 "primaryGroupID is 515, expected 516 for a domain controller");
	f = fixture_find(fx, "acct.primary-group", "RODC1$");
	cr_assert_not_null(f);
	cr_assert_eq(ev_int(f, "expected"), 521);
	cr_assert_eq(fixture_count(fx, "acct.primary-group"), 6);
	fixture_free(fx);
}

Test(accounts, primary_group_skips_disabled_krbtgt_and_guest)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "disabled", 2101, 514);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "primaryGroupID: 512\n");
	user(&sb, "krbtgt", 502, 512);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "primaryGroupID: 512\n");
	user(&sb, "Guest", 501, 512);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "primaryGroupID: 514\n");
	user(&sb, "ok", 2102, 512);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "primaryGroupID: 513\n");
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_count(fx, "acct.primary-group"), 0);
	fixture_free(fx);
}

Test(accounts, primary_group_unknown_without_attribute)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "alice", 2101, 512);
	logon(&sb, 1, 0);
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_status(fx, "acct.primary-group"), STATUS_UNKNOWN);
	fixture_free(fx);
}

/* acct.password-in-description: the matcher */

static void assert_match(const char *text, const char *keyword)
{
	const char *kw = NULL;

	cr_assert(acct_password_match(text, &kw), "should match: \"%s\"", text);
	cr_assert_str_eq(kw, keyword, "keyword for \"%s\"", text);
}

static void assert_no_match(const char *text)
{
	const char *kw = NULL;

	cr_assert_not(acct_password_match(text, &kw), "should not match: \"%s\"", text);
}

Test(accounts, matcher_fires_on_the_examples)
{
	assert_match("Password: Winter2025", "password");
	assert_match("初期パスワード：Sakura#2026", "パスワード");
	assert_match("PW = Xy12", "pw");
	assert_match("kennwort:Geheim1", "kennwort");
	assert_match("暗証番号=1234", "暗証番号");
	assert_match("temp passwd=abcd", "passwd");
	assert_match("PWD: hunter22", "pwd");
	assert_match("pass = letmein", "pass");
	assert_match("Sales team, password:Summer24!", "password");
	assert_match("PASSWORD   :   abcd", "password");
	assert_match("db_pass=Secret1", "pass");
	assert_match("1pw:abcd", "pw");
	assert_match("パスワード　：　ａｂｃｄ", "パスワード"); /* full-width spaces and letters */
	assert_match("initial pwd：Abcd", "pwd");
	assert_match("Password:\tabcd", "password");
}

Test(accounts, matcher_ignores_the_counter_examples)
{
	assert_no_match("Password never expires");
	assert_no_match("bypass: abcd");
	assert_no_match("pwd=abc");
	assert_no_match("password: abc");
	assert_no_match("password:");
	assert_no_match("password: ");
	assert_no_match("password - abcd");
	assert_no_match("compass: north-east");
	assert_no_match("Overpass=road1");
	assert_no_match("passwords are rotated monthly");
	assert_no_match("Reset the password: ask the helpdesk");
	assert_no_match("");
	assert_no_match("Service account for backups");
	assert_no_match("パスワード：ab");
	assert_no_match("spw: abcd");
	cr_assert_not(acct_password_match(NULL, NULL));
}

Test(accounts, matcher_counts_characters_not_bytes)
{
	/* three non-ASCII characters are nine bytes but still too short */
	assert_no_match("password: あいう");
	assert_match("password: あいうえ", "password");
}

/* acct.password-in-description: the check */

Test(accounts, password_in_description_fires_without_leaking_it)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	const struct finding *f;
	char *ev;

	user(&sb, "alice", 2101, 512);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "description: Password: Winter2025\n");
	user(&sb, "bob", 2102, 512);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "description: Sales\n");
	sbuf_adds(&sb, "info: kennwort:Geheim1\n");
	user(&sb, "carol", 2103, 512);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "description: Password never expires\n");
	user(&sb, "dave", 2104, 514);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "description: pwd=Hunter22\n");
	computer(&sb, "ws1", 2105, 4096);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "description: pwd=Hunter22\n");
	user(&sb, "erin", 2106, 512);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "description: pw: abcd\n");
	sbuf_adds(&sb, "info: 暗証番号：9876\n");
	fx = run(&sb, NULL);

	f = fixture_find(fx, "acct.password-in-description", "alice");
	cr_assert_not_null(f);
	cr_assert_eq(f->severity, SEV_MEDIUM);
	cr_assert_null(strstr(fixture_message(f), "Winter2025"));
	ev = json_dumps(finding_evidence(f), 0);
	cr_assert_null(strstr(ev, "Winter2025"), "evidence leaks the secret: %s", ev);
	cr_assert_not_null(strstr(ev, "description"));
	cr_assert_not_null(strstr(ev, "password"));
	free(ev);

	f = fixture_find(fx, "acct.password-in-description", "bob");
	cr_assert_not_null(f);
	cr_assert_null(strstr(fixture_message(f), "Geheim1"));
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(finding_evidence(f), "fields"), 0)),
			 "info");

	f = fixture_find(fx, "acct.password-in-description", "erin");
	cr_assert_not_null(f);
	cr_assert_eq(json_array_size(json_object_get(finding_evidence(f), "fields")), 2);
	ev = json_dumps(finding_evidence(f), 0);
	cr_assert_null(strstr(ev, "9876"));
	cr_assert_null(strstr(ev, "abcd"));
	free(ev);

	cr_assert_not(fixture_has(fx, "acct.password-in-description", "carol"));
	cr_assert_not(fixture_has(fx, "acct.password-in-description", "dave"));
	cr_assert_not(fixture_has(fx, "acct.password-in-description", "ws1$"));
	cr_assert_eq(fixture_count(fx, "acct.password-in-description"), 3);
	fixture_free(fx);
}

Test(accounts, password_in_description_can_be_disabled)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "alice", 2101, 512);
	logon(&sb, 1, 0);
	sbuf_adds(&sb, "description: Password: Winter2025\n");
	fx = run(&sb, "{\"version\": 1, \"checks\": "
		      "{\"acct.password-in-description\": {\"enabled\": false}}}");
	cr_assert_eq(fixture_status(fx, "acct.password-in-description"), STATUS_DISABLED);
	cr_assert_eq(fixture_count(fx, "acct.password-in-description"), 0);
	fixture_free(fx);
}

Test(accounts, password_in_description_unknown_without_text_attributes)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "alice", 2101, 512);
	logon(&sb, 1, 0);
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_status(fx, "acct.password-in-description"), STATUS_UNKNOWN);
	fixture_free(fx);
}
