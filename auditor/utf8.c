/*
 * UTF-8 validation and repair (see utf8.h): jansson refuses invalid UTF-8
 * and directory data may hold any bytes.
 */
#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
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
		size_t n;
		uint64_t w;

		/* nearly all directory text is ASCII: eight bytes at a time */
		if (len >= 8) {
			memcpy(&w, p, 8);
			if (!(w & UINT64_C(0x8080808080808080))) {
				p += 8;
				len -= 8;
				continue;
			}
		}
		n = utf8_seq(p, len);

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

size_t utf8_char_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* UTF-16 code units of the character whose first UTF-8 byte is c. */
static size_t utf16_units(unsigned char c)
{
	return c >= 0xf0 ? 2 : 1;
}

void utf8_cell_text(struct sbuf *out, const char *s, size_t max_units)
{
	char *clean = NULL;
	const unsigned char *p;
	size_t units = 0, budget;

	if (!utf8_valid(s, strlen(s)))
		s = clean = utf8_clean(s);
	for (p = (const unsigned char *)s; *p; p += utf8_char_len(*p))
		units += utf16_units(*p);
	/* too long: keep what fits beside the ellipsis */
	budget = units <= max_units ? units : max_units - 1;
	sbuf_reset(out);
	units = 0;
	for (p = (const unsigned char *)s; *p;) {
		size_t n = utf8_char_len(*p);

		if (units + utf16_units(*p) > budget) {
			sbuf_adds(out, "\xe2\x80\xa6");
			break;
		}
		units += utf16_units(*p);
		if (n == 3 && p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
			sbuf_adds(out, "\xef\xbf\xbd");
		else
			sbuf_add(out, p, n);
		p += n;
	}
	free(clean);
}
