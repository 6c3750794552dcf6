/*
 * libFuzzer target: the LDIF reader and the directory model it feeds,
 * then resolution and a whole audit over whatever was read.
 */
#include <stddef.h>
#include <stdint.h>

#include "../../auditor/dir.h"
#include "../../auditor/engine.h"
#include "../../auditor/error.h"
#include "../../auditor/ldif.h"
#include "../../auditor/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy p;
	struct dir d;
	struct audit a;
	struct error err = ERROR_INIT;

	policy_init(&p);
	dir_init(&d, NULL, 0);
	if (ldif_load_mem(&d, (const char *)data, size, "fuzz.ldif", &err) == 0) {
		dir_resolve(&d, &p, 1768435200);
		audit_init(&a, &d, &p, 1768435200);
		audit_run(&a);
		audit_release(&a);
	}
	dir_release(&d);
	policy_release(&p);
	return 0;
}
