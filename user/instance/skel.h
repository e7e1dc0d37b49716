/* SPDX-License-Identifier: MIT */
/*
 * The embedded BPF objects. The test binary (lo6relay-test, never installed)
 * embeds ones built with LO6_TEST_SWITCHES, whose programs honour the
 * tests' switches; the installed lo6relay embeds ones without them.
 *
 * Each comes with a lean twin built with LO6_LEAN: the same maps, programs
 * and read-only data, without the calls to helpers that a loader without
 * CAP_PERFMON may not make (bpf_skc_to_tcp6_sock and _udp6_sock,
 * bpf_get_current_comm). Before 6.18 the verifier checks such calls even in
 * the branches the read-only `lacks` turns off, for such a loader, so the
 * object must not hold them at all.
 */
#ifndef LO6RELAY_SKEL_H
#define LO6RELAY_SKEL_H

#include <errno.h>
#include <lo6relay/abi.h>

#ifdef LO6_TEST_SWITCHES
#include "lo6relay_test.skel.h"
#include "lo6relay_test_lean.skel.h"
#else
#include "lo6relay.skel.h"
#include "lo6relay_lean.skel.h"
#endif

/* What makes start (and doctor) take the lean twin. */
#define LO6_LACKS_LEAN (LO6_LACKS_SOCK_CAST | LO6_LACKS_RINGBUF)

/*
 * lo6relay_bpf__open_opts, with the lean twin's ELF when LEAN: the skeleton
 * (struct lo6relay_bpf) is the same for both.
 */
static inline struct lo6relay_bpf *lo6relay_open(int lean, const struct bpf_object_open_opts *opts)
{
	struct lo6relay_bpf *obj = (struct lo6relay_bpf *)calloc(1, sizeof(*obj));
	int err;

	if (!obj) {
		errno = ENOMEM;
		return NULL;
	}
	err = lo6relay_bpf__create_skeleton(obj);
	if (!err && lean)
		obj->skeleton->data = (void *)lo6relay_lean_bpf__elf_bytes(&obj->skeleton->data_sz);
	if (!err)
		err = bpf_object__open_skeleton(obj->skeleton, opts);
	if (err) {
		lo6relay_bpf__destroy(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}

#endif
