/* SPDX-License-Identifier: MIT */
/* What /proc/net/tcp6 does not show about a listener, asked of the kernel with sock_diag. */
#ifndef LO6RELAY_SOCKDIAG_H
#define LO6RELAY_SOCKDIAG_H

/*
 * The LISTEN_* bits (procnet.h) of the TCP listeners on PORT in this
 * network namespace that are bound to a device (SO_BINDTODEVICE, systemd's
 * BindToDevice=, a VRF), which auto's lookup cannot see: ON_LO those bound
 * to lo (a loopback connect reaches them), ELSEWHERE those bound to any
 * other device (it never does). 0, or -1 if the kernel will not say.
 */
int sockdiag_bound_listeners(unsigned port, unsigned *on_lo, unsigned *elsewhere);

#endif
