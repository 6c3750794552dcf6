/*
 * The priv family: the accounts that can take the domain (transitive
 * members of the privileged groups, as the classifier sets a->privileged
 * and a->priv_path) and the privileged groups themselves.
 *
 * Who is looked at: enabled privileged users (service accounts and the
 * built-in Administrator included, krbtgt and Guest excluded), except
 * priv.disabled-member (disabled ones), priv.group-size (counts users,
 * computers and gMSA/MSA, not DCs), priv.service-account and
 * priv.delegable (also gMSA/MSA and computers that are not DCs),
 * priv.admincount-orphan (users that are not privileged) and
 * priv.builtin-admin-used (RID 500, privileged or not).
 */
#include <stdlib.h>
#include <string.h>

#include "../auditor/sid.h"
#include "../auditor/strutil.h"
#include "../auditor/timeutil.h"
#include "../auditor/xalloc.h"
#include "families.h"

#define KIND(k) (1u << (k))

static const char *acct_name(const struct account *a)
{
	return a->h.sam ? a->h.sam : a->h.dn;
}

static const char *obj_name(const struct dir_obj *o)
{
	return o->sam ? o->sam : o->dn;
}

/* A user the family checks: krbtgt and Guest have checks of their own. */
static bool plain_user(const struct account *a)
{
	return account_is_user(a) && !(a->roles & (ROLE_GUEST | ROLE_KRBTGT));
}

static bool enabled_priv_user(const struct account *a)
{
	return a->enabled && a->privileged && plain_user(a);
}

/* gMSA/MSA or a computer that is not a domain controller. */
static bool machine_not_dc(const struct account *a)
{
	return a->h.kind == OBJ_GMSA || (a->h.kind == OBJ_COMPUTER && !account_is_dc(a));
}

static void ev_path(struct finding *f, const struct account *a)
{
	finding_ev_str(f, "privileged_path", a->priv_path);
}

/* priv.group-size */

/*
 * Well-known privileged groups by the English names the defaults use, so
 * that the default limits also hold in a domain whose groups carry
 * localised names. Domain-relative ones have a RID, builtin ones a SID.
 */
static const struct {
	const char *name;
	uint32_t rid;
	const char *sid;
} wellknown[] = {
	{ "Domain Admins", RID_DOMAIN_ADMINS, NULL },
	{ "Schema Admins", RID_SCHEMA_ADMINS, NULL },
	{ "Enterprise Admins", RID_ENTERPRISE_ADMINS, NULL },
	{ "Group Policy Creator Owners", RID_GPO_CREATOR_OWNERS, NULL },
	{ "Key Admins", RID_KEY_ADMINS, NULL },
	{ "Enterprise Key Admins", RID_ENTERPRISE_KEY_ADMINS, NULL },
	{ "Administrators", 0, "S-1-5-32-544" },
	{ "Account Operators", 0, "S-1-5-32-548" },
	{ "Server Operators", 0, "S-1-5-32-549" },
	{ "Print Operators", 0, "S-1-5-32-550" },
	{ "Backup Operators", 0, "S-1-5-32-551" },
};

static bool wellknown_match(const struct dir *d, const char *key, const struct group *g)
{
	const char *sid = g->h.sid;

	if (!sid)
		return false;
	for (size_t i = 0; i < sizeof(wellknown) / sizeof(*wellknown); i++) {
		if (!str_ieq(key, wellknown[i].name))
			continue;
		if (wellknown[i].sid)
			return str_ieq(sid, wellknown[i].sid);
		return sid_rid_in(sid, d->domain_sid) == wellknown[i].rid;
	}
	return false;
}

/*
 * The limit of group g from the max_members map, which names groups by
 * sAMAccountName, DN or SID. When several keys name the same group (a
 * default by name and a policy entry by SID), the smallest limit holds:
 * an auditor's limit is never silently loosened. Returns false: no limit.
 */
