/* SPDX-License-Identifier: MIT */
/* The benchmark's workloads, each run until a deadline or a count. */
#ifndef LO6BENCH_WORKLOAD_H
#define LO6BENCH_WORKLOAD_H

#include "common.h"

/* What one run (or one slice of a rotation) measured. */
struct sample {
	uint64_t ok, errors, bytes, elapsed_ns;
	double p50_us, p99_us;
};

/* Latencies in ns, grown as needed. */
struct lat {
	uint64_t *v;
	size_t n, cap;
};

void lat_add(struct lat *l, uint64_t ns);
/* Sorts, fills s->p50_us and s->p99_us, and empties the buffer. */
void lat_summary(struct lat *l, struct sample *s);

int tcp_socket(const struct target *t);
int read_full(int fd, char *p, size_t n);
int write_full(int fd, const char *p, size_t n);

/* connect, say 'C', wait for the server's close, close; ns, or 0 on failure. */
uint64_t connect_close(const struct target *t);
void connect_until(const struct target *t, uint64_t deadline, uint64_t max, struct lat *l,
		   struct sample *s);
/* The same from procs processes at once (forked per call); aggregate rate. */
void storm_until(const struct target *t, unsigned procs, uint64_t deadline, uint64_t max,
		 struct sample *s);

/* A connection in echo mode; size-byte exchanges on it. */
int rr_open(const struct target *t);
void rr_until(int fd, size_t size, uint64_t deadline, uint64_t max, struct lat *l,
	      struct sample *s);

/* A connection in sink mode; seg-byte acked segments on it. */
int bulk_open(const struct target *t);
void bulk_until(int fd, uint64_t seg, uint64_t deadline, uint64_t max_bytes, struct sample *s);

#endif
