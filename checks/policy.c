/*
 * The policy family: checks on the policy's own waivers. They run after
 * the waivers were applied to the other checks' findings (after_waivers).
 */
#include "families.h"

#include <stdio.h>

#include "../auditor/engine.h"
#include "../auditor/policy.h"
#include "../auditor/timeutil.h"

static void add_waiver_evidence(struct finding *f, const struct waiver *w)
{
	char idx[300];

	finding_ev_str(f, "reason", w->reason);
	finding_ev_str(f, "owner", w->owner);
	finding_ev_str(f, "expires", w->expires_text);
	snprintf(idx, sizeof(idx), "%s|%zu", w->check, w->index);
	finding_detail(f, idx);
}

static void run_waiver_expired(struct check_ctx *ctx)
{
	const struct policy *p = ctx->policy;

	for (size_t i = 0; i < p->nwaivers; i++) {
		const struct waiver *w = &p->waivers[i];
		struct finding *f;

		if (w->expires == TIME_NEVER || ctx->now < w->expires)
			continue;
		f = finding_add_waiver(ctx, w, "waiver %zu for %s on \"%s\" expired on %s", w->index,
				       w->check, w->account, w->expires_text ? w->expires_text : "?");
		add_waiver_evidence(f, w);
	}
}

static void run_waiver_unused(struct check_ctx *ctx)
{
	const struct policy *p = ctx->policy;

	for (size_t i = 0; i < p->nwaivers; i++) {
		const struct waiver *w = &p->waivers[i];
		struct finding *f;

		if ((w->expires != TIME_NEVER && ctx->now >= w->expires) ||
		    ctx->audit->waiver_used[i])
			continue;
		f = finding_add_waiver(ctx, w, "waiver %zu for %s on \"%s\" hides no finding",
				       w->index, w->check, w->account);
		add_waiver_evidence(f, w);
	}
}

static const struct check waiver_expired = {
	.id = "policy.waiver-expired",
	.family = "policy",
	.title = "Expired waiver",
	.severity = SEV_MEDIUM,
	.rationale = "An expired waiver no longer hides its finding: the exception it "
		     "granted has lapsed and must be renewed deliberately or the issue fixed.",
	.remediation = "Fix the finding the waiver covered, or renew the waiver with a new "
		       "expiry date, owner and reason after review.",
	.references = "ISO 27001 A.5.36 (compliance with policies)",
	.after_waivers = true,
	.run = run_waiver_expired,
};

static const struct check waiver_unused = {
	.id = "policy.waiver-unused",
	.family = "policy",
	.title = "Unused waiver",
	.severity = SEV_INFO,
	.rationale = "A waiver that hides nothing is stale policy: the account was fixed, "
		     "renamed or removed, or the waiver names it wrongly.",
	.remediation = "Remove the waiver from the policy, or correct its check id or account.",
	.references = "ISO 27001 A.5.36 (compliance with policies)",
	.after_waivers = true,
	.run = run_waiver_unused,
};

static const struct check *const checks[] = {
	&waiver_expired,
	&waiver_unused,
	NULL,
};

const struct check_family family_policy = { "policy", checks };
