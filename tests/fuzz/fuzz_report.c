/*
 * libFuzzer target: the report reader behind --baseline and `privaudit
 * diff` (auditor/baseline.c), and the comparison and console summary of
 * diff (auditor/diff.c) on what it accepts. baseline_load() reads a path,
 * so each input is written to one temporary file, reused for the run.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../auditor/baseline.h"
#include "../../auditor/diff.h"
#include "../../auditor/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char tmp_path[64];
static FILE *devnull;

static void remove_tmp(void)
{
	if (tmp_path[0])
		unlink(tmp_path);
}

/* Create the temporary file once; every input then truncates and rewrites it. */
static int setup(void)
{
	int fd;

	if (tmp_path[0])
		return 0;
	snprintf(tmp_path, sizeof(tmp_path), "/tmp/fuzz-report.XXXXXX");
	fd = mkstemp(tmp_path);
	if (fd < 0) {
		tmp_path[0] = '\0';
		return -1;
	}
	close(fd);
	atexit(remove_tmp);
	devnull = fopen("/dev/null", "w");
	return devnull ? 0 : -1;
}

static int write_input(const uint8_t *data, size_t size)
{
	int fd = open(tmp_path, O_WRONLY | O_TRUNC);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	return close(fd);
}

/* What the audit does with a loaded baseline: check, match its own keys, print. */
static void exercise(const struct baseline *b)
{
	struct error err = ERROR_INIT;
	const char **keys = calloc(b->nfindings + 1, sizeof(*keys));
	size_t *match = calloc(b->nfindings + 1, sizeof(*match));
	bool *claimed;

	if (!keys || !match) {
		free(keys);
		free(match);
		return;
	}
	baseline_check(b, NULL, false, &err);
	baseline_check(b, b->domain_sid, false, &err);
	baseline_check(b, "S-1-5-21-1-2-3", true, &err);
	/* every key once, plus a NULL key and one that matches nothing */
	for (size_t i = 0; i < b->nfindings; i++)
		keys[i] = b->findings[i].key;
	claimed = baseline_match(b, keys, b->nfindings, match);
	for (size_t i = 0; i < b->nfindings; i++)
		if (match[i] != BASELINE_NONE && (match[i] >= b->nfindings || !claimed[match[i]]))
			abort();
	free(claimed);
	keys[0] = NULL;
	claimed = baseline_match(b, keys, b->nfindings ? 1 : 0, match);
	free(claimed);
	baseline_console(devnull, b, true);
	free(keys);
	free(match);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct baseline b;
	struct error err = ERROR_INIT;

	if (setup() < 0 || write_input(data, size) < 0)
		return 0;
	baseline_init(&b);
	if (baseline_load(&b, tmp_path, &err) == 0) {
		struct diff_options o = { 0 };
		struct error derr = ERROR_INIT;

		exercise(&b);
		/* the report against itself, forced: every finding persists */
		o.old_path = tmp_path;
		o.new_path = tmp_path;
		o.fail_on = -1;
		o.force = true;
		o.console = devnull;
		o.color = true;
		o.verbose = true;
		o.generated_at = 0;
		o.tool_version = "fuzz";
		diff_run(&o, &derr);
	} else if (!err.code) {
		abort();        /* a failure must say why */
	}
	baseline_release(&b);
	return 0;
}
