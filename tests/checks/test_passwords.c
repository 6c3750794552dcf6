/*
 * Tests of the pwd family (checks/passwords.c): each check's firing and
 * non-firing cases, both sides of every threshold, who is skipped, and
 * when a check is unknown. Directories are small LDIF fixtures audited at
 * a fixed time (NOW).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "../../auditor/sbuf.h"
#include "../../auditor/timeutil.h"
#include "../../checks/registry.h"
#include "../fixture.h"
#include "helpers.h"

/*
 * Open a user entry (no blank line after it: the caller adds attributes,
 * then ends it with end_entry).
 */
static void user(struct sbuf *sb, const char *sam, unsigned rid, unsigned uac)
{
	sbuf_addf(sb,
		  "\ndn: CN=%s," BASE "\n"
		  "objectClass: top\n"
		  "objectClass: person\n"
		  "objectClass: organizationalPerson\n"
		  "objectClass: user\n"
		  "cn: %s\n"
		  "sAMAccountName: %s\n"
		  "objectSid: S-1-5-21-1-2-3-%u\n"
		  "userAccountControl: %u\n",
		  sam, sam, sam, rid, uac);
}

static void computer(struct sbuf *sb, const char *sam, unsigned rid, unsigned uac)
{
	sbuf_addf(sb,
		  "\ndn: CN=%s,CN=Computers,DC=corp,DC=example,DC=test\n"
		  "objectClass: top\n"
		  "objectClass: person\n"
		  "objectClass: organizationalPerson\n"
		  "objectClass: user\n"
		  "objectClass: computer\n"
		  "cn: %s\n"
		  "sAMAccountName: %s$\n"
		  "objectSid: S-1-5-21-1-2-3-%u\n"
		  "userAccountControl: %u\n",
		  sam, sam, sam, rid, uac);
}

static void gmsa(struct sbuf *sb, const char *sam, unsigned rid, unsigned uac)
{
	sbuf_addf(sb,
		  "\ndn: CN=%s,CN=Managed Service Accounts,DC=corp,DC=example,DC=test\n"
		  "objectClass: top\n"
		  "objectClass: person\n"
		  "objectClass: organizationalPerson\n"
		  "objectClass: user\n"
		  "objectClass: computer\n"
		  "objectClass: msDS-GroupManagedServiceAccount\n"
		  "cn: %s\n"
		  "sAMAccountName: %s$\n"
		  "objectSid: S-1-5-21-1-2-3-%u\n"
		  "userAccountControl: %u\n",
		  sam, sam, sam, rid, uac);
}

/* The usual time attributes of an active account, password set days ago. */
static void times(struct sbuf *sb, const char *pwd_last_set)
{
	sbuf_addf(sb, "pwdLastSet: %s\n", pwd_last_set);
	sbuf_addf(sb, "lastLogonTimestamp: %s\n", ft_ago(1, 0));
	sbuf_addf(sb, "whenCreated: %s\n", gt_ago(1000, 0));
	sbuf_addf(sb, "whenChanged: %s\n", gt_ago(1, 0));
}

static struct fixture *run(struct sbuf *sb, const char *policy)
{
	struct fixture *fx;

	sbuf_adds(sb, "\n");
	fx = fixture_run(sb->buf, policy, NOW);
	sbuf_release(sb);
	return fx;
}

/* The finding of check whose detail is detail, or NULL. */
static const struct finding *find_detail(const struct fixture *fx, const char *check,
					 const char *detail)
{
	for (size_t i = 0; i < fx->audit.nfindings; i++) {
		const struct finding *f = fx->audit.findings[i];

		if (strcmp(f->check->id, check) == 0 && f->detail && strcmp(f->detail, detail) == 0)
			return f;
	}
	return NULL;
}

/* pwd.old */

Test(passwords, old_fires_one_second_past_the_limit)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	const struct finding *f;

	user(&sb, "at-limit", 2101, 512);
	times(&sb, ft_ago(365, 0));
	user(&sb, "past-limit", 2102, 512);
	times(&sb, ft_ago(365, 1));
	user(&sb, "fresh", 2103, 512);
	times(&sb, ft_ago(10, 0));
	fx = run(&sb, NULL);

	cr_assert_not(fixture_has(fx, "pwd.old", "at-limit"));
	cr_assert(fixture_has(fx, "pwd.old", "past-limit"));
	cr_assert_not(fixture_has(fx, "pwd.old", "fresh"));
	cr_assert_eq(fixture_count(fx, "pwd.old"), 1);
	cr_assert_eq(fixture_status(fx, "pwd.old"), STATUS_FAIL);
	f = fixture_find(fx, "pwd.old", "past-limit");
	cr_assert_eq(f->severity, SEV_MEDIUM);
	cr_assert_str_eq(fixture_message(f), "password last set 365 days ago (limit 365)");
	cr_assert(f->message_packed, "its format and two numbers are smaller than its text");
	cr_assert_eq(ev_int(f, "age_days"), 365);
	cr_assert_eq(ev_int(f, "limit_days"), 365);
	cr_assert_str_eq(ev_str(f, "pwd_last_set"), "2024-12-31T23:59:59Z");
	fixture_free(fx);
}

