/*
 * The check engine (see engine.h): runs the checks, applies supersedes,
 * waivers and severity overrides, sorts the findings and evaluates the
 * gate.
 */
#include "engine.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../checks/registry.h"
#include "dir.h"
#include "exitcode.h"
#include "hmap.h"
#include "policy.h"
#include "sbuf.h"
#include "strutil.h"
#include "thread.h"
#include "timeutil.h"
#include "utf8.h"
#include "xalloc.h"

const char *check_status_name(enum check_status s)
{
	static const char *const names[] = {
		[STATUS_PASS] = "pass",
		[STATUS_FAIL] = "fail",
		[STATUS_UNKNOWN] = "unknown",
		[STATUS_DISABLED] = "disabled",
	};

	return (unsigned)s < sizeof(names) / sizeof(*names) ? names[s] : "?";
}

void audit_init(struct audit *a, const struct dir *d, const struct policy *p, int64_t now)
{
	/* seed jansson's hashing now: the checks run on several threads */
	json_object_seed(0);
	memset(a, 0, sizeof(*a));
	a->dir = d;
	a->policy = p;
	a->now = now;
	a->states = xcalloc(registry_count() + 1, sizeof(*a->states));
	a->waiver_used = xcalloc(p->nwaivers + 1, sizeof(*a->waiver_used));
}

/* What a finding owns outside the audit's arena. */
static void finding_free(struct finding *f)
{
	free(f->detail);
	f->detail = NULL;
	finding_evidence_release(f);
}

void audit_release(struct audit *a)
{
	for (size_t i = 0; i < a->nfindings; i++)
		finding_free(a->findings[i]);
	free(a->findings);
	for (size_t i = 0; i < registry_count(); i++)
		free(a->states[i].reason);
	free(a->states);
	free(a->waiver_used);
	arena_release(&a->mem);
	arena_release(&a->finding_mem);
	memset(a, 0, sizeof(*a));
}

/* The message, formatted once in the common case, into the audit's arena. */
static char *format_message(struct audit *a, const char *fmt, va_list ap)
{
	char buf[256];
	struct sbuf sb = SBUF_INIT;
	char *msg;
	va_list cp;
	long quick;
	int n;

	va_copy(cp, ap);
	quick = str_format_quick(buf, sizeof(buf), fmt, &cp);
	va_end(cp);
	if (quick >= 0)
		return arena_strndup(&a->mem, buf, (size_t)quick);
	va_copy(cp, ap);
	n = vsnprintf(buf, sizeof(buf), fmt, cp);
	va_end(cp);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(buf))
		return arena_strndup(&a->mem, buf, (size_t)n);
	sbuf_vaddf(&sb, fmt, ap);
	msg = arena_strndup(&a->mem, sb.buf, sb.len);
	sbuf_release(&sb);
	return msg;
}

/*
 * The message packed (the format, then its arguments: see
 * str_format_pack()) when that is smaller than its text, which
 * finding_message() then makes each time a report asks: a million
 * findings hold a hundred megabytes less.
 */
static char *pack_message(struct audit *a, const char *fmt, va_list ap, bool *packed)
{
	unsigned char buf[256];
	size_t text_len;
	va_list cp;
	long n;

	va_copy(cp, ap);
	n = str_format_pack(buf + sizeof(fmt), sizeof(buf) - sizeof(fmt), fmt, &cp, &text_len);
	va_end(cp);
	*packed = n >= 0 && sizeof(fmt) + (size_t)n < text_len + 1;
	if (!*packed)
		return format_message(a, fmt, ap);
	memcpy(buf, &fmt, sizeof(fmt));
	return arena_memdup(&a->mem, buf, sizeof(fmt) + (size_t)n);
}

static struct finding *push(struct check_ctx *ctx, const char *fmt, va_list ap)
{
	struct audit *a = ctx->audit;
	struct finding *f = arena_alloc(&a->finding_mem, sizeof(*f));
	bool packed;

	f->check = ctx->check;
	f->check_index = (uint16_t)ctx->index;
	f->severity = ctx->check->severity;
	f->message = pack_message(a, fmt, ap, &packed);
	f->message_packed = packed;
	xgrow(&a->findings, &a->findings_alloc, a->nfindings + 1, sizeof(*a->findings));
	a->findings[a->nfindings++] = f;
	return f;
}

struct finding *finding_add(struct check_ctx *ctx, const struct dir_obj *subject, const char *fmt,
			    ...)
{
	struct finding *f;
	va_list ap;

	va_start(ap, fmt);
	f = push(ctx, fmt, ap);
	va_end(ap);
	f->obj = subject;
	if (subject->kind == OBJ_DOMAIN) {
		struct finding_subject *s = arena_alloc(&ctx->audit->mem, sizeof(*s));

		s->kind = dir_kind_name(subject->kind);
		s->dn = subject->dn;
		s->sam = ctx->dir->domain.dns;
		s->sid = ctx->dir->domain_sid;
		f->subject = s;
	}
	return f;
}

struct finding *finding_add_waiver(struct check_ctx *ctx, const struct waiver *w, const char *fmt,
				   ...)
{
	struct finding *f;
	struct finding_subject *s;
	va_list ap;

	va_start(ap, fmt);
	f = push(ctx, fmt, ap);
	va_end(ap);
	s = arena_alloc(&ctx->audit->mem, sizeof(*s));
	s->kind = "waiver";
	s->sam = w->account;
	f->subject = s;
	finding_ev_str(f, "check", w->check);
	finding_ev_int(f, "index", (long long)w->index);
	return f;
}

const char *finding_message(const struct finding *f, struct sbuf *sb)
{
	const char *fmt;

	if (!f->message_packed)
		return f->message;
	memcpy(&fmt, f->message, sizeof(fmt));
	sbuf_reset(sb);
	str_format_unpack(sb, fmt, (const unsigned char *)f->message + sizeof(fmt));
	return sb->buf;
}

