/*
 * String helpers (see strutil.h).
 */
#include "strutil.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "arena.h"
#include "hmap.h"
#include "sbuf.h"
#include "xalloc.h"

static inline unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

int str_icmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	while (*p && lower(*p) == lower(*q)) {
		p++;
		q++;
	}
	return (int)lower(*p) - (int)lower(*q);
}

void str_lower_into(char *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (char)lower((unsigned char)s[i]);
}

int str_cmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return !a - !b;
	return strcmp(a, b);
}

void str_sort_key(const char *s, uint64_t k[2])
{
	const unsigned char *p = (const unsigned char *)s;

	k[0] = k[1] = p ? 0 : UINT64_MAX;
	for (int i = 0; p && i < 16 && p[i]; i++)
		k[i / 8] |= (uint64_t)p[i] << (56 - 8 * (i % 8));
}

/* An element of the array str_sort_by_name() sorts: the key of its name, and where it was. */
struct name_key {
	uint64_t k[2];
	size_t i;
};

struct by_name {
	const char *v;
	size_t size;
	int (*cmp)(const void *, const void *);
};

/* Whether y sorts before x (keys first, then the whole comparison). */
static inline bool key_before(const struct name_key *y, const struct name_key *x,
			      const struct by_name *c)
{
	int r = str_sort_key_cmp(y->k, x->k);

	return r ? r < 0 : c->cmp(c->v + y->i * c->size, c->v + x->i * c->size) < 0;
}

/* Runs shorter than this are extended by insertion first. */
#define MIN_RUN 32

/*
 * The end of the run that starts at a[from]: the elements in order (none
 * before the one ahead of it), at least MIN_RUN of them (or to n) once
 * the shorter ones are put in order by insertion.
 */
static size_t run_end(struct name_key *a, size_t from, size_t n, const struct by_name *c)
{
	size_t end = from + 1, min = n - from < MIN_RUN ? n : from + MIN_RUN;

	while (end < n && !key_before(&a[end], &a[end - 1], c))
		end++;
	for (; end < min; end++) {
		struct name_key x = a[end];
		size_t j = end;

		for (; j > from && key_before(&x, &a[j - 1], c); j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
	return end;
}

/* src[lo..mid) and src[mid..hi), each in order and not empty, merged into dst[lo..hi). */
static void merge_runs(const struct name_key *src, struct name_key *dst, size_t lo, size_t mid,
		       size_t hi, const struct by_name *c)
{
	size_t i = lo, j = mid, k = lo;

	/* already in order where they meet: a copy */
	if (!key_before(&src[mid], &src[mid - 1], c)) {
		memcpy(dst + lo, src + lo, (hi - lo) * sizeof(*dst));
		return;
	}
	while (i < mid && j < hi)
		/* the left one when equal: stable */
		dst[k++] = key_before(&src[j], &src[i], c) ? src[j++] : src[i++];
	memcpy(dst + k, src + i, (mid - i) * sizeof(*dst));
	k += mid - i;
	memcpy(dst + k, src + j, (hi - j) * sizeof(*dst));
}

/*
 * A stable merge sort of a[0..n) that starts from the runs already in
 * order: the checks make each check's findings in the order of the
 * accounts, and an export that lists them by name gives one run, sorted
 * in a pass. Runs of fewer than MIN_RUN are made up by insertion, then
 * neighbouring runs are merged, pass after pass, until one is left.
 */
static void sort_keys(struct name_key *a, size_t n, const struct by_name *c)
{
	size_t *start = xreallocarray(NULL, n / MIN_RUN + 2, sizeof(*start));
	size_t nruns = 0;
	struct name_key *tmp, *src = a, *dst;

	for (size_t from = 0; from < n; from = run_end(a, from, n, c))
		start[nruns++] = from;
	start[nruns] = n;
	if (nruns < 2) {
		free(start);
		return;
	}
	tmp = xreallocarray(NULL, n, sizeof(*tmp));
	dst = tmp;
	while (nruns > 1) {
		size_t k = 0, r;

		for (r = 0; r + 1 < nruns; r += 2) {
			merge_runs(src, dst, start[r], start[r + 1], start[r + 2], c);
			start[k++] = start[r];
		}
		if (r < nruns) {
			memcpy(dst + start[r], src + start[r], (n - start[r]) * sizeof(*dst));
			start[k++] = start[r];
		}
		start[k] = n;
		nruns = k;
		src = dst;
		dst = src == a ? tmp : a;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	free(tmp);
	free(start);
}

#define NAME_AHEAD 16

void str_sort_by_name(void *v, size_t n, size_t size, const char *(*name)(const void *),
		      int (*cmp)(const void *, const void *))
{
	struct by_name c = { v, size, cmp };
	struct name_key *keys;
	char *copy;

	if (n < 2)
		return;
	keys = xreallocarray(NULL, n, sizeof(*keys));
	for (size_t i = 0; i < n; i++) {
		/*
		 * Elements that point to what holds the name (findings,
		 * accounts) are scattered in memory: the thing pointed at is
		 * fetched NAME_AHEAD elements ahead, its name half as far. An
		 * element the size of a pointer is taken for one (a prefetch
		 * of an address that is not one does no harm).
		 */
		if (size == sizeof(void *) && i + NAME_AHEAD < n)
			__builtin_prefetch(*(void *const *)(const void *)(c.v +
									 (i + NAME_AHEAD) * size));
		if (i + NAME_AHEAD / 2 < n)
			__builtin_prefetch(name(c.v + (i + NAME_AHEAD / 2) * size));
		keys[i].i = i;
		str_sort_key(name(c.v + i * size), keys[i].k);
	}
	sort_keys(keys, n, &c);
	copy = xreallocarray(NULL, n, size);
	memcpy(copy, v, n * size);
	for (size_t i = 0; i < n; i++)
		memcpy((char *)v + i * size, copy + keys[i].i * size, size);
	free(copy);
	free(keys);
}

int str_ieq_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	size_t i = 0;

	if (n < 8) {
		for (; i < n; i++)
			if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
				return 0;
		return 1;
	}
	for (; i + 8 < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y && str_fold8(x) != str_fold8(y))
			return 0;
	}
	/* the last eight bytes, overlapping the word before */
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, b + n - 8, 8);
	return x == y || str_fold8(x) == str_fold8(y);
}