Test(passwords, old_passes_when_nothing_is_old)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "fresh", 2103, 512);
	times(&sb, ft_ago(10, 0));
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_count(fx, "pwd.old"), 0);
	cr_assert_eq(fixture_status(fx, "pwd.old"), STATUS_PASS);
	fixture_free(fx);
}

Test(passwords, old_honours_max_age_days)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "d30", 2101, 512);
	times(&sb, ft_ago(30, 0));
	user(&sb, "d31", 2102, 512);
	times(&sb, ft_ago(30, 1));
	fx = run(&sb, "{\"version\": 1, \"checks\": {\"pwd.old\": {\"max_age_days\": 30}}}");
	cr_assert_not(fixture_has(fx, "pwd.old", "d30"));
	cr_assert(fixture_has(fx, "pwd.old", "d31"));
	cr_assert_str_eq(fixture_message(fixture_find(fx, "pwd.old", "d31")),
			 "password last set 30 days ago (limit 30)");
	fixture_free(fx);
}

Test(passwords, old_skips_disabled_expired_and_non_users)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	const char *old = ft_ago(1000, 0);

	user(&sb, "disabled", 2101, 514);
	times(&sb, old);
	user(&sb, "expired", 2102, 512);
	times(&sb, old);
	sbuf_addf(&sb, "accountExpires: %s\n", ft_ago(1, 0));
	computer(&sb, "ws1", 2103, 4096);
	times(&sb, old);
	gmsa(&sb, "gmsa1", 2104, 4096);
	times(&sb, old);
	user(&sb, "krbtgt", 502, 512);
	times(&sb, old);
	user(&sb, "Guest", 501, 512);
	times(&sb, old);
	computer(&sb, "DC1", 1000, 532480);
	times(&sb, old);
	user(&sb, "control", 2105, 512);
	times(&sb, old);
	fx = run(&sb, NULL);

	cr_assert(fixture_has(fx, "pwd.old", "control"));
	cr_assert_eq(fixture_count(fx, "pwd.old"), 1);
	fixture_free(fx);
}

Test(passwords, old_counts_builtin_admin_and_service_accounts)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	const char *old = ft_ago(400, 0);

	user(&sb, "Administrator", 500, 512);
	times(&sb, old);
	user(&sb, "svc-app", 2101, 512);
	times(&sb, old);
	sbuf_adds(&sb, "servicePrincipalName: HTTP/app.corp.example.test\n");
	fx = run(&sb, NULL);
	cr_assert(fixture_has(fx, "pwd.old", "svc-app"));
	/* not in any privileged group here, so priv.password-old cannot supersede */
	cr_assert(fixture_has(fx, "pwd.old", "Administrator"));
	fixture_free(fx);
}

Test(passwords, old_leaves_must_change_to_pwd_must_change)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "newbie", 2101, 512);
	sbuf_adds(&sb, "pwdLastSet: 0\n");
	sbuf_addf(&sb, "whenCreated: %s\n", gt_ago(1000, 0));
	sbuf_addf(&sb, "whenChanged: %s\n", gt_ago(1000, 0));
	fx = run(&sb, "{\"version\": 1, \"incident\": "
		      "{\"password_reset_after\": \"2025-10-04T00:00:00Z\"}}");
	cr_assert_not(fixture_has(fx, "pwd.old", "newbie"));
	cr_assert_not(fixture_has(fx, "pwd.not-reset-since-incident", "newbie"));
	cr_assert(fixture_has(fx, "pwd.must-change", "newbie"));
	fixture_free(fx);
}

Test(passwords, old_unknown_without_pwdlastset)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "alice", 2101, 512);
	sbuf_addf(&sb, "lastLogonTimestamp: %s\n", ft_ago(1, 0));
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_status(fx, "pwd.old"), STATUS_UNKNOWN);
	cr_assert_not_null(strstr(reason(fx, "pwd.old"), "pwdLastSet"));
	cr_assert_eq(fixture_status(fx, "pwd.not-reset-since-incident"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_status(fx, "pwd.must-change"), STATUS_UNKNOWN);
	cr_assert_eq(fixture_count(fx, "pwd.old"), 0);
	fixture_free(fx);
}

