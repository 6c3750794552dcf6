/*
 * Tests for auditor/sid.c: binary objectSid to text, the text form's
 * validation, the RID and the domain part.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "../../auditor/sid.h"

/* S-1-5-21-1-2-3-500 */
static const unsigned char sid500[] = {
	1, 5, 0, 0, 0, 0, 0, 5,
	21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xf4, 0x01, 0, 0,
};

Test(sid, binary_to_text)
{
	char buf[SID_TEXT_MAX];

	cr_assert_eq(sid_to_text(sid500, sizeof(sid500), buf, sizeof(buf)), 0);
	cr_expect_str_eq(buf, "S-1-5-21-1-2-3-500");
}

Test(sid, builtin_administrators)
{
	static const unsigned char bin[] = { 1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 0x02, 0, 0 };
	char buf[SID_TEXT_MAX];

	cr_assert_eq(sid_to_text(bin, sizeof(bin), buf, sizeof(buf)), 0);
	cr_expect_str_eq(buf, "S-1-5-32-544");
	cr_expect_eq(sid_rid(buf), 544);
	cr_expect_eq(sid_domain_len(buf), strlen("S-1-5-32"));
}

Test(sid, sub_authorities_are_little_endian_and_unsigned)
{
	static const unsigned char bin[] = {
		1, 4, 0, 0, 0, 0, 0, 5,
		21, 0, 0, 0, 0x78, 0x56, 0x34, 0x12, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x01, 0x00,
	};
	char buf[SID_TEXT_MAX];

	cr_assert_eq(sid_to_text(bin, sizeof(bin), buf, sizeof(buf)), 0);
	cr_expect_str_eq(buf, "S-1-5-21-305419896-4294967295-65536");
	cr_expect_eq(sid_rid(buf), 65536);
}

Test(sid, authority_is_big_endian_and_zero_sub_authorities_allowed)
{
	static const unsigned char world[] = { 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 };
	static const unsigned char null_sid[] = { 1, 0, 0, 0, 0, 0, 0, 0 };
	static const unsigned char big[] = { 1, 0, 0, 0, 0, 0, 1, 0 };
	char buf[SID_TEXT_MAX];

	cr_assert_eq(sid_to_text(world, sizeof(world), buf, sizeof(buf)), 0);
	cr_expect_str_eq(buf, "S-1-1-0");
	cr_assert_eq(sid_to_text(null_sid, sizeof(null_sid), buf, sizeof(buf)), 0);
	cr_expect_str_eq(buf, "S-1-0");
	cr_assert_eq(sid_to_text(big, sizeof(big), buf, sizeof(buf)), 0);
	cr_expect_str_eq(buf, "S-1-256");
}

Test(sid, malformed_binary)
{
	char buf[SID_TEXT_MAX];
	unsigned char bad[sizeof(sid500) + 4];

	cr_expect_eq(sid_to_text(sid500, 0, buf, sizeof(buf)), -1);
	cr_expect_eq(sid_to_text(sid500, 7, buf, sizeof(buf)), -1, "shorter than the header");
	cr_expect_eq(sid_to_text(sid500, sizeof(sid500) - 1, buf, sizeof(buf)), -1, "truncated");
	cr_expect_eq(sid_to_text(sid500, sizeof(sid500) - 4, buf, sizeof(buf)), -1,
		     "one sub-authority missing");
	memcpy(bad, sid500, sizeof(sid500));
	memset(bad + sizeof(sid500), 0, 4);
	cr_expect_eq(sid_to_text(bad, sizeof(bad), buf, sizeof(buf)), -1, "trailing bytes");
	memcpy(bad, sid500, sizeof(sid500));
	bad[0] = 2;
	cr_expect_eq(sid_to_text(bad, sizeof(sid500), buf, sizeof(buf)), -1, "revision 2");
	memcpy(bad, sid500, sizeof(sid500));
	bad[1] = 16;
	cr_expect_eq(sid_to_text(bad, sizeof(sid500), buf, sizeof(buf)), -1, "16 sub-authorities");
	cr_expect_eq(sid_to_text((const unsigned char *)"S-1-5-21", 8, buf, sizeof(buf)), -1);
}

