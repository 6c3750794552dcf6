/*
 * Allocation wrappers: they never return NULL. Running out of memory in an
 * audit is not something to recover from, so they print the size that could
 * not be had and exit with status 70 (EX_SOFTWARE). Sizes are checked for
 * overflow before they are multiplied.
 */
#ifndef PRIVAUDIT_XALLOC_H
#define PRIVAUDIT_XALLOC_H

#include <stddef.h>

/* The exit of the wrappers, for memory had otherwise (mmap): size could not be had. */
_Noreturn void xoom(size_t size);

/* Each returns new memory the caller frees with free(). */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/*
 * Grow *ptr (of *alloc elements of size size) to hold at least need ones.
 * Parsers call it for every line, and it nearly never grows: the check is
 * inline.
 */
void xgrow_slow(void *ptr, size_t *alloc, size_t need, size_t size);

static inline void xgrow(void *ptr, size_t *alloc, size_t need, size_t size)
{
	if (need > *alloc)
		xgrow_slow(ptr, alloc, need, size);
}

/* Wipe a secret so that the compiler cannot elide it. */
void xwipe(void *ptr, size_t len);

#endif
