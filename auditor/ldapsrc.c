/*
 * The LDAP source (see ldapsrc.h).
 */
#include "ldapsrc.h"

#include <errno.h>
#include <ldap.h>
#include <netdb.h>
#include <pthread.h>
#include <sasl/sasl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dynlib.h"
#include "error.h"
#include "exitcode.h"
#include "hmap.h"
#include "krb.h"
#include "outfile.h"
#include "sbuf.h"
#include "secret.h"
#include "strutil.h"
#include "thread.h"
#include "xalloc.h"

#define DEFAULT_TIMEOUT 120
#define PAGED_OID "1.2.840.113556.1.4.319"
#define ACCOUNTS_FILTER                                                              \
	"(|(objectClass=user)(objectClass=group)(objectClass=domainDNS)"             \
	"(objectClass=msDS-PasswordSettings))"
#define DC_FILTER                                                                    \
	"(&(objectClass=computer)(|(userAccountControl:1.2.840.113556.1.4.803:=8192)" \
	"(userAccountControl:1.2.840.113556.1.4.803:=67108864)))"

/* One connection and what identifies it in messages. */
struct conn {
	LDAP *ld;
	char *uri;
	struct timeval tv;
};

/*
 * The watchdog. libldap cannot bound every wait: a TLS handshake with a
 * server that accepted the connection and then stopped answering blocks
 * (or, with a network timeout set, spins) for ever. So every network step
 * re-arms an alarm; when it fires, the process says which server stopped
 * answering, removes pending report files and exits with EXIT_LDAP. This
 * is the one place where the library exits: nothing else can interrupt
 * libldap's handshake.
 */
static char watchdog_msg[600];
static size_t watchdog_len;
static unsigned watchdog_secs;
/* a progress line is on stderr without its line end */
static volatile sig_atomic_t progress_open;

static void watchdog_fire(int sig)
{
	ssize_t n;

	(void)sig;
	if (progress_open)
		n = write(STDERR_FILENO, "\n", 1);
	n = write(STDERR_FILENO, watchdog_msg, watchdog_len);
	(void)n;
	outfile_cleanup_pending();
	_exit(EXIT_LDAP);
}

static void watchdog_arm(const char *uri, unsigned secs)
{
	struct sigaction sa;
	int n;

	n = snprintf(watchdog_msg, sizeof(watchdog_msg),
		     "privaudit: %s: no answer within %u s\n", uri, secs);
	watchdog_len = n > 0 && (size_t)n < sizeof(watchdog_msg) ? (size_t)n : 0;
	watchdog_secs = secs;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watchdog_fire;
	sigaction(SIGALRM, &sa, NULL);
	alarm(secs);
}

static void watchdog_kick(void)
{
	if (watchdog_secs)
		alarm(watchdog_secs);
}

static void watchdog_stop(void)
{
	alarm(0);
	watchdog_secs = 0;
}

static int ldap_fail(struct conn *c, int rc, struct error *err, const char *what)
{
	char *diag = NULL;

	if (c->ld)
		ldap_get_option(c->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	if (diag && *diag && strcmp(diag, "(unknown error code)") != 0)
		error_set(err, EXIT_LDAP, "%s: %s: %s (%s)", c->uri, what, ldap_err2string(rc), diag);
	else
		error_set(err, EXIT_LDAP, "%s: %s: %s", c->uri, what, ldap_err2string(rc));
	ldap_memfree(diag);
	return -1;
}

static void conn_close(struct conn *c)
{
	if (c->ld)
		ldap_unbind_ext_s(c->ld, NULL, NULL);
	c->ld = NULL;
	free(c->uri);
	c->uri = NULL;
}

static int sasl_interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	sasl_interact_t *it = in;

	(void)ld;
	(void)flags;
	(void)defaults;
	for (; it->id != SASL_CB_LIST_END; it++) {
		it->result = it->defresult ? it->defresult : "";
		it->len = (unsigned)strlen(it->result);
	}
	return LDAP_SUCCESS;
}

static bool uri_is_ldaps(const char *uri)
{
	return uri && strncasecmp(uri, "ldaps://", 8) == 0;
}

/* A failure while connecting: libldap cannot tell a refused connection from a TLS failure. */
static int connect_fail(struct conn *c, int rc, struct error *err, const char *what)
{
	if (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR)
		return error_set(err, EXIT_LDAP,
				 "%s: %s: cannot connect, or the TLS handshake failed (is the server "
				 "up, and its certificate trusted for this host name? see --ca-file)",
				 c->uri, what);
	return ldap_fail(c, rc, err, what);
}

