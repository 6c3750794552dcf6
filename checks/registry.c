/*
 * The registry: the only list of check families. Order here is the order
 * of `privaudit checks`, of the policy defaults and of the engine's runs.
 */
#include "registry.h"

#include <string.h>

#include "families.h"

static const struct check_family *const families[] = {
	&family_vpn,
	&family_mfa,
	&family_privileged,
	&family_passwords,
	&family_kerberos,
	&family_accounts,
	&family_policy,
	NULL,
};

static const struct check **all;
static size_t nall;

static void build(void)
{
	size_t n = 0, i = 0;

	if (all)
		return;
	for (const struct check_family *const *f = families; *f; f++)
		for (const struct check *const *c = (*f)->checks; *c; c++)
			n++;
	/* a static table sized once: the registry lives as long as the program */
	static const struct check *table[256];
	if (n > sizeof(table) / sizeof(table[0]))
		n = sizeof(table) / sizeof(table[0]);
	for (const struct check_family *const *f = families; *f; f++)
		for (const struct check *const *c = (*f)->checks; *c && i < n; c++)
			table[i++] = *c;
	nall = n;
	all = table;
}

size_t registry_count(void)
{
	build();
	return nall;
}

const struct check *registry_get(size_t i)
{
	build();
	return i < nall ? all[i] : NULL;
}

const struct check *registry_find(const char *id, size_t *index)
{
	build();
	for (size_t i = 0; i < nall; i++) {
		if (strcmp(all[i]->id, id) == 0) {
			if (index)
				*index = i;
			return all[i];
		}
	}
	return NULL;
}

const struct check_family *const *registry_families(void)
{
	return families;
}
