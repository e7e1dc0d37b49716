// SPDX-License-Identifier: MIT
#include "instance.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "port_modes.h"

#define LO6_HOOK_ROW(id, name_, v4_, reverse_, type_)                                      \
	[HOOK_##id] = { .name = #name_, .v4 = (v4_), .reverse = (reverse_), .type = (type_), \
			.link = LO6_LINK_##id, .prog = "lo6_" #name_ },
const struct hook_info hooks[NHOOKS] = { LO6_HOOKS(LO6_HOOK_ROW) };
#undef LO6_HOOK_ROW

void hook_order(int connects_first, enum hook out[NHOOKS])
{
	int n = 0;

	/* Ranks 0-3, and within a rank the table's order. */
	for (int rank = 0; rank < 4; rank++)
		for (int h = 0; h < NHOOKS; h++)
			if ((connects_first ? hooks[h].reverse * 2 + hooks[h].v4
					    : hooks[h].v4 * 2 + hooks[h].reverse) == rank)
				out[n++] = (enum hook)h;
}

int hook_wanted(enum hook hook, int loopback4, int marks)
{
	if (hooks[hook].reverse && !marks)
		return 0;
	/*
	 * connect4 also clears the mark of an IPv6 socket that connects to an
	 * IPv4 address (glibc's getaddrinfo reuses one UDP socket for [::1] and
	 * 127.0.0.1): a stale mark would make getsockname6 say ::1 of a
	 * v4-mapped source, and glibc aborts on that.
	 */
	if (hooks[hook].v4 && !loopback4)
		return hook == HOOK_CONNECT4 && marks;
	return 1;
}

char *hook_names(uint32_t mask, int loopback4, char *out, size_t len)
{
	out[0] = '\0';
	for (int h = 0; h < NHOOKS; h++)
		if ((mask & (1u << h)) && (loopback4 || !hooks[h].v4))
			snprintf(out + strlen(out), len - strlen(out), "%s%s", *out ? " " : "",
				 hooks[h].name);
	return out;
}

int config_read(const struct instance *in, struct lo6_config *cfg)
{
	uint32_t key = 0;

	return bpf_map_lookup_elem(in->config_fd, &key, cfg) ? -errno : 0;
}

int config_write(const struct instance *in, const struct lo6_config *cfg)
{
	uint32_t key = 0;

	return bpf_map_update_elem(in->config_fd, &key, cfg, BPF_ANY) ? -errno : 0;
}

int ports_read(const struct instance *in, uint8_t modes[LO6_MAX_PORTS])
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t *keys = calloc(LO6_MAX_PORTS, sizeof(*keys)), out = 0, count = LO6_MAX_PORTS;
	struct lo6_port_policy *pol = calloc(LO6_MAX_PORTS, sizeof(*pol));
	int err = 0;

	memset(modes, 0, LO6_MAX_PORTS);
	if (!keys || !pol) {
		err = -ENOMEM;
		goto out;
	}
	/* The whole array in one syscall; it ends with ENOENT once past the last entry. */
	if (bpf_map_lookup_batch(in->ports_fd, NULL, &out, keys, pol, &count, &opts) < 0 &&
	    errno != ENOENT) {
		err = -errno;
		goto out;
	}
	for (uint32_t i = 0; i < count; i++)
		if (keys[i] < LO6_MAX_PORTS)
			modes[keys[i]] = (uint8_t)pol[i].mode;
out:
	free(keys);
	free(pol);
	return err;
}

int ports_write(const struct instance *in, const uint8_t now[LO6_MAX_PORTS],
		const uint8_t want[LO6_MAX_PORTS])
{
	static const enum lo6_mode order[] = { LO6_MODE_ALWAYS, LO6_MODE_AUTO, LO6_MODE_NEVER,
					       LO6_MODE_OFF };
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	uint32_t *keys = malloc(LO6_MAX_PORTS * sizeof(*keys)), n;
	struct lo6_port_policy *vals = malloc(LO6_MAX_PORTS * sizeof(*vals));
	int err = 0;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && !err; i++) {
		n = port_modes_changes(now, want, order[i], keys);
		for (uint32_t k = 0; k < n; k++)
			vals[k].mode = order[i];
		/* One syscall for up to 65,535 ports rather than one each. */
		if (n && bpf_map_update_batch(in->ports_fd, keys, vals, &n, &opts) < 0)
			err = -errno;
	}
out:
	free(keys);
	free(vals);
	return err;
}

/* The map's port modes in NOW, edited into WANT: SET to MODE, or MODES (all of it with EXACT). */
static int ports_edit(const struct instance *in, const struct portset *set, enum lo6_mode mode,
		      const uint8_t *modes, int exact)
{
	uint8_t *now = malloc(2 * LO6_MAX_PORTS), *want;
	int err;

	if (!now)
		return -ENOMEM;
	want = now + LO6_MAX_PORTS;
	if ((err = ports_read(in, now)) == 0) {
		memcpy(want, exact ? modes : now, LO6_MAX_PORTS);
		if (set)
			port_modes_set(want, set, mode);
		else if (!exact)
			port_modes_merge(want, modes);
		err = ports_write(in, now, want);
	}
	free(now);
	return err;
}

int ports_apply_set(const struct instance *in, const struct portset *set, enum lo6_mode mode)
{
	return ports_edit(in, set, mode, NULL, 0);
}

int ports_apply(const struct instance *in, const uint8_t modes[LO6_MAX_PORTS], int exact)
{
	return ports_edit(in, NULL, LO6_MODE_OFF, modes, exact);
}

int stats_for_each(const struct instance *in,
		   void (*fn)(uint16_t port, const struct lo6_port_stats *s, void *arg), void *arg)
{
	struct lo6_port_stats *all = calloc(LO6_MAX_PORTS, sizeof(*all));
	uint8_t *seen = calloc(LO6_MAX_PORTS, 1);
	uint16_t key, next;
	void *prev = NULL;
	int err = 0;

	if (!all || !seen) {
		err = -ENOMEM;
		goto out;
	}
	/* Collect first: hash order is not port order. */
	while (bpf_map_get_next_key(in->stats_fd, prev, &next) == 0) {
		if (bpf_map_lookup_elem(in->stats_fd, &next, &all[next]) == 0)
			seen[next] = 1;
		key = next;
		prev = &key;
	}
	if (errno != ENOENT) {
		err = -errno;
		goto out;
	}
	for (unsigned p = 0; p < LO6_MAX_PORTS; p++)
		if (seen[p])
			fn((uint16_t)p, &all[p], arg);
out:
	free(all);
	free(seen);
	return err;
}
