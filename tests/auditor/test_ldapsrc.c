/*
 * Tests for the split of the LDAP search (auditor/ldapsrc.c): the parts'
 * filters, read back by a small evaluator of their objectGUID clauses, put
 * every GUID in exactly one part, the right one when the server compares
 * GUIDs byte by byte and some one whatever it answers, and keep the
 * accounts filter whole.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../auditor/ldapsrc.h"

/* A GUID clause: "objectGUID>=" and 16 bytes as "\xx". */
struct bound {
	unsigned char v[16];
	int negated;
};

static size_t bounds_of(const char *f, struct bound *b, size_t max)
{
	size_t n = 0;

	for (const char *p = f; (p = strstr(p, "objectGUID>=")); p += 12) {
		const char *v = p + 12;

		cr_assert_lt(n, max);
		b[n].negated = p - f >= 3 && strncmp(p - 3, "(!(", 3) == 0;
		for (int i = 0; i < 16; i++) {
			unsigned x;

			cr_assert_eq(v[3 * i], '\\', "no backslash in %s", f);
			cr_assert_eq(sscanf(v + 3 * i + 1, "%2x", &x), 1);
			b[n].v[i] = (unsigned char)x;
		}
		cr_assert_eq(v[48], ')', "a clause of %s does not end after 16 bytes", f);
		n++;
	}
	return n;
}

/* Whether the part's filter passes an entry with this GUID. */
static int passes(const struct bound *b, size_t n, const unsigned char *guid)
{
	for (size_t i = 0; i < n; i++) {
		int ge = memcmp(guid, b[i].v, 16) >= 0;

		if (ge == b[i].negated)
			return 0;
	}
	return 1;
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

	snprintf(want, sizeof(want), "(&%s(!(objectGUID>=%s)))", whole, g80);
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
		struct bound b[LDAPSRC_MAX_CONNECTIONS][4];
		size_t nb[LDAPSRC_MAX_CONNECTIONS], count[LDAPSRC_MAX_CONNECTIONS] = { 0 };

		for (size_t i = 0; i < n; i++) {
			char *f = ldapsrc_part_filter(i, n), prefix[1024];

			snprintf(prefix, sizeof(prefix), "(&%s", whole);
			cr_assert(strncmp(f, prefix, strlen(prefix)) == 0,
				  "part %zu of %zu does not keep the accounts filter: %s", i, n, f);
			nb[i] = bounds_of(f, b[i], 4);
			cr_expect_geq(nb[i], 1, "part %zu of %zu: %s", i, n, f);
			free(f);
		}
		for (unsigned first = 0; first < 256; first++) {
			for (int k = 0; k < 4; k++) {
				unsigned char g[16];
				size_t in = 0, part = 0;

				g[0] = (unsigned char)first;
				for (int x = 1; x < 16; x++) {
					seed = seed * 1103515245u + 12345u;
					/* the bounds themselves, and random tails */
					g[x] = k == 0 ? 0 : k == 1 ? 0xff : (unsigned char)(seed >> 16);
				}
				for (size_t i = 0; i < n; i++)
					if (passes(b[i], nb[i], g)) {
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
		for (size_t i = 0; i < n; i++)
			cr_expect_geq(count[i], 4 * (256 / n), "part %zu of %zu is short", i, n);
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
		struct bound b[LDAPSRC_MAX_CONNECTIONS][4];
		size_t nb[LDAPSRC_MAX_CONNECTIONS];

		for (size_t i = 0; i < n; i++) {
			char *f = ldapsrc_part_filter(i, n);

			nb[i] = bounds_of(f, b[i], 4);
			free(f);
		}
		for (int trial = 0; trial < 2000; trial++) {
			int answer[256]; /* GUID >= the bound starting with this byte */
			size_t in = 0;

			for (int k = 0; k < 256; k++) {
				seed = seed * 1103515245u + 12345u;
				answer[k] = (seed >> 16) & 1;
			}
			for (size_t i = 0; i < n; i++) {
				int pass = 1;

				for (size_t x = 0; x < nb[i]; x++)
					if (answer[b[i][x].v[0]] == b[i][x].negated)
						pass = 0;
				in += (size_t)pass;
			}
			cr_assert_eq(in, 1, "n %zu, trial %d: an entry in %zu parts", n, trial, in);
		}
	}
}
