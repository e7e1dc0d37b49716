/* SPDX-License-Identifier: MIT */
/*
 * /etc/lo6relay.conf: a line-based file, one `KEY = VALUE` per line,
 * `#` starts a comment. The grammar is documented for users in
 * tools/dist/lo6relay.conf.example:
 *
 *   relay = auto | IPV4          where [::1] goes (auto: by WSL mode)
 *   default = off | always | auto | never    mode of ports not listed
 *   pin-dir = /ABSOLUTE/PATH     the instance's bpffs folder
 *   allow = PORTS                redirect unless a Linux server owns the port (auto)
 *   allow auto = PORTS           the same, spelled out   (PORTS: 8080, 3000-3010,5173)
 *   allow always = PORTS         redirect even past a Linux server on [::1]:P
 *   ipv4-localhost = yes | no    start --ipv4-localhost (ipv4_localhost is read too)
 *   never = PORTS                never redirect, whatever the default says
 *
 * relay, default, pin-dir and ipv4-localhost may be given once; a port may appear in only
 * one allow/never line. CRLF line ends and a leading UTF-8 byte order mark,
 * as Windows editors write them, are accepted. Parsing is all or nothing:
 * the first bad line is reported as "FILE:LINE: reason" and OUT is left
 * untouched.
 */
#ifndef LO6RELAY_CONFIG_FILE_H
#define LO6RELAY_CONFIG_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <lo6relay/abi.h>

#define CONFIG_FILE_DEFAULT "/etc/lo6relay.conf"
#define CONFIG_FILE_MAX_BYTES (1024 * 1024) /* a real one is a few hundred bytes */
#define CONFIG_FILE_MAX_LINE 16384
#define CONFIG_PIN_DIR_MAX 200

enum config_relay {
	CONFIG_RELAY_UNSET, /* the file says nothing: keep the command line's or the default */
	CONFIG_RELAY_ADDR,  /* relay_ip4 */
	CONFIG_RELAY_AUTO,  /* pick by WSL networking mode (wsl.h) */
};

struct config_file {
	uint8_t modes[LO6_MAX_PORTS]; /* enum lo6_mode per port; LO6_MODE_OFF = not listed */
	int default_mode;             /* enum lo6_mode, or -1 when not set */
	enum config_relay relay;
	uint32_t relay_ip4;                   /* network byte order, for CONFIG_RELAY_ADDR */
	char pin_dir[CONFIG_PIN_DIR_MAX + 1]; /* "" when not set */
	int ipv4_localhost;                   /* 1 yes, 0 no, -1 when not set */
};

/*
 * Pure: parses LEN bytes of TEXT (need not be NUL-terminated), named NAME
 * in messages. 0 and OUT filled, or -1 with one "NAME:LINE: reason"
 * sentence in ERR and OUT unchanged.
 */
int config_file_parse(const char *name, const char *text, size_t len, struct config_file *out,
		      char *err, size_t errlen);

/*
 * Reads and parses PATH. 0, or -errno with a sentence in ERR: -ENOENT when
 * the file does not exist (callers may treat a missing default file as
 * empty), -EPERM when config_file_trusted or config_file_folders_trusted
 * refuses it, -EINVAL when its
 * content is refused. A symlink is followed: the file it names is checked.
 */
int config_file_load(const char *path, struct config_file *out, char *err, size_t errlen);

struct stat;
/*
 * 0 if ST (PATH's fstat) is owned by root, or by the effective user, and
 * not writable by group or others; else -1 with a sentence in ERR.
 */
int config_file_trusted(const char *path, const struct stat *st, char *err, size_t errlen);

/*
 * 0 if every folder above REAL (PATH resolved) is trusted as the file is,
 * or sticky; else -1 with a sentence in ERR.
 */
int config_file_folders_trusted(const char *path, const char *real, char *err, size_t errlen);

/* Writes C in the same format, parseable back to the same struct. 0 or -1. */
int config_file_write(FILE *f, const struct config_file *c);

/*
 * Pure: does what config_file_write writes of C read back as written? A
 * value the parser cuts ('#' starts a comment), trims or refuses would make
 * reload and stop act on something else than save meant. 0, or -1 with the
 * line as written and as read back (or the parser's refusal) in ERR.
 */
int config_file_round_trip(const struct config_file *c, char *err, size_t errlen);

#endif
