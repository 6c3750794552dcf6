/*
 * TGT acquisition with libkrb5 (see krb.h).
 */
#include "krb.h"

#include <krb5.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynlib.h"
#include "error.h"
#include "exitcode.h"
#include "sbuf.h"
#include "xalloc.h"

struct krb_session {
	krb5_context ctx;
	krb5_ccache cc;
	char *old_ccname;
};

static int krb_fail(krb5_context ctx, krb5_error_code code, struct error *err, const char *what,
		    const char *principal)
{
	const char *msg = krb5_get_error_message(ctx, code);

	error_set(err, EXIT_LDAP, "kerberos: %s for \"%s\": %s", what, principal, msg);
	krb5_free_error_message(ctx, msg);
	return -1;
}

struct krb_session *krb_login(const char *principal, const char *keytab, const char *password,
			      struct error *err)
{
	struct krb_session *s;
	krb5_principal princ = NULL;
	krb5_keytab kt = NULL;
	krb5_get_init_creds_opt *opt = NULL;
	krb5_creds creds;
	krb5_error_code code;
	struct sbuf name = SBUF_INIT;
	const char *old = getenv("KRB5CCNAME");
	bool ok = false;

	if (dynlib_krb5(err) < 0)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	memset(&creds, 0, sizeof(creds));
	if ((code = krb5_init_context(&s->ctx))) {
		error_set(err, EXIT_LDAP, "kerberos: cannot initialise libkrb5 (error %d)", (int)code);
		free(s);
		return NULL;
	}
	if ((code = krb5_parse_name(s->ctx, principal, &princ))) {
		krb_fail(s->ctx, code, err, "bad principal name", principal);
		goto out;
	}
	if ((code = krb5_get_init_creds_opt_alloc(s->ctx, &opt)))
		goto fail;
	if (keytab) {
		if ((code = krb5_kt_resolve(s->ctx, keytab, &kt))) {
			krb_fail(s->ctx, code, err, "cannot open keytab", keytab);
			goto out;
		}
		code = krb5_get_init_creds_keytab(s->ctx, &creds, princ, kt, 0, NULL, opt);
	} else {
		code = krb5_get_init_creds_password(s->ctx, &creds, princ, password, NULL, NULL, 0,
						    NULL, opt);
	}
	if (code) {
		krb_fail(s->ctx, code, err, "cannot get a ticket", principal);
		goto out;
	}
	if ((code = krb5_cc_new_unique(s->ctx, "MEMORY", NULL, &s->cc)) ||
	    (code = krb5_cc_initialize(s->ctx, s->cc, princ)) ||
	    (code = krb5_cc_store_cred(s->ctx, s->cc, &creds)))
		goto fail;
	sbuf_addf(&name, "MEMORY:%s", krb5_cc_get_name(s->ctx, s->cc));
	s->old_ccname = old ? xstrdup(old) : NULL;
	setenv("KRB5CCNAME", name.buf, 1);
	ok = true;
	goto out;
fail:
	krb_fail(s->ctx, code, err, "cannot store the ticket", principal);
out:
	sbuf_release(&name);
	krb5_free_cred_contents(s->ctx, &creds);
	if (opt)
		krb5_get_init_creds_opt_free(s->ctx, opt);
	if (kt)
		krb5_kt_close(s->ctx, kt);
	if (princ)
		krb5_free_principal(s->ctx, princ);
	if (!ok) {
		krb_release(s);
		return NULL;
	}
	return s;
}

void krb_release(struct krb_session *s)
{
	if (!s)
		return;
	if (s->cc)
		krb5_cc_destroy(s->ctx, s->cc);
	if (s->old_ccname)
		setenv("KRB5CCNAME", s->old_ccname, 1);
	else if (s->cc)
		unsetenv("KRB5CCNAME");
	free(s->old_ccname);
	krb5_free_context(s->ctx);
	free(s);
}
