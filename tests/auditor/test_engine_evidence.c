/*
 * Tests for the compact evidence of auditor/engine.c (finding_ev_*,
 * finding_ev_iter_*, finding_evidence()): insertion order, a key set twice
 * replaced in place as a jansson object would, every value type, UTF-8
 * cleaning of values, and the cached jansson view following changes.
 */
#include <criterion/criterion.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../auditor/engine.h"
#include "../../auditor/timeutil.h"
#include "../../auditor/xalloc.h"

static struct finding *bare(void)
{
	return xcalloc(1, sizeof(struct finding));
}

static void bare_free(struct finding *f)
{
	finding_evidence_release(f);
	free(f);
}

/* The evidence as compact JSON, via the jansson view. */
static char *dump(const struct finding *f)
{
	return json_dumps(finding_evidence(f), JSON_PRESERVE_ORDER | JSON_COMPACT);
}

Test(engine_evidence, empty_evidence_is_an_empty_object)
{
	struct finding *f = bare();
	struct ev_iter it;
	struct ev_item e;
	char *s = dump(f);

	cr_assert_str_eq(s, "{}");
	finding_ev_iter_init(&it, f);
	cr_assert_not(finding_ev_iter_next(&it, &e));
	free(s);
	bare_free(f);
}

Test(engine_evidence, every_type_in_insertion_order)
{
	struct finding *f = bare();
	const char *list[] = { "a", NULL, "c" };
	char *s;

	finding_ev_str(f, "s", "text");
	finding_ev_str(f, "null", NULL);
	finding_ev_int(f, "i", -5);
	finding_ev_bool(f, "t", true);
	finding_ev_bool(f, "f", false);
	finding_ev_time(f, "never", TIME_NEVER);
	finding_ev_time(f, "at", 0);
	finding_ev_strs(f, "list", list, 3);
	finding_ev_strs(f, "none", NULL, 0);
	s = dump(f);
	cr_assert_str_eq(s, "{\"s\":\"text\",\"null\":null,\"i\":-5,\"t\":true,\"f\":false,"
			    "\"never\":null,\"at\":\"1970-01-01T00:00:00Z\",\"list\":[\"a\",\"\",\"c\"],"
			    "\"none\":[]}");
	free(s);
	bare_free(f);
}

Test(engine_evidence, key_set_twice_is_replaced_in_place)
{
	struct finding *f = bare();
	const char *two[] = { "x", "y" };
	json_t *want = json_object();
	char *s;

	finding_ev_int(f, "a", 1);
	finding_ev_str(f, "b", "first");
	finding_ev_int(f, "c", 3);
	finding_ev_strs(f, "b", two, 2);          /* longer than before */
	finding_ev_str(f, "a", NULL);             /* shorter than before */
	finding_ev_bool(f, "c", true);
	s = dump(f);
	cr_assert_str_eq(s, "{\"a\":null,\"b\":[\"x\",\"y\"],\"c\":true}");
	/* the same as a jansson object set in the same order */
	json_object_set_new(want, "a", json_integer(1));
	json_object_set_new(want, "b", json_string("first"));
	json_object_set_new(want, "c", json_integer(3));
	json_object_set_new(want, "b", json_pack("[s,s]", "x", "y"));
	json_object_set_new(want, "a", json_null());
	json_object_set_new(want, "c", json_true());
	free(s);
	s = json_dumps(want, JSON_PRESERVE_ORDER | JSON_COMPACT);
	cr_assert_str_eq(s, "{\"a\":null,\"b\":[\"x\",\"y\"],\"c\":true}");
	free(s);
	json_decref(want);
	bare_free(f);
}

Test(engine_evidence, invalid_utf8_values_are_cleaned_when_added)
{
	struct finding *f = bare();
	const char *list[] = { "ok", "bad\xff" };
	struct ev_iter it;
	struct ev_item e;
	const unsigned char *pos;
	const char *v;
	size_t n;

	finding_ev_str(f, "s", "caf\xe9");
	finding_ev_strs(f, "l", list, 2);
	finding_ev_iter_init(&it, f);
	cr_assert(finding_ev_iter_next(&it, &e));
	cr_assert_eq(e.type, EV_STR);
	cr_assert_str_eq(e.key, "s");
	cr_assert_str_eq(e.str, "caf\xef\xbf\xbd");
	cr_assert_eq(e.str_len, strlen("caf\xef\xbf\xbd"));
	cr_assert(finding_ev_iter_next(&it, &e));
	cr_assert_eq(e.type, EV_STRS);
	cr_assert_eq(e.num, 2);
	pos = e.strs;
	v = finding_ev_strs_next(&pos, &n);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(v, "ok");
	v = finding_ev_strs_next(&pos, &n);
	cr_assert_str_eq(v, "bad\xef\xbf\xbd");
	cr_assert_not(finding_ev_iter_next(&it, &e));
	bare_free(f);
}

