/*
 * The Excel workbook (DESIGN.md "Excel workbook"; see xlsx.h for the
 * layout and the two libxlsxwriter modes).
 *
 * Every sheet is written in row order, because constant_memory mode
 * flushes a row as soon as the next one starts: the Summary's counts are
 * computed before its first row, and each list (struct list) writes its
 * header, then its rows, continuing on a new sheet when one is full. The
 * first write error is kept (struct xw.rc) and turned into an EXIT_REPORT
 * error once the workbook is closed; the temporary file is then removed.
 */
#include "xlsx.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#include "../auditor/dir.h"
#include "../auditor/dynlib.h"
#include "../auditor/engine.h"
#include "../auditor/error.h"
#include "../auditor/i18n.h"
#include "../auditor/exitcode.h"
#include "../auditor/outfile.h"
#include "../auditor/policy.h"
#include "../auditor/readiness.h"
#include "../auditor/sbuf.h"
#include "../auditor/timeutil.h"
#include "../auditor/utf8.h"
#include "../auditor/xalloc.h"
#include "../checks/registry.h"
#include "report.h"

#ifndef PRIVAUDIT_VERSION
#define PRIVAUDIT_VERSION "0.0.0"
#endif

/* Excel holds at most 32,767 characters (UTF-16 code units) in a cell. */
#define CELL_MAX_UNITS 32767
/* Excel's dates: 1900-01-01 to 9999-12-31; others are written as text. */
#define EXCEL_TIME_MIN INT64_C(-2208988800)
#define EXCEL_TIME_END INT64_C(253402300800)
/* Above this many rows, ZIP64 in case a sheet's XML passes 4 GB. */
#define ZIP64_ROWS 500000

/* Cell styles, combined as bits; each combination is one cached format. */
enum {
	S_GREY = 1 << 0,      /* a waived finding, a disabled check */
	S_DATE = 1 << 1,
	S_DATETIME = 1 << 2,
	S_BOLD = 1 << 3,
	S_WRAP = 1 << 4,
	S_RED = 1 << 5,       /* expired waiver, weak setting, failing check */
	S_GREEN = 1 << 6,
	S_ORANGE = 1 << 7,    /* unknown check */
	S_LEFT = 1 << 8,      /* a value beside its label on the Summary */
	S_COUNT = 1 << 9
};

struct xw {
	lxw_workbook *wb;
	const struct audit *a;
	const struct report_meta *m;
	size_t max_rows;         /* per sheet, header included */
	bool constant;           /* constant_memory: autofilters, no tables */
	lxw_error rc;            /* first write error */
	struct sbuf text;        /* the cell text being prepared */
	lxw_format *fmt[S_COUNT];
	lxw_format *sev[2][SEV_COUNT];   /* [waived][severity] */
	lxw_format *header, *title, *section, *link, *verdict_pass, *verdict_fail;
};

static void xw_check(struct xw *w, lxw_error rc)
{
	if (rc != LXW_NO_ERROR && w->rc == LXW_NO_ERROR)
		w->rc = rc;
}

/* Formats */

static lxw_format *style(struct xw *w, unsigned s)
{
	lxw_format *f;

	if (!s)
		return NULL;
	if (w->fmt[s])
		return w->fmt[s];
	f = workbook_add_format(w->wb);
	if (s & S_GREY)
		format_set_font_color(f, 0x808080);
	if (s & S_DATE)
		format_set_num_format(f, "yyyy-mm-dd");
	if (s & S_DATETIME)
		format_set_num_format(f, "yyyy-mm-dd hh:mm:ss");
	if (s & S_BOLD)
		format_set_bold(f);
	if (s & S_WRAP) {
		format_set_text_wrap(f);
		format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
	}
	if (s & S_RED)
		format_set_font_color(f, 0xC00000);
	if (s & S_GREEN)
		format_set_font_color(f, 0x00703C);
	if (s & S_ORANGE)
		format_set_font_color(f, 0xC65911);
	if (s & S_LEFT)
		format_set_align(f, LXW_ALIGN_LEFT);
	w->fmt[s] = f;
	return f;
}

static const struct {
	lxw_color_t fill, font;
} sev_colours[SEV_COUNT] = {
	[SEV_CRITICAL] = { 0x7030A0, 0xFFFFFF },
	[SEV_HIGH] = { 0xC00000, 0xFFFFFF },
	[SEV_MEDIUM] = { 0xFFC000, 0x000000 },
	[SEV_LOW] = { 0xFFF2CC, 0x000000 },
	[SEV_INFO] = { 0xDDEBF7, 0x000000 },
};

static void formats_init(struct xw *w)
{
	for (int s = 0; s < SEV_COUNT; s++) {
		lxw_format *f = workbook_add_format(w->wb);

		format_set_bg_color(f, sev_colours[s].fill);
		format_set_font_color(f, sev_colours[s].font);
		format_set_bold(f);
		w->sev[0][s] = f;
		/* a waived finding keeps its severity, out of the way */
		f = workbook_add_format(w->wb);
		format_set_bg_color(f, 0xEDEDED);
		format_set_font_color(f, 0x808080);
		w->sev[1][s] = f;
	}
	w->header = workbook_add_format(w->wb);
	format_set_bold(w->header);
	format_set_bg_color(w->header, 0x1F4E78);
	format_set_font_color(w->header, 0xFFFFFF);
	format_set_bottom(w->header, LXW_BORDER_THIN);
	w->title = workbook_add_format(w->wb);
	format_set_bold(w->title);
	format_set_font_size(w->title, 16);
	w->section = workbook_add_format(w->wb);
	format_set_bold(w->section);
	format_set_font_size(w->section, 12);
	format_set_font_color(w->section, 0x1F4E78);
	w->link = workbook_add_format(w->wb);
	format_set_underline(w->link, LXW_UNDERLINE_SINGLE);
	format_set_font_color(w->link, 0x0563C1);
	w->verdict_pass = workbook_add_format(w->wb);
	format_set_bold(w->verdict_pass);
	format_set_font_size(w->verdict_pass, 14);
	format_set_font_color(w->verdict_pass, 0xFFFFFF);
	format_set_bg_color(w->verdict_pass, 0x00703C);
	w->verdict_fail = workbook_add_format(w->wb);
	format_set_bold(w->verdict_fail);
	format_set_font_size(w->verdict_fail, 14);
	format_set_font_color(w->verdict_fail, 0xFFFFFF);
	format_set_bg_color(w->verdict_fail, 0xC00000);
}

/* Cells */

/*
 * s as a cell may hold it (utf8_cell_text), in w->text. libxlsxwriter
 * itself escapes the control characters XML forbids (as _xHHHH_).
 */
static const char *cell_text(struct xw *w, const char *s)
{
	utf8_cell_text(&w->text, s, CELL_MAX_UNITS);
	return w->text.buf;
}

/*
 * A string cell, whatever it starts with: text from the directory is
 * never a formula ("=HYPERLINK(...)" in a description stays text). NULL
 * or "" leaves the cell empty.
 */
static void put_str(struct xw *w, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
		    const char *s, unsigned st)
{
	if (!s || !*s)
		return;
	xw_check(w, worksheet_write_string(ws, r, c, cell_text(w, s), style(w, st)));
}

static void put_num(struct xw *w, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v,
		    unsigned st)
{
	xw_check(w, worksheet_write_number(ws, r, c, v, style(w, st)));
}

static void put_bool(struct xw *w, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, bool v,
		     unsigned st)
{
	xw_check(w, worksheet_write_boolean(ws, r, c, v, style(w, st)));
}

/*
 * A time as an Excel date (UTC) with a date format. TIME_NEVER writes
 * never_text (NULL: nothing); a time Excel cannot show as a date is
 * written as ISO 8601 text rather than as a wrong date.
 */
