/*
 * The Excel workbook (`--xlsx FILE`, DESIGN.md "Excel workbook"), written
 * with libxlsxwriter: Summary (verdict, counts, chart, links), Findings,
 * Privileged accounts, VPN accounts, Password policy, Checks, Waivers, and
 * Changes when a baseline was given. It reads a finished struct audit and
 * never changes it.
 *
 * Sheets are written top to bottom, row by row, so that the same code
 * serves libxlsxwriter's two modes: a workbook whose lists are small gets
 * real Excel tables; above XLSX_TABLE_MAX_ROWS rows the workbook is written
 * in constant_memory mode, where libxlsxwriter refuses tables
 * (LXW_ERROR_FEATURE_NOT_SUPPORTED), and each list gets an autofilter on
 * its header instead. A list longer than a sheet (Excel: 1,048,576 rows)
 * continues on "NAME (2)", "NAME (3)"...: no row is ever dropped.
 *
 * Text from the directory is made valid UTF-8 (utf8_clean) and always
 * written as a string, never as a formula; dates are Excel dates with a
 * date format (UTC), ages are numbers.
 */
#ifndef PRIVAUDIT_XLSX_H
#define PRIVAUDIT_XLSX_H

#include <stddef.h>

struct audit;
struct error;
struct report_meta;

/* Excel's rows per worksheet, the header row included. */
#define XLSX_MAX_ROWS ((size_t)1048576)
/* Rows in the workbook's lists above which constant_memory mode is used. */
#define XLSX_TABLE_MAX_ROWS ((size_t)20000)

/*
 * Write the workbook to path, atomically (auditor/outfile.h): a temporary
 * file beside it, mode 0600, renamed into place when complete. "-" is
 * refused: a workbook is a binary file. On error: -1, err EXIT_REPORT
 * "cannot write report \"PATH\": REASON", the previous file at path
 * untouched and no temporary file left.
 */
int report_xlsx_write(const struct audit *a, const struct report_meta *m,
		      const char *path, struct error *err);

/*
 * Load libxlsxwriter (auditor/dynlib.h), which report_xlsx_write() does
 * too: for a caller that wants to know it can write a workbook before
 * the long work that comes first. 0, or -1 with err (EXIT_REPORT).
 */
int report_xlsx_load(struct error *err);

/*
 * Internal, for the tests: the same with other limits. max_rows is the
 * number of rows a sheet may hold, header included (0: XLSX_MAX_ROWS;
 * at least 2); table_max_rows the threshold for constant_memory mode (0:
 * XLSX_TABLE_MAX_ROWS; SIZE_MAX: never).
 */
struct xlsx_limits {
	size_t max_rows;
	size_t table_max_rows;
};

int report_xlsx_write_limits(const struct audit *a, const struct report_meta *m,
			     const char *path, const struct xlsx_limits *lim,
			     struct error *err);

#endif
