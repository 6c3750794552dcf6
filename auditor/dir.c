/*
 * The directory model: building it from raw entries, and lookups (see
 * dir.h). Resolution and classification are in resolve.c.
 */
#include "dir.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "exitcode.h"
#include "sbuf.h"
#include "sid.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

/* The attributes the audit reads: the one place that lists them. */
static const char *const attr_names[ATTR_COUNT] = {
	[ATTR_OBJECTCLASS] = "objectClass",
	[ATTR_SAMACCOUNTNAME] = "sAMAccountName",
	[ATTR_USERPRINCIPALNAME] = "userPrincipalName",
	[ATTR_OBJECTSID] = "objectSid",
	[ATTR_OBJECTGUID] = "objectGUID",
	[ATTR_CN] = "cn",
	[ATTR_USERACCOUNTCONTROL] = "userAccountControl",
	[ATTR_ACCOUNTEXPIRES] = "accountExpires",
	[ATTR_PWDLASTSET] = "pwdLastSet",
	[ATTR_LASTLOGON] = "lastLogon",
	[ATTR_LASTLOGONTIMESTAMP] = "lastLogonTimestamp",
	[ATTR_WHENCREATED] = "whenCreated",
	[ATTR_WHENCHANGED] = "whenChanged",
	[ATTR_PRIMARYGROUPID] = "primaryGroupID",
	[ATTR_SERVICEPRINCIPALNAME] = "servicePrincipalName",
	[ATTR_ADMINCOUNT] = "adminCount",
	[ATTR_DESCRIPTION] = "description",
	[ATTR_INFO] = "info",
	[ATTR_SIDHISTORY] = "sIDHistory",
	[ATTR_MSNPALLOWDIALIN] = "msNPAllowDialin",
	[ATTR_SUPPORTEDENCTYPES] = "msDS-SupportedEncryptionTypes",
	[ATTR_MEMBER] = "member",
	[ATTR_GROUPTYPE] = "groupType",
	[ATTR_SAMACCOUNTTYPE] = "sAMAccountType",
	[ATTR_MINPWDLENGTH] = "minPwdLength",
	[ATTR_PWDHISTORYLENGTH] = "pwdHistoryLength",
	[ATTR_MAXPWDAGE] = "maxPwdAge",
	[ATTR_MINPWDAGE] = "minPwdAge",
	[ATTR_LOCKOUTTHRESHOLD] = "lockoutThreshold",
	[ATTR_LOCKOUTDURATION] = "lockoutDuration",
	[ATTR_PWDPROPERTIES] = "pwdProperties",
	[ATTR_PSO_PRECEDENCE] = "msDS-PasswordSettingsPrecedence",
	[ATTR_PSO_MINLENGTH] = "msDS-MinimumPasswordLength",
	[ATTR_PSO_HISTORY] = "msDS-PasswordHistoryLength",
	[ATTR_PSO_LOCKOUTTHRESHOLD] = "msDS-LockoutThreshold",
	[ATTR_PSO_COMPLEXITY] = "msDS-PasswordComplexityEnabled",
	[ATTR_PSO_REVERSIBLE] = "msDS-PasswordReversibleEncryptionEnabled",
	[ATTR_PSO_MAXAGE] = "msDS-MaximumPasswordAge",
	[ATTR_PSO_APPLIESTO] = "msDS-PSOAppliesTo",
	[ATTR_PSOAPPLIED] = "msDS-PSOApplied",
};

const char *dir_kind_name(enum obj_kind k)
{
	switch (k) {
	case OBJ_USER: return "user";
	case OBJ_COMPUTER: return "computer";
	case OBJ_GMSA: return "gmsa";
	case OBJ_GROUP: return "group";
	case OBJ_DOMAIN: return "domain";
	case OBJ_PSO: return "pso";
	default: return "unknown";
	}
}

const char *dir_attr_name(enum dir_attr a)
{
	return (unsigned)a < ATTR_COUNT ? attr_names[a] : NULL;
}

/* The fixed attributes by name, made once (the LDIF reader's thread may be first). */
static struct hmap attr_map = HMAP_INIT;
static pthread_once_t attr_map_once = PTHREAD_ONCE_INIT;

static void attr_map_make(void)
{
	for (int i = 0; i < ATTR_COUNT; i++)
		hmap_put(&attr_map, attr_names[i], (void *)(intptr_t)(i + 1));
}

int dir_attr_lookup(const char *name)
{
	pthread_once(&attr_map_once, attr_map_make);
	return (int)(intptr_t)hmap_get(&attr_map, name) - 1;
}

void dir_init(struct dir *d, const char *const *extra_names, size_t nextra)
{
	memset(d, 0, sizeof(*d));
	arena_init(&d->arena);
	arena_init(&d->dns);
	arena_init(&d->account_mem);
	arena_init(&d->members);
	d->by_dn.mode = HMAP_FOLDED;
	d->member_parents.mode = HMAP_EXACT;
	d->extra_names = arena_alloc(&d->arena, (nextra + 1) * sizeof(*d->extra_names));
	for (size_t i = 0; i < nextra && i < 64; i++)
		d->extra_names[d->nextra++] = arena_strdup(&d->arena, extra_names[i]);
	d->domain.h.kind = OBJ_DOMAIN;
	d->domain.min_pwd_length = d->domain.pwd_history = -1;
	d->domain.lockout_threshold = d->domain.pwd_properties = -1;
	d->domain.max_pwd_age = d->domain.min_pwd_age = d->domain.lockout_duration = TIME_NEVER;
}

void dir_expect(struct dir *d, size_t n)
{
	hmap_reserve(&d->by_dn, n);
}

