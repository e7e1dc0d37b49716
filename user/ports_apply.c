// SPDX-License-Identifier: MIT
#include "ports_apply.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include <lo6relay/abi.h>

/* The ports of SET, as a key array for a batch update of the `ports` array. */
static uint32_t *keys_of(const struct portset *set, uint32_t *n)
{
	uint32_t *keys = malloc(LO6_MAX_PORTS * sizeof(*keys));

	*n = 0;
	if (!keys)
		return NULL;
	for (uint32_t p = 1; p < LO6_MAX_PORTS; p++)
		if (portset_has(set, p))
			keys[(*n)++] = p;
	return keys;
}

int ports_apply(int ports_fd, const struct portset *set, uint32_t mode)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	struct lo6_port_policy *vals = NULL;
	uint32_t n, count;
	uint32_t *keys = keys_of(set, &n);
	int err = 0;

	vals = calloc(n ? n : 1, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < n; i++)
		vals[i].mode = mode;
	count = n;
	/* One syscall for all 65,535 ports rather than one each. */
	if (n && bpf_map_update_batch(ports_fd, keys, vals, &count, &opts) < 0)
		err = -errno;
out:
	free(keys);
	free(vals);
	return err;
}

int ports_apply_modes(int ports_fd, const uint8_t modes[65536], int exact)
{
	struct portset *set = calloc(1, sizeof(*set));
	int err = 0;

	if (!set)
		return -ENOMEM;
	for (uint32_t m = LO6_MODE_ALWAYS; m <= LO6_MODE_NEVER && !err; m++) {
		memset(set, 0, sizeof(*set));
		for (unsigned p = 1; p < LO6_MAX_PORTS; p++)
			if (modes[p] == m)
				portset_add(set, p);
		err = ports_apply(ports_fd, set, m);
	}
	if (!err && exact) {
		memset(set, 0, sizeof(*set));
		for (unsigned p = 1; p < LO6_MAX_PORTS; p++)
			if (modes[p] == LO6_MODE_OFF)
				portset_add(set, p);
		err = ports_apply(ports_fd, set, LO6_MODE_OFF);
	}
	free(set);
	return err;
}
