/*
 * SID conversions (see sid.h). Binary layout: revision (1 byte),
 * sub-authority count (1), identifier authority (6, big-endian),
 * sub-authorities (4 each, little-endian).
 */
#include "sid.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Append "-" and v in decimal at buf[*off], within size; false when it
 * does not fit. A directory converts a million SIDs: no snprintf.
 */
static bool put_part(char *buf, size_t size, size_t *off, uint64_t v)
{
	char digits[20];
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (*off + 1 + n >= size)
		return false;
	buf[(*off)++] = '-';
	while (n)
		buf[(*off)++] = digits[--n];
	buf[*off] = '\0';
	return true;
}

int sid_to_text(const unsigned char *bin, size_t len, char *buf, size_t size)
{
	uint64_t auth = 0;
	size_t n, off = 3;

	if (len < 8 || bin[0] != 1)
		return -1;
	n = bin[1];
	if (n > 15 || len != 8 + 4 * n || size < 4)
		return -1;
	for (int i = 2; i < 8; i++)
		auth = auth << 8 | bin[i];
	memcpy(buf, "S-1", 3);
	if (!put_part(buf, size, &off, auth))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = bin + 8 + 4 * i;
		uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
			     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

		if (!put_part(buf, size, &off, v))
			return -1;
	}
	return 0;
}

int sid_to_text_cached(struct sid_cache *c, const unsigned char *bin, size_t len, char *buf,
		       size_t size)
{
	size_t off;
	const char *dash;

	/* the kept bytes hold the revision and the count: a match is well formed */
	if (c->bin_len && len == c->bin_len + 4 && memcmp(c->bin, bin, c->bin_len) == 0 &&
	    c->text_len < size) {
		const unsigned char *p = bin + len - 4;
		uint32_t rid = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			       (uint32_t)p[3] << 24;

		memcpy(buf, c->text, c->text_len);
		off = c->text_len;
		return put_part(buf, size, &off, rid) ? 0 : -1;
	}
	if (sid_to_text(bin, len, buf, size) < 0)
		return -1;
	c->bin_len = 0;
	dash = strrchr(buf, '-');
	/* a SID with a sub-authority: keep what precedes its last one */
	if (bin[1] > 0 && dash && (size_t)(dash - buf) < sizeof(c->text)) {
		c->bin_len = len - 4;
		memcpy(c->bin, bin, len - 4);
		c->text_len = (size_t)(dash - buf);
		memcpy(c->text, buf, c->text_len);
	}
	return 0;
}

int sid_is_text(const char *s)
{
	int parts = 0;

	if ((s[0] != 'S' && s[0] != 's') || s[1] != '-')
		return 0;
	s += 2;
	while (*s) {
		if (!isdigit((unsigned char)*s))
			return 0;
		while (isdigit((unsigned char)*s))
			s++;
		parts++;
		if (*s == '-')
			s++;
		else if (*s)
			return 0;
	}
	return parts >= 2 && s[-1] != '-';
}

size_t sid_split(const char *sid, uint32_t *rid)
{
	const char *dash = NULL;
	int dashes = 0;
	uint64_t v = 0;

	*rid = 0;
	for (const char *p = sid; *p; p++)
		if (*p == '-') {
			dash = p;
			dashes++;
		}
	/* S-1-5-32-544 has a RID (544) in the BUILTIN domain S-1-5-32 */
	if (!dash || dashes < 3)
		return 0;
	/* as (uint32_t)strtoul() reads the digits: all of them, saturated */
	for (const char *p = dash + 1; *p >= '0' && *p <= '9'; p++)
		v = v > (UINT64_MAX - 9) / 10 ? UINT64_MAX : v * 10 + (uint64_t)(*p - '0');
	*rid = (uint32_t)v;
	return (size_t)(dash - sid);
}

uint32_t sid_rid(const char *sid)
{
	uint32_t rid;

	sid_split(sid, &rid);
	return rid;
}

size_t sid_domain_len(const char *sid)
{
	uint32_t rid;

	return sid_split(sid, &rid);
}

uint32_t sid_rid_in(const char *sid, const char *domain)
{
	uint32_t rid = 0;
	size_t len = sid && domain ? sid_split(sid, &rid) : 0;

	return len && len == strlen(domain) && memcmp(sid, domain, len) == 0 ? rid : 0;
}
