// SPDX-License-Identifier: MIT
#include "probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <lo6relay/abi.h>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* Linux 5.14; older libc headers lack it */
#endif
#ifndef CAP_BPF
#define CAP_BPF 39 /* Linux 5.8; older headers lack it */
#endif

static const struct {
	uint32_t bit;
	const char *name;
	const char *cost;
} lack_info[] = {
	{ LO6_LACKS_SK_STORAGE, "sk_storage",
	  "socket storage: redirected clients see the relay address, not [::1]" },
	{ LO6_LACKS_NETNS_COOKIE, "netns_cookie",
	  "network namespace cookies (bpf_get_netns_cookie, Linux 5.7; SO_NETNS_COOKIE, 5.14): "
	  "every network namespace's [::1] is redirected" },
	{ LO6_LACKS_SOCK_LOOKUP, "sock_lookup",
	  "socket lookup: auto cannot see listeners, so auto ports are left alone" },
	{ LO6_LACKS_SOCK_CAST, "sock_cast",
	  "bpf_skc_to_tcp6_sock (offered only to a loader with CAP_PERFMON): IPV6_V6ONLY sockets "
	  "are redirected and fail" },
	{ LO6_LACKS_RINGBUF, "ringbuf",
	  "ring buffer, or bpf_get_current_comm (recent kernels offer it only to a loader with "
	  "CAP_PERFMON): 'lo6relay watch' cannot work" },
};
#define NLACKS (sizeof(lack_info) / sizeof(lack_info[0]))

/* Whether the test asks us to pretend NAME is missing (the test binary only). */
static int pretend_lacks(const char *name)
{
#ifdef LO6_TEST_SWITCHES
	const char *list = getenv("LO6RELAY_TEST_LACK");
	size_t n = strlen(name);

	for (const char *s = list; s && *s; s += strcspn(s, " ,")) {
		s += strspn(s, " ,");
		if (strncmp(s, name, n) == 0 && (s[n] == '\0' || s[n] == ' ' || s[n] == ','))
			return 1;
	}
#else
	(void)name;
#endif
	return 0;
}

/*
 * Whether the verifier got past HELPER to its arguments: a line such as
 * "R1 type=ctx expected=map_ptr" or "R2 !read_ok". Every way it refuses a
 * helper stops before them, whatever the words ("invalid func", "unknown
 * func" before 6.2, "program of this type cannot use helper" after; the
 * last also for helpers offered only to a loader with CAP_PERFMON, such as
 * bpf_skc_to_tcp6_sock or, on recent kernels, bpf_get_current_comm).
 */
static int log_blames_argument(const char *log)
{
	const char *l = log;

	do {
		size_t n = strspn(l + 1, "0123456789");

		/* "R1 ...", not a register state such as "R1=ctx()" or "R1_w=..." */
		if (l[0] == 'R' && n > 0 && l[1 + n] == ' ')
			return 1;
		l = strchr(l, '\n');
	} while (l++);
	return 0;
}

/*
 * Loads `call HELPER; r0 = 1; exit` as a connect6 program (r1 holds the
 * context). The helper is there when that loads or the verifier complains
 * about an argument; any other answer, whatever its errno or words, is a
 * refusal, and start treats it as a missing helper. libbpf_probe_bpf_helper
 * cannot answer this for sock_addr programs: it loads them without an
 * expected attach type, the kernel refuses that before the verifier runs,
 * and libbpf then assumes "supported".
 */
static int helper_present(enum bpf_func_id helper)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = helper },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char log[4096] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, po, .expected_attach_type = BPF_CGROUP_INET6_CONNECT,
		    .log_buf = log, .log_size = sizeof(log), .log_level = 1);
	int fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, "lo6_probe", "GPL", insns, 3, &po);

	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return log_blames_argument(log);
}

/* 1 if the kernel knows TYPE as a sock_addr hook, 0 if not, -errno if bpf() is refused. */
static int hook_present(enum bpf_attach_type type)
{
	const struct bpf_insn ret1[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, po, .expected_attach_type = type);
	int fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, "lo6_probe", "GPL", ret1, 2, &po);

	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return errno == EPERM || errno == EACCES || errno == ENOSYS ? -errno : 0;
}

uint64_t probe_netns_cookie(void)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd >= 0) {
		if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0)
			cookie = 0; /* before 5.14 */
		close(fd);
	}
	return cookie;
}

void probe_kernel(struct kernel_probe *p)
{
	memset(p, 0, sizeof(*p));
	for (int h = 0; h < NHOOKS; h++) {
		int r = hook_present(hooks[h].type);

		if (r < 0) {
			p->bpf_errno = -r;
			return;
		}
		if (!r || pretend_lacks(hooks[h].name))
			p->hooks_absent |= 1u << h;
	}
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_SK_STORAGE, NULL) != 1 ||
	    !helper_present(BPF_FUNC_sk_storage_get) || !helper_present(BPF_FUNC_sk_storage_delete))
		p->lacks |= LO6_LACKS_SK_STORAGE;
	p->netns_cookie = probe_netns_cookie();
	if (!helper_present(BPF_FUNC_get_netns_cookie) || p->netns_cookie == 0)
		p->lacks |= LO6_LACKS_NETNS_COOKIE;
	if (!helper_present(BPF_FUNC_skc_lookup_tcp) || !helper_present(BPF_FUNC_sk_lookup_udp) ||
	    !helper_present(BPF_FUNC_sk_release))
		p->lacks |= LO6_LACKS_SOCK_LOOKUP;
	if (!helper_present(BPF_FUNC_skc_to_tcp6_sock) || !helper_present(BPF_FUNC_skc_to_udp6_sock))
		p->lacks |= LO6_LACKS_SOCK_CAST;
	/* Everything tell_watchers() calls: without one of them there is no watch. */
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) != 1 ||
	    !helper_present(BPF_FUNC_ringbuf_reserve) || !helper_present(BPF_FUNC_ringbuf_submit) ||
	    !helper_present(BPF_FUNC_ktime_get_ns) || !helper_present(BPF_FUNC_get_current_pid_tgid) ||
	    !helper_present(BPF_FUNC_get_current_comm))
		p->lacks |= LO6_LACKS_RINGBUF;
	for (size_t i = 0; i < NLACKS; i++)
		if (pretend_lacks(lack_info[i].name))
			p->lacks |= lack_info[i].bit;
}

