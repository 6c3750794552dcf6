/*
 * Tests for auditor/timeutil.c: FILETIME, GeneralizedTime, AD intervals,
 * ISO 8601, formatting and whole days between two times.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../auditor/timeutil.h"
#include "../fixture.h"

static int ft(const char *s, int64_t *out)
{
	return time_from_filetime(s, strlen(s), out);
}

static int gt(const char *s, int64_t *out)
{
	return time_from_gentime(s, strlen(s), out);
}

static int iv(const char *s, int64_t *out)
{
	return time_from_interval(s, strlen(s), out);
}

static void expect_format(int64_t t, const char *want)
{
	char buf[32];

	time_format(t, buf, sizeof(buf));
	cr_expect_str_eq(buf, want, "time_format(%lld)", (long long)t);
}

/* ---- civil -------------------------------------------------------------- */

Test(timeutil, civil_dates)
{
	cr_expect_eq(time_from_civil(1970, 1, 1, 0, 0, 0), 0);
	cr_expect_eq(time_from_civil(2000, 3, 1, 0, 0, 0), 951868800);
	cr_expect_eq(time_from_civil(2024, 2, 29, 12, 0, 0), 1709208000);
	cr_expect_eq(time_from_civil(1601, 1, 1, 0, 0, 0), -11644473600LL);
	cr_expect_eq(time_from_civil(1969, 12, 31, 23, 59, 59), -1);
}

/* ---- FILETIME ----------------------------------------------------------- */

Test(timeutil, filetime_zero_and_max_are_never)
{
	int64_t t = 42;

	cr_expect_eq(ft("0", &t), 0);
	cr_expect_eq(t, TIME_NEVER);
	t = 42;
	cr_expect_eq(ft("9223372036854775807", &t), 0);
	cr_expect_eq(t, TIME_NEVER);
}

Test(timeutil, filetime_known_value)
{
	int64_t t;

	/* 133000000000000000 / 10^7 = 13300000000 s after 1601 */
	cr_expect_eq(ft("133000000000000000", &t), 0);
	cr_expect_eq(t, 1655526400);
	expect_format(t, "2022-06-18T04:26:40Z");
	/* the epoch itself, and sub-second parts are dropped */
	cr_expect_eq(ft("116444736000000000", &t), 0);
	cr_expect_eq(t, 0);
	cr_expect_eq(ft("116444736009999999", &t), 0);
	cr_expect_eq(t, 0);
	cr_expect_eq(ft("116444736010000000", &t), 0);
	cr_expect_eq(t, 1);
}

Test(timeutil, filetime_malformed)
{
	int64_t t = 7;

	cr_expect_eq(ft("", &t), -1);
	cr_expect_eq(ft("abc", &t), -1);
	cr_expect_eq(ft("133000000000000000x", &t), -1);
	cr_expect_eq(ft(" 133000000000000000", &t), -1);
	cr_expect_eq(ft("-", &t), -1);
	cr_expect_eq(ft("9223372036854775808", &t), -1, "out of range");
	cr_expect_eq(ft("99999999999999999999999", &t), -1);
	cr_expect_eq(t, 7, "untouched on error");
	/* length bounds the string: "0" of "0123" */
	cr_expect_eq(time_from_filetime("0123", 1, &t), 0);
	cr_expect_eq(t, TIME_NEVER);
}

/*
 * Numbers of every length from 1 to 21 digits, signed or not, and with a
 * byte that is not a digit at every place, read as strtoll() reads them:
 * out of range or malformed is an error.
 */
