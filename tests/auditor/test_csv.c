/*
 * Tests for auditor/csv.c: every RFC 4180 feature (quotes, doubled
 * quotes, embedded commas and line ends, BOM, CRLF/LF, optional final line
 * end), streaming through a real file across buffer boundaries, and each
 * error with its FILE:LINE[:COLUMN].
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../auditor/csv.h"
#include "../../auditor/error.h"
#include "../../auditor/exitcode.h"
#include "../../auditor/sbuf.h"
#include "../../auditor/xalloc.h"

/* Records collected as "field|field|...\n", with each record's line. */
struct got {
	struct sbuf text;
	size_t lines[64];
	size_t nrecords;
	size_t stop_at;       /* return -1 at this record index (0: never) */
};

static int collect(void *data, const struct csv_record *r, struct error *err)
{
	struct got *g = data;

	cr_assert_eq(r->index, g->nrecords);
	if (g->stop_at && r->index == g->stop_at)
		return error_set(err, EXIT_INPUT, "%s:%zu: stopped by the callback", r->name, r->line);
	if (g->nrecords < 64)
		g->lines[g->nrecords] = r->line;
	g->nrecords++;
	for (size_t i = 0; i < r->nfields; i++) {
		cr_assert_eq(strlen(r->fields[i]), r->lens[i]);
		sbuf_addf(&g->text, "%s%s", i ? "|" : "", r->fields[i]);
	}
	sbuf_addch(&g->text, '\n');
	return 0;
}

static int parse(const char *text, size_t len, struct got *g, struct error *err)
{
	memset(g, 0, sizeof(*g));
	sbuf_init(&g->text);
	return csv_read_mem(text, len, "t.csv", collect, g, err);
}

/* Parse text (must succeed) and return what was collected (new). */
static char *ok(const char *text)
{
	struct got g;
	struct error err = ERROR_INIT;

	cr_assert_eq(parse(text, strlen(text), &g, &err), 0, "unexpected error: %s", err.msg);
	return sbuf_detach(&g.text);
}

/* Parse text (must fail) and return the message. */
static const char *fails(const char *text, size_t len)
{
	static struct error err;
	struct got g;

	memset(&err, 0, sizeof(err));
	cr_assert_eq(parse(text, len, &g, &err), -1, "parsed: %s", g.text.buf);
	cr_assert_eq(err.code, EXIT_INPUT);
	sbuf_release(&g.text);
	return err.msg;
}

#define FAILS(text) fails(text, sizeof(text) - 1)

Test(csv, plain_records_with_header)
{
	char *s = ok("upn,name\nalice@corp,Alice\nbob@corp,Bob\n");

	cr_assert_str_eq(s, "upn|name\nalice@corp|Alice\nbob@corp|Bob\n");
	free(s);
}

Test(csv, final_line_end_is_optional)
{
	char *s = ok("a,b\n1,2");

	cr_assert_str_eq(s, "a|b\n1|2\n");
	free(s);
}

Test(csv, crlf_line_ends)
{
	char *s = ok("a,b\r\n1,2\r\n3,4\r\n");

	cr_assert_str_eq(s, "a|b\n1|2\n3|4\n");
	free(s);
}

Test(csv, lone_cr_ends_a_line)
{
	char *s = ok("a,b\r1,2\r");

	cr_assert_str_eq(s, "a|b\n1|2\n");
	free(s);
}

Test(csv, quoted_fields_with_commas_quotes_and_newlines)
{
	char *s = ok("name,note\n"
		     "\"Doe, Jane\",\"she said \"\"hi\"\"\"\n"
		     "\"multi\nline\",\"crlf\r\ninside\"\n");

	cr_assert_str_eq(s, "name|note\nDoe, Jane|she said \"hi\"\nmulti\nline|crlf\r\ninside\n");
	free(s);
}

Test(csv, empty_and_quoted_empty_fields)
{
	char *s = ok("a,b,c\n,,\n\"\",x,\"\"\n");

	cr_assert_str_eq(s, "a|b|c\n||\n|x|\n");
	free(s);
}

Test(csv, utf8_bom_is_skipped)
{
	char *s = ok("\xef\xbb\xbfupn\nalice\n");

	cr_assert_str_eq(s, "upn\nalice\n");
	free(s);
}

Test(csv, utf8_text_is_kept)
{
	char *s = ok("name\n\xe6\xb8\xa1\xe8\xbe\xba\n");

	cr_assert_str_eq(s, "name\n\xe6\xb8\xa1\xe8\xbe\xba\n");
	free(s);
}

