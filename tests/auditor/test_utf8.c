/*
 * Tests for auditor/utf8.c.
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../auditor/sbuf.h"
#include "../../auditor/utf8.h"

Test(utf8, validates_and_repairs)
{
	char *s;

	cr_assert(utf8_valid("plain", 5));
	cr_assert(utf8_valid("\xe5\x88\x9d\xe6\x9c\x9f\xe3\x83\x91", 9));   /* 初期パ */
	cr_assert(utf8_valid("\xf0\x9f\x94\x91", 4));                     /* U+1F511 */
	cr_assert_not(utf8_valid("\xc0\x80", 2));          /* overlong NUL */
	cr_assert_not(utf8_valid("\xe0\x80\xaf", 3));      /* overlong '/' */
	cr_assert_not(utf8_valid("\xed\xa0\x80", 3));      /* surrogate */
	cr_assert_not(utf8_valid("\xf4\x90\x80\x80", 4));  /* above U+10FFFF */
	cr_assert_not(utf8_valid("\xe3\x81", 2));          /* cut short */
	cr_assert_not(utf8_valid("\x80", 1));              /* lone continuation */
	cr_assert_null(utf8_clean(NULL));
	s = utf8_clean("ok \xe3\x81");
	cr_assert_str_eq(s, "ok \xef\xbf\xbd\xef\xbf\xbd");
	free(s);
	s = utf8_clean("\xe5\x88\x9d ok");
	cr_assert_str_eq(s, "\xe5\x88\x9d ok");
	free(s);
}

/* Cells hold max_units UTF-16 units; longer text is cut to max_units - 1 and "…". */
Test(utf8, cell_text_fits_the_limit_exactly)
{
	struct sbuf sb = SBUF_INIT;

	utf8_cell_text(&sb, "abcde", 5);
	cr_expect_str_eq(sb.buf, "abcde", "5 units fit a limit of 5");
	utf8_cell_text(&sb, "abcdef", 5);
	cr_expect_str_eq(sb.buf, "abcd\xe2\x80\xa6", "6 units do not: cut, with an ellipsis");
	/* U+1F511 takes two UTF-16 units and is never split */
	utf8_cell_text(&sb, "abc\xf0\x9f\x94\x91", 5);
	cr_expect_str_eq(sb.buf, "abc\xf0\x9f\x94\x91");
	utf8_cell_text(&sb, "abcd\xf0\x9f\x94\x91", 5);
	cr_expect_str_eq(sb.buf, "abcd\xe2\x80\xa6", "6 units, the last character astral");
	utf8_cell_text(&sb, "abc\xf0\x9f\x94\x91x", 5);
	cr_expect_str_eq(sb.buf, "abc\xe2\x80\xa6", "an astral character does not fit beside the ellipsis");
	/* U+FFFE is valid UTF-8 but not XML; an invalid byte is cleaned */
	utf8_cell_text(&sb, "x\xef\xbf\xbey\x80", 10);
	cr_expect_str_eq(sb.buf, "x\xef\xbf\xbdy\xef\xbf\xbd");
	sbuf_release(&sb);
}

/*
 * ASCII is checked eight bytes at a time: each sequence above, valid or
 * not, is judged the same with any number of ASCII bytes before and after
 * it, so that it falls at every place of those eight.
 */
Test(utf8, a_sequence_is_judged_the_same_anywhere_in_ascii)
{
	static const struct {
		const char *seq;
		bool valid;
	} seqs[] = {
		{ "\xe5\x88\x9d", true }, { "\xf0\x9f\x94\x91", true }, { "\xc3\xa9", true },
		{ "\xc0\x80", false }, { "\xe0\x80\xaf", false }, { "\xed\xa0\x80", false },
		{ "\xf4\x90\x80\x80", false }, { "\xe3\x81", false }, { "\x80", false },
		{ "\xff", false },
	};
	char buf[64];

	for (size_t k = 0; k < sizeof(seqs) / sizeof(*seqs); k++)
		for (size_t before = 0; before <= 20; before++)
			for (size_t after = 0; after <= 20; after++) {
				size_t n = strlen(seqs[k].seq), len = before + n + after;

				memset(buf, 'a', sizeof(buf));
				memcpy(buf + before, seqs[k].seq, n);
				cr_assert_eq(utf8_valid(buf, len), seqs[k].valid,
					     "sequence %zu after %zu bytes, %zu after it", k, before,
					     after);
			}
}
