// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * cgroup/connect6 sends [::1]:P to the IPv4 relay ([::ffff:127.0.0.1]:P, or
 * NAT mode's gateway) for the ports the user allowed; getpeername6,
 * getsockname6 and recvmsg6 then show the client the [::1] it asked for.
 * With --loopback4, the other spellings of this machine's loopback that WSL
 * does not relay either, 127.x.y.z (connect4) and ::ffff:127.x.y.z
 * (connect6), go there too; with --ipv4-localhost, 127.0.0.1 itself, where
 * the relay is not 127.0.0.1 (NAT mode). Linux first: a connect goes to the
 * relay only when no Linux socket would have answered it (auto), and
 * 127.0.0.1 only then whatever the port's mode.
 *
 * The hook runs in tcp_v6_pre_connect / udpv6_pre_connect on the kernel's
 * copy of the address, before tcp_v6_connect / __ip6_datagram_connect; those
 * see a v4-mapped address and hand the socket to the IPv4 path. lo6relay
 * redirects, it never blocks: every path returns 1.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_core_read.h>

#include <lo6relay/abi.h>
#include "maps.bpf.h"
#include "checks.bpf.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/*
 * LO6_LACKS_* bits, set by the loader for what this kernel does not offer
 * (user/instance/probe.c finds them, user/instance/loader.c sets them). The value is known
 * when the verifier runs, so it drops each branch that calls a missing
 * helper before it checks the call.
 */
const volatile __u32 lacks = 0;

/*
 * start --loopback4 or --ipv4-localhost: connect4 redirects 127/8 (which
 * addresses, the config's flags say); without either, it only unmarks.
 */
const volatile __u32 loopback4 = 0;

/*
 * Test-only: set by the loader under LO6RELAY_TEST_VERIFIER_REJECT so the
 * tests can prove a refused program leaves nothing behind. At 0 the branch
 * is dead code the verifier drops before it checks it.
 */
#ifdef LO6_TEST_SWITCHES
const volatile __u32 test_reject = 0;
#endif

/*
 * Each field by name, at an offset the atomic add carries in its own
 * instruction. `(__u64 *)s + what` would be pointer arithmetic whose offset
 * differs by path, and the verifier refuses that to a loader without
 * CAP_PERFMON: its Spectre v1 masking wants one offset per instruction.
 */
static __always_inline void bump(struct lo6_port_stats *s, enum lo6_outcome what)
{
	switch (what) {
	case LO6_REDIRECTED: __sync_fetch_and_add(&s->redirected, 1); break;
	case LO6_NOT_ALLOWED: __sync_fetch_and_add(&s->not_allowed, 1); break;
	case LO6_V6ONLY: __sync_fetch_and_add(&s->v6only, 1); break;
	case LO6_BOUND_V6: __sync_fetch_and_add(&s->bound_v6, 1); break;
	case LO6_LOCAL_LISTENER: __sync_fetch_and_add(&s->local_listener, 1); break;
	case LO6_OTHER_NETNS: __sync_fetch_and_add(&s->other_netns, 1); break;
	case LO6_VIA_127: __sync_fetch_and_add(&s->via_127, 1); break;
	case LO6_VIA_MAPPED: __sync_fetch_and_add(&s->via_mapped, 1); break;
	case LO6_NOUTCOMES: break;
	}
}

/* One lookup, one or two counters: the outcome and which spelling was redirected. */
static __always_inline void count(__u16 port, enum lo6_outcome what, enum lo6_outcome via)
{
	struct lo6_port_stats *s = bpf_map_lookup_elem(&port_stats, &port);

	if (!s) {
		struct lo6_port_stats zero = {};

		/* Two CPUs may race to create it; NOEXIST lets one win. */
		bpf_map_update_elem(&port_stats, &port, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&port_stats, &port);
		if (!s)
			return; /* map full: lose a count, never a connection */
	}
	bump(s, what);
	bump(s, via);
}

/* One line for `lo6relay watch`: nothing is built unless someone watches. */
static __always_inline void tell_watchers(struct bpf_sock_addr *ctx, __u16 port,
					  enum lo6_outcome what, __u8 spelling)
{
	__u32 zero = 0, *n = bpf_map_lookup_elem(&watchers, &zero);
	struct lo6_event *e;

