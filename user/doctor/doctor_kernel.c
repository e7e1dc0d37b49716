// SPDX-License-Identifier: MIT
/* doctor: is the running kernel ready for lo6relay, and is an instance attached. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "attach.h"
#include "cgroup.h"
#include "doctor.h"
#include "instance.h"
#include "loader.h"
#include "pins.h"
#include "parse.h"
#include "probe.h"

/* The initial cgroup namespace's inode (include/linux/proc_ns.h PROC_CGROUP_INIT_INO). */
#define CGROUP_NS_INIT_INO 0xEFFFFFFBu
/* The root of the cgroup v2 hierarchy is kernfs node 1; a namespace's root is not. */
#define CGROUP_ROOT_ID 1

/*
 * What start's probe finds (user/instance/probe.c): which hooks the kernel knows,
 * whether bpf() is allowed at all, and which helpers are missing, without
 * attaching anything.
 */
static void check_bpf(struct report *r, struct kernel_probe *pr)
{
	char known[160], absent[160], why[300];

	probe_kernel(pr);
	if (pr->bpf_errno) {
		report_add(r, "kernel", "bpf", LV_FAIL, "%s", probe_refusal(pr, why, sizeof(why)));
		return;
	}
	hook_names(~pr->hooks_absent, 1, known, sizeof(known));
	hook_names(pr->hooks_absent, 1, absent, sizeof(absent));
	if (pr->hooks_absent & (1u << HOOK_CONNECT6))
		report_add(r, "kernel", "hooks", LV_FAIL, "the kernel has no cgroup connect6 hook: "
			   "lo6relay cannot work here (no cgroup hook for: %s)", absent);
	else if (absent[0])
		report_add(r, "kernel", "hooks", LV_WARN, "start installs what loads: %s; the kernel "
			   "has no cgroup hook for: %s", known, absent);
	else
		report_add(r, "kernel", "hooks", LV_OK, "bpf() works; these cgroup hooks load: %s",
			   known);
	for (uint32_t bit = 1; bit & LO6_LACKS_ALL; bit <<= 1)
		if (pr->lacks & bit)
			report_add(r, "kernel", "helpers", LV_WARN, "lacks %s", probe_lack_cost(bit));
}

/* The real thing: lo6relay's programs, as start would fit them here, through the verifier. */
static void check_programs(struct report *r, const struct kernel_probe *pr)
{
	char text[512];
	int err;

	if (loader_trial(pr, &err) < 0) {
		report_add(r, "kernel", "programs", LV_FAIL, "cannot open the embedded BPF object: %s",
			   strerror(errno));
		return;
	}
	if (probe_memlock_refusal(err, text, sizeof(text)))
		report_add(r, "kernel", "programs", LV_FAIL, "%s", text);
	else if (err)
		report_add(r, "kernel", "programs", LV_FAIL,
			   "the kernel refused lo6relay's programs (%s): 'lo6relay -v doctor' shows "
			   "the verifier's log", strerror(-err));
	else
		report_add(r, "kernel", "programs", LV_OK,
			   "lo6relay's programs pass the verifier (BTF, CO-RE and helpers included)");
}

static void check_btf(struct report *r)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK) == 0)
		report_add(r, "kernel", "btf", LV_OK, "/sys/kernel/btf/vmlinux");
	else
		report_add(r, "kernel", "btf", LV_FAIL,
			   "no /sys/kernel/btf/vmlinux: the V6ONLY check needs kernel BTF "
			   "(CONFIG_DEBUG_INFO_BTF)");
}

static void check_cgroup(struct report *r, char *root, size_t len)
{
	struct stat ns;
	uint64_t id;
	int in_ns;

	if (cgroup2_root(root, len) < 0) {
		root[0] = '\0';
		report_add(r, "kernel", "cgroup2", LV_FAIL,
			   "no cgroup v2 mount in /proc/self/mountinfo: mount -t cgroup2 none "
			   "/sys/fs/cgroup");
		return;
	}
	id = cgroup_id_of(root);
	in_ns = stat("/proc/self/ns/cgroup", &ns) == 0 && ns.st_ino != CGROUP_NS_INIT_INO;
	if (id == CGROUP_ROOT_ID && !in_ns)
		report_add(r, "kernel", "cgroup2", LV_OK, "mounted at %s, the hierarchy's root", root);
	else
		/* A cgroup namespace (a container's, never a WSL distro's) or a
		 * mount of a subtree shows part of the hierarchy: attaching at the
		 * root this process sees covers that part, not the rest. */
		report_add(r, "kernel", "cgroup2", LV_INFO,
			   "mounted at %s, %s (cgroup id %llu): attaching there covers this subtree "
			   "only", root, in_ns ? "inside a cgroup namespace" : "a subtree",
			   (unsigned long long)id);
}

static void check_bpffs(const char *pin_dir, struct report *r)
{
	const char *where = access(pin_dir, F_OK) == 0 ? pin_dir : "/sys/fs/bpf";
	struct statfs st;

	if (statfs(where, &st) == 0 && st.f_type == BPF_FS_MAGIC)
		report_add(r, "kernel", "bpffs", LV_OK, "%s is on bpffs", where);
	else
		report_add(r, "kernel", "bpffs", LV_INFO,
			   "%s is not on bpffs: 'lo6relay start' mounts it at /sys/fs/bpf", where);
}

/* Whether this process's cgroup is at or below CG (both absolute under the mount ROOT). */
static int self_below(const char *root, const char *cg)
{
	char line[PATH_MAX], self[PATH_MAX + 64];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int found = -1;
	size_t n = strlen(cg);

	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(self, sizeof(self), "%s%s", root, strcmp(line + 3, "/") ? line + 3 : "");
			found = strncmp(self, cg, n) == 0 && (self[n] == '/' || self[n] == '\0');
		}
	fclose(f);
	return found;
}

