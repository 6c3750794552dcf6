/*
 * Arena: many small allocations freed at once. The directory model lives in
 * one arena. arena_alloc() memory is aligned for any type; strings are
 * packed without alignment. Everything stays valid until arena_release();
 * nothing is freed individually.
 */
#ifndef PRIVAUDIT_ARENA_H
#define PRIVAUDIT_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t used;  /* bytes handed out, for statistics */
};

#define ARENA_INIT { NULL, 0 }

void arena_init(struct arena *a);
/* Free every block; the arena may be used again. */
void arena_release(struct arena *a);

/* Zero-filled memory owned by the arena. */
void *arena_alloc(struct arena *a, size_t size);
/*
 * The same aligned to align (a power of two, at most 16): for the many
 * small objects that need less than any type would, _Alignof(type).
 */
void *arena_alloc_aligned(struct arena *a, size_t size, size_t align);
/* A NUL-terminated copy of s[0..n) owned by the arena. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* A copy of p[0..n), unaligned, owned by the arena. */
void *arena_memdup(struct arena *a, const void *p, size_t n);
/*
 * Grow the last allocation of a, *p of len bytes, by more bytes in place;
 * with *p NULL (len 0), start one of more (> 0) bytes, unaligned. False, with
 * nothing changed, when *p is not the last allocation or its block has no
 * room: the caller then copies it.
 */
bool arena_extend(struct arena *a, unsigned char **p, size_t len, size_t more);
/* Give back p, len bytes, if it is the last allocation of a (else nothing). */
void arena_unwind(struct arena *a, const unsigned char *p, size_t len);
/*
 * Move src's blocks into dst, which then owns (and releases) them; src
 * is left empty. Memory from either stays where it is.
 */
void arena_adopt(struct arena *dst, struct arena *src);

/*
 * The block reserve, shared by all arenas: new blocks whose pages are
 * already in. The first write to a fresh page makes the kernel find,
 * map and zero it, and a thread filling an arena at hundreds of MB/s
 * (the directory's, while an LDIF file is read) loses much of its time
 * there. arena_reserve_start() starts a thread that keeps up to bytes of
 * such blocks ready, at idle priority: it runs only on a core that has
 * nothing else to do (and not at all where idle priority is refused).
 * An arena that needs a block takes one from the reserve when it can.
 * arena_reserve_stop() stops the thread, leaving what it made to the
 * arenas; arena_reserve_release() also frees what is left.
 */
void arena_reserve_start(size_t bytes);
void arena_reserve_stop(void);
void arena_reserve_release(void);
/* How many blocks the reserve holds now. */
size_t arena_reserve_ready(void);

#endif