static bool group_limit(const struct check_ctx *ctx, const struct group *g, long long *limit)
{
	const struct param_value *pv = check_param(ctx, "max_members");
	bool found = false;

	for (size_t i = 0; i < pv->nmap; i++) {
		const char *key = pv->map[i].key;
		bool match = (g->h.sam && str_ieq(key, g->h.sam)) ||
			     (g->h.sid && str_ieq(key, g->h.sid)) ||
			     wellknown_match(ctx->dir, key, g);

		if (!match && strchr(key, '=')) {
			char *ndn = dn_normalise(key, strlen(key));

			match = dir_obj_ndn_eq(&g->h, ndn);
			free(ndn);
		}
		if (match && (!found || pv->map[i].value < *limit)) {
			*limit = pv->map[i].value;
			found = true;
		}
	}
	return found;
}

static int cmp_names(const void *x, const void *y)
{
	const char *a = *(const char *const *)x, *b = *(const char *const *)y;
	int c = str_icmp(a, b);

	return c ? c : strcmp(a, b);
}

/* What priv.group-size counts: enabled accounts that are not DCs or krbtgt. */
static bool counted_member(const struct account *a)
{
	return a->enabled && !account_is_dc(a) && !(a->roles & ROLE_KRBTGT);
}

static void run_group_size(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	const char **names = xcalloc(d->nprivileged + 1, sizeof(*names));
	/* a member of a privileged group is privileged: look at those only */
	const struct account **priv = xcalloc(d->nprivileged + 1, sizeof(*priv));
	size_t npriv = 0;

	for (size_t i = 0; i < d->nprivileged; i++)
		if (counted_member(d->privileged[i]))
			priv[npriv++] = d->privileged[i];
	for (size_t t = 0; t < d->ntargets; t++) {
		const struct group *g = d->targets[t].group;
		long long limit = 0;
		size_t n = 0;
		struct finding *f;

		if (!(d->targets[t].why & TARGET_PRIVILEGED) || !group_limit(ctx, g, &limit))
			continue;
		for (size_t i = 0; i < npriv; i++)
			if (dir_in_target(d, priv[i], t))
				names[n++] = acct_name(priv[i]);
		if ((long long)n <= limit)
			continue;
		qsort(names, n, sizeof(*names), cmp_names);
		f = finding_add(ctx, &g->h,
				"privileged group %s has %zu enabled members, more than its limit of %lld",
				obj_name(&g->h), n, limit);
		finding_ev_int(f, "members", (long long)n);
		finding_ev_int(f, "limit", limit);
		finding_ev_strs(f, "member_names", names, n);
	}
	free(priv);
	free(names);
}

/* priv.stale */

static void run_stale(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	long long days = check_param_int(ctx, "max_idle_days");

	for (size_t i = 0; i < d->nprivileged; i++) {
		const struct account *a = d->privileged[i];
		struct finding *f;
		char when[32];

		if (!enabled_priv_user(a) || !check_idle(ctx, a, days))
			continue;
		if (a->last_logon_eff != TIME_NEVER) {
			time_format(a->last_logon_eff, when, sizeof(when));
			f = finding_add(ctx, &a->h,
					"privileged account %s last logged on %lld days ago (%s), more than the %lld-day limit",
					acct_name(a), (long long)check_age_days(ctx, a->last_logon_eff),
					when, days);
		} else if (a->when_created != TIME_NEVER) {
			f = finding_add(ctx, &a->h,
					"privileged account %s has never logged on and was created %lld days ago, more than the %lld-day limit",
					acct_name(a), (long long)check_age_days(ctx, a->when_created), days);
		} else {
			f = finding_add(ctx, &a->h,
					"privileged account %s has never logged on and its creation time is unknown",
					acct_name(a));
		}
		finding_ev_time(f, "last_logon", a->last_logon_eff);
		finding_ev_time(f, "when_created", a->when_created);
		finding_ev_int(f, "max_idle_days", days);
		ev_path(f, a);
	}
}

/* priv.disabled-member */

