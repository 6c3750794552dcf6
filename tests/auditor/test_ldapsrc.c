/*
 * Tests for the split of the LDAP search (auditor/ldapsrc.c): the parts'
 * filters, read back by a small evaluator of LDAP filters (three-valued,
 * as a server evaluates them), put every entry in exactly one part: the
 * right one when the server compares GUIDs byte by byte, some one whatever
 * it answers, the first when the bind account may not read the GUID; and
 * they keep the accounts filter whole.
 */
#include <criterion/criterion.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../auditor/ldapsrc.h"

/* The three values of an LDAP filter (RFC 4511 4.5.1). */
enum tv { NO, YES, UNDEFINED };

/* An entry as the server sees it. */
struct entry {
	bool readable;           /* its objectGUID, which the bind account may read */
	unsigned char guid[16];
	/*
	 * NULL: GUIDs compared byte by byte; else answer[b]: whether the GUID
	 * is >= the bound starting with byte b, in an order of the server's.
	 */
	const int *answer;
};

/*
 * The value of the filter at *p for e, *p moved past it: &, |, !, the
 * objectGUID comparisons and presence test, and objectClass items (true).
 */
static enum tv eval(const char **p, const struct entry *e)
{
	enum tv r;

	cr_assert_eq(**p, '(', "expected ( at \"%s\"", *p);
	(*p)++;
	if (**p == '&' || **p == '|') {
		bool and = *(*p)++ == '&';

		r = and ? YES : NO;
		while (**p == '(') {
			enum tv x = eval(p, e);

			if (x == (and ? NO : YES))
				r = x;
			else if (x == UNDEFINED && r != (and ? NO : YES))
				r = UNDEFINED;
		}
	} else if (**p == '!') {
		(*p)++;
		r = eval(p, e);
		r = r == UNDEFINED ? UNDEFINED : r == YES ? NO : YES;
	} else {
		const char *end = strchr(*p, ')');

		cr_assert_not_null(end);
		if (strncmp(*p, "objectGUID=*)", 13) == 0) {
			r = e->readable ? YES : NO;
		} else if (strncmp(*p, "objectGUID>=", 12) == 0) {
			unsigned char bound[16];

			for (int i = 0; i < 16; i++) {
				unsigned x;

				cr_assert_eq((*p)[12 + 3 * i], '\\', "no backslash in %s", *p);
				cr_assert_eq(sscanf(*p + 12 + 3 * i + 1, "%2x", &x), 1);
				bound[i] = (unsigned char)x;
			}
			cr_assert_eq(end - *p, 12 + 48, "a bound is not 16 bytes: %s", *p);
			if (!e->readable)
				r = UNDEFINED;
			else if (e->answer)
				r = e->answer[bound[0]] ? YES : NO;
			else
				r = memcmp(e->guid, bound, 16) >= 0 ? YES : NO;
		} else {
			cr_assert(strncmp(*p, "objectClass=", 12) == 0, "unexpected item %s", *p);
			r = YES;
		}
		*p = end;
	}
	cr_assert_eq(**p, ')', "expected ) at \"%s\"", *p);
	(*p)++;
	return r;
}

/* Whether a search with filter f returns e: only a true filter does. */
static bool returned(const char *f, const struct entry *e)
{
	const char *p = f;
	enum tv r = eval(&p, e);

	cr_assert_eq(*p, '\0', "trailing text in %s", f);
	return r == YES;
}

/* The part whose range [256i/n, 256(i+1)/n) holds a first byte. */
static size_t part_of(unsigned first, size_t n)
{
	size_t i = 0;

	while (i + 1 < n && 256 * (i + 1) / n <= first)
		i++;
	return i;
}

Test(ldapsrc, one_part_is_the_whole_filter)
{
	char *whole = ldapsrc_part_filter(0, 1);

	cr_expect_null(strstr(whole, "objectGUID"));
	cr_expect(strstr(whole, "(objectClass=user)"));
	cr_expect(strstr(whole, "(objectClass=group)"));
	free(whole);
}

Test(ldapsrc, two_parts_split_at_0x80)
{
	char *whole = ldapsrc_part_filter(0, 1), *p0 = ldapsrc_part_filter(0, 2),
	     *p1 = ldapsrc_part_filter(1, 2), want[1024];
	const char *g80 = "\\80\\00\\00\\00\\00\\00\\00\\00\\00\\00\\00\\00\\00\\00\\00\\00";

	snprintf(want, sizeof(want), "(&%s(|(!(objectGUID=*))(&(!(objectGUID>=%s)))))", whole, g80);
	cr_expect_str_eq(p0, want);
	snprintf(want, sizeof(want), "(&%s(objectGUID>=%s))", whole, g80);
	cr_expect_str_eq(p1, want);
	free(whole);
	free(p0);
	free(p1);
}

