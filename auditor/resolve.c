/*
 * Resolution and classification of the directory (dir_resolve in dir.h):
 *
 *  1. the domain SID, account roles, enabled state, effective last logon;
 *  2. direct memberships from `member` plus primaryGroupID;
 *  3. target groups (privileged, VPN, MFA, Protected Users, PSO targets);
 *  4. transitive target bits per group, one pass over the strongly
 *     connected components of the group graph (Tarjan, iterative), so
 *     cycles cost nothing extra and every group is visited once;
 *  5. the shortest path of each group to a privileged group (BFS from the
 *     privileged groups down their member groups);
 *  6. per account: privileged (with its path), VPN, MFA evidence,
 *     Protected Users, resultant PSO.
 */
#include "dir.h"

#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "sbuf.h"
#include "sid.h"
#include "strutil.h"
#include "thread.h"
#include "timeutil.h"
#include "xalloc.h"

static const char *const builtin_privileged[] = {
	"S-1-5-32-544", "S-1-5-32-548", "S-1-5-32-549", "S-1-5-32-550", "S-1-5-32-551",
};

static const uint32_t domain_privileged_rids[] = {
	RID_DOMAIN_ADMINS, RID_SCHEMA_ADMINS, RID_ENTERPRISE_ADMINS, RID_GPO_CREATOR_OWNERS,
	RID_KEY_ADMINS, RID_ENTERPRISE_KEY_ADMINS,
};

static const char *rid_sid(struct dir *d, uint32_t rid, char *buf, size_t size)
{
	struct sbuf sb = SBUF_INIT;

	if (!d->domain_sid)
		return NULL;
	sbuf_addf(&sb, "%s-%lu", d->domain_sid, (unsigned long)rid);
	if (sb.len < size)
		memcpy(buf, sb.buf, sb.len + 1);
	else
		buf[0] = '\0';
	sbuf_release(&sb);
	return buf;
}