Test(timeutil, filetime_of_every_length_agrees_with_strtoll)
{
	unsigned seed = 99;

	for (int round = 0; round < 20000; round++) {
		char num[32];
		size_t at = fixture_number_text(&seed, round, 21, num);
		int64_t t = 7, want = 7;
		long long v;
		char *end;
		int rc;

		errno = 0;
		v = strtoll(num, &end, 10);
		rc = ft(num, &t);
		if (errno == ERANGE || *end || at != SIZE_MAX || end == num) {
			cr_assert_eq(rc, -1, "\"%s\"", num);
			cr_assert_eq(t, 7, "\"%s\" untouched", num);
			continue;
		}
		want = v == 0 || v == INT64_MAX || v < 0 ? TIME_NEVER
							  : v / 10000000 - 11644473600LL;
		cr_assert_eq(rc, 0, "\"%s\"", num);
		cr_assert_eq(t, want, "\"%s\"", num);
	}
}

/* ---- GeneralizedTime ---------------------------------------------------- */

Test(timeutil, gentime_with_and_without_fraction)
{
	int64_t t;

	cr_expect_eq(gt("20251001193100.0Z", &t), 0);
	cr_expect_eq(t, time_from_civil(2025, 10, 1, 19, 31, 0));
	cr_expect_eq(gt("20251001193107Z", &t), 0);
	cr_expect_eq(t, time_from_civil(2025, 10, 1, 19, 31, 7));
	cr_expect_eq(gt("20251001193107.123456Z", &t), 0);
	cr_expect_eq(t, time_from_civil(2025, 10, 1, 19, 31, 7));
	cr_expect_eq(gt("20251001193107,5Z", &t), 0);
	cr_expect_eq(t, time_from_civil(2025, 10, 1, 19, 31, 7));
	cr_expect_eq(gt("202510011931Z", &t), 0, "seconds are optional");
	cr_expect_eq(t, time_from_civil(2025, 10, 1, 19, 31, 0));
	cr_expect_eq(gt("20240229000000.0Z", &t), 0);
	cr_expect_eq(t, time_from_civil(2024, 2, 29, 0, 0, 0));
}

Test(timeutil, gentime_malformed)
{
	int64_t t = 7;

	cr_expect_eq(gt("", &t), -1);
	cr_expect_eq(gt("20251001193100.0", &t), -1, "no Z");
	cr_expect_eq(gt("20251001193100.0+0900", &t), -1, "offsets are not AD's");
	cr_expect_eq(gt("20251301193100.0Z", &t), -1, "month 13");
	cr_expect_eq(gt("20250230000000.0Z", &t), -1, "February 30");
	cr_expect_eq(gt("20250229000000.0Z", &t), -1, "2025 is no leap year");
	cr_expect_eq(gt("20251001243100.0Z", &t), -1, "hour 24");
	cr_expect_eq(gt("20251001196000.0Z", &t), -1, "minute 60");
	cr_expect_eq(gt("2025-10-01T19:31:00Z", &t), -1);
	cr_expect_eq(gt("2025100119Z", &t), -1, "no minutes");
	cr_expect_eq(gt("20251001193100.0ZZ", &t), -1);
	cr_expect_eq(gt("2025100119310x.0Z", &t), -1);
	cr_expect_eq(t, 7);
}

/* Any byte but a digit where a digit goes, the fraction's included, is refused. */
Test(timeutil, gentime_digit_places_take_digits_only)
{
	static const char good[] = "20251001193107.123Z";

	for (size_t at = 0; at < sizeof(good) - 1; at++) {
		if (good[at] < '0' || good[at] > '9')
			continue;
		for (int c = 1; c < 256; c++) {
			char s[sizeof(good)];
			int64_t t = 7;

			if (c >= '0' && c <= '9')
				continue;
			memcpy(s, good, sizeof(good));
			s[at] = (char)c;
			cr_assert_eq(gt(s, &t), -1, "0x%02x at %zu", c, at);
			cr_assert_eq(t, 7);
		}
	}
}

/* ---- intervals ---------------------------------------------------------- */

