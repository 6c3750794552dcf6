/*
 * Helpers shared by the checks: parameters and ages (see check.h).
 */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../auditor/policy.h"
#include "../auditor/timeutil.h"

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
