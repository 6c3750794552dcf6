/*
 * Atomic report files (see outfile.h): write a temporary file beside the
 * target, then fsync and rename it into place, so that readers only ever
 * see the previous report or the complete new one.
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "exitcode.h"
#include "sbuf.h"
#include "xalloc.h"

/*
 * Temporary files not yet committed or aborted, for the signal handler. A
 * run writes a handful of reports, so a small fixed table is enough; a file
 * that finds it full is simply not registered (it is still removed on the
 * normal paths). Slots are written with one pointer store, which a signal
 * handler sees either before or after, never half done; a slot is cleared
 * before its string is freed.
 */
#define MAX_PENDING 16
static char *volatile pending[MAX_PENDING];

static void pending_add(char *tmp)
{
	for (size_t i = 0; i < MAX_PENDING; i++) {
		if (!pending[i]) {
			pending[i] = tmp;
			return;
		}
	}
}

static void pending_remove(const char *tmp)
{
	for (size_t i = 0; i < MAX_PENDING; i++)
		if (pending[i] == tmp)
			pending[i] = NULL;
}

void outfile_cleanup_pending(void)
{
	int saved = errno;

	for (size_t i = 0; i < MAX_PENDING; i++) {
		char *p = pending[i];

		if (p)
			unlink(p);
	}
	errno = saved;
}

static int fail(struct error *err, const char *path, int errnum)
{
	return error_set(err, EXIT_REPORT, "cannot write report \"%s\": %s", path,
			 strerror(errnum ? errnum : EIO));
}

/* The temporary name beside path: "DIR/.NAME.XXXXXX" (new). */
static char *temp_name(const char *path)
{
	struct sbuf sb = SBUF_INIT;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	if (slash)
		sbuf_add(&sb, path, (size_t)(base - path));
	sbuf_addf(&sb, ".%s.XXXXXX", base);
	return sbuf_detach(&sb);
}

static void release(struct outfile *o)
{
	if (o->tmp) {
		pending_remove(o->tmp);
		free(o->tmp);
	}
	free(o->path);
	o->fp = NULL;
	o->tmp = NULL;
	o->path = NULL;
	o->is_stdout = false;
	o->error = 0;
}

int outfile_open(struct outfile *o, const char *path, struct error *err)
{
	const char *slash = strrchr(path, '/');
	struct stat st;
	int fd;

	memset(o, 0, sizeof(*o));
	if (strcmp(path, "-") == 0) {
		o->fp = stdout;
		o->path = xstrdup(path);
		o->is_stdout = true;
		return 0;
	}
	if (path[0] == '\0' || (slash && slash[1] == '\0'))
		return fail(err, path, EISDIR);
	/* the rename would fail at the end, after other reports were renamed */
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return fail(err, path, EISDIR);

	o->tmp = temp_name(path);
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		int e = errno;

		free(o->tmp);
		o->tmp = NULL;
		return fail(err, path, e);
	}
	pending_add(o->tmp);
	/* mkstemp's mode is subject to the umask; reports hold account data */
	if (fchmod(fd, 0600) < 0)
		goto fail_fd;
	o->fp = fdopen(fd, "w");
	if (!o->fp)
		goto fail_fd;
	o->path = xstrdup(path);
	return 0;

fail_fd:
	{
		int e = errno;

		close(fd);
		unlink(o->tmp);
		release(o);
		return fail(err, path, e);
	}
}

/* Make the rename itself durable; a failure here loses nothing already written. */
static void sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path))
			  : xstrdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

/*
 * Deferred renames (outfile_defer): the complete, synced temporary files
 * of one run, renamed together by outfile_finish() once every report was
 * written, or removed by outfile_discard() when one failed.
 */
static struct {
	char *tmp, *path;
} deferred[MAX_PENDING];
static size_t ndeferred;
static bool defer_renames;

void outfile_defer(void)
{
	defer_renames = true;
}

static void deferred_clear(bool unlink_tmp)
{
	for (size_t i = 0; i < ndeferred; i++) {
		if (deferred[i].tmp) {
			if (unlink_tmp)
				unlink(deferred[i].tmp);
			pending_remove(deferred[i].tmp);
		}
		free(deferred[i].tmp);
		free(deferred[i].path);
	}
	ndeferred = 0;
	defer_renames = false;
}

void outfile_discard(void)
{
	deferred_clear(true);
}

int outfile_finish(struct error *err)
{
	int ret = 0;

	for (size_t i = 0; i < ndeferred; i++) {
		if (ret == 0 && rename(deferred[i].tmp, deferred[i].path) < 0)
			ret = fail(err, deferred[i].path, errno);
		else if (ret == 0) {
			sync_dir(deferred[i].path);
			pending_remove(deferred[i].tmp);
			free(deferred[i].tmp);
			deferred[i].tmp = NULL;
		}
	}
	deferred_clear(true);
	return ret;
}

int outfile_commit(struct outfile *o, struct error *err)
{
	int e = 0;

	if (!o->fp && !o->tmp)
		return 0;               /* already committed or aborted */
	if (o->is_stdout) {
		errno = 0;
		if (fflush(o->fp) != 0 || ferror(o->fp) || o->error)
			e = o->error ? o->error : errno ? errno : EIO;
		if (e) {
			clearerr(o->fp);
			fail(err, o->path, e);
		}
		release(o);
		return e ? -1 : 0;
	}

	errno = 0;
	if (!o->fp) {
		/* the writer closed the stream and wrote by name: sync by name */
		int fd = open(o->tmp, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || fsync(fd) < 0)
			e = errno;
		if (fd >= 0)
			close(fd);
	} else {
		if (fflush(o->fp) != 0 || ferror(o->fp) || o->error)
			e = o->error ? o->error : errno ? errno : EIO;
		else if (fsync(fileno(o->fp)) < 0)
			e = errno;
		if (fclose(o->fp) != 0 && !e)
			e = errno ? errno : EIO;
		o->fp = NULL;
	}
	if (!e && defer_renames && ndeferred < MAX_PENDING) {
		/* complete and synced: renamed with the others by outfile_finish */
		deferred[ndeferred].tmp = o->tmp;
		deferred[ndeferred].path = o->path;
		ndeferred++;
		o->tmp = NULL;
		o->path = NULL;
		release(o);
		return 0;
	}
	if (!e && rename(o->tmp, o->path) < 0)
		e = errno;
	if (e) {
		unlink(o->tmp);
		fail(err, o->path, e);
		release(o);
		return -1;
	}
	sync_dir(o->path);
	release(o);
	return 0;
}

void outfile_abort(struct outfile *o)
{
	if (o->is_stdout) {
		fflush(o->fp);
		release(o);
		return;
	}
	if (o->fp)
		fclose(o->fp);
	o->fp = NULL;
	if (o->tmp)
		unlink(o->tmp);
	release(o);
}