static void run_disabled_member(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;

	for (size_t i = 0; i < d->nprivileged; i++) {
		const struct account *a = d->privileged[i];
		bool disabled_bit = a->uac & UAC_ACCOUNTDISABLE;
		struct finding *f;

		if (a->enabled || !a->privileged || !plain_user(a))
			continue;
		f = finding_add(ctx, &a->h,
				"%s is %s but still a member of a privileged group (%s)",
				acct_name(a), disabled_bit ? "disabled" : "expired",
				a->priv_path ? a->priv_path : "privileged");
		finding_ev_bool(f, "disabled", disabled_bit);
		finding_ev_time(f, "account_expires", a->account_expires);
		ev_path(f, a);
	}
}

/* priv.password-old */

static void run_password_old(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	long long days = check_param_int(ctx, "max_age_days");

	for (size_t i = 0; i < d->nprivileged; i++) {
		const struct account *a = d->privileged[i];
		struct finding *f;
		char when[32];

		/* pwdLastSet = 0 is pwd.must-change's alone */
		if (!enabled_priv_user(a) || a->pwd_state != PWD_SET ||
		    !check_older_than(ctx, a->pwd_last_set, days))
			continue;
		time_format(a->pwd_last_set, when, sizeof(when));
		f = finding_add(ctx, &a->h,
				"privileged account %s last set its password %lld days ago (%s), more than the %lld-day limit",
				acct_name(a), (long long)check_age_days(ctx, a->pwd_last_set), when, days);
		finding_ev_time(f, "pwd_last_set", a->pwd_last_set);
		finding_ev_int(f, "age_days", (long long)check_age_days(ctx, a->pwd_last_set));
		finding_ev_int(f, "max_age_days", days);
		ev_path(f, a);
	}
}

/* Checks on one userAccountControl bit of enabled privileged users. */
static void run_uac_flag(struct check_ctx *ctx, uint32_t bit, const char *what)
{
	const struct dir *d = ctx->dir;

	for (size_t i = 0; i < d->nprivileged; i++) {
		const struct account *a = d->privileged[i];
		struct finding *f;

		if (!enabled_priv_user(a) || !(a->uac & bit))
			continue;
		f = finding_add(ctx, &a->h, "privileged account %s %s (userAccountControl 0x%x)",
				acct_name(a), what, (unsigned)a->uac);
		finding_ev_int(f, "user_account_control", a->uac);
		ev_path(f, a);
	}
}

/* priv.password-never-expires */

static void run_password_never_expires(struct check_ctx *ctx)
{
	run_uac_flag(ctx, UAC_DONT_EXPIRE_PASSWORD,
		     "has a password that never expires (DONT_EXPIRE_PASSWORD 0x10000)");
}

/* priv.asrep-roastable */

static void run_asrep(struct check_ctx *ctx)
{
	run_uac_flag(ctx, UAC_DONT_REQ_PREAUTH,
		     "does not require Kerberos pre-authentication (DONT_REQ_PREAUTH 0x400000)");
}

/* priv.kerberoastable */

static void run_kerberoastable(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;

	for (size_t i = 0; i < d->nprivileged; i++) {
		const struct account *a = d->privileged[i];
		struct finding *f;

		if (!enabled_priv_user(a) || a->nspns == 0)
			continue;
		f = finding_add(ctx, &a->h,
				"privileged account %s has %zu service principal name%s (%s): any domain user can request a ticket encrypted with its password",
				acct_name(a), (size_t)a->nspns, a->nspns == 1 ? "" : "s", a->spns[0]);
		finding_ev_strs(f, "service_principal_names", a->spns, a->nspns);
		ev_path(f, a);
	}
}

/* priv.delegable */

