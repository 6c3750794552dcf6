/*
 * The check registry: every check, in registry order (families in the
 * order of checks/registry.c, checks in their family's order). Indexes are
 * stable within one build and used as array indexes by the policy and the
 * engine.
 */
#ifndef PRIVAUDIT_REGISTRY_H
#define PRIVAUDIT_REGISTRY_H

#include <stddef.h>

#include "check.h"

size_t registry_count(void);
const struct check *registry_get(size_t i);
/* The check with this id; *index (if not NULL) gets its index. NULL if none. */
const struct check *registry_find(const char *id, size_t *index);
/* The families, NULL-terminated. */
const struct check_family *const *registry_families(void);

#endif
