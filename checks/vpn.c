/*
 * The vpn family: the accounts that can reach the network from outside.
 * These checks answer the pre-reopening question of DESIGN.md (is every
 * VPN-capable account needed, owned, protected by MFA, reset since the
 * incident, and not an administrator?). They consider VPN-capable users
 * (a->vpn, as the classifier sets it, msNPAllowDialin FALSE already
 * applied), enabled ones, except vpn.disabled-retains-access.
 *
 * Every check of the family first makes sure the classification could be
 * made at all (vpn_evaluable): a VPN check that passes because nobody looks
 * VPN-capable when the data to tell was missing is the wrong pass an
 * auditor cannot afford.
 */
#include <stdlib.h>
#include <string.h>

#include "../auditor/policy.h"
#include "../auditor/sbuf.h"
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

/* The users the family looks at: krbtgt and Guest have their own checks. */
static bool vpn_user(const struct account *a)
{
	return a->vpn && account_is_user(a) && !(a->roles & (ROLE_GUEST | ROLE_KRBTGT));
}

/*
 * Whether VPN capability can be told from what was read. Reports the check
 * unknown (and returns false) when the policy's criterion rests on data
 * that is absent from every entry, or names a group the directory lacks.
 */
static bool vpn_evaluable(struct check_ctx *ctx)
{
	const struct policy *p = ctx->policy;
	const struct dir *d = ctx->dir;

	for (size_t i = 0; i < p->vpn_groups.n; i++) {
		const struct dir_obj *o = dir_find_name(d, p->vpn_groups.v[i]);

		if (!o || o->kind != OBJ_GROUP) {
			check_unknown(ctx, "VPN group '%s' named in policy.vpn.groups is not in the directory",
				      p->vpn_groups.v[i]);
			return false;
		}
	}
	if (p->vpn_groups.n > 0) {
		if (!(d->seen[OBJ_GROUP] & ATTR_BIT(ATTR_MEMBER))) {
			check_unknown(ctx, "member absent from all group entries: membership of the VPN groups cannot be resolved");
			return false;
		}
		return true;
	}
	if (!p->vpn_dialin_attribute) {
		check_unknown(ctx, "policy.vpn.groups is empty and vpn.dialin_attribute is false: no way to tell which accounts can use the VPN");
		return false;
	}
	if (!(d->seen[OBJ_USER] & ATTR_BIT(ATTR_MSNPALLOWDIALIN))) {
		check_unknown(ctx, "msNPAllowDialin absent from all user entries and policy.vpn.groups is empty: no way to tell which accounts can use the VPN");
		return false;
	}
	return true;
}

/* Evidence: what makes the account VPN-capable. */
static void ev_vpn_access(struct finding *f, const struct check_ctx *ctx, const struct account *a)
{
	const struct dir *d = ctx->dir;
	const uint64_t *mask = dir_target_mask(d, TARGET_VPN);
	size_t n = 0, max = 1;
	const char **via;

	/* the VPN groups a is in, from the words of its targets: not every target */
	for (size_t x = 0; a->bits && x < d->target_words; x++)
		max += (size_t)__builtin_popcountll(a->bits[x] & mask[x]);
	via = xcalloc(max, sizeof(*via));
	if (a->dialin == 1 && ctx->policy->vpn_dialin_attribute)
		via[n++] = "msNPAllowDialin=TRUE";
	for (size_t x = 0; a->bits && x < d->target_words; x++)
		for (uint64_t m = a->bits[x] & mask[x]; m; m &= m - 1)
			via[n++] = obj_name(&d->targets[x * 64 + (size_t)__builtin_ctzll(m)].group->h);
	finding_ev_strs(f, "vpn_access", via, n);
	free(via);
}

static const struct check_need needs_logon[] = {
	{ KIND(OBJ_USER), ATTR_BIT(ATTR_LASTLOGON) | ATTR_BIT(ATTR_LASTLOGONTIMESTAMP) },
	{ 0, 0 },
};

static const struct check_need needs_uac[] = {
	{ KIND(OBJ_USER), ATTR_BIT(ATTR_USERACCOUNTCONTROL) },
	{ 0, 0 },
};

static const struct check_need needs_pwdlastset[] = {
	{ KIND(OBJ_USER), ATTR_BIT(ATTR_PWDLASTSET) },
	{ 0, 0 },
};

/* vpn.stale */

