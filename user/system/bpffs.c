// SPDX-License-Identifier: MIT
#include "bpffs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#define BPFFS_DEFAULT "/sys/fs/bpf"

static int is_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/* The longest existing prefix of PATH, to learn which filesystem DIR would be on. */
static void existing_ancestor(const char *path, char *out, size_t len)
{
	struct stat st;

	snprintf(out, len, "%s", path);
	while (stat(out, &st) != 0) {
		char *slash = strrchr(out, '/');

		if (!slash || slash == out) {
			snprintf(out, len, "/");
			return;
		}
		*slash = '\0';
	}
}

static int under_default(const char *dir)
{
	size_t n = strlen(BPFFS_DEFAULT);

	return strncmp(dir, BPFFS_DEFAULT, n) == 0 && (dir[n] == '/' || dir[n] == '\0');
}

static int mkdirs(const char *dir, int *created)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0700) == 0) {
		*created = 1;
		return 0;
	}
	return errno == EEXIST ? 0 : -1;
}

int bpffs_prepare(const char *dir, int *created, char *err, size_t errlen)
{
	char anc[PATH_MAX];

	*created = 0;
	if (dir[0] != '/' || strlen(dir) >= PATH_MAX - 32) {
		snprintf(err, errlen, "pin folder '%.200s' must be an absolute path", dir);
		return -1;
	}
	existing_ancestor(dir, anc, sizeof(anc));
	if (!is_bpffs(anc) && under_default(dir) && !is_bpffs(BPFFS_DEFAULT)) {
		if (mount("bpf", BPFFS_DEFAULT, "bpf", 0, "mode=0700") < 0) {
			snprintf(err, errlen, "cannot mount bpffs at %s (%s): mount it with 'mount -t bpf bpf %s'",
				 BPFFS_DEFAULT, strerror(errno), BPFFS_DEFAULT);
			return -1;
		}
		existing_ancestor(dir, anc, sizeof(anc));
	}
	if (!is_bpffs(anc)) {
		snprintf(err, errlen,
			 "pin folder %s is not on a bpf filesystem: choose a folder under a bpffs mount such as %s",
			 dir, BPFFS_DEFAULT);
		return -1;
	}
	/* bpf_lookup in kernel/bpf/inode.c refuses names with a dot (EPERM). */
	if (strchr(dir + strlen(anc), '.')) {
		snprintf(err, errlen, "pin folder %s has a '.' in a name bpffs would have to create, "
			 "which bpffs refuses: use '-' or '_' instead", dir);
		return -1;
	}
	if (mkdirs(dir, created) < 0) {
		snprintf(err, errlen, "cannot create pin folder %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}
