/*
 * Baselines: a previous JSON report read back so that each finding of a
 * new audit can be marked new or persisting, and the old findings that are
 * gone listed as resolved (DESIGN.md "Finding keys", issue 6).
 *
 * Findings are matched by key ("check|objectSid-or-normalised-DN[|detail]"),
 * never by name: a renamed account keeps its SID and so its key. Keys are
 * matched as multisets: when one key occurs twice in the old report and
 * once in the new audit, one old finding persists and the other is
 * resolved.
 *
 * A report of a million accounts is over half a gigabyte: it is read in
 * one pass and never held whole (baseline_load). A baseline keeps the
 * envelope (the report's members that are not arrays), what it compares
 * of each finding and where the finding is in the file, which it keeps
 * open to read the resolved ones again (a pipe, which cannot be read
 * again, has each finding's text kept instead). Everything lives until
 * baseline_release().
 *
 *   struct baseline b;
 *   baseline_init(&b);
 *   if (baseline_load(&b, path, err) < 0 ||
 *       baseline_apply(&b, &audit, dir.domain_sid, force, err) < 0)
 *           ... (err is set, EXIT_INPUT)
 *   meta.resolved = b.resolved;
 *   ... write the reports, then baseline_console(stdout, &b, color) ...
 *   baseline_release(&b);
 */
#ifndef PRIVAUDIT_BASELINE_H
#define PRIVAUDIT_BASELINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "severity.h"

struct audit;
struct error;

/* The schema this build writes and compares without --force. */
#define BASELINE_SCHEMA "privaudit.report/1"

/* One finding of the report, as read back (strings owned by the baseline). */
struct baseline_finding {
	const char *key;
	const char *check;
	const char *sam;         /* subject.sam; NULL when null */
	const char *message;     /* NULL when absent */
	enum severity severity;
	bool waived;             /* it carries a "waiver" */
	const char *subject;     /* the subject object as compact JSON when baseline.subjects */
	uint64_t off;            /* where the finding's text is in the file */
	size_t len;
	uint64_t sum;            /* hmap_hash_bytes() of the text, to read it again */
	const char *text;        /* the text itself, when the file is not a regular one */
};

struct baseline {
	char *path;                   /* as given (owned) */
	bool subjects;                /* set before baseline_load(): keep each subject */
	FILE *fp;                     /* the report, open until release (resolved findings) */
	struct arena text;            /* the findings' strings */
	json_t *root;                 /* the report's members that are not arrays (owned) */
	const char *schema;           /* "privaudit.report/N" */
	const char *domain_sid;       /* source.domain_sid; NULL when null */
	const char *evaluated_at;     /* as written; NULL when null */
	enum severity fail_on;        /* summary.gate.fail_on */
	struct baseline_finding *findings;  /* in report order (owned array) */
	size_t nfindings;

	/* Set by baseline_apply() */
	json_t *resolved;             /* owned array of the old finding objects
					 whose keys are gone, in report order */
	size_t nnew, npersisting, nresolved;
};

void baseline_init(struct baseline *b);
/* Free everything; b is left initialised (empty). */
void baseline_release(struct baseline *b);

/*
 * Read a JSON report. Malformed JSON is an error "FILE:LINE:COLUMN: TEXT"
 * (the position as jansson counts it, columns in characters); a document
 * that is not a privaudit report, or whose fields are missing or of the
 * wrong type, an error "FILE: WHERE: WHAT" (e.g. "findings[3].key:
 * expected a string"). Every error is EXIT_INPUT and leaves b empty. Any
 * "privaudit.report/N" schema is read (when its fields are those of
 * version 1): whether a different version may be compared is decided by
 * baseline_check(), with --force.
 */
int baseline_load(struct baseline *b, const char *path, struct error *err);

/* f's subject object (a new reference), or NULL when it was not kept. */
json_t *baseline_subject(const struct baseline_finding *f);

/*
 * Whether b may be compared with a report of domain_sid (NULL: none known):
 * b's schema must be BASELINE_SCHEMA and its source.domain_sid the same
 * (SIDs compare case-insensitively; two NULLs are the same). Unless force:
 * -1 and err EXIT_INPUT "FILE: ..." naming both values. With force: 0.
 */
int baseline_check(const struct baseline *b, const char *domain_sid, bool force,
		   struct error *err);

/*
 * Compare audit a with baseline b: baseline_check() first, then mark each
 * finding of a CHANGE_NEW or CHANGE_PERSISTING by key, and build
 * b->resolved (new array: copies of the old finding objects without their
 * "change" member) and the three counts. Waived findings are marked like
 * the others. May be called again; the previous result is replaced.
 */
int baseline_apply(struct baseline *b, struct audit *a, const char *domain_sid, bool force,
		   struct error *err);

/* No match: see baseline_match(). */
#define BASELINE_NONE ((size_t)-1)

/*
 * Matching without an audit: for nkeys keys (NULL keys match nothing),
 * match[i] gets the index of the old finding key i claimed, or
 * BASELINE_NONE (key i is new). Old findings of one key are claimed in
 * report order. Returns whether each old finding was claimed (new array of
 * b->nfindings; the caller frees it). Used by baseline_apply() and diff.
 */
bool *baseline_match(const struct baseline *b, const char *const *keys, size_t nkeys,
		     size_t *match);

/*
 * One line for the console after the audit summary, e.g.
 * "baseline  old.json (2025-10-01T00:00:00Z): 2 new, 10 persisting, 1 resolved"
 * (the date is the old report's evaluated_at).
 * ANSI colours only when color is true.
 */
void baseline_console(FILE *out, const struct baseline *b, bool color);

#endif
