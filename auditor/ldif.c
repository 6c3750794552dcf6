/*
 * LDIF reader (see ldif.h). The input is read in large blocks and parsed in
 * place: a record is located first (its lines, up to the blank line that
 * closes it), then each logical line is unfolded, split and base64-decoded
 * inside the block itself, so names and values are handed over as pointers
 * into it and nothing is copied. A record longer than the block grows it.
 *
 * A file is parsed on a second thread while the caller's thread consumes
 * the records (dir_add): each filled block travels, with the records
 * parsed in it, through a short queue (struct pipeline). Records reach the
 * consumer in file order, and an error of the parser reaches it only after
 * every record before it, so messages are those of a one-thread read.
 */
#include "ldif.h"

#include <errno.h>
#include <pthread.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "arena.h"
#include "error.h"
#include "exitcode.h"
#include "sbuf.h"
#include "strutil.h"
#include "thread.h"
#include "xalloc.h"

/*
 * The input is read a block at a time, of BLOCK bytes; a smaller file
 * (known by its size) in blocks of a sixty-fourth of it, down to
 * BLOCK_MIN: the parser's first block and the consumer's last are each
 * read by one thread alone, and every block in the queue is memory the
 * kernel must give the process.
 */
#define BLOCK (1u << 20)
#define BLOCK_MIN (1u << 16)

/* A physical line of the record being parsed: offsets from reader.pos. */
struct line {
	size_t off, len;         /* without the line end */
};

/* Records parsed in one block, on their way to the consumer. */
struct batch {
	char *buf;               /* the block they point into (owned) */
	size_t buf_cap;
	struct raw_entry *entries;
	size_t *first;           /* each entry's first attribute in attrs */
	size_t n, alloc, first_alloc;
	struct raw_attr *attrs;  /* of every entry in turn; pointed at by batch_finish() */
	struct raw_value *vals;  /* one per attribute */
	size_t nattrs, attrs_alloc, vals_alloc;
	/*
	 * The DNs of the entries and of member values, normalised and hashed
	 * by batch_finish(): text in norm, at the offsets in entry_off and
	 * attr_off (NO_NDN: not a member value; AS_WRITTEN: the value).
	 */
	struct sbuf norm;
	size_t *entry_off, *attr_off;
	struct raw_ndn *entry_ndn, *attr_ndn;
	size_t entry_ndn_alloc, attr_ndn_alloc, entry_off_alloc, attr_off_alloc;
	bool finished;           /* batch_finish() has run */
	bool last;               /* the parser ended after this batch */
	int status;              /* with last: its result, 0 or -1 */
	struct error err;        /* with status -1 */
	struct batch *next;
};

#define QUEUE_MAX 3
#define NO_NDN SIZE_MAX
#define AS_WRITTEN (SIZE_MAX - 1)   /* a member value is its own ndn (any_case) */

struct pipeline {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct batch *head, *tail;
	size_t queued;
	/*
	 * Batches delivered, kept for the parser with their block and arrays:
	 * a fresh block for every megabyte would be mapped, faulted in page by
	 * page and unmapped again, each unmapping stopping the other thread.
	 */
	struct batch *spare;
	size_t nspare;
	bool stop;               /* the consumer failed: parse no further */
	size_t block;            /* the reader's */
};

struct reader {
	const char *name;
	dir_entry_fn *fn;
	void *data;
	struct error *err;
	FILE *fp;                /* NULL: the whole input is in buf */

	char *buf;               /* buf[pos..len) is unread; buf[len] is spare */
	size_t cap, len, pos;
	size_t block;            /* bytes read at a time (BLOCK or less) */
	bool eof;
	size_t lineno;           /* physical lines before buf[pos] */

	struct line *lines;      /* the current record's lines */
	size_t nlines, lines_alloc;

	/* the logical line being assembled in place: buf[lstart..lend) */
	size_t lstart, lend;
	size_t logical_line;     /* its first physical line number */
	struct segment {
		size_t off;          /* where it starts in the logical line */
		size_t line, col;    /* and in the file */
	} *segs;                 /* the physical lines it was folded from */
	size_t nsegs, segs_alloc;
	bool logical_comment;    /* it is a comment (folded comments too) */
	bool have_logical;

	bool in_record, seen_version;
	const char *dn;
	size_t dn_len, dn_line;
	size_t nlogical;         /* logical lines in the file so far */

	struct raw_attr *raw;
	size_t nattrs, raw_alloc;
	struct raw_value *vals;
	size_t vals_alloc;
	/* the ranges of ranged attributes ("member;range=0-1499") in the record */
	struct range {
		const char *name;        /* "member;range=0-1499" */
		size_t blen;             /* of "member" */
		long low, high;          /* high -1: "*", the last range */
		size_t line;             /* where it starts */
	} *ranges;
	size_t nranges, ranges_alloc;

	/*
	 * When set, each attribute is looked up in this directory as it is
	 * parsed (dir_attr_classify), and one it would ignore is left out.
	 */
	struct dir *classify;
	struct pipeline *pipe;   /* set when parsing for a consumer thread */
	struct batch *cur;       /* the batch of the current block */
	struct error perr;       /* the parser's own errors, when pipelined */
};

static int fail(struct reader *r, size_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct reader *r, size_t line, size_t col, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	error_set(r->err, EXIT_INPUT, "%s:%zu:%zu: %s", r->name, line, col, sb.buf);
	sbuf_release(&sb);
	return -1;
}