/* pwd.never-expires, pwd.not-required, pwd.reversible */

Test(passwords, never_expires_fires_on_the_flag_only)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	const struct finding *f;

	user(&sb, "forever", 2101, 0x200 | 0x10000);
	times(&sb, ft_ago(1, 0));
	user(&sb, "normal", 2102, 0x200);
	times(&sb, ft_ago(1, 0));
	user(&sb, "off", 2103, 0x200 | 0x10000 | 0x2);
	times(&sb, ft_ago(1, 0));
	gmsa(&sb, "gmsa1", 2104, 0x1000 | 0x10000);
	times(&sb, ft_ago(1, 0));
	computer(&sb, "ws1", 2105, 0x1000 | 0x10000);
	times(&sb, ft_ago(1, 0));
	user(&sb, "krbtgt", 502, 0x200 | 0x10000);
	times(&sb, ft_ago(1, 0));
	user(&sb, "Guest", 501, 0x200 | 0x10000 | 0x20);
	times(&sb, ft_ago(1, 0));
	fx = run(&sb, NULL);

	cr_assert(fixture_has(fx, "pwd.never-expires", "forever"));
	cr_assert_eq(fixture_count(fx, "pwd.never-expires"), 1);
	f = fixture_find(fx, "pwd.never-expires", "forever");
	cr_assert_eq(f->severity, SEV_MEDIUM);
	cr_assert_eq(ev_int(f, "user_account_control"), 0x10200);
	cr_assert_str_eq(ev_str(f, "flag"), "DONT_EXPIRE_PASSWORD");
	cr_assert_eq(fixture_count(fx, "pwd.not-required"), 0);
	fixture_free(fx);
}

Test(passwords, not_required_and_reversible_fire_high)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	const struct finding *f;

	user(&sb, "empty-ok", 2101, 0x200 | 0x20);
	times(&sb, ft_ago(1, 0));
	user(&sb, "cleartext", 2102, 0x200 | 0x80);
	times(&sb, ft_ago(1, 0));
	user(&sb, "normal", 2103, 0x200);
	times(&sb, ft_ago(1, 0));
	user(&sb, "disabled", 2104, 0x200 | 0x20 | 0x80 | 0x2);
	times(&sb, ft_ago(1, 0));
	fx = run(&sb, NULL);

	f = fixture_find(fx, "pwd.not-required", "empty-ok");
	cr_assert_not_null(f);
	cr_assert_eq(f->severity, SEV_HIGH);
	cr_assert_eq(fixture_count(fx, "pwd.not-required"), 1);
	f = fixture_find(fx, "pwd.reversible", "cleartext");
	cr_assert_not_null(f);
	cr_assert_eq(f->severity, SEV_HIGH);
	cr_assert_eq(fixture_count(fx, "pwd.reversible"), 1);
	cr_assert_eq(fixture_status(fx, "pwd.never-expires"), STATUS_PASS);
	fixture_free(fx);
}

Test(passwords, flag_checks_honour_severity_override)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "cleartext", 2102, 0x200 | 0x80);
	times(&sb, ft_ago(1, 0));
	fx = run(&sb, "{\"version\": 1, \"checks\": {\"pwd.reversible\": {\"severity\": \"critical\"}}}");
	cr_assert_eq(fixture_find(fx, "pwd.reversible", "cleartext")->severity, SEV_CRITICAL);
	fixture_free(fx);
}

/* pwd.not-reset-since-incident */

#define INCIDENT_POLICY \
	"{\"version\": 1, \"incident\": {\"password_reset_after\": \"2025-10-04T00:00:00Z\"}}"

Test(passwords, not_reset_unknown_without_incident_date)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "alice", 2101, 512);
	times(&sb, fixture_filetime("2020-01-01"));
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_status(fx, "pwd.not-reset-since-incident"), STATUS_UNKNOWN);
	cr_assert_str_eq(reason(fx, "pwd.not-reset-since-incident"),
			 "policy has no incident.password_reset_after");
	cr_assert_eq(fixture_count(fx, "pwd.not-reset-since-incident"), 0);
	fixture_free(fx);
}