	if ((lacks & LO6_LACKS_RINGBUF) || !n || !*n)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return; /* the watcher is behind: drop, never wait */
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->port = port;
	e->protocol = ctx->protocol;
	e->outcome = what;
	e->spelling = spelling;
#ifdef LO6_LEAN
	__builtin_memset(e->comm, 0, sizeof(e->comm)); /* user/instance/skel.h: no comm for this loader */
#else
	bpf_get_current_comm(e->comm, sizeof(e->comm));
#endif
	bpf_ringbuf_submit(e, 0);
}

static __always_inline __u32 relay_of(const struct lo6_config *cfg)
{
	return cfg->relay_ip4 ? cfg->relay_ip4 : LOOPBACK4_BE;
}

/*
 * Linux first: would a Linux socket answer what the client asked for? A
 * client of localhost that finds nobody on [::1] falls back to 127.0.0.1, so
 * wherever the relay is not 127.0.0.1 a server there owns [::1] too (where it
 * is, the relay is that server). Unable to look, assume one: never break what
 * works without us.
 */
static __always_inline int linux_owns(struct bpf_sock_addr *ctx, __u32 relay, __u32 orig_ip4)
{
	if (lacks & LO6_LACKS_SOCK_LOOKUP)
		return 1;
	if (orig_ip4)
		return has_local_listener(ctx, orig_ip4);
	return has_local_listener(ctx, 0) ||
	       (relay != LOOPBACK4_BE && has_local_listener(ctx, LOOPBACK4_BE));
}

/*
 * The verdict for a connect to loopback PORT; LO6_REDIRECTED means go ahead.
 * ORIG_IP4 is 0 for [::1], else the 127/8 address asked for.
 */
static __always_inline enum lo6_outcome decide(struct bpf_sock_addr *ctx, struct lo6_config *cfg,
					   __u16 port, __u32 orig_ip4)
{
	__u32 key = port;
	struct lo6_port_policy *pol = bpf_map_lookup_elem(&ports, &key);
	__u32 mode = pol && pol->mode != LO6_MODE_OFF ? pol->mode : cfg->default_mode;

	if (mode != LO6_MODE_ALWAYS && mode != LO6_MODE_AUTO)
		return LO6_NOT_ALLOWED;
	/* A container's loopback is its own business. */
	if (!(lacks & LO6_LACKS_NETNS_COOKIE) && !(cfg->flags & LO6_CFG_ALL_NETNS) &&
	    cfg->netns_cookie && bpf_get_netns_cookie(ctx) != cfg->netns_cookie)
		return LO6_OTHER_NETNS;
	if (ctx->user_family == AF_INET6) {
		/* __inet6_bind sets sk_ipv6only on a socket bound to a v6 address: ask first. */
		if (is_bound_v6(ctx->sk))
			return LO6_BOUND_V6;
		if (!(lacks & LO6_LACKS_SOCK_CAST) && is_v6only(ctx))
			return LO6_V6ONLY;
	}
	/* 127.0.0.1 is Linux's before it is Windows', whatever the port's mode. */
	if ((mode == LO6_MODE_AUTO || orig_ip4 == LOOPBACK4_BE) &&
	    linux_owns(ctx, relay_of(cfg), orig_ip4))
		return LO6_LOCAL_LISTENER;
	return LO6_REDIRECTED;
}

static __always_inline struct lo6_config *config_of(struct bpf_sock_addr *ctx, __u16 port)
{
	struct lo6_config *cfg;
	__u32 zero = 0;

	/*
	 * TCP and UDP only. The connect hooks also run for ICMP ping sockets
	 * (ping_v6_pre_connect: a v4-mapped address there is ENETUNREACH),
	 * for UDP-Lite on some kernels, and for MPTCP's first subflow, a TCP
	 * socket by its protocol (is_mptcp_subflow).
	 */
	if (port == 0 || (ctx->protocol != IPPROTO_TCP && ctx->protocol != IPPROTO_UDP))
		return 0;
	if (!(lacks & LO6_LACKS_SOCK_CAST) && is_mptcp_subflow(ctx))
		return 0;
	cfg = bpf_map_lookup_elem(&config, &zero);
	/* Consomme carries TCP only: a UDP [::1] left alone stays on Linux. */
	if (cfg && ctx->type == SOCK_DGRAM && (cfg->flags & LO6_CFG_TCP_ONLY))
		return 0;
	return cfg;
}

/*
 * The IPv4 loopback addresses this instance redirects (network byte order):
 * 127.0.0.1 with --ipv4-localhost, the rest of 127/8 with --loopback4, never
 * the relay itself.
 */