Test(engine_evidence, cached_view_follows_later_changes)
{
	struct finding *f = bare();
	json_t *v;

	finding_ev_int(f, "n", 1);
	v = finding_evidence(f);
	cr_assert_eq(finding_evidence(f), v, "cached");
	cr_assert_eq(json_integer_value(json_object_get(v, "n")), 1);
	finding_ev_int(f, "n", 2);
	finding_ev_str(f, "m", "x");
	v = finding_evidence(f);
	cr_assert_eq(json_integer_value(json_object_get(v, "n")), 2);
	cr_assert_str_eq(json_string_value(json_object_get(v, "m")), "x");
	cr_assert_eq(json_object_size(v), 2);
	bare_free(f);
}

Test(engine_evidence, large_values_and_many_keys)
{
	struct finding *f = bare();
	size_t n = 300;
	const char **many = xcalloc(n, sizeof(*many));
	char *big = xmalloc(100001);
	char key[32];
	json_t *v;

	memset(big, 'z', 100000);
	big[100000] = '\0';
	for (size_t i = 0; i < n; i++)
		many[i] = (i & 1) ? big : "";
	for (size_t i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		finding_ev_int(f, key, (long long)i);
	}
	finding_ev_strs(f, "k7", many, n);        /* a block length of several bytes */
	finding_ev_str(f, "k199", big);
	v = finding_evidence(f);
	cr_assert_eq(json_object_size(v), 200);
	cr_assert_eq(json_array_size(json_object_get(v, "k7")), n);
	cr_assert_eq(json_string_length(json_array_get(json_object_get(v, "k7"), 1)), 100000);
	cr_assert_eq(json_integer_value(json_object_get(v, "k8")), 8);
	cr_assert_eq(json_string_length(json_object_get(v, "k199")), 100000);
	/* order kept: k7 still between k6 and k8 */
	{
		void *it = json_object_iter(v);

		for (int i = 0; i < 7; i++)
			it = json_object_iter_next(v, it);
		cr_assert_str_eq(json_object_iter_key(it), "k7");
	}
	free(big);
	free(many);
	bare_free(f);
}

/*
 * Integers are kept in as few bytes as they need (zigzag varints): every
 * width read back, from the one-byte ones to the extremes.
 */
Test(engine_evidence, integers_of_every_width_read_back)
{
	static const long long vals[] = {
		0, 1, -1, 63, -64, 64, -65, 127, 128, 8191, -8192, 8192, 1LL << 31,
		-(1LL << 31), (1LL << 62) - 1, -(1LL << 62), LLONG_MAX, LLONG_MIN, 465, 180,
	};
	struct finding *f = bare();
	struct ev_iter it;
	struct ev_item e;
	size_t n = 0;
	char key[16];

	for (size_t i = 0; i < sizeof(vals) / sizeof(*vals); i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		finding_ev_int(f, key, vals[i]);
	}
	finding_ev_iter_init(&it, f);
	while (finding_ev_iter_next(&it, &e)) {
		/* each key was in the same buffer: the text it held then */
		snprintf(key, sizeof(key), "k%zu", n);
		cr_assert_str_eq(e.key, key);
		cr_assert_eq(e.key_len, strlen(key));
		cr_assert_eq(e.type, EV_INT);
		cr_assert_eq(e.num, vals[n], "%zu: %lld, want %lld", n, e.num, vals[n]);
		n++;
	}
	cr_assert_eq(n, sizeof(vals) / sizeof(*vals));
	bare_free(f);

	/* the bytes of the value: 7 bits each, the sign in the lowest */
	static const struct {
		long long v;
		size_t bytes;
	} widths[] = {
		{ 0, 1 }, { 63, 1 }, { -64, 1 }, { 64, 2 }, { -65, 2 }, { 8191, 2 },
		{ -8192, 2 }, { 8192, 3 }, { LLONG_MAX, 10 }, { LLONG_MIN, 10 },
	};
	for (size_t i = 0; i < sizeof(widths) / sizeof(*widths); i++) {
		f = bare();
		finding_ev_int(f, "k", widths[i].v);
		/* type, the key's index, then the value */
		cr_assert_eq(f->ev_len, 2 + widths[i].bytes, "%lld", widths[i].v);
		bare_free(f);
	}
}

/*
 * A key is kept once for every finding, as its index in a table; past the
 * table's 255 keys, in the record itself. Either way it reads back, and
 * setting it again replaces its value.
 */
