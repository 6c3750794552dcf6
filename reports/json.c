/*
 * The JSON report, schema "privaudit.report/1" (DESIGN.md "JSON report").
 *
 * The envelope, the findings and the account lists are written by hand
 * into 1 MB buffers that a second thread writes out (see "The writer"),
 * so a report with a million findings never sits in memory as one jansson
 * tree and costs no jansson object per element; the few small sections
 * built as jansson trees go through the same formatter (jo_tree). The
 * output is byte for byte what jansson 2.14 prints for the whole document
 * with JSON_INDENT(2) and preserved key order (only '"', '\\' and control
 * characters escaped, \uXXXX in upper case hex; DEL and non-ASCII as they
 * are), and depends only on the audit and the metadata: two runs on the
 * same data differ in generated_at alone.
 */
#include "report.h"

#include <errno.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../auditor/dir.h"
#include "../auditor/engine.h"
#include "../auditor/error.h"
#include "../auditor/outfile.h"
#include "../auditor/policy.h"
#include "../auditor/readiness.h"
#include "../auditor/sbuf.h"
#include "../auditor/strutil.h"
#include "../auditor/thread.h"
#include "../auditor/timeutil.h"
#include "../auditor/utf8.h"
#include "../auditor/xalloc.h"
#include "../checks/registry.h"

#ifndef PRIVAUDIT_VERSION
#define PRIVAUDIT_VERSION "0.0.0"
#endif

#define SCHEMA "privaudit.report/1"

/* UTF-8 */

json_t *report_json_str(const char *s)
{
	json_t *j;
	char *clean;

	if (!s)
		return json_null();
	if (utf8_valid(s, strlen(s)))
		return json_string_nocheck(s);
	clean = utf8_clean(s);
	j = json_string_nocheck(clean);
	free(clean);
	return j;
}

json_t *report_json_time(int64_t t)
{
	char buf[40];

	if (t == TIME_NEVER)
		return json_null();
	time_format(t, buf, sizeof(buf));
	return json_string_nocheck(buf);
}

/*
 * Evidence comes from the checks as a jansson tree. Strings built with
 * jansson's *_nocheck functions may hold invalid UTF-8, which would make
 * the dump fail halfway through a finding: return a cleaned copy when
 * needed (new reference either way).
 */
static bool tree_valid(json_t *v)
{
	const char *key;
	json_t *val;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return utf8_valid(json_string_value(v), json_string_length(v));
	case JSON_ARRAY:
		json_array_foreach(v, i, val)
			if (!tree_valid(val))
				return false;
		return true;
	case JSON_OBJECT:
		json_object_foreach(v, key, val)
			if (!utf8_valid(key, strlen(key)) || !tree_valid(val))
				return false;
		return true;
	default:
		return true;
	}
}

static json_t *tree_clean(json_t *v)
{
	const char *key;
	json_t *val, *out;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING: {
		/* an embedded NUL ends the cleaned copy: it could not be shown anyway */
		return report_json_str(json_string_value(v));
	}
	case JSON_ARRAY:
		out = json_array();
		json_array_foreach(v, i, val)
			json_array_append_new(out, tree_clean(val));
		return out;
	case JSON_OBJECT:
		out = json_object();
		json_object_foreach(v, key, val) {
			char *k = utf8_clean(key);

			json_object_set_new_nocheck(out, k, tree_clean(val));
			free(k);
		}
		return out;
	default:
		return json_incref(v);
	}
}

static json_t *clean_ref(json_t *ev)
{
	if (!ev)
		return json_object();
	if (tree_valid(ev))
		return json_incref(ev);
	return tree_clean(ev);
}

/* The writer */

/*
 * Formatting and writing overlap: each full buffer goes to a writer thread
 * that writes the buffers in order while the next one is formatted, so
 * that the kernel's work (a direct write's wait, or the copy into the
 * page cache and the start of writeback) runs beside it, and the final
 * fsync finds little left to do. Full buffers wait for the writer in a
 * queue, and come back to a stack of free ones, which the formatting
 * takes from: while the writer keeps up, two buffers go round. A direct
 * write of 1 MB takes most of the time of formatting it, and some take
 * longer: up to JO_NBUF buffers of 1 MB ride that out, each allocated
 * when none is free.
 *
 * The thread starts with the first full buffer, so a small report costs
 * no thread; if it cannot start, buffers are written inline. Only the
 * writer touches the stream until jo_end() has joined it; the formatting
 * loops poll jo_failed() rather than ferror(), which would wait for the
 * stream lock the writer holds.
 */
#define JO_MAX_DEPTH 8
#define JO_BUF (1024 * 1024)
#define JO_NBUF 16

/*
 * A report of a large directory is written past the page cache (O_DIRECT)
 * while its buffers and offsets are whole blocks, as all but the last
 * are: the kernel then copies nothing and has nothing to write back, where
 * filling the page cache with 500 MB took longer than formatting them,
 * and the final fsync wrote them all again. The last buffer, of any
 * length, is written through the page cache. A file system that refuses
 * direct writes gets all of them so.
 */
#define JO_ALIGN 4096
#define JO_DIRECT_FROM (8 * JO_BUF)

struct jo {
	FILE *fp;
	char *buf;                 /* JO_BUF bytes being filled, one of bufs */
	size_t len;
	int depth;
	bool first[JO_MAX_DEPTH];  /* no member or element yet at this depth */

	char *bufs[JO_NBUF];       /* the nbufs allocated (the formatting's) */
	size_t nbufs;
	/* under lock: the full buffers, the oldest at head, and the free ones */
	char *queue[JO_NBUF];
	size_t lens[JO_NBUF];
	size_t head, queued;
	char *free_bufs[JO_NBUF];
	size_t nfree;
	bool started, threaded;    /* thread tried, running */
	bool done;                 /* no more buffers (under lock) */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;       /* queued changed or done set: one waiter at most */
	atomic_bool failed;        /* a write failed: stop formatting */
	int errnum;                /* its errno; read after the join */
	int fd;                    /* a regular file to start writeback on, or -1 */
	off_t off;                 /* where the next buffer goes in that file */
	bool direct;               /* fd is in O_DIRECT: write(), not fp (the writer's) */
	struct sbuf *sink;         /* not NULL: full buffers go here, not to fp */
};

