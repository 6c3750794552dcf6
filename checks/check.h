/*
 * A check: one audit rule, declared as a const struct with designated
 * initialisers. Its metadata (id, family, title, severity, parameters,
 * rationale, remediation, references, supersedes, needs) is data; its
 * behaviour is run(). Runtime state (status, counts) lives in the engine.
 *
 * How to add a check:
 *   1. Write `static const struct check check_x = {...}` in the family file
 *      (checks/<family>.c) and add it to that file's family array.
 *   2. A new family is one line in checks/registry.c, the only list.
 *   3. Unit tests in tests/checks/test_<family>.c: the firing case, the
 *      non-firing case, and both sides of every threshold.
 *   4. A catalogue entry in README.md (tests/test_readme.c fails without).
 * tests/checks/test_registry.c enforces unique, well-formed ids and complete
 * metadata.
 *
 * run() reads the resolved directory and the policy and emits findings with
 * finding_add(); it never does I/O. When it cannot evaluate, it calls
 * check_unknown() and returns. The engine checks `needs` first: a check is
 * UNKNOWN when no entry of the kinds it reads carries any attribute of a
 * need.
 */
#ifndef PRIVAUDIT_CHECK_H
#define PRIVAUDIT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../auditor/dir.h"
#include "../auditor/sbuf.h"
#include "../auditor/severity.h"

struct audit;
struct finding;
struct policy;

enum param_type {
	PARAM_INT,      /* a non-negative integer within [min, max] */
	PARAM_STRINGS,  /* a list of strings */
	PARAM_INT_MAP,  /* group name -> non-negative integer; merged key by key */
};

struct param_map_entry {
	const char *key;
	long long value;
};

struct check_param {
	const char *name;
	enum param_type type;
	const char *doc;
	long long def, min, max;                   /* PARAM_INT; min/max also for map values */
	const char *const *def_strings;            /* PARAM_STRINGS, NULL-terminated */
	const struct param_map_entry *def_map;     /* PARAM_INT_MAP, key NULL ends */
};

/* A precondition: some entry of these kinds carries one of these attributes. */
struct check_need {
	unsigned kinds;      /* 1u << OBJ_* */
	uint64_t any_of;     /* ATTR_BIT(...) */
};

struct check_ctx;

struct check {
	const char *id;                 /* "family.name", stable */
	const char *family;             /* "pwd", "acct", "krb", "vpn", "mfa", "priv", "policy" */
	const char *title;
	enum severity severity;         /* default */
	const struct check_param *params;   /* name NULL ends; may be NULL */
	const char *const *supersedes;  /* ids, NULL-terminated; may be NULL */
	const struct check_need *needs; /* kinds 0 ends; may be NULL */
	const char *rationale;
	const char *remediation;
	const char *references;         /* "ANSSI vuln_...; MITRE ATT&CK T1078" */
	bool after_waivers;             /* runs once waivers are applied (policy.*) */
	/*
	 * TARGET_PRIVILEGED and/or TARGET_MFA (dir.h): the check rests on who
	 * is privileged or who has MFA, so it is UNKNOWN when a group the
	 * policy names for that is not in the directory, or (MFA) when the
	 * enrollment CSV the policy names was not read.
	 */
	unsigned needs_groups;
	/*
	 * The check looks at service accounts alone, or leaves them out, so
	 * it is UNKNOWN when an OU of service_accounts.ous holds nothing of
	 * the directory (a typo would classify no one).
	 */
	bool needs_service;
	/*
	 * run() looks at the accounts ctx->from..ctx->to one at a time, and
	 * at nothing else of the directory but what is the same for all
	 * (seen bits, groups by name, the domain); it calls check_unknown()
	 * only before it looks at an account. The engine then runs it on
	 * blocks of accounts, every such check on a block in turn while the
	 * block's accounts are in the cache: a million accounts take 200 MB,
	 * which one pass per check would read from memory each time.
	 */
	bool per_account;
	void (*run)(struct check_ctx *ctx);
};

struct check_family {
	const char *name;
	const struct check *const *checks; /* NULL-terminated */
};

/* The runtime value of a parameter, owned by the policy. */
struct param_value {
	long long i;
	char **strings;
	size_t nstrings;
	struct param_map_entry *map;  /* keys owned by the policy */
	size_t nmap;
};

/* What the policy says about one check (index = registry index). */
struct check_config {
	bool enabled;
	int severity;                 /* -1: the check's own */
	struct param_value *params;   /* parallel to check->params */
};

/* What run() gets. */
struct check_ctx {
	const struct check *check;
	size_t index;                 /* registry index */
	const struct check_config *cfg;
	const struct dir *dir;
	const struct policy *policy;
	int64_t now;
	struct audit *audit;
	/* the accounts to look at, dir->accounts[from..to): all but for per_account */
	size_t from, to;
};

/* Parameter accessors by name (the name must be declared: aborts if not). */
long long check_param_int(const struct check_ctx *ctx, const char *name);
const struct param_value *check_param(const struct check_ctx *ctx, const char *name);

/*
 * Report that the check could not be evaluated, with a reason ("lastLogon
 * and lastLogonTimestamp absent from all user entries"). Findings already
 * emitted by this run are discarded.
 */
void check_unknown(struct check_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Emit a finding on subject (an account, group, PSO, or &dir->domain.h for
 * the domain) with a formatted message. Returns the finding so that the
 * caller can add evidence and a detail; it is owned by the audit. fmt must
 * be a string literal (-Wformat=2 sees to it): the finding may keep it and
 * copies of its arguments, and format the message when a report asks.
 */
struct finding *finding_add(struct check_ctx *ctx, const struct dir_obj *subject,
			    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A finding whose subject is a policy waiver (policy.* checks). */
struct waiver;
struct finding *finding_add_waiver(struct check_ctx *ctx, const struct waiver *w,
				   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Discriminator for several findings of one check on one subject. */
void finding_detail(struct finding *f, const char *detail);
/* Escalate (or lower) this finding; a policy severity override still wins. */
void finding_severity(struct finding *f, enum severity s);
/* Evidence, in the order added. */
void finding_ev_str(struct finding *f, const char *key, const char *val);
void finding_ev_int(struct finding *f, const char *key, long long val);
void finding_ev_bool(struct finding *f, const char *key, bool val);
/* A time as ISO 8601, or JSON null for TIME_NEVER. */
void finding_ev_time(struct finding *f, const char *key, int64_t t);
void finding_ev_strs(struct finding *f, const char *key, const char *const *vals, size_t n);

/* Shared predicates and helpers for account checks. */

/* Days from t to ctx->now, rounded down. */
int64_t check_age_days(const struct check_ctx *ctx, int64_t t);
/* "Older than days": strictly more than days * 86400 s before now. */
bool check_older_than(const struct check_ctx *ctx, int64_t t, long long days);
/*
 * Idle for more than days: last logon older, or never logged on and
 * created more than days ago (whenCreated absent: idle).
 */
bool check_idle(const struct check_ctx *ctx, const struct account *a, long long days);

/*
 * The MFA evidence sources the policy makes the classifier consult (its
 * groups, SMARTCARD_REQUIRED, the attribute, the enrollment CSV): the
 * same for every account, built once per run for messages (text) and
 * evidence (v, n). Owned by the struct; release it.
 */
struct mfa_consulted {
	const char **v;
	size_t n;
	struct sbuf items[2];
	struct sbuf text;
};

void check_mfa_consulted_init(struct mfa_consulted *c, const struct policy *p);
void check_mfa_consulted_release(struct mfa_consulted *c);

#endif
