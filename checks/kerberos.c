/*
 * The krb family: Kerberos weaknesses an attacker with any domain account
 * (or none, for AS-REP roasting) can exploit offline, delegation settings
 * that let a host impersonate users, and the age of the krbtgt key that
 * signs every ticket.
 *
 * Who is looked at: enabled users (krbtgt and Guest excluded), and for the
 * two delegation checks also gMSA/MSA and computers that are not DCs (DCs
 * are trusted for delegation by design). krb.krbtgt-old looks at krbtgt
 * alone, disabled as it always is.
 */
#include <stdlib.h>

#include "../auditor/policy.h"
#include "../auditor/timeutil.h"
#include "families.h"

#define KIND(k) (1u << (k))

/* msDS-SupportedEncryptionTypes bits */
#define ENCTYPE_BIT_DES_CBC_CRC 0x1u
#define ENCTYPE_BIT_DES_CBC_MD5 0x2u
#define ENCTYPE_BIT_RC4_HMAC 0x4u
#define ENCTYPE_BIT_AES128 0x8u
#define ENCTYPE_BIT_AES256 0x10u
#define ENCTYPE_BITS_DES (ENCTYPE_BIT_DES_CBC_CRC | ENCTYPE_BIT_DES_CBC_MD5)
#define ENCTYPE_BITS_AES (ENCTYPE_BIT_AES128 | ENCTYPE_BIT_AES256)

/*
 * Names as RFC 3961/4757/3962 spell them. Hard-coded rather than asked of
 * libkrb5: MIT krb5 1.18 and later no longer know the DES enctypes, and a
 * report must not change with the library it was built against.
 */
static const struct {
	uint32_t bit;
	const char *name;
} enctype_names[] = {
	{ ENCTYPE_BIT_DES_CBC_CRC, "DES-CBC-CRC" },
	{ ENCTYPE_BIT_DES_CBC_MD5, "DES-CBC-MD5" },
	{ ENCTYPE_BIT_RC4_HMAC, "RC4-HMAC" },
	{ ENCTYPE_BIT_AES128, "AES128-CTS-HMAC-SHA1-96" },
	{ ENCTYPE_BIT_AES256, "AES256-CTS-HMAC-SHA1-96" },
};

#define NENCTYPES (sizeof(enctype_names) / sizeof(*enctype_names))

static const char *acct_name(const struct account *a)
{
	return a->h.sam ? a->h.sam : a->h.dn;
}

static bool plain_user(const struct account *a)
{
	return account_is_user(a) && !(a->roles & (ROLE_GUEST | ROLE_KRBTGT));
}

static bool machine_not_dc(const struct account *a)
{
	return a->h.kind == OBJ_GMSA || (a->h.kind == OBJ_COMPUTER && !account_is_dc(a));
}

/* Evidence: the raw msDS-SupportedEncryptionTypes and the enctypes it names. */
static void ev_enctypes(struct finding *f, const struct account *a)
{
	const char *names[NENCTYPES];
	size_t n = 0;

	if (!a->has_enctypes) {
		finding_ev_str(f, "supported_encryption_types", NULL);
		finding_ev_strs(f, "enctypes", names, 0);
		return;
	}
	for (size_t i = 0; i < NENCTYPES; i++)
		if (a->enctypes & enctype_names[i].bit)
			names[n++] = enctype_names[i].name;
	finding_ev_int(f, "supported_encryption_types", a->enctypes);
	finding_ev_strs(f, "enctypes", names, n);
}

/* krb.kerberoastable */

static void run_kerberoastable(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;

	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		struct finding *f;

		if (!a->enabled || !plain_user(a) || a->nspns == 0)
			continue;
		f = finding_add(ctx, &a->h,
				"%s has %zu service principal name%s (%s): any domain user can request a ticket encrypted with its password and crack it offline",
				acct_name(a), (size_t)a->nspns, a->nspns == 1 ? "" : "s", a->spns[0]);
		finding_ev_strs(f, "service_principal_names", a->spns, a->nspns);
		ev_enctypes(f, a);
	}
}

/* krb.asrep-roastable */

