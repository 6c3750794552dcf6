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
 * The sources consulted, the same for every account: built once per run
 * (vpn.c has its own copy for vpn.no-mfa: the families share no header).
 */
struct mfa_consulted {
	const char **v;
	size_t n;
	struct sbuf items[2];
	struct sbuf text;
};

static void mfa_consulted_init(struct mfa_consulted *c, const struct policy *p)
{
	size_t k = 0;

	c->v = xcalloc(p->mfa_groups.n + 3, sizeof(*c->v));
	c->n = 0;
	sbuf_init(&c->items[0]);
	sbuf_init(&c->items[1]);
	sbuf_init(&c->text);
	for (size_t i = 0; i < p->mfa_groups.n; i++)
		c->v[c->n++] = p->mfa_groups.v[i];
	if (p->mfa_smartcard_required)
		c->v[c->n++] = "SMARTCARD_REQUIRED";
	if (p->mfa_attribute) {
		sbuf_addf(&c->items[k], "attribute %s", p->mfa_attribute);
		c->v[c->n++] = c->items[k++].buf;
	}
	if (p->mfa_enrollment.path) {
		sbuf_addf(&c->items[k], "enrollment CSV %s", p->mfa_enrollment.path);
		c->v[c->n++] = c->items[k++].buf;
	}
	for (size_t i = 0; i < c->n; i++)
		sbuf_addf(&c->text, "%s%s", i ? ", " : "", c->v[i]);
	if (c->n == 0)
		sbuf_adds(&c->text, "none configured in the policy");
}

static void mfa_consulted_release(struct mfa_consulted *c)
{
	sbuf_release(&c->items[0]);
	sbuf_release(&c->items[1]);
	sbuf_release(&c->text);
	free(c->v);
}

/*
 * mfa.privileged-missing. Service accounts, gMSA/MSA and computers cannot
 * use MFA: priv.service-account reports them instead.
 */
static void run_privileged_missing(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	struct mfa_consulted c;

	if (ctx->policy->mfa_enrollment.path && !d->mfa_csv_loaded) {
		check_unknown(ctx, "%s", d->mfa_csv_unknown_reason ? d->mfa_csv_unknown_reason :
			      "the MFA enrollment CSV was not read");
		return;
	}
	mfa_consulted_init(&c, ctx->policy);
	for (size_t i = 0; i < d->naccounts; i++) {
		const struct account *a = d->accounts[i];
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
	mfa_consulted_release(&c);
}

/* Privilege and MFA groups are both resolved from `member`. */
static const struct check_need needs_membership[] = {
	{ KIND(OBJ_GROUP), ATTR_BIT(ATTR_MEMBER) },
	{ KIND(OBJ_USER), ATTR_BIT(ATTR_USERACCOUNTCONTROL) },
	{ 0, 0 },
};

static const struct check check_privileged_missing = {
	.id = "mfa.privileged-missing",
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
