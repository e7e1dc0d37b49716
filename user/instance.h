/* SPDX-License-Identifier: MIT */
/* A running instance, seen through its pins: maps, link, config. */
#ifndef LO6RELAY_INSTANCE_H
#define LO6RELAY_INSTANCE_H

#include <stdint.h>
#include <lo6relay/abi.h>

struct instance {
	int ports_fd;
	int stats_fd;
	int config_fd;
};

/*
 * Opens the pinned maps under PIN_DIR. On failure prints one sentence that
 * says lo6relay is not running there, and returns -1.
 */
int instance_open(const char *pin_dir, struct instance *in);
void instance_close(struct instance *in);

int config_read(const struct instance *in, struct lo6_config *cfg);
int config_write(const struct instance *in, const struct lo6_config *cfg);

/* modes[p] = mode of port p in the `ports` map (LO6_MODE_OFF if absent). */
int ports_read(const struct instance *in, uint8_t modes[LO6_MAX_PORTS]);

/* Calls FN for every counted port, in port order. */
int stats_for_each(const struct instance *in,
		   void (*fn)(uint16_t port, const struct lo6_port_stats *s, void *arg), void *arg);

struct link_state {
	uint32_t link_id;
	uint32_t prog_id;
	uint64_t cgroup_id; /* 0 once the cgroup is gone */
};

/* 0 and STATE if PIN_DIR holds a connect6 link; -errno otherwise. */
int link_state_read(const char *pin_dir, struct link_state *state);

#endif
