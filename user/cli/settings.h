/* SPDX-License-Identifier: MIT */
/*
 * What the user wants, from the command line and /etc/lo6relay.conf:
 * start, reload and save agree on it here. Command-line options win over
 * the file; the file wins over what a running instance already has.
 */
#ifndef LO6RELAY_SETTINGS_H
#define LO6RELAY_SETTINGS_H

#include <stdint.h>

#include "cli.h"
#include "config_file.h"

struct settings {
	struct config_file file; /* the file's content, or empty */
	int have_file;           /* the file exists (a missing default file is not an error) */
	int ports_given;         /* --ports, or allow/never lines in the file */
	int relay_given;         /* --relay, or relay in the file */
	int relay_auto;          /* auto: named, or nothing names a relay */
	uint32_t relay_ip4;      /* network byte order, resolved when relay_auto */
	int relay_unknown;       /* ... but auto names no address here (relay_why says why) */
	char relay_why[256];
	int mode_tcp_only;       /* WSL's mode carries only TCP to Windows' 127.0.0.1 */
	int ipv4_localhost;      /* --ipv4-localhost, or ipv4-localhost = yes */
};

/*
 * Reads the config file (o->config, or the default path) and merges the
 * options. On failure prints one sentence and returns EXIT_USAGE (bad
 * option or file content) or EXIT_FAIL; 0 on success.
 */
int settings_load(const struct opts *o, struct settings *s);

/*
 * The settings step of start and reload: S merged into CFG, the config an
 * instance has (all zero for a new one). With TAKE_RELAY the relay is S's
 * (start: named, or the instance is new; reload: named, or the instance's
 * was auto's pick, which is picked again), else the instance keeps its
 * own; the default mode is the file's if it sets one; LO6_CFG_TCP_ONLY
 * follows the relay. Returns TAKE_RELAY; -1 after one sentence when the
 * relay is to be taken but auto names no address.
 */
int settings_merge(const struct settings *s, struct lo6_config *cfg, int take_relay);

/*
 * The root WSL's facts are read below: "" (the live system), or in the
 * tests' build LO6RELAY_TEST_WSL_ROOT, a folder of them (a NAT simulation,
 * the kernel, listeners and probes live). start, reload and doctor agree.
 */
const char *settings_wsl_root(void);

/*
 * Resolves relay `auto` on the live system: 127.0.0.1 in WSL's mirrored
 * mode and off WSL, the default gateway in NAT mode. -1 with WHY when no
 * address can be named.
 */
int relay_auto_resolve(uint32_t *addr_be, char *why, size_t len);

#endif
