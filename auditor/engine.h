/*
 * The check engine: runs every enabled check over the resolved directory,
 * applies supersedes, waivers and severity overrides, evaluates the gate
 * and computes the summary. Reports read the result (struct audit) and
 * never change it.
 *
 * Order of work in audit_run(): checks (registry order) -> supersedes
 * (a finding whose subject also has a finding of a superseding check is
 * dropped) -> waivers -> after_waivers checks (policy.*) -> sort ->
 * summary and gate.
 */
#ifndef PRIVAUDIT_ENGINE_H
#define PRIVAUDIT_ENGINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../checks/check.h"
#include "arena.h"
#include "severity.h"

struct dir;
struct policy;
struct sbuf;

enum check_status {
	STATUS_PASS,
	STATUS_FAIL,
	STATUS_UNKNOWN,
	STATUS_DISABLED,
};

const char *check_status_name(enum check_status s);

enum finding_change {
	CHANGE_NONE,        /* no baseline */
	CHANGE_NEW,
	CHANGE_PERSISTING,
};

/*
 * Who a finding is about when no object of the directory tells it all: a
 * waiver, the domain (its DNS name for a sam), a finding made by hand.
 */
struct finding_subject {
	const char *kind;           /* user, computer, gmsa, group, domain, pso, waiver */
	const char *sam, *dn, *sid, *upn; /* borrowed; any may be NULL */
};

/*
 * A million of these may be kept: the subject is read from obj instead of
 * copied (finding_kind() and its kin), the small fields come last, packed.
 */
struct finding {
	const struct check *check;
	const struct dir_obj *obj;  /* NULL for waivers */
	const struct finding_subject *subject; /* when not NULL, the subject instead of obj's */
	char *detail;               /* discriminator or NULL (owned) */
	/*
	 * The audit's findings live in its arena (struct audit.mem), their
	 * messages too, packed (message_packed) until finding_message()
	 * formats them; findings made by hand own a malloc'd message text.
	 */
	char *message;
	/*
	 * Evidence (finding_ev_*), as typed records in one buffer: read it
	 * with finding_ev_iter_init(), or as a jansson object with
	 * finding_evidence(). Owned (malloc'd) while ev_alloc is not 0; once
	 * the check is done the engine moves it into the audit's arena.
	 */
	unsigned char *ev;
	json_t *ev_json;            /* finding_evidence()'s cache, or NULL */
	const struct waiver *waiver;/* the waiver hiding it, or NULL */
	uint32_t ev_len, ev_alloc;
	uint16_t check_index;
	uint8_t severity;           /* enum severity */
	uint8_t change;             /* enum finding_change */
	bool escalated;             /* severity set by finding_severity() */
	bool message_packed;        /* message holds a format and its arguments */
	bool ev_key_inline;         /* a key is in its record, its UTF-8 unchecked */
};

/* The subject's kind, sAMAccountName, DN, SID and UPN (any but the kind may be NULL). */
const char *finding_kind(const struct finding *f);
const char *finding_sam(const struct finding *f);
const char *finding_dn(const struct finding *f);
const char *finding_sid(const struct finding *f);
const char *finding_upn(const struct finding *f);

/* f's message: its text, formatted into sb when it is packed. */
const char *finding_message(const struct finding *f, struct sbuf *sb);

struct check_state {
	enum check_status status;
	size_t findings;            /* reported (after supersedes), waived included */
	size_t unwaived;
	char *reason;               /* for unknown (owned) */
	double seconds;
};

struct summary {
	size_t accounts, enabled, privileged, vpn_capable;
	size_t by_severity[SEV_COUNT];   /* unwaived findings */
	size_t waived, unknown_checks;
	enum severity fail_on;
	bool pass;
};

struct audit {
	const struct dir *dir;
	const struct policy *policy;
	int64_t now;
	struct finding **findings;  /* sorted after audit_run */
	size_t nfindings, findings_alloc;
	struct check_state *states; /* registry_count() of them */
	bool *waiver_used;          /* policy->nwaivers of them */
	struct summary summary;
	size_t run_start;           /* internal: first finding of the running check */
	struct arena mem;           /* the findings' messages and evidence */
	/*
	 * The findings themselves, packed apart from their text: the engine
	 * walks them all several times (supersedes, waivers, counts, sort).
	 */
	struct arena finding_mem;
};

/*
 * Evidence is flat: key -> string | null | integer | boolean | array of
 * strings, in the order first added; setting a key again replaces its
 * value in place (as a jansson object would). Strings are valid UTF-8
 * (cleaned when added); keys are kept as given, so a report cleans them.
 * A finding holds one buffer of records (type, key, value) instead of a
 * jansson tree: a tenth of the memory, and the JSON report writes it
 * directly.
 */
enum ev_type {
	EV_NULL,
	EV_STR,
	EV_INT,
	EV_BOOL,
	EV_STRS,
};

struct ev_item {
	enum ev_type type;
	const char *key;            /* NUL-terminated */
	size_t key_len;
	const char *str;            /* EV_STR: NUL-terminated */
	size_t str_len;
	long long num;              /* EV_INT: value; EV_BOOL: 0 or 1; EV_STRS: count */
	const unsigned char *strs;  /* EV_STRS: cursor for finding_ev_strs_next() */
};

struct ev_iter {
	const unsigned char *p, *end;
	char time[32];              /* the text of the last time (an EV_STR) */
};

/*
 * Iterate over f's evidence in order; items borrow from f, and a time's
 * text from the iterator, until its next item.
 */
void finding_ev_iter_init(struct ev_iter *it, const struct finding *f);
bool finding_ev_iter_next(struct ev_iter *it, struct ev_item *item);
/* Whether every key of f's evidence is valid UTF-8 (the checks' literals are). */
bool finding_ev_keys_valid(const struct finding *f);
/* The next string of an EV_STRS item (item->num of them), from *pos on. */
const char *finding_ev_strs_next(const unsigned char **pos, size_t *len);

/*
 * f's key, "check|subject[|detail]": the subject is its objectSid, else its
 * normalised DN. Findings keep no copy (a million findings would hold
 * a hundred megabytes of them): it is built into sb, whose text it is.
 */
const char *finding_key(const struct finding *f, struct sbuf *sb);
/* strcmp() of the keys of x and y, without building them. */
int finding_key_cmp(const struct finding *x, const struct finding *y);

/*
 * f's evidence as a jansson object (borrowed: cached in f until the
 * evidence changes, freed with it), for tests and one-off callers.
 */
json_t *finding_evidence(const struct finding *f);
/* Free f's evidence (for callers that build findings by hand). */
void finding_evidence_release(struct finding *f);

void audit_init(struct audit *a, const struct dir *d, const struct policy *p, int64_t now);
void audit_run(struct audit *a);
void audit_release(struct audit *a);

/* Exit code of the gate: EXIT_PASS or EXIT_GATE. */
int audit_exit_code(const struct audit *a);

#endif
