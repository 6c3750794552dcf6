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

static uint64_t hash(const struct hmap *m, const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	if (!m->exact)
		return str_ihash(key);
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct hmap_slot *find(const struct hmap *m, const char *key, uint64_t h)
{
	size_t mask = m->size - 1, i = (size_t)(h ^ h >> 29) & mask;

	for (;;) {
		struct hmap_slot *s = &m->slots[i];

		if (!s->key || (s->hash == h && (m->exact ? strcmp(s->key, key) == 0
							  : str_ieq(s->key, key))))
			return s;
		i = (i + 1) & mask;
	}
}

void *hmap_get(const struct hmap *m, const char *key)
{
	struct hmap_slot *s;

	if (!m->size)
		return NULL;
	s = find(m, key, hash(m, key));
	return s->key ? s->value : NULL;
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
	uint64_t h = hash(m, key);
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
