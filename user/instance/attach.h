/* SPDX-License-Identifier: MIT */
/*
 * How an instance is attached, read from its pinned links; attaching the
 * loaded programs to a cgroup through pinned links, or swapping them in.
 */
#ifndef LO6RELAY_ATTACH_H
#define LO6RELAY_ATTACH_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "instance.h"

struct bpf_program;

struct link_state {
	uint32_t link_id;
	uint32_t prog_id;
	uint64_t cgroup_id; /* 0 once the cgroup is gone (removed, or not found) */
};

/*
 * Whether and how an instance is attached: its pinned links, read once,
 * and their cgroup, found by one walk of the cgroup tree. status, doctor
 * and start's attach all go by it.
 */
struct attach_state {
	int err;          /* reading connect6's link: 0, -ENOENT if none is pinned, -EACCES... */
	uint32_t pinned;  /* 1 << hook for each hook with a pinned cgroup link */
	uint32_t live;    /* ... of those, the ones whose cgroup still exists */
	struct link_state link[NHOOKS];
	uint64_t cgroup_id;    /* connect6's cgroup, 0 if no link or the cgroup is gone */
	char cgroup[PATH_MAX]; /* its path, "" if unknown (no cgroup2 mount, or not found) */
};

/* Fills ST from the links pinned under PIN_DIR; returns ST->err. */
int attach_state_read(const char *pin_dir, struct attach_state *st);

struct attach_result {
	int attached[NHOOKS]; /* 1 if the hook is live after the call */
	int made[NHOOKS];     /* 1 if this call pinned a new link (to undo on failure) */
};

/*
 * A program of another tool attached to HOOK without BPF_F_ALLOW_MULTI, on
 * the cgroup or above it, where the kernel then refuses any other program
 * (kernel/bpf/cgroup.c: a link attaches with BPF_F_ALLOW_MULTI, which must
 * match the flags already there and be allowed by every parent up to the
 * first that allows it: hierarchy_allows_attach).
 */
struct holder {
	uint32_t prog_id;
	char name[16];       /* the program's name, as bpftool shows it */
	char cgroup[PATH_MAX]; /* where it is attached: CGFD's folder or a parent */
};

/*
 * Does a holder keep HOOK's program off the cgroup CGFD (whose path is
 * CGROUP)? 1 and H filled if so, 0 if not (or the kernel will not say).
 */
int hook_holder(int cgfd, const char *cgroup, enum hook hook, struct holder *h);

/*
 * The clause that names H: "BPF program ID (NAME) holds HOOK on CGROUP
 * without BPF_F_ALLOW_MULTI (free it: 'bpftool cgroup detach ...')".
 * Returns OUT.
 */
char *holder_text(enum hook hook, const struct holder *h, char *out, size_t len);

/*
 * For each hook with a program in PROGS (NULL: not loaded on this kernel):
 * replace the program under a pinned link whose cgroup lives (NOW, from
 * attach_state_read), or attach to CGFD and pin the link. Any failure undoes
 * what this call made, says why in one sentence and returns -1: without
 * connect4 a socket's mark outlives its [::1] connect (glibc's getaddrinfo
 * then aborts), and without a reverse hook the client sees the relay
 * through one call and [::1] through another. start has checked for
 * holders (hook_holder) first, so this is a race or a stranger error.
 */
int attach_all(const char *pin_dir, int cgfd, const char *cgroup,
	       struct bpf_program *const progs[NHOOKS], const struct attach_state *now,
	       struct attach_result *res);

/* Unpins the links attach_all made (their programs detach with them). */
void attach_undo(const char *pin_dir, const struct attach_result *res);

#endif
