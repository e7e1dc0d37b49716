/* SPDX-License-Identifier: MIT */
/* A running instance, seen through its pins: maps, link, config. */
#ifndef LO6RELAY_INSTANCE_H
#define LO6RELAY_INSTANCE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <lo6relay/abi.h>

struct instance {
	int ports_fd;
	int stats_fd;
	int config_fd;
};

/* instance_open and instance_close are the pin folder's (pins.h). */

int config_read(const struct instance *in, struct lo6_config *cfg);
int config_write(const struct instance *in, const struct lo6_config *cfg);

/* modes[p] = mode of port p in the `ports` map (LO6_MODE_OFF if absent). */
int ports_read(const struct instance *in, uint8_t modes[LO6_MAX_PORTS]);

/* Calls FN for every counted port, in port order. */
int stats_for_each(const struct instance *in,
		   void (*fn)(uint16_t port, const struct lo6_port_stats *s, void *arg), void *arg);

/*
 * The hooks, in the order start attaches them: connect6, which makes the
 * marks the others read, goes last. Adding one is a SEC function in
 * bpf/lo6relay.bpf.c, its link's pin name in abi.h, and a value here with
 * its row in hooks[] (instance.c): start, stop, status and doctor go by it.
 */
enum hook {
	HOOK_GETPEERNAME6,
	HOOK_GETSOCKNAME6,
	HOOK_RECVMSG6,
	HOOK_GETPEERNAME4, /* the v4 hooks only with --loopback4 */
	HOOK_RECVMSG4,
	HOOK_CONNECT4,
	HOOK_CONNECT6,
	NHOOKS
};

struct hook_info {
	const char *name;     /* as bpftool names the attach type, minus "cgroup_inet6_" */
	int v4;               /* loaded only with --loopback4 */
	int reverse;          /* reads the mark connect leaves: useless without it */
	int type;             /* enum bpf_attach_type */
	const char *link;     /* its link's pin name (abi.h) */
	const char *prog;     /* its program's name in bpf/lo6relay.bpf.c */
};
extern const struct hook_info hooks[NHOOKS];

/*
 * The hooks in the order status lists them (IPv6 first, each family's
 * connect before its reverse hooks) or, CONNECTS_FIRST, start looks for
 * holders (a connect's holder stops start; a reverse hook's only its marks).
 */
void hook_order(int connects_first, enum hook out[NHOOKS]);

/*
 * Space-separated names of the hooks in MASK (bits of enum hook), the v4
 * ones only with LOOPBACK4; "" if none. Returns OUT.
 */
char *hook_names(uint32_t mask, int loopback4, char *out, size_t len);

/*
 * Does an instance started with LOOPBACK4, and making marks (MARKS: not
 * --show-relay, and the kernel has socket storage), attach HOOK?
 */
int hook_wanted(enum hook hook, int loopback4, int marks);

struct link_state {
	uint32_t link_id;
	uint32_t prog_id;
	uint64_t cgroup_id; /* 0 once the cgroup is gone (removed, or not found) */
};

/*
 * Whether and how an instance is attached: its pinned links, read once,
 * and their cgroup, found by one walk of the cgroup tree. status, doctor
 * and start's attach all go by it.
 */
struct attach_state {
	int err;          /* reading connect6's link: 0, -ENOENT if none is pinned, -EACCES... */
	uint32_t pinned;  /* 1 << hook for each hook with a pinned cgroup link */
	uint32_t live;    /* ... of those, the ones whose cgroup still exists */
	struct link_state link[NHOOKS];
	uint64_t cgroup_id;    /* connect6's cgroup, 0 if no link or the cgroup is gone */
	char cgroup[PATH_MAX]; /* its path, "" if unknown (no cgroup2 mount, or not found) */
};

/* Fills ST from the links pinned under PIN_DIR; returns ST->err. */
int attach_state_read(const char *pin_dir, struct attach_state *st);

#endif
