// SPDX-License-Identifier: MIT
#include "procnet.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define RTF_UP 0x0001
#define RTF_GATEWAY 0x0002
#define TCP_LISTEN 0x0A /* include/net/tcp_states.h */

/* Calls FN on each line of TEXT after the header line; stops when FN returns nonzero. */
static void each_line(const char *text, int (*fn)(const char *line, void *arg), void *arg)
{
	const char *p = strchr(text, '\n');
	char line[512];

	while (p && *++p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);

		if (n >= sizeof(line))
			n = sizeof(line) - 1; /* the fields we read come first */
		memcpy(line, p, n);
		line[n] = '\0';
		if (fn(line, arg))
			return;
		p = eol;
	}
}

struct route_ctx {
	int found;
	unsigned metric;
	uint32_t gw;
	char dev[16];
};

static int route_line(const char *line, void *arg)
{
	struct route_ctx *c = arg;
	unsigned dst, gw, flags, metric, mask;
	char dev[16];

	/* Iface Destination Gateway Flags RefCnt Use Metric Mask ... */
	if (sscanf(line, "%15s %x %x %x %*d %*d %u %x", dev, &dst, &gw, &flags, &metric, &mask) != 6)
		return 0;
	if (dst != 0 || mask != 0 || (flags & (RTF_UP | RTF_GATEWAY)) != (RTF_UP | RTF_GATEWAY))
		return 0;
	if (!c->found || metric < c->metric) {
		c->found = 1;
		c->metric = metric;
		c->gw = gw;
		memcpy(c->dev, dev, sizeof(dev));
	}
	return 0;
}

int procnet_default_route(const char *text, uint32_t *gw_be, char *dev, size_t devlen)
{
	struct route_ctx c = { 0 };

	each_line(text, route_line, &c);
	if (!c.found)
		return -1;
	*gw_be = c.gw;
	snprintf(dev, devlen, "%s", c.dev);
	return 0;
}

struct listen_ctx {
	int v6;
	unsigned port;
	unsigned bits;
};

/* 8 hex digits -> the 32-bit word as the kernel had it in memory. */
static int hex_word(const char *s, uint32_t *out)
{
	unsigned v;
	char buf[9];

	memcpy(buf, s, 8);
	buf[8] = '\0';
	if (strspn(buf, "0123456789abcdefABCDEF") != 8 || sscanf(buf, "%x", &v) != 1)
		return -1;
	*out = v;
	return 0;
}

unsigned listen_class4(uint32_t a_be)
{
	uint32_t h = ntohl(a_be);

	if (h == 0)
		return LISTEN_ANY4;
	return (h >> 24) == 127 ? LISTEN_LOOP4 : LISTEN_OTHER;
}

unsigned listen_class6(const struct in6_addr *a)
{
	if (IN6_IS_ADDR_LOOPBACK(a))
		return LISTEN_LOOP6;
	if (IN6_IS_ADDR_UNSPECIFIED(a))
		return LISTEN_ANY6;
	if (IN6_IS_ADDR_V4MAPPED(a)) {
		uint32_t v4;

		memcpy(&v4, &a->s6_addr[12], 4);
		return listen_class4(v4);
	}
	return LISTEN_OTHER;
}

static int listen_line(const char *line, void *arg)
{
	struct listen_ctx *c = arg;
	char addr[40];
	unsigned port, state;
	size_t words = c->v6 ? 4 : 1;
	uint32_t w[4];

	/* "  sl: LOCALADDR:PORT REMADDR:PORT ST ..." */
	if (sscanf(line, " %*s %39[0-9A-Fa-f]:%x %*s %x", addr, &port, &state) != 3)
		return 0;
	if (state != TCP_LISTEN || port != c->port || strlen(addr) != words * 8)
		return 0;
	for (size_t i = 0; i < words; i++)
		if (hex_word(addr + 8 * i, &w[i]) < 0)
			return 0;
	if (c->v6) {
		struct in6_addr a;

		memcpy(&a, w, sizeof(a));
		c->bits |= listen_class6(&a);
	} else {
		c->bits |= listen_class4(w[0]);
	}
	return 0;
}

unsigned procnet_tcp_listeners(const char *text, int v6, unsigned port)
{
	struct listen_ctx c = { v6, port, 0 };

	each_line(text, listen_line, &c);
	return c.bits;
}

void listen_describe(unsigned l, unsigned port, char *buf, size_t len)
{
	static const struct {
		unsigned bit;
		const char *fmt;
	} names[] = {
		{ LISTEN_LOOP6, "[::1]:%u" },	   { LISTEN_ANY6, "[::]:%u" },
		{ LISTEN_LOOP4, "127.0.0.1:%u" }, { LISTEN_ANY4, "0.0.0.0:%u" },
		{ LISTEN_OTHER, "another address:%u" },
	};
	size_t off = 0;

	snprintf(buf, len, "nothing");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char one[32];
		int w;

		if (!(l & names[i].bit))
			continue;
		snprintf(one, sizeof(one), names[i].fmt, port);
		w = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", one);
		if (w < 0 || (size_t)w >= len - off)
			return;
		off += (size_t)w;
	}
}
