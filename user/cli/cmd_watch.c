// SPDX-License-Identifier: MIT
/*
 * watch: a live line per decision, from the `events` ring buffer. The
 * program writes events only while `watchers` is non-zero, so nobody pays
 * for this when nobody watches. One watcher at a time, proven by a lock the
 * kernel drops when the process dies (pins.h); a count a dead watcher left
 * set is reset by the next command that opens the instance.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "instance.h"
#include "json.h"
#include "log.h"
#include "parse.h"
#include "pins.h"
#include "utf8.h"
#include <lo6relay/abi.h>

/* How long a new watch waits for the lock that watchers_heal holds for a moment. */
#define LOCK_TRIES 50
#define LOCK_TRY_MS 10

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static const char *const outcome_names[] = LO6_OUTCOME_NAMES;
static const char *const spelling_names[] = { "::1", "127/8", "v4-mapped" };

struct watch_ctx {
	const struct opts *o;
	long left; /* events still to print; -1: no limit */
	uint64_t mono_to_real_ns;
};

/* "not_allowed" -> "not-allowed": the words people read in the text lines. */
static void outcome_word(unsigned outcome, char *out, size_t len)
{
	snprintf(out, len, "%s",
		 outcome < LO6_NOUTCOMES ? outcome_names[outcome] : "unknown");
	for (char *c = out; *c; c++)
		if (*c == '_')
			*c = '-';
}

static int on_event(void *arg, void *data, size_t size)
{
	struct watch_ctx *w = arg;
	const struct lo6_event *e = data;
	const char *proto, *spelling;
	char comm[sizeof(e->comm) + 1], when[32], outcome[32];
	uint64_t real = e->ts_ns + w->mono_to_real_ns;
	time_t secs = (time_t)(real / 1000000000ull);
	struct tm tm;
	struct json j;

	/* One poll hands over every event waiting: past COUNT, they are not ours to print. */
	if (size < sizeof(*e) || w->left == 0)
		return 0;
	memcpy(comm, e->comm, sizeof(e->comm));
	comm[sizeof(e->comm)] = '\0';
	outcome_word(e->outcome, outcome, sizeof(outcome));
	spelling = e->spelling < 3 ? spelling_names[e->spelling] : "unknown";
	proto = e->protocol == 6 ? "tcp" : e->protocol == 17 ? "udp" : "other";
	localtime_r(&secs, &tm);
	snprintf(when, sizeof(when), "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(real / 1000000 % 1000));
	if (w->o->json) {
		/* The JSON writer escapes control bytes itself: the name stays exact. */
		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_str(&j, "time", when);
		json_u64(&j, "pid", e->pid);
		json_str(&j, "comm", comm);
		json_u64(&j, "port", e->port);
		json_str(&j, "protocol", proto);
		json_str(&j, "asked", spelling);
		json_str(&j, "outcome", e->outcome == 0 ? "redirected" : "skipped");
		if (e->outcome)
			json_str(&j, "reason", outcome);
		json_obj_end(&j);
		json_finish(&j);
	} else {
		/* Any process picks its own name (prctl PR_SET_NAME): never let it drive the terminal. */
		printf("%s %7u %-15s %5u %s %-9s %s\n", when, e->pid, printable(comm), e->port,
		       proto, spelling, outcome);
	}
	/* The reader went away (`watch | head -1`): SIGPIPE is ignored, so end here. */
	if (fflush(stdout) != 0)
		stopping = 1;
	if (w->left > 0 && --w->left == 0)
		stopping = 1;
	return 0;
}

/* bpf_ktime_get_ns is CLOCK_MONOTONIC; lines show wall-clock time. */
static uint64_t mono_to_real(void)
{
	struct timespec m, r;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	return (uint64_t)(r.tv_sec - m.tv_sec) * 1000000000ull + (uint64_t)(r.tv_nsec - m.tv_nsec);
}

static int set_watchers(int fd, uint32_t n)
{
	uint32_t key = 0;

	return bpf_map_update_elem(fd, &key, &n, BPF_ANY) ? -errno : 0;
}

/* The id of the map behind FD, 0 if it cannot be read. */
static uint32_t map_id(int fd)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
}

