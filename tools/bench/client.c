// SPDX-License-Identifier: MIT
/*
 * lo6bench-client: the workloads. Each run is bounded by a count and by a
 * time, and prints one line of key=value pairs for tools/bench/run.
 *
 *   connect  connect, say 'C', wait for the server's close, close; rate
 *   storm    the same from --procs processes at once; aggregate rate
 *   rr       --size-byte request/response on one connection; p50/p99
 *   bulk     --bytes through one connection in 64 MiB acked segments; GB/s
 *            (no half-close: systemd-socket-proxyd closes both ways on one)
 *   hook     socket+connect(+getpeername/getsockname/recvfrom)+close, for
 *            the kernel's BPF run-time statistics; --port-end sweeps ports
 *   rotate   one workload over several modes in interleaved slices (rotate.c)
 *   proginfo --port ID: a BPF program's verified_insns, sizes, run stats
 *
 * Options: --to ADDR --port P [--cgroup DIR] [--count N] [--duration SEC]
 *          [--procs K] [--size B] [--bytes B] [--type tcp|udp]
 *          [--getpeername K] [--getsockname K] [--recvmsg K] [--port-end P]
 * rotate:  --workload W --rounds N --slice-ms T --mode NAME=CGROUP,ADDR,PORT...
 *          [--procs K] [--size B]
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <linux/bpf.h>
#include <sys/syscall.h>

#include "rotate.h"
#include "workload.h"

struct opts {
	const char *to, *cgroup;
	unsigned port, port_end, procs, size, gpn, gsn, recvmsg;
	uint64_t count, bytes;
	double duration;
	int udp;
	struct rotate_opts rot;
};

static void report(const char *what, const struct sample *s)
{
	double secs = (double)s->elapsed_ns / 1e9;

	printf("workload=%s ok=%llu errors=%llu seconds=%.3f", what, (unsigned long long)s->ok,
	       (unsigned long long)s->errors, secs);
	if (s->bytes)
		printf(" bytes=%llu gbytes_per_s=%.3f", (unsigned long long)s->bytes,
		       (double)s->bytes / (double)s->elapsed_ns);
	else
		printf(" per_s=%.1f p50_us=%.2f p99_us=%.2f", (double)s->ok / secs, s->p50_us,
		       s->p99_us);
	printf("\n");
}

static uint64_t deadline_of(const struct opts *o)
{
	return now_ns() + (uint64_t)(o->duration * 1e9);
}

static void run_once(const char *cmd, const struct opts *o, const struct target *t)
{
	struct lat l = { 0 };
	struct sample s;
	int fd;

	if (strcmp(cmd, "connect") == 0) {
		connect_close(t); /* warm-up */
		connect_until(t, deadline_of(o), o->count, &l, &s);
	} else if (strcmp(cmd, "storm") == 0) {
		storm_until(t, o->procs, deadline_of(o), o->count, &s);
	} else if (strcmp(cmd, "rr") == 0) {
		if ((fd = rr_open(t)) < 0)
			die("connect: %s", strerror(errno));
		rr_until(fd, o->size, now_ns() + 100000000ull, 200, &l, &s); /* warm-up */
		rr_until(fd, o->size, deadline_of(o), o->count, &l, &s);
		close(fd);
	} else {
		if ((fd = bulk_open(t)) < 0)
			die("connect: %s", strerror(errno));
		bulk_until(fd, 16ull << 20, 0, 0, &s); /* warm-up: one segment */
		bulk_until(fd, 64ull << 20, deadline_of(o), o->bytes, &s);
		close(fd);
	}
	report(cmd, &s);
}

/*
 * For the BPF statistics: the syscalls that run each cgroup hook, and as
 * little else as possible. TCP sockets close with an RST (SO_LINGER 0) so
 * thousands of connects leave no TIME_WAIT. The documentation address is
 * only ever connect()ed on a UDP socket, which sends nothing.
 */
static void run_hook(const struct opts *o, const struct target *t0)
{
	struct linger lg = { 1, 0 };
	struct timeval tv = { 1, 0 };
	struct target t = *t0;
	uint64_t ok = 0, fail = 0, replies = 0, n = o->count;
	unsigned port = o->port;
	int last_err = 0;

	if (!t.loopback && !o->udp)
		die("only a UDP socket may connect() to %s", DOC_ADDR6);
	if (o->port_end)
		n = o->port_end - o->port + 1;
	for (uint64_t i = 0; i < n; i++, port++) {
		int fd = socket(t.family, (o->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
		struct sockaddr_storage ss;
		socklen_t len;
		char b = 'h';

		if (fd < 0)
			die("socket: %s", strerror(errno));
		if (o->port_end && t.family == AF_INET6)
			((struct sockaddr_in6 *)&t.ss)->sin6_port = htons((uint16_t)port);
		else if (o->port_end)
			((struct sockaddr_in *)&t.ss)->sin_port = htons((uint16_t)port);
		if (!o->udp)
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&t.ss, t.len) == 0) {
			ok++;
			for (unsigned k = 0; k < o->gpn; k++) {
				len = sizeof(ss);
				getpeername(fd, (struct sockaddr *)&ss, &len);
			}
			for (unsigned k = 0; k < o->gsn; k++) {
				len = sizeof(ss);
				getsockname(fd, (struct sockaddr *)&ss, &len);
			}
			for (unsigned k = 0; o->udp && t.loopback && k < o->recvmsg; k++) {
				len = sizeof(ss);
				if (send(fd, &b, 1, 0) == 1 &&
				    recvfrom(fd, &b, 1, 0, (struct sockaddr *)&ss, &len) == 1)
					replies++;
			}
		} else {
			fail++;
			last_err = errno;
		}
		close(fd);
	}
	printf("workload=hook ok=%llu errors=%llu replies=%llu last_error=%s\n",
	       (unsigned long long)ok, (unsigned long long)fail, (unsigned long long)replies,
	       last_err ? strerrorname_np(last_err) : "none");
}

