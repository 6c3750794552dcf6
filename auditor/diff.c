/*
 * `privaudit diff` (see diff.h): two reports read back with
 * baseline_load(), their findings matched by key, the "privaudit.diff/1"
 * report written atomically and a console summary. The exit code gates on
 * regressions only: new unwaived findings at or above the threshold.
 */
#include "diff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "../reports/report.h"
#include "baseline.h"
#include "dynlib.h"
#include "error.h"
#include "exitcode.h"
#include "outfile.h"
#include "sbuf.h"
#include "severity.h"
#include "utf8.h"
#include "xalloc.h"

#ifndef PRIVAUDIT_VERSION
#define PRIVAUDIT_VERSION "0.0.0"
#endif

/* Console listings stop here unless verbose. */
#define TOP_LISTED 15

/* Excel's rows per sheet, header included; lists longer go on "Changes (2)"... */
#define XLSX_SHEET_ROWS ((size_t)1048576)
/* Above this many rows the workbook is written in constant_memory mode. */
#define XLSX_CONSTANT_ROWS ((size_t)20000)
/* Excel holds at most 32,767 characters (UTF-16 code units) in a cell. */
#define XLSX_CELL_UNITS ((size_t)32767)
/* Above this many rows the zip needs 64-bit sizes. */
#define XLSX_ZIP64_ROWS ((size_t)500000)

#define ANSI_RESET "\033[0m"
#define ANSI_BOLD "\033[1m"
#define ANSI_PASS "\033[1;32m"
#define ANSI_FAIL "\033[1;31m"

enum change { NEW, PERSISTING, RESOLVED };

/* Each list's name, in the JSON, the workbook and on the console. */
static const char *const change_names[3] = { "new", "persisting", "resolved" };

struct diff {
	const struct diff_options *o;
	struct baseline old, new;
	size_t *match;              /* per NEW finding: its OLD one, or BASELINE_NONE */
	bool *claimed;              /* per OLD finding */
	enum severity fail_on;
	bool fail_on_from_cli;
	size_t count[3], failing;
};

/* JSON */

static json_t *meta_json(const struct baseline *b)
{
	static const char *const members[] = {
		"schema", "tool", "generated_at", "evaluated_at", "source", "policy", "summary",
	};
	json_t *o = json_object();

	json_object_set_new(o, "path", report_json_str(b->path));
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		json_t *v = json_object_get(b->root, members[i]);

		if (v)
			json_object_set(o, members[i], v);
	}
	return o;
}

static json_t *finding_json(const struct baseline_finding *f, const struct baseline_finding *prev)
{
	json_t *o = json_object(), *subj = baseline_subject(f);

	json_object_set_new(o, "key", json_string(f->key));
	json_object_set_new(o, "check", json_string(f->check));
	json_object_set_new(o, "severity", json_string(severity_name(f->severity)));
	json_object_set_new(o, "sam", f->sam ? json_string(f->sam) : json_null());
	json_object_set_new(o, "subject", subj);
	json_object_set_new(o, "message", f->message ? json_string(f->message) : json_null());
	json_object_set_new(o, "waived", json_boolean(f->waived));
	if (prev && prev->severity != f->severity)
		json_object_set_new(o, "previous_severity",
				    json_string(severity_name(prev->severity)));
	return o;
}

