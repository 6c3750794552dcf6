/*
 * Reading and wiping secrets (see secret.h).
 */
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

#include "error.h"
#include "exitcode.h"
#include "xalloc.h"

#define SECRET_MAX 4096

void secret_protect_process(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void secret_alloc(struct secret *s)
{
	secret_protect_process();
	s->cap = SECRET_MAX + 1;
	s->buf = xcalloc(1, s->cap);
	mlock(s->buf, s->cap);
	s->len = 0;
}

static void chomp(struct secret *s)
{
	s->len = strlen(s->buf);
	while (s->len && (s->buf[s->len - 1] == '\n' || s->buf[s->len - 1] == '\r'))
		s->buf[--s->len] = '\0';
}

static int read_fd(struct secret *s, int fd)
{
	size_t off = 0;

	while (off < SECRET_MAX) {
		ssize_t n = read(fd, s->buf + off, SECRET_MAX - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		off += (size_t)n;
		if (memchr(s->buf, '\n', off))
			break;
	}
	s->buf[off] = '\0';
	/* the first line only */
	char *nl = strchr(s->buf, '\n');
	if (nl)
		xwipe(nl, off - (size_t)(nl - s->buf));
	chomp(s);
	return 0;
}

static int prompt_tty(struct secret *s, const char *what, struct error *err)
{
	struct termios old, quiet;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return 0;
	if (tcgetattr(fd, &old) < 0) {
		close(fd);
		return 0;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	dprintf(fd, "%s: ", what);
	tcsetattr(fd, TCSAFLUSH, &quiet);
	secret_alloc(s);
	if (read_fd(s, fd) < 0)
		ret = error_set(err, EXIT_INPUT, "cannot read the password from the terminal: %s",
				strerror(errno));
	tcsetattr(fd, TCSAFLUSH, &old);
	dprintf(fd, "\n");
	close(fd);
	return ret;
}

int secret_read(struct secret *s, const char *path, bool prompt, const char *what,
		struct error *err)
{
	const char *env = getenv("PRIVAUDIT_PASSWORD");

	s->buf = NULL;
	s->len = 0;
	if (path) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		int ret;

		if (fd < 0)
			return error_set(err, EXIT_INPUT, "%s: cannot open: %s", path, strerror(errno));
		secret_alloc(s);
		ret = read_fd(s, fd);
		close(fd);
		if (ret < 0) {
			secret_wipe(s);
			return error_set(err, EXIT_INPUT, "%s: cannot read: %s", path, strerror(errno));
		}
		if (!s->len) {
			secret_wipe(s);
			return error_set(err, EXIT_INPUT, "%s: empty password file", path);
		}
		return 0;
	}
	if (env) {
		size_t n = strlen(env);

		secret_alloc(s);
		if (n > SECRET_MAX)
			n = SECRET_MAX;
		memcpy(s->buf, env, n);
		s->buf[n] = '\0';
		s->len = n;
		secret_scrub_env();
		return 0;
	}
	if (prompt)
		return prompt_tty(s, what, err);
	return 0;
}

void secret_wipe(struct secret *s)
{
	if (s->buf) {
		xwipe(s->buf, s->cap);
		munlock(s->buf, s->cap);
		free(s->buf);
	}
	s->buf = NULL;
	s->len = s->cap = 0;
}

void secret_scrub_env(void)
{
	char *env = getenv("PRIVAUDIT_PASSWORD");

	/* the environment is readable in /proc/PID/environ: wipe it there */
	if (env)
		explicit_bzero(env, strlen(env));
	unsetenv("PRIVAUDIT_PASSWORD");
}
