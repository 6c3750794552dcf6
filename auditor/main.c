/*
 * privaudit: parse, load the policy, collect, resolve, run the checks,
 * write the reports, exit with the gate's code.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../checks/registry.h"
#include "../reports/junit.h"
#include "../reports/report.h"
#include "../reports/xlsx.h"
#include "arena.h"
#include "baseline.h"
#include "cli.h"
#include "diff.h"
#include "dir.h"
#include "engine.h"
#include "error.h"
#include "evidence.h"
#include "exitcode.h"
#include "i18n.h"
#include "ldapsrc.h"
#include "ldif.h"
#include "outfile.h"
#include "policy.h"
#include "sbuf.h"
#include "thread.h"
#include "timeutil.h"

static int fail(const struct error *err)
{
	fprintf(stderr, "privaudit: %s\n", err->msg);
	return err->code ? err->code : EXIT_INPUT;
}

static int finish_stdout(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "privaudit: cannot write to standard output: %s\n", strerror(errno));
		return code ? code : EXIT_REPORT;
	}
	return code;
}

static int cmd_policy_check(const struct cli *c)
{
	struct policy p;
	struct error err = ERROR_INIT;
	int ret;

	if (c->nargs != 1) {
		fprintf(stderr, "privaudit: policy check: expected one FILE\n");
		return EXIT_INPUT;
	}
	policy_init(&p);
	ret = policy_load(&p, c->args[0], &err);
	policy_release(&p);
	if (ret < 0)
		return fail(&err);
	if (!c->quiet)
		printf("%s: ok\n", c->args[0]);
	return EXIT_PASS;
}

static int cmd_policy_defaults(void)
{
	char *text = policy_defaults_json();

	fputs(text, stdout);
	free(text);
	return EXIT_PASS;
}

/*
 * `privaudit checks ID...`: what one check detects, its parameters with
 * their defaults, why it matters and how to fix it, in the user's language
 * (the ids, parameter names and references are not translated).
 */
static void check_describe(FILE *out, const struct check *k)
{
	fprintf(out, "%s  %s\n", k->id, _(k->title));
	fprintf(out, _("  severity    %s\n"), severity_name(k->severity));
	for (const struct check_param *p = k->params; p && p->name; p++) {
		fprintf(out, _("  parameter   %s = "), p->name);
		if (p->type == PARAM_INT) {
			fprintf(out, "%lld", p->def);
		} else if (p->type == PARAM_STRINGS) {
			for (const char *const *v = p->def_strings; v && *v; v++)
				fprintf(out, "%s%s", v == p->def_strings ? "" : ", ", *v);
		} else {
			for (const struct param_map_entry *e = p->def_map; e && e->key; e++)
				fprintf(out, "%s%s: %lld", e == p->def_map ? "" : ", ", e->key,
					e->value);
		}
		fputc('\n', out);
	}
	for (const char *const *sup = k->supersedes; sup && *sup; sup++)
		fprintf(out, _("  supersedes  %s\n"), *sup);
	fprintf(out, _("  why         %s\n"), _(k->rationale));
	fprintf(out, _("  fix         %s\n"), _(k->remediation));
	if (k->references)
		fprintf(out, _("  references  %s\n"), k->references);
}

static int cmd_checks(const struct cli *c)
{
	struct error err = ERROR_INIT;

	if (c->nargs && !c->json_catalogue) {
		for (size_t i = 0; i < c->nargs; i++) {
			if (!registry_find(c->args[i], NULL)) {
				fprintf(stderr, _("privaudit: checks: unknown check id \"%s\"\n"),
					c->args[i]);
				return EXIT_INPUT;
			}
		}
		for (size_t i = 0; i < c->nargs; i++) {
			if (i)
				fputc('\n', stdout);
			check_describe(stdout, registry_find(c->args[i], NULL));
		}
		return EXIT_PASS;
	}
	if (c->nargs) {
		fprintf(stderr, "privaudit: checks: --json lists the whole catalogue, not \"%s\"\n",
			c->args[0]);
		return EXIT_INPUT;
	}
	if (report_catalogue(stdout, c->json_catalogue, &err) < 0)
		return fail(&err);
	return EXIT_PASS;
}