static __always_inline int takes_ip4(const struct lo6_config *cfg, __u32 ip4)
{
	if (!in_127(ip4) || ip4 == relay_of(cfg))
		return 0;
	if (ip4 == LOOPBACK4_BE)
		return !!(cfg->flags & LO6_CFG_IPV4_LOCALHOST);
	return !!(cfg->flags & LO6_CFG_LOOPBACK4);
}

/*
 * A socket connected again elsewhere must not keep a stale mark: a UDP
 * socket any time, a TCP socket after its redirected connect was refused
 * (tcp_v6_connect leaves it closed and ready for another connect).
 */
static __always_inline void unmark(struct bpf_sock_addr *ctx)
{
	if (!(lacks & LO6_LACKS_SK_STORAGE))
		bpf_sk_storage_delete(&sk_marks, ctx->sk);
}

/*
 * connect6 leaves this connect alone. It clears the socket's mark, unless
 * the kernel will refuse the connect without touching the socket: [::1], a
 * pure IPv6 address, on a socket already on the IPv4 path (a v4-mapped
 * source: __ip6_datagram_connect answers EAFNOSUPPORT and the socket keeps
 * its peer, whose names the mark still gives back).
 */
static __always_inline int leave(struct bpf_sock_addr *ctx, __u32 orig_ip4)
{
	if (orig_ip4 || !on_ipv4_path(ctx->sk))
		unmark(ctx);
	return 1;
}