static bool jo_failed(struct jo *o)
{
	return atomic_load_explicit(&o->failed, memory_order_relaxed);
}

/* Leave O_DIRECT: the rest is written through the page cache. */
static void jo_direct_off(struct jo *o)
{
	int flags = fcntl(o->fd, F_GETFL);

	if (flags >= 0)
		fcntl(o->fd, F_SETFL, flags & ~O_DIRECT);
	o->direct = false;
}

/*
 * jo_write() of a report in O_DIRECT: with write(), as the stream's
 * buffer is empty and stays so. A piece that is not whole blocks (the
 * last) leaves O_DIRECT first, as does a file system that refuses a
 * direct write of whole blocks (EINVAL).
 */
static void jo_write_direct(struct jo *o, const char *buf, size_t len)
{
	while (len) {
		ssize_t n;

		if (o->direct && (len % JO_ALIGN || (uintptr_t)buf % JO_ALIGN))
			jo_direct_off(o);
		n = write(o->fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EINVAL && o->direct) {
			jo_direct_off(o);
			continue;
		}
		if (n <= 0) {
			o->errnum = n < 0 ? errno : EIO;
			atomic_store(&o->failed, true);
			return;
		}
		buf += n;
		len -= (size_t)n;
		o->off += n;
	}
}

/*
 * Write one buffer to the stream (writer thread, or inline). After a
 * failure nothing more is written: the report is lost, and commit reports
 * the first errno.
 */
static void jo_write(struct jo *o, const char *buf, size_t len)
{
	if (!len || jo_failed(o))
		return;
	if (o->direct) {
		jo_write_direct(o, buf, len);
		return;
	}
	errno = 0;
	if (fwrite(buf, 1, len, o->fp) != len || ferror(o->fp)) {
		o->errnum = errno ? errno : EIO;
		atomic_store(&o->failed, true);
		return;
	}
#ifdef SYNC_FILE_RANGE_WRITE
	/*
	 * Start writing this buffer to disk now rather than all 500 MB at
	 * the final fsync. Only a hint: errors are ignored (fsync reports
	 * real ones), and the part still in the stream's buffer is simply
	 * not dirty yet.
	 */
	if (o->fd >= 0)
		sync_file_range(o->fd, o->off, (off_t)len, SYNC_FILE_RANGE_WRITE);
#endif
	o->off += (off_t)len;
}

static void *jo_writer(void *arg)
{
	struct jo *o = arg;

	pthread_mutex_lock(&o->lock);
	for (;;) {
		char *buf;

		while (!o->queued && !o->done)
			pthread_cond_wait(&o->cond, &o->lock);
		if (!o->queued)
			break;
		/* head and its buffer are the writer's until it moves head on */
		buf = o->queue[o->head];
		pthread_mutex_unlock(&o->lock);
		jo_write(o, buf, o->lens[o->head]);
		pthread_mutex_lock(&o->lock);
		o->head = (o->head + 1) % JO_NBUF;
		o->queued--;
		o->free_bufs[o->nfree++] = buf;
		pthread_cond_signal(&o->cond);
	}
	pthread_mutex_unlock(&o->lock);
	return NULL;
}

/* A write buffer, whole blocks at a block's boundary, as O_DIRECT wants. */
static char *jo_buf_new(void)
{
	char *buf = aligned_alloc(JO_ALIGN, JO_BUF);

	if (!buf)
		xoom(JO_BUF);
	return buf;
}

static void jo_start(struct jo *o)
{
	o->started = true;
	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->cond, NULL);
	o->threaded = thread_start(&o->thread, jo_writer, o);
	if (!o->threaded) {
		pthread_cond_destroy(&o->cond);
		pthread_mutex_destroy(&o->lock);
	}
}

/*
 * Queue the buffer being filled and take a free one: a new one when none
 * is free and fewer than JO_NBUF are allocated, else wait for the writer.
 * The last buffer (last) takes none: the writer is told it is done.
 */
static void jo_queue(struct jo *o, bool last)
{
	size_t tail;

	pthread_mutex_lock(&o->lock);
	tail = (o->head + o->queued) % JO_NBUF;
	o->queue[tail] = o->buf;
	o->lens[tail] = o->len;
	o->queued++;
	o->done = last;
	pthread_cond_signal(&o->cond);
	if (last) {
		pthread_mutex_unlock(&o->lock);
		return;
	}
	while (!o->nfree && o->nbufs == JO_NBUF)
		pthread_cond_wait(&o->cond, &o->lock);
	o->buf = o->nfree ? o->free_bufs[--o->nfree] : NULL;
	pthread_mutex_unlock(&o->lock);
	if (!o->buf)
		o->buf = o->bufs[o->nbufs++] = jo_buf_new();
	o->len = 0;
}

/* The buffer is full: hand it to the writer, or write it inline. */
static void jo_flush(struct jo *o)
{
	if (o->sink) {
		/* the buffer is the sink's free space: keep what it holds, take more */
		sbuf_setlen(o->sink, o->sink->len + o->len);
		sbuf_grow(o->sink, JO_BUF);
		o->buf = o->sink->buf + o->sink->len;
		o->len = 0;
		return;
	}
	if (!o->started)
		jo_start(o);
	if (o->threaded) {
		jo_queue(o, false);
		return;
	}
	jo_write(o, o->buf, o->len);
	o->len = 0;
}

