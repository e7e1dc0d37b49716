// SPDX-License-Identifier: MIT
/*
 * The workloads, shared by the one-shot commands and the rotation.
 * Every socket has 3 s send/receive timeouts (SO_SNDTIMEO also bounds a
 * blocking connect), so no run can hang.
 */
#define _GNU_SOURCE
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "workload.h"

void lat_add(struct lat *l, uint64_t ns)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4096;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			die("out of memory");
	}
	l->v[l->n++] = ns;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array, in microseconds. */
static double pct_us(const uint64_t *v, size_t n, double p)
{
	size_t i;

	if (!n)
		return 0;
	i = (size_t)(p / 100.0 * (double)n + 0.5);
	i = i ? i - 1 : 0;
	return (double)v[i < n ? i : n - 1] / 1000.0;
}

void lat_summary(struct lat *l, struct sample *s)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_u64);
	s->p50_us = pct_us(l->v, l->n, 50);
	s->p99_us = pct_us(l->v, l->n, 99);
	l->n = 0;
}

int tcp_socket(const struct target *t)
{
	struct timeval tv = { 3, 0 };
	int fd = socket(t->family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

int read_full(int fd, char *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int write_full(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

uint64_t connect_close(const struct target *t)
{
	uint64_t t0 = now_ns();
	int fd = tcp_socket(t), ok;
	char c = PROTO_CLOSE;

	ok = connect(fd, (struct sockaddr *)&t->ss, t->len) == 0 && write(fd, &c, 1) == 1 &&
	     read(fd, &c, 1) == 0;
	close(fd);
	return ok ? now_ns() - t0 : 0;
}

void connect_until(const struct target *t, uint64_t deadline, uint64_t max, struct lat *l,
		   struct sample *s)
{
	uint64_t t0 = now_ns();

	memset(s, 0, sizeof(*s));
	for (uint64_t i = 0; i < max && now_ns() < deadline; i++) {
		uint64_t d = connect_close(t);

		if (d) {
			s->ok++;
			if (l)
				lat_add(l, d);
		} else {
			s->errors++;
		}
	}
	s->elapsed_ns = now_ns() - t0;
	if (l)
		lat_summary(l, s);
}

/* Children share one mapping: [ok, errors, latencies...] per child. */
void storm_until(const struct target *t, unsigned procs, uint64_t deadline, uint64_t max,
		 struct sample *s)
{
	const size_t cap = 100000;
	size_t slot = 2 + cap;
	uint64_t *shm = mmap(NULL, slot * procs * sizeof(uint64_t), PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct lat all = { 0 };
	uint64_t t0;
	int go[2];

	if (shm == MAP_FAILED || pipe(go) < 0)
		die("storm setup: %s", strerror(errno));
	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			uint64_t *c = shm + slot * i, n = 0, lim = max / procs < cap ? max / procs : cap;
			char b;

			close(go[1]);
			if (read(go[0], &b, 1) < 0) /* returns when the parent closes: all start at once */
				_exit(1);
			while (n < lim && now_ns() < deadline) {
				uint64_t d = connect_close(t);

				if (d)
					c[2 + c[0]++] = d;
				else
					c[1]++;
				n++;
			}
			_exit(0);
		}
	}
	close(go[0]);
	t0 = now_ns();
	close(go[1]);
	while (wait(NULL) > 0)
		;
	s->elapsed_ns = now_ns() - t0;
	for (unsigned i = 0; i < procs; i++) {
		uint64_t *c = shm + slot * i;

		for (uint64_t k = 0; k < c[0]; k++)
			lat_add(&all, c[2 + k]);
		s->ok += c[0];
		s->errors += c[1];
	}
	lat_summary(&all, s);
	free(all.v);
	munmap(shm, slot * procs * sizeof(uint64_t));
}

int rr_open(const struct target *t)
{
	int fd = tcp_socket(t), one = 1;
	char hello = PROTO_ECHO;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&t->ss, t->len) < 0 || write(fd, &hello, 1) != 1) {
		close(fd);
		return -1;
	}
	return fd;
}

void rr_until(int fd, size_t size, uint64_t deadline, uint64_t max, struct lat *l,
	      struct sample *s)
{
	static char msg[65536], back[65536];
	uint64_t t0 = now_ns();

	if (size > sizeof(msg))
		die("--size at most %zu", sizeof(msg));
	memset(s, 0, sizeof(*s));
	memset(msg, 'r', size);
	while (s->ok < max) {
		uint64_t a = now_ns();

		if (a >= deadline)
			break;
		if (write_full(fd, msg, size) < 0 || read_full(fd, back, size) < 0) {
			s->errors++;
			break;
		}
		lat_add(l, now_ns() - a);
		s->ok++;
	}
	s->elapsed_ns = now_ns() - t0;
	lat_summary(l, s);
}

int bulk_open(const struct target *t)
{
	int fd = tcp_socket(t);

	if (connect(fd, (struct sockaddr *)&t->ss, t->len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int sink_segment(int fd, uint64_t seg)
{
	static char chunk[1 << 20];
	char hdr[9] = { PROTO_SINK }, k;

	if (!chunk[0])
		memset(chunk, 'b', sizeof(chunk));
	memcpy(hdr + 1, &seg, 8);
	if (write_full(fd, hdr, sizeof(hdr)) < 0)
		return -1;
	for (uint64_t left = seg; left;) {
		size_t n = left < sizeof(chunk) ? (size_t)left : sizeof(chunk);

		if (write_full(fd, chunk, n) < 0)
			return -1;
		left -= n;
	}
	return read_full(fd, &k, 1) < 0 || k != PROTO_ACK ? -1 : 0;
}

/* At least one segment, so even a short slice measures something. */
void bulk_until(int fd, uint64_t seg, uint64_t deadline, uint64_t max_bytes, struct sample *s)
{
	uint64_t t0 = now_ns();

	memset(s, 0, sizeof(*s));
	do {
		if (sink_segment(fd, seg) < 0) {
			s->errors++;
			break;
		}
		s->bytes += seg;
		s->ok++;
	} while (s->bytes < max_bytes && now_ns() < deadline);
	s->elapsed_ns = now_ns() - t0;
}
