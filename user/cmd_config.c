// SPDX-License-Identifier: MIT
/* reload and save: the config file and the running instance, in both directions. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config_file.h"
#include "instance.h"
#include "ports_apply.h"
#include "settings.h"

int cmd_reload(const struct opts *o)
{
	struct settings *set = calloc(1, sizeof(*set));
	char relay[INET_ADDRSTRLEN], why[256] = "";
	struct lo6_config cfg;
	struct instance in;
	int err, ret;

	if (!set)
		return EXIT_FAIL;
	if (o->argc) {
		errorf("'reload' takes no arguments");
		free(set);
		return EXIT_USAGE;
	}
	/* A bad file changes nothing: it is refused before the maps are opened. */
	if ((ret = settings_load(o, set)) != 0)
		goto out;
	ret = EXIT_FAIL;
	if (instance_open(o->pin_dir, &in) < 0)
		goto out;
	if ((err = config_read(&in, &cfg)) < 0) {
		errorf("cannot read the config map: %s", strerror(-err));
		goto close;
	}
	if (set->relay_given) {
		cfg.relay_ip4 = set->relay_ip4;
		cfg.flags = set->relay_auto ? cfg.flags | LO6_CFG_RELAY_AUTO
					    : cfg.flags & ~LO6_CFG_RELAY_AUTO;
		snprintf(why, sizeof(why), "%s", set->relay_why);
	} else if (cfg.flags & LO6_CFG_RELAY_AUTO) {
		/* The NAT gateway can change between boots: pick again. */
		if (relay_auto_resolve(&cfg.relay_ip4, why, sizeof(why)) < 0) {
			errorf("relay auto cannot name an address: %s; the relay stays as it was",
			       why);
			goto close;
		}
	}
	if (set->file.default_mode >= 0)
		cfg.default_mode = (uint32_t)set->file.default_mode;
	/* Only a file with ports replaces the allowlist: one without leaves it be. */
	if (set->ports_given && (err = ports_apply_modes(in.ports_fd, set->file.modes, 1)) < 0) {
		errorf("cannot update the ports map: %s", strerror(-err));
		goto close;
	}
	if ((err = config_write(&in, &cfg)) < 0) {
		errorf("cannot write the config map: %s", strerror(-err));
		goto close;
	}
	inet_ntop(AF_INET, &cfg.relay_ip4, relay, sizeof(relay));
	notef("reloaded %s%s: relay %s%s%s%s", set->have_file ? "from " : "(no config file)",
	      set->have_file ? (o->config ? o->config : CONFIG_FILE_DEFAULT) : "", relay,
	      *why ? " (auto: " : "", why, *why ? ")" : "");
	ret = EXIT_OK;
close:
	instance_close(&in);
out:
	free(set);
	return ret;
}

/* Writes to a temporary file beside PATH, then renames: never a half-written config. */
static int write_atomically(const char *path, const struct config_file *cf)
{
	char tmp[4096];
	FILE *f;
	int err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	if (fputs("# Written by 'lo6relay save'; see lo6relay(8).\n", f) < 0 ||
	    config_file_write(f, cf) < 0)
		err = -EIO;
	if (fclose(f) != 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int cmd_save(const struct opts *o)
{
	const char *path = o->config ? o->config : CONFIG_FILE_DEFAULT;
	struct config_file *cf = calloc(1, sizeof(*cf));
	struct lo6_config cfg;
	struct instance in;
	int err, ret = EXIT_FAIL;

	if (!cf)
		return EXIT_FAIL;
	if (o->argc) {
		errorf("'save' takes no arguments");
		free(cf);
		return EXIT_USAGE;
	}
	if (instance_open(o->pin_dir, &in) < 0)
		goto out;
	if ((err = config_read(&in, &cfg)) < 0 || (err = ports_read(&in, cf->modes)) < 0) {
		errorf("cannot read the maps: %s", strerror(-err));
		goto close;
	}
	cf->default_mode = (int)cfg.default_mode;
	cf->relay = (cfg.flags & LO6_CFG_RELAY_AUTO) ? CONFIG_RELAY_AUTO : CONFIG_RELAY_ADDR;
	cf->relay_ip4 = cfg.relay_ip4;
	if (strcmp(o->pin_dir, LO6_DEFAULT_PIN_DIR) != 0)
		snprintf(cf->pin_dir, sizeof(cf->pin_dir), "%s", o->pin_dir);
	if ((err = write_atomically(path, cf)) < 0) {
		errorf("cannot write %s: %s", path, strerror(-err));
		goto close;
	}
	notef("saved to %s", path);
	ret = EXIT_OK;
close:
	instance_close(&in);
out:
	free(cf);
	return ret;
}