static void ldap_options_from(const struct cli *c, struct ldap_options *o, const char **extra,
			      size_t nextra)
{
	memset(o, 0, sizeof(*o));
	o->uri = c->uri;
	o->base = c->base;
	o->bind_dn = c->bind_dn;
	o->password_file = c->password_file;
	o->sasl_mech = c->sasl_mech;
	o->keytab = c->keytab;
	o->principal = c->principal;
	o->ca_file = c->ca_file;
	o->starttls = c->starttls;
	o->insecure_tls = c->insecure_tls;
	o->allow_cleartext_bind = c->allow_cleartext_bind;
	o->dcs = c->dcs;
	o->ndcs = c->ndcs;
	o->all_dcs = c->all_dcs;
	o->page_size = c->page_size;
	o->timeout = c->timeout;
	o->range_size = c->range_size;
	o->connections = c->connections;
	o->progress = c->verbose || (isatty(STDERR_FILENO) && !c->quiet);
	o->extra_attrs = extra;
	o->nextra = nextra;
	if (c->insecure_tls)
		fprintf(stderr, "privaudit: warning: --insecure-tls: the server certificate is "
				"not verified\n");
}

static int load_source(const struct cli *c, struct dir *d, const char **extra, size_t nextra,
		       struct ldap_info *info, struct error *err)
{
	struct ldap_options o;

	if (c->ldif)
		return ldif_load(d, c->ldif, err);
	ldap_options_from(c, &o, extra, nextra);
	if (ldapsrc_read(&o, dir_add_cb, d, info, err) < 0)
		return -1;
	for (size_t i = 0; i < info->nsources && i < 8; i++)
		d->last_logon_sources[d->nlast_logon_sources++] = info->sources[i];
	return 0;
}

static double seconds_since(struct timespec *t0)
{
	struct timespec t1;
	double d;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	d = (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
	*t0 = t1;
	return d;
}

static bool want_color(void)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && !(nc && *nc);
}

struct release_job {
	struct audit *a;
	struct dir *d;
};

static void *release_audit(void *arg)
{
	struct release_job *job = arg;

	audit_release(job->a);
	dir_release(job->d);
	return NULL;
}

/* The console summary (and the baseline's) to fp. */
static void summary(FILE *fp, const struct cli *c, const struct audit *a,
		    const struct report_meta *meta, const struct baseline *bl)
{
	report_console(fp, a, meta, want_color(), c->verbose);
	if (c->baseline)
		baseline_console(fp, bl, want_color());
}

/*
 * The reports are written: rename them into place and, once they are, show
 * the summary. Renaming over a large report waits while the file system
 * frees the old one (0.1 s at a million accounts), and giving back the
 * audit's memory takes as long: a second thread releases the audit and its
 * directory meanwhile (*released set), the summary rendered before. The
 * exit code, or that of an error.
 */
static int finish(const struct cli *c, struct audit *a, struct dir *d,
		  const struct report_meta *meta, const struct baseline *bl, int code,
		  bool *released)
{
	struct release_job job = { a, d };
	struct error err = ERROR_INIT;
	char *text = NULL;
	size_t len = 0;
	pthread_t tid;

	if (!c->quiet && !(c->json && strcmp(c->json, "-") == 0) &&
	    !(c->junit && strcmp(c->junit, "-") == 0)) {
		FILE *m = open_memstream(&text, &len);

		if (m) {
			summary(m, c, a, meta, bl);
			if (fclose(m) != 0) {
				free(text);
				text = NULL;
			}
		}
		if (!text) {
			/* no memory for it: show it after the renaming, as it is */
			if (outfile_finish(&err) < 0)
				return fail(&err);
			summary(stdout, c, a, meta, bl);
			return code;
		}
	}
	*released = thread_start(&tid, release_audit, &job);
	if (outfile_finish(&err) < 0)
		code = fail(&err);
	else if (text)
		fwrite(text, 1, len, stdout);
	free(text);
	if (*released)
		pthread_join(tid, NULL);
	return code;
}