Test(timeutil, interval_values)
{
	int64_t t;

	cr_expect_eq(iv("-36288000000000", &t), 0);
	cr_expect_eq(t, 42 * SECONDS_PER_DAY);
	cr_expect_eq(iv("-864000000000", &t), 0);
	cr_expect_eq(t, SECONDS_PER_DAY);
	cr_expect_eq(iv("-18000000000", &t), 0);
	cr_expect_eq(t, 30 * 60);
	cr_expect_eq(iv("-9223372036854775808", &t), 0);
	cr_expect_eq(t, TIME_NEVER);
	cr_expect_eq(iv("0", &t), 0);
	cr_expect_eq(t, TIME_NEVER);
	cr_expect_eq(iv("36288000000000", &t), 0, "a positive interval is read as its magnitude");
	cr_expect_eq(t, 42 * SECONDS_PER_DAY);
}

Test(timeutil, interval_malformed)
{
	int64_t t;

	cr_expect_eq(iv("", &t), -1);
	cr_expect_eq(iv("-", &t), -1);
	cr_expect_eq(iv("-42 days", &t), -1);
	cr_expect_eq(iv("-9223372036854775809", &t), -1);
}

/* ---- ISO 8601 ----------------------------------------------------------- */

Test(timeutil, iso8601_date_only)
{
	int64_t t;
	int date_only = 0;

	cr_expect_eq(time_from_iso8601("2025-10-04", &t, &date_only), 0);
	cr_expect_eq(t, time_from_civil(2025, 10, 4, 0, 0, 0));
	cr_expect_eq(date_only, 1);
	cr_expect_eq(time_from_iso8601("2024-02-29", &t, NULL), 0);
}

Test(timeutil, iso8601_utc_and_offsets)
{
	int64_t t;
	int date_only = 1;

	cr_expect_eq(time_from_iso8601("2025-10-04T00:00:00Z", &t, &date_only), 0);
	cr_expect_eq(t, time_from_civil(2025, 10, 4, 0, 0, 0));
	cr_expect_eq(date_only, 0);
	cr_expect_eq(time_from_iso8601("2025-10-04t12:34:56z", &t, NULL), 0);
	cr_expect_eq(t, time_from_civil(2025, 10, 4, 12, 34, 56));
	cr_expect_eq(time_from_iso8601("2025-10-04T09:00:00+09:00", &t, NULL), 0);
	cr_expect_eq(t, time_from_civil(2025, 10, 4, 0, 0, 0));
	cr_expect_eq(time_from_iso8601("2025-10-03T19:30:00-04:30", &t, NULL), 0);
	cr_expect_eq(t, time_from_civil(2025, 10, 4, 0, 0, 0));
	cr_expect_eq(time_from_iso8601("2025-10-04T00:00:00+00:00", &t, NULL), 0);
	cr_expect_eq(t, time_from_civil(2025, 10, 4, 0, 0, 0));
	/* the offset crosses the date line backwards */
	cr_expect_eq(time_from_iso8601("2026-01-01T05:00:00+09:00", &t, NULL), 0);
	cr_expect_eq(t, time_from_civil(2025, 12, 31, 20, 0, 0));
	cr_expect_eq(time_from_iso8601("2025-10-04T12:34Z", &t, NULL), 0, "seconds optional");
	cr_expect_eq(t, time_from_civil(2025, 10, 4, 12, 34, 0));
	cr_expect_eq(time_from_iso8601("2025-10-04 12:34:56Z", &t, NULL), 0);
}

Test(timeutil, iso8601_fractions_are_ignored)
{
	int64_t t;

	cr_expect_eq(time_from_iso8601("2025-10-04T12:34:56.789Z", &t, NULL), 0);
	cr_expect_eq(t, time_from_civil(2025, 10, 4, 12, 34, 56));
	cr_expect_eq(time_from_iso8601("2025-10-04T12:34:56,5+01:00", &t, NULL), 0);
	cr_expect_eq(t, time_from_civil(2025, 10, 4, 11, 34, 56));
}