const char *finding_kind(const struct finding *f)
{
	return f->subject ? f->subject->kind : f->obj ? dir_kind_name(f->obj->kind) : NULL;
}

const char *finding_sam(const struct finding *f)
{
	return f->subject ? f->subject->sam : f->obj ? f->obj->sam : NULL;
}

const char *finding_dn(const struct finding *f)
{
	return f->subject ? f->subject->dn : f->obj ? f->obj->dn : NULL;
}

const char *finding_sid(const struct finding *f)
{
	return f->subject ? f->subject->sid : f->obj ? f->obj->sid : NULL;
}

const char *finding_upn(const struct finding *f)
{
	if (f->subject)
		return f->subject->upn;
	return f->obj && dir_obj_is_account(f->obj) ? ((const struct account *)f->obj)->upn : NULL;
}

void finding_detail(struct finding *f, const char *detail)
{
	free(f->detail);
	f->detail = xstrdup(detail);
}

void finding_severity(struct finding *f, enum severity s)
{
	f->severity = s;
	f->escalated = true;
}

/*
 * Evidence records, one after the other in f->ev:
 *   type (1 byte), key (varint: its index in ev_keys, or 0 and then its
 *   length (varint), bytes and NUL), then by type
 *   EV_NULL: nothing; EV_BOOL: 1 byte; EV_INT: the value (zigzag varint);
 *   EV_STR: length (varint), bytes, NUL;
 *   EV_STRS: count (varint), block length (varint), then count times
 *   length (varint), bytes, NUL;
 *   EV_TIME: seconds, 8 bytes (host order), read as the EV_STR of its
 *   ISO 8601 text (time_format): 8 bytes where the text takes 22, for
 *   the times in most findings. Integers are mostly small (days, limits,
 *   counts), times never are.
 */
#define EV_TIME (EV_STRS + 1)

/*
 * The arena of the check running on this thread, where its findings'
 * evidence is written: a finding's records are added one after the other,
 * before the next finding, so they grow in place at the arena's end. The
 * others (evidence added to an earlier finding, a finding made by hand)
 * grow in a buffer of their own.
 */
static _Thread_local struct arena *ev_arena;

static void ev_need(struct finding *f, size_t more)
{
	size_t want = f->ev_len + more;

	if (want <= f->ev_alloc)
		return;
	if (want > UINT32_MAX / 2)
		xoom(want);
	if (!f->ev_alloc && ev_arena && arena_extend(ev_arena, &f->ev, f->ev_len, more))
		return;
	if (want < 2 * f->ev_alloc)
		want = 2 * f->ev_alloc;
	if (want < 64)
		want = 64;
	if (!f->ev_alloc && f->ev) {
		/* in the audit's arena: take a copy of our own to grow */
		unsigned char *own = xmalloc(want);

		memcpy(own, f->ev, f->ev_len);
		/* the end of its block, outgrown: for the next finding */
		if (ev_arena)
			arena_unwind(ev_arena, f->ev, f->ev_len);
		f->ev = own;
	} else {
		f->ev = xreallocarray(f->ev, want, 1);
	}
	f->ev_alloc = want;
}

static void ev_put(struct finding *f, const void *p, size_t n)
{
	ev_need(f, n);
	memcpy(f->ev + f->ev_len, p, n);
	f->ev_len += n;
}

static void ev_put_varint(struct finding *f, uint64_t v)
{
	unsigned char buf[16];

	ev_put(f, buf, varint_put(buf, v));
}

static void ev_put_signed(struct finding *f, long long v)
{
	unsigned char buf[16];

	ev_put(f, buf, varint_put_signed(buf, v));
}

/* Length, bytes and NUL of s. */
static void ev_put_text(struct finding *f, const char *s, size_t n)
{
	ev_put_varint(f, n);
	ev_need(f, n + 1);
	memcpy(f->ev + f->ev_len, s, n);
	f->ev[f->ev_len + n] = '\0';
	f->ev_len += n + 1;
}

/* A string value, made valid UTF-8 as the old jansson evidence was. */
static void ev_put_clean(struct finding *f, const char *s)
{
	size_t n = strlen(s);
	char *clean;

	if (utf8_valid(s, n)) {
		ev_put_text(f, s, n);
		return;
	}
	clean = utf8_clean(s);
	ev_put_text(f, clean, strlen(clean));
	free(clean);
}

/*
 * The keys of the evidence: the checks' literals, some tens of them, each
 * kept once here rather than in every finding (a million findings hold
 * three each), and checked for UTF-8 once. Entries are added under the
 * lock and never change, nor are freed (some hundreds of bytes for the
 * process's life); a key beyond EV_KEYS, or not valid UTF-8, is written
 * in its record.
 */
#define EV_KEYS 255
static struct {
	pthread_mutex_t lock;
	size_t n;
	const char *text[EV_KEYS + 1];  /* from 1 */
	size_t len[EV_KEYS + 1];
} ev_keys = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The keys a thread used last, by address: a check passes the same literals again. */
#define KEY_CACHE 64
static _Thread_local struct {
	const char *key;
	unsigned id;
} key_cache[KEY_CACHE];

/* key's index in ev_keys, added if it is new, or 0 when it is kept in its record. */
static unsigned key_id(const char *key)
{
	size_t slot = ((uintptr_t)key >> 3) % KEY_CACHE, len;
	unsigned id = key_cache[slot].id;

	/* the text compared too: a caller's buffer may hold another key by now */
	if (key_cache[slot].key == key && id && strcmp(ev_keys.text[id], key) == 0)
		return id;
	len = strlen(key);
	pthread_mutex_lock(&ev_keys.lock);
	for (id = 1; id <= ev_keys.n; id++)
		if (ev_keys.len[id] == len && memcmp(ev_keys.text[id], key, len) == 0)
			break;
	if (id > ev_keys.n && ev_keys.n < EV_KEYS && utf8_valid(key, len)) {
		ev_keys.text[id] = xstrndup(key, len);
		ev_keys.len[id] = len;
		ev_keys.n = id;
	}
	if (id > ev_keys.n)
		id = 0;
	pthread_mutex_unlock(&ev_keys.lock);
	if (!id)
		return 0;
	key_cache[slot].key = key;
	key_cache[slot].id = id;
	return id;
}