/* Every GUID in exactly one part, for every number of connections. */
Test(ldapsrc, parts_partition_every_guid)
{
	char *whole = ldapsrc_part_filter(0, 1);
	unsigned seed = 1;

	for (size_t n = 2; n <= LDAPSRC_MAX_CONNECTIONS; n++) {
		char *f[LDAPSRC_MAX_CONNECTIONS];
		size_t count[LDAPSRC_MAX_CONNECTIONS] = { 0 };

		for (size_t i = 0; i < n; i++) {
			char prefix[1024];

			f[i] = ldapsrc_part_filter(i, n);
			snprintf(prefix, sizeof(prefix), "(&%s", whole);
			cr_assert(strncmp(f[i], prefix, strlen(prefix)) == 0,
				  "part %zu of %zu does not keep the accounts filter: %s", i, n, f[i]);
			cr_expect_not_null(strstr(f[i], "objectGUID>="), "part %zu of %zu: %s", i, n,
					   f[i]);
		}
		for (unsigned first = 0; first < 256; first++) {
			for (int k = 0; k < 4; k++) {
				struct entry e = { .readable = true };
				size_t in = 0, part = 0;

				e.guid[0] = (unsigned char)first;
				for (int x = 1; x < 16; x++) {
					seed = seed * 1103515245u + 12345u;
					/* the bounds themselves, and random tails */
					e.guid[x] = k == 0 ? 0 : k == 1 ? 0xff : (unsigned char)(seed >> 16);
				}
				for (size_t i = 0; i < n; i++)
					if (returned(f[i], &e)) {
						in++;
						part = i;
					}
				cr_assert_eq(in, 1, "a GUID starting %02x is in %zu of %zu parts", first,
					     in, n);
				cr_expect_eq(part, part_of(first, n), "%02x: part %zu of %zu", first, part,
					     n);
				count[part]++;
			}
		}
		for (size_t i = 0; i < n; i++) {
			cr_expect_geq(count[i], 4 * (256 / n), "part %zu of %zu is short", i, n);
			free(f[i]);
		}
	}
	free(whole);
}

/*
 * A server may compare GUIDs in an order of its own (as text, say): every
 * entry must still be in exactly one part. Each comparison with a bound is
 * answered at random, the same way for the same bound, as an entry's
 * GUID would be by any order.
 */
Test(ldapsrc, parts_partition_whatever_the_order)
{
	unsigned seed = 7;

	for (size_t n = 2; n <= LDAPSRC_MAX_CONNECTIONS; n++) {
		char *f[LDAPSRC_MAX_CONNECTIONS];

		for (size_t i = 0; i < n; i++)
			f[i] = ldapsrc_part_filter(i, n);
		for (int trial = 0; trial < 2000; trial++) {
			int answer[256]; /* GUID >= the bound starting with this byte */
			struct entry e = { .readable = true, .answer = answer };
			size_t in = 0;

			for (int k = 0; k < 256; k++) {
				seed = seed * 1103515245u + 12345u;
				answer[k] = (seed >> 16) & 1;
			}
			for (size_t i = 0; i < n; i++)
				in += returned(f[i], &e);
			cr_assert_eq(in, 1, "n %zu, trial %d: an entry in %zu parts", n, trial, in);
		}
		for (size_t i = 0; i < n; i++)
			free(f[i]);
	}
}

/*
 * An entry whose objectGUID the bind account may not read: every
 * comparison is undefined for it, yet one search would return it. It is
 * in the first part, and only there.
 */
Test(ldapsrc, entry_without_a_readable_guid_is_in_the_first_part)
{
	struct entry e = { .readable = false };

	for (size_t n = 2; n <= LDAPSRC_MAX_CONNECTIONS; n++) {
		for (size_t i = 0; i < n; i++) {
			char *f = ldapsrc_part_filter(i, n);

			cr_expect_eq(returned(f, &e), i == 0, "part %zu of %zu: %s", i, n, f);
			free(f);
		}
	}
	{
		char *whole = ldapsrc_part_filter(0, 1);

		cr_expect(returned(whole, &e), "one search returns it");
		free(whole);
	}
}
