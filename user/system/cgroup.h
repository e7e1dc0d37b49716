/* SPDX-License-Identifier: MIT */
/* Finding the cgroup v2 hierarchy and naming cgroups by id. */
#ifndef LO6RELAY_CGROUP_H
#define LO6RELAY_CGROUP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Pure: the mount point of the first cgroup2 filesystem in the text of a
 * /proc/PID/mountinfo file, with the kernel's octal escapes undone.
 * 0 if found, -1 if not (or OUT too small).
 */
int cgroup2_mount_from_mountinfo(const char *text, char *out, size_t len);

/* The cgroup v2 mount point of this process, from /proc/self/mountinfo. */
int cgroup2_root(char *out, size_t len);

/* The id the kernel gives the cgroup at PATH (its kernfs inode), 0 on error. */
uint64_t cgroup_id_of(const char *path);

/*
 * One walk of the tree under ROOT, ROOT included, for the N cgroups IDS:
 * FOUND[i] says whether ids[i] is there, FIRST gets the path of ids[0] (""
 * if not found). The walk stops once all are found. Returns how many were.
 */
size_t cgroup_find_ids(const char *root, const uint64_t *ids, size_t n, int *found, char *first,
		       size_t len);

#endif
