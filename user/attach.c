// SPDX-License-Identifier: MIT
#include "attach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "faults.h"
#include "log.h"
#include "pins.h"

/* H's name and where it is: UP folders above CGROUP. */
static void holder_fill(struct holder *h, uint32_t id, const char *cgroup, int up)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);
	char *slash;

	h->prog_id = id;
	h->name[0] = '\0';
	if (fd >= 0) {
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			snprintf(h->name, sizeof(h->name), "%s", info.name);
		close(fd);
	}
	snprintf(h->cgroup, sizeof(h->cgroup), "%s", cgroup);
	for (size_t n = strlen(h->cgroup); n > 1 && h->cgroup[n - 1] == '/'; n--)
		h->cgroup[n - 1] = '\0';
	for (; up > 0; up--) {
		slash = strrchr(h->cgroup, '/');
		if (!slash || slash == h->cgroup) {
			snprintf(h->cgroup, sizeof(h->cgroup), "a parent of %.4000s", cgroup);
			return;
		}
		*slash = '\0';
	}
}

/*
 * The kernel's own test (__cgroup_bpf_attach), asked of it with
 * BPF_PROG_QUERY: on the cgroup itself, programs whose flags are not
 * BPF_F_ALLOW_MULTI (a link's); above it, up to the first parent with a
 * program, one attached without BPF_F_ALLOW_MULTI or BPF_F_ALLOW_OVERRIDE.
 * ".." from the folder, not the path: the walk ends where cgroup2 does.
 */
int hook_holder(int cgfd, const char *cgroup, enum hook hook, struct holder *h)
{
	int fd = dup(cgfd), held = 0;

	for (int up = 0; fd >= 0; up++) {
		uint32_t flags = 0, ids[8], cnt = sizeof(ids) / sizeof(ids[0]);
		struct statfs fs;
		int parent;

		/* ENOSPC: more programs than ids[] holds, all of them MULTI ones. */
		if (bpf_prog_query(fd, hooks[hook].type, 0, &flags, ids, &cnt) < 0 &&
		    errno != ENOSPC)
			break;
		if (cnt > 0) {
			held = up == 0 ? flags != BPF_F_ALLOW_MULTI
				       : !(flags & (BPF_F_ALLOW_MULTI | BPF_F_ALLOW_OVERRIDE));
			if (held)
				holder_fill(h, ids[0], cgroup, up);
			if (held || up > 0)
				break;
		}
		parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = parent;
		if (fd >= 0 && (fstatfs(fd, &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC))
			break;
	}
	if (fd >= 0)
		close(fd);
	return held;
}

char *holder_text(enum hook hook, const struct holder *h, char *out, size_t len)
{
	snprintf(out, len, "BPF program %u%s%s%s holds %s on %.2000s without BPF_F_ALLOW_MULTI "
		 "(free it: 'bpftool cgroup detach %.2000s %s id %u')",
		 h->prog_id, h->name[0] ? " (" : "", h->name, h->name[0] ? ")" : "",
		 hooks[hook].name, h->cgroup, h->cgroup, hooks[hook].name, h->prog_id);
	return out;
}

/* Swaps PROG in under HOOK's pinned link: no moment without a program. */
static int replace(const char *pin_dir, enum hook hook, struct bpf_program *prog)
{
	struct bpf_link *link = pins_link_get(pin_dir, hook);
	int err;

	if (!link)
		return -errno;
	err = bpf_link__update_program(link, prog);
	bpf_link__destroy(link); /* closes our fd; the pin keeps the link */
	return err;
}

static int attach_new(const char *pin_dir, enum hook hook, int cgfd, struct bpf_program *prog)
{
	struct bpf_link *link = bpf_program__attach_cgroup(prog, cgfd);
	int err;

	if (!link)
		return -errno;
	err = pins_link_pin(pin_dir, hook, link);
	bpf_link__destroy(link); /* unpinned: this detaches it again */
	return err;
}

/* Why HOOK did not attach: a holder by name, root only when that is what is missing. */
static void attach_fail(int cgfd, const char *cgroup, enum hook hook, int live, int err)
{
	struct holder h;
	char text[PATH_MAX * 2 + 256];

	if (err == -EPERM && !live && hook_holder(cgfd, cgroup, hook, &h))
		errorf("cannot attach %s on cgroup %s: %s", hooks[hook].name, cgroup,
		       holder_text(hook, &h, text, sizeof(text)));
	else
		errorf("cannot %s %s on cgroup %s: %s%s", live ? "replace" : "attach",
		       hooks[hook].name, cgroup, strerror(-err),
		       err == -EPERM && geteuid() != 0 ? " (run as root)" : "");
}

int attach_all(const char *pin_dir, int cgfd, const char *cgroup,
	       struct bpf_program *const progs[NHOOKS], const struct attach_state *now,
	       struct attach_result *res)
{
	memset(res, 0, sizeof(*res));
	for (int h = 0; h < NHOOKS; h++) {
		int live = !!(now->live & (1u << h)), err;

		if (!progs[h]) {
			/* Not wanted, or not loadable here: a link left by an earlier start must go. */
			pins_link_unpin(pin_dir, h);
			continue;
		}
		if (live) {
			err = replace(pin_dir, h, progs[h]);
		} else {
			pins_link_remove(pin_dir, h); /* a link whose cgroup is gone */
			err = attach_new(pin_dir, h, cgfd, progs[h]);
			res->made[h] = !err;
		}
		res->attached[h] = !err;
		fault_point(STEP_HOOK_FIRST + h);
		if (!err)
			continue;
		attach_fail(cgfd, cgroup, (enum hook)h, live, err);
		attach_undo(pin_dir, res);
		return -1;
	}
	return 0;
}

void attach_undo(const char *pin_dir, const struct attach_result *res)
{
	for (int h = 0; h < NHOOKS; h++)
		if (res->made[h])
			pins_link_unpin(pin_dir, h);
}