/* The file position of offset off in the logical line. */
static void position(const struct reader *r, size_t off, size_t *line, size_t *col)
{
	size_t k = 0;

	while (k + 1 < r->nsegs && r->segs[k + 1].off <= off)
		k++;
	*line = r->segs[k].line;
	*col = r->segs[k].col + (off - r->segs[k].off);
}

/* fail() at offset off of the logical line. */
static int fail_at(struct reader *r, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(struct reader *r, size_t off, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	size_t line, col;
	va_list ap;

	position(r, off, &line, &col);
	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	error_set(r->err, EXIT_INPUT, "%s:%zu:%zu: %s", r->name, line, col, sb.buf);
	sbuf_release(&sb);
	return -1;
}

/*
 * memchr(p, c, end - p) for the short spans of LDIF lines: sixteen bytes
 * at a time inline, where a call to memchr costs more than the search.
 */
static inline const char *find_byte(const char *p, const char *end, char c)
{
#ifdef __SSE2__
	const __m128i want = _mm_set1_epi8(c);

	for (; end - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, want));

		if (m)
			return p + __builtin_ctz(m);
	}
#endif
	return memchr(p, c, (size_t)(end - p));
}

/* The value of each base64 digit, and -1 for every other byte. */
static const signed char b64val[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

/*
 * Decode the base64 in s[0..len) in place (the output is shorter than the
 * input and written behind the reading position). Returns the offset of the
 * bad character, or -1 with *outlen set.
 */
static long b64_decode(char *s, size_t len, size_t *outlen)
{
	unsigned acc = 0;
	int bits = 0;
	size_t i, pad = 0, n = 0, o = 0;

	while (len && s[len - 1] == ' ')
		len--;
	/* whole quanta of four digits, while there is no padding or bad byte */
	for (i = 0; i + 4 <= len; i += 4) {
		const unsigned char *q = (const unsigned char *)s + i;
		int a = b64val[q[0]], b = b64val[q[1]], c = b64val[q[2]], d = b64val[q[3]];
		unsigned w;

		if ((a | b | c | d) < 0)
			break;
		w = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6 | (unsigned)d;
		s[o++] = (char)(w >> 16);
		s[o++] = (char)(w >> 8 & 0xff);
		s[o++] = (char)(w & 0xff);
		n += 4;
	}
	/* then a digit at a time, from the quantum that has either */
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;

		if (c == '=') {
			pad++;
			continue;
		}
		if (pad)
			return (long)i;
		v = b64val[c];
		if (v < 0)
			return (long)i;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		n++;
		if (bits >= 8) {
			bits -= 8;
			s[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	if (pad > 2 || (n + pad) % 4 != 0 || (n % 4 == 1))
		return (long)len;
	*outlen = o;
	return -1;
}

/*
 * An attribute description: letters, digits and '-', '.' and '_' (OIDs,
 * Windows names), options after ';', and AD's range option with its '='
 * and '*' ("member;range=1500-*", as ldapsearch writes a large group):
 * one bit per ASCII byte. attr_name_base() gives the length of the name
 * before its options, or -1 when s[0..len) is not an attribute description.
 */
static const uint64_t attr_name_bytes[2] = { 0x2bff640000000000ULL, 0x07fffffe87fffffeULL };

static long attr_name_base(const char *s, size_t len)
{
	size_t base = len;

	if (!len)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 128 || !(attr_name_bytes[c >> 6] >> (c & 63) & 1))
			return -1;
		if (c == ';' && base == len)
			base = i;
	}
	return (long)base;
}

/*
 * The attribute description at the start of the logical line s[0..len):
 * *nlen gets the offset of the ':' after it and *base the length of the
 * name before its options. Returns 1, 0 when the line has no ':', or -1
 * when what comes before it is not an attribute description. Sixteen
 * bytes are looked at a time; a line that is short or has a bad byte is
 * left to the byte-wise rule.
 */
static int split_attr(const char *s, size_t len, size_t *nlen, size_t *base)
{
#ifdef __SSE2__
	size_t i = 0, semi = SIZE_MAX;

	for (; i + 16 <= len; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i lo = _mm_or_si128(v, _mm_set1_epi8(0x20));
		__m128i ok = _mm_and_si128(_mm_cmpgt_epi8(lo, _mm_set1_epi8('a' - 1)),
					   _mm_cmplt_epi8(lo, _mm_set1_epi8('z' + 1)));
		unsigned colon = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(':')));
		unsigned semis = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(';')));
		unsigned good, upto = 0xffff;

		ok = _mm_or_si128(ok, _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
						    _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1))));
		ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, _mm_set1_epi8('-')));
		ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, _mm_set1_epi8('=')));
		ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
		ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
		ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, _mm_set1_epi8('*')));
		good = (unsigned)_mm_movemask_epi8(ok) | semis;
		if (colon)
			upto = (colon & (0u - colon)) - 1;
		if ((good & upto) != upto)
			break;
		if (semi == SIZE_MAX && (semis & upto))
			semi = i + (size_t)__builtin_ctz(semis & upto);
		if (colon) {
			*nlen = i + (size_t)__builtin_ctz(colon);
			if (!*nlen)
				return -1;
			*base = semi < *nlen ? semi : *nlen;
			return 1;
		}
	}