static void lookup_release(struct member_lookup *l)
{
	free(l->vals);
	free(l->ndns);
	free(l->hash);
	free(l->any_case);
	free(l->len);
	free(l->at);
	free(l->found);
	sbuf_release(&l->pending);
	memset(l, 0, sizeof(*l));
}

void dir_release(struct dir *d)
{
	dir_release_members(d);  /* before the groups go: it clears their lists */
	free(d->accounts);
	free(d->privileged);
	free(d->groups);
	free(d->psos);
	free(d->targets);
	free(d->pso_applied);
	free(d->pso_applied_to);
	hmap_release(&d->by_dn);
	hmap_release(&d->by_sid);
	hmap_release(&d->by_sam);
	arena_release(&d->arena);
	arena_release(&d->dns);
	arena_release(&d->account_mem);
	memset(d, 0, sizeof(*d));
}

struct builder {
	struct dir *d;
	const struct raw_entry *e;
	struct error *err;
	int *ids;                 /* per raw attribute: its enum dir_attr, or -1 */
	uint64_t *extra_mask;     /* per raw attribute: the extra attributes it is */
	int last[ATTR_COUNT];     /* the last raw attribute of each id, or -1 */
	int first[ATTR_COUNT];    /* and the first, when last is not -1 */
	uint64_t seen;            /* the ids with a value (ATTR_BIT) */
	uint64_t extras;          /* the extra attributes present (extra_mask's bits) */
};

static size_t base_name_len(const struct raw_attr *ra)
{
	return ra->base_len ? ra->base_len : strcspn(ra->name, ";");
}

static int bad_value(struct builder *b, const struct raw_attr *ra, const char *what)
{
	if (ra && ra->line)
		return error_set(b->err, EXIT_INPUT, "%s:%zu:%zu: bad %s value for \"%s\"",
				 b->e->origin, ra->line, ra->col, what, b->e->dn);
	return error_set(b->err, EXIT_INPUT, "%s: bad %s value for \"%s\"", b->e->origin, what,
			 b->e->dn);
}

/*
 * Every value of fixed attribute a, across the raw attributes that carry
 * it: those from its first to its last, none when it has none.
 */
#define FOR_VALUES(b, a, ra, v)                                                   \
	for (int i_ = (b)->last[a] < 0 ? 0 : (b)->first[a]; i_ <= (b)->last[a]; i_++) \
		if ((b)->ids[i_] == (a) && ((ra) = &(b)->e->attrs[i_]))           \
			for (size_t j_ = 0; j_ < (ra)->nvals && ((v) = &(ra)->vals[j_]); j_++)

/* The name cache's slot for name[0..n), and its words. */
static size_t name_slot(const char *name, size_t n, uint64_t *head, uint64_t *tail, uint64_t *mid)
{
	dir_name_words(name, n, head, tail);
	*mid = 0;
	if (n > 16)
		memcpy(mid, name + 8, 8);
	return (size_t)(((*head * 0x9e3779b97f4a7c15ULL) ^ (*tail * 0xc4ceb9fe1a85ec53ULL) ^ n) >>
			40) & (DIR_NAME_CACHE - 1);
}

/*
 * Sources repeat the same few spellings of attribute names millions of
 * times, so the answer for each spelling is kept in a small hash table
 * before the lookup proper, placed by dir_name_words() (names that share
 * them, or a slot, take the next free one). When the table is as full as
 * it may be, further spellings are looked up every time.
 *
 * A spelling found is remembered as the one that follows the spelling
 * found before it (dir_attr_next()).
 */
int dir_attr_seen(struct dir *d, const char *raw, size_t n, uint64_t *extra)
{
	size_t slot;
	uint64_t head, tail, mid;

	/* no name of 0 bytes or of 96 and more is kept: none is found */
	*extra = 0;
	slot = name_slot(raw, n, &head, &tail, &mid);
	for (; d->name_cache[slot].len; slot = (slot + 1) & (DIR_NAME_CACHE - 1)) {
		/*
		 * The three words are the whole name up to 24 bytes; beyond,
		 * the rest of its middle is compared.
		 */
		if (d->name_cache[slot].len == n && d->name_cache[slot].head == head &&
		    d->name_cache[slot].tail == tail && d->name_cache[slot].mid == mid &&
		    (n <= 24 || dir_name_same_middle(d->name_cache[slot].name, raw, n))) {
			d->name_next[d->name_prev] = (uint8_t)slot;
			d->name_prev = (uint8_t)slot;
			*extra = d->name_cache[slot].extra;
			return d->name_cache[slot].id;
		}
	}
	return DIR_ATTR_UNSEEN;
}

/*
 * The lookup proper, of a spelling not in the cache, which it then enters
 * in the first free slot when there is room.
 */
static int __attribute__((noinline))
classify_new(struct dir *d, const char *raw, size_t n, uint64_t *extra)
{
	char name[96];
	uint64_t head, tail, mid;
	size_t slot = name_slot(raw, n, &head, &tail, &mid);
	int id;

	memcpy(name, raw, n);
	name[n] = '\0';
	id = dir_attr_lookup(name);
	for (size_t k = 0; k < d->nextra; k++)
		if (str_ieq(name, d->extra_names[k]))
			*extra |= UINT64_C(1) << k;
	if (d->nname_cache < DIR_NAME_CACHE / 4 * 3) {
		while (d->name_cache[slot].len)
			slot = (slot + 1) & (DIR_NAME_CACHE - 1);
		memcpy(d->name_cache[slot].name, name, n + 1);
		d->name_cache[slot].len = n;
		d->name_cache[slot].head = head;
		d->name_cache[slot].tail = tail;
		d->name_cache[slot].mid = mid;
		d->name_cache[slot].id = id;
		d->name_cache[slot].extra = *extra;
		d->nname_cache++;
	}
	return id;
}

