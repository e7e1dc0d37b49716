// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "runcmd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void child(const char *const argv[], int wfd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0 || dup2(null, 0) < 0 || dup2(wfd, 1) < 0 || dup2(null, 2) < 0)
		_exit(127);
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

int run_capture(const char *const argv[], char *out, size_t len, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	size_t used = 0;
	int p[2], status, killed = 0;
	pid_t pid;

	/* Off WSL there is no wslinfo: no child to fork for it (start asks on every run). */
	if (len == 0 || argv[0][0] != '/' || access(argv[0], X_OK) != 0 || pipe2(p, O_CLOEXEC) < 0)
		return -1;
	out[0] = '\0';
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0)
		child(argv, p[1]);
	close(p[1]);
	for (;;) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		long long left = deadline - now_ms();
		char scratch[512];
		ssize_t n;

		if (left <= 0) {
			kill(pid, SIGKILL); /* the child we forked, by its pid */
			killed = 1;
			break;
		}
		if (poll(&pfd, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		if (!pfd.revents)
			continue;
		/* Past LEN, keep draining so the child never blocks on a full pipe. */
		if (used + 1 < len)
			n = read(p[0], out + used, len - 1 - used);
		else
			n = read(p[0], scratch, sizeof(scratch));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (used + 1 < len) {
			used += (size_t)n;
			out[used] = '\0';
		}
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (killed || !WIFEXITED(status))
		return -1;
	/* execv failed: the command is not there (or not runnable). */
	return WEXITSTATUS(status) == 127 ? -1 : WEXITSTATUS(status);
}

/* Field N (0-based) of a space-separated LINE of length LEN into OUT; -1 if absent or too long. */
static int field(const char *line, size_t len, int n, char *out, size_t outlen)
{
	const char *p = line, *end = line + len, *sp;

	for (; n > 0 && p < end; n--) {
		if (!(sp = memchr(p, ' ', (size_t)(end - p))))
			return -1;
		p = sp + 1;
	}
	sp = memchr(p, ' ', (size_t)(end - p));
	if (!sp)
		sp = end;
	if (n || (size_t)(sp - p) >= outlen)
		return -1;
	memcpy(out, p, (size_t)(sp - p));
	out[sp - p] = '\0';
	return 0;
}

int windows_system32_path(const char *mountinfo, const char *exe, char *out, size_t len)
{
	for (const char *line = mountinfo; line && *line;) {
		const char *eol = strchr(line, '\n'), *dash;
		size_t n = eol ? (size_t)(eol - line) : strlen(line);
		char mp[256], type[32], source[64], super[1024];

		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER" */
		dash = memmem(line, n, " - ", 3);
		if (dash && field(line, n, 4, mp, sizeof(mp)) == 0 && mp[0] == '/' &&
		    !strchr(mp, '\\') && /* an escaped space or tab: not WSL's /mnt/c */
		    field(dash + 3, n - (size_t)(dash + 3 - line), 0, type, sizeof(type)) == 0 &&
		    field(dash + 3, n - (size_t)(dash + 3 - line), 1, source, sizeof(source)) == 0) {
			if (field(dash + 3, n - (size_t)(dash + 3 - line), 2, super, sizeof(super)) < 0)
				super[0] = '\0';
			/* WSL1: drvfs "C:"; WSL2: 9p "C:\134" with aname=drvfs;path=C:\ (or virtiofs). */
			if ((strcmp(type, "drvfs") == 0 || strcmp(type, "9p") == 0 ||
			     strcmp(type, "virtiofs") == 0) &&
			    (strncasecmp(source, "C:", 2) == 0 || strcasestr(super, "path=C:")))
				return snprintf(out, len, "%s/Windows/System32/%s",
						strcmp(mp, "/") ? mp : "", exe) < (int)len ? 0 : -1;
		}
		line = eol ? eol + 1 : NULL;
	}
	return -1;
}
