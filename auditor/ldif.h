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

#include <stdint.h>
#include <stdio.h>

#include "dir.h"

struct error;

/*
 * Read every record of fp (named name in messages). The parsing runs on a
 * second thread; fn is called on the caller's thread, in file order.
 */
int ldif_read(FILE *fp, const char *name, dir_entry_fn *fn, void *data, struct error *err);
/* The same from memory, on the caller's thread alone. */
int ldif_read_mem(const char *text, size_t len, const char *name, dir_entry_fn *fn, void *data,
		  struct error *err);

/* Read path ("-" = stdin) into the directory. */
int ldif_load(struct dir *d, const char *path, struct error *err);
/* The bytes ldif_load() reads at a time from a file of size bytes (0: of unknown size). */
size_t ldif_block_size(uintmax_t size);
/* The same from memory (tests, fuzzing). */
int ldif_load_mem(struct dir *d, const char *text, size_t len, const char *name,
		  struct error *err);

/*
 * Write one entry as LDIF to the FILE * given as data (a dir_entry_fn, for
 * `privaudit collect`): values that are not safe strings in base64, lines
 * folded at 76 columns, attribute options (";range=...") dropped since the
 * values are complete. Write errors are left to the caller's ferror().
 */
int ldif_write_entry(void *fp, const struct raw_entry *e, struct error *err);

#endif
