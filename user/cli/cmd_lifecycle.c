// SPDX-License-Identifier: MIT
/*
 * start and stop: the skeleton's life. start checks what it was given, then
 * prepares (the pin folder, locked), loads (the programs; the maps reused or
 * pinned), configures (the allowlist of a new instance, then the config) and
 * attaches, pinning connect6's link last: a failure before that leaves no
 * program attached, and the clean-up takes away exactly what this run made.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "attach.h"
#include "cgroup.h"
#include "cli.h"
#include "faults.h"
#include "instance.h"
#include "loader.h"
#include "log.h"
#include "parse.h"
#include "pins.h"
#include "port_modes.h"
#include "probe.h"
#include "settings.h"
#include "skel.h"

/*
 * Says what this kernel cannot do, and checks it can do the one thing that
 * matters: connect6. 0 to go on, -1 (said why) to stop.
 */
static int kernel_fits(const struct kernel_probe *pr, int loopback4)
{
	char text[512], names[128];

	if (pr->bpf_errno) {
		errorf("%s", probe_refusal(pr, text, sizeof(text)));
		return -1;
	}
	if (pr->hooks_absent & (1u << HOOK_CONNECT6)) {
		errorf("this kernel has no cgroup connect6 hook for BPF programs (Linux 4.17 and "
		       "later have it, with CONFIG_CGROUP_BPF): lo6relay cannot work here");
		return -1;
	}
	if (hook_names(pr->hooks_absent, loopback4, names, sizeof(names))[0])
		warnf("this kernel has no cgroup hook%s for: %s; the rest is installed",
		      strchr(names, ' ') ? "s" : "", names);
	if (pr->lacks)
		warnf("this kernel lacks %s", probe_lacks_text(pr->lacks, text, sizeof(text)));
	return 0;
}

/*
 * The config map: the settings step reload shares (the relay from --relay
 * or the file, else what a running instance had, else auto's pick; the
 * default mode from the file, else kept), then the kernel's facts and the
 * options only start takes. 1 when this start picked the relay (its
 * reason is worth saying); -1 after one sentence when it cannot.
 */
static int make_config(const struct opts *o, const struct settings *s, const struct kernel_probe *pr,
		       const struct instance *in, int configured, int replacing,
		       struct lo6_config *cfg)
{
	int picked;

	memset(cfg, 0, sizeof(*cfg));
	if (configured)
		config_read(in, cfg);
	picked = settings_merge(s, cfg, s->relay_given || !configured);
	if (picked < 0)
		return -1;
	/* A running instance keeps its namespace (start_same_netns); a new one takes this one. */
	if (!replacing || !cfg->netns_cookie)
		cfg->netns_cookie = pr->netns_cookie;
	cfg->lacks = pr->lacks;
	cfg->hooks_absent = pr->hooks_absent;
	cfg->flags &= ~(LO6_CFG_ALL_NETNS | LO6_CFG_LOOPBACK4 | LO6_CFG_SHOW_RELAY |
			LO6_CFG_IPV4_LOCALHOST | LO6_CFG_HELD(0xff));
	cfg->flags |= (o->all_netns ? LO6_CFG_ALL_NETNS : 0) | (o->loopback4 ? LO6_CFG_LOOPBACK4 : 0) |
		      (o->show_relay ? LO6_CFG_SHOW_RELAY : 0) |
		      (s->ipv4_localhost ? LO6_CFG_IPV4_LOCALHOST : 0);
	cfg->abi_version = LO6_ABI_VERSION;
	return picked;
}

/*
 * Where start attaches without --cgroup: the cgroup v2 root, or, where WSL
 * gives each distro a cgroup of its own (wsl2.isolateDistroCgroup), ROOT/
 * wsl-user, which holds every distro's processes while WSL's own (its
 * Windows-to-Linux localhost relay among them) stay at the root: every
 * distro is covered, and WSL's own connects are never redirected.
 */
static void default_cgroup(const char *root, char *out, size_t len)
{
	struct stat sb;

	if (snprintf(out, len, "%.4000s/wsl-user", root) < (int)len && stat(out, &sb) == 0 &&
	    S_ISDIR(sb.st_mode))
		return;
	snprintf(out, len, "%s", root);
}

/* The cgroup v2 mount, or in the tests' build a folder standing for it. */
static int cgroup_root(char *out, size_t len)
{
#ifdef LO6_TEST_SWITCHES
	const char *root = getenv("LO6RELAY_TEST_CGROUP_ROOT");

	if (root) {
		snprintf(out, len, "%s", root);
		return 0;
	}
#endif
	return cgroup2_root(out, len);
}

/*
 * Where --cgroup points, or the default. Attaching to anything but a
 * cgroup v2 folder fails with EBADF only after the program is loaded, so
 * say first what the folder is and what to pass instead.
 */