Test(passwords, not_reset_fires_strictly_before_the_incident)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	const struct finding *f;

	user(&sb, "before", 2101, 512);
	times(&sb, fixture_filetime("2025-10-03T23:59:59Z"));
	user(&sb, "exactly", 2102, 512);
	times(&sb, fixture_filetime("2025-10-04T00:00:00Z"));
	user(&sb, "after", 2103, 512);
	times(&sb, fixture_filetime("2025-11-01T00:00:00Z"));
	user(&sb, "disabled", 2104, 514);
	times(&sb, fixture_filetime("2020-01-01T00:00:00Z"));
	computer(&sb, "ws1", 2105, 4096);
	times(&sb, fixture_filetime("2020-01-01T00:00:00Z"));
	fx = run(&sb, INCIDENT_POLICY);

	f = fixture_find(fx, "pwd.not-reset-since-incident", "before");
	cr_assert_not_null(f);
	cr_assert_eq(f->severity, SEV_HIGH);
	cr_assert_str_eq(fixture_message(f), "password last set 2025-10-03T23:59:59Z, before the "
				     "incident reset date 2025-10-04T00:00:00Z");
	cr_assert_str_eq(ev_str(f, "password_reset_after"), "2025-10-04T00:00:00Z");
	cr_assert_not(fixture_has(fx, "pwd.not-reset-since-incident", "exactly"));
	cr_assert_not(fixture_has(fx, "pwd.not-reset-since-incident", "after"));
	cr_assert_eq(fixture_count(fx, "pwd.not-reset-since-incident"), 1);
	fixture_free(fx);
}

/* pwd.must-change */

static void must_change_user(struct sbuf *sb, const char *sam, unsigned rid, unsigned uac,
			     const char *when_changed)
{
	user(sb, sam, rid, uac);
	sbuf_adds(sb, "pwdLastSet: 0\n");
	sbuf_addf(sb, "whenCreated: %s\n", gt_ago(1000, 0));
	sbuf_addf(sb, "whenChanged: %s\n", when_changed);
}

Test(passwords, must_change_fires_one_second_past_the_grace)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	const struct finding *f;

	must_change_user(&sb, "at-grace", 2101, 512, gt_ago(14, 0));
	must_change_user(&sb, "past-grace", 2102, 512, gt_ago(14, 1));
	must_change_user(&sb, "disabled", 2103, 514, gt_ago(100, 0));
	user(&sb, "set", 2104, 512);
	times(&sb, ft_ago(100, 0));
	fx = run(&sb, NULL);

	cr_assert_not(fixture_has(fx, "pwd.must-change", "at-grace"));
	f = fixture_find(fx, "pwd.must-change", "past-grace");
	cr_assert_not_null(f);
	cr_assert_eq(f->severity, SEV_LOW);
	cr_assert_str_eq(fixture_message(f),
			 "must change password at next logon, unchanged for 14 days (grace 14)");
	cr_assert_eq(ev_int(f, "grace_days"), 14);
	cr_assert_eq(fixture_count(fx, "pwd.must-change"), 1);
	fixture_free(fx);
}

Test(passwords, must_change_honours_grace_days)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	must_change_user(&sb, "d3", 2101, 512, gt_ago(3, 0));
	must_change_user(&sb, "d3s", 2102, 512, gt_ago(3, 1));
	fx = run(&sb, "{\"version\": 1, \"checks\": {\"pwd.must-change\": {\"grace_days\": 3}}}");
	cr_assert_not(fixture_has(fx, "pwd.must-change", "d3"));
	cr_assert(fixture_has(fx, "pwd.must-change", "d3s"));
	fixture_free(fx);
}

Test(passwords, must_change_unknown_without_whenchanged)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "newbie", 2101, 512);
	sbuf_adds(&sb, "pwdLastSet: 0\n");
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_status(fx, "pwd.must-change"), STATUS_UNKNOWN);
	fixture_free(fx);
}

/* pwd.domain-policy */

static void domain_head(struct sbuf *sb, int min_len, int history, int lockout, int props)
{
	sbuf_addf(sb,
		  "dn: DC=corp,DC=example,DC=test\n"
		  "objectClass: top\n"
		  "objectClass: domain\n"
		  "objectClass: domainDNS\n"
		  "objectSid: S-1-5-21-1-2-3\n"
		  "minPwdLength: %d\n"
		  "pwdHistoryLength: %d\n"
		  "maxPwdAge: -36288000000000\n"
		  "minPwdAge: -864000000000\n"
		  "lockoutThreshold: %d\n"
		  "lockoutDuration: -18000000000\n"
		  "pwdProperties: %d\n",
		  min_len, history, lockout, props);
}

static struct fixture *run_domain(int min_len, int history, int lockout, int props,
				  const char *policy)
{
	struct sbuf sb = SBUF_INIT;

	domain_head(&sb, min_len, history, lockout, props);
	user(&sb, "alice", 2101, 512);
	times(&sb, ft_ago(1, 0));
	return run(&sb, policy);
}