/* All of the diff's JSON but its findings lists (see write_json). */
static json_t *diff_json_head(const struct diff *d)
{
	const struct diff_options *o = d->o;
	json_t *root = json_object(), *tool = json_object(), *counts = json_object(),
	       *gate = json_object();

	json_object_set_new(root, "schema", json_string(DIFF_SCHEMA));
	json_object_set_new(tool, "name", json_string("privaudit"));
	json_object_set_new(tool, "version",
			    report_json_str(o->tool_version ? o->tool_version : PRIVAUDIT_VERSION));
	json_object_set_new(root, "tool", tool);
	json_object_set_new(root, "generated_at", report_json_time(o->generated_at));
	json_object_set_new(root, "old", meta_json(&d->old));
	json_object_set_new(root, "new", meta_json(&d->new));

	for (enum change c = NEW; c <= RESOLVED; c++)
		json_object_set_new(counts, change_names[c], json_integer((json_int_t)d->count[c]));
	json_object_set_new(root, "counts", counts);

	json_object_set_new(gate, "fail_on", json_string(severity_name(d->fail_on)));
	json_object_set_new(gate, "from",
			    json_string(d->fail_on_from_cli ? "command line" : "new report"));
	json_object_set_new(gate, "new_failing", json_integer((json_int_t)d->failing));
	json_object_set_new(gate, "verdict", json_string(d->failing ? "fail" : "pass"));
	json_object_set_new(root, "gate", gate);
	return root;
}

#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)

/* v as a whole dump of its tree shows it depth levels down. */
static void dump_at(FILE *fp, const json_t *v, int depth)
{
	/* strings come from reports jansson parsed: valid UTF-8, the dump cannot fail on them */
	char *text = json_dumps(v, DUMP_FLAGS);

	/* a newline in a string is written "\n": each one here is the layout's */
	for (const char *p = text ? text : ""; *p; p++) {
		fputc(*p, fp);
		if (*p == '\n')
			fprintf(fp, "%*s", 2 * depth, "");
	}
	free(text);
}

/* The report list which is read from: the old one for RESOLVED, the new one for the others. */
static const struct baseline *list_report(const struct diff *d, enum change which)
{
	return which == RESOLVED ? &d->old : &d->new;
}

/*
 * Whether finding i of list_report(d, which) is in list which; *prev:
 * the old finding of a persisting one, else NULL.
 */
static bool in_list(const struct diff *d, enum change which, size_t i,
		    const struct baseline_finding **prev)
{
	*prev = NULL;
	if (which == RESOLVED)
		return !d->claimed[i];
	if ((d->match[i] != BASELINE_NONE) != (which == PERSISTING))
		return false;
	if (d->match[i] != BASELINE_NONE)
		*prev = &d->old.findings[d->match[i]];
	return true;
}

/* The list of findings which, as member "findings.NAME" (the last: last). */
static void write_list(FILE *fp, const struct diff *d, enum change which, bool last)
{
	const struct baseline *b = list_report(d, which);
	bool first = true;

	fprintf(fp, "    \"%s\": [", change_names[which]);
	for (size_t i = 0; i < b->nfindings; i++) {
		const struct baseline_finding *prev;
		json_t *f;

		if (!in_list(d, which, i, &prev))
			continue;
		f = finding_json(&b->findings[i], prev);
		fputs(first ? "\n      " : ",\n      ", fp);
		dump_at(fp, f, 3);
		json_decref(f);
		first = false;
	}
	fputs(first ? "]" : "\n    ]", fp);
	fputs(last ? "\n" : ",\n", fp);
}

/*
 * As one dump of the whole document would write it, but a finding at a
 * time: two reports of a million accounts list 1.3 million findings.
 */
static int write_json(const struct diff *d, struct error *err)
{
	struct outfile out;
	json_t *head;
	char *text;
	size_t len;

	if (outfile_open(&out, d->o->json, err) < 0)
		return -1;
	head = diff_json_head(d);
	text = json_dumps(head, DUMP_FLAGS);
	json_decref(head);
	/* the head ends "\n}": the lists are its last member */
	len = text ? strlen(text) : 0;
	if (len >= 2)
		fwrite(text, 1, len - 2, out.fp);
	free(text);
	fputs(",\n  \"findings\": {\n", out.fp);
	write_list(out.fp, d, NEW, false);
	write_list(out.fp, d, PERSISTING, false);
	write_list(out.fp, d, RESOLVED, true);
	fputs("  }\n}\n", out.fp);
	return outfile_commit(&out, err);
}

/* Workbook */

struct xw {
	lxw_workbook *wb;
	lxw_error rc;            /* the first error */
	lxw_format *bold, *header, *change[3], *pass, *fail;
	size_t sheet_rows;
	struct sbuf text;        /* the last cell_text() */
};

