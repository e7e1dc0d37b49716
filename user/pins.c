// SPDX-License-Identifier: MIT
#include "pins.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpffs.h"
#include "cli.h"
#include <lo6relay/abi.h>

const char *const map_pins[] = { LO6_MAP_PORTS, LO6_MAP_STATS,  LO6_MAP_CONFIG,
				 LO6_MAP_MARKS, LO6_MAP_EVENTS, LO6_MAP_WATCHERS };
const size_t nmap_pins = sizeof(map_pins) / sizeof(map_pins[0]);

int pin_exists(const char *dir, const char *name)
{
	char path[PATH_MAX];

	return pin_path(path, sizeof(path), dir, name) == 0 && access(path, F_OK) == 0;
}

void unpin(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (pin_path(path, sizeof(path), dir, name) == 0)
		unlink(path);
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
	char path[PATH_MAX], what[64];
	int fd, ok;

	if (pin_path(path, sizeof(path), dir, LO6_MAP_CONFIG) < 0)
		return 0; /* the command's own open says the path is too long */
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0; /* no instance yet: the command says so itself */
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
