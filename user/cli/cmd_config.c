// SPDX-License-Identifier: MIT
/* reload and save: the config file and the running instance, in both directions. */
#define _GNU_SOURCE /* mkostemp */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config_file.h"
#include "instance.h"
#include "log.h"
#include "pins.h"
#include "settings.h"

int cmd_reload(const struct opts *o)
{
	struct settings *set = calloc(1, sizeof(*set));
	char relay[INET_ADDRSTRLEN], why[256] = "";
	struct lo6_config cfg;
	struct instance in;
	int err, ret, picked;

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
	/* An auto relay is picked again: the NAT gateway can change between boots. */
	picked = settings_merge(set, &cfg, set->relay_given || (cfg.flags & LO6_CFG_RELAY_AUTO));
	if (picked < 0)
		goto close;
	if (picked)
		snprintf(why, sizeof(why), "%s", set->relay_why);
	if (set->file.ipv4_localhost >= 0 &&
	    set->file.ipv4_localhost != !!(cfg.flags & LO6_CFG_IPV4_LOCALHOST))
		remarkf("ipv4-localhost takes effect at the next start, not on reload (it attaches "
			"the IPv4 hooks)");
	/* Only a file with ports replaces the allowlist: one without leaves it be. */
	if (set->ports_given && (err = ports_apply(&in, set->file.modes, 1)) < 0) {
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

/*
 * Writes through a new file beside PATH (mkstemp: O_EXCL, so never through a
 * planted link), fsynced, then renamed over PATH: never a half-written
 * config, and rename replaces a directory entry, never writes through one.
 * The result is root's (when root saves) and writable by its owner only,
 * as config_file_load wants it; a file made private (0600, say) stays so,
 * with its group, and a new one is 0644 root:root. -errno, or -ELOOP when
 * PATH is a symlink (refused: replacing it would silently cut the link the
 * administrator made).
 */
static int write_atomically(const char *path, const struct config_file *cf)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	mode_t mode = 0644;
	gid_t group = 0;
	struct stat st;
	FILE *f = NULL;
	int fd, err = 0;

	if (lstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			return S_ISLNK(st.st_mode) ? -ELOOP : -EINVAL;
		mode = (st.st_mode & 0777 & ~(mode_t)022) | 0600;
		group = st.st_gid; /* a group that may read it (0640 root:adm) still may */
	}
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return -errno;
	errno = 0;
	if (fchmod(fd, mode) < 0 || (geteuid() == 0 && fchown(fd, 0, group) < 0) ||
	    !(f = fdopen(fd, "w")))
		err = -errno;
	else if (fputs("# Written by 'lo6relay save'; see lo6relay(8).\n", f) < 0 ||
		 config_file_write(f, cf) < 0 || fsync(fd) < 0)
		err = errno ? -errno : -EIO; /* a full disk says ENOSPC */
	if (!f)
		close(fd);
	else if (fclose(f) != 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	/* The rename itself is durable once the folder is synced. */
	snprintf(dir, sizeof(dir), "%s", path);
	if ((fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

int cmd_save(const struct opts *o)
{
	const char *path = o->config ? o->config : CONFIG_FILE_DEFAULT;
	struct config_file *cf = calloc(1, sizeof(*cf));
	struct lo6_config cfg;
	struct instance in;
	int err, ret = EXIT_FAIL;
	char why[512];

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
	cf->ipv4_localhost = !!(cfg.flags & LO6_CFG_IPV4_LOCALHOST);
	/*
	 * reload and stop find the instance by the file's pin-dir: a value cut
	 * short or read back otherwise would leave this one attached while stop
	 * says there is nothing to stop. Refused before the file is touched.
	 */
	if (strcmp(o->pin_dir, LO6_DEFAULT_PIN_DIR) != 0 &&
	    snprintf(cf->pin_dir, sizeof(cf->pin_dir), "%s", o->pin_dir) >=
		    (int)sizeof(cf->pin_dir)) {
		errorf("save refuses: the pin folder %s is longer than the %d characters a "
		       "config file's pin-dir holds, so reload and stop would not find this "
		       "instance; %s is unchanged: pass --pin-dir to every command, or run it at "
		       "a shorter one",
		       o->pin_dir, CONFIG_PIN_DIR_MAX, path);
		goto close;
	}
	if (config_file_round_trip(cf, why, sizeof(why)) < 0) {
		errorf("save refuses: %s ('#' starts a comment, spaces at either end and control "
		       "characters are not kept), so reload and stop would not find this instance; "
		       "%s is unchanged: pass --pin-dir to every command, or run it at a pin "
		       "folder without them",
		       why, path);
		goto close;
	}
	if ((err = write_atomically(path, cf)) == -ELOOP) {
		errorf("%s is a symbolic link, and save never writes through one: save to the "
		       "file it names with --config, or remove the link", path);
		goto close;
	}
	if (err == -EINVAL) {
		errorf("%s is not a regular file: save replaces only a file", path);
		goto close;
	}
	if (err < 0) {
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