static void jo_add_slow(struct jo *o, const char *s, size_t n)
{
	while (o->len + n > JO_BUF) {
		size_t k = JO_BUF - o->len;

		memcpy(o->buf + o->len, s, k);
		o->len = JO_BUF;
		jo_flush(o);
		s += k;
		n -= k;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/* Inline: most pieces are a few bytes, often of a length known here. */
static inline void jo_add(struct jo *o, const char *s, size_t n)
{
	if (n > JO_BUF - o->len) {
		jo_add_slow(o, s, n);
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static inline void jo_ch(struct jo *o, char c)
{
	if (o->len == JO_BUF)
		jo_flush(o);
	o->buf[o->len++] = c;
}

static void jo_lit(struct jo *o, const char *s)
{
	jo_add(o, s, strlen(s));
}

static void jo_indent(struct jo *o, int depth)
{
	static const char spaces[] = "                                ";
	size_t n = (size_t)depth * 2;

	while (n) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		jo_add(o, spaces, k);
		n -= k;
	}
}

/*
 * "\n" and the indentation of depth. For the common depths, the whole of
 * nl is stored, a fixed size the compiler copies in two moves, and the
 * length moved past the part wanted.
 */
static inline void jo_newline(struct jo *o, int depth)
{
	static const char nl[32] = "\n                              ";

	if (depth >= 0 && (size_t)depth * 2 + 1 < sizeof(nl) && JO_BUF - o->len >= sizeof(nl)) {
		memcpy(o->buf + o->len, nl, sizeof(nl));
		o->len += (size_t)depth * 2 + 1;
		return;
	}
	jo_ch(o, '\n');
	jo_indent(o, depth);
}

/*
 * What jansson's dump_string() writes for each byte: 0 as it is, else the
 * escape. Bytes >= 0x80 belong to valid UTF-8 sequences (callers clean
 * first) and are copied.
 */
static const char *const jo_escapes[0x20] = {
	"\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
	"\\b", "\\t", "\\n", "\\u000B", "\\f", "\\r", "\\u000E", "\\u000F",
	"\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
	"\\u0018", "\\u0019", "\\u001A", "\\u001B", "\\u001C", "\\u001D", "\\u001E", "\\u001F",
};

/* Bytes that end a plain run: escapes (1), non-ASCII (2), NUL (3). */
static const unsigned char jo_class[256] = {
	3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* '"' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* '\\' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

static void jo_escape(struct jo *o, unsigned char c)
{
	jo_lit(o, c == '"' ? "\\\"" : c == '\\' ? "\\\\" : jo_escapes[c]);
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/*
 * The bytes of w (eight, as read with memcpy) that need an escape (and,
 * with high, are not ASCII): 0x80 in each, and perhaps in a byte after
 * one of them, where the subtraction borrows.
 */
static inline uint64_t jo_bad8(uint64_t w, bool high)
{
	uint64_t bad = ((w - ONES * 0x20) & ~w)                      /* < 0x20 */
		       | (((w ^ (ONES * '"')) - ONES) & ~(w ^ (ONES * '"')))
		       | (((w ^ (ONES * '\\')) - ONES) & ~(w ^ (ONES * '\\')));

	return (bad | (high ? w : 0)) & HIGHS;
}

/*
 * How many bytes of s[0..n) from the start need no escape (and, with
 * high, are ASCII): eight at a time while none of them is a control
 * character, '"' or '\\' (or >= 0x80), then byte by byte.
 */
static size_t jo_plain(const char *s, size_t n, bool high)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if (jo_bad8(w, high))
			break;
	}
	for (; i < n; i++) {
		unsigned char k = jo_class[(unsigned char)s[i]];

		if (k == 1 || (k == 2 && high))
			break;
	}
	return i;
}

#ifdef __SSE2__
/* The bytes of v that need an escape (and, with high, are not ASCII): a bit each. */
static inline unsigned jo_bad16(__m128i v, bool high)
{
	__m128i bad = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
				   _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
	unsigned m;

	/* min(v, 0x1f) == v: a control character */
	bad = _mm_or_si128(bad, _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v));
	m = (unsigned)_mm_movemask_epi8(bad);
	if (high)
		m |= (unsigned)_mm_movemask_epi8(v);
	return m;
}
#endif

/*
 * Add the bytes of s[0..n) from the start that need no escape (and, with
 * high, are ASCII) and return how many: sixteen at a time straight into
 * the buffer while it has room, each block stored whole and the length
 * moved past its plain bytes only. The last 1 to 15 bytes of a string of
 * sixteen or more are looked at as the sixteen that end it, stored over
 * the same bytes already copied; a string of 8 to 15 bytes as the eight
 * that start it and the eight that end it. What is left (a short string,
 * the end of a full buffer) goes as jo_plain() finds it. Most strings of a
 * report are plain and are copied in this one pass.
 */
static size_t jo_add_plain(struct jo *o, const char *s, size_t n, bool high)
{
	size_t i = 0, k;

#ifdef __SSE2__
	while (n - i >= 16 && JO_BUF - o->len >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		unsigned m = jo_bad16(v, high);

		_mm_storeu_si128((__m128i *)(void *)(o->buf + o->len), v);
		if (m) {
			k = (size_t)__builtin_ctz(m);
			o->len += k;
			return i + k;
		}
		o->len += 16;
		i += 16;
	}
	if (i == n)
		return n;
	k = n - i;
	/* the loop copied s[0..i) here: s[n - 16..i) are the k bytes before o->len */
	if (n >= 16 && k < 16 && JO_BUF - o->len >= k) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + n - 16));
		unsigned m = jo_bad16(v, high) >> (16 - k);

		_mm_storeu_si128((__m128i *)(void *)(o->buf + o->len - (16 - k)), v);
		if (m)
			k = (size_t)__builtin_ctz(m);
		o->len += k;
		return i + k;
	}
#endif
	if (n >= 8 && n < 16 && JO_BUF - o->len >= n) {
		uint64_t w0, w1;

		memcpy(&w0, s, 8);
		memcpy(&w1, s + n - 8, 8);
		if (!(jo_bad8(w0, high) | jo_bad8(w1, high))) {
			memcpy(o->buf + o->len, &w0, 8);
			memcpy(o->buf + o->len + n - 8, &w1, 8);
			o->len += n;
			return n;
		}
	}
	k = jo_plain(s + i, n - i, high);
	jo_add(o, s + i, k);
	return i + k;
}

/* The inside of s[0..n), valid UTF-8, as a JSON string's. */
static void jo_escaped_body(struct jo *o, const char *s, size_t n)
{
	for (;;) {
		size_t k = jo_add_plain(o, s, n, false);

		if (k == n)
			break;
		jo_escape(o, (unsigned char)s[k]);
		s += k + 1;
		n -= k + 1;
	}
}

