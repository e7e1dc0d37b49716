/* SPDX-License-Identifier: MIT */
/*
 * Running a helper command (wslinfo, netstat.exe) and keeping what it
 * printed. lo6relay runs as root, and WSL appends Windows' folders to PATH:
 * a helper is run from a fixed absolute path, never looked up in PATH.
 */
#ifndef LO6RELAY_RUNCMD_H
#define LO6RELAY_RUNCMD_H

#include <stddef.h>

/* Where WSL puts wslinfo (a link to its /init). */
#define WSLINFO_PATH "/usr/bin/wslinfo"

/*
 * Runs ARGV, whose ARGV[0] must be an absolute path (a bare name is refused
 * and nothing runs), with stdin and stderr on /dev/null and
 * its stdout into OUT (NUL-terminated, cut at LEN - 1). A command still
 * running after TIMEOUT_MS is killed: Windows interop can hang.
 * Returns its exit status, or -1 if it could not run, was killed or died.
 */
int run_capture(const char *const argv[], char *out, size_t len, int timeout_ms);

/*
 * Pure: the path of EXE ("netstat.exe") in Windows/System32 of the C: drive
 * that WSL mounts (drvfs, or 9p/virtiofs with aname=drvfs), from the text of
 * /proc/self/mountinfo, e.g. /mnt/c/Windows/System32/netstat.exe. 0, or -1
 * if no C: drive is mounted (or OUT is too small).
 */
int windows_system32_path(const char *mountinfo, const char *exe, char *out, size_t len);

#endif
