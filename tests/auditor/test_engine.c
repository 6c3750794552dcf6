/*
 * Tests for auditor/engine.c with the real checks: supersedes, waivers
 * (matching, expiry, unused), severity overrides, the gate, the summary,
 * the order of findings, finding keys and unknown checks. Directories are
 * the fixture's domain header plus a few accounts, audited at NOW unless
 * a test says otherwise.
 */
#include <criterion/criterion.h>

#include <jansson.h>
#include <string.h>

#include "../../auditor/exitcode.h"
#include "../../auditor/sbuf.h"
#include "../../auditor/severity.h"
#include "../../auditor/strutil.h"
#include "../../auditor/timeutil.h"
#include "../../auditor/xalloc.h"
#include "../../checks/registry.h"
#include "../fixture.h"

#define NOW "2026-01-01T00:00:00Z"
#define BASE "CN=Users,DC=corp,DC=example,DC=test"
#define DOM "S-1-5-21-1-2-3"

/* userAccountControl: NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD */
#define UAC_NOEXP 66048u

/* ---- building directories ---------------------------------------------- */

static void start(struct sbuf *sb)
{
	sbuf_init(sb);
	sbuf_adds(sb, fixture_domain_ldif);
}

/* Replace the first occurrence of from in sb by to. */
static void replace(struct sbuf *sb, const char *from, const char *to)
{
	struct sbuf out = SBUF_INIT;
	const char *at = strstr(sb->buf, from);

	cr_assert_not_null(at, "\"%s\" not in the LDIF", from);
	sbuf_add(&out, sb->buf, (size_t)(at - sb->buf));
	sbuf_adds(&out, to);
	sbuf_adds(&out, at + strlen(from));
	sbuf_release(sb);
	*sb = out;
}

/*
 * An active user: password set 10 days before NOW, last logon 1 day
 * before, created long ago. more: extra attribute lines.
 */
static void user_at(struct sbuf *sb, const char *now, const char *sam, unsigned rid, unsigned uac,
		    const char *more)
{
	sbuf_addf(sb,
		  "dn: CN=%s," BASE "\n"
		  "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
		  "objectClass: user\n"
		  "cn: %s\nsAMAccountName: %s\nobjectSid: " DOM "-%u\nuserAccountControl: %u\n",
		  sam, sam, sam, rid, uac);
	sbuf_addf(sb, "userPrincipalName: %s@corp.example.test\n", sam);
	sbuf_addf(sb, "pwdLastSet: %s\n", fixture_filetime_days_ago(now, 10));
	sbuf_addf(sb, "lastLogonTimestamp: %s\n", fixture_filetime_days_ago(now, 1));
	sbuf_addf(sb, "whenCreated: %s\n", fixture_gentime_days_ago(now, 1000));
	sbuf_addf(sb, "whenChanged: %s\n", fixture_gentime_days_ago(now, 1));
	if (more && *more)
		sbuf_addf(sb, "%s\n", more);
	sbuf_adds(sb, "\n");
}

static void user(struct sbuf *sb, const char *sam, unsigned rid, unsigned uac, const char *more)
{
	user_at(sb, NOW, sam, rid, uac, more);
}

/* Add "member: CN=name,BASE" to the group whose objectSid is sid. */
static void member(struct sbuf *sb, const char *sid, const char *name)
{
	struct sbuf from = SBUF_INIT, to = SBUF_INIT;

	sbuf_addf(&from, "objectSid: %s\n", sid);
	sbuf_addf(&to, "objectSid: %s\nmember: CN=%s," BASE "\n", sid, name);
	replace(sb, from.buf, to.buf);
	sbuf_release(&from);
	sbuf_release(&to);
}

static struct fixture *run_at(struct sbuf *sb, const char *policy, const char *now)
{
	struct fixture *fx = fixture_run(sb->buf, policy, now);

	sbuf_release(sb);
	return fx;
}

static struct fixture *run(struct sbuf *sb, const char *policy)
{
	return run_at(sb, policy, NOW);
}

/* alice: a Domain Admin; bob: an ordinary user. Both DONT_EXPIRE_PASSWORD. */
static void alice_and_bob(struct sbuf *sb)
{
	start(sb);
	user(sb, "alice", 2100, UAC_NOEXP, NULL);
	user(sb, "bob", 2101, UAC_NOEXP, NULL);
	member(sb, DOM "-512", "alice");
}

static size_t check_index(const char *id)
{
	size_t i;

	cr_assert_not_null(registry_find(id, &i), "no check %s", id);
	return i;
}

static const struct check_state *state(const struct fixture *fx, const char *id)
{
	return &fx->audit.states[check_index(id)];
}

/* The finding of check whose subject is the waiver with this index. */
static const struct finding *waiver_finding(const struct fixture *fx, const char *check,
					    size_t index)
{
	for (size_t i = 0; i < fx->audit.nfindings; i++) {
		const struct finding *f = fx->audit.findings[i];
		json_t *ix;

		if (strcmp(f->check->id, check) != 0)
			continue;
		ix = json_object_get(finding_evidence(f), "index");
		if (ix && (size_t)json_integer_value(ix) == index)
			return f;
	}
	return NULL;
}

/* Whether an unwaived finding at or above rank exists, other than of check skip. */
static bool unwaived_at_or_above(const struct fixture *fx, enum severity s, const char *skip)
{
	for (size_t i = 0; i < fx->audit.nfindings; i++) {
		const struct finding *f = fx->audit.findings[i];

		if (skip && strcmp(f->check->id, skip) == 0)
			continue;
		if (!f->waiver && severity_rank(f->severity) >= severity_rank(s))
			return true;
	}
	return false;
}

/* ---- supersedes --------------------------------------------------------- */

Test(engine, superseding_finding_hides_the_generic_one_on_the_same_subject)
{
	struct sbuf sb;
	struct fixture *fx;

	alice_and_bob(&sb);
	fx = run(&sb, NULL);
	cr_expect(fixture_has(fx, "priv.password-never-expires", "alice"));
	cr_expect_not(fixture_has(fx, "pwd.never-expires", "alice"));
	cr_expect(fixture_has(fx, "pwd.never-expires", "bob"), "another subject keeps it");
	cr_expect_not(fixture_has(fx, "priv.password-never-expires", "bob"));
	cr_expect_eq(fixture_count(fx, "pwd.never-expires"), 1);
	cr_expect_eq(state(fx, "pwd.never-expires")->findings, 1);
	fixture_free(fx);
}

