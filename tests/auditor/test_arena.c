/*
 * Tests for auditor/arena.c: alignment, zero-filled memory, packed strings,
 * growth in place, the block reserve.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>
#include <unistd.h>

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

Test(arena, extend_grows_the_last_allocation_in_place)
{
	struct arena a = ARENA_INIT;
	unsigned char *p = NULL, *start;

	cr_assert(arena_extend(&a, &p, 0, 3), "a start from nothing");
	cr_assert_not_null(p);
	memcpy(p, "abc", 3);
	start = p;
	cr_assert(arena_extend(&a, &p, 3, 4));
	cr_expect_eq(p, start, "grown where it is");
	memcpy(p + 3, "defg", 4);
	cr_expect_eq(memcmp(p, "abcdefg", 7), 0);
	cr_expect_eq(a.used, 7);
	arena_release(&a);
}

Test(arena, extend_refuses_what_is_not_the_last_allocation)
{
	struct arena a = ARENA_INIT;
	unsigned char *p = NULL, *q = NULL, *was;

	cr_assert(arena_extend(&a, &p, 0, 8));
	memset(p, 'p', 8);
	cr_assert(arena_extend(&a, &q, 0, 8));
	memset(q, 'q', 8);
	was = p;
	cr_expect_not(arena_extend(&a, &p, 8, 1), "q follows p");
	cr_expect_eq(p, was, "left as it was");
	cr_expect_not(arena_extend(&a, &q, 7, 1), "a length short of the end");
	cr_expect(arena_extend(&a, &q, 8, 1));
	cr_expect_eq(q[0], 'q');
	cr_expect_eq(p[7], 'p', "p untouched");
	arena_release(&a);
}

Test(arena, extend_refuses_past_the_end_of_its_block)
{
	struct arena a = ARENA_INIT;
	unsigned char *p = NULL;
	size_t len = 0, refused = 0;

	/* a block is 256 KB: growing one byte at a time must stop at its end */
	cr_assert(arena_extend(&a, &p, 0, 1));
	p[0] = 1;
	len = 1;
	while (len < (1u << 20)) {
		if (!arena_extend(&a, &p, len, 1)) {
			refused = len;
			break;
		}
		p[len++] = 1;
	}
	cr_assert_gt(refused, 0, "a block has an end");
	cr_expect_leq(refused, 256u * 1024, "within one block");
	/* the next allocation starts a new block; the full one is not reused */
	cr_expect_not_null(arena_strdup(&a, "next"));
	cr_expect_eq(a.used, refused + 5);
	arena_release(&a);
}

Test(arena, unwind_gives_back_the_last_allocation_only)
{
	struct arena a = ARENA_INIT;
	unsigned char *p = NULL, *q = NULL, *r = NULL;

	cr_assert(arena_extend(&a, &p, 0, 10));
	cr_assert(arena_extend(&a, &q, 0, 20));
	arena_unwind(&a, p, 10);
	cr_expect_eq(a.used, 30, "p is not the last: kept");
	arena_unwind(&a, q, 20);
	cr_expect_eq(a.used, 10, "q is: given back");
	cr_assert(arena_extend(&a, &r, 0, 5));
	cr_expect_eq(r, q, "and taken again by the next allocation");
	cr_expect(arena_extend(&a, &r, 5, 1), "which is the last one now");
	arena_release(&a);
}

/*
 * Wait for the reserve to hold n blocks: up to 30 s, as the filler runs
 * only when a core is idle, and other tests may keep both busy a while.
 */
static size_t reserve_wait(size_t n)
{
	for (int i = 0; i < 3000 && arena_reserve_ready() < n; i++)
		usleep(10000);
	return arena_reserve_ready();
}

/*
 * The reserve fills to the bytes asked for (at idle priority: the test
 * machine has idle time) and stops there; arenas take its blocks, zeroed
 * as any, until it is empty, and then allocate their own; releasing the
 * arena unmaps the reserve's blocks and frees the others. Started again,
 * the filler makes up for the blocks taken.
 */
Test(arena, reserve_blocks_serve_arenas_until_it_is_empty)
{
	struct arena a = ARENA_INIT;
	unsigned char *chunks[3000];

	arena_reserve_start(4 * 256 * 1024);
	cr_assert_eq(reserve_wait(4), 4, "filled to 4 blocks");
	usleep(50000);
	cr_expect_eq(arena_reserve_ready(), 4, "and no more");
	arena_reserve_stop();
	/* the first block, then 300 KB more: a second one */
	chunks[0] = arena_alloc(&a, 1000);
	cr_expect_eq(arena_reserve_ready(), 3, "the arena's first block is the reserve's");
	for (int i = 0; i < 300; i++)
		arena_alloc(&a, 1000);
	cr_expect_eq(arena_reserve_ready(), 2, "and its second");
	arena_reserve_start(4 * 256 * 1024);
	cr_expect_eq(reserve_wait(4), 4, "the blocks taken are made again");
	arena_reserve_stop();

	/* 3,000 KB: the 4 blocks (about 1 MB) and then blocks of the arena's own */
	for (int i = 1; i < 3000; i++) {
		chunks[i] = arena_alloc(&a, 1000);
		for (int k = 0; k < 1000; k++)
			cr_assert_eq(chunks[i][k], 0, "zeroed");
		memset(chunks[i], i % 251, 1000);
	}
	cr_expect_eq(arena_reserve_ready(), 0, "all taken");
	for (int i = 1; i < 3000; i++)
		cr_assert(chunks[i][0] == i % 251 && chunks[i][999] == i % 251, "chunk %d kept", i);
	arena_release(&a);

	arena_reserve_start(2 * 256 * 1024);
	cr_assert_eq(reserve_wait(2), 2);
	arena_reserve_release();
	cr_expect_eq(arena_reserve_ready(), 0, "released, the filler stopped");
	chunks[0] = arena_alloc(&a, 1000);
	usleep(50000);
	cr_expect_eq(arena_reserve_ready(), 0, "and not refilled");
	arena_release(&a);
}