/* s[0..n), valid UTF-8, as a JSON string. */
static void jo_escaped(struct jo *o, const char *s, size_t n)
{
	jo_ch(o, '"');
	jo_escaped_body(o, s, n);
	jo_ch(o, '"');
}

/*
 * A string as report_json_str() makes it: null for NULL, invalid UTF-8
 * replaced. ASCII, the common case, needs no UTF-8 check; from the first
 * non-ASCII byte on, the rest is checked (and cleaned) as a whole, which
 * is what cleaning the whole string gives since an ASCII prefix is valid
 * on its own.
 */
static void jo_text(struct jo *o, const char *s)
{
	size_t n;
	char *clean;

	if (!s) {
		jo_lit(o, "null");
		return;
	}
	n = strlen(s);
	jo_ch(o, '"');
	for (;;) {
		size_t k = jo_add_plain(o, s, n, true);

		if (k == n)
			break;
		if ((unsigned char)s[k] < 0x80) {
			jo_escape(o, (unsigned char)s[k]);
			s += k + 1;
			n -= k + 1;
			continue;
		}
		s += k;
		n -= k;
		if (utf8_valid(s, n)) {
			jo_escaped_body(o, s, n);
		} else {
			clean = utf8_clean(s);
			jo_escaped_body(o, clean, strlen(clean));
			free(clean);
		}
		break;
	}
	jo_ch(o, '"');
}

static void jo_int(struct jo *o, long long v)
{
	char buf[24], *p = buf + sizeof(buf);
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	jo_add(o, p, (size_t)(buf + sizeof(buf) - p));
}

static void jo_bool(struct jo *o, bool v)
{
	jo_lit(o, v ? "true" : "false");
}

static void jo_time(struct jo *o, int64_t t)
{
	char buf[40];

	if (t == TIME_NEVER) {
		jo_lit(o, "null");
		return;
	}
	time_format(t, buf, sizeof(buf));
	jo_escaped(o, buf, strlen(buf));
}

/* Before a member or an element: the separator and the indentation. */
static inline void jo_sep(struct jo *o)
{
	if (!o->first[o->depth])
		jo_ch(o, ',');
	o->first[o->depth] = false;
	jo_newline(o, o->depth);
}

/* key is ASCII, with nothing to escape */
static void jo_key_str(struct jo *o, const char *key)
{
	jo_sep(o);
	jo_ch(o, '"');
	jo_lit(o, key);
	jo_add(o, "\": ", 3);
}

static inline void jo_key_quoted(struct jo *o, const char *quoted, size_t n)
{
	jo_sep(o);
	jo_add(o, quoted, n);
}

/*
 * A member's key, a string literal: quoted and followed by ": " when the
 * program is compiled, as the findings' and accounts' millions of keys
 * would otherwise be measured and copied in three pieces each.
 */
#define jo_key(o, key) jo_key_quoted((o), "\"" key "\": ", sizeof(key) + 3)

/* A member whose value is text (or null): "key": "text". */
#define jo_key_text(o, key, s) (jo_key(o, key), jo_text((o), (s)))

static void jo_open(struct jo *o, char c)
{
	jo_ch(o, c);
	o->depth++;
	o->first[o->depth] = true;
}

static void jo_close(struct jo *o, char c)
{
	bool empty = o->first[o->depth];

	o->depth--;
	if (!empty)
		jo_newline(o, o->depth);
	jo_ch(o, c);
}

/*
 * A jansson tree whose strings are valid UTF-8 (see clean_ref), laid out
 * as json_dumps(JSON_INDENT(2)) would at indentation depth.
 */
static void jo_tree(struct jo *o, json_t *v, int depth)
{
	size_t i = 0;

	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		void *iter = json_object_iter(v);

		if (!iter) {
			jo_lit(o, "{}");
			break;
		}
		jo_ch(o, '{');
		for (; iter; iter = json_object_iter_next(v, iter)) {
			if (i++)
				jo_ch(o, ',');
			jo_newline(o, depth + 1);
			jo_escaped(o, json_object_iter_key(iter), json_object_iter_key_len(iter));
			jo_add(o, ": ", 2);
			jo_tree(o, json_object_iter_value(iter), depth + 1);
		}
		jo_newline(o, depth);
		jo_ch(o, '}');
		break;
	}
	case JSON_ARRAY:
		if (!json_array_size(v)) {
			jo_lit(o, "[]");
			break;
		}
		jo_ch(o, '[');
		for (i = 0; i < json_array_size(v); i++) {
			if (i)
				jo_ch(o, ',');
			jo_newline(o, depth + 1);
			jo_tree(o, json_array_get(v, i), depth + 1);
		}
		jo_newline(o, depth);
		jo_ch(o, ']');
		break;
	case JSON_STRING:
		jo_escaped(o, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		jo_int(o, (long long)json_integer_value(v));
		break;
	case JSON_REAL: {
		/* jansson's own formatting of doubles, not worth redoing */
		char *r = json_dumps(v, JSON_ENCODE_ANY);

		jo_lit(o, r ? r : "null");
		free(r);
		break;
	}
	case JSON_TRUE:
		jo_lit(o, "true");
		break;
	case JSON_FALSE:
		jo_lit(o, "false");
		break;
	default:
		jo_lit(o, "null");
		break;
	}
}

/* A jansson value (stolen) at the current position, cleaned if need be. */
static void jo_value(struct jo *o, json_t *v)
{
	json_t *c;

	if (!v) {
		jo_lit(o, "null");
		return;
	}
	c = clean_ref(v);

	jo_tree(o, c, o->depth);
	json_decref(c);
	json_decref(v);
}

static void jo_member(struct jo *o, const char *key, json_t *v)
{
	jo_key_str(o, key);
	jo_value(o, v);
}

/*
 * Whether to write a report of at least about expect bytes to the empty
 * regular file fd in O_DIRECT, which is then set (a file system may
 * refuse it): a small report is not worth a direct write's wait.
 */
