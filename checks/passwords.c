/*
 * The pwd family of checks (DESIGN.md, check catalogue): password age and
 * flags of enabled user accounts, the reset after the incident, the
 * domain's default password policy and the fine-grained policies (PSOs)
 * that govern privileged users.
 *
 * Who is checked: enabled users only (account_is_user: not computers,
 * gMSA/MSA or krbtgt), never Guest (acct.guest-enabled's alone) nor a
 * domain controller. pwdLastSet = 0 ("must change at next logon") is
 * reported by pwd.must-change only: the age checks skip it.
 */
#include "families.h"

#include <stdlib.h>
#include <string.h>

#include "../auditor/policy.h"
#include "../auditor/sbuf.h"
#include "../auditor/strutil.h"
#include "../auditor/timeutil.h"
#include "../auditor/xalloc.h"
#include "registry.h"

#define PWD_PROP_COMPLEX 0x1
#define PWD_PROP_CLEARTEXT 0x10

/* The accounts every check of this family looks at. */
static bool pwd_subject(const struct account *a)
{
	return a->enabled && account_is_user(a) && !(a->roles & ROLE_GUEST) &&
	       !account_is_dc(a);
}

static void ev_uac(struct finding *f, const struct account *a)
{
	finding_ev_int(f, "user_account_control", (long long)a->uac);
}

/* pwd.old */

static void pwd_old_run(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	long long max = check_param_int(ctx, "max_age_days");

	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		struct finding *f;

		/* PWD_MUST_CHANGE is pwd.must-change's; PWD_ABSENT cannot be judged */
		if (!pwd_subject(a) || a->pwd_state != PWD_SET || a->pwd_last_set == TIME_NEVER)
			continue;
		if (!check_older_than(ctx, a->pwd_last_set, max))
			continue;
		f = finding_add(ctx, &a->h, "password last set %lld days ago (limit %lld)",
				(long long)check_age_days(ctx, a->pwd_last_set), max);
		finding_ev_time(f, "pwd_last_set", a->pwd_last_set);
		finding_ev_int(f, "age_days", (long long)check_age_days(ctx, a->pwd_last_set));
		finding_ev_int(f, "limit_days", max);
	}
}

static const struct check_param pwd_old_params[] = {
	{ .name = "max_age_days", .type = PARAM_INT,
	  .doc = "a password set more than this many days ago is old",
	  .def = 365, .min = 1, .max = 36500 },
	{ .name = NULL },
};

static const struct check_need needs_pwdlastset[] = {
	{ 1u << OBJ_USER, ATTR_BIT(ATTR_PWDLASTSET) },
	{ 1u << OBJ_USER, ATTR_BIT(ATTR_USERACCOUNTCONTROL) },
	{ 0, 0 },
};

static const struct check_need needs_uac[] = {
	{ 1u << OBJ_USER, ATTR_BIT(ATTR_USERACCOUNTCONTROL) },
	{ 0, 0 },
};

static const struct check check_pwd_old = {
	.id = "pwd.old",
	.family = "pwd",
	.title = "Password older than the maximum age",
	.severity = SEV_MEDIUM,
	.params = pwd_old_params,
	.needs = needs_pwdlastset,
	.rationale = "A password that has not changed for a year has had a year to "
		     "leak through phishing, reuse on other sites or offline cracking, "
		     "and it still works.",
	.remediation = "Have the owner change the password, or reset it: "
		       "Set-ADAccountPassword -Identity <sam> -Reset, then "
		       "Set-ADUser <sam> -ChangePasswordAtLogon $true "
		       "(samba-tool user setpassword <sam> --must-change-at-next-login). "
		       "Disable the account if nobody owns it.",
	.references = "MITRE ATT&CK T1078, T1110",
	.per_account = true,
	.run = pwd_old_run,
};

/* pwd.never-expires, pwd.not-required, pwd.reversible: one UAC flag each */

static void uac_flag_run(struct check_ctx *ctx, uint32_t bit, const char *name,
			 const char *what)
{
	const struct dir *d = ctx->dir;

	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		struct finding *f;

		if (!pwd_subject(a) || !(a->uac & bit))
			continue;
		f = finding_add(ctx, &a->h, "%s (%s set in userAccountControl)", what, name);
		ev_uac(f, a);
		finding_ev_str(f, "flag", name);
	}
}

