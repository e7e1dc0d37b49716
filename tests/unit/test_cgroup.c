// SPDX-License-Identifier: MIT
#include "cgroup.h"
#include "check.h"

int main(void)
{
	char out[256];

	/* This machine's hybrid layout: v1 controllers plus a v2 "unified" mount. */
	CHECK(cgroup2_mount_from_mountinfo(
		      "25 30 0:23 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
		      "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw\n"
		      "41 30 0:38 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n",
		      out, sizeof(out)) == 0);
	CHECK_STR(out, "/sys/fs/cgroup/unified");

	/* The usual unified layout, no optional fields. */
	CHECK(cgroup2_mount_from_mountinfo("30 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw", out,
					   sizeof(out)) == 0);
	CHECK_STR(out, "/sys/fs/cgroup");

	/* Escaped space in the mount point. */
	CHECK(cgroup2_mount_from_mountinfo("30 1 0:26 / /mnt/my\\040cg rw - cgroup2 none rw\n", out,
					   sizeof(out)) == 0);
	CHECK_STR(out, "/mnt/my cg");

	/* Only v1, or a mount point that merely says cgroup2. */
	CHECK(cgroup2_mount_from_mountinfo("41 30 0:38 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw\n"
					   "42 30 0:39 / /cgroup2 rw - tmpfs cgroup2 rw\n",
					   out, sizeof(out)) == -1);
	CHECK(cgroup2_mount_from_mountinfo("", out, sizeof(out)) == -1);
	CHECK(cgroup2_mount_from_mountinfo("garbage\n\n - cgroup2", out, sizeof(out)) == -1);

	/* Too small an output buffer is an error, not a truncation. */
	CHECK(cgroup2_mount_from_mountinfo("30 1 0:26 / /sys/fs/cgroup rw - cgroup2 c rw", out, 4) ==
	      -1);
	return checks_done("cgroup");
}