static bool direct_wanted(int fd, size_t expect)
{
	int flags;

	if (expect < JO_DIRECT_FROM || (flags = fcntl(fd, F_GETFL)) < 0)
		return false;
	return fcntl(fd, F_SETFL, flags | O_DIRECT) == 0;
}

static void jo_begin(struct jo *o, FILE *fp, size_t expect)
{
	struct stat st;

	memset(o, 0, sizeof(*o));
	o->fp = fp;
	o->buf = o->bufs[0] = jo_buf_new();
	o->nbufs = 1;
	atomic_init(&o->failed, ferror(fp) != 0);
	o->fd = fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) ? fileno(fp) : -1;
	o->off = o->fd >= 0 ? ftello(fp) : 0;
	o->direct = o->fd >= 0 && o->off == 0 && direct_wanted(o->fd, expect);
	o->depth = 1;
	o->first[1] = true;
	jo_ch(o, '{');
}

/*
 * A writer into memory at depth, inside an array that already has an
 * element: for findings formatted on another thread. It formats straight
 * into the sink's free space.
 */
static void jo_begin_mem(struct jo *o, struct sbuf *sink, int depth)
{
	memset(o, 0, sizeof(*o));
	o->sink = sink;
	sbuf_grow(sink, JO_BUF);
	o->buf = sink->buf + sink->len;
	atomic_init(&o->failed, false);
	o->fd = -1;
	o->depth = depth;
}

static void jo_end_mem(struct jo *o)
{
	sbuf_setlen(o->sink, o->sink->len + o->len);
}

/* Write the rest and stop the writer; the errno of a failed write, or 0. */
static int jo_end(struct jo *o)
{
	jo_lit(o, "\n}\n");
	if (o->threaded) {
		jo_queue(o, true);
		pthread_join(o->thread, NULL);
		pthread_cond_destroy(&o->cond);
		pthread_mutex_destroy(&o->lock);
	} else {
		jo_write(o, o->buf, o->len);
	}
	for (size_t i = 0; i < o->nbufs; i++)
		free(o->bufs[i]);
	return o->errnum;
}

/* Sections */

static json_t *source_json(const struct audit *a, const struct report_meta *m)
{
	const struct dir *d = a->dir;
	json_t *src = json_object(), *sources = json_array();

	json_object_set_new(src, "kind", report_json_str(m->source_kind));
	json_object_set_new(src, "uri", report_json_str(m->uri));
	json_object_set_new(src, "base_dn",
			    report_json_str(m->base_dn ? m->base_dn : d->domain.h.dn));
	json_object_set_new(src, "domain", report_json_str(d->domain.dns));
	json_object_set_new(src, "domain_sid", report_json_str(d->domain_sid));
	for (size_t i = 0; i < d->nlast_logon_sources; i++)
		json_array_append_new(sources, report_json_str(d->last_logon_sources[i]));
	json_object_set_new(src, "last_logon_sources", sources);
	return src;
}

static json_t *policy_json(const struct policy *p)
{
	json_t *o = json_object();

	json_object_set_new(o, "path", report_json_str(p->path));
	json_object_set_new(o, "sha256", report_json_str(p->sha256));
	return o;
}

static json_t *summary_json(const struct summary *s)
{
	json_t *o = json_object(), *by = json_object(), *gate = json_object();

	json_object_set_new(o, "accounts", json_integer((json_int_t)s->accounts));
	json_object_set_new(o, "enabled", json_integer((json_int_t)s->enabled));
	json_object_set_new(o, "privileged", json_integer((json_int_t)s->privileged));
	json_object_set_new(o, "vpn_capable", json_integer((json_int_t)s->vpn_capable));
	for (size_t i = 0; i < SEV_COUNT; i++) {
		enum severity sev = severity_order_desc[i];

		json_object_set_new(by, severity_name(sev),
				    json_integer((json_int_t)s->by_severity[sev]));
	}
	json_object_set_new(o, "findings", by);
	json_object_set_new(o, "waived", json_integer((json_int_t)s->waived));
	json_object_set_new(o, "unknown_checks", json_integer((json_int_t)s->unknown_checks));
	json_object_set_new(gate, "fail_on", json_string(severity_name(s->fail_on)));
	json_object_set_new(gate, "verdict", json_string(s->pass ? "pass" : "fail"));
	json_object_set_new(o, "gate", gate);
	return o;
}

/*
 * The VPN reopening readiness (auditor/readiness.h), only when VPN checks
 * ran: verdict first, then the counts behind it, the krbtgt fact, the
 * unknown checks that matter and the reasons for a NO-GO.
 */
static json_t *readiness_json(const struct readiness *r)
{
	json_t *o = json_object(), *k = json_object(), *unk = json_array(), *why = json_array();

	json_object_set_new(o, "verdict", json_string(readiness_verdict(r)));
	json_object_set_new(o, "incident", report_json_time(r->has_incident ? r->incident : TIME_NEVER));
	json_object_set_new(o, "vpn_capable", json_integer((json_int_t)r->vpn_capable));
	json_object_set_new(o, "no_mfa", json_integer((json_int_t)r->no_mfa));
	json_object_set_new(o, "password_not_reset", json_integer((json_int_t)r->password_not_reset));
	json_object_set_new(o, "stale", json_integer((json_int_t)r->stale));
	json_object_set_new(o, "never_used", json_integer((json_int_t)r->never_used));
	json_object_set_new(o, "privileged", json_integer((json_int_t)r->privileged));
	json_object_set_new(o, "unowned", json_integer((json_int_t)r->unowned));
	json_object_set_new(o, "waived", json_integer((json_int_t)r->waived));
	json_object_set_new(k, "rotated", r->krbtgt == KRBTGT_UNKNOWN ? json_null()
					  : json_boolean(r->krbtgt == KRBTGT_ROTATED));
	json_object_set_new(k, "pwd_last_set", report_json_time(r->krbtgt_pwd_last_set));
	json_object_set_new(o, "krbtgt", k);
	for (size_t i = 0; i < r->nunknown; i++)
		json_array_append_new(unk, json_string(r->unknown[i]));
	json_object_set_new(o, "unknown_checks", unk);
	for (size_t i = 0; i < r->nreasons; i++)
		json_array_append_new(why, report_json_str(r->reasons[i]));
	json_object_set_new(o, "reasons", why);
	return o;
}

