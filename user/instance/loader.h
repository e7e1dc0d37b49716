/* SPDX-License-Identifier: MIT */
/*
 * The embedded BPF object's life up to attaching: the full or lean twin
 * opened for what the probe found, fitted to the kernel by the hook table
 * (instance.h), loaded, and a refusal explained. attach.c attaches what it
 * leaves in PROGS.
 */
#ifndef LO6RELAY_LOADER_H
#define LO6RELAY_LOADER_H

#include "instance.h"
#include "probe.h"

struct bpf_program;
struct lo6relay_bpf;

/*
 * The object P calls for: the lean twin (skel.h) when it lacks what only a
 * loader with CAP_PERFMON gets. Maps pin under PIN_ROOT (NULL: libbpf's
 * default). NULL with errno on failure.
 */
struct lo6relay_bpf *loader_open(const struct kernel_probe *p, const char *pin_root);

/*
 * Makes SKEL (opened, not loaded) fit P: unloads the programs of absent
 * hooks, of --loopback4 when LOOPBACK4 is 0 and, without MARKS (or socket
 * storage), the reverse hooks; drops the maps nothing can use; sets the
 * programs' read-only `lacks` so the verifier prunes the branches that call
 * missing or unwanted helpers. PROGS gets each hook's program, NULL for
 * those not loaded: what to attach.
 */
void loader_fit(const struct kernel_probe *p, struct lo6relay_bpf *skel, int loopback4, int marks,
		struct bpf_program *progs[NHOOKS]);

/*
 * doctor's trial: every program, as start would fit them to P, through the
 * verifier, with no pin made, then unloaded. -1 with errno if the object
 * cannot be opened; else 0, with the load's 0 or -errno in *LOAD_ERR.
 */
int loader_trial(const struct kernel_probe *p, int *load_err);

/* Loads SKEL; on a refusal says why in one sentence and returns -1. */
int loader_load(struct lo6relay_bpf *skel);

#endif
