// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * cgroup/connect6: send [::1]:P to the IPv4 relay ([::ffff:127.0.0.1]:P)
 * for the ports the user allowed.
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

#include "kernel_types.h"
#include <lo6relay/abi.h>

/* From the kernel's include/linux/net.h; libc headers do not build for BPF. */
#define SOCK_STREAM 1
#define SOCK_DGRAM 2

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LO6_MAX_PORTS);
	__type(key, __u16);
	__type(value, struct lo6_port_policy);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ports SEC(".maps");

/* No prealloc: memory grows with the ports actually seen, not 64k slots. */
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

static __always_inline int is_loopback6(const __u32 a[4])
{
	return a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == bpf_htonl(1);
}

/*
 * tcp_v6_connect and __ip6_datagram_connect answer ENETUNREACH to a
 * v4-mapped destination on an IPV6_V6ONLY socket, and bpf_getsockopt cannot
 * read the flag from this hook: read skc_ipv6only from the full socket.
 */
static __always_inline int is_v6only(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;

	if (ctx->type == SOCK_STREAM) {
		struct tcp6_sock *tp = bpf_skc_to_tcp6_sock(sk);

		if (tp)
			return BPF_CORE_READ_BITFIELD(&tp->tcp.inet_conn.icsk_inet.sk.__sk_common,
						      skc_ipv6only);
	} else if (ctx->type == SOCK_DGRAM) {
		struct udp6_sock *up = bpf_skc_to_udp6_sock(sk);

		if (up)
			return BPF_CORE_READ_BITFIELD(&up->udp.inet.sk.__sk_common, skc_ipv6only);
	}
	return 0;
}

/*
 * A socket bound to an IPv6 source (bind([::1]:0) before connect) would take
 * the v4 path with a v6 source: leave it alone. Unbound (::) and v4-mapped
 * sources are fine.
 */
static __always_inline int is_bound_v6(const struct bpf_sock *sk)
{
	__u32 a0 = sk->src_ip6[0], a1 = sk->src_ip6[1], a2 = sk->src_ip6[2], a3 = sk->src_ip6[3];

	if (!(a0 | a1 | a2 | a3))
		return 0;
	return !(a0 == 0 && a1 == 0 && a2 == bpf_htonl(0xffff));
}

/* auto mode: is a Linux-side server on [::1]:P or dual-stack [::]:P here? */
static __always_inline int has_local_listener(struct bpf_sock_addr *ctx)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;

	t.ipv6.daddr[3] = bpf_htonl(1);
	t.ipv6.dport = (__u16)ctx->user_port;
	t.ipv6.saddr[3] = bpf_htonl(1);
	if (ctx->type == SOCK_STREAM)
		sk = bpf_skc_lookup_tcp(ctx, &t, sizeof(t.ipv6), BPF_F_CURRENT_NETNS, 0);
	else
		sk = bpf_sk_lookup_udp(ctx, &t, sizeof(t.ipv6), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return 0;
	bpf_sk_release(sk);
	return 1;
}

SEC("cgroup/connect6")
int lo6_connect6(struct bpf_sock_addr *ctx)
{
	__u32 zero = 0, mode;
	struct lo6_port_policy *pol;
	struct lo6_config *cfg;
	__u16 port;

	/* The common case, any other destination, costs one compare. */
	if (!is_loopback6(ctx->user_ip6))
		return 1;
	port = bpf_ntohs((__u16)ctx->user_port);
	if (port == 0 || (ctx->type != SOCK_STREAM && ctx->type != SOCK_DGRAM))
		return 1;
	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg)
		return 1;

	pol = bpf_map_lookup_elem(&ports, &port);
	mode = pol && pol->mode != LO6_MODE_OFF ? pol->mode : cfg->default_mode;
	if (mode != LO6_MODE_ALWAYS && mode != LO6_MODE_AUTO) {
		count(port, NOT_ALLOWED);
		return 1;
	}
	/* A container's ::1 is its own business. */
	if (!(cfg->flags & LO6_CFG_ALL_NETNS) && cfg->netns_cookie &&
	    bpf_get_netns_cookie(ctx) != cfg->netns_cookie) {
		count(port, OTHER_NETNS);
		return 1;
	}
	if (is_v6only(ctx)) {
		count(port, V6ONLY);
		return 1;
	}
	if (is_bound_v6(ctx->sk)) {
		count(port, BOUND_V6);
		return 1;
	}
	if (mode == LO6_MODE_AUTO && has_local_listener(ctx)) {
		count(port, LOCAL_LISTENER);
		return 1;
	}

	ctx->user_ip6[0] = 0;
	ctx->user_ip6[1] = 0;
	ctx->user_ip6[2] = bpf_htonl(0xffff);
	ctx->user_ip6[3] = cfg->relay_ip4 ? cfg->relay_ip4 : bpf_htonl(0x7f000001);
	count(port, REDIRECTED);
	return 1;
}
