/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The questions connect6 asks about a socket before it redirects it. */
#ifndef LO6RELAY_CHECKS_BPF_H
#define LO6RELAY_CHECKS_BPF_H

#include "kernel_types.h"

/* From the kernel's include/linux/net.h; libc headers do not build for BPF. */
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

#define LOOPBACK4_BE bpf_htonl(0x7f000001) /* 127.0.0.1 */

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
#ifdef LO6_LEAN
	/* The lean object (user/instance/skel.h): the loader may not call these helpers. */
	return 0;
#else
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
#endif
}

/*
 * An MPTCP connection's first subflow. The connect hooks see that TCP
 * socket, so the mark would go on it, while getpeername and getsockname run
 * on the MPTCP socket, which the reverse hooks cannot tie back to it: a
 * redirected MPTCP client would see the relay. Such sockets are left alone.
 */
static __always_inline int is_mptcp_subflow(struct bpf_sock_addr *ctx)
{
#ifdef LO6_LEAN
	return 0; /* the lean object (user/instance/skel.h): the loader may not call the cast */
#else
	struct tcp_sock *tp;

	if (ctx->type != SOCK_STREAM || !bpf_core_field_exists(struct tcp_sock, is_mptcp))
		return 0;
	tp = bpf_skc_to_tcp_sock(ctx->sk);
	return tp && tp->is_mptcp;
#endif
}

/* The socket's source is v4-mapped: an earlier connect took the IPv4 path. */
static __always_inline int on_ipv4_path(const struct bpf_sock *sk)
{
	__u32 a0 = sk->src_ip6[0], a1 = sk->src_ip6[1], a2 = sk->src_ip6[2];

	return a0 == 0 && a1 == 0 && a2 == bpf_htonl(0xffff);
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

/*
 * A slot no other run on this CPU is using, claimed; 0 if all are. Claim,
 * then look: of two runs racing for one slot, at most the first to claim
 * sees 1 (both may back off).
 */
static __always_inline struct lookup_slot *claim_slot(void)
{
#pragma unroll
	for (int i = 0; i < LO6_LOOKUP_SLOTS; i++) {
		struct lookup_slot *s = bpf_map_lookup_elem(&lookup_slots, &lookup_slot_keys[i]);

		if (!s)
			return 0;
		__sync_fetch_and_add(&s->busy, 1);
		if (*(volatile __u32 *)&s->busy == 1)
			return s;
		__sync_fetch_and_add(&s->busy, -1);
	}
	return 0;
}

/*
 * Does a Linux-side server own this address? ORIG_IP4 0 means [::1]:P
 * (found: a [::1]:P or dual-stack [::]:P listener); otherwise 127.x.y.z:P
 * (found: that address, 0.0.0.0:P or dual-stack [::]:P).
 * Unable to look, assume a listener, as decide() does.
 */
static __always_inline int has_local_listener(struct bpf_sock_addr *ctx, __u32 orig_ip4)
{
	struct lookup_slot *s = claim_slot();
	struct bpf_sock_tuple *t;
	struct bpf_sock *sk;
	int found = 0;
	__u32 size;

	if (!s)
		return 1;
	t = &s->t;
	__builtin_memset(t, 0, sizeof(*t));
	if (orig_ip4) {
		t->ipv4.daddr = orig_ip4;
		t->ipv4.saddr = orig_ip4;
		t->ipv4.dport = (__u16)ctx->user_port;
		size = sizeof(t->ipv4);
		/*
		 * Kept in this branch: merged with the other's, the store would
		 * take a per-path offset, pointer arithmetic a loader without
		 * CAP_PERFMON may not do.
		 */
		asm volatile("" ::: "memory");
	} else {
		t->ipv6.daddr[3] = bpf_htonl(1);
		t->ipv6.saddr[3] = bpf_htonl(1);
		t->ipv6.dport = (__u16)ctx->user_port;
		size = sizeof(t->ipv6);
		asm volatile("" ::: "memory");
	}
	if (ctx->type == SOCK_STREAM)
		sk = bpf_skc_lookup_tcp(ctx, t, size, BPF_F_CURRENT_NETNS, 0);
	else
		sk = bpf_sk_lookup_udp(ctx, t, size, BPF_F_CURRENT_NETNS, 0);
	if (sk) {
		found = 1;
		bpf_sk_release(sk); /* sk is gone: only FOUND says what it was */
	}
	__sync_fetch_and_add(&s->busy, -1);
	return found;
}

static __always_inline int is_v4mapped(const __u32 a[4], __u32 ip4)
{
	return a[0] == 0 && a[1] == 0 && a[2] == bpf_htonl(0xffff) && a[3] == ip4;
}

static __always_inline int in_127(__u32 ip4)
{
	return (bpf_ntohl(ip4) >> 24) == 127;
}

/*
 * A source already in 127/8, bound first or kept by a UDP socket from an
 * earlier connect, cannot leave this machine (ip_route_output_key refuses a
 * loopback source towards another host): with a relay outside 127/8 such a
 * socket means this machine. An IPv6 socket's is its v4-mapped source (its
 * skc_rcv_saddr is 127.0.0.6 once bound to any IPv6 address).
 */
static __always_inline int stranded_source(struct bpf_sock_addr *ctx, __u32 relay)
{
	struct bpf_sock *sk = ctx->sk;
	__u32 src, a0, a1, a2;

	if (in_127(relay))
		return 0;
	/*
	 * Whole-field loads: the verifier refuses the narrower one clang would
	 * make to test a single byte of a struct bpf_sock field.
	 */
	if (ctx->family == AF_INET) {
		src = sk->src_ip4;
		barrier_var(src);
		return in_127(src);
	}
	a0 = sk->src_ip6[0], a1 = sk->src_ip6[1], a2 = sk->src_ip6[2], src = sk->src_ip6[3];
	barrier_var(src);
	return a0 == 0 && a1 == 0 && a2 == bpf_htonl(0xffff) && in_127(src);
}

#endif