int dir_attr_classify(struct dir *d, const char *raw, size_t n, uint64_t *extra)
{
	int id = dir_attr_seen(d, raw, n, extra);

	if (id != DIR_ATTR_UNSEEN)
		return id;
	if (n == 0 || n >= sizeof(d->name_cache[0].name))
		return -1;
	return classify_new(d, raw, n, extra);
}

/* The fixed attribute a raw attribute carries, or -1 (dir_attr_classify). */
static int attr_of(struct dir *d, const struct raw_attr *ra, uint64_t *extra)
{
	if (ra->classified) {
		*extra = ra->extra;
		return ra->id;
	}
	return dir_attr_classify(d, ra->name, base_name_len(ra), extra);
}

/* The last value of a single-valued attribute, or NULL. */
static const struct raw_value *single(struct builder *b, int a, const struct raw_attr **where)
{
	const struct raw_attr *ra;

	if (b->last[a] < 0)
		return NULL;
	ra = &b->e->attrs[b->last[a]];
	if (!ra->nvals)
		return NULL;
	*where = ra;
	return &ra->vals[ra->nvals - 1];
}

static const char *dup_value(struct builder *b, const struct raw_value *v)
{
	return arena_strndup(&b->d->arena, v->val, v->len);
}

static int get_int(struct builder *b, int a, int64_t *out, bool *present)
{
	const struct raw_attr *ra = NULL;
	const struct raw_value *v = single(b, a, &ra);

	if (present)
		*present = v != NULL;
	if (!v)
		return 0;
	if (str_to_int64(v->val, v->len, out) < 0)
		return bad_value(b, ra, "integer");
	return 0;
}

static int get_bool(struct builder *b, int a, int *out)
{
	const struct raw_attr *ra = NULL;
	const struct raw_value *v = single(b, a, &ra);

	*out = -1;
	if (!v)
		return 0;
	if (v->len == 4 && str_nieq(v->val, 4, "TRUE"))
		*out = 1;
	else if (v->len == 5 && str_nieq(v->val, 5, "FALSE"))
		*out = 0;
	else
		return bad_value(b, ra, "boolean");
	return 0;
}

enum time_enc { T_FILETIME, T_GENTIME, T_INTERVAL };

static int get_time(struct builder *b, int a, enum time_enc enc, int64_t *out, bool *zero)
{
	const struct raw_attr *ra = NULL;
	const struct raw_value *v = single(b, a, &ra);
	int r;

	*out = TIME_NEVER;
	if (zero)
		*zero = false;
	if (!v)
		return 0;
	if (enc == T_FILETIME)
		r = time_from_filetime(v->val, v->len, out);
	else if (enc == T_GENTIME)
		r = time_from_gentime(v->val, v->len, out);
	else
		r = time_from_interval(v->val, v->len, out);
	if (r < 0)
		return bad_value(b, ra, enc == T_GENTIME ? "GeneralizedTime" : "time");
	if (zero && v->len == 1 && v->val[0] == '0')
		*zero = true;
	return 0;
}

/* A SID value: binary, or text "S-1-..." (hand-written LDIF). */
static const char *sid_value(struct builder *b, const struct raw_attr *ra, const struct raw_value *v)
{
	char buf[SID_TEXT_MAX];

	if (v->len > 4 && v->len < SID_TEXT_MAX && (v->val[0] == 'S' || v->val[0] == 's') &&
	    v->val[1] == '-') {
		memcpy(buf, v->val, v->len);
		buf[v->len] = '\0';
		if (sid_is_text(buf)) {
			buf[0] = 'S';
			return arena_strdup(&b->d->arena, buf);
		}
	}
	if (sid_to_text_cached(&b->d->sid_cache, (const unsigned char *)v->val, v->len, buf,
			       sizeof(buf)) < 0) {
		bad_value(b, ra, "SID");
		return NULL;
	}
	return arena_strdup(&b->d->arena, buf);
}

static const char *guid_value(struct builder *b, const struct raw_value *v)
{
	static const char hex[] = "0123456789abcdef";
	char buf[33];

	if (v->len != 16) {
		/* text form: keep the hex digits, lower-cased */
		struct sbuf sb = SBUF_INIT;
		const char *s;

		for (size_t i = 0; i < v->len; i++)
			if (isxdigit((unsigned char)v->val[i]))
				sbuf_addch(&sb, (char)tolower((unsigned char)v->val[i]));
		s = arena_strdup(&b->d->arena, sb.buf);
		sbuf_release(&sb);
		return s;
	}
	for (int i = 0; i < 16; i++) {
		buf[2 * i] = hex[(unsigned char)v->val[i] >> 4];
		buf[2 * i + 1] = hex[(unsigned char)v->val[i] & 15];
	}
	buf[32] = '\0';
	return arena_strdup(&b->d->arena, buf);
}

static const char **multi(struct builder *b, int a, size_t *n)
{
	const struct raw_attr *ra;
	const struct raw_value *v;
	const char **out;
	size_t k = 0;

	*n = 0;
	FOR_VALUES(b, a, ra, v)
		k++;
	if (!k)
		return NULL;
	out = arena_alloc_aligned(&b->d->arena, k * sizeof(*out), _Alignof(const char *));
	FOR_VALUES(b, a, ra, v)
		out[(*n)++] = dup_value(b, v);
	return out;
}

