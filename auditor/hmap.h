/*
 * hmap: an open-addressing hash map from NUL-terminated string keys to
 * pointers. Keys are borrowed (they must outlive the map: the directory's
 * keys live in its arena). Lookups fold ASCII case, as AD compares names,
 * unless the map is exact (HMAP_INIT_EXACT: keys already normalised, such
 * as normalised DNs, which is faster).
 *
 * A folded map (HMAP_INIT_FOLDED) sits between: keys are hashed as exact
 * keys once folded to lower case, and compared folded; the keys looked up
 * (hmap_get and kin) must be in lower case, the keys stored need not.
 * The directory files its objects under their DN as read, which is their
 * normalised DN but for case, so that the DN need not be kept twice; it
 * looks them up by the normalised DN, hashed once by whoever normalised it.
 */
#ifndef PRIVAUDIT_HMAP_H
#define PRIVAUDIT_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct hmap_slot {
	uint64_t hash;
	const char *key;
	void *value;
};

/* How a map compares its keys (see above). */
enum hmap_mode {
	HMAP_CASELESS,           /* both sides folded, FNV hash */
	HMAP_EXACT,
	HMAP_FOLDED,
};

struct hmap {
	struct hmap_slot *slots;
	size_t size, count;
	enum hmap_mode mode;
};

#define HMAP_INIT { NULL, 0, 0, HMAP_CASELESS }
#define HMAP_INIT_EXACT { NULL, 0, 0, HMAP_EXACT }
#define HMAP_INIT_FOLDED { NULL, 0, 0, HMAP_FOLDED }

void hmap_release(struct hmap *m);
/* The value stored under key, or NULL. */
void *hmap_get(const struct hmap *m, const char *key);

/* The hash of key as the map places it, for the *_hashed calls. */
uint64_t hmap_hash(const struct hmap *m, const char *key);
/*
 * hmap_hash of an exact map (HMAP_INIT_EXACT), or of a folded map when
 * key is in lower case; of key[0..len), its length known.
 */
uint64_t hmap_hash_exact(const char *key);
uint64_t hmap_hash_bytes(const char *key, size_t len);
/* hmap_hash_bytes of key[0..len) in lower case: a folded map's hash of it. */
uint64_t hmap_hash_folded(const char *key, size_t len);

/*
 * The steps of hmap_hash_bytes(), for a caller that hashes bytes as it
 * scans them for more (dn_plain_hash): HMAP_HASH_START(len), then
 * hmap_hash_word() of each whole eight bytes in turn, then
 * hmap_hash_end() of the last 0 to 7 (hmap_hash_tail() gives them).
 */
#define HMAP_HASH_START(len) (UINT64_C(0x9e3779b97f4a7c15) ^ ((len) * UINT64_C(0xff51afd7ed558ccd)))

static inline uint64_t hmap_hash_word(uint64_t h, uint64_t w)
{
	h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
	return h ^ h >> 31;
}

/*
 * The bits-wide word w as read from memory, as a number with its first
 * byte lowest, whatever the machine's byte order.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HMAP_LE(bits, w) ((uint64_t)__builtin_bswap##bits(w))
#else
#define HMAP_LE(bits, w) ((uint64_t)(w))
#endif

/*
 * The key[i..len) left after the whole words, fewer than eight bytes,
 * as a number with byte i in its low bits whatever the machine's byte
 * order, and without a call: read back from the end when the key has
 * eight bytes or more, else in overlapping pieces.
 */
static inline uint64_t hmap_hash_tail(const char *key, size_t i, size_t len)
{
	size_t n = len - i;
	uint64_t w = 0;
	uint32_t a, b;

	if (!n)
		return 0;
	if (len >= 8) {
		memcpy(&w, key + len - 8, 8);
		return HMAP_LE(64, w) >> 8 * (8 - n);
	}
	if (n >= 4) {
		memcpy(&a, key + i, 4);
		memcpy(&b, key + len - 4, 4);
		return HMAP_LE(32, a) | HMAP_LE(32, b) << 8 * (n - 4);
	}
	return (uint64_t)(unsigned char)key[i] |
	       (uint64_t)(unsigned char)key[i + n / 2] << 8 * (n / 2) |
	       (uint64_t)(unsigned char)key[len - 1] << 8 * (n - 1);
}

static inline uint64_t hmap_hash_end(uint64_t h, uint64_t tail)
{
	h = (h ^ tail) * UINT64_C(0x9e3779b97f4a7c15);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	return h ^ h >> 33;
}
/* hmap_get with h = hmap_hash(m, key). */
void *hmap_get_hashed(const struct hmap *m, const char *key, uint64_t h);
/*
 * hmap_get_hashed of keys[0..n) (hashes in h, lengths in lens or, with
 * lens NULL, to be measured) into values[0..n): the slots and keys of the
 * lookups ahead are fetched while one is compared, which keeps a steady
 * number of cache misses in flight. In a folded map, the keys i for which
 * any_case[i] is true may be in any case (their hashes from
 * hmap_hash_folded); any_case NULL: none is.
 */
void hmap_get_many(const struct hmap *m, const char *const *keys, const size_t *lens,
		   const uint64_t *h, size_t n, const bool *any_case, void **values);
/*
 * Start fetching the slot of hash h (hmap_hash), for a lookup or a put to
 * come a little later.
 */
void hmap_prefetch(const struct hmap *m, uint64_t h);
/*
 * Store value under key unless the key is present. Returns the value that
 * is now stored under key (the old one when it was present).
 */
void *hmap_put(struct hmap *m, const char *key, void *value);
/* hmap_put with h = hmap_hash(m, key). */
void *hmap_put_hashed(struct hmap *m, const char *key, uint64_t h, void *value);
/*
 * Make room for n entries at once, so that a map about to be filled with
 * many does not grow (and move them all) at every doubling on the way.
 */
void hmap_reserve(struct hmap *m, size_t n);

#endif