Test(passwords, domain_policy_at_thresholds_passes)
{
	struct fixture *fx = run_domain(14, 24, 10, 1, NULL);

	cr_assert_eq(fixture_status(fx, "pwd.domain-policy"), STATUS_PASS);
	cr_assert_eq(fixture_count(fx, "pwd.domain-policy"), 0);
	fixture_free(fx);
	fx = run_domain(14, 24, 1, 1, NULL);
	cr_assert_eq(fixture_count(fx, "pwd.domain-policy"), 0);
	fixture_free(fx);
}

Test(passwords, domain_policy_fixture_header_is_strong)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	user(&sb, "alice", 2101, 512);
	times(&sb, ft_ago(1, 0));
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_status(fx, "pwd.domain-policy"), STATUS_PASS);
	fixture_free(fx);
}

Test(passwords, domain_policy_one_finding_per_weakness)
{
	/* one below every threshold, lockout above, no complexity, cleartext */
	struct fixture *fx = run_domain(13, 23, 11, 0x10, NULL);
	const struct finding *f;

	cr_assert_eq(fixture_status(fx, "pwd.domain-policy"), STATUS_FAIL);
	cr_assert_eq(fixture_count(fx, "pwd.domain-policy"), 5);

	f = find_detail(fx, "pwd.domain-policy", "min_length");
	cr_assert_not_null(f);
	cr_assert_eq(f->severity, SEV_MEDIUM);
	cr_assert_eq(f->obj, &fx->dir.domain.h);
	cr_assert_str_eq(fixture_message(f),
			 "default domain policy: minimum password length 13 (required at least 14)");
	cr_assert_not(f->message_packed, "\"%%s\" and the text is larger than the text");
	cr_assert_eq(ev_int(f, "min_length"), 13);
	cr_assert_eq(ev_int(f, "required"), 14);

	f = find_detail(fx, "pwd.domain-policy", "history");
	cr_assert_not_null(f);
	cr_assert_eq(ev_int(f, "history"), 23);

	f = find_detail(fx, "pwd.domain-policy", "lockout_threshold");
	cr_assert_not_null(f);
	cr_assert_eq(ev_int(f, "lockout_threshold"), 11);
	cr_assert_eq(ev_int(f, "required_max"), 10);

	cr_assert_not_null(find_detail(fx, "pwd.domain-policy", "complexity"));
	cr_assert_not_null(find_detail(fx, "pwd.domain-policy", "reversible"));
	fixture_free(fx);
}

Test(passwords, domain_policy_lockout_zero_is_weak)
{
	struct fixture *fx = run_domain(14, 24, 0, 1, NULL);
	const struct finding *f = find_detail(fx, "pwd.domain-policy", "lockout_threshold");

	cr_assert_not_null(f);
	cr_assert_not_null(strstr(fixture_message(f), "never lock out"));
	cr_assert_eq(fixture_count(fx, "pwd.domain-policy"), 1);
	fixture_free(fx);
}

Test(passwords, domain_policy_honours_parameters)
{
	struct fixture *fx = run_domain(8, 5, 50, 1,
					"{\"version\": 1, \"checks\": {\"pwd.domain-policy\": "
					"{\"min_length\": 8, \"history\": 5, "
					"\"lockout_threshold_max\": 50}}}");

	cr_assert_eq(fixture_count(fx, "pwd.domain-policy"), 0);
	fixture_free(fx);
	fx = run_domain(7, 5, 51, 1,
			"{\"version\": 1, \"checks\": {\"pwd.domain-policy\": "
			"{\"min_length\": 8, \"history\": 5, \"lockout_threshold_max\": 50}}}");
	cr_assert_eq(fixture_count(fx, "pwd.domain-policy"), 2);
	cr_assert_not_null(find_detail(fx, "pwd.domain-policy", "min_length"));
	cr_assert_not_null(find_detail(fx, "pwd.domain-policy", "lockout_threshold"));
	fixture_free(fx);
}

Test(passwords, domain_policy_unknown_without_domain_head)
{
	struct sbuf sb = SBUF_INIT;
	struct fixture *fx;

	user(&sb, "alice", 2101, 512);
	times(&sb, ft_ago(1, 0));
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_status(fx, "pwd.domain-policy"), STATUS_UNKNOWN);
	cr_assert_str_eq(reason(fx, "pwd.domain-policy"),
			 "the domain head (default password policy) was not read");
	cr_assert_eq(fixture_count(fx, "pwd.domain-policy"), 0);
	fixture_free(fx);
}