/* The severity the policy gives check i: its override, else the default. */
static enum severity effective_severity(const struct policy *p, size_t i, const struct check *c)
{
	if (p && p->checks && p->checks[i].severity >= 0 && p->checks[i].severity < SEV_COUNT)
		return (enum severity)p->checks[i].severity;
	return c->severity;
}

static json_t *check_json(const struct audit *a, size_t i)
{
	const struct check *c = registry_get(i);
	const struct check_state *st = &a->states[i];
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(c->id));
	json_object_set_new(o, "family", json_string(c->family));
	json_object_set_new(o, "title", report_json_str(c->title));
	json_object_set_new(o, "severity",
			    json_string(severity_name(effective_severity(a->policy, i, c))));
	json_object_set_new(o, "status", json_string(check_status_name(st->status)));
	json_object_set_new(o, "findings", json_integer((json_int_t)st->findings));
	if (st->status == STATUS_UNKNOWN)
		json_object_set_new(o, "reason", report_json_str(st->reason ? st->reason : ""));
	return o;
}

static void write_waiver(struct jo *o, const struct waiver *w)
{
	jo_open(o, '{');
	jo_key_text(o, "check", w->check);
	jo_key_text(o, "account", w->account);
	jo_key_text(o, "reason", w->reason);
	jo_key_text(o, "owner", w->owner);
	jo_key_text(o, "expires", w->expires_text);
	jo_key(o, "index");
	jo_int(o, (long long)w->index);
	jo_close(o, '}');
}

/*
 * The evidence object. Its strings were made valid UTF-8 when added; a
 * key that is not (never one of the checks' literals) sends the whole
 * object through tree_clean(), as the jansson evidence did.
 */
static void write_evidence(struct jo *o, const struct finding *f)
{
	struct ev_iter it;
	struct ev_item e;

	if (!finding_ev_keys_valid(f)) {
		jo_value(o, json_incref(finding_evidence(f)));
		return;
	}
	jo_open(o, '{');
	finding_ev_iter_init(&it, f);
	while (finding_ev_iter_next(&it, &e)) {
		const unsigned char *pos = e.strs;

		jo_sep(o);
		jo_escaped(o, e.key, e.key_len);
		jo_add(o, ": ", 2);
		switch (e.type) {
		case EV_NULL:
			jo_lit(o, "null");
			break;
		case EV_STR:
			jo_escaped(o, e.str, e.str_len);
			break;
		case EV_INT:
			jo_int(o, e.num);
			break;
		case EV_BOOL:
			jo_bool(o, e.num != 0);
			break;
		case EV_STRS:
			jo_open(o, '[');
			for (long long i = 0; i < e.num; i++) {
				size_t n;
				const char *v = finding_ev_strs_next(&pos, &n);

				jo_sep(o);
				jo_escaped(o, v, n);
			}
			jo_close(o, ']');
			break;
		}
	}
	jo_close(o, '}');
}

/* scratch: space for the finding's message and key */
static void write_finding(struct jo *o, const struct finding *f, struct sbuf *scratch)
{
	jo_open(o, '{');
	jo_key_text(o, "check", f->check->id);
	jo_key_text(o, "severity", severity_name(f->severity));
	jo_key(o, "subject");
	jo_open(o, '{');
	jo_key_text(o, "kind", finding_kind(f));
	jo_key_text(o, "sam", finding_sam(f));
	jo_key_text(o, "dn", finding_dn(f));
	jo_key_text(o, "sid", finding_sid(f));
	jo_key_text(o, "upn", finding_upn(f));
	jo_close(o, '}');
	jo_key_text(o, "message", finding_message(f, scratch));
	jo_key(o, "evidence");
	write_evidence(o, f);
	jo_key_text(o, "key", finding_key(f, scratch));
	if (f->waiver) {
		jo_key(o, "waiver");
		write_waiver(o, f->waiver);
	}
	if (f->change != CHANGE_NONE) {
		jo_key(o, "change");
		jo_lit(o, f->change == CHANGE_NEW ? "\"new\"" : "\"persisting\"");
	}
	jo_close(o, '}');
}

/*
 * The findings are most of a large report, and the lists of accounts
 * may be long too: a second thread formats every other chunk of a list
 * into memory while the main thread formats the others, and the main
 * thread adds the second thread's chunks to the report in their place.
 * Two slots take turns, so that thread is at most two chunks ahead, and
 * the memory it needs stays small.
 */
#define CHUNK_ITEMS 1024

/* Write item i of a list (ctx tells which); scratch is the thread's own. */
typedef void write_item_fn(struct jo *o, const void *ctx, size_t i, struct sbuf *scratch);

