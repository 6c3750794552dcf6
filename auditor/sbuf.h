/*
 * sbuf: a growable NUL-terminated string buffer. The buffer always holds a
 * valid C string; appends never fail (allocation dies, see xalloc.h).
 *
 *   struct sbuf sb = SBUF_INIT;
 *   sbuf_addf(&sb, "%s -> %s", a, b);
 *   use(sb.buf);
 *   sbuf_release(&sb);
 */
#ifndef PRIVAUDIT_SBUF_H
#define PRIVAUDIT_SBUF_H

#include <stdarg.h>
#include <stddef.h>

struct sbuf {
	char *buf;
	size_t len, alloc;
};

extern char sbuf_empty[];
#define SBUF_INIT { sbuf_empty, 0, 0 }

void sbuf_init(struct sbuf *sb);
/* Free the memory and reset to empty. */
void sbuf_release(struct sbuf *sb);
/* Keep the memory, set the length to 0. */
void sbuf_reset(struct sbuf *sb);
/* Hand the string over to the caller (who frees it); sb is reset. */
char *sbuf_detach(struct sbuf *sb);

void sbuf_add(struct sbuf *sb, const void *data, size_t len);
void sbuf_adds(struct sbuf *sb, const char *s);
void sbuf_addch(struct sbuf *sb, char c);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void sbuf_setlen(struct sbuf *sb, size_t len);
/* Make room for extra more bytes (and the NUL) without changing the length. */
void sbuf_grow(struct sbuf *sb, size_t extra);

#endif