static void run_stale(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	const struct policy *p = ctx->policy;
	long long days = check_param_int(ctx, "max_idle_days");
	bool csv = d->vpn_csv_loaded;

	if (!vpn_evaluable(ctx))
		return;
	if (p->vpn_activity.path && !d->vpn_csv_loaded) {
		check_unknown(ctx, "%s", d->vpn_csv_unknown_reason ? d->vpn_csv_unknown_reason :
			      "the VPN activity CSV was not read");
		return;
	}
	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		int64_t last = csv ? a->vpn_last_login : a->last_logon_eff;
		bool idle;
		struct finding *f;
		char when[32];

		if (!vpn_user(a) || !a->enabled)
			continue;
		if (csv) {
			/* never seen in the CSV: idle since creation, as check_idle() */
			if (last != TIME_NEVER)
				idle = check_older_than(ctx, last, days);
			else
				idle = a->when_created == TIME_NEVER ||
				       check_older_than(ctx, a->when_created, days);
		} else {
			idle = check_idle(ctx, a, days);
		}
		if (!idle)
			continue;
		if (last != TIME_NEVER) {
			time_format(last, when, sizeof(when));
			f = finding_add(ctx, &a->h,
					"VPN-capable %s last logged on%s %lld days ago (%s), more than the %lld-day limit",
					acct_name(a), csv ? " to the VPN" : "",
					(long long)check_age_days(ctx, last), when, days);
		} else if (a->when_created != TIME_NEVER) {
			f = finding_add(ctx, &a->h,
					"VPN-capable %s has never logged on%s and was created %lld days ago, more than the %lld-day limit",
					acct_name(a), csv ? " to the VPN (per the activity CSV)" : "",
					(long long)check_age_days(ctx, a->when_created), days);
		} else {
			f = finding_add(ctx, &a->h,
					"VPN-capable %s has never logged on%s and its creation time is unknown",
					acct_name(a), csv ? " to the VPN (per the activity CSV)" : "");
		}
		finding_ev_str(f, "source", csv ? "vpn_activity_csv" : "directory");
		finding_ev_time(f, "last_logon", last);
		finding_ev_time(f, "when_created", a->when_created);
		finding_ev_int(f, "max_idle_days", days);
		ev_vpn_access(f, ctx, a);
	}
}

/* vpn.never-used */

static void run_never_used(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	long long days = check_param_int(ctx, "grace_days");

	if (!vpn_evaluable(ctx))
		return;
	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		struct finding *f;

		if (!vpn_user(a) || !a->enabled || a->last_logon_eff != TIME_NEVER)
			continue;
		/* an absent whenCreated counts as old, as check_idle() does */
		if (a->when_created != TIME_NEVER && !check_older_than(ctx, a->when_created, days))
			continue;
		if (a->when_created != TIME_NEVER)
			f = finding_add(ctx, &a->h,
					"VPN-capable %s has never logged on and was created %lld days ago, more than the %lld-day grace period",
					acct_name(a), (long long)check_age_days(ctx, a->when_created), days);
		else
			f = finding_add(ctx, &a->h,
					"VPN-capable %s has never logged on and its creation time is unknown",
					acct_name(a));
		finding_ev_time(f, "last_logon", a->last_logon_eff);
		finding_ev_time(f, "when_created", a->when_created);
		finding_ev_int(f, "grace_days", days);
		ev_vpn_access(f, ctx, a);
	}
}

/* vpn.disabled-retains-access */

static void run_disabled_retains(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;

	if (!vpn_evaluable(ctx))
		return;
	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		bool disabled_bit = a->uac & UAC_ACCOUNTDISABLE;
		struct finding *f;

		if (!vpn_user(a) || a->enabled)
			continue;
		f = finding_add(ctx, &a->h,
				"%s is %s but still VPN-capable: re-enabling it reopens remote access",
				acct_name(a), disabled_bit ? "disabled" : "expired");
		finding_ev_bool(f, "disabled", disabled_bit);
		finding_ev_time(f, "account_expires", a->account_expires);
		ev_vpn_access(f, ctx, a);
	}
}

/* vpn.no-mfa */

static void run_no_mfa(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	struct mfa_consulted c;

	if (!vpn_evaluable(ctx))
		return;
	check_mfa_consulted_init(&c, ctx->policy);
	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		struct finding *f;

		if (!vpn_user(a) || !a->enabled || a->mfa_sources)
			continue;
		f = finding_add(ctx, &a->h, "VPN-capable %s has no MFA evidence (sources consulted: %s)",
				acct_name(a), c.text.buf);
		finding_ev_strs(f, "mfa_sources_consulted", c.v, c.n);
		ev_vpn_access(f, ctx, a);
	}
	check_mfa_consulted_release(&c);
}

/* vpn.password-not-reset */

