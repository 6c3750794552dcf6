/*
 * VPN reopening readiness (see readiness.h): counts read from the check
 * states the engine left, the krbtgt fact read from the directory, and
 * the verdict with its reasons. A derived view of the audit: it changes
 * nothing and runs after audit_run().
 */
#include "readiness.h"

#include <stdlib.h>
#include <string.h>

#include "../checks/registry.h"
#include "dir.h"
#include "engine.h"
#include "policy.h"
#include "sbuf.h"
#include "timeutil.h"
#include "xalloc.h"

/* The checks whose unwaived findings block the reopening, in report order. */
static const struct blocking {
	const char *id;
	size_t offset;              /* of the count in struct readiness */
	const char *one, *many;     /* "%zu ..." wording */
} blocking[] = {
	{ "vpn.no-mfa", offsetof(struct readiness, no_mfa),
	  "VPN-capable account without MFA evidence", "VPN-capable accounts without MFA evidence" },
	{ "vpn.password-not-reset", offsetof(struct readiness, password_not_reset),
	  "VPN-capable account with a password set before the incident cut-off",
	  "VPN-capable accounts with a password set before the incident cut-off" },
	{ "vpn.privileged", offsetof(struct readiness, privileged),
	  "privileged account reachable from the VPN", "privileged accounts reachable from the VPN" },
	{ "vpn.stale", offsetof(struct readiness, stale),
	  "stale VPN-capable account", "stale VPN-capable accounts" },
	{ "vpn.never-used", offsetof(struct readiness, never_used),
	  "VPN-capable account never used", "VPN-capable accounts never used" },
	{ "vpn.unowned", offsetof(struct readiness, unowned),
	  "VPN-capable account without an owner", "VPN-capable accounts without an owner" },
};

#define NBLOCKING (sizeof(blocking) / sizeof(blocking[0]))

static void add_reason(struct readiness *r, struct sbuf *sb)
{
	r->reasons = xreallocarray(r->reasons, r->nreasons + 1, sizeof(*r->reasons));
	r->reasons[r->nreasons++] = sbuf_detach(sb);
}

/* Whether any vpn.* check was evaluated: the condition for a readiness section. */
static bool vpn_ran(const struct audit *a)
{
	for (size_t i = 0; i < registry_count(); i++) {
		const struct check *c = registry_get(i);

		if (strcmp(c->family, "vpn") == 0 &&
		    (a->states[i].status == STATUS_PASS || a->states[i].status == STATUS_FAIL))
			return true;
	}
	return false;
}

static const struct account *find_krbtgt(const struct dir *d)
{
	for (size_t i = 0; i < d->naccounts; i++)
		if (d->accounts[i]->roles & ROLE_KRBTGT)
			return d->accounts[i];
	return NULL;
}

static void krbtgt_fact(struct readiness *r, const struct audit *a)
{
	const struct account *k = find_krbtgt(a->dir);
	struct sbuf sb = SBUF_INIT;
	char set[32], inc[32];

	r->krbtgt = KRBTGT_UNKNOWN;
	r->krbtgt_pwd_last_set = TIME_NEVER;
	if (k && k->pwd_state == PWD_SET)
		r->krbtgt_pwd_last_set = k->pwd_last_set;
	time_format(r->krbtgt_pwd_last_set, set, sizeof(set));
	time_format(r->incident, inc, sizeof(inc));
	if (!r->has_incident) {
		sbuf_adds(&sb, "the policy has no incident.password_reset_after date: "
			       "whether passwords and krbtgt were reset since the incident cannot be told");
	} else if (!k) {
		sbuf_adds(&sb, "krbtgt (RID 502) is not in the directory: "
			       "whether it was rotated after the incident cannot be told");
	} else if (k->pwd_state != PWD_SET) {
		sbuf_adds(&sb, "the pwdLastSet of krbtgt was not read: "
			       "whether it was rotated after the incident cannot be told");
	} else if (k->pwd_last_set < r->incident) {
		r->krbtgt = KRBTGT_NOT_ROTATED;
		sbuf_addf(&sb, "krbtgt not rotated since the incident: password set %s, before the "
			       "cut-off %s (forged tickets stay valid until it is reset twice)",
			  set, inc);
	} else {
		r->krbtgt = KRBTGT_ROTATED;
	}
	if (sb.len)
		add_reason(r, &sb);
	sbuf_release(&sb);
}

/* Unknown checks that matter: vpn.*, mfa.* and krb.krbtgt-old. */
static void unknown_checks(struct readiness *r, const struct audit *a)
{
	size_t n = registry_count();

	r->unknown = xcalloc(n ? n : 1, sizeof(*r->unknown));
	for (size_t i = 0; i < n; i++) {
		const struct check *c = registry_get(i);
		const struct check_state *st = &a->states[i];
		struct sbuf sb = SBUF_INIT;

		if (st->status != STATUS_UNKNOWN)
			continue;
		if (strcmp(c->family, "vpn") != 0 && strcmp(c->family, "mfa") != 0 &&
		    strcmp(c->id, "krb.krbtgt-old") != 0)
			continue;
		r->unknown[r->nunknown++] = c->id;
		sbuf_addf(&sb, "%s could not be evaluated: %s", c->id,
			  st->reason ? st->reason : "no reason given");
		add_reason(r, &sb);
	}
}

void readiness_compute(struct readiness *r, const struct audit *a)
{
	const struct policy *p = a->policy;

	memset(r, 0, sizeof(*r));
	r->incident = TIME_NEVER;
	r->krbtgt = KRBTGT_UNKNOWN;
	r->krbtgt_pwd_last_set = TIME_NEVER;
	if (!a->states || !vpn_ran(a))
		return;
	r->computed = true;
	r->has_incident = p && p->has_incident;
	if (r->has_incident)
		r->incident = p->incident;
	r->vpn_capable = a->summary.vpn_capable;

	for (size_t b = 0; b < NBLOCKING; b++) {
		size_t idx, *count = (size_t *)((char *)r + blocking[b].offset);
		const struct check_state *st;
		struct sbuf sb = SBUF_INIT;

		if (!registry_find(blocking[b].id, &idx))
			continue;
		st = &a->states[idx];
		if (st->status == STATUS_DISABLED) {
			sbuf_addf(&sb, "%s is disabled by the policy: readiness cannot be established "
				       "without it", blocking[b].id);
			add_reason(r, &sb);
			continue;
		}
		*count = st->unwaived;
		r->waived += st->findings - st->unwaived;
		if (st->unwaived) {
			sbuf_addf(&sb, "%zu %s (%s)", st->unwaived,
				  st->unwaived == 1 ? blocking[b].one : blocking[b].many, blocking[b].id);
			add_reason(r, &sb);
		}
	}
	krbtgt_fact(r, a);
	unknown_checks(r, a);
	r->go = r->nreasons == 0;
}

void readiness_release(struct readiness *r)
{
	for (size_t i = 0; i < r->nreasons; i++)
		free(r->reasons[i]);
	free(r->reasons);
	free(r->unknown);
	memset(r, 0, sizeof(*r));
}

const char *readiness_verdict(const struct readiness *r)
{
	return r->go ? "GO" : "NO-GO";
}