static int start_cgroup(const struct opts *o, char *cgroup, size_t len)
{
	char root[PATH_MAX], instead[PATH_MAX + 64];
	struct statfs fs;

	if (cgroup_root(root, sizeof(root)) < 0)
		root[0] = '\0';
	if (!o->cgroup) {
		if (!root[0]) {
			errorf("no cgroup v2 filesystem is mounted (none in /proc/self/mountinfo): "
			       "mount one with 'mount -t cgroup2 none /sys/fs/cgroup' or pass "
			       "--cgroup DIR");
			return -1;
		}
		default_cgroup(root, cgroup, len);
		return 0;
	}
	snprintf(cgroup, len, "%s", o->cgroup);
	if (statfs(cgroup, &fs) < 0) {
		errorf("cannot open cgroup %.200s: %s", cgroup, strerror(errno));
		return -1;
	}
	if (fs.f_type == CGROUP2_SUPER_MAGIC)
		return 0;
	if (root[0])
		snprintf(instead, sizeof(instead), "pass the cgroup v2 mount %.200s or a folder in it",
			 root);
	else
		snprintf(instead, sizeof(instead),
			 "mount one with 'mount -t cgroup2 none /sys/fs/cgroup' and pass it");
	errorf("%.200s is %s, and lo6relay attaches only to cgroup v2: %s", cgroup,
	       fs.f_type == CGROUP_SUPER_MAGIC ? "a cgroup v1 hierarchy" : "not a cgroup folder",
	       instead);
	return -1;
}

/* One start's state: each step reads what the steps before it left. */
struct start {
	const struct opts *o;
	struct settings *set;
	char cgroup[PATH_MAX];
	int cgfd;
	int created_dir; /* this run made the pin folder */
	int fresh;       /* no map was pinned before this run: clean-up takes them all */
	int replacing;   /* a live instance is here: swap its programs in place */
	struct attach_state old; /* how the pins say it is attached before this run */
	struct lo6relay_bpf *skel;
	struct bpf_program *progs[NHOOKS]; /* what to attach, NULL where not loaded */
	struct kernel_probe pr;
	struct instance in;
	struct lo6_config cfg;
	int relay_picked; /* this start chose the relay, rather than keep a running one's */
	uint32_t held;    /* 1 << enum hook: held by another program, so no marks */
	struct holder holder; /* the first of them found, */
	enum hook holder_hook; /* ... on this hook */
};

/* connect4 and its reverse hooks: wanted for 127/8 (--loopback4) or 127.0.0.1 itself. */
static int v4_hooks(const struct start *st)
{
	return st->o->loopback4 || st->set->ipv4_localhost;
}

