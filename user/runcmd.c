// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "runcmd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
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
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

int run_capture(const char *const argv[], char *out, size_t len, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	size_t used = 0;
	int p[2], status, killed = 0;
	pid_t pid;

	if (len == 0 || pipe2(p, O_CLOEXEC) < 0)
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
	/* execvp failed: the command is not there (or not runnable). */
	return WEXITSTATUS(status) == 127 ? -1 : WEXITSTATUS(status);
}
