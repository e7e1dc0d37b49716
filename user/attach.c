// SPDX-License-Identifier: MIT
#include "attach.h"

#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>
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

void attach_unpin(const char *pin_dir, enum hook hook)
{
	char path[PATH_MAX];
	int fd;

	if (pin_path(path, sizeof(path), pin_dir, hooks[hook].link_pin) < 0)
		return;
	/*
	 * Detach first: an unpinned link is freed a moment later (in a kernel
	 * worker on 6.x; once seen on a loaded 5.10), and until then its
	 * program runs, so what start or stop reports would not yet be so.
	 * BPF_LINK_DETACH (5.9) is synchronous.
	 */
	if ((fd = bpf_obj_get(path)) >= 0) {
		bpf_link_detach(fd);
		close(fd);
	}
	fault_point(STEP_DETACHED + (int)hook);
	unlink(path);
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
			attach_unpin(pin_dir, h);
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
	for (int h = 0; h < NHOOKS; h++)
		if (res->made[h])
			attach_unpin(pin_dir, h);
}