/*
 * 1 if the events map pinned at PIN_DIR is gone (a stop), 2 if it is
 * another one (a new start), 0 if it is still ours (an upgrade keeps it).
 * Our descriptor keeps the old map alive, but no program writes to it.
 */
static int instance_gone(const char *pin_dir, uint32_t events_id)
{
	uint32_t id;
	int fd;

	if ((fd = pins_map_open(pin_dir, PIN_EVENTS)) < 0)
		return errno == ENOENT;
	id = map_id(fd);
	close(fd);
	return id && id != events_id ? 2 : 0;
}

/* The reader of our stdout is gone (a pipe with no reader polls POLLERR), events or not. */
static int stdout_gone(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

int cmd_watch(const struct opts *o)
{
	struct watch_ctx w = { o, -1, mono_to_real() };
	struct ring_buffer *rb = NULL;
	int events_fd = -1, watchers_fd = -1, lock = -1, ret = EXIT_FAIL, err, tries, gone = 0;
	uint32_t events_id;
	struct sigaction sa = { .sa_handler = on_signal }, ign = { .sa_handler = SIG_IGN };

	if (o->argc > 1 || (o->argc == 1 && (w.left = count_parse(o->argv[0])) < 0)) {
		errorf("usage: lo6relay watch [COUNT]: COUNT, if given, is how many lines to print "
		       "(1 to 1000000)");
		return EXIT_USAGE;
	}
	if (instance_open_watch(o->pin_dir, &events_fd, &watchers_fd) < 0)
		goto out;
	if ((lock = pins_watch_lock_open(o->pin_dir, 1)) < 0) {
		errorf("cannot make the lock folder %s/%s: %s", o->pin_dir, WATCH_LOCK,
		       strerror(errno));
		goto out;
	}
	for (tries = 0; flock(lock, LOCK_EX | LOCK_NB) < 0; tries++) {
		if (errno != EWOULDBLOCK || tries == LOCK_TRIES) {
			errorf("another 'lo6relay watch' is reading the events of %s, and each event "
			       "goes to one reader only: end that one first (stats counts without it)",
			       o->pin_dir);
			goto out;
		}
		nanosleep(&(struct timespec){ .tv_nsec = LOCK_TRY_MS * 1000000L }, NULL);
	}
	events_id = map_id(events_fd);
	rb = ring_buffer__new(events_fd, on_event, &w, NULL);
	if (!rb) {
		errorf("cannot read the events of %s: %s", o->pin_dir, strerror(errno));
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &ign, NULL); /* a gone reader must not kill us with the count set */
	/* Set, not added: the lock says we are the only one. */
	if ((err = set_watchers(watchers_fd, 1)) < 0) {
		errorf("cannot switch events on at %s: %s", o->pin_dir, strerror(-err));
		goto out;
	}
	if (!o->json) {
		printf("%-12s %7s %-15s %5s %s %-9s %s\n", "TIME", "PID", "COMM", "PORT", "PROTO",
		       "ASKED", "OUTCOME");
		if (fflush(stdout) != 0)
			stopping = 1;
	}
	while (!stopping && !stdout_gone()) {
		err = ring_buffer__poll(rb, 200);
		if (err < 0 && err != -EINTR) {
			errorf("reading events failed: %s", strerror(-err));
			break;
		}
		/* Stopped under us: without this check, a watch that prints nothing, forever. */
		if ((gone = instance_gone(o->pin_dir, events_id)) != 0) {
			errorf("lo6relay at %s was %s, so no event can come here: run 'lo6relay "
			       "watch' again%s",
			       o->pin_dir, gone == 1 ? "stopped" : "stopped and started again",
			       gone == 1 ? " once it runs" : "");
			break;
		}
	}
	set_watchers(watchers_fd, 0);
	ret = !gone && (stopping || stdout_gone()) ? EXIT_OK : EXIT_FAIL;
out:
	ring_buffer__free(rb);
	if (lock >= 0)
		close(lock);
	if (events_fd >= 0)
		close(events_fd);
	if (watchers_fd >= 0)
		close(watchers_fd);
	return ret;
}
