/*
 * libFuzzer target: the policy loader and its position scanner.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../auditor/error.h"
#include "../../auditor/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy p;
	struct error err = ERROR_INIT;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	policy_init(&p);
	policy_load_string(&p, text, "fuzz.json", &err);
	policy_release(&p);
	free(text);
	return 0;
}