static void run_delegable(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;

	for (size_t i = 0; i < d->nprivileged; i++) {
		const struct account *a = d->privileged[i];
		struct finding *f;

		if (!a->enabled || !a->privileged || !(plain_user(a) || machine_not_dc(a)))
			continue;
		if ((a->uac & UAC_NOT_DELEGATED) || a->protected_users)
			continue;
		f = finding_add(ctx, &a->h,
				"privileged account %s can be delegated: NOT_DELEGATED (0x100000) is not set (userAccountControl 0x%x) and it is not in Protected Users",
				acct_name(a), (unsigned)a->uac);
		finding_ev_int(f, "user_account_control", a->uac);
		finding_ev_bool(f, "not_delegated", false);
		finding_ev_bool(f, "protected_users", false);
		ev_path(f, a);
	}
}

/* priv.not-protected-users: people only (service accounts and machines cannot be). */

static void run_not_protected(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;

	for (size_t i = 0; i < d->nprivileged; i++) {
		const struct account *a = d->privileged[i];
		struct finding *f;

		if (!enabled_priv_user(a) || !account_is_human(a) || a->protected_users)
			continue;
		f = finding_add(ctx, &a->h, "privileged account %s is not in Protected Users (RID 525)",
				acct_name(a));
		finding_ev_bool(f, "protected_users", false);
		ev_path(f, a);
	}
}

/* priv.service-account */

static void run_service_account(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;

	for (size_t i = 0; i < d->nprivileged; i++) {
		const struct account *a = d->privileged[i];
		const char *what;
		struct finding *f;

		if (!a->enabled || !a->privileged)
			continue;
		if (plain_user(a) && (a->roles & ROLE_SERVICE))
			what = a->nspns ? "service account (user with an SPN)" :
					  "service account (policy.service_accounts)";
		else if (a->h.kind == OBJ_GMSA)
			what = "gMSA/MSA";
		else if (a->h.kind == OBJ_COMPUTER && !account_is_dc(a))
			what = "computer";
		else
			continue;
		f = finding_add(ctx, &a->h, "%s %s is privileged (%s)", what, acct_name(a),
				a->priv_path ? a->priv_path : "privileged");
		finding_ev_str(f, "account_type", what);
		if (a->nspns)
			finding_ev_strs(f, "service_principal_names", a->spns, a->nspns);
		ev_path(f, a);
	}
}

/* priv.nested */

static void run_nested(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;

	for (size_t i = 0; i < d->nprivileged; i++) {
		const struct account *a = d->privileged[i];
		struct finding *f;

		if (!enabled_priv_user(a) || !a->priv_nested)
			continue;
		f = finding_add(ctx, &a->h,
				"%s is privileged only through nested groups: %s",
				acct_name(a), a->priv_path ? a->priv_path : acct_name(a));
		ev_path(f, a);
	}
}

/* priv.admincount-orphan */

static void run_admincount_orphan(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;

	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		struct finding *f;

		if (!a->enabled || !plain_user(a) || a->admin_count != 1 || a->privileged)
			continue;
		f = finding_add(ctx, &a->h,
				"%s has adminCount=1 but is in no privileged group: a former administrator whose permissions AdminSDHolder still locks",
				acct_name(a));
		finding_ev_int(f, "admin_count", a->admin_count);
	}
}

/* priv.builtin-admin-used */

static void run_builtin_admin_used(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	long long days = check_param_int(ctx, "min_idle_days");

	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		struct finding *f;
		char when[32];

		if (!(a->roles & ROLE_BUILTIN_ADMIN) || !a->enabled ||
		    a->last_logon_eff == TIME_NEVER || check_older_than(ctx, a->last_logon_eff, days))
			continue;
		time_format(a->last_logon_eff, when, sizeof(when));
		if (a->last_logon_eff > ctx->now)
			f = finding_add(ctx, &a->h,
					"the built-in Administrator %s logged on at %s, after the time evaluated",
					acct_name(a), when);
		else
			f = finding_add(ctx, &a->h,
					"the built-in Administrator %s logged on %lld days ago (%s), within the last %lld days",
					acct_name(a), (long long)check_age_days(ctx, a->last_logon_eff), when, days);
		finding_ev_time(f, "last_logon", a->last_logon_eff);
		finding_ev_int(f, "min_idle_days", days);
	}
}