static void run_password_not_reset(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	const struct policy *p = ctx->policy;
	char inc[32], set[32];

	if (!p->has_incident) {
		check_unknown(ctx, "the policy has no incident.password_reset_after date");
		return;
	}
	if (!vpn_evaluable(ctx))
		return;
	time_format(p->incident, inc, sizeof(inc));
	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		struct finding *f;

		/* pwdLastSet = 0 is pwd.must-change's alone */
		if (!vpn_user(a) || !a->enabled || a->pwd_state != PWD_SET ||
		    a->pwd_last_set >= p->incident)
			continue;
		time_format(a->pwd_last_set, set, sizeof(set));
		f = finding_add(ctx, &a->h,
				"VPN-capable %s last set its password on %s, %lld days before the incident cut-off %s",
				acct_name(a), set,
				(long long)time_days_between(a->pwd_last_set, p->incident), inc);
		finding_ev_time(f, "pwd_last_set", a->pwd_last_set);
		finding_ev_time(f, "password_reset_after", p->incident);
		ev_vpn_access(f, ctx, a);
	}
}

/* vpn.privileged */

static void run_privileged(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;

	if (!vpn_evaluable(ctx))
		return;
	for (size_t i = 0; i < d->nprivileged; i++) {
		const struct account *a = d->privileged[i];
		struct finding *f;

		if (!vpn_user(a) || !a->enabled || !a->privileged)
			continue;
		f = finding_add(ctx, &a->h, "privileged account %s is VPN-capable (%s)",
				acct_name(a), a->priv_path ? a->priv_path : "privileged");
		finding_ev_str(f, "privileged_path", a->priv_path);
		ev_vpn_access(f, ctx, a);
	}
}

/* vpn.password-never-expires */

static void run_never_expires(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;

	if (!vpn_evaluable(ctx))
		return;
	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		struct finding *f;

		if (!vpn_user(a) || !a->enabled || !(a->uac & UAC_DONT_EXPIRE_PASSWORD))
			continue;
		f = finding_add(ctx, &a->h,
				"VPN-capable %s has a password that never expires (userAccountControl 0x%x has DONT_EXPIRE_PASSWORD 0x10000)",
				acct_name(a), (unsigned)a->uac);
		finding_ev_int(f, "user_account_control", a->uac);
		finding_ev_time(f, "pwd_last_set", a->pwd_state == PWD_SET ? a->pwd_last_set : TIME_NEVER);
		ev_vpn_access(f, ctx, a);
	}
}

/* vpn.unowned */

/*
 * Where a required attribute lives: an extra attribute (index in
 * dir->extra_names) or, should the policy name one the model keeps anyway,
 * a fixed one. Returns false when the directory did not keep it at all.
 */
struct attr_ref {
	bool fixed;
	unsigned index;
};

static bool attr_locate(const struct dir *d, const char *name, struct attr_ref *r)
{
	int extra = dir_extra_lookup(d, name), fixed;

	if (extra >= 0) {
		r->fixed = false;
		r->index = (unsigned)extra;
		return true;
	}
	fixed = dir_attr_lookup(name);
	if (fixed >= 0) {
		r->fixed = true;
		r->index = (unsigned)fixed;
		return true;
	}
	return false;
}

static bool attr_seen_on_users(const struct dir *d, const struct attr_ref *r)
{
	if (r->fixed)
		return d->seen[OBJ_USER] & ATTR_BIT(r->index);
	return d->extra_seen[OBJ_USER] >> r->index & 1;
}

static bool attr_present(const struct account *a, const struct attr_ref *r)
{
	if (r->fixed)
		return a->h.seen & ATTR_BIT(r->index);
	return dir_extra_first(a, r->index) != NULL;
}

static void run_unowned(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	const struct param_value *req = check_param(ctx, "required_attributes");
	struct attr_ref *refs;
	struct sbuf names = SBUF_INIT;
	size_t nrefs = 0;
	bool any_seen = false;

	if (req->nstrings == 0) {
		check_unknown(ctx, "required_attributes is empty: nothing tells an owned account from a shared one");
		return;
	}
	if (!vpn_evaluable(ctx))
		return;
	refs = xcalloc(req->nstrings, sizeof(*refs));
	for (size_t i = 0; i < req->nstrings; i++) {
		if (!attr_locate(d, req->strings[i], &refs[nrefs]))
			continue;
		if (attr_seen_on_users(d, &refs[nrefs]))
			any_seen = true;
		nrefs++;
	}
	for (size_t i = 0; i < req->nstrings; i++)
		sbuf_addf(&names, "%s%s", i ? ", " : "", req->strings[i]);
	if (!any_seen) {
		check_unknown(ctx, "%s absent from all user entries", names.buf);
		goto out;
	}
	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		bool owned = false;
		struct finding *f;

		if (!vpn_user(a) || !a->enabled)
			continue;
		for (size_t j = 0; j < nrefs && !owned; j++)
			owned = attr_present(a, &refs[j]);
		if (owned)
			continue;
		f = finding_add(ctx, &a->h,
				"VPN-capable %s has none of the owner attributes %s: a shared or generic account",
				acct_name(a), names.buf);
		finding_ev_strs(f, "missing_attributes", (const char *const *)req->strings,
				req->nstrings);
		ev_vpn_access(f, ctx, a);
	}
