/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The maps, each pinned by name under the pin folder; the layouts the CLI
 * shares are in include/lo6relay/abi.h. A socket's mark lives and dies with
 * the socket.
 */
#ifndef LO6RELAY_MAPS_BPF_H
#define LO6RELAY_MAPS_BPF_H

/*
 * Every port's policy, indexed by port: an array lookup is a bounds check
 * and an add the verifier inlines, where a hash lookup cost about 65 ns per
 * connect here (tools/bench); 512 KiB whatever is allowed (the kernel rounds
 * each value up to 8 bytes), against 5.5 MiB for a hash holding all 65,535.
 * The CLI lists it; nobody needs to dump it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LO6_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct lo6_port_policy);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ports SEC(".maps");

/*
 * A hash, so that `bpftool map dump` shows the ports seen and not 65,536
 * rows of zeros. No prealloc: memory grows with the ports actually seen.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LO6_MAX_PORTS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u16);
	__type(value, struct lo6_port_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} port_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lo6_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} config SEC(".maps");

/* Decisions for `lo6relay watch`; written only while watchers[0] > 0. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LO6_EVENTS_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} events SEC(".maps");

/* How many `watch` processes read `events`; mmap-able so they count atomically. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} watchers SEC(".maps");

/*
 * The mark of a redirected socket: the relay address it was sent to (so the
 * reverse hooks recognise it even after `relay` changes) and the address the
 * client asked for (so they can give it back). SK_STORAGE is freed
 * with the socket: no cleanup, no leak (as in the kernel selftest
 * connect_force_port6.c).
 */
struct sk_mark {
	__u32 relay_ip4; /* where it went */
	__u32 orig_ip4;  /* what it asked for: 0 for [::1], else a 127/8 address */
};

/*
 * Pinned like the others: a second start (or an upgrade) reuses it, so the
 * sockets already open keep their marks across the program swap.
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sk_mark);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sk_marks SEC(".maps");

/*
 * has_local_listener's question, built here rather than on the stack: 6.1's
 * verifier refuses, to a loader without CAP_PERFMON, a second 4-byte store
 * into an 8-byte stack slot that holds a 4-byte one (the IPv4 tuple's saddr
 * then daddr): "attempt to corrupt spilled pointer on stack". Map memory is
 * not tracked that way. Not pinned: nothing outlives a connect here.
 *
 * Since 5.11 the program runs with migration disabled, not preemption: on a
 * preemptible kernel another task's connect on this CPU may run while a
 * lookup is half done (test_preempt.sh saw 1 crossed answer in 10,000 with
 * one shared tuple). So each run takes a slot of its own, a busy count of 1
 * that only it made, and a run finding every slot taken cannot look.
 */
#define LO6_LOOKUP_SLOTS 4

struct lookup_slot {
	__u32 busy; /* runs that have claimed it; the one that saw 1 owns it */
	struct bpf_sock_tuple t;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LO6_LOOKUP_SLOTS);
	__type(key, __u32);
	__type(value, struct lookup_slot);
} lookup_slots SEC(".maps");

/* Keys in read-only data: a key on the stack, rewritten per slot, would meet 6.1's rule above. */
static const __u32 lookup_slot_keys[LO6_LOOKUP_SLOTS] = { 0, 1, 2, 3 };

#endif