int str_ieq_lower_bytes(const char *a, const char *lo, size_t n)
{
	uint64_t x, y;
	size_t i = 0;

	if (n < 8) {
		for (; i < n; i++)
			if (lower((unsigned char)a[i]) != (unsigned char)lo[i])
				return 0;
		return 1;
	}
	for (; i + 8 < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, lo + i, 8);
		if (str_fold8(x) != y)
			return 0;
	}
	/* the last eight bytes, overlapping the word before */
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, lo + n - 8, 8);
	return str_fold8(x) == y;
}

/*
 * The lengths first, then eight bytes at a time: the directory compares
 * millions of DNs this way (its DN map, see dir.c).
 */
int str_ieq(const char *a, const char *b)
{
	size_t n = strlen(b);

	return strnlen(a, n + 1) == n && str_ieq_bytes(a, b, n);
}

int str_nieq(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen; i++)
		if (!b[i] || lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return b[i] == '\0';
}

char *dn_normalise(const char *dn, size_t len)
{
	char *out = xmalloc(len + 1);

	dn_normalise_into(dn, len, out);
	return out;
}

/* The whole rule, for DNs with spaces to trim or escapes. */
size_t dn_normalise_general(const char *dn, size_t len, char *out)
{
	char *o = out;
	size_t i = 0;

	while (i < len) {
		/* one RDN component: type = value */
		while (i < len && dn[i] == ' ')
			i++;
		while (i < len && dn[i] != '=' && dn[i] != ',') {
			if (dn[i] != ' ')
				*o++ = (char)lower((unsigned char)dn[i]);
			i++;
		}
		if (i < len && dn[i] == '=') {
			size_t start, end;

			*o++ = '=';
			i++;
			while (i < len && dn[i] == ' ')
				i++;
			start = end = i;
			while (i < len && dn[i] != ',' && dn[i] != '+') {
				if (dn[i] == '\\' && i + 1 < len) {
					i += 2;
					end = i;
					continue;
				}
				i++;
				if (dn[i - 1] != ' ')
					end = i;
			}
			for (size_t k = start; k < end; k++)
				*o++ = (char)lower((unsigned char)dn[k]);
		}
		if (i < len)
			*o++ = dn[i++];
	}
	*o = '\0';
	return (size_t)(o - out);
}

