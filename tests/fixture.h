/*
 * Test fixtures: an audit run from LDIF text and a policy JSON string, so a
 * check's test is data (a small directory, a policy, the expected
 * findings). Failures to parse abort the test with a message.
 *
 *   struct fixture *fx = fixture_run(ldif, NULL, "2026-01-01T00:00:00Z");
 *   cr_assert(fixture_has(fx, "pwd.old", "alice"));
 *   fixture_free(fx);
 *
 * LDIF in fixtures may give objectSid and sIDHistory in text form
 * ("objectSid: S-1-5-21-1-2-3-1105"), as the LDIF reader accepts.
 * fixture_filetime() and fixture_gentime() format times for it.
 */
#ifndef PRIVAUDIT_TEST_FIXTURE_H
#define PRIVAUDIT_TEST_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "../auditor/dir.h"
#include "../auditor/engine.h"
#include "../auditor/policy.h"

struct fixture {
	struct dir dir;
	struct policy policy;
	struct audit audit;
	int64_t now;
};

/* policy_json NULL: the defaults. now: ISO 8601. */
struct fixture *fixture_run(const char *ldif, const char *policy_json, const char *now);
void fixture_free(struct fixture *fx);

/* Whether a finding of check on the subject named sam exists (waived or not). */
bool fixture_has(const struct fixture *fx, const char *check, const char *sam);
/* That finding, or NULL. */
const struct finding *fixture_find(const struct fixture *fx, const char *check, const char *sam);
/* How many findings check has. */
size_t fixture_count(const struct fixture *fx, const char *check);
enum check_status fixture_status(const struct fixture *fx, const char *check);
/* f's key (finding_key), valid until the next 8 calls. */
const char *fixture_key(const struct finding *f);
/* f's message (finding_message), valid until the next 8 calls. */
const char *fixture_message(const struct finding *f);
/* The account with this sAMAccountName (asserts it exists). */
const struct account *fixture_account(const struct fixture *fx, const char *sam);

/*
 * A time as AD writes it, from ISO 8601 ("2025-01-01" or with a time),
 * or from days before the fixture's now (negative: after). Each returns a
 * string valid until the next 64 calls.
 */
const char *fixture_filetime(const char *iso);
const char *fixture_gentime(const char *iso);
const char *fixture_filetime_days_ago(const char *now_iso, double days);
const char *fixture_gentime_days_ago(const char *now_iso, double days);

/*
 * Decimal text for round of a test against strtoll(), in num (32 bytes):
 * 1 to max_digits digits (round % max_digits + 1), signed every fifth
 * round, a 9 first every third (to overflow at 19 digits), and every
 * fourth round a byte that is no digit at some place, whose index is
 * returned (else SIZE_MAX). *seed is the generator's state.
 */
size_t fixture_number_text(unsigned *seed, int round, int max_digits, char *num);

/*
 * A standard small domain header: the domain head (DC=corp,DC=example,
 * DC=test, SID S-1-5-21-1-2-3, a strong password policy) and the
 * well-known groups (Domain Admins 512, Domain Users 513, Domain
 * Computers 515, Domain Controllers 516, Schema Admins 518, Enterprise
 * Admins 519, Protected Users 525, Administrators S-1-5-32-544, ...) with
 * no members. Concatenate it with the test's own entries.
 */
extern const char fixture_domain_ldif[];

#endif
