/*
 * External evidence from CSV exports (see evidence.h): the MFA enrollment
 * list and the VPN gateway's login times, matched against the resolved
 * directory through an index of the match attribute's values, read with
 * the streaming CSV reader, and applied only once a file has been read
 * completely.
 */
#include "evidence.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "csv.h"
#include "dir.h"
#include "error.h"
#include "exitcode.h"
#include "hmap.h"
#include "policy.h"
#include "sbuf.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

/* ---- times --------------------------------------------------------------- */

struct cur {
	const char *s;
	size_t i, n;
};

static bool at_end(const struct cur *c)
{
	return c->i >= c->n;
}

static char ch(const struct cur *c)
{
	return at_end(c) ? '\0' : c->s[c->i];
}

static void skip_spaces(struct cur *c)
{
	while (ch(c) == ' ' || ch(c) == '\t')
		c->i++;
}

/* Between min and max digits as an int; -1 when there are none or too many. */
static int number(struct cur *c, size_t min, size_t max, int *v)
{
	size_t start = c->i;
	long long x = 0;

	while (!at_end(c) && isdigit((unsigned char)ch(c)) && c->i - start < max) {
		x = x * 10 + (ch(c) - '0');
		c->i++;
	}
	if (c->i - start < min || (!at_end(c) && isdigit((unsigned char)ch(c))))
		return -1;
	*v = (int)x;
	return 0;
}

/* Exactly two digits, whatever follows ("+0900"). */
static int two_digits(struct cur *c, int *v)
{
	if (c->i + 2 > c->n || !isdigit((unsigned char)c->s[c->i]) ||
	    !isdigit((unsigned char)c->s[c->i + 1]))
		return -1;
	*v = (c->s[c->i] - '0') * 10 + (c->s[c->i + 1] - '0');
	c->i += 2;
	return 0;
}

static const char *const month_names[] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december",
};

static const char *const day_names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

/* A run of letters; *len gets its length. */
static const char *word(struct cur *c, size_t *len)
{
	const char *w = c->s + c->i;

	*len = 0;
	while (!at_end(c) && isalpha((unsigned char)ch(c))) {
		c->i++;
		(*len)++;
	}
	return w;
}

/* "Oct" or "October" (any case): 1..12, or 0. */
static int month_of(const char *w, size_t len)
{
	for (int m = 0; m < 12; m++) {
		size_t full = strlen(month_names[m]);

		if ((len == 3 || len == full) && strncasecmp(w, month_names[m], len) == 0)
			return m + 1;
	}
	return 0;
}

