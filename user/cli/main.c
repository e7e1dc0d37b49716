// SPDX-License-Identifier: MIT
/* lo6relay: the command line read (args.h), the command run, its output owned up to. */
#define _GNU_SOURCE /* O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "args.h"
#include "cli.h"
#include "config_file.h"
#include "log.h"
#include "pins.h"
#include <lo6relay/abi.h>

#ifndef LO6RELAY_VERSION
#define LO6RELAY_VERSION "0.0.0"
#endif

/* Each command's function, and what it needs of the pin folder; start locks for itself. */
static const struct {
	int (*run)(const struct opts *o);
	enum pins_use pins;
} runs[NCOMMANDS] = {
	[CMD_START] = { cmd_start, PINS_READ },
	[CMD_STOP] = { cmd_stop, PINS_STOP },
	[CMD_RELOAD] = { cmd_reload, PINS_WRITE },
	[CMD_SAVE] = { cmd_save, PINS_WRITE },
	[CMD_STATUS] = { cmd_status, PINS_READ },
	[CMD_ALLOW] = { cmd_allow, PINS_WRITE },
	[CMD_DENY] = { cmd_deny, PINS_WRITE },
	[CMD_PORTS] = { cmd_ports, PINS_READ },
	[CMD_DEFAULT] = { cmd_default, PINS_WRITE },
	[CMD_STATS] = { cmd_stats, PINS_READ },
	[CMD_WATCH] = { cmd_watch, PINS_WATCH },
	[CMD_DOCTOR] = { cmd_doctor, PINS_READ },
};

/*
 * Without --pin-dir, the config file may name the pin folder: a file that is
 * there but refused (unsafe, unreadable, bad) stops every command, or `stop`
 * would look in the default folder, find nothing and say all is well while
 * the configured one stays attached. No default file is fine. 0, or the
 * exit status after one sentence.
 */
static int pin_dir_from_config(const char *config, const char **pin_dir)
{
	static struct config_file cf;
	char err[512];
	int rc;

	cf.pin_dir[0] = '\0';
	rc = config_file_load(config ? config : CONFIG_FILE_DEFAULT, &cf, err, sizeof(err));
	if (rc < 0 && !(rc == -ENOENT && !config)) {
		errorf("%s", err);
		return rc == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	if (rc == 0 && cf.pin_dir[0])
		*pin_dir = cf.pin_dir;
	return 0;
}

/* libbpf speaks only with -v; otherwise our own sentence is the whole story. */
static int verbose;
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!verbose || (level == LIBBPF_DEBUG && verbose < 2))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: lo6relay [OPTIONS] COMMAND [ARGS]\n\n"
		     "Send [::1]:PORT connects to the IPv4 localhost relay inside the kernel.\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %s\n", commands[i].usage);
	fprintf(out, "\nOptions for every command:\n"
		     "  -p, --pin-dir DIR   the instance's bpffs folder (default: the config file's,\n"
		     "                      else " LO6_DEFAULT_PIN_DIR ")\n"
		     "  -C, --config FILE   the config file (default " CONFIG_FILE_DEFAULT ", if it exists)\n"
		     "  -j, --json          machine-readable output\n"
		     "  -v, --verbose       show libbpf's log (twice: its debug log too)\n"
		     "  -h, --help          help; 'lo6relay COMMAND --help' for one command\n"
		     "  -V, --version       print the version\n\n"
		     "Exit status: 0 ok, 1 failed, 2 usage error, 3 not attached (status).\n");
}

static void command_help(const struct command_info *c)
{
	printf("Usage: lo6relay %s\n\n%s\nCommon options: -p/--pin-dir DIR, -C/--config FILE, -j/--json, "
	       "-v/--verbose\n",
	       c->usage, c->help);
}

/*
 * A descriptor the caller closed (`>&-`) is held by an O_PATH one, which
 * takes no write (EBADF, as closed): no map, lock, file or syslog socket
 * we open later gets number 1 or 2, and with it our output.
 */
static void hold_closed_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			open("/dev/null", O_PATH); /* the lowest free number: fd itself */
}