Test(engine, disabling_the_superseding_check_restores_the_generic_one)
{
	struct sbuf sb;
	struct fixture *fx;

	alice_and_bob(&sb);
	fx = run(&sb, "{\"checks\": {\"priv.password-never-expires\": {\"enabled\": false}}}");
	cr_expect_eq(fixture_status(fx, "priv.password-never-expires"), STATUS_DISABLED);
	cr_expect_eq(fixture_count(fx, "priv.password-never-expires"), 0);
	cr_expect(fixture_has(fx, "pwd.never-expires", "alice"));
	cr_expect(fixture_has(fx, "pwd.never-expires", "bob"));
	fixture_free(fx);
}

Test(engine, a_waived_superseding_finding_still_hides_the_generic_one)
{
	struct sbuf sb;
	struct fixture *fx;
	const struct finding *f;

	alice_and_bob(&sb);
	fx = run(&sb, "{\"waivers\": [{\"check\": \"priv.password-never-expires\", "
		      "\"account\": \"alice\", \"reason\": \"break-glass\"}]}");
	f = fixture_find(fx, "priv.password-never-expires", "alice");
	cr_assert_not_null(f);
	cr_expect_not_null(f->waiver);
	cr_expect_not(fixture_has(fx, "pwd.never-expires", "alice"));
	fixture_free(fx);
}

/* ---- waivers ------------------------------------------------------------ */

static void waiver_hides(const char *account)
{
	struct sbuf sb, pol = SBUF_INIT;
	struct fixture *fx;
	const struct finding *f;

	alice_and_bob(&sb);
	sbuf_addf(&pol,
		  "{\"waivers\": [{\"check\": \"pwd.never-expires\", \"account\": \"%s\", "
		  "\"reason\": \"vendor appliance\", \"owner\": \"it-ops\"}]}",
		  account);
	fx = run(&sb, pol.buf);
	f = fixture_find(fx, "pwd.never-expires", "bob");
	cr_assert_not_null(f, "the waived finding is still reported");
	cr_expect_not_null(f->waiver, "waiver naming %s does not hide it", account);
	cr_expect_eq(f->waiver, &fx->policy.waivers[0]);
	cr_expect(fx->audit.waiver_used[0]);
	cr_expect_eq(fx->audit.summary.waived, 1);
	cr_expect_eq(fixture_count(fx, "policy.waiver-unused"), 0);
	cr_expect_eq(fixture_count(fx, "policy.waiver-expired"), 0);
	cr_expect_eq(state(fx, "pwd.never-expires")->findings, 1);
	cr_expect_eq(state(fx, "pwd.never-expires")->unwaived, 0);
	cr_expect_eq(fixture_status(fx, "pwd.never-expires"), STATUS_PASS,
		     "a check whose findings are all waived passes");
	sbuf_release(&pol);
	fixture_free(fx);
}

Test(engine, waiver_matches_by_sam_account_name)
{
	waiver_hides("bob");
	waiver_hides("BOB");
}

Test(engine, waiver_matches_by_dn)
{
	waiver_hides("CN=bob," BASE);
	waiver_hides("cn=BOB, cn=users, dc=corp, dc=example, dc=test");
}

Test(engine, waiver_matches_by_sid)
{
	waiver_hides("S-1-5-21-1-2-3-2101");
}

Test(engine, waiver_for_another_check_or_account_hides_nothing)
{
	struct sbuf sb;
	struct fixture *fx;
	const struct finding *f;

	alice_and_bob(&sb);
	fx = run(&sb, "{\"waivers\": ["
		      "{\"check\": \"pwd.old\", \"account\": \"bob\", \"reason\": \"r\"},"
		      "{\"check\": \"pwd.never-expires\", \"account\": \"bobby\", \"reason\": \"r\"},"
		      "{\"check\": \"pwd.never-expires\", \"account\": \"S-1-5-21-1-2-3-21\", "
		      "\"reason\": \"r\"}]}");
	f = fixture_find(fx, "pwd.never-expires", "bob");
	cr_assert_not_null(f);
	cr_expect_null(f->waiver);
	cr_expect_eq(fx->audit.summary.waived, 0);
	cr_expect_eq(fixture_count(fx, "policy.waiver-unused"), 3);
	fixture_free(fx);
}

Test(engine, unused_waiver_is_reported)
{
	struct sbuf sb;
	struct fixture *fx;
	const struct finding *f;

	alice_and_bob(&sb);
	fx = run(&sb, "{\"waivers\": ["
		      "{\"check\": \"pwd.never-expires\", \"account\": \"bob\", \"reason\": \"r\"},"
		      "{\"check\": \"pwd.never-expires\", \"account\": \"nobody\", \"reason\": \"gone\","
		      " \"owner\": \"it\", \"expires\": \"2026-12-31\"}]}");
	cr_expect_eq(fixture_count(fx, "policy.waiver-unused"), 1);
	f = waiver_finding(fx, "policy.waiver-unused", 1);
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, SEV_INFO);
	cr_expect_str_eq(finding_kind(f), "waiver");
	cr_expect_str_eq(finding_sam(f), "nobody");
	cr_expect_null(f->obj);
	cr_expect_str_eq(json_string_value(json_object_get(finding_evidence(f), "check")),
			 "pwd.never-expires");
	cr_expect_str_eq(fixture_key(f), "policy.waiver-unused|nobody|pwd.never-expires|1");
	cr_expect_null(f->waiver);
	fixture_free(fx);
}

Test(engine, waiver_on_a_superseded_finding_is_unused)
{
	struct sbuf sb;
	struct fixture *fx;

	alice_and_bob(&sb);
	fx = run(&sb, "{\"waivers\": [{\"check\": \"pwd.never-expires\", \"account\": \"alice\", "
		      "\"reason\": \"r\"}]}");
	cr_expect_not(fixture_has(fx, "pwd.never-expires", "alice"));
	cr_expect_not_null(waiver_finding(fx, "policy.waiver-unused", 0));
	cr_expect_eq(fx->audit.summary.waived, 0);
	fixture_free(fx);
}

