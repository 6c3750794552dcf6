/*
 * csv: a streaming RFC 4180 reader for the exports privaudit takes as
 * evidence (MFA enrollment from Duo, Okta or Entra; VPN gateway activity).
 *
 * Accepted: a header row (the first record), quoted fields with doubled
 * quotes ("say ""hi""") and embedded commas, CR and LF, a UTF-8 byte-order
 * mark, CRLF or LF line ends (a lone CR counts as one too), an optional
 * final line end. Empty lines between records are skipped (exports often
 * end with one); every other record must have as many fields as the
 * header. Fields must be valid UTF-8 and hold no NUL byte.
 *
 * The reader is streaming: it keeps one record in memory at a time (at
 * most CSV_RECORD_MAX bytes), whatever the size of the file.
 *
 * Errors are EXIT_INPUT with "NAME:LINE: message" or "NAME:LINE:COLUMN:
 * message": LINE is the record's first physical line (1-based) for record
 * errors (a wrong number of fields), and the position of the offending
 * character for syntax errors (an unterminated quote is reported where it
 * opened). COLUMN counts characters, not bytes, from 1. The first error
 * stops the read.
 */
#ifndef PRIVAUDIT_CSV_H
#define PRIVAUDIT_CSV_H

#include <stddef.h>
#include <stdio.h>

struct error;

#define CSV_RECORD_MAX (1024 * 1024)

/* One record; everything is borrowed and valid during the callback only. */
struct csv_record {
	const char *name;          /* the file name used in messages */
	size_t index;              /* 0: the header; then 1, 2, ... */
	size_t line;               /* first physical line of the record */
	const char *const *fields; /* NUL-terminated */
	const size_t *lens;        /* byte lengths */
	size_t nfields;
};

/*
 * Called once per record, the header first. Returning non-zero stops the
 * read; csv_read*() then return -1 (the callback sets err).
 */
typedef int csv_record_fn(void *data, const struct csv_record *r, struct error *err);

/* Read from an open stream; name is used in messages. */
int csv_read(FILE *fp, const char *name, csv_record_fn *fn, void *data, struct error *err);
/* Read from memory (tests, small inputs). */
int csv_read_mem(const char *buf, size_t len, const char *name, csv_record_fn *fn, void *data,
		 struct error *err);

/*
 * The index of the column called name in the header hdr: exact match
 * first, else ASCII case-insensitive, spaces around header names ignored.
 * A missing or ambiguous column is an error: -1, err EXIT_INPUT
 * "NAME:LINE: no column \"upn\" in the header (columns: a, b, c)".
 */
int csv_find_column(const struct csv_record *hdr, const char *name, size_t *idx,
		    struct error *err);

#endif