/* Everything the user typed or wrote is checked before anything is touched. */
static int start_check(struct start *st)
{
	const struct opts *o = st->o;
	char perr[256];
	int ret;

	if (o->argc) {
		errorf("'start' takes no arguments, not '%.64s' (ports go in --ports)", o->argv[0]);
		return EXIT_USAGE;
	}
	if ((ret = settings_load(o, st->set)) != 0)
		return ret;
	if (!st->set->ports_given) {
		memset(st->set->file.modes, 0, sizeof(st->set->file.modes));
		port_modes_parse(st->set->file.modes, LO6_DEFAULT_PORTS, LO6_MODE_AUTO, perr,
				 sizeof(perr));
	}
	if (start_cgroup(o, st->cgroup, sizeof(st->cgroup)) < 0)
		return EXIT_FAIL;
	st->cgfd = open(st->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->cgfd < 0) {
		errorf("cannot open cgroup %.200s: %s", st->cgroup, strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/*
 * Prepare: the pin folder made and locked, and what it holds judged: only
 * pins of this ABI, attached to the same cgroup if at all, are taken over.
 */
static int start_prepare(struct start *st)
{
	const char *dir = st->o->pin_dir;

	if (pins_make(dir, &st->created_dir) < 0)
		return -1;
	fault_point(STEP_BPFFS);
	st->fresh = 1;
	for (int m = 0; m < NPIN_MAPS; m++)
		st->fresh &= !pins_map_exists(dir, (enum pin_map)m);
	if (pins_abi_check(dir) < 0)
		return -1;
	st->replacing = attach_state_read(dir, &st->old) == 0 && st->old.cgroup_id != 0;
	if (st->replacing && st->old.cgroup_id != cgroup_id_of(st->cgroup)) {
		errorf("an instance pinned at %s is attached to another cgroup (id %llu): run "
		       "'lo6relay stop --pin-dir %s' first, or use another --pin-dir",
		       dir, (unsigned long long)st->old.cgroup_id, dir);
		return -1;
	}
	return 0;
}

/*
 * Before loading, since marks or none is decided at load: a hook another
 * program holds (attached without BPF_F_ALLOW_MULTI) would fail to attach,
 * and the hooks must stay safe together. Without connect6 nothing works,
 * and without connect4 --loopback4 and --ipv4-localhost do not: refuse.
 * Without connect4 where it only clears marks, or a reverse hook, the set
 * goes without marks (as --show-relay): a mark nothing clears outlives its
 * [::1] connect and glibc's getaddrinfo aborts on what getsockname6 makes
 * of it, and one reverse hook short, a client sees the relay through one
 * call and [::1] through another. A hook already ours is never held.
 */
static int start_holders(struct start *st)
{
	enum hook order[NHOOKS];
	int marks = !st->o->show_relay && !(st->pr.lacks & LO6_LACKS_SK_STORAGE);
	char text[PATH_MAX * 2 + 256];
	struct holder h;

	hook_order(1, order);
	for (size_t i = 0; i < NHOOKS; i++) {
		enum hook hook = order[i];

		if ((st->pr.hooks_absent | st->old.live) & (1u << hook) ||
		    (hook != HOOK_CONNECT6 && !hook_wanted(hook, v4_hooks(st), marks)) ||
		    !hook_holder(st->cgfd, st->cgroup, hook, &h))
			continue;
		if (hook == HOOK_CONNECT6 || (hook == HOOK_CONNECT4 && v4_hooks(st))) {
			errorf("cannot attach %s on cgroup %s%s: %s", hooks[hook].name, st->cgroup,
			       hook == HOOK_CONNECT4 ? ", which --loopback4 and --ipv4-localhost "
						       "need"
						     : "",
			       holder_text(hook, &h, text, sizeof(text)));
			return -1;
		}
		if (!st->held) {
			st->holder = h;
			st->holder_hook = hook;
		}
		st->held |= 1u << hook;
	}
	return 0;
}

/* Load: the programs this kernel can run; the maps created and pinned, or reused. */
static int start_load(struct start *st)
{
	/* The probe picks the object; its notes come after the pins are judged. */
	probe_kernel(&st->pr);
	st->skel = loader_open(&st->pr, st->o->pin_dir);
	if (!st->skel) {
		errorf("cannot open the embedded BPF object: %s", strerror(errno));
		return -1;
	}
	if (pins_layout_check(st->o->pin_dir, st->skel->obj) < 0)
		return -1;
	if (kernel_fits(&st->pr, v4_hooks(st)) < 0)
		return -1;
#ifdef LO6_TEST_SWITCHES
	if (getenv("LO6RELAY_TEST_VERIFIER_REJECT"))
		st->skel->rodata->test_reject = 1;
#endif
	if (start_holders(st) < 0)
		return -1;
	loader_fit(&st->pr, st->skel, v4_hooks(st), !st->o->show_relay && !st->held, st->progs);
	if (loader_load(st->skel) < 0)
		return -1;
	fault_point(STEP_LOADED);
	return instance_open(st->o->pin_dir, &st->in);
}

/*
 * A second start keeps the network namespace a running instance serves:
 * one from another namespace would move it there, and the first one's
 * [::1] clients would lose the relay without a word. --all-netns serves
 * both, and keeps the cookie for a later start without it.
 */
static int start_same_netns(const struct start *st)
{
	uint64_t had = st->cfg.netns_cookie, here = st->pr.netns_cookie;

	if (!had || !here || had == here || st->o->all_netns)
		return 0;
	errorf("the instance pinned at %s serves another network namespace (cookie %llu; this "
	       "one's is %llu), which a start from here would take it from: run start in that "
	       "namespace, add --all-netns to serve every namespace, or run 'lo6relay stop "
	       "--pin-dir %s' first to move it here",
	       st->o->pin_dir, (unsigned long long)had, (unsigned long long)here, st->o->pin_dir);
	return -1;
}

/*
 * Configure: a new instance gets its allowlist, then the config. The config
 * is written last: until it is, the instance is new, even if a start killed
 * midway left its maps pinned, and gets the allowlist.
 */
static int start_configure(struct start *st)
{
	int configured, err;

	configured = config_read(&st->in, &st->cfg) == 0 && st->cfg.abi_version != 0;
	if (configured && st->replacing && start_same_netns(st) < 0)
		return -1;
	if (!configured && (err = ports_apply(&st->in, st->set->file.modes, 0)) < 0) {
		errorf("cannot fill the ports map: %s", strerror(-err));
		return -1;
	}
	if (configured && st->set->ports_given)
		remarkf("the allowlist applies to a new instance only; this one keeps its own (change "
			"it with allow, deny or reload)");
	fault_point(STEP_PORTS);
	st->relay_picked = make_config(st->o, st->set, &st->pr, &st->in, configured,
				       configured && st->replacing, &st->cfg);
	if (st->relay_picked < 0)
		return -1;
	st->cfg.flags |= LO6_CFG_HELD(st->held);
	if ((err = config_write(&st->in, &st->cfg)) < 0) {
		errorf("cannot write the config map: %s", strerror(-err));
		return -1;
	}
	fault_point(STEP_CONFIG);
	return 0;
}

/* Attach: each hook's link made and pinned, or its program swapped in; connect6 last. */
static int start_attach(struct start *st)
{
	const struct settings *set = st->set;
	struct attach_result attached;
	char relay[INET_ADDRSTRLEN];
	int auto_why;

	/*
	 * Marks off (--show-relay, or no socket storage): from the first hook
	 * swapped below nothing clears the old instance's marks, so they must
	 * not outlive it into a later start that reads marks again, even if
	 * this one fails midway. The old programs keep the map while they run.
	 */
	if (st->skel->rodata->lacks & LO6_LACKS_SK_STORAGE)
		pins_map_unpin(st->o->pin_dir, PIN_MARKS);
	if (attach_all(st->o->pin_dir, st->cgfd, st->cgroup, st->progs, &st->old, &attached) < 0)
		return -1;
	inet_ntop(AF_INET, &st->cfg.relay_ip4, relay, sizeof(relay));
	auto_why = st->relay_picked && set->relay_auto;
	notef("%s on %s, pinned at %s, relay %s%s%s%s",
	      st->replacing ? "program replaced" : "attached", st->cgroup, st->o->pin_dir, relay,
	      auto_why ? " (auto: " : "", auto_why ? set->relay_why : "", auto_why ? ")" : "");
	if ((st->cfg.flags & LO6_CFG_IPV4_LOCALHOST) && st->cfg.relay_ip4 == htonl(INADDR_LOOPBACK))
		notef("note: --ipv4-localhost changes nothing while the relay is 127.0.0.1, where "
		      "127.0.0.1 already goes (mirrored and Consomme mode)");
	if (st->cfg.flags & LO6_CFG_TCP_ONLY)
		notef("note: this WSL mode (Consomme) carries TCP only: UDP to [::1] stays on Linux");
	if (st->held) {
		char text[PATH_MAX * 2 + 256], names[128];

		notef("note: started without socket marks, so clients see the relay address instead "
		      "of [::1] (as with --show-relay), since %s; with %s free, run start again",
		      holder_text(st->holder_hook, &st->holder, text, sizeof(text)),
		      hook_names(st->held, 1, names, sizeof(names)));
	}
	return 0;
}

/* After a failed step: take away only what this run made; a reused instance keeps its maps. */
static void start_undo(const struct start *st)
{
	if (!st->fresh)
		return;
	pins_maps_unpin(st->o->pin_dir);
	if (st->created_dir)
		pins_remove_folder(st->o->pin_dir);
}

int cmd_start(const struct opts *o)
{
	struct start st = { .o = o, .cgfd = -1, .in = { -1, -1, -1 } };
	int ret;

	st.set = calloc(1, sizeof(*st.set));
	if (!st.set)
		return EXIT_FAIL;
	ret = start_check(&st);
	if (ret == EXIT_OK) {
		if (start_prepare(&st) == 0 && start_load(&st) == 0 && start_configure(&st) == 0 &&
		    start_attach(&st) == 0) {
			ret = EXIT_OK;
		} else {
			start_undo(&st);
			ret = EXIT_FAIL;
		}
	}
	instance_close(&st.in);
	lo6relay_bpf__destroy(st.skel);
	if (st.cgfd >= 0)
		close(st.cgfd);
	free(st.set);
	return ret; /* the pin folder's lock goes with the process */
}

int cmd_stop(const struct opts *o)
{
	int found;

	if (o->argc) {
		errorf("'stop' takes no arguments, not '%.64s'", o->argv[0]);
		return EXIT_USAGE;
	}
	fault_point(STEP_STOP_ENTERED);
	if (!pins_locked()) {
		/* No folder when stop looked: one there now is a start's, halfway made. */
		notef("not running at %s: nothing to stop", o->pin_dir);
		return EXIT_OK;
	}
	found = pins_unpin_all(o->pin_dir); /* links first, then the maps */
	fault_point(STEP_STOP_MAPS);
	if (!found) {
		/* A stop killed after its last unpin left the folder: finish the job. */
		notef("not running at %s: nothing to stop%s", o->pin_dir,
		      pins_remove_folder(o->pin_dir) == 0 ? " (its empty folder removed)" : "");
		return EXIT_OK;
	}
	if (pins_remove_folder(o->pin_dir) < 0 && errno != ENOENT) {
		errorf("stopped, but the pin folder %s was left: %s (it holds pins lo6relay did "
		       "not make)",
		       o->pin_dir, strerror(errno));
		return EXIT_FAIL;
	}
	notef("stopped, %s removed", o->pin_dir);
	return EXIT_OK;
}
