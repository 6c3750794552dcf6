/*
 * LDIF reader (see ldif.h). Physical lines are read with getline(); a
 * logical line is complete when the next physical line does not start with
 * a space. A record's logical lines are kept in one buffer and handed over
 * as a raw_entry when a blank line or the end of the file closes it.
 */
#include "ldif.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "exitcode.h"
#include "sbuf.h"
#include "strutil.h"
#include "xalloc.h"

struct pending_attr {
	size_t name_off, name_len;
	size_t val_off, val_len;
	size_t line, col;
};

struct reader {
	const char *name;
	dir_entry_fn *fn;
	void *data;
	struct error *err;

	struct sbuf logical;     /* the logical line being assembled */
	size_t logical_line;     /* its first physical line number */
	struct segment {
		size_t off;          /* where it starts in the logical line */
		size_t line, col;    /* and in the file */
	} *segs;                 /* the physical lines it was folded from */
	size_t nsegs, segs_alloc;
	bool logical_comment;    /* it is a comment (folded comments too) */
	bool have_logical;

	struct sbuf rec;         /* names and values of the current record */
	bool in_record, seen_version;
	size_t dn_off, dn_len, dn_line;
	bool have_dn;
	struct pending_attr *attrs;
	size_t nattrs, attrs_alloc;
	size_t nlogical;         /* logical lines in the file so far */

	struct raw_attr *raw;
	size_t raw_alloc;
	struct raw_value *vals;
	size_t vals_alloc;
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

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode base64 in s[0..len) appending to out; returns the bad offset or -1. */
static long b64_decode(const char *s, size_t len, struct sbuf *out)
{
	unsigned acc = 0;
	int bits = 0;
	size_t i, pad = 0, n = 0;

	while (len && s[len - 1] == ' ')
		len--;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;

		if (c == '=') {
			pad++;
			continue;
		}
		if (pad)
			return (long)i;
		v = b64val(c);
		if (v < 0)
			return (long)i;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		n++;
		if (bits >= 8) {
			bits -= 8;
			sbuf_addch(out, (char)((acc >> bits) & 0xff));
		}
	}
	if (pad > 2 || (n + pad) % 4 != 0 || (n % 4 == 1))
		return (long)len;
	return -1;
}

static bool valid_attr_name(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == ';' || c == '=' ||
		      c == '.' || c == '_'))
			return false;
	}
	return true;
}

static void reset_record(struct reader *r)
{
	sbuf_reset(&r->rec);
	r->nattrs = 0;
	r->have_dn = false;
	r->in_record = false;
}

static int emit_record(struct reader *r)
{
	struct raw_entry e;
	size_t i;
	int ret;

	if (!r->in_record)
		return 0;
	if (!r->have_dn) {
		reset_record(r);
		return 0;
	}
	xgrow(&r->raw, &r->raw_alloc, r->nattrs, sizeof(*r->raw));
	xgrow(&r->vals, &r->vals_alloc, r->nattrs, sizeof(*r->vals));
	/* names are NUL-terminated inside rec: see add_attr */
	for (i = 0; i < r->nattrs; i++) {
		struct pending_attr *p = &r->attrs[i];

		r->vals[i].val = r->rec.buf + p->val_off;
		r->vals[i].len = p->val_len;
		r->raw[i].name = r->rec.buf + p->name_off;
		r->raw[i].vals = &r->vals[i];
		r->raw[i].nvals = 1;
		r->raw[i].line = p->line;
		r->raw[i].col = p->col;
	}
	e.dn = r->rec.buf + r->dn_off;
	e.attrs = r->raw;
	e.nattrs = r->nattrs;
	e.origin = r->name;
	e.line = r->dn_line;
	ret = r->fn(r->data, &e, r->err);
	reset_record(r);
	return ret;
}

/* Append name and value (each NUL-terminated) to the record buffer. */
static void add_attr(struct reader *r, const char *name, size_t nlen, size_t line, size_t col,
		     size_t *val_off)
{
	struct pending_attr *p;

	xgrow(&r->attrs, &r->attrs_alloc, r->nattrs + 1, sizeof(*r->attrs));
	p = &r->attrs[r->nattrs++];
	p->name_off = r->rec.len;
	p->name_len = nlen;
	sbuf_add(&r->rec, name, nlen);
	sbuf_addch(&r->rec, '\0');
	p->val_off = r->rec.len;
	p->line = line;
	p->col = col;
	*val_off = r->rec.len;
}