static void pwd_never_expires_run(struct check_ctx *ctx)
{
	uac_flag_run(ctx, UAC_DONT_EXPIRE_PASSWORD, "DONT_EXPIRE_PASSWORD",
		     "password never expires");
}

static void pwd_not_required_run(struct check_ctx *ctx)
{
	uac_flag_run(ctx, UAC_PASSWD_NOTREQD, "PASSWD_NOTREQD",
		     "account may have an empty password");
}

static void pwd_reversible_run(struct check_ctx *ctx)
{
	uac_flag_run(ctx, UAC_ENCRYPTED_TEXT_PWD_ALLOWED, "ENCRYPTED_TEXT_PWD_ALLOWED",
		     "password may be stored with reversible encryption");
}

static const struct check check_pwd_never_expires = {
	.id = "pwd.never-expires",
	.family = "pwd",
	.title = "Password never expires",
	.severity = SEV_MEDIUM,
	.needs = needs_uac,
	.rationale = "With DONT_EXPIRE_PASSWORD the password is exempt from the domain's "
		     "maximum age: a leaked or cracked password keeps working indefinitely.",
	.remediation = "Clear the flag: Set-ADUser <sam> -PasswordNeverExpires $false "
		       "(ADUC: Account tab, untick \"Password never expires\"; "
		       "samba-tool user setexpiry <sam> --days=N). Move service "
		       "accounts to gMSAs, whose passwords rotate by themselves.",
	.references = "ANSSI vuln_dont_expire; MITRE ATT&CK T1078",
	.per_account = true,
	.run = pwd_never_expires_run,
};

static const struct check check_pwd_not_required = {
	.id = "pwd.not-required",
	.family = "pwd",
	.title = "Password not required",
	.severity = SEV_HIGH,
	.needs = needs_uac,
	.rationale = "PASSWD_NOTREQD lets the account be given an empty password "
		     "regardless of the password policy: anyone may then log on as it.",
	.remediation = "Clear the flag: Set-ADUser <sam> -PasswordNotRequired $false "
		       "(or Set-ADAccountControl), then set a strong password.",
	.references = "MITRE ATT&CK T1078, T1110",
	.per_account = true,
	.run = pwd_not_required_run,
};

static const struct check check_pwd_reversible = {
	.id = "pwd.reversible",
	.family = "pwd",
	.title = "Password stored with reversible encryption",
	.severity = SEV_HIGH,
	.needs = needs_uac,
	.rationale = "ENCRYPTED_TEXT_PWD_ALLOWED makes the domain controllers keep a "
		     "decryptable copy of the password: anyone who dumps the directory "
		     "database reads it in clear.",
	.remediation = "Clear the flag: Set-ADUser <sam> -AllowReversiblePasswordEncryption "
		       "$false, then reset the password so the stored copy is replaced.",
	.references = "ANSSI vuln_reversible_password; MITRE ATT&CK T1003, T1552",
	.per_account = true,
	.run = pwd_reversible_run,
};

/* pwd.not-reset-since-incident */

static void pwd_not_reset_run(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	char when[32];

	/* unconfigured is not "all reset": say so rather than pass */
	if (!ctx->policy || !ctx->policy->has_incident) {
		check_unknown(ctx, "policy has no incident.password_reset_after");
		return;
	}
	time_format(ctx->policy->incident, when, sizeof(when));
	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		struct finding *f;
		char set[32];

		if (!pwd_subject(a) || a->pwd_state != PWD_SET || a->pwd_last_set == TIME_NEVER)
			continue;
		if (a->pwd_last_set >= ctx->policy->incident)
			continue;
		time_format(a->pwd_last_set, set, sizeof(set));
		f = finding_add(ctx, &a->h, "password last set %s, before the incident reset date %s",
				set, when);
		finding_ev_time(f, "pwd_last_set", a->pwd_last_set);
		finding_ev_time(f, "password_reset_after", ctx->policy->incident);
	}
}

static const struct check check_pwd_not_reset = {
	.id = "pwd.not-reset-since-incident",
	.family = "pwd",
	.title = "Password not reset since the incident",
	.severity = SEV_HIGH,
	.needs = needs_pwdlastset,
	.rationale = "After a compromise every password may be in the attacker's hands; "
		     "an account whose password predates the reset date can still be "
		     "used with the stolen credentials.",
	.remediation = "Reset the password (Set-ADAccountPassword -Identity <sam> -Reset; "
		       "samba-tool user setpassword <sam>) and require a change at next "
		       "logon, or disable the account until its owner is verified.",
	.references = "MITRE ATT&CK T1078, T1110.004",
	.per_account = true,
	.run = pwd_not_reset_run,
};

