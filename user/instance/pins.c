// SPDX-License-Identifier: MIT
#include "pins.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "faults.h"
#include "lock.h"
#include "log.h"
#include <lo6relay/abi.h>

/* What an instance pins, under the names both sides share. */
static const char *const map_names[NPIN_MAPS] = {
	[PIN_PORTS] = LO6_MAP_PORTS,   [PIN_STATS] = LO6_MAP_STATS,
	[PIN_CONFIG] = LO6_MAP_CONFIG, [PIN_MARKS] = LO6_MAP_MARKS,
	[PIN_EVENTS] = LO6_MAP_EVENTS, [PIN_WATCHERS] = LO6_MAP_WATCHERS,
};

/* The one place a pin path is made: DIR/NAME into BUF; -1 with errno if it does not fit. */
static int pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG; /* instance_open explains by errno */
		return -1;
	}
	return 0;
}

static int open_pinned(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (pin_path(path, sizeof(path), dir, name) < 0)
		return -1;
	return bpf_obj_get(path);
}

static int exists(const char *dir, const char *name)
{
	char path[PATH_MAX];

	return pin_path(path, sizeof(path), dir, name) == 0 && access(path, F_OK) == 0;
}

static void remove_pin(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (pin_path(path, sizeof(path), dir, name) == 0)
		unlink(path);
}

/*
 * Resets a `watchers` count left at non-zero by a watch that was killed
 * (SIGKILL), so the program stops writing events for nobody. Never touches
 * a live watcher's count. Returns 1 if it reset the count, 0 otherwise.
 */
static int watchers_heal(const char *pin_dir)
{
	uint32_t key = 0, n = 0, zero = 0;
	int map, lock, healed = 0;

	if ((map = pins_map_open(pin_dir, PIN_WATCHERS)) < 0)
		return 0;
	if (bpf_map_lookup_elem(map, &key, &n) == 0 && n != 0) {
		/* A shared lock is refused only while a live watch holds its exclusive one. */
		lock = pins_watch_lock_open(pin_dir, 0);
		if ((lock < 0 && errno == ENOENT) || (lock >= 0 && flock(lock, LOCK_SH | LOCK_NB) == 0))
			healed = bpf_map_update_elem(map, &key, &zero, BPF_ANY) == 0;
		if (lock >= 0)
			close(lock); /* and with it the shared lock */
	}
	close(map);
	return healed;
}

/* The lock this process holds on the pin folder until it exits; -1: none. */
static int lock_fd = -1;

int pins_enter(const char *dir, enum pins_use use)
{
	if (use == PINS_STOP || use == PINS_WRITE) {
		lock_fd = pin_lock(dir, NULL);
		/* No pin folder (-2): no instance to lock, and the command says so itself. */
		if (lock_fd == -1)
			return -1;
	}
	if ((use == PINS_WATCH || use == PINS_WRITE) && pins_abi_check(dir) < 0)
		return -1;
	return 0;
}

int pins_make(const char *dir, int *created)
{
	lock_fd = pin_lock(dir, created);
	return lock_fd < 0 ? -1 : 0;
}

int pins_locked(void)
{
	return lock_fd >= 0;
}

int instance_open(const char *dir, struct instance *in)
{
	in->ports_fd = pins_map_open(dir, PIN_PORTS);
	in->stats_fd = pins_map_open(dir, PIN_STATS);
	in->config_fd = pins_map_open(dir, PIN_CONFIG);
	if (in->ports_fd >= 0 && in->stats_fd >= 0 && in->config_fd >= 0) {
		watchers_heal(dir); /* a killed watch must not leave events on for nobody */
		return 0;
	}
	if (errno == ENOENT || errno == ENOTDIR)
		errorf("lo6relay is not running at %s (no pinned maps there): start it with 'lo6relay start'",
		       dir);
	else if ((errno == EPERM || errno == EACCES) && geteuid() != 0)
		errorf("cannot open the maps pinned at %s: permission denied (run as root)", dir);
	else
		errorf("cannot open the maps pinned at %s: %s", dir, strerror(errno));
	instance_close(in);
	return -1;
}

