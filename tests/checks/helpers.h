/*
 * Helpers shared by the check families' tests: times relative to the
 * tests' fixed now, the fixture domain with additions, users and groups as
 * LDIF, a run of the audit, evidence accessors.
 */
#ifndef PRIVAUDIT_TEST_CHECKS_HELPERS_H
#define PRIVAUDIT_TEST_CHECKS_HELPERS_H

#include <stdint.h>

#include "../../auditor/sbuf.h"
#include "../fixture.h"

#define NOW "2026-01-01T00:00:00Z"
#define DAY 86400LL
#define BASE "CN=Users,DC=corp,DC=example,DC=test"

struct u {
	const char *sam;
	unsigned rid, uac;
	const char *logon;    /* lastLogonTimestamp */
	const char *created;  /* whenCreated */
	const char *pwd;      /* pwdLastSet */
	const char *lines;    /* any other attribute lines */
};

int64_t now_t(void);
const char *ft_ago(long long days, long long secs);
const char *gt_ago(long long days, long long secs);
struct u good(const char *sam, unsigned rid);
void add_user(struct sbuf *sb, const struct u *u);
void domain(struct sbuf *sb, const char *const *adds);
void group(struct sbuf *sb, const char *sam, unsigned rid, ...);
struct fixture *run_ldif(struct sbuf *sb, const char *policy);
const char *ev_str(const struct finding *f, const char *key);
long long ev_int(const struct finding *f, const char *key);
struct sbuf ldif_start(void);
const char *reason(const struct fixture *fx, const char *check);

#endif