static int process_logical(struct reader *r)
{
	const char *s = r->logical.buf;
	size_t len = r->logical.len;
	const char *colon = memchr(s, ':', len);
	size_t nlen, vstart, val_off;
	bool b64 = false;
	struct pending_attr *p;

	if (!colon)
		return fail_at(r, 0, "expected \"attribute: value\"");
	nlen = (size_t)(colon - s);
	if (!valid_attr_name(s, nlen))
		return fail_at(r, 0, "invalid attribute name");
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

	{
		size_t vline, vcol;

		position(r, vstart, &vline, &vcol);
		add_attr(r, s, nlen, vline, vcol, &val_off);
	}
	if (b64) {
		long bad = b64_decode(s + vstart, len - vstart, &r->rec);

		if (bad >= 0) {
			r->nattrs--;
			return fail_at(r, vstart + (size_t)bad, "invalid base64 value");
		}
	} else {
		sbuf_add(&r->rec, s + vstart, len - vstart);
	}
	p = &r->attrs[r->nattrs - 1];
	p->val_len = r->rec.len - val_off;
	sbuf_addch(&r->rec, '\0');

	if (str_nieq(s, nlen, "dn")) {
		if (r->have_dn)
			return fail_at(r, 0, "second \"dn:\" in one record");
		if (!p->val_len)
			return fail_at(r, vstart, "empty DN");
		r->have_dn = true;
		r->dn_off = p->val_off;
		r->dn_len = p->val_len;
		r->dn_line = r->logical_line;
		r->nattrs--;
	} else if (str_nieq(s, nlen, "changetype")) {
		const char *v = r->rec.buf + p->val_off;

		if (!str_ieq(v, "add"))
			return fail_at(r, vstart,
				    "unsupported changetype \"%s\" (an export holds entries only)", v);
		r->nattrs--;
	} else if (str_nieq(s, nlen, "control")) {
		return fail_at(r, 0, "LDIF controls are not supported");
	}
	return 0;
}

static int flush_logical(struct reader *r)
{
	int ret = 0;

	if (r->have_logical && !r->logical_comment)
		ret = process_logical(r);
	r->have_logical = false;
	sbuf_reset(&r->logical);
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

static int feed_line(struct reader *r, char *buf, size_t len, size_t lineno)
{
	const char *nul;

	if (lineno == 1 && len >= 2 && ((unsigned char)buf[0] == 0xff || (unsigned char)buf[0] == 0xfe) &&
	    ((unsigned char)buf[1] ^ (unsigned char)buf[0]) == 0x01)
		return fail(r, 1, 1, "UTF-16 text (as `ldifde -u` writes): convert it to UTF-8 first");
	if (lineno == 1 && len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		/* a UTF-8 byte-order mark, as Notepad and PowerShell write */
		buf += 3;
		len -= 3;
	}
	nul = memchr(buf, '\0', len);

	if (nul)
		return fail(r, lineno, (size_t)(nul - buf) + 1, "NUL byte in the file (not LDIF text)");
	if (len && buf[len - 1] == '\n')
		len--;
	if (len && buf[len - 1] == '\r')
		len--;
	if (len && buf[0] == ' ') {
		if (!r->have_logical)
			return fail(r, lineno, 1, "continuation line without a line to continue");
		if (!r->logical_comment) {
			add_segment(r, r->logical.len, lineno, 2);
			sbuf_add(&r->logical, buf + 1, len - 1);
		}
		return 0;
	}
	if (flush_logical(r) < 0)
		return -1;
	if (len == 0)
		return emit_record(r);
	r->have_logical = true;
	r->logical_line = lineno;
	r->nsegs = 0;
	add_segment(r, 0, lineno, 1);
	r->logical_comment = buf[0] == '#';
	if (!r->logical_comment)
		sbuf_add(&r->logical, buf, len);
	return 0;
}

static void reader_release(struct reader *r)
{
	sbuf_release(&r->logical);
	sbuf_release(&r->rec);
	free(r->attrs);
	free(r->segs);
	free(r->raw);
	free(r->vals);
}

static void reader_init(struct reader *r, const char *name, dir_entry_fn *fn, void *data,
			struct error *err)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->fn = fn;
	r->data = data;
	r->err = err;
	sbuf_init(&r->logical);
	sbuf_init(&r->rec);
}

static int reader_finish(struct reader *r)
{
	if (flush_logical(r) < 0 || emit_record(r) < 0)
		return -1;
	return 0;
}

int ldif_read(FILE *fp, const char *name, dir_entry_fn *fn, void *data, struct error *err)
{
	struct reader r;
	char *buf = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int ret = -1;

	reader_init(&r, name, fn, data, err);
	while ((n = getline(&buf, &cap, fp)) >= 0) {
		if (feed_line(&r, buf, (size_t)n, ++lineno) < 0)
			goto out;
	}
	if (ferror(fp)) {
		error_set(err, EXIT_INPUT, "%s: read error: %s", name, strerror(errno));
		goto out;
	}
	ret = reader_finish(&r);
out:
	free(buf);
	reader_release(&r);
	return ret;
}

int ldif_load(struct dir *d, const char *path, struct error *err)
{
	FILE *fp;
	int ret;

	if (strcmp(path, "-") == 0)
		return ldif_read(stdin, "<stdin>", dir_add_cb, d, err);
	fp = fopen(path, "r");
	if (!fp)
		return error_set(err, EXIT_INPUT, "%s: cannot open: %s", path, strerror(errno));
	ret = ldif_read(fp, path, dir_add_cb, d, err);
	fclose(fp);
	return ret;
}

int ldif_load_mem(struct dir *d, const char *text, size_t len, const char *name,
		  struct error *err)
{
	struct reader r;
	size_t lineno = 0, i = 0;
	int ret = -1;

	reader_init(&r, name, dir_add_cb, d, err);
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) + 1 : len - i;
		char *line = xstrndup(text + i, n);

		ret = feed_line(&r, line, n, ++lineno);
		free(line);
		if (ret < 0)
			goto out;
		i += n;
	}
	ret = reader_finish(&r);
out:
	reader_release(&r);
	return ret;
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
