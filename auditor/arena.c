/*
 * A bump allocator over a list of blocks (see arena.h).
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define ARENA_BLOCK (256 * 1024)
#define ARENA_ALIGN 16

struct arena_block {
	struct arena_block *next;
	size_t size, off;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

void arena_init(struct arena *a)
{
	a->head = NULL;
	a->used = 0;
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head;

	while (b) {
		struct arena_block *next = b->next;

		free(b);
		b = next;
	}
	arena_init(a);
}

/*
 * size bytes aligned to align (a power of two). Strings are packed with
 * no alignment: a directory keeps millions of them.
 */
static void *take(struct arena *a, size_t size, size_t align)
{
	struct arena_block *b = a->head;
	size_t off = b ? (b->off + align - 1) & ~(align - 1) : 0;
	void *p;

	if (!b || off > b->size || b->size - off < size) {
		size_t bsize = size > ARENA_BLOCK / 4 ? size : ARENA_BLOCK;

		if (bsize > SIZE_MAX - sizeof(*b))
			bsize = SIZE_MAX - sizeof(*b);
		b = xmalloc(sizeof(*b) + bsize);
		b->size = bsize;
		b->off = 0;
		off = 0;
		if (size > ARENA_BLOCK / 4 && a->head) {
			/* keep the current block for small allocations */
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = b->data + off;
	b->off = off + size;
	a->used += size;
	return p;
}

void *arena_alloc(struct arena *a, size_t size)
{
	return arena_alloc_aligned(a, size, ARENA_ALIGN);
}

void *arena_alloc_aligned(struct arena *a, size_t size, size_t align)
{
	void *p;

	if (!align || align > ARENA_ALIGN || (align & (align - 1)))
		align = ARENA_ALIGN;
	p = take(a, size ? size : 1, align);
	memset(p, 0, size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = take(a, n + 1, 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void *arena_memdup(struct arena *a, const void *p, size_t n)
{
	void *q = take(a, n ? n : 1, 1);

	memcpy(q, p, n);
	return q;
}

bool arena_extend(struct arena *a, unsigned char **p, size_t len, size_t more)
{
	struct arena_block *b = a->head;

	if (!*p) {
		*p = take(a, more, 1);
		return true;
	}
	if (!b || *p + len != b->data + b->off || b->size - b->off < more)
		return false;
	b->off += more;
	a->used += more;
	return true;
}

void arena_unwind(struct arena *a, const unsigned char *p, size_t len)
{
	struct arena_block *b = a->head;

	if (b && p + len == b->data + b->off && p >= b->data) {
		b->off -= len;
		a->used -= len;
	}
}

void arena_adopt(struct arena *dst, struct arena *src)
{
	struct arena_block *tail = src->head;

	if (!tail)
		return;
	while (tail->next)
		tail = tail->next;
	/* dst's current block stays first: it is the one with room */
	if (dst->head) {
		tail->next = dst->head->next;
		dst->head->next = src->head;
	} else {
		dst->head = src->head;
	}
	dst->used += src->used;
	arena_init(src);
}
