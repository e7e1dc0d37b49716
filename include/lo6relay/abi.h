/* SPDX-License-Identifier: MIT */
/*
 * The ABI shared by the BPF programs and the CLI: map names, keys, values.
 * Changing a layout here changes what pinned maps an older instance left
 * behind can be reused: libbpf refuses a pinned map whose key/value size
 * differs, and `start` then says so (stop the old instance first).
 */
#ifndef LO6RELAY_ABI_H
#define LO6RELAY_ABI_H

#include <linux/types.h>

/* Every TCP/UDP port but 0 can be allowed at once (and counted). */
#define LO6_MAX_PORTS 65536

/* Per-port policy, the value of the `ports` array (key: port, __u32). */
enum lo6_mode {
	LO6_MODE_OFF = 0,    /* not listed: falls back to the default mode */
	LO6_MODE_ALWAYS = 1, /* redirect every [::1]:P connect */
	LO6_MODE_AUTO = 2,   /* redirect unless something listens on [::1]:P here */
	LO6_MODE_NEVER = 3,  /* never redirect, even if the default says so */
};

struct lo6_port_policy {
	__u32 mode; /* enum lo6_mode */
};

/* config.flags */
#define LO6_CFG_ALL_NETNS (1u << 0) /* touch sockets of every netns */
#define LO6_CFG_LOOPBACK4 (1u << 1) /* also 127/8 and ::ffff:127/8, not only ::1 */
#define LO6_CFG_RELAY_AUTO (1u << 2) /* relay_ip4 was picked by WSL mode: reload re-picks */
#define LO6_CFG_SHOW_RELAY (1u << 3) /* start --show-relay: no marks, no reverse hooks */
#define LO6_CFG_IPV4_LOCALHOST (1u << 4) /* start --ipv4-localhost: 127.0.0.1 too, Linux first */
#define LO6_CFG_TCP_ONLY (1u << 5) /* the relay carries TCP only (Consomme): UDP left alone */
/*
 * Bits 8-15: 1 << the CLI's enum hook, for hooks another program held
 * (attached without BPF_F_ALLOW_MULTI) when start ran, which then made no
 * marks and attached no reverse hook: clients see the relay address.
 */
#define LO6_CFG_HELD_SHIFT 8
#define LO6_CFG_HELD(hooks) (((hooks) & 0xffu) << LO6_CFG_HELD_SHIFT)
#define LO6_CFG_HELD_OF(flags) (((flags) >> LO6_CFG_HELD_SHIFT) & 0xffu)

/* The single entry (key 0) of the `config` map. */
struct lo6_config {
	__u32 relay_ip4;    /* network byte order; 0 means 127.0.0.1 */
	__u32 default_mode; /* enum lo6_mode for ports not in `ports` */
	__u64 netns_cookie; /* the loader's netns; 0 = not set (all) */
	__u32 flags;        /* LO6_CFG_* */
	__u32 abi_version;  /* LO6_ABI_VERSION of the loader that wrote it */
	__u32 lacks;        /* LO6_LACKS_*: what the kernel did not offer at start */
	__u32 hooks_absent; /* 1 << the CLI's enum hook, for hooks the kernel does not know */
};

/*
 * config.lacks, and the programs' read-only `lacks`: each bit turns off the
 * code that needs the missing helper or map type (user/instance/probe.c finds them).
 * The programs' copy also has LO6_LACKS_SK_STORAGE under --show-relay.
 */
#define LO6_LACKS_SK_STORAGE (1u << 0)   /* no mark: clients see the relay address */
#define LO6_LACKS_NETNS_COOKIE (1u << 1) /* every namespace's [::1] is redirected */
#define LO6_LACKS_SOCK_LOOKUP (1u << 2)  /* auto cannot look for listeners: left alone */
#define LO6_LACKS_SOCK_CAST (1u << 3)    /* no V6ONLY check: such sockets fail */
#define LO6_LACKS_RINGBUF (1u << 4)      /* no `watch` */
#define LO6_LACKS_ALL ((1u << 5) - 1)

#define LO6_ABI_VERSION 4
/*
 * The rows of the CLI's hook table (LO6_HOOKS, user/instance/instance.h).
 * The config keeps hook masks by row (hooks_absent, the held bits), so a
 * new row changes what an older instance's masks mean: it comes with a new
 * LO6_ABI_VERSION, which makes a newer lo6relay refuse, not misread, them.
 */
#define LO6_ABI_HOOKS 7
/*
 * The oldest ABI whose pins this one takes over: 3 differs only by the
 * sk_marks pin, which start then adds (and writes version 4), keeping the
 * maps and counters as an upgrade should.
 */
#define LO6_ABI_OLDEST 3