/* Whether one of the eight bytes of w is c (or, after such a byte, may be). */
static inline uint64_t has_byte(uint64_t w, unsigned char c)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	uint64_t x = w ^ (c * ones);

	return (x - ones) & ~x & (0x80 * ones);
}

/*
 * Whether the space at dn[i] stays as it is: inside a value, neither
 * leading nor trailing. Whether dn[i] is in a value is decided by the
 * last '=', ',' or '+' before it; the search stops at *from, the previous
 * space kept, which was in a value: with no separator since, so is dn[i].
 */
static bool space_kept(const char *dn, size_t len, size_t i, size_t *from)
{
	size_t k = i;

	if (i + 1 == len || dn[i + 1] == ',' || dn[i + 1] == '+' || i == 0 || dn[i - 1] == '=')
		return false;
	while (k > *from) {
		char c = dn[--k];

		if (c == ',' || c == '+')
			return false;
		if (c == '=') {
			*from = i;
			return true;
		}
	}
	/* none since the previous space kept (0: none yet, no space is at 0) */
	if (*from == 0)
		return false;
	*from = i;
	return true;
}

/*
 * Whether dn[i] is a byte normalising would change other than by case: an
 * escape, or a space that is not kept (space_kept, in the order of i).
 */
static inline bool dn_changes_at(const char *dn, size_t len, size_t i, size_t *from)
{
	return dn[i] == '\\' || (dn[i] == ' ' && !space_kept(dn, len, i, from));
}

/*
 * Nearly every DN has no escape and no space next to a separator or
 * inside an attribute type: then normalising is lowering the case, byte
 * for byte, and the general rule (dn_normalise_general) is needed only when
 * this pass meets one of those. Eight bytes without a space or a
 * backslash are lowered at once.
 */
size_t dn_normalise_into(const char *dn, size_t len, char *out)
{
	size_t i = 0, from = 0;

	while (i < len) {
		if (i + 8 <= len) {
			uint64_t w, special;

			memcpy(&w, dn + i, 8);
			special = has_byte(w, ' ') | has_byte(w, '\\');
			w = str_fold8(w);
			memcpy(out + i, &w, 8);
			if (!special) {
				i += 8;
				continue;
			}
			/* the lowest flag is exact: the bytes before it are plain */
			i += (size_t)__builtin_ctzll(special) / 8;
		}
		if (dn_changes_at(dn, len, i, &from))
			return dn_normalise_general(dn, len, out);
		out[i] = (char)lower((unsigned char)dn[i]);
		i++;
	}
	out[len] = '\0';
	return len;
}

bool dn_plain_hash(const char *dn, size_t len, uint64_t *hash)
{
	size_t i = 0, from = 0;
	uint64_t h = HMAP_HASH_START(len), w;

	/*
	 * Sixteen bytes at a time, then eight: looked at for ' ' and '\\',
	 * and lowered into the hash (sixteen at once, as str_fold8() lowers
	 * eight: A to Z only, bytes from 0x80 on being negative here).
	 */
#if defined(__SSE2__) && defined(__x86_64__)
	for (; i + 16 <= len; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(dn + i));
		unsigned hit = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
				     _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
		__m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
					      _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));

		for (; hit; hit &= hit - 1) {
			size_t k = i + (size_t)__builtin_ctz(hit);

			if (dn_changes_at(dn, len, k, &from))
				return false;
		}
		v = _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
		h = hmap_hash_word(h, (uint64_t)_mm_cvtsi128_si64(v));
		h = hmap_hash_word(h, (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v)));
	}
#endif
	for (; i + 8 <= len; i += 8) {
		uint64_t special;

		memcpy(&w, dn + i, 8);
		/* no byte is missed; one above a flagged byte may be flagged in error */
		for (special = HMAP_LE(64, has_byte(w, ' ') | has_byte(w, '\\')); special;
		     special &= special - 1) {
			size_t k = i + (size_t)__builtin_ctzll(special) / 8;

			if (dn_changes_at(dn, len, k, &from))
				return false;
		}
		h = hmap_hash_word(h, str_fold8(w));
	}
	for (size_t k = i; k < len; k++)
		if (dn_changes_at(dn, len, k, &from))
			return false;
	*hash = hmap_hash_end(h, str_fold8(hmap_hash_tail(dn, i, len)));
	return true;
}