out:
	sbuf_release(&names);
	free(refs);
}

/* The table */

static const char *const supersedes_stale[] = {
	"acct.stale", "acct.never-logged-on", NULL,
};

static const char *const supersedes_never_used[] = {
	"vpn.stale", "acct.never-logged-on", "acct.stale", NULL,
};

static const char *const supersedes_not_reset[] = {
	"pwd.not-reset-since-incident", NULL,
};

static const char *const supersedes_never_expires[] = {
	"pwd.never-expires", NULL,
};

static const struct check_param params_stale[] = {
	{ .name = "max_idle_days", .type = PARAM_INT, .def = 45, .min = 0, .max = 36500,
	  .doc = "days without a logon (or a VPN login, with the activity CSV) after which a VPN-capable account is stale" },
	{ .name = NULL },
};

static const struct check_param params_never_used[] = {
	{ .name = "grace_days", .type = PARAM_INT, .def = 14, .min = 0, .max = 36500,
	  .doc = "days a new VPN-capable account may stay unused" },
	{ .name = NULL },
};

static const char *const unowned_default[] = { "employeeID", "manager", NULL };

static const struct check_param params_unowned[] = {
	{ .name = "required_attributes", .type = PARAM_STRINGS, .def_strings = unowned_default,
	  .doc = "attributes of which an owned account carries at least one" },
	{ .name = NULL },
};

static const struct check check_stale = {
	.id = "vpn.stale",
	.family = "vpn",
	.title = "VPN-capable account unused for too long",
	.severity = SEV_HIGH,
	.params = params_stale,
	.supersedes = supersedes_stale,
	.needs = needs_logon,
	.rationale = "An account that can reach the network from outside but nobody uses is a credential nobody watches: "
		     "a guessed or leaked password on it goes unnoticed, as in the October 2025 intrusion.",
	.remediation = "Disable the account or remove it from the VPN groups: "
		       "Disable-ADAccount -Identity <sam>; Remove-ADGroupMember -Identity VPN-Users -Members <sam> "
		       "(samba-tool user disable <sam>; samba-tool group removemembers VPN-Users <sam>).",
	.references = "ANSSI vuln_user_accounts_dormant; MITRE ATT&CK T1078 Valid Accounts, T1133 External Remote Services",
	.per_account = true,
	.run = run_stale,
};

static const struct check check_never_used = {
	.id = "vpn.never-used",
	.family = "vpn",
	.title = "VPN-capable account never used",
	.severity = SEV_HIGH,
	.params = params_never_used,
	.supersedes = supersedes_never_used,
	.needs = needs_logon,
	.rationale = "A VPN-capable account that has never logged on still has its initial password, often known to "
		     "several people or following a pattern: an open door from the Internet.",
	.remediation = "Disable the account until its owner needs it, or remove its VPN access: "
		       "Disable-ADAccount -Identity <sam> (samba-tool user disable <sam>).",
	.references = "ANSSI vuln_user_accounts_dormant; MITRE ATT&CK T1078 Valid Accounts, T1133 External Remote Services",
	.per_account = true,
	.run = run_never_used,
};

static const struct check check_disabled_retains = {
	.id = "vpn.disabled-retains-access",
	.family = "vpn",
	.title = "Disabled account still VPN-capable",
	.severity = SEV_LOW,
	.needs = needs_uac,
	.rationale = "A disabled or expired account that keeps its VPN group membership or dial-in permission regains "
		     "remote access the moment someone re-enables it or extends its expiry.",
	.remediation = "Remove the VPN access of disabled accounts: Remove-ADGroupMember -Identity VPN-Users -Members <sam>; "
		       "Set-ADUser <sam> -Replace @{msNPAllowDialin=$false} "
		       "(samba-tool group removemembers VPN-Users <sam>).",
	.references = "ANSSI vuln_user_accounts_dormant; MITRE ATT&CK T1078 Valid Accounts, T1133 External Remote Services",
	.per_account = true,
	.run = run_disabled_retains,
};

