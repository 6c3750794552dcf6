/*
 * Kerberos credentials for the SASL GSSAPI bind, obtained by privaudit
 * itself through libkrb5 (from a keytab, or from a principal's password)
 * into a private in-memory ccache, so that cron jobs and CI runners need no
 * kinit. KRB5CCNAME points at that cache while it lives.
 */
#ifndef PRIVAUDIT_KRB_H
#define PRIVAUDIT_KRB_H

struct error;
struct krb_session;

/*
 * Get a TGT for principal from keytab (when not NULL) or with password.
 * Returns a session to release with krb_release(), or NULL with err
 * EXIT_LDAP naming the principal and the KDC's reason.
 */
struct krb_session *krb_login(const char *principal, const char *keytab, const char *password,
			      struct error *err);
/* Destroy the cache and restore KRB5CCNAME. */
void krb_release(struct krb_session *s);

#endif
