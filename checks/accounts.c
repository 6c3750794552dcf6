/*
 * The acct family of checks (DESIGN.md, check catalogue): dormant and
 * never-used accounts, the Guest account, sIDHistory, unusual primary
 * groups and passwords written into description or info.
 *
 * Who is checked: enabled users (account_is_user: not computers, gMSA/MSA
 * or krbtgt), never Guest except by acct.guest-enabled; acct.primary-group
 * also checks computers, gMSA/MSA and domain controllers.
 */
#include "accounts.h"
#include "families.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../auditor/sid.h"
#include "../auditor/strutil.h"
#include "../auditor/timeutil.h"
#include "../auditor/xalloc.h"

/* The accounts the generic account checks look at. */
static bool acct_subject(const struct account *a)
{
	return a->enabled && account_is_user(a) && !(a->roles & ROLE_GUEST) &&
	       !account_is_dc(a);
}

static const struct check_need needs_logon[] = {
	{ 1u << OBJ_USER, ATTR_BIT(ATTR_LASTLOGON) | ATTR_BIT(ATTR_LASTLOGONTIMESTAMP) },
	{ 1u << OBJ_USER, ATTR_BIT(ATTR_USERACCOUNTCONTROL) },
	{ 0, 0 },
};

static const struct check_need needs_uac[] = {
	{ 1u << OBJ_USER, ATTR_BIT(ATTR_USERACCOUNTCONTROL) },
	{ 0, 0 },
};

/* acct.stale */

static void acct_stale_run(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	long long max = check_param_int(ctx, "max_idle_days");

	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		struct finding *f;

		if (!acct_subject(a) || !check_idle(ctx, a, max))
			continue;
		if (a->last_logon_eff != TIME_NEVER) {
			f = finding_add(ctx, &a->h, "no logon for %lld days (limit %lld)",
					(long long)check_age_days(ctx, a->last_logon_eff), max);
			finding_ev_int(f, "idle_days", (long long)check_age_days(ctx, a->last_logon_eff));
		} else if (a->when_created != TIME_NEVER) {
			f = finding_add(ctx, &a->h,
					"never logged on, created %lld days ago (limit %lld)",
					(long long)check_age_days(ctx, a->when_created), max);
			finding_ev_int(f, "idle_days", (long long)check_age_days(ctx, a->when_created));
		} else {
			f = finding_add(ctx, &a->h,
					"never logged on, creation time unknown (limit %lld)", max);
		}
		finding_ev_time(f, "last_logon", a->last_logon_eff);
		finding_ev_time(f, "when_created", a->when_created);
		finding_ev_int(f, "limit_days", max);
	}
}

static const struct check_param acct_stale_params[] = {
	{ .name = "max_idle_days", .type = PARAM_INT,
	  .doc = "an account without a logon for more than this many days is stale",
	  .def = 180, .min = 1, .max = 36500 },
	{ .name = NULL },
};

static const struct check check_acct_stale = {
	.id = "acct.stale",
	.family = "acct",
	.title = "Dormant user account",
	.severity = SEV_MEDIUM,
	.params = acct_stale_params,
	.needs = needs_logon,
	.rationale = "An enabled account nobody uses is an unwatched door: its owner will "
		     "not notice an attacker logging on with it, and its password is "
		     "often old or known to former staff.",
	.remediation = "Confirm with the owner or manager, then disable it "
		       "(Disable-ADAccount <sam>; samba-tool user disable <sam>) and delete "
		       "it after a retention period. Search-ADAccount -AccountInactive "
		       "-TimeSpan 180.00:00:00 -UsersOnly lists the candidates.",
	.references = "ANSSI vuln_user_accounts_dormant; MITRE ATT&CK T1078.002",
	.per_account = true,
	.run = acct_stale_run,
};

/* acct.never-logged-on */