/* pwd.must-change */

static void pwd_must_change_run(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	long long grace = check_param_int(ctx, "grace_days");

	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		struct finding *f;

		if (!pwd_subject(a) || a->pwd_state != PWD_MUST_CHANGE)
			continue;
		/* an unknown whenChanged cannot prove the grace period: report it */
		if (a->when_changed != TIME_NEVER) {
			if (!check_older_than(ctx, a->when_changed, grace))
				continue;
			f = finding_add(ctx, &a->h,
					"must change password at next logon, unchanged for %lld days (grace %lld)",
					(long long)check_age_days(ctx, a->when_changed), grace);
			finding_ev_int(f, "age_days", (long long)check_age_days(ctx, a->when_changed));
		} else {
			f = finding_add(ctx, &a->h,
					"must change password at next logon, whenChanged unknown (grace %lld)",
					grace);
		}
		finding_ev_int(f, "pwd_last_set", 0);
		finding_ev_time(f, "when_changed", a->when_changed);
		finding_ev_int(f, "grace_days", grace);
	}
}

static const struct check_param pwd_must_change_params[] = {
	{ .name = "grace_days", .type = PARAM_INT,
	  .doc = "days an account may wait for its first password change",
	  .def = 14, .min = 0, .max = 36500 },
	{ .name = NULL },
};

static const struct check_need needs_must_change[] = {
	{ 1u << OBJ_USER, ATTR_BIT(ATTR_PWDLASTSET) },
	{ 1u << OBJ_USER, ATTR_BIT(ATTR_WHENCHANGED) },
	{ 1u << OBJ_USER, ATTR_BIT(ATTR_USERACCOUNTCONTROL) },
	{ 0, 0 },
};

static const struct check check_pwd_must_change = {
	.id = "pwd.must-change",
	.family = "pwd",
	.title = "Password reset but never used",
	.severity = SEV_LOW,
	.params = pwd_must_change_params,
	.needs = needs_must_change,
	.rationale = "pwdLastSet = 0 means the password was set by an administrator "
		     "(at creation or a reset) and its owner never logged on to change "
		     "it: the initial password, often shared by mail or guessable, still "
		     "works for whoever knows it.",
	.remediation = "Confirm the owner and have them log on and change the password, "
		       "or disable the account (Disable-ADAccount <sam>; samba-tool user "
		       "disable <sam>) until they do.",
	.references = "ANSSI vuln_user_accounts_dormant; MITRE ATT&CK T1078",
	.per_account = true,
	.run = pwd_must_change_run,
};

/* pwd.domain-policy and pwd.pso-weak-privileged: the thresholds */

static const struct check_param pwd_domain_policy_params[] = {
	{ .name = "min_length", .type = PARAM_INT,
	  .doc = "minimum password length the policy must require",
	  .def = 14, .min = 0, .max = 255 },
	{ .name = "history", .type = PARAM_INT,
	  .doc = "number of remembered passwords the policy must keep",
	  .def = 24, .min = 0, .max = 1024 },
	{ .name = "lockout_threshold_max", .type = PARAM_INT,
	  .doc = "highest acceptable lockout threshold (0, never locking out, is weak)",
	  .def = 10, .min = 1, .max = 65535 },
	{ .name = NULL },
};

/* A password policy's settings, from the domain head or a PSO. */
struct pwd_settings {
	long long min_length, history, lockout_threshold;
	bool complexity, reversible;
};

struct pwd_thresholds {
	long long min_length, history, lockout_max;
};

/* Which weakness, for the finding's detail and evidence. */
enum weakness {
	WEAK_MIN_LENGTH,
	WEAK_HISTORY,
	WEAK_LOCKOUT,
	WEAK_COMPLEXITY,
	WEAK_REVERSIBLE,
	WEAK_COUNT
};

static const char *const weakness_name[WEAK_COUNT] = {
	[WEAK_MIN_LENGTH] = "min_length",
	[WEAK_HISTORY] = "history",
	[WEAK_LOCKOUT] = "lockout_threshold",
	[WEAK_COMPLEXITY] = "complexity",
	[WEAK_REVERSIBLE] = "reversible",
};

