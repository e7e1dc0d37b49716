/* SPDX-License-Identifier: MIT */
/*
 * Shared by the benchmark's client and server: the wire protocol, the clock,
 * and the one place that decides which addresses the benchmark may talk to.
 * Loopback only: 127.0.0.1, ::1 and ::ffff:127.0.0.1, nothing else, ever.
 */
#ifndef LO6BENCH_COMMON_H
#define LO6BENCH_COMMON_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * Wire protocol: the client's first byte says what the connection is for.
 *   'C'            connect test: the server closes at once (the server closes
 *                  first, so TIME_WAIT lands on its side, not on the client's
 *                  ephemeral ports, and relays see a full connection)
 *   'E'            echo: the server sends back every byte it reads
 *   'S' + u64 LE   sink: the server reads that many bytes, then answers 'K';
 *                  repeatable on the same connection (no half-close needed:
 *                  systemd-socket-proxyd closes both ways on one)
 */
#define PROTO_CLOSE 'C'
#define PROTO_ECHO 'E'
#define PROTO_SINK 'S'
#define PROTO_ACK 'K'

/* The only non-loopback address the benchmark knows: RFC 3849 documentation
 * prefix, used solely for a UDP connect() that sends nothing (see client.c). */
#define DOC_ADDR6 "2001:db8::1"

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

__attribute__((noreturn, format(printf, 1, 2))) static inline void die(const char *fmt, ...)
{
	va_list ap;

	fputs("lo6bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

struct target {
	struct sockaddr_storage ss;
	socklen_t len;
	int family;
	int loopback; /* 0 only for DOC_ADDR6 */
};

/*
 * Parses HOST and PORT into a target, refusing every address that is not
 * loopback. doc_ok lets DOC_ADDR6 through, for the caller that promises to
 * only connect() a UDP socket to it (no packet leaves: no route in the
 * benchmark's private netns, and UDP connect sends nothing anyway).
 */
static inline void target_parse(const char *host, unsigned port, int doc_ok, struct target *t)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&t->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&t->ss;
	static const uint8_t mapped_lo[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1 };
	struct in6_addr doc;

	memset(t, 0, sizeof(*t));
	if (port == 0 || port > 65535)
		die("port %u out of range", port);
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		if (s4->sin_addr.s_addr != htonl(INADDR_LOOPBACK))
			die("refusing %s: the benchmark talks to 127.0.0.1 and ::1 only", host);
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		t->len = sizeof(*s4);
		t->family = AF_INET;
		t->loopback = 1;
		return;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
		die("'%s' is not an IP address", host);
	inet_pton(AF_INET6, DOC_ADDR6, &doc);
	if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) || memcmp(&s6->sin6_addr, mapped_lo, 16) == 0)
		t->loopback = 1;
	else if (!(doc_ok && memcmp(&s6->sin6_addr, &doc, 16) == 0))
		die("refusing %s: the benchmark talks to 127.0.0.1 and ::1 only", host);
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons((uint16_t)port);
	t->len = sizeof(*s6);
	t->family = AF_INET6;
}

/* Moves this process (and the children it forks later) into a cgroup v2 dir. */
static inline void join_cgroup(const char *dir)
{
	char path[4096], pid[32];
	int fd, n;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, pid, (size_t)n) != n)
		die("cannot join cgroup %s: %s", dir, strerror(errno));
	close(fd);
}

#endif
