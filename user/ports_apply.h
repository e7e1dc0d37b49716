/* SPDX-License-Identifier: MIT */
/* Writing a parsed port set into the `ports` map with batch operations. */
#ifndef LO6RELAY_PORTS_APPLY_H
#define LO6RELAY_PORTS_APPLY_H

#include <stdint.h>
#include "parse.h"

/* Sets every port of SET to MODE in one batch; 0 or -errno. */
int ports_apply(int ports_fd, const struct portset *set, uint32_t mode);

/*
 * Makes the map say MODES[p] for every listed port (one batch per mode).
 * With EXACT, then also turns off the ports MODES does not list, so a port
 * listed before and after is never missing in between.
 */
int ports_apply_modes(int ports_fd, const uint8_t modes[65536], int exact);

#endif
