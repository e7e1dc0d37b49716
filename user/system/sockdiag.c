// SPDX-License-Identifier: MIT
#include "sockdiag.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "procnet.h"

#define LISTEN_STATE 10 /* TCP_LISTEN in the kernel's enum */
#define LO_IFINDEX 1    /* LOOPBACK_IFINDEX: lo is 1 in every network namespace */

/* One listener bound to a device (idiag_if is its sk_bound_dev_if). */
static void take(const struct inet_diag_msg *m, unsigned port, unsigned *on_lo,
		 unsigned *elsewhere)
{
	uint32_t v4;
	unsigned bit;

	if (ntohs(m->id.idiag_sport) != port || !m->id.idiag_if)
		return;
	if (m->idiag_family == AF_INET6) {
		bit = listen_class6((const struct in6_addr *)m->id.idiag_src);
	} else {
		memcpy(&v4, m->id.idiag_src, sizeof(v4));
		bit = listen_class4(v4);
	}
	*(m->id.idiag_if == LO_IFINDEX ? on_lo : elsewhere) |= bit;
}

/* Every listener of FAMILY: the dump cannot be asked for one port, so pick them out. */
static int dump(int fd, int family, unsigned port, unsigned *on_lo, unsigned *elsewhere)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nlh = { .nlmsg_len = sizeof(msg), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.req = { .sdiag_family = (uint8_t)family, .sdiag_protocol = IPPROTO_TCP,
			 .idiag_states = 1u << LISTEN_STATE },
	};
	long buf[8192 / sizeof(long)]; /* aligned for nlmsghdr */

	if (send(fd, &msg, sizeof(msg), 0) < 0)
		return -1;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		int left = (int)n;

		if (n <= 0)
			return -1;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
				take(NLMSG_DATA(h), port, on_lo, elsewhere);
		}
	}
}

int sockdiag_bound_listeners(unsigned port, unsigned *on_lo, unsigned *elsewhere)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG), err;

	*on_lo = *elsewhere = 0;
	if (fd < 0)
		return -1;
	err = dump(fd, AF_INET6, port, on_lo, elsewhere) < 0 ||
	      dump(fd, AF_INET, port, on_lo, elsewhere) < 0;
	close(fd);
	return err ? -1 : 0;
}
