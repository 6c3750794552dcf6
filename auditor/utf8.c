/*
 * UTF-8 validation and repair (see utf8.h): jansson refuses invalid UTF-8
 * and directory data may hold any bytes.
 */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

#include "sbuf.h"
#include "xalloc.h"

/* Length of the valid UTF-8 sequence at s (len > 0 bytes left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	unsigned c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0;               /* continuation byte or overlong lead */
	if (c < 0xe0) {
		n = 2;
		cp = c & 0x1f;
	} else if (c < 0xf0) {
		n = 3;
		cp = c & 0x0f;
	} else if (c < 0xf5) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;               /* overlong or beyond Unicode */
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;               /* surrogates are not characters */
	return n;
}

bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	while (len) {
		size_t n = utf8_seq(p, len);

		if (!n)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

char *utf8_clean(const char *s)
{
	struct sbuf sb = SBUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	size_t len;

	if (!s)
		return NULL;
	len = strlen(s);
	if (utf8_valid(s, len))
		return xstrdup(s);
	while (len) {
		size_t n = utf8_seq(p, len);

		if (n) {
			sbuf_add(&sb, p, n);
		} else {
			sbuf_adds(&sb, "\xef\xbf\xbd");  /* U+FFFD */
			n = 1;
		}
		p += n;
		len -= n;
	}
	return sbuf_detach(&sb);
}
