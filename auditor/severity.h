/*
 * Severities, ordered by an explicit rank table rather than enum values:
 * info < low < medium < high < critical.
 */
#ifndef PRIVAUDIT_SEVERITY_H
#define PRIVAUDIT_SEVERITY_H

enum severity {
	SEV_INFO,
	SEV_LOW,
	SEV_MEDIUM,
	SEV_HIGH,
	SEV_CRITICAL,
	SEV_COUNT
};

/* "info" ... "critical" */
const char *severity_name(enum severity s);
/* The severity named s (case-insensitive), or -1. */
int severity_parse(const char *s);
/* 0 for info up to 4 for critical: compare ranks, never enum values. */
int severity_rank(enum severity s);
/* Severities from the most to the least severe, SEV_COUNT of them. */
extern const enum severity severity_order_desc[SEV_COUNT];

#endif