static void check_instance(const char *pin_dir, const char *root, struct doctor_facts *d,
			   struct report *r)
{
	static uint8_t modes[LO6_MAX_PORTS];
	char cgid[48], relay[INET_ADDRSTRLEN], pick[INET_ADDRSTRLEN], linked[200] = "";
	struct attach_state st;
	struct lo6_config cfg = { 0 };
	struct instance in;
	int err = attach_state_read(pin_dir, &st);
	const char *cg;

	if (err == -EACCES || err == -EPERM) {
		report_add(r, "lo6relay", "attached", LV_FAIL,
			   "cannot read the pins at %s (%s): run doctor as root", pin_dir,
			   strerror(-err));
		return;
	}
	if (err < 0 || st.cgroup_id == 0) {
		report_add(r, "lo6relay", "attached", LV_FAIL, "%s at %s: run 'lo6relay start'",
			   err < 0 ? "nothing attached" : "the cgroup it was attached to is gone",
			   pin_dir);
		return;
	}
	snprintf(cgid, sizeof(cgid), "cgroup id %llu", (unsigned long long)st.cgroup_id);
	cg = st.cgroup[0] ? st.cgroup : cgid;
	for (int h = 0; h < NHOOKS; h++)
		if (st.pinned & (1u << h))
			snprintf(linked + strlen(linked), sizeof(linked) - strlen(linked), " %s",
				 hooks[h].name);
	if (instance_open(pin_dir, &in) < 0 || config_read(&in, &cfg) < 0 ||
	    ports_read(&in, modes) < 0) {
		report_add(r, "lo6relay", "attached", LV_FAIL,
			   "a link is pinned at %s but its maps cannot be read: 'lo6relay stop', then "
			   "'lo6relay start'", pin_dir);
		return;
	}
	instance_close(&in);
	d->attached = 1;
	d->relay_be = cfg.relay_ip4 ? cfg.relay_ip4 : htonl(0x7f000001);
	d->cfg_flags = cfg.flags;
	if (d->port)
		d->mode = modes[d->port] != LO6_MODE_OFF ? modes[d->port] : (int)cfg.default_mode;
	inet_ntop(AF_INET, &d->relay_be, relay, sizeof(relay));
	report_add(r, "lo6relay", "attached", LV_OK,
		   "to %s (program id %u), pinned at %s, relay %s, default mode %s", cg,
		   st.link[HOOK_CONNECT6].prog_id,
		   pin_dir, relay, mode_name(cfg.default_mode));
	/* Which hooks are linked depends on start's options: say, do not judge. */
	report_add(r, "lo6relay", "hooks", LV_INFO, "linked:%s", linked);
	if (root[0] && cg[0] == '/' && self_below(root, cg) == 0)
		report_add(r, "lo6relay", "scope", LV_WARN,
			   "this process is outside %s, so its own [::1] probes are not redirected", cg);
	/* As status: the namespace served is the first start's, perhaps not this one. */
	if (!(cfg.lacks & LO6_LACKS_NETNS_COOKIE) && !(cfg.flags & LO6_CFG_ALL_NETNS) &&
	    cfg.netns_cookie && probe_netns_cookie() && cfg.netns_cookie != probe_netns_cookie())
		report_add(r, "lo6relay", "netns", LV_WARN,
			   "it serves another network namespace (cookie %llu) than this one (cookie "
			   "%llu), so [::1] here is left alone: run doctor there",
			   (unsigned long long)cfg.netns_cookie,
			   (unsigned long long)probe_netns_cookie());
	inet_ntop(AF_INET, &d->wsl->relay_be, pick, sizeof(pick));
	if ((d->wsl->mode == WSL_MODE_MIRRORED || d->wsl->mode == WSL_MODE_NAT ||
	     d->wsl->mode == WSL_MODE_CONSOMME) &&
	    d->wsl->relay_ok && d->wsl->relay_be != d->relay_be)
		report_add(r, "lo6relay", "relay", LV_WARN,
			   "relay %s differs from what auto picks here: %s (%s)", relay, pick,
			   d->wsl->relay_why);
	/* Redirected UDP would vanish in loopback0 where Linux refuses it at once. */
	if (d->wsl->tcp_only && d->relay_be == d->wsl->relay_be && !(cfg.flags & LO6_CFG_TCP_ONLY))
		report_add(r, "lo6relay", "udp", LV_WARN,
			   "this instance sends UDP [::1] to %s too, which this mode does "
			   "not carry to Windows: 'lo6relay stop' and 'lo6relay start' "
			   "leave UDP on Linux", relay);
	if (doctor_advise_ipv4_localhost(d))
		report_add(r, "lo6relay", "ipv4-local", LV_INFO,
			   "NAT mode: 'localhost' is 127.0.0.1 in WSL's /etc/hosts and "
			   "reaches only Linux; 'lo6relay start --ipv4-localhost' (config "
			   "'ipv4-localhost = yes') sends 127.0.0.1 to Windows too when no "
			   "Linux server answers, at a cost: a port Windows does not serve, "
			   "or whose firewall drops it, then times out instead of being "
			   "refused at once");
}

void doctor_kernel(const char *pin_dir, struct doctor_facts *d, struct report *r)
{
	char root[PATH_MAX];
	struct kernel_probe pr;

	check_bpf(r, &pr);
	if (!report_find(r, "kernel", LV_FAIL))
		check_programs(r, &pr);
	check_btf(r);
	check_cgroup(r, root, sizeof(root));
	check_bpffs(pin_dir, r);
	check_instance(pin_dir, root, d, r);
}