/* Bit set of the weaknesses of s against t. */
static unsigned settings_weaknesses(const struct pwd_settings *s, const struct pwd_thresholds *t)
{
	unsigned w = 0;

	if (s->min_length < t->min_length)
		w |= 1u << WEAK_MIN_LENGTH;
	if (s->history < t->history)
		w |= 1u << WEAK_HISTORY;
	/* 0 never locks out: unlimited guessing */
	if (s->lockout_threshold < 1 || s->lockout_threshold > t->lockout_max)
		w |= 1u << WEAK_LOCKOUT;
	if (!s->complexity)
		w |= 1u << WEAK_COMPLEXITY;
	if (s->reversible)
		w |= 1u << WEAK_REVERSIBLE;
	return w;
}

/* A sentence describing weakness k of s against t, appended to sb. */
static void weakness_describe(struct sbuf *sb, enum weakness k, const struct pwd_settings *s,
			      const struct pwd_thresholds *t)
{
	switch (k) {
	case WEAK_MIN_LENGTH:
		sbuf_addf(sb, "minimum password length %lld (required at least %lld)",
			  s->min_length, t->min_length);
		break;
	case WEAK_HISTORY:
		sbuf_addf(sb, "password history %lld (required at least %lld)",
			  s->history, t->history);
		break;
	case WEAK_LOCKOUT:
		if (s->lockout_threshold < 1)
			sbuf_addf(sb, "lockout threshold 0: accounts never lock out (required 1..%lld)",
				  t->lockout_max);
		else
			sbuf_addf(sb, "lockout threshold %lld (required 1..%lld)",
				  s->lockout_threshold, t->lockout_max);
		break;
	case WEAK_COMPLEXITY:
		sbuf_adds(sb, "password complexity is off");
		break;
	case WEAK_REVERSIBLE:
		sbuf_adds(sb, "passwords are stored with reversible encryption");
		break;
	case WEAK_COUNT:
		break;
	}
}

static void weakness_evidence(struct finding *f, enum weakness k, const struct pwd_settings *s,
			      const struct pwd_thresholds *t)
{
	switch (k) {
	case WEAK_MIN_LENGTH:
		finding_ev_int(f, "min_length", s->min_length);
		finding_ev_int(f, "required", t->min_length);
		break;
	case WEAK_HISTORY:
		finding_ev_int(f, "history", s->history);
		finding_ev_int(f, "required", t->history);
		break;
	case WEAK_LOCKOUT:
		finding_ev_int(f, "lockout_threshold", s->lockout_threshold);
		finding_ev_int(f, "required_min", 1);
		finding_ev_int(f, "required_max", t->lockout_max);
		break;
	case WEAK_COMPLEXITY:
		finding_ev_bool(f, "complexity", s->complexity);
		break;
	case WEAK_REVERSIBLE:
		finding_ev_bool(f, "reversible", s->reversible);
		break;
	case WEAK_COUNT:
		break;
	}
}

/* Position of parameter name in params; aborts if undeclared (a bug). */
static size_t param_index(const struct check_param *params, const char *name)
{
	for (size_t i = 0; params[i].name; i++)
		if (strcmp(params[i].name, name) == 0)
			return i;
	abort();
}

/*
 * pwd.domain-policy's thresholds as the policy configures them, whichever
 * check asks (pwd.pso-weak-privileged holds PSOs to the same standard).
 */
static void domain_thresholds(const struct check_ctx *ctx, struct pwd_thresholds *t)
{
	const struct check_param *cp = pwd_domain_policy_params;
	const struct param_value *pv = NULL;
	size_t idx, ml, hi, lo;

	if (registry_find("pwd.domain-policy", &idx) && ctx->policy && ctx->policy->checks)
		pv = ctx->policy->checks[idx].params;
	ml = param_index(cp, "min_length");
	hi = param_index(cp, "history");
	lo = param_index(cp, "lockout_threshold_max");
	t->min_length = pv ? pv[ml].i : cp[ml].def;
	t->history = pv ? pv[hi].i : cp[hi].def;
	t->lockout_max = pv ? pv[lo].i : cp[lo].def;
}

/* pwd.domain-policy */

/* The head's attributes the verdict rests on: all must have been read. */
static const enum dir_attr domain_policy_attrs[] = {
	ATTR_MINPWDLENGTH,
	ATTR_PWDHISTORYLENGTH,
	ATTR_LOCKOUTTHRESHOLD,
	ATTR_PWDPROPERTIES,
};

