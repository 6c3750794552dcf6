/*
 * The directory model: the accounts, groups, domain head and fine-grained
 * password policies of one domain, as read from LDAP or LDIF, then resolved
 * (membership, kinds, enabled, last logon) and classified (privileged, VPN,
 * MFA, service account).
 *
 * Everything lives in the directory's arena and is freed by dir_release();
 * checks receive a const struct dir and never change it. Sources feed it one
 * raw entry at a time (dir_add), keeping only the attributes the audit reads:
 * the fixed table in dir.c (dir_attr_name) plus the "extra" attributes the
 * policy names (the MFA attribute, vpn.unowned's required attributes).
 */
#ifndef PRIVAUDIT_DIR_H
#define PRIVAUDIT_DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "hmap.h"
#include "sbuf.h"
#include "sid.h"

struct error;
struct policy;
struct sbuf;

/* userAccountControl bits */
#define UAC_ACCOUNTDISABLE 0x2u
#define UAC_PASSWD_NOTREQD 0x20u
#define UAC_ENCRYPTED_TEXT_PWD_ALLOWED 0x80u
#define UAC_NORMAL_ACCOUNT 0x200u
#define UAC_WORKSTATION_TRUST_ACCOUNT 0x1000u
#define UAC_SERVER_TRUST_ACCOUNT 0x2000u
#define UAC_DONT_EXPIRE_PASSWORD 0x10000u
#define UAC_SMARTCARD_REQUIRED 0x40000u
#define UAC_TRUSTED_FOR_DELEGATION 0x80000u
#define UAC_NOT_DELEGATED 0x100000u
#define UAC_USE_DES_KEY_ONLY 0x200000u
#define UAC_DONT_REQ_PREAUTH 0x400000u
#define UAC_TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000u
#define UAC_PARTIAL_SECRETS_ACCOUNT 0x4000000u

/* Well-known RIDs and SIDs */
#define RID_ADMINISTRATOR 500
#define RID_GUEST 501
#define RID_KRBTGT 502
#define RID_DOMAIN_ADMINS 512
#define RID_DOMAIN_USERS 513
#define RID_DOMAIN_GUESTS 514
#define RID_DOMAIN_COMPUTERS 515
#define RID_DOMAIN_CONTROLLERS 516
#define RID_SCHEMA_ADMINS 518
#define RID_ENTERPRISE_ADMINS 519
#define RID_GPO_CREATOR_OWNERS 520
#define RID_RODCS 521
#define RID_PROTECTED_USERS 525
#define RID_KEY_ADMINS 526
#define RID_ENTERPRISE_KEY_ADMINS 527

/* The attributes the model keeps, by bit; names in dir_attr_name(). */
enum dir_attr {
	ATTR_OBJECTCLASS,
	ATTR_SAMACCOUNTNAME,
	ATTR_USERPRINCIPALNAME,
	ATTR_OBJECTSID,
	ATTR_OBJECTGUID,
	ATTR_CN,
	ATTR_USERACCOUNTCONTROL,
	ATTR_ACCOUNTEXPIRES,
	ATTR_PWDLASTSET,
	ATTR_LASTLOGON,
	ATTR_LASTLOGONTIMESTAMP,
	ATTR_WHENCREATED,
	ATTR_WHENCHANGED,
	ATTR_PRIMARYGROUPID,
	ATTR_SERVICEPRINCIPALNAME,
	ATTR_ADMINCOUNT,
	ATTR_DESCRIPTION,
	ATTR_INFO,
	ATTR_SIDHISTORY,
	ATTR_MSNPALLOWDIALIN,
	ATTR_SUPPORTEDENCTYPES,
	ATTR_MEMBER,
	ATTR_GROUPTYPE,
	ATTR_SAMACCOUNTTYPE,
	ATTR_MINPWDLENGTH,
	ATTR_PWDHISTORYLENGTH,
	ATTR_MAXPWDAGE,
	ATTR_MINPWDAGE,
	ATTR_LOCKOUTTHRESHOLD,
	ATTR_LOCKOUTDURATION,
	ATTR_PWDPROPERTIES,
	ATTR_PSO_PRECEDENCE,
	ATTR_PSO_MINLENGTH,
	ATTR_PSO_HISTORY,
	ATTR_PSO_LOCKOUTTHRESHOLD,
	ATTR_PSO_COMPLEXITY,
	ATTR_PSO_REVERSIBLE,
	ATTR_PSO_MAXAGE,
	ATTR_PSO_APPLIESTO,
	ATTR_PSOAPPLIED,
	ATTR_COUNT
};