Test(engine, expired_waiver_does_not_hide_and_is_reported)
{
	struct sbuf sb;
	struct fixture *fx;
	const struct finding *f;

	alice_and_bob(&sb);
	fx = run(&sb, "{\"waivers\": [{\"check\": \"pwd.never-expires\", \"account\": \"bob\", "
		      "\"reason\": \"r\", \"owner\": \"it-ops\", \"expires\": \"2025-12-01\"}]}");
	f = fixture_find(fx, "pwd.never-expires", "bob");
	cr_assert_not_null(f);
	cr_expect_null(f->waiver);
	cr_expect_eq(fx->audit.summary.waived, 0);
	f = waiver_finding(fx, "policy.waiver-expired", 0);
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, SEV_MEDIUM);
	cr_expect_str_eq(finding_kind(f), "waiver");
	cr_expect_str_eq(finding_sam(f), "bob");
	cr_expect_str_eq(fixture_key(f), "policy.waiver-expired|bob|pwd.never-expires|0");
	cr_expect_eq(fixture_count(fx, "policy.waiver-unused"), 0, "expired is not also unused");
	fixture_free(fx);
}

Test(engine, expired_waiver_matching_nothing_is_reported_expired)
{
	struct sbuf sb;
	struct fixture *fx;

	alice_and_bob(&sb);
	fx = run(&sb, "{\"waivers\": [{\"check\": \"pwd.never-expires\", \"account\": \"nobody\", "
		      "\"reason\": \"r\", \"expires\": \"2025-12-01\"}]}");
	cr_expect_not_null(waiver_finding(fx, "policy.waiver-expired", 0));
	cr_expect_eq(fixture_count(fx, "policy.waiver-unused"), 0);
	fixture_free(fx);
}

static struct fixture *expiry_case(const char *expires, const char *now)
{
	struct sbuf sb, pol = SBUF_INIT;
	struct fixture *fx;

	start(&sb);
	user_at(&sb, now, "bob", 2101, UAC_NOEXP, NULL);
	sbuf_addf(&pol,
		  "{\"waivers\": [{\"check\": \"pwd.never-expires\", \"account\": \"bob\", "
		  "\"reason\": \"r\", \"expires\": \"%s\"}]}",
		  expires);
	fx = run_at(&sb, pol.buf, now);
	sbuf_release(&pol);
	cr_assert(fixture_has(fx, "pwd.never-expires", "bob"));
	return fx;
}

Test(engine, waiver_date_is_inclusive)
{
	struct fixture *fx;

	fx = expiry_case("2026-01-15", "2026-01-15T23:59:59Z");
	cr_expect_not_null(fixture_find(fx, "pwd.never-expires", "bob")->waiver,
			   "holds until the end of its day");
	cr_expect_null(waiver_finding(fx, "policy.waiver-expired", 0));
	fixture_free(fx);

	fx = expiry_case("2026-01-15", "2026-01-16T00:00:00Z");
	cr_expect_null(fixture_find(fx, "pwd.never-expires", "bob")->waiver);
	cr_expect_not_null(waiver_finding(fx, "policy.waiver-expired", 0));
	fixture_free(fx);
}

Test(engine, waiver_date_time_expires_at_that_instant)
{
	struct fixture *fx;

	fx = expiry_case("2026-01-15T12:00:00Z", "2026-01-15T11:59:59Z");
	cr_expect_not_null(fixture_find(fx, "pwd.never-expires", "bob")->waiver);
	fixture_free(fx);

	fx = expiry_case("2026-01-15T12:00:00Z", "2026-01-15T12:00:00Z");
	cr_expect_null(fixture_find(fx, "pwd.never-expires", "bob")->waiver);
	cr_expect_not_null(waiver_finding(fx, "policy.waiver-expired", 0));
	fixture_free(fx);
}

Test(engine, second_waiver_for_the_same_finding_is_unused)
{
	struct sbuf sb;
	struct fixture *fx;

	alice_and_bob(&sb);
	fx = run(&sb, "{\"waivers\": ["
		      "{\"check\": \"pwd.never-expires\", \"account\": \"bob\", \"reason\": \"r\"},"
		      "{\"check\": \"pwd.never-expires\", \"account\": \"S-1-5-21-1-2-3-2101\", "
		      "\"reason\": \"r\"}]}");
	cr_expect_eq(fixture_find(fx, "pwd.never-expires", "bob")->waiver, &fx->policy.waivers[0]);
	cr_expect_null(waiver_finding(fx, "policy.waiver-unused", 0));
	cr_expect_not_null(waiver_finding(fx, "policy.waiver-unused", 1));
	fixture_free(fx);
}

/* The first waiver in force that names f, trying every one: the reference. */
static const struct waiver *ref_waiver(const struct fixture *fx, const struct finding *f)
{
	for (size_t k = 0; k < fx->policy.nwaivers; k++) {
		const struct waiver *w = &fx->policy.waivers[k];
		const char *name = w->account, *sam = finding_sam(f), *sid = finding_sid(f);
		bool match = false;

		if (strcmp(w->check, f->check->id) != 0 || !f->obj ||
		    (w->expires != TIME_NEVER && fx->now >= w->expires))
			continue;
		match = (sam && str_ieq(name, sam)) || (sid && str_ieq(name, sid));
		if (!match && strchr(name, '=')) {
			char *ndn = dn_normalise(name, strlen(name));

			match = dir_obj_ndn_eq(f->obj, ndn);
			free(ndn);
		}
		if (match)
			return w;
	}
	return NULL;
}

/* 0 to n - 1, from the generator *state (deterministic). */
static unsigned rnd_below(uint64_t *state, unsigned n)
{
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((*state >> 33) % n);
}

/*
 * 300 users with findings and 600 waivers naming them (and 100 users
 * that do not exist) by sAMAccountName in either case, SID or DN written
 * either way, some expired, some for another check: each finding gets
 * the waiver the reference gives, and the used ones are those.
 */
