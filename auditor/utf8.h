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

#endif
