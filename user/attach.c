// SPDX-License-Identifier: MIT
#include "attach.h"

#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpffs.h"
#include "cli.h"
#include "faults.h"

/* Swaps PROG in under the pinned link: no moment without a program. */
static int replace(const char *path, struct bpf_program *prog)
{
	struct bpf_link *link = bpf_link__open(path);
	int err;

	if (!link)
		return -errno;
	err = bpf_link__update_program(link, prog);
	bpf_link__destroy(link); /* closes our fd; the pin keeps the link */
	return err;
}

/*
 * Unpinning a link frees it in a kernel worker (6.x) or, on a loaded 5.10,
 * a moment after unlink returns: until then the old program still runs.
 * Waits, up to about a second, until CGFD no longer lists PROG_ID for HOOK,
 * so what start reports is what the kernel does.
 */
static void unpin_and_wait(const char *path, int cgfd, enum hook hook, uint32_t prog_id)
{
	unlink(path);
	for (int tries = 0; tries < 500; tries++) {
		uint32_t ids[64], n = 64, i;

		if (bpf_prog_query(cgfd, hooks[hook].type, 0, NULL, ids, &n) < 0)
			return;
		for (i = 0; i < n && ids[i] != prog_id; i++)
			;
		if (i == n)
			return;
		nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
	}
}

static int attach_new(const char *path, int cgfd, struct bpf_program *prog)
{
	struct bpf_link *link = bpf_program__attach_cgroup(prog, cgfd);
	int err;

	if (!link)
		return -errno;
	err = bpf_link__pin(link, path);
	bpf_link__destroy(link); /* unpinned: this detaches it again */
	return err;
}

int attach_all(const char *pin_dir, int cgfd, const char *cgroup,
	       struct bpf_program *const progs[NHOOKS], const struct attach_state *now,
	       struct attach_result *res)
{
	memset(res, 0, sizeof(*res));
	for (int h = 0; h < NHOOKS; h++) {
		int live = !!(now->live & (1u << h)), err;
		char path[PATH_MAX];

		if (pin_path(path, sizeof(path), pin_dir, hooks[h].link_pin) < 0)
			return -1;
		if (!progs[h]) {
			/* Not wanted, or not loadable here: a link left by an earlier start must go. */
			if (live)
				unpin_and_wait(path, cgfd, h, now->link[h].prog_id);
			else
				unlink(path);
			continue;
		}
		if (live) {
			err = replace(path, progs[h]);
		} else {
			unlink(path); /* a link whose cgroup is gone */
			err = attach_new(path, cgfd, progs[h]);
			res->made[h] = !err;
		}
		res->attached[h] = !err;
		fault_point(STEP_HOOK_FIRST + h);
		if (!err)
			continue;
		if (h != HOOK_CONNECT6) {
			fprintf(stderr, "lo6relay: note: %s not attached (%s): clients will see the relay "
				"address there instead of [::1]\n", hooks[h].name, strerror(-err));
			continue;
		}
		errorf("cannot %s connect6 on cgroup %s: %s%s", live ? "replace" : "attach", cgroup,
		       strerror(-err), err == -EPERM ? " (run as root)" : "");
		attach_undo(pin_dir, res);
		return -1;
	}
	return 0;
}

void attach_undo(const char *pin_dir, const struct attach_result *res)
{
	char path[PATH_MAX];

	for (int h = 0; h < NHOOKS; h++)
		if (res->made[h] && pin_path(path, sizeof(path), pin_dir, hooks[h].link_pin) == 0)
			unlink(path);
}
