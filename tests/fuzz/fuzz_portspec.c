// SPDX-License-Identifier: MIT
/*
 * portspec_parse against a small reference grammar, and the round trip
 * portset_format -> portspec_parse. The first input byte picks the size of
 * the error buffer; the rest is the spec.
 */
#include "fuzz.h"
#include "parse.h"

static struct portset before, set, again;
static char text[6 * 65536];

/* The grammar, the slow obvious way: PORT or PORT-PORT, comma-separated. */
static int ref_port(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*out = v;
	return 0;
}

static int ref_accepts(const char *spec)
{
	size_t len = strlen(spec), tokens = 0;

	if (len == 0 || len > PORTSPEC_MAX_LEN)
		return 0;
	for (const char *p = spec;;) {
		size_t n = strcspn(p, ",");
		const char *dash = memchr(p, '-', n);
		unsigned lo, hi;

		if (++tokens > PORTSPEC_MAX_TOKENS)
			return 0;
		if (!dash) {
			if (ref_port(p, n, &lo) < 0)
				return 0;
		} else if (ref_port(p, (size_t)(dash - p), &lo) < 0 ||
			   ref_port(dash + 1, n - (size_t)(dash - p) - 1, &hi) < 0 || lo > hi) {
			return 0;
		}
		if (p[n] == '\0')
			return 1;
		p += n + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t errlen;
	char *spec, *err;
	int rc;

	if (size < 1)
		return 0;
	errlen = data[0] % 200;
	spec = fuzz_str(data + 1, size - 1);
	err = malloc(errlen ? errlen : 1);
	if (!err)
		abort();
	/* Start from a few ports: a bad spec must leave them exactly so. */
	memset(&before, 0, sizeof(before));
	portset_add(&before, 80);
	portset_add(&before, 65535);
	set = before;
	rc = portspec_parse(spec, &set, err, errlen);
	FUZZ_ASSERT(rc == 0 || rc == -1);
	/* Tokens with NULs inside are cut at the first: the C string is what counts. */
	FUZZ_ASSERT((rc == 0) == ref_accepts(spec));
	if (rc < 0) {
		FUZZ_ASSERT(memcmp(&set, &before, sizeof(set)) == 0);
		fuzz_check_err(err, errlen);
		FUZZ_ASSERT(errlen < 2 || err[0] != '\0');
	} else {
		for (size_t i = 0; i < sizeof(set.bits) / sizeof(set.bits[0]); i++)
			FUZZ_ASSERT((set.bits[i] & before.bits[i]) == before.bits[i]);
		FUZZ_ASSERT(!portset_has(&set, 0));
		/* Folded back and parsed again: the same set. */
		FUZZ_ASSERT(portset_format(&set, text, sizeof(text)) == 0);
		memset(&again, 0, sizeof(again));
		FUZZ_ASSERT(portspec_parse(text, &again, err, errlen) == 0);
		FUZZ_ASSERT(memcmp(&again, &set, sizeof(set)) == 0);
		FUZZ_ASSERT(portset_count(&again) == portset_count(&set));
		/* Too small a buffer: -1, never an overflow (ASan watches). */
		{
			size_t need = strlen(text) + 1, small = need > 1 ? need - 1 : 1;
			char *b = malloc(small);

			if (!b)
				abort();
			FUZZ_ASSERT(portset_format(&set, b, small) == -1);
			free(b);
		}
	}
	free(err);
	free(spec);
	return 0;
}