static void pwd_domain_policy_run(struct check_ctx *ctx)
{
	const struct domain *dom = &ctx->dir->domain;
	struct pwd_thresholds t;
	struct pwd_settings s;
	struct sbuf missing = SBUF_INIT;
	unsigned weak;

	if (!dom->h.dn) {
		check_unknown(ctx, "the domain head (default password policy) was not read");
		return;
	}
	for (size_t i = 0; i < sizeof(domain_policy_attrs) / sizeof(domain_policy_attrs[0]); i++) {
		enum dir_attr at = domain_policy_attrs[i];

		if (!(dom->h.seen & ATTR_BIT(at)))
			sbuf_addf(&missing, "%s%s", missing.len ? ", " : "", dir_attr_name(at));
	}
	if (missing.len) {
		check_unknown(ctx, "%s absent from the domain head", missing.buf);
		sbuf_release(&missing);
		return;
	}
	sbuf_release(&missing);

	domain_thresholds(ctx, &t);
	s.min_length = dom->min_pwd_length;
	s.history = dom->pwd_history;
	s.lockout_threshold = dom->lockout_threshold;
	s.complexity = dom->pwd_properties & PWD_PROP_COMPLEX;
	s.reversible = dom->pwd_properties & PWD_PROP_CLEARTEXT;
	weak = settings_weaknesses(&s, &t);

	for (int k = 0; k < WEAK_COUNT; k++) {
		struct sbuf msg = SBUF_INIT;
		struct finding *f;

		if (!(weak & 1u << k))
			continue;
		sbuf_adds(&msg, "default domain policy: ");
		weakness_describe(&msg, (enum weakness)k, &s, &t);
		f = finding_add(ctx, &dom->h, "%s", msg.buf);
		finding_detail(f, weakness_name[k]);
		weakness_evidence(f, (enum weakness)k, &s, &t);
		if (k == WEAK_COMPLEXITY || k == WEAK_REVERSIBLE)
			finding_ev_int(f, "pwd_properties", dom->pwd_properties);
		sbuf_release(&msg);
	}
}

static const struct check check_pwd_domain_policy = {
	.id = "pwd.domain-policy",
	.family = "pwd",
	.title = "Weak default domain password policy",
	.severity = SEV_MEDIUM,
	.params = pwd_domain_policy_params,
	.rationale = "The default domain policy governs every account without a "
		     "fine-grained policy: short, simple or unlocked passwords fall to "
		     "password spraying and offline cracking, and reversible encryption "
		     "stores them in clear.",
	.remediation = "Strengthen the Default Domain Policy GPO (Computer Configuration > "
		       "Policies > Windows Settings > Security Settings > Account Policies), "
		       "or Set-ADDefaultDomainPasswordPolicy -MinPasswordLength 14 "
		       "-PasswordHistoryCount 24 -LockoutThreshold 10 -ComplexityEnabled "
		       "$true -ReversibleEncryptionEnabled $false (samba-tool domain "
		       "passwordsettings set --min-pwd-length=14 --history-length=24 "
		       "--account-lockout-threshold=10 --complexity=on --store-plaintext=off).",
	.references = "ANSSI vuln_reversible_password; MITRE ATT&CK T1110.001, T1110.003, T1003",
	.run = pwd_domain_policy_run,
};

/* pwd.pso-weak-privileged */

static int cmp_str(const void *x, const void *y)
{
	const char *a = *(const char *const *)x, *b = *(const char *const *)y;
	int c = str_icmp(a, b);

	return c ? c : strcmp(a, b);
}

static const enum dir_attr pso_attrs[] = {
	ATTR_PSO_MINLENGTH,
	ATTR_PSO_HISTORY,
	ATTR_PSO_LOCKOUTTHRESHOLD,
	ATTR_PSO_COMPLEXITY,
	ATTR_PSO_REVERSIBLE,
};