static const struct check check_no_mfa = {
	.id = "vpn.no-mfa",
	.needs_groups = TARGET_MFA,
	.family = "vpn",
	.title = "VPN-capable account without MFA",
	.severity = SEV_CRITICAL,
	.needs = needs_uac,
	.rationale = "A VPN protected by a password alone is opened by any leaked or guessed password: "
		     "this is how the October 2025 attacker got in, with a valid ID and password.",
	.remediation = "Enroll the account in MFA and add it to the MFA group the VPN requires "
		       "(Add-ADGroupMember -Identity MFA-Enrolled -Members <sam>), or remove its VPN access.",
	.references = "MITRE ATT&CK T1078 Valid Accounts, T1133 External Remote Services, T1110 Brute Force",
	.per_account = true,
	.run = run_no_mfa,
};

static const struct check check_password_not_reset = {
	.id = "vpn.password-not-reset",
	.family = "vpn",
	.title = "VPN-capable account password not reset since the incident",
	.severity = SEV_CRITICAL,
	.supersedes = supersedes_not_reset,
	.needs = needs_pwdlastset,
	.rationale = "A password set before the incident may be in the attacker's hands (dumped hashes, keyloggers, "
		     "the credential that opened the VPN): the VPN must not reopen while one still works.",
	.remediation = "Reset the password and make the user change it: "
		       "Set-ADAccountPassword -Identity <sam> -Reset; Set-ADUser <sam> -ChangePasswordAtLogon $true "
		       "(samba-tool user setpassword <sam> --must-change-at-next-login).",
	.references = "MITRE ATT&CK T1078 Valid Accounts, T1133 External Remote Services",
	.per_account = true,
	.run = run_password_not_reset,
};

static const struct check check_privileged = {
	.id = "vpn.privileged",
	.needs_groups = TARGET_PRIVILEGED,
	.family = "vpn",
	.title = "Privileged account reachable from the VPN",
	.severity = SEV_HIGH,
	.needs = needs_uac,
	.rationale = "Administrator accounts must never be reachable from the VPN: one phished administrator password "
		     "then gives the whole domain from outside. Administrators use a separate, non-privileged account for remote access.",
	.remediation = "Remove the privileged account from the VPN groups and deny dial-in: "
		       "Remove-ADGroupMember -Identity VPN-Users -Members <sam>; Set-ADUser <sam> -Replace @{msNPAllowDialin=$false}.",
	.references = "ANSSI vuln_privileged_members; MITRE ATT&CK T1078.002 Domain Accounts, T1133 External Remote Services",
	.run = run_privileged,
};

static const struct check check_never_expires = {
	.id = "vpn.password-never-expires",
	.family = "vpn",
	.title = "VPN-capable account with a password that never expires",
	.severity = SEV_HIGH,
	.supersedes = supersedes_never_expires,
	.needs = needs_uac,
	.rationale = "A VPN password that never expires stays valid for years after it leaks.",
	.remediation = "Clear DONT_EXPIRE_PASSWORD: Set-ADUser <sam> -PasswordNeverExpires $false "
		       "(samba-tool user setexpiry <sam> --days=N).",
	.references = "ANSSI vuln_dont_expire; MITRE ATT&CK T1078 Valid Accounts, T1133 External Remote Services",
	.per_account = true,
	.run = run_never_expires,
};

static const struct check check_unowned = {
	.id = "vpn.unowned",
	.family = "vpn",
	.title = "VPN-capable account without an owner",
	.severity = SEV_MEDIUM,
	.params = params_unowned,
	.needs = needs_uac,
	.rationale = "An account that names no employee and no manager is shared or generic: nobody notices when "
		     "it is misused, and nobody answers for it when the VPN reopens.",
	.remediation = "Give the account an owner (Set-ADUser <sam> -EmployeeID <id> -Manager <manager>) or remove "
		       "its VPN access (Remove-ADGroupMember -Identity VPN-Users -Members <sam>).",
	.references = "MITRE ATT&CK T1078 Valid Accounts, T1133 External Remote Services",
	.per_account = true,
	.run = run_unowned,
};

static const struct check *const checks[] = {
	&check_stale,
	&check_never_used,
	&check_disabled_retains,
	&check_no_mfa,
	&check_password_not_reset,
	&check_privileged,
	&check_never_expires,
	&check_unowned,
	NULL,
};

const struct check_family family_vpn = { "vpn", checks };
