/*
 * UTF-8 as jansson accepts it: no overlong forms, no surrogates, nothing
 * above U+10FFFF. Directory data may hold anything; text leaving privaudit
 * (JSON, workbook) goes through utf8_clean().
 */
#ifndef PRIVAUDIT_UTF8_H
#define PRIVAUDIT_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Whether s[0..len) is valid UTF-8. */
bool utf8_valid(const char *s, size_t len);
/* s with each invalid byte replaced by U+FFFD: new string; NULL for NULL. */
char *utf8_clean(const char *s);
/* Bytes of the UTF-8 character whose first byte is c (valid UTF-8). */
size_t utf8_char_len(unsigned char c);

struct sbuf;
/*
 * s as a spreadsheet cell may hold it, into out (reset first): valid
 * UTF-8, U+FFFE and U+FFFF (which XML forbids) replaced by U+FFFD, and at
 * most max_units UTF-16 code units: longer text is cut on a character
 * boundary to max_units - 1 units and "…" (Excel
 * counts in those, and libxlsxwriter refuses a longer string and with it
 * the whole workbook). Control characters are left to libxlsxwriter,
 * which escapes them.
 */
void utf8_cell_text(struct sbuf *out, const char *s, size_t max_units);

#endif
