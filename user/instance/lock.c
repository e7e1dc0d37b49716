// SPDX-License-Identifier: MIT
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpffs.h"
#include "log.h"

/* A command that holds the lock longer than this is stuck, not busy. */
#define LOCK_WAIT_SECONDS 60

static void on_alarm(int sig)
{
	(void)sig; /* only there to interrupt flock */
}

/* flock that gives up after LOCK_WAIT_SECONDS: 0, or -errno. */
static int lock_waiting(int fd)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	int err = 0;

	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return -errno;
	sigaction(SIGALRM, &sa, &old); /* no SA_RESTART: flock returns EINTR */
	alarm(LOCK_WAIT_SECONDS);
	if (flock(fd, LOCK_EX) < 0)
		err = -errno;
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	return err;
}

/* Whether DIR still names the folder FD holds: stop, or a failed start, may have removed it. */
static int still_there(int fd, const char *dir)
{
	struct stat held, now;

	return fstat(fd, &held) == 0 && stat(dir, &now) == 0 && held.st_dev == now.st_dev &&
	       held.st_ino == now.st_ino;
}

int pin_lock(const char *dir, int *created)
{
	char err[512];

	/* Each round locks the folder DIR names, or sees it replaced: a few rounds at most. */
	for (int round = 0; round < 100; round++) {
		int fd, e;

		if (created && bpffs_prepare(dir, created, err, sizeof(err)) < 0) {
			errorf("%s", err);
			return -1;
		}
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			e = errno;
			if (e == ENOENT && created)
				continue; /* removed between mkdir and open: make it again */
			if (e == ENOENT || e == ENOTDIR)
				return -2;
			errorf("cannot open the pin folder %s to lock it: %s%s", dir, strerror(e),
			       e == EACCES || e == EPERM ? " (run as root)" : "");
			return -1;
		}
		if ((e = lock_waiting(fd)) < 0) {
			close(fd);
			if (e == -EINTR)
				errorf("another lo6relay command has held the pin folder %s "
				       "for %d s: find it with 'ps -C lo6relay', end it and "
				       "try again",
				       dir, LOCK_WAIT_SECONDS);
			else
				errorf("cannot lock the pin folder %s: %s", dir, strerror(-e));
			return -1;
		}
		if (still_there(fd, dir))
			return fd;
		/* Stopped, or a failed start cleaned up, while we waited: look again. */
		close(fd);
	}
	errorf("the pin folder %s keeps disappearing while lo6relay waits for it: is something "
	       "removing it in a loop?",
	       dir);
	return -1;
}
