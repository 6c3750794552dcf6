/*
 * Atomic report files. A report is written to a temporary file created
 * next to its target (".NAME.XXXXXX", mode 0600) and renamed over the
 * target only once it is complete, flushed and synced: a failed run never
 * leaves a truncated report behind and never replaces the previous one.
 * "-" writes to stdout instead (no temporary file, nothing to rename).
 *
 *   struct outfile o;
 *   if (outfile_open(&o, path, err) < 0)
 *           return -1;
 *   write(o.fp ...);
 *   return outfile_commit(&o, err);   (or outfile_abort(&o) on error)
 *
 * A writer that saw one of its writes to o.fp fail may set o.error to that
 * errno: the stream's error flag keeps no cause, and commit's own flush,
 * with nothing left to write, could only report EIO. Commit fails when
 * o.error is set, with that cause.
 *
 * A writer that can only write by file name (libxlsxwriter) writes to
 * o.tmp, after closing o.fp (fclose, then set it to NULL) or leaving it
 * open and untouched; commit then syncs and renames that file.
 *
 * Pending temporary files are also kept in a small static registry so that
 * a signal handler can remove them with outfile_cleanup_pending().
 */
#ifndef PRIVAUDIT_OUTFILE_H
#define PRIVAUDIT_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

struct error;

struct outfile {
	FILE *fp;        /* where to write; stdout for "-" */
	char *path;      /* the target (owned) */
	char *tmp;       /* the temporary file (owned); NULL for stdout */
	bool is_stdout;
	int error;       /* errno of a write that failed (0: none), see above */
};

/*
 * Open path for writing ("-" is stdout). On error: -1 and err EXIT_REPORT
 * "cannot write report \"PATH\": REASON"; nothing is left to clean up.
 */
int outfile_open(struct outfile *o, const char *path, struct error *err);

/*
 * Finish: check for write errors (o->error first), flush, fsync, close
 * and rename the temporary file over the target. On any failure the
 * temporary file is removed, the target is left as it was, and -1 is
 * returned with err EXIT_REPORT. Either way o is released afterwards.
 */
int outfile_commit(struct outfile *o, struct error *err);

/* Give up: close and remove the temporary file. A no-op after commit. */
void outfile_abort(struct outfile *o);

/*
 * Several reports of one run: after outfile_defer(), outfile_commit()
 * leaves each complete, synced report under its temporary name;
 * outfile_finish() then renames them all into place (-1 with err
 * EXIT_REPORT if a rename fails), or outfile_discard() removes them when
 * another report failed, so that a failed run replaces no report.
 */
void outfile_defer(void);
int outfile_finish(struct error *err);
void outfile_discard(void);

/*
 * Remove every pending temporary file. Async-signal-safe (it only calls
 * unlink()), for a SIGINT/SIGTERM handler; the process must exit after.
 */
void outfile_cleanup_pending(void);

#endif
