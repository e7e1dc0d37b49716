/* SPDX-License-Identifier: MIT */
/* Running a helper command (wslinfo, netstat.exe) and keeping what it printed. */
#ifndef LO6RELAY_RUNCMD_H
#define LO6RELAY_RUNCMD_H

#include <stddef.h>

/*
 * Runs ARGV (searched in PATH) with stdin and stderr on /dev/null and
 * its stdout into OUT (NUL-terminated, cut at LEN - 1). A command still
 * running after TIMEOUT_MS is killed: Windows interop can hang.
 * Returns its exit status, or -1 if it could not run, was killed or died.
 */
int run_capture(const char *const argv[], char *out, size_t len, int timeout_ms);

#endif