Test(engine, many_waivers_match_as_the_reference)
{
	enum { USERS = 300, WAIVERS = 600 };
	struct sbuf sb, pol = SBUF_INIT;
	struct fixture *fx;
	uint64_t rnd = 7;
	size_t waived = 0, by_dn = 0;
	bool *used;

	start(&sb);
	for (unsigned u = 0; u < USERS; u++) {
		char sam[16];

		snprintf(sam, sizeof(sam), "u%u", u);
		user(&sb, sam, 3000 + u, UAC_NOEXP, NULL);
	}
	sbuf_adds(&pol, "{\"waivers\": [");
	for (unsigned k = 0; k < WAIVERS; k++) {
		unsigned u = rnd_below(&rnd, USERS + 100), form = rnd_below(&rnd, 5);
		const char *check = rnd_below(&rnd, 4) ? "pwd.never-expires" : "pwd.old";
		const char *expires = rnd_below(&rnd, 5) ? "2027-01-01" : "2025-06-01";

		sbuf_addf(&pol, "%s{\"check\": \"%s\", \"reason\": \"r\", \"expires\": \"%s\", "
			  "\"account\": \"", k ? "," : "", check, expires);
		if (form == 0)
			sbuf_addf(&pol, "u%u", u);
		else if (form == 1)
			sbuf_addf(&pol, "U%u", u);
		else if (form == 2)
			sbuf_addf(&pol, DOM "-%u", 3000 + u);
		else if (form == 3)
			sbuf_addf(&pol, "cn=U%u,  CN=users, dc=corp,dc=EXAMPLE,dc=test", u);
		else
			sbuf_addf(&pol, "CN=u%u," BASE, u);
		sbuf_adds(&pol, "\"}");
	}
	sbuf_adds(&pol, "]}");
	fx = run(&sb, pol.buf);
	used = xcalloc(WAIVERS, sizeof(*used));
	for (size_t i = 0; i < fx->audit.nfindings; i++) {
		const struct finding *f = fx->audit.findings[i];
		const struct waiver *want = ref_waiver(fx, f);

		cr_assert_eq(f->waiver, want, "%s %s: waiver %zd, expected %zd", f->check->id,
			     finding_sam(f) ? finding_sam(f) : "-",
			     f->waiver ? (ssize_t)f->waiver->index : -1,
			     want ? (ssize_t)want->index : -1);
		if (want) {
			used[want->index] = true;
			waived++;
			by_dn += strchr(want->account, '=') != NULL;
		}
	}
	for (size_t k = 0; k < WAIVERS; k++)
		cr_expect_eq(fx->audit.waiver_used[k], used[k], "waiver %zu", k);
	cr_expect_gt(waived, 100);
	cr_expect_gt(by_dn, 20);
	cr_expect_lt(waived, (size_t)USERS);
	free(used);
	sbuf_release(&pol);
	fixture_free(fx);
}

/* ---- the domain as a subject: keys and waivers --------------------------- */

static struct fixture *weak_domain(const char *policy)
{
	struct sbuf sb;

	start(&sb);
	replace(&sb, "minPwdLength: 14\n", "minPwdLength: 7\n");
	replace(&sb, "pwdHistoryLength: 24\n", "pwdHistoryLength: 5\n");
	user(&sb, "bob", 2101, 512, NULL);
	return run(&sb, policy);
}

Test(engine, domain_findings_are_keyed_by_domain_sid_and_weakness)
{
	struct fixture *fx = weak_domain(NULL);
	bool len = false, hist = false;

	cr_assert_eq(fixture_count(fx, "pwd.domain-policy"), 2);
	for (size_t i = 0; i < fx->audit.nfindings; i++) {
		const struct finding *f = fx->audit.findings[i];

		if (strcmp(f->check->id, "pwd.domain-policy") != 0)
			continue;
		cr_expect_str_eq(finding_kind(f), "domain");
		cr_expect_str_eq(finding_sam(f), "corp.example.test");
		cr_expect_str_eq(finding_sid(f), DOM);
		len |= strcmp(fixture_key(f), "pwd.domain-policy|S-1-5-21-1-2-3|min_length") == 0;
		hist |= strcmp(fixture_key(f), "pwd.domain-policy|S-1-5-21-1-2-3|history") == 0;
	}
	cr_expect(len, "no key pwd.domain-policy|S-1-5-21-1-2-3|min_length");
	cr_expect(hist, "no key pwd.domain-policy|S-1-5-21-1-2-3|history");
	fixture_free(fx);
}

static void domain_waiver(const char *account)
{
	struct sbuf pol = SBUF_INIT;
	struct fixture *fx;

	sbuf_addf(&pol,
		  "{\"waivers\": [{\"check\": \"pwd.domain-policy\", \"account\": \"%s\", "
		  "\"reason\": \"legacy\"}]}",
		  account);
	fx = weak_domain(pol.buf);
	cr_assert_eq(fixture_count(fx, "pwd.domain-policy"), 2);
	for (size_t i = 0; i < fx->audit.nfindings; i++) {
		const struct finding *f = fx->audit.findings[i];

		if (strcmp(f->check->id, "pwd.domain-policy") == 0)
			cr_expect_not_null(f->waiver, "waiver \"%s\" does not hide %s", account,
					   fixture_key(f));
	}
	cr_expect_eq(fx->audit.summary.waived, 2, "one waiver hides every weakness");
	cr_expect_eq(fixture_count(fx, "policy.waiver-unused"), 0);
	sbuf_release(&pol);
	fixture_free(fx);
}

Test(engine, domain_waiver_by_dns_name_sid_or_dn)
{
	domain_waiver("corp.example.test");
	domain_waiver("CORP.example.TEST");
	domain_waiver("S-1-5-21-1-2-3");
	domain_waiver("DC=corp,DC=example,DC=test");
	domain_waiver("dc=Corp, dc=Example, dc=Test");
}

Test(engine, account_key_is_check_and_sid)
{
	struct sbuf sb;
	struct fixture *fx;
	const struct finding *f;

	alice_and_bob(&sb);
	fx = run(&sb, NULL);
	f = fixture_find(fx, "pwd.never-expires", "bob");
	cr_assert_not_null(f);
	cr_expect_str_eq(fixture_key(f), "pwd.never-expires|S-1-5-21-1-2-3-2101");
	cr_expect_str_eq(finding_kind(f), "user");
	cr_expect_str_eq(finding_upn(f), "bob@corp.example.test");
	cr_expect_str_eq(finding_dn(f), "CN=bob," BASE);
	fixture_free(fx);
}

Test(engine, pso_key_is_its_normalised_dn_and_waiver_by_name)
{
	struct sbuf sb;
	struct fixture *fx;
	const struct finding *f;
	static const char pso[] =
		"dn: CN=Weak PSO,CN=Password Settings Container,CN=System,DC=corp,DC=example,DC=test\n"
		"objectClass: msDS-PasswordSettings\n"
		"msDS-PasswordSettingsPrecedence: 1\n"
		"msDS-MinimumPasswordLength: 6\nmsDS-PasswordHistoryLength: 24\n"
		"msDS-LockoutThreshold: 5\nmsDS-PasswordComplexityEnabled: TRUE\n"
		"msDS-PasswordReversibleEncryptionEnabled: FALSE\n"
		"msDS-MaximumPasswordAge: -36288000000000\n"
		"msDS-PSOAppliesTo: CN=alice," BASE "\n\n";

	alice_and_bob(&sb);
	sbuf_adds(&sb, pso);
	fx = run(&sb, NULL);
	f = fixture_find(fx, "pwd.pso-weak-privileged", "Weak PSO");
	cr_assert_not_null(f, "the weak PSO of a Domain Admin is reported");
	cr_expect_str_eq(finding_kind(f), "pso");
	cr_expect_null(finding_sid(f));
	cr_expect_str_eq(fixture_key(f), "pwd.pso-weak-privileged|cn=weak pso,cn=password settings "
				 "container,cn=system,dc=corp,dc=example,dc=test");
	fixture_free(fx);

	alice_and_bob(&sb);
	sbuf_adds(&sb, pso);
	fx = run(&sb, "{\"waivers\": [{\"check\": \"pwd.pso-weak-privileged\", "
		      "\"account\": \"weak pso\", \"reason\": \"r\"}]}");
	f = fixture_find(fx, "pwd.pso-weak-privileged", "Weak PSO");
	cr_assert_not_null(f);
	cr_expect_not_null(f->waiver, "a PSO is waived by its name");
	fixture_free(fx);
}

