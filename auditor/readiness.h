/*
 * VPN reopening readiness (DESIGN.md use case 1): from a finished audit,
 * the answer to "may the VPN reopen?" as GO or NO-GO with its reasons.
 *
 * Computed only when VPN checks ran (at least one vpn.* check passed or
 * failed); otherwise r->computed is false and reports leave it out.
 *
 * Blocking counts are unwaived findings of: vpn.no-mfa (no MFA),
 * vpn.password-not-reset (password older than the incident reset),
 * vpn.stale, vpn.never-used, vpn.privileged, vpn.unowned (DESIGN.md asks
 * "owned by a person" too). krbtgt counts as rotated when its pwdLastSet
 * is at or after incident.password_reset_after (read from the directory:
 * a waiver does not rotate a key).
 *
 * NO-GO when any blocking count is non-zero, when krbtgt was not rotated
 * or that cannot be told (no incident date, krbtgt not read), when a
 * blocking check is disabled by the policy, or when any vpn.*, mfa.* or
 * krb.krbtgt-old check is unknown: never GO on missing information.
 */
#ifndef PRIVAUDIT_READINESS_H
#define PRIVAUDIT_READINESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct audit;

enum krbtgt_state {
	KRBTGT_ROTATED,
	KRBTGT_NOT_ROTATED,
	KRBTGT_UNKNOWN,
};

struct readiness {
	bool computed;              /* VPN checks ran */
	bool go;
	bool has_incident;
	int64_t incident;           /* TIME_NEVER without one */
	size_t vpn_capable;         /* enabled VPN-capable accounts (summary) */
	size_t no_mfa, password_not_reset, stale, never_used, privileged, unowned;
	size_t waived;              /* waived findings of the blocking checks */
	enum krbtgt_state krbtgt;
	int64_t krbtgt_pwd_last_set;/* TIME_NEVER when not known */
	const char **unknown;       /* ids of the unknown checks that matter (owned array) */
	size_t nunknown;
	char **reasons;             /* why NO-GO, most important first (owned) */
	size_t nreasons;
};

/* Compute r from the finished audit a (r is overwritten). */
void readiness_compute(struct readiness *r, const struct audit *a);
void readiness_release(struct readiness *r);

/* "GO" or "NO-GO". */
const char *readiness_verdict(const struct readiness *r);

#endif
