/*
 * The mfa family: privileged accounts without evidence of multi-factor
 * authentication. The evidence itself (MFA groups, SMARTCARD_REQUIRED, the
 * policy attribute, the enrollment CSV) is gathered by the classifier into
 * a->mfa_sources; this file decides who must have it and says which
 * sources were consulted, so an auditor can tell "no MFA" from "no MFA
 * source configured".
 */
#include <stdlib.h>

#include "../auditor/policy.h"
#include "../auditor/sbuf.h"
#include "../auditor/xalloc.h"
#include "families.h"

#define KIND(k) (1u << (k))

static const char *acct_name(const struct account *a)
{
	return a->h.sam ? a->h.sam : a->h.dn;
}

/*
 * mfa.privileged-missing. Service accounts, gMSA/MSA and computers cannot
 * use MFA: priv.service-account reports them instead.
 */
static void run_privileged_missing(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	struct mfa_consulted c;

	check_mfa_consulted_init(&c, ctx->policy);
	for (size_t i = 0; i < d->nprivileged; i++) {
		const struct account *a = d->privileged[i];
		struct finding *f;

		if (!a->enabled || !a->privileged || !account_is_human(a) ||
		    (a->roles & (ROLE_GUEST | ROLE_KRBTGT)) || a->mfa_sources)
			continue;
		f = finding_add(ctx, &a->h,
				"privileged account %s has no MFA evidence (sources consulted: %s)",
				acct_name(a), c.text.buf);
		finding_ev_str(f, "privileged_path", a->priv_path);
		finding_ev_strs(f, "mfa_sources_consulted", c.v, c.n);
	}
	check_mfa_consulted_release(&c);
}

/* Privilege and MFA groups are both resolved from `member`. */
static const struct check_need needs_membership[] = {
	{ KIND(OBJ_GROUP), ATTR_BIT(ATTR_MEMBER) },
	{ KIND(OBJ_USER), ATTR_BIT(ATTR_USERACCOUNTCONTROL) },
	{ 0, 0 },
};

static const struct check check_privileged_missing = {
	.id = "mfa.privileged-missing",
	.needs_groups = TARGET_PRIVILEGED | TARGET_MFA,
	.needs_service = true,
	.family = "mfa",
	.title = "Privileged account without MFA",
	.severity = SEV_CRITICAL,
	.needs = needs_membership,
	.rationale = "An administrator whose password alone opens the domain is one phishing e-mail, keylogger or "
		     "password reuse away from a full compromise; in the October 2025 intrusion a system "
		     "administrator account was the attacker's second step.",
	.remediation = "Require MFA for the account: enroll it and add it to the MFA group "
		       "(Add-ADGroupMember -Identity MFA-Enrolled -Members <sam>), or require a smart card "
		       "(Set-ADUser <sam> -SmartcardLogonRequired $true).",
	.references = "ANSSI vuln_privileged_members; MITRE ATT&CK T1078.002 Domain Accounts, T1556 Modify Authentication Process",
	.run = run_privileged_missing,
};

static const struct check *const checks[] = {
	&check_privileged_missing,
	NULL,
};

const struct check_family family_mfa = { "mfa", checks };
