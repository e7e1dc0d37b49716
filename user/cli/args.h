/* SPDX-License-Identifier: MIT */
/*
 * The command line, read: which command, with which options, or the one
 * sentence that says what is wrong with it. The commands' names, the
 * options each takes, their usage and help live here; main.c runs them.
 * Nothing here prints, exits or keeps state, so the fuzzer links it as is.
 */
#ifndef LO6RELAY_ARGS_H
#define LO6RELAY_ARGS_H

#include "cli.h"

/* The commands, in the order --help lists them. */
enum command {
	CMD_START,
	CMD_STOP,
	CMD_RELOAD,
	CMD_SAVE,
	CMD_STATUS,
	CMD_ALLOW,
	CMD_DENY,
	CMD_PORTS,
	CMD_DEFAULT,
	CMD_STATS,
	CMD_WATCH,
	CMD_DOCTOR,
	NCOMMANDS
};

struct command_info {
	const char *name;
	unsigned extra; /* OPT_ bits (args.c): options it takes beyond the common ones */
	int logs;       /* runs at boot with no visible output: also tell syslog */
	const char *usage;
	const char *help;
};
extern const struct command_info commands[NCOMMANDS];

enum args_what {
	ARGS_RUN,          /* run CMD with O */
	ARGS_USAGE,        /* --help or `help` without a command: the usage, to stdout */
	ARGS_NO_COMMAND,   /* no command: the usage to stderr, a usage error */
	ARGS_COMMAND_HELP, /* COMMAND --help */
	ARGS_VERSION,      /* -V: the version */
	ARGS_ERROR,        /* ERR says what is wrong: a usage error */
};

struct args {
	enum args_what what;
	enum command cmd;
	struct opts o;  /* o.argv points into ARGV */
	int pin_given;  /* --pin-dir given: the config file is not asked for one */
	char err[1024]; /* a sentence without "lo6relay: " or a full stop */
};

/*
 * Reads ARGV (ARGC words, the program's name first) into A. It uses glibc's
 * getopt_long, for the GNU rules people know (options after the command,
 * --pin for --pin-dir), and leaves its globals as it found them; like
 * getopt it moves the options in ARGV ahead of the rest.
 */
void args_parse(int argc, char **argv, struct args *a);

#endif