/*
 * What bpftool 7.1 does not print: the verifier's instruction count (and
 * the run statistics, for a cross-check). Two bpf() calls, no libbpf.
 */
static void run_proginfo(unsigned id)
{
	struct bpf_prog_info info;
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	fd = (int)syscall(SYS_bpf, BPF_PROG_GET_FD_BY_ID, &a, sizeof(a));
	if (fd < 0)
		die("no BPF program with id %u: %s", id, strerror(errno));
	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	if (syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)) < 0)
		die("cannot read program %u: %s", id, strerror(errno));
	close(fd);
	printf("id=%u verified_insns=%u xlated=%u jited=%u run_time_ns=%llu run_cnt=%llu\n", id,
	       info.verified_insns, info.xlated_prog_len, info.jited_prog_len,
	       (unsigned long long)info.run_time_ns, (unsigned long long)info.run_cnt);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "port", required_argument, NULL, 'p' },
		{ "port-end", required_argument, NULL, 'e' },
		{ "cgroup", required_argument, NULL, 'g' },
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "procs", required_argument, NULL, 'k' },
		{ "size", required_argument, NULL, 's' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "type", required_argument, NULL, 'y' },
		{ "getpeername", required_argument, NULL, 'P' },
		{ "getsockname", required_argument, NULL, 'S' },
		{ "recvmsg", required_argument, NULL, 'R' },
		{ "workload", required_argument, NULL, 'w' },
		{ "mode", required_argument, NULL, 'm' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "slice-ms", required_argument, NULL, 'l' },
		{ 0 },
	};
	struct opts o = { .count = 1000000, .duration = 2, .procs = 4, .size = 64,
			  .bytes = 4ull << 30 };
	const char *cmd;
	struct target t;
	int c;

	if (argc < 2)
		die("usage: lo6bench-client connect|storm|rr|bulk|hook|rotate [OPTIONS] (see client.c)");
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 't': o.to = optarg; break;
		case 'p': o.port = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'e': o.port_end = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'g': o.cgroup = optarg; break;
		case 'n': o.count = strtoull(optarg, NULL, 10); break;
		case 'd': o.duration = strtod(optarg, NULL); break;
		case 'k': o.procs = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': o.size = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'b': o.bytes = strtoull(optarg, NULL, 10); break;
		case 'y': o.udp = strcmp(optarg, "udp") == 0; break;
		case 'P': o.gpn = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'S': o.gsn = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'R': o.recvmsg = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'w': o.rot.workload = optarg; break;
		case 'm':
			if (o.rot.nmodes == sizeof(o.rot.modes) / sizeof(o.rot.modes[0]))
				die("too many --mode");
			o.rot.modes[o.rot.nmodes++] = optarg;
			break;
		case 'r': o.rot.rounds = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'l': o.rot.slice_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		default: die("unknown option (see the comment at the top of client.c)");
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(cmd, "proginfo") == 0) {
		run_proginfo(o.port);
		return 0;
	}
	if (strcmp(cmd, "rotate") == 0) {
		if (!o.rot.workload)
			die("rotate needs --workload");
		o.rot.procs = o.procs;
		o.rot.size = o.size;
		return rotate_run(&o.rot);
	}
	if (!o.to || !o.count || !o.procs || !o.size || o.duration <= 0 ||
	    (o.port_end && (o.port_end < o.port || o.port_end > 65535)))
		die("need --to and --port, and positive counts");
	target_parse(o.to, o.port, strcmp(cmd, "hook") == 0, &t);
	/* A failsafe bound on the whole run, whatever the workload. */
	alarm((unsigned)o.duration + 60);
	join_cgroup(o.cgroup);
	if (strcmp(cmd, "hook") == 0)
		run_hook(&o, &t);
	else if (strcmp(cmd, "connect") == 0 || strcmp(cmd, "storm") == 0 ||
		 strcmp(cmd, "rr") == 0 || strcmp(cmd, "bulk") == 0)
		run_once(cmd, &o, &t);
	else
		die("unknown workload '%s'", cmd);
	return 0;
}