/* The table */

static const struct check_need needs_member[] = {
	{ KIND(OBJ_GROUP), ATTR_BIT(ATTR_MEMBER) },
	{ 0, 0 },
};

static const struct check_need needs_member_logon[] = {
	{ KIND(OBJ_GROUP), ATTR_BIT(ATTR_MEMBER) },
	{ KIND(OBJ_USER), ATTR_BIT(ATTR_LASTLOGON) | ATTR_BIT(ATTR_LASTLOGONTIMESTAMP) },
	{ 0, 0 },
};

static const struct check_need needs_member_uac[] = {
	{ KIND(OBJ_GROUP), ATTR_BIT(ATTR_MEMBER) },
	{ KIND(OBJ_USER), ATTR_BIT(ATTR_USERACCOUNTCONTROL) },
	{ 0, 0 },
};

static const struct check_need needs_member_uac_machines[] = {
	{ KIND(OBJ_GROUP), ATTR_BIT(ATTR_MEMBER) },
	{ KIND(OBJ_USER) | KIND(OBJ_COMPUTER) | KIND(OBJ_GMSA), ATTR_BIT(ATTR_USERACCOUNTCONTROL) },
	{ 0, 0 },
};

static const struct check_need needs_member_pwdlastset[] = {
	{ KIND(OBJ_GROUP), ATTR_BIT(ATTR_MEMBER) },
	{ KIND(OBJ_USER), ATTR_BIT(ATTR_PWDLASTSET) },
	{ 0, 0 },
};

static const struct check_need needs_member_spn[] = {
	{ KIND(OBJ_GROUP), ATTR_BIT(ATTR_MEMBER) },
	{ KIND(OBJ_USER), ATTR_BIT(ATTR_SERVICEPRINCIPALNAME) },
	{ 0, 0 },
};

static const struct check_need needs_member_admincount[] = {
	{ KIND(OBJ_GROUP), ATTR_BIT(ATTR_MEMBER) },
	{ KIND(OBJ_USER), ATTR_BIT(ATTR_ADMINCOUNT) },
	{ 0, 0 },
};

static const struct check_need needs_logon[] = {
	{ KIND(OBJ_USER), ATTR_BIT(ATTR_LASTLOGON) | ATTR_BIT(ATTR_LASTLOGONTIMESTAMP) },
	{ 0, 0 },
};

static const char *const supersedes_stale[] = { "acct.stale", "acct.never-logged-on", NULL };
static const char *const supersedes_password_old[] = { "pwd.old", NULL };
static const char *const supersedes_never_expires[] = { "pwd.never-expires", NULL };
static const char *const supersedes_kerberoastable[] = { "krb.kerberoastable", NULL };
static const char *const supersedes_asrep[] = { "krb.asrep-roastable", NULL };

static const struct param_map_entry group_size_default[] = {
	{ "Domain Admins", 5 },
	{ "Enterprise Admins", 2 },
	{ "Schema Admins", 0 },
	{ "Account Operators", 0 },
	{ "Server Operators", 0 },
	{ "Print Operators", 0 },
	{ "Backup Operators", 0 },
	{ NULL, 0 },
};

static const struct check_param params_group_size[] = {
	{ .name = "max_members", .type = PARAM_INT_MAP, .def_map = group_size_default,
	  .min = 0, .max = 1000000,
	  .doc = "the most enabled members a privileged group may have, by group sAMAccountName, DN or SID; a group without an entry has no limit" },
	{ .name = NULL },
};

static const struct check_param params_stale[] = {
	{ .name = "max_idle_days", .type = PARAM_INT, .def = 90, .min = 0, .max = 36500,
	  .doc = "days without a logon after which a privileged account is stale" },
	{ .name = NULL },
};