/* ---- severity override -------------------------------------------------- */

Test(engine, severity_override_applies_to_every_finding_of_the_check)
{
	struct sbuf sb;
	struct fixture *fx;

	alice_and_bob(&sb);
	user(&sb, "zed", 2102, UAC_NOEXP, NULL);
	fx = run(&sb, "{\"checks\": {\"pwd.never-expires\": {\"severity\": \"critical\"}}}");
	cr_assert_eq(fixture_count(fx, "pwd.never-expires"), 2);
	cr_expect_eq(fixture_find(fx, "pwd.never-expires", "bob")->severity, SEV_CRITICAL);
	cr_expect_eq(fixture_find(fx, "pwd.never-expires", "zed")->severity, SEV_CRITICAL);
	cr_expect_eq(fixture_find(fx, "priv.password-never-expires", "alice")->severity, SEV_HIGH,
		     "other checks keep their severity");
	fixture_free(fx);
}

Test(engine, severity_override_replaces_an_escalation)
{
	struct sbuf sb;
	struct fixture *fx;
	char more[64];
	static const char policy[] =
		"{\"incident\": {\"password_reset_after\": \"2025-10-04T00:00:00Z\"}%s}";
	char pol[256];

	/* krbtgt set before the incident: krb.krbtgt-old escalates to critical */
	snprintf(more, sizeof(more), "pwdLastSet: %s", fixture_filetime("2025-09-01"));
	start(&sb);
	sbuf_addf(&sb,
		  "dn: CN=krbtgt," BASE "\nobjectClass: user\nsAMAccountName: krbtgt\n"
		  "objectSid: " DOM "-502\nuserAccountControl: 514\n%s\n\n",
		  more);
	snprintf(pol, sizeof(pol), policy, "");
	fx = run(&sb, pol);
	cr_assert(fixture_has(fx, "krb.krbtgt-old", "krbtgt"));
	cr_expect_eq(fixture_find(fx, "krb.krbtgt-old", "krbtgt")->severity, SEV_CRITICAL);
	fixture_free(fx);

	start(&sb);
	sbuf_addf(&sb,
		  "dn: CN=krbtgt," BASE "\nobjectClass: user\nsAMAccountName: krbtgt\n"
		  "objectSid: " DOM "-502\nuserAccountControl: 514\n%s\n\n",
		  more);
	snprintf(pol, sizeof(pol), policy,
		 ", \"checks\": {\"krb.krbtgt-old\": {\"severity\": \"low\"}}");
	fx = run(&sb, pol);
	cr_assert(fixture_has(fx, "krb.krbtgt-old", "krbtgt"));
	cr_expect_eq(fixture_find(fx, "krb.krbtgt-old", "krbtgt")->severity, SEV_LOW);
	fixture_free(fx);
}

/* ---- gate --------------------------------------------------------------- */

/* bob alone: his pwd.never-expires finding, with severity sev, gate fail_on. */
static struct fixture *gate_case(const char *sev, const char *fail_on, const char *waivers)
{
	struct sbuf sb, pol = SBUF_INIT;
	struct fixture *fx;

	start(&sb);
	user(&sb, "bob", 2101, UAC_NOEXP, NULL);
	sbuf_addf(&pol,
		  "{\"checks\": {\"pwd.never-expires\": {\"severity\": \"%s\"}}, "
		  "\"gate\": {\"fail_on\": \"%s\", \"unknown_fails\": false}%s}",
		  sev, fail_on, waivers ? waivers : "");
	fx = run(&sb, pol.buf);
	sbuf_release(&pol);
	cr_assert(fixture_has(fx, "pwd.never-expires", "bob"));
	return fx;
}

Test(engine, finding_exactly_at_fail_on_fails_the_gate)
{
	struct fixture *fx = gate_case("high", "high", NULL);

	cr_expect_not(fx->audit.summary.pass);
	cr_expect_eq(fx->audit.summary.fail_on, SEV_HIGH);
	cr_expect_eq(audit_exit_code(&fx->audit), EXIT_GATE);
	cr_expect_eq(fx->audit.summary.by_severity[SEV_HIGH], 1);
	cr_expect_eq(fixture_status(fx, "pwd.never-expires"), STATUS_FAIL);
	fixture_free(fx);

	fx = gate_case("info", "info", NULL);
	cr_expect_not(fx->audit.summary.pass, "info at fail_on info fails");
	fixture_free(fx);
}

Test(engine, finding_above_fail_on_fails_the_gate)
{
	struct fixture *fx = gate_case("critical", "medium", NULL);

	cr_expect_not(fx->audit.summary.pass);
	cr_expect_eq(audit_exit_code(&fx->audit), EXIT_GATE);
	fixture_free(fx);
}

Test(engine, finding_below_fail_on_passes_the_gate)
{
	struct fixture *fx = gate_case("high", "critical", NULL);

	cr_assert_not(unwaived_at_or_above(fx, SEV_CRITICAL, NULL),
		      "precondition: nothing critical in this directory");
	cr_expect(fx->audit.summary.pass);
	cr_expect_eq(audit_exit_code(&fx->audit), EXIT_PASS);
	fixture_free(fx);

	fx = gate_case("medium", "high", NULL);
	cr_assert_not(unwaived_at_or_above(fx, SEV_HIGH, NULL));
	cr_expect(fx->audit.summary.pass);
	cr_expect_eq(fx->audit.summary.by_severity[SEV_MEDIUM], 1);
	fixture_free(fx);
}