void instance_close(struct instance *in)
{
	int *fds[] = { &in->ports_fd, &in->stats_fd, &in->config_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			/* cppcheck-suppress shadowVariable ; it takes this call for a declaration */
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* Did start find no ring buffer (config.lacks)? */
static int kernel_lacks_ringbuf(const char *dir)
{
	struct lo6_config cfg = { 0 };
	struct instance in;
	int lacks;

	if (instance_open(dir, &in) < 0)
		return 0;
	lacks = config_read(&in, &cfg) == 0 && (cfg.lacks & LO6_LACKS_RINGBUF);
	instance_close(&in);
	return lacks;
}

int instance_open_watch(const char *dir, int *events, int *watchers)
{
	*events = pins_map_open(dir, PIN_EVENTS);
	*watchers = pins_map_open(dir, PIN_WATCHERS);
	if (*events >= 0 && *watchers >= 0)
		return 0;
	if (*events < 0 && *watchers >= 0 && kernel_lacks_ringbuf(dir))
		errorf("this kernel has no BPF ring buffer (Linux 5.8 and later have it), so watch "
		       "cannot work here; 'lo6relay stats' still counts every decision");
	else
		errorf("lo6relay is not running at %s, or was started by a version without watch: "
		       "run 'lo6relay start'",
		       dir);
	if (*events >= 0)
		close(*events);
	if (*watchers >= 0)
		close(*watchers);
	*events = *watchers = -1;
	return -1;
}

int pins_map_open(const char *dir, enum pin_map map)
{
	return open_pinned(dir, map_names[map]);
}

int pins_map_exists(const char *dir, enum pin_map map)
{
	return exists(dir, map_names[map]);
}

void pins_map_unpin(const char *dir, enum pin_map map)
{
	remove_pin(dir, map_names[map]);
}

int pins_maps_unpin(const char *dir)
{
	int found = 0;

	for (int m = 0; m < NPIN_MAPS; m++) {
		if (exists(dir, map_names[m])) {
			remove_pin(dir, map_names[m]);
			found++;
		}
	}
	return found;
}

int pins_link_open(const char *dir, enum hook hook)
{
	return open_pinned(dir, hooks[hook].link);
}

struct bpf_link *pins_link_get(const char *dir, enum hook hook)
{
	char path[PATH_MAX];

	if (pin_path(path, sizeof(path), dir, hooks[hook].link) < 0)
		return NULL;
	return bpf_link__open(path);
}

int pins_link_pin(const char *dir, enum hook hook, struct bpf_link *link)
{
	char path[PATH_MAX];

	if (pin_path(path, sizeof(path), dir, hooks[hook].link) < 0)
		return -ENAMETOOLONG;
	return bpf_link__pin(link, path);
}

void pins_link_remove(const char *dir, enum hook hook)
{
	remove_pin(dir, hooks[hook].link);
}

void pins_link_unpin(const char *dir, enum hook hook)
{
	int fd = pins_link_open(dir, hook);

	/*
	 * Detach first: an unpinned link is freed a moment later (in a kernel
	 * worker on 6.x; once seen on a loaded 5.10), and until then its
	 * program runs, so what start or stop reports would not yet be so.
	 * BPF_LINK_DETACH (5.9) is synchronous.
	 */
	if (fd >= 0) {
		bpf_link_detach(fd);
		close(fd);
	}
	fault_point(STEP_DETACHED + (int)hook);
	pins_link_remove(dir, hook);
}

int pins_unpin_all(const char *dir)
{
	int found = 0;

	/* Links first, connect6 among them: nothing redirects before the maps go. */
	for (int h = NHOOKS - 1; h >= 0; h--) {
		if (exists(dir, hooks[h].link)) {
			pins_link_unpin(dir, (enum hook)h);
			fault_point(STEP_STOP_UNPINNED + h);
			found = 1;
		}
	}
	return pins_maps_unpin(dir) > 0 || found;
}

int pins_watch_lock_open(const char *dir, int create)
{
	char path[PATH_MAX];

	if (pin_path(path, sizeof(path), dir, WATCH_LOCK) < 0)
		return -1;
	if (create && mkdir(path, 0700) < 0 && errno != EEXIST)
		return -1;
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int pins_remove_folder(const char *dir)
{
	char path[PATH_MAX];

	if (pin_path(path, sizeof(path), dir, WATCH_LOCK) == 0)
		rmdir(path); /* ENOENT is fine: no watch ran */
	return rmdir(dir);
}

static void say_foreign(const char *dir, const char *what)
{
	errorf("the instance pinned at %s was made by %s, this lo6relay speaks ABI version %d: run "
	       "'lo6relay stop --pin-dir %s', then start again",
	       dir, what, LO6_ABI_VERSION, dir);
}

int pins_abi_check(const char *dir)
{
	struct lo6_config cfg = { 0 };
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info), key = 0;
	char what[64];
	int fd, ok;

	/* Too long a path, or no instance yet: the command's own open says so. */
	fd = pins_map_open(dir, PIN_CONFIG);
	if (fd < 0)
		return 0;
	/* The size first: a larger value from another version would overrun cfg. */
	ok = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.type == BPF_MAP_TYPE_ARRAY &&
	     info.key_size == sizeof(key) && info.value_size == sizeof(cfg) &&
	     bpf_map_lookup_elem(fd, &key, &cfg) == 0;
	close(fd);
	if (!ok) {
		say_foreign(dir, "an lo6relay whose config map has another layout");
		return -1;
	}
	if (cfg.abi_version != 0 &&
	    (cfg.abi_version < LO6_ABI_OLDEST || cfg.abi_version > LO6_ABI_VERSION)) {
		snprintf(what, sizeof(what), "lo6relay ABI version %u", cfg.abi_version);
		say_foreign(dir, what);
		return -1;
	}
	return 0;
}

int pins_layout_check(const char *dir, struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		struct bpf_map_info info = { 0 };
		uint32_t len = sizeof(info);
		char path[PATH_MAX];
		int fd, ok;

		if (!bpf_map__pin_path(map))
			continue; /* .rodata and such: never pinned */
		if (pin_path(path, sizeof(path), dir, bpf_map__name(map)) < 0)
			return -1;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue; /* not pinned yet: load creates it */
		ok = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		     info.type == bpf_map__type(map) && info.key_size == bpf_map__key_size(map) &&
		     info.value_size == bpf_map__value_size(map) &&
		     info.max_entries == bpf_map__max_entries(map) &&
		     info.map_flags == bpf_map__map_flags(map);
		close(fd);
		if (!ok) {
			errorf("the map pinned at %s was made by an incompatible lo6relay version: "
			       "run 'lo6relay stop --pin-dir %s' and start again",
			       path, dir);
			return -1;
		}
	}
	return 0;
}
