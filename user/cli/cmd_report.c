// SPDX-License-Identifier: MIT
/* status and stats: what is attached where, and what it did. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "attach.h"
#include "cgroup.h"
#include "cli.h"
#include "instance.h"
#include "log.h"
#include "port_modes.h"
#include "pins.h"
#include "json.h"
#include "parse.h"
#include "probe.h"
#include "settings.h"

/* The counters in struct order (enum lo6_outcome); names as bpftool shows them. */
static const char *const field_names[] = LO6_OUTCOME_NAMES;
#define NFIELDS (sizeof(field_names) / sizeof(field_names[0]))
_Static_assert(NFIELDS == LO6_NOUTCOMES, "a name for every counter");

static uint64_t field(const struct lo6_port_stats *s, size_t i)
{
	return ((const uint64_t *)s)[i];
}

static void add_stats(uint16_t port, const struct lo6_port_stats *s, void *arg)
{
	uint64_t *total = arg; /* struct lo6_port_stats, as an array of counters */

	(void)port;
	for (size_t i = 0; i < NFIELDS; i++)
		total[i] += field(s, i);
}

static void json_stats(struct json *j, const char *key, const struct lo6_port_stats *s)
{
	json_obj_begin(j, key);
	for (size_t i = 0; i < NFIELDS; i++)
		json_u64(j, field_names[i], field(s, i));
	json_obj_end(j);
}

static void print_row(const char *label, const struct lo6_port_stats *s)
{
	printf("%-7s", label);
	for (size_t i = 0; i < NFIELDS; i++)
		printf(" %*llu", (int)strlen(field_names[i]), (unsigned long long)field(s, i));
	printf("\n");
}

struct stats_ctx {
	const struct opts *o;
	struct json *j;
};

static void emit_port(uint16_t port, const struct lo6_port_stats *s, void *arg)
{
	struct stats_ctx *c = arg;
	char label[8];

	if (c->o->json) {
		json_obj_begin(c->j, NULL);
		json_u64(c->j, "port", port);
		for (size_t i = 0; i < NFIELDS; i++)
			json_u64(c->j, field_names[i], field(s, i));
		json_obj_end(c->j);
	} else {
		snprintf(label, sizeof(label), "%u", port);
		print_row(label, s);
	}
}

int cmd_stats(const struct opts *o)
{
	struct lo6_port_stats total = { 0 };
	struct instance in;
	struct json j;
	struct stats_ctx c = { o, &j };
	int err;

	if (o->argc) {
		errorf("'stats' takes no arguments");
		return EXIT_USAGE;
	}
	if (instance_open(o->pin_dir, &in) < 0)
		return EXIT_FAIL;
	if ((err = stats_for_each(&in, add_stats, &total)) < 0) {
		errorf("cannot read the counters: %s", strerror(-err));
		instance_close(&in);
		return EXIT_FAIL;
	}
	if (o->json) {
		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_arr_begin(&j, "ports");
	} else {
		printf("%-7s", "PORT");
		for (size_t i = 0; i < NFIELDS; i++)
			printf(" %s", field_names[i]);
		printf("\n");
	}
	stats_for_each(&in, emit_port, &c);
	if (o->json) {
		json_arr_end(&j);
		json_stats(&j, "total", &total);
		json_obj_end(&j);
		json_finish(&j);
	} else {
		print_row("TOTAL", &total);
	}
	instance_close(&in);
	return EXIT_OK;
}

static size_t count_allowed(const struct instance *in)
{
	static uint8_t modes[LO6_MAX_PORTS];

	return ports_read(in, modes) < 0 ? 0 : port_modes_allowed(modes);
}

/* connect4 and its reverse hooks are wanted for 127/8 (--loopback4) or 127.0.0.1. */
static int v4_hooks_of(const struct lo6_config *cfg)
{
	return !!(cfg->flags & (LO6_CFG_LOOPBACK4 | LO6_CFG_IPV4_LOCALHOST));
}

/* Space-separated names of the hooks with a live link, and of those without. */
static void hooks_list(uint32_t live_mask, const struct lo6_config *cfg, char *live, char *missing,
		       size_t len)
{
	enum hook order[NHOOKS];

	/* A reverse hook the kernel lacks is missing; connect4 without marks is not wanted. */
	int marks_asked = !(cfg->flags & LO6_CFG_SHOW_RELAY) && !LO6_CFG_HELD_OF(cfg->flags);
	int loopback4 = v4_hooks_of(cfg);
	int marks = marks_asked && !(cfg->lacks & LO6_LACKS_SK_STORAGE);

	hook_order(0, order);
	for (size_t i = 0; i < NHOOKS; i++) {
		int up = !!(live_mask & (1u << order[i]));
		char *out = up ? live : missing;

		/* Missing only when asked for: the v4 hooks by --loopback4, the reverse ones unless --show-relay. */
		if (!up && !hook_wanted(order[i], loopback4,
					hooks[order[i]].reverse ? marks_asked : marks))
			continue;
		snprintf(out + strlen(out), len - strlen(out), "%s%s", *out ? " " : "",
			 hooks[order[i]].name);
	}
}