Test(passwords, domain_policy_unknown_when_attributes_absent)
{
	struct sbuf sb = SBUF_INIT;
	struct fixture *fx;

	sbuf_adds(&sb, "dn: DC=corp,DC=example,DC=test\n"
		       "objectClass: top\n"
		       "objectClass: domainDNS\n"
		       "objectSid: S-1-5-21-1-2-3\n"
		       "minPwdLength: 3\n");
	user(&sb, "alice", 2101, 512);
	times(&sb, ft_ago(1, 0));
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_status(fx, "pwd.domain-policy"), STATUS_UNKNOWN);
	cr_assert_str_eq(reason(fx, "pwd.domain-policy"),
			 "pwdHistoryLength, lockoutThreshold, pwdProperties absent from the domain head");
	cr_assert_eq(fixture_count(fx, "pwd.domain-policy"), 0);
	fixture_free(fx);
}

/* pwd.pso-weak-privileged */

static void pso(struct sbuf *sb, const char *cn, int prec, int min_len, int history,
		int lockout, const char *complexity, const char *reversible,
		const char *const *applies_to)
{
	sbuf_addf(sb,
		  "\ndn: CN=%s,CN=Password Settings Container,CN=System,DC=corp,DC=example,DC=test\n"
		  "objectClass: top\n"
		  "objectClass: msDS-PasswordSettings\n"
		  "cn: %s\n"
		  "msDS-PasswordSettingsPrecedence: %d\n"
		  "msDS-MinimumPasswordLength: %d\n"
		  "msDS-PasswordHistoryLength: %d\n"
		  "msDS-LockoutThreshold: %d\n"
		  "msDS-PasswordComplexityEnabled: %s\n"
		  "msDS-PasswordReversibleEncryptionEnabled: %s\n"
		  "msDS-MaximumPasswordAge: -36288000000000\n",
		  cn, cn, prec, min_len, history, lockout, complexity, reversible);
	for (; *applies_to; applies_to++)
		sbuf_addf(sb, "msDS-PSOAppliesTo: CN=%s," BASE "\n", *applies_to);
}

/* A Domain Admin through its primary group. */
static void admin(struct sbuf *sb, const char *sam, unsigned rid, unsigned uac)
{
	user(sb, sam, rid, uac);
	times(sb, ft_ago(1, 0));
	sbuf_adds(sb, "primaryGroupID: 512\n");
}

Test(passwords, pso_weak_fires_on_the_pso_with_sorted_users)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	const struct finding *f;
	json_t *users, *weak;
	static const char *const targets[] = { "zed", "bob", "alice", "carol", NULL };

	admin(&sb, "zed", 2104, 512);
	admin(&sb, "bob", 2101, 512);
	admin(&sb, "alice", 2102, 512);
	admin(&sb, "carol", 2103, 514); /* disabled: not listed */
	user(&sb, "dave", 2105, 512);    /* not governed by it */
	times(&sb, ft_ago(1, 0));
	pso(&sb, "AdminsPSO", 1, 8, 24, 0, "TRUE", "FALSE", targets);
	fx = run(&sb, NULL);

	cr_assert(fixture_account(fx, "alice")->privileged);
	f = fixture_find(fx, "pwd.pso-weak-privileged", "AdminsPSO");
	cr_assert_not_null(f);
	cr_assert_eq(f->severity, SEV_HIGH);
	cr_assert_eq(fixture_count(fx, "pwd.pso-weak-privileged"), 1);
	users = json_object_get(finding_evidence(f), "privileged_users");
	cr_assert_eq(json_array_size(users), 3);
	cr_assert_str_eq(json_string_value(json_array_get(users, 0)), "alice");
	cr_assert_str_eq(json_string_value(json_array_get(users, 1)), "bob");
	cr_assert_str_eq(json_string_value(json_array_get(users, 2)), "zed");
	weak = json_object_get(finding_evidence(f), "weaknesses");
	cr_assert_eq(json_array_size(weak), 2);
	cr_assert_str_eq(json_string_value(json_array_get(weak, 0)), "min_length");
	cr_assert_str_eq(json_string_value(json_array_get(weak, 1)), "lockout_threshold");
	cr_assert_not_null(strstr(fixture_message(f), "3 privileged users"));
	fixture_free(fx);
}

Test(passwords, pso_weak_ignores_pso_of_non_privileged_users)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	static const char *const targets[] = { "dave", NULL };

	admin(&sb, "alice", 2102, 512);
	user(&sb, "dave", 2105, 512);
	times(&sb, ft_ago(1, 0));
	pso(&sb, "UsersPSO", 1, 4, 0, 0, "FALSE", "TRUE", targets);
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_count(fx, "pwd.pso-weak-privileged"), 0);
	cr_assert_eq(fixture_status(fx, "pwd.pso-weak-privileged"), STATUS_PASS);
	fixture_free(fx);
}

