/*
 * Tests for auditor/policy.c (the policy JSON loader and validator) and
 * auditor/sha256.c. Error tests assert the whole message, line and column
 * included: an auditor fixes a policy from that line alone.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../auditor/error.h"
#include "../../auditor/exitcode.h"
#include "../../auditor/policy.h"
#include "../../auditor/sbuf.h"
#include "../../auditor/sha256.h"
#include "../../auditor/strutil.h"
#include "../../auditor/timeutil.h"
#include "../../checks/registry.h"

/* ---- helpers ------------------------------------------------------------ */

static void load_ok(struct policy *p, const char *json)
{
	struct error err = ERROR_INIT;
	int rc;

	policy_init(p);
	rc = policy_load_string(p, json, "policy.json", &err);
	cr_assert_eq(rc, 0, "policy rejected: %s\n%s", err.msg, json);
	cr_assert_eq(err.code, 0);
}

static void assert_policy_eq(const struct policy *a, const struct policy *b);

static void expect_error(const char *json, const char *msg)
{
	struct policy p, d;
	struct error err = ERROR_INIT;
	int rc;

	policy_init(&p);
	rc = policy_load_string(&p, json, "policy.json", &err);
	cr_assert_eq(rc, -1, "policy accepted:\n%s", json);
	cr_assert_eq(err.code, EXIT_INPUT, "exit code %d for %s", err.code, err.msg);
	cr_expect_str_eq(err.msg, msg);
	/* a failed load leaves the policy as it was */
	policy_init(&d);
	assert_policy_eq(&p, &d);
	cr_assert_str_eq(p.sha256, d.sha256);
	policy_release(&d);
	policy_release(&p);
}

static const struct check_param *param_decl(const char *id, const char *name, size_t *j)
{
	const struct check *c = registry_find(id, NULL);

	cr_assert_not_null(c, "check %s is not registered yet", id);
	for (size_t k = 0; c->params && c->params[k].name; k++) {
		if (strcmp(c->params[k].name, name) == 0) {
			if (j)
				*j = k;
			return &c->params[k];
		}
	}
	cr_assert_fail("check %s has no parameter %s", id, name);
	return NULL;
}

static const struct param_value *param(const struct policy *p, const char *id,
				       const char *name)
{
	size_t index, j;

	cr_assert_not_null(registry_find(id, &index), "check %s is not registered yet", id);
	param_decl(id, name, &j);
	return &p->checks[index].params[j];
}

static const struct check_config *cfg(const struct policy *p, const char *id)
{
	size_t index;

	cr_assert_not_null(registry_find(id, &index), "check %s is not registered yet", id);
	return &p->checks[index];
}

static long long map_get(const struct param_value *pv, const char *key, bool *found)
{
	for (size_t i = 0; i < pv->nmap; i++) {
		if (strcmp(pv->map[i].key, key) == 0) {
			*found = true;
			return pv->map[i].value;
		}
	}
	*found = false;
	return 0;
}

static void assert_strlist_eq(const struct strlist *a, const struct strlist *b)
{
	cr_assert_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		cr_assert_str_eq(a->v[i], b->v[i]);
}

static void assert_str_or_null_eq(const char *a, const char *b)
{
	if (!a || !b)
		cr_assert_eq(a, b);
	else
		cr_assert_str_eq(a, b);
}

static void assert_csv_eq(const struct csv_source *a, const struct csv_source *b)
{
	assert_str_or_null_eq(a->path, b->path);
	assert_str_or_null_eq(a->column, b->column);
	assert_str_or_null_eq(a->match, b->match);
	assert_str_or_null_eq(a->time_column, b->time_column);
	cr_assert_eq(a->optional, b->optional);
}

/* Everything but path and sha256. */
static void assert_policy_eq(const struct policy *a, const struct policy *b)
{
	cr_assert_eq(a->version, b->version);
	cr_assert_eq(a->has_incident, b->has_incident);
	cr_assert_eq(a->incident, b->incident);
	assert_strlist_eq(&a->priv_extra_groups, &b->priv_extra_groups);
	assert_strlist_eq(&a->vpn_groups, &b->vpn_groups);
	cr_assert_eq(a->vpn_dialin_attribute, b->vpn_dialin_attribute);
	assert_csv_eq(&a->vpn_activity, &b->vpn_activity);
	assert_strlist_eq(&a->mfa_groups, &b->mfa_groups);
	cr_assert_eq(a->mfa_smartcard_required, b->mfa_smartcard_required);
	assert_str_or_null_eq(a->mfa_attribute, b->mfa_attribute);
	assert_strlist_eq(&a->mfa_attribute_values, &b->mfa_attribute_values);
	assert_csv_eq(&a->mfa_enrollment, &b->mfa_enrollment);
	assert_strlist_eq(&a->service_name_patterns, &b->service_name_patterns);
	assert_strlist_eq(&a->service_ous, &b->service_ous);
	for (size_t i = 0; i < registry_count(); i++) {
		const struct check *c = registry_get(i);

		cr_assert_eq(a->checks[i].enabled, b->checks[i].enabled, "%s", c->id);
		cr_assert_eq(a->checks[i].severity, b->checks[i].severity, "%s", c->id);
		for (size_t j = 0; c->params && c->params[j].name; j++) {
			const struct param_value *x = &a->checks[i].params[j];
			const struct param_value *y = &b->checks[i].params[j];

			cr_assert_eq(x->i, y->i, "%s %s", c->id, c->params[j].name);
			cr_assert_eq(x->nstrings, y->nstrings);
			for (size_t k = 0; k < x->nstrings; k++)
				cr_assert_str_eq(x->strings[k], y->strings[k]);
			cr_assert_eq(x->nmap, y->nmap);
			for (size_t k = 0; k < x->nmap; k++) {
				cr_assert_str_eq(x->map[k].key, y->map[k].key);
				cr_assert_eq(x->map[k].value, y->map[k].value);
			}
		}
	}
	cr_assert_eq(a->nwaivers, b->nwaivers);
	cr_assert_eq(a->fail_on, b->fail_on);
	cr_assert_eq(a->unknown_fails, b->unknown_fails);
}

