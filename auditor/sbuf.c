/*
 * Growable string buffer (see sbuf.h).
 */
#include "sbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

char sbuf_empty[1];

void sbuf_init(struct sbuf *sb)
{
	sb->buf = sbuf_empty;
	sb->len = sb->alloc = 0;
}

void sbuf_release(struct sbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sbuf_init(sb);
}

void sbuf_reset(struct sbuf *sb)
{
	sbuf_setlen(sb, 0);
}

char *sbuf_detach(struct sbuf *sb)
{
	char *s = sb->alloc ? sb->buf : xstrdup("");

	sbuf_init(sb);
	return s;
}

void sbuf_grow(struct sbuf *sb, size_t extra)
{
	char *old = sb->alloc ? sb->buf : NULL;

	if (sb->len + extra + 1 <= sb->alloc)
		return;
	sb->buf = old;
	xgrow(&sb->buf, &sb->alloc, sb->len + extra + 1, 1);
	if (!old)
		sb->buf[0] = '\0';
}

void sbuf_setlen(struct sbuf *sb, size_t len)
{
	if (!sb->alloc)
		return;
	sb->len = len;
	sb->buf[len] = '\0';
}

void sbuf_add(struct sbuf *sb, const void *data, size_t len)
{
	if (!len)
		return;
	sbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void sbuf_adds(struct sbuf *sb, const char *s)
{
	sbuf_add(sb, s, strlen(s));
}

void sbuf_addch(struct sbuf *sb, char c)
{
	sbuf_add(sb, &c, 1);
}

void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n <= 0)
		return;
	sbuf_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}
