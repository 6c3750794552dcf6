/*
 * Time helpers for the encodings Active Directory uses. All times are Unix
 * seconds (int64_t, UTC). TIME_NEVER marks an absent or "never" value.
 */
#ifndef PRIVAUDIT_TIMEUTIL_H
#define PRIVAUDIT_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define TIME_NEVER INT64_MIN
#define SECONDS_PER_DAY 86400

/*
 * FILETIME (100 ns since 1601-01-01, decimal string) to Unix seconds.
 * 0 and 9223372036854775807 give TIME_NEVER. Returns -1 on a malformed
 * string.
 */
int time_from_filetime(const char *s, size_t len, int64_t *out);
/* GeneralizedTime "20251001193100.0Z" to Unix seconds; -1 if malformed. */
int time_from_gentime(const char *s, size_t len, int64_t *out);
/*
 * A negative 100 ns interval (maxPwdAge) to seconds, positive; INT64_MIN
 * ("-9223372036854775808", none) and 0 give TIME_NEVER. -1 if malformed.
 */
int time_from_interval(const char *s, size_t len, int64_t *out);
/*
 * ISO 8601: "2025-10-04", "2025-10-04T00:00:00Z", "...T00:00:00+09:00",
 * fractions of a second ignored. A date alone is 00:00:00 UTC. *date_only
 * (if not NULL) tells whether no time was given. -1 if malformed.
 */
int time_from_iso8601(const char *s, int64_t *out, int *date_only);
/* Format as "2025-10-04T00:00:00Z" into buf (at least 21 bytes). */
void time_format(int64_t t, char *buf, size_t size);
/* Whole days between t and now, rounded down; t before now gives >= 0. */
int64_t time_days_between(int64_t t, int64_t now);

/* Unix seconds from a civil UTC date and time (no validation). */
int64_t time_from_civil(int y, int mon, int d, int h, int mi, int s);

#endif