static void acct_never_logged_on_run(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	long long grace = check_param_int(ctx, "grace_days");

	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		struct finding *f;

		if (!acct_subject(a) || a->last_logon_eff != TIME_NEVER)
			continue;
		/* an unknown creation time cannot prove the grace period */
		if (a->when_created != TIME_NEVER) {
			if (!check_older_than(ctx, a->when_created, grace))
				continue;
			f = finding_add(ctx, &a->h, "never logged on, created %lld days ago (grace %lld)",
					(long long)check_age_days(ctx, a->when_created), grace);
			finding_ev_int(f, "age_days", (long long)check_age_days(ctx, a->when_created));
		} else {
			f = finding_add(ctx, &a->h,
					"never logged on, creation time unknown (grace %lld)", grace);
		}
		finding_ev_time(f, "last_logon", TIME_NEVER);
		finding_ev_time(f, "when_created", a->when_created);
		finding_ev_int(f, "grace_days", grace);
	}
}

static const struct check_param acct_never_params[] = {
	{ .name = "grace_days", .type = PARAM_INT,
	  .doc = "days a new account may wait for its first logon",
	  .def = 30, .min = 0, .max = 36500 },
	{ .name = NULL },
};

static const char *const acct_never_supersedes[] = { "acct.stale", NULL };

static const struct check check_acct_never_logged_on = {
	.id = "acct.never-logged-on",
	.family = "acct",
	.title = "User account never used",
	.severity = SEV_LOW,
	.params = acct_never_params,
	.supersedes = acct_never_supersedes,
	.needs = needs_logon,
	.rationale = "An account created and never used serves nobody: it still carries "
		     "its initial password, often set by a helpdesk to a pattern, and "
		     "nobody would notice it being used.",
	.remediation = "Find out why it was created; disable it (Disable-ADAccount <sam>; "
		       "samba-tool user disable <sam>) until its owner needs it, or delete it.",
	.references = "ANSSI vuln_user_accounts_dormant; MITRE ATT&CK T1078.002",
	.per_account = true,
	.run = acct_never_logged_on_run,
};

/* acct.guest-enabled */

static void acct_guest_run(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	bool found = false;

	for (size_t i = 0; i < d->naccounts; i++) {
		const struct account *a = d->accounts[i];
		struct finding *f;

		if (!(a->roles & ROLE_GUEST))
			continue;
		found = true;
		if (!a->enabled)
			continue;
		f = finding_add(ctx, &a->h, "the built-in Guest account (RID 501) is enabled");
		finding_ev_int(f, "user_account_control", (long long)a->uac);
		finding_ev_time(f, "account_expires", a->account_expires);
		finding_ev_time(f, "last_logon", a->last_logon_eff);
	}
	/* every domain has a Guest: not finding it is no evidence it is disabled */
	if (!found)
		check_unknown(ctx, "no account with RID 501 (Guest) in the directory");
}

static const struct check_need needs_guest[] = {
	{ 1u << OBJ_USER, ATTR_BIT(ATTR_OBJECTSID) },
	{ 1u << OBJ_USER, ATTR_BIT(ATTR_USERACCOUNTCONTROL) },
	{ 0, 0 },
};

static const struct check check_acct_guest = {
	.id = "acct.guest-enabled",
	.family = "acct",
	.title = "Guest account enabled",
	.severity = SEV_HIGH,
	.needs = needs_guest,
	.rationale = "The Guest account usually has an empty password: enabled, it gives "
		     "anyone on the network an authenticated foothold in the domain.",
	.remediation = "Disable it: Disable-ADAccount -Identity Guest "
		       "(samba-tool user disable Guest); the GPO setting \"Accounts: Guest "
		       "account status\" keeps it disabled.",
	.references = "MITRE ATT&CK T1078.001",
	.run = acct_guest_run,
};

/* acct.sid-history */

/* Whether sid names an account or group that grants control of a domain. */
static bool sid_is_privileged(const char *sid)
{
	static const char *const builtin[] = {
		"S-1-5-32-544", "S-1-5-32-548", "S-1-5-32-549", "S-1-5-32-550", "S-1-5-32-551",
	};
	static const uint32_t rids[] = {
		RID_ADMINISTRATOR, RID_DOMAIN_ADMINS, RID_DOMAIN_CONTROLLERS,
		RID_SCHEMA_ADMINS, RID_ENTERPRISE_ADMINS, RID_GPO_CREATOR_OWNERS,
		RID_KEY_ADMINS, RID_ENTERPRISE_KEY_ADMINS,
	};
	static const char domain_prefix[] = "S-1-5-21-";
	uint32_t rid;

	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (str_ieq(sid, builtin[i]))
			return true;
	/* "of any domain": the RID of a domain SID (S-1-5-21-A-B-C-RID) */
	if (strlen(sid) <= sizeof(domain_prefix) - 1 ||
	    !str_nieq(sid, sizeof(domain_prefix) - 1, domain_prefix) || !sid_split(sid, &rid))
		return false;
	for (size_t i = 0; i < sizeof(rids) / sizeof(rids[0]); i++)
		if (rid == rids[i])
			return true;
	return false;
}