#define ATTR_BIT(a) (UINT64_C(1) << (a))

/* The LDAP name of a fixed attribute. */
const char *dir_attr_name(enum dir_attr a);
/* The fixed attribute named name (case-insensitive), or -1. */
int dir_attr_lookup(const char *name);

enum obj_kind {
	OBJ_USER,
	OBJ_COMPUTER,
	OBJ_GMSA,      /* gMSA or standalone MSA */
	OBJ_GROUP,
	OBJ_DOMAIN,
	OBJ_PSO,
	OBJ_KIND_COUNT
};

/* A kind as reports name it: "user", "computer", "gmsa", "group", "domain", "pso". */
const char *dir_kind_name(enum obj_kind k);

/* Account roles, a bit set (an account may be krbtgt and nothing else). */
enum {
	ROLE_KRBTGT = 1 << 0,
	ROLE_BUILTIN_ADMIN = 1 << 1,
	ROLE_GUEST = 1 << 2,
	ROLE_DC = 1 << 3,          /* SERVER_TRUST_ACCOUNT */
	ROLE_RODC = 1 << 4,        /* PARTIAL_SECRETS_ACCOUNT */
	ROLE_SERVICE = 1 << 5,     /* SPN on a user, or policy.service_accounts */
};

/* MFA evidence sources (account.mfa_sources, bits). */
enum {
	MFA_SRC_GROUP = 1 << 0,
	MFA_SRC_SMARTCARD = 1 << 1,
	MFA_SRC_ATTRIBUTE = 1 << 2,
	MFA_SRC_CSV = 1 << 3,
};

enum pwd_state {
	PWD_ABSENT,    /* pwdLastSet not read */
	PWD_MUST_CHANGE, /* pwdLastSet = 0 */
	PWD_SET,
};

/*
 * A value of a policy-named ("extra") attribute. Most accounts have one
 * or two (the default vpn.unowned attributes): the text is kept inline.
 */
struct dir_value {
	struct dir_value *next;
	unsigned attr;          /* index into dir.extra_names */
	char val[];             /* NUL-terminated */
};

struct group;

/*
 * The fields every object starts with. kind comes last, next to the
 * account fields the checks read most (struct account): a check walking a
 * million accounts then touches one or two cache lines of each, not four.
 * A million are kept: counts and indexes are 32 bits.
 */
struct dir_obj {
	/*
	 * As read. The normalised DN (dn_normalise) is nearly always the DN
	 * in lower case, and then not kept: see dir_obj_ndn() and its kin.
	 * When it is more (spaces around separators), it follows the DN's NUL
	 * and ndn_apart is set.
	 */
	const char *dn;
	const char *sid;         /* text SID or NULL */
	const char *sam;         /* sAMAccountName, or cn for PSOs; may be NULL */
	uint32_t *parents;       /* direct groups (dir.groups indexes), the primary group included */
	uint64_t seen;           /* ATTR_BIT of the fixed attributes present */
	uint32_t index;          /* in dir.accounts, dir.groups or dir.psos */
	uint32_t nparents;
	bool ndn_apart;          /* the normalised DN follows the DN */
	enum obj_kind kind;
};

/* Whether o is an account (a struct account): a user, a computer or a gMSA. */
static inline bool dir_obj_is_account(const struct dir_obj *o)
{
	return o->kind == OBJ_USER || o->kind == OBJ_COMPUTER || o->kind == OBJ_GMSA;
}

