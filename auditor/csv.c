/*
 * A streaming RFC 4180 reader (see csv.h). One state machine over the
 * bytes, fed from a stream through a fixed buffer or from memory, builds
 * one record at a time and hands it to the caller. Positions are tracked
 * byte by byte so that every error names the line and, for syntax errors,
 * the column of the offending character.
 */
#include "csv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "exitcode.h"
#include "sbuf.h"
#include "strutil.h"
#include "utf8.h"
#include "xalloc.h"

#define CSV_BUF 65536
#define CSV_EOF (-1)

struct pos {
	size_t line, col;
};

struct reader {
	const char *name;
	FILE *fp;                   /* NULL: reading from memory */
	const unsigned char *p, *end;
	unsigned char *buf;         /* stream buffer */
	bool eof;

	struct pos next;            /* line, and characters already seen on it */
	struct pos at;              /* position of the byte just read */

	struct sbuf rec;            /* the fields, each NUL-terminated */
	size_t *offs, *lens;
	size_t nfields, alloc;
	const char **ptrs;
	size_t ptrs_alloc;
	size_t header_fields, index;
};

static int fill(struct reader *r, struct error *err)
{
	size_t n;

	if (!r->fp || r->eof)
		return 0;
	n = fread(r->buf, 1, CSV_BUF, r->fp);
	if (n < CSV_BUF) {
		if (ferror(r->fp))
			return error_set(err, EXIT_INPUT, "%s: cannot read: %s", r->name,
					 strerror(errno ? errno : EIO));
		r->eof = true;
	}
	r->p = r->buf;
	r->end = r->buf + n;
	return 0;
}

/* The next byte or CSV_EOF without consuming it; -2 on a read error. */
static int peek(struct reader *r, struct error *err)
{
	if (r->p == r->end) {
		if (fill(r, err) < 0)
			return -2;
		if (r->p == r->end)
			return CSV_EOF;
	}
	return *r->p;
}

/*
 * Consume the next byte, recording its position in r->at. Columns count
 * characters: a UTF-8 continuation byte belongs to the character before.
 */
static int get(struct reader *r, struct error *err)
{
	int c = peek(r, err);

	if (c < 0)
		return c;
	r->p++;
	if ((c & 0xc0) == 0x80) {
		r->at.line = r->next.line;
		r->at.col = r->next.col ? r->next.col : 1;
		return c;
	}
	r->at.line = r->next.line;
	r->at.col = ++r->next.col;
	if (c == '\n') {
		r->next.line++;
		r->next.col = 0;
	} else if (c == '\r') {
		int n = peek(r, err);

		if (n == -2)
			return -2;
		if (n != '\n') {
			/* a lone CR ends a line (old Mac exports) */
			r->next.line++;
			r->next.col = 0;
		}
	}
	return c;
}

/* After a CR: swallow the LF of a CRLF pair, keeping it when asked. */
static int eat_lf(struct reader *r, bool keep, struct error *err)
{
	int n = peek(r, err);

	if (n == -2)
		return -1;
	if (n == '\n') {
		get(r, err);
		if (keep)
			sbuf_addch(&r->rec, '\n');
	}
	return 0;
}

static int field_end(struct reader *r, struct pos start, struct error *err)
{
	size_t off = r->nfields ? r->offs[r->nfields - 1] + r->lens[r->nfields - 1] + 1 : 0;
	size_t len = r->rec.len - off;

	if (!utf8_valid(r->rec.buf + off, len))
		return error_set(err, EXIT_INPUT, "%s:%zu:%zu: field %zu is not valid UTF-8",
				 r->name, start.line, start.col, r->nfields + 1);
	if (r->nfields == r->alloc) {
		size_t a = r->alloc;

		xgrow(&r->offs, &a, r->nfields + 1, sizeof(*r->offs));
		a = r->alloc;
		xgrow(&r->lens, &a, r->nfields + 1, sizeof(*r->lens));
		r->alloc = a;
	}
	r->offs[r->nfields] = off;
	r->lens[r->nfields] = len;
	r->nfields++;
	sbuf_addch(&r->rec, '\0');
	return 0;
}