static void xw_check(struct xw *w, lxw_error rc)
{
	if (rc != LXW_NO_ERROR && w->rc == LXW_NO_ERROR)
		w->rc = rc;
}

static lxw_format *xw_format(struct xw *w, bool bold, lxw_color_t color)
{
	lxw_format *f = workbook_add_format(w->wb);

	if (bold)
		format_set_bold(f);
	if (color)
		format_set_font_color(f, color);
	return f;
}

/*
 * s as a cell may hold it (utf8_cell_text), in w->text. A report may hold
 * a 70,000-character DN or message: the JSON diff keeps it whole, the cell
 * cannot.
 */
static const char *cell_text(struct xw *w, const char *s)
{
	utf8_cell_text(&w->text, s, XLSX_CELL_UNITS);
	return w->text.buf;
}

/* Text is always a string cell: a name starting with "=" must never be a formula. */
static void xw_str(struct xw *w, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s,
		   lxw_format *f)
{
	if (s && *s)
		xw_check(w, worksheet_write_string(ws, r, c, cell_text(w, s), f));
}

static void xw_num(struct xw *w, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v)
{
	xw_check(w, worksheet_write_number(ws, r, c, v, NULL));
}

static const char *member_str(const json_t *obj, const char *a, const char *b)
{
	const json_t *v = json_object_get(obj, a);

	if (b)
		v = json_object_get(v, b);
	return json_string_value(v);
}

static void summary_row(struct xw *w, lxw_worksheet *ws, lxw_row_t r, const char *label,
			const char *value)
{
	xw_str(w, ws, r, 0, label, NULL);
	xw_str(w, ws, r, 1, value, NULL);
}

static lxw_row_t summary_report(struct xw *w, lxw_worksheet *ws, lxw_row_t r,
				const char *title, const struct baseline *b)
{
	const json_t *summary = json_object_get(b->root, "summary");

	xw_str(w, ws, r++, 0, title, w->bold);
	summary_row(w, ws, r++, "path", b->path);
	summary_row(w, ws, r++, "evaluated at", b->evaluated_at);
	summary_row(w, ws, r++, "domain", member_str(b->root, "source", "domain"));
	summary_row(w, ws, r++, "domain SID", b->domain_sid);
	summary_row(w, ws, r++, "schema", b->schema);
	summary_row(w, ws, r++, "gate verdict", member_str(summary, "gate", "verdict"));
	summary_row(w, ws, r++, "gate fail_on", severity_name(b->fail_on));
	xw_str(w, ws, r, 0, "findings", NULL);
	xw_num(w, ws, r++, 1, (double)b->nfindings);
	return r + 1;
}

static void xlsx_summary(struct xw *w, const struct diff *d)
{
	lxw_worksheet *ws = workbook_add_worksheet(w->wb, "Summary");
	lxw_row_t r = 0;

	worksheet_set_column(ws, 0, 0, 22, NULL);
	worksheet_set_column(ws, 1, 1, 60, NULL);
	xw_str(w, ws, r, 0, "privaudit diff", w->bold);
	xw_str(w, ws, r++, 1, d->failing ? "FAIL" : "PASS", d->failing ? w->fail : w->pass);
	xw_str(w, ws, r, 0, "gate fail_on", NULL);
	xw_str(w, ws, r++, 1, severity_name(d->fail_on), NULL);
	xw_str(w, ws, r, 0, "threshold from", NULL);
	xw_str(w, ws, r++, 1, d->fail_on_from_cli ? "command line" : "new report", NULL);
	xw_str(w, ws, r, 0, "new failing", NULL);
	xw_num(w, ws, r++, 1, (double)d->failing);
	for (int i = NEW; i <= RESOLVED; i++) {
		xw_str(w, ws, r, 0, change_names[i], w->change[i]);
		xw_num(w, ws, r++, 1, (double)d->count[i]);
	}
	r++;
	r = summary_report(w, ws, r, "old report", &d->old);
	summary_report(w, ws, r, "new report", &d->new);
}

