// SPDX-License-Identifier: MIT
#include "settings.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "parse.h"
#include "port_modes.h"
#include "wsl.h"

const char *settings_wsl_root(void)
{
#ifdef LO6_TEST_SWITCHES
	const char *root = getenv("LO6RELAY_TEST_WSL_ROOT");

	if (root)
		return root;
#endif
	return "";
}

int relay_auto_resolve(uint32_t *addr_be, char *why, size_t len)
{
	struct wsl_info w;

	wsl_detect(settings_wsl_root(), &w);
	snprintf(why, len, "%s", w.relay_why);
	if (!w.relay_ok)
		return -1;
	*addr_be = w.relay_be;
	return 0;
}

static int say_relay_unknown(const struct settings *s)
{
	errorf("relay auto cannot name an address: %s; give one with --relay IPV4", s->relay_why);
	return EXIT_FAIL;
}

int settings_load(const struct opts *o, struct settings *s)
{
	const char *path = o->config ? o->config : CONFIG_FILE_DEFAULT;
	static struct wsl_info w;
	char err[512];
	int rc;

	memset(s, 0, sizeof(*s));
	s->file.default_mode = -1;
	s->file.ipv4_localhost = -1;
	rc = config_file_load(path, &s->file, err, sizeof(err));
	if (rc == 0) {
		s->have_file = 1;
	} else if (!(rc == -ENOENT && !o->config)) {
		errorf("%s", err);
		return rc == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}

	if (o->ports) {
		/* --ports replaces the file's allowlist; Linux first: auto mode. */
		uint8_t *modes = s->file.modes;

		memset(modes, 0, LO6_MAX_PORTS);
		if (strcmp(o->ports, "none") != 0 &&
		    port_modes_parse(modes, o->ports, LO6_MODE_AUTO, err, sizeof(err)) < 0) {
			errorf("bad --ports: %s", err);
			return EXIT_USAGE;
		}
		s->ports_given = 1;
	} else {
		s->ports_given = s->have_file && port_modes_listed(s->file.modes) > 0;
	}

	if (o->relay && strcmp(o->relay, "auto") == 0) {
		s->relay_given = s->relay_auto = 1;
	} else if (o->relay) {
		if (ipv4_parse(o->relay, &s->relay_ip4, err, sizeof(err)) < 0) {
			errorf("bad --relay: %s (or 'auto')", err);
			return EXIT_USAGE;
		}
		s->relay_given = 1;
	} else if (s->file.relay != CONFIG_RELAY_UNSET) {
		s->relay_given = 1;
		s->relay_auto = s->file.relay == CONFIG_RELAY_AUTO;
		s->relay_ip4 = s->file.relay_ip4;
	} else {
		/* Nothing names one: auto, for a new instance (a running one keeps its own). */
		s->relay_auto = 1;
	}
	wsl_detect(settings_wsl_root(), &w);
	s->mode_tcp_only = w.tcp_only;
	if (s->relay_auto) {
		snprintf(s->relay_why, sizeof(s->relay_why), "%s", w.relay_why);
		s->relay_ip4 = w.relay_be;
		s->relay_unknown = !w.relay_ok;
		/* Named, auto must name one now; unnamed, only where it is taken (settings_merge). */
		if (s->relay_unknown && s->relay_given)
			return say_relay_unknown(s);
	}
	s->ipv4_localhost = o->ipv4_localhost || s->file.ipv4_localhost == 1;
	return 0;
}

int settings_merge(const struct settings *s, struct lo6_config *cfg, int take_relay)
{
	if (take_relay && s->relay_unknown) {
		say_relay_unknown(s);
		return -1;
	}
	if (take_relay) {
		cfg->relay_ip4 = s->relay_ip4;
		cfg->flags = s->relay_auto ? cfg->flags | LO6_CFG_RELAY_AUTO
					   : cfg->flags & ~LO6_CFG_RELAY_AUTO;
	}
	if (!cfg->relay_ip4)
		cfg->relay_ip4 = htonl(INADDR_LOOPBACK); /* the ABI's 0 */
	if (s->file.default_mode >= 0)
		cfg->default_mode = (uint32_t)s->file.default_mode;
	/* Consomme carries 127.0.0.1 for TCP only; another relay may carry UDP. */
	cfg->flags &= ~LO6_CFG_TCP_ONLY;
	if (s->mode_tcp_only && cfg->relay_ip4 == htonl(INADDR_LOOPBACK))
		cfg->flags |= LO6_CFG_TCP_ONLY;
	return take_relay;
}