bool dn_is_plain(const char *dn, size_t len)
{
	uint64_t hash;

	return dn_plain_hash(dn, len, &hash);
}

char *dn_normalise_in(struct arena *a, const char *dn)
{
	size_t len = strlen(dn);
	char *ndn = arena_alloc_aligned(a, len + 1, 1);

	dn_normalise_into(dn, len, ndn);
	return ndn;
}

char *dn_to_dns(const char *dn)
{
	struct sbuf sb = SBUF_INIT;
	char *norm = dn_normalise(dn, strlen(dn));
	const char *p = norm;

	while (*p) {
		size_t n = 0;

		/* the value runs to the next unescaped comma */
		while (p[n] && p[n] != ',') {
			if (p[n] == '\\' && p[n + 1])
				n++;
			n++;
		}
		if (n > 3 && strncmp(p, "dc=", 3) == 0) {
			if (sb.len)
				sbuf_addch(&sb, '.');
			sbuf_add(&sb, p + 3, n - 3);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	free(norm);
	return sbuf_detach(&sb);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)lower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *dn_first_value(const char *dn)
{
	struct sbuf sb = SBUF_INIT;
	const char *p = strchr(dn, '=');
	size_t keep = 0;

	if (!p)
		return xstrdup(dn);
	p++;
	while (*p == ' ')
		p++;
	while (*p && *p != ',' && *p != '+') {
		if (*p == '\\' && p[1]) {
			int h = hexval(p[1]), l = p[2] ? hexval(p[2]) : -1;

			if (h >= 0 && l >= 0) {
				sbuf_addch(&sb, (char)(h << 4 | l));
				p += 3;
			} else {
				sbuf_addch(&sb, p[1]);
				p += 2;
			}
			keep = sb.len;
			continue;
		}
		sbuf_addch(&sb, *p++);
	}
	/* unescaped trailing spaces are not part of the value */
	while (sb.len > keep && sb.buf[sb.len - 1] == ' ')
		sbuf_setlen(&sb, sb.len - 1);
	return sbuf_detach(&sb);
}

int dn_is_under(const char *dn, const char *base)
{
	size_t dl = strlen(dn), bl = strlen(base);

	if (bl == 0)
		return 1;
	if (dl < bl || strcmp(dn + dl - bl, base) != 0)
		return 0;
	if (dl == bl)
		return 1;
	return dn[dl - bl - 1] == ',' && dn_comma_separates(dn, dl - bl - 1);
}

bool dn_comma_separates(const char *dn, size_t i)
{
	size_t slashes = 0;

	while (slashes < i && dn[i - 1 - slashes] == '\\')
		slashes++;
	return slashes % 2 == 0;
}

int str_wildmatch(const char *pat, const char *s)
{
	const char *star = NULL, *back = NULL;

	while (*s) {
		if (*pat == '*') {
			star = pat++;
			back = s;
		} else if (*pat == '?' || (*pat && lower((unsigned char)*pat) == lower((unsigned char)*s))) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++back;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

uint64_t str_ihash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= lower((unsigned char)*s);
		h *= 1099511628211ULL;
	}
	return h;
}

/* Append the digits of v in base 10 or 16 (with a '-' when neg) to buf[*n..size). */
static bool put_number(char *buf, size_t size, size_t *n, unsigned long long v, unsigned base,
		       bool neg)
{
	char digits[24];
	size_t k = 0;

	do {
		digits[k++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		digits[k++] = '-';
	if (*n + k >= size)
		return false;
	while (k)
		buf[(*n)++] = digits[--k];
	return true;
}

size_t varint_put(unsigned char *out, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (unsigned char)v;
	return n;
}

uint64_t varint_get(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	uint64_t v = 0;
	unsigned shift = 0;

	do {
		v |= (uint64_t)(*p & 0x7f) << shift;
		shift += 7;
	} while (*p++ & 0x80);
	*pp = p;
	return v;
}

size_t varint_put_signed(unsigned char *out, long long v)
{
	return varint_put(out, (uint64_t)v << 1 ^ (v < 0 ? UINT64_MAX : 0));
}

long long varint_get_signed(const unsigned char **pp)
{
	uint64_t z = varint_get(pp);

	return (long long)(z >> 1 ^ (z & 1 ? UINT64_MAX : 0));
}

/* The directives of str_format_quick() and str_format_pack(). */
enum conv {
	CONV_OTHER,    /* any other: a flag, a width, a type not listed */
	CONV_PERCENT,
	CONV_STR,
	CONV_SIGNED,
	CONV_UNSIGNED,
	CONV_HEX,
};

/* A directive's argument, taken from the va_list or from a packed format. */
struct conv_arg {
	const char *s;
	long long v;
	unsigned long long u;
};

/*
 * The directive at *pp, just past its '%', taking its argument from ap,
 * else from *packed (str_format_pack()'s), else from neither; *pp is left
 * at the directive's last character.
 */
static enum conv conv_take(const char **pp, va_list *ap, const unsigned char **packed,
			   struct conv_arg *arg)
{
	const char *p = *pp;
	enum conv c;
	int width = 0;              /* 1: l, 2: ll, 3: z */

	if (p[0] == '%')
		return CONV_PERCENT;
	if (p[0] == 's') {
		if (ap) {
			arg->s = va_arg(*ap, const char *);
		} else if (packed) {
			arg->s = (const char *)*packed;
			*packed += strlen(arg->s) + 1;
		}
		return CONV_STR;
	}
	if (p[0] == 'z') {
		width = 3;
		p++;
	} else if (p[0] == 'l') {
		width = p[1] == 'l' ? 2 : 1;
		p += width;
	}
	if (*p == 'd' && width != 3)
		c = CONV_SIGNED;
	else if (*p == 'u')
		c = CONV_UNSIGNED;
	else if (*p == 'x' && width == 0)
		c = CONV_HEX;
	else
		return CONV_OTHER;
	*pp = p;
	if (ap && c == CONV_SIGNED)
		arg->v = width == 2 ? va_arg(*ap, long long) : width == 1 ? va_arg(*ap, long)
									: va_arg(*ap, int);
	else if (ap)
		arg->u = width == 3 ? va_arg(*ap, size_t) : width == 2 ? va_arg(*ap, unsigned long long)
						   : width == 1 ? va_arg(*ap, unsigned long)
								: va_arg(*ap, unsigned);
	else if (packed && c == CONV_SIGNED)
		arg->v = varint_get_signed(packed);
	else if (packed)
		arg->u = varint_get(packed);
	return c;
}

/* Append the text of a directive and its argument to buf[*n..size). */
static bool put_conv(char *buf, size_t size, size_t *n, enum conv c, const struct conv_arg *arg)
{
	size_t len;

	switch (c) {
	case CONV_PERCENT:
		if (*n + 1 >= size)
			return false;
		buf[(*n)++] = '%';
		return true;
	case CONV_STR:
		if (!arg->s || (len = strlen(arg->s)) >= size - *n)
			return false;
		memcpy(buf + *n, arg->s, len);
		*n += len;
		return true;
	case CONV_SIGNED:
		return put_number(buf, size, n,
				  arg->v < 0 ? 0 - (unsigned long long)arg->v : (unsigned long long)arg->v,
				  10, arg->v < 0);
	case CONV_UNSIGNED:
	case CONV_HEX:
		return put_number(buf, size, n, arg->u, c == CONV_HEX ? 16 : 10, false);
	case CONV_OTHER:
		break;
	}
	return false;
}

/* The length of the text from p to the next directive or the end. */
static size_t literal_len(const char *p)
{
	const char *pct = strchr(p, '%');

	return pct ? (size_t)(pct - p) : strlen(p);
}

/* str_format_quick(), the arguments taken as conv_take() does. */
static long format_into(char *buf, size_t size, const char *fmt, va_list *ap,
			const unsigned char **packed)
{
	size_t n = 0;

	for (const char *p = fmt; *p; p++) {
		struct conv_arg arg;

		if (*p != '%') {
			/* the text up to the next conversion, at once */
			size_t k = literal_len(p);

			if (k >= size - n)
				return -1;
			memcpy(buf + n, p, k);
			n += k;
			p += k - 1;
			continue;
		}
		p++;
		if (!put_conv(buf, size, &n, conv_take(&p, ap, packed, &arg), &arg))
			return -1;
	}
	buf[n] = '\0';
	return (long)n;
}

long str_format_quick(char *buf, size_t size, const char *fmt, va_list *ap)
{
	return format_into(buf, size, fmt, ap, NULL);
}

long str_format_pack(unsigned char *buf, size_t size, const char *fmt, va_list *ap,
		     size_t *text_len)
{
	size_t n = 0, text = 0;

	for (const char *p = fmt; *p; p++) {
		struct conv_arg arg;
		enum conv c;
		char digits[24];
		size_t len = 0;

		if (*p != '%') {
			len = literal_len(p);
			text += len;
			p += len - 1;
			continue;
		}
		p++;
		switch ((c = conv_take(&p, ap, NULL, &arg))) {
		case CONV_PERCENT:
			text++;
			continue;
		case CONV_STR:
			if (!arg.s || (len = strlen(arg.s)) >= size - n)
				return -1;
			memcpy(buf + n, arg.s, len + 1);
			n += len + 1;
			text += len;
			continue;
		case CONV_SIGNED:
		case CONV_UNSIGNED:
		case CONV_HEX:
			/* a varint takes 10 bytes at most; the digits, for the text's length */
			if (size - n < 10 || !put_conv(digits, sizeof(digits), &len, c, &arg))
				return -1;
			n += c == CONV_SIGNED ? varint_put_signed(buf + n, arg.v)
					      : varint_put(buf + n, arg.u);
			text += len;
			continue;
		case CONV_OTHER:
			break;
		}
		return -1;
	}
	*text_len = text;
	return (long)n;
}

void str_format_unpack(struct sbuf *sb, const char *fmt, const unsigned char *args)
{
	size_t room = 256;

	/*
	 * A message fits in the first try, but for a few long arguments; the
	 * directives were packed, so only the room can fail.
	 */
	for (;;) {
		const unsigned char *packed = args;
		long n;

		sbuf_grow(sb, room);
		n = format_into(sb->buf + sb->len, sb->alloc - sb->len, fmt, NULL, &packed);
		if (n >= 0) {
			sbuf_setlen(sb, sb->len + (size_t)n);
			return;
		}
		room *= 2;
	}
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * The eight ASCII digits at s as a number, or -1 when a byte is not a
 * digit: the digits are paired, the pairs paired, in three multiplies
 * (as Daniel Lemire's "Fast numeric string parsing" does).
 */
static int64_t eight_digits(const char *s)
{
	const uint64_t high = UINT64_C(0xf0f0f0f0f0f0f0f0), zeros = UINT64_C(0x3030303030303030);
	uint64_t w, v;

	memcpy(&w, s, 8);
	if ((w & high) != zeros || ((w + UINT64_C(0x0606060606060606)) & high) != zeros)
		return -1;
	v = w - zeros;
	v = v * 10 + (v >> 8);
	v = ((v & UINT64_C(0x000000ff000000ff)) * (100 + (UINT64_C(1000000) << 32)) +
	     ((v >> 16) & UINT64_C(0x000000ff000000ff)) * (1 + (UINT64_C(10000) << 32))) >> 32;
	return (int64_t)v;
}
#endif

int str_to_int64(const char *s, size_t len, int64_t *out)
{
	int neg = 0;
	uint64_t v = 0;
	size_t i = 0;

	if (len && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i++;
	}
	if (i == len)
		return -1;
	/* eighteen digits cannot overflow: a FILETIME has eighteen */
	for (size_t end = len - i > 18 ? i + 18 : len; i < end;) {
		unsigned d;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		if (end - i >= 8) {
			int64_t eight = eight_digits(s + i);

			if (eight < 0)
				return -1;
			v = v * 100000000 + (uint64_t)eight;
			i += 8;
			continue;
		}
#endif
		d = (unsigned char)s[i] - (unsigned)'0';
		if (d > 9)
			return -1;
		v = v * 10 + d;
		i++;
	}
	for (; i < len; i++) {
		if (!str_is_digit(s[i]))
			return -1;
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return -1;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > (uint64_t)INT64_MAX)
			return -1;
		*out = (int64_t)v;
	}
	return 0;
}
