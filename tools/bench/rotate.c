// SPDX-License-Identifier: MIT
/*
 * rotate: one workload, several modes, interleaved in short slices.
 *
 * The machine this runs on is shared and noisy, so modes are compared in
 * slices of a few hundred milliseconds, A B C A B C ..., the order rotated
 * every round: a burst of someone else's work hits every mode alike, and
 * the medians over rounds shrug it off. One child per mode joins that mode's
 * cgroup and keeps its connection (rr, bulk) across slices; the parent
 * starts one slice at a time and prints one line per mode per round, with
 * the share of the slice in which some task on the machine waited for a CPU
 * (PSI, /proc/pressure/cpu "some"): the report can tell quiet slices from
 * ones someone else's work got into.
 *
 *   lo6bench-client rotate --workload connect|storm|rr|bulk --rounds N
 *       --slice-ms T [--procs K] [--size B] --mode NAME=CGROUP,ADDR,PORT ...
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>

#include "rotate.h"
#include "workload.h"

#define MAX_MODES 8

struct mode {
	char name[32];
	const char *cgroup;
	struct target t;
	int cmd, res; /* pipes to and from the child */
	pid_t pid;
	int dead;
};

enum wl { WL_CONNECT, WL_STORM, WL_RR, WL_BULK };

static enum wl wl_parse(const char *s)
{
	if (strcmp(s, "connect") == 0)
		return WL_CONNECT;
	if (strcmp(s, "storm") == 0)
		return WL_STORM;
	if (strcmp(s, "rr") == 0)
		return WL_RR;
	if (strcmp(s, "bulk") == 0)
		return WL_BULK;
	die("unknown --workload '%s'", s);
}

static void mode_parse(const char *spec, struct mode *m)
{
	char buf[4096], *cg, *addr, *port, *eq;

	snprintf(buf, sizeof(buf), "%s", spec);
	eq = strchr(buf, '=');
	if (!eq)
		die("--mode wants NAME=CGROUP,ADDR,PORT, not '%s'", spec);
	*eq = '\0';
	cg = eq + 1;
	addr = strchr(cg, ',');
	port = addr ? strchr(addr + 1, ',') : NULL;
	if (!addr || !port)
		die("--mode wants NAME=CGROUP,ADDR,PORT, not '%s'", spec);
	*addr++ = '\0';
	*port++ = '\0';
	if (strlen(buf) >= sizeof(m->name))
		die("mode name '%s' too long", buf);
	memcpy(m->name, buf, strlen(buf) + 1);
	m->cgroup = *cg ? strdup(cg) : NULL;
	target_parse(addr, (unsigned)strtoul(port, NULL, 10), 0, &m->t);
}

/* The child: set up once, then one slice per command byte. */
static void child(const struct mode *m, enum wl w, const struct rotate_opts *o, int cmd, int res)
{
	struct lat l = { 0 };
	struct sample s;
	int fd = -1;
	char c;

	join_cgroup(m->cgroup);
	if (w == WL_RR)
		fd = rr_open(&m->t);
	else if (w == WL_BULK)
		fd = bulk_open(&m->t);
	if ((w == WL_RR || w == WL_BULK) && fd < 0)
		die("%s: cannot connect: %s", m->name, strerror(errno));
	while (read(cmd, &c, 1) == 1 && c == 'g') {
		uint64_t deadline = now_ns() + o->slice_ms * 1000000ull;

		switch (w) {
		case WL_CONNECT: connect_until(&m->t, deadline, UINT64_MAX, &l, &s); break;
		case WL_STORM: storm_until(&m->t, o->procs, deadline, UINT64_MAX, &s); break;
		case WL_RR: rr_until(fd, o->size, deadline, UINT64_MAX, &l, &s); break;
		case WL_BULK: bulk_until(fd, 16ull << 20, deadline, UINT64_MAX, &s); break;
		}
		if (write(res, &s, sizeof(s)) != sizeof(s))
			break;
	}
	_exit(0);
}