static int cmd_audit(const struct cli *c)
{
	struct policy p;
	struct dir d;
	struct audit a;
	struct error err = ERROR_INIT;
	struct report_meta meta = { 0 };
	const char **extra = NULL;
	size_t nextra = 0;
	int64_t now = (int64_t)time(NULL);
	struct ldap_info info;
	struct timespec t0;
	struct evidence_stats ev;
	double t_read, t_resolve, t_checks;
	struct baseline bl;
	size_t nentries = 0;
	struct sbuf slow = SBUF_INIT;
	bool released = false;
	int code;

	if (c->nargs)
		return error_set(&err, EXIT_INPUT, "audit: unexpected argument \"%s\"", c->args[0]),
		       fail(&err);
	if (c->now && time_from_iso8601(c->now, &now, NULL) < 0) {
		error_set(&err, EXIT_INPUT, "--now: bad time \"%s\" (expected ISO 8601)", c->now);
		return fail(&err);
	}
	if (c->xlsx && strcmp(c->xlsx, "-") == 0) {
		error_set(&err, EXIT_INPUT, "--xlsx -: a workbook cannot be written to standard output");
		return fail(&err);
	}
	if (c->json && c->junit && strcmp(c->json, "-") == 0 && strcmp(c->junit, "-") == 0) {
		error_set(&err, EXIT_INPUT, "--json - and --junit -: only one report can go to "
					    "standard output");
		return fail(&err);
	}
	policy_init(&p);
	if (c->policy && policy_load(&p, c->policy, &err) < 0) {
		policy_release(&p);
		return fail(&err);
	}
	if (c->fail_on >= 0)
		p.fail_on = (enum severity)c->fail_on;
	/*
	 * a bad baseline is an input error, and a workbook that cannot be
	 * written a report error: find them before a long LDAP read
	 */
	baseline_init(&bl);
	if ((c->baseline && baseline_load(&bl, c->baseline, &err) < 0) ||
	    (c->xlsx && report_xlsx_load(&err) < 0)) {
		baseline_release(&bl);
		policy_release(&p);
		return fail(&err);
	}
	extra = policy_extra_attributes(&p, &nextra);
	dir_init(&d, extra, nextra);
	memset(&info, 0, sizeof(info));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	code = load_source(c, &d, extra, nextra, &info, &err);
	free(extra);
	if (code < 0) {
		code = fail(&err);
		goto out_dir;
	}
	t_read = seconds_since(&t0);
	if (c->verbose && !c->ldif)
		fprintf(stderr, "privaudit: read %s over %zu connection%s\n", info.uri,
			info.connections, info.connections == 1 ? "" : "s");
	dir_resolve(&d, &p, now);
	/* after resolve: classification resets the MFA sources the CSV adds to */
	if (evidence_load_stats(&d, &p, now, &ev, &err) < 0) {
		code = fail(&err);
		goto out_dir;
	}
	if (c->verbose) {
		struct sbuf sb = SBUF_INIT;

		evidence_stats_describe(&ev, &sb);
		fputs(sb.buf, stderr);
		sbuf_release(&sb);
	}
	t_resolve = seconds_since(&t0);
	audit_init(&a, &d, &p, now);
	audit_run(&a);
	t_checks = seconds_since(&t0);
	/* what -v tells at the end, kept: the audit may be gone by then */
	nentries = d.nentries;
	for (size_t i = 0; c->verbose && i < registry_count(); i++)
		if (a.states[i].seconds >= 0.05)
			sbuf_addf(&slow, "privaudit: check %s took %.2f s\n", registry_get(i)->id,
				  a.states[i].seconds);
	if (c->baseline && baseline_apply(&bl, &a, d.domain_sid, c->force, &err) < 0) {
		code = fail(&err);
		goto out_audit;
	}

	meta.source_kind = c->ldif ? "ldif" : "ldap";
	meta.uri = c->ldif ? c->ldif : info.uri;
	meta.base_dn = c->ldif ? c->base : info.base;
	meta.generated_at = (int64_t)time(NULL);
	meta.evaluated_at = now;
	meta.tool_version = PRIVAUDIT_VERSION;
	meta.resolved = c->baseline ? bl.resolved : NULL;
	code = audit_exit_code(&a);
	/* all reports or none: each is renamed into place only when all were written */
	outfile_defer();
	if ((c->json && report_json_write(&a, &meta, c->json, &err) < 0) ||
	    (c->xlsx && report_xlsx_write(&a, &meta, c->xlsx, &err) < 0) ||
	    (c->junit && report_junit_write(&a, c->junit, &err) < 0)) {
		outfile_discard();
		code = fail(&err);
	} else {
		code = finish(c, &a, &d, &meta, &bl, code, &released);
	}
	if (c->verbose) {
		fprintf(stderr, "privaudit: %zu entries: read %.2f s, resolve %.2f s, checks %.2f s, "
				"reports %.2f s\n", nentries, t_read, t_resolve, t_checks,
			seconds_since(&t0));
		fputs(slow.buf, stderr);
	}
out_audit:
	if (!released)
		audit_release(&a);
out_dir:
	if (!released)
		dir_release(&d);
	arena_reserve_release();
	sbuf_release(&slow);
	ldap_info_release(&info);
	baseline_release(&bl);
	policy_release(&p);
	return code;
}

