/*
 * Test fixtures: a whole audit from LDIF text (see fixture.h).
 */
#include "fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <math.h>
#include <string.h>

#include "../auditor/error.h"
#include "../auditor/ldif.h"
#include "../auditor/timeutil.h"
#include "../auditor/xalloc.h"
#include "../checks/registry.h"

const char fixture_domain_ldif[] =
	"dn: DC=corp,DC=example,DC=test\n"
	"objectClass: top\nobjectClass: domain\nobjectClass: domainDNS\n"
	"objectSid: S-1-5-21-1-2-3\n"
	"minPwdLength: 14\npwdHistoryLength: 24\nmaxPwdAge: -36288000000000\n"
	"minPwdAge: -864000000000\nlockoutThreshold: 5\nlockoutDuration: -18000000000\n"
	"pwdProperties: 1\n"
	"\n"
	"dn: CN=Administrators,CN=Builtin,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: Administrators\nobjectSid: S-1-5-32-544\n"
	"member: CN=Domain Admins,CN=Users,DC=corp,DC=example,DC=test\n"
	"member: CN=Enterprise Admins,CN=Users,DC=corp,DC=example,DC=test\n"
	"\n"
	"dn: CN=Account Operators,CN=Builtin,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: Account Operators\nobjectSid: S-1-5-32-548\n"
	"\n"
	"dn: CN=Server Operators,CN=Builtin,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: Server Operators\nobjectSid: S-1-5-32-549\n"
	"\n"
	"dn: CN=Print Operators,CN=Builtin,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: Print Operators\nobjectSid: S-1-5-32-550\n"
	"\n"
	"dn: CN=Backup Operators,CN=Builtin,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: Backup Operators\nobjectSid: S-1-5-32-551\n"
	"\n"
	"dn: CN=Domain Admins,CN=Users,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: Domain Admins\nobjectSid: S-1-5-21-1-2-3-512\n"
	"\n"
	"dn: CN=Domain Users,CN=Users,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: Domain Users\nobjectSid: S-1-5-21-1-2-3-513\n"
	"\n"
	"dn: CN=Domain Guests,CN=Users,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: Domain Guests\nobjectSid: S-1-5-21-1-2-3-514\n"
	"\n"
	"dn: CN=Domain Computers,CN=Users,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: Domain Computers\nobjectSid: S-1-5-21-1-2-3-515\n"
	"\n"
	"dn: CN=Domain Controllers,CN=Users,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: Domain Controllers\nobjectSid: S-1-5-21-1-2-3-516\n"
	"\n"
	"dn: CN=Schema Admins,CN=Users,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: Schema Admins\nobjectSid: S-1-5-21-1-2-3-518\n"
	"\n"
	"dn: CN=Enterprise Admins,CN=Users,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: Enterprise Admins\nobjectSid: S-1-5-21-1-2-3-519\n"
	"\n"
	"dn: CN=Group Policy Creator Owners,CN=Users,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: Group Policy Creator Owners\n"
	"objectSid: S-1-5-21-1-2-3-520\n"
	"\n"
	"dn: CN=Read-only Domain Controllers,CN=Users,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: Read-only Domain Controllers\n"
	"objectSid: S-1-5-21-1-2-3-521\n"
	"\n"
	"dn: CN=Protected Users,CN=Users,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: Protected Users\nobjectSid: S-1-5-21-1-2-3-525\n"
	"\n"
	"dn: CN=Key Admins,CN=Users,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: Key Admins\nobjectSid: S-1-5-21-1-2-3-526\n"
	"\n"
	"dn: CN=Enterprise Key Admins,CN=Users,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: Enterprise Key Admins\nobjectSid: S-1-5-21-1-2-3-527\n"
	"\n"
	"dn: CN=DnsAdmins,CN=Users,DC=corp,DC=example,DC=test\n"
	"objectClass: group\nsAMAccountName: DnsAdmins\nobjectSid: S-1-5-21-1-2-3-1101\n"
	"\n";

static int64_t parse_now(const char *iso)
{
	int64_t t;

	cr_assert(time_from_iso8601(iso, &t, NULL) == 0, "bad fixture time \"%s\"", iso);
	return t;
}

struct fixture *fixture_run(const char *ldif, const char *policy_json, const char *now)
{
	struct fixture *fx = xcalloc(1, sizeof(*fx));
	struct error err = ERROR_INIT;
	const char **extra;
	size_t nextra;