Test(sid, small_buffer_is_an_error)
{
	char buf[10];

	cr_expect_eq(sid_to_text(sid500, sizeof(sid500), buf, sizeof(buf)), -1);
	cr_expect_eq(sid_to_text(sid500, sizeof(sid500), buf, 3), -1);
}

Test(sid, maximum_sid_fits_the_text_buffer)
{
	unsigned char bin[8 + 4 * 15];
	char buf[SID_TEXT_MAX];

	memset(bin, 0xff, sizeof(bin));
	bin[0] = 1;
	bin[1] = 15;
	cr_assert_eq(sid_to_text(bin, sizeof(bin), buf, sizeof(buf)), 0);
	cr_expect_eq(strncmp(buf, "S-1-281474976710655-4294967295-", 31), 0, "%s", buf);
	cr_expect_lt(strlen(buf), SID_TEXT_MAX);
}

Test(sid, text_form_validation)
{
	cr_expect(sid_is_text("S-1-5-21-1-2-3-500"));
	cr_expect(sid_is_text("s-1-5-32-544"));
	cr_expect(sid_is_text("S-1-5"));
	cr_expect(sid_is_text("S-1-1-0"));
	cr_expect_not(sid_is_text(""));
	cr_expect_not(sid_is_text("S"));
	cr_expect_not(sid_is_text("S-"));
	cr_expect_not(sid_is_text("S-1"));
	cr_expect_not(sid_is_text("S-1-"));
	cr_expect_not(sid_is_text("S-1-5-"));
	cr_expect_not(sid_is_text("S--1-5"));
	cr_expect_not(sid_is_text("S-1--5"));
	cr_expect_not(sid_is_text("S-1-5-21-x"));
	cr_expect_not(sid_is_text("S-1-5 "));
	cr_expect_not(sid_is_text("X-1-5-21"));
	cr_expect_not(sid_is_text("alice"));
	cr_expect_not(sid_is_text("CN=S-1-5,DC=x"));
}

Test(sid, rid_and_domain_part)
{
	cr_expect_eq(sid_rid("S-1-5-21-1-2-3-500"), 500);
	cr_expect_eq(sid_domain_len("S-1-5-21-1-2-3-500"), strlen("S-1-5-21-1-2-3"));
	cr_expect_eq(sid_rid("S-1-5-21-3623811015-3361044348-30300820-1013"), 1013);
	cr_expect_eq(sid_rid("S-1-5-21-1-2-3-4294967295"), 4294967295u);
	cr_expect_eq(sid_rid("S-1-5-18"), 18);
	cr_expect_eq(sid_domain_len("S-1-5-18"), strlen("S-1-5"));
	/* no RID: S-1-5 is an authority alone */
	cr_expect_eq(sid_rid("S-1-5"), 0);
	cr_expect_eq(sid_domain_len("S-1-5"), 0);
	cr_expect_eq(sid_domain_len("nothing"), 0);
}

