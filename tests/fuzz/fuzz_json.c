// SPDX-License-Identifier: MIT
/*
 * The JSON writer's strings, over any bytes (paths and arguments carry what
 * the user typed): the output is one JSON string of well-formed UTF-8 with
 * no raw control character, checked by decoding code points here rather
 * than with the writer's own test.
 */
#include "fuzz.h"
#include "json.h"

/* Decodes one code point at P (below END); its length, or 0 if malformed. */
static size_t decode(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n = p[0] < 0x80 ? 1 : (p[0] >> 5) == 6 ? 2 : (p[0] >> 4) == 14 ? 3 : (p[0] >> 3) == 30 ? 4 : 0;

	if (n == 0 || (size_t)(end - p) < n)
		return 0;
	*cp = n == 1 ? p[0] : (uint32_t)(p[0] & (0x7f >> n));
	for (size_t i = 1; i < n; i++) {
		if ((p[i] >> 6) != 2)
			return 0;
		*cp = *cp << 6 | (p[i] & 0x3f);
	}
	if (*cp < min[n] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *buf = NULL;
	const unsigned char *p, *end;
	size_t len = 0;
	struct json j;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	json_init(&j, f);
	json_str(&j, NULL, s);
	fclose(f);
	FUZZ_ASSERT(len >= 2 && buf[0] == '"' && buf[len - 1] == '"');
	p = (const unsigned char *)buf + 1;
	end = (const unsigned char *)buf + len - 1;
	while (p < end) {
		uint32_t cp;
		size_t n = decode(p, end, &cp);

		FUZZ_ASSERT(n > 0);
		FUZZ_ASSERT(cp >= 0x20 && cp != 0x7f);
		if (cp == '\\') {
			FUZZ_ASSERT(p + 1 < end && strchr("\"\\u", p[1]));
			n = p[1] == 'u' ? 6 : 2;
			FUZZ_ASSERT((size_t)(end - p) >= n);
		} else {
			FUZZ_ASSERT(cp != '"');
		}
		p += n;
	}
	free(buf);
	free(s);
	return 0;
}
