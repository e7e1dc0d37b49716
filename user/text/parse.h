/* SPDX-License-Identifier: MIT */
/* Pure parsers and formatters of user input: no I/O, no kernel. */
#ifndef LO6RELAY_PARSE_H
#define LO6RELAY_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* A set of ports 0..65535 as a bitmap; port 0 is never set. */
struct portset {
	uint64_t bits[65536 / 64];
};

/* Limits against runaway input: a spec longer than this is refused. */
#define PORTSPEC_MAX_LEN 8192
#define PORTSPEC_MAX_TOKENS 1024

static inline void portset_add(struct portset *s, unsigned p)
{
	s->bits[p / 64] |= 1ull << (p % 64);
}

static inline int portset_has(const struct portset *s, unsigned p)
{
	return (int)((s->bits[p / 64] >> (p % 64)) & 1);
}

/* One port, 1 to 65535 in decimal digits only (doctor PORT): 0, or -1 if not one. */
int port_parse(const char *s, unsigned *port);

/*
 * Adds the ports of SPEC ("8080", "3000-3010,5173") to SET. On a bad spec
 * returns -1, leaves SET as it was and writes one sentence naming the bad
 * token to ERR.
 */
int portspec_parse(const char *spec, struct portset *set, char *err, size_t errlen);

size_t portset_count(const struct portset *set);

/* Folds SET back into "80,3000-3010"; "" when empty. -1 if BUF is too small. */
int portset_format(const struct portset *set, char *buf, size_t len);

/* "off", "always", "auto", "never" <-> enum lo6_mode; -1 on anything else. */
int mode_parse(const char *s);
const char *mode_name(uint32_t mode);

/* A count of 1 to 1,000,000 in decimal digits only (`watch COUNT`); -1 if bad. */
long count_parse(const char *s);

/* A dotted-quad unicast IPv4 address, to network byte order. -1 if bad. */
int ipv4_parse(const char *s, uint32_t *addr_be, char *err, size_t errlen);

#endif