/*
 * What few accounts have (account.more), kept apart so that the others
 * do not carry it.
 */
struct account_more {
	const char *info;
	const char **sid_history;
	size_t nsid_history;
};

/*
 * Fields are grouped by use and size: a million of these are kept, and
 * every check reads the first ones (with h.kind) for each account.
 */
struct account {
	struct dir_obj h;
	uint32_t uac;
	uint8_t roles;           /* ROLE_* bits */
	uint8_t pwd_state;       /* enum pwd_state */
	uint8_t mfa_sources;     /* classified: MFA_SRC_* bits */
	int8_t dialin;           /* msNPAllowDialin: -1 absent, 0 FALSE, 1 TRUE */
	/* resolved */
	bool enabled;
	/* classified */
	bool privileged, vpn, protected_users, priv_nested;
	bool has_primary_gid, has_enctypes;
	int64_t pwd_last_set;    /* TIME_NEVER unless PWD_SET */
	int64_t last_logon_eff;  /* resolved: newest logon, TIME_NEVER if never */
	int64_t when_created;    /* TIME_NEVER when absent */
	int64_t account_expires; /* TIME_NEVER: never expires */
	uint32_t primary_gid;
	int admin_count;         /* -1 when absent */
	uint32_t enctypes;
	uint32_t nspns;
	int64_t last_logon, last_logon_ts; /* TIME_NEVER: never or absent */
	int64_t when_changed;    /* TIME_NEVER when absent */
	int64_t vpn_last_login;  /* from the VPN activity CSV; TIME_NEVER: none */
	const char *upn, *cn, *description;
	const char **spns;
	struct dir_value *extra;
	const uint64_t *bits;    /* resolved: transitive target groups (dir.targets) */
	const char *priv_path;   /* "alice -> IT-Admins -> Domain Admins" */
	const struct pso *pso;   /* resultant PSO or NULL */
	struct account_more *more; /* NULL: none of it */
};

struct group {
	struct dir_obj h;
	const char *cn, *description;
	uint32_t group_type;
	/*
	 * Members: resolved while reading when the member was read before
	 * the group (no DN string kept), else kept as a DN to resolve later.
	 * In dir.members: dir_resolve() turns them into the members' parents
	 * (dir_obj.parents), then releases them (NULL and 0 from then on).
	 */
	struct dir_obj **member_objs;
	size_t nmember_objs;
	/*
	 * The members not read yet: npending records, each a normalised DN
	 * cut at its first comma, as the number of what follows the comma in
	 * dir.member_parents (LEB128; 0: no comma) and what precedes it,
	 * NUL-terminated. The members of a large domain sit under a few
	 * hundred OUs: a record is a quarter of the DN (dir_find_pending).
	 */
	const char *pending;
	size_t npending;

	/* resolved */
	uint64_t *bits;          /* transitive targets, this group's own included */
	bool privileged;         /* one of the privileged groups itself */
	int priv_dist;           /* hops to the nearest privileged group, -1: none */
	struct group *priv_next; /* next hop towards it */
	struct group *priv_tail; /* where the last groups of a long path start */
	size_t index;            /* in dir.groups */
	int target;              /* index in dir.targets, or -1 */
};

struct pso {
	struct dir_obj h;
	const char *cn;
	const char *guid;        /* objectGUID, 32 lowercase hex digits; or NULL */
	int64_t precedence, min_length, history, lockout_threshold;
	int complexity, reversible; /* -1 absent */
	int64_t max_age;         /* seconds; TIME_NEVER: none or absent */
	const char **applies_to; /* DNs */
	size_t napplies_to;
	struct dir_obj **applied; /* the applies_to that were read (resolution) */
	size_t napplied;
};

struct domain {
	struct dir_obj h;        /* h.dn NULL when the head was not read */
	const char *dns;         /* DNS name, from the DN */
	int64_t min_pwd_length, pwd_history, lockout_threshold, pwd_properties;
	int64_t max_pwd_age, min_pwd_age, lockout_duration; /* seconds, TIME_NEVER: none */
};

