/*
 * A bump allocator over a list of blocks (see arena.h).
 */
#include "arena.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "thread.h"
#include "xalloc.h"

#define ARENA_BLOCK (256 * 1024)
#define ARENA_ALIGN 16

struct arena_block {
	struct arena_block *next;
	size_t size, off;
	bool mapped;             /* a block of the reserve: munmap() it */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

/* The bytes of the reserve's blocks, header included: their data is this less the header. */
#define RESERVE_MAP ARENA_BLOCK

static void block_free(struct arena_block *b)
{
	if (b->mapped)
		munmap(b, RESERVE_MAP);
	else
		free(b);
}

/*
 * The block reserve (see arena.h): a stack of blocks whose pages are in,
 * under reserve.lock. The filler maps them itself (from malloc, on a
 * thread of its own, they cost the process 40 MB more at a million
 * accounts), sleeps while the stack holds want blocks, and is woken by
 * an arena that takes one. An arena never waits for the lock (the
 * filler, at idle priority, may be preempted holding it): when it is
 * taken, the block is allocated as it would be without a reserve.
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t low;        /* fewer than want blocks, or stop */
	struct arena_block *blocks;
	atomic_size_t n;
	size_t want;
	bool stop, running;
	pthread_t filler;
} reserve = { .lock = PTHREAD_MUTEX_INITIALIZER, .low = PTHREAD_COND_INITIALIZER };

/* The kernel zeroes a page when it is first written: every 4 KB, one byte. */
#define PAGE_STRIDE 4096

static void *fill_reserve(void *arg)
{
	struct sched_param idle = { 0 };

	(void)arg;
	/* without idle priority it would take time from the threads it serves */
	if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle) != 0)
		return NULL;
	pthread_mutex_lock(&reserve.lock);
	for (;;) {
		struct arena_block *b;
		volatile unsigned char *page;

		while (!reserve.stop && atomic_load(&reserve.n) >= reserve.want)
			pthread_cond_wait(&reserve.low, &reserve.lock);
		if (reserve.stop)
			break;
		pthread_mutex_unlock(&reserve.lock);
		b = mmap(NULL, RESERVE_MAP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			 0);
		if (b == MAP_FAILED)
			return NULL;   /* the arenas allocate their blocks themselves */
		b->mapped = true;
		b->size = RESERVE_MAP - sizeof(*b);
		page = b->data;
		for (size_t off = 0; off < b->size; off += PAGE_STRIDE)
			page[off] = 0;
		pthread_mutex_lock(&reserve.lock);
		b->next = reserve.blocks;
		reserve.blocks = b;
		atomic_fetch_add(&reserve.n, 1);
	}
	pthread_mutex_unlock(&reserve.lock);
	return NULL;
}

void arena_reserve_start(size_t bytes)
{
	if (reserve.running)
		return;
	reserve.want = bytes / ARENA_BLOCK;
	reserve.stop = false;
	reserve.running = thread_start(&reserve.filler, fill_reserve, NULL);
}

void arena_reserve_stop(void)
{
	if (!reserve.running)
		return;
	pthread_mutex_lock(&reserve.lock);
	reserve.stop = true;
	pthread_cond_signal(&reserve.low);
	pthread_mutex_unlock(&reserve.lock);
	pthread_join(reserve.filler, NULL);
	reserve.running = false;
}

size_t arena_reserve_ready(void)
{
	return atomic_load(&reserve.n);
}

void arena_reserve_release(void)
{
	struct arena_block *b;

	arena_reserve_stop();
	b = reserve.blocks;
	reserve.blocks = NULL;
	atomic_store(&reserve.n, 0);
	while (b) {
		struct arena_block *next = b->next;

		block_free(b);
		b = next;
	}
}

/*
 * A new block for an allocation of size bytes, its size set: one of the
 * reserve if it is a small allocation and the reserve has one ready.
 */
static struct arena_block *block_new(size_t size)
{
	struct arena_block *b = NULL;
	size_t bsize = size > ARENA_BLOCK / 4 ? size : ARENA_BLOCK;

	if (bsize == ARENA_BLOCK && atomic_load_explicit(&reserve.n, memory_order_relaxed) &&
	    pthread_mutex_trylock(&reserve.lock) == 0) {
		b = reserve.blocks;
		if (b) {
			reserve.blocks = b->next;
			atomic_fetch_sub(&reserve.n, 1);
			pthread_cond_signal(&reserve.low);
		}
		pthread_mutex_unlock(&reserve.lock);
		if (b)
			return b;
	}
	if (bsize > SIZE_MAX - sizeof(*b))
		bsize = SIZE_MAX - sizeof(*b);
	b = xmalloc(sizeof(*b) + bsize);
	b->mapped = false;
	b->size = bsize;
	return b;
}

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

		block_free(b);
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
		b = block_new(size);
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