Test(engine_evidence, keys_are_kept_once_and_in_records_past_the_table)
{
	struct finding *f = bare(), *g = bare();
	struct ev_iter it;
	struct ev_item e;
	char key[32];
	size_t n = 0, len;

	finding_ev_int(f, "age_days", 1);
	finding_ev_int(g, "age_days", 2);
	cr_assert_eq(f->ev_len, 3, "type, index, value");
	cr_assert_eq(g->ev_len, 3);
	for (size_t i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "key number %zu", i);
		len = f->ev_len;
		finding_ev_int(f, key, (long long)i);
		/*
		 * Type, index (i + 2: 1 byte up to 127) and value (2i
		 * zigzagged: 1 byte up to 63); 254 more keys fit in the
		 * table, the others are written out after an index of 0.
		 */
		cr_assert_eq(f->ev_len - len,
			     i < 254 ? (size_t)(1 + (i + 2 < 128 ? 1 : 2) + (i < 64 ? 1 : 2))
				     : 1 + 1 + 1 + strlen(key) + 1 + 2,
			     "%zu", i);
	}
	finding_ev_int(f, "key number 3", -3);
	finding_ev_int(f, "key number 299", -299);
	finding_ev_iter_init(&it, f);
	cr_assert(finding_ev_iter_next(&it, &e));
	cr_assert_str_eq(e.key, "age_days");
	while (finding_ev_iter_next(&it, &e)) {
		snprintf(key, sizeof(key), "key number %zu", n);
		cr_assert_str_eq(e.key, key);
		cr_assert_eq(e.key_len, strlen(key));
		cr_assert_eq(e.num, n == 3 || n == 299 ? -(long long)n : (long long)n, "%zu", n);
		n++;
	}
	cr_assert_eq(n, 300);
	bare_free(f);
	bare_free(g);
}

/*
 * A time is kept as its seconds and read as its ISO 8601 text, the same
 * as time_format() gives, replaced in place like any value, and set over
 * by a value of another type (and the other way round).
 */
Test(engine_evidence, times_read_as_their_text)
{
	static const int64_t times[] = {
		0, 1, -1, 86399, 86400, 1736899200, 253402300799, -62135596800,
	};
	struct finding *f = bare();
	struct ev_iter it;
	struct ev_item e;
	char want[32], key[16];
	size_t n = 0;
	char *s;

	for (size_t i = 0; i < sizeof(times) / sizeof(*times); i++) {
		snprintf(key, sizeof(key), "t%zu", i);
		finding_ev_time(f, key, times[i]);
	}
	finding_ev_iter_init(&it, f);
	while (finding_ev_iter_next(&it, &e)) {
		time_format(times[n], want, sizeof(want));
		cr_assert_eq(e.type, EV_STR);
		cr_assert_str_eq(e.str, want);
		cr_assert_eq(e.str_len, strlen(want));
		n++;
	}
	cr_assert_eq(n, sizeof(times) / sizeof(*times));
	bare_free(f);

	f = bare();
	finding_ev_time(f, "a", 86400);
	finding_ev_int(f, "b", 2);
	finding_ev_time(f, "c", 0);
	finding_ev_time(f, "a", 0);            /* a time over a time */
	finding_ev_time(f, "b", 86400);        /* a time over an integer */
	finding_ev_str(f, "c", "x");           /* a string over a time */
	finding_ev_time(f, "d", TIME_NEVER);   /* never: null */
	s = dump(f);
	cr_assert_str_eq(s, "{\"a\":\"1970-01-01T00:00:00Z\",\"b\":\"1970-01-02T00:00:00Z\","
			    "\"c\":\"x\",\"d\":null}");
	free(s);
	bare_free(f);
}

/*
 * A key that is not valid UTF-8 stays out of the keys' table (whose keys
 * were checked once) and in its record, which the check then reads.
 */
Test(engine_evidence, keys_checked_for_utf8_without_reading_the_values)
{
	struct finding *f = bare(), *g = bare();
	struct ev_iter it;
	struct ev_item e;
	size_t len;

	finding_ev_time(f, "at", 1736899200);
	finding_ev_int(f, "n", -3);
	cr_assert(finding_ev_keys_valid(f));
	len = f->ev_len;
	finding_ev_str(f, "bad\xff", "v");
	/* type, index 0, length, "bad\xff", NUL, then the value's length, "v", NUL */
	cr_assert_eq(f->ev_len - len, 3 + 4 + 1 + 3);
	cr_assert_not(finding_ev_keys_valid(f));
	finding_ev_str(g, "bad\xff", "w");
	cr_assert_eq(g->ev_len, 3 + 4 + 1 + 3, "not taken into the table the first time");
	cr_assert_not(finding_ev_keys_valid(g));
	finding_ev_iter_init(&it, g);
	cr_assert(finding_ev_iter_next(&it, &e));
	cr_assert_str_eq(e.key, "bad\xff");
	finding_evidence_release(g);
	finding_ev_int(g, "n", 1);
	cr_assert(finding_ev_keys_valid(g), "released evidence leaves no mark");
	bare_free(f);
	bare_free(g);
}