/* Whether this process has CAP in its effective set (1 if it cannot tell). */
static int has_cap(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { 0 };

	if (syscall(SYS_capget, &h, d) < 0)
		return 1;
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

int probe_has_perfmon(void)
{
	return has_cap(CAP_PERFMON) || has_cap(CAP_SYS_ADMIN);
}

/*
 * Before 5.11 the kernel charges BPF maps and programs to RLIMIT_MEMLOCK
 * (per user), which libbpf raises only with CAP_SYS_RESOURCE; 5.11 charges
 * the memory cgroup instead, and added bpf_ktime_get_coarse_ns in the same
 * release: a program calling it loads only there (libbpf's own test). Not
 * libbpf_probe_bpf_helper: it answers "supported" when the load fails with
 * an empty log, as a load refused by this very limit does. That load
 * refused with EPERM (the limit, or seccomp or a security module on any
 * kernel) leaves the release to tell.
 */
static int charges_memcg(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_ktime_get_coarse_ns },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "lo6_probe", "GPL", insns, 2, NULL);
	struct utsname u;
	unsigned major = 0, minor = 0;

	if (fd >= 0) {
		close(fd);
		return 1;
	}
	if (errno != EPERM || uname(&u) < 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return 0; /* EINVAL: no such helper, a kernel before 5.11 */
	return major > 5 || (major == 5 && minor >= 11);
}

char *probe_memlock_refusal(int err, char *out, size_t len)
{
	struct rlimit lim;

	if (err != -EPERM || getrlimit(RLIMIT_MEMLOCK, &lim) < 0 || lim.rlim_cur == RLIM_INFINITY ||
	    charges_memcg())
		return NULL;
	snprintf(out, len, "the kernel refused lo6relay's maps or programs (%s): before Linux 5.11 it "
		 "counts them, with every BPF object of this user, against the locked-memory limit, "
		 "%llu KiB for this process, which it may not raise without CAP_SYS_RESOURCE; raise "
		 "it for lo6relay ('ulimit -l unlimited' as root, LimitMEMLOCK=infinity in a systemd "
		 "unit)",
		 strerror(-err), (unsigned long long)lim.rlim_cur / 1024);
	return out;
}

char *probe_refusal(const struct kernel_probe *p, char *out, size_t len)
{
	/* bpf_token_capable(): CAP_SYS_ADMIN stands in for the others. */
	int admin = has_cap(CAP_SYS_ADMIN), bpf = admin || has_cap(CAP_BPF),
	    net = admin || has_cap(CAP_NET_ADMIN);

	if (p->bpf_errno == ENOSYS)
		snprintf(out, len, "this kernel has no bpf() system call: lo6relay needs "
			 "CONFIG_BPF_SYSCALL");
	else if (p->bpf_errno != EPERM && p->bpf_errno != EACCES)
		snprintf(out, len, "the kernel refuses bpf() (%s)", strerror(p->bpf_errno));
	else if (!bpf || !net)
		/* A cgroup sock_addr program wants CAP_BPF to load at all and CAP_NET_ADMIN for its type. */
		snprintf(out, len, "the kernel refuses to load BPF programs (%s) because this process "
			 "lacks %s%s%s: run as root, or with CAP_BPF (CAP_SYS_ADMIN before Linux 5.8), "
			 "CAP_NET_ADMIN and, for the IPV6_V6ONLY check, CAP_PERFMON",
			 strerror(p->bpf_errno), bpf ? "" : "CAP_BPF", bpf || net ? "" : " and ",
			 net ? "" : "CAP_NET_ADMIN");
	else if (!probe_memlock_refusal(-p->bpf_errno, out, len))
		/* Not the locked-memory limit either (a probe's program counts against it too). */
		snprintf(out, len, "the kernel refuses to load BPF programs (%s) although this process "
			 "has CAP_BPF and CAP_NET_ADMIN: a security module, seccomp filter or lockdown "
			 "forbids it", strerror(p->bpf_errno));
	return out;
}

const char *probe_lack_cost(uint32_t bit)
{
	for (size_t i = 0; i < NLACKS; i++)
		if (bit == lack_info[i].bit)
			return lack_info[i].cost;
	return "";
}

/* The costs ("; "-joined) or the names (" "-joined) of the bits of LACKS. */
static char *join(uint32_t lacks, int names, char *out, size_t len)
{
	out[0] = '\0';
	for (size_t i = 0; i < NLACKS; i++)
		if (lacks & lack_info[i].bit)
			snprintf(out + strlen(out), len - strlen(out), "%s%s",
				 *out ? (names ? " " : "; ") : "",
				 names ? lack_info[i].name : lack_info[i].cost);
	return out;
}

char *probe_lacks_text(uint32_t lacks, char *out, size_t len)
{
	return join(lacks, 0, out, len);
}

char *probe_lack_names(uint32_t lacks, char *out, size_t len)
{
	return join(lacks, 1, out, len);
}