/* Whether value v is the class name lit in any case: a length first, no call. */
#define CLASS_IS(v, lit) ((v)->len == sizeof(lit) - 1 && str_nieq((v)->val, (v)->len, (lit)))

static enum obj_kind kind_of(struct builder *b, bool *known)
{
	const struct raw_attr *ra;
	const struct raw_value *v;
	bool user = false, computer = false, gmsa = false, group = false, domain = false,
	     pso = false, any = false;
	int64_t sat = -1;

	FOR_VALUES(b, ATTR_OBJECTCLASS, ra, v) {
		any = true;
		if (CLASS_IS(v, "user"))
			user = true;
		else if (CLASS_IS(v, "computer"))
			computer = true;
		else if (CLASS_IS(v, "msDS-GroupManagedServiceAccount") ||
			 CLASS_IS(v, "msDS-ManagedServiceAccount"))
			gmsa = true;
		else if (CLASS_IS(v, "group"))
			group = true;
		else if (CLASS_IS(v, "domainDNS"))
			domain = true;
		else if (CLASS_IS(v, "msDS-PasswordSettings"))
			pso = true;
	}
	*known = true;
	if (gmsa)
		return OBJ_GMSA;
	if (computer)
		return OBJ_COMPUTER;
	if (user)
		return OBJ_USER;
	if (group)
		return OBJ_GROUP;
	if (domain)
		return OBJ_DOMAIN;
	if (pso)
		return OBJ_PSO;
	if (!any) {
		/* exports without objectClass: sAMAccountType tells */
		const struct raw_attr *where = NULL;
		const struct raw_value *t = single(b, ATTR_SAMACCOUNTTYPE, &where);

		if (t && str_to_int64(t->val, t->len, &sat) == 0) {
			if (sat == 805306368)
				return OBJ_USER;
			if (sat == 805306369)
				return OBJ_COMPUTER;
			if (sat == 268435456 || sat == 268435457 || sat == 536870912 ||
			    sat == 536870913)
				return OBJ_GROUP;
		}
	}
	*known = false;
	return OBJ_USER;
}

static int fill_obj(struct builder *b, struct dir_obj *h, enum obj_kind kind)
{
	const struct raw_attr *ra = NULL;
	const struct raw_value *v;
	const struct raw_ndn *given = b->e->ndn;
	size_t len = given && given->any_case ? given->len : strlen(b->e->dn);
	char small[512], *ndn = small;
	const char *key;
	size_t nlen;
	uint64_t hash;

	if (given) {
		ndn = (char *)given->ndn;
		nlen = given->len;
		hash = given->hash;
	} else {
		if (len >= sizeof(small))
			ndn = xmalloc(len + 1);
		nlen = dn_normalise_into(b->e->dn, len, ndn);
		hash = hmap_hash_exact(ndn);
	}
	h->kind = kind;
	if ((given && given->any_case) || (nlen == len && str_ieq_bytes(b->e->dn, ndn, len))) {
		/* the normalised DN is the DN in lower case: the map folds it */
		h->dn = arena_strndup(&b->d->dns, b->e->dn, len);
		key = h->dn;
	} else {
		/* rare */
		char *both = arena_alloc_aligned(&b->d->dns, len + 1 + nlen + 1, 1);

		memcpy(both, b->e->dn, len);
		memcpy(both + len + 1, ndn, nlen);
		h->dn = both;
		h->ndn_apart = true;
		key = both + len + 1;
	}
	if (ndn != small && !given)
		free(ndn);
	h->seen = b->seen;
	if ((v = single(b, ATTR_OBJECTSID, &ra)) && !(h->sid = sid_value(b, ra, v)))
		return -1;
	if ((v = single(b, ATTR_SAMACCOUNTNAME, &ra)))
		h->sam = dup_value(b, v);
	if (hmap_put_hashed(&b->d->by_dn, key, hash, h) != h)
		return error_set(b->err, EXIT_INPUT, "%s:%zu: duplicate entry \"%s\"", b->e->origin,
				 b->e->line, b->e->dn);
	if (kind == OBJ_GROUP || kind == OBJ_PSO || kind == OBJ_DOMAIN) {
		if (h->sid)
			hmap_put(&b->d->by_sid, h->sid, h);
		if (h->sam)
			hmap_put(&b->d->by_sam, h->sam, h);
	}
	b->d->seen[kind] |= h->seen;
	return 0;
}

static const char *opt_string(struct builder *b, int a)
{
	const struct raw_attr *ra = NULL;
	const struct raw_value *v = single(b, a, &ra);

	return v ? dup_value(b, v) : NULL;
}

/* opt_string, sharing same (the sAMAccountName) when the value equals it. */
static const char *shared_string(struct builder *b, int a, const char *same)
{
	const struct raw_attr *ra = NULL;
	const struct raw_value *v = single(b, a, &ra);

	if (!v)
		return NULL;
	if (same && strlen(same) == v->len && memcmp(same, v->val, v->len) == 0)
		return same;
	return dup_value(b, v);
}

/* a->more, made when first needed. */
static struct account_more *more_of(struct builder *b, struct account *a)
{
	if (!a->more)
		a->more = arena_alloc(&b->d->arena, sizeof(struct account_more));
	return a->more;
}

