/*
 * libldap, liblber, libkrb5 and libxlsxwriter loaded on first use (see
 * dynlib.h).
 */
#define DYNLIB_IMPLEMENTATION
#include "dynlib.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <string.h>

#include "exitcode.h"

/*
 * The libraries by soname, those of the headers the program was built
 * with (Debian 12's by default): a library of another ABI must not be
 * taken for them.
 */
#ifndef DYNLIB_LDAP_SONAME
#define DYNLIB_LDAP_SONAME "libldap-2.5.so.0"
#endif
#ifndef DYNLIB_LBER_SONAME
#define DYNLIB_LBER_SONAME "liblber-2.5.so.0"
#endif
#ifndef DYNLIB_KRB5_SONAME
#define DYNLIB_KRB5_SONAME "libkrb5.so.3"
#endif
#ifndef DYNLIB_XLSX_SONAME
#define DYNLIB_XLSX_SONAME "libxlsxwriter.so.4"
#endif

struct dynlib dynlib;

int dynlib_load(const char *soname, const struct dynlib_symbol *syms, size_t n, int code,
		const char *need, struct error *err)
{
	/* RTLD_NOW: bound at once, as -z now binds the program */
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return error_set(err, code, "cannot load %s, which %s needs: %s", soname, need,
				 dlerror());
	for (size_t i = 0; i < n; i++) {
		void *fn = dlsym(h, syms[i].name);

		if (!fn)
			return error_set(err, code, "%s has no %s: %s", soname, syms[i].name,
					 dlerror());
		/* ISO C has no conversion from dlsym()'s void * to a function pointer */
		memcpy(syms[i].slot, &fn, sizeof(fn));
	}
	/* never closed: what it returned (messages, contexts) may outlive any caller */
	return 0;
}

#define DYNLIB_SYMBOL(f) { #f, &dynlib.f },
#define COUNT(a) (sizeof(a) / sizeof(*(a)))

#define LDAP_NEED "reading a directory over LDAP"

/* dynlib_load() unless *loaded: once it has succeeded, nothing more. */
static int load_once(bool *loaded, const char *soname, const struct dynlib_symbol *syms, size_t n,
		     int code, const char *need, struct error *err)
{
	if (!*loaded && dynlib_load(soname, syms, n, code, need, err) == 0)
		*loaded = true;
	return *loaded ? 0 : -1;
}

int dynlib_ldap(struct error *err)
{
	static bool lber_loaded, ldap_loaded;
	static const struct dynlib_symbol lber[] = { DYNLIB_LBER(DYNLIB_SYMBOL) };
	static const struct dynlib_symbol ldap[] = { DYNLIB_LDAP(DYNLIB_SYMBOL) };

	if (load_once(&lber_loaded, DYNLIB_LBER_SONAME, lber, COUNT(lber), EXIT_LDAP, LDAP_NEED,
		      err) < 0)
		return -1;
	return load_once(&ldap_loaded, DYNLIB_LDAP_SONAME, ldap, COUNT(ldap), EXIT_LDAP, LDAP_NEED,
			 err);
}

int dynlib_krb5(struct error *err)
{
	static bool loaded;
	static const struct dynlib_symbol krb5[] = { DYNLIB_KRB5(DYNLIB_SYMBOL) };

	return load_once(&loaded, DYNLIB_KRB5_SONAME, krb5, COUNT(krb5), EXIT_LDAP, LDAP_NEED, err);
}

int dynlib_xlsx(struct error *err)
{
	static bool loaded;
	static const struct dynlib_symbol xlsx[] = { DYNLIB_XLSX(DYNLIB_SYMBOL) };

	return load_once(&loaded, DYNLIB_XLSX_SONAME, xlsx, COUNT(xlsx), EXIT_REPORT,
			 "writing a workbook", err);
}
