// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
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

/* One search: the ids asked for, which are found, and where to put the first one's path. */
struct search {
	const uint64_t *ids;
	size_t n, left;
	int *found;
	char *first;
	size_t len;
};

static void visit(struct search *s, const char *path)
{
	uint64_t id = cgroup_id_of(path);
	size_t len = strlen(path);

	for (size_t i = 0; i < s->n; i++)
		if (s->ids[i] == id && !s->found[i]) {
			s->found[i] = 1;
			s->left--;
			if (i == 0 && len < s->len)
				memcpy(s->first, path, len + 1);
		}
}

/* Depth-first, stopping once every id is found; cgroup trees are shallow and small. */
static void walk(struct search *s, char *path, size_t len, size_t used)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d)
		return;
	while (s->left && (e = readdir(d))) {
		size_t n;

		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n = strlen(e->d_name);
		if (used + 1 + n + 1 > len)
			continue;
		path[used] = '/';
		memcpy(path + used + 1, e->d_name, n + 1);
		visit(s, path);
		if (s->left)
			walk(s, path, len, used + 1 + n);
		path[used] = '\0';
	}
	closedir(d);
}

size_t cgroup_find_ids(const char *root, const uint64_t *ids, size_t n, int *found, char *first,
		       size_t len)
{
	struct search s = { ids, n, n, found, first, len };
	char path[PATH_MAX];
	size_t used = strlen(root);

	memset(found, 0, n * sizeof(*found));
	if (len)
		first[0] = '\0';
	if (used + 1 > sizeof(path))
		return 0;
	memcpy(path, root, used + 1);
	visit(&s, path);
	if (s.left)
		walk(&s, path, sizeof(path), used);
	return n - s.left;
}
