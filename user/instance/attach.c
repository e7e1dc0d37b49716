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

#include "cgroup.h"
#include "faults.h"
#include "log.h"
#include "pins.h"

/* 0 and STATE if PIN_DIR holds a pinned cgroup link for HOOK; -errno otherwise. */
static int link_read(const char *pin_dir, enum hook hook, struct link_state *state)
{
	struct bpf_link_info info;
	uint32_t len = sizeof(info);
	int fd = pins_link_open(pin_dir, hook), err = 0;

	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
		err = -errno;
	else if (info.type != BPF_LINK_TYPE_CGROUP)
		err = -EINVAL;
	close(fd);
	if (err)
		return err;
	state->link_id = info.id;
	state->prog_id = info.prog_id;
	state->cgroup_id = info.cgroup.cgroup_id;
	return 0;
}

int attach_state_read(const char *pin_dir, struct attach_state *st)
{
	uint64_t ids[NHOOKS] = { 0 };
	int found[NHOOKS] = { 0 };
	char root[PATH_MAX];
	size_t n = 0;

	memset(st, 0, sizeof(*st));
	/* connect6 (the last hook) first: ids[0] is the cgroup whose path the walk brings back. */
	_Static_assert(HOOK_CONNECT6 == NHOOKS - 1, "connect6 is read first");
	for (int i = NHOOKS - 1; i >= 0; i--) {
		struct link_state *ls = &st->link[i];
		size_t k = 0;
		int err = link_read(pin_dir, (enum hook)i, ls);

		if (i == HOOK_CONNECT6)
			st->err = err;
		if (err)
			continue;
		st->pinned |= 1u << i;
		while (k < n && ids[k] != ls->cgroup_id)
			k++;
		if (k == n && ls->cgroup_id)
			ids[n++] = ls->cgroup_id;
	}
	/*
	 * A link holds a reference on its cgroup, so after rmdir the id is still
	 * reported for a cgroup nobody can reach: look for them all at once.
	 * Without a cgroup2 mount there is nowhere to look, and nothing is gone.
	 */
	if (cgroup2_root(root, sizeof(root)) == 0)
		cgroup_find_ids(root, ids, n, found, st->cgroup, sizeof(st->cgroup));
	else
		for (size_t k = 0; k < n; k++)
			found[k] = 1;
	for (int i = 0; i < NHOOKS; i++) {
		struct link_state *ls = &st->link[i];
		size_t k = 0;

		while (k < n && ids[k] != ls->cgroup_id)
			k++;
		if (k == n || !found[k])
			ls->cgroup_id = 0;
		else if (st->pinned & (1u << i))
			st->live |= 1u << i;
	}
	st->cgroup_id = st->link[HOOK_CONNECT6].cgroup_id;
	if (!st->cgroup_id)
		st->cgroup[0] = '\0'; /* the path of another hook's cgroup */
	return st->err;
}

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