Test(engine, waived_findings_do_not_fail_the_gate)
{
	struct fixture *fx = gate_case("critical", "high",
				       ", \"waivers\": [{\"check\": \"pwd.never-expires\", "
				       "\"account\": \"bob\", \"reason\": \"r\"}]");

	cr_assert_not_null(fixture_find(fx, "pwd.never-expires", "bob")->waiver);
	cr_assert_not(unwaived_at_or_above(fx, SEV_HIGH, NULL));
	cr_expect(fx->audit.summary.pass);
	cr_expect_eq(fx->audit.summary.by_severity[SEV_CRITICAL], 0);
	cr_expect_eq(fx->audit.summary.waived, 1);
	fixture_free(fx);
}

Test(engine, unknown_checks_fail_only_with_unknown_fails)
{
	struct sbuf sb;
	struct fixture *fx;

	/* no msNPAllowDialin, no SPN, no krbtgt: several checks are unknown */
	start(&sb);
	user(&sb, "bob", 2101, 512, NULL);
	fx = run(&sb, "{\"gate\": {\"fail_on\": \"critical\", \"unknown_fails\": true}}");
	cr_assert_gt(fx->audit.summary.unknown_checks, 0);
	cr_assert_not(unwaived_at_or_above(fx, SEV_CRITICAL, NULL));
	cr_expect_not(fx->audit.summary.pass);
	cr_expect_eq(audit_exit_code(&fx->audit), EXIT_GATE);
	fixture_free(fx);

	start(&sb);
	user(&sb, "bob", 2101, 512, NULL);
	fx = run(&sb, "{\"gate\": {\"fail_on\": \"critical\", \"unknown_fails\": false}}");
	cr_assert_gt(fx->audit.summary.unknown_checks, 0);
	cr_expect(fx->audit.summary.pass);
	fixture_free(fx);

	start(&sb);
	user(&sb, "bob", 2101, 512, NULL);
	fx = run(&sb, NULL);
	cr_expect(fx->policy.unknown_fails, "unknown_fails defaults to true");
	cr_expect_not(fx->audit.summary.pass);
	fixture_free(fx);
}

/* ---- unknown ------------------------------------------------------------ */

Test(engine, check_is_unknown_when_its_attribute_is_absent_from_every_entry)
{
	struct sbuf sb;
	struct fixture *fx;
	const struct check_state *st;

	/* no lastLogon, no lastLogonTimestamp on any user (one computer has it) */
	start(&sb);
	sbuf_adds(&sb, "dn: CN=bob," BASE "\nobjectClass: user\nsAMAccountName: bob\n"
		       "objectSid: " DOM "-2101\nuserAccountControl: 512\n"
		       "whenCreated: 20200101000000.0Z\n\n"
		       "dn: CN=WS1,CN=Computers,DC=corp,DC=example,DC=test\n"
		       "objectClass: computer\nsAMAccountName: WS1$\nobjectSid: " DOM "-2102\n"
		       "userAccountControl: 4096\nlastLogonTimestamp: 133000000000000000\n\n");
	fx = run(&sb, NULL);
	st = state(fx, "acct.stale");
	cr_expect_eq(st->status, STATUS_UNKNOWN);
	cr_assert_not_null(st->reason);
	cr_expect(strstr(st->reason, "lastLogonTimestamp") != NULL, "reason: %s", st->reason);
	cr_expect(strstr(st->reason, "lastLogon ") != NULL ||
			  strstr(st->reason, "lastLogon,") != NULL,
		  "reason: %s", st->reason);
	cr_expect(strstr(st->reason, "absent from all user entries") != NULL, "reason: %s",
		  st->reason);
	cr_expect_eq(fixture_count(fx, "acct.stale"), 0);
	cr_expect_eq(fixture_status(fx, "acct.never-logged-on"), STATUS_UNKNOWN);
	cr_expect_eq(fx->audit.summary.unknown_checks >= 2, true);
	cr_expect_str_eq(check_status_name(STATUS_UNKNOWN), "unknown");
	fixture_free(fx);
}

Test(engine, one_entry_carrying_the_attribute_makes_the_check_known)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	sbuf_adds(&sb, "dn: CN=bob," BASE "\nobjectClass: user\nsAMAccountName: bob\n"
		       "objectSid: " DOM "-2101\nuserAccountControl: 512\n"
		       "whenCreated: 20200101000000.0Z\n\n");
	user(&sb, "amy", 2102, 512, NULL);
	fx = run(&sb, NULL);
	cr_expect_neq(fixture_status(fx, "acct.stale"), STATUS_UNKNOWN);
	/* bob never logged on and was created in 2020: stale or never-logged-on */
	cr_expect(fixture_has(fx, "acct.never-logged-on", "bob"));
	fixture_free(fx);
}

/* ---- summary ------------------------------------------------------------ */

Test(engine, summary_counts)
{
	struct sbuf sb;
	struct fixture *fx;
	const struct summary *s;

	start(&sb);
	user(&sb, "Administrator", 500, 512, NULL);
	user(&sb, "Guest", 501, 514, NULL);
	user(&sb, "krbtgt", 502, 514, NULL);
	user(&sb, "alice", 2100, 512, NULL);                      /* privileged */
	user(&sb, "old-admin", 2101, 514, NULL);                  /* privileged, disabled */
	user(&sb, "roamer", 2102, 512, "msNPAllowDialin: TRUE");  /* VPN */
	user(&sb, "gone", 2103, 514, "msNPAllowDialin: TRUE");    /* VPN, disabled */
	user(&sb, "both", 2104, 512, "msNPAllowDialin: TRUE");    /* privileged and VPN */
	member(&sb, DOM "-512", "Administrator");
	member(&sb, DOM "-512", "alice");
	member(&sb, DOM "-512", "old-admin");
	member(&sb, DOM "-512", "both");
	sbuf_adds(&sb, "dn: CN=WS1,CN=Computers,DC=corp,DC=example,DC=test\n"
		       "objectClass: computer\nsAMAccountName: WS1$\nobjectSid: " DOM "-2200\n"
		       "userAccountControl: 4096\n\n"
		       "dn: CN=gmsa,CN=Managed Service Accounts,DC=corp,DC=example,DC=test\n"
		       "objectClass: user\nobjectClass: computer\n"
		       "objectClass: msDS-GroupManagedServiceAccount\n"
		       "sAMAccountName: gmsa$\nobjectSid: " DOM "-2201\nuserAccountControl: 4096\n\n"
		       "dn: CN=partner," BASE "\nobjectClass: contact\nsAMAccountName: partner\n\n");
	fx = run(&sb, NULL);
	s = &fx->audit.summary;
	/* users 7 (not krbtgt), WS1, gmsa; not the contact, not groups */
	cr_expect_eq(s->accounts, 9);
	/* Administrator, alice, roamer, both, WS1, gmsa */
	cr_expect_eq(s->enabled, 6);
	/* Administrator, alice, both (not old-admin) */
	cr_expect_eq(s->privileged, 3);
	/* roamer, both (not gone) */
	cr_expect_eq(s->vpn_capable, 2);
	fixture_free(fx);
}

