/*
 * `privaudit diff OLD.json NEW.json`: the baseline comparison between two
 * existing reports, without a directory (issue 6). Findings are matched by
 * key (auditor/baseline.h): each finding of NEW is new or persisting, each
 * finding of OLD whose key is gone is resolved.
 *
 * The JSON diff report (schema "privaudit.diff/1"):
 *
 *   { "schema": "privaudit.diff/1",
 *     "tool": {"name": "privaudit", "version": "..."},
 *     "generated_at": "...Z",
 *     "old": {"path", "schema", "tool", "generated_at", "evaluated_at",
 *             "source", "policy", "summary"},          (copied from OLD)
 *     "new": {... the same from NEW},
 *     "counts": {"new": N, "persisting": N, "resolved": N},
 *     "gate": {"fail_on": "high", "from": "new report"|"command line",
 *              "new_failing": N, "verdict": "pass"|"fail"},
 *     "findings": {"new": [F...], "persisting": [F...], "resolved": [F...]} }
 *
 *   F = {"key", "check", "severity", "sam", "subject", "message", "waived",
 *        "previous_severity"? (persisting, when the severity changed)}
 *
 * "new" and "persisting" are in NEW's order, "resolved" in OLD's (both
 * sorted by severity, check, sAMAccountName, as reports are).
 *
 * The workbook (--xlsx): a Summary sheet (verdict, threshold, counts, both
 * reports' metadata) and a Changes sheet (change, severity, previous
 * severity, check, account, message, waived, key, SID, DN; new first, then
 * resolved, then persisting) with a frozen header and an autofilter,
 * continued on "Changes (2)"... beyond Excel's row limit.
 */
#ifndef PRIVAUDIT_DIFF_H
#define PRIVAUDIT_DIFF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct error;

#define DIFF_SCHEMA "privaudit.diff/1"

struct diff_options {
	const char *old_path, *new_path;
	const char *json;        /* the diff report ("-" is stdout); NULL: none */
	const char *xlsx;        /* the workbook (not "-"); NULL: none */
	int fail_on;             /* a severity (--fail-on), or -1: NEW's gate.fail_on */
	bool force;              /* compare other schema versions and other domains */
	FILE *console;           /* the summary; NULL: none (nor when json is
				    "-" and console is stdout) */
	bool color, verbose;     /* verbose: list every finding, persisting too */
	int64_t generated_at;    /* Unix time written as generated_at */
	const char *tool_version;/* NULL: this build's */
};

/*
 * Compare, write the JSON diff report and the workbook (each atomically,
 * auditor/outfile.h) and print the summary. Returns the exit code: EXIT_GATE when NEW has new
 * unwaived findings at or above fail_on, else EXIT_PASS; or, with err
 * set, EXIT_INPUT (a report missing, malformed, of another schema version
 * or domain without force) or EXIT_REPORT (a diff report could not be
 * written; the console summary is not printed then).
 */
int diff_run(const struct diff_options *o, struct error *err);

#endif