Test(passwords, pso_at_thresholds_passes_one_below_fires)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	static const char *const a[] = { "alice", NULL }, *const b[] = { "bob", NULL };

	admin(&sb, "alice", 2102, 512);
	admin(&sb, "bob", 2101, 512);
	pso(&sb, "StrongPSO", 1, 14, 24, 10, "TRUE", "FALSE", a);
	pso(&sb, "ShortHistory", 2, 14, 23, 10, "TRUE", "FALSE", b);
	fx = run(&sb, NULL);
	cr_assert_not(fixture_has(fx, "pwd.pso-weak-privileged", "StrongPSO"));
	cr_assert(fixture_has(fx, "pwd.pso-weak-privileged", "ShortHistory"));
	fixture_free(fx);
}

Test(passwords, pso_weak_flags_complexity_and_reversible)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	const struct finding *f;
	json_t *weak;
	static const char *const a[] = { "alice", NULL };

	admin(&sb, "alice", 2102, 512);
	pso(&sb, "LaxPSO", 1, 14, 24, 5, "FALSE", "TRUE", a);
	fx = run(&sb, NULL);
	f = fixture_find(fx, "pwd.pso-weak-privileged", "LaxPSO");
	cr_assert_not_null(f);
	weak = json_object_get(finding_evidence(f), "weaknesses");
	cr_assert_eq(json_array_size(weak), 2);
	cr_assert_str_eq(json_string_value(json_array_get(weak, 0)), "complexity");
	cr_assert_str_eq(json_string_value(json_array_get(weak, 1)), "reversible");
	fixture_free(fx);
}

Test(passwords, pso_weak_uses_domain_policy_thresholds)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	static const char *const a[] = { "alice", NULL };

	admin(&sb, "alice", 2102, 512);
	pso(&sb, "EightPSO", 1, 8, 24, 5, "TRUE", "FALSE", a);
	fx = run(&sb, "{\"version\": 1, \"checks\": {\"pwd.domain-policy\": {\"min_length\": 8}}}");
	cr_assert_eq(fixture_count(fx, "pwd.pso-weak-privileged"), 0);
	fixture_free(fx);
}

Test(passwords, pso_weak_only_counts_the_resultant_pso)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	static const char *const a[] = { "alice", NULL };

	admin(&sb, "alice", 2102, 512);
	/* precedence 1 beats 5: the weak one does not govern alice */
	pso(&sb, "Strong", 1, 16, 24, 5, "TRUE", "FALSE", a);
	pso(&sb, "Weak", 5, 6, 0, 0, "FALSE", "TRUE", a);
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_count(fx, "pwd.pso-weak-privileged"), 0);
	fixture_free(fx);
}

Test(passwords, pso_unreadable_setting_is_unknown_not_pass)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	admin(&sb, "alice", 2102, 512);
	sbuf_adds(&sb,
		  "\ndn: CN=Opaque,CN=Password Settings Container,CN=System,DC=corp,DC=example,DC=test\n"
		  "objectClass: top\n"
		  "objectClass: msDS-PasswordSettings\n"
		  "cn: Opaque\n"
		  "msDS-PasswordSettingsPrecedence: 1\n"
		  "msDS-PSOAppliesTo: CN=alice," BASE "\n");
	fx = run(&sb, NULL);
	cr_assert_eq(fixture_account(fx, "alice")->pso != NULL, true);
	cr_assert_eq(fixture_status(fx, "pwd.pso-weak-privileged"), STATUS_UNKNOWN);
	cr_assert_str_eq(reason(fx, "pwd.pso-weak-privileged"),
			 "msDS-MinimumPasswordLength absent from password settings object \"Opaque\"");
	fixture_free(fx);
}

Test(passwords, pso_through_a_group_governs_its_admin_members)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;
	static const char *const none[] = { NULL };

	admin(&sb, "alice", 2102, 512);
	sbuf_adds(&sb, "\ndn: CN=Tier0,CN=Users,DC=corp,DC=example,DC=test\n"
		       "objectClass: top\n"
		       "objectClass: group\n"
		       "sAMAccountName: Tier0\n"
		       "objectSid: S-1-5-21-1-2-3-3001\n"
		       "groupType: -2147483646\n"
		       "member: CN=alice," BASE "\n");
	pso(&sb, "Tier0PSO", 1, 10, 24, 5, "TRUE", "FALSE", none);
	sbuf_adds(&sb, "msDS-PSOAppliesTo: CN=Tier0,CN=Users,DC=corp,DC=example,DC=test\n");
	fx = run(&sb, NULL);
	cr_assert(fixture_has(fx, "pwd.pso-weak-privileged", "Tier0PSO"));
	fixture_free(fx);
}

