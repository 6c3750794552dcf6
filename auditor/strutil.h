/*
 * String helpers for directory data: ASCII case folding as AD compares
 * names, DN normalisation, shell-style wildcard matching, and the quick
 * and packed formatting and the varints of the findings.
 */
#ifndef PRIVAUDIT_STRUTIL_H
#define PRIVAUDIT_STRUTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct sbuf;

/* Case-insensitive (ASCII) equality and comparison. */
int str_ieq(const char *a, const char *b);
/* str_ieq of a[0..n) and b[0..n), both at least n bytes long. */
int str_ieq_bytes(const char *a, const char *b, size_t n);
/* The same when b is known to hold no ASCII upper case (faster). */
int str_ieq_lower_bytes(const char *a, const char *lower, size_t n);
int str_icmp(const char *a, const char *b);
/* s[0..n) with ASCII upper case lowered, into out (n bytes, no NUL added). */
void str_lower_into(char *out, const char *s, size_t n);
/* strcmp(), with NULL after every string. */
int str_cmp_null(const char *a, const char *b);
int str_nieq(const char *a, size_t alen, const char *b);

/*
 * Normalise a DN for comparison: attribute types and values folded to
 * lower case (ASCII), spaces around separators removed, escapes kept.
 * Returns a new string the caller frees.
 */
char *dn_normalise(const char *dn, size_t len);
/* The same into out, which has room for len + 1 bytes; returns its length. */
size_t dn_normalise_into(const char *dn, size_t len, char *out);
/*
 * Whether dn[0..len) has no escape and every space of it is inside a
 * value ("OU=Human Resources"), neither leading nor trailing: then
 * normalising it only puts it in lower case.
 */
bool dn_is_plain(const char *dn, size_t len);
/*
 * dn_is_plain(), and when dn is plain, its hmap_hash_folded() in *hash:
 * both in one pass.
 */
bool dn_plain_hash(const char *dn, size_t len, uint64_t *hash);
/* The same as a string of arena a (for the keys of a map that a holds). */
char *dn_normalise_in(struct arena *a, const char *dn);
/*
 * dn_normalise_into() by the general rule only, without its shortcut for
 * the common case (for tests: both must agree).
 */
size_t dn_normalise_general(const char *dn, size_t len, char *out);
/* The DNS name of a domain DN (DC=corp,DC=example -> corp.example); new. */
char *dn_to_dns(const char *dn);
/* The value of the first RDN ("CN=svc\, x,OU=..." -> "svc, x"); new. */
char *dn_first_value(const char *dn);
/* Whether normalised DN dn is under (or equal to) normalised DN base. */
int dn_is_under(const char *dn, const char *base);
/* Whether the comma at dn[i] separates RDNs: no odd run of backslashes escapes it. */
bool dn_comma_separates(const char *dn, size_t i);

/* isdigit() without a call or a locale: numbers are read millions at a time */
static inline bool str_is_digit(char c)
{
	return (unsigned)((unsigned char)c - '0') < 10u;
}

/*
 * The decimal integer s[0..len) (a sign, then digits only) in *out; -1
 * when it is not one or does not fit in an int64_t.
 */
int str_to_int64(const char *s, size_t len, int64_t *out);

/* Shell wildcard match (* and ?), ASCII case-insensitive. */
int str_wildmatch(const char *pattern, const char *s);

/*
 * The first sixteen bytes of s packed into k[0] and k[1], which order as
 * str_cmp_null() orders strings as far as they tell: a sort compares the
 * integers first and the strings only when both are equal. NULL packs as
 * the largest, as it sorts last.
 */
void str_sort_key(const char *s, uint64_t k[2]);
/* The order of two such keys: -1, 0 (the strings must tell) or 1. */
static inline int str_sort_key_cmp(const uint64_t a[2], const uint64_t b[2])
{
	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return (a[1] > b[1]) - (a[1] < b[1]);
}

/*
 * qsort(v, n, size, cmp) for a cmp that orders elements by a name first
 * (str_cmp_null of name() of each element) and by more only between equal
 * names: the names' str_sort_key()s are compared first, so that most
 * comparisons read no name and call no cmp.
 */
void str_sort_by_name(void *v, size_t n, size_t size, const char *(*name)(const void *),
		      int (*cmp)(const void *, const void *));

/*
 * Eight bytes (a word read with memcpy) with ASCII upper case folded to
 * lower and every other byte kept, as the byte-wise folding does.
 */
static inline uint64_t str_fold8(uint64_t w)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	uint64_t low7 = w & (0x7f * ones);
	/* bit 7 of each byte: at least 'A', above 'Z'; no carry crosses bytes */
	uint64_t ge_a = low7 + (0x80 - 'A') * ones;
	uint64_t gt_z = low7 + (0x7f - 'Z') * ones;
	uint64_t upper = ge_a & ~gt_z & ~w & (0x80 * ones);

	return w | upper >> 2;
}

/* FNV-1a over the lower-cased bytes. */
uint64_t str_ihash(const char *s);

/*
 * vsnprintf(buf, size, fmt, *ap) for the directives the checks' messages
 * use: %s, %d, %u, %x, %ld, %lu, %lld, %llu, %zu and %%. Checks write
 * hundreds of thousands of messages, and vsnprintf was most of the cost.
 * Returns the length, or -1 when fmt has another directive (a flag, a
 * width), a string is NULL or the text does not fit: then *ap is spent,
 * and the caller uses vsnprintf on a copy made before.
 */
long str_format_quick(char *buf, size_t size, const char *fmt, va_list *ap);

/*
 * fmt's arguments packed into buf[0..size), for str_format_unpack() to
 * format later: strings copied (NUL-terminated), numbers as varints.
 * fmt must outlive the packed arguments: a string literal. Returns their
 * length, and in *text_len that of the text, or -1 as str_format_quick()
 * does (and *ap is spent).
 */
long str_format_pack(unsigned char *buf, size_t size, const char *fmt, va_list *ap,
		     size_t *text_len);
/* Append the text of fmt with its str_format_pack()ed args to sb. */
void str_format_unpack(struct sbuf *sb, const char *fmt, const unsigned char *args);

/*
 * LEB128: v in 7-bit groups, low first, the high bit set on all but the
 * last; at most 10 bytes. The signed ones zigzag first (0, -1, 1, -2...),
 * so that small negative values stay short.
 */
size_t varint_put(unsigned char *out, uint64_t v);
uint64_t varint_get(const unsigned char **pp);
size_t varint_put_signed(unsigned char *out, long long v);
long long varint_get_signed(const unsigned char **pp);

#endif