/*
 * Output that never arrived is a failure to own up to, as coreutils'
 * close_stdout does: stdout full (ENOSPC), closed (EBADF), or its reader
 * gone (EPIPE; SIGPIPE is ignored, so no command dies halfway through a
 * change). CHANGED: the command changed the instance, and that stands.
 * The exit status: 1, unless the command line was wrong.
 */
static int output_lost(const char *name, int err, int changed, int rc)
{
	errorf("cannot write to stdout (%s), so the output of '%s' is lost%s: send it to a "
	       "terminal, a file with room or a reader that reads to the end",
	       err ? strerror(err) : "a write failed", name,
	       changed ? ", though what it did stands" : "");
	return rc == EXIT_USAGE ? rc : EXIT_FAIL;
}

/* The command run() dispatched to (-1 if it got no further), and its argument count. */
static int ran_cmd = -1;
static int ran_argc;

/*
 * Why an earlier write failed, asked of the descriptor again (stdio drops
 * what a failed fflush held, and errno with it): an empty write still meets
 * a full device (ENOSPC) or a closed one (EBADF), and a pipe whose reader
 * left polls POLLERR. 0 if it does not tell.
 */
static int stdout_cause(void)
{
	struct pollfd p = { .fd = fileno(stdout), .events = 0 };

	if (write(p.fd, "", 0) < 0)
		return errno;
	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR) ? EPIPE : 0;
}

static int output_check(int rc)
{
	const struct command_info *ran;
	int err, changed;

	if (fflush(stdout) != 0)
		err = errno;
	else if (!ferror(stdout))
		return rc;
	else
		err = stdout_cause();
	if (ran_cmd < 0)
		return output_lost("lo6relay", err, 0, rc); /* help, usage or version */
	ran = &commands[ran_cmd];
	/* watch ends when its reader does (`watch | head -1`): the reader chose so. */
	if (runs[ran_cmd].pins == PINS_WATCH && err == EPIPE)
		return rc;
	changed = rc == EXIT_OK &&
		  (ran->logs || runs[ran_cmd].pins == PINS_STOP || runs[ran_cmd].pins == PINS_WRITE) &&
		  !(ran_cmd == CMD_DEFAULT && ran_argc == 0);
	return output_lost(ran->name, err, changed, rc);
}

static int run(int argc, char **argv)
{
	struct args a;
	struct opts *o = &a.o;
	int rc;

	args_parse(argc, argv, &a);
	switch (a.what) {
	case ARGS_RUN:
		break;
	case ARGS_USAGE:
		usage(stdout);
		return EXIT_OK;
	case ARGS_NO_COMMAND:
		usage(stderr);
		return EXIT_USAGE;
	case ARGS_COMMAND_HELP:
		command_help(&commands[a.cmd]);
		return EXIT_OK;
	case ARGS_VERSION:
		printf("lo6relay %s\n", LO6RELAY_VERSION);
		return EXIT_OK;
	case ARGS_ERROR:
		errorf("%s", a.err);
		return EXIT_USAGE;
	}
	if (!a.pin_given && (rc = pin_dir_from_config(o->config, &o->pin_dir)) != 0)
		return rc;
	if (o->pin_dir[0] != '/') {
		errorf("--pin-dir must be an absolute path, not '%.64s'", o->pin_dir);
		return EXIT_USAGE;
	}
	verbose = o->verbose;
	libbpf_set_print(libbpf_log);
	/* WSL's [boot] command= shows no output: leave a trace in the journal. */
	if (commands[a.cmd].logs)
		log_to_syslog();
	if (pins_enter(o->pin_dir, runs[a.cmd].pins) < 0)
		return EXIT_FAIL;
	/* watch may print nothing for hours: a stdout that takes nothing is refused now. */
	if (runs[a.cmd].pins == PINS_WATCH && write(STDOUT_FILENO, "", 0) < 0)
		return output_lost(commands[a.cmd].name, errno, 0, EXIT_FAIL);
	ran_cmd = a.cmd;
	ran_argc = o->argc;
	return runs[a.cmd].run(o); /* the lock, if any, lasts until exit */
}

int main(int argc, char **argv)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	hold_closed_std_fds();
	sigaction(SIGPIPE, &ign, NULL);
	return output_check(run(argc, argv));
}
