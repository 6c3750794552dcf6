/*
 * The family symbols, one per file in checks/, listed by registry.c.
 */
#ifndef PRIVAUDIT_FAMILIES_H
#define PRIVAUDIT_FAMILIES_H

#include "check.h"

extern const struct check_family family_vpn;         /* vpn.c */
extern const struct check_family family_mfa;         /* mfa.c */
extern const struct check_family family_privileged;  /* privileged.c */
extern const struct check_family family_passwords;   /* passwords.c */
extern const struct check_family family_kerberos;    /* kerberos.c */
extern const struct check_family family_accounts;    /* accounts.c */
extern const struct check_family family_policy;      /* policy.c */

#endif
