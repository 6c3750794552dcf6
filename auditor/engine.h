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
#include "severity.h"

struct dir;
struct policy;

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

struct finding {
	const struct check *check;
	size_t check_index;
	enum severity severity;
	const char *kind;           /* user, computer, gmsa, group, domain, pso, waiver */
	const struct dir_obj *obj;  /* NULL for waivers */
	const char *sam, *dn, *sid, *upn; /* borrowed; any may be NULL */
	char *detail;               /* discriminator or NULL (owned) */
	char *message;              /* owned */
	json_t *evidence;           /* owned object */
	char *key;                  /* "check|sid-or-dn[|detail]" (owned) */
	const struct waiver *waiver;/* the waiver hiding it, or NULL */
	bool escalated;             /* severity set by finding_severity() */
	enum finding_change change;
};

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
};

void audit_init(struct audit *a, const struct dir *d, const struct policy *p, int64_t now);
void audit_run(struct audit *a);
void audit_release(struct audit *a);

/* Exit code of the gate: EXIT_PASS or EXIT_GATE. */
int audit_exit_code(const struct audit *a);

#endif