static void run_asrep(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;

	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		struct finding *f;

		if (!a->enabled || !plain_user(a) || !(a->uac & UAC_DONT_REQ_PREAUTH))
			continue;
		f = finding_add(ctx, &a->h,
				"%s does not require Kerberos pre-authentication (userAccountControl 0x%x has DONT_REQ_PREAUTH 0x400000)",
				acct_name(a), (unsigned)a->uac);
		finding_ev_int(f, "user_account_control", a->uac);
	}
}

/* krb.des-enabled */

static void run_des(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;

	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		bool des_only = a->uac & UAC_USE_DES_KEY_ONLY;
		bool des_bits = a->has_enctypes && (a->enctypes & ENCTYPE_BITS_DES);
		struct finding *f;

		if (!a->enabled || !plain_user(a) || !(des_only || des_bits))
			continue;
		if (des_only)
			f = finding_add(ctx, &a->h,
					"%s has USE_DES_KEY_ONLY (userAccountControl 0x%x): Kerberos uses DES for it",
					acct_name(a), (unsigned)a->uac);
		else
			f = finding_add(ctx, &a->h,
					"%s allows DES (msDS-SupportedEncryptionTypes 0x%x): DES offered at all permits a downgrade",
					acct_name(a), (unsigned)a->enctypes);
		finding_ev_int(f, "user_account_control", a->uac);
		finding_ev_bool(f, "use_des_key_only", des_only);
		ev_enctypes(f, a);
	}
}

/* krb.rc4-only: users with an SPN (computers and gMSA have random passwords). */

static void run_rc4_only(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;

	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		struct finding *f;

		if (!a->enabled || !plain_user(a) || a->nspns == 0)
			continue;
		if (a->has_enctypes && (a->enctypes & ENCTYPE_BITS_AES))
			continue;
		if (!a->has_enctypes || a->enctypes == 0)
			f = finding_add(ctx, &a->h,
					"%s has an SPN and no msDS-SupportedEncryptionTypes (%s): its service tickets are RC4-encrypted and crackable offline",
					acct_name(a), a->has_enctypes ? "0" : "absent");
		else
			f = finding_add(ctx, &a->h,
					"%s has an SPN and msDS-SupportedEncryptionTypes 0x%x allows neither AES128 nor AES256: its service tickets are crackable offline",
					acct_name(a), (unsigned)a->enctypes);
		finding_ev_strs(f, "service_principal_names", a->spns, a->nspns);
		ev_enctypes(f, a);
	}
}

/* The two delegation checks. */
static void run_delegation(struct check_ctx *ctx, uint32_t bit, const char *what)
{
	const struct dir *d = ctx->dir;

	for (size_t i = ctx->from; i < ctx->to; i++) {
		const struct account *a = d->accounts[i];
		struct finding *f;

		if (!a->enabled || !(plain_user(a) || machine_not_dc(a)) || !(a->uac & bit))
			continue;
		f = finding_add(ctx, &a->h, "%s %s %s (userAccountControl 0x%x)",
				a->h.kind == OBJ_COMPUTER ? "computer" :
				a->h.kind == OBJ_GMSA ? "gMSA/MSA" : "user",
				acct_name(a), what, (unsigned)a->uac);
		finding_ev_int(f, "user_account_control", a->uac);
		if (a->nspns)
			finding_ev_strs(f, "service_principal_names", a->spns, a->nspns);
	}
}

static void run_unconstrained(struct check_ctx *ctx)
{
	run_delegation(ctx, UAC_TRUSTED_FOR_DELEGATION,
		       "is trusted for unconstrained delegation (TRUSTED_FOR_DELEGATION 0x80000)");
}

static void run_protocol_transition(struct check_ctx *ctx)
{
	run_delegation(ctx, UAC_TRUSTED_TO_AUTH_FOR_DELEGATION,
		       "may use protocol transition (TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000)");
}

/* krb.krbtgt-old */