/* The domain SID: the head's, or the prefix most accounts share. */
static void find_domain_sid(struct dir *d)
{
	struct hmap counts = HMAP_INIT;
	char **keys;
	size_t nkeys = 0, best = 0;
	const char *winner = NULL;

	if (d->domain.h.sid) {
		d->domain_sid = d->domain.h.sid;
		return;
	}
	keys = xcalloc(d->naccounts + 1, sizeof(*keys));
	for (size_t i = 0; i < d->naccounts; i++) {
		const char *sid = d->accounts[i]->h.sid;
		size_t len = sid ? sid_domain_len(sid) : 0;
		char *key;
		size_t *n;

		if (!len)
			continue;
		key = xstrndup(sid, len);
		n = hmap_get(&counts, key);
		if (n) {
			free(key);
		} else {
			n = arena_alloc(&d->arena, sizeof(*n));
			keys[nkeys++] = key;
			hmap_put(&counts, key, n);
		}
		++*n;
	}
	for (size_t i = 0; i < nkeys; i++) {
		size_t n = *(size_t *)hmap_get(&counts, keys[i]);

		if (n > best || (n == best && strcmp(keys[i], winner) < 0)) {
			best = n;
			winner = keys[i];
		}
	}
	if (winner)
		d->domain_sid = arena_strdup(&d->arena, winner);
	for (size_t i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	hmap_release(&counts);
}

static void resolve_account_basics(struct dir *d, struct account *a, int64_t now)
{
	uint32_t rid = sid_rid_in(a->h.sid, d->domain_sid);

	if (rid == RID_KRBTGT)
		a->roles |= ROLE_KRBTGT;
	if (rid == RID_ADMINISTRATOR)
		a->roles |= ROLE_BUILTIN_ADMIN;
	if (rid == RID_GUEST)
		a->roles |= ROLE_GUEST;
	if (a->uac & UAC_SERVER_TRUST_ACCOUNT)
		a->roles |= ROLE_DC;
	if (a->uac & UAC_PARTIAL_SECRETS_ACCOUNT)
		a->roles |= ROLE_RODC;
	a->enabled = !(a->uac & UAC_ACCOUNTDISABLE) &&
		     (a->account_expires == TIME_NEVER || a->account_expires > now);
	a->last_logon_eff = a->last_logon;
	if (a->last_logon_ts != TIME_NEVER &&
	    (a->last_logon_eff == TIME_NEVER || a->last_logon_ts > a->last_logon_eff))
		a->last_logon_eff = a->last_logon_ts;
}

/*
 * The parent DNs of normalised DN ndn, nearest first: *at is 0 for the
 * first, and each call gives the next, NULL after the last.
 */
static const char *next_parent(const char *ndn, size_t *at)
{
	for (size_t i = *at; ndn[i]; i++) {
		if (ndn[i] == ',' && dn_comma_separates(ndn, i)) {
			*at = i + 1;
			return ndn + i + 1;
		}
	}
	return NULL;
}

/*
 * Whether a is a service account: it has an SPN, or its name matches a
 * pattern of the policy, or it lies below one of the policy's service OUs
 * (ous: their normalised DNs). Each ancestor of a is looked up in ous,
 * so that a policy naming hundreds of OUs costs no more per account.
 */
static bool is_service_account(const struct account *a, const struct policy *p,
			       const struct hmap *ous, struct sbuf *scratch)
{
	const char *ndn, *parent;

	if (a->h.kind != OBJ_USER || (a->roles & ROLE_KRBTGT))
		return false;
	if (a->nspns)
		return true;
	for (size_t i = 0; i < p->service_name_patterns.n; i++)
		if (a->h.sam && str_wildmatch(p->service_name_patterns.v[i], a->h.sam))
			return true;
	if (!ous->count || !(ndn = dir_obj_ndn(&a->h, scratch)) || !*ndn)
		return false;
	if (hmap_get(ous, ""))
		return true; /* an empty DN: the whole directory */
	for (size_t at = 0; (parent = next_parent(ndn, &at));)
		if (hmap_get(ous, parent))
			return true;
	return false;
}

static struct group *as_group(struct dir_obj *o)
{
	return o && o->kind == OBJ_GROUP ? (struct group *)o : NULL;
}

static struct group *primary_group(struct dir *d, const struct account *a)
{
	char buf[SID_TEXT_MAX];

	if (!a->has_primary_gid || !rid_sid(d, a->primary_gid, buf, sizeof(buf)))
		return NULL;
	return as_group(dir_find_by_sid(d, buf));
}

/* Resolved member objects of each group, computed once. */
struct members {
	struct dir_obj ***of;   /* per group: resolved members */
	size_t *n;
	struct group ***child_groups;
	size_t *nchild;
};

/* How many members ahead build_memberships fetches the objects it will need. */
#define PREFETCH_AHEAD 8

/*
 * "Object obj is a direct member of group" (indexes): one membership. A
 * large domain has millions: they are kept small.
 */
struct edge {
	uint32_t obj;
	uint32_t group;
};

struct edges {
	struct edge *v;
	size_t n, alloc;
};

static void edge_add(struct edges *e, size_t obj, struct group *g)
{
	xgrow(&e->v, &e->alloc, e->n + 1, sizeof(*e->v));
	e->v[e->n].obj = (uint32_t)obj;
	e->v[e->n++].group = (uint32_t)g->index;
}

/*
 * The passes over every account (a million of them cost a cache miss
 * each) and over the memberships run on RESOLVE_THREADS threads, each
 * over a part of them: an object is written by one thread only, and
 * what the parts collect is joined in order, so the result is that of
 * one thread.
 */
#define RESOLVE_THREADS 2

/* Part t of n objects: *from..*to. */
static void part_of(size_t n, size_t t, size_t *from, size_t *to)
{
	*from = n * t / RESOLVE_THREADS;
	*to = n * (t + 1) / RESOLVE_THREADS;
}

/*
 * The objects from..to of set_parents(): their memberships counted, then
 * placed, then their groups given them. start is shared, each part
 * writes only its objects' entries: start[i + 1] counts object i's
 * memberships, then start[i] is where they start in pool, then (as they
 * are placed) where they end.
 */
struct parents_part {
	struct dir *d;
	struct dir_obj *(*obj_at)(struct dir *, size_t);
	const struct edges *const *lists;
	size_t nlists;
	uint32_t *start, *pool;
	size_t from, to;
};

static void *count_parents(void *arg)
{
	const struct parents_part *part = arg;

	for (size_t l = 0; l < part->nlists; l++) {
		const struct edges *e = part->lists[l];

		for (size_t i = 0; i < e->n; i++)
			if (e->v[i].obj >= part->from && e->v[i].obj < part->to)
				part->start[e->v[i].obj + 1]++;
	}
	return NULL;
}

static void *give_parents(void *arg)
{
	const struct parents_part *part = arg;
	uint32_t *start = part->start, *pool = part->pool, from;
	/* mark[g] = i + 1 once object i has group g: one step per membership */
	uint32_t *mark;

	if (part->from == part->to)
		return NULL;
	from = start[part->from];
	for (size_t l = 0; l < part->nlists; l++) {
		const struct edges *e = part->lists[l];

		for (size_t i = 0; i < e->n; i++)
			if (e->v[i].obj >= part->from && e->v[i].obj < part->to)
				pool[start[e->v[i].obj]++] = e->v[i].group;
	}
	mark = xcalloc(part->d->ngroups + 1, sizeof(*mark));
	for (size_t i = part->from; i < part->to; from = start[i++]) {
		struct dir_obj *o = part->obj_at(part->d, i);
		uint32_t stamp = (uint32_t)i + 1;
		size_t k = 0;

		o->parents = pool + from;
		for (uint32_t j = from; j < start[i]; j++) {
			if (mark[pool[j]] == stamp)
				continue;
			mark[pool[j]] = stamp;
			o->parents[k++] = pool[j];
		}
		o->nparents = (uint32_t)k;
		if (!k)
			o->parents = NULL;
	}
	free(mark);
	return NULL;
}

/*
 * Give each of the n objects its direct groups from the edges of the
 * nlists lists: sorted by object with a counting sort (stable: groups
 * keep the order they were found in, list after list), into one array,
 * duplicates dropped. The threads share the work, each for a part of
 * the objects.
 */
static void set_parents(struct dir *d, struct dir_obj *(*obj_at)(struct dir *, size_t),
			size_t n, const struct edges *const *lists, size_t nlists)
{
	struct parents_part part[RESOLVE_THREADS];
	size_t total = 0;
	uint32_t *start, *pool;

	for (size_t l = 0; l < nlists; l++)
		total += lists[l]->n;
	if (!total)
		return;
	start = xcalloc(n + 1, sizeof(*start));
	pool = arena_alloc(&d->arena, total * sizeof(*pool));
	for (size_t t = 0; t < RESOLVE_THREADS; t++) {
		part[t] = (struct parents_part){ d, obj_at, lists, nlists, start, pool, 0, 0 };
		part_of(n, t, &part[t].from, &part[t].to);
	}
	thread_run_each(count_parents, part, sizeof(*part), RESOLVE_THREADS);
	for (size_t i = 0; i < n; i++)
		start[i + 1] += start[i];
	thread_run_each(give_parents, part, sizeof(*part), RESOLVE_THREADS);
	free(start);
}

static struct dir_obj *account_at(struct dir *d, size_t i)
{
	return &d->accounts[i]->h;
}

static struct dir_obj *group_at(struct dir *d, size_t i)
{
	return &d->groups[i]->h;
}

/* The memberships of the groups from..to, found by one thread. */
struct member_scan {
	const struct dir *d;
	struct members *m;
	size_t from, to;
	struct edges acc, grp;
};

/* o, the member of group gi of g, as a membership. */
static void scan_member(struct member_scan *s, size_t gi, struct group *g, struct dir_obj *o,
			size_t *ccap)
{
	struct members *m = s->m;

	if (!o)
		return;
	if (o->kind == OBJ_GROUP) {
		struct group *c = (struct group *)o;

		edge_add(&s->grp, c->index, g);
		xgrow(&m->child_groups[gi], ccap, m->nchild[gi] + 1, sizeof(*m->child_groups[gi]));
		m->child_groups[gi][m->nchild[gi]++] = c;
	} else if (dir_obj_is_account(o)) {
		edge_add(&s->acc, o->index, g);
	}
}

/* The n members objs of group gi, g; each object fetched ahead (NULL: not read). */
static void scan_list(struct member_scan *s, size_t gi, struct group *g, struct dir_obj **objs,
		      size_t n, size_t *ccap)
{
	for (size_t k = 0; k < n; k++) {
		if (k + PREFETCH_AHEAD < n)
			__builtin_prefetch(objs[k + PREFETCH_AHEAD]);
		scan_member(s, gi, g, objs[k], ccap);
	}
}

static void *scan_members(void *arg)
{
	struct member_scan *s = arg;
	const struct dir *d = s->d;
	struct dir_obj **found = NULL;  /* the members read after their group */
	size_t found_alloc = 0;

	for (size_t gi = s->from; gi < s->to; gi++) {
		struct group *g = d->groups[gi];
		size_t ccap = 0;

		scan_list(s, gi, g, g->member_objs, g->nmember_objs, &ccap);
		if (!g->npending)
			continue;
		xgrow(&found, &found_alloc, g->npending, sizeof(*found));
		dir_find_pending(d, g, found);
		scan_list(s, gi, g, found, g->npending, &ccap);
	}
	free(found);
	return NULL;
}

/*
 * The work of scanning g's members, to split it evenly: a member not yet
 * read then is looked up by DN, which costs several times as much
 * (measured at a million accounts: six).
 */
static size_t scan_cost(const struct group *g)
{
	return g->nmember_objs + 6 * g->npending;
}

/* The basics of the accounts from..to, and the edges to their primary groups. */
struct basics_part {
	struct dir *d;
	int64_t now;
	size_t from, to;
	struct edges primary;
};

/* A primary group (nearly always one of two or three) is looked up once per RID. */
static void *account_basics(void *arg)
{
	struct basics_part *part = arg;
	uint32_t last_gid = 0;
	struct group *last_pg = NULL;
	bool have_last = false;

	for (size_t i = part->from; i < part->to; i++) {
		struct account *a = part->d->accounts[i];

		resolve_account_basics(part->d, a, part->now);
		if (!a->has_primary_gid)
			continue;
		if (!have_last || a->primary_gid != last_gid) {
			last_gid = a->primary_gid;
			last_pg = primary_group(part->d, a);
			have_last = true;
		}
		if (last_pg)
			edge_add(&part->primary, i, last_pg);
	}
	return NULL;
}

/*
 * Every account's roles, enabled state and effective last logon, and
 * its edge to its primary group, into primary[t] for the accounts of
 * part t.
 */
static void resolve_basics(struct dir *d, int64_t now, struct edges primary[RESOLVE_THREADS])
{
	struct basics_part part[RESOLVE_THREADS];

	for (size_t t = 0; t < RESOLVE_THREADS; t++) {
		part[t] = (struct basics_part){ .d = d, .now = now };
		part_of(d->naccounts, t, &part[t].from, &part[t].to);
	}
	thread_run_each(account_basics, part, sizeof(*part), RESOLVE_THREADS);
	for (size_t t = 0; t < RESOLVE_THREADS; t++)
		primary[t] = part[t].primary;
}

/*
 * Every account and group gets its direct groups (the primary group last,
 * from primary), every group its member groups. Members lie all over the
 * directory: each membership is read once, its object fetched ahead, and
 * the lists are built by sorting the memberships rather than growing a
 * list per object. Two threads find the memberships, each of half of
 * them (the lookups only read the directory); joined in group order,
 * they are what one thread finds.
 */
static void build_memberships(struct dir *d, struct members *m,
			      const struct edges primary[RESOLVE_THREADS])
{
	struct member_scan scan[2] = { { d, m, 0, 0, { 0 }, { 0 } },
				       { d, m, 0, 0, { 0 }, { 0 } } };
	/* the memberships as the scans found them, then the primary groups */
	const struct edges *acc[2 + RESOLVE_THREADS] = { &scan[0].acc, &scan[1].acc };
	const struct edges *grp[2] = { &scan[0].grp, &scan[1].grp };
	size_t total = 0, half = 0, split = 0;

	m->child_groups = xcalloc(d->ngroups + 1, sizeof(*m->child_groups));
	m->nchild = xcalloc(d->ngroups + 1, sizeof(*m->nchild));
	for (size_t gi = 0; gi < d->ngroups; gi++)
		total += scan_cost(d->groups[gi]);
	while (split < d->ngroups && half < total / 2)
		half += scan_cost(d->groups[split++]);
	scan[0].to = scan[1].from = split;
	scan[1].to = d->ngroups;
	thread_run_each(scan_members, scan, sizeof(*scan), 2);
	for (size_t t = 0; t < RESOLVE_THREADS; t++)
		acc[2 + t] = &primary[t];
	set_parents(d, account_at, d->naccounts, acc, 2 + RESOLVE_THREADS);
	set_parents(d, group_at, d->ngroups, grp, 2);
	for (int t = 0; t < 2; t++) {
		free(scan[t].acc.v);
		free(scan[t].grp.v);
	}
}

static int add_target(struct dir *d, struct group *g, unsigned why, size_t *cap)
{
	if (!g)
		return -1;
	if (g->target >= 0) {
		d->targets[g->target].why |= why;
		return g->target;
	}
	xgrow(&d->targets, cap, d->ntargets + 1, sizeof(*d->targets));
	d->targets[d->ntargets].group = g;
	d->targets[d->ntargets].why = why;
	g->target = (int)d->ntargets;
	return (int)d->ntargets++;
}

/* Add the groups the policy names; *missing gets a reason for the first one not found. */
static void add_named_targets(struct dir *d, const struct strlist *names, unsigned why, size_t *cap,
			      const char *key, const char **missing)
{
	for (size_t i = 0; i < names->n; i++) {
		struct group *g = as_group(dir_find_name(d, names->v[i]));
		struct sbuf sb = SBUF_INIT;

		if (g) {
			add_target(d, g, why, cap);
			continue;
		}
		if (!missing || *missing)
			continue;
		sbuf_addf(&sb, "group \"%s\" named in %s is not in the directory", names->v[i], key);
		*missing = arena_strdup(&d->arena, sb.buf);
		sbuf_release(&sb);
	}
}

static void build_targets(struct dir *d, const struct policy *p)
{
	size_t cap = 0;
	char buf[SID_TEXT_MAX];
	struct group *dns_admins;

	for (size_t i = 0; i < sizeof(builtin_privileged) / sizeof(*builtin_privileged); i++)
		add_target(d, as_group(dir_find_by_sid(d, builtin_privileged[i])), TARGET_PRIVILEGED,
			   &cap);
	for (size_t i = 0; i < sizeof(domain_privileged_rids) / sizeof(*domain_privileged_rids); i++)
		if (rid_sid(d, domain_privileged_rids[i], buf, sizeof(buf)))
			add_target(d, as_group(dir_find_by_sid(d, buf)), TARGET_PRIVILEGED, &cap);
	dns_admins = as_group(hmap_get(&d->by_sam, "DnsAdmins"));
	add_target(d, dns_admins, TARGET_PRIVILEGED, &cap);
	add_named_targets(d, &p->priv_extra_groups, TARGET_PRIVILEGED, &cap,
			  "privileged.extra_groups", &d->unresolved_privileged);
	/* checks/vpn.c says itself which VPN group is missing */
	add_named_targets(d, &p->vpn_groups, TARGET_VPN, &cap, NULL, NULL);
	add_named_targets(d, &p->mfa_groups, TARGET_MFA, &cap, "mfa.groups", &d->unresolved_mfa);
	if (rid_sid(d, RID_PROTECTED_USERS, buf, sizeof(buf)))
		add_target(d, as_group(dir_find_by_sid(d, buf)), TARGET_PROTECTED_USERS, &cap);
	/* the links were looked up once (resolve_pso_links) */
	for (size_t i = 0; i < d->npsos; i++)
		for (size_t k = 0; k < d->psos[i]->napplied; k++)
			add_target(d, as_group(d->psos[i]->applied[k]), TARGET_PSO, &cap);
	d->target_words = (d->ntargets + 63) / 64;
	if (!d->target_words)
		d->target_words = 1;
	d->target_masks = arena_alloc(&d->arena,
				      TARGET_WHYS * d->target_words * sizeof(*d->target_masks));
	for (size_t t = 0; t < d->ntargets; t++) {
		if (d->targets[t].why & TARGET_PRIVILEGED)
			d->targets[t].group->privileged = true;
		for (unsigned k = 0; k < TARGET_WHYS; k++)
			if (d->targets[t].why & (1u << k))
				d->target_masks[k * d->target_words + t / 64] |= UINT64_C(1) << (t % 64);
	}
}

/*
 * Tarjan's algorithm over the "member of" edges (group -> its parents),
 * iterative. A component is complete when it is popped; all components it
 * reaches were completed before, so its bits are the union of its own
 * targets and those of the parents outside it.
 */
static void transitive_bits(struct dir *d)
{
	size_t n = d->ngroups, w = d->target_words, counter = 0, sp = 0, csp = 0;
	size_t *index = xmalloc((n + 1) * sizeof(*index));
	size_t *low = xmalloc((n + 1) * sizeof(*low));
	bool *on = xcalloc(n + 1, sizeof(*on));
	size_t *stack = xmalloc((n + 1) * sizeof(*stack));
	struct frame { size_t g, next; } *call = xmalloc((n + 1) * sizeof(*call));
	const size_t UNSEEN = (size_t)-1;

	for (size_t i = 0; i < n; i++)
		index[i] = UNSEEN;
	for (size_t root = 0; root < n; root++) {
		if (index[root] != UNSEEN)
			continue;
		call[csp++] = (struct frame){ root, 0 };
		index[root] = low[root] = counter++;
		stack[sp++] = root;
		on[root] = true;
		while (csp) {
			struct frame *f = &call[csp - 1];
			struct group *g = d->groups[f->g];

			if (f->next < g->h.nparents) {
				size_t p = g->h.parents[f->next++];

				if (index[p] == UNSEEN) {
					index[p] = low[p] = counter++;
					stack[sp++] = p;
					on[p] = true;
					call[csp++] = (struct frame){ p, 0 };
				} else if (on[p] && index[p] < low[f->g]) {
					low[f->g] = index[p];
				}
				continue;
			}
			if (low[f->g] == index[f->g]) {
				/* pop the component rooted here */
				uint64_t *bits = arena_alloc(&d->arena, w * sizeof(*bits));
				size_t start = sp;

				do
					start--;
				while (stack[start] != f->g);
				for (size_t k = start; k < sp; k++) {
					struct group *m = d->groups[stack[k]];

					if (m->target >= 0)
						bits[m->target / 64] |= UINT64_C(1) << (m->target % 64);
					for (size_t q = 0; q < m->h.nparents; q++) {
						struct group *par = d->groups[m->h.parents[q]];

						if (!on[par->index] && par->bits)
							for (size_t x = 0; x < w; x++)
								bits[x] |= par->bits[x];
					}
				}
				for (size_t k = start; k < sp; k++) {
					d->groups[stack[k]]->bits = bits;
					on[stack[k]] = false;
				}
				sp = start;
			}
			csp--;
			if (csp) {
				size_t parent_of_call = call[csp - 1].g;

				if (low[f->g] < low[parent_of_call])
					low[parent_of_call] = low[f->g];
			}
		}
	}
	free(index);
	free(low);
	free(on);
	free(stack);
	free(call);
}

/*
 * A privileged path names every group when there are at most PATH_GROUPS;
 * past that, the first and the last PATH_ENDS, and how many are left out
 * between them. Real nesting is a few groups deep, but in a chain of
 * thousands of groups, each with a member, the paths would otherwise grow
 * with the square of the chain, and the reports, which repeat them, too.
 * A group's priv_tail is the group its last PATH_ENDS start with.
 */
#define PATH_ENDS 16
#define PATH_GROUPS (2 * PATH_ENDS)

/* Shortest hops from each group up to a privileged group. */
static void privileged_distances(struct dir *d, const struct members *m)
{
	size_t *queue = xmalloc((d->ngroups + 1) * sizeof(*queue));
	size_t head = 0, tail = 0;

	for (size_t i = 0; i < d->ngroups; i++) {
		if (d->groups[i]->privileged) {
			d->groups[i]->priv_dist = 0;
			queue[tail++] = i;
		}
	}
	while (head < tail) {
		struct group *g = d->groups[queue[head++]];

		for (size_t k = 0; k < m->nchild[g->index]; k++) {
			struct group *c = m->child_groups[g->index][k];

			if (c->priv_dist >= 0)
				continue;
			c->priv_dist = g->priv_dist + 1;
			c->priv_next = g;
			/* g's is set: the queue runs in order of distance */
			if (c->priv_dist == PATH_ENDS - 1)
				c->priv_tail = c;
			else if (c->priv_dist > PATH_ENDS - 1)
				c->priv_tail = g->priv_tail;
			queue[tail++] = c->index;
		}
	}
	free(queue);
}

static const char *obj_name(const struct dir_obj *o)
{
	if (o->sam)
		return o->sam;
	return o->dn;
}

/* The names of n groups of a path, from g on. */
static void path_add(struct sbuf *sb, const struct group *g, size_t n)
{
	for (; g && n; n--, g = g->priv_dist > 0 ? g->priv_next : NULL)
		sbuf_addf(sb, " -> %s", obj_name(&g->h));
}

/* a's privileged path, kept in mem. */
static void account_path(struct dir *d, struct arena *mem, struct account *a)
{
	struct group *best = NULL;
	struct sbuf sb = SBUF_INIT;
	size_t n;

	a->priv_nested = true;
	for (size_t i = 0; i < a->h.nparents; i++) {
		struct group *g = d->groups[a->h.parents[i]];

		if (g->priv_dist < 0)
			continue;
		if (g->priv_dist == 0)
			a->priv_nested = false;
		if (!best || g->priv_dist < best->priv_dist ||
		    (g->priv_dist == best->priv_dist &&
		     str_icmp(obj_name(&g->h), obj_name(&best->h)) < 0))
			best = g;
	}
	if (!best) {
		/* privileged through a cycle the BFS cannot name: not expected */
		a->priv_path = obj_name(&a->h);
		return;
	}
	sbuf_adds(&sb, obj_name(&a->h));
	n = (size_t)best->priv_dist + 1;
	if (n <= PATH_GROUPS) {
		path_add(&sb, best, n);
	} else {
		path_add(&sb, best, PATH_ENDS);
		sbuf_addf(&sb, " -> [%zu more group%s]", n - PATH_GROUPS,
			  n - PATH_GROUPS == 1 ? "" : "s");
		path_add(&sb, best->priv_tail, PATH_ENDS);
	}
	a->priv_path = arena_strdup(mem, sb.buf);
	sbuf_release(&sb);
}

/*
 * The distinct target sets of the accounts in more than one group: a
 * million accounts fall into a handful, each kept once.
 */
struct bits_pool {
	const uint64_t **slots;
	size_t size, count;
	uint64_t *scratch;       /* one set being built */
	struct arena *mem;       /* where the sets are kept */
};

static uint64_t bits_hash(const uint64_t *bits, size_t w)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL;

	for (size_t x = 0; x < w; x++) {
		h = (h ^ bits[x]) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	return h;
}

static const uint64_t **bits_slot(const struct bits_pool *bp, const uint64_t *bits, size_t w)
{
	size_t mask = bp->size - 1, i = (size_t)bits_hash(bits, w) & mask;

	while (bp->slots[i] && memcmp(bp->slots[i], bits, w * sizeof(*bits)) != 0)
		i = (i + 1) & mask;
	return &bp->slots[i];
}

/* The pool's copy of bits (d->target_words), made when new. */
static const uint64_t *bits_intern(struct dir *d, struct bits_pool *bp, const uint64_t *bits)
{
	size_t w = d->target_words;
	const uint64_t **s;
	uint64_t *copy;

	if ((bp->count + 1) * 2 > bp->size) {
		struct bits_pool bigger = { NULL, bp->size ? bp->size * 2 : 64, 0, bp->scratch,
					    bp->mem };

		bigger.slots = xcalloc(bigger.size, sizeof(*bigger.slots));
		for (size_t i = 0; i < bp->size; i++)
			if (bp->slots[i])
				*bits_slot(&bigger, bp->slots[i], w) = bp->slots[i];
		bigger.count = bp->count;
		free(bp->slots);
		*bp = bigger;
	}
	s = bits_slot(bp, bits, w);
	if (*s)
		return *s;
	copy = arena_alloc(bp->mem, w * sizeof(*copy));
	memcpy(copy, bits, w * sizeof(*copy));
	bp->count++;
	return *s = copy;
}

static void account_bits(struct dir *d, struct account *a, struct bits_pool *bp)
{
	if (a->h.nparents == 0)
		return;
	if (a->h.nparents == 1) {
		a->bits = d->groups[a->h.parents[0]]->bits;
		return;
	}
	memset(bp->scratch, 0, d->target_words * sizeof(*bp->scratch));
	for (size_t i = 0; i < a->h.nparents; i++) {
		const uint64_t *pb = d->groups[a->h.parents[i]]->bits;

		if (pb)
			for (size_t x = 0; x < d->target_words; x++)
				bp->scratch[x] |= pb[x];
	}
	a->bits = bits_intern(d, bp, bp->scratch);
}

_Static_assert(TARGET_PSO == 1 << (TARGET_WHYS - 1), "a mask per TARGET_* bit");

/*
 * What classifying an account needs besides the directory and the
 * policy: pso_best[t], the best PSO linked to target group t; the
 * policy's service OUs as a set of normalised DNs; the extra attribute
 * of the policy's MFA attribute. Read only while the accounts are
 * classified.
 */
struct classify {
	const struct pso **pso_best;
	int mfa_attr;             /* dir.extra_names index, -1: none */
	struct hmap service_ous;
	const char **ou_ndns;     /* the policy's service OUs, normalised, in order */
	struct arena ou_keys;     /* their text */
};

/*
 * One thread's part of the classification, the accounts from..to: its
 * own pool of target sets, room for an account's normalised DN, and the
 * arena of the paths and sets it makes, which the directory's then
 * adopts.
 */
struct classify_part {
	struct dir *d;
	const struct policy *p;
	const struct classify *c;
	size_t from, to;
	struct bits_pool bp;
	struct sbuf scratch;
	struct arena mem;
	const struct account **privileged;  /* of accounts[from..to) */
	size_t nprivileged, privileged_alloc;
};

/* Whether a is in a target of reason why: the cost of the words, not of the targets. */
static bool in_any(const struct dir *d, const struct account *a, unsigned why)
{
	const uint64_t *mask = dir_target_mask(d, why);

	if (!a->bits)
		return false;
	for (size_t x = 0; x < d->target_words; x++)
		if (a->bits[x] & mask[x])
			return true;
	return false;
}

/* Whether a's MFA attribute (extra attribute mfa_attr, -1: none read) says MFA. */
static bool mfa_attribute_ok(const struct account *a, const struct policy *p, int mfa_attr)
{
	if (mfa_attr < 0)
		return false;
	for (const struct dir_value *v = a->extra; v; v = v->next) {
		if (v->attr != (unsigned)mfa_attr || !*v->val)
			continue;
		if (!p->mfa_attribute_values.n)
			return true;
		for (size_t i = 0; i < p->mfa_attribute_values.n; i++)
			if (str_ieq(v->val, p->mfa_attribute_values.v[i]))
				return true;
	}
	return false;
}

/*
 * The tie between two PSOs of one precedence: the least objectGUID wins,
 * as in AD. One whose GUID could not be read comes after those with one,
 * and among themselves by DN: an order, whatever the links are read in.
 */
static int guid_or_dn_cmp(const struct pso *x, const struct pso *y)
{
	int c = 0;

	if (x->guid && y->guid)
		c = strcmp(x->guid, y->guid);
	else if (x->guid || y->guid)
		c = x->guid ? -1 : 1;
	return c ? c : dir_obj_ndn_cmp(&x->h, &y->h);
}

static bool pso_better(const struct pso *x, const struct pso *best)
{
	if (!best)
		return true;
	if (x->precedence != best->precedence)
		return x->precedence < best->precedence;
	return guid_or_dn_cmp(x, best) < 0;
}

/*
 * The resultant PSO of each account: one linked to the account itself
 * beats any linked to its groups; among either kind, the lowest
 * precedence wins, then the least objectGUID. The links are read once:
 * each direct one settles its account's PSO here (a PSO may be linked
 * to thousands of users), each one to a group the best PSO of that
 * target (c->pso_best), which classify_account() reads for the accounts
 * with no PSO of their own.
 */
static void pso_links(struct dir *d, struct classify *c)
{
	for (size_t i = 0; i < d->npsos; i++) {
		const struct pso *p = d->psos[i];

		for (size_t k = 0; k < p->napplied; k++) {
			struct dir_obj *o = p->applied[k];

			if (o->kind == OBJ_GROUP) {
				int t = ((struct group *)o)->target;

				if (t >= 0 && pso_better(p, c->pso_best[t]))
					c->pso_best[t] = p;
			} else if (dir_obj_is_account(o)) {
				struct account *a = (struct account *)o;

				if (pso_better(p, a->pso))
					a->pso = p;
			}
		}
	}
}

/* The best PSO linked to a group a is in, or NULL. */
static const struct pso *pso_via_groups(const struct dir *d, const struct classify *c,
					const struct account *a)
{
	const uint64_t *mask = dir_target_mask(d, TARGET_PSO);
	const struct pso *best = NULL;

	if (!a->bits)
		return NULL;
	for (size_t x = 0; x < d->target_words; x++) {
		for (uint64_t m = a->bits[x] & mask[x]; m; m &= m - 1) {
			const struct pso *p = c->pso_best[x * 64 + (size_t)__builtin_ctzll(m)];

			if (p && pso_better(p, best))
				best = p;
		}
	}
	return best;
}

static void classify_account(struct classify_part *part, struct account *a)
{
	struct dir *d = part->d;
	const struct policy *p = part->p;

	if (is_service_account(a, p, &part->c->service_ous, &part->scratch))
		a->roles |= ROLE_SERVICE;
	account_bits(d, a, &part->bp);
	a->privileged = in_any(d, a, TARGET_PRIVILEGED);
	if (a->privileged) {
		account_path(d, &part->mem, a);
		xgrow(&part->privileged, &part->privileged_alloc, part->nprivileged + 1,
		      sizeof(*part->privileged));
		part->privileged[part->nprivileged++] = a;
	}
	a->protected_users = in_any(d, a, TARGET_PROTECTED_USERS);
	if (a->dialin == 0)
		a->vpn = false;
	else
		a->vpn = (a->dialin == 1 && p->vpn_dialin_attribute) || in_any(d, a, TARGET_VPN);
	a->mfa_sources = 0;
	if (in_any(d, a, TARGET_MFA))
		a->mfa_sources |= MFA_SRC_GROUP;
	if (p->mfa_smartcard_required && (a->uac & UAC_SMARTCARD_REQUIRED))
		a->mfa_sources |= MFA_SRC_SMARTCARD;
	if (mfa_attribute_ok(a, p, part->c->mfa_attr))
		a->mfa_sources |= MFA_SRC_ATTRIBUTE;
	if (!a->pso)
		a->pso = pso_via_groups(d, part->c, a);
}

static void *classify_accounts(void *arg)
{
	struct classify_part *part = arg;

	part->bp.scratch = xcalloc(part->d->target_words, sizeof(*part->bp.scratch));
	part->bp.mem = &part->mem;
	for (size_t i = part->from; i < part->to; i++)
		classify_account(part, part->d->accounts[i]);
	free(part->bp.slots);
	free(part->bp.scratch);
	sbuf_release(&part->scratch);
	return NULL;
}

/* Every account classified, on RESOLVE_THREADS threads. */
static void classify_all(struct dir *d, const struct policy *p, const struct classify *c)
{
	struct classify_part part[RESOLVE_THREADS];
	size_t n = 0;

	for (size_t t = 0; t < RESOLVE_THREADS; t++) {
		part[t] = (struct classify_part){ .d = d, .p = p, .c = c, .scratch = SBUF_INIT,
						  .mem = ARENA_INIT };
		part_of(d->naccounts, t, &part[t].from, &part[t].to);
	}
	thread_run_each(classify_accounts, part, sizeof(*part), RESOLVE_THREADS);
	for (size_t t = 0; t < RESOLVE_THREADS; t++)
		n += part[t].nprivileged;
	d->privileged = xcalloc(n + 1, sizeof(*d->privileged));
	for (size_t t = 0; t < RESOLVE_THREADS; t++) {
		arena_adopt(&d->arena, &part[t].mem);
		/* the parts are accounts[] in turn: the order stays that of accounts */
		for (size_t i = 0; i < part[t].nprivileged; i++)
			d->privileged[d->nprivileged++] = part[t].privileged[i];
		free(part[t].privileged);
	}
}

/*
 * The first OU of service_accounts.ous that holds no account or group of
 * the directory, in d->unresolved_service: one misspelt, or of another
 * domain, would classify no one, and the checks on service accounts
 * would pass in silence. OUs are not objects of the directory (an export
 * need not hold them: `privaudit collect` reads none), so an OU is found
 * above the accounts and groups, which are walked while one is missing.
 */
static void find_service_ous(struct dir *d, const struct policy *p, const struct classify *c)
{
	struct hmap left = HMAP_INIT_EXACT;   /* normalised DN -> its flag, found */
	struct sbuf scratch = SBUF_INIT;
	bool *found = xcalloc(p->service_ous.n + 1, sizeof(*found));
	size_t missing = 0, nobjs = d->naccounts + d->ngroups;

	for (size_t i = 0; i < p->service_ous.n; i++) {
		const char *ndn = c->ou_ndns[i];

		/* "" is the whole directory, as is_service_account() reads it */
		if ((*ndn || !nobjs) && !hmap_get(&left, ndn)) {
			hmap_put(&left, ndn, &found[i]);
			missing++;
		}
	}
	for (size_t k = 0; k < nobjs && missing; k++) {
		const struct dir_obj *o = k < d->naccounts ? &d->accounts[k]->h :
							    &d->groups[k - d->naccounts]->h;
		const char *ndn = dir_obj_ndn(o, &scratch), *parent;
		bool *flag;

		for (size_t at = 0; ndn && missing && (parent = next_parent(ndn, &at));) {
			if ((flag = hmap_get(&left, parent)) && !*flag) {
				*flag = true;
				missing--;
			}
		}
	}
	for (size_t i = 0; i < p->service_ous.n && missing; i++) {
		bool *flag = hmap_get(&left, c->ou_ndns[i]);
		struct sbuf sb = SBUF_INIT;

		if (!flag || *flag)
			continue;
		sbuf_addf(&sb, "OU \"%s\" named in service_accounts.ous holds no account or group "
			  "of the directory", p->service_ous.v[i]);
		d->unresolved_service = arena_strdup(&d->arena, sb.buf);
		sbuf_release(&sb);
		break;
	}
	free(found);
	sbuf_release(&scratch);
	hmap_release(&left);
}

/* Each PSO's msDS-PSOAppliesTo as objects, looked up once. */
static void resolve_pso_links(struct dir *d)
{
	for (size_t i = 0; i < d->npsos; i++) {
		struct pso *p = d->psos[i];

		p->applied = arena_alloc(&d->arena, (p->napplies_to + 1) * sizeof(*p->applied));
		for (size_t k = 0; k < p->napplies_to; k++) {
			struct dir_obj *o = dir_find_by_dn(d, p->applies_to[k]);

			if (o)
				p->applied[p->napplied++] = o;
		}
	}
}

/*
 * A PSO named by msDS-PSOApplied that was not read is a blind spot. The
 * reason names one: the least by PSO DN, then by the object it applies
 * to, so that it does not depend on the order the entries came in (over
 * several connections, that order changes from one read to the next).
 */
static void check_pso_applied(struct dir *d)
{
	size_t best = d->npso_applied;
	const struct dir_obj *to;
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < d->npso_applied; i++) {
		struct dir_obj *o = dir_find_by_dn(d, d->pso_applied[i]);
		int c;

		if (o && o->kind == OBJ_PSO)
			continue;
		if (best < d->npso_applied) {
			c = strcmp(d->pso_applied[i], d->pso_applied[best]);
			if (c > 0 || (c == 0 && dir_obj_ndn_cmp(d->pso_applied_to[i],
								d->pso_applied_to[best]) >= 0))
				continue;
		}
		best = i;
	}
	if (best == d->npso_applied)
		return;
	to = d->pso_applied_to[best];
	sbuf_addf(&sb, "password settings object \"%s\" applies to \"%s\" "
		       "(msDS-PSOApplied) but was not read: the bind account may not "
		       "read password settings objects",
		  d->pso_applied[best], to->sam ? to->sam : to->dn);
	d->pso_unread_reason = arena_strdup(&d->arena, sb.buf);
	sbuf_release(&sb);
}