#endif
	{
		const char *colon = find_byte(s, s + len, ':');
		long b;

		if (!colon)
			return 0;
		*nlen = (size_t)(colon - s);
		b = attr_name_base(s, *nlen);
		if (b < 0)
			return -1;
		*base = (size_t)b;
		return 1;
	}
}

static void reset_record(struct reader *r)
{
	r->nattrs = 0;
	r->nranges = 0;
	r->dn = NULL;
	r->in_record = false;
}

static struct batch *batch_new(void)
{
	struct batch *b = xcalloc(1, sizeof(*b));

	sbuf_init(&b->norm);
	return b;
}

static bool is_member(const struct raw_attr *a)
{
	if (a->classified)
		return a->id == ATTR_MEMBER;
	return a->base_len == 6 && str_nieq(a->name, 6, "member");
}

static void batch_free(struct batch *b)
{
	free(b->buf);
	free(b->entries);
	free(b->first);
	free(b->attrs);
	free(b->vals);
	sbuf_release(&b->norm);
	free(b->entry_off);
	free(b->attr_off);
	free(b->entry_ndn);
	free(b->attr_ndn);
	free(b);
}

/*
 * The normalised DN of s[0..len) in n, its length and hash: AS_WRITTEN
 * when it is s in another case (n->any_case), else its offset in b->norm.
 */
static size_t batch_ndn(struct batch *b, const char *s, size_t len, struct raw_ndn *n)
{
	size_t off;

	n->any_case = dn_plain_hash(s, len, &n->hash);
	if (n->any_case) {
		/* normalising it would only put it in lower case */
		n->len = len;
		return AS_WRITTEN;
	}
	off = dir_ndn_append(&b->norm, s, len, &n->hash);
	n->len = b->norm.len - off - 1;
	return off;
}

/*
 * Keep a parsed record for the consumer; its strings stay in the block,
 * its attributes and values were placed behind the batch's last ones
 * (new_attr()).
 */
static int batch_add(struct batch *b, const struct raw_entry *e, size_t dn_len)
{
	xgrow(&b->entries, &b->alloc, b->n + 1, sizeof(*b->entries));
	xgrow(&b->first, &b->first_alloc, b->n + 1, sizeof(*b->first));
	xgrow(&b->entry_off, &b->entry_off_alloc, b->n + 1, sizeof(*b->entry_off));
	xgrow(&b->entry_ndn, &b->entry_ndn_alloc, b->n + 1, sizeof(*b->entry_ndn));
	xgrow(&b->attr_off, &b->attr_off_alloc, b->nattrs + e->nattrs, sizeof(*b->attr_off));
	xgrow(&b->attr_ndn, &b->attr_ndn_alloc, b->nattrs + e->nattrs, sizeof(*b->attr_ndn));
	/* the arrays move as they grow: pointers are set by batch_finish() */
	b->first[b->n] = b->nattrs;
	b->entry_ndn[b->n].len = dn_len;
	b->entries[b->n++] = *e;
	b->nattrs += e->nattrs;
	return 0;
}

/* Records ahead whose DN is given with a record (raw_entry.ahead). */
#define ENTRY_AHEAD 4

/*
 * Normalise the DNs of the records of batch b and of their member values,
 * and point the records at their attributes, values and normalised DNs,
 * which stay where they are from now on. Whichever of the two threads is
 * the less busy does it: see pipeline_push().
 */
static void batch_finish(struct batch *b)
{
	b->finished = true;
	for (size_t i = 0; i < b->n; i++) {
		struct raw_ndn *n = &b->entry_ndn[i];

		/* n->len is the DN's, from batch_add() */
		b->entry_off[i] = batch_ndn(b, b->entries[i].dn, n->len, n);
	}
	for (size_t k = 0; k < b->nattrs; k++)
		b->attr_off[k] = is_member(&b->attrs[k]) ?
			batch_ndn(b, b->vals[k].val, b->vals[k].len, &b->attr_ndn[k]) : NO_NDN;
	for (size_t i = 0; i < b->n; i++)
		b->entry_ndn[i].ndn = b->entry_off[i] == AS_WRITTEN ? b->entries[i].dn :
								      b->norm.buf + b->entry_off[i];
	for (size_t i = 0; i < b->n; i++) {
		struct raw_entry *e = &b->entries[i];
		size_t first = b->first[i];

		for (size_t k = first; k < first + e->nattrs; k++) {
			b->attrs[k].vals = &b->vals[k];
			b->attrs[k].ndns = NULL;
			if (b->attr_off[k] == AS_WRITTEN) {
				b->attr_ndn[k].ndn = b->vals[k].val;
				b->attrs[k].ndns = &b->attr_ndn[k];
			} else if (b->attr_off[k] != NO_NDN) {
				b->attr_ndn[k].ndn = b->norm.buf + b->attr_off[k];
				b->attrs[k].ndns = &b->attr_ndn[k];
			}
		}
		e->attrs = b->attrs + first;
		e->ndn = &b->entry_ndn[i];
		e->ahead = i + ENTRY_AHEAD < b->n ? &b->entry_ndn[i + ENTRY_AHEAD] : NULL;
	}
}