static void run_krbtgt_old(struct check_ctx *ctx)
{
	const struct dir *d = ctx->dir;
	const struct policy *p = ctx->policy;
	long long days = check_param_int(ctx, "max_age_days");
	const struct account *k = NULL;
	bool before, old;
	long long age;
	struct finding *f;
	char set[32], inc[32];

	for (size_t i = 0; i < d->naccounts && !k; i++)
		if (d->accounts[i]->roles & ROLE_KRBTGT)
			k = d->accounts[i];
	if (!k) {
		check_unknown(ctx, "no krbtgt account (RID 502 of the domain) in the directory");
		return;
	}
	if (k->pwd_state == PWD_ABSENT) {
		check_unknown(ctx, "pwdLastSet of %s was not read", acct_name(k));
		return;
	}
	if (k->pwd_state == PWD_MUST_CHANGE) {
		check_unknown(ctx, "pwdLastSet of %s is 0: the date of its key is unknown", acct_name(k));
		return;
	}
	before = p->has_incident && k->pwd_last_set < p->incident;
	old = check_older_than(ctx, k->pwd_last_set, days);
	if (!before && !old)
		return;
	age = (long long)check_age_days(ctx, k->pwd_last_set);
	time_format(k->pwd_last_set, set, sizeof(set));
	if (before) {
		time_format(p->incident, inc, sizeof(inc));
		f = finding_add(ctx, &k->h,
				"the %s password was last set on %s (%lld days ago), before the incident cut-off %s: tickets forged with the old key outlive every other reset",
				acct_name(k), set, age, inc);
		finding_severity(f, SEV_CRITICAL);
	} else {
		f = finding_add(ctx, &k->h,
				"the %s password was last set %lld days ago (%s), more than the %lld-day limit",
				acct_name(k), age, set, days);
	}
	finding_ev_time(f, "pwd_last_set", k->pwd_last_set);
	finding_ev_int(f, "age_days", age);
	finding_ev_int(f, "max_age_days", days);
	finding_ev_time(f, "password_reset_after", p->has_incident ? p->incident : TIME_NEVER);
	finding_ev_bool(f, "set_before_incident", before);
}

/* The table */

static const struct check_need needs_spn[] = {
	{ KIND(OBJ_USER), ATTR_BIT(ATTR_SERVICEPRINCIPALNAME) },
	{ 0, 0 },
};

static const struct check_need needs_uac[] = {
	{ KIND(OBJ_USER), ATTR_BIT(ATTR_USERACCOUNTCONTROL) },
	{ 0, 0 },
};

static const struct check_need needs_uac_machines[] = {
	{ KIND(OBJ_USER) | KIND(OBJ_COMPUTER) | KIND(OBJ_GMSA), ATTR_BIT(ATTR_USERACCOUNTCONTROL) },
	{ 0, 0 },
};

static const struct check_need needs_pwdlastset[] = {
	{ KIND(OBJ_USER), ATTR_BIT(ATTR_PWDLASTSET) },
	{ 0, 0 },
};

static const struct check_param params_krbtgt[] = {
	{ .name = "max_age_days", .type = PARAM_INT, .def = 180, .min = 0, .max = 36500,
	  .doc = "the greatest age of the krbtgt password, in days" },
	{ .name = NULL },
};

static const struct check check_kerberoastable = {
	.id = "krb.kerberoastable",
	.family = "krb",
	.title = "Kerberoastable user",
	.severity = SEV_MEDIUM,
	.needs = needs_spn,
	.rationale = "Any domain user can request a service ticket for a user's SPN; the ticket is encrypted with the "
		     "account's password, which can then be cracked offline at leisure.",
	.remediation = "Run the service as a gMSA (New-ADServiceAccount) and remove the SPN from the user "
		       "(setspn -D <spn> <sam>; samba-tool spn delete <spn> <sam>), or give it a random password of 25+ characters and AES only.",
	.references = "MITRE ATT&CK T1558.003 Kerberoasting",
	.per_account = true,
	.run = run_kerberoastable,
};

static const struct check check_asrep = {
	.id = "krb.asrep-roastable",
	.family = "krb",
	.title = "AS-REP roastable user",
	.severity = SEV_HIGH,
	.needs = needs_uac,
	.rationale = "Without pre-authentication the KDC answers anyone who asks with data encrypted with the "
		     "user's password: no account is needed to crack it offline.",
	.remediation = "Require pre-authentication: Set-ADAccountControl -Identity <sam> -DoesNotRequirePreAuth $false.",
	.references = "ANSSI vuln_kerberos_properties_preauth; MITRE ATT&CK T1558.004 AS-REP Roasting",
	.per_account = true,
	.run = run_asrep,
};