static const struct check_param params_password_old[] = {
	{ .name = "max_age_days", .type = PARAM_INT, .def = 180, .min = 0, .max = 36500,
	  .doc = "the greatest age of a privileged account's password, in days" },
	{ .name = NULL },
};

static const struct check_param params_builtin_admin[] = {
	{ .name = "min_idle_days", .type = PARAM_INT, .def = 35, .min = 0, .max = 36500,
	  .doc = "the built-in Administrator must not have logged on within this many days" },
	{ .name = NULL },
};

static const struct check check_group_size = {
	.id = "priv.group-size",
	.needs_groups = TARGET_PRIVILEGED,
	.family = "priv",
	.title = "Privileged group with too many members",
	.severity = SEV_HIGH,
	.params = params_group_size,
	.needs = needs_member,
	.rationale = "Every member of a privileged group is a way to the whole domain; the more there are, the more "
		     "passwords, workstations and sessions an attacker can pick from. Schema Admins and the Operators "
		     "groups should stay empty; Enterprise Admins is filled only for forest-wide changes.",
	.remediation = "Review the members and remove those who do not need the group: "
		       "Remove-ADGroupMember -Identity '<group>' -Members <sam> "
		       "(samba-tool group removemembers '<group>' <sam>); delegate narrower rights instead.",
	.references = "ANSSI vuln_privileged_members; MITRE ATT&CK T1078.002 Domain Accounts, T1069.002 Domain Groups",
	.run = run_group_size,
};

static const struct check check_stale = {
	.id = "priv.stale",
	.needs_groups = TARGET_PRIVILEGED,
	.family = "priv",
	.title = "Privileged account unused for too long",
	.severity = SEV_HIGH,
	.params = params_stale,
	.supersedes = supersedes_stale,
	.needs = needs_member_logon,
	.rationale = "A privileged account nobody uses keeps all its power and nobody would notice its misuse: "
		     "a dormant administrator is a favourite target.",
	.remediation = "Remove the account from the privileged groups and disable it: "
		       "Remove-ADGroupMember -Identity 'Domain Admins' -Members <sam>; Disable-ADAccount -Identity <sam> "
		       "(samba-tool user disable <sam>).",
	.references = "ANSSI vuln_user_accounts_dormant; MITRE ATT&CK T1078.002 Domain Accounts",
	.run = run_stale,
};

static const struct check check_disabled_member = {
	.id = "priv.disabled-member",
	.needs_groups = TARGET_PRIVILEGED,
	.family = "priv",
	.title = "Disabled account still in a privileged group",
	.severity = SEV_MEDIUM,
	.needs = needs_member_uac,
	.rationale = "A disabled or expired account left in a privileged group becomes an administrator again the "
		     "moment anyone enables it or extends its expiry, which is a much less watched change than a group "
		     "membership.",
	.remediation = "Remove the disabled account from the privileged groups: "
		       "Remove-ADGroupMember -Identity '<group>' -Members <sam> (samba-tool group removemembers '<group>' <sam>).",
	.references = "ANSSI vuln_privileged_members; MITRE ATT&CK T1078.002 Domain Accounts, T1098 Account Manipulation",
	.run = run_disabled_member,
};

static const struct check check_password_old = {
	.id = "priv.password-old",
	.needs_groups = TARGET_PRIVILEGED,
	.family = "priv",
	.title = "Privileged account with an old password",
	.severity = SEV_HIGH,
	.params = params_password_old,
	.supersedes = supersedes_password_old,
	.needs = needs_member_pwdlastset,
	.rationale = "The older an administrator's password, the more places it has been typed, cached and leaked, "
		     "and the longer a stolen hash keeps working.",
	.remediation = "Change the password: Set-ADAccountPassword -Identity <sam> -Reset "
		       "(samba-tool user setpassword <sam>).",
	.references = "ANSSI vuln_password_change_priv; MITRE ATT&CK T1078.002 Domain Accounts, T1110.002 Password Cracking",
	.run = run_password_old,
};

