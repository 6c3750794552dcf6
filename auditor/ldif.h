/*
 * LDIF reader (RFC 2849 as written by `ldapsearch -LLL` and Windows
 * `ldifde -f`): comments, the version line, `changetype: add`, folded
 * lines, base64 values, CRLF line ends, attribute options. Each record is
 * handed to a callback as a struct raw_entry (dir.h) whose memory is valid
 * only during the call.
 *
 * Errors: -1 with err->code EXIT_INPUT and "FILE:LINE:COLUMN: message".
 */
#ifndef PRIVAUDIT_LDIF_H
#define PRIVAUDIT_LDIF_H

#include <stdio.h>

#include "dir.h"

struct error;

typedef int ldif_entry_fn(void *data, const struct raw_entry *e, struct error *err);

/* Read every record of fp (named name in messages). */
int ldif_read(FILE *fp, const char *name, ldif_entry_fn *fn, void *data, struct error *err);

/* Read path ("-" = stdin) into the directory. */
int ldif_load(struct dir *d, const char *path, struct error *err);
/* The same from memory (tests, fuzzing). */
int ldif_load_mem(struct dir *d, const char *text, size_t len, const char *name,
		  struct error *err);

#endif
