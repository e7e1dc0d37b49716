// SPDX-License-Identifier: MIT
/* allow, deny, ports: the allowlist, changed in place without reloading anything. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "instance.h"
#include "json.h"
#include "log.h"
#include "parse.h"
#include "pins.h"
#include "port_modes.h"

/* All of argv into one set, or nothing: a bad token anywhere changes nothing. */
static int parse_args(const struct opts *o, struct portset *set)
{
	char err[256];

	if (o->argc == 0) {
		errorf("no ports given: name ports like 8080 or 3000-3010,5173");
		return -1;
	}
	for (int i = 0; i < o->argc; i++) {
		if (portspec_parse(o->argv[i], set, err, sizeof(err)) < 0) {
			errorf("bad port list: %s", err);
			return -1;
		}
	}
	return 0;
}

/* allow and deny: the ports of argv set to MODE, the others left as they are. */
static int set_ports(const struct opts *o, enum lo6_mode mode)
{
	struct portset *set = calloc(1, sizeof(*set));
	struct instance in;
	int err, ret = EXIT_USAGE;

	if (!set)
		return EXIT_FAIL;
	if (parse_args(o, set) < 0)
		goto out;
	ret = EXIT_FAIL;
	if (instance_open(o->pin_dir, &in) < 0)
		goto out;
	if ((err = ports_apply_set(&in, set, mode)) < 0)
		errorf("cannot update the ports map: %s", strerror(-err));
	else
		ret = EXIT_OK;
	instance_close(&in);
out:
	free(set);
	return ret;
}

int cmd_allow(const struct opts *o)
{
	int mode = o->mode ? mode_parse(o->mode) : LO6_MODE_AUTO;

	if (mode < 0 || mode == LO6_MODE_OFF) {
		errorf("bad --mode '%.32s': use always, auto or never", o->mode);
		return EXIT_USAGE;
	}
	return set_ports(o, (enum lo6_mode)mode);
}

int cmd_deny(const struct opts *o)
{
	return set_ports(o, LO6_MODE_OFF);
}

static void print_ports(const struct opts *o, const uint8_t *modes, uint32_t default_mode)
{
	static char buf[6 * LO6_MAX_PORTS];
	size_t total;
	struct json j;

	if (o->json) {
		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_str(&j, "default", mode_name(default_mode));
		json_obj_begin(&j, "ports");
	} else {
		printf("default  %s\n", mode_name(default_mode));
	}
	for (uint32_t m = LO6_MODE_ALWAYS; m <= LO6_MODE_NEVER; m++) {
		size_t n = port_modes_format(modes, m, buf, sizeof(buf));

		if (o->json)
			json_str(&j, mode_name(m), buf);
		else if (n)
			printf("%-8s %s\n", mode_name(m), buf);
	}
	total = port_modes_allowed(modes);
	if (o->json) {
		json_obj_end(&j);
		json_u64(&j, "allowed", total);
		json_obj_end(&j);
		json_finish(&j);
	} else {
		printf("%zu port%s allowed\n", total, total == 1 ? "" : "s");
	}
}

int cmd_ports(const struct opts *o)
{
	uint8_t *modes = malloc(LO6_MAX_PORTS);
	struct lo6_config cfg;
	struct instance in;
	int err, ret = EXIT_FAIL;

	if (!modes)
		return EXIT_FAIL;
	if (o->argc) {
		errorf("'ports' takes no arguments: did you mean 'allow %s'?", o->argv[0]);
		free(modes);
		return EXIT_USAGE;
	}
	if (instance_open(o->pin_dir, &in) < 0)
		goto out;
	if ((err = ports_read(&in, modes)) < 0 || (err = config_read(&in, &cfg)) < 0) {
		errorf("cannot read the maps: %s", strerror(-err));
		goto close;
	}
	print_ports(o, modes, cfg.default_mode);
	ret = EXIT_OK;
close:
	instance_close(&in);
out:
	free(modes);
	return ret;
}

int cmd_default(const struct opts *o)
{
	struct lo6_config cfg;
	struct instance in;
	int mode = -1, err, ret = EXIT_FAIL;

	if (o->argc > 1 || (o->argc == 1 && (mode = mode_parse(o->argv[0])) < 0)) {
		errorf("usage: lo6relay default [off|always|auto|never]");
		return EXIT_USAGE;
	}
	if (instance_open(o->pin_dir, &in) < 0)
		return EXIT_FAIL;
	if ((err = config_read(&in, &cfg)) < 0) {
		errorf("cannot read the config map: %s", strerror(-err));
	} else if (mode < 0) {
		printf("%s\n", mode_name(cfg.default_mode));
		ret = EXIT_OK;
	} else {
		/* Only this field changes; the program sees it on the next connect. */
		cfg.default_mode = (uint32_t)mode;
		if ((err = config_write(&in, &cfg)) < 0)
			errorf("cannot write the config map: %s", strerror(-err));
		else
			ret = EXIT_OK;
	}
	instance_close(&in);
	return ret;
}