static const struct check check_des = {
	.id = "krb.des-enabled",
	.family = "krb",
	.title = "DES allowed for Kerberos",
	.severity = SEV_MEDIUM,
	.needs = needs_uac,
	.rationale = "DES keys are broken in hours; an account that offers DES at all lets an attacker downgrade "
		     "its tickets to it.",
	.remediation = "Clear USE_DES_KEY_ONLY and the DES bits: Set-ADAccountControl -Identity <sam> -UseDESKeyOnly $false; "
		       "Set-ADUser <sam> -KerberosEncryptionType AES128,AES256; then reset the password so AES keys exist.",
	.references = "ANSSI vuln_kerberos_properties_deskey; MITRE ATT&CK T1558 Steal or Forge Kerberos Tickets, T1600.001 Reduce Key Space",
	.per_account = true,
	.run = run_des,
};

static const struct check check_rc4_only = {
	.id = "krb.rc4-only",
	.family = "krb",
	.title = "Service account without AES",
	.severity = SEV_MEDIUM,
	.needs = needs_spn,
	.rationale = "A user with an SPN whose msDS-SupportedEncryptionTypes allows no AES gets RC4 service "
		     "tickets, which crack orders of magnitude faster than AES ones.",
	.remediation = "Allow AES only and reset the password so AES keys exist: "
		       "Set-ADUser <sam> -KerberosEncryptionType AES128,AES256; Set-ADAccountPassword -Identity <sam> -Reset.",
	.references = "ANSSI vuln_kerberos_properties_encryption; MITRE ATT&CK T1558.003 Kerberoasting",
	.per_account = true,
	.run = run_rc4_only,
};

static const struct check check_unconstrained = {
	.id = "krb.unconstrained-delegation",
	.family = "krb",
	.title = "Unconstrained Kerberos delegation",
	.severity = SEV_HIGH,
	.needs = needs_uac_machines,
	.rationale = "A host trusted for unconstrained delegation receives the TGT of everyone who authenticates to "
		     "it; whoever controls it can coerce a DC to connect and impersonate it.",
	.remediation = "Replace with constrained or resource-based delegation: "
		       "Set-ADAccountControl -Identity <sam> -TrustedForDelegation $false.",
	.references = "ANSSI vuln_delegation_t4d; MITRE ATT&CK T1558 Steal or Forge Kerberos Tickets, T1134.001 Token Impersonation/Theft",
	.per_account = true,
	.run = run_unconstrained,
};

static const struct check check_protocol_transition = {
	.id = "krb.protocol-transition",
	.family = "krb",
	.title = "Kerberos protocol transition",
	.severity = SEV_MEDIUM,
	.needs = needs_uac_machines,
	.rationale = "With protocol transition (S4U2Self) an account obtains tickets for any user, without that "
		     "user's credentials, to the services it may delegate to.",
	.remediation = "Use Kerberos-only constrained delegation: "
		       "Set-ADAccountControl -Identity <sam> -TrustedToAuthForDelegation $false.",
	.references = "ANSSI vuln_delegation_t2a4d; MITRE ATT&CK T1558 Steal or Forge Kerberos Tickets, T1134 Access Token Manipulation",
	.per_account = true,
	.run = run_protocol_transition,
};

static const struct check check_krbtgt_old = {
	.id = "krb.krbtgt-old",
	.family = "krb",
	.title = "krbtgt password not rotated",
	.severity = SEV_HIGH,
	.params = params_krbtgt,
	.needs = needs_pwdlastset,
	.rationale = "The krbtgt key signs every ticket: whoever holds it forges Golden Tickets for any account, and "
		     "those survive every other password reset. After an incident it must be rotated, twice.",
	.remediation = "Reset the krbtgt password twice, the second time after replication and the maximum ticket "
		       "lifetime (10 hours by default) have passed: Microsoft's New-KrbtgtKeys.ps1, or "
		       "Set-ADAccountPassword -Identity krbtgt -Reset (samba-tool user setpassword krbtgt --random-password).",
	.references = "ANSSI vuln_krbtgt; MITRE ATT&CK T1558.001 Golden Ticket",
	.run = run_krbtgt_old,
};

static const struct check *const checks[] = {
	&check_kerberoastable,
	&check_asrep,
	&check_des,
	&check_rc4_only,
	&check_unconstrained,
	&check_protocol_transition,
	&check_krbtgt_old,
	NULL,
};

const struct check_family family_kerberos = { "krb", checks };