Test(passwords, pso_named_by_msds_psoapplied_but_not_read_is_unknown)
{
	struct sbuf sb = ldif_start();
	struct fixture *fx;

	/* a bind that may not read PSOs still sees their back-links */
	sbuf_adds(&sb, "dn: CN=admin2," BASE "\n"
		       "objectClass: user\nsAMAccountName: admin2\n"
		       "objectSid: S-1-5-21-1-2-3-1300\nuserAccountControl: 512\n"
		       "primaryGroupID: 512\n"
		       "msDS-PSOApplied: CN=PSO-Hidden,CN=Password Settings Container,"
		       "CN=System,DC=corp,DC=example,DC=test\n");
	fx = fixture_run(sb.buf, NULL, NOW);
	cr_assert_eq(fixture_status(fx, "pwd.pso-weak-privileged"), STATUS_UNKNOWN);
	cr_assert_not_null(strstr(reason(fx, "pwd.pso-weak-privileged"), "PSO-Hidden"),
			   "%s", reason(fx, "pwd.pso-weak-privileged"));
	fixture_free(fx);

	/* the same PSO read: no blind spot, the check runs */
	sbuf_adds(&sb, "\ndn: CN=PSO-Hidden,CN=Password Settings Container,CN=System,"
		       "DC=corp,DC=example,DC=test\n"
		       "objectClass: msDS-PasswordSettings\ncn: PSO-Hidden\n"
		       "msDS-PasswordSettingsPrecedence: 1\nmsDS-MinimumPasswordLength: 20\n"
		       "msDS-PasswordHistoryLength: 24\nmsDS-LockoutThreshold: 5\n"
		       "msDS-PasswordComplexityEnabled: TRUE\n"
		       "msDS-PasswordReversibleEncryptionEnabled: FALSE\n"
		       "msDS-PSOAppliesTo: CN=admin2," BASE "\n");
	fx = fixture_run(sb.buf, NULL, NOW);
	cr_assert_neq(fixture_status(fx, "pwd.pso-weak-privileged"), STATUS_UNKNOWN,
		      "%s", reason(fx, "pwd.pso-weak-privileged"));
	cr_assert_eq(fixture_account(fx, "admin2")->pso, fx->dir.psos[0]);
	fixture_free(fx);
	sbuf_release(&sb);
}

/* Several PSOs not read: the reason names the same one whatever the entries' order. */
Test(passwords, unread_pso_named_in_the_reason_does_not_depend_on_order)
{
	static const char *const entries[] = {
		"dn: CN=zed," BASE "\nobjectClass: user\nsAMAccountName: zed\n"
		"objectSid: S-1-5-21-1-2-3-1301\nuserAccountControl: 512\n"
		"msDS-PSOApplied: CN=PSO-Kiosk,CN=Password Settings Container,"
		"CN=System,DC=corp,DC=example,DC=test\n",
		"dn: CN=amy," BASE "\nobjectClass: user\nsAMAccountName: amy\n"
		"objectSid: S-1-5-21-1-2-3-1302\nuserAccountControl: 512\n"
		"msDS-PSOApplied: CN=PSO-T0,CN=Password Settings Container,"
		"CN=System,DC=corp,DC=example,DC=test\n",
		"dn: CN=bob," BASE "\nobjectClass: user\nsAMAccountName: bob\n"
		"objectSid: S-1-5-21-1-2-3-1303\nuserAccountControl: 512\n"
		"msDS-PSOApplied: CN=PSO-Kiosk,CN=Password Settings Container,"
		"CN=System,DC=corp,DC=example,DC=test\n",
	};
	static const int orders[][3] = { { 0, 1, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 1, 0, 2 } };

	for (size_t k = 0; k < sizeof(orders) / sizeof(orders[0]); k++) {
		struct sbuf sb = ldif_start();
		struct fixture *fx;
		const char *why;

		for (int i = 0; i < 3; i++) {
			sbuf_adds(&sb, "\n");
			sbuf_adds(&sb, entries[orders[k][i]]);
		}
		fx = fixture_run(sb.buf, NULL, NOW);
		why = reason(fx, "pwd.pso-weak-privileged");
		/* PSO-Kiosk sorts before PSO-T0, and bob before zed */
		cr_assert_not_null(strstr(why, "object \"CN=PSO-Kiosk,"), "order %zu: %s", k, why);
		cr_assert_not_null(strstr(why, "applies to \"bob\""), "order %zu: %s", k, why);
		fixture_free(fx);
		sbuf_release(&sb);
	}
}
