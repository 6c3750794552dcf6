/*
 * The policy: everything an audit decides, loaded from a policy JSON file
 * (or the built-in defaults) and validated strictly: unknown keys, wrong
 * types, bad dates, unknown check ids and parameters, negative thresholds
 * are errors naming FILE:LINE:COLUMN.
 *
 * The policy owns every string in it; policy_release() frees them.
 */
#ifndef PRIVAUDIT_POLICY_H
#define PRIVAUDIT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../checks/check.h"
#include "severity.h"

struct error;

struct strlist {
	char **v;
	size_t n;
};

struct waiver {
	char *check;         /* check id */
	char *account;       /* sAMAccountName, DN or SID as written */
	char *reason, *owner;
	int64_t expires;     /* first second the waiver no longer holds; TIME_NEVER: none */
	char *expires_text;  /* as written, or NULL */
	size_t index;        /* position in the waivers array */
};

struct csv_source {
	char *path;          /* NULL: not configured */
	char *column;        /* column holding the account name */
	char *match;         /* attribute it is compared with */
	char *time_column;   /* VPN activity: column of the last login time */
	bool optional;       /* missing file: checks unknown instead of exit 2 */
};

struct policy {
	char *path;          /* NULL for the built-in defaults */
	char sha256[65];     /* of the file's bytes (or of the defaults text) */
	int version;

	bool has_incident;
	int64_t incident;    /* incident.password_reset_after */

	struct strlist priv_extra_groups;

	struct strlist vpn_groups;
	bool vpn_dialin_attribute;
	struct csv_source vpn_activity;

	struct strlist mfa_groups;
	bool mfa_smartcard_required;
	char *mfa_attribute;          /* NULL: none */
	struct strlist mfa_attribute_values;
	struct csv_source mfa_enrollment;

	struct strlist service_name_patterns;
	struct strlist service_ous;

	struct check_config *checks;  /* registry_count() of them */
	struct waiver *waivers;
	size_t nwaivers;

	enum severity fail_on;
	bool unknown_fails;
};

/* The built-in defaults. */
void policy_init(struct policy *p);
void policy_release(struct policy *p);

/*
 * Load and validate a policy file over the defaults ("-" is stdin). p must
 * be initialised with policy_init(); on error p is unchanged. On error: -1,
 * err->code EXIT_INPUT, err->msg "FILE:LINE:COLUMN: message".
 */
int policy_load(struct policy *p, const char *path, struct error *err);
/* The same from a string; name is used in messages. */
int policy_load_string(struct policy *p, const char *text, const char *name,
		       struct error *err);

/* The full default policy as JSON text (new; valid input to policy_load). */
char *policy_defaults_json(void);

/*
 * The extra attribute names the directory must keep for this policy (the
 * MFA attribute, vpn.unowned's required attributes, the CSV match
 * attributes), fixed ones included, without duplicates. Returns a new
 * array of borrowed strings; *n gets the count.
 */
const char **policy_extra_attributes(const struct policy *p, size_t *n);

#endif
