/* SPDX-License-Identifier: MIT */
/* What main.c hands each command (args.h reads it), and the exit codes scripts rely on. */
#ifndef LO6RELAY_CLI_H
#define LO6RELAY_CLI_H

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,        /* the operation failed */
	EXIT_USAGE = 2,       /* bad command line: nothing was changed */
	EXIT_NOT_RUNNING = 3, /* status: no instance attached at the pin folder */
};

struct opts {
	const char *pin_dir;
	const char *cgroup; /* start */
	const char *relay;  /* start */
	const char *ports;  /* start: the allowlist of a fresh instance */
	const char *mode;   /* allow */
	const char *root;   /* doctor: read proc/sys/fixtures below this folder */
	const char *config; /* the config file; NULL: /etc/lo6relay.conf if it exists */
	int json;
	int verbose;
	int all_netns; /* start */
	int loopback4; /* start */
	int show_relay; /* start: no socket mark, no reverse hooks */
	int ipv4_localhost; /* start: 127.0.0.1 too, where the relay is another host */
	int argc;      /* positional arguments after the command */
	char **argv;
};

int cmd_start(const struct opts *o);
int cmd_stop(const struct opts *o);
int cmd_status(const struct opts *o);
int cmd_stats(const struct opts *o);
int cmd_allow(const struct opts *o);
int cmd_deny(const struct opts *o);
int cmd_ports(const struct opts *o);
int cmd_doctor(const struct opts *o);
int cmd_default(const struct opts *o);
int cmd_reload(const struct opts *o);
int cmd_save(const struct opts *o);
int cmd_watch(const struct opts *o);

/* The ports a fresh `start` allows when --ports is not given. */
#define LO6_DEFAULT_PORTS "3000-3010,4200,5000,5173,5432,6379,8000,8080,8443,9229"

#endif