/* Hand batch b to the consumer; false when the consumer wants no more. */
static bool pipeline_push(struct pipeline *p, struct batch *b)
{
	bool stop, behind;

	/*
	 * A batch still queued: the consumer is the busier thread (as late in
	 * a large read, when its maps no longer fit in the cache), and the
	 * parser finishes the batch. Else the consumer does, as it takes it.
	 */
	pthread_mutex_lock(&p->lock);
	behind = p->queued > 0;
	pthread_mutex_unlock(&p->lock);
	if (behind)
		batch_finish(b);
	pthread_mutex_lock(&p->lock);
	while (p->queued >= QUEUE_MAX && !p->stop && !b->last)
		pthread_cond_wait(&p->changed, &p->lock);
	if (p->tail)
		p->tail->next = b;
	else
		p->head = b;
	p->tail = b;
	p->queued++;
	stop = p->stop;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	return !stop;
}

/* A batch for the parser to fill: a delivered one if there is one. */
static struct batch *pipeline_spare(struct pipeline *p)
{
	struct batch *b;

	pthread_mutex_lock(&p->lock);
	b = p->spare;
	if (b) {
		p->spare = b->next;
		p->nspare--;
	}
	pthread_mutex_unlock(&p->lock);
	if (!b)
		return batch_new();
	b->next = NULL;
	b->n = 0;
	b->nattrs = 0;
	b->finished = false;
	sbuf_reset(&b->norm);
	return b;
}