/* ---- sha256 ------------------------------------------------------------- */

Test(policy, sha256_fips_vectors)
{
	char out[65];

	sha256_hex("abc", 3, out);
	cr_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("", 0, out);
	cr_assert_str_eq(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, out);
	cr_assert_str_eq(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(policy, sha256_million_a)
{
	/* FIPS 180-2 appendix B.3: one million "a", across many blocks */
	size_t n = 1000000;
	char *buf = malloc(n), out[65];

	memset(buf, 'a', n);
	sha256_hex(buf, n, out);
	free(buf);
	cr_assert_str_eq(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* ---- defaults ----------------------------------------------------------- */

Test(policy, defaults_load)
{
	struct policy p;
	char *text = policy_defaults_json(), hash[65];
	bool found;

	policy_init(&p);
	cr_assert_null(p.path);
	cr_assert_eq(p.version, 1);
	cr_assert_not(p.has_incident);
	cr_assert_eq(p.incident, TIME_NEVER);
	cr_assert_eq(p.priv_extra_groups.n, 0);
	cr_assert(p.vpn_dialin_attribute);
	cr_assert_null(p.vpn_activity.path);
	cr_assert_str_eq(p.vpn_activity.column, "user");
	cr_assert_str_eq(p.vpn_activity.time_column, "last_login");
	cr_assert_str_eq(p.vpn_activity.match, "sAMAccountName");
	cr_assert(p.mfa_smartcard_required);
	cr_assert_null(p.mfa_attribute);
	cr_assert_null(p.mfa_enrollment.path);
	cr_assert_str_eq(p.mfa_enrollment.column, "upn");
	cr_assert_str_eq(p.mfa_enrollment.match, "userPrincipalName");
	cr_assert_eq(p.nwaivers, 0);
	cr_assert_eq(p.fail_on, SEV_HIGH);
	cr_assert(p.unknown_fails);
	for (size_t i = 0; i < registry_count(); i++) {
		cr_assert(p.checks[i].enabled, "%s", registry_get(i)->id);
		cr_assert_eq(p.checks[i].severity, -1, "%s", registry_get(i)->id);
	}
	cr_assert_eq(param(&p, "pwd.old", "max_age_days")->i, 365);
	cr_assert_eq(map_get(param(&p, "priv.group-size", "max_members"), "Domain Admins", &found), 5);
	cr_assert(found);
	cr_assert_eq(map_get(param(&p, "priv.group-size", "max_members"), "Schema Admins", &found), 0);
	cr_assert(found);
	cr_assert_eq(param(&p, "vpn.unowned", "required_attributes")->nstrings, 2);
	cr_assert_str_eq(param(&p, "vpn.unowned", "required_attributes")->strings[0], "employeeID");
	cr_assert_str_eq(param(&p, "vpn.unowned", "required_attributes")->strings[1], "manager");
	cr_assert_eq(param(&p, "vpn.stale", "max_idle_days")->i, 45);

	sha256_hex(text, strlen(text), hash);
	cr_assert_str_eq(p.sha256, hash);
	free(text);
	policy_release(&p);
}

Test(policy, defaults_json_shape)
{
	char *text = policy_defaults_json();
	static const char *const order[] = {
		"\n  \"version\": 1,\n", "\n  \"incident\": {", "\n  \"privileged\": {",
		"\n  \"vpn\": {", "\n  \"mfa\": {", "\n  \"service_accounts\": {",
		"\n  \"checks\": {", "\n  \"waivers\": []", "\n  \"gate\": {",
	};
	const char *at = text;

	cr_assert_eq(text[0], '{');
	cr_assert_eq(text[strlen(text) - 1], '\n');
	cr_assert_eq(text[strlen(text) - 2], '}');
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *hit = strstr(at, order[i]);

		cr_assert_not_null(hit, "%s missing or out of order", order[i]);
		at = hit;
	}
	cr_assert_not_null(strstr(text, "\"password_reset_after\": null"));
	cr_assert_not_null(strstr(text, "\"fail_on\": \"high\""));
	cr_assert_not_null(strstr(text, "\"unknown_fails\": true"));
	for (size_t i = 0; i < registry_count(); i++) {
		struct sbuf key = SBUF_INIT;

		sbuf_addf(&key, "\n    \"%s\": {\n      \"enabled\": true", registry_get(i)->id);
		cr_assert_not_null(strstr(text, key.buf), "%s", key.buf);
		sbuf_release(&key);
	}
	cr_assert_not_null(strstr(text, "\"max_age_days\": 365"));
	free(text);
}

Test(policy, defaults_json_round_trips)
{
	struct policy a, b;
	char *text = policy_defaults_json();

	policy_init(&a);
	load_ok(&b, text);
	assert_policy_eq(&a, &b);
	cr_assert_str_eq(a.sha256, b.sha256);
	cr_assert_null(b.path);
	free(text);
	policy_release(&a);
	policy_release(&b);
}

Test(policy, empty_object_is_the_defaults)
{
	struct policy a, b;

	policy_init(&a);
	load_ok(&b, "{}");
	assert_policy_eq(&a, &b);
	policy_release(&a);
	policy_release(&b);
}

Test(policy, each_load_starts_from_the_defaults)
{
	struct policy p, d;
	struct error err = ERROR_INIT;

	load_ok(&p, "{\"gate\": {\"fail_on\": \"critical\"}, \"vpn\": {\"groups\": [\"VPN\"]}}");
	cr_assert_eq(p.fail_on, SEV_CRITICAL);
	cr_assert_eq(policy_load_string(&p, "{\"gate\": {\"unknown_fails\": false}}", "b.json", &err), 0);
	cr_assert_eq(p.fail_on, SEV_HIGH);
	cr_assert_eq(p.vpn_groups.n, 0);
	cr_assert_not(p.unknown_fails);
	/* a failed load keeps what was loaded before */
	cr_assert_eq(policy_load_string(&p, "{\"gate\": {\"fail_on\": 1}}", "c.json", &err), -1);
	cr_assert_not(p.unknown_fails);
	policy_init(&d);
	cr_assert_str_neq(p.sha256, d.sha256);
	policy_release(&d);
	policy_release(&p);
}

/* ---- a full policy ------------------------------------------------------ */

static const char design_sketch[] =
	"{\n"
	"  \"version\": 1,\n"
	"  \"incident\": { \"password_reset_after\": \"2025-10-04T00:00:00Z\" },\n"
	"  \"privileged\": { \"extra_groups\": [\"IT-Admins\"] },\n"
	"  \"vpn\":  { \"groups\": [\"VPN-Users\"], \"dialin_attribute\": false,\n"
	"            \"activity_csv\": \"vpn.csv\" },\n"
	"  \"mfa\":  { \"groups\": [\"MFA-Enrolled\"], \"smartcard_required\": false,\n"
	"            \"attribute\": { \"name\": \"extensionAttribute7\", \"values\": [\"mfa\", \"yes\"] },\n"
	"            \"enrollment_csv\": { \"path\": \"mfa.csv\", \"column\": \"email\",\n"
	"                                \"match\": \"mail\", \"optional\": true } },\n"
	"  \"service_accounts\": { \"name_patterns\": [\"svc-*\"], \"ous\": [\"OU=Svc,DC=corp,DC=example\"] },\n"
	"  \"checks\": {\n"
	"    \"pwd.old\": { \"max_age_days\": 200 },\n"
	"    \"priv.group-size\": { \"max_members\": { \"Domain Admins\": 3 } },\n"
	"    \"vpn.stale\": { \"max_idle_days\": 30, \"severity\": \"critical\" },\n"
	"    \"vpn.unowned\": { \"enabled\": false }\n"
	"  },\n"
	"  \"waivers\": [\n"
	"    { \"check\": \"pwd.old\", \"account\": \"svc-backup\",\n"
	"      \"reason\": \"vendor appliance, rotated by hand\", \"owner\": \"it-ops\",\n"
	"      \"expires\": \"2026-03-31\" },\n"
	"    { \"check\": \"vpn.stale\", \"account\": \"bob\", \"reason\": \"on leave\" }\n"
	"  ],\n"
	"  \"gate\": { \"fail_on\": \"medium\", \"unknown_fails\": false }\n"
	"}\n";

Test(policy, loads_every_section)
{
	struct policy p;
	bool found;

	load_ok(&p, design_sketch);
	cr_assert(p.has_incident);
	cr_assert_eq(p.incident, time_from_civil(2025, 10, 4, 0, 0, 0));
	cr_assert_eq(p.priv_extra_groups.n, 1);
	cr_assert_str_eq(p.priv_extra_groups.v[0], "IT-Admins");
	cr_assert_eq(p.vpn_groups.n, 1);
	cr_assert_str_eq(p.vpn_groups.v[0], "VPN-Users");
	cr_assert_not(p.vpn_dialin_attribute);
	cr_assert_str_eq(p.vpn_activity.path, "vpn.csv");
	cr_assert_str_eq(p.vpn_activity.column, "user");
	cr_assert_str_eq(p.vpn_activity.time_column, "last_login");
	cr_assert_str_eq(p.vpn_activity.match, "sAMAccountName");
	cr_assert_not(p.vpn_activity.optional);
	cr_assert_str_eq(p.mfa_groups.v[0], "MFA-Enrolled");
	cr_assert_not(p.mfa_smartcard_required);
	cr_assert_str_eq(p.mfa_attribute, "extensionAttribute7");
	cr_assert_eq(p.mfa_attribute_values.n, 2);
	cr_assert_str_eq(p.mfa_attribute_values.v[1], "yes");
	cr_assert_str_eq(p.mfa_enrollment.path, "mfa.csv");
	cr_assert_str_eq(p.mfa_enrollment.column, "email");
	cr_assert_str_eq(p.mfa_enrollment.match, "mail");
	cr_assert(p.mfa_enrollment.optional);
	cr_assert_str_eq(p.service_name_patterns.v[0], "svc-*");
	cr_assert_str_eq(p.service_ous.v[0], "OU=Svc,DC=corp,DC=example");
	cr_assert_eq(param(&p, "pwd.old", "max_age_days")->i, 200);
	cr_assert_eq(map_get(param(&p, "priv.group-size", "max_members"), "Domain Admins", &found), 3);
	cr_assert_eq(param(&p, "vpn.stale", "max_idle_days")->i, 30);
	cr_assert_eq(cfg(&p, "vpn.stale")->severity, SEV_CRITICAL);
	cr_assert(cfg(&p, "vpn.stale")->enabled);
	cr_assert_not(cfg(&p, "vpn.unowned")->enabled);
	cr_assert_eq(cfg(&p, "vpn.unowned")->severity, -1);
	cr_assert_eq(p.nwaivers, 2);
	cr_assert_str_eq(p.waivers[0].check, "pwd.old");
	cr_assert_str_eq(p.waivers[0].account, "svc-backup");
	cr_assert_str_eq(p.waivers[0].reason, "vendor appliance, rotated by hand");
	cr_assert_str_eq(p.waivers[0].owner, "it-ops");
	cr_assert_str_eq(p.waivers[0].expires_text, "2026-03-31");
	cr_assert_eq(p.waivers[0].index, 0);
	cr_assert_null(p.waivers[1].owner);
	cr_assert_null(p.waivers[1].expires_text);
	cr_assert_eq(p.waivers[1].expires, TIME_NEVER);
	cr_assert_eq(p.waivers[1].index, 1);
	cr_assert_eq(p.fail_on, SEV_MEDIUM);
	cr_assert_not(p.unknown_fails);
	policy_release(&p);
}

Test(policy, incident_date_is_midnight_utc)
{
	struct policy p;

	load_ok(&p, "{\"incident\": {\"password_reset_after\": \"2025-10-04\"}}");
	cr_assert(p.has_incident);
	cr_assert_eq(p.incident, time_from_civil(2025, 10, 4, 0, 0, 0));
	policy_release(&p);

	load_ok(&p, "{\"incident\": {\"password_reset_after\": \"2025-10-04T09:30:00+09:00\"}}");
	cr_assert_eq(p.incident, time_from_civil(2025, 10, 4, 0, 30, 0));
	policy_release(&p);

	load_ok(&p, "{\"incident\": {\"password_reset_after\": null}}");
	cr_assert_not(p.has_incident);
	cr_assert_eq(p.incident, TIME_NEVER);
	policy_release(&p);
}

Test(policy, severity_override)
{
	const struct check *c = registry_find("pwd.old", NULL);
	struct sbuf json = SBUF_INIT;
	struct policy p;

	cr_assert_not_null(c);
	cr_assert_neq(c->severity, SEV_CRITICAL);
	load_ok(&p, "{\"checks\": {\"pwd.old\": {\"severity\": \"critical\", \"enabled\": false}}}");
	cr_assert_eq(cfg(&p, "pwd.old")->severity, SEV_CRITICAL);
	cr_assert_not(cfg(&p, "pwd.old")->enabled);
	policy_release(&p);

	/* naming the check's own severity still overrides: it caps escalations */
	sbuf_addf(&json, "{\"checks\": {\"pwd.old\": {\"severity\": \"%s\"}}}",
		  severity_name(c->severity));
	load_ok(&p, json.buf);
	cr_assert_eq(cfg(&p, "pwd.old")->severity, (int)c->severity);
	policy_release(&p);
	sbuf_release(&json);
}

/* ---- parameters --------------------------------------------------------- */

Test(policy, map_merges_key_by_key)
{
	struct policy d, p;
	const struct param_value *dm, *pm;
	bool found;

	policy_init(&d);
	dm = param(&d, "priv.group-size", "max_members");
	load_ok(&p, "{\"checks\": {\"priv.group-size\": {\"max_members\":"
		    " {\"domain admins\": 3, \"IT-Admins\": 1}}}}");
	pm = param(&p, "priv.group-size", "max_members");
	/* one new key, one replaced case-insensitively under its default spelling */
	cr_assert_eq(pm->nmap, dm->nmap + 1);
	cr_assert_eq(map_get(pm, "Domain Admins", &found), 3);
	cr_assert(found);
	map_get(pm, "domain admins", &found);
	cr_assert_not(found);
	cr_assert_eq(map_get(pm, "IT-Admins", &found), 1);
	cr_assert(found);
	/* the keys not named keep their defaults */
	for (size_t i = 0; i < dm->nmap; i++) {
		if (str_ieq(dm->map[i].key, "Domain Admins"))
			continue;
		cr_assert_eq(map_get(pm, dm->map[i].key, &found), dm->map[i].value, "%s",
			     dm->map[i].key);
		cr_assert(found);
	}
	policy_release(&d);
	policy_release(&p);
}

Test(policy, strings_replace_the_default_list)
{
	struct policy p;
	const struct param_value *pv;

	load_ok(&p, "{\"checks\": {\"vpn.unowned\": {\"required_attributes\": [\"employeeNumber\"]}}}");
	pv = param(&p, "vpn.unowned", "required_attributes");
	cr_assert_eq(pv->nstrings, 1);
	cr_assert_str_eq(pv->strings[0], "employeeNumber");
	policy_release(&p);

	load_ok(&p, "{\"checks\": {\"vpn.unowned\": {\"required_attributes\": []}}}");
	cr_assert_eq(param(&p, "vpn.unowned", "required_attributes")->nstrings, 0);
	policy_release(&p);
}

Test(policy, int_param_boundaries)
{
	const struct check_param *cp = param_decl("pwd.old", "max_age_days", NULL);
	struct sbuf json = SBUF_INIT, msg = SBUF_INIT;
	struct policy p;

	sbuf_addf(&json, "{\"checks\": {\"pwd.old\": {\"max_age_days\": %lld}}}", cp->min);
	load_ok(&p, json.buf);
	cr_assert_eq(param(&p, "pwd.old", "max_age_days")->i, cp->min);
	policy_release(&p);

	sbuf_reset(&json);
	sbuf_addf(&json, "{\"checks\": {\"pwd.old\": {\"max_age_days\": %lld}}}", cp->max);
	load_ok(&p, json.buf);
	cr_assert_eq(param(&p, "pwd.old", "max_age_days")->i, cp->max);
	policy_release(&p);

	sbuf_reset(&json);
	sbuf_addf(&json, "{\"checks\": {\"pwd.old\": {\"max_age_days\": %lld}}}", cp->max + 1);
	sbuf_addf(&msg, "policy.json:1:41: \"max_age_days\": %lld out of range (expected %lld to %lld)",
		  cp->max + 1, cp->min, cp->max);
	expect_error(json.buf, msg.buf);

	sbuf_reset(&json);
	sbuf_reset(&msg);
	sbuf_addf(&json, "{\"checks\": {\"pwd.old\": {\"max_age_days\": %lld}}}", cp->min - 1);
	sbuf_addf(&msg, "policy.json:1:41: \"max_age_days\": %lld out of range (expected %lld to %lld)",
		  cp->min - 1, cp->min, cp->max);
	expect_error(json.buf, msg.buf);
	sbuf_release(&json);
	sbuf_release(&msg);
}

/* ---- waivers ------------------------------------------------------------ */

Test(policy, waiver_date_holds_to_end_of_day)
{
	struct policy p;

	load_ok(&p, "{\"waivers\": [{\"check\": \"pwd.old\", \"account\": \"a\", \"reason\": \"r\","
		    " \"expires\": \"2026-03-31\"}]}");
	cr_assert_eq(p.nwaivers, 1);
	/* the first second it no longer holds: 2026-04-01T00:00:00Z */
	cr_assert_eq(p.waivers[0].expires, time_from_civil(2026, 3, 31, 0, 0, 0) + 86400);
	cr_assert_eq(p.waivers[0].expires, time_from_civil(2026, 4, 1, 0, 0, 0));
	cr_assert_str_eq(p.waivers[0].expires_text, "2026-03-31");
	policy_release(&p);

	/* at the end of a leap February */
	load_ok(&p, "{\"waivers\": [{\"check\": \"pwd.old\", \"account\": \"a\", \"reason\": \"r\","
		    " \"expires\": \"2028-02-29\"}]}");
	cr_assert_eq(p.waivers[0].expires, time_from_civil(2028, 3, 1, 0, 0, 0));
	policy_release(&p);
}

Test(policy, waiver_datetime_is_that_instant)
{
	struct policy p;

	load_ok(&p, "{\"waivers\": [{\"check\": \"pwd.old\", \"account\": \"a\", \"reason\": \"r\","
		    " \"expires\": \"2026-03-31T12:00:00+02:00\"}]}");
	cr_assert_eq(p.waivers[0].expires, time_from_civil(2026, 3, 31, 10, 0, 0));
	cr_assert_str_eq(p.waivers[0].expires_text, "2026-03-31T12:00:00+02:00");
	policy_release(&p);

	load_ok(&p, "{\"waivers\": [{\"check\": \"pwd.old\", \"account\": \"a\", \"reason\": \"r\","
		    " \"expires\": \"2026-03-31T00:00:00Z\"}]}");
	cr_assert_eq(p.waivers[0].expires, time_from_civil(2026, 3, 31, 0, 0, 0));
	policy_release(&p);
}

/* ---- CSV sources -------------------------------------------------------- */

Test(policy, csv_source_forms)
{
	struct policy p;

	load_ok(&p, "{\"vpn\": {\"activity_csv\": {\"path\": \"v.csv\", \"column\": \"login\","
		    " \"time_column\": \"ts\", \"match\": \"userPrincipalName\", \"optional\": true}},"
		    " \"mfa\": {\"enrollment_csv\": \"m.csv\"}}");
	cr_assert_str_eq(p.vpn_activity.path, "v.csv");
	cr_assert_str_eq(p.vpn_activity.column, "login");
	cr_assert_str_eq(p.vpn_activity.time_column, "ts");
	cr_assert_str_eq(p.vpn_activity.match, "userPrincipalName");
	cr_assert(p.vpn_activity.optional);
	cr_assert_str_eq(p.mfa_enrollment.path, "m.csv");
	cr_assert_str_eq(p.mfa_enrollment.column, "upn");
	cr_assert_str_eq(p.mfa_enrollment.match, "userPrincipalName");
	cr_assert_not(p.mfa_enrollment.optional);
	policy_release(&p);

	load_ok(&p, "{\"vpn\": {\"activity_csv\": null}, \"mfa\": {\"enrollment_csv\": null}}");
	cr_assert_null(p.vpn_activity.path);
	cr_assert_null(p.mfa_enrollment.path);
	policy_release(&p);
}

/* ---- files -------------------------------------------------------------- */

Test(policy, load_file_hashes_its_bytes)
{
	static const char text[] = "{\n  \"gate\": {\"fail_on\": \"critical\"}\n}\n";
	char path[] = "/tmp/privaudit-policy-XXXXXX", hash[65];
	struct error err = ERROR_INIT;
	struct policy p;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	policy_init(&p);
	cr_assert_eq(policy_load(&p, path, &err), 0, "%s", err.msg);
	unlink(path);
	sha256_hex(text, strlen(text), hash);
	cr_assert_str_eq(p.sha256, hash);
	cr_assert_str_eq(p.path, path);
	cr_assert_eq(p.fail_on, SEV_CRITICAL);
	policy_release(&p);
}

Test(policy, load_file_errors_name_the_file)
{
	static const char text[] = "{\n  \"gate\": {\"fail_on\": \"severe\"}\n}\n";
	char path[] = "/tmp/privaudit-policy-XXXXXX";
	struct error err = ERROR_INIT;
	struct sbuf msg = SBUF_INIT;
	struct policy p;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	policy_init(&p);
	cr_assert_eq(policy_load(&p, path, &err), -1);
	unlink(path);
	cr_assert_eq(err.code, EXIT_INPUT);
	sbuf_addf(&msg, "%s:2:23: \"fail_on\": unknown severity \"severe\""
		  " (expected info, low, medium, high or critical)", path);
	cr_assert_str_eq(err.msg, msg.buf);
	sbuf_release(&msg);
	policy_release(&p);
}

Test(policy, missing_file_cannot_read)
{
	struct error err = ERROR_INIT;
	struct policy p;

	policy_init(&p);
	cr_assert_eq(policy_load(&p, "data/policy/does-not-exist.json", &err), -1);
	cr_assert_eq(err.code, EXIT_INPUT);
	cr_assert_str_eq(err.msg,
			 "data/policy/does-not-exist.json: cannot read: No such file or directory");
	policy_release(&p);
}

Test(policy, directory_cannot_read)
{
	struct error err = ERROR_INIT;
	struct policy p;

	policy_init(&p);
	cr_assert_eq(policy_load(&p, "/tmp", &err), -1);
	cr_assert_eq(err.code, EXIT_INPUT);
	cr_assert_str_eq(err.msg, "/tmp: cannot read: Is a directory");
	policy_release(&p);
}

/* ---- errors: syntax ----------------------------------------------------- */

Test(policy, rejects_syntax_error)
{
	expect_error("{\n  \"version\": 1,\n}", "policy.json:3:1: string or '}' expected near '}'");
	expect_error("{\"a\": x}", "policy.json:1:7: invalid token near 'x'");
}

Test(policy, rejects_duplicate_key)
{
	expect_error("{\n  \"gate\": {},\n  \"gate\": {}\n}",
		     "policy.json:3:8: duplicate object key near '\"gate\"'");
}

Test(policy, rejects_empty_file)
{
	expect_error("", "policy.json:1:1: empty policy file");
	expect_error(" \n\t\n", "policy.json:1:1: empty policy file");
}

Test(policy, rejects_non_object)
{
	expect_error("[1, 2]", "policy.json:1:1: expected a json object at the top level, got an array");
}

/* ---- errors: keys ------------------------------------------------------- */

Test(policy, rejects_unknown_key)
{
	expect_error("{\n  \"verison\": 1\n}", "policy.json:2:3: unknown key \"verison\"");
	expect_error("{\"vpn\": {\"group\": []}}", "policy.json:1:10: unknown key \"group\" in vpn");
	expect_error("{\"mfa\": {\"attribute\": {\"name\": \"x\", \"value\": []}}}",
		     "policy.json:1:37: unknown key \"value\" in mfa.attribute");
	expect_error("{\"mfa\": {\"enrollment_csv\": {\"path\": \"m.csv\", \"time_column\": \"t\"}}}",
		     "policy.json:1:46: unknown key \"time_column\" in mfa.enrollment_csv");
	expect_error("{\"gate\": {\"fail\": \"high\"}}", "policy.json:1:11: unknown key \"fail\" in gate");
	expect_error("{\"waivers\": [{\"check\": \"pwd.old\", \"account\": \"a\", \"reason\": \"r\",\n"
		     "  \"expiry\": \"2026-01-01\"}]}",
		     "policy.json:2:3: unknown key \"expiry\" in waivers[0]");
}

Test(policy, rejects_unknown_check_parameter)
{
	/* the message DESIGN.md's reader sees for a typo */
	expect_error("{\n"
		     "  \"checks\": {\n"
		     "    \"vpn.stale\": {\n"
		     "      \"severity\": \"high\",\n"
		     "      \"max_idel_days\": 30\n"
		     "    }\n"
		     "  }\n"
		     "}\n",
		     "policy.json:5:7: unknown key \"max_idel_days\" in checks.\"vpn.stale\"");
}

Test(policy, rejects_unknown_check_id)
{
	expect_error("{\"checks\": {\"pwd.old\": {}, \"pwd.olde\": {\"enabled\": false}}}",
		     "policy.json:1:28: unknown check \"pwd.olde\"");
	expect_error("{\"waivers\": [{\"check\": \"pwd.old\", \"account\": \"a\", \"reason\": \"r\"},\n"
		     "  {\"check\": \"pwd.nope\", \"account\": \"a\", \"reason\": \"r\"}]}",
		     "policy.json:2:13: \"check\": unknown check \"pwd.nope\"");
}

Test(policy, rejects_missing_waiver_fields)
{
	expect_error("{\"waivers\": [\n  {\"check\": \"pwd.old\", \"account\": \"a\"}]}",
		     "policy.json:2:3: waivers[0]: missing key \"reason\"");
	expect_error("{\"waivers\": [{\"account\": \"a\", \"reason\": \"r\"}]}",
		     "policy.json:1:14: waivers[0]: missing key \"check\"");
	expect_error("{\"waivers\": [{\"check\": \"pwd.old\", \"reason\": \"r\"}]}",
		     "policy.json:1:14: waivers[0]: missing key \"account\"");
	expect_error("{\"vpn\": {\"activity_csv\": {\"column\": \"u\"}}}",
		     "policy.json:1:26: vpn.activity_csv: missing key \"path\"");
	expect_error("{\"mfa\": {\"attribute\": {\"values\": [\"x\"]}}}",
		     "policy.json:1:23: mfa.attribute: missing key \"name\"");
}

Test(policy, rejects_case_insensitive_duplicate_map_key)
{
	expect_error("{\"checks\": {\"priv.group-size\": {\"max_members\":\n"
		     "  {\"Domain Admins\": 2, \"DOMAIN ADMINS\": 3}}}}",
		     "policy.json:2:24: duplicate key \"DOMAIN ADMINS\" in"
		     " checks.\"priv.group-size\".max_members (keys ignore case)");
}

/* ---- errors: values ----------------------------------------------------- */

Test(policy, rejects_wrong_types)
{
	expect_error("{\"version\": \"1\"}", "policy.json:1:13: \"version\": expected an integer, got a string");
	expect_error("{\"vpn\": {\"dialin_attribute\": \"yes\"}}",
		     "policy.json:1:30: \"dialin_attribute\": expected a boolean, got a string");
	expect_error("{\"vpn\": []}", "policy.json:1:9: \"vpn\": expected an object, got an array");
	expect_error("{\"vpn\": {\"groups\": \"VPN-Users\"}}",
		     "policy.json:1:20: \"groups\": expected an array of strings, got a string");
	expect_error("{\"vpn\": {\"groups\": [\"a\", 7]}}",
		     "policy.json:1:26: \"groups\"[1]: expected a string, got an integer");
	expect_error("{\"checks\": {\"pwd.old\": {\"max_age_days\": \"365\"}}}",
		     "policy.json:1:41: \"max_age_days\": expected an integer, got a string");
	expect_error("{\"checks\": {\"pwd.old\": {\"max_age_days\": 36.5}}}",
		     "policy.json:1:41: \"max_age_days\": expected an integer, got a real number");
	expect_error("{\"checks\": {\"pwd.old\": {\"enabled\": 1}}}",
		     "policy.json:1:36: \"enabled\": expected a boolean, got an integer");
	expect_error("{\"checks\": {\"pwd.old\": true}}",
		     "policy.json:1:24: \"pwd.old\": expected an object, got a boolean");
	expect_error("{\"checks\": {\"vpn.unowned\": {\"required_attributes\": \"manager\"}}}",
		     "policy.json:1:52: \"required_attributes\": expected an array of strings, got a string");
	expect_error("{\"checks\": {\"priv.group-size\": {\"max_members\": [1]}}}",
		     "policy.json:1:48: \"max_members\": expected an object of integers, got an array");
	expect_error("{\"mfa\": {\"attribute\": \"extensionAttribute7\"}}",
		     "policy.json:1:23: \"attribute\": expected null or an object, got a string");
	expect_error("{\"vpn\": {\"activity_csv\": 1}}",
		     "policy.json:1:26: \"activity_csv\": expected null, a string or an object, got an integer");
	expect_error("{\"incident\": {\"password_reset_after\": 20251004}}",
		     "policy.json:1:39: \"password_reset_after\": expected a string, got an integer");
	expect_error("{\"waivers\": {}}", "policy.json:1:13: \"waivers\": expected an array, got an object");
	expect_error("{\"waivers\": [\"pwd.old\"]}",
		     "policy.json:1:14: \"waivers\"[0]: expected an object, got a string");
}

Test(policy, rejects_negative_integers)
{
	const struct check_param *cp = param_decl("vpn.stale", "max_idle_days", NULL);
	struct sbuf msg = SBUF_INIT;

	sbuf_addf(&msg, "policy.json:1:44: \"max_idle_days\": -1 out of range (expected %lld to %lld)",
		  cp->min, cp->max);
	expect_error("{\"checks\": {\"vpn.stale\": {\"max_idle_days\": -1}}}", msg.buf);
	sbuf_release(&msg);
}

Test(policy, rejects_bad_map_values)
{
	const struct check_param *cp = param_decl("priv.group-size", "max_members", NULL);
	struct sbuf msg = SBUF_INIT;

	sbuf_addf(&msg, "policy.json:2:37: \"Domain Admins\": -1 out of range (expected %lld to %lld)",
		  cp->min, cp->max);
	expect_error("{\"checks\": {\"priv.group-size\": {\"max_members\":\n"
		     "  {\"IT-Admins\": 1, \"Domain Admins\": -1}}}}", msg.buf);
	sbuf_release(&msg);
	expect_error("{\"checks\": {\"priv.group-size\": {\"max_members\": {\"Domain Admins\": \"3\"}}}}",
		     "policy.json:1:66: \"Domain Admins\": expected an integer, got a string");
	expect_error("{\"checks\": {\"priv.group-size\": {\"max_members\": {\"\": 3}}}}",
		     "policy.json:1:49: empty key in checks.\"priv.group-size\".max_members");
}

Test(policy, rejects_empty_names)
{
	expect_error("{\"privileged\": {\"extra_groups\": [\"IT-Admins\", \"\"]}}",
		     "policy.json:1:47: \"extra_groups\"[1]: empty string");
	expect_error("{\"waivers\": [{\"check\": \"pwd.old\", \"account\": \"\", \"reason\": \"r\"}]}",
		     "policy.json:1:46: \"account\": empty string");
	expect_error("{\"mfa\": {\"attribute\": {\"name\": \"\", \"values\": []}}}",
		     "policy.json:1:32: \"name\": empty string");
	expect_error("{\"vpn\": {\"activity_csv\": \"\"}}", "policy.json:1:26: \"activity_csv\": empty string");
}

Test(policy, rejects_bad_dates)
{
	expect_error("{\n  \"incident\": {\n    \"password_reset_after\": \"2025-13-01\"\n  }\n}",
		     "policy.json:3:29: \"password_reset_after\": bad date \"2025-13-01\" (expected ISO 8601)");
	expect_error("{\"incident\": {\"password_reset_after\": \"2025-10-04T10:00:00\"}}",
		     "policy.json:1:39: \"password_reset_after\": bad date \"2025-10-04T10:00:00\""
		     " (expected ISO 8601)");
	expect_error("{\"waivers\": [\n"
		     "  {\"check\": \"pwd.old\", \"account\": \"a\", \"reason\": \"r\"},\n"
		     "  {\"check\": \"pwd.old\", \"account\": \"b\", \"reason\": \"r\", \"expires\": \"2026-02-30\"}\n"
		     "]}",
		     "policy.json:3:66: \"expires\": bad date \"2026-02-30\" (expected ISO 8601)");
}

Test(policy, rejects_bad_severity_and_version)
{
	expect_error("{\"checks\": {\"pwd.old\": {\"severity\": \"High\"}}}",
		     "policy.json:1:37: \"severity\": unknown severity \"High\""
		     " (expected info, low, medium, high or critical)");
	expect_error("{\"gate\": {\"fail_on\": \"severe\"}}",
		     "policy.json:1:22: \"fail_on\": unknown severity \"severe\""
		     " (expected info, low, medium, high or critical)");
	expect_error("{\"version\": 2}", "policy.json:1:13: \"version\": unsupported version 2 (expected 1)");
}

Test(policy, locates_values_past_tricky_text)
{
	/* braces, brackets, escapes and commas inside strings must not mislead the scanner */
	expect_error("{\"privileged\": {\"extra_groups\": [\"a}b\", \"[x,\\\"\"]},\n"
		     " \"service_accounts\": {\"name_patterns\": [\"{\"], \"ous\": []},\n"
		     " \"gate\": {\"fail_on\": \"hi\"}}",
		     "policy.json:3:22: \"fail_on\": unknown severity \"hi\""
		     " (expected info, low, medium, high or critical)");
	/* a key written with an escape is the same key */
	expect_error("{\"checks\": {\"pwd.old\": {\"max\\u005fage_days\": \"x\"}}}",
		     "policy.json:1:46: \"max_age_days\": expected an integer, got a string");
}

Test(policy, reports_first_error_in_file_order)
{
	expect_error("{\"gate\": {\"fail_on\": \"x\"}, \"verison\": 1}",
		     "policy.json:1:22: \"fail_on\": unknown severity \"x\""
		     " (expected info, low, medium, high or critical)");
}

Test(policy, message_quotes_hostile_keys)
{
	expect_error("{\"a\\\"b\\nc\": 1}", "policy.json:1:2: unknown key \"a\\\"b\\u000ac\"");
}

/* ---- extra attributes --------------------------------------------------- */

Test(policy, extra_attributes)
{
	struct policy p;
	const char **v;
	size_t n;

	load_ok(&p, "{\"mfa\": {\"attribute\": {\"name\": \"extensionAttribute7\", \"values\": [\"mfa\"]},"
		    " \"enrollment_csv\": {\"path\": \"m.csv\", \"match\": \"mail\"}},"
		    " \"vpn\": {\"activity_csv\": \"v.csv\"},"
		    " \"checks\": {\"vpn.unowned\": {\"required_attributes\":"
		    " [\"employeeID\", \"EXTENSIONATTRIBUTE7\", \"description\", \"manager\", \"Mail\"]}}}");
	v = policy_extra_attributes(&p, &n);
	/* fixed attributes too (description, sAMAccountName); case-insensitive duplicates once */
	cr_assert_eq(n, 6);
	cr_assert_str_eq(v[0], "extensionAttribute7");
	cr_assert_str_eq(v[1], "employeeID");
	cr_assert_str_eq(v[2], "description");
	cr_assert_str_eq(v[3], "manager");
	cr_assert_str_eq(v[4], "Mail");
	cr_assert_str_eq(v[5], "sAMAccountName");
	free(v);
	policy_release(&p);
}

Test(policy, extra_attributes_of_defaults)
{
	struct policy p;
	const char **v;
	size_t n;

	policy_init(&p);
	v = policy_extra_attributes(&p, &n);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(v[0], "employeeID");
	cr_assert_str_eq(v[1], "manager");
	free(v);
	policy_release(&p);
}