static int add_extras(struct builder *b, struct account *acc, enum obj_kind kind)
{
	for (size_t i = 0; i < b->e->nattrs && b->extras; i++) {
		const struct raw_attr *ra = &b->e->attrs[i];

		if (!(b->extra_mask[i]))
			continue;
		for (size_t k = 0; k < b->d->nextra; k++) {
			if (!(b->extra_mask[i] >> k & 1))
				continue;
			for (size_t j = 0; j < ra->nvals; j++) {
				const struct raw_value *rv = &ra->vals[j];
				struct dir_value *dv = arena_alloc_aligned(
					&b->d->arena, offsetof(struct dir_value, val) + rv->len + 1,
					_Alignof(struct dir_value));

				dv->attr = (unsigned)k;
				memcpy(dv->val, rv->val, rv->len);
				dv->next = acc->extra;
				acc->extra = dv;
				b->d->extra_seen[kind] |= UINT64_C(1) << k;
			}
		}
	}
	return 0;
}

/* Remember the PSOs applied to obj (checked by dir_resolve once all is read). */
static void record_pso_applied(struct builder *b, const struct dir_obj *obj)
{
	const struct raw_attr *ra;
	const struct raw_value *v;
	struct dir *d = b->d;

	FOR_VALUES(b, ATTR_PSOAPPLIED, ra, v) {
		xgrow(&d->pso_applied, &d->pso_applied_alloc, d->npso_applied + 1,
		      sizeof(*d->pso_applied));
		d->pso_applied_to = xreallocarray(d->pso_applied_to, d->pso_applied_alloc,
						  sizeof(*d->pso_applied_to));
		d->pso_applied[d->npso_applied] = dup_value(b, v);
		d->pso_applied_to[d->npso_applied++] = obj;
	}
}

static int add_account(struct builder *b, enum obj_kind kind)
{
	struct account *a = arena_alloc_aligned(&b->d->account_mem, sizeof(*a),
						_Alignof(struct account));
	const struct raw_attr *ra;
	const struct raw_value *v;
	const char *info;
	int64_t x;
	int dialin;
	bool present;
	size_t nspns;

	if (fill_obj(b, &a->h, kind) < 0)
		return -1;
	a->upn = opt_string(b, ATTR_USERPRINCIPALNAME);
	a->cn = shared_string(b, ATTR_CN, a->h.sam);
	a->description = opt_string(b, ATTR_DESCRIPTION);
	if ((info = opt_string(b, ATTR_INFO)))
		more_of(b, a)->info = info;
	if (get_int(b, ATTR_USERACCOUNTCONTROL, &x, &present) < 0)
		return -1;
	a->uac = present ? (uint32_t)x : 0;
	if (get_int(b, ATTR_PRIMARYGROUPID, &x, &a->has_primary_gid) < 0)
		return -1;
	a->primary_gid = a->has_primary_gid ? (uint32_t)x : 0;
	if (get_int(b, ATTR_ADMINCOUNT, &x, &present) < 0)
		return -1;
	a->admin_count = present ? (int)x : -1;
	if (get_bool(b, ATTR_MSNPALLOWDIALIN, &dialin) < 0)
		return -1;
	a->dialin = (int8_t)dialin;
	if (get_int(b, ATTR_SUPPORTEDENCTYPES, &x, &a->has_enctypes) < 0)
		return -1;
	a->enctypes = a->has_enctypes ? (uint32_t)x : 0;
	if (get_time(b, ATTR_PWDLASTSET, T_FILETIME, &a->pwd_last_set, NULL) < 0)
		return -1;
	if (a->h.seen & ATTR_BIT(ATTR_PWDLASTSET))
		a->pwd_state = a->pwd_last_set == TIME_NEVER ? PWD_MUST_CHANGE : PWD_SET;
	if (get_time(b, ATTR_ACCOUNTEXPIRES, T_FILETIME, &a->account_expires, NULL) < 0 ||
	    get_time(b, ATTR_LASTLOGON, T_FILETIME, &a->last_logon, NULL) < 0 ||
	    get_time(b, ATTR_LASTLOGONTIMESTAMP, T_FILETIME, &a->last_logon_ts, NULL) < 0 ||
	    get_time(b, ATTR_WHENCREATED, T_GENTIME, &a->when_created, NULL) < 0 ||
	    get_time(b, ATTR_WHENCHANGED, T_GENTIME, &a->when_changed, NULL) < 0)
		return -1;
	record_pso_applied(b, &a->h);
	a->spns = multi(b, ATTR_SERVICEPRINCIPALNAME, &nspns);
	a->nspns = (uint32_t)nspns;
	{
		size_t k = 0;

		FOR_VALUES(b, ATTR_SIDHISTORY, ra, v)
			k++;
		if (k) {
			struct account_more *more = more_of(b, a);

			more->sid_history = arena_alloc(&b->d->arena, k * sizeof(*more->sid_history));
			FOR_VALUES(b, ATTR_SIDHISTORY, ra, v) {
				const char *s = sid_value(b, ra, v);

				if (!s)
					return -1;
				more->sid_history[more->nsid_history++] = s;
			}
		}
	}
	a->vpn_last_login = TIME_NEVER;
	a->h.index = (uint32_t)b->d->naccounts;
	add_extras(b, a, kind);
	xgrow(&b->d->accounts, &b->d->accounts_alloc, b->d->naccounts + 1, sizeof(*b->d->accounts));
	b->d->accounts[b->d->naccounts++] = a;
	return 0;
}

/* A copy of the n pointers of v in the member arena. */
static void *members_copy(struct dir *d, const void *v, size_t n)
{
	void *copy = arena_alloc_aligned(&d->members, n * sizeof(void *), _Alignof(void *));

	memcpy(copy, v, n * sizeof(void *));
	return copy;
}

