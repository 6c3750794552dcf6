/*
 * Tests for auditor/strutil.c: case folding as AD compares names, DN
 * normalisation and the helpers on DNs, and wildcard matching.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../auditor/arena.h"
#include "../../auditor/hmap.h"
#include "../../auditor/strutil.h"
#include "../fixture.h"

static void expect_norm(const char *dn, const char *want)
{
	char *n = dn_normalise(dn, strlen(dn));

	cr_expect_str_eq(n, want, "dn_normalise(\"%s\")", dn);
	free(n);
}

static void expect_dns(const char *dn, const char *want)
{
	char *s = dn_to_dns(dn);

	cr_expect_str_eq(s, want, "dn_to_dns(\"%s\")", dn);
	free(s);
}

static void expect_first(const char *dn, const char *want)
{
	char *s = dn_first_value(dn);

	cr_expect_str_eq(s, want, "dn_first_value(\"%s\")", dn);
	free(s);
}

/* ---- case folding ------------------------------------------------------- */

Test(strutil, case_insensitive_comparisons)
{
	cr_expect(str_ieq("Domain Admins", "DOMAIN admins"));
	cr_expect_not(str_ieq("Domain Admins", "Domain Admin"));
	cr_expect_not(str_ieq("a", ""));
	cr_expect(str_ieq("", ""));
	cr_expect_lt(str_icmp("alpha", "Beta"), 0);
	cr_expect_gt(str_icmp("Zeta", "alpha"), 0);
	cr_expect_eq(str_icmp("ABC", "abc"), 0);
	cr_expect_lt(str_icmp("ab", "abc"), 0);
	/* only ASCII folds: UTF-8 bytes compare as they are */
	cr_expect_not(str_ieq("É", "é"));
}

/* str_ieq folds eight bytes at a time: every byte of a word must count. */
Test(strutil, case_insensitive_equality_of_long_strings)
{
	char a[40], b[40];

	cr_expect(str_ieq("CN=Alice Smith,OU=Sales,DC=corp", "cn=alice smith,ou=sales,dc=corp"));
	cr_expect_not(str_ieq("CN=Alice Smith,OU=Sales,DC=corp", "cn=alice smith,ou=sales,dc=cor"));
	cr_expect_not(str_ieq("cn=alice smith,ou=sales,dc=cor", "CN=Alice Smith,OU=Sales,DC=corp"));
	/* the neighbours of the letters do not fold: @ [ ` { and bytes above 0x7f */
	for (int c = 1; c < 256; c++) {
		bool fold = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');

		for (int pos = 0; pos < 17; pos += 8) {
			memset(a, 'x', sizeof(a));
			memset(b, 'x', sizeof(b));
			a[20] = b[20] = '\0';
			a[pos + 3] = (char)c;
			b[pos + 3] = (char)(c ^ 0x20);
			cr_expect_eq(str_ieq(a, b), fold, "byte 0x%02x at %d", c, pos + 3);
			cr_expect_eq(str_ieq_bytes(a, b, 20), fold, "byte 0x%02x at %d", c, pos + 3);
		}
	}
	cr_expect(str_ieq_bytes("ABCDEFGHIJ", "abcdefghijKL", 10), "only n bytes count");
	/* two strings alike but for a byte: every length, every position, every pair */
	for (size_t n = 1; n <= 20; n++) {
		for (size_t pos = 0; pos < n; pos++) {
			for (int c = 1; c < 256; c++) {
				bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');

				for (int k = 0; k < 3; k++) {
					int d = k == 0 ? c : k == 1 ? c ^ 0x20 : c ^ 0x01;

					if (!d)
						continue;
					memset(a, 'q', sizeof(a));
					memset(b, 'Q', sizeof(b));
					a[pos] = (char)c;
					b[pos] = (char)d;
					cr_assert_eq(str_ieq_bytes(a, b, n), c == d || (k == 1 && letter),
						     "n %zu, 0x%02x at %zu against 0x%02x", n, c, pos, d);
				}
			}
		}
	}
	/* against a string in lower case: every length, every position, every byte */
	for (size_t n = 1; n <= 20; n++) {
		for (size_t pos = 0; pos < n; pos++) {
			for (int c = 1; c < 256; c++) {
				int lc = c >= 'A' && c <= 'Z' ? c + 32 : c;

				for (int k = 0; k < 2; k++) {
					int d = k ? c ^ 0x20 : c;

					if ((d >= 'A' && d <= 'Z') || d == 0)
						continue;
					memset(a, 'q', sizeof(a));
					memset(b, 'q', sizeof(b));
					a[pos] = (char)c;
					b[pos] = (char)d;
					cr_assert_eq(str_ieq_lower_bytes(a, b, n), lc == d,
						     "n %zu, 0x%02x at %zu against 0x%02x", n, c, pos, d);
				}
			}
		}
	}
	cr_expect(str_ieq_lower_bytes("CN=Alice Smith,OU=Sales,DC=corp", "cn=alice smith,ou=sales,dc=corp", 31));
	cr_expect_not(str_ieq_lower_bytes("CN=Alice Smith,OU=Sales,DC=corp", "cn=alice smith,ou=sales,dc=corq", 31));
	cr_expect_not(str_ieq_lower_bytes("DN=Alice Smith,OU=Sales,DC=corp", "cn=alice smith,ou=sales,dc=corp", 31));
	cr_expect_not(str_ieq("\xc3\x89", "\xc3\xa9"));
}

