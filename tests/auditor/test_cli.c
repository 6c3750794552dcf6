/*
 * Tests for auditor/cli.c: the command line of DESIGN.md (a contract that
 * tests outside the project rely on). getopt_long permutes argv, so each
 * test builds its own array.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../auditor/cli.h"
#include "../../auditor/error.h"
#include "../../auditor/exitcode.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

/*
 * Copies of the arguments in a ring of slots: getopt_long permutes argv and
 * struct cli points into it, so the copies outlive the parse (and an
 * earlier parse's strings stay intact during a later one).
 */
static int parse(struct cli *c, int argc, const char **argv, struct error *err)
{
	static char pool[256][128];
	static char *vec[8][64];
	static unsigned next_slot, next_vec;
	char **v = vec[next_vec++ % 8];

	cr_assert_lt(argc, 64);
	for (int i = 0; i < argc; i++) {
		char *slot = pool[next_slot++ % 256];

		cr_assert_lt(strlen(argv[i]), sizeof(pool[0]));
		strcpy(slot, argv[i]);
		v[i] = slot;
	}
	v[argc] = NULL;
	return cli_parse(c, argc, v, err);
}

static void parse_ok(struct cli *c, int argc, const char **argv)
{
	struct error err = ERROR_INIT;

	cr_assert_eq(parse(c, argc, argv, &err), 0, "rejected: %s", err.msg);
	cr_assert_eq(err.code, 0);
}

static void parse_fails(int argc, const char **argv, const char *msg)
{
	struct cli c;
	struct error err = ERROR_INIT;

	cr_expect_eq(parse(&c, argc, argv, &err), -1, "accepted; expected \"%s\"", msg);
	cr_expect_eq(err.code, EXIT_INPUT);
	cr_expect_str_eq(err.msg, msg);
}