static __always_inline void mark(struct bpf_sock_addr *ctx, __u32 relay, __u32 orig_ip4)
{
	struct sk_mark *m;

	if (lacks & LO6_LACKS_SK_STORAGE)
		return;
	/* Failing to mark must not fail the connect: the client just sees the relay. */
	m = bpf_sk_storage_get(&sk_marks, ctx->sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (m) {
		m->relay_ip4 = relay;
		m->orig_ip4 = orig_ip4;
	}
}

SEC("cgroup/connect6")
int lo6_connect6(struct bpf_sock_addr *ctx)
{
	__u16 port = bpf_ntohs((__u16)ctx->user_port);
	__u32 orig_ip4 = 0, relay;
	struct lo6_config *cfg;
	enum lo6_outcome what;

#if defined(LO6_TEST_SWITCHES) && !defined(LO6_LEAN)
	/* Not in the lean object: its loader's verifier walks dead branches too. */
	if (test_reject)
		return *(volatile int *)0; /* a null dereference the verifier refuses */
#endif
	/* The common case, any other destination, costs a compare or two. */
	if (!is_loopback6(ctx->user_ip6)) {
		if (!is_v4mapped(ctx->user_ip6, ctx->user_ip6[3]))
			return 1;
		/* ::ffff:a.b.c.d: a re-connect of a marked socket, or 127/8 taken. */
		cfg = config_of(ctx, port);
		if (!cfg || !takes_ip4(cfg, ctx->user_ip6[3])) {
			unmark(ctx);
			return 1;
		}
		orig_ip4 = ctx->user_ip6[3];
	} else if (!(cfg = config_of(ctx, port))) {
		return 1;
	}
	if (stranded_source(ctx, relay_of(cfg)))
		return leave(ctx, orig_ip4);

	what = decide(ctx, cfg, port, orig_ip4);
	count(port, what, what == LO6_REDIRECTED && orig_ip4 ? LO6_VIA_MAPPED : LO6_NOUTCOMES);
	tell_watchers(ctx, port, what, orig_ip4 ? LO6_SPELL_MAPPED : LO6_SPELL_V6);
	if (what != LO6_REDIRECTED)
		return leave(ctx, orig_ip4);
	relay = relay_of(cfg);
	ctx->user_ip6[0] = 0;
	ctx->user_ip6[1] = 0;
	ctx->user_ip6[2] = bpf_htonl(0xffff);
	ctx->user_ip6[3] = relay;
	mark(ctx, relay, orig_ip4);
	return 1;
}

/*
 * With --loopback4: 127.x.y.z:P other than 127.0.0.1 and the relay; with
 * --ipv4-localhost, 127.0.0.1:P where the relay is not 127.0.0.1. Always,
 * where marks are made: an IPv6 socket connected to an IPv4 address (glibc's
 * getaddrinfo reuses one UDP socket for [::1]:P, then, after an AF_UNSPEC
 * disconnect no hook sees, for 127.0.0.1:P) loses the mark of its [::1]
 * connect, or getsockname6 would call its v4-mapped source ::1; and an IPv4
 * socket marked under an earlier --loopback4 start loses its own, or a later
 * --loopback4 start would give it back.
 */
SEC("cgroup/connect4")
int lo6_connect4(struct bpf_sock_addr *ctx)
{
	__u16 port = bpf_ntohs((__u16)ctx->user_port);
	__u32 orig_ip4 = ctx->user_ip4;
	struct lo6_config *cfg;
	enum lo6_outcome what;

	if (!loopback4) {
		unmark(ctx); /* on a socket with no storage, a NULL check */
		return 1;
	}
	if (!(cfg = config_of(ctx, port)) || !takes_ip4(cfg, orig_ip4) ||
	    stranded_source(ctx, relay_of(cfg))) {
		unmark(ctx);
		return 1;
	}
	what = decide(ctx, cfg, port, orig_ip4);
	count(port, what, what == LO6_REDIRECTED ? LO6_VIA_127 : LO6_NOUTCOMES);
	tell_watchers(ctx, port, what, LO6_SPELL_127);
	if (what != LO6_REDIRECTED) {
		unmark(ctx);
		return 1;
	}
	ctx->user_ip4 = relay_of(cfg);
	mark(ctx, ctx->user_ip4, orig_ip4);
	return 1;
}

/*
 * The reverse hooks. A marked socket whose address is the relay reports the
 * address it asked for; LOCAL also rewrites the local end of a [::1]
 * connection (the v4 source), which a [::1] peer would have shown as ::1.
 */
/*
 * A socket disconnected since its redirect (connect(AF_UNSPEC), which runs
 * no hook, or a refused connect: tcp_disconnect, __udp_disconnect) keeps
 * its mark but answers for itself: a later sendto's replies or a failed
 * connect's names are not the relay's. Those clear the peer's port; a TCP
 * connection that merely closed (TCP_CLOSE too) keeps it, and its local
 * name is still the one it had.
 */
static __always_inline int connected(struct bpf_sock_addr *ctx)
{
	__u32 dport = ctx->sk->dst_port;

	return ctx->sk->state != BPF_TCP_CLOSE || dport != 0;
}

static __always_inline void give_back6(struct bpf_sock_addr *ctx, int local)
{
	struct sk_mark *m;

	if ((lacks & LO6_LACKS_SK_STORAGE) || !is_v4mapped(ctx->user_ip6, ctx->user_ip6[3]) ||
	    !connected(ctx))
		return;
	m = bpf_sk_storage_get(&sk_marks, ctx->sk, 0, 0);
	if (!m || (local ? m->orig_ip4 != 0 : ctx->user_ip6[3] != m->relay_ip4))
		return;
	if (m->orig_ip4) {
		ctx->user_ip6[3] = m->orig_ip4;
	} else {
		ctx->user_ip6[2] = 0;
		ctx->user_ip6[3] = bpf_htonl(1);
	}
}

static __always_inline void give_back4(struct bpf_sock_addr *ctx)
{
	struct sk_mark *m;

	if ((lacks & LO6_LACKS_SK_STORAGE) || !connected(ctx))
		return;
	m = bpf_sk_storage_get(&sk_marks, ctx->sk, 0, 0);
	if (m && m->orig_ip4 && ctx->user_ip4 == m->relay_ip4)
		ctx->user_ip4 = m->orig_ip4;
}

/* inet6_getname runs this after filling in sk_v6daddr. These must return 1. */
SEC("cgroup/getpeername6")
int lo6_getpeername6(struct bpf_sock_addr *ctx)
{
	give_back6(ctx, 0);
	return 1;
}

SEC("cgroup/getsockname6")
int lo6_getsockname6(struct bpf_sock_addr *ctx)
{
	give_back6(ctx, 1);
	return 1;
}

/* Replies on a redirected UDP socket come from where the client sent them. */
SEC("cgroup/recvmsg6")
int lo6_recvmsg6(struct bpf_sock_addr *ctx)
{
	give_back6(ctx, 0);
	return 1;
}

SEC("cgroup/getpeername4")
int lo6_getpeername4(struct bpf_sock_addr *ctx)
{
	give_back4(ctx);
	return 1;
}

SEC("cgroup/recvmsg4")
int lo6_recvmsg4(struct bpf_sock_addr *ctx)
{
	give_back4(ctx);
	return 1;
}