/* Start a record; returns where it starts, for ev_commit(). */
static size_t ev_begin(struct finding *f, enum ev_type t, const char *key)
{
	size_t start = f->ev_len;
	unsigned char head[16] = { (unsigned char)t };
	unsigned id = key_id(key);

	if (f->ev_json) {
		json_decref(f->ev_json);
		f->ev_json = NULL;
	}
	/* the type and the key's index in one piece */
	ev_put(f, head, 1 + varint_put(head + 1, id));
	if (!id) {
		ev_put_text(f, key, strlen(key));
		f->ev_key_inline = true;
	}
	return start;
}

/*
 * The record at p, which must be one: its type, its key (id, its index in
 * ev_keys, or 0 with the text in key and key_len) and where its value
 * starts; returns where the next record starts.
 */
struct ev_record {
	unsigned type;
	size_t id;
	const char *key;
	size_t key_len;
	const unsigned char *val;
};

static const unsigned char *ev_record(const unsigned char *p, struct ev_record *r)
{
	size_t n;

	r->type = *p++;
	r->id = varint_get(&p);
	if (r->id) {
		r->key = ev_keys.text[r->id];
		r->key_len = ev_keys.len[r->id];
	} else {
		r->key_len = varint_get(&p);
		r->key = (const char *)p;
		p += r->key_len + 1;
	}
	r->val = p;
	switch (r->type) {
	case EV_BOOL:
		return p + 1;
	case EV_INT:
		(void)varint_get_signed(&p);
		return p;
	case EV_STR:
		n = varint_get(&p);
		return p + n + 1;
	case EV_TIME:
		return p + sizeof(long long);
	case EV_STRS:
		(void)varint_get(&p);
		n = varint_get(&p);
		return p + n;
	}
	return p;
}

/*
 * The next record of it in item; an EV_TIME's text is made only when
 * text is set (else item->num holds the time, and item->type EV_NULL).
 */
static bool ev_next(struct ev_iter *it, struct ev_item *item, bool text)
{
	struct ev_record r;
	const unsigned char *p;
	long long t;

	if (!it->p || it->p >= it->end)
		return false;
	memset(item, 0, sizeof(*item));
	it->p = ev_record(it->p, &r);
	item->key = r.key;
	item->key_len = r.key_len;
	p = r.val;
	switch (r.type) {
	case EV_BOOL:
		item->num = *p;
		break;
	case EV_INT:
		item->num = varint_get_signed(&p);
		break;
	case EV_STR:
		item->str_len = varint_get(&p);
		item->str = (const char *)p;
		break;
	case EV_TIME:
		memcpy(&t, p, sizeof(t));
		item->num = t;
		if (!text)
			break;
		time_format(t, it->time, sizeof(it->time));
		item->str = it->time;
		item->str_len = strlen(it->time);
		item->num = 0;
		item->type = EV_STR;
		return true;
	case EV_STRS:
		item->num = (long long)varint_get(&p);
		(void)varint_get(&p);
		item->strs = p;
		break;
	}
	item->type = r.type == EV_TIME ? EV_NULL : (enum ev_type)r.type;
	return true;
}

/*
 * The record at start is complete: if its key was already set, it takes
 * the place of the old record (jansson replaces a value in place). A key
 * is always kept the same way, as an id or as text: ids alone tell keys
 * kept as ids apart.
 */
static void ev_commit(struct finding *f, size_t start)
{
	const unsigned char *p = f->ev, *end = f->ev + start, *at;
	struct ev_record old, new;

	(void)ev_record(end, &new);
	for (at = p; at < end; at = p) {
		size_t os, oe, rlen = f->ev_len - start;
		unsigned char *rec;

		p = ev_record(at, &old);
		if (old.id != new.id || (!new.id && (old.key_len != new.key_len ||
						    memcmp(old.key, new.key, new.key_len) != 0)))
			continue;
		os = (size_t)(at - f->ev);
		oe = (size_t)(p - f->ev);
		rec = xmalloc(rlen);
		memcpy(rec, f->ev + start, rlen);
		memmove(f->ev + os + rlen, f->ev + oe, start - oe);
		memcpy(f->ev + os, rec, rlen);
		f->ev_len = os + rlen + (start - oe);
		free(rec);
		return;
	}
}

void finding_ev_iter_init(struct ev_iter *it, const struct finding *f)
{
	it->p = f->ev;
	it->end = f->ev + f->ev_len;
}

bool finding_ev_iter_next(struct ev_iter *it, struct ev_item *item)
{
	return ev_next(it, item, true);
}

bool finding_ev_keys_valid(const struct finding *f)
{
	struct ev_iter it;
	struct ev_item e;

	/* the table's keys were checked when they were added */
	if (!f->ev_key_inline)
		return true;
	finding_ev_iter_init(&it, f);
	while (ev_next(&it, &e, false))
		if (!utf8_valid(e.key, e.key_len))
			return false;
	return true;
}

const char *finding_ev_strs_next(const unsigned char **pos, size_t *len)
{
	const unsigned char *p = *pos;
	const char *s;

	*len = varint_get(&p);
	s = (const char *)p;
	*pos = p + *len + 1;
	return s;
}

void finding_ev_str(struct finding *f, const char *key, const char *val)
{
	size_t start = ev_begin(f, val ? EV_STR : EV_NULL, key);

	if (val)
		ev_put_clean(f, val);
	ev_commit(f, start);
}

void finding_ev_int(struct finding *f, const char *key, long long val)
{
	size_t start = ev_begin(f, EV_INT, key);

	ev_put_signed(f, val);
	ev_commit(f, start);
}

