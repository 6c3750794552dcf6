/*
 * Linear-probing hash map (see hmap.h). Grows at 70% load.
 */
#include "hmap.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "strutil.h"
#include "xalloc.h"

static void slots_free(struct hmap_slot *slots, size_t n);

void hmap_release(struct hmap *m)
{
	slots_free(m->slots, m->size);
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
	uint64_t h = HMAP_HASH_START(len), w;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, key + i, 8);
		h = hmap_hash_word(h, fold ? str_fold8(w) : w);
	}
	w = hmap_hash_tail(key, i, len);
	return hmap_hash_end(h, fold ? str_fold8(w) : w);
}

uint64_t hmap_hash_bytes(const char *key, size_t len)
{
	return hash_bytes(key, len, 0);
}

uint64_t hmap_hash_folded(const char *key, size_t len)
{
	return hash_bytes(key, len, 1);
}

uint64_t hmap_hash(const struct hmap *m, const char *key)
{
	if (m->mode == HMAP_FOLDED)
		return hash_bytes(key, strlen(key), 1);
	return m->mode == HMAP_EXACT ? hmap_hash_exact(key) : str_ihash(key);
}

/*
 * A folded map keeps the key's length in the top bits of a slot's hash,
 * FOLDED_LONG for a long key: a key whose slot hash matches has the
 * length of the key looked up, and is compared in one pass without a
 * strlen() of its own. Slots are placed by the other bits.
 */
#define FOLDED_BITS 48
#define FOLDED_LOW ((UINT64_C(1) << FOLDED_BITS) - 1)
#define FOLDED_LONG 0xffffu

static uint64_t folded_hash_len(uint64_t h, size_t len)
{
	return (h & FOLDED_LOW) | (uint64_t)(len < FOLDED_LONG ? len : FOLDED_LONG) << FOLDED_BITS;
}

static uint64_t folded_hash(uint64_t h, const char *key)
{
	return folded_hash_len(h, strlen(key));
}

static size_t slot_of(const struct hmap *m, uint64_t h)
{
	if (m->mode == HMAP_FOLDED)
		h &= FOLDED_LOW;
	return (size_t)(h ^ h >> 29) & (m->size - 1);
}

/* Whether stored key a is b; b is in lower case when lower (a folded lookup). */
static int same_key(const struct hmap *m, const char *a, const char *b, uint64_t h, int lower)
{
	if (m->mode == HMAP_EXACT)
		return strcmp(a, b) == 0;
	if (m->mode == HMAP_FOLDED && h >> FOLDED_BITS != FOLDED_LONG)
		return lower ? str_ieq_lower_bytes(a, b, (size_t)(h >> FOLDED_BITS))
			     : str_ieq_bytes(a, b, (size_t)(h >> FOLDED_BITS));
	return str_ieq(a, b);
}

/* h as the slots hold it (folded_hash for a folded map); lower: see same_key. */
static struct hmap_slot *find(const struct hmap *m, const char *key, uint64_t h, int lower)
{
	size_t mask = m->size - 1, i = slot_of(m, h);

	for (;;) {
		struct hmap_slot *s = &m->slots[i];

		if (!s->key || (s->hash == h && same_key(m, s->key, key, h, lower)))
			return s;
		i = (i + 1) & mask;
	}
}

void *hmap_get(const struct hmap *m, const char *key)
{
	return hmap_get_hashed(m, key, hmap_hash(m, key));
}

/*
 * hmap_get_hashed, key in lower case when lower (see same_key), and of
 * length len unless that is SIZE_MAX
 */
static void *get_hashed(const struct hmap *m, const char *key, size_t len, uint64_t h,
			int lower)
{
	struct hmap_slot *s;

	if (!m->size)
		return NULL;
	if (m->mode == HMAP_FOLDED)
		h = folded_hash_len(h, len != SIZE_MAX ? len : strlen(key));
	s = find(m, key, h, lower);
	return s->key ? s->value : NULL;
}

void *hmap_get_hashed(const struct hmap *m, const char *key, uint64_t h)
{
	return get_hashed(m, key, SIZE_MAX, h, 1);
}

/* Then, once the slot is in, the key it will be compared with. */
static void prefetch_key(const struct hmap *m, uint64_t h)
{
	size_t mask = m->size - 1, i;
	uint64_t low = m->mode == HMAP_FOLDED ? FOLDED_LOW : UINT64_MAX;

	i = slot_of(m, h);
	for (;;) {
		const struct hmap_slot *s = &m->slots[i];

		if (!s->key)
			return;
		if ((s->hash & low) == (h & low)) {
			/* a DN of a folded map is some 80 bytes: its end is in another line */
			size_t len = m->mode == HMAP_FOLDED ? (size_t)(s->hash >> FOLDED_BITS) : 1;

			__builtin_prefetch(s->key);
			if (len > 1 && len < FOLDED_LONG)
				__builtin_prefetch(s->key + len - 1);
			return;
		}
		i = (i + 1) & mask;
	}
}

/*
 * Start fetching the slot of hash h, to read (rw 0) or write (1): both
 * ends, as a quarter of the slots straddle two lines. A macro: GCC drops
 * a call to a static function that does nothing but prefetch, as one
 * without effect.
 */
#define PREFETCH_SLOT(m, h, rw)                                                          \
	do {                                                                             \
		const char *slot_ = (const char *)&(m)->slots[slot_of((m), (h))];        \
		__builtin_prefetch(slot_, (rw));                                         \
		__builtin_prefetch(slot_ + sizeof(struct hmap_slot) - 1, (rw));          \
	} while (0)

/*
 * How far ahead of the lookup its slot is fetched, and then its key: the
 * key can be fetched only once the slot, which points to it, is in.
 */