static void last_logon_sources(struct dir *d)
{
	uint64_t seen = d->seen[OBJ_USER] | d->seen[OBJ_COMPUTER] | d->seen[OBJ_GMSA];

	if (d->nlast_logon_sources)
		return; /* the source named them (the DCs read) */
	if (seen & ATTR_BIT(ATTR_LASTLOGONTIMESTAMP))
		d->last_logon_sources[d->nlast_logon_sources++] = "lastLogonTimestamp";
	if (seen & ATTR_BIT(ATTR_LASTLOGON))
		d->last_logon_sources[d->nlast_logon_sources++] = "lastLogon";
}

void dir_resolve(struct dir *d, const struct policy *p, int64_t now)
{
	struct members m = { 0 };
	struct edges primary[RESOLVE_THREADS] = { { NULL, 0, 0 } };
	struct classify c = { .service_ous = HMAP_INIT_EXACT, .ou_keys = ARENA_INIT };

	if (d->resolved)
		return;
	find_domain_sid(d);
	resolve_basics(d, now, primary);
	build_memberships(d, &m, primary);
	for (size_t t = 0; t < RESOLVE_THREADS; t++)
		free(primary[t].v);
	dir_release_members(d);
	resolve_pso_links(d);
	build_targets(d, p);
	transitive_bits(d);
	privileged_distances(d, &m);
	c.pso_best = xcalloc(d->ntargets + 1, sizeof(*c.pso_best));
	c.mfa_attr = p->mfa_attribute ? dir_extra_lookup(d, p->mfa_attribute) : -1;
	c.ou_ndns = xcalloc(p->service_ous.n + 1, sizeof(*c.ou_ndns));
	for (size_t i = 0; i < p->service_ous.n; i++) {
		char *ndn = dn_normalise_in(&c.ou_keys, p->service_ous.v[i]);

		c.ou_ndns[i] = ndn;
		hmap_put(&c.service_ous, ndn, ndn);
	}
	pso_links(d, &c);
	classify_all(d, p, &c);
	find_service_ous(d, p, &c);
	free(c.pso_best);
	hmap_release(&c.service_ous);
	free(c.ou_ndns);
	arena_release(&c.ou_keys);
	check_pso_applied(d);
	last_logon_sources(d);
	for (size_t i = 0; i < d->ngroups; i++)
		free(m.child_groups[i]);
	free(m.child_groups);
	free(m.nchild);
	d->resolved = true;
}
