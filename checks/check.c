/*
 * Helpers shared by the checks: parameters and ages (see check.h).
 */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../auditor/policy.h"
#include "../auditor/timeutil.h"
#include "../auditor/xalloc.h"

const struct param_value *check_param(const struct check_ctx *ctx, const char *name)
{
	const struct check_param *p = ctx->check->params;

	for (size_t i = 0; p && p[i].name; i++)
		if (strcmp(p[i].name, name) == 0)
			return &ctx->cfg->params[i];
	fprintf(stderr, "privaudit: internal error: check %s has no parameter %s\n",
		ctx->check->id, name);
	abort();
}

long long check_param_int(const struct check_ctx *ctx, const char *name)
{
	return check_param(ctx, name)->i;
}

int64_t check_age_days(const struct check_ctx *ctx, int64_t t)
{
	return time_days_between(t, ctx->now);
}

bool check_older_than(const struct check_ctx *ctx, int64_t t, long long days)
{
	if (t == TIME_NEVER)
		return false;
	return ctx->now - t > (int64_t)days * SECONDS_PER_DAY;
}

bool check_idle(const struct check_ctx *ctx, const struct account *a, long long days)
{
	if (a->last_logon_eff != TIME_NEVER)
		return check_older_than(ctx, a->last_logon_eff, days);
	if (a->when_created == TIME_NEVER)
		return true;
	return check_older_than(ctx, a->when_created, days);
}

void check_mfa_consulted_init(struct mfa_consulted *c, const struct policy *p)
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

void check_mfa_consulted_release(struct mfa_consulted *c)
{
	sbuf_release(&c->items[0]);
	sbuf_release(&c->items[1]);
	sbuf_release(&c->text);
	free(c->v);
}