#define SLOT_AHEAD 12
#define KEY_AHEAD 4

void hmap_get_many(const struct hmap *m, const char *const *keys, const size_t *lens,
		   const uint64_t *h, size_t n, const bool *any_case, void **values)
{
	if (!m->size) {
		memset(values, 0, n * sizeof(*values));
		return;
	}
	for (size_t i = 0; i < n && i < SLOT_AHEAD; i++)
		PREFETCH_SLOT(m, h[i], 0);
	for (size_t i = 0; i < n && i < KEY_AHEAD; i++)
		prefetch_key(m, h[i]);
	for (size_t i = 0; i < n; i++) {
		if (i + SLOT_AHEAD < n)
			PREFETCH_SLOT(m, h[i + SLOT_AHEAD], 0);
		if (i + KEY_AHEAD < n)
			prefetch_key(m, h[i + KEY_AHEAD]);
		values[i] = get_hashed(m, keys[i], lens ? lens[i] : SIZE_MAX, h[i],
				       !(any_case && any_case[i]));
	}
}

#define REHASH_AHEAD 16

/*
 * A large map is read at random, a slot per lookup: in 4 KB pages nearly
 * every lookup would also miss the TLB, and the page walks, not the
 * memory, would set the pace. Tables of 2 MB and more are asked to be
 * in huge pages (the kernel may say no: they work all the same).
 */
#define HUGE_PAGE (2u << 20)

/* Whether a table of n slots is mapped in huge pages (slots_alloc()). */
static bool slots_mapped(size_t n)
{
	return n <= SIZE_MAX / sizeof(struct hmap_slot) / 2 && n * sizeof(struct hmap_slot) >= HUGE_PAGE;
}

/* The bytes mapped for a table of n slots: a whole number of huge pages. */
static size_t slots_bytes(size_t n)
{
	return (n * sizeof(struct hmap_slot) + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
}

/*
 * A table of n empty slots. A slot is read before it is written (is it
 * free?), and a page of fresh memory that is read first is the kernel's
 * shared page of zeros: the write that follows replaces it, and must
 * flush the other threads' TLBs of it, an interrupt to every core the
 * process runs on. At 10,000 accounts, those flushes took 4.6% of the
 * run: a small table is written (memset) before it is used, as calloc()
 * would not write fresh memory. A large one is mapped at a huge page's
 * boundary and not written: the kernel gives zeroed huge pages, the
 * first time each is used (a flush for 2 MB), so that none is cleared
 * before the reading starts; populating the 50 MB of a million accounts'
 * DN map at once took 0.1 s before the parser could start.
 */
static struct hmap_slot *slots_alloc(size_t n)
{
	size_t bytes, head;
	char *map;

	if (!slots_mapped(n)) {
		struct hmap_slot *slots = xreallocarray(NULL, n, sizeof(*slots));

		/* not calloc(), which leaves fresh memory unwritten */
		memset(slots, 0, n * sizeof(*slots));
		return slots;
	}
	bytes = slots_bytes(n);
	map = mmap(NULL, bytes + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (map == MAP_FAILED)
		xoom(bytes);
	/* keep the aligned part */
	head = (HUGE_PAGE - (uintptr_t)map % HUGE_PAGE) % HUGE_PAGE;
	if (head)
		munmap(map, head);
	munmap(map + head + bytes, HUGE_PAGE - head);
	madvise(map + head, bytes, MADV_HUGEPAGE);
	return (struct hmap_slot *)(void *)(map + head);
}

static void slots_free(struct hmap_slot *slots, size_t n)
{
	if (slots && slots_mapped(n))
		munmap(slots, slots_bytes(n));
	else
		free(slots);
}

/* Move the entries into a table of size slots. */
static void rehash_to(struct hmap *m, size_t size)
{
	struct hmap_slot *old = m->slots;
	size_t oldsize = m->size;

	m->size = size;
	m->slots = slots_alloc(m->size);
	for (size_t i = 0; i < oldsize; i++) {
		/* the new slots are all over the new table: fetch them ahead */
		if (i + REHASH_AHEAD < oldsize && old[i + REHASH_AHEAD].key)
			PREFETCH_SLOT(m, old[i + REHASH_AHEAD].hash, 1);
		if (old[i].key)
			*find(m, old[i].key, old[i].hash, 0) = old[i];
	}
	slots_free(old, oldsize);
}

static void rehash(struct hmap *m)
{
	rehash_to(m, m->size ? m->size * 2 : 64);
}

/* Whether a table of size slots holds n entries without growing. */
static bool fits(size_t n, size_t size)
{
	return (n + 1) * 10 < size * 7;
}

void hmap_reserve(struct hmap *m, size_t n)
{
	size_t size = m->size ? m->size : 64;

	if (n > SIZE_MAX / 10 - 1)
		return;
	while (!fits(n, size))
		size *= 2;
	if (size > m->size)
		rehash_to(m, size);
}

void hmap_prefetch(const struct hmap *m, uint64_t h)
{
	if (m->size)
		PREFETCH_SLOT(m, h, 0);
}

void *hmap_put(struct hmap *m, const char *key, void *value)
{
	return hmap_put_hashed(m, key, hmap_hash(m, key), value);
}

void *hmap_put_hashed(struct hmap *m, const char *key, uint64_t h, void *value)
{
	struct hmap_slot *s;

	if (!fits(m->count, m->size))
		rehash(m);
	if (m->mode == HMAP_FOLDED)
		h = folded_hash(h, key);
	s = find(m, key, h, 0);
	if (s->key)
		return s->value;
	s->hash = h;
	s->key = key;
	s->value = value;
	m->count++;
	return value;
}