/* Why a group is a target of membership resolution (dir_target.why). */
enum {
	TARGET_PRIVILEGED = 1 << 0,
	TARGET_VPN = 1 << 1,
	TARGET_MFA = 1 << 2,
	TARGET_PROTECTED_USERS = 1 << 3,
	TARGET_PSO = 1 << 4,
};
#define TARGET_WHYS 5   /* the TARGET_* bits */

struct dir_target {
	struct group *group;
	unsigned why;
};

/* Slots of the attribute name cache; at most three quarters are filled. */
#define DIR_NAME_CACHE 256

struct dir {
	struct arena arena;
	/*
	 * The objects' DNs, the keys of by_dn, packed apart from the rest: a
	 * member looked up by DN reads the key it matches, anywhere among a
	 * million, and in an arena of their own they span a tenth of the
	 * memory (and of the pages the lookup may have to translate).
	 */
	struct arena dns;
	/*
	 * The account structures, packed apart from their strings: every
	 * check walks them all, and packed they fill every line it reads.
	 */
	struct arena account_mem;
	/*
	 * The group member lists as read (group.member_objs, group.pending):
	 * a large domain has millions of memberships, not needed once
	 * resolution has given each object its parents.
	 */
	struct arena members;
	/* the ends of pending DNs (group.pending), each once, numbered from 1 */
	struct hmap member_parents;
	const char **parent_dns;
	size_t nparent_dns, parent_dns_alloc;
	struct account **accounts;
	size_t naccounts, accounts_alloc;
	/*
	 * The privileged accounts, in the order of accounts (dir_resolve()):
	 * the checks on them need not read every account.
	 */
	const struct account **privileged;
	size_t nprivileged;
	struct group **groups;
	size_t ngroups, groups_alloc;
	struct pso **psos;
	size_t npsos, psos_alloc;
	struct domain domain;
	size_t nentries;         /* every entry fed in, kept or not */

	struct hmap by_dn;       /* normalised DN -> struct dir_obj (HMAP_FOLDED) */
	/*
	 * Groups, PSOs and the domain head by SID and by sAMAccountName: the
	 * audit looks up groups by name, never accounts, and a million
	 * accounts would double the maps' memory and the time to read.
	 */
	struct hmap by_sid;      /* text SID -> struct dir_obj */
	struct hmap by_sam;      /* sAMAccountName -> struct dir_obj (first) */

	uint64_t seen[OBJ_KIND_COUNT];       /* ATTR_BIT seen, per kind */
	const char **extra_names;            /* policy-named attributes */
	size_t nextra;
	uint64_t extra_seen[OBJ_KIND_COUNT]; /* bit i: extra_names[i] seen */

	/* resolution */
	const char *domain_sid;  /* from the head, or the most common prefix */
	struct dir_target *targets;
	size_t ntargets, target_words;
	uint64_t *target_masks;  /* per TARGET_* bit k, the words of its targets (dir_target_mask) */
	const char *last_logon_sources[8];
	size_t nlast_logon_sources;
	bool resolved;

	/* the arrays of a group's member lookup (dir.c), kept for the next one */
	struct member_lookup {
		const struct raw_value **vals;
		const char **ndns;
		uint64_t *hash;
		bool *any_case;          /* raw_ndn.any_case of each */
		size_t *len;             /* of each ndn */
		size_t *at;
		void **found;
		size_t alloc;
		struct sbuf pending;     /* the group's pending records, as built */
	} lookup;