void finding_ev_bool(struct finding *f, const char *key, bool val)
{
	size_t start = ev_begin(f, EV_BOOL, key);
	unsigned char b = val;

	ev_put(f, &b, 1);
	ev_commit(f, start);
}

void finding_ev_time(struct finding *f, const char *key, int64_t t)
{
	size_t start;

	if (t == TIME_NEVER) {
		finding_ev_str(f, key, NULL);
		return;
	}
	start = ev_begin(f, (enum ev_type)EV_TIME, key);
	ev_put(f, &(long long){ t }, sizeof(long long));
	ev_commit(f, start);
}

void finding_ev_strs(struct finding *f, const char *key, const char *const *vals, size_t n)
{
	size_t start = ev_begin(f, EV_STRS, key), head, block;
	unsigned char tmp[32];
	size_t tn;

	ev_put_varint(f, n);
	head = f->ev_len;
	for (size_t i = 0; i < n; i++)
		ev_put_clean(f, vals[i] ? vals[i] : "");
	/* the block length goes before the block: shift it once */
	block = f->ev_len - head;
	tn = varint_put(tmp, block);
	ev_need(f, tn);
	memmove(f->ev + head + tn, f->ev + head, block);
	memcpy(f->ev + head, tmp, tn);
	f->ev_len += tn;
	ev_commit(f, start);
}

json_t *finding_evidence(const struct finding *cf)
{
	struct finding *f = (struct finding *)cf;
	struct ev_iter it;
	struct ev_item e;

	if (f->ev_json)
		return f->ev_json;
	f->ev_json = json_object();
	finding_ev_iter_init(&it, f);
	while (finding_ev_iter_next(&it, &e)) {
		json_t *v = NULL;
		const unsigned char *pos = e.strs;

		switch (e.type) {
		case EV_NULL:
			v = json_null();
			break;
		case EV_STR:
			v = json_stringn_nocheck(e.str, e.str_len);
			break;
		case EV_INT:
			v = json_integer(e.num);
			break;
		case EV_BOOL:
			v = json_boolean(e.num);
			break;
		case EV_STRS:
			v = json_array();
			for (long long i = 0; i < e.num; i++) {
				size_t n;
				const char *s = finding_ev_strs_next(&pos, &n);

				json_array_append_new(v, json_stringn_nocheck(s, n));
			}
			break;
		}
		/* keys as given: the report cleans them (tree_clean) */
		json_object_set_new_nocheck(f->ev_json, e.key, v);
	}
	return f->ev_json;
}

void finding_evidence_release(struct finding *f)
{
	if (f->ev_alloc)
		free(f->ev);
	f->ev = NULL;
	f->ev_len = f->ev_alloc = 0;
	f->ev_key_inline = false;
	json_decref(f->ev_json);
	f->ev_json = NULL;
}

static void discard_from(struct audit *a, size_t start)
{
	for (size_t i = start; i < a->nfindings; i++)
		finding_free(a->findings[i]);
	a->nfindings = start;
}

/* A per_account check runs on both threads at once: its state is shared. */
static pthread_mutex_t unknown_lock = PTHREAD_MUTEX_INITIALIZER;

void check_unknown(struct check_ctx *ctx, const char *fmt, ...)
{
	struct check_state *st = &ctx->audit->states[ctx->index];
	struct sbuf sb = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&unknown_lock);
	if (st->status != STATUS_UNKNOWN) {
		st->status = STATUS_UNKNOWN;
		free(st->reason);
		st->reason = sbuf_detach(&sb);
	}
	pthread_mutex_unlock(&unknown_lock);
	sbuf_release(&sb);
	discard_from(ctx->audit, ctx->audit->run_start);
}

static const char *const kind_words[OBJ_KIND_COUNT] = {
	[OBJ_USER] = "user", [OBJ_COMPUTER] = "computer", [OBJ_GMSA] = "gMSA/MSA",
	[OBJ_GROUP] = "group", [OBJ_DOMAIN] = "domain head", [OBJ_PSO] = "PSO",
};

/* Whether every need of c is met; if not, the reason. */
static bool needs_met(const struct audit *a, const struct check *c, struct sbuf *why)
{
	if ((c->needs_groups & TARGET_PRIVILEGED) && a->dir->unresolved_privileged) {
		sbuf_addf(why, "%s: who is privileged cannot be told", a->dir->unresolved_privileged);
		return false;
	}
	if ((c->needs_groups & TARGET_MFA) && a->dir->unresolved_mfa) {
		sbuf_addf(why, "%s: who has MFA cannot be told", a->dir->unresolved_mfa);
		return false;
	}
	if (c->needs_service && a->dir->unresolved_service) {
		sbuf_addf(why, "%s: who is a service account cannot be told",
			  a->dir->unresolved_service);
		return false;
	}
	if ((c->needs_groups & TARGET_MFA) && a->policy->mfa_enrollment.path &&
	    !a->dir->mfa_csv_loaded) {
		sbuf_adds(why, a->dir->mfa_csv_unknown_reason ? a->dir->mfa_csv_unknown_reason
							    : "the MFA enrollment CSV was not read");
		return false;
	}
	for (const struct check_need *n = c->needs; n && n->kinds; n++) {
		bool met = false;
		size_t names = 0, nattr = 0, kinds = 0;

		for (int k = 0; k < OBJ_KIND_COUNT; k++)
			if ((n->kinds & (1u << k)) && (a->dir->seen[k] & n->any_of))
				met = true;
		if (met)
			continue;
		for (int at = 0; at < ATTR_COUNT; at++)
			nattr += (n->any_of & ATTR_BIT(at)) != 0;
		for (int at = 0; at < ATTR_COUNT; at++) {
			if (!(n->any_of & ATTR_BIT(at)))
				continue;
			if (names)
				sbuf_adds(why, names + 1 == nattr ? " and " : ", ");
			sbuf_adds(why, dir_attr_name(at));
			names++;
		}
		sbuf_adds(why, " absent from all ");
		for (int k = 0; k < OBJ_KIND_COUNT; k++) {
			if (!(n->kinds & (1u << k)))
				continue;
			sbuf_addf(why, "%s%s", kinds++ ? "/" : "", kind_words[k]);
		}
		sbuf_adds(why, " entries");
		return false;
	}
	return true;
}

