/*
 * libldap, liblber, libkrb5 and libxlsxwriter, loaded when they are first
 * needed rather than when the program starts. The first three bring some
 * twenty libraries more (GnuTLS, OpenSSL, p11-kit, GMP...) that an offline
 * audit never calls, and loading them took 3.7 ms of every run
 * (`privaudit --version` took 6.5 ms with them, 2.8 without);
 * libxlsxwriter brings libcrypto, minizip and zlib, 1.7 ms more, which a
 * run without --xlsx does not need. ldapsrc.c, krb.c, xlsx.c and diff.c
 * include this header after the libraries' own and call the functions by
 * their names, which it turns into calls through pointers set by
 * dynlib_ldap(), dynlib_krb5() and dynlib_xlsx(). The pointers have the
 * types of the declarations.
 */
#ifndef PRIVAUDIT_DYNLIB_H
#define PRIVAUDIT_DYNLIB_H

#include <krb5.h>
#include <ldap.h>
#include <xlsxwriter.h>

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

#define DYNLIB_XLSX(X) \
	X(chart_add_series) X(chart_legend_set_position) X(chart_series_set_categories) \
	X(chart_series_set_labels) X(chart_series_set_points) X(chart_series_set_values) \
	X(chart_title_set_name) X(format_set_align) X(format_set_bg_color) X(format_set_bold) \
	X(format_set_bottom) X(format_set_font_color) X(format_set_font_size) \
	X(format_set_num_format) X(format_set_text_wrap) X(format_set_underline) \
	X(lxw_strerror) X(workbook_add_chart) X(workbook_add_format) X(workbook_add_worksheet) \
	X(workbook_close) X(workbook_new_opt) X(workbook_set_properties) X(worksheet_activate) \
	X(worksheet_add_table) X(worksheet_autofilter) X(worksheet_fit_to_pages) \
	X(worksheet_freeze_panes) X(worksheet_insert_chart) X(worksheet_repeat_rows) \
	X(worksheet_set_column) X(worksheet_set_landscape) X(worksheet_write_boolean) \
	X(worksheet_write_number) X(worksheet_write_string) X(worksheet_write_unixtime) \
	X(worksheet_write_url_opt)

#define DYNLIB_POINTER(f) __typeof__(f) *f;

struct dynlib {
	DYNLIB_LBER(DYNLIB_POINTER)
	DYNLIB_LDAP(DYNLIB_POINTER)
	DYNLIB_KRB5(DYNLIB_POINTER)
	DYNLIB_XLSX(DYNLIB_POINTER)
};

extern struct dynlib dynlib;

/*
 * Load libldap and liblber (dynlib_ldap), libkrb5 (dynlib_krb5) or
 * libxlsxwriter (dynlib_xlsx), once; later calls return at once. 0, or -1
 * with err naming the library and why it could not be loaded (EXIT_LDAP,
 * or EXIT_REPORT for libxlsxwriter). Call it before any of their
 * functions, on one thread.
 */
int dynlib_ldap(struct error *err);
int dynlib_krb5(struct error *err);
int dynlib_xlsx(struct error *err);

/*
 * What those do: each symbol's address into its slot. An error has code,
 * and says the library is what "need" needs ("reading a directory over
 * LDAP").
 */
struct dynlib_symbol {
	const char *name;
	void *slot;              /* a pointer of struct dynlib */
};
int dynlib_load(const char *soname, const struct dynlib_symbol *syms, size_t n, int code,
		const char *need, struct error *err);

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
#define chart_add_series dynlib.chart_add_series
#define chart_legend_set_position dynlib.chart_legend_set_position
#define chart_series_set_categories dynlib.chart_series_set_categories
#define chart_series_set_labels dynlib.chart_series_set_labels
#define chart_series_set_points dynlib.chart_series_set_points
#define chart_series_set_values dynlib.chart_series_set_values
#define chart_title_set_name dynlib.chart_title_set_name
#define format_set_align dynlib.format_set_align
#define format_set_bg_color dynlib.format_set_bg_color
#define format_set_bold dynlib.format_set_bold
#define format_set_bottom dynlib.format_set_bottom
#define format_set_font_color dynlib.format_set_font_color
#define format_set_font_size dynlib.format_set_font_size
#define format_set_num_format dynlib.format_set_num_format
#define format_set_text_wrap dynlib.format_set_text_wrap
#define format_set_underline dynlib.format_set_underline
#define lxw_strerror dynlib.lxw_strerror
#define workbook_add_chart dynlib.workbook_add_chart
#define workbook_add_format dynlib.workbook_add_format
#define workbook_add_worksheet dynlib.workbook_add_worksheet
#define workbook_close dynlib.workbook_close
#define workbook_new_opt dynlib.workbook_new_opt
#define workbook_set_properties dynlib.workbook_set_properties
#define worksheet_activate dynlib.worksheet_activate
#define worksheet_add_table dynlib.worksheet_add_table
#define worksheet_autofilter dynlib.worksheet_autofilter
#define worksheet_fit_to_pages dynlib.worksheet_fit_to_pages
#define worksheet_freeze_panes dynlib.worksheet_freeze_panes
#define worksheet_insert_chart dynlib.worksheet_insert_chart
#define worksheet_repeat_rows dynlib.worksheet_repeat_rows
#define worksheet_set_column dynlib.worksheet_set_column
#define worksheet_set_landscape dynlib.worksheet_set_landscape
#define worksheet_write_boolean dynlib.worksheet_write_boolean
#define worksheet_write_number dynlib.worksheet_write_number
#define worksheet_write_string dynlib.worksheet_write_string
#define worksheet_write_unixtime dynlib.worksheet_write_unixtime
#define worksheet_write_url_opt dynlib.worksheet_write_url_opt
#endif

#endif
