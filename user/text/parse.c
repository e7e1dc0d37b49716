// SPDX-License-Identifier: MIT
#include "parse.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <lo6relay/abi.h>

/* Reads a decimal port 1..65535 from [s, end): digits only, no sign. */
static int parse_port(const char *s, const char *end, unsigned *out)
{
	unsigned long v = 0;

	if (s == end || end - s > 5)
		return -1;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int port_parse(const char *s, unsigned *port)
{
	return parse_port(s, s + strlen(s), port);
}

/* One token "P" or "A-B"; errors name the token. */
static int parse_token(const char *tok, size_t n, struct portset *set, char *err, size_t errlen)
{
	const char *end = tok + n, *dash = memchr(tok, '-', n);
	unsigned lo, hi;

	if (n == 0) {
		snprintf(err, errlen, "empty port in the list (two commas, or a comma at an end)");
		return -1;
	}
	if (!dash) {
		if (parse_port(tok, end, &lo) < 0)
			goto bad;
		portset_add(set, lo);
		return 0;
	}
	if (dash == tok || dash + 1 == end) {
		snprintf(err, errlen, "'%.*s' is a range with a missing end: write it as FIRST-LAST",
			 (int)n, tok);
		return -1;
	}
	if (parse_port(tok, dash, &lo) < 0 || parse_port(dash + 1, end, &hi) < 0)
		goto bad;
	if (lo > hi) {
		snprintf(err, errlen, "'%.*s' is a backwards range: write the lower port first",
			 (int)n, tok);
		return -1;
	}
	for (unsigned p = lo; p <= hi; p++)
		portset_add(set, p);
	return 0;
bad:
	snprintf(err, errlen, "'%.*s' is not a port or range of ports between 1 and 65535",
		 (int)(n > 64 ? 64 : n), tok);
	return -1;
}

int portspec_parse(const char *spec, struct portset *set, char *err, size_t errlen)
{
	struct portset tmp = *set;
	size_t len = strlen(spec), tokens = 0;
	const char *p = spec;

	if (len == 0) {
		snprintf(err, errlen, "empty port list: give ports like 8080 or 3000-3010,5173");
		return -1;
	}
	if (len > PORTSPEC_MAX_LEN) {
		snprintf(err, errlen, "port list of %zu characters is longer than %d", len,
			 PORTSPEC_MAX_LEN);
		return -1;
	}
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		if (++tokens > PORTSPEC_MAX_TOKENS) {
			snprintf(err, errlen, "port list has more than %d items: use ranges",
				 PORTSPEC_MAX_TOKENS);
			return -1;
		}
		if (parse_token(p, n, &tmp, err, errlen) < 0)
			return -1;
		if (!comma)
			break;
		p = comma + 1;
	}
	*set = tmp;
	return 0;
}

size_t portset_count(const struct portset *set)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(set->bits) / sizeof(set->bits[0]); i++)
		n += (size_t)__builtin_popcountll(set->bits[i]);
	return n;
}

int portset_format(const struct portset *set, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	for (unsigned p = 1; p < 65536; p++) {
		unsigned last = p;
		int w;

		if (!portset_has(set, p))
			continue;
		while (last + 1 < 65536 && portset_has(set, last + 1))
			last++;
		if (last == p)
			w = snprintf(buf + off, len - off, "%s%u", off ? "," : "", p);
		else
			w = snprintf(buf + off, len - off, "%s%u-%u", off ? "," : "", p, last);
		if (w < 0 || (size_t)w >= len - off)
			return -1;
		off += (size_t)w;
		p = last;
	}
	return 0;
}

static const char *const mode_names[] = {
	[LO6_MODE_OFF] = "off",
	[LO6_MODE_ALWAYS] = "always",
	[LO6_MODE_AUTO] = "auto",
	[LO6_MODE_NEVER] = "never",
};

int mode_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (strcmp(s, mode_names[i]) == 0)
			return (int)i;
	return -1;
}

long count_parse(const char *s)
{
	long n = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || (n = n * 10 + (*s - '0')) > 1000000)
			return -1;
	}
	return n >= 1 ? n : -1;
}

const char *mode_name(uint32_t mode)
{
	return mode < sizeof(mode_names) / sizeof(mode_names[0]) ? mode_names[mode] : "unknown";
}

int ipv4_parse(const char *s, uint32_t *addr_be, char *err, size_t errlen)
{
	struct in_addr a;
	uint32_t h;

	/* inet_pton takes exactly a.b.c.d: no octal, hex or short forms. */
	if (inet_pton(AF_INET, s, &a) != 1) {
		snprintf(err, errlen, "'%.64s' is not an IPv4 address like 127.0.0.1", s);
		return -1;
	}
	h = ntohl(a.s_addr);
	if (h == 0 || h == 0xffffffffu || (h >> 28) == 0xe) {
		snprintf(err, errlen, "'%s' cannot be a relay address: give a unicast IPv4 address",
			 s);
		return -1;
	}
	*addr_be = a.s_addr;
	return 0;
}
