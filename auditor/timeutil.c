/*
 * Time conversions (see timeutil.h). Civil-date arithmetic follows Howard
 * Hinnant's days_from_civil, so no time zone or libc state is involved.
 */
#include "timeutil.h"

#include <stdio.h>
#include <string.h>

#include "strutil.h"

#define FILETIME_UNIX_DIFF 11644473600LL

static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t time_from_civil(int y, int mon, int d, int h, int mi, int s)
{
	return days_from_civil(y, mon, d) * SECONDS_PER_DAY + h * 3600 + mi * 60 + s;
}

int time_from_filetime(const char *s, size_t len, int64_t *out)
{
	int64_t v;

	if (str_to_int64(s, len, &v) < 0)
		return -1;
	if (v == 0 || v == INT64_MAX || v < 0)
		*out = TIME_NEVER;
	else
		*out = v / 10000000 - FILETIME_UNIX_DIFF;
	return 0;
}

int time_from_interval(const char *s, size_t len, int64_t *out)
{
	int64_t v;

	if (str_to_int64(s, len, &v) < 0)
		return -1;
	if (v == INT64_MIN || v == 0)
		*out = TIME_NEVER;
	else
		*out = (v < 0 ? -v : v) / 10000000;
	return 0;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!str_is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int valid_civil(int y, int mon, int d, int h, int mi, int s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (y < 1601 || mon < 1 || mon > 12 || d < 1 || d > mdays[mon - 1])
		return 0;
	if (mon == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	return h <= 23 && mi <= 59 && s <= 60;
}

int time_from_gentime(const char *s, size_t len, int64_t *out)
{
	int y, mon, d, h, mi, sec = 0;
	size_t i = 14;

	if (len < 12 || digits(s, 4, &y) || digits(s + 4, 2, &mon) ||
	    digits(s + 6, 2, &d) || digits(s + 8, 2, &h) || digits(s + 10, 2, &mi))
		return -1;
	if (len >= 14 && str_is_digit(s[12])) {
		if (digits(s + 12, 2, &sec))
			return -1;
	} else {
		i = 12;
	}
	if (i < len && (s[i] == '.' || s[i] == ',')) {
		i++;
		while (i < len && str_is_digit(s[i]))
			i++;
	}
	if (i != len - 1 || (s[i] != 'Z' && s[i] != 'z'))
		return -1;
	if (!valid_civil(y, mon, d, h, mi, sec))
		return -1;
	*out = time_from_civil(y, mon, d, h, mi, sec);
	return 0;
}

static void time_format_valid(int64_t t, char *buf, size_t size);

int time_from_iso8601(const char *s, int64_t *out, int *date_only)
{
	int y, mon, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
	size_t len = strlen(s), i;

	if (len < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mon) ||
	    s[7] != '-' || digits(s + 8, 2, &d))
		return -1;
	if (date_only)
		*date_only = len == 10;
	if (len > 10) {
		if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || len < 16 ||
		    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi))
			return -1;
		i = 16;
		if (i < len && s[i] == ':') {
			if (len < 19 || digits(s + 17, 2, &sec))
				return -1;
			i = 19;
			if (i < len && (s[i] == '.' || s[i] == ',')) {
				i++;
				if (i >= len || !str_is_digit(s[i]))
					return -1;
				while (i < len && str_is_digit(s[i]))
					i++;
			}
		}
		if (i == len)
			return -1; /* a time without a zone is ambiguous */
		if (s[i] == 'Z' || s[i] == 'z') {
			if (i + 1 != len)
				return -1;
		} else if (s[i] == '+' || s[i] == '-') {
			sign = s[i] == '-' ? -1 : 1;
			if (len - i != 6 || digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
			    digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
				return -1;
		} else {
			return -1;
		}
	}
	if (!valid_civil(y, mon, d, h, mi, sec))
		return -1;
	*out = time_from_civil(y, mon, d, h, mi, sec) - sign * (oh * 3600 + om * 60);
	return 0;
}

void time_format(int64_t t, char *buf, size_t size)
{
	if (t == TIME_NEVER) {
		snprintf(buf, size, "never");
		return;
	}
	time_format_valid(t, buf, size);
}

/* v (0 <= v < 10^n) in n decimal digits with leading zeros. */
static void put_digits(char *p, int64_t v, int n)
{
	while (n--) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

static void time_format_valid(int64_t t, char *buf, size_t size)
{
	int64_t days = t >= 0 ? t / SECONDS_PER_DAY : (t - SECONDS_PER_DAY + 1) / SECONDS_PER_DAY;
	int64_t secs = t - days * SECONDS_PER_DAY;
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp + (mp < 10 ? 3 : -9);

	y += m <= 2;
	if (y < 0 || y > 9999 || size < sizeof("0000-00-00T00:00:00Z")) {
		snprintf(buf, size, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", (long long)y,
			 (long long)m, (long long)d, (long long)(secs / 3600),
			 (long long)(secs / 60 % 60), (long long)(secs % 60));
		return;
	}
	/* the reports print a time for nearly every finding: no snprintf */
	put_digits(buf, y, 4);
	buf[4] = '-';
	put_digits(buf + 5, m, 2);
	buf[7] = '-';
	put_digits(buf + 8, d, 2);
	buf[10] = 'T';
	put_digits(buf + 11, secs / 3600, 2);
	buf[13] = ':';
	put_digits(buf + 14, secs / 60 % 60, 2);
	buf[16] = ':';
	put_digits(buf + 17, secs % 60, 2);
	buf[19] = 'Z';
	buf[20] = '\0';
}

int64_t time_days_between(int64_t t, int64_t now)
{
	int64_t diff = now - t;

	return diff >= 0 ? diff / SECONDS_PER_DAY : -((-diff + SECONDS_PER_DAY - 1) / SECONDS_PER_DAY);
}