Test(engine, summary_counts_findings_by_severity_and_states)
{
	struct sbuf sb;
	struct fixture *fx;
	size_t by[SEV_COUNT] = { 0 }, waived = 0, per_check;

	alice_and_bob(&sb);
	fx = run(&sb, "{\"waivers\": [{\"check\": \"pwd.never-expires\", \"account\": \"bob\", "
		      "\"reason\": \"r\"}]}");
	for (size_t i = 0; i < fx->audit.nfindings; i++) {
		const struct finding *f = fx->audit.findings[i];

		if (f->waiver)
			waived++;
		else
			by[f->severity]++;
	}
	for (int k = 0; k < SEV_COUNT; k++)
		cr_expect_eq(fx->audit.summary.by_severity[k], by[k], "severity %s",
			     severity_name((enum severity)k));
	cr_expect_eq(fx->audit.summary.waived, waived);
	cr_expect_eq(waived, 1);
	for (size_t c = 0; c < registry_count(); c++) {
		per_check = 0;
		for (size_t i = 0; i < fx->audit.nfindings; i++)
			per_check += fx->audit.findings[i]->check_index == c;
		cr_expect_eq(fx->audit.states[c].findings, per_check, "%s", registry_get(c)->id);
	}
	fixture_free(fx);
}

/* ---- order -------------------------------------------------------------- */

Test(engine, findings_are_sorted_by_severity_check_and_name)
{
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	user(&sb, "zed", 2100, UAC_NOEXP, NULL);
	user(&sb, "amy", 2101, UAC_NOEXP, NULL);
	user(&sb, "mia", 2102, UAC_NOEXP | 0x20, NULL);      /* + PASSWD_NOTREQD (high) */
	user(&sb, "kai", 2103, UAC_NOEXP, NULL);
	member(&sb, DOM "-512", "kai");
	fx = run(&sb, NULL);
	cr_assert_geq(fx->audit.nfindings, 4);
	for (size_t i = 1; i < fx->audit.nfindings; i++) {
		const struct finding *p = fx->audit.findings[i - 1], *f = fx->audit.findings[i];
		int r = severity_rank(p->severity) - severity_rank(f->severity);

		cr_assert_geq(r, 0, "%s (%s) before %s (%s)", p->check->id,
			      severity_name(p->severity), f->check->id, severity_name(f->severity));
		if (r)
			continue;
		cr_assert_leq(strcmp(p->check->id, f->check->id), 0, "%s before %s", p->check->id,
			      f->check->id);
		if (strcmp(p->check->id, f->check->id) == 0 && finding_sam(p) && finding_sam(f))
			cr_assert_leq(strcmp(finding_sam(p), finding_sam(f)), 0, "%s: %s before %s",
				      f->check->id, finding_sam(p), finding_sam(f));
	}
	/* pwd.never-expires: amy, mia, zed in this order */
	{
		const char *want[] = { "amy", "mia", "zed" };
		size_t k = 0;

		for (size_t i = 0; i < fx->audit.nfindings; i++)
			if (strcmp(fx->audit.findings[i]->check->id, "pwd.never-expires") == 0) {
				cr_assert_lt(k, 3);
				cr_expect_str_eq(finding_sam(fx->audit.findings[i]), want[k]);
				k++;
			}
		cr_expect_eq(k, 3);
	}
	fixture_free(fx);
}

/*
 * Within a check, names are sorted as strcmp() sorts them, though the
 * sort compares their first sixteen bytes as integers: names alike in
 * those, names that are prefixes of others, upper case, bytes above 0x7f.
 */
Test(engine, names_sort_as_strcmp_past_their_first_sixteen_bytes)
{
	static const char *const names[] = {
		"svc-reporting-eu-west-02", "svc-reporting-eu-west-01", "svc-reporting-eu-west",
		"svc-reporting-eu", "svc-reporting-e", "svc-reporting-eu-west-1",
		"0123456789abcdef", "0123456789abcdeg", "0123456789abcde", "01234567",
		"0123456", "012345678", "Zed", "zeb", "ZEE", "\xc4\x80x", "\xc3\xa9mile", "emile", "~x",
		"svc-reporting-eu-west-02a",
	};
	size_t n = sizeof(names) / sizeof(names[0]), k = 0;
	const char *prev = NULL;
	struct sbuf sb;
	struct fixture *fx;

	start(&sb);
	for (size_t i = 0; i < n; i++)
		user(&sb, names[i], 2100 + (int)i, UAC_NOEXP, NULL);
	fx = run(&sb, NULL);
	for (size_t i = 0; i < fx->audit.nfindings; i++) {
		const struct finding *f = fx->audit.findings[i];

		if (strcmp(f->check->id, "pwd.never-expires") != 0)
			continue;
		if (prev)
			cr_expect_lt(strcmp(prev, finding_sam(f)), 0, "%s before %s", prev,
				     finding_sam(f));
		prev = finding_sam(f);
		k++;
	}
	cr_expect_eq(k, n);
	fixture_free(fx);
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/*
 * Keys are compared without being built: the order must be strcmp's of
 * the built keys, where one subject is a prefix of another, where a
 * detail follows, and across checks.
 */
Test(engine, key_order_is_that_of_the_built_keys)
{
	const struct check *c1 = registry_get(0), *c2 = registry_get(1);
	struct finding_subject s500 = { .sid = "S-1-5-21-1-2-3-500" },
			       s5001 = { .sid = "S-1-5-21-1-2-3-5001" },
			       s50 = { .sid = "S-1-5-21-1-2-3-50" }, nobody = { .sam = "nobody" },
			       cafe = { .sam = "caf\xc3\xa9" };
	struct finding f[] = {
		{ .check = c1, .subject = &s500 },
		{ .check = c1, .subject = &s5001 },
		{ .check = c1, .subject = &s500, .detail = (char *)"history" },
		{ .check = c1, .subject = &s500, .detail = (char *)"min_length" },
		{ .check = c1, .subject = &s50 },
		{ .check = c1, .subject = &nobody },
		{ .check = c1, .subject = &nobody, .detail = (char *)"" },
		{ .check = c1, .subject = &cafe },
		{ .check = c2, .subject = &s500 },
	};
	size_t n = sizeof(f) / sizeof(f[0]);
	struct sbuf kx = SBUF_INIT, ky = SBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < n; k++) {
			int want = sign(strcmp(finding_key(&f[i], &kx), finding_key(&f[k], &ky)));

			cr_expect_eq(sign(finding_key_cmp(&f[i], &f[k])), want, "%s against %s",
				     kx.buf, ky.buf);
		}
	}
	sbuf_reset(&ky);
	sbuf_addf(&ky, "%s|S-1-5-21-1-2-3-500|min_length", c1->id);
	cr_expect_str_eq(finding_key(&f[3], &kx), ky.buf);
	sbuf_reset(&ky);
	sbuf_addf(&ky, "%s|nobody", c1->id);
	cr_expect_str_eq(finding_key(&f[5], &kx), ky.buf);
	sbuf_release(&kx);
	sbuf_release(&ky);
}

