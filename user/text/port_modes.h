/* SPDX-License-Identifier: MIT */
/*
 * Port modes, the one shape of an allowlist: uint8_t modes[LO6_MAX_PORTS],
 * the enum lo6_mode of each port as the `ports` array holds it, and
 * LO6_MODE_OFF where a port is not listed (config_file's modes are one).
 * Built from a port spec and a mode (--ports, allow, deny, the default
 * list) or from the config file's lines; read from the map and written to
 * it as a diff (instance.h: ports_read, ports_write); printed by `ports`
 * and `save`. Pure, no I/O but the FILE a caller gives; the loops over
 * every port of an allowlist are all here.
 */
#ifndef LO6RELAY_PORT_MODES_H
#define LO6RELAY_PORT_MODES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <lo6relay/abi.h>

#include "parse.h"

/* Sets every port of SET to MODE. */
void port_modes_set(uint8_t modes[LO6_MAX_PORTS], const struct portset *set, enum lo6_mode mode);

/*
 * Sets every port of SPEC ("8080", "3000-3010,5173") to MODE. On a bad
 * spec returns -1, leaves MODES as it was and writes one sentence to ERR.
 */
int port_modes_parse(uint8_t modes[LO6_MAX_PORTS], const char *spec, enum lo6_mode mode,
		     char *err, size_t errlen);

/*
 * A config line's ports: every port of SET listed as MODE, with LINE in
 * LINE_OF[port]; unless SET holds a port listed already: then nothing
 * changes and that port (the lowest such) is returned. 0 when all are added.
 */
unsigned port_modes_add(uint8_t modes[LO6_MAX_PORTS], uint32_t line_of[LO6_MAX_PORTS],
			uint32_t line, const struct portset *set, enum lo6_mode mode);

/* The ports FROM lists take its mode in INTO; the others keep theirs. */
void port_modes_merge(uint8_t into[LO6_MAX_PORTS], const uint8_t from[LO6_MAX_PORTS]);

/*
 * A diff, for one batch update of the map: the ports that WANT sets to
 * MODE and NOW (what the map holds) does not, into KEYS. Returns how many.
 */
uint32_t port_modes_changes(const uint8_t now[LO6_MAX_PORTS], const uint8_t want[LO6_MAX_PORTS],
			    enum lo6_mode mode, uint32_t keys[LO6_MAX_PORTS]);

/* How many ports MODES lists (any mode but off), and how many it redirects (always, auto). */
size_t port_modes_listed(const uint8_t modes[LO6_MAX_PORTS]);
size_t port_modes_allowed(const uint8_t modes[LO6_MAX_PORTS]);

/*
 * The ports in MODE folded into "80,3000-3010" in BUF ("" for none), as
 * `ports` prints them. Returns how many ports; BUF is cut short if small.
 */
size_t port_modes_format(const uint8_t modes[LO6_MAX_PORTS], enum lo6_mode mode, char *buf,
			 size_t len);

/*
 * The ports in MODE as config file lines, "KEY = 80,3000-3010", a new
 * line every 64 items: portspec_parse caps the items of one list.
 */
void port_modes_print_lines(FILE *f, const uint8_t modes[LO6_MAX_PORTS], enum lo6_mode mode,
			    const char *key);

#endif