Test(strutil, counted_comparison_needs_the_whole_word)
{
	cr_expect(str_nieq("DNxyz", 2, "dn"));
	cr_expect_not(str_nieq("DNxyz", 2, "dnx"), "b longer than alen");
	cr_expect_not(str_nieq("D", 1, "dn"));
	cr_expect(str_nieq("", 0, ""));
	cr_expect_not(str_nieq("", 0, "x"));
}

Test(strutil, hash_folds_case)
{
	cr_expect_eq(str_ihash("Domain Admins"), str_ihash("dOMAIN aDMINS"));
	cr_expect_neq(str_ihash("Domain Admins"), str_ihash("Domain Admin"));
}

/* ---- dn_normalise ------------------------------------------------------- */

Test(strutil, normalise_folds_case)
{
	expect_norm("CN=Alice Smith,OU=Sales,DC=Corp,DC=Example,DC=Test",
		    "cn=alice smith,ou=sales,dc=corp,dc=example,dc=test");
}

/* Into an arena: the same string, each its own, freed with the arena. */
Test(strutil, normalise_in_an_arena)
{
	struct arena a = ARENA_INIT;
	char *x = dn_normalise_in(&a, "CN=Alice Smith , OU=Sales,DC=Corp");
	char *y = dn_normalise_in(&a, "OU=x\\,OU=Web");

	cr_expect_str_eq(x, "cn=alice smith,ou=sales,dc=corp");
	cr_expect_str_eq(y, "ou=x\\,ou=web");
	cr_expect_gt(a.used, 0);
	arena_release(&a);
}

Test(strutil, normalise_removes_spaces_around_separators)
{
	expect_norm("CN=Alice Smith, OU=Sales ,DC=corp", "cn=alice smith,ou=sales,dc=corp");
	expect_norm("CN = Alice Smith ,  OU =  Sales", "cn=alice smith,ou=sales");
	expect_norm("  CN=a,DC=b  ", "cn=a,dc=b");
	expect_norm("cn=a + sn=b,dc=x", "cn=a+sn=b,dc=x");
}

Test(strutil, normalise_keeps_inner_spaces)
{
	expect_norm("CN=Alice  Smith,DC=x", "cn=alice  smith,dc=x");
}

Test(strutil, normalise_keeps_escapes)
{
	expect_norm("CN=Smith\\, John,OU=Users,DC=x", "cn=smith\\, john,ou=users,dc=x");
	expect_norm("CN=Smith\\,John , DC=x", "cn=smith\\,john,dc=x");
	/* an escaped trailing space is part of the value */
	expect_norm("CN=trail\\ ,DC=x", "cn=trail\\ ,dc=x");
	expect_norm("CN=a\\+b,DC=x", "cn=a\\+b,dc=x");
	expect_norm("CN=back\\\\,DC=x", "cn=back\\\\,dc=x");
	/* hex escapes are folded like the rest */
	expect_norm("CN=\\4A\\6F,DC=x", "cn=\\4a\\6f,dc=x");
}

Test(strutil, normalise_respects_length)
{
	char *n = dn_normalise("CN=A,DC=X,OU=ignored", 9);

	cr_expect_str_eq(n, "cn=a,dc=x");
	free(n);
	n = dn_normalise("", 0);
	cr_expect_str_eq(n, "");
	free(n);
}

