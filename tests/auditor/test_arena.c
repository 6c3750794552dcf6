/*
 * Tests for auditor/arena.c: alignment, zero-filled memory, packed strings.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#include "../../auditor/arena.h"

Test(arena, alloc_is_zeroed_and_aligned_for_any_type)
{
	struct arena a = ARENA_INIT;

	for (size_t n = 1; n < 100; n++) {
		unsigned char *p;

		arena_strdup(&a, "x");
		p = arena_alloc(&a, n);
		cr_assert_eq((uintptr_t)p % 16, 0, "size %zu", n);
		for (size_t i = 0; i < n; i++)
			cr_assert_eq(p[i], 0);
		memset(p, 0xff, n);
	}
	arena_release(&a);
}

Test(arena, alloc_aligned_packs_small_objects)
{
	struct arena a = ARENA_INIT;
	char *s, *p, *q;

	s = arena_strdup(&a, "abc");
	p = arena_alloc_aligned(&a, 12, 8);
	cr_expect_eq((uintptr_t)p % 8, 0);
	cr_expect_lt(p - s, 16, "no more padding than 8-byte alignment needs");
	q = arena_alloc_aligned(&a, 24, 3);
	cr_expect_eq((uintptr_t)q % 16, 0, "an alignment that is no power of two: 16");
	cr_expect_eq((uintptr_t)arena_alloc_aligned(&a, 8, 64) % 16, 0, "at most 16");
	cr_expect_str_eq(s, "abc");
	arena_release(&a);
}

Test(arena, large_allocations_and_strings_survive_until_release)
{
	struct arena a = ARENA_INIT;
	char *big = arena_alloc(&a, 1 << 20);
	char *s = arena_strndup(&a, "hello world", 5);

	big[(1 << 20) - 1] = 'z';
	cr_expect_str_eq(s, "hello");
	cr_expect_eq(big[(1 << 20) - 1], 'z');
	cr_expect_geq(a.used, (size_t)(1 << 20) + 6);
	arena_release(&a);
	cr_expect_eq(a.used, 0);
}
