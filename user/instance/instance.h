/* SPDX-License-Identifier: MIT */
/* A running instance, seen through its maps (config, ports, stats), and its hooks. */
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

/* The port modes (port_modes.h) the `ports` map holds. */
int ports_read(const struct instance *in, uint8_t modes[LO6_MAX_PORTS]);

/*
 * Makes the `ports` map say WANT where it says NOW (as ports_read gave it):
 * only the ports whose mode changes are written, one batch per mode, the
 * listed modes before off, so a port listed before and after is never
 * missing in between. 0 or -errno.
 */
int ports_write(const struct instance *in, const uint8_t now[LO6_MAX_PORTS],
		const uint8_t want[LO6_MAX_PORTS]);

struct portset;
/* allow and deny: every port of SET set to MODE, the others as they are. 0 or -errno. */
int ports_apply_set(const struct instance *in, const struct portset *set, enum lo6_mode mode);

/* start and reload: the ports MODES lists set as it lists them; with EXACT, the others off. */
int ports_apply(const struct instance *in, const uint8_t modes[LO6_MAX_PORTS], int exact);

/* Calls FN for every counted port, in port order. */
int stats_for_each(const struct instance *in,
		   void (*fn)(uint16_t port, const struct lo6_port_stats *s, void *arg), void *arg);

/*
 * The hooks, one row each, in the order start attaches them: connect6,
 * which makes the marks the others read, goes last. A row is the hook's
 * HOOK_ value, its name (as bpftool names the attach type, minus
 * "cgroup_inet6_"; its program is lo6_NAME in bpf/lo6relay.bpf.c and its
 * link is pinned as LO6_LINK_ID of abi.h), v4 (loaded only with
 * --loopback4), reverse (reads the mark connect leaves: useless without
 * it) and its enum bpf_attach_type. Adding a hook is its SEC function and
 * its link's pin name, a row here and a new ABI (abi.h: LO6_ABI_VERSION,
 * LO6_ABI_HOOKS): start, stop, status and doctor go by hooks[].
 */
#define LO6_HOOKS(X)                                                      \
	X(GETPEERNAME6, getpeername6, 0, 1, BPF_CGROUP_INET6_GETPEERNAME) \
	X(GETSOCKNAME6, getsockname6, 0, 1, BPF_CGROUP_INET6_GETSOCKNAME) \
	X(RECVMSG6, recvmsg6, 0, 1, BPF_CGROUP_UDP6_RECVMSG)              \
	X(GETPEERNAME4, getpeername4, 1, 1, BPF_CGROUP_INET4_GETPEERNAME) \
	X(RECVMSG4, recvmsg4, 1, 1, BPF_CGROUP_UDP4_RECVMSG)              \
	X(CONNECT4, connect4, 1, 0, BPF_CGROUP_INET4_CONNECT)             \
	X(CONNECT6, connect6, 0, 0, BPF_CGROUP_INET6_CONNECT)

#define LO6_HOOK_ENUM(id, name, v4, reverse, type) HOOK_##id,
enum hook { LO6_HOOKS(LO6_HOOK_ENUM) NHOOKS };
#undef LO6_HOOK_ENUM

/* start attaches connect6 last and stop detaches it first, both by this order. */
_Static_assert(HOOK_CONNECT6 == NHOOKS - 1, "connect6 must be the last row of LO6_HOOKS");
/* hooks_absent and the held bits of the config are masks by row. */
_Static_assert(NHOOKS == LO6_ABI_HOOKS,
	       "a new LO6_HOOKS row is a new ABI: raise LO6_ABI_VERSION and LO6_ABI_HOOKS (abi.h)");
/* stop's fault points step by ten (faults.h). */
_Static_assert(NHOOKS <= 10, "faults.h numbers stop's steps per hook in tens");

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

#endif