static const struct check check_password_never_expires = {
	.id = "priv.password-never-expires",
	.needs_groups = TARGET_PRIVILEGED,
	.family = "priv",
	.title = "Privileged account with a password that never expires",
	.severity = SEV_HIGH,
	.supersedes = supersedes_never_expires,
	.needs = needs_member_uac,
	.rationale = "A privileged password exempt from expiry stays valid for years after it leaks.",
	.remediation = "Clear DONT_EXPIRE_PASSWORD: Set-ADUser <sam> -PasswordNeverExpires $false; "
		       "use a gMSA for services that cannot change passwords.",
	.references = "ANSSI vuln_dont_expire_priv; MITRE ATT&CK T1078.002 Domain Accounts",
	.run = run_password_never_expires,
};

static const struct check check_kerberoastable = {
	.id = "priv.kerberoastable",
	.needs_groups = TARGET_PRIVILEGED,
	.family = "priv",
	.title = "Kerberoastable privileged account",
	.severity = SEV_CRITICAL,
	.supersedes = supersedes_kerberoastable,
	.needs = needs_member_spn,
	.rationale = "Any domain user can request a service ticket for an SPN and crack it offline: on a privileged "
		     "account a crackable password is the whole domain.",
	.remediation = "Remove the SPN from the privileged account (Set-ADUser <sam> -ServicePrincipalNames @{Remove='<spn>'}; "
		       "samba-tool spn delete <spn> <sam>) and run the service as a gMSA without privileges.",
	.references = "ANSSI vuln_spn_priv; MITRE ATT&CK T1558.003 Kerberoasting",
	.run = run_kerberoastable,
};

static const struct check check_asrep = {
	.id = "priv.asrep-roastable",
	.needs_groups = TARGET_PRIVILEGED,
	.family = "priv",
	.title = "AS-REP roastable privileged account",
	.severity = SEV_CRITICAL,
	.supersedes = supersedes_asrep,
	.needs = needs_member_uac,
	.rationale = "Without pre-authentication anyone on the network can ask the KDC for material encrypted with "
		     "the account's password and crack it offline, without any credential.",
	.remediation = "Require pre-authentication: Set-ADAccountControl -Identity <sam> -DoesNotRequirePreAuth $false.",
	.references = "ANSSI vuln_kerberos_properties_preauth_priv; MITRE ATT&CK T1558.004 AS-REP Roasting",
	.run = run_asrep,
};

static const struct check check_delegable = {
	.id = "priv.delegable",
	.needs_groups = TARGET_PRIVILEGED,
	.family = "priv",
	.title = "Privileged account that can be delegated",
	.severity = SEV_MEDIUM,
	.needs = needs_member_uac_machines,
	.rationale = "A server trusted for delegation can impersonate any delegable account that connects to it: "
		     "a privileged account must be marked sensitive or be in Protected Users.",
	.remediation = "Mark the account sensitive: Set-ADAccountControl -Identity <sam> -AccountNotDelegated $true, "
		       "or add it to Protected Users (Add-ADGroupMember -Identity 'Protected Users' -Members <sam>).",
	.references = "ANSSI vuln_protected_users; MITRE ATT&CK T1558 Steal or Forge Kerberos Tickets, T1134 Access Token Manipulation",
	.run = run_delegable,
};

static const struct check check_not_protected = {
	.id = "priv.not-protected-users",
	.needs_groups = TARGET_PRIVILEGED,
	.needs_service = true,
	.family = "priv",
	.title = "Privileged user not in Protected Users",
	.severity = SEV_LOW,
	.needs = needs_member,
	.rationale = "Protected Users denies NTLM, DES and RC4, credential caching and delegation to its members: "
		     "stolen administrator credentials are worth much less.",
	.remediation = "Add the administrator to Protected Users after checking it does not need NTLM: "
		       "Add-ADGroupMember -Identity 'Protected Users' -Members <sam> "
		       "(samba-tool group addmembers 'Protected Users' <sam>).",
	.references = "ANSSI vuln_protected_users; MITRE ATT&CK T1550 Use Alternate Authentication Material",
	.run = run_not_protected,
};