	fx->now = parse_now(now);
	policy_init(&fx->policy);
	if (policy_json)
		cr_assert(policy_load_string(&fx->policy, policy_json, "policy.json", &err) == 0,
			  "policy: %s", err.msg);
	extra = policy_extra_attributes(&fx->policy, &nextra);
	dir_init(&fx->dir, extra, nextra);
	free(extra);
	cr_assert(ldif_load_mem(&fx->dir, ldif, strlen(ldif), "fixture.ldif", &err) == 0,
		  "ldif: %s", err.msg);
	dir_resolve(&fx->dir, &fx->policy, fx->now);
	audit_init(&fx->audit, &fx->dir, &fx->policy, fx->now);
	audit_run(&fx->audit);
	return fx;
}

void fixture_free(struct fixture *fx)
{
	if (!fx)
		return;
	audit_release(&fx->audit);
	dir_release(&fx->dir);
	policy_release(&fx->policy);
	free(fx);
}

const struct finding *fixture_find(const struct fixture *fx, const char *check, const char *sam)
{
	for (size_t i = 0; i < fx->audit.nfindings; i++) {
		const struct finding *f = fx->audit.findings[i];

		if (strcmp(f->check->id, check) == 0 && finding_sam(f) &&
		    strcasecmp(finding_sam(f), sam) == 0)
			return f;
	}
	return NULL;
}

const char *fixture_key(const struct finding *f)
{
	static struct sbuf keys[8];
	static size_t next;
	struct sbuf *sb = &keys[next++ % 8];

	return finding_key(f, sb);
}

const char *fixture_message(const struct finding *f)
{
	static struct sbuf texts[8];
	static size_t next;

	return finding_message(f, &texts[next++ % 8]);
}

bool fixture_has(const struct fixture *fx, const char *check, const char *sam)
{
	cr_assert(registry_find(check, NULL), "no check \"%s\" in the registry", check);
	return fixture_find(fx, check, sam) != NULL;
}

size_t fixture_count(const struct fixture *fx, const char *check)
{
	size_t n = 0;

	cr_assert(registry_find(check, NULL), "no check \"%s\" in the registry", check);
	for (size_t i = 0; i < fx->audit.nfindings; i++)
		n += strcmp(fx->audit.findings[i]->check->id, check) == 0;
	return n;
}

enum check_status fixture_status(const struct fixture *fx, const char *check)
{
	size_t idx;

	cr_assert(registry_find(check, &idx), "no check \"%s\" in the registry", check);
	return fx->audit.states[idx].status;
}

const struct account *fixture_account(const struct fixture *fx, const char *sam)
{
	for (size_t i = 0; i < fx->dir.naccounts; i++)
		if (fx->dir.accounts[i]->h.sam && strcasecmp(fx->dir.accounts[i]->h.sam, sam) == 0)
			return fx->dir.accounts[i];
	cr_assert_fail("no account \"%s\" in the fixture", sam);
	return NULL;
}

static char ring[64][40];
static unsigned ring_next;

static char *slot(void)
{
	return ring[ring_next++ % 64];
}

static const char *filetime_of(int64_t t)
{
	char *s = slot();

	snprintf(s, 40, "%lld", (long long)((t + 11644473600LL) * 10000000LL));
	return s;
}

static const char *gentime_of(int64_t t)
{
	char iso[32], *s = slot();

	time_format(t, iso, sizeof(iso));
	/* 2025-10-04T00:00:00Z -> 20251004000000.0Z */
	snprintf(s, 40, "%.4s%.2s%.2s%.2s%.2s%.2s.0Z", iso, iso + 5, iso + 8, iso + 11, iso + 14,
		 iso + 17);
	return s;
}

const char *fixture_filetime(const char *iso)
{
	return filetime_of(parse_now(iso));
}

const char *fixture_gentime(const char *iso)
{
	return gentime_of(parse_now(iso));
}

const char *fixture_filetime_days_ago(const char *now_iso, double days)
{
	return filetime_of(parse_now(now_iso) - (int64_t)llround(days * SECONDS_PER_DAY));
}

const char *fixture_gentime_days_ago(const char *now_iso, double days)
{
	return gentime_of(parse_now(now_iso) - (int64_t)llround(days * SECONDS_PER_DAY));
}

size_t fixture_number_text(unsigned *seed, int round, int max_digits, char *num)
{
	size_t len = 1 + (size_t)(round % max_digits), at = SIZE_MAX, n = 0;

	*seed = *seed * 1103515245u + 12345u;
	if (round % 5 == 0)
		num[n++] = (*seed >> 8) % 2 ? '-' : '+';
	for (size_t i = 0; i < len; i++) {
		*seed = *seed * 1103515245u + 12345u;
		num[n++] = (char)('0' + (i == 0 && round % 3 == 0 ? 9 : (*seed >> 16) % 10));
	}
	num[n] = '\0';
	if (round % 4 == 1) {
		at = (*seed >> 20) % n;
		/* the bytes either side of the digits, and one far off */
		num[at] = "/:x\xb0"[(*seed >> 24) % 4];
	}
	return at;
}
