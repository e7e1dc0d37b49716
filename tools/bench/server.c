// SPDX-License-Identifier: MIT
/*
 * lo6bench-server: the "Windows side" of the benchmark. Listens on
 * 127.0.0.1:PORT only (TCP, plus a UDP echo on the same port), one thread,
 * epoll, level-triggered; speaks the protocol in common.h.
 *
 * Usage: lo6bench-server --port P [--port P2 ...] [--max-seconds S]
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>

#include "common.h"

enum state { ST_FREE, ST_HDR, ST_ECHO, ST_SINK, ST_LISTEN, ST_UDP };

struct conn {
	uint8_t state;
	uint8_t hlen;
	uint8_t hdr[9];
	uint64_t left; /* ST_SINK: bytes still to read */
};

static struct conn *conns;
static size_t nconns;
static int ep;
static char buf[1 << 20];

static void conn_close(int fd)
{
	conns[fd].state = ST_FREE;
	close(fd); /* also leaves the epoll set */
}

/* Echo and ack writes are small; wait for room rather than keep a queue. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = { fd, POLLOUT, 0 };

			if (poll(&pfd, 1, 2000) <= 0)
				return -1;
			continue;
		}
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void on_header(int fd, struct conn *c)
{
	size_t need = c->hlen && c->hdr[0] == PROTO_SINK ? 9 : 1;
	ssize_t n = read(fd, c->hdr + c->hlen, need - c->hlen);

	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) { /* EOF or reset before a header: a bare connect */
		conn_close(fd);
		return;
	}
	c->hlen += (uint8_t)n;
	if (c->hdr[0] == PROTO_SINK && c->hlen < 9)
		return; /* level-triggered: called again for the size */
	switch (c->hdr[0]) {
	case PROTO_CLOSE:
		conn_close(fd);
		return;
	case PROTO_ECHO:
		c->state = ST_ECHO;
		return;
	case PROTO_SINK:
		memcpy(&c->left, c->hdr + 1, 8); /* little-endian, same host */
		c->state = ST_SINK;
		return;
	default:
		conn_close(fd);
	}
}

static void on_data(int fd, struct conn *c)
{
	for (;;) {
		size_t want = sizeof(buf);
		ssize_t n;

		if (c->state == ST_SINK && c->left < want)
			want = (size_t)c->left;
		n = read(fd, buf, want);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			conn_close(fd);
			return;
		}
		if (c->state == ST_ECHO) {
			if (write_all(fd, buf, (size_t)n) < 0) {
				conn_close(fd);
				return;
			}
			continue;
		}
		c->left -= (uint64_t)n;
		if (c->left == 0) {
			char k = PROTO_ACK;

			c->state = ST_HDR;
			c->hlen = 0;
			if (write_all(fd, &k, 1) < 0)
				conn_close(fd);
			return;
		}
	}
}

static void on_accept(int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
		struct epoll_event ev = { .events = EPOLLIN };

		if (fd < 0)
			return; /* EAGAIN, or a connection reset before accept */
		if ((size_t)fd >= nconns) {
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		conns[fd] = (struct conn){ .state = ST_HDR };
		ev.data.fd = fd;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
			conn_close(fd);
	}
}

static void on_udp(int ufd)
{
	for (;;) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(ufd, buf, 2048, 0, (struct sockaddr *)&from, &flen);

		if (n < 0)
			return;
		sendto(ufd, buf, (size_t)n, 0, (struct sockaddr *)&from, flen);
	}
}

static int listen_on(int type, unsigned port)
{
	struct target t;
	int fd, one = 1;

	target_parse("127.0.0.1", port, 0, &t);
	fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&t.ss, t.len) < 0)
		die("bind 127.0.0.1:%u: %s", port, strerror(errno));
	if (type == SOCK_STREAM && listen(fd, 4096) < 0)
		die("listen: %s", strerror(errno));
	return fd;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "max-seconds", required_argument, NULL, 'm' },
		{ 0 },
	};
	struct epoll_event evs[256];
	unsigned ports[8], nports = 0, max_seconds = 900;
	struct rlimit rl;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'p' && nports < 8)
			ports[nports++] = (unsigned)strtoul(optarg, NULL, 10);
		else if (c == 'm')
			max_seconds = (unsigned)strtoul(optarg, NULL, 10);
		else
			die("usage: lo6bench-server --port P [--port P2 ...] [--max-seconds S]");
	}
	if (!nports)
		die("usage: lo6bench-server --port P [--port P2 ...] [--max-seconds S]");
	/* A failsafe: the run script kills us, but never outlive it by much. */
	alarm(max_seconds);
	signal(SIGPIPE, SIG_IGN);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	nconns = rl.rlim_cur > 1 << 20 ? 1 << 20 : (size_t)rl.rlim_cur;
	conns = calloc(nconns, sizeof(*conns));
	if (!conns)
		die("out of memory");

	ep = epoll_create1(EPOLL_CLOEXEC);
	for (unsigned i = 0; i < nports; i++) {
		for (int udp = 0; udp <= 1; udp++) {
			int fd = listen_on(udp ? SOCK_DGRAM : SOCK_STREAM, ports[i]);
			struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

			conns[fd].state = udp ? ST_UDP : ST_LISTEN;
			epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
		}
	}

	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("epoll_wait: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			switch (conns[fd].state) {
			case ST_LISTEN: on_accept(fd); break;
			case ST_UDP: on_udp(fd); break;
			case ST_HDR: on_header(fd, &conns[fd]); break;
			case ST_ECHO:
			case ST_SINK: on_data(fd, &conns[fd]); break;
			default: break;
			}
		}
	}
}