static void pwd_pso_weak_run(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	struct pwd_thresholds t;
	const char **users = xcalloc(d->nprivileged + 1, sizeof(*users));
	/* the privileged users with a PSO: a domain may have many PSOs */
	const struct account **governed = xcalloc(d->nprivileged + 1, sizeof(*governed));
	size_t ngoverned = 0;

	if (d->pso_unread_reason) {
		check_unknown(ctx, "%s", d->pso_unread_reason);
		free(governed);
		free(users);
		return;
	}
	for (size_t i = 0; i < d->nprivileged; i++) {
		const struct account *a = d->privileged[i];

		if (a->pso && pwd_subject(a))
			governed[ngoverned++] = a;
	}
	domain_thresholds(ctx, &t);
	for (size_t p = 0; p < d->npsos; p++) {
		const struct pso *pso = d->psos[p];
		struct pwd_settings s;
		struct sbuf msg = SBUF_INIT;
		const char *names[WEAK_COUNT];
		size_t nusers = 0, nweak = 0;
		unsigned weak;
		struct finding *f;

		for (size_t i = 0; i < ngoverned; i++) {
			const struct account *a = governed[i];

			if (a->pso == pso)
				users[nusers++] = a->h.sam ? a->h.sam : a->h.dn;
		}
		if (!nusers)
			continue;
		/* an unreadable setting of a PSO that governs admins cannot pass */
		for (size_t k = 0; k < sizeof(pso_attrs) / sizeof(pso_attrs[0]); k++) {
			if (!(pso->h.seen & ATTR_BIT(pso_attrs[k]))) {
				check_unknown(ctx, "%s absent from password settings object \"%s\"",
					      dir_attr_name(pso_attrs[k]),
					      pso->cn ? pso->cn : pso->h.dn);
				free(governed);
				free(users);
				return;
			}
		}
		s.min_length = pso->min_length;
		s.history = pso->history;
		s.lockout_threshold = pso->lockout_threshold;
		s.complexity = pso->complexity > 0;
		s.reversible = pso->reversible != 0;
		weak = settings_weaknesses(&s, &t);
		if (!weak)
			continue;

		qsort(users, nusers, sizeof(*users), cmp_str);
		for (int k = 0; k < WEAK_COUNT; k++) {
			if (!(weak & 1u << k))
				continue;
			sbuf_adds(&msg, nweak ? "; " : "");
			weakness_describe(&msg, (enum weakness)k, &s, &t);
			names[nweak++] = weakness_name[k];
		}
		f = finding_add(ctx, &pso->h,
				"password settings object governs %zu privileged user%s and is weaker than the domain policy thresholds: %s",
				nusers, nusers == 1 ? "" : "s", msg.buf);
		finding_ev_strs(f, "privileged_users", (const char *const *)users, nusers);
		finding_ev_strs(f, "weaknesses", names, nweak);
		finding_ev_int(f, "min_length", s.min_length);
		finding_ev_int(f, "history", s.history);
		finding_ev_int(f, "lockout_threshold", s.lockout_threshold);
		finding_ev_bool(f, "complexity", s.complexity);
		finding_ev_bool(f, "reversible", s.reversible);
		finding_ev_int(f, "precedence", pso->precedence);
		sbuf_release(&msg);
	}
	free(governed);
	free(users);
}

static const struct check_need needs_pso[] = {
	{ 1u << OBJ_USER, ATTR_BIT(ATTR_USERACCOUNTCONTROL) },
	{ 0, 0 },
};

static const struct check check_pwd_pso_weak = {
	.id = "pwd.pso-weak-privileged",
	.needs_groups = TARGET_PRIVILEGED,
	.family = "pwd",
	.title = "Privileged users governed by a weak fine-grained password policy",
	.severity = SEV_HIGH,
	.needs = needs_pso,
	.rationale = "A fine-grained password policy (PSO) overrides the domain policy for "
		     "the users it applies to: one weaker than the domain's own thresholds "
		     "silently exempts administrators from them, on the accounts an "
		     "attacker wants most.",
	.remediation = "Raise the PSO's settings (Set-ADFineGrainedPasswordPolicy <name> "
		       "-MinPasswordLength 14 -PasswordHistoryCount 24 -LockoutThreshold 10 "
		       "-ComplexityEnabled $true -ReversibleEncryptionEnabled $false; "
		       "samba-tool domain passwordsettings pso set <name> ...), or remove "
		       "the privileged users and their groups from msDS-PSOAppliesTo.",
	.references = "ANSSI vuln_privileged_members_password; MITRE ATT&CK T1078.002, T1110",
	.run = pwd_pso_weak_run,
};

static const struct check *const checks[] = {
	&check_pwd_old,
	&check_pwd_never_expires,
	&check_pwd_not_required,
	&check_pwd_reversible,
	&check_pwd_not_reset,
	&check_pwd_must_change,
	&check_pwd_domain_policy,
	&check_pwd_pso_weak,
	NULL,
};

const struct check_family family_passwords = { "pwd", checks };