/* The text cli_usage or cli_synopsis writes. */
static char *capture(void (*fn)(FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	fn(f);
	fclose(f);
	return buf;
}

Test(cli, audit_with_ldif_now_json_quiet)
{
	const char *argv[] = { "privaudit", "audit", "--ldif", "dir.ldif", "--now",
			 "2026-01-01T00:00:00Z", "--json", "report.json", "-q" };
	struct cli c;

	parse_ok(&c, ARGC(argv), argv);
	cr_expect_eq(c.command, CMD_AUDIT);
	cr_expect_str_eq(c.ldif, "dir.ldif");
	cr_expect_str_eq(c.now, "2026-01-01T00:00:00Z");
	cr_expect_str_eq(c.json, "report.json");
	cr_expect(c.quiet);
	cr_expect_not(c.verbose);
	cr_expect_null(c.uri);
	cr_expect_null(c.policy);
	cr_expect_null(c.xlsx);
	cr_expect_eq(c.nargs, 0);
	cr_expect_eq(c.page_size, 1000, "default page size");
	cr_expect_eq(c.timeout, 0);
}

Test(cli, options_before_and_after_the_command)
{
	const char *argv[] = { "privaudit", "-p", "policy.json", "audit", "--ldif", "-", "-v",
			 "--json=-" };
	struct cli c;

	parse_ok(&c, ARGC(argv), argv);
	cr_expect_eq(c.command, CMD_AUDIT);
	cr_expect_str_eq(c.policy, "policy.json");
	cr_expect_str_eq(c.ldif, "-", "- is stdin, not an option");
	cr_expect_str_eq(c.json, "-");
	cr_expect(c.verbose);
	cr_expect_eq(c.nargs, 0);
}

Test(cli, connection_options)
{
	const char *argv[] = { "privaudit", "audit", "-H", "ldaps://dc1.corp.example.test",
			 "-b", "DC=corp,DC=example,DC=test", "-D", "auditor@corp.example.test",
			 "--password-file", "/run/secrets/pw", "-Y", "GSSAPI", "--keytab",
			 "/etc/krb5.keytab", "--principal", "auditor@CORP", "-Z", "--ca-file",
			 "ca.pem", "--insecure-tls", "--dc", "dc2", "--dc", "dc3", "--all-dcs",
			 "--page-size", "500", "--timeout", "30", "--xlsx", "out.xlsx",
			 "--baseline", "old.json" };
	struct cli c;

	parse_ok(&c, ARGC(argv), argv);
	cr_expect_str_eq(c.uri, "ldaps://dc1.corp.example.test");
	cr_expect_str_eq(c.base, "DC=corp,DC=example,DC=test");
	cr_expect_str_eq(c.bind_dn, "auditor@corp.example.test");
	cr_expect_str_eq(c.password_file, "/run/secrets/pw");
	cr_expect_str_eq(c.sasl_mech, "GSSAPI");
	cr_expect_str_eq(c.keytab, "/etc/krb5.keytab");
	cr_expect_str_eq(c.principal, "auditor@CORP");
	cr_expect(c.starttls);
	cr_expect_str_eq(c.ca_file, "ca.pem");
	cr_expect(c.insecure_tls);
	cr_assert_eq(c.ndcs, 2);
	cr_expect_str_eq(c.dcs[0], "dc2");
	cr_expect_str_eq(c.dcs[1], "dc3");
	cr_expect(c.all_dcs);
	cr_expect_eq(c.page_size, 500);
	cr_expect_eq(c.timeout, 30);
	cr_expect_str_eq(c.xlsx, "out.xlsx");
	cr_expect_str_eq(c.baseline, "old.json");
}

Test(cli, long_options_spelled_out)
{
	const char *argv[] = { "privaudit", "--uri", "ldap://dc1", "--base", "DC=x", "--bind-dn", "u",
			 "--sasl-mech", "GSSAPI", "--starttls", "--policy", "p.json", "--quiet",
			 "--verbose", "audit" };
	struct cli c;

	parse_ok(&c, ARGC(argv), argv);
	cr_expect_str_eq(c.uri, "ldap://dc1");
	cr_expect_str_eq(c.base, "DC=x");
	cr_expect_str_eq(c.bind_dn, "u");
	cr_expect_str_eq(c.sasl_mech, "GSSAPI");
	cr_expect(c.starttls);
	cr_expect_str_eq(c.policy, "p.json");
	cr_expect(c.quiet);
	cr_expect(c.verbose);
}

Test(cli, collect_and_diff)
{
	const char *collect[] = { "privaudit", "collect", "-H", "ldap://dc1", "-o", "snap.ldif" };
	const char *diff[] = { "privaudit", "diff", "old.json", "new.json", "--json", "d.json" };
	struct cli c;

	parse_ok(&c, ARGC(collect), collect);
	cr_expect_eq(c.command, CMD_COLLECT);
	cr_expect_str_eq(c.output, "snap.ldif");
	parse_ok(&c, ARGC(diff), diff);
	cr_expect_eq(c.command, CMD_DIFF);
	cr_assert_eq(c.nargs, 2);
	cr_expect_str_eq(c.args[0], "old.json");
	cr_expect_str_eq(c.args[1], "new.json");
	cr_expect_str_eq(c.json, "d.json");
}

Test(cli, checks_json_is_a_flag)
{
	const char *plain[] = { "privaudit", "checks" };
	const char *json[] = { "privaudit", "checks", "--json" };
	const char *bad[] = { "privaudit", "checks", "--xml" };
	struct cli c;

	parse_ok(&c, ARGC(plain), plain);
	cr_expect_eq(c.command, CMD_CHECKS);
	cr_expect_not(c.json_catalogue);
	parse_ok(&c, ARGC(json), json);
	cr_expect_eq(c.command, CMD_CHECKS);
	cr_expect(c.json_catalogue);
	cr_expect_null(c.json, "--json takes no file here");
	parse_fails(ARGC(bad), bad, "checks: unexpected argument \"--xml\"");
}

Test(cli, policy_check_and_defaults)
{
	const char *check[] = { "privaudit", "policy", "check", "policy.json" };
	const char *check_q[] = { "privaudit", "policy", "check", "-q", "policy.json" };
	const char *defaults[] = { "privaudit", "policy", "defaults" };
	struct cli c;

	parse_ok(&c, ARGC(check), check);
	cr_expect_eq(c.command, CMD_POLICY_CHECK);
	cr_assert_eq(c.nargs, 1);
	cr_expect_str_eq(c.args[0], "policy.json");
	parse_ok(&c, ARGC(check_q), check_q);
	cr_expect_eq(c.command, CMD_POLICY_CHECK);
	cr_expect(c.quiet);
	cr_assert_eq(c.nargs, 1);
	cr_expect_str_eq(c.args[0], "policy.json");
	parse_ok(&c, ARGC(defaults), defaults);
	cr_expect_eq(c.command, CMD_POLICY_DEFAULTS);
	cr_expect_eq(c.nargs, 0);
}

Test(cli, policy_needs_a_subcommand)
{
	const char *none[] = { "privaudit", "policy" };
	const char *bad[] = { "privaudit", "policy", "lint", "x.json" };

	parse_fails(ARGC(none), none, "policy: expected \"check FILE\" or \"defaults\"");
	parse_fails(ARGC(bad), bad, "policy: unknown subcommand \"lint\"");
}

Test(cli, help_and_version)
{
	const char *help[] = { "privaudit", "--help" };
	const char *version[] = { "privaudit", "--version" };
	const char *help_after[] = { "privaudit", "audit", "--ldif", "x", "--help" };
	const char *help_bad[] = { "privaudit", "--help", "frobnicate" };
	struct cli c;

	parse_ok(&c, ARGC(help), help);
	cr_expect_eq(c.command, CMD_HELP);
	parse_ok(&c, ARGC(version), version);
	cr_expect_eq(c.command, CMD_VERSION);
	parse_ok(&c, ARGC(help_after), help_after);
	cr_expect_eq(c.command, CMD_HELP, "--help wins wherever it is");
	parse_ok(&c, ARGC(help_bad), help_bad);
	cr_expect_eq(c.command, CMD_HELP);
}

Test(cli, unknown_option_is_a_usage_error)
{
	const char *lng[] = { "privaudit", "audit", "--frobnicate" };
	const char *shrt[] = { "privaudit", "audit", "-x" };

	parse_fails(ARGC(lng), lng, "unknown option \"--frobnicate\"");
	parse_fails(ARGC(shrt), shrt, "unknown option \"-x\"");
}

Test(cli, long_options_must_be_spelt_in_full)
{
	/* a prefix would take "--pass SECRET" as --password-file with the secret in argv */
	const char *pass[] = { "privaudit", "audit", "-H", "ldap://dc1", "--pass", "Winter2025" };
	const char *password[] = { "privaudit", "audit", "--password", "Winter2025" };
	const char *eq[] = { "privaudit", "audit", "--lda=x.ldif" };

	parse_fails(ARGC(pass), pass, "unknown option \"--pass\"");
	parse_fails(ARGC(password), password, "unknown option \"--password\"");
	parse_fails(ARGC(eq), eq, "unknown option \"--lda\"");
}

Test(cli, cleartext_bind_and_range_size)
{
	const char *argv[] = { "privaudit", "audit", "-H", "ldap://dc1", "--allow-cleartext-bind",
			       "--range-size", "1500" };
	const char *bad[] = { "privaudit", "audit", "--range-size", "0" };
	struct cli c;

	parse_ok(&c, ARGC(argv), argv);
	cr_expect(c.allow_cleartext_bind);
	cr_expect_eq(c.range_size, 1500);
	parse_fails(ARGC(bad), bad, "--range-size: expected a positive number, not \"0\"");
}

Test(cli, connections)
{
	const char *dflt[] = { "privaudit", "audit", "-H", "ldaps://dc1" };
	const char *one[] = { "privaudit", "audit", "-H", "ldaps://dc1", "--connections", "1" };
	const char *most[] = { "privaudit", "audit", "--connections", "16" };
	const char *zero[] = { "privaudit", "audit", "--connections", "0" };
	const char *over[] = { "privaudit", "audit", "--connections", "17" };
	const char *word[] = { "privaudit", "audit", "--connections", "two" };
	struct cli c;

	parse_ok(&c, ARGC(dflt), dflt);
	cr_expect_eq(c.connections, 0, "no --connections: the source's default");
	parse_ok(&c, ARGC(one), one);
	cr_expect_eq(c.connections, 1);
	parse_ok(&c, ARGC(most), most);
	cr_expect_eq(c.connections, 16);
	parse_fails(ARGC(zero), zero, "--connections: expected a number from 1 to 16, not \"0\"");
	parse_fails(ARGC(over), over, "--connections: expected a number from 1 to 16, not \"17\"");
	parse_fails(ARGC(word), word, "--connections: expected a number from 1 to 16, not \"two\"");
}

Test(cli, unknown_option_inside_a_cluster_is_named)
{
	const char *argv[] = { "privaudit", "audit", "-xq" };

	/* the message must name the bad option, not another argument */
	parse_fails(ARGC(argv), argv, "unknown option \"-x\"");
}

Test(cli, missing_value_is_a_usage_error)
{
	const char *json[] = { "privaudit", "audit", "--json" };
	const char *pol[] = { "privaudit", "audit", "-p" };
	const char *ldif[] = { "privaudit", "audit", "--ldif" };

	parse_fails(ARGC(json), json, "option \"--json\" needs a value");
	parse_fails(ARGC(pol), pol, "option \"-p\" needs a value");
	parse_fails(ARGC(ldif), ldif, "option \"--ldif\" needs a value");
}

Test(cli, bad_numbers_are_usage_errors)
{
	const char *zero[] = { "privaudit", "audit", "--page-size", "0" };
	const char *text[] = { "privaudit", "audit", "--page-size", "ten" };
	const char *neg[] = { "privaudit", "audit", "--timeout", "-5" };
	const char *trail[] = { "privaudit", "audit", "--timeout", "5s" };

	parse_fails(ARGC(zero), zero, "--page-size: expected a positive number, not \"0\"");
	parse_fails(ARGC(text), text, "--page-size: expected a positive number, not \"ten\"");
	parse_fails(ARGC(neg), neg,
		    "--timeout: expected a positive number of seconds, not \"-5\"");
	parse_fails(ARGC(trail), trail,
		    "--timeout: expected a positive number of seconds, not \"5s\"");
}

Test(cli, commands_and_arguments)
{
	const char *none[] = { "privaudit" };
	const char *only_opts[] = { "privaudit", "-q" };
	const char *unknown[] = { "privaudit", "scan" };
	const char *many[] = { "privaudit", "diff", "a", "b", "c", "d", "e" };

	parse_fails(ARGC(none), none, "no command given");
	parse_fails(ARGC(only_opts), only_opts, "no command given");
	parse_fails(ARGC(unknown), unknown, "unknown command \"scan\"");
	parse_fails(ARGC(many), many, "too many arguments");
}

Test(cli, too_many_dcs)
{
	const char *argv[2 + 2 * 17];
	struct cli c;
	struct error err = ERROR_INIT;

	argv[0] = "privaudit";
	argv[1] = "audit";
	for (int i = 0; i < 17; i++) {
		argv[2 + 2 * i] = "--dc";
		argv[3 + 2 * i] = "dc";
	}
	cr_expect_eq(parse(&c, 2 + 2 * 16, argv, &err), 0, "16 are allowed: %s", err.msg);
	cr_expect_eq(c.ndcs, 16);
	cr_expect_eq(parse(&c, ARGC(argv), argv, &err), -1);
	cr_expect_str_eq(err.msg, "too many --dc options");
}

Test(cli, parses_twice_in_one_process)
{
	/* the first parse stops inside the cluster "-xq" */
	const char *first[] = { "privaudit", "-xq", "audit" };
	const char *second[] = { "privaudit", "audit" };
	struct cli c;
	struct error err = ERROR_INIT;

	cr_expect_eq(parse(&c, ARGC(first), first, &err), -1);
	parse_ok(&c, ARGC(second), second);
	cr_expect_eq(c.command, CMD_AUDIT);
	cr_expect_not(c.quiet, "an option of the previous argv leaked into this parse");
}

Test(cli, usage_lists_every_option_and_exit_code)
{
	static const char *const words[] = {
		"--uri URI", "-H", "--ldif FILE", "--base DN", "--bind-dn NAME",
		"--password-file FILE", "--sasl-mech MECH", "--keytab FILE", "--principal NAME",
		"--starttls", "--ca-file FILE", "--insecure-tls", "--allow-cleartext-bind",
		"--range-size N", "--connections N", "--dc HOST", "--all-dcs",
		"--page-size N", "--timeout SECONDS", "--policy FILE", "--now TIME",
		"--json FILE", "--xlsx FILE", "--baseline FILE", "--output FILE", "--quiet",
		"--verbose", "--help", "--version",
		"privaudit audit", "privaudit collect", "privaudit diff", "privaudit checks",
		"policy check FILE", "policy defaults",
		"  0  ", "  1  ", "  2  ", "  3  ", "  4  ",
	};
	char *text = capture(cli_usage);
	char *syn = capture(cli_synopsis);

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		cr_expect(strstr(text, words[i]) != NULL, "--help lacks \"%s\"", words[i]);
	cr_expect_eq(strncmp(text, syn, strlen(syn)), 0, "--help starts with the synopsis");
	cr_expect_eq(strncmp(syn, "usage: privaudit", 16), 0);
	free(text);
	free(syn);
}
