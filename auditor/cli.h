/*
 * The command line (DESIGN.md "Command line", a contract): one option
 * table, parsed with getopt_long into struct cli. --help text is generated
 * from the same table.
 */
#ifndef PRIVAUDIT_CLI_H
#define PRIVAUDIT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct error;

enum cli_command {
	CMD_NONE,
	CMD_AUDIT,
	CMD_COLLECT,
	CMD_DIFF,
	CMD_CHECKS,
	CMD_POLICY_CHECK,
	CMD_POLICY_DEFAULTS,
	CMD_HELP,
	CMD_VERSION,
};

struct cli {
	enum cli_command command;
	/* source */
	const char *uri, *ldif;
	/* connection */
	const char *base, *bind_dn, *password_file, *sasl_mech, *keytab, *principal, *ca_file;
	bool starttls, insecure_tls, all_dcs, allow_cleartext_bind;
	const char *dcs[16];
	size_t ndcs;
	long page_size, timeout, range_size, connections;
	/* policy, time, outputs */
	const char *policy, *now, *json, *xlsx, *baseline, *output, *junit;
	int fail_on;          /* --fail-on: a severity, or -1 (the policy's gate.fail_on) */
	bool force;           /* diff, --baseline: compare another schema version or domain */
	bool quiet, verbose, json_catalogue;
	/* positional arguments after the command */
	const char *args[4];
	size_t nargs;
};

/* Parse argv. On a usage error: -1 with err EXIT_INPUT. */
int cli_parse(struct cli *c, int argc, char **argv, struct error *err);
/* The usage text (--help) to out. */
void cli_usage(FILE *out);
/* The short synopsis printed after a usage error. */
void cli_synopsis(FILE *out);

#endif
