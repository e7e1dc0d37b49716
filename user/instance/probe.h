/* SPDX-License-Identifier: MIT */
/*
 * What the running kernel offers lo6relay: the cgroup hooks it knows and
 * the helpers and map types the programs call, each found by loading a
 * tiny program. start installs what works and records what is missing in
 * the config map (lo6_config.lacks); status and doctor say so.
 */
#ifndef LO6RELAY_PROBE_H
#define LO6RELAY_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "instance.h"

struct kernel_probe {
	uint64_t netns_cookie; /* this process's network namespace (SO_NETNS_COOKIE), or 0 */
	uint32_t lacks;        /* LO6_LACKS_* */
	uint32_t hooks_absent; /* 1 << enum hook, for hooks the kernel does not know */
	int bpf_errno;         /* non-zero: bpf() itself is refused (EPERM, ENOSYS, ...) */
};

/*
 * Fills P. LO6RELAY_TEST_LACK="name ..." (the names probe_lack_names and
 * hooks[] use) pretends those are missing, so the tests can walk each
 * degraded path on a kernel that has everything.
 */
void probe_kernel(struct kernel_probe *p);

/*
 * When P->bpf_errno is set: one sentence that says why the kernel refuses
 * bpf() (the capability this process lacks, by name) and what to do.
 * Returns OUT.
 */
char *probe_refusal(const struct kernel_probe *p, char *out, size_t len);

/* The cookie of this process's network namespace, or 0 before 5.14. */
uint64_t probe_netns_cookie(void);

/* Has this process CAP_PERFMON (or CAP_SYS_ADMIN, which stands in for it)? */
int probe_has_perfmon(void);

/*
 * When ERR (from loading the skeleton) is the locked-memory limit of a
 * kernel before 5.11: one sentence that says so and what to do, in OUT.
 * NULL otherwise.
 */
char *probe_memlock_refusal(int err, char *out, size_t len);

/* What is missing and what that costs, for one LO6_LACKS_* bit. */
const char *probe_lack_cost(uint32_t bit);

/* probe_lack_cost of each bit of LACKS, joined by "; ", "" if none; returns OUT. */
char *probe_lacks_text(uint32_t lacks, char *out, size_t len);

/* Space-separated names of LACKS' bits, as LO6RELAY_TEST_LACK and --json spell them. */
char *probe_lack_names(uint32_t lacks, char *out, size_t len);

#endif