/*
 * Whether check i is to run: enabled, with what it needs. Its status is
 * set: PASS until its findings say otherwise, or why it does not run.
 */
static bool check_ready(struct audit *a, size_t i)
{
	struct check_state *st = &a->states[i];
	struct sbuf why = SBUF_INIT;

	if (!a->policy->checks[i].enabled) {
		st->status = STATUS_DISABLED;
		return false;
	}
	if (!needs_met(a, registry_get(i), &why)) {
		st->status = STATUS_UNKNOWN;
		st->reason = sbuf_detach(&why);
		return false;
	}
	sbuf_release(&why);
	st->status = STATUS_PASS;
	return true;
}

/* Run ready check i on accounts from..to, its time added to *seconds. */
static void run_range(struct audit *a, size_t i, size_t from, size_t to, double *seconds)
{
	const struct check *c = registry_get(i);
	struct check_ctx ctx = {
		.check = c,
		.index = i,
		.cfg = &a->policy->checks[i],
		.dir = a->dir,
		.policy = a->policy,
		.now = a->now,
		.audit = a,
		.from = from,
		.to = to,
	};
	struct timespec t0, t1;

	a->run_start = a->nfindings;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ev_arena = &a->mem;
	c->run(&ctx);
	ev_arena = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*seconds += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	for (size_t k = a->run_start; k < a->nfindings; k++) {
		struct finding *f = a->findings[k];

		/* the evidence is complete: into the arena, without slack */
		if (f->ev_alloc) {
			unsigned char *ev = arena_memdup(&a->mem, f->ev, f->ev_len);

			free(f->ev);
			f->ev = ev;
			f->ev_alloc = 0;
		}
		if (ctx.cfg->severity >= 0)
			f->severity = (enum severity)ctx.cfg->severity;
	}
}

static void run_check(struct audit *a, size_t i)
{
	if (check_ready(a, i))
		run_range(a, i, 0, a->dir->naccounts, &a->states[i].seconds);
}

/* The subject part of a key: objectSid, else the normalised DN. */
static const char *subject_id(const struct finding *f, struct sbuf *scratch)
{
	const char *sid = finding_sid(f), *sam;

	if (sid)
		return sid;
	if (f->obj) {
		const char *ndn = dir_obj_ndn(f->obj, scratch);

		return ndn ? ndn : "";
	}
	sam = finding_sam(f);
	return sam ? sam : "";
}

/*
 * A key, "check|subject[|detail]", as its parts: finding_key() joins them,
 * finding_key_cmp() reads them byte by byte.
 */
#define KEY_PARTS 5

struct key_reader {
	const char *part[KEY_PARTS];
	size_t i;                /* the part being read */
	struct sbuf scratch;     /* a normalised DN built for the subject */
};

/* Release with sbuf_release(&r->scratch). */
static void key_reader_init(struct key_reader *r, const struct finding *f)
{
	sbuf_init(&r->scratch);
	r->part[0] = f->check->id;
	r->part[1] = "|";
	r->part[2] = subject_id(f, &r->scratch);
	r->part[3] = f->detail ? "|" : "";
	r->part[4] = f->detail ? f->detail : "";
	r->i = 0;
}

const char *finding_key(const struct finding *f, struct sbuf *sb)
{
	struct key_reader r;

	key_reader_init(&r, f);
	sbuf_reset(sb);
	for (size_t i = 0; i < KEY_PARTS; i++)
		sbuf_adds(sb, r.part[i]);
	sbuf_release(&r.scratch);
	return sb->buf;
}

/* The next byte of the key; -1 at the end. */
static int key_reader_next(struct key_reader *r)
{
	while (r->i < KEY_PARTS) {
		if (*r->part[r->i])
			return (unsigned char)*r->part[r->i]++;
		r->i++;
	}
	return -1;
}

int finding_key_cmp(const struct finding *x, const struct finding *y)
{
	struct key_reader rx, ry;
	int cx, cy;

	key_reader_init(&rx, x);
	key_reader_init(&ry, y);
	/* the same check: its id and the '|' are the same */
	if (x->check == y->check)
		rx.i = ry.i = 2;
	do {
		cx = key_reader_next(&rx);
		cy = key_reader_next(&ry);
	} while (cx == cy && cx >= 0);
	sbuf_release(&rx.scratch);
	sbuf_release(&ry.scratch);
	return cx < cy ? -1 : cx > cy;
}

/*
 * A set of (check index, subject) pairs: the subject's address below bit
 * 48, the check above (user-space addresses fit in 47 bits).
 */
struct pair_set {
	uint64_t *slots;   /* 0: empty */
	size_t size, count;
};

static uint64_t pair_key(size_t check, const struct dir_obj *obj)
{
	return (uint64_t)(check + 1) << 48 | ((uint64_t)(uintptr_t)obj & ((UINT64_C(1) << 48) - 1));
}

static size_t pair_slot(const struct pair_set *s, uint64_t key)
{
	uint64_t h = key * UINT64_C(0x9e3779b97f4a7c15);

	return (size_t)(h >> 20) & (s->size - 1);
}

static void pair_add(struct pair_set *s, uint64_t key)
{
	size_t i;

	if ((s->count + 1) * 2 > s->size) {
		struct pair_set bigger = { NULL, s->size ? s->size * 2 : 1024, 0 };

		bigger.slots = xcalloc(bigger.size, sizeof(*bigger.slots));
		for (size_t k = 0; k < s->size; k++)
			if (s->slots[k])
				pair_add(&bigger, s->slots[k]);
		free(s->slots);
		*s = bigger;
	}
	for (i = pair_slot(s, key); s->slots[i]; i = (i + 1) & (s->size - 1))
		if (s->slots[i] == key)
			return;
	s->slots[i] = key;
	s->count++;
}