static void acct_sid_history_run(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;

	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		const struct account_more *m = dir_account_more(a);
		const char **priv;
		size_t npriv = 0;
		struct finding *f;

		if (!acct_subject(a) || m->nsid_history == 0)
			continue;
		priv = xcalloc(m->nsid_history, sizeof(*priv));
		for (size_t k = 0; k < m->nsid_history; k++)
			if (sid_is_privileged(m->sid_history[k]))
				priv[npriv++] = m->sid_history[k];
		if (npriv)
			f = finding_add(ctx, &a->h,
					"sIDHistory holds %zu SID%s, %zu of them privileged (%s)",
					m->nsid_history, m->nsid_history == 1 ? "" : "s", npriv,
					priv[0]);
		else
			f = finding_add(ctx, &a->h, "sIDHistory holds %zu SID%s",
					m->nsid_history, m->nsid_history == 1 ? "" : "s");
		finding_ev_strs(f, "sid_history", m->sid_history, m->nsid_history);
		finding_ev_strs(f, "privileged_sids", (const char *const *)priv, npriv);
		/* a privileged SID in sIDHistory grants its rights: domain takeover */
		if (npriv)
			finding_severity(f, SEV_HIGH);
		free(priv);
	}
}

static const struct check check_acct_sid_history = {
	.id = "acct.sid-history",
	.family = "acct",
	.title = "sIDHistory present",
	.severity = SEV_MEDIUM,
	.needs = needs_uac,
	.rationale = "Every SID in sIDHistory is added to the account's logon token: a "
		     "leftover from a migration keeps old access, and a privileged SID "
		     "there (SID-history injection) is a hidden administrator that no "
		     "group membership shows.",
	.remediation = "Once the migration is complete, clear it: Set-ADUser <sam> "
		       "-Remove @{sIDHistory='<SID>'}; enable SID filtering on trusts "
		       "(netdom trust /quarantine).",
	.references = "ANSSI vuln_sidhistory_present, vuln_sidhistory_dangerous; "
		      "MITRE ATT&CK T1134.005",
	.per_account = true,
	.run = acct_sid_history_run,
};

/* acct.primary-group */

/* The primary group account a should have; *what gets the kind's name. */
static void expected_primary(const struct account *a, uint32_t *g1, uint32_t *g2,
			     const char **what)
{
	if (a->roles & ROLE_RODC) {
		*g1 = *g2 = RID_RODCS;
		*what = "read-only domain controller";
	} else if (a->roles & ROLE_DC || a->uac & UAC_SERVER_TRUST_ACCOUNT) {
		*g1 = *g2 = RID_DOMAIN_CONTROLLERS;
		*what = "domain controller";
	} else if (a->h.kind == OBJ_COMPUTER) {
		*g1 = *g2 = RID_DOMAIN_COMPUTERS;
		*what = "computer";
	} else if (a->h.kind == OBJ_GMSA) {
		*g1 = *g2 = RID_DOMAIN_COMPUTERS;
		*what = "managed service account";
	} else {
		*g1 = RID_DOMAIN_USERS;
		*g2 = RID_DOMAIN_GUESTS;
		*what = "user";
	}
}

