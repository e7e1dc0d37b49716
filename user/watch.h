/* SPDX-License-Identifier: MIT */
/*
 * One `watch` at a time per instance: the kernel hands each ring buffer
 * event to one reader, so two watchers would split them. A watcher holds an
 * exclusive flock on the folder WATCH_LOCK in the pin folder (bpffs has
 * folders but no regular files, and no dots in names); the kernel drops
 * the lock when the process dies, however it dies. The `watchers` count the
 * program reads is 1 while the lock is held and 0 otherwise.
 */
#ifndef LO6RELAY_WATCH_H
#define LO6RELAY_WATCH_H

#define WATCH_LOCK "watch_lock"

/*
 * Resets a `watchers` count left at non-zero by a watch that was killed
 * (SIGKILL), so the program stops writing events for nobody. Never touches
 * a live watcher's count. Returns 1 if it reset the count, 0 otherwise.
 */
int watchers_heal(const char *pin_dir);

#endif