/* sid_split() gives both in one pass, as the two functions do. */
Test(sid, split_gives_the_domain_part_and_the_rid)
{
	static const char *const sids[] = {
		"S-1-5-21-1-2-3-500", "S-1-5-21-3623811015-3361044348-30300820-1013",
		"S-1-5-21-1-2-3-4294967295", "S-1-5-21-1-2-3-4294967296", "S-1-5-18",
		"S-1-5-32-544", "S-1-5", "S-1", "nothing", "S-1-5-21-1-2-3-",
		"S-1-5-21-1-2-3-99999999999999999999999",
	};

	for (size_t i = 0; i < sizeof(sids) / sizeof(*sids); i++) {
		uint32_t rid = 7;
		size_t len = sid_split(sids[i], &rid);
		const char *dash = strrchr(sids[i], '-');
		int dashes = 0;

		for (const char *p = sids[i]; *p; p++)
			dashes += *p == '-';
		cr_expect_eq(len, dashes >= 3 ? (size_t)(dash - sids[i]) : 0, "%s", sids[i]);
		cr_expect_eq(rid, dashes >= 3 ? (uint32_t)strtoul(dash + 1, NULL, 10) : 0, "%s",
			     sids[i]);
		cr_expect_eq(sid_rid(sids[i]), rid, "%s", sids[i]);
		cr_expect_eq(sid_domain_len(sids[i]), len, "%s", sids[i]);
	}
}

/*
 * Converting with a cache of the last domain part gives what converting
 * alone gives, for SIDs of one domain in a row, of others in between,
 * with as many sub-authorities less or more, and malformed ones.
 */
Test(sid, cached_domain_part_gives_the_same_text)
{
	struct sid_cache c = { 0 };
	unsigned seed = 7;

	for (int i = 0; i < 20000; i++) {
		unsigned char bin[8 + 4 * 16 + 4] = { 0 };
		char want[SID_TEXT_MAX], got[SID_TEXT_MAX];
		size_t n, len;
		int rw, rg;

		seed = seed * 1103515245u + 12345u;
		/* mostly one domain of four sub-authorities and a RID */
		n = (seed >> 16) % 8 ? 5 : (seed >> 20) % 17;
		len = 8 + 4 * n;
		bin[0] = 1;
		bin[1] = (unsigned char)n;
		memset(bin + 2, 0, 6);
		bin[7] = (seed >> 24) % 16 ? 5 : 32;
		for (size_t k = 0; k < n; k++) {
			uint32_t v = k + 1 < n && (seed >> 12) % 4 ? 21 + (uint32_t)k * 1000003u
								  : seed * (uint32_t)(k + 3);

			memcpy(bin + 8 + 4 * k, &(uint32_t){ v }, 4);
			seed = seed * 1103515245u + 12345u;
		}
		if (i % 97 == 0)
			bin[0] = 2;           /* a malformed one: the revision */
		if (i % 89 == 0)
			len--;                /* a short one */
		if (i % 83 == 0)
			len += 4;             /* one longer than its count says */
		rw = sid_to_text(bin, len, want, sizeof(want));
		rg = sid_to_text_cached(&c, bin, len, got, sizeof(got));
		cr_assert_eq(rg, rw, "SID %d", i);
		if (rw == 0)
			cr_assert_str_eq(got, want, "SID %d", i);
	}
	cr_assert_gt(c.bin_len, 0, "the cache was used");
}

/* A RID is a domain's only after the domain's whole SID and one dash. */
Test(sid, rid_in_a_domain_only_after_its_whole_sid)
{
	const char *dom = "S-1-5-21-1-2-3";

	cr_expect_eq(sid_rid_in("S-1-5-21-1-2-3-500", dom), 500);
	cr_expect_eq(sid_rid_in("S-1-5-21-1-2-3-502", dom), 502);
	cr_expect_eq(sid_rid_in("S-1-5-21-1-2-33-500", dom), 0, "another domain, same start");
	cr_expect_eq(sid_rid_in("S-1-5-21-1-2-3-4-500", dom), 0, "a longer domain");
	cr_expect_eq(sid_rid_in("S-1-5-21-1-2-4-500", dom), 0);
	cr_expect_eq(sid_rid_in("S-1-5-21-1-2-3", dom), 0, "the domain itself");
	cr_expect_eq(sid_rid_in("S-1-5-32-544", "S-1-5-32"), 544);
	cr_expect_eq(sid_rid_in("S-1-5-21-1-2-3-500", NULL), 0);
	cr_expect_eq(sid_rid_in(NULL, dom), 0);
}