static int cmd_diff(const struct cli *c)
{
	struct diff_options o = { 0 };
	struct error err = ERROR_INIT;
	int code;

	if (c->nargs != 2) {
		fprintf(stderr, "privaudit: diff: expected two reports, OLD.json NEW.json\n");
		return EXIT_INPUT;
	}
	if (c->ldif || c->uri || c->policy || c->baseline || c->junit) {
		fprintf(stderr, "privaudit: diff compares two reports: %s does not apply\n",
			c->ldif ? "--ldif" : c->uri ? "--uri" : c->policy ? "--policy"
			: c->baseline ? "--baseline" : "--junit");
		return EXIT_INPUT;
	}
	o.old_path = c->args[0];
	o.new_path = c->args[1];
	o.json = c->json;
	o.xlsx = c->xlsx;
	o.fail_on = c->fail_on;
	o.force = c->force;
	o.console = c->quiet ? NULL : stdout;
	o.color = want_color();
	o.verbose = c->verbose;
	o.generated_at = (int64_t)time(NULL);
	o.tool_version = PRIVAUDIT_VERSION;
	code = diff_run(&o, &err);
	if (err.code)
		return fail(&err);
	return code;
}

static int cmd_collect(const struct cli *c)
{
	struct policy p;
	struct error err = ERROR_INIT;
	struct ldap_options o;
	struct ldap_info info;
	struct outfile out;
	const char **extra;
	size_t nextra;
	int code = EXIT_PASS;

	if (!c->output) {
		fprintf(stderr, "privaudit: collect: -o FILE.ldif is required\n");
		return EXIT_INPUT;
	}
	if (c->ldif) {
		fprintf(stderr, "privaudit: collect reads a live directory: give -H URI, not --ldif\n");
		return EXIT_INPUT;
	}
	policy_init(&p);
	if (c->policy && policy_load(&p, c->policy, &err) < 0) {
		policy_release(&p);
		return fail(&err);
	}
	extra = policy_extra_attributes(&p, &nextra);
	ldap_options_from(c, &o, extra, nextra);
	memset(&info, 0, sizeof(info));
	if (outfile_open(&out, c->output, &err) < 0) {
		code = fail(&err);
		goto out;
	}
	fputs("version: 1\n\n", out.fp);
	if (ldapsrc_read(&o, ldif_write_entry, out.fp, &info, &err) < 0) {
		outfile_abort(&out);
		code = fail(&err);
		goto out;
	}
	if (outfile_commit(&out, &err) < 0) {
		code = fail(&err);
		goto out;
	}
	if (!c->quiet)
		fprintf(stderr, "privaudit: %zu entries from %s written to %s\n", info.entries,
			info.uri, c->output);
out:
	free(extra);
	ldap_info_release(&info);
	policy_release(&p);
	return code;
}

static void on_signal(int sig)
{
	outfile_cleanup_pending();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * The directory holding LANG/LC_MESSAGES/privaudit.mo: $PRIVAUDIT_LOCALEDIR,
 * else next to the binary (build/locale in the build tree, PREFIX/share/locale
 * once installed), else /usr/share/locale. Found at run time so that the
 * same binary works uninstalled, installed and relocated under DESTDIR.
 */
static void locale_dir(char *buf, size_t size)
{
	const char *env = getenv("PRIVAUDIT_LOCALEDIR");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(buf, size, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, size, "%s/locale", exe);
			if (access(buf, R_OK | X_OK) == 0)
				return;
			snprintf(buf, size, "%s/../share/locale", exe);
			if (access(buf, R_OK | X_OK) == 0)
				return;
		}
	}
	snprintf(buf, size, "/usr/share/locale");
}

/* --lang LANG or --lang=LANG, looked for before parsing so that it applies to parse errors. */
static const char *lang_option(int argc, char **argv)
{
	const char *lang = NULL;

	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
			lang = argv[++i];
		else if (strncmp(argv[i], "--lang=", 7) == 0)
			lang = argv[i] + 7;
	}
	return lang;
}

