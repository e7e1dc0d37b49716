/* SPDX-License-Identifier: MIT */
/* Writing a parsed port set into the `ports` map with batch operations. */
#ifndef LO6RELAY_PORTS_APPLY_H
#define LO6RELAY_PORTS_APPLY_H

#include <stdint.h>
#include "parse.h"

/* Sets every port of SET to MODE in one batch; 0 or -errno. */
int ports_apply(int ports_fd, const struct portset *set, uint32_t mode);

/* Removes every port of SET that is in the map; 0 or -errno. */
int ports_remove(int ports_fd, const struct portset *set);

/*
 * Makes the map say MODES[p] for every listed port (one batch per mode).
 * With EXACT, then also removes ports the map has and MODES does not, so
 * a port listed before and after is never missing in between.
 */
int ports_apply_modes(int ports_fd, const uint8_t modes[65536], int exact);

#endif
