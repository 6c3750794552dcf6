/*
 * Tests for auditor/sbuf.c, the growable string buffer: it always holds a
 * valid C string, grows without limit, and hands its memory over.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "../../auditor/sbuf.h"

Test(sbuf, starts_empty_without_allocating)
{
	struct sbuf sb = SBUF_INIT;

	cr_expect_str_eq(sb.buf, "");
	cr_expect_eq(sb.len, 0);
	cr_expect_eq(sb.alloc, 0);
	sbuf_add(&sb, "x", 0);
	cr_expect_eq(sb.alloc, 0, "an empty append does not allocate");
	sbuf_reset(&sb);
	sbuf_setlen(&sb, 0);
	cr_expect_str_eq(sb.buf, "");
	sbuf_release(&sb);
	cr_expect_str_eq(sb.buf, "");
}

Test(sbuf, init_equals_static_init)
{
	struct sbuf a = SBUF_INIT, b;

	sbuf_init(&b);
	cr_expect_eq(a.buf, b.buf);
	cr_expect_eq(b.len, 0);
	cr_expect_eq(b.alloc, 0);
}

Test(sbuf, appends)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_adds(&sb, "alice");
	sbuf_addch(&sb, ' ');
	sbuf_add(&sb, "->xyz", 2);
	sbuf_addf(&sb, " %s (%d)", "Domain Admins", 512);
	cr_expect_str_eq(sb.buf, "alice -> Domain Admins (512)");
	cr_expect_eq(sb.len, strlen("alice -> Domain Admins (512)"));
	cr_expect_gt(sb.alloc, sb.len);
	sbuf_release(&sb);
	cr_expect_eq(sb.len, 0);
	cr_expect_eq(sb.alloc, 0);
}

Test(sbuf, binary_bytes_and_nul)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_add(&sb, "a\0b", 3);
	cr_expect_eq(sb.len, 3);
	cr_expect_eq(memcmp(sb.buf, "a\0b", 4), 0, "kept, and NUL-terminated");
	sbuf_release(&sb);
}

Test(sbuf, grows_past_many_reallocations)
{
	struct sbuf sb = SBUF_INIT;

	for (int i = 0; i < 100000; i++)
		sbuf_addch(&sb, (char)('a' + i % 26));
	cr_expect_eq(sb.len, 100000);
	cr_expect_eq(strlen(sb.buf), 100000);
	cr_expect_eq(sb.buf[26], 'a');
	cr_expect_eq(sb.buf[99999], (char)('a' + 99999 % 26));
	sbuf_release(&sb);
}

Test(sbuf, long_formatted_append)
{
	struct sbuf sb = SBUF_INIT;
	char big[5000];

	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sbuf_adds(&sb, "<");
	sbuf_addf(&sb, "%s>%d", big, 7);
	cr_expect_eq(sb.len, 1 + 4999 + 2);
	cr_expect_eq(sb.buf[0], '<');
	cr_expect_eq(sb.buf[5000], '>');
	cr_expect_str_eq(sb.buf + 5001, "7");
	sbuf_release(&sb);
}

Test(sbuf, empty_format_adds_nothing)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_addf(&sb, "%s", "");
	cr_expect_eq(sb.len, 0);
	cr_expect_str_eq(sb.buf, "");
	sbuf_release(&sb);
}

Test(sbuf, setlen_and_reset_keep_memory)
{
	struct sbuf sb = SBUF_INIT;
	char *mem;
	size_t alloc;

	sbuf_adds(&sb, "abcdef");
	mem = sb.buf;
	alloc = sb.alloc;
	sbuf_setlen(&sb, 3);
	cr_expect_str_eq(sb.buf, "abc");
	cr_expect_eq(sb.len, 3);
	sbuf_reset(&sb);
	cr_expect_str_eq(sb.buf, "");
	cr_expect_eq(sb.buf, mem);
	cr_expect_eq(sb.alloc, alloc);
	sbuf_adds(&sb, "xy");
	cr_expect_str_eq(sb.buf, "xy");
	sbuf_release(&sb);
}

Test(sbuf, detach_hands_the_string_over)
{
	struct sbuf sb = SBUF_INIT;
	char *s;

	sbuf_adds(&sb, "owned");
	s = sbuf_detach(&sb);
	cr_expect_str_eq(s, "owned");
	cr_expect_eq(sb.len, 0);
	cr_expect_eq(sb.alloc, 0);
	cr_expect_str_eq(sb.buf, "");
	free(s);

	/* an empty buffer still gives a string the caller can free */
	s = sbuf_detach(&sb);
	cr_assert_not_null(s);
	cr_expect_str_eq(s, "");
	cr_expect_neq(s, sbuf_empty);
	free(s);
}
