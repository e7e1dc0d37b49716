/* SPDX-License-Identifier: MIT */
/*
 * The few kernel structs the programs read, cut down to the fields used.
 * preserve_access_index makes every access a CO-RE relocation resolved
 * against the running kernel's BTF at load, so the layout here does not
 * have to match any kernel: only the names do. This stands in for a
 * multi-megabyte vmlinux.h.
 */
#ifndef LO6RELAY_KERNEL_TYPES_H
#define LO6RELAY_KERNEL_TYPES_H

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct sock_common {
	unsigned char skc_reuse : 4;
	unsigned char skc_reuseport : 1;
	unsigned char skc_ipv6only : 1;
};

struct sock {
	struct sock_common __sk_common;
};

struct inet_sock {
	struct sock sk;
};

struct inet_connection_sock {
	struct inet_sock icsk_inet;
};

struct tcp_sock {
	struct inet_connection_sock inet_conn;
	_Bool is_mptcp; /* absent without CONFIG_MPTCP: read behind bpf_core_field_exists */
};

struct tcp6_sock {
	struct tcp_sock tcp;
};

struct udp_sock {
	struct inet_sock inet;
};

struct udp6_sock {
	struct udp_sock udp;
};

#pragma clang attribute pop

#endif