static int record_end(struct reader *r, size_t line, csv_record_fn *fn, void *data,
		      struct error *err)
{
	struct csv_record rec;

	if (r->index == 0) {
		r->header_fields = r->nfields;
	} else if (r->nfields != r->header_fields) {
		return error_set(err, EXIT_INPUT, "%s:%zu: record has %zu field%s, the header has %zu",
				 r->name, line, r->nfields, r->nfields == 1 ? "" : "s",
				 r->header_fields);
	}
	xgrow(&r->ptrs, &r->ptrs_alloc, r->nfields + 1, sizeof(*r->ptrs));
	for (size_t i = 0; i < r->nfields; i++)
		r->ptrs[i] = r->rec.buf + r->offs[i];
	rec.name = r->name;
	rec.index = r->index;
	rec.line = line;
	rec.fields = r->ptrs;
	rec.lens = r->lens;
	rec.nfields = r->nfields;
	if (fn(data, &rec, err) != 0)
		return error_set(err, EXIT_INPUT, "%s:%zu: record rejected", r->name, line);
	r->index++;
	r->nfields = 0;
	sbuf_reset(&r->rec);
	return 0;
}

enum state {
	FIELD_START,
	UNQUOTED,
	QUOTED,
	QUOTE_SEEN,   /* a quote inside a quoted field: doubled or closing */
};

static int check_bom(struct reader *r, struct error *err)
{
	if (peek(r, err) == -2)
		return -1;
	if (r->end - r->p >= 3 && r->p[0] == 0xef && r->p[1] == 0xbb && r->p[2] == 0xbf) {
		r->p += 3;
		return 0;
	}
	if (r->end - r->p >= 2 && ((r->p[0] == 0xff && r->p[1] == 0xfe) ||
				   (r->p[0] == 0xfe && r->p[1] == 0xff)))
		return error_set(err, EXIT_INPUT, "%s:1:1: UTF-16 text: export the file as UTF-8",
				 r->name);
	return 0;
}

static int parse(struct reader *r, csv_record_fn *fn, void *data, struct error *err)
{
	enum state st = FIELD_START;
	struct pos field_start = { 1, 1 }, quote_at = { 1, 1 };
	size_t rec_line = 1;
	bool in_record = false;

	if (check_bom(r, err) < 0)
		return -1;
	for (;;) {
		int c = get(r, err);
		bool eol = c == '\r' || c == '\n';

		if (c == -2)
			return -1;
		if (c == 0)
			return error_set(err, EXIT_INPUT, "%s:%zu:%zu: NUL byte in the text",
					 r->name, r->at.line, r->at.col);
		if (r->rec.len > CSV_RECORD_MAX)
			return error_set(err, EXIT_INPUT, "%s:%zu: record longer than %d bytes",
					 r->name, rec_line, CSV_RECORD_MAX);
		switch (st) {
		case FIELD_START:
			if (!in_record) {
				if (c == CSV_EOF)
					goto done;
				if (eol) {
					/* an empty line between records: skipped */
					if (c == '\r' && eat_lf(r, false, err) < 0)
						return -1;
					continue;
				}
				in_record = true;
				rec_line = r->at.line;
			}
			field_start = r->at;
			if (c == '"') {
				quote_at = r->at;
				st = QUOTED;
			} else if (c == ',') {
				if (field_end(r, field_start, err) < 0)
					return -1;
			} else if (eol || c == CSV_EOF) {
				goto end_record;
			} else {
				sbuf_addch(&r->rec, (char)c);
				st = UNQUOTED;
			}
			break;
		case UNQUOTED:
			if (c == ',') {
				if (field_end(r, field_start, err) < 0)
					return -1;
				st = FIELD_START;
			} else if (eol || c == CSV_EOF) {
				goto end_record;
			} else if (c == '"') {
				return error_set(err, EXIT_INPUT,
						 "%s:%zu:%zu: quote inside an unquoted field "
						 "(quote the whole field and double the quote)",
						 r->name, r->at.line, r->at.col);
			} else {
				sbuf_addch(&r->rec, (char)c);
			}
			break;
		case QUOTED:
			if (c == '"') {
				st = QUOTE_SEEN;
			} else if (c == CSV_EOF) {
				return error_set(err, EXIT_INPUT,
						 "%s:%zu:%zu: unterminated quoted field (the quote "
						 "opened here is never closed)",
						 r->name, quote_at.line, quote_at.col);
			} else {
				sbuf_addch(&r->rec, (char)c);
				if (c == '\r' && eat_lf(r, true, err) < 0)
					return -1;
			}
			break;
		case QUOTE_SEEN:
			if (c == '"') {
				sbuf_addch(&r->rec, '"');
				st = QUOTED;
			} else if (c == ',') {
				if (field_end(r, field_start, err) < 0)
					return -1;
				st = FIELD_START;
			} else if (eol || c == CSV_EOF) {
				goto end_record;
			} else {
				return error_set(err, EXIT_INPUT,
						 "%s:%zu:%zu: unexpected character after the closing "
						 "quote of a field (expected a comma or a line end)",
						 r->name, r->at.line, r->at.col);
			}
			break;
		}
		continue;
end_record:
		if (c == '\r' && eat_lf(r, false, err) < 0)
			return -1;
		if (field_end(r, field_start, err) < 0 || record_end(r, rec_line, fn, data, err) < 0)
			return -1;
		st = FIELD_START;
		in_record = false;
		if (c == CSV_EOF)
			goto done;
	}
done:
	if (r->index == 0)
		return error_set(err, EXIT_INPUT, "%s:1: empty file: expected a header row", r->name);
	return 0;
}

