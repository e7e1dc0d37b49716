/* SPDX-License-Identifier: MIT */
/*
 * The pin folder, and the one file that knows what it holds: the table of
 * its maps and links (their names are the ABI's, include/lo6relay/abi.h),
 * every path into it, every open of a pin, unpinning, and whether this
 * binary may use what it finds: the maps of another lo6relay ABI are
 * refused, not reused, since the programs and the CLI would read each
 * other's values wrong. Commands name a pin by its enum, never by a path.
 */
#ifndef LO6RELAY_PINS_H
#define LO6RELAY_PINS_H

#include <stddef.h>

#include "instance.h"

struct bpf_link;
struct bpf_object;

/* What a command does with the instance, so what it must hold and check before it runs. */
enum pins_use {
	PINS_READ,  /* reads only */
	PINS_WATCH, /* counts itself in a map for hours: this ABI only, and no lock to hold */
	PINS_STOP,  /* locked, whatever the ABI: stop is the way out of another one */
	PINS_WRITE, /* changes the maps: locked, and this ABI only */
};

/*
 * Before a command runs: the lock (lock.h) and the ABI check (below) that
 * USE needs; the lock lasts until the process exits. No pin folder is no
 * instance: nothing to lock, and the command says so itself. 0, or -1
 * after one sentence.
 */
int pins_enter(const char *dir, enum pins_use use);

/*
 * start, which locks for itself since it makes the folder first: DIR made
 * (bpffs mounted if need be) and locked until exit; *CREATED tells whether
 * this call made it. 0, or -1 after one sentence.
 */
int pins_make(const char *dir, int *created);

/*
 * Whether this process holds the pin folder's lock: pins_enter found the
 * folder, or pins_make made it. A folder that was missing then and is
 * there now is a start's, made since: not this command's to touch.
 */
int pins_locked(void);

/* The maps an instance pins, all of them. */
enum pin_map {
	PIN_PORTS,
	PIN_STATS,
	PIN_CONFIG,
	PIN_MARKS,
	PIN_EVENTS,
	PIN_WATCHERS,
	NPIN_MAPS
};

/*
 * Opens the pinned maps under DIR that a command reads or writes (ports,
 * stats, config; the lock and ABI check are pins_enter's). On failure
 * prints one sentence that says lo6relay is not running there, and
 * returns -1.
 */
int instance_open(const char *dir, struct instance *in);
void instance_close(struct instance *in);

/*
 * watch: the events ring buffer and the watchers count under DIR, into
 * *EVENTS and *WATCHERS. On failure prints one sentence (not running, or
 * started by a version or on a kernel without them) and returns -1.
 */
int instance_open_watch(const char *dir, int *events, int *watchers);

/* The map MAP pinned under DIR: its fd, or -1 with errno (ENOENT: not pinned). */
int pins_map_open(const char *dir, enum pin_map map);
/* Whether DIR holds a pin for MAP. */
int pins_map_exists(const char *dir, enum pin_map map);
void pins_map_unpin(const char *dir, enum pin_map map);
/* Unpins every map; the number that were pinned. */
int pins_maps_unpin(const char *dir);

/* HOOK's link pinned under DIR: an fd, or -1 with errno. */
int pins_link_open(const char *dir, enum hook hook);
/* ... as a libbpf link, to swap its program; NULL with errno. */
struct bpf_link *pins_link_get(const char *dir, enum hook hook);
/* Pins LINK as HOOK's link under DIR: 0 or -errno. */
int pins_link_pin(const char *dir, enum hook hook, struct bpf_link *link);
/* Removes HOOK's pin without detaching first: for a link whose cgroup is gone. */
void pins_link_remove(const char *dir, enum hook hook);

/*
 * Detaches HOOK's pinned link under DIR, then unpins it: its program is
 * off the cgroup when this returns.
 */
void pins_link_unpin(const char *dir, enum hook hook);

/*
 * stop: every link, connect6 first, so that nothing redirects before the
 * maps go, then every map. 1 if anything was pinned, 0 if nothing was.
 */
int pins_unpin_all(const char *dir);

/*
 * One `watch` at a time per instance: the kernel hands each ring buffer
 * event to one reader, so two watchers would split them. A watcher holds an
 * exclusive flock on the folder WATCH_LOCK in the pin folder (bpffs has
 * folders but no regular files, and no dots in names); the kernel drops
 * the lock when the process dies, however it dies. The `watchers` count the
 * program reads is 1 while the lock is held and 0 otherwise: instance_open
 * resets a count a killed watch left behind.
 */
#define WATCH_LOCK "watch_lock"

/* watch's lock folder under DIR, opened (made first if CREATE); -1 with errno. */
int pins_watch_lock_open(const char *dir, int create);

/*
 * stop, once nothing is pinned: watch's lock folder, then DIR itself. 0, or
 * -1 with rmdir's errno (ENOTEMPTY: it holds pins lo6relay did not make).
 */
int pins_remove_folder(const char *dir);

/*
 * 0 if DIR has no config map, or one written by this ABI (or not written
 * yet: a start killed before its last step). Otherwise says, in one
 * sentence, which version made the instance and how to replace it, and
 * returns -1. Commands that write the maps call this first.
 */
int pins_abi_check(const char *dir);

/*
 * 0 if every map of OBJ (opened, not loaded) that DIR already holds a pin
 * for has the same type, key, value, size and flags: libbpf would refuse it
 * otherwise, with a line of its own. -1 after our sentence.
 */
int pins_layout_check(const char *dir, struct bpf_object *obj);

#endif