/* The consumer is done with b: keep it for the parser, or free it. */
static void pipeline_recycle(struct pipeline *p, struct batch *b)
{
	pthread_mutex_lock(&p->lock);
	/* one that held a record larger than a block goes: its arrays are large too */
	if (p->nspare <= QUEUE_MAX && b->buf_cap <= 2 * p->block) {
		b->next = p->spare;
		p->spare = b;
		p->nspare++;
		b = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	if (b)
		batch_free(b);
}

static struct batch *pipeline_pop(struct pipeline *p)
{
	struct batch *b;

	pthread_mutex_lock(&p->lock);
	while (!p->head)
		pthread_cond_wait(&p->changed, &p->lock);
	b = p->head;
	p->head = b->next;
	if (!p->head)
		p->tail = NULL;
	p->queued--;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	return b;
}

/*
 * The range option of attribute name ("member;Range=0-1499" gives 0 and
 * 1499, "member;range=1500-*" 1500 and -1); false when it has none.
 */
static bool parse_range(const char *name, long *low, long *high)
{
	char *end;

	for (const char *p = strchr(name, ';'); p; p = strchr(p + 1, ';')) {
		if (strncasecmp(p + 1, "range=", 6) != 0 || p[7] < '0' || p[7] > '9')
			continue;
		*low = strtol(p + 7, &end, 10);
		if (*end != '-')
			return false;
		if (end[1] == '*') {
			*high = -1;
			return true;
		}
		*high = strtol(end + 1, &end, 10);
		return *high >= *low;
	}
	return false;
}

/*
 * Remember the range of attribute name (blen bytes before its options),
 * first seen at line.
 */
static void add_range(struct reader *r, const char *name, size_t blen, size_t line)
{
	struct range *last = r->nranges ? &r->ranges[r->nranges - 1] : NULL;
	long low, high;

	if (!parse_range(name, &low, &high))
		return;
	/* one line per value: most lines repeat the range of the line before */
	if (last && last->low == low && last->high == high && last->blen == blen &&
	    strncasecmp(last->name, name, blen) == 0)
		return;
	xgrow(&r->ranges, &r->ranges_alloc, r->nranges + 1, sizeof(*r->ranges));
	r->ranges[r->nranges++] = (struct range){ name, blen, low, high, line };
}

static bool same_attr(const struct range *a, const struct range *b)
{
	return a->blen == b->blen && strncasecmp(a->name, b->name, a->blen) == 0;
}

static int range_cmp(const void *pa, const void *pb)
{
	const struct range *a = pa, *b = pb;
	int c = strncasecmp(a->name, b->name, a->blen < b->blen ? a->blen : b->blen);

	if (c)
		return c;
	if (a->blen != b->blen)
		return a->blen < b->blen ? -1 : 1;
	return (a->low > b->low) - (a->low < b->low);
}

/*
 * An export of a ranged attribute is whole only when its ranges run from 0
 * to "*" without a gap. AD hands out at most MaxValRange (1,500) values of
 * a large group's member list at a time, and `ldapsearch` writes the first
 * range only: the group would look smaller than it is, and its members
 * beyond the range unprivileged, or without VPN access.
 */
static int check_ranges(struct reader *r)
{
	size_t i = 0;

	qsort(r->ranges, r->nranges, sizeof(*r->ranges), range_cmp);
	while (i < r->nranges) {
		const struct range *first = &r->ranges[i];
		long next = 0;
		bool whole = false;

		for (; i < r->nranges && same_attr(first, &r->ranges[i]); i++) {
			const struct range *g = &r->ranges[i];

			if (whole)
				continue; /* ranges overlapping the last one: harmless */
			if (g->low > next)
				return fail(r, g->line, 1,
					    "\"%.*s\" of \"%s\" is incomplete: values %ld-%ld are missing "
					    "(AD returns large attributes in ranges); export it whole, as "
					    "`privaudit collect` does", (int)g->blen, g->name, r->dn, next,
					    g->low - 1);
			if (g->high < 0)
				whole = true;
			else if (g->high + 1 > next)
				next = g->high + 1;
		}
		if (!whole)
			return fail(r, first->line, 1,
				    "\"%.*s\" of \"%s\" is incomplete: the values from %ld on are "
				    "missing (AD returns large attributes in ranges); export it whole, "
				    "as `privaudit collect` does", (int)first->blen, first->name, r->dn,
				    next);
	}
	return 0;
}

static int emit_record(struct reader *r)
{
	struct raw_entry e;
	int ret;

	if (!r->in_record)
		return 0;
	if (!r->dn) {
		reset_record(r);
		return 0;
	}
	if (r->nranges && check_ranges(r) < 0)
		return -1;
	e.dn = r->dn;
	if (r->pipe) {
		e.attrs = r->cur->attrs + r->cur->nattrs;
	} else {
		/* vals moved when it grew: point the attributes at their values again */
		for (size_t i = 0; i < r->nattrs; i++)
			r->raw[i].vals = &r->vals[i];
		e.attrs = r->raw;
	}
	e.nattrs = r->nattrs;
	e.origin = r->name;
	e.line = r->dn_line;
	e.ndn = NULL;
	e.ahead = NULL;
	ret = r->pipe ? batch_add(r->cur, &e, r->dn_len) : r->fn(r->data, &e, r->err);
	reset_record(r);
	return ret;
}

/*
 * Room for the record's next attribute and its value: behind the batch's
 * last ones when parsing for a consumer (batch_add() then copies nothing),
 * else in the record's own arrays. The attribute's vals is set again once
 * the record is complete: the arrays move as they grow.
 */
static struct raw_attr *new_attr(struct reader *r, struct raw_value **val)
{
	if (r->pipe) {
		struct batch *b = r->cur;
		size_t k = b->nattrs + r->nattrs;

		xgrow(&b->attrs, &b->attrs_alloc, k + 1, sizeof(*b->attrs));
		xgrow(&b->vals, &b->vals_alloc, k + 1, sizeof(*b->vals));
		*val = &b->vals[k];
		return &b->attrs[k];
	}
	xgrow(&r->raw, &r->raw_alloc, r->nattrs + 1, sizeof(*r->raw));
	xgrow(&r->vals, &r->vals_alloc, r->nattrs + 1, sizeof(*r->vals));
	*val = &r->vals[r->nattrs];
	return &r->raw[r->nattrs];
}

/*
 * dir_attr_seen() of the name before line[0..len)'s first colon, its
 * length in *nlen: a spelling the directory has classified was checked
 * when it was met first, so only its colon is looked for, and not even
 * that when it is the spelling expected from the order (dir_attr_next).
 * A name with options never is one: names are classified without them.
 */
static int seen_name(struct dir *d, const char *line, size_t len, size_t *nlen, uint64_t *extra)
{
	const char *colon;
	int id = dir_attr_next(d, line, len, nlen, extra);

	if (id != DIR_ATTR_UNSEEN || !(colon = find_byte(line, line + len, ':')))
		return id;
	*nlen = (size_t)(colon - line);
	return dir_attr_seen(d, line, *nlen, extra);
}

/*
 * Split the logical line buf[lstart..lend) into a NUL-terminated name and
 * value, in place, and add it to the record.
 */
static int process_logical(struct reader *r)
{
	char *s = r->buf + r->lstart;
	size_t len = r->lend - r->lstart;
	size_t nlen, base, vstart, vlen, vline, vcol;
	bool b64 = false, seen;
	uint64_t extra = 0;
	int id = r->classify ? seen_name(r->classify, s, len, &nlen, &extra) : DIR_ATTR_UNSEEN;
	struct raw_attr *a;
	struct raw_value *val;
	char *v;

	seen = id != DIR_ATTR_UNSEEN;
	if (seen) {
		base = nlen;
	} else {
		switch (split_attr(s, len, &nlen, &base)) {
		case 0:
			return fail_at(r, 0, "expected \"attribute: value\"");
		case -1:
			return fail_at(r, 0, "invalid attribute name");
		}
	}
	vstart = nlen + 1;
	if (vstart < len && s[vstart] == ':') {
		b64 = true;
		vstart++;
	} else if (vstart < len && s[vstart] == '<') {
		return fail_at(r, vstart, "URL values are not supported");
	}
	while (vstart < len && s[vstart] == ' ')
		vstart++;
	r->nlogical++;

	if (!r->in_record) {
		if (!r->seen_version && r->nlogical == 1 && str_nieq(s, nlen, "version")) {
			r->seen_version = true;
			if (len - vstart != 1 || s[vstart] != '1')
				return fail_at(r, vstart, "unsupported LDIF version");
			return 0;
		}
		if (!str_nieq(s, nlen, "dn"))
			return fail_at(r, 0, "a record must start with \"dn:\"");
		r->in_record = true;
	}

	v = s + vstart;
	vlen = len - vstart;
	if (b64) {
		long bad = b64_decode(v, vlen, &vlen);

		if (bad >= 0)
			return fail_at(r, vstart + (size_t)bad, "invalid base64 value");
	}
	/* buf[lend] is the line end or the spare byte: never part of a value */
	v[vlen] = '\0';

	if (nlen == 2 && str_nieq(s, nlen, "dn")) {
		if (r->dn)
			return fail_at(r, 0, "second \"dn:\" in one record");
		if (!vlen)
			return fail_at(r, vstart, "empty DN");
		/* in base64 (text with one was refused): a DN is a string */
		if (b64 && memchr(v, '\0', vlen))
			return fail_at(r, vstart, "NUL byte in the DN");
		r->dn = v;
		r->dn_len = vlen;
		r->dn_line = r->logical_line;
		return 0;
	}
	if (nlen == 10 && str_nieq(s, nlen, "changetype")) {
		if (!str_ieq(v, "add"))
			return fail_at(r, vstart,
				    "unsupported changetype \"%s\" (an export holds entries only)", v);
		return 0;
	}
	if (nlen == 7 && str_nieq(s, nlen, "control"))
		return fail_at(r, 0, "LDIF controls are not supported");

	if (r->classify) {
		if (!seen)
			id = dir_attr_classify(r->classify, s, base, &extra);
		if (id < 0 && !extra)
			return 0;
	}
	position(r, vstart, &vline, &vcol);
	s[nlen] = '\0';
	a = new_attr(r, &val);
	val->val = v;
	val->len = vlen;
	a->name = s;
	a->vals = val;
	a->nvals = 1;
	a->line = vline;
	a->col = vcol;
	a->ndns = NULL;
	a->base_len = base;
	a->classified = r->classify != NULL;
	a->id = id;
	a->extra = extra;
	r->nattrs++;
	if (base < nlen)
		add_range(r, s, base, r->logical_line);
	return 0;
}

static int flush_logical(struct reader *r)
{
	int ret = 0;

	if (r->have_logical && !r->logical_comment)
		ret = process_logical(r);
	r->have_logical = false;
	return ret;
}

static void add_segment(struct reader *r, size_t off, size_t line, size_t col)
{
	xgrow(&r->segs, &r->segs_alloc, r->nsegs + 1, sizeof(*r->segs));
	r->segs[r->nsegs].off = off;
	r->segs[r->nsegs].line = line;
	r->segs[r->nsegs].col = col;
	r->nsegs++;
}

/* One physical line buf[start..start+len), line end removed. */
static int feed_line(struct reader *r, size_t start, size_t len, size_t lineno, bool check_nul)
{
	char *line = r->buf + start;
	const char *nul;

	if (check_nul && (nul = memchr(line, '\0', len)))
		return fail(r, lineno, (size_t)(nul - line) + 1,
			    "NUL byte in the file (not LDIF text)");
	if (len && line[len - 1] == '\r')
		len--;
	if (len && line[0] == ' ') {
		if (!r->have_logical)
			return fail(r, lineno, 1, "continuation line without a line to continue");
		if (!r->logical_comment) {
			/* unfold: move the continuation up to the logical line's end */
			add_segment(r, r->lend - r->lstart, lineno, 2);
			memmove(r->buf + r->lend, line + 1, len - 1);
			r->lend += len - 1;
		}
		return 0;
	}
	if (flush_logical(r) < 0)
		return -1;
	if (len == 0)
		return emit_record(r);
	r->have_logical = true;
	r->logical_line = lineno;
	r->lstart = start;
	r->lend = start + len;
	r->nsegs = 0;
	add_segment(r, 0, lineno, 1);
	r->logical_comment = line[0] == '#';
	return 0;
}

/*
 * Read more input behind buf[len), first moving the unread part to the
 * front and growing the block when it is full. Returns 0, or -1 on a read
 * error; r->eof is set when there is no more.
 */
static int refill(struct reader *r)
{
	size_t n;

	if (r->pipe && r->cur->n) {
		/* the block goes with its records; the rest starts a new one */
		size_t rest = r->len - r->pos, cap = r->block;
		struct batch *next = pipeline_spare(r->pipe);
		char *buf;
		bool more;

		/* a block grown for one large record is not the next one's size */
		while (cap - rest < r->block / 2 + 1)
			cap *= 2;
		if (next->buf && next->buf_cap >= cap) {
			buf = next->buf;
			cap = next->buf_cap;
		} else {
			free(next->buf);
			buf = xmalloc(cap);
		}
		next->buf = NULL;
		memcpy(buf, r->buf + r->pos, rest);
		r->cur->buf = r->buf;
		r->cur->buf_cap = r->cap;
		more = pipeline_push(r->pipe, r->cur);
		r->cur = next;
		r->buf = buf;
		r->cap = cap;
		r->len = rest;
		r->pos = 0;
		if (!more)
			return error_set(r->err, EXIT_INPUT, "%s: reading stopped", r->name);
	}
	if (r->pos) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->cap - r->len < r->block / 2 + 1) {
		r->cap = r->cap ? r->cap * 2 : r->block;
		r->buf = xreallocarray(r->buf, r->cap, 1);
	}
	/* a block at a time: a batch grown for a large record stays small */
	n = fread(r->buf + r->len, 1, r->cap - r->len - 1 < r->block ? r->cap - r->len - 1 : r->block,
		  r->fp);
	r->len += n;
	if (n == 0) {
		if (ferror(r->fp))
			return error_set(r->err, EXIT_INPUT, "%s: read error: %s", r->name,
					 strerror(errno));
		r->eof = true;
	}
	return 0;
}