Test(csv, blank_lines_are_skipped)
{
	char *s = ok("\na,b\n\n1,2\r\n\r\n3,4\n\n\n");

	cr_assert_str_eq(s, "a|b\n1|2\n3|4\n");
	free(s);
}

Test(csv, record_lines_count_embedded_newlines)
{
	struct got g;
	struct error err = ERROR_INIT;
	const char *text = "a,b\n\"x\ny\",1\n2,3\n";

	cr_assert_eq(parse(text, strlen(text), &g, &err), 0, "%s", err.msg);
	cr_assert_eq(g.nrecords, 3);
	cr_assert_eq(g.lines[0], 1);
	cr_assert_eq(g.lines[1], 2);
	cr_assert_eq(g.lines[2], 4);
	sbuf_release(&g.text);
}

Test(csv, header_only_file_has_no_data_records)
{
	char *s = ok("upn\n");

	cr_assert_str_eq(s, "upn\n");
	free(s);
}

Test(csv, spaces_are_part_of_unquoted_fields)
{
	char *s = ok("a,b\n x , y\n");

	cr_assert_str_eq(s, "a|b\n x | y\n");
	free(s);
}

/* Errors */

Test(csv, empty_file_is_an_error)
{
	cr_assert_str_eq(FAILS(""), "t.csv:1: empty file: expected a header row");
	cr_assert_str_eq(FAILS("\xef\xbb\xbf"), "t.csv:1: empty file: expected a header row");
	cr_assert_str_eq(FAILS("\n\r\n"), "t.csv:1: empty file: expected a header row");
}

Test(csv, unterminated_quote_names_where_it_opened)
{
	cr_assert_str_eq(FAILS("a,b\n1,\"open\n2,3\n"),
			 "t.csv:2:3: unterminated quoted field (the quote opened here is never closed)");
}

Test(csv, stray_quote_in_unquoted_field)
{
	cr_assert_str_eq(FAILS("a,b\n1,ab\"c\n"),
			 "t.csv:2:5: quote inside an unquoted field (quote the whole field and double the quote)");
}

Test(csv, text_after_closing_quote)
{
	cr_assert_str_eq(FAILS("a,b\n\"x\"y,1\n"),
			 "t.csv:2:4: unexpected character after the closing quote of a field "
			 "(expected a comma or a line end)");
}

Test(csv, wrong_field_count_names_the_record_line)
{
	cr_assert_str_eq(FAILS("a,b,c\n1,2,3\n4,5\n"), "t.csv:3: record has 2 fields, the header has 3");
	cr_assert_str_eq(FAILS("a\n1,2\n"), "t.csv:2: record has 2 fields, the header has 1");
	/* the record starts on line 2 even though its quoted field spans two */
	cr_assert_str_eq(FAILS("a,b\n\"x\ny\"\n"), "t.csv:2: record has 1 field, the header has 2");
}

Test(csv, invalid_utf8_names_line_and_column_of_the_field)
{
	cr_assert_str_eq(FAILS("a,b\nok,\xc3\x28\n"), "t.csv:2:4: field 2 is not valid UTF-8");
	/* columns count characters: two 2-byte characters before the field */
	cr_assert_str_eq(FAILS("a,b\n\xc3\xa9\xc3\xa9,\xff\n"), "t.csv:2:4: field 2 is not valid UTF-8");
}

Test(csv, nul_byte_is_an_error)
{
	cr_assert_str_eq(fails("a,b\n1,x\0y\n", 10), "t.csv:2:4: NUL byte in the text");
}

Test(csv, utf16_is_refused)
{
	cr_assert_str_eq(fails("\xff\xfe" "a\0", 4), "t.csv:1:1: UTF-16 text: export the file as UTF-8");
}

Test(csv, callback_error_stops_the_read)
{
	struct got g;
	struct error err = ERROR_INIT;
	const char *text = "a\n1\n2\n3\n";

	memset(&g, 0, sizeof(g));
	sbuf_init(&g.text);
	g.stop_at = 2;
	cr_assert_eq(csv_read_mem(text, strlen(text), "t.csv", collect, &g, &err), -1);
	cr_assert_str_eq(err.msg, "t.csv:3: stopped by the callback");
	cr_assert_eq(g.nrecords, 2);
	sbuf_release(&g.text);
}

