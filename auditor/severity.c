/*
 * Severity names and order (see severity.h).
 */
#include "severity.h"

#include "strutil.h"

static const struct {
	const char *name;
	int rank;
} table[SEV_COUNT] = {
	[SEV_INFO] = { "info", 0 },
	[SEV_LOW] = { "low", 1 },
	[SEV_MEDIUM] = { "medium", 2 },
	[SEV_HIGH] = { "high", 3 },
	[SEV_CRITICAL] = { "critical", 4 },
};

const enum severity severity_order_desc[SEV_COUNT] = {
	SEV_CRITICAL, SEV_HIGH, SEV_MEDIUM, SEV_LOW, SEV_INFO,
};

const char *severity_name(enum severity s)
{
	return (unsigned)s < SEV_COUNT ? table[s].name : "?";
}

int severity_parse(const char *s)
{
	for (int i = 0; i < SEV_COUNT; i++)
		if (str_ieq(s, table[i].name))
			return i;
	return -1;
}

int severity_rank(enum severity s)
{
	return (unsigned)s < SEV_COUNT ? table[s].rank : -1;
}