Test(engine, two_runs_give_the_same_order)
{
	struct sbuf sb1, sb2;
	struct fixture *a, *b;

	alice_and_bob(&sb1);
	alice_and_bob(&sb2);
	a = run(&sb1, NULL);
	b = run(&sb2, NULL);
	cr_assert_eq(a->audit.nfindings, b->audit.nfindings);
	for (size_t i = 0; i < a->audit.nfindings; i++)
		cr_expect_str_eq(fixture_key(a->audit.findings[i]), fixture_key(b->audit.findings[i]));
	fixture_free(a);
	fixture_free(b);
}

/* ---- per_account checks, run on blocks of accounts ---------------------- */

enum { BLOCK_USERS = 10000 };

/* BLOCK_USERS users u00000..., u in noexp with DONT_EXPIRE_PASSWORD; more: on every one. */
static void many_users(struct sbuf *sb, const bool *noexp, const char *more)
{
	start(sb);
	for (unsigned u = 0; u < BLOCK_USERS; u++) {
		char sam[16];

		snprintf(sam, sizeof(sam), "u%05u", u);
		user(sb, sam, 3000 + u, noexp && noexp[u] ? UAC_NOEXP : 512, more);
	}
}

/*
 * More than two blocks of the engine's 4,096 accounts: every seventh
 * user, and those on either side of each block's edge, have a password
 * that never expires. pwd.never-expires, run block by block on both
 * threads, finds each of them once and no one else.
 */
Test(engine, per_account_check_finds_each_account_once_across_blocks)
{
	static const unsigned edges[] = { 0, 4095, 4096, 8191, 8192, BLOCK_USERS - 1 };
	bool *noexp = xcalloc(BLOCK_USERS, sizeof(*noexp));
	unsigned *found = xcalloc(BLOCK_USERS, sizeof(*found));
	size_t want = 0;
	struct sbuf sb;
	struct fixture *fx;

	for (unsigned u = 0; u < BLOCK_USERS; u++)
		noexp[u] = u % 7 == 3;
	for (size_t k = 0; k < sizeof(edges) / sizeof(*edges); k++)
		noexp[edges[k]] = true;
	for (unsigned u = 0; u < BLOCK_USERS; u++)
		want += noexp[u];
	many_users(&sb, noexp, NULL);
	fx = run(&sb, NULL);
	cr_assert_eq(fx->dir.naccounts, BLOCK_USERS);
	for (size_t i = 0; i < fx->audit.nfindings; i++) {
		const struct finding *f = fx->audit.findings[i];
		unsigned u;

		if (strcmp(f->check->id, "pwd.never-expires") != 0)
			continue;
		cr_assert_eq(sscanf(finding_sam(f), "u%05u", &u), 1, "%s", finding_sam(f));
		cr_assert_lt(u, BLOCK_USERS);
		found[u]++;
	}
	for (unsigned u = 0; u < BLOCK_USERS; u++)
		cr_assert_eq(found[u], noexp[u] ? 1u : 0u, "u%05u: %u findings", u, found[u]);
	cr_expect_eq(fixture_count(fx, "pwd.never-expires"), want);
	cr_expect_eq(state(fx, "pwd.never-expires")->findings, want);
	cr_expect_eq(fixture_status(fx, "pwd.never-expires"), STATUS_FAIL);
	free(found);
	free(noexp);
	fixture_free(fx);
}

/*
 * A per_account check that cannot be told says so on every block, both
 * threads at once: it is UNKNOWN with its reason, and has no finding.
 */
Test(engine, per_account_check_unknown_on_every_block)
{
	struct sbuf sb;
	struct fixture *fx;

	many_users(&sb, NULL, "msNPAllowDialin: TRUE");
	fx = run(&sb, "{\"vpn\": {\"groups\": [], \"dialin_attribute\": false},"
		      " \"incident\": {\"password_reset_after\": \"2025-10-04\"}}");
	cr_assert_eq(fx->dir.naccounts, BLOCK_USERS);
	for (size_t i = 0; i < registry_count(); i++) {
		const struct check *c = registry_get(i);

		if (strcmp(c->family, "vpn") != 0)
			continue;
		cr_expect_eq(fx->audit.states[i].status, STATUS_UNKNOWN, "%s", c->id);
		cr_expect_str_eq(fx->audit.states[i].reason,
				 "policy.vpn.groups is empty and vpn.dialin_attribute is false: "
				 "no way to tell which accounts can use the VPN", "%s", c->id);
		cr_expect_eq(fixture_count(fx, c->id), 0, "%s", c->id);
	}
	fixture_free(fx);
}

/* ---- statuses ----------------------------------------------------------- */

Test(engine, check_statuses)
{
	struct sbuf sb;
	struct fixture *fx;

	alice_and_bob(&sb);
	fx = run(&sb, "{\"checks\": {\"pwd.reversible\": {\"enabled\": false}}}");
	cr_expect_eq(fixture_status(fx, "pwd.reversible"), STATUS_DISABLED);
	cr_expect_eq(fixture_status(fx, "pwd.never-expires"), STATUS_FAIL);
	cr_expect_eq(fixture_status(fx, "pwd.not-required"), STATUS_PASS);
	cr_expect_str_eq(check_status_name(STATUS_PASS), "pass");
	cr_expect_str_eq(check_status_name(STATUS_FAIL), "fail");
	cr_expect_str_eq(check_status_name(STATUS_DISABLED), "disabled");
	fixture_free(fx);
}