	/*
	 * Attribute names already looked up (dir_attr_classify), by their
	 * spelling: by the LDIF reader's thread while it reads, else by
	 * dir_add().
	 */
	struct {
		size_t len;              /* 0: a free slot */
		uint64_t head, tail;     /* its first and last eight bytes (dir_name_words) */
		uint64_t mid;            /* and the eight after the first, if longer than 16 */
		int id;
		uint64_t extra;          /* bit k: extra_names[k] */
		char name[96];
	} name_cache[DIR_NAME_CACHE];
	size_t nname_cache;
	/*
	 * The order spellings were found in (dir_attr_seen): the slot of
	 * the last one, and for each slot the one found after it last time.
	 */
	uint8_t name_prev, name_next[DIR_NAME_CACHE];
	/* the domain part of the last binary objectSid read (dir_add) */
	struct sid_cache sid_cache;

	/* external evidence (CSV exports) */
	bool mfa_csv_loaded;     /* the enrollment CSV was read */
	bool vpn_csv_loaded;     /* the VPN activity CSV was read */
	/* why an optional CSV was not read (missing, malformed, unmatchable) */
	const char *mfa_csv_unknown_reason, *vpn_csv_unknown_reason;
	/*
	 * msDS-PSOApplied (the back-link of msDS-PSOAppliesTo, readable where
	 * the PSOs themselves are not) of the accounts and groups that have
	 * it: resolution checks that every PSO named was read.
	 */
	const char **pso_applied;
	const struct dir_obj **pso_applied_to;
	size_t npso_applied, pso_applied_alloc;
	/*
	 * A PSO that applies to an account or group but was not read: the
	 * bind account may not read password settings objects. NULL when every
	 * PSO named was read.
	 */
	const char *pso_unread_reason;
	/*
	 * A group the policy names as privileged (privileged.extra_groups) or
	 * as MFA evidence (mfa.groups) that is not a group of the directory:
	 * who is privileged, or who has MFA, cannot be told. NULL when all
	 * were found.
	 */
	const char *unresolved_privileged, *unresolved_mfa;
	/*
	 * An OU of service_accounts.ous that holds no account or group of
	 * the directory: who is a service account cannot be told. NULL when
	 * every one holds some.
	 */
	const char *unresolved_service;
};

/* A raw entry as a source delivers it: values are not NUL-terminated. */
struct raw_value {
	const char *val;
	size_t len;
};

/*
 * A DN already normalised (dn_normalise) and hashed (hmap_hash_exact) by
 * a source that has the time: the LDIF reader does it on its own thread.
 * With any_case, ndn is the DN as written, which normalising would only
 * put in lower case (dn_is_plain), and hash its hmap_hash_folded().
 */
struct raw_ndn {
	const char *ndn;
	size_t len;              /* of ndn */
	uint64_t hash;
	bool any_case;
};

struct raw_attr {
	const char *name;        /* may carry options: "member;range=0-1499" */
	const struct raw_value *vals;
	size_t nvals;
	size_t line, col;        /* where the value starts (LDIF); 0 if unknown */
	const struct raw_ndn *ndns; /* of each value of a member attribute, or NULL */
	size_t base_len;         /* of the name before its options; 0 if unknown */
	/*
	 * With classified, the source looked the name up already
	 * (dir_attr_classify): id and extra are what it gave.
	 */
	bool classified;
	int id;
	uint64_t extra;
};

/*
 * An attribute name may appear in several raw_attrs of one entry (LDIF
 * gives one line a value): the values add up.
 */
struct raw_entry {
	const char *dn;
	const struct raw_attr *attrs;
	size_t nattrs;
	const char *origin;      /* the file or the server, for errors */
	size_t line;             /* of the dn line (LDIF); 0 if unknown */
	const struct raw_ndn *ndn; /* the DN's, or NULL */
	/*
	 * The DN of an entry a few records later, or NULL: its place in the
	 * DN map is fetched now, to be in the cache when that entry comes.
	 */
	const struct raw_ndn *ahead;
};

/* A consumer of raw entries (dir_add, an LDIF writer...). */
typedef int dir_entry_fn(void *data, const struct raw_entry *e, struct error *err);

/* Set up an empty directory that also keeps the named extra attributes. */
void dir_init(struct dir *d, const char *const *extra_names, size_t nextra);
void dir_release(struct dir *d);
/*
 * About n entries are coming (an estimate, from the size of the input):
 * the DN map is made that large at once rather than grown on the way.
 */
