// SPDX-License-Identifier: MIT
/*
 * config_file_parse over arbitrary bytes (not NUL-terminated, in a buffer
 * of exactly their size): a refused file leaves OUT untouched and names
 * the file in one sentence; an accepted one is written back with
 * config_file_write and parses to the same settings, and passes save's
 * round trip.
 */
#include "config_file.h"
#include "fuzz.h"

static struct config_file out, again, pattern;

static int same(const struct config_file *a, const struct config_file *b)
{
	return memcmp(a->modes, b->modes, sizeof(a->modes)) == 0 &&
	       a->default_mode == b->default_mode && a->relay == b->relay &&
	       (a->relay != CONFIG_RELAY_ADDR || a->relay_ip4 == b->relay_ip4) &&
	       strcmp(a->pin_dir, b->pin_dir) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1), *written = NULL, err[256];
	size_t wlen = 0;
	FILE *f;

	if (!text)
		abort();
	memcpy(text, data, size);
	memset(&pattern, 0xa5, sizeof(pattern));
	out = pattern;
	if (config_file_parse("fuzz.conf", text, size, &out, err, sizeof(err)) < 0) {
		FUZZ_ASSERT(memcmp(&out, &pattern, sizeof(out)) == 0);
		fuzz_check_err(err, sizeof(err));
		FUZZ_ASSERT(strncmp(err, "fuzz.conf:", 10) == 0);
		FUZZ_ASSERT(strchr(err, '\n') == NULL);
		free(text);
		return 0;
	}
	FUZZ_ASSERT(out.default_mode >= -1 && out.default_mode <= LO6_MODE_NEVER);
	FUZZ_ASSERT(out.relay <= CONFIG_RELAY_AUTO);
	FUZZ_ASSERT(memchr(out.pin_dir, '\0', sizeof(out.pin_dir)) != NULL);
	FUZZ_ASSERT(out.pin_dir[0] == '\0' || out.pin_dir[0] == '/');
	FUZZ_ASSERT(out.modes[0] == LO6_MODE_OFF);
	for (size_t p = 0; p < LO6_MAX_PORTS; p++)
		FUZZ_ASSERT(out.modes[p] <= LO6_MODE_NEVER);

	f = open_memstream(&written, &wlen);
	if (!f)
		abort();
	FUZZ_ASSERT(config_file_write(f, &out) == 0);
	fclose(f);
	memset(&again, 0, sizeof(again));
	if (config_file_parse("written.conf", written, wlen, &again, err, sizeof(err)) < 0) {
		fprintf(stderr, "written back, refused: %s\n--\n%s--\n", err, written);
		abort();
	}
	FUZZ_ASSERT(same(&out, &again));
	/* What the parser took, save's round trip keeps: it refuses only what it cannot. */
	FUZZ_ASSERT(config_file_round_trip(&out, err, sizeof(err)) == 0);
	free(written);
	free(text);
	return 0;
}