/*
 * Find the next record's lines: up to and including the blank line that
 * ends it, or to the end of the input. Returns 1 when lines were found, 0
 * at the end of the input, -1 on a read error.
 */
static int next_record(struct reader *r)
{
	size_t scan = 0;         /* offset from pos scanned so far */

	r->nlines = 0;
	for (;;) {
		const char *base = r->buf + r->pos;
		size_t avail = r->len - r->pos;

		while (scan < avail) {
			const char *nl = find_byte(base + scan, base + avail, '\n');
			size_t end;

			if (!nl)
				break;
			end = (size_t)(nl - base);
			xgrow(&r->lines, &r->lines_alloc, r->nlines + 1, sizeof(*r->lines));
			r->lines[r->nlines].off = scan;
			r->lines[r->nlines++].len = end - scan;
			scan = end + 1;
			/* a blank line (or a lone CR) closes the record */
			if (end - r->lines[r->nlines - 1].off == 0 ||
			    (end - r->lines[r->nlines - 1].off == 1 && base[end - 1] == '\r'))
				return 1;
		}
		if (r->eof) {
			if (scan < avail) {
				/* the last line has no line end */
				xgrow(&r->lines, &r->lines_alloc, r->nlines + 1, sizeof(*r->lines));
				r->lines[r->nlines].off = scan;
				r->lines[r->nlines++].len = avail - scan;
				scan = avail;
			}
			return r->nlines > 0;
		}
		if (refill(r) < 0)
			return -1;
	}
}

