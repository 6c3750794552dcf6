/*
 * Tests for reports/xlsx.c: workbooks from a real audit (fixture LDIF and
 * the sample directory) read back by real spreadsheet software, Debian's
 * python3-openpyxl (reports/xlsx_check.py: sheets, headers, rows equal to
 * the JSON report's findings, tables or autofilters, frozen headers, dates
 * and numbers, text that stays text) and LibreOffice headless (the
 * workbook converts, and its Findings sheet has the same rows); the row
 * limit with a small artificial limit; the atomic write.
 */
#include <criterion/criterion.h>

#include <ftw.h>
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../auditor/dir.h"
#include "../../auditor/engine.h"
#include "../../auditor/error.h"
#include "../../auditor/exitcode.h"
#include "../../auditor/policy.h"
#include "../../auditor/sbuf.h"
#include "../../auditor/timeutil.h"
#include "../../auditor/xalloc.h"
#include "../../checks/registry.h"
#include "../../reports/report.h"
#include "../../reports/xlsx.h"
#include "../fixture.h"

#define PYTHON "/usr/bin/python3"
#define CHECKER "reports/xlsx_check.py"
#define ISO_NOW "2026-01-01T00:00:00Z"
#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

static char dir[64];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void setup(void)
{
	strcpy(dir, "/tmp/privaudit-xlsx-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	chmod(dir, 0700);
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *in_dir(const char *name)
{
	static char buf[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static int count_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct sbuf sb = SBUF_INIT;
	char buf[4096];
	size_t n;

	if (!fp)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sbuf_add(&sb, buf, n);
	fclose(fp);
	return sbuf_detach(&sb);
}

/* Append s as one shell word. */
static void add_quoted(struct sbuf *cmd, const char *s)
{
	sbuf_addch(cmd, ' ');
	sbuf_addch(cmd, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sbuf_adds(cmd, "'\\''");
		else
			sbuf_addch(cmd, *s);
	}
	sbuf_addch(cmd, '\'');
}

/* Run cmd; its exit status, with its output (stderr too) in *out. */
static int run(const char *cmd, char **out)
{
	struct sbuf full = SBUF_INIT, sb = SBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *p;
	int st;

	sbuf_addf(&full, "%s 2>&1", cmd);
	p = popen(full.buf, "r");
	cr_assert_not_null(p, "cannot run %s", cmd);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		sbuf_add(&sb, buf, n);
	st = pclose(p);
	sbuf_release(&full);
	*out = sbuf_detach(&sb);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* xlsx_check.py FILE ARGS... (NULL-terminated) must report nothing. */
static void check_workbook(const char *file, ...)
{
	struct sbuf cmd = SBUF_INIT;
	const char *arg;
	char *out;
	va_list ap;
	int rc;

	sbuf_addf(&cmd, "%s %s", PYTHON, CHECKER);
	add_quoted(&cmd, file);
	va_start(ap, file);
	while ((arg = va_arg(ap, const char *)))
		add_quoted(&cmd, arg);
	va_end(ap);
	rc = run(cmd.buf, &out);
	cr_assert_eq(rc, 0, "%s\n%s", cmd.buf, out);
	free(out);
	sbuf_release(&cmd);
}

static struct report_meta meta_for(const struct fixture *fx)
{
	struct report_meta m = { 0 };

	m.source_kind = "ldif";
	m.uri = "fixture.ldif";
	m.generated_at = NOW + 60;
	m.evaluated_at = fx->now;
	m.tool_version = "9.9.9-test";
	return m;
}

static void write_both(const struct audit *a, const struct report_meta *m, const char *xlsx,
		       const char *json, const struct xlsx_limits *lim)
{
	struct error err = ERROR_INIT;

	cr_assert_eq(report_xlsx_write_limits(a, m, xlsx, lim, &err), 0, "%s", err.msg);
	cr_assert_eq(report_json_write(a, m, json, &err), 0, "%s", err.msg);
}

static char *num(size_t n)
{
	static char buf[8][32];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%zu", n);
	return buf[k];
}

/* A small real audit: Japanese names, formula-like text, invalid UTF-8, waivers */

static struct fixture *run_fixture(void)
{
	struct sbuf sb = SBUF_INIT;
	struct fixture *fx;

	sbuf_adds(&sb, fixture_domain_ldif);
	sbuf_adds(&sb,
		  "dn: CN=VPN-Users,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: group\nsAMAccountName: VPN-Users\nobjectSid: S-1-5-21-1-2-3-3000\n"
		  "member: CN=carol,CN=Users,DC=corp,DC=example,DC=test\n"
		  "member: CN=latin,CN=Users,DC=corp,DC=example,DC=test\n"
		  "member: CN=adm-alice,CN=Users,DC=corp,DC=example,DC=test\n"
		  /* CN=山田 太郎,CN=Users,DC=corp,DC=example,DC=test */
		  "member:: Q0495bGx55SwIOWkqumDjixDTj1Vc2VycyxEQz1jb3JwLERDPWV4YW1wbGUsREM9dGVzdA==\n\n");
	sbuf_addf(&sb,
		  "dn: CN=adm-alice,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName: adm-alice\nobjectSid: S-1-5-21-1-2-3-1100\n"
		  "userAccountControl: 66048\npwdLastSet: %s\nlastLogonTimestamp: %s\n"
		  "whenCreated: 20200101000000.0Z\nprimaryGroupID: 512\nadminCount: 1\n"
		  "servicePrincipalName: http/adm\n\n",
		  fixture_filetime_days_ago(ISO_NOW, 400), fixture_filetime_days_ago(ISO_NOW, 1));
	sbuf_addf(&sb,
		  "dn: CN=carol,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName: carol\nobjectSid: S-1-5-21-1-2-3-1101\n"
		  "userAccountControl: 512\npwdLastSet: %s\nlastLogonTimestamp: %s\n"
		  "whenCreated: 20200101000000.0Z\nprimaryGroupID: 513\n\n",
		  fixture_filetime_days_ago(ISO_NOW, 400), fixture_filetime_days_ago(ISO_NOW, 100));
	/* a Latin-1 sAMAccountName ("car\xe9ol"): not UTF-8 */
	sbuf_addf(&sb,
		  "dn: CN=latin,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName:: Y2Fy6W9s\nobjectSid: S-1-5-21-1-2-3-1102\n"
		  "userAccountControl: 66048\npwdLastSet: %s\n"
		  "whenCreated: 20200101000000.0Z\nprimaryGroupID: 513\n\n",
		  fixture_filetime_days_ago(ISO_NOW, 500));
	/* 山田太郎, with 初期パスワード：Sakura#2026 in the description */
	sbuf_addf(&sb,
		  "dn:: Q0495bGx55SwIOWkqumDjixDTj1Vc2VycyxEQz1jb3JwLERDPWV4YW1wbGUsREM9dGVzdA==\n"
		  "objectClass: user\nsAMAccountName:: 5bGx55Sw5aSq6YOO\n"
		  "objectSid: S-1-5-21-1-2-3-1103\n"
		  "userAccountControl: 512\npwdLastSet: %s\nlastLogonTimestamp: %s\n"
		  "whenCreated: 20200101000000.0Z\nprimaryGroupID: 513\n"
		  "description:: 5Yid5pyf44OR44K544Ov44O844OJ77yaU2FrdXJhIzIwMjY=\n\n",
		  fixture_filetime_days_ago(ISO_NOW, 20), fixture_filetime_days_ago(ISO_NOW, 3));
	/* names a spreadsheet would take for formulas */
	sbuf_addf(&sb,
		  "dn: CN=eq,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName: =1+2\nobjectSid: S-1-5-21-1-2-3-1104\n"
		  "userAccountControl: 66048\npwdLastSet: %s\n"
		  "whenCreated: 20200101000000.0Z\nprimaryGroupID: 513\n\n"
		  "dn: CN=at,CN=Users,DC=corp,DC=example,DC=test\n"
		  "objectClass: user\nsAMAccountName: @SUM(A1)\nobjectSid: S-1-5-21-1-2-3-1105\n"
		  "userAccountControl: 66048\npwdLastSet: %s\n"
		  "whenCreated: 20200101000000.0Z\nprimaryGroupID: 513\n\n",
		  fixture_filetime_days_ago(ISO_NOW, 500), fixture_filetime_days_ago(ISO_NOW, 500));
	fx = fixture_run(sb.buf,
			 "{\"version\": 1, \"vpn\": {\"groups\": [\"VPN-Users\"]},"
			 " \"incident\": {\"password_reset_after\": \"2025-10-04\"},"
			 " \"waivers\": ["
			 "  {\"check\": \"pwd.never-expires\", \"account\": \"=1+2\","
			 "   \"reason\": \"appliance\", \"owner\": \"it-ops\", \"expires\": \"2026-06-30\"},"
			 "  {\"check\": \"pwd.old\", \"account\": \"carol\","
			 "   \"reason\": \"old exception\", \"owner\": \"it-ops\", \"expires\": \"2025-12-31\"}]}",
			 ISO_NOW);
	sbuf_release(&sb);
	return fx;
}

TestSuite(xlsx, .init = setup, .fini = teardown, .timeout = 120);

Test(xlsx, fixture_workbook_reads_back_in_openpyxl)
{
	struct fixture *fx = run_fixture();
	struct report_meta m = meta_for(fx);
	struct stat st;

	cr_assert_gt(fx->audit.nfindings, 8);
	write_both(&fx->audit, &m, in_dir("r.xlsx"), in_dir("r.json"), NULL);
	cr_assert_eq(stat(in_dir("r.xlsx"), &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	check_workbook(in_dir("r.xlsx"), "--findings", num(fx->audit.nfindings),
		       "--json", in_dir("r.json"), "--mode", "table", "--expect-dates", "--readiness",
		       "--string-cell", "=1+2", "--string-cell", "@SUM(A1)",
		       "--contains", "山田太郎", "--contains", "CN=山田 太郎,CN=Users",
		       "--contains", "car\xef\xbf\xbdol", NULL);
	/* the temporary file was renamed, nothing else left */
	cr_expect_eq(count_entries(), 2);
	fixture_free(fx);
}

/* The checker is not vacuous: a wrong expectation fails it */
Test(xlsx, checker_rejects_a_wrong_findings_count)
{
	struct fixture *fx = run_fixture();
	struct report_meta m = meta_for(fx);
	struct sbuf cmd = SBUF_INIT;
	char *out;

	write_both(&fx->audit, &m, in_dir("r.xlsx"), in_dir("r.json"), NULL);
	sbuf_addf(&cmd, "%s %s", PYTHON, CHECKER);
	add_quoted(&cmd, in_dir("r.xlsx"));
	sbuf_addf(&cmd, " --findings %zu --mode autofilter --string-cell absent-text",
		  fx->audit.nfindings + 1);
	cr_assert_eq(run(cmd.buf, &out), 1, "%s", out);
	cr_expect_not_null(strstr(out, "rows, expected"), "%s", out);
	cr_expect_not_null(strstr(out, "unexpected tables in autofilter mode"), "%s", out);
	cr_expect_not_null(strstr(out, "no cell holds exactly 'absent-text'"), "%s", out);
	free(out);
	sbuf_release(&cmd);
	fixture_free(fx);
}

Test(xlsx, constant_memory_mode_uses_autofilters)
{
	struct fixture *fx = run_fixture();
	struct report_meta m = meta_for(fx);
	struct xlsx_limits lim = { .table_max_rows = 1 };

	write_both(&fx->audit, &m, in_dir("r.xlsx"), in_dir("r.json"), &lim);
	check_workbook(in_dir("r.xlsx"), "--findings", num(fx->audit.nfindings),
		       "--json", in_dir("r.json"), "--mode", "autofilter", "--expect-dates",
		       "--string-cell", "=1+2", "--contains", "山田太郎", NULL);
	fixture_free(fx);
}

/* The sample directory with the sample policy, as `make demo` audits it */
static struct fixture *run_sample(void)
{
	char *ldif = slurp("../etc/sample-directory.ldif");
	char *policy = slurp("../etc/policy.json");
	struct fixture *fx;

	cr_assert_not_null(ldif);
	cr_assert_not_null(policy);
	fx = fixture_run(ldif, policy, "2026-01-15T00:00:00Z");
	free(ldif);
	free(policy);
	return fx;
}

Test(xlsx, sample_workbook_matches_the_json_report)
{
	struct fixture *fx = run_sample();
	struct report_meta m = meta_for(fx);

	cr_assert_gt(fx->audit.nfindings, 0);
	write_both(&fx->audit, &m, in_dir("sample.xlsx"), in_dir("sample.json"), NULL);
	check_workbook(in_dir("sample.xlsx"), "--findings", num(fx->audit.nfindings),
		       "--json", in_dir("sample.json"), "--expect-dates", "--readiness",
		       "--contains", "NO-GO", NULL);
	fixture_free(fx);
}

/* LibreOffice: every sheet to CSV; the Findings sheet has the audit's rows */
static void libreoffice_reads(const char *xlsx, const char *base, size_t nfindings)
{
	struct sbuf cmd = SBUF_INIT, csv = SBUF_INIT;
	char *out;
	int rc;

	if (access("/usr/bin/soffice", X_OK) != 0)
		cr_skip("LibreOffice (soffice) is not installed: run tools/install-deps-xlsx");
	/* a private profile: tests may run in parallel, HOME may be read-only */
	sbuf_addf(&cmd, "HOME=%s /usr/bin/soffice -env:UserInstallation=file://%s/lo-profile "
			"--headless --norestore --convert-to", dir, dir);
	/* token 12 = -1: every sheet, one file each (LibreOffice 7.2 and later) */
	add_quoted(&cmd, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1");
	sbuf_addf(&cmd, " --outdir %s", dir);
	add_quoted(&cmd, xlsx);
	rc = run(cmd.buf, &out);
	cr_assert_eq(rc, 0, "%s\n%s", cmd.buf, out);
	free(out);
	sbuf_addf(&csv, "%s/%s-Summary.csv", dir, base);
	out = slurp(csv.buf);
	cr_assert_not_null(out, "LibreOffice wrote no %s", csv.buf);
	cr_expect_not_null(strstr(out, "Verdict"), "%s", out);
	free(out);
	sbuf_reset(&csv);
	sbuf_addf(&csv, "%s/%s-Findings.csv", dir, base);
	sbuf_reset(&cmd);
	sbuf_addf(&cmd, "%s -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], "
			"encoding=\"utf-8\"))) - 1)'", PYTHON);
	add_quoted(&cmd, csv.buf);
	rc = run(cmd.buf, &out);
	cr_assert_eq(rc, 0, "%s", out);
	cr_expect_eq(strtoul(out, NULL, 10), nfindings, "LibreOffice read %s findings rows", out);
	free(out);
	sbuf_release(&csv);
	sbuf_release(&cmd);
}

Test(xlsx, libreoffice_converts_the_fixture_workbook)
{
	struct fixture *fx = run_fixture();
	struct report_meta m = meta_for(fx);

	write_both(&fx->audit, &m, in_dir("lo.xlsx"), in_dir("lo.json"), NULL);
	libreoffice_reads(in_dir("lo.xlsx"), "lo", fx->audit.nfindings);
	fixture_free(fx);
}

Test(xlsx, libreoffice_converts_a_constant_memory_workbook)
{
	struct fixture *fx = run_sample();
	struct report_meta m = meta_for(fx);
	struct xlsx_limits lim = { .table_max_rows = 1 };

	write_both(&fx->audit, &m, in_dir("cm.xlsx"), in_dir("cm.json"), &lim);
	libreoffice_reads(in_dir("cm.xlsx"), "cm", fx->audit.nfindings);
	fixture_free(fx);
}

/* A baseline: the Change column and the Changes sheet */

Test(xlsx, baseline_adds_change_column_and_changes_sheet)
{
	struct fixture *fx = run_fixture();
	struct report_meta m = meta_for(fx);
	json_t *resolved = json_pack("[{s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:s},"
				     " {s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:s}]",
				     "check", "pwd.old", "severity", "medium",
				     "subject", "kind", "user", "sam", "gone", "dn", "CN=gone,DC=x",
				     "message", "=cmd|' /C calc'!A0", "key", "pwd.old|S-1-5-21-1-2-3-9",
				     "check", "vpn.no-mfa", "severity", "critical",
				     "subject", "kind", "user", "sam", "佐藤", "dn", "CN=佐藤,DC=x",
				     "message", "no MFA", "key", "vpn.no-mfa|S-1-5-21-1-2-3-8");

	for (size_t i = 0; i < fx->audit.nfindings; i++)
		fx->audit.findings[i]->change = i % 3 ? CHANGE_PERSISTING : CHANGE_NEW;
	m.resolved = resolved;
	write_both(&fx->audit, &m, in_dir("r.xlsx"), in_dir("r.json"), NULL);
	check_workbook(in_dir("r.xlsx"), "--findings", num(fx->audit.nfindings),
		       "--json", in_dir("r.json"), "--changes", "--resolved", "2",
		       "--contains", "persisting", "--contains", "佐藤",
		       "--string-cell", "=cmd|' /C calc'!A0", NULL);
	json_decref(resolved);
	fixture_free(fx);
}

/* A synthetic audit of n findings over every check, no accounts */

struct synth {
	struct dir d;
	struct policy p;
	struct audit a;
};

static struct synth *synth_new(size_t n)
{
	struct synth *s = xcalloc(1, sizeof(*s));
	size_t nchecks = registry_count();

	s->d.domain.h.kind = OBJ_DOMAIN;
	s->d.domain.h.dn = "DC=corp,DC=example,DC=test";
	s->d.domain.dns = "corp.example.test";
	s->d.domain_sid = "S-1-5-21-1-2-3";
	policy_init(&s->p);
	s->a.dir = &s->d;
	s->a.policy = &s->p;
	s->a.now = NOW;
	s->a.states = xcalloc(nchecks, sizeof(*s->a.states));
	s->a.findings = xcalloc(n ? n : 1, sizeof(*s->a.findings));
	s->a.summary.fail_on = SEV_HIGH;
	for (size_t i = 0; i < n; i++) {
		/* freed as its finding, the first member */
		struct {
			struct finding f;
			struct finding_subject s;
		} *fs = xcalloc(1, sizeof(*fs));
		struct finding *f = &fs->f;
		struct sbuf sb = SBUF_INIT;
		size_t c = i % nchecks;

		f->check = registry_get(c);
		f->check_index = c;
		f->severity = f->check->severity;
		fs->s.kind = "user";
		sbuf_addf(&sb, "user%06zu", i);
		f->detail = sbuf_detach(&sb);
		fs->s.sam = f->detail;
		f->subject = &fs->s;
		f->message = xstrdup("synthetic finding");
		finding_ev_int(f, "index", (long long)i);
		s->a.findings[s->a.nfindings++] = f;
		s->a.states[c].status = STATUS_FAIL;
		s->a.states[c].findings++;
		s->a.states[c].unwaived++;
		s->a.summary.by_severity[f->severity]++;
	}
	return s;
}

static void synth_free(struct synth *s)
{
	for (size_t i = 0; i < s->a.nfindings; i++) {
		struct finding *f = s->a.findings[i];

		free(f->detail);
		free(f->message);
		finding_evidence_release(f);
		free(f);
	}
	free(s->a.findings);
	free(s->a.states);
	policy_release(&s->p);
	free(s);
}

Test(xlsx, row_limit_continues_on_further_sheets)
{
	struct synth *s = synth_new(25);
	struct report_meta m = { .source_kind = "ldif", .evaluated_at = NOW };
	struct xlsx_limits lim = { .max_rows = 10 };

	/* 25 findings, 9 a sheet under a header: Findings, (2), (3); none dropped */
	write_both(&s->a, &m, in_dir("r.xlsx"), in_dir("r.json"), &lim);
	check_workbook(in_dir("r.xlsx"), "--findings", "25", "--json", in_dir("r.json"),
		       "--max-rows", "10", "--contains", "user000024", NULL);
	synth_free(s);
}

Test(xlsx, row_limit_in_constant_memory_mode)
{
	struct synth *s = synth_new(19);
	struct report_meta m = { .source_kind = "ldif", .evaluated_at = NOW };
	struct xlsx_limits lim = { .max_rows = 10, .table_max_rows = 1 };

	/* exactly two full sheets: no empty third one */
	write_both(&s->a, &m, in_dir("r.xlsx"), in_dir("r.json"), &lim);
	check_workbook(in_dir("r.xlsx"), "--findings", "19", "--json", in_dir("r.json"),
		       "--max-rows", "10", "--mode", "autofilter", NULL);
	synth_free(s);
	s = synth_new(18);
	write_both(&s->a, &m, in_dir("s.xlsx"), in_dir("s.json"), &lim);
	check_workbook(in_dir("s.xlsx"), "--findings", "18", "--json", in_dir("s.json"),
		       "--max-rows", "10", "--mode", "autofilter", NULL);
	synth_free(s);
}

Test(xlsx, empty_audit_still_has_every_sheet)
{
	struct synth *s = synth_new(0);
	struct report_meta m = { .source_kind = "ldif", .evaluated_at = NOW };

	write_both(&s->a, &m, in_dir("r.xlsx"), in_dir("r.json"), NULL);
	check_workbook(in_dir("r.xlsx"), "--findings", "0", "--json", in_dir("r.json"), NULL);
	synth_free(s);
}

Test(xlsx, very_long_text_is_cut_at_excels_cell_limit)
{
	struct synth *s = synth_new(1);
	struct report_meta m = { .source_kind = "ldif", .evaluated_at = NOW };
	struct error err = ERROR_INIT;
	struct sbuf big = SBUF_INIT;

	/* 40,000 characters: libxlsxwriter would refuse the string outright */
	for (int i = 0; i < 10000; i++)
		sbuf_adds(&big, "ab日😀");
	free(s->a.findings[0]->message);
	s->a.findings[0]->message = sbuf_detach(&big);
	cr_assert_eq(report_xlsx_write(&s->a, &m, in_dir("r.xlsx"), &err), 0, "%s", err.msg);
	check_workbook(in_dir("r.xlsx"), "--findings", "1", "--contains", "ab日😀ab日😀",
		       "--contains", "\xe2\x80\xa6", NULL);
	synth_free(s);
}

Test(xlsx, text_xml_forbids_is_replaced_or_escaped)
{
	struct synth *s = synth_new(2);
	struct report_meta m = { .source_kind = "ldif", .evaluated_at = NOW };
	struct error err = ERROR_INIT;

	/* U+FFFE is valid UTF-8 but no XML parser takes it; \x01 is escaped */
	free(s->a.findings[0]->message);
	s->a.findings[0]->message = xstrdup("bad\xef\xbf\xbe" "char\x01 \xff end");
	cr_assert_eq(report_xlsx_write(&s->a, &m, in_dir("r.xlsx"), &err), 0, "%s", err.msg);
	check_workbook(in_dir("r.xlsx"), "--findings", "2",
		       "--contains", "bad\xef\xbf\xbd" "char", "--contains", " \xef\xbf\xbd end", NULL);
	synth_free(s);
}

/* Errors: exit 4, previous file intact, no temporary file left */

Test(xlsx, missing_directory_fails_with_exit_report)
{
	struct synth *s = synth_new(3);
	struct error err = ERROR_INIT;

	cr_assert_eq(report_xlsx_write(&s->a, NULL, "/nonexistent-privaudit/r.xlsx", &err), -1);
	cr_assert_eq(err.code, EXIT_REPORT);
	cr_assert_str_eq(err.msg, "cannot write report \"/nonexistent-privaudit/r.xlsx\": "
				  "No such file or directory");
	synth_free(s);
}

Test(xlsx, stdout_is_refused)
{
	struct synth *s = synth_new(1);
	struct error err = ERROR_INIT;

	cr_assert_eq(report_xlsx_write(&s->a, NULL, "-", &err), -1);
	cr_assert_eq(err.code, EXIT_REPORT);
	cr_assert_not_null(strstr(err.msg, "standard output"), "%s", err.msg);
	synth_free(s);
}

Test(xlsx, target_that_is_a_directory_fails_and_leaves_nothing)
{
	struct synth *s = synth_new(3);
	struct error err = ERROR_INIT;

	cr_assert_eq(mkdir(in_dir("r.xlsx"), 0700), 0);
	cr_assert_eq(report_xlsx_write(&s->a, NULL, in_dir("r.xlsx"), &err), -1);
	cr_assert_eq(err.code, EXIT_REPORT);
	cr_assert_not_null(strstr(err.msg, "cannot write report \""), "%s", err.msg);
	/* the directory is still there, and no temporary file beside it */
	cr_assert_eq(count_entries(), 1);
	synth_free(s);
}

Test(xlsx, write_error_keeps_the_previous_workbook)
{
	struct synth *s = synth_new(3000);
	struct error err = ERROR_INIT;
	struct rlimit rl = { 16384, 16384 };
	FILE *fp = fopen(in_dir("r.xlsx"), "w");
	char *text;

	cr_assert_not_null(fp);
	fputs("previous workbook\n", fp);
	fclose(fp);
	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	cr_assert_eq(report_xlsx_write(&s->a, NULL, in_dir("r.xlsx"), &err), -1);
	cr_assert_eq(err.code, EXIT_REPORT);
	cr_assert_not_null(strstr(err.msg, "cannot write report \""), "%s", err.msg);
	text = slurp(in_dir("r.xlsx"));
	cr_assert_str_eq(text, "previous workbook\n");
	free(text);
	cr_assert_eq(count_entries(), 1);
	synth_free(s);
}