/* Room in l for the lookup of n members. */
static void lookup_grow(struct member_lookup *l, size_t n)
{
	if (n <= l->alloc)
		return;
	if (n < 2 * l->alloc)
		n = 2 * l->alloc;
	lookup_release(l);
	l->vals = xreallocarray(NULL, n, sizeof(*l->vals));
	l->ndns = xreallocarray(NULL, n, sizeof(*l->ndns));
	l->hash = xreallocarray(NULL, n, sizeof(*l->hash));
	l->any_case = xreallocarray(NULL, n, sizeof(*l->any_case));
	l->len = xreallocarray(NULL, n, sizeof(*l->len));
	l->at = xreallocarray(NULL, n, sizeof(*l->at));
	l->found = xreallocarray(NULL, n, sizeof(*l->found));
	l->alloc = n;
}

/* The number of parent (the end of a normalised DN) in dir.member_parents. */
static size_t parent_number(struct dir *d, const char *parent)
{
	size_t len = strlen(parent);
	uint64_t h = hmap_hash_bytes(parent, len);
	size_t n = (size_t)(uintptr_t)hmap_get_hashed(&d->member_parents, parent, h);
	char *copy;

	if (n)
		return n;
	copy = arena_strndup(&d->members, parent, len);
	xgrow(&d->parent_dns, &d->parent_dns_alloc, d->nparent_dns + 1, sizeof(*d->parent_dns));
	d->parent_dns[d->nparent_dns++] = copy;
	hmap_put_hashed(&d->member_parents, copy, h, (void *)(uintptr_t)d->nparent_dns);
	return d->nparent_dns;
}

/*
 * Where ndn's first RDN ends: its first comma not escaped, or NULL. Any
 * comma would do (the record joins the two parts back as they were); the
 * first separator gives the fewest distinct ends.
 */
static const char *first_rdn_end(const char *ndn)
{
	for (const char *c = ndn; *c; c++) {
		if (*c == ',')
			return c;
		if (*c == '\\' && !*++c)
			break;
	}
	return NULL;
}

/* Append the record of normalised DN ndn to sb (see group.pending). */
static void pending_append(struct dir *d, struct sbuf *sb, const char *ndn)
{
	const char *comma = first_rdn_end(ndn);
	unsigned char num[10];

	sbuf_add(sb, num, varint_put(num, comma ? parent_number(d, comma + 1) : 0));
	sbuf_add(sb, ndn, comma ? (size_t)(comma - ndn) : strlen(ndn));
	sbuf_addch(sb, '\0');
}

/*
 * Resolve the member DNs of the group's entry. A group of a large domain
 * lists members spread over the whole DN map: all are normalised and
 * hashed first (unless the source did it), then looked up together so
 * that the cache misses overlap (hmap_get_many). Members not read yet
 * wait as records of their normalised DNs (group.pending).
 */
static int add_members(struct builder *b, struct group *g)
{
	struct member_lookup *l = &b->d->lookup;
	const struct raw_attr *ra;
	const struct raw_value *v;
	struct sbuf buf = SBUF_INIT, lower = SBUF_INIT;
	size_t n = 0, i = 0;

	FOR_VALUES(b, ATTR_MEMBER, ra, v)
		n++;
	if (!n)
		return 0;
	lookup_grow(l, n);
	FOR_VALUES(b, ATTR_MEMBER, ra, v) {
		l->vals[i] = v;
		if (ra->ndns) {
			l->ndns[i] = ra->ndns[v - ra->vals].ndn;
			l->hash[i] = ra->ndns[v - ra->vals].hash;
			l->any_case[i] = ra->ndns[v - ra->vals].any_case;
			l->len[i] = ra->ndns[v - ra->vals].len;
		} else {
			/* buf moves as it grows: pointed into once it is complete */
			l->ndns[i] = NULL;
			l->at[i] = dir_ndn_append(&buf, v->val, v->len, &l->hash[i]);
			l->any_case[i] = false;
			l->len[i] = buf.len - l->at[i] - 1;
		}
		i++;
	}
	for (i = 0; i < n; i++)
		if (!l->ndns[i])
			l->ndns[i] = buf.buf + l->at[i];
	hmap_get_many(&b->d->by_dn, l->ndns, l->len, l->hash, n, l->any_case, l->found);
	/* the found filled in place, never ahead of i */
	sbuf_reset(&l->pending);
	for (i = 0; i < n; i++) {
		if (l->found[i]) {
			l->found[g->nmember_objs++] = l->found[i];
		} else {
			if (l->any_case[i]) {
				/* a record holds the DN normalised: in lower case */
				uint64_t unused;

				sbuf_reset(&lower);
				dir_ndn_append(&lower, l->vals[i]->val, l->vals[i]->len, &unused);
				l->ndns[i] = lower.buf;
			}
			pending_append(b->d, &l->pending, l->ndns[i]);
			g->npending++;
		}
	}
	if (g->nmember_objs)
		g->member_objs = members_copy(b->d, l->found, g->nmember_objs);
	if (g->npending)
		g->pending = arena_memdup(&b->d->members, l->pending.buf, l->pending.len);
	sbuf_release(&buf);
	sbuf_release(&lower);
	return 0;
}

static int add_group(struct builder *b)
{
	struct group *g = arena_alloc(&b->d->arena, sizeof(*g));
	int64_t x;
	bool present;

	if (fill_obj(b, &g->h, OBJ_GROUP) < 0)
		return -1;
	g->cn = shared_string(b, ATTR_CN, g->h.sam);
	g->description = opt_string(b, ATTR_DESCRIPTION);
	if (get_int(b, ATTR_GROUPTYPE, &x, &present) < 0)
		return -1;
	g->group_type = present ? (uint32_t)x : 0;
	if (add_members(b, g) < 0)
		return -1;
	record_pso_applied(b, &g->h);
	g->index = b->d->ngroups;
	g->h.index = (uint32_t)b->d->ngroups;
	g->target = -1;
	g->priv_dist = -1;
	xgrow(&b->d->groups, &b->d->groups_alloc, b->d->ngroups + 1, sizeof(*b->d->groups));
	b->d->groups[b->d->ngroups++] = g;
	return 0;
}

