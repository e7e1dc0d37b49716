/* SPDX-License-Identifier: MIT */
/*
 * Pure parsers of the kernel's /proc/net text: the default route and the
 * TCP listeners on a port. No I/O, so doctor's fixture trees and unit
 * tests feed them the same way as the live files.
 *
 * The kernel prints addresses as the hex of each 32-bit word as it sits
 * in memory (route: "%08X" of a __be32; tcp6: four of them), so the text
 * is read back as native words: right on the machine that wrote it.
 */
#ifndef LO6RELAY_PROCNET_H
#define LO6RELAY_PROCNET_H

#include <stddef.h>
#include <stdint.h>

/*
 * The gateway (network byte order) and device of the default route with
 * the lowest metric in /proc/net/route TEXT. 0 if one is found, -1 if not.
 */
int procnet_default_route(const char *text, uint32_t *gw_be, char *dev, size_t devlen);

/* Who listens on a TCP port, as bits. */
#define LISTEN_LOOP6 (1u << 0) /* [::1]:P */
#define LISTEN_ANY6 (1u << 1)  /* [::]:P: also takes [::1] (and IPv4 unless V6ONLY) */
#define LISTEN_LOOP4 (1u << 2) /* 127.0.0.0/8:P, or its v4-mapped form in tcp6 */
#define LISTEN_ANY4 (1u << 3)  /* 0.0.0.0:P */
#define LISTEN_OTHER (1u << 4) /* some other address */

/* The LISTEN_* bit of one listener's address (network byte order / in6_addr). */
unsigned listen_class4(uint32_t a_be);
struct in6_addr;
unsigned listen_class6(const struct in6_addr *a);

/*
 * The LISTEN_* bits of the sockets in state LISTEN on PORT in TEXT, the
 * contents of /proc/net/tcp6 (V6 set) or /proc/net/tcp.
 */
unsigned procnet_tcp_listeners(const char *text, int v6, unsigned port);

/* "[::1]:P, 0.0.0.0:P" for the bits in L, into BUF; "nothing" when 0. */
void listen_describe(unsigned l, unsigned port, char *buf, size_t len);

#endif