static void reader_release(struct reader *r)
{
	free(r->buf);
	free(r->lines);
	free(r->segs);
	free(r->raw);
	free(r->vals);
	free(r->ranges);
}

static void reader_init(struct reader *r, const char *name, dir_entry_fn *fn, void *data,
			struct error *err)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->fn = fn;
	r->data = data;
	r->err = err;
	r->block = BLOCK;
}

size_t ldif_block_size(uintmax_t size)
{
	size_t block = BLOCK;

	while (size && block > BLOCK_MIN && size / 64 <= block / 2)
		block /= 2;
	return block;
}

/*
 * The file's first line (r->lines[0]), before it is fed: UTF-16 is
 * refused, and a UTF-8 byte-order mark, as Notepad and PowerShell write,
 * is left out of the line.
 */
static int first_line(struct reader *r)
{
	struct line *l = &r->lines[0];
	const unsigned char *p = (const unsigned char *)r->buf + r->pos + l->off;

	if (l->len >= 2 && (p[0] == 0xff || p[0] == 0xfe) && (p[1] ^ p[0]) == 0x01)
		return fail(r, 1, 1, "UTF-16 text (as `ldifde -u` writes): convert it to UTF-8 first");
	if (l->len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		l->off += 3;
		l->len -= 3;
	}
	return 0;
}

static int reader_run(struct reader *r)
{
	int more;

	while ((more = next_record(r)) > 0) {
		const char *chunk = r->buf + r->pos;
		size_t last = r->lines[r->nlines - 1].off + r->lines[r->nlines - 1].len;
		bool nul = memchr(chunk, '\0', last) != NULL;

		if (r->lineno == 0 && first_line(r) < 0)
			return -1;

		for (size_t i = 0; i < r->nlines; i++)
			if (feed_line(r, r->pos + r->lines[i].off, r->lines[i].len,
				      r->lineno + i + 1, nul) < 0)
				return -1;
		r->lineno += r->nlines;
		/* the records parsed in place are gone once the block moves */
		if (r->have_logical && flush_logical(r) < 0)
			return -1;
		if (r->in_record && emit_record(r) < 0)
			return -1;
		r->pos += last + (last < r->len - r->pos);
	}
	if (more < 0)
		return -1;
	if (flush_logical(r) < 0 || emit_record(r) < 0)
		return -1;
	return 0;
}

/* The parser thread: every batch is pushed, the last one with the result. */
static void *parse_thread(void *arg)
{
	struct reader *r = arg;
	int ret = reader_run(r);
	struct batch *b = r->cur;

	b->buf = r->buf;
	r->buf = NULL;
	b->last = true;
	b->status = ret;
	b->err = r->perr;
	r->cur = NULL;
	pipeline_push(r->pipe, b);
	return NULL;
}

/* Deliver the records of b to fn; -1 when fn fails. */
static int deliver(struct batch *b, dir_entry_fn *fn, void *data, struct error *err)
{
	for (size_t i = 0; i < b->n; i++)
		if (fn(data, &b->entries[i], err) < 0)
			return -1;
	return 0;
}

/* ldif_read(), the attributes classify ignores left out when it is not NULL */
/* size: of the input, or 0 when it is not known */
static int read_stream(FILE *fp, const char *name, uintmax_t size, dir_entry_fn *fn, void *data,
		       struct dir *classify, struct error *err)
{
	struct pipeline pipe = { .head = NULL };
	struct reader r;
	pthread_t tid;
	int ret = 0;

	reader_init(&r, name, fn, data, err);
	r.classify = classify;
	r.fp = fp;
	r.block = pipe.block = ldif_block_size(size);
	r.pipe = &pipe;
	r.err = &r.perr;
	r.cur = batch_new();
	pthread_mutex_init(&pipe.lock, NULL);
	pthread_cond_init(&pipe.changed, NULL);
	if (!thread_start(&tid, parse_thread, &r)) {
		/* no thread: parse and consume on this one */
		batch_free(r.cur);
		r.pipe = NULL;
		r.cur = NULL;
		r.err = err;
		ret = reader_run(&r);
		goto out;
	}
	for (;;) {
		struct batch *b = pipeline_pop(&pipe);
		bool last = b->last;

		if (!b->finished)
			batch_finish(b);
		if (ret == 0 && deliver(b, fn, data, err) < 0) {
			ret = -1;
			pthread_mutex_lock(&pipe.lock);
			pipe.stop = true;
			pthread_cond_broadcast(&pipe.changed);
			pthread_mutex_unlock(&pipe.lock);
		}
		if (last && ret == 0 && b->status < 0) {
			error_set(err, b->err.code, "%s", b->err.msg);
			ret = -1;
		}
		if (last)
			batch_free(b);
		else
			pipeline_recycle(&pipe, b);
		if (last)
			break;
	}
	pthread_join(tid, NULL);
	while (pipe.spare) {
		struct batch *b = pipe.spare;

		pipe.spare = b->next;
		batch_free(b);
	}
out:
	pthread_cond_destroy(&pipe.changed);
	pthread_mutex_destroy(&pipe.lock);
	reader_release(&r);
	return ret;
}