static void put_time(struct xw *w, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, int64_t t,
		     const char *never_text, unsigned st)
{
	char buf[40];

	if (t == TIME_NEVER) {
		put_str(w, ws, r, c, never_text, st & ~(unsigned)(S_DATE | S_DATETIME));
		return;
	}
	if (t < EXCEL_TIME_MIN || t >= EXCEL_TIME_END) {
		time_format(t, buf, sizeof(buf));
		put_str(w, ws, r, c, buf, st & ~(unsigned)(S_DATE | S_DATETIME));
		return;
	}
	if (!(st & (S_DATE | S_DATETIME)))
		st |= S_DATETIME;
	xw_check(w, worksheet_write_unixtime(ws, r, c, t, style(w, st)));
}

/* Whole days from t to now as a number; nothing for TIME_NEVER. */
static void put_age(struct xw *w, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, int64_t t,
		    unsigned st)
{
	if (t != TIME_NEVER)
		put_num(w, ws, r, c, (double)time_days_between(t, w->a->now), st);
}

/*
 * A waiver's expiry as the policy wrote it: a date alone is inclusive (the
 * waiver holds to the end of that day) and is shown as that date, not as
 * the next midnight when it stops holding.
 */
static void put_expiry(struct xw *w, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
		       const struct waiver *wv, unsigned st)
{
	int64_t t;
	int date_only = 0;

	if (wv->expires == TIME_NEVER) {
		put_str(w, ws, r, c, _("never"), st);
		return;
	}
	if (wv->expires_text && time_from_iso8601(wv->expires_text, &t, &date_only) == 0 &&
	    date_only) {
		put_time(w, ws, r, c, t, NULL, st | S_DATE);
		return;
	}
	put_time(w, ws, r, c, wv->expires, NULL, st | S_DATETIME);
}

/* An internal link to cell A1 of a sheet. */
static void put_link(struct xw *w, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
		     const char *sheet, const char *text)
{
	struct sbuf url = SBUF_INIT;

	sbuf_addf(&url, "internal:'%s'!A1", sheet);
	xw_check(w, worksheet_write_url_opt(ws, r, c, url.buf, w->link, text, NULL));
	sbuf_release(&url);
}

/* Lists: a header row, then rows, continued on new sheets when one is full */

struct col {
	const char *header;
	double width;
};

struct list {
	struct xw *w;
	const char *sheet;       /* name of the first sheet */
	const char *table;       /* table name (letters, digits, '_') */
	const struct col *cols;
	size_t ncols;
	size_t part;             /* sheets used so far */
	lxw_worksheet *ws;
	lxw_row_t header_row, next;
};

/* "Findings", "Findings (2)", ...: the name of part n (from 1). */
static void part_name(struct sbuf *sb, const char *sheet, size_t n)
{
	sbuf_reset(sb);
	if (n <= 1)
		sbuf_adds(sb, sheet);
	else
		sbuf_addf(sb, "%s (%zu)", sheet, n);
}

/*
 * How many sheets a list of n rows needs when its header is on header_row
 * of the first sheet (on row 0 of the others).
 */
static size_t list_parts(const struct xw *w, size_t n, size_t header_row)
{
	size_t first = w->max_rows > header_row + 1 ? w->max_rows - header_row - 1 : 0;
	size_t cap = w->max_rows - 1;

	if (n <= first)
		return 1;
	return 1 + (n - first + cap - 1) / cap;
}

static void list_header(struct list *l)
{
	struct xw *w = l->w;

	for (size_t c = 0; c < l->ncols; c++) {
		xw_check(w, worksheet_write_string(l->ws, l->header_row, (lxw_col_t)c,
						   _(l->cols[c].header), w->header));
		xw_check(w, worksheet_set_column(l->ws, (lxw_col_t)c, (lxw_col_t)c,
						 l->cols[c].width, NULL));
	}
	worksheet_freeze_panes(l->ws, l->header_row + 1, 0);
	/* printed for signing: landscape, the header on every page */
	worksheet_set_landscape(l->ws);
	xw_check(w, worksheet_repeat_rows(l->ws, l->header_row, l->header_row));
	l->next = l->header_row + 1;
}

/*
 * Start a list on ws at header_row (ws NULL: a new sheet named l->sheet).
 * The list's rows then come from list_row().
 */
