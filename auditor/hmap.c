/*
 * Linear-probing hash map (see hmap.h). Grows at 70% load.
 */
#include "hmap.h"

#include <stdlib.h>
#include <string.h>

#include "strutil.h"
#include "xalloc.h"

void hmap_release(struct hmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->size = m->count = 0;
}

/*
 * Exact keys (normalised DNs, a million of them at once) are hashed eight
 * bytes at a time, then mixed as MurmurHash3's finaliser does.
 */
uint64_t hmap_hash_exact(const char *key)
{
	return hmap_hash_bytes(key, strlen(key));
}

/* hmap_hash_bytes, of the key folded to lower case when fold. */
static inline uint64_t hash_bytes(const char *key, size_t len, int fold)
{
	size_t i = 0;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (len * 0xff51afd7ed558ccdULL), w;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, key + i, 8);
		if (fold)
			w = str_fold8(w);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 31;
	}
	w = 0;
	memcpy(&w, key + i, len - i);
	if (fold)
		w = str_fold8(w);
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t hmap_hash_bytes(const char *key, size_t len)
{
	return hash_bytes(key, len, 0);
}

uint64_t hmap_hash(const struct hmap *m, const char *key)
{
	if (m->exact == HMAP_FOLDED)
		return hash_bytes(key, strlen(key), 1);
	return m->exact ? hmap_hash_exact(key) : str_ihash(key);
}

static int same_key(const struct hmap *m, const char *a, const char *b)
{
	if (m->exact == 1)
		return strcmp(a, b) == 0;
	return str_ieq(a, b);
}

static struct hmap_slot *find(const struct hmap *m, const char *key, uint64_t h)
{
	size_t mask = m->size - 1, i = (size_t)(h ^ h >> 29) & mask;

	for (;;) {
		struct hmap_slot *s = &m->slots[i];

		if (!s->key || (s->hash == h && same_key(m, s->key, key)))
			return s;
		i = (i + 1) & mask;
	}
}

void *hmap_get(const struct hmap *m, const char *key)
{
	return hmap_get_hashed(m, key, hmap_hash(m, key));
}

void *hmap_get_hashed(const struct hmap *m, const char *key, uint64_t h)
{
	struct hmap_slot *s;

	if (!m->size)
		return NULL;
	s = find(m, key, h);
	return s->key ? s->value : NULL;
}

void hmap_prefetch(const struct hmap *m, uint64_t h)
{
	if (m->size)
		__builtin_prefetch(&m->slots[(size_t)(h ^ h >> 29) & (m->size - 1)]);
}

void hmap_prefetch_key(const struct hmap *m, uint64_t h)
{
	size_t mask = m->size - 1, i = (size_t)(h ^ h >> 29) & mask;

	if (!m->size)
		return;
	for (;;) {
		const struct hmap_slot *s = &m->slots[i];

		if (!s->key)
			return;
		if (s->hash == h) {
			__builtin_prefetch(s->key);
			return;
		}
		i = (i + 1) & mask;
	}
}

static void rehash(struct hmap *m)
{
	struct hmap_slot *old = m->slots;
	size_t oldsize = m->size;

	m->size = oldsize ? oldsize * 2 : 64;
	m->slots = xcalloc(m->size, sizeof(*m->slots));
	for (size_t i = 0; i < oldsize; i++)
		if (old[i].key)
			*find(m, old[i].key, old[i].hash) = old[i];
	free(old);
}

void *hmap_put(struct hmap *m, const char *key, void *value)
{
	return hmap_put_hashed(m, key, hmap_hash(m, key), value);
}

void *hmap_put_hashed(struct hmap *m, const char *key, uint64_t h, void *value)
{
	struct hmap_slot *s;

	if ((m->count + 1) * 10 >= m->size * 7)
		rehash(m);
	s = find(m, key, h);
	if (s->key)
		return s->value;
	s->hash = h;
	s->key = key;
	s->value = value;
	m->count++;
	return value;
}