static const char *const change_columns[] = {
	"Change", "Severity", "Previous severity", "Check", "Account", "Message", "Waived",
	"Key", "SID", "DN",
};
#define NCHANGE_COLUMNS (sizeof(change_columns) / sizeof(change_columns[0]))

/* A "Changes" sheet (the nth, from 1) with its header row. */
static lxw_worksheet *changes_sheet(struct xw *w, size_t nth)
{
	static const double widths[NCHANGE_COLUMNS] = { 11, 10, 10, 28, 22, 60, 8, 40, 30, 50 };
	char name[32];
	lxw_worksheet *ws;

	if (nth == 1)
		snprintf(name, sizeof(name), "Changes");
	else
		snprintf(name, sizeof(name), "Changes (%zu)", nth);
	ws = workbook_add_worksheet(w->wb, name);
	if (!ws) {
		xw_check(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return NULL;
	}
	for (lxw_col_t c = 0; c < NCHANGE_COLUMNS; c++) {
		xw_check(w, worksheet_set_column(ws, c, c, widths[c], NULL));
		xw_str(w, ws, 0, c, change_columns[c], w->header);
	}
	worksheet_freeze_panes(ws, 1, 0);
	return ws;
}

static void changes_row(struct xw *w, lxw_worksheet *ws, lxw_row_t r, enum change which,
			const struct baseline_finding *f, const struct baseline_finding *prev)
{
	json_t *subj = baseline_subject(f);

	xw_str(w, ws, r, 0, change_names[which], w->change[which]);
	xw_str(w, ws, r, 1, severity_name(f->severity), NULL);
	if (prev && prev->severity != f->severity)
		xw_str(w, ws, r, 2, severity_name(prev->severity), NULL);
	xw_str(w, ws, r, 3, f->check, NULL);
	xw_str(w, ws, r, 4, f->sam, NULL);
	xw_str(w, ws, r, 5, f->message, NULL);
	xw_str(w, ws, r, 6, f->waived ? "yes" : "no", NULL);
	xw_str(w, ws, r, 7, f->key, NULL);
	xw_str(w, ws, r, 8, json_string_value(json_object_get(subj, "sid")), NULL);
	xw_str(w, ws, r, 9, json_string_value(json_object_get(subj, "dn")), NULL);
	json_decref(subj);
}

/* New, then resolved, then persisting: what an auditor reads first. */
static void xlsx_changes(struct xw *w, const struct diff *d)
{
	static const enum change order[] = { NEW, RESOLVED, PERSISTING };
	size_t nth = 1;
	lxw_worksheet *ws = changes_sheet(w, nth);
	lxw_row_t r = 1;

	for (size_t o = 0; o < 3 && ws; o++) {
		enum change which = order[o];
		const struct baseline *b = list_report(d, which);

		for (size_t i = 0; i < b->nfindings && ws; i++) {
			const struct baseline_finding *prev;

			if (!in_list(d, which, i, &prev))
				continue;
			if ((size_t)r >= w->sheet_rows) {
				xw_check(w, worksheet_autofilter(ws, 0, 0, r - 1,
								 NCHANGE_COLUMNS - 1));
				ws = changes_sheet(w, ++nth);
				r = 1;
				if (!ws)
					break;
			}
			changes_row(w, ws, r++, which, &b->findings[i], prev);
		}
	}
	if (ws)
		xw_check(w, worksheet_autofilter(ws, 0, 0, r > 1 ? r - 1 : 1,
						 NCHANGE_COLUMNS - 1));
}

static int write_xlsx(const struct diff *d, struct error *err)
{
	const char *path = d->o->xlsx;
	size_t rows = d->count[NEW] + d->count[PERSISTING] + d->count[RESOLVED];
	lxw_workbook_options opt = { 0 };
	struct outfile out;
	struct xw w;
	lxw_error rc;
	int saved_errno;

	if (strcmp(path, "-") == 0)
		return error_set(err, EXIT_REPORT, "cannot write report \"%s\": "
				 "a workbook cannot be written to standard output", path);
	/* libxlsxwriter: loaded by diff_run() before the reports were read */
	if (outfile_open(&out, path, err) < 0)
		return -1;
	/* libxlsxwriter writes by name: it reopens the 0600 temporary file */
	fclose(out.fp);
	out.fp = NULL;
	memset(&w, 0, sizeof(w));
	sbuf_init(&w.text);
	w.sheet_rows = XLSX_SHEET_ROWS;
	opt.constant_memory = rows > XLSX_CONSTANT_ROWS;
	opt.use_zip64 = rows > XLSX_ZIP64_ROWS;
	errno = 0;
	w.wb = workbook_new_opt(out.tmp, &opt);
	if (!w.wb) {
		saved_errno = errno;
		outfile_abort(&out);
		return error_set(err, EXIT_REPORT, "cannot write report \"%s\": %s", path,
				 saved_errno ? strerror(saved_errno) : "cannot create the workbook");
	}
	w.bold = xw_format(&w, true, 0);
	w.header = xw_format(&w, true, 0);
	format_set_bottom(w.header, LXW_BORDER_THIN);
	w.change[NEW] = xw_format(&w, true, LXW_COLOR_RED);
	w.change[PERSISTING] = NULL;
	w.change[RESOLVED] = xw_format(&w, true, LXW_COLOR_GREEN);
	w.pass = xw_format(&w, true, LXW_COLOR_GREEN);
	w.fail = xw_format(&w, true, LXW_COLOR_RED);
	xlsx_summary(&w, d);
	xlsx_changes(&w, d);
	errno = 0;
	rc = workbook_close(w.wb);
	saved_errno = errno;
	sbuf_release(&w.text);
	if (rc == LXW_NO_ERROR)
		rc = w.rc;
	if (rc != LXW_NO_ERROR) {
		outfile_abort(&out);
		if (saved_errno)
			return error_set(err, EXIT_REPORT, "cannot write report \"%s\": %s (%s)",
					 path, strerror(saved_errno), lxw_strerror(rc));
		return error_set(err, EXIT_REPORT, "cannot write report \"%s\": %s", path,
				 lxw_strerror(rc));
	}
	return outfile_commit(&out, err);
}

/* Console */

/* s made safe for a terminal: valid UTF-8, control characters as '?'. */
static void put_text(FILE *out, const char *s)
{
	char *clean = utf8_clean(s ? s : "-");

	for (unsigned char *p = (unsigned char *)clean; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			p[0] = p[1] = '?';   /* C1 controls (CSI) */
	}
	fputs(clean, out);
	free(clean);
}

static void print_finding(FILE *out, const char *what, const struct baseline_finding *f)
{
	fprintf(out, "  %-10s  %-8s  %-28s  ", what, severity_name(f->severity), f->check);
	put_text(out, f->sam);
	if (f->waived)
		fputs("  [waived]", out);
	fputc('\n', out);
}

static void print_list(FILE *out, const struct diff *d, enum change which)
{
	const struct baseline *b = list_report(d, which);
	const char *what = change_names[which];
	size_t shown = 0;

	for (size_t i = 0; i < b->nfindings; i++) {
		const struct baseline_finding *prev;

		if (!in_list(d, which, i, &prev))
			continue;
		if (!d->o->verbose && shown == TOP_LISTED) {
			fprintf(out, "  %zu more %s in the report\n", d->count[which] - shown, what);
			return;
		}
		print_finding(out, what, &b->findings[i]);
		shown++;
	}
}

static void print_console(FILE *out, const struct diff *d)
{
	bool color = d->o->color;

	if (color)
		fputs(d->failing ? ANSI_FAIL : ANSI_PASS, out);
	fputs(d->failing ? "FAIL" : "PASS", out);
	if (color)
		fputs(ANSI_RESET, out);
	fprintf(out, "  diff gate fail_on %s: ", severity_name(d->fail_on));
	if (d->failing)
		fprintf(out, "%zu new unwaived finding%s at or above %s\n", d->failing,
			d->failing == 1 ? "" : "s", severity_name(d->fail_on));
	else
		fprintf(out, "no new unwaived finding at or above %s\n",
			severity_name(d->fail_on));
	fputs("old       ", out);
	put_text(out, d->old.path);
	fputs(" (", out);
	put_text(out, d->old.evaluated_at);
	fputs(")\nnew       ", out);
	put_text(out, d->new.path);
	fputs(" (", out);
	put_text(out, d->new.evaluated_at);
	fprintf(out, ")\nchanges   %zu new, %zu persisting, %zu resolved\n", d->count[NEW],
		d->count[PERSISTING], d->count[RESOLVED]);
	if (d->count[NEW] || d->count[RESOLVED] || (d->o->verbose && d->count[PERSISTING])) {
		if (color)
			fputs(ANSI_BOLD, out);
		fputs("findings:", out);
		if (color)
			fputs(ANSI_RESET, out);
		fputc('\n', out);
	}
	print_list(out, d, NEW);
	print_list(out, d, RESOLVED);
	if (d->o->verbose)
		print_list(out, d, PERSISTING);
}

/* The comparison */

static void compare(struct diff *d)
{
	const char **keys = xcalloc(d->new.nfindings ? d->new.nfindings : 1, sizeof(*keys));
	int rank = severity_rank(d->fail_on);

	d->match = xcalloc(d->new.nfindings ? d->new.nfindings : 1, sizeof(*d->match));
	for (size_t i = 0; i < d->new.nfindings; i++)
		keys[i] = d->new.findings[i].key;
	d->claimed = baseline_match(&d->old, keys, d->new.nfindings, d->match);
	free(keys);
	for (size_t i = 0; i < d->new.nfindings; i++) {
		const struct baseline_finding *f = &d->new.findings[i];

		if (d->match[i] != BASELINE_NONE) {
			d->count[PERSISTING]++;
			continue;
		}
		d->count[NEW]++;
		if (!f->waived && severity_rank(f->severity) >= rank)
			d->failing++;
	}
	for (size_t i = 0; i < d->old.nfindings; i++)
		d->count[RESOLVED] += !d->claimed[i];
}

int diff_run(const struct diff_options *o, struct error *err)
{
	struct error local = ERROR_INIT;
	struct diff d;
	int code;

	if (!err)
		err = &local;
	memset(&d, 0, sizeof(d));
	d.o = o;
	baseline_init(&d.old);
	baseline_init(&d.new);
	/* the lists name each finding's subject */
	d.old.subjects = d.new.subjects = true;
	/* a workbook that cannot be written is known before two reports are read */
	if ((o->xlsx && dynlib_xlsx(err) < 0) ||
	    baseline_load(&d.old, o->old_path, err) < 0 ||
	    baseline_load(&d.new, o->new_path, err) < 0 ||
	    /* each against this build's schema, and OLD against NEW's domain */
	    baseline_check(&d.old, d.new.domain_sid, o->force, err) < 0 ||
	    baseline_check(&d.new, d.new.domain_sid, o->force, err) < 0) {
		code = -1;
		goto out;
	}
	d.fail_on_from_cli = o->fail_on >= 0 && o->fail_on < SEV_COUNT;
	d.fail_on = d.fail_on_from_cli ? (enum severity)o->fail_on : d.new.fail_on;
	compare(&d);
	if ((o->json && write_json(&d, err) < 0) || (o->xlsx && write_xlsx(&d, err) < 0)) {
		code = -1;
		goto out;
	}
	if (o->console && !(o->json && strcmp(o->json, "-") == 0 && o->console == stdout))
		print_console(o->console, &d);
	code = d.failing ? EXIT_GATE : EXIT_PASS;
out:
	free(d.match);
	free(d.claimed);
	baseline_release(&d.old);
	baseline_release(&d.new);
	if (code < 0)
		code = err->code ? err->code : EXIT_INPUT;
	return code;
}