static bool pair_has(const struct pair_set *s, uint64_t key)
{
	if (!s->size)
		return false;
	for (size_t i = pair_slot(s, key); s->slots[i]; i = (i + 1) & (s->size - 1))
		if (s->slots[i] == key)
			return true;
	return false;
}

/* Drop findings whose subject also has a finding of a check superseding them. */
static void apply_supersedes(struct audit *a)
{
	struct pair_set hidden = { NULL, 0, 0 };
	size_t kept = 0, n = registry_count();
	/* the checks each check supersedes, by registry index, SIZE_MAX ending */
	size_t **superseded = xcalloc(n + 1, sizeof(*superseded));

	for (size_t c = 0; c < n; c++) {
		const char *const *ids = registry_get(c)->supersedes;
		size_t k = 0;

		while (ids && ids[k])
			k++;
		superseded[c] = xcalloc(k + 1, sizeof(**superseded));
		k = 0;
		for (const char *const *s = ids; s && *s; s++)
			if (registry_find(*s, &superseded[c][k]))
				k++;
		superseded[c][k] = SIZE_MAX;
	}
	for (size_t i = 0; i < a->nfindings; i++) {
		const struct finding *f = a->findings[i];

		if (!f->obj)
			continue;
		for (const size_t *idx = superseded[f->check_index]; *idx != SIZE_MAX; idx++)
			pair_add(&hidden, pair_key(*idx, f->obj));
	}
	for (size_t c = 0; c < n; c++)
		free(superseded[c]);
	free(superseded);
	for (size_t i = 0; i < a->nfindings; i++) {
		struct finding *f = a->findings[i];

		if (f->obj && pair_has(&hidden, pair_key(f->check_index, f->obj)))
			finding_free(f);
		else
			a->findings[kept++] = f;
	}
	a->nfindings = kept;
	free(hidden.slots);
}

static bool waiver_expired(const struct audit *a, const struct waiver *w)
{
	return w->expires != TIME_NEVER && a->now >= w->expires;
}

/*
 * The waivers in force, per check, by the name they give: a policy may
 * hold thousands and a large domain hundreds of thousands of findings,
 * so a finding looks its names up rather than trying every waiver. A
 * waiver names a subject by sAMAccountName, SID, PSO name or domain,
 * in any case (names), or by DN (dns, by its normalised DN: written
 * with an "=", it is in both). Each map gives the first such waiver of
 * the policy: the one that applies when several match.
 */
struct waiver_index {
	struct hmap *names, *dns;   /* per check, by registry index */
	struct arena keys;          /* the normalised DNs dns holds */
};

static void waiver_index_build(const struct audit *a, struct waiver_index *wi)
{
	const struct policy *p = a->policy;
	size_t n = registry_count();

	wi->names = xcalloc(n + 1, sizeof(*wi->names));
	wi->dns = xcalloc(n + 1, sizeof(*wi->dns));
	arena_init(&wi->keys);
	for (size_t k = 0; k < p->nwaivers; k++) {
		const struct waiver *w = &p->waivers[k];
		size_t c;

		if (waiver_expired(a, w) || !registry_find(w->check, &c))
			continue;
		hmap_put(&wi->names[c], w->account, (void *)w);
		if (strchr(w->account, '='))
			hmap_put(&wi->dns[c], dn_normalise_in(&wi->keys, w->account), (void *)w);
	}
}

static void waiver_index_release(struct waiver_index *wi)
{
	for (size_t c = 0; c < registry_count(); c++) {
		hmap_release(&wi->names[c]);
		hmap_release(&wi->dns[c]);
	}
	free(wi->names);
	free(wi->dns);
	arena_release(&wi->keys);
}

/* The earlier in the policy of w and best (either may be NULL). */
static const struct waiver *first_waiver(const struct waiver *w, const struct waiver *best)
{
	return w && (!best || w->index < best->index) ? w : best;
}

/*
 * The waiver that applies to f, or NULL: by its sam (a PSO's cn, the
 * domain's DNS name), its SID or its DN.
 */
static const struct waiver *waiver_of(const struct waiver_index *wi, const struct finding *f,
				      struct sbuf *scratch)
{
	const struct hmap *names = &wi->names[f->check_index];
	const struct hmap *dns = &wi->dns[f->check_index];
	const struct waiver *best = NULL;
	const char *ndn, *sam = finding_sam(f), *sid = finding_sid(f);

	if (!f->obj)
		return NULL;
	if (sam)
		best = first_waiver(hmap_get(names, sam), best);
	if (sid)
		best = first_waiver(hmap_get(names, sid), best);
	if (dns->count && (ndn = dir_obj_ndn(f->obj, scratch)))
		best = first_waiver(hmap_get(dns, ndn), best);
	return best;
}

static void apply_waivers(struct audit *a)
{
	struct waiver_index wi;
	struct sbuf scratch = SBUF_INIT;

	if (!a->policy->nwaivers)
		return;
	waiver_index_build(a, &wi);
	for (size_t i = 0; i < a->nfindings; i++) {
		struct finding *f = a->findings[i];
		const struct waiver *w = waiver_of(&wi, f, &scratch);

		if (!w)
			continue;
		f->waiver = w;
		a->waiver_used[w->index] = true;
	}
	waiver_index_release(&wi);
	sbuf_release(&scratch);
}

/* Each check's place in the order of check ids, for sorting findings. */
static size_t *id_rank;

static int cmp_index_by_id(const void *pa, const void *pb)
{
	return strcmp(registry_get(*(const size_t *)pa)->id, registry_get(*(const size_t *)pb)->id);
}

static void rank_check_ids(void)
{
	size_t n = registry_count(), *order;

	if (id_rank)
		return;
	order = xcalloc(n + 1, sizeof(*order));
	id_rank = xcalloc(n + 1, sizeof(*id_rank));
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort(order, n, sizeof(*order), cmp_index_by_id);
	for (size_t i = 0; i < n; i++)
		id_rank[order[i]] = i;
	free(order);
}

