/* SPDX-License-Identifier: MIT */
/* The pin folder on bpffs: mounting bpffs where missing, creating the folder. */
#ifndef LO6RELAY_BPFFS_H
#define LO6RELAY_BPFFS_H

#include <stddef.h>

/*
 * Makes DIR a folder on bpffs, mounting bpffs at /sys/fs/bpf first if DIR
 * is under it and nothing is mounted there. *CREATED tells whether DIR was
 * made here (so a failed start can take it away again). -1 with a sentence
 * in ERR on failure.
 */
int bpffs_prepare(const char *dir, int *created, char *err, size_t errlen);

#endif
