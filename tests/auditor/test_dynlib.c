/*
 * Tests for auditor/dynlib.c: libldap, liblber, libkrb5 and libxlsxwriter
 * loaded on first use, every function the program calls found, and a
 * library or function that is missing reported by name.
 */
#include <criterion/criterion.h>
#include <string.h>

/* the library's pointers by their own names, not the functions' */
#define DYNLIB_IMPLEMENTATION
#include "../../auditor/dynlib.h"
#include "../../auditor/exitcode.h"

#define EXPECT_SET(f) cr_expect(dynlib.f != NULL, "%s not loaded", #f);

Test(dynlib, ldap_and_lber_load_every_function)
{
	struct error err = ERROR_INIT;

	cr_assert_eq(dynlib_ldap(&err), 0, "%s", err.msg);
	DYNLIB_LBER(EXPECT_SET)
	DYNLIB_LDAP(EXPECT_SET)
	/* a second call loads nothing again */
	cr_assert_eq(dynlib_ldap(&err), 0, "%s", err.msg);
	/* the pointers go to the library: a result code's text */
	cr_expect_str_eq(dynlib.ldap_err2string(LDAP_SUCCESS), "Success");
}

Test(dynlib, krb5_loads_every_function)
{
	struct error err = ERROR_INIT;
	krb5_context ctx;

	cr_assert_eq(dynlib_krb5(&err), 0, "%s", err.msg);
	DYNLIB_KRB5(EXPECT_SET)
	cr_assert_eq(dynlib.krb5_init_context(&ctx), 0);
	dynlib.krb5_free_context(ctx);
}

Test(dynlib, xlsxwriter_loads_every_function)
{
	struct error err = ERROR_INIT;

	cr_assert_eq(dynlib_xlsx(&err), 0, "%s", err.msg);
	DYNLIB_XLSX(EXPECT_SET)
	cr_assert_eq(dynlib_xlsx(&err), 0, "%s", err.msg);
	cr_expect_str_eq(dynlib.lxw_strerror(LXW_ERROR_MEMORY_MALLOC_FAILED),
			 "Memory error, failed to malloc() required memory.");
}

Test(dynlib, a_missing_library_is_named)
{
	struct error err = ERROR_INIT;
	void (*fn)(void) = NULL;
	const struct dynlib_symbol sym[] = { { "ldap_initialize", &fn } };

	cr_assert_eq(dynlib_load("libprivaudit-absent.so.0", sym, 1, EXIT_LDAP,
				 "reading a directory over LDAP", &err), -1);
	cr_expect_eq(err.code, EXIT_LDAP);
	cr_expect(strstr(err.msg, "cannot load libprivaudit-absent.so.0, which reading a "
				  "directory over LDAP needs: ") == err.msg, "%s", err.msg);
	cr_expect(fn == NULL);
}

Test(dynlib, a_missing_function_is_named)
{
	struct error err = ERROR_INIT;
	void (*fn)(void) = NULL, (*found)(void) = NULL;
	const struct dynlib_symbol sym[] = {
		{ "strlen", &found },
		{ "ldap_no_such_function", &fn },
	};

	cr_assert_eq(dynlib_load("libc.so.6", sym, 2, EXIT_REPORT, "writing a workbook", &err), -1);
	cr_expect_eq(err.code, EXIT_REPORT);
	cr_expect(strstr(err.msg, "libc.so.6 has no ldap_no_such_function: ") == err.msg, "%s",
		  err.msg);
	cr_expect(found != NULL);
	cr_expect(fn == NULL);
}
