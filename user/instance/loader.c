// SPDX-License-Identifier: MIT
#include "loader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include <lo6relay/abi.h>
#include "log.h"
#include "skel.h"

struct lo6relay_bpf *loader_open(const struct kernel_probe *p, const char *pin_root)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_root);

	return lo6relay_open(!!(p->lacks & LO6_LACKS_LEAN), &opts);
}

void loader_fit(const struct kernel_probe *p, struct lo6relay_bpf *skel, int loopback4, int marks,
		struct bpf_program *progs[NHOOKS])
{
	for (int h = 0; h < NHOOKS; h++)
		progs[h] = bpf_object__find_program_by_name(skel->obj, hooks[h].prog);
	marks = marks && !(p->lacks & LO6_LACKS_SK_STORAGE);
	skel->rodata->lacks = p->lacks | (marks ? 0 : LO6_LACKS_SK_STORAGE);
	skel->rodata->loopback4 = !!loopback4;
	for (int h = 0; h < NHOOKS; h++) {
		/* Not even loaded when unused: every IPv4 connect would pay for a program that says no. */
		if (h == HOOK_CONNECT6 ||
		    (!(p->hooks_absent & (1u << h)) && hook_wanted(h, loopback4, marks)))
			continue;
		bpf_program__set_autoload(progs[h], false);
		progs[h] = NULL;
	}
	if (!marks)
		bpf_map__set_autocreate(skel->maps.sk_marks, false);
	if (p->lacks & LO6_LACKS_RINGBUF)
		bpf_map__set_autocreate(skel->maps.events, false);
}

static void explain_load_error(int err)
{
	char text[512];

	/*
	 * The lean twin (skel.h) is meant to pass for such a loader; if a
	 * kernel still refuses it, only CAP_PERFMON (or root) can help.
	 */
	if (probe_memlock_refusal(err, text, sizeof(text)))
		errorf("%s", text);
	else if (!probe_has_perfmon())
		errorf("the kernel refused to load the BPF program without CAP_PERFMON (%s): run as "
		       "root (or add CAP_PERFMON); -v shows the verifier's log",
		       strerror(-err));
	else if (err == -EPERM || err == -EACCES)
		errorf("the kernel refused to load the BPF program (%s): run as root; if you are, "
		       "run again with -v to see the verifier's log",
		       strerror(-err));
	else if (err == -ENOSYS)
		errorf("this kernel has no BPF system call: lo6relay needs CONFIG_BPF_SYSCALL");
	else
		errorf("the kernel refused to load the BPF program (%s): run again with -v to see "
		       "libbpf's and the verifier's log",
		       strerror(-err));
}

int loader_trial(const struct kernel_probe *p, int *load_err)
{
	struct lo6relay_bpf *skel = loader_open(p, NULL);
	struct bpf_program *progs[NHOOKS];
	struct bpf_map *m;

	if (!skel)
		return -1;
	/* The maps are pinned by name; a trial must leave no pin behind. */
	bpf_object__for_each_map(m, skel->obj)
		bpf_map__set_pin_path(m, NULL);
	loader_fit(p, skel, 1, 1, progs);
	*load_err = lo6relay_bpf__load(skel);
	lo6relay_bpf__destroy(skel);
	return 0;
}

int loader_load(struct lo6relay_bpf *skel)
{
	int err = lo6relay_bpf__load(skel);

	if (!err)
		return 0;
	explain_load_error(err); /* libbpf has unpinned the maps it pinned */
	return -1;
}
