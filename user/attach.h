/* SPDX-License-Identifier: MIT */
/* Attaching the loaded programs to a cgroup through pinned links, or swapping them in. */
#ifndef LO6RELAY_ATTACH_H
#define LO6RELAY_ATTACH_H

#include "instance.h"

struct bpf_program;

struct attach_result {
	int attached[NHOOKS]; /* 1 if the hook is live after the call */
	int made[NHOOKS];     /* 1 if this call pinned a new link (to undo on failure) */
};

/*
 * For each hook with a program in PROGS (NULL: not loaded on this kernel):
 * replace the program under a pinned link whose cgroup lives (NOW, from
 * attach_state_read), or attach to CGFD and pin the link. Hooks other than
 * connect6 may fail alone, with a note on stderr; a connect6 failure undoes
 * what this call made and returns -1.
 */
int attach_all(const char *pin_dir, int cgfd, const char *cgroup,
	       struct bpf_program *const progs[NHOOKS], const struct attach_state *now,
	       struct attach_result *res);

/*
 * Detaches HOOK's pinned link under PIN_DIR, then unpins it: its program is
 * off the cgroup when this returns.
 */
void attach_unpin(const char *pin_dir, enum hook hook);

/* Unpins the links attach_all made (their programs detach with them). */
void attach_undo(const char *pin_dir, const struct attach_result *res);

#endif