static bool is_day_name(const char *w, size_t len)
{
	for (size_t d = 0; d < sizeof(day_names) / sizeof(day_names[0]); d++)
		if (len == 3 && strncasecmp(w, day_names[d], 3) == 0)
			return true;
	return false;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool civil_ok(int y, int mon, int d, int h, int mi, int s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (y < 1601 || y > 9999 || mon < 1 || mon > 12 || d < 1 || h > 23 || mi > 59 || s > 60)
		return false;
	return d <= mdays[mon - 1] + (mon == 2 && leap(y));
}

/* HH:MM[:SS[.fraction]] */
static int clock_time(struct cur *c, int *h, int *mi, int *s)
{
	if (number(c, 1, 2, h) < 0 || ch(c) != ':')
		return -1;
	c->i++;
	if (number(c, 2, 2, mi) < 0)
		return -1;
	*s = 0;
	if (ch(c) == ':') {
		c->i++;
		if (number(c, 2, 2, s) < 0)
			return -1;
		if (ch(c) == '.' || ch(c) == ',') {
			c->i++;
			if (!isdigit((unsigned char)ch(c)))
				return -1;
			while (isdigit((unsigned char)ch(c)))
				c->i++;
		}
	}
	return 0;
}

/* [spaces] Z | UTC | GMT | +HH[[:]MM] | -HH[[:]MM] | nothing (UTC); seconds east. */
static int zone(struct cur *c, int *offset)
{
	size_t len;
	const char *w;
	int sign, oh = 0, om = 0;

	*offset = 0;
	skip_spaces(c);
	if (at_end(c))
		return 0;
	if (ch(c) == 'Z' || ch(c) == 'z') {
		c->i++;
		return at_end(c) ? 0 : -1;
	}
	if (isalpha((unsigned char)ch(c))) {
		w = word(c, &len);
		if (len != 3 || (strncasecmp(w, "UTC", 3) != 0 && strncasecmp(w, "GMT", 3) != 0))
			return -1;
		if (at_end(c))
			return 0;
	}
	if (ch(c) != '+' && ch(c) != '-')
		return -1;
	sign = ch(c) == '-' ? -1 : 1;
	c->i++;
	if (two_digits(c, &oh) < 0)
		return -1;
	if (ch(c) == ':')
		c->i++;
	if (!at_end(c) && two_digits(c, &om) < 0)
		return -1;
	if (oh > 23 || om > 59 || !at_end(c))
		return -1;
	*offset = sign * (oh * 3600 + om * 60);
	return 0;
}

static int finish(int y, int mon, int d, int h, int mi, int s, int offset, int64_t *out)
{
	if (!civil_ok(y, mon, d, h, mi, s))
		return -1;
	*out = time_from_civil(y, mon, d, h, mi, s) - offset;
	return 0;
}

/* YYYY-MM-DD or YYYY/MM/DD, then optionally a time and a zone. */
static int iso_like(struct cur *c, int64_t *out)
{
	int y, mon, d, h = 0, mi = 0, s = 0, off = 0;
	char sep;

	if (number(c, 4, 4, &y) < 0)
		return -1;
	sep = ch(c);
	if (sep != '-' && sep != '/')
		return -1;
	c->i++;
	if (number(c, 1, 2, &mon) < 0 || ch(c) != sep)
		return -1;
	c->i++;
	if (number(c, 1, 2, &d) < 0)
		return -1;
	if (!at_end(c)) {
		if (ch(c) == 'T' || ch(c) == 't')
			c->i++;
		else if (ch(c) == ' ')
			skip_spaces(c);
		else
			return -1;
		if (clock_time(c, &h, &mi, &s) < 0 || zone(c, &off) < 0)
			return -1;
	}
	return finish(y, mon, d, h, mi, s, off, out);
}

/* [Www[,]] DD Mon YYYY HH:MM[:SS] [zone]  or  [Www] Mon DD[,] YYYY HH:MM[:SS] [zone] */
static int words_date(struct cur *c, int64_t *out)
{
	int y, mon, d, h, mi, s, off;
	size_t len;
	const char *w;

	if (isalpha((unsigned char)ch(c))) {
		size_t save = c->i;

		w = word(c, &len);
		if (is_day_name(w, len)) {
			if (ch(c) == ',')
				c->i++;
			skip_spaces(c);
		} else {
			c->i = save;
		}
	}
	if (isdigit((unsigned char)ch(c))) {
		if (number(c, 1, 2, &d) < 0)
			return -1;
		skip_spaces(c);
		w = word(c, &len);
		if (!(mon = month_of(w, len)))
			return -1;
	} else {
		w = word(c, &len);
		if (!(mon = month_of(w, len)))
			return -1;
		skip_spaces(c);
		if (number(c, 1, 2, &d) < 0)
			return -1;
		if (ch(c) == ',')
			c->i++;
	}
	skip_spaces(c);
	if (number(c, 4, 4, &y) < 0)
		return -1;
	if (ch(c) == ',')
		c->i++;
	skip_spaces(c);
	if (clock_time(c, &h, &mi, &s) < 0 || zone(c, &off) < 0)
		return -1;
	return finish(y, mon, d, h, mi, s, off, out);
}

int evidence_parse_time(const char *s, int64_t *out)
{
	struct cur c = { s, 0, strlen(s) };
	size_t digits = 0;

	while (c.n && (s[c.n - 1] == ' ' || s[c.n - 1] == '\t'))
		c.n--;
	skip_spaces(&c);
	if (at_end(&c))
		return -1;
	while (c.i + digits < c.n && isdigit((unsigned char)s[c.i + digits]))
		digits++;
	if (c.i + digits == c.n) {
		/* Unix time: seconds (9-10 digits) or milliseconds (12-13) */
		long long v = 0;

		if (!((digits >= 9 && digits <= 10) || (digits >= 12 && digits <= 13)))
			return -1;
		for (size_t k = 0; k < digits; k++)
			v = v * 10 + (s[c.i + k] - '0');
		*out = digits >= 12 ? v / 1000 : v;
		return 0;
	}
	if (digits == 4)
		return iso_like(&c, out);
	return words_date(&c, out);
}

/* ---- paths --------------------------------------------------------------- */

char *evidence_path(const struct policy *p, const char *csv_path)
{
	struct sbuf sb = SBUF_INIT;
	const char *slash;

	if (csv_path[0] == '/' || !p->path || strcmp(p->path, "-") == 0 ||
	    !(slash = strrchr(p->path, '/')))
		return xstrdup(csv_path);
	sbuf_add(&sb, p->path, (size_t)(slash - p->path) + 1);
	sbuf_adds(&sb, csv_path);
	return sbuf_detach(&sb);
}

/* ---- matching ------------------------------------------------------------ */

/* Accounts sharing one value of the match attribute. */
struct node {
	size_t acc;          /* index in dir.accounts */
	struct node *next;
};

struct loader {
	struct dir *d;
	const struct csv_source *src;
	bool vpn;
	const char *label;   /* "MFA enrollment CSV" */
	const char *path;    /* as opened */
	int64_t now;
	size_t col, tcol;
	struct hmap index;
	struct arena tmp;
	size_t nvalues;      /* values indexed */
	bool *hit;           /* MFA: per account */
	int64_t *last;       /* VPN: per account */
	struct sbuf key;
	struct evidence_csv_stats *st;
};

static void index_add(struct loader *l, const char *val, size_t acc)
{
	struct node *n, *head;

	if (!val || !*val)
		return;
	n = arena_alloc(&l->tmp, sizeof(*n));
	n->acc = acc;
	head = hmap_put(&l->index, val, n);
	l->nvalues++;
	if (head == n)
		return;
	for (struct node *x = head; x; x = x->next)
		if (x->acc == acc)
			return; /* the same account twice: one value, one account */
	n->next = head->next;
	head->next = n;
}

/*
 * Index every account by the match attribute. Returns false (with the
 * reason in *why) when the attribute was not read at all.
 */
static bool index_build(struct loader *l, struct sbuf *why)
{
	struct dir *d = l->d;
	const char *match = l->src->match;
	int idx = dir_extra_lookup(d, match);

	for (size_t i = 0; i < d->naccounts; i++) {
		const struct account *a = d->accounts[i];

		if (idx >= 0) {
			for (const struct dir_value *v = a->extra; v; v = v->next)
				if (v->attr == (unsigned)idx)
					index_add(l, v->val, i);
		} else if (str_ieq(match, "sAMAccountName")) {
			index_add(l, a->h.sam, i);
		} else if (str_ieq(match, "userPrincipalName")) {
			index_add(l, a->upn, i);
		} else {
			sbuf_addf(why, "%s \"%s\": the match attribute \"%s\" was not read from the directory",
				  l->label, l->src->path, match);
			return false;
		}
	}
	if (d->naccounts && !l->nvalues) {
		sbuf_addf(why, "%s \"%s\": the match attribute \"%s\" is absent from all account "
			       "entries (not exported, or not readable by the bind account)",
			  l->label, l->src->path, match);
		return false;
	}
	return true;
}

/* field i of r, trimmed, NUL-terminated in l->key */
static const char *field(struct loader *l, const struct csv_record *r, size_t i)
{
	const char *s = r->fields[i];
	size_t len = r->lens[i];

	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	sbuf_reset(&l->key);
	sbuf_add(&l->key, s, len);
	return l->key.buf;
}

static int on_record(void *data, const struct csv_record *r, struct error *err)
{
	struct loader *l = data;
	struct evidence_csv_stats *st = l->st;
	const struct node *n;
	const char *name;
	int64_t t = TIME_NEVER;

	if (r->index == 0) {
		if (csv_find_column(r, l->src->column, &l->col, err) < 0)
			return -1;
		if (l->vpn && csv_find_column(r, l->src->time_column, &l->tcol, err) < 0)
			return -1;
		return 0;
	}
	st->rows++;
	if (l->vpn) {
		const char *ts = field(l, r, l->tcol);

		if (*ts && evidence_parse_time(ts, &t) < 0)
			return error_set(err, EXIT_INPUT,
					 "%s:%zu: field %zu (\"%s\"): bad time \"%s\" (expected ISO 8601 "
					 "such as 2025-10-04T08:15:00Z, or a format listed in the README)",
					 r->name, r->line, l->tcol + 1, l->src->time_column, ts);
	}
	name = field(l, r, l->col);
	if (!*name) {
		st->empty++;
		return 0;
	}
	n = hmap_get(&l->index, name);
	if (!n) {
		st->unmatched++;
		if (!st->unmatched_example)
			st->unmatched_example = arena_strdup(&l->d->arena, name);
		return 0;
	}
	if (n->next) {
		st->ambiguous++;
		return 0;
	}
	st->matched++;
	if (!l->vpn) {
		l->hit[n->acc] = true;
	} else if (t == TIME_NEVER) {
		st->no_time++;
	} else {
		if (t > l->now)
			st->future++;
		if (l->last[n->acc] == TIME_NEVER || t > l->last[n->acc])
			l->last[n->acc] = t;
	}
	return 0;
}

/* Record why an optional (or unmatchable) source was not loaded. */
static void add_unknown_reason(struct dir *d, bool vpn, const char *why)
{
	const char **slot = vpn ? &d->vpn_csv_unknown_reason : &d->mfa_csv_unknown_reason;

	*slot = arena_strdup(&d->arena, why);
}

static void apply(struct loader *l)
{
	struct dir *d = l->d;

	for (size_t i = 0; i < d->naccounts; i++) {
		struct account *a = d->accounts[i];

		if (!l->vpn) {
			if (l->hit[i]) {
				a->mfa_sources |= MFA_SRC_CSV;
				l->st->accounts++;
			}
		} else {
			a->vpn_last_login = l->last[i];
			l->st->accounts += l->last[i] != TIME_NEVER;
		}
	}
	if (l->vpn)
		d->vpn_csv_loaded = true;
	else
		d->mfa_csv_loaded = true;
	l->st->loaded = true;
}

static int load_one(struct dir *d, const struct policy *p, const struct csv_source *src, bool vpn,
		    int64_t now, struct evidence_csv_stats *st, struct error *err)
{
	struct loader l;
	struct error cerr = ERROR_INIT;
	struct sbuf why = SBUF_INIT;
	char *path;
	FILE *fp;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	if (!src->path)
		return 0;
	st->configured = true;
	memset(&l, 0, sizeof(l));
	l.d = d;
	l.src = src;
	l.vpn = vpn;
	l.label = vpn ? "VPN activity CSV" : "MFA enrollment CSV";
	l.now = now;
	l.st = st;
	l.index.mode = HMAP_CASELESS;
	arena_init(&l.tmp);
	sbuf_init(&l.key);
	path = evidence_path(p, src->path);
	st->path = arena_strdup(&d->arena, path);
	l.path = st->path;

	fp = fopen(path, "rb");
	if (!fp) {
		int e = errno;

		if (!src->optional) {
			rc = error_set(err, EXIT_INPUT, "%s: cannot open: %s", path, strerror(e));
			goto out;
		}
		sbuf_addf(&why, "%s \"%s\" %s (optional): %s: %s", l.label, src->path,
			  e == ENOENT ? "not found" : "cannot be opened", path, strerror(e));
		add_unknown_reason(d, vpn, why.buf);
		goto out;
	}
	if (!index_build(&l, &why)) {
		fclose(fp);
		add_unknown_reason(d, vpn, why.buf);
		goto out;
	}
	if (vpn) {
		l.last = xcalloc(d->naccounts ? d->naccounts : 1, sizeof(*l.last));
		for (size_t i = 0; i < d->naccounts; i++)
			l.last[i] = TIME_NEVER;
	} else {
		l.hit = xcalloc(d->naccounts ? d->naccounts : 1, sizeof(*l.hit));
	}
	rc = csv_read(fp, path, on_record, &l, &cerr);
	fclose(fp);
	if (rc < 0) {
		if (!src->optional) {
			error_set(err, cerr.code ? cerr.code : EXIT_INPUT, "%s", cerr.msg);
			goto out;
		}
		/* optional: a malformed export is as good as a missing one */
		sbuf_addf(&why, "%s \"%s\" is malformed (optional): %s", l.label, src->path, cerr.msg);
		add_unknown_reason(d, vpn, why.buf);
		rc = 0;
		st->rows = st->matched = st->unmatched = st->ambiguous = st->empty = 0;
		st->no_time = st->future = 0;
		goto out;
	}
	apply(&l);
out:
	free(path);
	free(l.hit);
	free(l.last);
	hmap_release(&l.index);
	arena_release(&l.tmp);
	sbuf_release(&l.key);
	sbuf_release(&why);
	return rc;
}

int evidence_load_stats(struct dir *d, const struct policy *p, int64_t now,
			struct evidence_stats *st, struct error *err)
{
	struct evidence_stats local;

	if (!st)
		st = &local;
	memset(st, 0, sizeof(*st));
	if (!d->resolved)
		return error_set(err, EXIT_INPUT,
				 "evidence: the directory must be resolved before the CSVs are applied");
	if (load_one(d, p, &p->mfa_enrollment, false, now, &st->mfa, err) < 0)
		return -1;
	return load_one(d, p, &p->vpn_activity, true, now, &st->vpn, err);
}

int evidence_load(struct dir *d, const struct policy *p, int64_t now, struct error *err)
{
	return evidence_load_stats(d, p, now, NULL, err);
}

static void describe_one(const struct evidence_csv_stats *s, const char *label, bool vpn,
			 struct sbuf *sb)
{
	if (!s->configured)
		return;
	sbuf_addf(sb, "%s \"%s\": ", label, s->path ? s->path : "");
	if (!s->loaded) {
		sbuf_adds(sb, "not loaded (see the unknown checks)\n");
		return;
	}
	sbuf_addf(sb, "%zu row%s, %zu matched, %zu unmatched", s->rows, s->rows == 1 ? "" : "s",
		  s->matched, s->unmatched);
	if (s->unmatched_example)
		sbuf_addf(sb, " (first: \"%s\")", s->unmatched_example);
	if (s->ambiguous)
		sbuf_addf(sb, ", %zu ambiguous (ignored)", s->ambiguous);
	if (s->empty)
		sbuf_addf(sb, ", %zu with an empty name", s->empty);
	if (vpn && s->no_time)
		sbuf_addf(sb, ", %zu without a time", s->no_time);
	if (vpn && s->future)
		sbuf_addf(sb, ", %zu after the evaluation time", s->future);
	sbuf_addf(sb, "; %zu account%s %s\n", s->accounts, s->accounts == 1 ? "" : "s",
		  vpn ? "with a VPN login" : "with MFA evidence");
}

void evidence_stats_describe(const struct evidence_stats *st, struct sbuf *sb)
{
	describe_one(&st->mfa, "MFA enrollment CSV", false, sb);
	describe_one(&st->vpn, "VPN activity CSV", true, sb);
}