/* Streaming from a file */

Test(csv, stream_reads_records_across_buffer_boundaries)
{
	FILE *fp = tmpfile();
	struct got g;
	struct error err = ERROR_INIT;
	const size_t n = 20000;
	char expect[64];

	cr_assert_not_null(fp);
	fputs("\xef\xbb\xbfuser,\"last login\"\r\n", fp);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "\"user, %05zu\",\"2025-10-%02zu\"\r\n", i, i % 28 + 1);
	rewind(fp);
	memset(&g, 0, sizeof(g));
	sbuf_init(&g.text);
	cr_assert_eq(csv_read(fp, "big.csv", collect, &g, &err), 0, "%s", err.msg);
	fclose(fp);
	cr_assert_eq(g.nrecords, n + 1);
	snprintf(expect, sizeof(expect), "user, %05zu|2025-10-%02zu\n", n - 1, (n - 1) % 28 + 1);
	cr_assert(strstr(g.text.buf, expect), "last record missing");
	cr_assert_eq(strncmp(g.text.buf, "user|last login\n", 16), 0);
	sbuf_release(&g.text);
}

Test(csv, stream_error_reports_line_far_into_the_file)
{
	FILE *fp = tmpfile();
	struct got g;
	struct error err = ERROR_INIT;

	cr_assert_not_null(fp);
	fputs("a,b\n", fp);
	for (int i = 0; i < 9999; i++)
		fputs("xxxxxxxxxxxxxxxxxx,y\n", fp);
	fputs("1,2,3\n", fp);
	rewind(fp);
	memset(&g, 0, sizeof(g));
	sbuf_init(&g.text);
	cr_assert_eq(csv_read(fp, "big.csv", collect, &g, &err), -1);
	fclose(fp);
	cr_assert_str_eq(err.msg, "big.csv:10001: record has 3 fields, the header has 2");
	sbuf_release(&g.text);
}

Test(csv, oversized_record_is_refused)
{
	size_t len = CSV_RECORD_MAX + 100;
	char *text = xmalloc(len + 8);

	memcpy(text, "a\n\"", 3);
	memset(text + 3, 'x', len - 3);
	text[len] = '"';
	text[len + 1] = '\n';
	cr_assert_str_eq(fails(text, len + 2), "t.csv:2: record longer than 1048576 bytes");
	free(text);
}

/* Columns */

static int header_only(void *data, const struct csv_record *r, struct error *err)
{
	size_t *idx = ((size_t **)data)[0];
	const char *name = ((const char **)data)[1];

	if (r->index == 0)
		return csv_find_column(r, name, idx, err);
	return 0;
}

static int find(const char *text, const char *name, size_t *idx, struct error *err)
{
	const void *data[2] = { idx, name };

	return csv_read_mem(text, strlen(text), "mfa.csv", header_only, data, err);
}

Test(csv, find_column_exact_then_case_insensitive_and_trimmed)
{
	struct error err = ERROR_INIT;
	size_t idx = 99;

	cr_assert_eq(find("Username,upn,Status\n", "upn", &idx, &err), 0, "%s", err.msg);
	cr_assert_eq(idx, 1);
	cr_assert_eq(find("Username,UPN,Status\n", "upn", &idx, &err), 0, "%s", err.msg);
	cr_assert_eq(idx, 1);
	cr_assert_eq(find("Username, upn ,Status\n", "upn", &idx, &err), 0, "%s", err.msg);
	cr_assert_eq(idx, 1);
	/* an exact match wins over a case-insensitive one */
	cr_assert_eq(find("UPN,upn\n", "upn", &idx, &err), 0, "%s", err.msg);
	cr_assert_eq(idx, 1);
}

Test(csv, missing_column_lists_the_header)
{
	struct error err = ERROR_INIT;
	size_t idx;

	cr_assert_eq(find("Username,Email\n", "upn", &idx, &err), -1);
	cr_assert_eq(err.code, EXIT_INPUT);
	cr_assert_str_eq(err.msg, "mfa.csv:1: no column \"upn\" in the header (columns: \"Username\", \"Email\")");
}

Test(csv, ambiguous_column_is_an_error)
{
	struct error err = ERROR_INIT;
	size_t idx;

	cr_assert_eq(find("UPN,Upn\n", "upn", &idx, &err), -1);
	cr_assert_str_eq(err.msg, "mfa.csv:1: column \"upn\" appears 2 times in the header");
}