void dir_expect(struct dir *d, size_t n);

/*
 * Feed one entry. Entries of kinds the audit does not read (contacts,
 * containers, OUs...) are skipped. A value that does not parse (a SID, a
 * number, a time) is an input error: -1 with err naming the origin.
 */
int dir_add(struct dir *d, const struct raw_entry *e, struct error *err);
/* dir_add as a dir_entry_fn (data is the struct dir). */
int dir_add_cb(void *data, const struct raw_entry *e, struct error *err);

/*
 * Lookups; NULL when absent. By DN any object (dn need not be normalised);
 * by SID or name only groups, PSOs and the domain head.
 */
struct dir_obj *dir_find_by_dn(const struct dir *d, const char *dn);
/*
 * The objects of g's members not read while reading g (group.pending),
 * into objs[0..g->npending) in order, NULL for those never read; the
 * lookups overlapped. Only reads d: threads may share it.
 */
void dir_find_pending(const struct dir *d, const struct group *g, struct dir_obj **objs);
/*
 * Append the normalised DN of the pending record at *at (group.pending)
 * and its NUL to sb, and move *at to the next record; returns where the
 * DN starts in sb.
 */
size_t dir_pending_append(const struct dir *d, const char **at, struct sbuf *sb);
struct dir_obj *dir_find_by_sid(const struct dir *d, const char *sid);
/* By sAMAccountName, DN or SID, as the policy names groups. */
struct dir_obj *dir_find_name(const struct dir *d, const char *name);

/*
 * The normalised DN (dn_normalise) of o: the one kept, or built in scratch
 * (the caller's, who releases it); the result is valid until o's directory
 * or scratch changes. NULL when o has no DN (a domain head not read).
 */
const char *dir_obj_ndn(const struct dir_obj *o, struct sbuf *scratch);
/*
 * Append DN dn[0..len) normalised (dn_normalise) and its NUL to sb, for a
 * lookup by DN to come; returns where it starts in sb, and its hash
 * (hmap_hash_bytes) in *hash.
 */
size_t dir_ndn_append(struct sbuf *sb, const char *dn, size_t len, uint64_t *hash);
/*
 * What d makes of an attribute whose name without options is
 * name[0..len): the fixed attribute's id or -1, and in *extra a bit for
 * each of d's extra attributes it is. An attribute that is neither is
 * ignored by dir_add(), and a source may leave it out. dir_add() looks up
 * the names of the raw attributes not classified with the same table: a
 * source that calls this on a thread of its own while dir_add() runs
 * classifies every attribute it hands over.
 */
int dir_attr_classify(struct dir *d, const char *name, size_t len, uint64_t *extra);
/*
 * dir_attr_classify() of a spelling d has already looked up, or
 * DIR_ATTR_UNSEEN when it has not (nothing is looked up or kept then): a
 * source that checks each name's syntax before the first lookup of it
 * need not check the same spelling again.
 */
#define DIR_ATTR_UNSEEN (-2)
int dir_attr_seen(struct dir *d, const char *name, size_t len, uint64_t *extra);

/*
 * The first and last eight bytes of name[0..n) (all of a shorter name in
 * *head): with the length they tell nearly all attribute names apart, and
 * they are the whole name up to sixteen bytes. A shorter name is all in
 * *head, as hmap_hash_tail() reads it.
 */
static inline void dir_name_words(const char *name, size_t n, uint64_t *head, uint64_t *tail)
{
	*tail = 0;
	if (n >= 8) {
		memcpy(head, name, 8);
		memcpy(tail, name + n - 8, 8);
	} else {
		*head = hmap_hash_tail(name, 0, n);
	}
}

/*
 * Whether bytes 16 to n - 8 of two names of n > 24 bytes are the same
 * (the others are in their words), eight at a time: without a call, the
 * lookup needs no registers saved.
 */