/* Connect, secure, and bind with the secret (which the caller wipes). */
static int conn_open(struct conn *c, const struct ldap_options *o, const char *uri,
		     const struct secret *pw, struct error *err)
{
	int version = LDAP_VERSION3, rc, zero = 0;
	int req = o->insecure_tls ? LDAP_OPT_X_TLS_NEVER : LDAP_OPT_X_TLS_DEMAND;
	bool tls;

	memset(c, 0, sizeof(*c));
	c->tv.tv_sec = o->timeout > 0 ? o->timeout : DEFAULT_TIMEOUT;
	c->uri = xstrdup(uri ? uri : "ldap.conf URI");
	rc = ldap_initialize(&c->ld, uri);
	if (rc != LDAP_SUCCESS)
		return ldap_fail(c, rc, err, "cannot initialise");
	if (!uri) {
		char *u = NULL;

		if (ldap_get_option(c->ld, LDAP_OPT_URI, &u) == LDAP_OPT_SUCCESS && u) {
			free(c->uri);
			c->uri = xstrdup(u);
			ldap_memfree(u);
		} else {
			return error_set(err, EXIT_LDAP,
					 "no LDAP server: give -H URI or set URI in ldap.conf");
		}
	}
	ldap_set_option(c->ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	ldap_set_option(c->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	/* no LDAP_OPT_NETWORK_TIMEOUT: it makes libldap spin in the TLS
	 * handshake; the watchdog bounds connecting instead */
	ldap_set_option(c->ld, LDAP_OPT_TIMEOUT, &c->tv);
	ldap_set_option(c->ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &req);
	if (o->ca_file)
		ldap_set_option(c->ld, LDAP_OPT_X_TLS_CACERTFILE, o->ca_file);
	ldap_set_option(c->ld, LDAP_OPT_X_TLS_NEWCTX, &zero);
	tls = uri_is_ldaps(c->uri);
	if (o->starttls && !tls) {
		rc = ldap_start_tls_s(c->ld, NULL, NULL);
		if (rc != LDAP_SUCCESS)
			return connect_fail(c, rc, err, "StartTLS failed");
		tls = true;
	}
	if (o->sasl_mech) {
		ldap_set_option(c->ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON);
		/* integrity and confidentiality, unless TLS already gives them */
		ldap_set_option(c->ld, LDAP_OPT_X_SASL_SECPROPS,
				tls ? "maxssf=0" : "minssf=56");
		rc = ldap_sasl_interactive_bind_s(c->ld, NULL, o->sasl_mech, NULL, NULL,
						  LDAP_SASL_QUIET, sasl_interact, NULL);
		if (rc != LDAP_SUCCESS)
			return connect_fail(c, rc, err, "SASL bind failed");
	} else if (o->bind_dn) {
		struct berval cred;

		if (!tls && !o->allow_cleartext_bind)
			return error_set(err, EXIT_LDAP,
					 "%s: refusing a simple bind with a password over an "
					 "unencrypted connection (use ldaps://, -Z, or -Y GSSAPI)",
					 c->uri);
		cred.bv_val = pw && pw->buf ? pw->buf : NULL;
		cred.bv_len = pw && pw->buf ? pw->len : 0;
		if (!cred.bv_len)
			return error_set(err, EXIT_INPUT, "no password for \"%s\" (use --password-file, "
					 "PRIVAUDIT_PASSWORD or a terminal)", o->bind_dn);
		rc = ldap_sasl_bind_s(c->ld, o->bind_dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
		if (rc != LDAP_SUCCESS)
			return connect_fail(c, rc, err, "bind failed");
	} else {
		/* anonymous: AD answers the rootDSE only; searches will fail clearly */
		struct berval none = { 0, NULL };

		rc = ldap_sasl_bind_s(c->ld, NULL, LDAP_SASL_SIMPLE, &none, NULL, NULL, NULL);
		if (rc != LDAP_SUCCESS)
			return connect_fail(c, rc, err, "anonymous bind failed");
	}
	return 0;
}

/* rootDSE: the base DN and whether paging is supported. */
static int read_rootdse(struct conn *c, char **base, struct error *err)
{
	static char a_nc[] = "defaultNamingContext", a_ctl[] = "supportedControl",
		    a_host[] = "dnsHostName";
	char *attrs[] = { a_nc, a_ctl, a_host, NULL };
	LDAPMessage *res = NULL, *e;
	struct berval **v;
	bool paged = false;
	int rc;

	rc = ldap_search_ext_s(c->ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0, NULL, NULL,
			       &c->tv, 0, &res);
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return ldap_fail(c, rc, err, "cannot read the rootDSE");
	}
	e = ldap_first_entry(c->ld, res);
	if (e && (v = ldap_get_values_len(c->ld, e, "supportedControl"))) {
		for (size_t i = 0; v[i]; i++)
			if (v[i]->bv_len == strlen(PAGED_OID) &&
			    memcmp(v[i]->bv_val, PAGED_OID, v[i]->bv_len) == 0)
				paged = true;
		ldap_value_free_len(v);
	}
	if (e && !*base && (v = ldap_get_values_len(c->ld, e, "defaultNamingContext"))) {
		if (v[0])
			*base = xstrndup(v[0]->bv_val, v[0]->bv_len);
		ldap_value_free_len(v);
	}
	ldap_msgfree(res);
	if (!paged)
		return error_set(err, EXIT_LDAP,
				 "%s: the server does not support the paged results control (%s)",
				 c->uri, PAGED_OID);
	if (!*base)
		return error_set(err, EXIT_LDAP,
				 "%s: no defaultNamingContext in the rootDSE: give -b BASE", c->uri);
	return 0;
}

/* Values of one attribute of one entry, owned (ranged values appended). */
struct attr_buf {
	char *name;
	struct berval **vals;       /* from libldap (first range) */
	struct raw_value *extra;    /* further ranges, owned copies */
	size_t nextra, extra_alloc;
};

/* "member;range=0-1499" -> true with *next = 1500; false when the range ends in '*'. */
static bool range_next(const char *name, long *next)
{
	const char *r = strcasestr(name, ";range=");
	const char *dash;

	if (!r)
		return false;
	dash = strchr(r, '-');
	if (!dash || dash[1] == '*')
		return false;
	*next = strtol(dash + 1, NULL, 10) + 1;
	return true;
}

static int fetch_ranges(struct conn *c, const char *dn, struct attr_buf *ab, long next,
			long step, struct error *err)
{
	size_t blen = strcspn(ab->name, ";");
	struct sbuf req = SBUF_INIT;
	int ret = -1;

	for (;;) {
		char *attrs[2];
		LDAPMessage *res = NULL, *e;
		BerElement *ber = NULL;
		char *a;
		bool more = false;
		int rc;

		sbuf_reset(&req);
		sbuf_add(&req, ab->name, blen);
		if (step > 0)
			sbuf_addf(&req, ";range=%ld-%ld", next, next + step - 1);
		else
			sbuf_addf(&req, ";range=%ld-*", next);
		attrs[0] = req.buf;
		attrs[1] = NULL;
		rc = ldap_search_ext_s(c->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0, NULL,
				       NULL, &c->tv, 0, &res);
		if (rc != LDAP_SUCCESS) {
			ldap_msgfree(res);
			ldap_fail(c, rc, err, "ranged retrieval failed");
			goto out;
		}
		e = ldap_first_entry(c->ld, res);
		for (a = e ? ldap_first_attribute(c->ld, e, &ber) : NULL; a;
		     a = ldap_next_attribute(c->ld, e, ber)) {
			struct berval **v;

			if (strncasecmp(a, ab->name, blen) == 0 && (a[blen] == ';' || !a[blen]) &&
			    (v = ldap_get_values_len(c->ld, e, a))) {
				for (size_t i = 0; v[i]; i++) {
					xgrow(&ab->extra, &ab->extra_alloc, ab->nextra + 1,
					      sizeof(*ab->extra));
					ab->extra[ab->nextra].val = xstrndup(v[i]->bv_val, v[i]->bv_len);
					ab->extra[ab->nextra++].len = v[i]->bv_len;
				}
				ldap_value_free_len(v);
				more = range_next(a, &next);
			}
			ldap_memfree(a);
		}
		ber_free(ber, 0);
		ldap_msgfree(res);
		if (!more)
			break;
	}
	ret = 0;
out:
	sbuf_release(&req);
	return ret;
}

/* lastLogon per DC: normalised DN -> newest FILETIME seen. */
struct logon_map {
	struct hmap map;
	struct arena arena;
};

/*
 * What the readers of one search share, one reader a connection: the
 * consumer, which gets one entry at a time under the lock, the counts, and
 * whether a reader failed, which ends the others.
 */
struct tally {
	pthread_mutex_t lock;
	dir_entry_fn *fn;
	void *data;
	size_t entries, pages;
	struct timespec start;
	atomic_bool stop;
};

struct reader {
	const struct ldap_options *o;
	struct conn *c;
	struct tally *t;
	struct logon_map *logons;
	const char *base, *filter;
	char **attrs;
	struct error err;
	bool first;                 /* the first reader to fail */
};

static void tally_init(struct tally *t, dir_entry_fn *fn, void *data)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	t->fn = fn;
	t->data = data;
	atomic_init(&t->stop, false);
	clock_gettime(CLOCK_MONOTONIC, &t->start);
}

/* Under the tally's lock. */
static void progress(const struct reader *r, bool done)
{
	const struct tally *t = r->t;
	struct timespec now;
	double secs;

	if (!r->o->progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (double)(now.tv_sec - t->start.tv_sec) + (double)(now.tv_nsec - t->start.tv_nsec) / 1e9;
	fprintf(stderr, "\rprivaudit: %zu entries, %zu pages, %.0f entries/s, %.1f s%s",
		t->entries, t->pages, secs > 0 ? (double)t->entries / secs : 0.0, secs,
		done ? "\n" : "");
	progress_open = !done;
}

/* Ends the other readers; the first to fail has the error to report. */
static void reader_failed(struct reader *r)
{
	if (!atomic_exchange(&r->t->stop, true))
		r->first = true;
}

/* One entry to the consumer. */
static int deliver(struct reader *r, const struct raw_entry *re, struct error *err)
{
	struct tally *t = r->t;
	int ret = -1;

	pthread_mutex_lock(&t->lock);
	if (!atomic_load(&t->stop)) {
		ret = t->fn(t->data, re, err);
		t->entries++;
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

static const struct raw_value *logon_override(struct reader *r, const char *dn,
					      const struct berval *cur, struct raw_value *tmp,
					      char *buf, size_t size)
{
	char *ndn;
	long long *best, mine = 0;

	if (!r->logons)
		return NULL;
	ndn = dn_normalise(dn, strlen(dn));
	best = hmap_get(&r->logons->map, ndn);
	free(ndn);
	if (!best)
		return NULL;
	if (cur && cur->bv_len < 32) {
		char tmpbuf[32];

		memcpy(tmpbuf, cur->bv_val, cur->bv_len);
		tmpbuf[cur->bv_len] = '\0';
		mine = strtoll(tmpbuf, NULL, 10);
	}
	if (*best <= mine)
		return NULL;
	snprintf(buf, size, "%lld", *best);
	tmp->val = buf;
	tmp->len = strlen(buf);
	return tmp;
}

/*
 * Values as ldap_get_values_len() gives them (NUL-terminated copies, freed
 * with ldap_value_free_len()), from the values ldap_get_attribute_ber()
 * points at in the message: *out NULL for none. -1 when out of memory.
 */
static int values_dup(const BerVarray vals, struct berval ***out)
{
	size_t n = 0;

	*out = NULL;
	while (vals && vals[n].bv_val)
		n++;
	if (!n)
		return 0;
	if (!(*out = ber_memcalloc((ber_len_t)n + 1, sizeof(**out))))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!((*out)[i] = ber_bvdup(&vals[i])))
			return -1;
	return 0;
}

static int process_entry(struct reader *r, LDAPMessage *e, struct error *err)
{
	struct attr_buf *bufs = NULL;
	struct raw_attr *raw = NULL;
	struct raw_value **vals = NULL;
	size_t n = 0, alloc = 0;
	BerElement *ber = NULL;
	struct berval name;
	BerVarray bvals = NULL;
	char *dn = ldap_get_dn(r->c->ld, e), *a;
	struct raw_value logon_tmp;
	char logon_buf[32];
	bool had_logon = false;
	int ret = -1;
	struct raw_entry re;

	if (!dn)
		return error_set(err, EXIT_LDAP, "%s: an entry without a DN", r->c->uri);
	/*
	 * Each attribute with its values, in one pass over the message:
	 * ldap_get_values_len() would look each name up from the start.
	 */
	if (ldap_get_dn_ber(r->c->ld, e, &ber, &name) != LDAP_SUCCESS) {
		error_set(err, EXIT_LDAP, "%s: cannot decode the entry \"%s\"", r->c->uri, dn);
		goto out;
	}
	for (;;) {
		long next;
		int rc = ldap_get_attribute_ber(r->c->ld, e, ber, &name, &bvals);

		/* a half-decoded entry would lose attributes: refuse it */
		if (rc != LDAP_SUCCESS) {
			ber_memfree(bvals);
			ldap_fail(r->c, rc, err, "cannot decode an entry");
			goto out;
		}
		if (!name.bv_val)
			break;
		xgrow(&bufs, &alloc, n + 1, sizeof(*bufs));
		memset(&bufs[n], 0, sizeof(bufs[n]));
		a = bufs[n].name = ber_strndup(name.bv_val, name.bv_len);
		rc = values_dup(bvals, &bufs[n].vals);
		ber_memfree(bvals);
		bvals = NULL;
		n++;
		if (!a || rc < 0) {
			error_set(err, EXIT_LDAP, "%s: out of memory reading \"%s\"", r->c->uri, dn);
			goto out;
		}
		if (range_next(a, &next) &&
		    fetch_ranges(r->c, dn, &bufs[n - 1], next, r->o->range_size, err) < 0)
			goto out;
	}
	raw = xcalloc(n + 1, sizeof(*raw));
	vals = xcalloc(n + 1, sizeof(*vals));
	for (size_t i = 0; i < n; i++) {
		struct attr_buf *ab = &bufs[i];
		size_t k = 0, nv = 0;

		while (ab->vals && ab->vals[nv])
			nv++;
		vals[i] = xcalloc(nv + ab->nextra + 1, sizeof(**vals));
		for (k = 0; k < nv; k++) {
			vals[i][k].val = ab->vals[k]->bv_val;
			vals[i][k].len = ab->vals[k]->bv_len;
		}
		for (size_t x = 0; x < ab->nextra; x++)
			vals[i][k++] = ab->extra[x];
		if (strcasecmp(ab->name, "lastLogon") == 0) {
			const struct raw_value *o = logon_override(r, dn, nv ? ab->vals[0] : NULL,
								   &logon_tmp, logon_buf,
								   sizeof(logon_buf));
			had_logon = true;
			if (o && k) {
				vals[i][0] = *o;
				k = 1;
			}
		}
		raw[i].name = ab->name;
		raw[i].vals = vals[i];
		raw[i].nvals = k;
	}
	re.dn = dn;
	re.attrs = raw;
	re.nattrs = n;
	re.origin = r->c->uri;
	re.line = 0;
	re.ndn = NULL;
	re.ahead = NULL;
	if (!had_logon) {
		/* the DC read has no lastLogon for it but another DC has */
		const struct raw_value *o = logon_override(r, dn, NULL, &logon_tmp, logon_buf,
							   sizeof(logon_buf));

		if (o) {
			raw[n].name = "lastLogon";
			raw[n].vals = o;
			raw[n].nvals = 1;
			re.nattrs = n + 1;
		}
	}
	ret = deliver(r, &re, err);
out:
	for (size_t i = 0; i < n; i++) {
		ldap_memfree(bufs[i].name);
		if (bufs[i].vals)
			ldap_value_free_len(bufs[i].vals);
		for (size_t x = 0; x < bufs[i].nextra; x++)
			free((char *)bufs[i].extra[x].val);
		free(bufs[i].extra);
		if (vals)
			free(vals[i]);
	}
	free(vals);
	free(raw);
	free(bufs);
	ber_free(ber, 0);
	ldap_memfree(dn);
	return ret;
}

typedef int entry_cb(struct reader *r, LDAPMessage *e, struct error *err);

/*
 * Every message received so far for msgid, in one call (fewer polls): the
 * count of ldap_result(), or 0 when none came within the timeout or another
 * reader failed first. The wait is cut in slices to see that.
 */
static int wait_result(struct reader *r, int msgid, LDAPMessage **msg)
{
	const long slice_us = 100000;
	long limit_us = (long)r->c->tv.tv_sec * 1000000L + (long)r->c->tv.tv_usec, waited = 0;

	for (;;) {
		struct timeval tv = { 0, slice_us };
		int rc = ldap_result(r->c->ld, msgid, LDAP_MSG_RECEIVED, &tv, msg);

		if (rc != 0) {
			watchdog_kick();
			return rc;
		}
		ldap_msgfree(*msg);
		*msg = NULL;
		waited += slice_us;
		if (atomic_load(&r->t->stop) || waited >= limit_us)
			return 0;
	}
}

/* A paged search, each entry handed to cb as it arrives. */
static int paged_search(struct reader *r, const char *base, int scope, const char *filter,
			char **attrs, entry_cb *cb, struct error *err)
{
	struct berval *cookie = NULL;
	int ret = -1;

	do {
		LDAPControl *page = NULL, *ctrls[2] = { NULL, NULL }, **sctrls = NULL;
		int msgid, rc, code = LDAP_SUCCESS;
		bool done = false;

		rc = ldap_create_page_control(r->c->ld, (ber_int_t)(r->o->page_size > 0 ? r->o->page_size : 1000),
					      cookie, 1, &page);
		if (rc != LDAP_SUCCESS) {
			ldap_fail(r->c, rc, err, "cannot create the paged results control");
			goto out;
		}
		ctrls[0] = page;
		rc = ldap_search_ext(r->c->ld, base, scope, filter, attrs, 0, ctrls, NULL, &r->c->tv,
				     LDAP_NO_LIMIT, &msgid);
		ldap_control_free(page);
		if (rc != LDAP_SUCCESS) {
			ldap_fail(r->c, rc, err, "search failed");
			goto out;
		}
		while (!done) {
			LDAPMessage *msg = NULL, *m;
			bool failed = false;

			rc = wait_result(r, msgid, &msg);
			if (rc == 0) {
				if (!atomic_load(&r->t->stop))
					error_set(err, EXIT_LDAP,
						  "%s: no answer within %ld s during the search",
						  r->c->uri, (long)r->c->tv.tv_sec);
				goto out;
			}
			if (rc < 0) {
				int lerr = LDAP_OTHER;

				ldap_get_option(r->c->ld, LDAP_OPT_RESULT_CODE, &lerr);
				ldap_msgfree(msg);
				ldap_fail(r->c, lerr, err, "connection lost during the search");
				goto out;
			}
			for (m = ldap_first_message(r->c->ld, msg); m && !failed;
			     m = ldap_next_message(r->c->ld, m)) {
				switch (ldap_msgtype(m)) {
				case LDAP_RES_SEARCH_ENTRY:
					failed = cb(r, m, err) < 0;
					break;
				case LDAP_RES_SEARCH_RESULT: {
					char *emsg = NULL;

					rc = ldap_parse_result(r->c->ld, m, &code, NULL, &emsg, NULL,
							       &sctrls, 0);
					if (rc == LDAP_SUCCESS && code != LDAP_SUCCESS) {
						if (emsg && *emsg)
							error_set(err, EXIT_LDAP,
								  "%s: search of \"%s\" failed: %s (%s)",
								  r->c->uri, base, ldap_err2string(code), emsg);
						else
							error_set(err, EXIT_LDAP,
								  "%s: search of \"%s\" failed: %s",
								  r->c->uri, base, ldap_err2string(code));
					}
					ldap_memfree(emsg);
					done = true;
					break;
				}
				default: /* references: not followed */
					break;
				}
			}
			ldap_msgfree(msg);
			if (failed)
				goto out;
		}
		if (err && err->code) {
			ldap_controls_free(sctrls);
			goto out;
		}
		if (cookie) {
			ber_bvfree(cookie);
			cookie = NULL;
		}
		{
			LDAPControl *pr = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, sctrls, NULL);
			struct berval next = { 0, NULL };
			ber_int_t count;

			if (pr && ldap_parse_pageresponse_control(r->c->ld, pr, &count, &next) == LDAP_SUCCESS &&
			    next.bv_len) {
				cookie = ber_bvdup(&next);
			}
			ber_memfree(next.bv_val);
		}
		ldap_controls_free(sctrls);
		pthread_mutex_lock(&r->t->lock);
		r->t->pages++;
		progress(r, false);
		pthread_mutex_unlock(&r->t->lock);
	} while (cookie);
	ret = 0;
out:
	if (ret < 0)
		reader_failed(r);
	if (cookie)
		ber_bvfree(cookie);
	return ret;
}

const char **ldapsrc_attributes(const struct ldap_options *o)
{
	const char **attrs = xcalloc(ATTR_COUNT + o->nextra + 1, sizeof(*attrs));
	size_t n = 0;

	for (int i = 0; i < ATTR_COUNT; i++)
		attrs[n++] = dir_attr_name((enum dir_attr)i);
	for (size_t i = 0; i < o->nextra; i++)
		if (dir_attr_lookup(o->extra_attrs[i]) < 0)
			attrs[n++] = o->extra_attrs[i];
	attrs[n] = NULL;
	return attrs;
}

/* ---- lastLogon from other DCs ------------------------------------------ */

struct dc_job {
	const struct ldap_options *o;
	const struct secret *pw;
	char *uri;
	const char *base;
	struct logon_map result;
	struct error err;
	size_t entries;
};

static int collect_logon(struct reader *r, LDAPMessage *e, struct error *err)
{
	struct dc_job *job = r->t->data;
	char *dn = ldap_get_dn(r->c->ld, e);
	struct berval **v = ldap_get_values_len(r->c->ld, e, "lastLogon");

	(void)err;
	if (dn && v && v[0] && v[0]->bv_len < 32) {
		char buf[32], *ndn = dn_normalise(dn, strlen(dn));
		long long *val = arena_alloc(&job->result.arena, sizeof(*val));
		long long *old;

		memcpy(buf, v[0]->bv_val, v[0]->bv_len);
		buf[v[0]->bv_len] = '\0';
		*val = strtoll(buf, NULL, 10);
		old = hmap_put(&job->result.map, arena_strdup(&job->result.arena, ndn), val);
		if (old != val && *val > *old)
			*old = *val;
		free(ndn);
	}
	if (v)
		ldap_value_free_len(v);
	ldap_memfree(dn);
	job->entries++;
	return 0;
}

static void *dc_thread(void *arg)
{
	struct dc_job *job = arg;
	struct conn c;
	static char a_logon[] = "lastLogon";
	char *attrs[] = { a_logon, NULL };
	struct tally t;
	struct reader r = { .o = job->o, .c = &c, .t = &t };

	tally_init(&t, NULL, job);
	if (conn_open(&c, job->o, job->uri, job->pw, &job->err) == 0)
		paged_search(&r, job->base, LDAP_SCOPE_SUBTREE, "(objectClass=user)", attrs,
			     collect_logon, &job->err);
	conn_close(&c);
	pthread_mutex_destroy(&t.lock);
	return NULL;
}

static char *dc_uri(const char *main_uri, const char *host)
{
	struct sbuf sb = SBUF_INIT;

	if (strstr(host, "://"))
		return xstrdup(host);
	sbuf_addf(&sb, "%s://%s", uri_is_ldaps(main_uri) ? "ldaps" : "ldap", host);
	return sbuf_detach(&sb);
}

static int find_dcs(struct conn *c, const struct ldap_options *o, const char *base,
		    char ***hosts, size_t *n, struct error *err)
{
	static char a_host[] = "dNSHostName";
	char *attrs[] = { a_host, NULL };
	LDAPMessage *res = NULL;
	int rc;

	(void)o;
	rc = ldap_search_ext_s(c->ld, base, LDAP_SCOPE_SUBTREE, DC_FILTER, attrs, 0, NULL, NULL,
			       &c->tv, LDAP_NO_LIMIT, &res);
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return ldap_fail(c, rc, err, "cannot list the domain controllers");
	}
	for (LDAPMessage *e = ldap_first_entry(c->ld, res); e; e = ldap_next_entry(c->ld, e)) {
		struct berval **v = ldap_get_values_len(c->ld, e, "dNSHostName");

		if (v && v[0]) {
			*hosts = xreallocarray(*hosts, *n + 1, sizeof(**hosts));
			(*hosts)[(*n)++] = xstrndup(v[0]->bv_val, v[0]->bv_len);
		}
		if (v)
			ldap_value_free_len(v);
	}
	ldap_msgfree(res);
	return 0;
}

static char *uri_host(const char *uri)
{
	const char *h = strstr(uri, "://");
	size_t n;

	h = h ? h + 3 : uri;
	n = strcspn(h, ":/");
	return xstrndup(h, n);
}

static int read_other_dcs(const struct ldap_options *o, struct conn *main, const char *base,
			  const struct secret *pw, struct logon_map *merged, struct ldap_info *info,
			  struct error *err)
{
	char **hosts = NULL, *main_host = uri_host(main->uri);
	size_t nhosts = 0, njobs = 0;
	struct dc_job *jobs;
	int ret = 0;

	for (size_t i = 0; i < o->ndcs; i++) {
		hosts = xreallocarray(hosts, nhosts + 1, sizeof(*hosts));
		hosts[nhosts++] = xstrdup(o->dcs[i]);
	}
	if (o->all_dcs && find_dcs(main, o, base, &hosts, &nhosts, err) < 0) {
		ret = -1;
		goto out_hosts;
	}
	jobs = xcalloc(nhosts + 1, sizeof(*jobs));
	for (size_t i = 0; i < nhosts; i++) {
		bool dup = str_ieq(hosts[i], main_host);

		for (size_t k = 0; k < njobs && !dup; k++)
			dup = str_ieq(jobs[k].uri, hosts[i]);
		if (dup)
			continue;
		jobs[njobs].o = o;
		jobs[njobs].pw = pw;
		jobs[njobs].uri = dc_uri(main->uri, hosts[i]);
		jobs[njobs].base = base;
		arena_init(&jobs[njobs].result.arena);
		jobs[njobs].result.map.mode = HMAP_EXACT;
		njobs++;
	}
	thread_run_each(dc_thread, jobs, sizeof(*jobs), njobs);
	for (size_t i = 0; i < njobs; i++) {
		struct dc_job *j = &jobs[i];

		if (j->err.code && !ret) {
			error_set(err, j->err.code, "%s", j->err.msg);
			ret = -1;
		}
		for (size_t s = 0; s < j->result.map.size; s++) {
			const struct hmap_slot *slot = &j->result.map.slots[s];
			long long *v, *old;

			if (!slot->key)
				continue;
			v = arena_alloc(&merged->arena, sizeof(*v));
			*v = *(long long *)slot->value;
			old = hmap_put(&merged->map, arena_strdup(&merged->arena, slot->key), v);
			if (old != v && *v > *old)
				*old = *v;
		}
		if (info->nsources < sizeof(info->sources) / sizeof(info->sources[0])) {
			struct sbuf sb = SBUF_INIT;
			char *h = uri_host(j->uri);

			sbuf_addf(&sb, "lastLogon@%s", h);
			free(h);
			info->sources[info->nsources++] = sbuf_detach(&sb);
		}
		hmap_release(&j->result.map);
		arena_release(&j->result.arena);
		free(j->uri);
	}
	free(jobs);
out_hosts:
	for (size_t i = 0; i < nhosts; i++)
		free(hosts[i]);
	free(hosts);
	free(main_host);
	return ret;
}

/* ---- the whole read ------------------------------------------------------ */

/* "\\xx" for each of the 16 bytes of an objectGUID: first, then fill. */
static void guid_value(struct sbuf *sb, unsigned first, unsigned fill)
{
	sbuf_addf(sb, "\\%02x", first);
	for (int i = 1; i < 16; i++)
		sbuf_addf(sb, "\\%02x", fill);
}

/*
 * Whether the server orders objectGUID values, which splitting the search
 * needs: the base entry must pass a filter that every GUID but the greatest
 * passes. A server that cannot order them (the filter is undefined for it,
 * or an error) gets one search.
 */
static bool guid_ordered(struct conn *c, const char *base)
{
	static char a_none[] = "1.1";
	char *attrs[] = { a_none, NULL };
	struct sbuf f = SBUF_INIT;
	LDAPMessage *res = NULL;
	bool yes;
	int rc;

	sbuf_adds(&f, "(&(objectGUID>=");
	guid_value(&f, 0x00, 0x00);
	sbuf_adds(&f, ")(!(objectGUID>=");
	guid_value(&f, 0xff, 0xff);
	sbuf_adds(&f, ")))");
	rc = ldap_search_ext_s(c->ld, base, LDAP_SCOPE_BASE, f.buf, attrs, 0, NULL, NULL, &c->tv, 1,
			       &res);
	watchdog_kick();
	yes = rc == LDAP_SUCCESS && ldap_count_entries(c->ld, res) == 1;
	ldap_msgfree(res);
	sbuf_release(&f);
	return yes;
}

/*
 * Part i of n of the search: the accounts whose objectGUID's first byte is
 * in [256i/n, 256(i+1)/n). GUIDs are random, so the parts are even. The
 * parts are the leaves of a tree of complements: the parts [a, b) split at
 * m by one comparison, (objectGUID>=bound) for [m, b) and its NOT for
 * [a, m), and each half again. Whatever order the server compares GUIDs
 * in, each entry then passes exactly one path of the tree, so it is in
 * exactly one part (guid_ordered() checks that the server compares them
 * at all).
 *
 * An entry whose objectGUID the bind account may not read (an ACE that
 * denies it) is the exception: every comparison is undefined for it, and
 * so is every NOT of one, so it would be in no part while one search
 * returns it. The first part also takes the entries without a readable
 * objectGUID, (!(objectGUID=*)): a presence test is never undefined, and
 * every other part has a comparison that is.
 */
char *ldapsrc_part_filter(size_t i, size_t n)
{
	struct sbuf f = SBUF_INIT;
	size_t a = 0, b = n;

	if (n <= 1)
		return xstrdup(ACCOUNTS_FILTER);
	sbuf_adds(&f, "(&" ACCOUNTS_FILTER);
	if (i == 0)
		sbuf_adds(&f, "(|(!(objectGUID=*))(&");
	while (b - a > 1) {
		size_t m = a + (b - a) / 2;

		sbuf_adds(&f, i < m ? "(!(objectGUID>=" : "(objectGUID>=");
		guid_value(&f, (unsigned)(256 * m / n), 0x00);
		sbuf_adds(&f, i < m ? "))" : ")");
		if (i < m)
			b = m;
		else
			a = m;
	}
	sbuf_adds(&f, i == 0 ? ")))" : ")");
	return sbuf_detach(&f);
}

/* "address port N", or a local socket's path */
#define PEER_MAX (NI_MAXHOST + NI_MAXSERV + sizeof(((struct sockaddr_un *)0)->sun_path) + 8)

/*
 * What c is connected to, in buf (PEER_MAX): the numeric address and port,
 * or the path of a local socket (ldapi://). False when it cannot be told.
 */
static bool peer_of(struct conn *c, char *buf, size_t size)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	char host[NI_MAXHOST], port[NI_MAXSERV];
	ber_socket_t fd;

	if (ldap_get_option(c->ld, LDAP_OPT_DESC, &fd) != LDAP_OPT_SUCCESS ||
	    getpeername(fd, (struct sockaddr *)&sa, &len) < 0)
		return false;
	if (sa.ss_family == AF_UNIX) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)&sa;

		snprintf(buf, size, "%.*s", (int)sizeof(un->sun_path), un->sun_path);
		return true;
	}
	if (getnameinfo((struct sockaddr *)&sa, len, host, sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return false;
	snprintf(buf, size, "%s port %s", host, port);
	return true;
}

/*
 * The connections for the parts of the search, beyond the first: as many
 * as open, down to none, with a warning for the first that does not (a
 * server may limit connections per client). Each must reach the address
 * the first did: a domain's name resolves to every DC, and one DC's
 * entries read with another's would mix two replication states and two
 * DCs' lastLogon. When the first one's cannot be told, neither can that,
 * and the search is read over the first alone. The number of connections.
 */
static size_t open_more(const struct ldap_options *o, struct conn *conns, size_t want,
			const struct secret *pw)
{
	char first[PEER_MAX], peer[PEER_MAX];

	if (!peer_of(&conns[0], first, sizeof(first))) {
		fprintf(stderr, "privaudit: warning: %s: cannot tell which address the connection "
				"reached; reading over 1 connection\n", conns[0].uri);
		return 1;
	}
	for (size_t i = 1; i < want; i++) {
		struct error e = ERROR_INIT;

		if (conn_open(&conns[i], o, conns[0].uri, pw, &e) == 0) {
			bool got = peer_of(&conns[i], peer, sizeof(peer));

			if (got && strcmp(peer, first) == 0) {
				watchdog_kick();
				continue;
			}
			error_set(&e, EXIT_LDAP, "%s: connection %zu reached %s, not %s (another DC?)",
				  conns[0].uri, i + 1, got ? peer : "an address that cannot be told",
				  first);
		}
		fprintf(stderr, "privaudit: warning: %s; reading over %zu connection%s\n", e.msg, i,
			i == 1 ? "" : "s");
		conn_close(&conns[i]);
		return i;
	}
	return want;
}

static void *reader_thread(void *arg)
{
	struct reader *r = arg;

	paged_search(r, r->base, LDAP_SCOPE_SUBTREE, r->filter, r->attrs, process_entry, &r->err);
	return NULL;
}

int ldapsrc_read(const struct ldap_options *o, dir_entry_fn *fn, void *data,
		 struct ldap_info *info, struct error *err)
{
	struct secret pw = SECRET_INIT;
	struct krb_session *krb = NULL;
	struct conn conns[LDAPSRC_MAX_CONNECTIONS];
	struct reader readers[LDAPSRC_MAX_CONNECTIONS];
	char *filters[LDAPSRC_MAX_CONNECTIONS] = { NULL };
	struct logon_map logons;
	struct tally t;
	const char **attrs = NULL;
	char *base = o->base ? xstrdup(o->base) : NULL;
	bool have_logons = o->ndcs || o->all_dcs;
	size_t nconn = 1, want = o->connections > 0 ? (size_t)o->connections
						    : LDAPSRC_DEFAULT_CONNECTIONS;
	int ret = -1;

	memset(info, 0, sizeof(*info));
	if (dynlib_ldap(err) < 0) {
		free(base);
		return -1;
	}
	if (want > LDAPSRC_MAX_CONNECTIONS)
		want = LDAPSRC_MAX_CONNECTIONS;
	memset(conns, 0, sizeof(conns));
	memset(readers, 0, sizeof(readers));
	tally_init(&t, fn, data);
	secret_protect_process();
	memset(&logons, 0, sizeof(logons));
	logons.map.mode = HMAP_EXACT;
	arena_init(&logons.arena);
	if (o->sasl_mech && strcasecmp(o->sasl_mech, "GSSAPI") != 0) {
		error_set(err, EXIT_INPUT, "unsupported SASL mechanism \"%s\" (use GSSAPI)", o->sasl_mech);
		goto out;
	}
	if (o->keytab && !o->principal) {
		error_set(err, EXIT_INPUT, "--keytab needs --principal");
		goto out;
	}
	if (o->bind_dn || (o->principal && !o->keytab)) {
		if (secret_read(&pw, o->password_file, true, "password", err) < 0)
			goto out;
	}
	secret_scrub_env(); /* unused (keytab, ccache, file) or already copied */
	if (o->principal) {
		krb = krb_login(o->principal, o->keytab, pw.buf, err);
		if (!krb)
			goto out;
	}
	watchdog_arm(o->uri ? o->uri : "the LDAP server",
		     (unsigned)(o->timeout > 0 ? o->timeout : DEFAULT_TIMEOUT));
	if (conn_open(&conns[0], o, o->uri, &pw, err) < 0)
		goto out;
	watchdog_arm(conns[0].uri, (unsigned)conns[0].tv.tv_sec);
	if (read_rootdse(&conns[0], &base, err) < 0)
		goto out;
	if (want > 1 && guid_ordered(&conns[0], base))
		nconn = open_more(o, conns, want, &pw);
	if (!have_logons)
		secret_wipe(&pw);
	info->uri = xstrdup(conns[0].uri);
	info->base = xstrdup(base);
	info->sources[info->nsources++] = xstrdup("lastLogonTimestamp");
	{
		struct sbuf sb = SBUF_INIT;
		char *h = uri_host(conns[0].uri);

		sbuf_addf(&sb, "lastLogon@%s", h);
		free(h);
		info->sources[info->nsources++] = sbuf_detach(&sb);
	}
	if (have_logons) {
		if (read_other_dcs(o, &conns[0], base, &pw, &logons, info, err) < 0)
			goto out;
		secret_wipe(&pw);
	}
	attrs = ldapsrc_attributes(o);
	clock_gettime(CLOCK_MONOTONIC, &t.start);
	for (size_t i = 0; i < nconn; i++) {
		struct reader *r = &readers[i];

		filters[i] = ldapsrc_part_filter(i, nconn);
		r->o = o;
		r->c = &conns[i];
		r->t = &t;
		r->logons = have_logons ? &logons : NULL;
		r->base = base;
		r->attrs = (char **)attrs;
		r->filter = filters[i];
	}
	thread_run_each(reader_thread, readers, sizeof(*readers), nconn);
	for (size_t i = 0; i < nconn; i++)
		if (readers[i].first) {
			error_set(err, readers[i].err.code, "%s", readers[i].err.msg);
			goto out;
		}
	progress(&readers[0], true);
	info->entries = t.entries;
	info->connections = nconn;
	ret = 0;
out:
	watchdog_stop();
	if (progress_open) {
		fputc('\n', stderr); /* end the progress line before the error */
		progress_open = 0;
	}
	secret_wipe(&pw);
	free(attrs);
	free(base);
	for (size_t i = 0; i < LDAPSRC_MAX_CONNECTIONS; i++) {
		conn_close(&conns[i]);
		free(filters[i]);
	}
	krb_release(krb);
	hmap_release(&logons.map);
	arena_release(&logons.arena);
	pthread_mutex_destroy(&t.lock);
	return ret;
}

void ldap_info_release(struct ldap_info *info)
{
	free(info->uri);
	free(info->base);
	for (size_t i = 0; i < info->nsources; i++)
		free(info->sources[i]);
	memset(info, 0, sizeof(*info));
}