static void acct_primary_group_run(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;

	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		uint32_t g1, g2;
		const char *what;
		struct finding *f;

		if (!a->enabled || !a->has_primary_gid || a->roles & (ROLE_KRBTGT | ROLE_GUEST))
			continue;
		if (a->h.kind != OBJ_USER && a->h.kind != OBJ_COMPUTER && a->h.kind != OBJ_GMSA)
			continue;
		expected_primary(a, &g1, &g2, &what);
		if (a->primary_gid == g1 || a->primary_gid == g2)
			continue;
		if (g1 == g2)
			f = finding_add(ctx, &a->h, "primaryGroupID is %lu, expected %lu for a %s",
					(unsigned long)a->primary_gid, (unsigned long)g1, what);
		else
			f = finding_add(ctx, &a->h,
					"primaryGroupID is %lu, expected %lu or %lu for a %s",
					(unsigned long)a->primary_gid, (unsigned long)g1,
					(unsigned long)g2, what);
		finding_ev_int(f, "primary_group_id", (long long)a->primary_gid);
		finding_ev_int(f, "expected", (long long)g1);
		if (g2 != g1)
			finding_ev_int(f, "expected_alt", (long long)g2);
		finding_ev_str(f, "account_kind", what);
	}
}

static const struct check_need needs_primary[] = {
	{ 1u << OBJ_USER | 1u << OBJ_COMPUTER | 1u << OBJ_GMSA, ATTR_BIT(ATTR_PRIMARYGROUPID) },
	{ 1u << OBJ_USER | 1u << OBJ_COMPUTER | 1u << OBJ_GMSA,
	  ATTR_BIT(ATTR_USERACCOUNTCONTROL) },
	{ 0, 0 },
};

static const struct check check_acct_primary_group = {
	.id = "acct.primary-group",
	.family = "acct",
	.title = "Unusual primary group",
	.severity = SEV_MEDIUM,
	.needs = needs_primary,
	.rationale = "The primary group is a membership that neither the group's member "
		     "attribute nor the account's memberOf shows: a primaryGroupID of 512 "
		     "makes a hidden Domain Admin that most tools and consoles miss.",
	.remediation = "Add the account to the expected group (Domain Users, Domain "
		       "Computers, Domain Controllers or Read-only Domain Controllers), "
		       "make it the primary group (Set-ADUser <sam> -Replace "
		       "@{primaryGroupID=513}), then review the old group's membership.",
	.references = "ANSSI vuln_primary_group_id_nochange; MITRE ATT&CK T1098",
	.per_account = true,
	.run = acct_primary_group_run,
};

/* acct.password-in-description */

static bool is_ascii_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Whether s starts with the ASCII word w, ignoring ASCII case. */
static bool ascii_prefix_ieq(const char *s, const char *w)
{
	for (; *w; s++, w++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		if (c != (unsigned char)*w)
			return false;
	}
	return true;
}

/* Length of the space at s (ASCII blank or U+3000 IDEOGRAPHIC SPACE), or 0. */
static size_t space_len(const char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')
		return 1;
	if (strncmp(s, "\xe3\x80\x80", 3) == 0)
		return 3;
	return 0;
}

/* Length of the separator at s (':', '=' or U+FF1A FULLWIDTH COLON), or 0. */
static size_t separator_len(const char *s)
{
	if (*s == ':' || *s == '=')
		return 1;
	if (strncmp(s, "\xef\xbc\x9a", 3) == 0)
		return 3;
	return 0;
}

static const char *skip_spaces(const char *s)
{
	size_t n;

	while ((n = space_len(s)) > 0)
		s += n;
	return s;
}

/* Characters (UTF-8 code points, not bytes) in the non-space token at s. */
static size_t token_chars(const char *s)
{
	size_t n = 0;

	while (*s && space_len(s) == 0) {
		/* count lead bytes only: continuation bytes are 10xxxxxx */
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
		s++;
	}
	return n;
}

static const struct {
	const char *word;
	bool ascii;  /* must not follow an ASCII letter ("bypass:") */
} pw_keywords[] = {
	{ "password", true },
	{ "passwd", true },
	{ "pwd", true },
	{ "pw", true },
	{ "pass", true },
	{ "kennwort", true },
	{ "\xe3\x83\x91\xe3\x82\xb9\xe3\x83\xaf\xe3\x83\xbc\xe3\x83\x89", false }, /* パスワード */
	{ "\xe6\x9a\x97\xe8\xa8\xbc\xe7\x95\xaa\xe5\x8f\xb7", false },             /* 暗証番号 */
};

#define PW_MIN_TOKEN 4

/* The bytes a keyword may start with (an ASCII one in either case), made once. */
static uint64_t pw_first[4];
static pthread_once_t pw_first_once = PTHREAD_ONCE_INIT;