static void list_begin(struct list *l, struct xw *w, lxw_worksheet *ws, lxw_row_t header_row)
{
	l->w = w;
	l->part = 1;
	l->ws = ws ? ws : workbook_add_worksheet(w->wb, l->sheet);
	if (!l->ws) {
		xw_check(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	l->header_row = header_row;
	list_header(l);
}

/*
 * The finished sheet gets a table over its header and rows, or in
 * constant_memory mode (no tables there) an autofilter on the header.
 */
static void list_close_sheet(struct list *l)
{
	struct xw *w = l->w;
	lxw_row_t last = l->next - 1;

	if (!l->ws)
		return;
	if (!w->constant && last > l->header_row) {
		lxw_table_column *colv = xcalloc(l->ncols, sizeof(*colv));
		lxw_table_column **cols = xcalloc(l->ncols + 1, sizeof(*cols));
		struct sbuf name = SBUF_INIT;
		lxw_table_options opt = { 0 };

		for (size_t c = 0; c < l->ncols; c++) {
			colv[c].header = (char *)l->cols[c].header;
			colv[c].header_format = w->header;
			cols[c] = &colv[c];
		}
		/* table names are unique in a workbook */
		sbuf_addf(&name, "%s", l->table);
		if (l->part > 1)
			sbuf_addf(&name, "_%zu", l->part);
		opt.name = name.buf;
		opt.style_type = LXW_TABLE_STYLE_TYPE_LIGHT;
		opt.style_type_number = 9;
		opt.columns = cols;
		xw_check(w, worksheet_add_table(l->ws, l->header_row, 0, last,
						(lxw_col_t)(l->ncols - 1), &opt));
		sbuf_release(&name);
		free(cols);
		free(colv);
	} else {
		xw_check(w, worksheet_autofilter(l->ws, l->header_row, 0, last,
						 (lxw_col_t)(l->ncols - 1)));
	}
}

/* The row for the next record; a full sheet continues on "NAME (n)". */
static lxw_row_t list_row(struct list *l)
{
	struct xw *w = l->w;

	if (l->ws && (size_t)l->next >= w->max_rows) {
		struct sbuf name = SBUF_INIT;

		list_close_sheet(l);
		l->part++;
		part_name(&name, l->sheet, l->part);
		l->ws = workbook_add_worksheet(w->wb, name.buf);
		sbuf_release(&name);
		if (!l->ws) {
			xw_check(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
		} else {
			l->header_row = 0;
			list_header(l);
		}
	}
	return l->next++;
}

static void list_end(struct list *l)
{
	list_close_sheet(l);
}

/* Shared lookups */

/* The severity the policy gives check i: its override, else the default. */
static enum severity effective_severity(const struct policy *p, size_t i, const struct check *c)
{
	if (p && p->checks && p->checks[i].severity >= 0 && p->checks[i].severity < SEV_COUNT)
		return (enum severity)p->checks[i].severity;
	return c->severity;
}

static bool has_changes(const struct audit *a)
{
	for (size_t i = 0; i < a->nfindings; i++)
		if (a->findings[i]->change != CHANGE_NONE)
			return true;
	return false;
}

static bool waiver_expired(const struct audit *a, const struct waiver *w)
{
	return w->expires != TIME_NEVER && a->now >= w->expires;
}

static size_t count_accounts(const struct dir *d, bool vpn)
{
	size_t n = 0;

	for (size_t i = 0; i < d->naccounts; i++)
		n += vpn ? d->accounts[i]->vpn : d->accounts[i]->privileged;
	return n;
}

/* n names joined with ", " into sb. */
static void join_names(struct sbuf *sb, const char *const *names, size_t n)
{
	sbuf_reset(sb);
	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_adds(sb, ", ");
		sbuf_adds(sb, names[i]);
	}
}

/*
 * Evidence as a person reads it: "key: value; key: value", arrays joined
 * with ", ". The full evidence is in the JSON report; the cell text is made
 * valid UTF-8 by put_str().
 */
static void evidence_text(struct sbuf *sb, const struct finding *f)
{
	struct ev_iter it;
	struct ev_item e;
	size_t n = 0;

	finding_ev_iter_init(&it, f);
	while (finding_ev_iter_next(&it, &e)) {
		const unsigned char *pos = e.strs;

		if (n++)
			sbuf_adds(sb, "; ");
		sbuf_add(sb, e.key, e.key_len);
		sbuf_adds(sb, ": ");
		switch (e.type) {
		case EV_STR:
			sbuf_add(sb, e.str, e.str_len);
			break;
		case EV_INT:
			sbuf_addf(sb, "%lld", e.num);
			break;
		case EV_BOOL:
			sbuf_adds(sb, e.num ? _("yes") : _("no"));
			break;
		case EV_STRS:
			for (long long i = 0; i < e.num; i++) {
				size_t len;
				const char *v = finding_ev_strs_next(&pos, &len);

				if (i)
					sbuf_adds(sb, ", ");
				sbuf_add(sb, v, len);
			}
			break;
		case EV_NULL:
		default:
			sbuf_adds(sb, _("none"));
			break;
		}
	}
}

/* Summary */

static lxw_row_t summary_pair(struct xw *w, lxw_worksheet *ws, lxw_row_t row,
			      const char *label, const char *value)
{
	put_str(w, ws, row, 0, label, S_BOLD);
	put_str(w, ws, row, 1, value, S_LEFT);
	return row + 1;
}

static lxw_row_t summary_count(struct xw *w, lxw_worksheet *ws, lxw_row_t row,
			       const char *label, size_t n)
{
	put_str(w, ws, row, 0, label, S_BOLD);
	put_num(w, ws, row, 1, (double)n, S_LEFT);
	return row + 1;
}

/*
 * The VPN reopening readiness (auditor/readiness.h, DESIGN.md use case 1)
 * next to the gate verdict, only when VPN checks ran: GO or NO-GO, the
 * reasons for a NO-GO, the counts behind it and the krbtgt fact.
 */
static lxw_row_t summary_vpn_readiness(struct xw *w, lxw_worksheet *ws, lxw_row_t row)
{
	struct readiness r;
	struct sbuf sb = SBUF_INIT;

	readiness_compute(&r, w->a);
	if (!r.computed) {
		readiness_release(&r);
		return row;
	}
	put_str(w, ws, row, 0, _("VPN readiness"), S_BOLD);
	xw_check(w, worksheet_write_string(ws, row++, 1, readiness_verdict(&r),
					   r.go ? w->verdict_pass : w->verdict_fail));
	for (size_t i = 0; i < r.nreasons; i++)
		put_str(w, ws, row++, 1, r.reasons[i], S_RED | S_LEFT);
	sbuf_addf(&sb, _("without MFA %zu, password not reset %zu, stale %zu, never used %zu, "
			 "privileged %zu, unowned %zu (waived %zu) of %zu VPN-capable accounts"),
		  r.no_mfa, r.password_not_reset, r.stale, r.never_used, r.privileged, r.unowned,
		  r.waived, r.vpn_capable);
	row = summary_pair(w, ws, row, _("VPN blockers"), sb.buf);
	put_str(w, ws, row, 0, _("krbtgt rotated since the incident"), S_BOLD);
	put_str(w, ws, row++, 1, r.krbtgt == KRBTGT_ROTATED ? _("yes")
				 : r.krbtgt == KRBTGT_NOT_ROTATED ? _("no") : _("cannot tell"),
		S_LEFT | (r.krbtgt == KRBTGT_ROTATED ? S_GREEN : S_RED));
	put_str(w, ws, row, 0, _("krbtgt password last set (UTC)"), S_BOLD);
	put_time(w, ws, row++, 1, r.krbtgt_pwd_last_set, _("not read"), S_DATETIME | S_LEFT);
	sbuf_release(&sb);
	readiness_release(&r);
	return row;
}

static void summary_chart(struct xw *w, lxw_worksheet *ws, lxw_row_t first, lxw_row_t last)
{
	lxw_chart *ch = workbook_add_chart(w->wb, LXW_CHART_COLUMN);
	lxw_chart_series *s;
	lxw_chart_fill fills[SEV_COUNT];
	lxw_chart_point pts[SEV_COUNT];
	lxw_chart_point *ptv[SEV_COUNT + 1];

	if (!ch) {
		xw_check(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	s = chart_add_series(ch, NULL, NULL);
	chart_series_set_categories(s, "Summary", first, 0, last, 0);
	chart_series_set_values(s, "Summary", first, 1, last, 1);
	memset(fills, 0, sizeof(fills));
	memset(pts, 0, sizeof(pts));
	for (size_t i = 0; i < SEV_COUNT; i++) {
		fills[i].color = sev_colours[severity_order_desc[i]].fill;
		pts[i].fill = &fills[i];
		ptv[i] = &pts[i];
	}
	ptv[SEV_COUNT] = NULL;
	xw_check(w, chart_series_set_points(s, ptv));
	chart_series_set_labels(s);
	chart_title_set_name(ch, _("Unwaived findings by severity"));
	chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
	xw_check(w, worksheet_insert_chart(ws, 2, 4, ch));
}

struct family_count {
	size_t unwaived, waived, failed, unknown;
};

static void write_summary(struct xw *w, const char *const *sheets, const char *const *about,
			  size_t nsheets)
{
	const struct audit *a = w->a;
	const struct report_meta *m = w->m;
	const struct dir *d = a->dir;
	const struct summary *s = &a->summary;
	const struct check_family *const *fams = registry_families();
	lxw_worksheet *ws = workbook_add_worksheet(w->wb, "Summary");
	struct sbuf sb = SBUF_INIT;
	size_t waived_by[SEV_COUNT] = { 0 };
	size_t nfam = 0;
	struct family_count *fc;
	lxw_row_t row = 0, first;

	if (!ws) {
		xw_check(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	while (fams[nfam])
		nfam++;
	fc = xcalloc(nfam + 1, sizeof(*fc));
	for (size_t i = 0; i < a->nfindings; i++) {
		const struct finding *f = a->findings[i];

		for (size_t k = 0; k < nfam; k++) {
			if (strcmp(fams[k]->name, f->check->family) != 0)
				continue;
			if (f->waiver)
				fc[k].waived++;
			else
				fc[k].unwaived++;
		}
		if (f->waiver)
			waived_by[f->severity]++;
	}
	for (size_t i = 0; i < registry_count(); i++) {
		const struct check *c = registry_get(i);

		for (size_t k = 0; k < nfam; k++) {
			if (strcmp(fams[k]->name, c->family) != 0)
				continue;
			fc[k].failed += a->states[i].status == STATUS_FAIL;
			fc[k].unknown += a->states[i].status == STATUS_UNKNOWN;
		}
	}

	worksheet_set_column(ws, 0, 0, 30, NULL);
	worksheet_set_column(ws, 1, 1, 60, NULL);
	worksheet_set_column(ws, 2, 4, 16, NULL);
	/* the page an auditor signs: the Summary and its chart on one page wide */
	worksheet_set_landscape(ws);
	worksheet_fit_to_pages(ws, 1, 0);
	sbuf_addf(&sb, _("privaudit audit of %s"), d->domain.dns ? d->domain.dns : _("(unknown domain)"));
	xw_check(w, worksheet_write_string(ws, row, 0, cell_text(w, sb.buf), w->title));
	row += 2;

	put_str(w, ws, row, 0, _("Verdict"), S_BOLD);
	xw_check(w, worksheet_write_string(ws, row, 1, s->pass ? "PASS" : "FAIL",
					   s->pass ? w->verdict_pass : w->verdict_fail));
	row++;
	sbuf_reset(&sb);
	sbuf_addf(&sb, _("fails on an unwaived finding of severity %s or above%s"),
		  severity_name(s->fail_on),
		  a->policy && a->policy->unknown_fails ? _(", or on a check that could not be evaluated")
							: "");
	row = summary_pair(w, ws, row, _("Gate"), sb.buf);
	row = summary_vpn_readiness(w, ws, row);
	row = summary_pair(w, ws, row, _("Domain"), d->domain.dns);
	row = summary_pair(w, ws, row, _("Domain SID"), d->domain_sid);
	row = summary_pair(w, ws, row, _("Base DN"), m->base_dn ? m->base_dn : d->domain.h.dn);
	sbuf_reset(&sb);
	sbuf_addf(&sb, "%s%s%s", m->source_kind ? m->source_kind : "",
		  m->source_kind && m->uri ? ": " : "", m->uri ? m->uri : "");
	row = summary_pair(w, ws, row, _("Source"), sb.buf);
	sbuf_reset(&sb);
	for (size_t i = 0; i < d->nlast_logon_sources; i++)
		sbuf_addf(&sb, "%s%s", i ? ", " : "", d->last_logon_sources[i]);
	row = summary_pair(w, ws, row, _("Last logon sources"), sb.buf);
	put_str(w, ws, row, 0, _("Evaluated at (UTC)"), S_BOLD);
	put_time(w, ws, row++, 1, m->evaluated_at ? m->evaluated_at : a->now, NULL,
		 S_DATETIME | S_LEFT);
	if (m->generated_at) {
		put_str(w, ws, row, 0, _("Generated at (UTC)"), S_BOLD);
		put_time(w, ws, row++, 1, m->generated_at, NULL, S_DATETIME | S_LEFT);
	}
	row = summary_pair(w, ws, row, _("Policy"),
			   a->policy && a->policy->path ? a->policy->path : _("(built-in defaults)"));
	row = summary_pair(w, ws, row, _("Policy SHA-256"), a->policy ? a->policy->sha256 : NULL);
	row = summary_pair(w, ws, row, _("privaudit version"),
			   m->tool_version ? m->tool_version : PRIVAUDIT_VERSION);
	row++;

	row = summary_count(w, ws, row, _("Accounts"), s->accounts);
	row = summary_count(w, ws, row, _("Enabled accounts"), s->enabled);
	row = summary_count(w, ws, row, _("Privileged (enabled)"), s->privileged);
	row = summary_count(w, ws, row, _("VPN-capable (enabled)"), s->vpn_capable);
	row = summary_count(w, ws, row, _("Waived findings"), s->waived);
	put_str(w, ws, row, 0, _("Checks not evaluated"), S_BOLD);
	put_num(w, ws, row++, 1, (double)s->unknown_checks,
		S_LEFT | (s->unknown_checks ? S_RED | S_BOLD : 0));
	/* silence is never a pass: say which checks could not run, and why */
	for (size_t i = 0; i < registry_count(); i++) {
		const struct check_state *st = &a->states[i];

		if (st->status != STATUS_UNKNOWN)
			continue;
		put_str(w, ws, row, 0, registry_get(i)->id, S_ORANGE);
		put_str(w, ws, row++, 1, st->reason ? st->reason : _("unknown"), S_ORANGE);
	}
	row++;

	xw_check(w, worksheet_write_string(ws, row, 0, _("Findings by severity"), w->section));
	row++;
	xw_check(w, worksheet_write_string(ws, row, 0, _("Severity"), w->header));
	xw_check(w, worksheet_write_string(ws, row, 1, _("Unwaived"), w->header));
	xw_check(w, worksheet_write_string(ws, row, 2, _("Waived"), w->header));
	row++;
	first = row;
	for (size_t i = 0; i < SEV_COUNT; i++) {
		enum severity sev = severity_order_desc[i];

		xw_check(w, worksheet_write_string(ws, row, 0, severity_name(sev), w->sev[0][sev]));
		put_num(w, ws, row, 1, (double)s->by_severity[sev], 0);
		put_num(w, ws, row++, 2, (double)waived_by[sev], 0);
	}
	summary_chart(w, ws, first, row - 1);
	put_str(w, ws, row, 0, _("Total"), S_BOLD);
	put_num(w, ws, row, 1, (double)(a->nfindings - s->waived), S_BOLD);
	put_num(w, ws, row++, 2, (double)s->waived, S_BOLD);
	row++;

	xw_check(w, worksheet_write_string(ws, row, 0, _("Findings by family"), w->section));
	row++;
	xw_check(w, worksheet_write_string(ws, row, 0, _("Family"), w->header));
	xw_check(w, worksheet_write_string(ws, row, 1, _("Unwaived"), w->header));
	xw_check(w, worksheet_write_string(ws, row, 2, _("Waived"), w->header));
	xw_check(w, worksheet_write_string(ws, row, 3, _("Checks failed"), w->header));
	xw_check(w, worksheet_write_string(ws, row, 4, _("Checks unknown"), w->header));
	row++;
	for (size_t k = 0; k < nfam; k++) {
		put_str(w, ws, row, 0, fams[k]->name, 0);
		put_num(w, ws, row, 1, (double)fc[k].unwaived, 0);
		put_num(w, ws, row, 2, (double)fc[k].waived, 0);
		put_num(w, ws, row, 3, (double)fc[k].failed, 0);
		put_num(w, ws, row++, 4, (double)fc[k].unknown, fc[k].unknown ? S_ORANGE : 0);
	}
	row++;

	xw_check(w, worksheet_write_string(ws, row, 0, _("Sheets"), w->section));
	row++;
	for (size_t i = 0; i < nsheets; i++) {
		put_link(w, ws, row, 0, sheets[i], sheets[i]);
		put_str(w, ws, row++, 1, about[i], 0);
	}
	worksheet_activate(ws);
	free(fc);
	sbuf_release(&sb);
}

/* Findings */

static void write_findings(struct xw *w, bool changes)
{
	static const struct col base[] = {
		{ N_("Severity"), 10 }, { N_("Check"), 28 }, { N_("Title"), 42 },
		{ N_("Family"), 8 },
		{ N_("Kind"), 9 }, { N_("Account"), 22 }, { N_("DN"), 48 }, { N_("SID"), 30 },
		{ N_("Message"), 70 }, { N_("Evidence"), 60 }, { N_("Status"), 9 },
		{ N_("Waiver reason"), 36 }, { N_("Waiver owner"), 14 },
		{ N_("Waiver expires"), 14 },
		{ N_("Change"), 11 }, { N_("Key"), 50 },
	};
	struct col cols[sizeof(base) / sizeof(base[0])];
	const struct audit *a = w->a;
	struct sbuf ev = SBUF_INIT, key = SBUF_INIT;
	struct list l = { .sheet = "Findings", .table = "Findings" };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		if (changes || strcmp(base[i].header, "Change") != 0)
			cols[n++] = base[i];
	l.cols = cols;
	l.ncols = n;
	list_begin(&l, w, NULL, 0);
	for (size_t i = 0; i < a->nfindings && l.ws && !w->rc; i++) {
		const struct finding *f = a->findings[i];
		const struct waiver *wv = f->waiver;
		unsigned g = wv ? S_GREY : 0;
		lxw_row_t r = list_row(&l);
		lxw_col_t c = 0;

		if (!l.ws)
			break;
		xw_check(w, worksheet_write_string(l.ws, r, c++, severity_name(f->severity),
						   w->sev[wv != NULL][f->severity]));
		put_str(w, l.ws, r, c++, f->check->id, g);
		put_str(w, l.ws, r, c++, _(f->check->title), g);
		put_str(w, l.ws, r, c++, f->check->family, g);
		put_str(w, l.ws, r, c++, finding_kind(f), g);
		put_str(w, l.ws, r, c++, finding_sam(f), g);
		put_str(w, l.ws, r, c++, finding_dn(f), g);
		put_str(w, l.ws, r, c++, finding_sid(f), g);
		put_str(w, l.ws, r, c++, finding_message(f, &ev), g);
		sbuf_reset(&ev);
		evidence_text(&ev, f);
		put_str(w, l.ws, r, c++, ev.buf, g);
		put_str(w, l.ws, r, c++, wv ? _("waived") : _("open"), g);
		put_str(w, l.ws, r, c++, wv ? wv->reason : NULL, g);
		put_str(w, l.ws, r, c++, wv ? wv->owner : NULL, g);
		if (wv)
			put_expiry(w, l.ws, r, c, wv, g);
		c++;
		if (changes) {
			put_str(w, l.ws, r, c++, f->change == CHANGE_NEW ? _("new")
						 : f->change == CHANGE_PERSISTING ? _("persisting") : NULL,
				g | (f->change == CHANGE_NEW ? S_BOLD : 0));
		}
		put_str(w, l.ws, r, c++, finding_key(f, &key), g);
	}
	list_end(&l);
	sbuf_release(&ev);
	sbuf_release(&key);
}

/* Accounts */

static const char *json_str_at(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *dialin_name(int dialin)
{
	return dialin < 0 ? _("not set") : dialin ? _("allow") : _("deny");
}

static void write_privileged(struct xw *w)
{
	static const struct col cols[] = {
		{ N_("Account"), 22 }, { N_("Kind"), 9 }, { N_("Enabled"), 9 },
		{ N_("Membership path"), 50 },
		{ N_("Nested only"), 11 }, { N_("Last logon (UTC)"), 19 },
		{ N_("Days since logon"), 10 },
		{ N_("Password last set (UTC)"), 19 }, { N_("Password age (days)"), 10 },
		{ N_("Must change password"), 11 }, { N_("MFA"), 7 }, { N_("MFA sources"), 18 },
		{ N_("VPN-capable"), 9 }, { N_("SPNs"), 7 }, { N_("Protected Users"), 10 },
		{ N_("Flags"), 40 }, { N_("DN"), 48 }, { N_("SID"), 30 },
	};
	struct list l = { .sheet = "Privileged accounts", .table = "PrivilegedAccounts",
			  .cols = cols, .ncols = sizeof(cols) / sizeof(cols[0]) };
	struct sbuf sb = SBUF_INIT;
	const char *names[REPORT_MAX_NAMES];
	size_t n;
	const struct account **v = report_accounts(w->a->dir, false, &n);

	list_begin(&l, w, NULL, 0);
	for (size_t i = 0; i < n && l.ws && !w->rc; i++) {
		const struct account *acc = v[i];
		unsigned g = acc->enabled ? 0 : S_GREY;
		lxw_row_t r = list_row(&l);
		lxw_col_t c = 0;

		if (!l.ws)
			break;
		put_str(w, l.ws, r, c++, acc->h.sam, g);
		put_str(w, l.ws, r, c++, dir_kind_name(acc->h.kind), g);
		put_bool(w, l.ws, r, c++, acc->enabled, g);
		put_str(w, l.ws, r, c++, acc->priv_path, g);
		put_bool(w, l.ws, r, c++, acc->priv_nested, g);
		put_time(w, l.ws, r, c++, acc->last_logon_eff, _("never"), g | S_DATETIME);
		put_age(w, l.ws, r, c++, acc->last_logon_eff, g);
		if (acc->pwd_state == PWD_SET) {
			put_time(w, l.ws, r, c++, acc->pwd_last_set, NULL, g | S_DATETIME);
			put_age(w, l.ws, r, c++, acc->pwd_last_set, g);
		} else {
			put_str(w, l.ws, r, c++,
				acc->pwd_state == PWD_MUST_CHANGE ? _("must change") : _("not read"), g);
			c++;
		}
		put_bool(w, l.ws, r, c++, acc->pwd_state == PWD_MUST_CHANGE, g);
		put_bool(w, l.ws, r, c++, acc->mfa_sources != 0, g);
		join_names(&sb, names, report_mfa_names(acc->mfa_sources, names));
		put_str(w, l.ws, r, c++, sb.buf, g);
		put_bool(w, l.ws, r, c++, acc->vpn, acc->vpn ? (g | S_RED) : g);
		put_num(w, l.ws, r, c++, (double)acc->nspns, g);
		put_bool(w, l.ws, r, c++, acc->protected_users, g);
		join_names(&sb, names, report_uac_names(acc->uac, names));
		put_str(w, l.ws, r, c++, sb.buf, g);
		put_str(w, l.ws, r, c++, acc->h.dn, g);
		put_str(w, l.ws, r, c++, acc->h.sid, g);
	}
	list_end(&l);
	sbuf_release(&sb);
	free(v);
}

static void write_vpn(struct xw *w)
{
	static const struct col cols[] = {
		{ N_("Account"), 22 }, { N_("Kind"), 9 }, { N_("Enabled"), 9 }, { N_("MFA"), 7 },
		{ N_("MFA sources"), 18 }, { N_("Privileged"), 10 },
		{ N_("Dial-in (msNPAllowDialin)"), 12 },
		{ N_("Last logon (UTC)"), 19 }, { N_("Days since logon"), 10 },
		{ N_("Last VPN login (UTC)"), 19 }, { N_("Password last set (UTC)"), 19 },
		{ N_("Password age (days)"), 10 }, { N_("Must change password"), 11 },
		{ N_("Flags"), 40 }, { N_("DN"), 48 }, { N_("SID"), 30 },
	};
	struct list l = { .sheet = "VPN accounts", .table = "VPNAccounts",
			  .cols = cols, .ncols = sizeof(cols) / sizeof(cols[0]) };
	struct sbuf sb = SBUF_INIT;
	const char *names[REPORT_MAX_NAMES];
	size_t n;
	const struct account **v = report_accounts(w->a->dir, true, &n);

	list_begin(&l, w, NULL, 0);
	for (size_t i = 0; i < n && l.ws && !w->rc; i++) {
		const struct account *acc = v[i];
		unsigned g = acc->enabled ? 0 : S_GREY;
		lxw_row_t r = list_row(&l);
		lxw_col_t c = 0;

		if (!l.ws)
			break;
		put_str(w, l.ws, r, c++, acc->h.sam, g);
		put_str(w, l.ws, r, c++, dir_kind_name(acc->h.kind), g);
		put_bool(w, l.ws, r, c++, acc->enabled, g);
		put_bool(w, l.ws, r, c++, acc->mfa_sources != 0,
			 acc->mfa_sources || !acc->enabled ? g : S_RED | S_BOLD);
		join_names(&sb, names, report_mfa_names(acc->mfa_sources, names));
		put_str(w, l.ws, r, c++, sb.buf, g);
		put_bool(w, l.ws, r, c++, acc->privileged, acc->privileged ? (g | S_RED) : g);
		put_str(w, l.ws, r, c++, dialin_name(acc->dialin), g);
		put_time(w, l.ws, r, c++, acc->last_logon_eff, _("never"), g | S_DATETIME);
		put_age(w, l.ws, r, c++, acc->last_logon_eff, g);
		put_time(w, l.ws, r, c++, acc->vpn_last_login,
			 w->a->dir->vpn_csv_loaded ? _("never") : NULL, g | S_DATETIME);
		if (acc->pwd_state == PWD_SET) {
			put_time(w, l.ws, r, c++, acc->pwd_last_set, NULL, g | S_DATETIME);
			put_age(w, l.ws, r, c++, acc->pwd_last_set, g);
		} else {
			put_str(w, l.ws, r, c++,
				acc->pwd_state == PWD_MUST_CHANGE ? _("must change") : _("not read"), g);
			c++;
		}
		put_bool(w, l.ws, r, c++, acc->pwd_state == PWD_MUST_CHANGE, g);
		join_names(&sb, names, report_uac_names(acc->uac, names));
		put_str(w, l.ws, r, c++, sb.buf, g);
		put_str(w, l.ws, r, c++, acc->h.dn, g);
		put_str(w, l.ws, r, c++, acc->h.sid, g);
	}
	list_end(&l);
	sbuf_release(&sb);
	free(v);
}

/* Password policy */

/* pwd.domain-policy's thresholds, from the policy (or the defaults). */
struct pwd_req {
	long long min_length, history, lockout_max;
};

static long long param_value(const struct policy *p, size_t idx, const struct check *c,
			     const char *name, long long fallback)
{
	for (size_t k = 0; c->params && c->params[k].name; k++) {
		if (strcmp(c->params[k].name, name) != 0)
			continue;
		if (p && p->checks && p->checks[idx].params)
			return p->checks[idx].params[k].i;
		return c->params[k].def;
	}
	return fallback;
}

static void pwd_requirements(const struct policy *p, struct pwd_req *req)
{
	size_t idx;
	const struct check *c = registry_find("pwd.domain-policy", &idx);

	req->min_length = 14;
	req->history = 24;
	req->lockout_max = 10;
	if (!c)
		return;
	req->min_length = param_value(p, idx, c, "min_length", req->min_length);
	req->history = param_value(p, idx, c, "history", req->history);
	req->lockout_max = param_value(p, idx, c, "lockout_threshold_max", req->lockout_max);
}

/* One password policy's settings; absent values (< 0 or TIME_NEVER) stay empty. */
struct pwd_row {
	const char *name, *kind, *dn;
	int64_t precedence, min_length, history, lockout;
	int complexity, reversible;           /* -1: absent */
	int64_t max_age, min_age, lockout_duration; /* seconds, TIME_NEVER: none */
	const char *const *applies_to;
	size_t napplies_to;
	size_t governs_privileged;
	bool is_pso;
};

static void put_opt_int(struct xw *w, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, int64_t v,
			unsigned st)
{
	if (v >= 0)
		put_num(w, ws, r, c, (double)v, st);
}

static void put_opt_bool(struct xw *w, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, int v,
			 unsigned st)
{
	if (v >= 0)
		put_bool(w, ws, r, c, v != 0, st);
}

static void write_pwd_row(struct xw *w, struct list *l, const struct pwd_row *p,
			  const struct pwd_req *req)
{
	struct sbuf sb = SBUF_INIT;
	lxw_row_t r = list_row(l);
	lxw_col_t c = 0;
	lxw_worksheet *ws = l->ws;

	if (!ws)
		return;
	put_str(w, ws, r, c++, p->name, S_BOLD);
	put_str(w, ws, r, c++, p->kind, 0);
	if (p->is_pso)
		put_opt_int(w, ws, r, c, p->precedence, 0);
	c++;
	/* weaker than pwd.domain-policy's thresholds: red */
	put_opt_int(w, ws, r, c++, p->min_length,
		    p->min_length >= 0 && p->min_length < req->min_length ? S_RED : 0);
	put_opt_int(w, ws, r, c++, p->history,
		    p->history >= 0 && p->history < req->history ? S_RED : 0);
	put_opt_int(w, ws, r, c++, p->lockout,
		    p->lockout == 0 || p->lockout > req->lockout_max ? S_RED : 0);
	put_opt_bool(w, ws, r, c++, p->complexity, p->complexity == 0 ? S_RED : 0);
	put_opt_bool(w, ws, r, c++, p->reversible, p->reversible == 1 ? S_RED : 0);
	if (p->max_age != TIME_NEVER)
		put_num(w, ws, r, c, (double)p->max_age / SECONDS_PER_DAY, 0);
	else if (p->is_pso || (w->a->dir->domain.h.seen & ATTR_BIT(ATTR_MAXPWDAGE)))
		put_str(w, ws, r, c, _("none"), 0);
	c++;
	if (p->min_age != TIME_NEVER)
		put_num(w, ws, r, c, (double)p->min_age / SECONDS_PER_DAY, 0);
	c++;
	if (p->lockout_duration != TIME_NEVER)
		put_num(w, ws, r, c, (double)p->lockout_duration / 60, 0);
	c++;
	for (size_t i = 0; i < p->napplies_to; i++)
		sbuf_addf(&sb, "%s%s", i ? "; " : "", p->applies_to[i]);
	put_str(w, ws, r, c++, sb.buf, 0);
	if (p->is_pso)
		put_num(w, ws, r, c, (double)p->governs_privileged, 0);
	c++;
	put_str(w, ws, r, c++, p->dn, 0);
	sbuf_release(&sb);
}

static int pso_cmp(const void *pa, const void *pb)
{
	const struct pso *x = *(const struct pso *const *)pa;
	const struct pso *y = *(const struct pso *const *)pb;

	if (x->precedence != y->precedence)
		return x->precedence < y->precedence ? -1 : 1;
	return dir_obj_ndn_cmp(&x->h, &y->h);
}

static void write_password_policy(struct xw *w)
{
	static const struct col cols[] = {
		{ N_("Policy"), 28 }, { N_("Kind"), 22 }, { N_("Precedence"), 11 },
		{ N_("Minimum length"), 10 },
		{ N_("History"), 9 }, { N_("Lockout threshold"), 10 }, { N_("Complexity"), 11 },
		{ N_("Reversible encryption"), 11 }, { N_("Maximum age (days)"), 10 },
		{ N_("Minimum age (days)"), 10 }, { N_("Lockout duration (minutes)"), 11 },
		{ N_("Applies to"), 50 }, { N_("Privileged users governed"), 11 }, { N_("DN"), 48 },
	};
	const struct dir *d = w->a->dir;
	const struct domain *dom = &d->domain;
	struct list l = { .sheet = "Password policy", .table = "PasswordPolicy",
			  .cols = cols, .ncols = sizeof(cols) / sizeof(cols[0]) };
	struct pwd_req req;
	struct pwd_row row;
	const struct pso **psos = xcalloc(d->npsos ? d->npsos : 1, sizeof(*psos));
	lxw_row_t r;

	pwd_requirements(w->a->policy, &req);
	list_begin(&l, w, NULL, 0);

	/* the thresholds the audit applied, to read the rows against */
	r = list_row(&l);
	if (l.ws) {
		struct sbuf sb = SBUF_INIT;

		put_str(w, l.ws, r, 0, _("Required (pwd.domain-policy)"), S_BOLD | S_GREEN);
		put_str(w, l.ws, r, 1, _("audit threshold"), S_GREEN);
		put_num(w, l.ws, r, 3, (double)req.min_length, S_GREEN);
		put_num(w, l.ws, r, 4, (double)req.history, S_GREEN);
		sbuf_addf(&sb, "1 to %lld", req.lockout_max);
		put_str(w, l.ws, r, 5, sb.buf, S_GREEN);
		put_bool(w, l.ws, r, 6, true, S_GREEN);
		put_bool(w, l.ws, r, 7, false, S_GREEN);
		sbuf_release(&sb);
	}

	memset(&row, 0, sizeof(row));
	row.name = _("Default domain policy");
	row.kind = _("domain");
	row.dn = dom->h.dn;
	row.precedence = -1;
	row.min_length = dom->min_pwd_length;
	row.history = dom->pwd_history;
	row.lockout = dom->lockout_threshold;
	/* DOMAIN_PASSWORD_COMPLEX 0x1, DOMAIN_PASSWORD_STORE_CLEARTEXT 0x10 */
	row.complexity = dom->pwd_properties < 0 ? -1 : (int)(dom->pwd_properties & 1);
	row.reversible = dom->pwd_properties < 0 ? -1 : (int)((dom->pwd_properties >> 4) & 1);
	row.max_age = dom->max_pwd_age;
	row.min_age = dom->min_pwd_age;
	row.lockout_duration = dom->lockout_duration;
	if (dom->h.dn)
		write_pwd_row(w, &l, &row, &req);

	for (size_t i = 0; i < d->npsos; i++)
		psos[i] = d->psos[i];
	qsort(psos, d->npsos, sizeof(*psos), pso_cmp);
	for (size_t i = 0; i < d->npsos && !w->rc; i++) {
		const struct pso *p = psos[i];

		memset(&row, 0, sizeof(row));
		row.name = p->cn ? p->cn : p->h.sam;
		row.kind = _("fine-grained (PSO)");
		row.dn = p->h.dn;
		row.is_pso = true;
		row.precedence = p->precedence;
		row.min_length = p->min_length;
		row.history = p->history;
		row.lockout = p->lockout_threshold;
		row.complexity = p->complexity;
		row.reversible = p->reversible;
		row.max_age = p->max_age;
		row.min_age = TIME_NEVER;
		row.lockout_duration = TIME_NEVER;
		row.applies_to = p->applies_to;
		row.napplies_to = p->napplies_to;
		for (size_t k = 0; k < d->naccounts; k++)
			row.governs_privileged += d->accounts[k]->privileged && d->accounts[k]->pso == p;
		write_pwd_row(w, &l, &row, &req);
	}
	list_end(&l);
	free(psos);
}

/* Checks */

static unsigned status_style(enum check_status s)
{
	switch (s) {
	case STATUS_FAIL: return S_RED | S_BOLD;
	case STATUS_UNKNOWN: return S_ORANGE | S_BOLD;
	case STATUS_PASS: return S_GREEN;
	default: return S_GREY;
	}
}

static void write_checks(struct xw *w)
{
	static const struct col cols[] = {
		{ N_("Check"), 30 }, { N_("Family"), 8 }, { N_("Title"), 44 },
		{ N_("Severity"), 10 },
		{ N_("Status"), 10 }, { N_("Findings"), 9 }, { N_("Unwaived"), 9 },
		{ N_("Reason (unknown)"), 40 },
		{ N_("Supersedes"), 30 }, { N_("Rationale"), 70 }, { N_("Remediation"), 70 },
		{ N_("References"), 40 },
	};
	const struct audit *a = w->a;
	struct list l = { .sheet = "Checks", .table = "Checks",
			  .cols = cols, .ncols = sizeof(cols) / sizeof(cols[0]) };
	struct sbuf sb = SBUF_INIT;

	list_begin(&l, w, NULL, 0);
	for (size_t i = 0; i < registry_count() && !w->rc; i++) {
		const struct check *c = registry_get(i);
		const struct check_state *st = &a->states[i];
		enum severity sev = effective_severity(a->policy, i, c);
		unsigned g = st->status == STATUS_DISABLED ? S_GREY : 0;
		lxw_row_t r = list_row(&l);
		lxw_col_t col = 0;

		if (!l.ws)
			break;
		put_str(w, l.ws, r, col++, c->id, g);
		put_str(w, l.ws, r, col++, c->family, g);
		put_str(w, l.ws, r, col++, c->title ? _(c->title) : NULL, g);
		xw_check(w, worksheet_write_string(l.ws, r, col++, severity_name(sev),
						   w->sev[g != 0][sev]));
		put_str(w, l.ws, r, col++, check_status_name(st->status), status_style(st->status));
		put_num(w, l.ws, r, col++, (double)st->findings, g);
		put_num(w, l.ws, r, col++, (double)st->unwaived, g);
		put_str(w, l.ws, r, col++, st->status == STATUS_UNKNOWN ? st->reason : NULL,
			S_ORANGE | S_WRAP);
		sbuf_reset(&sb);
		for (size_t k = 0; c->supersedes && c->supersedes[k]; k++)
			sbuf_addf(&sb, "%s%s", k ? ", " : "", c->supersedes[k]);
		put_str(w, l.ws, r, col++, sb.buf, g);
		put_str(w, l.ws, r, col++, c->rationale ? _(c->rationale) : NULL, g | S_WRAP);
		put_str(w, l.ws, r, col++, c->remediation ? _(c->remediation) : NULL, g | S_WRAP);
		put_str(w, l.ws, r, col++, c->references, g | S_WRAP);
	}
	list_end(&l);
	sbuf_release(&sb);
}

/* Waivers */

static void write_waivers(struct xw *w)
{
	static const struct col cols[] = {
		{ N_("Index"), 7 }, { N_("Check"), 28 }, { N_("Account"), 24 },
		{ N_("Reason"), 50 },
		{ N_("Owner"), 14 }, { N_("Expires"), 12 }, { N_("State"), 10 },
		{ N_("Findings hidden"), 10 },
	};
	const struct audit *a = w->a;
	const struct policy *p = a->policy;
	struct list l = { .sheet = "Waivers", .table = "Waivers",
			  .cols = cols, .ncols = sizeof(cols) / sizeof(cols[0]) };
	size_t nw = p ? p->nwaivers : 0;
	size_t *hidden = xcalloc(nw ? nw : 1, sizeof(*hidden));

	for (size_t i = 0; i < a->nfindings; i++) {
		const struct waiver *wv = a->findings[i]->waiver;

		if (wv && wv >= p->waivers && wv < p->waivers + nw)
			hidden[wv - p->waivers]++;
	}
	list_begin(&l, w, NULL, 0);
	for (size_t i = 0; i < nw && !w->rc; i++) {
		const struct waiver *wv = &p->waivers[i];
		bool expired = waiver_expired(a, wv);
		bool used = hidden[i] || (a->waiver_used && a->waiver_used[i]);
		unsigned st = expired ? S_RED : 0;
		lxw_row_t r = list_row(&l);
		lxw_col_t c = 0;

		if (!l.ws)
			break;
		put_num(w, l.ws, r, c++, (double)wv->index, st);
		put_str(w, l.ws, r, c++, wv->check, st);
		put_str(w, l.ws, r, c++, wv->account, st);
		put_str(w, l.ws, r, c++, wv->reason, st);
		put_str(w, l.ws, r, c++, wv->owner, st);
		put_expiry(w, l.ws, r, c++, wv, st);
		put_str(w, l.ws, r, c++, expired ? _("expired") : used ? _("active") : _("unused"),
			expired ? S_RED | S_BOLD : 0);
		put_num(w, l.ws, r, c++, (double)hidden[i], st);
	}
	list_end(&l);
	free(hidden);
}

/* Changes since the baseline */

/* Where the list of resolved findings starts, under the counts. */
#define CHANGES_HEADER_ROW 7

static void write_changes(struct xw *w)
{
	static const struct col cols[] = {
		{ N_("Severity"), 10 }, { N_("Check"), 28 }, { N_("Kind"), 9 },
		{ N_("Account"), 22 },
		{ N_("DN"), 48 }, { N_("Message"), 70 }, { N_("Key"), 50 },
	};
	const struct audit *a = w->a;
	const json_t *res = w->m->resolved;
	struct list l = { .sheet = "Changes", .table = "Resolved",
			  .cols = cols, .ncols = sizeof(cols) / sizeof(cols[0]) };
	lxw_worksheet *ws = workbook_add_worksheet(w->wb, "Changes");
	size_t nnew = 0, npers = 0, nres = json_is_array(res) ? json_array_size(res) : 0;
	lxw_row_t row = 0;

	if (!ws) {
		xw_check(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	/* a sheet too short for the counts (an artificial limit) starts with the list */
	if (w->max_rows <= CHANGES_HEADER_ROW + 1) {
		list_begin(&l, w, ws, 0);
		goto rows;
	}
	for (size_t i = 0; i < a->nfindings; i++) {
		nnew += a->findings[i]->change == CHANGE_NEW;
		npers += a->findings[i]->change == CHANGE_PERSISTING;
	}
	xw_check(w, worksheet_write_string(ws, row++, 0, _("Changes since the baseline"), w->section));
	put_str(w, ws, row, 0, _("New"), S_BOLD);
	put_num(w, ws, row++, 1, (double)nnew, nnew ? S_RED | S_BOLD : 0);
	put_str(w, ws, row, 0, _("Persisting"), S_BOLD);
	put_num(w, ws, row++, 1, (double)npers, 0);
	put_str(w, ws, row, 0, _("Resolved"), S_BOLD);
	put_num(w, ws, row++, 1, (double)nres, nres ? S_GREEN | S_BOLD : 0);
	put_str(w, ws, row++, 0, _("New and persisting findings are marked in the Findings sheet's "
				   "Change column; the resolved ones are listed below."), 0);
	row++;
	xw_check(w, worksheet_write_string(ws, row++, 0, _("Resolved findings"), w->section));
	list_begin(&l, w, ws, CHANGES_HEADER_ROW);
rows:
	for (size_t i = 0; i < nres && !w->rc; i++) {
		const json_t *f = json_array_get(res, i);
		const json_t *subj = json_object_get(f, "subject");
		const char *sev = json_str_at(f, "severity");
		int s = sev ? severity_parse(sev) : -1;
		lxw_row_t r = list_row(&l);
		lxw_col_t c = 0;

		if (!l.ws)
			break;
		if (s >= 0)
			xw_check(w, worksheet_write_string(l.ws, r, c, severity_name((enum severity)s),
							   w->sev[0][s]));
		else
			put_str(w, l.ws, r, c, sev, 0);
		c++;
		put_str(w, l.ws, r, c++, json_str_at(f, "check"), 0);
		put_str(w, l.ws, r, c++, json_str_at(subj, "kind"), 0);
		put_str(w, l.ws, r, c++, json_str_at(subj, "sam"), 0);
		put_str(w, l.ws, r, c++, json_str_at(subj, "dn"), 0);
		put_str(w, l.ws, r, c++, json_str_at(f, "message"), 0);
		put_str(w, l.ws, r, c++, json_str_at(f, "key"), 0);
	}
	list_end(&l);
}

/* The workbook */

/* The sheets, in order, with what the Summary says of them. */
struct sheet_names {
	char **name;
	const char **about;
	size_t n, alloc_name, alloc_about;
};

static void sheets_add(struct sheet_names *s, const char *base, size_t parts, const char *about)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t p = 1; p <= parts; p++) {
		xgrow(&s->name, &s->alloc_name, s->n + 1, sizeof(*s->name));
		xgrow(&s->about, &s->alloc_about, s->n + 1, sizeof(*s->about));
		part_name(&sb, base, p);
		s->name[s->n] = sbuf_detach(&sb);
		s->about[s->n] = p == 1 ? about : _("continued");
		s->n++;
	}
	sbuf_release(&sb);
}

static void write_workbook(struct xw *w)
{
	const struct audit *a = w->a;
	bool changes = has_changes(a) || w->m->resolved;
	struct sheet_names sn = { 0 };
	size_t npriv = count_accounts(a->dir, false), nvpn = count_accounts(a->dir, true);
	size_t npwd = 1 + (a->dir->domain.h.dn != NULL) + a->dir->npsos;
	size_t nwaivers = a->policy ? a->policy->nwaivers : 0;
	size_t nres = json_is_array(w->m->resolved) ? json_array_size(w->m->resolved) : 0;

	/* every part of every list, as the writers below will name them */
	sheets_add(&sn, "Findings", list_parts(w, a->nfindings, 0),
		   _("every finding, waived ones greyed; filter by severity, check, account"));
	sheets_add(&sn, "Privileged accounts", list_parts(w, npriv, 0),
		   _("accounts in a privileged group, with the membership path"));
	sheets_add(&sn, "VPN accounts", list_parts(w, nvpn, 0),
		   _("VPN-capable accounts: MFA, last logon, password age"));
	sheets_add(&sn, "Password policy", list_parts(w, npwd, 0),
		   _("the default domain policy and the PSOs against the audit's thresholds"));
	sheets_add(&sn, "Checks", list_parts(w, registry_count(), 0),
		   _("the catalogue: status, count, rationale, remediation, references"));
	sheets_add(&sn, "Waivers", list_parts(w, nwaivers, 0),
		   _("the policy's waivers; expired ones in red"));
	if (changes)
		sheets_add(&sn, "Changes",
			   list_parts(w, nres, w->max_rows <= CHANGES_HEADER_ROW + 1 ? 0
										: CHANGES_HEADER_ROW),
			   _("new, persisting and resolved findings since the baseline"));

	write_summary(w, (const char *const *)sn.name, sn.about, sn.n);
	write_findings(w, changes);
	write_privileged(w);
	write_vpn(w);
	write_password_policy(w);
	write_checks(w);
	write_waivers(w);
	if (changes)
		write_changes(w);
	for (size_t i = 0; i < sn.n; i++)
		free(sn.name[i]);
	free(sn.name);
	free(sn.about);
}

static size_t list_rows(const struct audit *a, const struct report_meta *m)
{
	size_t n = a->nfindings + count_accounts(a->dir, false) + count_accounts(a->dir, true);

	if (a->policy)
		n += a->policy->nwaivers;
	if (json_is_array(m->resolved))
		n += json_array_size(m->resolved);
	return n + registry_count();
}

/* libxlsxwriter's properties are char *, never written through */
static char s_subject[] = "Active Directory privileged accounts and credential hygiene";
static char s_author[] = "privaudit";
static char s_comments[] = "Dates and times are UTC.";

int report_xlsx_write_limits(const struct audit *a, const struct report_meta *m,
			     const char *path, const struct xlsx_limits *lim,
			     struct error *err)
{
	static const struct report_meta none;
	struct outfile o;
	struct xw w;
	lxw_workbook_options opt = { 0 };
	lxw_doc_properties props = { 0 };
	struct sbuf title = SBUF_INIT;
	size_t table_max = lim && lim->table_max_rows ? lim->table_max_rows : XLSX_TABLE_MAX_ROWS;
	size_t rows;
	lxw_error rc;
	int saved_errno;

	if (!m)
		m = &none;
	if (strcmp(path, "-") == 0)
		return error_set(err, EXIT_REPORT, "cannot write report \"%s\": "
				 "a workbook cannot be written to standard output", path);
	memset(&w, 0, sizeof(w));
	w.a = a;
	w.m = m;
	w.max_rows = lim && lim->max_rows ? lim->max_rows : XLSX_MAX_ROWS;
	if (w.max_rows < 2)
		w.max_rows = 2;
	if (w.max_rows > XLSX_MAX_ROWS)
		w.max_rows = XLSX_MAX_ROWS;
	rows = list_rows(a, m);
	w.constant = rows > table_max;

	if (dynlib_xlsx(err) < 0 || outfile_open(&o, path, err) < 0)
		return -1;
	/* libxlsxwriter writes by name: it reopens the 0600 temporary file */
	fclose(o.fp);
	o.fp = NULL;
	opt.constant_memory = w.constant;
	opt.use_zip64 = rows > ZIP64_ROWS;
	w.wb = workbook_new_opt(o.tmp, &opt);
	if (!w.wb) {
		saved_errno = errno;
		outfile_abort(&o);
		return error_set(err, EXIT_REPORT, "cannot write report \"%s\": %s", path,
				 saved_errno ? strerror(saved_errno) : "cannot create the workbook");
	}
	sbuf_init(&w.text);
	formats_init(&w);
	sbuf_addf(&title, _("privaudit audit of %s"), a->dir->domain.dns ? a->dir->domain.dns : _("a domain"));
	props.title = xstrdup(cell_text(&w, title.buf));
	props.subject = s_subject;
	props.author = s_author;
	props.comments = s_comments;
	/* the document's date is the run's, so that a rerun gives the same file */
	props.created = (time_t)(m->generated_at ? m->generated_at : a->now);
	xw_check(&w, workbook_set_properties(w.wb, &props));

	write_workbook(&w);

	errno = 0;
	rc = workbook_close(w.wb);
	saved_errno = errno;
	free(props.title);
	sbuf_release(&title);
	sbuf_release(&w.text);
	if (rc == LXW_NO_ERROR)
		rc = w.rc;
	if (rc != LXW_NO_ERROR) {
		outfile_abort(&o);
		if (saved_errno && (rc == LXW_ERROR_CREATING_XLSX_FILE ||
				    rc == LXW_ERROR_CREATING_TMPFILE ||
				    (rc >= LXW_ERROR_ZIP_FILE_OPERATION && rc <= LXW_ERROR_ZIP_CLOSE)))
			return error_set(err, EXIT_REPORT, "cannot write report \"%s\": %s (%s)", path,
					 strerror(saved_errno), lxw_strerror(rc));
		return error_set(err, EXIT_REPORT, "cannot write report \"%s\": %s", path,
				 lxw_strerror(rc));
	}
	return outfile_commit(&o, err);
}

int report_xlsx_load(struct error *err)
{
	return dynlib_xlsx(err);
}

int report_xlsx_write(const struct audit *a, const struct report_meta *m,
		      const char *path, struct error *err)
{
	return report_xlsx_write_limits(a, m, path, NULL, err);
}
