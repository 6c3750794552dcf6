/*
 * Secrets: the bind password, read from a file, the environment
 * (PRIVAUDIT_PASSWORD) or a no-echo prompt on the terminal; never from
 * argv. The buffer is locked in memory where possible, core dumps are
 * disabled while it exists, and secret_wipe() zeroes it.
 */
#ifndef PRIVAUDIT_SECRET_H
#define PRIVAUDIT_SECRET_H

#include <stdbool.h>
#include <stddef.h>

struct error;

struct secret {
	char *buf;   /* NUL-terminated; NULL when no secret was read */
	size_t len, cap;
};

#define SECRET_INIT { NULL, 0, 0 }

/*
 * Read the password: from path when not NULL (first line, trailing newline
 * removed), else PRIVAUDIT_PASSWORD (which is then removed from the
 * environment), else a prompt on /dev/tty when there is one. Errors:
 * EXIT_INPUT naming the file. Returns 0 with s->buf NULL when no source
 * exists and prompt is false.
 */
int secret_read(struct secret *s, const char *path, bool prompt, const char *what,
		struct error *err);
/* Zero and free. */
void secret_wipe(struct secret *s);

/*
 * Disable core dumps (and ptrace attach by other users) for the rest of
 * the run: called before any secret (password, keytab keys, tickets) is
 * in memory.
 */
void secret_protect_process(void);
/* Wipe PRIVAUDIT_PASSWORD from the environment (/proc/PID/environ) if set. */
void secret_scrub_env(void);

#endif
