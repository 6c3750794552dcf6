/*
 * A caller-owned error: a code from exitcode.h and one line of text. The
 * first error set wins: later, less specific callers cannot overwrite it.
 * Library code fills it and returns -1; only the CLI layer prints it.
 */
#ifndef PRIVAUDIT_ERROR_H
#define PRIVAUDIT_ERROR_H

struct error {
	int code;        /* EXIT_* from exitcode.h; 0 when no error was set */
	char msg[1024];  /* lowercase, no trailing full stop, no newline */
};

#define ERROR_INIT { 0, "" }

/* Set err (if not NULL and not already set) and return -1. */
int error_set(struct error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
