/*
 * External evidence: the CSV exports the policy names, applied to the
 * resolved directory.
 *
 *  - MFA enrollment (policy.mfa.enrollment_csv), as exported by Duo, Okta
 *    or Entra: every row whose `column` equals (ASCII case-insensitively)
 *    the `match` attribute of exactly one account gives that account the
 *    MFA_SRC_CSV evidence bit. The CSV must list enrolled users only: a
 *    row is evidence whatever its other columns say.
 *  - VPN activity (policy.vpn.activity_csv), from the VPN gateway: `column`
 *    names the user, `time_column` the login time; the newest login of
 *    each account goes to account.vpn_last_login, which then drives
 *    vpn.stale instead of the directory's last logon.
 *
 * `match` is userPrincipalName, sAMAccountName, mail or any attribute the
 * directory kept because the policy named it (policy_extra_attributes()).
 * A name that matches several accounts is ambiguous and gives no evidence
 * to any of them (a shared mail address must not lend an administrator
 * account the MFA of its owner's everyday account). Names and times are
 * trimmed of surrounding spaces; rows with an empty name are skipped.
 *
 * Paths: a relative CSV path is relative to the directory of the policy
 * file (policy.path), not the working directory, so that a policy and its
 * exports travel together; with the built-in defaults, a policy from a
 * string or from stdin, it is relative to the working directory.
 *
 * VPN login times (evidence_parse_time): ISO 8601 ("2025-10-04",
 * "2025-10-04T08:15:00Z", "...+09:00", fractions ignored), the same with
 * '/' for '-' or a space for 'T' ("2025/10/04 08:15:00", Palo Alto,
 * FortiGate), a zone "Z", "UTC", "GMT", "+0900", "+09:00" or "+09",
 * possibly after a space; Unix time in seconds (9-10 digits) or
 * milliseconds (12-13 digits); "Oct 04 2025 08:15:00" (Cisco ASA) and
 * "Sat, 04 Oct 2025 08:15:00 GMT" (RFC 2822), English month names. A time
 * without a zone is taken as UTC: gateways often omit it, and the error
 * (at most 14 hours) is small against an idle limit counted in days. An
 * empty time means "no login recorded" for that row. Day-first and
 * month-first numeric dates (04/10/2025) are ambiguous and refused.
 *
 * Errors (exit 2, EXIT_INPUT): "FILE: cannot open: REASON" for a missing
 * or unreadable file, "FILE:LINE[:COL]: message" for a malformed one
 * (csv.h), a missing column or a bad time. When the policy marks the
 * source optional, any of these instead leaves the loaded flag false and
 * records the reason in dir.mfa_csv_unknown_reason or dir.vpn_csv_unknown_reason ("MFA enrollment CSV
 * \"mfa.csv\" not found (optional): ..."), so the checks that need the
 * CSV report unknown. Evidence is applied only once the whole file has
 * been read: a file that fails halfway leaves no partial evidence.
 *
 * When the match attribute was not read for any account (not exported,
 * or not readable by the bind account), nothing can be matched: the
 * source is not loaded and the reason recorded, whether optional or not
 * (the checks report unknown rather than fire on every account).
 */
#ifndef PRIVAUDIT_EVIDENCE_H
#define PRIVAUDIT_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dir;
struct error;
struct policy;
struct sbuf;

/* What one CSV gave; strings live in the directory's arena. */
struct evidence_csv_stats {
	bool configured;        /* the policy names this CSV */
	bool loaded;            /* read and applied */
	const char *path;       /* the file as opened (relative paths resolved) */
	size_t rows;            /* data records (the header not counted) */
	size_t matched;         /* rows naming exactly one account */
	size_t unmatched;       /* rows naming no account */
	size_t ambiguous;       /* rows naming several accounts: ignored */
	size_t empty;           /* rows with an empty name: skipped */
	size_t no_time;         /* VPN: matched rows with an empty time */
	size_t future;          /* VPN: logins after the evaluation time */
	size_t accounts;        /* accounts given evidence */
	const char *unmatched_example; /* the first unmatched name, or NULL */
};

struct evidence_stats {
	struct evidence_csv_stats mfa, vpn;
};

/*
 * Read the CSVs the policy names and apply them to d, which must have been
 * resolved (dir_resolve() resets the MFA evidence it did not compute).
 * Sets d->mfa_csv_loaded / d->vpn_csv_loaded when read. now is the
 * evaluation time (logins after it are counted in the stats). Returns 0,
 * or -1 with err (EXIT_INPUT) as described above.
 */
int evidence_load(struct dir *d, const struct policy *p, int64_t now, struct error *err);
/* The same, filling st (may be NULL) for `-v` and tests. */
int evidence_load_stats(struct dir *d, const struct policy *p, int64_t now,
			struct evidence_stats *st, struct error *err);

/*
 * Append one line per configured CSV to sb, for -v: "MFA enrollment CSV
 * \"data/mfa.csv\": 120 rows, 118 matched, 2 unmatched (first: \"bob\"),
 * ...". Nothing when no CSV is configured.
 */
void evidence_stats_describe(const struct evidence_stats *st, struct sbuf *sb);

/* The path a CSV named in the policy is opened at (new string). */
char *evidence_path(const struct policy *p, const char *csv_path);

/* A VPN login time in one of the formats above; -1 if malformed. */
int evidence_parse_time(const char *s, int64_t *out);

#endif