/*
 * Per-port counters, the value of the `port_stats` map (key: port in host
 * byte order). Named fields rather than an array so that
 * `bpftool map dump` shows what each number means.
 */
struct lo6_port_stats {
	__u64 redirected;     /* rewritten to the relay address */
	__u64 not_allowed;    /* port neither allowed nor covered by default */
	__u64 v6only;         /* IPV6_V6ONLY socket: a v4 destination would fail */
	__u64 bound_v6;       /* already bound to an IPv6 source */
	__u64 local_listener; /* auto mode and a Linux server listens on ::1 */
	__u64 other_netns;    /* socket of another network namespace */
	__u64 via_127;        /* of `redirected`: asked for 127.x.y.z (--loopback4) */
	__u64 via_mapped;     /* of `redirected`: asked for ::ffff:127.x.y.z (--loopback4) */
};

/*
 * A decision's outcome: the index of the struct lo6_port_stats field it
 * counts (the BPF side adds it to the struct's address), and the value of
 * lo6_event.outcome. LO6_OUTCOME_NAMES lists the fields' names in this
 * order, for the CLI's tables, JSON and `watch`.
 */
enum lo6_outcome {
	LO6_REDIRECTED = 0,
	LO6_NOT_ALLOWED,
	LO6_V6ONLY,
	LO6_BOUND_V6,
	LO6_LOCAL_LISTENER,
	LO6_OTHER_NETNS,
	LO6_VIA_127,
	LO6_VIA_MAPPED,
	LO6_NOUTCOMES, /* also "no second counter" for the BPF side */
};
#define LO6_OUTCOME_NAMES                                                                      \
	{ "redirected", "not_allowed", "v6only", "bound_v6", "local_listener", "other_netns",   \
	  "via_127", "via_mapped" }

#define LO6_OUTCOME_AT(field, idx) (__builtin_offsetof(struct lo6_port_stats, field) == (idx) * 8)
_Static_assert(LO6_OUTCOME_AT(redirected, LO6_REDIRECTED) &&
		       LO6_OUTCOME_AT(not_allowed, LO6_NOT_ALLOWED) &&
		       LO6_OUTCOME_AT(v6only, LO6_V6ONLY) && LO6_OUTCOME_AT(bound_v6, LO6_BOUND_V6) &&
		       LO6_OUTCOME_AT(local_listener, LO6_LOCAL_LISTENER) &&
		       LO6_OUTCOME_AT(other_netns, LO6_OTHER_NETNS) &&
		       LO6_OUTCOME_AT(via_127, LO6_VIA_127) && LO6_OUTCOME_AT(via_mapped, LO6_VIA_MAPPED),
	       "enum lo6_outcome must follow struct lo6_port_stats field by field");
_Static_assert(sizeof(struct lo6_port_stats) == LO6_NOUTCOMES * 8,
	       "every counter has an outcome");

/* What was asked for: the spellings of loopback lo6relay redirects. */
enum lo6_spelling {
	LO6_SPELL_V6 = 0,     /* [::1] */
	LO6_SPELL_127 = 1,    /* 127.x.y.z on an IPv4 socket */
	LO6_SPELL_MAPPED = 2, /* [::ffff:127.x.y.z] */
};

/*
 * One decision, sent to `lo6relay watch` through the `events` ring buffer
 * only while a watcher counts itself in `watchers`.
 */
struct lo6_event {
	__u64 ts_ns;     /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u32 pid;       /* the thread group (process) that connected */
	__u16 port;      /* host byte order */
	__u8 protocol;   /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 outcome;    /* enum lo6_outcome */
	__u8 spelling;   /* enum lo6_spelling */
	__u8 pad[7];
	char comm[16];
};

#define LO6_EVENTS_BYTES (256 * 1024)

/* Names of the maps and links under the pin folder. */
#define LO6_MAP_PORTS "ports"
#define LO6_MAP_STATS "port_stats"
#define LO6_MAP_CONFIG "config"
#define LO6_MAP_EVENTS "events"
#define LO6_MAP_WATCHERS "watchers"
#define LO6_MAP_MARKS "sk_marks" /* pinned so a second start keeps live sockets' marks */
#define LO6_LINK_CONNECT6 "link_connect6"
#define LO6_LINK_GETPEERNAME6 "link_getpeername6"
#define LO6_LINK_GETSOCKNAME6 "link_getsockname6"
#define LO6_LINK_RECVMSG6 "link_recvmsg6"
#define LO6_LINK_CONNECT4 "link_connect4"
#define LO6_LINK_GETPEERNAME4 "link_getpeername4"
#define LO6_LINK_RECVMSG4 "link_recvmsg4"

#define LO6_DEFAULT_PIN_DIR "/sys/fs/bpf/lo6relay"

#endif
