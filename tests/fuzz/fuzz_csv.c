/*
 * libFuzzer target: the RFC 4180 reader.
 */
#include <stddef.h>
#include <stdint.h>

#include "../../auditor/csv.h"
#include "../../auditor/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(void *data, const struct csv_record *r, struct error *err)
{
	size_t *n = data;

	(void)err;
	for (size_t i = 0; i < r->nfields; i++)
		*n += r->lens[i];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct error err = ERROR_INIT;
	size_t n = 0;

	csv_read_mem((const char *)data, size, "fuzz.csv", count, &n, &err);
	return 0;
}