Test(timeutil, iso8601_invalid)
{
	int64_t t = 7;
	static const char *const bad[] = {
		"",
		"2025",
		"2025-10",
		"2025-02-30",
		"2025-02-29",
		"2025-13-01",
		"2025-00-10",
		"2025-10-00",
		"2025-10-32",
		"2025-10-04T00:00:00",     /* no zone */
		"2025-10-04T00:00",        /* no zone */
		"2025-10-04T24:00:00Z",
		"2025-10-04T23:60:00Z",
		"2025-10-04T00:00:00.Z",
		"2025-10-04T00:00:00+0900",
		"2025-10-04T00:00:00+24:00",
		"2025-10-04T00:00:00+09:60",
		"2025-10-04T00:00:00ZZ",
		"2025-10-04T00:00:00 Z",
		"2025-10-04Z",
		"2025/10/04",
		"25-10-04",
		"1600-12-31",
		"2025-10-04T0:00:00Z",
		"2025-10-04Tnoon",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(time_from_iso8601(bad[i], &t, NULL), -1, "accepted \"%s\"", bad[i]);
	cr_expect_eq(t, 7);
}

/* ---- formatting and days ------------------------------------------------ */

Test(timeutil, format_round_trip)
{
	static const char *const times[] = {
		"1970-01-01T00:00:00Z", "2000-02-29T23:59:59Z", "2022-06-18T04:26:40Z",
		"2025-10-04T00:00:00Z", "2026-12-31T12:00:01Z", "1601-01-01T00:00:00Z",
		"1969-12-31T23:59:59Z", "9999-12-31T23:59:59Z",
	};

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		int64_t t;
		char buf[32];

		cr_assert_eq(time_from_iso8601(times[i], &t, NULL), 0, "%s", times[i]);
		time_format(t, buf, sizeof(buf));
		cr_expect_str_eq(buf, times[i]);
	}
}

/* Every second of a spread of times formats as the C library's gmtime() tells. */
Test(timeutil, format_agrees_with_gmtime)
{
	uint64_t seed = 7;

	for (int i = 0; i < 100000; i++) {
		/* 0001-01-01 .. 9999-12-31 */
		int64_t lo = -62135596800LL, hi = 253402300799LL, t;
		struct tm tm;
		time_t tt;
		char buf[32], want[64];

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		t = lo + (int64_t)((seed >> 11) % (uint64_t)(hi - lo + 1));
		tt = (time_t)t;
		cr_assert_not_null(gmtime_r(&tt, &tm));
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		time_format(t, buf, sizeof(buf));
		cr_assert_str_eq(buf, want, "time_format(%lld)", (long long)t);
	}
	/* beyond four-digit years */
	expect_format(253402300800LL, "10000-01-01T00:00:00Z");
	expect_format(-62135596801LL, "0000-12-31T23:59:59Z");
	expect_format(-62167219201LL, "-001-12-31T23:59:59Z");
}

Test(timeutil, format_never)
{
	/* (under `make asan` UBSan also checks no arithmetic overflows on INT64_MIN) */
	expect_format(TIME_NEVER, "never");
}

Test(timeutil, format_truncates_to_the_buffer)
{
	char buf[8];

	time_format(0, buf, sizeof(buf));
	cr_expect_str_eq(buf, "1970-01");
}

Test(timeutil, days_between_rounds_down)
{
	int64_t now = time_from_civil(2026, 1, 1, 0, 0, 0);

	cr_expect_eq(time_days_between(now, now), 0);
	cr_expect_eq(time_days_between(now - 1, now), 0);
	cr_expect_eq(time_days_between(now - SECONDS_PER_DAY + 1, now), 0);
	cr_expect_eq(time_days_between(now - SECONDS_PER_DAY, now), 1);
	cr_expect_eq(time_days_between(now - 365LL * SECONDS_PER_DAY - 1, now), 365);
	/* t after now: negative, still rounded down */
	cr_expect_eq(time_days_between(now + 1, now), -1);
	cr_expect_eq(time_days_between(now + SECONDS_PER_DAY, now), -1);
	cr_expect_eq(time_days_between(now + SECONDS_PER_DAY + 1, now), -2);
}