static inline bool dir_name_same_middle(const char *a, const char *b, size_t n)
{
	for (size_t k = 16; k < n - 8; k += 8) {
		uint64_t x, y;

		memcpy(&x, a + k, 8);
		memcpy(&y, b + k, 8);
		if (x != y)
			return false;
	}
	return true;
}

/*
 * dir_attr_seen() of the name before the first colon of line[0..len),
 * without looking for the colon, when the name is the spelling that
 * followed the last one found the time before (a source gives the
 * attributes of each kind of entry in one order); its length in *nlen.
 * DIR_ATTR_UNSEEN when it is another: look it up with dir_attr_seen().
 * Inline: the LDIF reader asks it for every line.
 */
static inline int dir_attr_next(struct dir *d, const char *line, size_t len, size_t *nlen,
				uint64_t *extra)
{
	size_t slot = d->name_next[d->name_prev], n = d->name_cache[slot].len;
	uint64_t head, tail, mid = 0;

	/* a cached spelling has no colon: the first one is line[n] */
	if (!n || n >= len || line[n] != ':')
		return DIR_ATTR_UNSEEN;
	dir_name_words(line, n, &head, &tail);
	if (n > 16)
		memcpy(&mid, line + 8, 8);
	if (d->name_cache[slot].head != head || d->name_cache[slot].tail != tail ||
	    d->name_cache[slot].mid != mid ||
	    (n > 24 && !dir_name_same_middle(d->name_cache[slot].name, line, n)))
		return DIR_ATTR_UNSEEN;
	d->name_prev = (uint8_t)slot;
	*nlen = n;
	*extra = d->name_cache[slot].extra;
	return d->name_cache[slot].id;
}
/*
 * strcmp() of the normalised DNs of x and y, without building them; an
 * object without a DN sorts last.
 */
int dir_obj_ndn_cmp(const struct dir_obj *x, const struct dir_obj *y);
/* Whether the normalised DN of o is ndn (itself normalised). */
bool dir_obj_ndn_eq(const struct dir_obj *o, const char *ndn);

/*
 * Release the group member lists (dir.members) once they are resolved:
 * dir_resolve() calls it.
 */
void dir_release_members(struct dir *d);

/* The values of an extra attribute of an account (extra_names index). */
const struct dir_value *dir_extra_first(const struct account *a, unsigned attr);
/* The extra attribute named name (case-insensitive): its extra_names index, or -1. */
int dir_extra_lookup(const struct dir *d, const char *name);

/* a->more, or an empty one: never NULL. */
const struct account_more *dir_account_more(const struct account *a);

/*
 * Resolve and classify against the policy at time now: membership,
 * enabled, last logon, kinds, privileged paths, VPN, MFA, service
 * accounts, resultant PSOs. Call once, after the last dir_add: the group
 * member lists are released once turned into parents (dir_release_members).
 */
void dir_resolve(struct dir *d, const struct policy *p, int64_t now);

/* The targets of reason why (one TARGET_* bit): target_words words of bits. */
static inline const uint64_t *dir_target_mask(const struct dir *d, unsigned why)
{
	return d->target_masks + (size_t)__builtin_ctz(why) * d->target_words;
}

/* Whether account a is transitively in target t. */
static inline bool dir_in_target(const struct dir *d, const struct account *a, size_t t)
{
	(void)d;
	return a->bits && (a->bits[t / 64] >> (t % 64) & 1);
}

/* User in the sense of the checks: not a computer, gMSA/MSA or krbtgt. */
static inline bool account_is_user(const struct account *a)
{
	return a->h.kind == OBJ_USER && !(a->roles & ROLE_KRBTGT);
}

/* Human: a user that is not a service account. */
static inline bool account_is_human(const struct account *a)
{
	return account_is_user(a) && !(a->roles & ROLE_SERVICE);
}

/* A domain controller (read-only or not). */
static inline bool account_is_dc(const struct account *a)
{
	return (a->roles & (ROLE_DC | ROLE_RODC)) != 0;
}

#endif