static bool is_c_locale(const char *name)
{
	return !name || strcmp(name, "C") == 0 || strcmp(name, "POSIX") == 0;
}

/*
 * Messages follow --lang, else LC_ALL / LC_MESSAGES / LANG. Only
 * LC_MESSAGES is taken from the environment; LC_CTYPE is always C.UTF-8
 * (C if absent), so that parsing, case folding and number formatting, and
 * hence the JSON report, are the same in every language and legacy
 * charset (a Latin-1 isalpha() would fold other bytes). gettext ignores
 * LANGUAGE under the C locale, and a Debian machine often lacks
 * ja_JP.UTF-8: then C.UTF-8 (always present) with LANGUAGE=ja finds the
 * catalogue all the same. Catalogues are UTF-8 and so is the output.
 */
static void i18n_init(const char *lang)
{
	char dir[PATH_MAX + 32];
	const char *want = lang;
	const char *msgs;

	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "C");
	msgs = setlocale(LC_MESSAGES, "");
	if (!want) {
		want = getenv("LC_ALL");
		if (!want || !*want)
			want = getenv("LC_MESSAGES");
		if (!want || !*want)
			want = getenv("LANG");
	}
	if (want && *want && !is_c_locale(want) && strncmp(want, "C.", 2) != 0) {
		char code[16];
		size_t n = strcspn(want, "_.@");

		if (n >= sizeof(code))
			n = sizeof(code) - 1;
		memcpy(code, want, n);
		code[n] = '\0';
		if (is_c_locale(msgs))
			setlocale(LC_MESSAGES, "C.UTF-8");
		/* --lang overrides LANGUAGE too; without it a LANGUAGE list is the user's */
		if (lang || !getenv("LANGUAGE") || is_c_locale(msgs))
			setenv("LANGUAGE", code, 1);
	} else if (lang) {
		/* --lang C or en: English whatever the environment says */
		setlocale(LC_MESSAGES, "C");
	}
	locale_dir(dir, sizeof(dir));
	bindtextdomain(PRIVAUDIT_TEXTDOMAIN, dir);
	bind_textdomain_codeset(PRIVAUDIT_TEXTDOMAIN, "UTF-8");
	textdomain(PRIVAUDIT_TEXTDOMAIN);
	/* gettext("") is the catalogue's header: empty when none was found */
	if (lang && strncmp(lang, "en", 2) != 0 && !is_c_locale(lang) && !*gettext(""))
		fprintf(stderr, "privaudit: warning: --lang %s: no message catalogue in %s "
				"(run `make mo`, or set PRIVAUDIT_LOCALEDIR): English output\n",
			lang, dir);
}

int main(int argc, char **argv)
{
	struct cli c;
	struct error err = ERROR_INIT;

	i18n_init(lang_option(argc, argv));

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	/* a DC that dies mid-search must be an error (exit 3), not a SIGPIPE death */
	signal(SIGPIPE, SIG_IGN);
	/* a file size limit must make a report fail (exit 4), not kill us mid-write */
	signal(SIGXFSZ, SIG_IGN);
	if (cli_parse(&c, argc, argv, &err) < 0) {
		fprintf(stderr, "privaudit: %s\n", err.msg);
		cli_synopsis(stderr);
		return EXIT_INPUT;
	}
	switch (c.command) {
	case CMD_HELP:
		cli_usage(stdout);
		return finish_stdout(EXIT_PASS);
	case CMD_VERSION:
		printf("privaudit %s\n", PRIVAUDIT_VERSION);
		return finish_stdout(EXIT_PASS);
	case CMD_CHECKS:
		return finish_stdout(cmd_checks(&c));
	case CMD_POLICY_CHECK:
		return finish_stdout(cmd_policy_check(&c));
	case CMD_POLICY_DEFAULTS:
		return finish_stdout(cmd_policy_defaults());
	case CMD_AUDIT:
		return finish_stdout(cmd_audit(&c));
	case CMD_COLLECT:
		return finish_stdout(cmd_collect(&c));
	case CMD_DIFF:
		return finish_stdout(cmd_diff(&c));
	default:
		fprintf(stderr, "privaudit: %s is not available in this version\n", argv[1]);
		return EXIT_INPUT;
	}
}