static int add_pso(struct builder *b)
{
	struct pso *p = arena_alloc(&b->d->arena, sizeof(*p));
	const struct raw_attr *ra = NULL;
	const struct raw_value *v;
	bool present;

	if (fill_obj(b, &p->h, OBJ_PSO) < 0)
		return -1;
	p->cn = opt_string(b, ATTR_CN);
	if (!p->cn) {
		char *first = dn_first_value(b->e->dn);

		p->cn = arena_strdup(&b->d->arena, first);
		free(first);
	}
	if (!p->h.sam)
		p->h.sam = p->cn;
	p->precedence = p->min_length = p->history = p->lockout_threshold = -1;
	if (get_int(b, ATTR_PSO_PRECEDENCE, &p->precedence, &present) < 0 ||
	    get_int(b, ATTR_PSO_MINLENGTH, &p->min_length, &present) < 0 ||
	    get_int(b, ATTR_PSO_HISTORY, &p->history, &present) < 0 ||
	    get_int(b, ATTR_PSO_LOCKOUTTHRESHOLD, &p->lockout_threshold, &present) < 0 ||
	    get_bool(b, ATTR_PSO_COMPLEXITY, &p->complexity) < 0 ||
	    get_bool(b, ATTR_PSO_REVERSIBLE, &p->reversible) < 0 ||
	    get_time(b, ATTR_PSO_MAXAGE, T_INTERVAL, &p->max_age, NULL) < 0)
		return -1;
	p->applies_to = multi(b, ATTR_PSO_APPLIESTO, &p->napplies_to);
	/* only the PSO precedence tie-break reads it: accounts need not keep it */
	if ((v = single(b, ATTR_OBJECTGUID, &ra)))
		p->guid = guid_value(b, v);
	p->h.index = (uint32_t)b->d->npsos;
	xgrow(&b->d->psos, &b->d->psos_alloc, b->d->npsos + 1, sizeof(*b->d->psos));
	b->d->psos[b->d->npsos++] = p;
	return 0;
}

static int add_domain(struct builder *b)
{
	struct domain *dom = &b->d->domain;
	char *dns;

	if (dom->h.dn)
		return 0; /* a second domainDNS (a child domain's head): keep the first */
	if (fill_obj(b, &dom->h, OBJ_DOMAIN) < 0)
		return -1;
	dns = dn_to_dns(b->e->dn);
	dom->dns = arena_strdup(&b->d->arena, dns);
	free(dns);
	if (get_int(b, ATTR_MINPWDLENGTH, &dom->min_pwd_length, NULL) < 0 ||
	    get_int(b, ATTR_PWDHISTORYLENGTH, &dom->pwd_history, NULL) < 0 ||
	    get_int(b, ATTR_LOCKOUTTHRESHOLD, &dom->lockout_threshold, NULL) < 0 ||
	    get_int(b, ATTR_PWDPROPERTIES, &dom->pwd_properties, NULL) < 0 ||
	    get_time(b, ATTR_MAXPWDAGE, T_INTERVAL, &dom->max_pwd_age, NULL) < 0 ||
	    get_time(b, ATTR_MINPWDAGE, T_INTERVAL, &dom->min_pwd_age, NULL) < 0 ||
	    get_time(b, ATTR_LOCKOUTDURATION, T_INTERVAL, &dom->lockout_duration, NULL) < 0)
		return -1;
	return 0;
}

int dir_add(struct dir *d, const struct raw_entry *e, struct error *err)
{
	struct builder b;
	int small[64];
	uint64_t small_extra[64];
	enum obj_kind kind;
	bool known;
	int ret = 0;

	d->nentries++;
	if (e->ahead)
		hmap_prefetch(&d->by_dn, e->ahead->hash);
	b.ids = e->nattrs <= 64 ? small : xmalloc(e->nattrs * sizeof(*b.ids));
	b.extra_mask = e->nattrs <= 64 ? small_extra : xmalloc(e->nattrs * sizeof(*b.extra_mask));
	/* each field set once: this runs for every entry */
	b.d = d;
	b.e = e;
	b.err = err;
	memset(b.last, 0xff, sizeof(b.last));   /* every one -1 */
	b.seen = b.extras = 0;
	for (size_t i = 0; i < e->nattrs; i++) {
		int id = b.ids[i] = attr_of(d, &e->attrs[i], &b.extra_mask[i]);

		b.extras |= b.extra_mask[i];
		if (id < 0)
			continue;
		if (b.last[id] < 0)
			b.first[id] = (int)i;
		b.last[id] = (int)i;
		if (e->attrs[i].nvals)
			b.seen |= ATTR_BIT(id);
	}
	kind = kind_of(&b, &known);
	if (known) {
		switch (kind) {
		case OBJ_USER:
		case OBJ_COMPUTER:
		case OBJ_GMSA:
			ret = add_account(&b, kind);
			break;
		case OBJ_GROUP:
			ret = add_group(&b);
			break;
		case OBJ_DOMAIN:
			ret = add_domain(&b);
			break;
		case OBJ_PSO:
			ret = add_pso(&b);
			break;
		default:
			break;
		}
	}
	if (b.ids != small) {
		free(b.ids);
		free(b.extra_mask);
	}
	return ret;
}

