// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * cgroup/connect6 sends [::1]:P to the IPv4 relay ([::ffff:127.0.0.1]:P)
 * for the ports the user allowed; getpeername6, getsockname6 and recvmsg6
 * then show the client the [::1] it asked for.
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

/* Cleared by the loader where the kernel has no socket storage for this hook. */
const volatile __u32 mark_sockets = 1;

/* Field order of struct lo6_port_stats, as an index into it. */
enum outcome { REDIRECTED, NOT_ALLOWED, V6ONLY, BOUND_V6, LOCAL_LISTENER, OTHER_NETNS };

static __always_inline void count(__u16 port, enum outcome what)
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
	__sync_fetch_and_add((__u64 *)s + what, 1);
}

/* The verdict for a connect to [::1]:PORT; REDIRECTED means go ahead. */
static __always_inline enum outcome decide(struct bpf_sock_addr *ctx, struct lo6_config *cfg,
					   __u16 port)
{
	struct lo6_port_policy *pol = bpf_map_lookup_elem(&ports, &port);
	__u32 mode = pol && pol->mode != LO6_MODE_OFF ? pol->mode : cfg->default_mode;

	if (mode != LO6_MODE_ALWAYS && mode != LO6_MODE_AUTO)
		return NOT_ALLOWED;
	/* A container's ::1 is its own business. */
	if (!(cfg->flags & LO6_CFG_ALL_NETNS) && cfg->netns_cookie &&
	    bpf_get_netns_cookie(ctx) != cfg->netns_cookie)
		return OTHER_NETNS;
	/* __inet6_bind sets sk_ipv6only on a socket bound to a v6 address: ask first. */
	if (is_bound_v6(ctx->sk))
		return BOUND_V6;
	if (is_v6only(ctx))
		return V6ONLY;
	if (mode == LO6_MODE_AUTO && has_local_listener(ctx))
		return LOCAL_LISTENER;
	return REDIRECTED;
}

/* A socket connected again elsewhere must not keep a stale mark (UDP can). */
static __always_inline void unmark(struct bpf_sock_addr *ctx)
{
	if (mark_sockets)
		bpf_sk_storage_delete(&sk_marks, ctx->sk);
}

SEC("cgroup/connect6")
int lo6_connect6(struct bpf_sock_addr *ctx)
{
	struct lo6_config *cfg;
	struct sk_mark *mark;
	enum outcome what;
	__u32 zero = 0;
	__u16 port;

	if (!is_loopback6(ctx->user_ip6)) {
		/* The common case costs a compare; a mapped 127/8 peer may be a re-connect. */
		if (ctx->user_ip6[2] == bpf_htonl(0xffff))
			unmark(ctx);
		return 1;
	}
	port = bpf_ntohs((__u16)ctx->user_port);
	cfg = bpf_map_lookup_elem(&config, &zero);
	if (port == 0 || !cfg || (ctx->type != SOCK_STREAM && ctx->type != SOCK_DGRAM))
		return 1;

	what = decide(ctx, cfg, port);
	count(port, what);
	if (what != REDIRECTED) {
		unmark(ctx);
		return 1;
	}
	ctx->user_ip6[0] = 0;
	ctx->user_ip6[1] = 0;
	ctx->user_ip6[2] = bpf_htonl(0xffff);
	ctx->user_ip6[3] = cfg->relay_ip4 ? cfg->relay_ip4 : bpf_htonl(0x7f000001);
	if (mark_sockets) {
		/* Failing to mark must not fail the connect: the client just sees the relay. */
		mark = bpf_sk_storage_get(&sk_marks, ctx->sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (mark)
			mark->relay_ip4 = ctx->user_ip6[3];
	}
	return 1;
}

/* The reverse hooks: a marked socket whose address is the relay reports [::1]. */
static __always_inline void show_loopback6(struct bpf_sock_addr *ctx, int any_mapped)
{
	struct sk_mark *mark;

	if (!mark_sockets || ctx->user_ip6[2] != bpf_htonl(0xffff))
		return;
	mark = bpf_sk_storage_get(&sk_marks, ctx->sk, 0, 0);
	if (!mark || !(any_mapped ? is_v4mapped(ctx->user_ip6, ctx->user_ip6[3])
				  : is_v4mapped(ctx->user_ip6, mark->relay_ip4)))
		return;
	ctx->user_ip6[2] = 0;
	ctx->user_ip6[3] = bpf_htonl(1);
}

/* inet6_getname runs this after filling in sk_v6daddr. Must return 1. */
SEC("cgroup/getpeername6")
int lo6_getpeername6(struct bpf_sock_addr *ctx)
{
	show_loopback6(ctx, 0);
	return 1;
}

/* The local end of a redirected socket is the v4 source; show ::1 as a [::1] peer would. */
SEC("cgroup/getsockname6")
int lo6_getsockname6(struct bpf_sock_addr *ctx)
{
	show_loopback6(ctx, 1);
	return 1;
}

/* Replies on a redirected UDP socket come from [::1]:P, as the client expects. */
SEC("cgroup/recvmsg6")
int lo6_recvmsg6(struct bpf_sock_addr *ctx)
{
	show_loopback6(ctx, 0);
	return 1;
}