/*
 * The order of findings: by severity, the most severe first; then by
 * check id; then by sAMAccountName; then by key. The first two make the
 * group of a finding, its place in that order; within a group findings
 * are sorted by name.
 */
static size_t sort_group(const struct finding *f, size_t nchecks)
{
	return (size_t)(SEV_COUNT - 1 - severity_rank(f->severity)) * nchecks +
	       id_rank[f->check_index];
}

static int cmp_by_name(const void *pa, const void *pb)
{
	const struct finding *x = *(const struct finding *const *)pa;
	const struct finding *y = *(const struct finding *const *)pb;
	int r = str_cmp_null(finding_sam(x), finding_sam(y));

	return r ? r : finding_key_cmp(x, y);
}

static const char *sort_name(const void *p)
{
	return finding_sam(*(const struct finding *const *)p);
}

struct sort_job {
	struct finding **v;
	const size_t *start;     /* group g is v[start[g]..start[g + 1]) */
	const size_t *order;     /* the groups, the largest first */
	size_t ngroups;
	atomic_size_t next;      /* in order: the next group to take */
};

static void *sort_groups(void *arg)
{
	struct sort_job *j = arg;
	size_t i;

	while ((i = atomic_fetch_add(&j->next, 1)) < j->ngroups) {
		size_t g = j->order[i];

		str_sort_by_name(j->v + j->start[g], j->start[g + 1] - j->start[g], sizeof(*j->v),
				 sort_name, cmp_by_name);
	}
	return NULL;
}

static int cmp_group_size(const void *pa, const void *pb, void *arg)
{
	const size_t *start = arg;
	size_t x = *(const size_t *)pa, y = *(const size_t *)pb;
	size_t nx = start[x + 1] - start[x], ny = start[y + 1] - start[y];

	return nx > ny ? -1 : nx < ny ? 1 : (x > y) - (x < y);
}

/*
 * A counting sort into the groups, then each group sorted on two threads,
 * the largest groups first.
 */
static void sort_findings(struct audit *a)
{
	size_t nchecks = registry_count(), ngroups = SEV_COUNT * nchecks;
	size_t *start = xcalloc(ngroups + 1, sizeof(*start));
	size_t *fill = xcalloc(ngroups + 1, sizeof(*fill));
	size_t *order = xcalloc(ngroups + 1, sizeof(*order));
	struct finding **v = xcalloc(a->nfindings + 1, sizeof(*v));
	struct sort_job job = { .v = v, .start = start, .order = order, .ngroups = ngroups };

	rank_check_ids();
	for (size_t i = 0; i < a->nfindings; i++)
		start[sort_group(a->findings[i], nchecks) + 1]++;
	for (size_t g = 0; g < ngroups; g++) {
		start[g + 1] += start[g];
		fill[g] = start[g];
		order[g] = g;
	}
	for (size_t i = 0; i < a->nfindings; i++)
		v[fill[sort_group(a->findings[i], nchecks)]++] = a->findings[i];
	qsort_r(order, ngroups, sizeof(*order), cmp_group_size, start);
	thread_run_each(sort_groups, &job, 0, 2);
	free(a->findings);
	a->findings = v;
	a->findings_alloc = a->nfindings + 1;
	free(start);
	free(fill);
	free(order);
}

static void summarise(struct audit *a)
{
	struct summary *s = &a->summary;
	const struct dir *d = a->dir;
	int fail_rank = severity_rank(a->policy->fail_on);
	bool fail = false;

	for (size_t i = 0; i < d->naccounts; i++) {
		const struct account *acc = d->accounts[i];

		if (acc->roles & ROLE_KRBTGT)
			continue;
		s->accounts++;
		if (!acc->enabled)
			continue;
		s->enabled++;
		s->privileged += acc->privileged;
		s->vpn_capable += acc->vpn;
	}
	for (size_t i = 0; i < a->nfindings; i++) {
		const struct finding *f = a->findings[i];
		struct check_state *st = &a->states[f->check_index];

		st->findings++;
		if (f->waiver) {
			s->waived++;
			continue;
		}
		st->unwaived++;
		s->by_severity[f->severity]++;
		if (severity_rank(f->severity) >= fail_rank)
			fail = true;
	}
	for (size_t i = 0; i < registry_count(); i++) {
		struct check_state *st = &a->states[i];

		if (st->status == STATUS_UNKNOWN)
			s->unknown_checks++;
		else if (st->status == STATUS_PASS && st->unwaived)
			st->status = STATUS_FAIL;
	}
	if (a->policy->unknown_fails && s->unknown_checks)
		fail = true;
	s->fail_on = a->policy->fail_on;
	s->pass = !fail;
}

/*
 * The checks run on two threads, each into a findings list of its own (a
 * shadow of the audit sharing everything else: every check writes only
 * its own state). The per_account checks come first: a thread takes the
 * next block of CHECK_BLOCK accounts and runs each of them on it. Then a
 * thread takes the next other check not yet taken: those look at few
 * objects (the privileged accounts, the domain, the PSOs, the waivers),
 * or for one account (the Guest, krbtgt) and whether it is there at all.
 * The lists are then joined in registry order, a
 * per_account check's blocks in turn, so the result is exactly that of a
 * run on one thread.
 */
#define CHECK_THREADS 2

/*
 * Accounts per block: their structures, some 200 bytes each, stay in a
 * core's cache (1 MB of L2 here) while every per_account check reads
 * them. At a million accounts, the checks phase took 0.31 s against
 * 0.45 s with a pass per check (medians of 5); blocks of 1,024, 2,048,
 * 8,192 and 16,384 accounts gave 0.34 to 0.38 s.
 */
#define CHECK_BLOCK 4096

/* The findings of a per_account check on a block: where they are. */
struct segment {
	size_t start, end;       /* in the worker's shadow.findings */
	struct worker *owner;
};

