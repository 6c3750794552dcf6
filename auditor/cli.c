/*
 * Command-line parsing (see cli.h). The option table below is the only
 * description of the options: getopt_long's table and --help come from it.
 */
#include "cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "exitcode.h"
#include "i18n.h"
#include "ldapsrc.h"
#include "severity.h"
#include "xalloc.h"

enum {
	OPT_LDIF = 256,
	OPT_PASSWORD_FILE,
	OPT_KEYTAB,
	OPT_PRINCIPAL,
	OPT_CA_FILE,
	OPT_INSECURE_TLS,
	OPT_DC,
	OPT_ALL_DCS,
	OPT_PAGE_SIZE,
	OPT_TIMEOUT,
	OPT_NOW,
	OPT_JSON,
	OPT_XLSX,
	OPT_BASELINE,
	OPT_ALLOW_CLEARTEXT,
	OPT_RANGE_SIZE,
	OPT_CONNECTIONS,
	OPT_FAIL_ON,
	OPT_JUNIT,
	OPT_FORCE,
	OPT_LANG,
	OPT_HELP,
	OPT_VERSION,
};

struct option_doc {
	const char *name;
	int has_arg;
	int val;
	const char *arg, *help;
};

static const struct option_doc options[] = {
	{ "uri", 1, 'H', "URI", N_("ldap://host[:port] or ldaps://host[:port]") },
	{ "ldif", 1, OPT_LDIF, "FILE", N_("offline: audit an LDIF export (- = stdin)") },
	{ "base", 1, 'b', "DN", N_("search base (default: rootDSE defaultNamingContext)") },
	{ "bind-dn", 1, 'D', "NAME", N_("simple bind as a DN or user@domain") },
	{ "password-file", 1, OPT_PASSWORD_FILE, "FILE",
	  N_("bind password (or env PRIVAUDIT_PASSWORD, or a prompt; never argv)") },
	{ "sasl-mech", 1, 'Y', "MECH", N_("SASL mechanism: GSSAPI (Kerberos, KRB5CCNAME)") },
	{ "keytab", 1, OPT_KEYTAB, "FILE", N_("with --principal: get a TGT from a keytab") },
	{ "principal", 1, OPT_PRINCIPAL, "NAME", N_("Kerberos principal for --keytab") },
	{ "starttls", 0, 'Z', NULL, N_("StartTLS on ldap://") },
	{ "ca-file", 1, OPT_CA_FILE, "FILE", N_("CA bundle for TLS (verified by default)") },
	{ "insecure-tls", 0, OPT_INSECURE_TLS, NULL, N_("do not verify the server certificate") },
	{ "allow-cleartext-bind", 0, OPT_ALLOW_CLEARTEXT, NULL,
	  N_("allow a simple bind over an unencrypted ldap:// connection") },
	{ "dc", 1, OPT_DC, "HOST", N_("extra DC to read lastLogon from (repeatable)") },
	{ "all-dcs", 0, OPT_ALL_DCS, NULL, N_("read lastLogon from every DC of the domain") },
	{ "page-size", 1, OPT_PAGE_SIZE, "N", N_("LDAP page size (default 1000)") },
	{ "timeout", 1, OPT_TIMEOUT, "SECONDS", N_("network timeout (default 120)") },
	{ "range-size", 1, OPT_RANGE_SIZE, "N",
	  N_("read multi-valued attributes N values at a time (default: server's)") },
	{ "connections", 1, OPT_CONNECTIONS, "N",
	  N_("read over N connections at once (default 2, at most 16)") },
	{ "policy", 1, 'p', "FILE", N_("policy JSON (default: built-in defaults)") },
	{ "now", 1, OPT_NOW, "TIME", N_("evaluate ages as of TIME (ISO 8601)") },
	{ "json", 1, OPT_JSON, "FILE", N_("write the JSON report (- = stdout); with checks: JSON") },
	{ "xlsx", 1, OPT_XLSX, "FILE", N_("write the Excel workbook") },
	{ "baseline", 1, OPT_BASELINE, "FILE", N_("previous JSON report: mark new/persisting") },
	{ "fail-on", 1, OPT_FAIL_ON, "SEVERITY",
	  N_("gate threshold for this run (overrides gate.fail_on; diff: NEW's)") },
	{ "junit", 1, OPT_JUNIT, "FILE", N_("write JUnit XML, one testcase per check (- = stdout)") },
	{ "force", 0, OPT_FORCE, NULL,
	  N_("diff, --baseline: compare reports of another schema version or domain") },
	{ "output", 1, 'o', "FILE", N_("collect: the LDIF snapshot to write") },
	{ "quiet", 0, 'q', NULL, N_("no console summary") },
	{ "verbose", 0, 'v', NULL, N_("progress and debug output on stderr") },
	{ "lang", 1, OPT_LANG, "LANG",
	  N_("language of the console summary, --help and the workbook: en or ja (default: from LANG)") },
	{ "help", 0, OPT_HELP, NULL, N_("show this help and exit") },
	{ "version", 0, OPT_VERSION, NULL, N_("show the version and exit") },
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

void cli_synopsis(FILE *out)
{
	fputs(_("usage: privaudit audit [--ldif FILE | -H URI] [-p POLICY] [--now TIME]\n"
	      "                       [--json FILE] [--xlsx FILE] [--junit FILE]\n"
	      "                       [--baseline OLD.json [--force]] [--fail-on SEVERITY] [-q] [-v]\n"
	      "       privaudit collect [-H URI] -o FILE.ldif\n"
	      "       privaudit diff OLD.json NEW.json [--json F] [--xlsx F] [--fail-on SEVERITY]\n"
	      "                      [--force]\n"
	      "       privaudit checks [--json] [ID...]\n"
	      "       privaudit policy check FILE | policy defaults\n"
	      "       privaudit --help | --version\n"),
	      out);
}

void cli_usage(FILE *out)
{
	cli_synopsis(out);
	fputs(_("\nOptions:\n"), out);
	for (size_t i = 0; i < NOPTIONS; i++) {
		const struct option_doc *o = &options[i];
		char left[64];
		int n;

		if (o->val < 256 && o->val != 0)
			n = snprintf(left, sizeof(left), "  -%c, --%s%s%s", o->val, o->name,
				     o->arg ? " " : "", o->arg ? o->arg : "");
		else
			n = snprintf(left, sizeof(left), "      --%s%s%s", o->name,
				     o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(out, "%-32s%s%s\n", left, n > 31 ? "\n                                " : "",
			_(o->help));
	}
	fputs(_("\nExit codes:\n"
	      "  0  the gate passed\n"
	      "  1  the gate failed: an unwaived finding at or above gate.fail_on\n"
	      "     (or a check that could not be evaluated, with gate.unknown_fails)\n"
	      "  2  usage, policy or input error (LDIF, policy or CSV file)\n"
	      "  3  the directory could not be read over LDAP\n"
	      "  4  a report could not be written\n"),
	      out);
}

static int parse_long(const char *s, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v <= 0)
		return -1;
	*out = v;
	return 0;
}

static int set_command(struct cli *c, int argc, char **argv, int *i, struct error *err)
{
	const char *w = argv[*i];

	if (strcmp(w, "audit") == 0)
		c->command = CMD_AUDIT;
	else if (strcmp(w, "collect") == 0)
		c->command = CMD_COLLECT;
	else if (strcmp(w, "diff") == 0)
		c->command = CMD_DIFF;
	else if (strcmp(w, "checks") == 0)
		c->command = CMD_CHECKS;
	else if (strcmp(w, "policy") == 0) {
		if (*i + 1 >= argc)
			return error_set(err, EXIT_INPUT, "policy: expected \"check FILE\" or \"defaults\"");
		(*i)++;
		if (strcmp(argv[*i], "check") == 0)
			c->command = CMD_POLICY_CHECK;
		else if (strcmp(argv[*i], "defaults") == 0)
			c->command = CMD_POLICY_DEFAULTS;
		else
			return error_set(err, EXIT_INPUT, "policy: unknown subcommand \"%s\"", argv[*i]);
	} else {
		return error_set(err, EXIT_INPUT, "unknown command \"%s\"", w);
	}
	return 0;
}

int cli_parse(struct cli *c, int argc, char **argv, struct error *err)
{
	struct option longopts[NOPTIONS + 1];
	int opt, first_arg;

	memset(c, 0, sizeof(*c));
	c->page_size = 1000;
	c->fail_on = -1;
	for (size_t i = 0; i < NOPTIONS; i++) {
		longopts[i].name = options[i].name;
		longopts[i].has_arg = options[i].has_arg;
		longopts[i].flag = NULL;
		longopts[i].val = options[i].val;
	}
	memset(&longopts[NOPTIONS], 0, sizeof(longopts[NOPTIONS]));
	if (argc >= 2 && strcmp(argv[1], "checks") == 0) {
		/* `checks --json`: here --json is a flag, not a file */
		c->command = CMD_CHECKS;
		for (int i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--json") == 0)
				c->json_catalogue = true;
			else if (argv[i][0] == '-')
				return error_set(err, EXIT_INPUT, "checks: unexpected argument \"%s\"", argv[i]);
			else if (c->nargs == sizeof(c->args) / sizeof(c->args[0]))
				return error_set(err, EXIT_INPUT, "checks: too many check ids");
			else
				c->args[c->nargs++] = argv[i]; /* `checks ID`: one check in full */
		}
		return 0;
	}
	/*
	 * getopt_long accepts unambiguous prefixes ("--pass" for
	 * "--password-file"): a typed "--password SECRET" would then be taken
	 * as a file name with the secret in argv. Long options must be spelt
	 * in full.
	 */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		size_t n;
		bool known = false;

		if (strncmp(argv[i], "--", 2) != 0 || !argv[i][2])
			continue;
		n = strcspn(argv[i] + 2, "=");
		for (size_t k = 0; k < NOPTIONS && !known; k++)
			known = strlen(options[k].name) == n &&
				strncmp(options[k].name, argv[i] + 2, n) == 0;
		if (!known)
			return error_set(err, EXIT_INPUT, "unknown option \"%.*s\"", (int)n + 2, argv[i]);
	}
	opterr = 0;
	optind = 0; /* 0, not 1: glibc then forgets a previous parse entirely */
	/* "+" would stop at the first non-option; permute instead, so options may follow */
	while ((opt = getopt_long(argc, argv, ":H:b:D:Y:Zp:o:qv", longopts, NULL)) != -1) {
		switch (opt) {
		case 'H': c->uri = optarg; break;
		case OPT_LDIF: c->ldif = optarg; break;
		case 'b': c->base = optarg; break;
		case 'D': c->bind_dn = optarg; break;
		case OPT_PASSWORD_FILE: c->password_file = optarg; break;
		case 'Y': c->sasl_mech = optarg; break;
		case OPT_KEYTAB: c->keytab = optarg; break;
		case OPT_PRINCIPAL: c->principal = optarg; break;
		case 'Z': c->starttls = true; break;
		case OPT_CA_FILE: c->ca_file = optarg; break;
		case OPT_INSECURE_TLS: c->insecure_tls = true; break;
		case OPT_DC:
			if (c->ndcs == sizeof(c->dcs) / sizeof(c->dcs[0]))
				return error_set(err, EXIT_INPUT, "too many --dc options");
			c->dcs[c->ndcs++] = optarg;
			break;
		case OPT_ALL_DCS: c->all_dcs = true; break;
		case OPT_ALLOW_CLEARTEXT: c->allow_cleartext_bind = true; break;
		case OPT_RANGE_SIZE:
			if (parse_long(optarg, &c->range_size) < 0)
				return error_set(err, EXIT_INPUT, "--range-size: expected a positive number, not \"%s\"", optarg);
			break;
		case OPT_CONNECTIONS:
			if (parse_long(optarg, &c->connections) < 0 || c->connections > LDAPSRC_MAX_CONNECTIONS)
				return error_set(err, EXIT_INPUT, "--connections: expected a number from 1 to %d, not \"%s\"",
						 LDAPSRC_MAX_CONNECTIONS, optarg);
			break;
		case OPT_PAGE_SIZE:
			if (parse_long(optarg, &c->page_size) < 0)
				return error_set(err, EXIT_INPUT, "--page-size: expected a positive number, not \"%s\"", optarg);
			break;
		case OPT_TIMEOUT:
			if (parse_long(optarg, &c->timeout) < 0)
				return error_set(err, EXIT_INPUT, "--timeout: expected a positive number of seconds, not \"%s\"", optarg);
			break;
		case 'p': c->policy = optarg; break;
		case OPT_NOW: c->now = optarg; break;
		case OPT_JSON: c->json = optarg; break;
		case OPT_XLSX: c->xlsx = optarg; break;
		case OPT_BASELINE: c->baseline = optarg; break;
		case OPT_FAIL_ON:
			c->fail_on = severity_parse(optarg);
			if (c->fail_on < 0)
				return error_set(err, EXIT_INPUT, "--fail-on: unknown severity \"%s\" (expected info, low, medium, high or critical)", optarg);
			break;
		case OPT_JUNIT: c->junit = optarg; break;
		case OPT_FORCE: c->force = true; break;
		case OPT_LANG: break; /* applied by main() before parsing */
		case 'o': c->output = optarg; break;
		case 'q': c->quiet = true; break;
		case 'v': c->verbose = true; break;
		case OPT_HELP: c->command = CMD_HELP; return 0;
		case OPT_VERSION: c->command = CMD_VERSION; return 0;
		case ':':
			if (optopt && optopt < 256)
				return error_set(err, EXIT_INPUT, "option \"-%c\" needs a value", optopt);
			return error_set(err, EXIT_INPUT, "option \"%s\" needs a value", argv[optind - 1]);
		default:
			if (optopt && optopt < 256)
				return error_set(err, EXIT_INPUT, "unknown option \"-%c\"", optopt);
			return error_set(err, EXIT_INPUT, "unknown option \"%s\"", argv[optind - 1]);
		}
	}
	first_arg = optind;
	if (first_arg >= argc)
		return error_set(err, EXIT_INPUT, "no command given");
	if (set_command(c, argc, argv, &first_arg, err) < 0)
		return -1;
	for (int i = first_arg + 1; i < argc; i++) {
		if (c->nargs == sizeof(c->args) / sizeof(c->args[0]))
			return error_set(err, EXIT_INPUT, "too many arguments");
		c->args[c->nargs++] = argv[i];
	}
	return 0;
}