struct side {
	write_item_fn *write;
	const void *ctx;
	size_t nitems;
	int depth;                 /* of the items in the report */
	size_t nchunks;
	struct sbuf out[2];        /* chunk 2k + 1 is formatted into out[k % 2] */
	bool ready[2];             /* under lock: out[k] holds its chunk */
	bool stop;                 /* under lock: no more chunks are wanted */
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void write_chunk(struct jo *o, const struct side *s, size_t c, struct sbuf *scratch)
{
	size_t end = (c + 1) * CHUNK_ITEMS < s->nitems ? (c + 1) * CHUNK_ITEMS : s->nitems;

	for (size_t i = c * CHUNK_ITEMS; i < end && !jo_failed(o); i++) {
		jo_sep(o);
		s->write(o, s->ctx, i, scratch);
	}
}

static void *side_writer(void *arg)
{
	struct side *s = arg;
	struct sbuf scratch = SBUF_INIT;

	for (size_t c = 1; c < s->nchunks; c += 2) {
		size_t slot = (c / 2) % 2;
		bool stop;
		struct jo o;

		pthread_mutex_lock(&s->lock);
		while (s->ready[slot] && !s->stop)
			pthread_cond_wait(&s->cond, &s->lock);
		stop = s->stop;
		pthread_mutex_unlock(&s->lock);
		if (stop)
			break;
		sbuf_reset(&s->out[slot]);
		jo_begin_mem(&o, &s->out[slot], s->depth);
		write_chunk(&o, s, c, &scratch);
		jo_end_mem(&o);
		pthread_mutex_lock(&s->lock);
		s->ready[slot] = true;
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
	}
	sbuf_release(&scratch);
	return NULL;
}

static bool side_start(struct side *s, pthread_t *tid)
{
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	return thread_start(tid, side_writer, s);
}

static void side_stop(struct side *s, pthread_t tid)
{
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(tid, NULL);
}

/* The n items of a list, in order, formatted on two threads when it is long. */
static void write_items(struct jo *o, write_item_fn *write, const void *ctx, size_t n)
{
	struct side s = { .write = write, .ctx = ctx, .nitems = n, .depth = o->depth };
	struct sbuf scratch = SBUF_INIT;
	pthread_t tid;
	bool threaded = false;

	s.nchunks = (n + CHUNK_ITEMS - 1) / CHUNK_ITEMS;
	sbuf_init(&s.out[0]);
	sbuf_init(&s.out[1]);
	if (s.nchunks > 1)
		threaded = side_start(&s, &tid);
	/* a full disk fails a write: stop there, commit reports it */
	for (size_t c = 0; c < s.nchunks && !jo_failed(o); c++) {
		size_t slot = (c / 2) % 2;

		if (!threaded || c % 2 == 0) {
			write_chunk(o, &s, c, &scratch);
			continue;
		}
		pthread_mutex_lock(&s.lock);
		while (!s.ready[slot])
			pthread_cond_wait(&s.cond, &s.lock);
		pthread_mutex_unlock(&s.lock);
		jo_add(o, s.out[slot].buf, s.out[slot].len);
		pthread_mutex_lock(&s.lock);
		s.ready[slot] = false;
		pthread_cond_broadcast(&s.cond);
		pthread_mutex_unlock(&s.lock);
	}
	if (s.nchunks > 1) {
		if (threaded)
			side_stop(&s, tid);
		pthread_cond_destroy(&s.cond);
		pthread_mutex_destroy(&s.lock);
	}
	sbuf_release(&s.out[0]);
	sbuf_release(&s.out[1]);
	sbuf_release(&scratch);
}

/*
 * Findings are written in their sorted order, not in that of their
 * making, so each one's strings (in the directory and the audit's arena)
 * lie far from the last one's, and reading them waits on memory, which
 * prefetch instructions were measured not to hide. So every FETCH_AHEAD
 * findings, the next FETCH_AHEAD findings and then their strings are
 * read in two tight loops, whose loads wait for memory together rather
 * than one after the other.
 */
#define FETCH_AHEAD 16

static unsigned char touch(const void *p)
{
	return p ? *(const volatile unsigned char *)p : 0;
}

static void fetch_findings(const struct audit *a, size_t i)
{
	size_t end = i + FETCH_AHEAD < a->nfindings ? i + FETCH_AHEAD : a->nfindings;
	unsigned sum = 0;

	for (size_t k = i; k < end; k++)
		sum += touch(a->findings[k]) + touch(&a->findings[k]->message);
	for (size_t k = i; k < end; k++) {
		const struct finding *f = a->findings[k];

		sum += touch(f->obj) + touch(f->subject) + touch(f->message) + touch(f->ev);
	}
	for (size_t k = i; k < end; k++) {
		const struct finding *f = a->findings[k];

		sum += touch(finding_sam(f)) + touch(finding_dn(f)) + touch(finding_sid(f)) +
		       touch(finding_upn(f));
	}
	(void)sum;
}

static void finding_at(struct jo *o, const void *ctx, size_t i, struct sbuf *key)
{
	const struct audit *a = ctx;

	if (i % FETCH_AHEAD == 0)
		fetch_findings(a, i + FETCH_AHEAD);
	write_finding(o, a->findings[i], key);
}

static void write_findings(struct jo *o, const struct audit *a)
{
	write_items(o, finding_at, a, a->nfindings);
}

/* Accounts */

struct bit_name {
	uint32_t bit;
	const char *name;
};

/* The userAccountControl flags an auditor looks at, in bit order. */
static const struct bit_name uac_flags[] = {
	{ UAC_ACCOUNTDISABLE, "ACCOUNTDISABLE" },
	{ UAC_PASSWD_NOTREQD, "PASSWD_NOTREQD" },
	{ UAC_ENCRYPTED_TEXT_PWD_ALLOWED, "ENCRYPTED_TEXT_PWD_ALLOWED" },
	{ UAC_DONT_EXPIRE_PASSWORD, "DONT_EXPIRE_PASSWORD" },
	{ UAC_SMARTCARD_REQUIRED, "SMARTCARD_REQUIRED" },
	{ UAC_TRUSTED_FOR_DELEGATION, "TRUSTED_FOR_DELEGATION" },
	{ UAC_NOT_DELEGATED, "NOT_DELEGATED" },
	{ UAC_USE_DES_KEY_ONLY, "USE_DES_KEY_ONLY" },
	{ UAC_DONT_REQ_PREAUTH, "DONT_REQ_PREAUTH" },
	{ UAC_TRUSTED_TO_AUTH_FOR_DELEGATION, "TRUSTED_TO_AUTH_FOR_DELEGATION" },
};

static const struct bit_name mfa_names[] = {
	{ MFA_SRC_GROUP, "group" },
	{ MFA_SRC_SMARTCARD, "smartcard" },
	{ MFA_SRC_ATTRIBUTE, "attribute" },
	{ MFA_SRC_CSV, "csv" },
};

/* The names of the bits of the table set in bits, in table order. */
static size_t bit_names(const struct bit_name *table, size_t n, uint32_t bits,
			const char **names)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (bits & table[i].bit)
			names[k++] = table[i].name;
	return k;
}

size_t report_uac_names(uint32_t uac, const char **names)
{
	return bit_names(uac_flags, sizeof(uac_flags) / sizeof(uac_flags[0]), uac, names);
}