static void not_attached(const struct opts *o, const char *why)
{
	struct json j;

	if (o->json) {
		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_bool(&j, "attached", 0);
		json_str(&j, "pin_dir", o->pin_dir);
		json_str(&j, "reason", why);
		json_obj_end(&j);
		json_finish(&j);
	} else {
		printf("lo6relay: not attached: %s\n", why);
	}
}

/*
 * Why connect6 does not redirect, read from the links: a stop killed after
 * it took connect6 away (it goes first) leaves the other hooks attached to
 * a cgroup that is far from gone. A detached link and one whose cgroup was
 * removed both report cgroup 0, so that case names both.
 */
static void not_redirecting(const struct opts *o, const struct attach_state *st)
{
	uint32_t others = st->live & ~(1u << HOOK_CONNECT6);
	char names[128], where[PATH_MAX] = "", root[PATH_MAX], why[PATH_MAX + 256];
	uint64_t id = 0;
	int found = 0;

	for (int h = 0; h < NHOOKS && !id; h++)
		if (others & (1u << h))
			id = st->link[h].cgroup_id;
	if (others) {
		if (cgroup2_root(root, sizeof(root)) == 0)
			cgroup_find_ids(root, &id, 1, &found, where, sizeof(where));
		if (!found)
			snprintf(where, sizeof(where), "cgroup id %llu", (unsigned long long)id);
		snprintf(why, sizeof(why),
			 "connect6 is not, while %s still %s, on %s: a stop or start did not "
			 "finish (run 'lo6relay stop' to take them away, then 'lo6relay start')",
			 hook_names(others, 1, names, sizeof(names)),
			 __builtin_popcount(others) == 1 ? "is" : "are", where);
	} else if (st->err == 0) {
		snprintf(why, sizeof(why),
			 "connect6's link is on no cgroup: the cgroup it was attached to is gone, "
			 "or a stop did not finish (run 'lo6relay stop', then 'lo6relay start')");
	} else {
		snprintf(why, sizeof(why),
			 "no link pinned at the pin folder (run 'lo6relay start')");
	}
	not_attached(o, why);
}

