// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static int unescape(const char *s, size_t n, char *out, size_t len)
{
	size_t o = 0;

	/* An empty field is no mount point; and no room, not even for the NUL. */
	if (n == 0 || len == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\\' && i + 3 < n && s[i + 1] >= '0' &&
		    s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' &&
		    s[i + 3] <= '7') {
			c = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		}
		if (o + 1 >= len)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

int cgroup2_mount_from_mountinfo(const char *text, char *out, size_t len)
{
	const char *line = text;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t n = eol ? (size_t)(eol - line) : strlen(line);
		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER" */
		const char *sep = NULL, *f = line;
		const char *mp = NULL;
		size_t mplen = 0;

		for (int field = 0; field < 5 && f < line + n; field++) {
			const char *sp = memchr(f, ' ', (size_t)(line + n - f));

			if (!sp)
				break;
			if (field == 4) {
				mp = f;
				mplen = (size_t)(sp - f);
			}
			f = sp + 1;
		}
		for (const char *p = f; mp && p + 3 <= line + n; p++)
			if (p[0] == '-' && p[1] == ' ' && p[-1] == ' ') {
				sep = p + 2;
				break;
			}
		if (sep && (size_t)(line + n - sep) > 8 && strncmp(sep, "cgroup2 ", 8) == 0)
			return unescape(mp, mplen, out, len);
		line = eol ? eol + 1 : NULL;
	}
	return -1;
}

int cgroup2_root(char *out, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *text = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret;

	if (!f)
		return -1;
	/* getdelim with '\0' slurps the whole file into one buffer. */
	n = getdelim(&text, &cap, '\0', f);
	fclose(f);
	ret = n > 0 ? cgroup2_mount_from_mountinfo(text, out, len) : -1;
	free(text);
	return ret;
}

uint64_t cgroup_id_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? (uint64_t)st.st_ino : 0;
}

/* Depth-first walk; cgroup trees are shallow and small. */
static int walk(char *path, size_t len, size_t used, uint64_t id)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int found = -1;

	if (!d)
		return -1;
	while (found < 0 && (e = readdir(d))) {
		size_t n;

		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n = strlen(e->d_name);
		if (used + 1 + n + 1 > len)
			continue;
		path[used] = '/';
		memcpy(path + used + 1, e->d_name, n + 1);
		if (cgroup_id_of(path) == id || walk(path, len, used + 1 + n, id) == 0)
			found = 0;
		else
			path[used] = '\0';
	}
	closedir(d);
	return found;
}

int cgroup_path_of_id(const char *root, uint64_t id, char *out, size_t len)
{
	size_t n = strlen(root);

	if (n + 1 > len)
		return -1;
	memcpy(out, root, n + 1);
	if (cgroup_id_of(root) == id)
		return 0;
	return walk(out, len, n, id);
}