Test(strutil, normalise_is_idempotent)
{
	static const char *const dns[] = {
		"CN=Smith\\, John , OU=Sales Dept,DC=corp",
		"cn = a + sn = b , dc = x",
		"CN=trail\\ ,DC=x",
		"CN=Research and Development,OU=a b,DC=x",
		"CN=a b,OU c=d",
		"CN=a b+SN=c  d, DC=x",
	};

	for (size_t i = 0; i < sizeof(dns) / sizeof(dns[0]); i++) {
		char *a = dn_normalise(dns[i], strlen(dns[i]));
		char *b = dn_normalise(a, strlen(a));

		cr_expect_str_eq(b, a, "%s", dns[i]);
		free(a);
		free(b);
	}
}

/*
 * The shortcut for the common case gives what the general rule gives, on
 * random DNs made of the bytes that matter (separators, spaces, escapes,
 * both cases and the bytes either side of A to Z, non-ASCII), of every
 * length around the eight- and sixteen-byte steps.
 */
Test(strutil, normalise_shortcut_agrees_with_the_general_rule)
{
	static const char alphabet[] = "aZ09 ,=+\\\xc3\xa9-x ,=A@[`";
	char dn[48], fast[49], general[49];
	unsigned seed = 12345;
	size_t nplain_spaced = 0;

	for (int round = 0; round < 200000; round++) {
		size_t len = (size_t)(round % 41), nf, ng;
		bool lowered;

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			dn[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		/*
		 * most real DNs take the shortcut: make a third of these like
		 * them, and a third with spaces but no escape, as in values
		 */
		if (round % 3 == 0)
			for (size_t i = 0; i < len; i++)
				if (dn[i] == ' ' || dn[i] == '\\')
					dn[i] = 'Q';
		if (round % 3 == 1)
			for (size_t i = 0; i < len; i++)
				if (dn[i] == '\\')
					dn[i] = 'q';
		memset(fast, '#', sizeof(fast));
		memset(general, '#', sizeof(general));
		nf = dn_normalise_into(dn, len, fast);
		ng = dn_normalise_general(dn, len, general);
		cr_assert_eq(nf, ng, "length for \"%.*s\"", (int)len, dn);
		cr_assert_eq(memcmp(fast, general, ng + 1), 0, "\"%.*s\": \"%s\" against \"%s\"",
			     (int)len, dn, fast, general);
		/*
		 * A plain DN is its normal form but for case, and hashes alike
		 * folded. Without an escape, and with no space just after an
		 * '=' (which may be inside a value: "x=0= a"), a DN that is its
		 * normal form but for case is plain.
		 */
		lowered = nf == len;
		for (size_t i = 0; lowered && i < len; i++)
			lowered = fast[i] == (dn[i] >= 'A' && dn[i] <= 'Z' ? dn[i] + 32 : dn[i]);
		if (dn_is_plain(dn, len))
			cr_assert(lowered, "\"%.*s\"", (int)len, dn);
		if (memchr(dn, '\\', len))
			cr_assert(!dn_is_plain(dn, len), "\"%.*s\"", (int)len, dn);
		else if (!memmem(dn, len, "= ", 2))
			cr_assert_eq(dn_is_plain(dn, len), lowered, "\"%.*s\"", (int)len, dn);
		if (dn_is_plain(dn, len)) {
			uint64_t h = 0;

			nplain_spaced += memchr(dn, ' ', len) != NULL;
			cr_assert_eq(hmap_hash_folded(dn, len), hmap_hash_bytes(fast, nf),
				     "\"%.*s\"", (int)len, dn);
			cr_assert(dn_plain_hash(dn, len, &h));
			cr_assert_eq(h, hmap_hash_bytes(fast, nf), "\"%.*s\"", (int)len, dn);
		}
	}
	cr_assert_gt(nplain_spaced, 1000, "plain DNs with spaces: %zu", nplain_spaced);
}

/* Spaces inside values keep a DN plain; any other space, or an escape, does not. */
Test(strutil, plain_dns_may_have_spaces_inside_values)
{
	static const struct {
		const char *dn;
		bool plain;
	} cases[] = {
		{ "CN=John Smith,OU=Human Resources,DC=corp,DC=example", true },
		{ "CN=a b+OU=c d e,DC=x", true },
		{ "CN=Administrator,CN=Users,DC=corp", true },
		{ "", true },
		{ "CN=John ,OU=x", false },      /* trailing */
		{ "CN= John,OU=x", false },      /* leading */
		{ "CN=x, OU=y", false },         /* after a comma */
		{ "CN=x ,OU=y", false },
		{ "CN=a +OU=b", false },
		{ "C N=x", false },              /* inside a type */
		{ " CN=x", false },
		{ "CN=x ", false },
		{ "CN=x\\,y,OU=z", false },
		{ "CN=Long Name With Spaces Past Sixteen Bytes,OU=Sales and Marketing", true },
		{ "CN=Long Name With Spaces Past Sixteen Bytes,OU=Sales and Marketing ", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		cr_assert_eq(dn_is_plain(cases[i].dn, strlen(cases[i].dn)), cases[i].plain, "\"%s\"",
			     cases[i].dn);
}

/* ---- dn_to_dns ---------------------------------------------------------- */

Test(strutil, dns_name_of_a_domain_dn)
{
	expect_dns("DC=corp,DC=example,DC=test", "corp.example.test");
	expect_dns("dc=Corp, dc=Example, dc=TEST", "corp.example.test");
	expect_dns("CN=Users,DC=corp,DC=example,DC=test", "corp.example.test");
	expect_dns("OU=a\\,DC=fake,DC=real", "real");
	expect_dns("CN=x", "");
	expect_dns("", "");
}

Test(strutil, dns_name_with_spaces_around_equals)
{
	expect_dns("DC = corp, DC = example", "corp.example");
}

/* ---- dn_first_value ----------------------------------------------------- */

Test(strutil, first_value_unescapes)
{
	expect_first("CN=svc\\, x,OU=Service,DC=x", "svc, x");
	expect_first("CN=Alice Smith,OU=x", "Alice Smith");
	expect_first("CN= padded ,OU=x", "padded");
	expect_first("CN=\\4A\\6fhn,DC=x", "John");
	expect_first("CN=a\\+b+SN=c,DC=x", "a+b");
	expect_first("CN=back\\\\slash,DC=x", "back\\slash");
	expect_first("CN=\\#hash,DC=x", "#hash");
	expect_first("CN=only", "only");
	expect_first("no equals sign", "no equals sign");
}

Test(strutil, first_value_keeps_an_escaped_trailing_space)
{
	/* RFC 4514: a trailing space in a value must be escaped, and is data */
	expect_first("CN=trail\\ ,DC=x", "trail ");
	expect_first("CN=\\ lead,DC=x", " lead");
}

/* ---- dn_is_under -------------------------------------------------------- */

Test(strutil, is_under)
{
	cr_expect(dn_is_under("cn=a,ou=sales,dc=x", "ou=sales,dc=x"));
	cr_expect(dn_is_under("ou=sales,dc=x", "ou=sales,dc=x"), "equal counts as under");
	cr_expect(dn_is_under("cn=a,ou=b,ou=sales,dc=x", "ou=sales,dc=x"));
	cr_expect(dn_is_under("cn=a", ""), "everything is under the root");
	cr_expect_not(dn_is_under("cn=a,ou=presales,dc=x", "ou=sales,dc=x"));
	cr_expect_not(dn_is_under("dc=x", "ou=sales,dc=x"));
	cr_expect_not(dn_is_under("cn=a\\,ou=sales,dc=x", "ou=sales,dc=x"),
		      "an escaped comma does not separate");
}

Test(strutil, is_under_after_an_escaped_backslash)
{
	/* "cn=a\\" ends with an escaped backslash; the comma after it separates */
	cr_expect(dn_is_under("cn=a\\\\,ou=sales,dc=x", "ou=sales,dc=x"));
}

Test(strutil, comma_separates_unless_escaped)
{
	cr_expect(dn_comma_separates(",a", 0), "nothing before it");
	cr_expect(dn_comma_separates("a,b", 1));
	cr_expect_not(dn_comma_separates("a\\,b", 2));
	cr_expect(dn_comma_separates("a\\\\,b", 3), "after an escaped backslash");
	cr_expect_not(dn_comma_separates("\\\\\\,b", 3), "three backslashes");
}

/* ---- wildcards ---------------------------------------------------------- */

Test(strutil, wildmatch)
{
	cr_expect(str_wildmatch("svc-*", "svc-backup"));
	cr_expect(str_wildmatch("svc-*", "SVC-Backup"), "case-insensitive");
	cr_expect(str_wildmatch("svc-*", "svc-"));
	cr_expect_not(str_wildmatch("svc-*", "svc"));
	cr_expect_not(str_wildmatch("svc-*", "mysvc-x"));
	cr_expect(str_wildmatch("*", ""));
	cr_expect(str_wildmatch("*", "anything"));
	cr_expect(str_wildmatch("", ""));
	cr_expect_not(str_wildmatch("", "x"));
	cr_expect(str_wildmatch("?", "x"));
	cr_expect_not(str_wildmatch("?", ""));
	cr_expect_not(str_wildmatch("?", "xy"));
	cr_expect(str_wildmatch("*-adm", "alice-adm"));
	cr_expect_not(str_wildmatch("*-adm", "alice-admin"));
	cr_expect(str_wildmatch("a*b*c", "axxbyyc"));
	cr_expect(str_wildmatch("a*b*c", "abbbc"));
	cr_expect_not(str_wildmatch("a*b*c", "axxbyy"));
	cr_expect(str_wildmatch("*a*a*", "banana"));
	cr_expect(str_wildmatch("s?c-*", "SVC-web"));
	cr_expect(str_wildmatch("**x", "x"));
	cr_expect_not(str_wildmatch("x", "X1"));
}

/* ---- str_format_quick --------------------------------------------------- */

/* str_format_quick() of fmt and its arguments, or NULL when it declines. */
static char *quick(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	long n;

	va_start(ap, fmt);
	n = str_format_quick(buf, size, fmt, &ap);
	va_end(ap);
	return n < 0 ? NULL : buf;
}

static void expect_quick(const char *got, const char *fmt, ...)
{
	char want[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	cr_assert_not_null(got, "declined \"%s\"", fmt);
	cr_expect_str_eq(got, want, "\"%s\"", fmt);
}

Test(strutil, quick_format_is_what_vsnprintf_writes)
{
	char buf[256];
	static const long long ll[] = { 0, 1, -1, 9, 10, -10, 1234567890123LL, LLONG_MAX, LLONG_MIN };
	static const unsigned long long ull[] = { 0, 1, 15, 16, 255, 4294967295ULL, ULLONG_MAX };

	for (size_t i = 0; i < sizeof(ll) / sizeof(ll[0]); i++) {
		expect_quick(quick(buf, sizeof(buf), "a %lld b", ll[i]), "a %lld b", ll[i]);
		expect_quick(quick(buf, sizeof(buf), "%ld", (long)ll[i]), "%ld", (long)ll[i]);
		expect_quick(quick(buf, sizeof(buf), "%d!", (int)ll[i]), "%d!", (int)ll[i]);
	}
	expect_quick(quick(buf, sizeof(buf), "%d %d", INT_MIN, INT_MAX), "%d %d", INT_MIN, INT_MAX);
	for (size_t i = 0; i < sizeof(ull) / sizeof(ull[0]); i++) {
		expect_quick(quick(buf, sizeof(buf), "%llu", ull[i]), "%llu", ull[i]);
		expect_quick(quick(buf, sizeof(buf), "%lu", (unsigned long)ull[i]), "%lu",
			     (unsigned long)ull[i]);
		expect_quick(quick(buf, sizeof(buf), "%zu", (size_t)ull[i]), "%zu", (size_t)ull[i]);
		expect_quick(quick(buf, sizeof(buf), "%u", (unsigned)ull[i]), "%u", (unsigned)ull[i]);
		expect_quick(quick(buf, sizeof(buf), "0x%x", (unsigned)ull[i]), "0x%x",
			     (unsigned)ull[i]);
	}
	expect_quick(quick(buf, sizeof(buf), "%s is %s (%lu, %%)", "alice", "", 7UL),
		     "%s is %s (%lu, %%)", "alice", "", 7UL);
	expect_quick(quick(buf, sizeof(buf), "100%%"), "100%%");
	expect_quick(quick(buf, sizeof(buf), "caf\xc3\xa9 %s", "\xe5\xb1\xb1"), "caf\xc3\xa9 %s",
		     "\xe5\xb1\xb1");

	/* declined: left to vsnprintf */
	cr_expect_null(quick(buf, sizeof(buf), "%5d", 1));
	cr_expect_null(quick(buf, sizeof(buf), "%-s", "x"));
	cr_expect_null(quick(buf, sizeof(buf), "%.3s", "abcdef"));
	cr_expect_null(quick(buf, sizeof(buf), "%g", 1.5));
	cr_expect_null(quick(buf, sizeof(buf), "%s", (const char *)NULL));
	cr_expect_null(quick(buf, sizeof(buf), "trailing %"));
	/* does not fit, with room for the NUL or not */
	cr_expect_null(quick(buf, 4, "abcd"));
	cr_expect_not_null(quick(buf, 5, "abcd"));
	cr_expect_null(quick(buf, 4, "%s", "abcd"));
	cr_expect_null(quick(buf, 4, "%d", 1234));
	cr_expect_not_null(quick(buf, 5, "%d", -123));
	cr_expect_str_eq(buf, "-123");
	cr_expect_null(quick(buf, 4, "%x", 0x1234u));
}

/* ---- str_format_pack ---------------------------------------------------- */

/*
 * The text str_format_unpack() makes of what str_format_pack() packed into
 * size bytes, or NULL when it declines; *len: the packed length.
 */
static const char *packed_n(size_t size, long *len, const char *fmt, ...)
{
	static struct sbuf text = SBUF_INIT;
	unsigned char buf[256];
	size_t text_len = 0;
	va_list ap;

	cr_assert_leq(size, sizeof(buf));
	va_start(ap, fmt);
	*len = str_format_pack(buf, size, fmt, &ap, &text_len);
	va_end(ap);
	if (*len < 0)
		return NULL;
	sbuf_reset(&text);
	str_format_unpack(&text, fmt, buf);
	cr_expect_eq(text_len, text.len, "\"%s\": text of %zu bytes, told %zu", fmt, text.len,
		     text_len);
	return text.buf;
}

#define packed(...) packed_n(256, &(long){ 0 }, __VA_ARGS__)

Test(strutil, packed_format_unpacks_to_what_vsnprintf_writes)
{
	static const long long ll[] = { 0, 1, -1, 63, 64, -64, -65, 1234567890123LL, LLONG_MAX,
					LLONG_MIN };
	static const unsigned long long ull[] = { 0, 1, 127, 128, 16383, 16384, 4294967295ULL,
						  ULLONG_MAX };
	long len;

	for (size_t i = 0; i < sizeof(ll) / sizeof(ll[0]); i++) {
		expect_quick(packed("a %lld b", ll[i]), "a %lld b", ll[i]);
		expect_quick(packed("%ld", (long)ll[i]), "%ld", (long)ll[i]);
		expect_quick(packed("%d!", (int)ll[i]), "%d!", (int)ll[i]);
	}
	expect_quick(packed("%d %d", INT_MIN, INT_MAX), "%d %d", INT_MIN, INT_MAX);
	for (size_t i = 0; i < sizeof(ull) / sizeof(ull[0]); i++) {
		expect_quick(packed("%llu", ull[i]), "%llu", ull[i]);
		expect_quick(packed("%lu", (unsigned long)ull[i]), "%lu", (unsigned long)ull[i]);
		expect_quick(packed("%zu", (size_t)ull[i]), "%zu", (size_t)ull[i]);
		expect_quick(packed("%u", (unsigned)ull[i]), "%u", (unsigned)ull[i]);
		expect_quick(packed("0x%x", (unsigned)ull[i]), "0x%x", (unsigned)ull[i]);
	}
	expect_quick(packed("%s is %s (%lu, %%) %s", "alice", "", 7UL, "end"),
		     "%s is %s (%lu, %%) %s", "alice", "", 7UL, "end");
	expect_quick(packed("100%%"), "100%%");
	expect_quick(packed(""), "");
	expect_quick(packed("caf\xc3\xa9 %s", "\xe5\xb1\xb1"), "caf\xc3\xa9 %s", "\xe5\xb1\xb1");

	/* the arguments only: a signed number in one byte from -64 to 63, two to 8191 */
	packed_n(256, &len, "password last set %lld days ago (limit %lld)", 63LL, 8191LL);
	cr_expect_eq(len, 1 + 2);
	packed_n(256, &len, "password last set %lld days ago (limit %lld)", 64LL, 8192LL);
	cr_expect_eq(len, 2 + 3);
	packed_n(256, &len, "no logon for %lld days (limit %lld)", -64LL, LLONG_MIN);
	cr_expect_eq(len, 1 + 10);
	packed_n(256, &len, "%s|%s", "alice", "");
	cr_expect_eq(len, 6 + 1);
	packed_n(256, &len, "no directive at all");
	cr_expect_eq(len, 0);

	/* declined: left to the text */
	cr_expect_null(packed("%5d", 1));
	cr_expect_null(packed("%-s", "x"));
	cr_expect_null(packed("%.3s", "abcdef"));
	cr_expect_null(packed("%g", 1.5));
	cr_expect_null(packed("%zd", (ssize_t)1));
	cr_expect_null(packed("%lx", 1UL));
	cr_expect_null(packed("%s", (const char *)NULL));
	cr_expect_null(packed("trailing %"));
	/* the arguments do not fit; a number is given room for its longest */
	cr_expect_null(packed_n(4, &len, "%s", "abcd"));
	cr_expect_str_eq(packed_n(5, &len, "%s", "abcd"), "abcd");
	cr_expect_null(packed_n(9, &len, "%d", 1));
	cr_expect_str_eq(packed_n(10, &len, "%d", -1), "-1");
}

/* ---- str_sort_by_name ----------------------------------------------------- */

struct named {
	const char *name;
	int tie;
};

static const char *named_name(const void *p)
{
	return ((const struct named *)p)->name;
}

static int named_cmp(const void *pa, const void *pb)
{
	const struct named *x = pa, *y = pb;
	int r = str_cmp_null(x->name, y->name);

	return r ? r : (x->tie > y->tie) - (x->tie < y->tie);
}

/*
 * The order qsort() gives with the whole comparison: names alike for
 * sixteen bytes and more, prefixes, NULL, bytes above 0x7f, and equal
 * names told apart by the rest of the comparison.
 */
Test(strutil, sort_by_name_is_qsort_with_the_whole_comparison)
{
	static const char *const names[] = {
		"svc-reporting-eu-west-02", "svc-reporting-eu-west-01", "svc-reporting-eu-west",
		"svc-reporting-eu", "svc-reporting-e", "0123456789abcdef", "0123456789abcdeg",
		"0123456789abcde", "", "Zed", "zeb", "\xc4\x80x", "\xc3\xa9mile", NULL,
	};
	enum { N = 2000 };
	struct named *got = calloc(N, sizeof(*got)), *want = calloc(N, sizeof(*want));
	unsigned seed = 3;

	for (size_t i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		got[i].name = names[(seed >> 16) % (sizeof(names) / sizeof(names[0]))];
		seed = seed * 1103515245u + 12345u;
		got[i].tie = (int)((seed >> 16) % 50);
	}
	memcpy(want, got, N * sizeof(*got));
	qsort(want, N, sizeof(*want), named_cmp);
	str_sort_by_name(got, N, sizeof(*got), named_name, named_cmp);
	for (size_t i = 0; i < N; i++) {
		cr_assert_eq(got[i].name, want[i].name, "element %zu", i);
		cr_assert_eq(got[i].tie, want[i].tie, "element %zu", i);
	}
	/* nothing to do for none or one */
	str_sort_by_name(got, 0, sizeof(*got), named_name, named_cmp);
	str_sort_by_name(got, 1, sizeof(*got), named_name, named_cmp);
	cr_expect_eq(got[0].name, want[0].name);
	free(got);
	free(want);
}

/* An element for the shapes below: its name, its place in the input. */
struct placed {
	char name[24];
	size_t at;
};

static const char *placed_name(const void *p)
{
	return ((const struct placed *)p)->name;
}

static int placed_name_cmp(const void *pa, const void *pb)
{
	return strcmp(((const struct placed *)pa)->name, ((const struct placed *)pb)->name);
}

/* The stable order: equal names in their input order. */
static int placed_stable_cmp(const void *pa, const void *pb)
{
	const struct placed *x = pa, *y = pb;
	int r = strcmp(x->name, y->name);

	return r ? r : (x->at > y->at) - (x->at < y->at);
}

/*
 * The sort takes the runs the input already has and makes short ones up
 * by insertion: inputs in order, in reverse, in runs shorter and longer
 * than that, in runs of one name, and at random, of sizes around the
 * run length, all come out in the stable order (equal names as they
 * came), names alike for their first sixteen bytes included.
 */
Test(strutil, sort_by_name_of_every_shape_is_stable)
{
	static const size_t sizes[] = { 2, 3, 31, 32, 33, 63, 64, 65, 100, 1000, 4099 };
	enum { SHAPES = 7 };
	unsigned seed = 7;

	for (size_t si = 0; si < sizeof(sizes) / sizeof(*sizes); si++) {
		size_t n = sizes[si];

		for (int shape = 0; shape < SHAPES; shape++) {
			struct placed *got = calloc(n, sizeof(*got)), *want = calloc(n, sizeof(*want));

			for (size_t i = 0; i < n; i++) {
				size_t v;

				seed = seed * 1103515245u + 12345u;
				switch (shape) {
				case 0: v = i; break;                      /* in order */
				case 1: v = n - i; break;                  /* reversed */
				case 2: v = i % 20 * 1000 + i / 20; break; /* runs of n / 20 */
				case 3: v = (i / 40) * 40 + (40 - i % 40); break; /* reversed runs of 40 */
				case 4: v = i / 50; break;                 /* runs of one name */
				case 5: v = (seed >> 16) % 7; break;       /* few names, many equal */
				default: v = seed >> 8; break;             /* at random */
				}
				/* alike for sixteen bytes: the keys tie and the names tell */
				snprintf(got[i].name, sizeof(got[i].name), "svc-reporting-eu%07zu", v);
				got[i].at = i;
			}
			memcpy(want, got, n * sizeof(*got));
			qsort(want, n, sizeof(*want), placed_stable_cmp);
			str_sort_by_name(got, n, sizeof(*got), placed_name, placed_name_cmp);
			for (size_t i = 0; i < n; i++) {
				cr_assert_str_eq(got[i].name, want[i].name, "n %zu shape %d element %zu",
						 n, shape, i);
				cr_assert_eq(got[i].at, want[i].at, "n %zu shape %d element %zu", n, shape,
					     i);
			}
			free(got);
			free(want);
		}
	}
}

/* ---- str_to_int64 ----------------------------------------------------- */

static int to_int64(const char *s, int64_t *out)
{
	return str_to_int64(s, strlen(s), out);
}

Test(strutil, int64_at_its_limits)
{
	int64_t v = 7;

	cr_assert_eq(to_int64("9223372036854775807", &v), 0);
	cr_assert_eq(v, INT64_MAX);
	cr_assert_eq(to_int64("-9223372036854775808", &v), 0);
	cr_assert_eq(v, INT64_MIN);
	cr_assert_eq(to_int64("+0", &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(to_int64("-0", &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(to_int64("0000000000000000000000000000000042", &v), 0, "leading zeros");
	cr_assert_eq(v, 42);
	v = 7;
	cr_assert_eq(to_int64("9223372036854775808", &v), -1, "INT64_MAX + 1");
	cr_assert_eq(to_int64("-9223372036854775809", &v), -1, "INT64_MIN - 1");
	cr_assert_eq(to_int64("18446744073709551616", &v), -1, "2^64 wraps no further");
	cr_assert_eq(to_int64("", &v), -1);
	cr_assert_eq(to_int64("-", &v), -1);
	cr_assert_eq(to_int64("+", &v), -1);
	cr_assert_eq(to_int64("+-1", &v), -1);
	cr_assert_eq(to_int64(" 1", &v), -1, "strtoll skips spaces; a value does not");
	cr_assert_eq(to_int64("1 ", &v), -1);
	cr_assert_eq(v, 7, "untouched on error");
	/* the length is the counted one: a digit past it is not read */
	cr_assert_eq(str_to_int64("123", 2, &v), 0);
	cr_assert_eq(v, 12);
}

/*
 * Numbers of every length from 1 to 22 digits, signed or not, and with a
 * byte that is not a digit at every place, read as strtoll() reads them
 * (without the spaces it skips): out of range or malformed is an error.
 */
Test(strutil, int64_agrees_with_strtoll)
{
	unsigned seed = 7;

	for (int round = 0; round < 40000; round++) {
		char num[32];
		int64_t v = 7;
		long long want;
		char *end;
		int rc;

		fixture_number_text(&seed, round, 22, num);
		errno = 0;
		want = strtoll(num, &end, 10);
		rc = to_int64(num, &v);
		if (errno == ERANGE || *end || end == num) {
			cr_assert_eq(rc, -1, "\"%s\"", num);
			cr_assert_eq(v, 7, "\"%s\" untouched", num);
			continue;
		}
		cr_assert_eq(rc, 0, "\"%s\"", num);
		cr_assert_eq(v, want, "\"%s\"", num);
	}
}
