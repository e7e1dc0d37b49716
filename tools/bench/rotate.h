/* SPDX-License-Identifier: MIT */
#ifndef LO6BENCH_ROTATE_H
#define LO6BENCH_ROTATE_H

struct rotate_opts {
	const char *workload;
	const char *modes[8]; /* NAME=CGROUP,ADDR,PORT */
	unsigned nmodes, rounds, slice_ms, procs;
	size_t size;
};

int rotate_run(const struct rotate_opts *o);

#endif