static int run(struct reader *r, csv_record_fn *fn, void *data, struct error *err)
{
	int rc;

	r->next.line = 1;
	sbuf_init(&r->rec);
	rc = parse(r, fn, data, err);
	sbuf_release(&r->rec);
	free(r->offs);
	free(r->lens);
	free(r->ptrs);
	free(r->buf);
	return rc;
}

int csv_read(FILE *fp, const char *name, csv_record_fn *fn, void *data, struct error *err)
{
	struct reader r;

	memset(&r, 0, sizeof(r));
	r.name = name;
	r.fp = fp;
	r.buf = xmalloc(CSV_BUF);
	r.p = r.end = r.buf;
	errno = 0;
	return run(&r, fn, data, err);
}

int csv_read_mem(const char *buf, size_t len, const char *name, csv_record_fn *fn, void *data,
		 struct error *err)
{
	struct reader r;

	memset(&r, 0, sizeof(r));
	r.name = name;
	r.p = (const unsigned char *)buf;
	r.end = r.p + len;
	r.eof = true;
	return run(&r, fn, data, err);
}

/* s[0..len) without ASCII spaces and tabs around it. */
static void trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

/* How many header names equal name (exactly or ignoring ASCII case); *first gets the first. */
static size_t count_columns(const struct csv_record *hdr, const char *name, bool exact,
			    size_t *first)
{
	size_t nlen = strlen(name), n = 0;

	for (size_t i = 0; i < hdr->nfields; i++) {
		const char *s = hdr->fields[i];
		size_t len = hdr->lens[i];

		trim(&s, &len);
		if (len != nlen || (exact ? memcmp(s, name, nlen) != 0 : !str_nieq(s, len, name)))
			continue;
		if (!n++)
			*first = i;
	}
	return n;
}

int csv_find_column(const struct csv_record *hdr, const char *name, size_t *idx,
		    struct error *err)
{
	struct sbuf cols = SBUF_INIT;
	size_t n;

	/* an exact match wins over case-insensitive ones */
	n = count_columns(hdr, name, true, idx);
	if (!n)
		n = count_columns(hdr, name, false, idx);
	if (n == 1)
		return 0;
	for (size_t i = 0; i < hdr->nfields; i++)
		sbuf_addf(&cols, "%s\"%s\"", i ? ", " : "", hdr->fields[i]);
	if (n > 1)
		error_set(err, EXIT_INPUT, "%s:%zu: column \"%s\" appears %zu times in the header",
			  hdr->name, hdr->line, name, n);
	else
		error_set(err, EXIT_INPUT, "%s:%zu: no column \"%s\" in the header (columns: %s)",
			  hdr->name, hdr->line, name, cols.buf);
	sbuf_release(&cols);
	return -1;
}