size_t report_mfa_names(unsigned sources, const char **names)
{
	return bit_names(mfa_names, sizeof(mfa_names) / sizeof(mfa_names[0]), sources, names);
}

/*
 * sAMAccountName order, byte by byte as the engine sorts findings, so that
 * both lists read alike; then the DN, for a total order.
 */
static int account_cmp(const void *pa, const void *pb)
{
	const struct account *x = *(const struct account *const *)pa;
	const struct account *y = *(const struct account *const *)pb;
	int r = str_cmp_null(x->h.sam, y->h.sam);

	if (r)
		return r;
	return dir_obj_ndn_cmp(&x->h, &y->h);
}

static const char *account_sam(const void *p)
{
	return (*(const struct account *const *)p)->h.sam;
}

const struct account **report_accounts(const struct dir *d, bool vpn, size_t *n)
{
	const struct account **v = xcalloc(d->naccounts ? d->naccounts : 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < d->naccounts; i++)
		if (vpn ? d->accounts[i]->vpn : d->accounts[i]->privileged)
			v[(*n)++] = d->accounts[i];
	str_sort_by_name(v, *n, sizeof(*v), account_sam, account_cmp);
	return v;
}

static void write_names(struct jo *o, const char *const *names, size_t n)
{
	jo_open(o, '[');
	for (size_t i = 0; i < n; i++) {
		jo_sep(o);
		jo_text(o, names[i]);
	}
	jo_close(o, ']');
}

/*
 * One account of "privileged_accounts" and "vpn_accounts": sam, dn, sid,
 * kind, enabled, path, last_logon, pwd_last_set, must_change, mfa,
 * mfa_sources, vpn, spn, flags, protected_users.
 */
static void write_account(struct jo *o, const struct account *acc)
{
	const char *names[REPORT_MAX_NAMES];

	jo_open(o, '{');
	jo_key_text(o, "sam", acc->h.sam);
	jo_key_text(o, "dn", acc->h.dn);
	jo_key_text(o, "sid", acc->h.sid);
	jo_key_text(o, "kind", dir_kind_name(acc->h.kind));
	jo_key(o, "enabled");
	jo_bool(o, acc->enabled);
	jo_key_text(o, "path", acc->priv_path);
	jo_key(o, "last_logon");
	jo_time(o, acc->last_logon_eff);
	jo_key(o, "pwd_last_set");
	jo_time(o, acc->pwd_state == PWD_SET ? acc->pwd_last_set : TIME_NEVER);
	jo_key(o, "must_change");
	jo_bool(o, acc->pwd_state == PWD_MUST_CHANGE);
	jo_key(o, "mfa");
	jo_bool(o, acc->mfa_sources != 0);
	jo_key(o, "mfa_sources");
	write_names(o, names, report_mfa_names(acc->mfa_sources, names));
	jo_key(o, "vpn");
	jo_bool(o, acc->vpn);
	jo_key(o, "spn");
	jo_int(o, (long long)acc->nspns);
	jo_key(o, "flags");
	write_names(o, names, report_uac_names(acc->uac, names));
	jo_key(o, "protected_users");
	jo_bool(o, acc->protected_users);
	jo_close(o, '}');
}

static void account_at(struct jo *o, const void *ctx, size_t i, struct sbuf *scratch)
{
	const struct account *const *v = ctx;

	(void)scratch;
	write_account(o, v[i]);
}

static void write_accounts(struct jo *o, const struct dir *d, const char *key, bool vpn)
{
	size_t n;
	const struct account **v = report_accounts(d, vpn, &n);

	jo_key_str(o, key);
	jo_open(o, '[');
	write_items(o, account_at, v, n);
	jo_close(o, ']');
	free(v);
}

/*
 * The report to out; the errno of a failed write, or 0 (out's error flag
 * is set too). own: out is a new file of ours, which may be written past
 * the page cache (not standard output, which others write to after us).
 */
static int json_stream(FILE *out, const struct audit *a, const struct report_meta *m, bool own)
{
	static const struct report_meta none;
	struct jo o;
	struct readiness ready;
	json_t *tool = json_object();
	size_t nchecks = registry_count();

	if (!m)
		m = &none;
	/* a finding takes some 800 bytes, an account in the lists 500 */
	jo_begin(&o, out, own ? a->nfindings * 512 : 0);
	jo_member(&o, "schema", json_string(SCHEMA));
	json_object_set_new(tool, "name", json_string("privaudit"));
	json_object_set_new(tool, "version",
			    report_json_str(m->tool_version ? m->tool_version : PRIVAUDIT_VERSION));
	jo_member(&o, "tool", tool);
	jo_member(&o, "generated_at", report_json_time(m->generated_at));
	jo_member(&o, "evaluated_at", report_json_time(m->evaluated_at));
	jo_member(&o, "source", source_json(a, m));
	jo_member(&o, "policy", policy_json(a->policy));
	jo_member(&o, "summary", summary_json(&a->summary));
	readiness_compute(&ready, a);
	if (ready.computed)
		jo_member(&o, "readiness", readiness_json(&ready));
	readiness_release(&ready);

	jo_key(&o, "checks");
	jo_open(&o, '[');
	for (size_t i = 0; i < nchecks; i++) {
		jo_sep(&o);
		jo_value(&o, check_json(a, i));
	}
	jo_close(&o, ']');

	jo_key(&o, "findings");
	jo_open(&o, '[');
	write_findings(&o, a);
	jo_close(&o, ']');

	if (m->resolved)
		jo_member(&o, "resolved", json_incref((json_t *)m->resolved));
	write_accounts(&o, a->dir, "privileged_accounts", false);
	write_accounts(&o, a->dir, "vpn_accounts", true);
	return jo_end(&o);
}

void report_json_stream(FILE *out, const struct audit *a, const struct report_meta *m)
{
	json_stream(out, a, m, false);
}

int report_json_write(const struct audit *a, const struct report_meta *m,
		      const char *path, struct error *err)
{
	struct outfile o;

	if (outfile_open(&o, path, err) < 0)
		return -1;
	o.error = json_stream(o.fp, a, m, !o.is_stdout);
	return outfile_commit(&o, err);
}
