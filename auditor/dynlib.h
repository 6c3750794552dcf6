/*
 * libldap, liblber and libkrb5, loaded when they are first needed rather
 * than when the program starts: they bring some twenty libraries more
 * (GnuTLS, OpenSSL, p11-kit, GMP...) that an offline audit never calls,
 * and loading them took 3.7 ms of every run (`privaudit --version` took
 * 6.5 ms with them, 2.8 without). ldapsrc.c and krb.c include this header
 * after the libraries' own and call the functions by their names, which
 * it turns into calls through pointers set by dynlib_ldap() and
 * dynlib_krb5(). The pointers have the types of the declarations.
 */
#ifndef PRIVAUDIT_DYNLIB_H
#define PRIVAUDIT_DYNLIB_H

#include <krb5.h>
#include <ldap.h>

#include "error.h"

#define DYNLIB_LBER(X) \
	X(ber_pvt_opt_on) X(ber_bvdup) X(ber_bvfree) X(ber_free) X(ber_memcalloc) X(ber_memfree) X(ber_strndup)

#define DYNLIB_LDAP(X) \
	X(ldap_control_find) X(ldap_control_free) X(ldap_controls_free) X(ldap_count_entries) \
	X(ldap_create_page_control) X(ldap_err2string) X(ldap_first_attribute) \
	X(ldap_first_entry) X(ldap_first_message) X(ldap_get_attribute_ber) X(ldap_get_dn) \
	X(ldap_get_dn_ber) X(ldap_get_option) X(ldap_get_values_len) X(ldap_initialize) \
	X(ldap_memfree) X(ldap_msgfree) X(ldap_msgtype) X(ldap_next_attribute) \
	X(ldap_next_entry) X(ldap_next_message) X(ldap_parse_pageresponse_control) \
	X(ldap_parse_result) X(ldap_result) X(ldap_sasl_bind_s) X(ldap_sasl_interactive_bind_s) \
	X(ldap_search_ext) X(ldap_search_ext_s) X(ldap_set_option) X(ldap_start_tls_s) \
	X(ldap_unbind_ext_s) X(ldap_value_free_len)

#define DYNLIB_KRB5(X) \
	X(krb5_cc_destroy) X(krb5_cc_get_name) X(krb5_cc_initialize) X(krb5_cc_new_unique) \
	X(krb5_cc_store_cred) X(krb5_free_context) X(krb5_free_cred_contents) \
	X(krb5_free_error_message) X(krb5_free_principal) X(krb5_get_error_message) \
	X(krb5_get_init_creds_keytab) X(krb5_get_init_creds_opt_alloc) \
	X(krb5_get_init_creds_opt_free) X(krb5_get_init_creds_password) X(krb5_init_context) \
	X(krb5_kt_close) X(krb5_kt_resolve) X(krb5_parse_name)

#define DYNLIB_POINTER(f) __typeof__(f) *f;

struct dynlib {
	DYNLIB_LBER(DYNLIB_POINTER)
	DYNLIB_LDAP(DYNLIB_POINTER)
	DYNLIB_KRB5(DYNLIB_POINTER)
};

extern struct dynlib dynlib;

/*
 * Load libldap and liblber (dynlib_ldap) or libkrb5 (dynlib_krb5), once;
 * later calls return at once. 0, or -1 with err (EXIT_LDAP) naming the
 * library and why it could not be loaded. Call it before any of their
 * functions, on one thread.
 */
int dynlib_ldap(struct error *err);
int dynlib_krb5(struct error *err);

/* What dynlib_ldap() and dynlib_krb5() do: each symbol's address into its slot. */
struct dynlib_symbol {
	const char *name;
	void *slot;              /* a pointer of struct dynlib */
};
int dynlib_load(const char *soname, const struct dynlib_symbol *syms, size_t n,
		struct error *err);

#ifndef DYNLIB_IMPLEMENTATION
/* a variable: LDAP_OPT_ON is its address */
#define ber_pvt_opt_on (*dynlib.ber_pvt_opt_on)
#define ber_bvdup dynlib.ber_bvdup
#define ber_bvfree dynlib.ber_bvfree
#define ber_free dynlib.ber_free
#define ber_memcalloc dynlib.ber_memcalloc
#define ber_memfree dynlib.ber_memfree
#define ber_strndup dynlib.ber_strndup
#define krb5_cc_destroy dynlib.krb5_cc_destroy
#define krb5_cc_get_name dynlib.krb5_cc_get_name
#define krb5_cc_initialize dynlib.krb5_cc_initialize
#define krb5_cc_new_unique dynlib.krb5_cc_new_unique
#define krb5_cc_store_cred dynlib.krb5_cc_store_cred
#define krb5_free_context dynlib.krb5_free_context
#define krb5_free_cred_contents dynlib.krb5_free_cred_contents
#define krb5_free_error_message dynlib.krb5_free_error_message
#define krb5_free_principal dynlib.krb5_free_principal
#define krb5_get_error_message dynlib.krb5_get_error_message
#define krb5_get_init_creds_keytab dynlib.krb5_get_init_creds_keytab
#define krb5_get_init_creds_opt_alloc dynlib.krb5_get_init_creds_opt_alloc
#define krb5_get_init_creds_opt_free dynlib.krb5_get_init_creds_opt_free
#define krb5_get_init_creds_password dynlib.krb5_get_init_creds_password
#define krb5_init_context dynlib.krb5_init_context
#define krb5_kt_close dynlib.krb5_kt_close
#define krb5_kt_resolve dynlib.krb5_kt_resolve
#define krb5_parse_name dynlib.krb5_parse_name
#define ldap_control_find dynlib.ldap_control_find
#define ldap_control_free dynlib.ldap_control_free
#define ldap_controls_free dynlib.ldap_controls_free
#define ldap_count_entries dynlib.ldap_count_entries
#define ldap_create_page_control dynlib.ldap_create_page_control
#define ldap_err2string dynlib.ldap_err2string
#define ldap_first_attribute dynlib.ldap_first_attribute
#define ldap_first_entry dynlib.ldap_first_entry
#define ldap_first_message dynlib.ldap_first_message
#define ldap_get_attribute_ber dynlib.ldap_get_attribute_ber
#define ldap_get_dn dynlib.ldap_get_dn
#define ldap_get_dn_ber dynlib.ldap_get_dn_ber
#define ldap_get_option dynlib.ldap_get_option
#define ldap_get_values_len dynlib.ldap_get_values_len
#define ldap_initialize dynlib.ldap_initialize
#define ldap_memfree dynlib.ldap_memfree
#define ldap_msgfree dynlib.ldap_msgfree
#define ldap_msgtype dynlib.ldap_msgtype
#define ldap_next_attribute dynlib.ldap_next_attribute
#define ldap_next_entry dynlib.ldap_next_entry
#define ldap_next_message dynlib.ldap_next_message
#define ldap_parse_pageresponse_control dynlib.ldap_parse_pageresponse_control
#define ldap_parse_result dynlib.ldap_parse_result
#define ldap_result dynlib.ldap_result
#define ldap_sasl_bind_s dynlib.ldap_sasl_bind_s
#define ldap_sasl_interactive_bind_s dynlib.ldap_sasl_interactive_bind_s
#define ldap_search_ext dynlib.ldap_search_ext
#define ldap_search_ext_s dynlib.ldap_search_ext_s
#define ldap_set_option dynlib.ldap_set_option
#define ldap_start_tls_s dynlib.ldap_start_tls_s
#define ldap_unbind_ext_s dynlib.ldap_unbind_ext_s
#define ldap_value_free_len dynlib.ldap_value_free_len
#endif

#endif
