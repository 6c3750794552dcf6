/*
 * Tests for auditor/outfile.c: reports appear whole or not at all, with
 * mode 0600, and a failure never replaces the previous report nor leaves a
 * temporary file behind.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../auditor/error.h"
#include "../../auditor/exitcode.h"
#include "../../auditor/outfile.h"

static char dir[64];
static char target[128];

static void setup(void)
{
	strcpy(dir, "/tmp/privaudit-outfile-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(target, sizeof(target), "%s/report.json", dir);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(void)
{
	chmod(dir, 0700);
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Entries in dir other than . and .., and whether one starts with a dot. */
static int count_entries(bool *has_hidden)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	*has_hidden = false;
	cr_assert_not_null(d);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_name[0] == '.')
			*has_hidden = true;
		n++;
	}
	closedir(d);
	return n;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static char *read_all(const char *path)
{
	FILE *fp = fopen(path, "r");
	static char buf[8192];
	size_t n;

	cr_assert_not_null(fp, "cannot open %s", path);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

TestSuite(outfile, .init = setup, .fini = teardown);

Test(outfile, commit_writes_complete_file_with_mode_0600)
{
	struct outfile o;
	struct error err = ERROR_INIT;
	struct stat st;
	bool hidden;

	umask(022);
	cr_assert_eq(outfile_open(&o, target, &err), 0);
	cr_assert_not_null(o.fp);
	cr_assert_not(o.is_stdout);
	cr_assert_not_null(o.tmp);
	/* the temporary file lives beside the target, hidden */
	cr_assert_eq(strncmp(o.tmp, dir, strlen(dir)), 0);
	cr_assert_eq(strncmp(strrchr(o.tmp, '/'), "/.report.json.", 14), 0);
	fputs("{\"ok\": true}\n", o.fp);
	/* nothing at the target until commit */
	cr_assert_eq(access(target, F_OK), -1);
	cr_assert_eq(outfile_commit(&o, &err), 0, "%s", err.msg);
	cr_assert_str_eq(read_all(target), "{\"ok\": true}\n");
	cr_assert_eq(stat(target, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600);
	cr_assert_eq(count_entries(&hidden), 1);
	cr_assert_not(hidden);
}

Test(outfile, commit_replaces_previous_report)
{
	struct outfile o;
	struct error err = ERROR_INIT;
	struct stat st;

	write_file(target, "old\n");
	chmod(target, 0644);
	cr_assert_eq(outfile_open(&o, target, &err), 0);
	fputs("new\n", o.fp);
	/* the previous report stays readable while the new one is written */
	cr_assert_str_eq(read_all(target), "old\n");
	cr_assert_eq(outfile_commit(&o, &err), 0);
	cr_assert_str_eq(read_all(target), "new\n");
	cr_assert_eq(stat(target, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600);
}

Test(outfile, relative_path_gets_temp_in_cwd)
{
	struct outfile o;
	struct error err = ERROR_INIT;
	char cwd[512];

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_eq(chdir(dir), 0);
	cr_assert_eq(outfile_open(&o, "rel.json", &err), 0);
	cr_assert_eq(strncmp(o.tmp, ".rel.json.", 10), 0, "%s", o.tmp);
	fputs("x", o.fp);
	cr_assert_eq(outfile_commit(&o, &err), 0);
	cr_assert_str_eq(read_all("rel.json"), "x");
	cr_assert_eq(chdir(cwd), 0);
}

Test(outfile, missing_directory_fails_with_exit_report)
{
	struct outfile o;
	struct error err = ERROR_INIT;
	char path[256];

	snprintf(path, sizeof(path), "%s/no/such/report.json", dir);
	cr_assert_eq(outfile_open(&o, path, &err), -1);
	cr_assert_eq(err.code, EXIT_REPORT);
	cr_assert(strstr(err.msg, "cannot write report \"") == err.msg, "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, path));
	cr_assert_not_null(strstr(err.msg, "No such file or directory"), "%s", err.msg);
	/* aborting a failed open is harmless */
	outfile_abort(&o);
}

Test(outfile, unwritable_directory_fails_and_keeps_previous)
{
	struct outfile o;
	struct error err = ERROR_INIT;
	bool hidden;

	write_file(target, "previous\n");
	cr_assert_eq(chmod(dir, 0500), 0);
	if (access(dir, W_OK) == 0) {
		/* root writes anyway: a file in place of the directory has the same effect */
		chmod(dir, 0700);
		char path[256];

		snprintf(path, sizeof(path), "%s/report.json/inner.json", dir);
		cr_assert_eq(outfile_open(&o, path, &err), -1);
	} else {
		cr_assert_eq(outfile_open(&o, target, &err), -1);
	}
	chmod(dir, 0700);
	cr_assert_eq(err.code, EXIT_REPORT);
	cr_assert_str_eq(read_all(target), "previous\n");
	cr_assert_eq(count_entries(&hidden), 1);
	cr_assert_not(hidden);
}

Test(outfile, write_error_keeps_previous_and_removes_temp)
{
	struct outfile o;
	struct error err = ERROR_INIT;
	struct rlimit rl = { 4096, 4096 };
	bool hidden;

	write_file(target, "previous\n");
	/* a file size limit makes writes fail as a full disk would */
	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	cr_assert_eq(outfile_open(&o, target, &err), 0);
	for (int i = 0; i < 2000; i++)
		fputs("0123456789abcdef", o.fp);
	cr_assert_eq(outfile_commit(&o, &err), -1);
	cr_assert_eq(err.code, EXIT_REPORT);
	cr_assert(strstr(err.msg, "cannot write report \"") == err.msg, "%s", err.msg);
	cr_assert_str_eq(read_all(target), "previous\n");
	cr_assert_eq(count_entries(&hidden), 1);
	cr_assert_not(hidden);
	cr_assert_null(o.tmp);
}

Test(outfile, writer_error_is_reported_with_its_cause)
{
	struct outfile o;
	struct error err = ERROR_INIT;
	bool hidden;

	write_file(target, "previous\n");
	cr_assert_eq(outfile_open(&o, target, &err), 0);
	fputs("partial", o.fp);
	/* a writer that saw its write fail; the stream itself shows nothing */
	o.error = ENOSPC;
	cr_assert_eq(outfile_commit(&o, &err), -1);
	cr_assert_eq(err.code, EXIT_REPORT);
	cr_assert_not_null(strstr(err.msg, "No space left on device"), "%s", err.msg);
	cr_assert_str_eq(read_all(target), "previous\n");
	cr_assert_eq(count_entries(&hidden), 1);
	cr_assert_not(hidden);
}

Test(outfile, directory_target_fails_before_anything_is_written)
{
	struct outfile o;
	struct error err = ERROR_INIT;
	char path[256];
	bool hidden;

	/*
	 * a directory at the target cannot be replaced by a file: refused at
	 * open, so that with several reports none is renamed into place
	 */
	snprintf(path, sizeof(path), "%s/sub", dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	snprintf(target, sizeof(target), "%s/sub/keep", dir);
	write_file(target, "k");
	cr_assert_eq(outfile_open(&o, path, &err), -1);
	cr_assert_eq(err.code, EXIT_REPORT);
	cr_assert_not_null(strstr(err.msg, "Is a directory"), "%s", err.msg);
	cr_assert_str_eq(read_all(target), "k");
	cr_assert_eq(count_entries(&hidden), 1);
	cr_assert_not(hidden);
}

Test(outfile, abort_removes_temp_and_is_noop_after_commit)
{
	struct outfile o;
	struct error err = ERROR_INIT;
	bool hidden;

	cr_assert_eq(outfile_open(&o, target, &err), 0);
	fputs("partial", o.fp);
	outfile_abort(&o);
	cr_assert_eq(count_entries(&hidden), 0);
	outfile_abort(&o);

	cr_assert_eq(outfile_open(&o, target, &err), 0);
	fputs("done", o.fp);
	cr_assert_eq(outfile_commit(&o, &err), 0);
	outfile_abort(&o);
	cr_assert_str_eq(read_all(target), "done");
}

Test(outfile, cleanup_pending_removes_open_temp_files)
{
	struct outfile o1, o2, o3;
	struct error err = ERROR_INIT;
	char p2[256], p3[256];
	bool hidden;

	snprintf(p2, sizeof(p2), "%s/b.json", dir);
	snprintf(p3, sizeof(p3), "%s/c.json", dir);
	cr_assert_eq(outfile_open(&o1, target, &err), 0);
	cr_assert_eq(outfile_open(&o2, p2, &err), 0);
	cr_assert_eq(outfile_open(&o3, p3, &err), 0);
	cr_assert_eq(outfile_commit(&o3, &err), 0);
	cr_assert_eq(count_entries(&hidden), 3);
	outfile_cleanup_pending();
	/* the committed report stays; both pending temp files are gone */
	cr_assert_eq(count_entries(&hidden), 1);
	cr_assert_not(hidden);
	cr_assert_eq(access(p3, F_OK), 0);
	outfile_abort(&o1);
	outfile_abort(&o2);
}

Test(outfile, dash_is_stdout)
{
	struct outfile o;
	struct error err = ERROR_INIT;

	cr_assert_eq(outfile_open(&o, "-", &err), 0);
	cr_assert(o.is_stdout);
	cr_assert_eq(o.fp, stdout);
	cr_assert_null(o.tmp);
	cr_assert_eq(outfile_commit(&o, &err), 0);
}

Test(outfile, stdout_write_error_is_reported)
{
	struct outfile o;
	struct error err = ERROR_INIT;

	cr_assert_not_null(freopen("/dev/full", "w", stdout));
	cr_assert_eq(outfile_open(&o, "-", &err), 0);
	fputs("lost", o.fp);
	cr_assert_eq(outfile_commit(&o, &err), -1);
	cr_assert_eq(err.code, EXIT_REPORT);
	cr_assert_not_null(strstr(err.msg, "No space left on device"), "%s", err.msg);
}

Test(outfile, writer_by_name_is_committed)
{
	struct outfile o;
	struct error err = ERROR_INIT;
	struct stat st;
	bool hidden;
	FILE *fp;

	/* as libxlsxwriter does: the file is written again by its name */
	cr_assert_eq(outfile_open(&o, target, &err), 0);
	fclose(o.fp);
	o.fp = NULL;
	fp = fopen(o.tmp, "wb");
	cr_assert_not_null(fp);
	fputs("PK workbook", fp);
	fclose(fp);
	cr_assert_eq(outfile_commit(&o, &err), 0, "%s", err.msg);
	cr_assert_str_eq(read_all(target), "PK workbook");
	cr_assert_eq(stat(target, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600);
	cr_assert_eq(count_entries(&hidden), 1);
	cr_assert_not(hidden);
}

Test(outfile, deferred_reports_land_together_or_not_at_all)
{
	char ddir[] = "/tmp/privaudit-defer-XXXXXX", a[64], b[64];
	struct outfile o;
	struct error err = ERROR_INIT;
	FILE *fp;
	char buf[32] = "";

	cr_assert_not_null(mkdtemp(ddir));
	snprintf(a, sizeof(a), "%s/a.json", ddir);
	snprintf(b, sizeof(b), "%s/b.xlsx", ddir);
	fp = fopen(a, "w");
	fputs("previous", fp);
	fclose(fp);

	/* one report written, the next fails: the first must not replace its previous file */
	outfile_defer();
	cr_assert_eq(outfile_open(&o, a, &err), 0);
	fputs("new", o.fp);
	cr_assert_eq(outfile_commit(&o, &err), 0);
	fp = fopen(a, "r");
	cr_assert(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	cr_assert_str_eq(buf, "previous", "renamed before the run finished");
	outfile_discard();
	fp = fopen(a, "r");
	cr_assert(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	cr_assert_str_eq(buf, "previous");

	/* both written: both land */
	outfile_defer();
	cr_assert_eq(outfile_open(&o, a, &err), 0);
	fputs("new", o.fp);
	cr_assert_eq(outfile_commit(&o, &err), 0);
	cr_assert_eq(outfile_open(&o, b, &err), 0);
	fputs("book", o.fp);
	cr_assert_eq(outfile_commit(&o, &err), 0);
	cr_assert_eq(outfile_finish(&err), 0, "%s", err.msg);
	fp = fopen(a, "r");
	cr_assert(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	cr_assert_str_eq(buf, "new");
	cr_assert_eq(access(b, F_OK), 0);
	{
		char cmd[128];
		FILE *ls;
		char line[256];
		int n = 0;

		snprintf(cmd, sizeof(cmd), "ls -A %s", ddir);
		ls = popen(cmd, "r");
		while (fgets(line, sizeof(line), ls))
			n++;
		pclose(ls);
		cr_assert_eq(n, 2, "no temporary file is left");
	}
	unlink(a);
	unlink(b);
	rmdir(ddir);
}