int ldif_read(FILE *fp, const char *name, dir_entry_fn *fn, void *data, struct error *err)
{
	return read_stream(fp, name, 0, fn, data, NULL, err);
}

/*
 * The entries a file of size bytes may hold, to size the directory's DN
 * map before the first is read: an account takes 1.4 KB in the bench's
 * export. Smaller entries make the estimate low, and the map grows as it
 * would without one; larger ones make it high, which costs slots of 24
 * bytes that stay empty, so it stops at four million.
 */
#define ENTRY_BYTES 1024
#define EXPECT_MAX (4u << 20)

/*
 * From a file this large on (about 50,000 accounts), the directory's arenas
 * take their blocks from a reserve filled on an idle core (arena.h),
 * RESERVE_BYTES ahead.
 */
#define RESERVE_FROM (64u << 20)
#define RESERVE_BYTES (16u << 20)

int ldif_load(struct dir *d, const char *path, struct error *err)
{
	FILE *fp;
	struct stat st;
	uintmax_t size = 0;
	int ret;

	if (strcmp(path, "-") == 0)
		return read_stream(stdin, "<stdin>", 0, dir_add_cb, d, d, err);
	fp = fopen(path, "r");
	if (!fp)
		return error_set(err, EXIT_INPUT, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		uintmax_t entries = (uintmax_t)st.st_size / ENTRY_BYTES;

		size = (uintmax_t)st.st_size;
		dir_expect(d, entries < EXPECT_MAX ? (size_t)entries : EXPECT_MAX);
		if (size >= RESERVE_FROM)
			arena_reserve_start(RESERVE_BYTES);
	}
	ret = read_stream(fp, path, size, dir_add_cb, d, d, err);
	arena_reserve_stop();
	fclose(fp);
	return ret;
}

static int read_mem(const char *text, size_t len, const char *name, dir_entry_fn *fn,
		    void *data, struct dir *classify, struct error *err)
{
	struct reader r;
	int ret;

	reader_init(&r, name, fn, data, err);
	r.classify = classify;
	r.buf = xmalloc(len + 1);
	memcpy(r.buf, text, len);
	r.cap = len + 1;
	r.len = len;
	r.eof = true;
	ret = reader_run(&r);
	reader_release(&r);
	return ret;
}

int ldif_read_mem(const char *text, size_t len, const char *name, dir_entry_fn *fn, void *data,
		  struct error *err)
{
	return read_mem(text, len, name, fn, data, NULL, err);
}

int ldif_load_mem(struct dir *d, const char *text, size_t len, const char *name,
		  struct error *err)
{
	return read_mem(text, len, name, dir_add_cb, d, d, err);
}

/* RFC 2849 SAFE-STRING: no NUL, CR, LF, no non-ASCII, no leading space, ':' or '<', no trailing space. */
static bool safe_string(const char *v, size_t len)
{
	if (!len)
		return true;
	if (v[0] == ' ' || v[0] == ':' || v[0] == '<' || v[len - 1] == ' ')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == 0 || c == '\n' || c == '\r' || c > 0x7e)
			return false;
	}
	return true;
}

static void b64_encode(struct sbuf *sb, const unsigned char *p, size_t len)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < len ? p[i + 2] : 0);

		sbuf_addch(sb, tab[v >> 18 & 63]);
		sbuf_addch(sb, tab[v >> 12 & 63]);
		sbuf_addch(sb, i + 1 < len ? tab[v >> 6 & 63] : '=');
		sbuf_addch(sb, i + 2 < len ? tab[v & 63] : '=');
	}
}

static void put_line(FILE *fp, const char *name, size_t nlen, const char *v, size_t len)
{
	struct sbuf sb = SBUF_INIT;
	size_t col = 0;

	sbuf_add(&sb, name, nlen);
	if (safe_string(v, len)) {
		sbuf_adds(&sb, ": ");
		sbuf_add(&sb, v, len);
	} else {
		sbuf_adds(&sb, ":: ");
		b64_encode(&sb, (const unsigned char *)v, len);
	}
	for (size_t i = 0; i < sb.len; i++) {
		if (col == 76) {
			fputs("\n ", fp);
			col = 1;
		}
		fputc(sb.buf[i], fp);
		col++;
	}
	fputc('\n', fp);
	sbuf_release(&sb);
}

int ldif_write_entry(void *data, const struct raw_entry *e, struct error *err)
{
	FILE *fp = data;

	(void)err;
	put_line(fp, "dn", 2, e->dn, strlen(e->dn));
	for (size_t i = 0; i < e->nattrs; i++) {
		const struct raw_attr *a = &e->attrs[i];
		size_t nlen = strcspn(a->name, ";");

		for (size_t k = 0; k < a->nvals; k++)
			put_line(fp, a->name, nlen, a->vals[k].val, a->vals[k].len);
	}
	fputc('\n', fp);
	return 0;
}