struct worker {
	struct audit shadow;
	atomic_size_t *next;     /* the next other check to take, in order, shared */
	atomic_size_t *next_block; /* shared */
	size_t nblocks;
	const bool *blocked;     /* per check: a ready per_account check */
	struct segment *segs;    /* per block and check (block * n + check), shared */
	double *seconds;         /* per check: this worker's time on its blocks */
	const size_t *order;     /* the other checks by registry index (run_order()) */
	size_t norder;
	struct worker **owner;   /* per check (shared): the worker that ran it */
	size_t *start, *end;     /* per check: its findings in shadow.findings */
};

static void *work(void *arg)
{
	struct worker *w = arg;
	size_t n = registry_count(), naccounts = w->shadow.dir->naccounts;

	for (size_t k; (k = atomic_fetch_add(w->next_block, 1)) < w->nblocks;) {
		size_t from = k * CHECK_BLOCK;
		size_t to = naccounts - from > CHECK_BLOCK ? from + CHECK_BLOCK : naccounts;

		for (size_t i = 0; i < n; i++) {
			struct segment *s = &w->segs[k * n + i];

			if (!w->blocked[i])
				continue;
			s->owner = w;
			s->start = w->shadow.nfindings;
			run_range(&w->shadow, i, from, to, &w->seconds[i]);
			s->end = w->shadow.nfindings;
		}
	}
	for (size_t k; (k = atomic_fetch_add(w->next, 1)) < w->norder;) {
		size_t i = w->order[k];

		w->start[i] = w->shadow.nfindings;
		if (!registry_get(i)->after_waivers)
			run_check(&w->shadow, i);
		w->end[i] = w->shadow.nfindings;
		w->owner[i] = w;
	}
	return NULL;
}

/* The checks that are not per_account, by registry index, in order; *n of them. */
static size_t *run_order(size_t *n)
{
	size_t *order = xcalloc(registry_count() + 1, sizeof(*order));

	*n = 0;
	for (size_t i = 0; i < registry_count(); i++)
		if (!registry_get(i)->per_account)
			order[(*n)++] = i;
	return order;
}

/* Append w's findings start..end to a's; or drop them (drop: the check is UNKNOWN). */
static void take_findings(struct audit *a, const struct worker *w, size_t start, size_t end,
			  bool drop)
{
	for (size_t k = start; k < end; k++) {
		if (drop) {
			finding_free(w->shadow.findings[k]);
			continue;
		}
		xgrow(&a->findings, &a->findings_alloc, a->nfindings + 1, sizeof(*a->findings));
		a->findings[a->nfindings++] = w->shadow.findings[k];
	}
}

static void run_checks(struct audit *a)
{
	struct worker w[CHECK_THREADS];
	size_t n = registry_count(), naccounts = a->dir->naccounts;
	/* one block at least: a check may be UNKNOWN with no account at all */
	size_t nblocks = naccounts ? (naccounts + CHECK_BLOCK - 1) / CHECK_BLOCK : 1;
	atomic_size_t next = 0, next_block = 0;
	struct worker **owner = xcalloc(n + 1, sizeof(*owner));
	size_t norder, *order = run_order(&norder);
	bool *blocked = xcalloc(n + 1, sizeof(*blocked));
	struct segment *segs = xcalloc(nblocks * n + 1, sizeof(*segs));

	for (size_t i = 0; i < n; i++)
		if (registry_get(i)->per_account && !registry_get(i)->after_waivers)
			blocked[i] = check_ready(a, i);
	for (int t = 0; t < CHECK_THREADS; t++) {
		w[t].shadow = *a;
		w[t].shadow.findings = NULL;
		w[t].shadow.nfindings = w[t].shadow.findings_alloc = 0;
		arena_init(&w[t].shadow.mem);
		arena_init(&w[t].shadow.finding_mem);
		w[t].next = &next;
		w[t].next_block = &next_block;
		w[t].nblocks = nblocks;
		w[t].blocked = blocked;
		w[t].segs = segs;
		w[t].seconds = xcalloc(n + 1, sizeof(*w[t].seconds));
		w[t].order = order;
		w[t].norder = norder;
		w[t].owner = owner;
		w[t].start = xcalloc(n + 1, sizeof(*w[t].start));
		w[t].end = xcalloc(n + 1, sizeof(*w[t].end));
	}
	thread_run_each(work, w, sizeof(*w), CHECK_THREADS);
	for (size_t i = 0; i < n; i++) {
		if (!registry_get(i)->per_account) {
			take_findings(a, owner[i], owner[i]->start[i], owner[i]->end[i], false);
			continue;
		}
		/* as one run would: nothing of a check that found itself UNKNOWN */
		for (size_t k = 0; blocked[i] && k < nblocks; k++) {
			const struct segment *s = &segs[k * n + i];

			take_findings(a, s->owner, s->start, s->end,
				      a->states[i].status == STATUS_UNKNOWN);
		}
		for (int t = 0; t < CHECK_THREADS; t++)
			a->states[i].seconds += w[t].seconds[i];
	}
	for (int t = 0; t < CHECK_THREADS; t++) {
		arena_adopt(&a->mem, &w[t].shadow.mem);
		arena_adopt(&a->finding_mem, &w[t].shadow.finding_mem);
		free(w[t].shadow.findings);
		free(w[t].seconds);
		free(w[t].start);
		free(w[t].end);
	}
	free(segs);
	free(blocked);
	free(owner);
	free(order);
}

void audit_run(struct audit *a)
{
	size_t n = registry_count();

	run_checks(a);
	apply_supersedes(a);
	apply_waivers(a);
	for (size_t i = 0; i < n; i++)
		if (registry_get(i)->after_waivers)
			run_check(a, i);
	/* in the order the findings were made, which is that of their memory */
	summarise(a);
	sort_findings(a);
}

int audit_exit_code(const struct audit *a)
{
	return a->summary.pass ? EXIT_PASS : EXIT_GATE;
}
