/*
 * The LDAP source: reads a live domain over LDAP (libldap) with LDAPS,
 * StartTLS, simple or SASL GSSAPI binds, paged searches and ranged
 * retrieval, and streams every entry to a consumer (dir_add, or the LDIF
 * writer of `privaudit collect`). The attributes requested are the fixed
 * table of dir.c plus the policy's extra attributes, so the live source and
 * an LDIF export feed the model the same data.
 *
 * The search is split by the first byte of objectGUID into parts read at
 * once over as many connections (--connections, default two), when the
 * server orders GUIDs; the consumer gets one entry at a time, from either.
 *
 * The non-replicated lastLogon is read from every DC asked for (--dc,
 * --all-dcs), concurrently, before the main search; the main search then
 * hands entries over with lastLogon set to the newest value seen.
 *
 * Errors: -1 with err EXIT_LDAP naming the server, or EXIT_INPUT for a bad
 * password file.
 */
#ifndef PRIVAUDIT_LDAPSRC_H
#define PRIVAUDIT_LDAPSRC_H

#include <stdbool.h>
#include <stddef.h>

#include "dir.h"

struct error;

/* The search is split by objectGUID over this many connections by default. */
#define LDAPSRC_DEFAULT_CONNECTIONS 2
#define LDAPSRC_MAX_CONNECTIONS 16

struct ldap_options {
	const char *uri;            /* NULL: ldap.conf's URI */
	const char *base;           /* NULL: rootDSE defaultNamingContext */
	const char *bind_dn;        /* simple bind as this DN or UPN */
	const char *password_file;
	const char *sasl_mech;      /* "GSSAPI" */
	const char *keytab, *principal;
	const char *ca_file;
	bool starttls, insecure_tls, allow_cleartext_bind;
	const char *const *dcs;     /* extra DCs for lastLogon */
	size_t ndcs;
	bool all_dcs;
	long page_size;             /* default 1000 */
	long timeout;               /* seconds; 0: 120 */
	long range_size;            /* ask multi-valued attributes this many at a time; 0: all */
	long connections;           /* read over this many at once; 0: the default */
	bool progress;              /* progress lines on stderr */
	const char *const *extra_attrs;
	size_t nextra;
};

/* What the source tells the report. */
struct ldap_info {
	char *uri;                  /* the URI used (new) */
	char *base;                 /* the base DN (new) */
	char *sources[16];          /* last logon sources (new strings) */
	size_t nsources;
	size_t entries;
	size_t connections;         /* the search's parts, one a connection */
};

int ldapsrc_read(const struct ldap_options *o, dir_entry_fn *fn, void *data,
		 struct ldap_info *info, struct error *err);
void ldap_info_release(struct ldap_info *info);

/* Part i of n of the accounts filter (new string; n <= 1: the whole filter). */
char *ldapsrc_part_filter(size_t i, size_t n);

/* The attribute names requested (NULL-terminated, new array of borrowed names). */
const char **ldapsrc_attributes(const struct ldap_options *o);

#endif