/* Microseconds some task waited for a CPU since boot; 0 without PSI. */
static uint64_t cpu_pressure_us(void)
{
	char buf[256];
	unsigned long long total = 0;
	int fd = open("/proc/pressure/cpu", O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *p;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strstr(buf, "total=");
	if (p)
		total = strtoull(p + 6, NULL, 10);
	return total;
}

static int slice(struct mode *m, struct sample *s, double *pressure)
{
	uint64_t p0 = cpu_pressure_us(), t0 = now_ns();
	char g = 'g';

	if (m->dead || write(m->cmd, &g, 1) != 1 || read(m->res, s, sizeof(*s)) != sizeof(*s)) {
		m->dead = 1;
		return -1;
	}
	*pressure = (double)(cpu_pressure_us() - p0) * 1000.0 / (double)(now_ns() - t0);
	return 0;
}

static void print(unsigned round, const struct mode *m, enum wl w, const struct sample *s,
		  double pressure)
{
	double secs = (double)s->elapsed_ns / 1e9;

	printf("round=%u mode=%s ok=%llu errors=%llu seconds=%.3f pressure=%.3f", round, m->name,
	       (unsigned long long)s->ok, (unsigned long long)s->errors, secs, pressure);
	if (w == WL_CONNECT || w == WL_STORM)
		printf(" conn_per_s=%.1f", (double)s->ok / secs);
	if (w == WL_BULK)
		printf(" gbytes_per_s=%.3f", (double)s->bytes / (double)s->elapsed_ns);
	else
		printf(" p50_us=%.2f p99_us=%.2f", s->p50_us, s->p99_us);
	printf("\n");
	fflush(stdout);
}

int rotate_run(const struct rotate_opts *o)
{
	struct mode modes[MAX_MODES];
	enum wl w = wl_parse(o->workload);
	struct sample s;
	unsigned n = o->nmodes;
	double pr;

	if (!n || n > MAX_MODES || !o->rounds || !o->slice_ms || !o->procs)
		die("rotate needs 1..%d --mode, and positive --rounds, --slice-ms, --procs", MAX_MODES);
	/* A failsafe: every slice may overrun by a connect timeout or two. */
	alarm((unsigned)((o->rounds + 1) * n * (o->slice_ms / 1000 + 7) + 60));
	for (unsigned i = 0; i < n; i++) {
		int cmd[2], res[2];

		memset(&modes[i], 0, sizeof(modes[i]));
		mode_parse(o->modes[i], &modes[i]);
		if (pipe(cmd) < 0 || pipe(res) < 0)
			die("pipe: %s", strerror(errno));
		modes[i].pid = fork();
		if (modes[i].pid < 0)
			die("fork: %s", strerror(errno));
		if (modes[i].pid == 0) {
			for (unsigned j = 0; j < i; j++) {
				close(modes[j].cmd);
				close(modes[j].res);
			}
			close(cmd[1]);
			close(res[0]);
			child(&modes[i], w, o, cmd[0], res[1]);
		}
		close(cmd[0]);
		close(res[1]);
		modes[i].cmd = cmd[1];
		modes[i].res = res[0];
	}
	/* Round 0 warms every mode up (caches, the relays' first fork) and is not printed. */
	for (unsigned i = 0; i < n; i++)
		slice(&modes[i], &s, &pr);
	for (unsigned r = 1; r <= o->rounds; r++) {
		for (unsigned k = 0; k < n; k++) {
			struct mode *m = &modes[(k + r - 1) % n];

			if (slice(m, &s, &pr) == 0)
				print(r, m, w, &s, pr);
			else
				printf("round=%u mode=%s failed=1\n", r, m->name);
		}
	}
	for (unsigned i = 0; i < n; i++) {
		close(modes[i].cmd);
		close(modes[i].res);
	}
	while (wait(NULL) > 0)
		;
	return 0;
}
