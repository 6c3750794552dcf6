/*
 * Tests for auditor/utf8.c.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "../../auditor/utf8.h"

Test(utf8, validates_and_repairs)
{
	char *s;

	cr_assert(utf8_valid("plain", 5));
	cr_assert(utf8_valid("\xe5\x88\x9d\xe6\x9c\x9f\xe3\x83\x91", 9));   /* 初期パ */
	cr_assert(utf8_valid("\xf0\x9f\x94\x91", 4));                     /* U+1F511 */
	cr_assert_not(utf8_valid("\xc0\x80", 2));          /* overlong NUL */
	cr_assert_not(utf8_valid("\xe0\x80\xaf", 3));      /* overlong '/' */
	cr_assert_not(utf8_valid("\xed\xa0\x80", 3));      /* surrogate */
	cr_assert_not(utf8_valid("\xf4\x90\x80\x80", 4));  /* above U+10FFFF */
	cr_assert_not(utf8_valid("\xe3\x81", 2));          /* cut short */
	cr_assert_not(utf8_valid("\x80", 1));              /* lone continuation */
	cr_assert_null(utf8_clean(NULL));
	s = utf8_clean("ok \xe3\x81");
	cr_assert_str_eq(s, "ok \xef\xbf\xbd\xef\xbf\xbd");
	free(s);
	s = utf8_clean("\xe5\x88\x9d ok");
	cr_assert_str_eq(s, "\xe5\x88\x9d ok");
	free(s);
}
