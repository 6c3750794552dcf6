/*
 * Reports: the JSON report (schema "privaudit.report/1", DESIGN.md "JSON
 * report"), the console summary, and the check catalogue (`privaudit
 * checks [--json]`). Reports read a finished struct audit and never change
 * it. The JSON report is streamed: one finding at a time, never the whole
 * report as one jansson tree, and written atomically (auditor/outfile.h).
 *
 * Directory data may hold invalid UTF-8, which jansson refuses: every
 * string from the directory goes through report_json_str() (or
 * utf8_clean(), auditor/utf8.h) on its way out, replacing each invalid byte with
 * U+FFFD.
 */
#ifndef PRIVAUDIT_REPORT_H
#define PRIVAUDIT_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct account;
struct dir;
struct audit;
struct error;

struct report_meta {
	const char *source_kind;  /* "ldif" | "ldap" */
	const char *uri;          /* LDAP URI or LDIF path; NULL: null */
	const char *base_dn;      /* NULL: the domain head's DN */
	int64_t generated_at, evaluated_at;
	const char *tool_version; /* NULL: this build's version */
	const json_t *resolved;   /* borrowed array of resolved baseline findings
				     written as "resolved"; NULL: no baseline */
};

/*
 * Write the JSON report to path ("-" is stdout), atomically. On error: -1,
 * err EXIT_REPORT "cannot write report \"PATH\": REASON", and the previous
 * file at path untouched.
 */
int report_json_write(const struct audit *a, const struct report_meta *m,
		      const char *path, struct error *err);

/* The same to an open stream (no atomicity; the caller checks ferror). */
void report_json_stream(FILE *out, const struct audit *a, const struct report_meta *m);

/*
 * The human summary: verdict first, counts, unknown checks with their
 * reasons, the most severe unwaived findings. ANSI colours only when color
 * is true (the caller decides from isatty() and NO_COLOR). verbose lists
 * every finding, waived ones included, instead of the first 15.
 */
void report_console(FILE *out, const struct audit *a, const struct report_meta *m,
		    bool color, bool verbose);

/*
 * The check catalogue in registry order: a table (id, severity, family,
 * title), or with json a JSON array with parameters and their defaults,
 * supersedes, rationale, remediation and references. -1 with err
 * EXIT_REPORT when out could not be written.
 */
int report_catalogue(FILE *out, bool json, struct error *err);

/* A new JSON string of s made valid UTF-8, or JSON null for NULL. */
json_t *report_json_str(const char *s);
/* A new JSON time "YYYY-MM-DDTHH:MM:SSZ", or JSON null for TIME_NEVER. */
json_t *report_json_time(int64_t t);

/*
 * The privileged (vpn false) or VPN-capable accounts in the reports' order:
 * sAMAccountName byte by byte, then DN. A new array of *n.
 */
const struct account **report_accounts(const struct dir *d, bool vpn, size_t *n);

/*
 * The names the reports give the userAccountControl flags an auditor looks
 * at, and the MFA evidence sources, that are set: into names (room for
 * REPORT_MAX_NAMES), in a fixed order; returns how many.
 */
#define REPORT_MAX_NAMES 16
size_t report_uac_names(uint32_t uac, const char **names);
size_t report_mfa_names(unsigned sources, const char **names);

#endif