static const struct check check_service_account = {
	.id = "priv.service-account",
	.needs_groups = TARGET_PRIVILEGED,
	.needs_service = true,
	.family = "priv",
	.title = "Service account or machine in a privileged group",
	.severity = SEV_HIGH,
	.needs = needs_member,
	.rationale = "Service accounts, gMSA/MSA and computers cannot use MFA or Protected Users; their credentials "
		     "sit on servers, in scripts and in LSA secrets. Privilege on them is privilege for whoever "
		     "compromises the host.",
	.remediation = "Remove the account from the privileged group and grant it only the rights its service needs: "
		       "Remove-ADGroupMember -Identity '<group>' -Members <sam>.",
	.references = "ANSSI vuln_privileged_members; MITRE ATT&CK T1078.002 Domain Accounts, T1003.004 LSA Secrets",
	.run = run_service_account,
};

static const struct check check_nested = {
	.id = "priv.nested",
	.needs_groups = TARGET_PRIVILEGED,
	.family = "priv",
	.title = "Privileged through nested groups only",
	.severity = SEV_INFO,
	.needs = needs_member,
	.rationale = "Accounts that are administrators only through a chain of ordinary-looking groups are the hidden "
		     "admins: whoever manages those groups manages the domain, and reviews of the privileged groups "
		     "miss them.",
	.remediation = "Make the membership direct or remove it: Remove-ADGroupMember -Identity '<intermediate group>' -Members <sam>; "
		       "review who can change the intermediate groups.",
	.references = "ANSSI vuln_privileged_members; MITRE ATT&CK T1069.002 Domain Groups, T1078.002 Domain Accounts",
	.run = run_nested,
};

static const struct check check_admincount_orphan = {
	.id = "priv.admincount-orphan",
	.needs_groups = TARGET_PRIVILEGED,
	.family = "priv",
	.title = "adminCount=1 on an account that is not privileged",
	.severity = SEV_LOW,
	.needs = needs_member_admincount,
	.rationale = "SDProp sets adminCount=1 and disables inheritance on members of protected groups but never "
		     "undoes it: a former administrator keeps frozen permissions, and the flag hides which accounts "
		     "really are privileged.",
	.remediation = "Clear the flag and restore inheritance: Set-ADUser <sam> -Clear adminCount; then enable "
		       "inheritance on the object's security descriptor (dsacls or Active Directory Users and Computers).",
	.references = "ANSSI vuln_privileged_members; MITRE ATT&CK T1078.002 Domain Accounts",
	.per_account = true,
	.run = run_admincount_orphan,
};

static const struct check check_builtin_admin_used = {
	.id = "priv.builtin-admin-used",
	.family = "priv",
	.title = "Built-in Administrator used recently",
	.severity = SEV_MEDIUM,
	.params = params_builtin_admin,
	.needs = needs_logon,
	.rationale = "The built-in Administrator (RID 500) cannot be locked out and is shared by nature: it belongs "
		     "in a safe for emergencies, and daily use leaves no trace of who did what.",
	.remediation = "Use named administrator accounts; reset the built-in Administrator's password, store it in "
		       "a safe and alert on its logons (Set-ADAccountPassword -Identity Administrator -Reset).",
	.references = "MITRE ATT&CK T1078.002 Domain Accounts, T1078.003 Local Accounts",
	.per_account = true,
	.run = run_builtin_admin_used,
};

static const struct check *const checks[] = {
	&check_group_size,
	&check_stale,
	&check_disabled_member,
	&check_password_old,
	&check_password_never_expires,
	&check_kerberoastable,
	&check_asrep,
	&check_delegable,
	&check_not_protected,
	&check_service_account,
	&check_nested,
	&check_admincount_orphan,
	&check_builtin_admin_used,
	NULL,
};

const struct check_family family_privileged = { "priv", checks };
