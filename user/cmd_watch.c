// SPDX-License-Identifier: MIT
/*
 * watch: a live line per decision, from the `events` ring buffer. The
 * program writes events only while `watchers` is non-zero, so nobody pays
 * for this when nobody watches; the count is shared through an mmap-ed
 * array so several watchers come and go without a lost update.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpffs.h"
#include "cli.h"
#include "instance.h"
#include "json.h"
#include <lo6relay/abi.h>

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static const char *const outcome_names[] = { "redirected",     "not-allowed", "v6only",
					     "bound-v6",       "local-listener", "other-netns" };
static const char *const spelling_names[] = { "::1", "127/8", "v4-mapped" };

struct watch_ctx {
	const struct opts *o;
	long left; /* events still to print; -1: no limit */
	uint64_t mono_to_real_ns;
};

static int on_event(void *arg, void *data, size_t size)
{
	struct watch_ctx *w = arg;
	const struct lo6_event *e = data;
	const char *outcome, *proto, *spelling;
	char comm[sizeof(e->comm) + 1], when[32];
	uint64_t real = e->ts_ns + w->mono_to_real_ns;
	time_t secs = (time_t)(real / 1000000000ull);
	struct tm tm;
	struct json j;

	if (size < sizeof(*e))
		return 0;
	memcpy(comm, e->comm, sizeof(e->comm));
	comm[sizeof(e->comm)] = '\0';
	outcome = e->outcome < sizeof(outcome_names) / sizeof(outcome_names[0])
			  ? outcome_names[e->outcome]
			  : "unknown";
	spelling = e->spelling < 3 ? spelling_names[e->spelling] : "unknown";
	proto = e->protocol == 6 ? "tcp" : e->protocol == 17 ? "udp" : "other";
	localtime_r(&secs, &tm);
	snprintf(when, sizeof(when), "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(real / 1000000 % 1000));
	if (w->o->json) {
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
		printf("%s %7u %-15s %5u %s %-9s %s\n", when, e->pid, comm, e->port, proto,
		       spelling, outcome);
		fflush(stdout);
	}
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

/* Did start find no ring buffer (config.lacks)? */
static int kernel_lacks_ringbuf(const char *pin_dir)
{
	struct lo6_config cfg = { 0 };
	struct instance in;
	int lacks;

	if (instance_open(pin_dir, &in) < 0)
		return 0;
	lacks = config_read(&in, &cfg) == 0 && (cfg.lacks & LO6_LACKS_RINGBUF);
	instance_close(&in);
	return lacks;
}

int cmd_watch(const struct opts *o)
{
	struct watch_ctx w = { o, -1, mono_to_real() };
	struct ring_buffer *rb = NULL;
	char path[PATH_MAX];
	int events_fd = -1, watchers_fd = -1, ret = EXIT_FAIL, err;
	uint32_t *count = MAP_FAILED;
	struct sigaction sa = { .sa_handler = on_signal };

	if (o->argc > 1 || (o->argc == 1 && (w.left = strtol(o->argv[0], NULL, 10)) <= 0)) {
		errorf("usage: lo6relay watch [COUNT]: COUNT, if given, is how many lines to print");
		return EXIT_USAGE;
	}
	pin_path(path, sizeof(path), o->pin_dir, LO6_MAP_EVENTS);
	events_fd = bpf_obj_get(path);
	pin_path(path, sizeof(path), o->pin_dir, LO6_MAP_WATCHERS);
	watchers_fd = bpf_obj_get(path);
	if (events_fd < 0 && watchers_fd >= 0 && kernel_lacks_ringbuf(o->pin_dir)) {
		errorf("this kernel has no BPF ring buffer (Linux 5.8 and later have it), so watch "
		       "cannot work here; 'lo6relay stats' still counts every decision");
		goto out;
	}
	if (events_fd < 0 || watchers_fd < 0) {
		errorf("lo6relay is not running at %s, or was started by a version without watch: "
		       "run 'lo6relay start'",
		       o->pin_dir);
		goto out;
	}
	count = mmap(NULL, sizeof(*count), PROT_READ | PROT_WRITE, MAP_SHARED, watchers_fd, 0);
	rb = ring_buffer__new(events_fd, on_event, &w, NULL);
	if (count == MAP_FAILED || !rb) {
		errorf("cannot read the events of %s: %s", o->pin_dir, strerror(errno));
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	__atomic_fetch_add(count, 1, __ATOMIC_SEQ_CST);
	if (!o->json) {
		printf("%-12s %7s %-15s %5s %s %-9s %s\n", "TIME", "PID", "COMM", "PORT", "PROTO",
		       "ASKED", "OUTCOME");
		fflush(stdout);
	}
	while (!stopping) {
		err = ring_buffer__poll(rb, 200);
		if (err < 0 && err != -EINTR) {
			errorf("reading events failed: %s", strerror(-err));
			break;
		}
	}
	__atomic_fetch_sub(count, 1, __ATOMIC_SEQ_CST);
	ret = stopping ? EXIT_OK : EXIT_FAIL;
out:
	ring_buffer__free(rb);
	if (count != MAP_FAILED)
		munmap(count, sizeof(*count));
	if (events_fd >= 0)
		close(events_fd);
	if (watchers_fd >= 0)
		close(watchers_fd);
	return ret;
}