int cmd_status(const struct opts *o)
{
	struct lo6_port_stats total = { 0 };
	char cgid[48], relay[INET_ADDRSTRLEN];
	const char *cgpath;
	struct attach_state st;
	const struct link_state *ls = &st.link[HOOK_CONNECT6];
	struct lo6_config cfg = { 0 };
	struct instance in;
	struct json j;
	size_t allowed;
	uint64_t skipped = 0;
	int ipv4_localhost;
	char live[128] = "", missing[128] = "", why[256] = "", lack_names[128], absent[128];
	char held[128];
	uint32_t auto_now = 0;
	uint64_t here;
	int netns_here;

	if (o->argc) {
		errorf("'status' takes no arguments");
		return EXIT_USAGE;
	}
	if (attach_state_read(o->pin_dir, &st) < 0 || st.cgroup_id == 0) {
		not_redirecting(o, &st);
		return EXIT_NOT_RUNNING;
	}
	snprintf(cgid, sizeof(cgid), "(cgroup id %llu)", (unsigned long long)st.cgroup_id);
	cgpath = st.cgroup[0] ? st.cgroup : cgid;
	if (instance_open(o->pin_dir, &in) < 0)
		return EXIT_FAIL;
	config_read(&in, &cfg);
	allowed = count_allowed(&in);
	stats_for_each(&in, add_stats, &total);
	instance_close(&in);
	inet_ntop(AF_INET, &cfg.relay_ip4, relay, sizeof(relay));
	/* Where the relay is 127.0.0.1 the flag changes nothing: say so by not listing it. */
	ipv4_localhost = (cfg.flags & LO6_CFG_IPV4_LOCALHOST) && cfg.relay_ip4 != htonl(INADDR_LOOPBACK);
	/* Say why auto picked it, as it would now: the evidence may have changed. */
	if (cfg.flags & LO6_CFG_RELAY_AUTO && relay_auto_resolve(&auto_now, why, sizeof(why)) < 0)
		auto_now = 0;
	/* The outcomes between redirected and the via_* breakdown are the skips. */
	for (size_t i = LO6_REDIRECTED + 1; i < LO6_VIA_127; i++)
		skipped += field(&total, i);
	hooks_list(st.live, &cfg, live, missing, sizeof(live));
	/* Asked from another namespace than the one served, say so, not "the loader's". */
	here = probe_netns_cookie();
	netns_here = !cfg.netns_cookie || !here || cfg.netns_cookie == here;
	probe_lack_names(cfg.lacks, lack_names, sizeof(lack_names));
	hook_names(cfg.hooks_absent, v4_hooks_of(&cfg), absent, sizeof(absent));

	if (o->json) {
		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_bool(&j, "attached", 1);
		json_str(&j, "cgroup", cgpath);
		json_u64(&j, "cgroup_id", st.cgroup_id);
		json_str(&j, "pin_dir", o->pin_dir);
		json_u64(&j, "prog_id", ls->prog_id);
		json_u64(&j, "link_id", ls->link_id);
		json_str(&j, "hooks", live);
		json_str(&j, "hooks_missing", missing);
		json_str(&j, "kernel_lacks", lack_names);
		json_str(&j, "kernel_hooks_absent", absent);
		json_str(&j, "relay", relay);
		json_bool(&j, "relay_auto", !!(cfg.flags & LO6_CFG_RELAY_AUTO));
		if (cfg.flags & LO6_CFG_RELAY_AUTO)
			json_str(&j, "relay_why", why);
		json_bool(&j, "all_netns", !!(cfg.flags & LO6_CFG_ALL_NETNS));
		json_bool(&j, "loopback4", !!(cfg.flags & LO6_CFG_LOOPBACK4));
		json_bool(&j, "ipv4_localhost", ipv4_localhost);
		json_bool(&j, "tcp_only", !!(cfg.flags & LO6_CFG_TCP_ONLY));
		json_bool(&j, "show_relay", !!(cfg.flags & LO6_CFG_SHOW_RELAY));
		json_str(&j, "hooks_held",
			 hook_names(LO6_CFG_HELD_OF(cfg.flags), 1, held, sizeof(held)));
		json_u64(&j, "netns_cookie", cfg.netns_cookie);
		json_bool(&j, "netns_served_here",
			  netns_here || (cfg.flags & LO6_CFG_ALL_NETNS) ||
				  (cfg.lacks & LO6_LACKS_NETNS_COOKIE));
		json_str(&j, "default_mode", mode_name(cfg.default_mode));
		json_u64(&j, "ports_allowed", allowed);
		json_stats(&j, "total", &total);
		json_obj_end(&j);
		json_finish(&j);
		return EXIT_OK;
	}
	printf("lo6relay: attached\n");
	printf("  cgroup     %s\n", cgpath);
	printf("  pin dir    %s\n", o->pin_dir);
	printf("  program    id %u (cgroup/connect6), link id %u\n", ls->prog_id, ls->link_id);
	printf("  hooks      %s%s%s\n", live, *missing ? "; not attached: " : "", missing);
	if (absent[0])
		printf("  kernel     has no cgroup hook for %s\n", absent);
	for (uint32_t bit = 1, first = 1; bit & LO6_LACKS_ALL; bit <<= 1)
		if (cfg.lacks & bit) {
			printf("  %-10s lacks %s\n", first ? "kernel" : "", probe_lack_cost(bit));
			first = 0;
		}
	printf("  relay      [::1]:PORT%s%s -> %s:PORT%s\n",
	       ipv4_localhost ? ", 127.0.0.1:PORT" : "",
	       cfg.flags & LO6_CFG_LOOPBACK4 ? ", 127.x.y.z:PORT, [::ffff:127.x.y.z]:PORT" : "",
	       relay,
	       /* Set for Consomme, and for a loopback0 that may be Consomme's. */
	       cfg.flags & LO6_CFG_TCP_ONLY ? " (TCP only: UDP stays on Linux; doctor says why)" : "");
	if (cfg.flags & LO6_CFG_SHOW_RELAY)
		printf("             clients see the relay address, not [::1] (--show-relay)\n");
	else if (LO6_CFG_HELD_OF(cfg.flags))
		printf("             clients see the relay address, not [::1]: another program held "
		       "%s at start\n",
		       hook_names(LO6_CFG_HELD_OF(cfg.flags), 1, held, sizeof(held)));
	if (cfg.flags & LO6_CFG_RELAY_AUTO)
		printf("             picked by auto: %s%s\n", why,
		       auto_now != cfg.relay_ip4 ? " (it would pick another now: run 'lo6relay reload')"
						 : "");
	if (cfg.lacks & LO6_LACKS_NETNS_COOKIE)
		printf("  netns      all namespaces (the kernel cannot tell them apart)\n");
	else if (cfg.flags & LO6_CFG_ALL_NETNS)
		printf("  netns      all namespaces\n");
	else if (netns_here)
		printf("  netns      the loader's namespace only\n");
	else
		printf("  netns      another namespace only (cookie %llu), not this one "
		       "(cookie %llu): [::1] here is left alone\n",
		       (unsigned long long)cfg.netns_cookie, (unsigned long long)here);
	printf("  ports      %zu allowed, default %s\n", allowed, mode_name(cfg.default_mode));
	printf("  totals     %llu redirected, %llu skipped\n",
	       (unsigned long long)total.redirected, (unsigned long long)skipped);
	return EXIT_OK;
}