static void pw_first_make(void)
{
	for (size_t k = 0; k < sizeof(pw_keywords) / sizeof(pw_keywords[0]); k++) {
		unsigned char c = (unsigned char)pw_keywords[k].word[0];

		pw_first[c >> 6] |= UINT64_C(1) << (c & 63);
		if (pw_keywords[k].ascii && c >= 'a' && c <= 'z')
			pw_first[(c - 32) >> 6] |= UINT64_C(1) << ((c - 32) & 63);
	}
}

/*
 * Whether text holds a password keyword, then optional spaces, a
 * separator (':', '=' or '：'), optional spaces and a token of at least
 * four non-space characters. *keyword (if not NULL) gets the keyword as
 * listed above (a static string: never the text, which holds the secret).
 */
bool acct_password_match(const char *text, const char **keyword)
{
	if (!text)
		return false;
	pthread_once(&pw_first_once, pw_first_make);
	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!(pw_first[c >> 6] >> (c & 63) & 1))
			continue;
		for (size_t k = 0; k < sizeof(pw_keywords) / sizeof(pw_keywords[0]); k++) {
			const char *w = pw_keywords[k].word;
			size_t wl = strlen(w), n;
			const char *q;

			if (pw_keywords[k].ascii) {
				if (p > text && is_ascii_letter((unsigned char)p[-1]))
					continue;
				if (!ascii_prefix_ieq(p, w))
					continue;
			} else if (strncmp(p, w, wl) != 0) {
				continue;
			}
			q = skip_spaces(p + wl);
			if ((n = separator_len(q)) == 0)
				continue;
			q = skip_spaces(q + n);
			if (token_chars(q) < PW_MIN_TOKEN)
				continue;
			if (keyword)
				*keyword = w;
			return true;
		}
	}
	return false;
}

static void acct_pw_desc_run(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;

	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		const char *fields[2], *keywords[2], *kw;
		size_t n = 0;
		struct finding *f;

		if (!acct_subject(a))
			continue;
		if (acct_password_match(a->description, &kw)) {
			fields[n] = "description";
			keywords[n++] = kw;
		}
		if (acct_password_match(dir_account_more(a)->info, &kw)) {
			fields[n] = "info";
			keywords[n++] = kw;
		}
		if (!n)
			continue;
		/* the value itself is the secret: name the field and keyword only */
		if (n == 1)
			f = finding_add(ctx, &a->h, "%s holds what looks like a password (keyword \"%s\")",
					fields[0], keywords[0]);
		else
			f = finding_add(ctx, &a->h,
					"description and info hold what looks like a password (keywords \"%s\", \"%s\")",
					keywords[0], keywords[1]);
		finding_ev_strs(f, "fields", fields, n);
		finding_ev_strs(f, "keywords", keywords, n);
	}
}

static const struct check_need needs_desc[] = {
	{ 1u << OBJ_USER, ATTR_BIT(ATTR_DESCRIPTION) | ATTR_BIT(ATTR_INFO) },
	{ 1u << OBJ_USER, ATTR_BIT(ATTR_USERACCOUNTCONTROL) },
	{ 0, 0 },
};

static const struct check check_acct_pw_desc = {
	.id = "acct.password-in-description",
	.family = "acct",
	.title = "Password written in description or info",
	.severity = SEV_MEDIUM,
	.needs = needs_desc,
	.rationale = "description and info are readable by every authenticated user: a "
		     "password written there (an initial password, a service account's "
		     "secret) is handed to anyone in the domain.",
	.remediation = "Remove the text (Set-ADUser <sam> -Clear description,info or ADUC "
		       "General/Telephones tabs) and reset the password, since it must be "
		       "considered disclosed (Set-ADAccountPassword -Identity <sam> -Reset).",
	.references = "MITRE ATT&CK T1552, T1087.002",
	.per_account = true,
	.run = acct_pw_desc_run,
};

static const struct check *const checks[] = {
	&check_acct_stale,
	&check_acct_never_logged_on,
	&check_acct_guest,
	&check_acct_sid_history,
	&check_acct_primary_group,
	&check_acct_pw_desc,
	NULL,
};

const struct check_family family_accounts = { "acct", checks };
