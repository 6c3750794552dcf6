/*
 * Allocation wrappers that die on failure (see xalloc.h).
 */
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void xoom(size_t size)
{
	fprintf(stderr, "privaudit: out of memory allocating %zu bytes\n", size);
	exit(70);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		xoom(size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		xoom(nmemb * size);
	return p;
}

void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > SIZE_MAX / size)
		xoom(SIZE_MAX);
	p = realloc(ptr, nmemb && size ? nmemb * size : 1);
	if (!p)
		xoom(nmemb * size);
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void xgrow_slow(void *ptr, size_t *alloc, size_t need, size_t size)
{
	void **pp = ptr;
	size_t n;

	n = *alloc ? *alloc : 8;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			xoom(SIZE_MAX);
		n *= 2;
	}
	*pp = xreallocarray(*pp, n, size);
	*alloc = n;
}

void xwipe(void *ptr, size_t len)
{
	if (ptr && len)
		explicit_bzero(ptr, len);
}
