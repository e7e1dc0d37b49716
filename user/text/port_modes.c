// SPDX-License-Identifier: MIT
#include "port_modes.h"

/*
 * Every loop below starts at port 1: port 0 cannot be connected to, no
 * spec names it, and the map's entry 0 is never written.
 */

void port_modes_set(uint8_t modes[LO6_MAX_PORTS], const struct portset *set, enum lo6_mode mode)
{
	for (unsigned p = 1; p < LO6_MAX_PORTS; p++)
		if (portset_has(set, p))
			modes[p] = (uint8_t)mode;
}

int port_modes_parse(uint8_t modes[LO6_MAX_PORTS], const char *spec, enum lo6_mode mode,
		     char *err, size_t errlen)
{
	struct portset set = { 0 };

	if (portspec_parse(spec, &set, err, errlen) < 0)
		return -1;
	port_modes_set(modes, &set, mode);
	return 0;
}

unsigned port_modes_add(uint8_t modes[LO6_MAX_PORTS], uint32_t line_of[LO6_MAX_PORTS],
			uint32_t line, const struct portset *set, enum lo6_mode mode)
{
	for (unsigned p = 1; p < LO6_MAX_PORTS; p++)
		if (portset_has(set, p) && modes[p] != LO6_MODE_OFF)
			return p;
	for (unsigned p = 1; p < LO6_MAX_PORTS; p++) {
		if (!portset_has(set, p))
			continue;
		modes[p] = (uint8_t)mode;
		line_of[p] = line;
	}
	return 0;
}

void port_modes_merge(uint8_t into[LO6_MAX_PORTS], const uint8_t from[LO6_MAX_PORTS])
{
	for (unsigned p = 1; p < LO6_MAX_PORTS; p++)
		if (from[p] != LO6_MODE_OFF)
			into[p] = from[p];
}

uint32_t port_modes_changes(const uint8_t now[LO6_MAX_PORTS], const uint8_t want[LO6_MAX_PORTS],
			    enum lo6_mode mode, uint32_t keys[LO6_MAX_PORTS])
{
	uint32_t n = 0;

	for (uint32_t p = 1; p < LO6_MAX_PORTS; p++)
		if (want[p] == mode && now[p] != mode)
			keys[n++] = p;
	return n;
}

size_t port_modes_listed(const uint8_t modes[LO6_MAX_PORTS])
{
	size_t n = 0;

	for (unsigned p = 1; p < LO6_MAX_PORTS; p++)
		n += modes[p] != LO6_MODE_OFF;
	return n;
}

size_t port_modes_allowed(const uint8_t modes[LO6_MAX_PORTS])
{
	size_t n = 0;

	for (unsigned p = 1; p < LO6_MAX_PORTS; p++)
		n += modes[p] == LO6_MODE_ALWAYS || modes[p] == LO6_MODE_AUTO;
	return n;
}

/* The next run of ports in MODE, from *FIRST on, in [*FIRST, *LAST]; 0 when none is left. */
static int next_run(const uint8_t modes[LO6_MAX_PORTS], enum lo6_mode mode, unsigned *first,
		    unsigned *last)
{
	unsigned p = *first;

	while (p < LO6_MAX_PORTS && modes[p] != mode)
		p++;
	if (p >= LO6_MAX_PORTS)
		return 0;
	*first = p;
	while (p + 1 < LO6_MAX_PORTS && modes[p + 1] == mode)
		p++;
	*last = p;
	return 1;
}

size_t port_modes_format(const uint8_t modes[LO6_MAX_PORTS], enum lo6_mode mode, char *buf,
			 size_t len)
{
	size_t off = 0, n = 0;
	unsigned a = 1, b;
	int w;

	buf[0] = '\0';
	for (; next_run(modes, mode, &a, &b); a = b + 1) {
		n += b - a + 1;
		if (off >= len)
			continue;
		if (a == b)
			w = snprintf(buf + off, len - off, "%s%u", off ? "," : "", a);
		else
			w = snprintf(buf + off, len - off, "%s%u-%u", off ? "," : "", a, b);
		off = w < 0 || (size_t)w >= len - off ? len : off + (size_t)w;
	}
	return n;
}

void port_modes_print_lines(FILE *f, const uint8_t modes[LO6_MAX_PORTS], enum lo6_mode mode,
			    const char *key)
{
	unsigned items = 0, a = 1, b;

	for (; next_run(modes, mode, &a, &b); a = b + 1) {
		if (items == 0)
			fprintf(f, "%s = %u", key, a);
		else
			fprintf(f, ",%u", a);
		if (b != a)
			fprintf(f, "-%u", b);
		if (++items == 64) {
			fputc('\n', f);
			items = 0;
		}
	}
	if (items)
		fputc('\n', f);
}