int dir_add_cb(void *data, const struct raw_entry *e, struct error *err)
{
	return dir_add(data, e, err);
}

struct dir_obj *dir_find_by_dn(const struct dir *d, const char *dn)
{
	size_t len = strlen(dn);
	char small[512], *ndn = len < sizeof(small) ? small : xmalloc(len + 1);
	struct dir_obj *o;

	dn_normalise_into(dn, len, ndn);
	o = hmap_get(&d->by_dn, ndn);
	if (ndn != small)
		free(ndn);
	return o;
}

size_t dir_ndn_append(struct sbuf *sb, const char *dn, size_t len, uint64_t *hash)
{
	size_t off = sb->len, n;

	sbuf_grow(sb, len + 1);
	n = dn_normalise_into(dn, len, sb->buf + off);
	*hash = hmap_hash_bytes(sb->buf + off, n);
	sb->len = off + n + 1;   /* past the NUL: the next DN follows it */
	return off;
}

size_t dir_pending_append(const struct dir *d, const char **at, struct sbuf *sb)
{
	const unsigned char *p = (const unsigned char *)*at;
	size_t parent = (size_t)varint_get(&p), len, off = sb->len;

	len = strlen((const char *)p);
	sbuf_add(sb, p, len);
	*at = (const char *)p + len + 1;
	if (parent) {
		sbuf_addch(sb, ',');
		sbuf_adds(sb, d->parent_dns[parent - 1]);
	}
	sbuf_addch(sb, '\0');   /* kept in sb->len: the next DN follows it */
	return off;
}

/* Pending DNs rebuilt, then looked up, this many at a time. */
#define FIND_BATCH 256

void dir_find_pending(const struct dir *d, const struct group *g, struct dir_obj **objs)
{
	const char *at = g->pending;
	struct sbuf buf = SBUF_INIT;
	size_t off[FIND_BATCH], len[FIND_BATCH];
	uint64_t hash[FIND_BATCH];
	const char *ndns[FIND_BATCH];
	void *found[FIND_BATCH];

	for (size_t from = 0; from < g->npending; from += FIND_BATCH) {
		size_t nb = g->npending - from < FIND_BATCH ? g->npending - from : FIND_BATCH;

		sbuf_reset(&buf);
		for (size_t i = 0; i < nb; i++) {
			off[i] = dir_pending_append(d, &at, &buf);
			len[i] = buf.len - off[i] - 1;
			hash[i] = hmap_hash_bytes(buf.buf + off[i], len[i]);
		}
		for (size_t i = 0; i < nb; i++)
			ndns[i] = buf.buf + off[i];
		hmap_get_many(&d->by_dn, ndns, len, hash, nb, NULL, found);
		for (size_t i = 0; i < nb; i++)
			objs[from + i] = found[i];
	}
	sbuf_release(&buf);
}

struct dir_obj *dir_find_by_sid(const struct dir *d, const char *sid)
{
	return hmap_get(&d->by_sid, sid);
}

struct dir_obj *dir_find_name(const struct dir *d, const char *name)
{
	struct dir_obj *o;

	if (sid_is_text(name))
		return dir_find_by_sid(d, name);
	if (strchr(name, '=') && (o = dir_find_by_dn(d, name)))
		return o;
	return hmap_get(&d->by_sam, name);
}

/* What o is filed under in the DN map, which folds to its normalised DN. */
static const char *dn_key(const struct dir_obj *o)
{
	return o->ndn_apart ? o->dn + strlen(o->dn) + 1 : o->dn;
}

const char *dir_obj_ndn(const struct dir_obj *o, struct sbuf *scratch)
{
	size_t len;

	if (!o->dn)
		return NULL;
	if (o->ndn_apart)
		return dn_key(o);
	len = strlen(o->dn);
	sbuf_reset(scratch);
	sbuf_grow(scratch, len);
	str_lower_into(scratch->buf, o->dn, len);
	sbuf_setlen(scratch, len);
	return scratch->buf;
}

int dir_obj_ndn_cmp(const struct dir_obj *x, const struct dir_obj *y)
{
	if (!x->dn || !y->dn)
		return !x->dn - !y->dn;
	/* folded, the keys are the normalised DNs: str_icmp orders them as strcmp */
	return str_icmp(dn_key(x), dn_key(y));
}

bool dir_obj_ndn_eq(const struct dir_obj *o, const char *ndn)
{
	return o->dn && str_ieq(dn_key(o), ndn);
}

const struct dir_value *dir_extra_first(const struct account *a, unsigned attr)
{
	for (const struct dir_value *v = a->extra; v; v = v->next)
		if (v->attr == attr)
			return v;
	return NULL;
}

int dir_extra_lookup(const struct dir *d, const char *name)
{
	for (size_t i = 0; i < d->nextra; i++)
		if (str_ieq(d->extra_names[i], name))
			return (int)i;
	return -1;
}

const struct account_more *dir_account_more(const struct account *a)
{
	static const struct account_more none;

	return a->more ? a->more : &none;
}

void dir_release_members(struct dir *d)
{
	for (size_t i = 0; i < d->ngroups; i++) {
		d->groups[i]->member_objs = NULL;
		d->groups[i]->pending = NULL;
		d->groups[i]->nmember_objs = d->groups[i]->npending = 0;
	}
	arena_release(&d->members);
	hmap_release(&d->member_parents);
	free(d->parent_dns);
	d->parent_dns = NULL;
	d->nparent_dns = d->parent_dns_alloc = 0;
	lookup_release(&d->lookup);
}
