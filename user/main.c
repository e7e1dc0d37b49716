// SPDX-License-Identifier: MIT
/* lo6relay: the command table, option parsing and dispatch. */
#define _GNU_SOURCE /* O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "config_file.h"
#include "log.h"
#include "pins.h"
#include <lo6relay/abi.h>

#ifndef LO6RELAY_VERSION
#define LO6RELAY_VERSION "0.0.0"
#endif

/* Options each command accepts beyond the common ones (-p, -j, -v, -h). */
#define OPT_CGROUP (1 << 0)
#define OPT_RELAY (1 << 1)
#define OPT_PORTS (1 << 2)
#define OPT_MODE (1 << 3)
#define OPT_ALL_NETNS (1 << 4)
#define OPT_LOOPBACK4 (1 << 5)
#define OPT_ROOT (1 << 6)
#define OPT_SHOW_RELAY (1 << 7)
#define OPT_IPV4_LOCALHOST (1 << 8)

static const struct command {
	const char *name;
	int (*run)(const struct opts *o);
	unsigned extra;
	int logs; /* runs at boot with no visible output: also tell syslog */
	enum pins_use pins; /* what it needs of the pin folder; start locks for itself */
	const char *usage;
	const char *help;
} commands[] = {
	{ "start", cmd_start,
	  OPT_CGROUP | OPT_RELAY | OPT_PORTS | OPT_ALL_NETNS | OPT_LOOPBACK4 | OPT_SHOW_RELAY |
		  OPT_IPV4_LOCALHOST,
	  1, PINS_READ,
	  "start [--cgroup DIR] [--relay IPV4|auto] [--ports SPEC|none] [--all-netns] [--loopback4] "
	  "[--ipv4-localhost] [--show-relay]",
	  "Load the redirector, attach it to the cgroup v2 root (or DIR) and pin it, then exit.\n"
	  "Running it again replaces the program in place and keeps ports and counters.\n"
	  "Settings come from the config file (" CONFIG_FILE_DEFAULT "), options win.\n"
	  "  -c, --cgroup DIR    attach here instead of the cgroup v2 root\n"
	  "  -r, --relay IPV4|auto  where [::1] goes (default auto: by WSL networking mode,\n"
	  "                      127.0.0.1 in mirrored and Consomme mode, the gateway in NAT)\n"
	  "      --ports SPEC    allowlist of a new instance, mode auto (default: the config\n"
	  "                      file's, else " LO6_DEFAULT_PORTS ")\n"
	  "      --all-netns     redirect in every network namespace, not only this one\n"
	  "      --loopback4     also redirect 127.x.y.z (such as 127.0.1.1, the hostname on\n"
	  "                      Debian) and ::ffff:127.x.y.z, which WSL does not relay either;\n"
	  "                      never 127.0.0.1 itself\n"
	  "      --ipv4-localhost  NAT mode: also send 127.0.0.1:P (and [::ffff:127.0.0.1]) of\n"
	  "                      an allowed port to the relay, whatever its mode, when no\n"
	  "                      Linux socket owns 127.0.0.1:P, 0.0.0.0:P or [::]:P; a port\n"
	  "                      Windows does not serve then times out instead of being\n"
	  "                      refused. Nothing changes where the relay is 127.0.0.1\n"
	  "      --show-relay    let clients see the relay address, not [::1], in getpeername,\n"
	  "                      getsockname and recvfrom: no per-socket mark, the largest\n"
	  "                      cost of a redirected connect (see README, Performance)\n" },
	{ "stop", cmd_stop, 0, 1, PINS_STOP, "stop", "Detach and remove every pin start made.\n" },
	{ "reload", cmd_reload, 0, 1, PINS_WRITE, "reload",
	  "Apply the config file to the running instance without detaching: relay (auto is\n"
	  "picked again), default mode and ports; no listed port is missing at any moment.\n" },
	{ "save", cmd_save, 0, 0, PINS_WRITE, "save",
	  "Write the running instance's relay, default mode and ports to the config file.\n" },
	{ "status", cmd_status, 0, 0, PINS_READ, "status",
	  "Say whether the redirector is attached, where, and what it did.\n"
	  "Exit status 0 when attached, 3 when not.\n" },
	{ "allow", cmd_allow, OPT_MODE, 0, PINS_WRITE, "allow [--mode always|auto|never] SPEC...",
	  "Redirect [::1] connects to these ports (SPEC: 8080, 3000-3010,5173).\n"
	  "  -m, --mode MODE     auto (default): only when no Linux socket would answer\n"
	  "                      (a server on [::1]:P or [::]:P, or, where the relay is not\n"
	  "                      127.0.0.1, on 127.0.0.1:P or 0.0.0.0:P); always: even then;\n"
	  "                      never: do not redirect even if the default mode would\n" },
	{ "deny", cmd_deny, 0, 0, PINS_WRITE, "deny SPEC...",
	  "Take these ports off the allowlist; they fall back to the default mode.\n" },
	{ "ports", cmd_ports, 0, 0, PINS_READ, "ports", "List the allowlist, ranges folded.\n" },
	{ "default", cmd_default, 0, 0, PINS_WRITE, "default [off|always|auto|never]",
	  "Show or set the mode of ports not listed (off unless set). With auto, lo6relay\n"
	  "redirects any port nothing on Linux listens on at [::1], with no list at all.\n" },
	{ "stats", cmd_stats, 0, 0, PINS_READ, "stats",
	  "Per-port counters: connects redirected and skipped, by reason, and totals.\n" },
	{ "watch", cmd_watch, 0, 0, PINS_WATCH, "watch [COUNT]",
	  "A live line per decision: time, pid, command, port, protocol, what was asked\n"
	  "for (::1, 127/8, v4-mapped) and the outcome with its reason. Ctrl-C ends it;\n"
	  "COUNT ends it after that many lines. --json: JSON lines. Costs nothing when\n"
	  "nobody watches: the program sends events only while a watcher is counted.\n" },
	{ "doctor", cmd_doctor, OPT_ROOT, 0, PINS_READ, "doctor [--root DIR] [PORT]",
	  "Explain, with evidence, whether [::1] reaches the other side: WSL and its\n"
	  "networking mode, the relay address auto picks, kernel readiness, the instance;\n"
	  "with PORT, who listens on Linux and Windows, loopback probes and what localhost\n"
	  "resolves to. Exit status 0 when all is well, 1 with the reason otherwise.\n"
	  "      --root DIR      read DIR/proc, DIR/sys, DIR/etc and DIR/fixture/* instead of\n"
	  "                      the live system (no probes, no kernel checks)\n" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

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

static void command_help(const struct command *c)
{
	printf("Usage: lo6relay %s\n\n%s\nCommon options: -p/--pin-dir DIR, -C/--config FILE, -j/--json, "
	       "-v/--verbose\n",
	       c->usage, c->help);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
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

/* The command run() dispatched to, if it got as far, and its argument count. */
static const struct command *ran;
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
	int err, changed;

	if (fflush(stdout) != 0)
		err = errno;
	else if (!ferror(stdout))
		return rc;
	else
		err = stdout_cause();
	if (!ran)
		return output_lost("lo6relay", err, 0, rc); /* help, usage or version */
	/* watch ends when its reader does (`watch | head -1`): the reader chose so. */
	if (ran->pins == PINS_WATCH && err == EPIPE)
		return rc;
	changed = rc == EXIT_OK &&
		  (ran->logs || ran->pins == PINS_STOP || ran->pins == PINS_WRITE) &&
		  !(ran->run == cmd_default && ran_argc == 0);
	return output_lost(ran->name, err, changed, rc);
}

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "relay", required_argument, NULL, 'r' },
		{ "ports", required_argument, NULL, 'P' },
		{ "mode", required_argument, NULL, 'm' },
		{ "all-netns", no_argument, NULL, 'A' },
		{ "root", required_argument, NULL, 'R' },
		{ "loopback4", no_argument, NULL, 'L' },
		{ "show-relay", no_argument, NULL, 'S' },
		{ "ipv4-localhost", no_argument, NULL, 'I' },
		{ 0 },
	};
	struct opts o = { .pin_dir = LO6_DEFAULT_PIN_DIR };
	const struct command *cmd;
	unsigned used = 0;
	int c, rc, help = 0, pin_given = 0;
	unsigned char seen[256] = { 0 };

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:C:jvhVc:r:m:", longopts, NULL)) != -1) {
		/* A value given twice is a mistake to point out, not a silent override. */
		if (c != ':' && c != '?' && strchr("pCcrmPR", c) && seen[(unsigned char)c]++) {
			errorf("option '%.64s' given twice: give it once", argv[optind - 1]);
			return EXIT_USAGE;
		}
		switch (c) {
		case 'p': o.pin_dir = optarg; pin_given = 1; break;
		case 'C': o.config = optarg; break;
		case 'j': o.json = 1; break;
		case 'v': o.verbose++; break;
		case 'h': help = 1; break;
		case 'V': printf("lo6relay %s\n", LO6RELAY_VERSION); return EXIT_OK;
		case 'c': o.cgroup = optarg; used |= OPT_CGROUP; break;
		case 'r': o.relay = optarg; used |= OPT_RELAY; break;
		case 'P': o.ports = optarg; used |= OPT_PORTS; break;
		case 'm': o.mode = optarg; used |= OPT_MODE; break;
		case 'A': o.all_netns = 1; used |= OPT_ALL_NETNS; break;
		case 'R': o.root = optarg; used |= OPT_ROOT; break;
		case 'L': o.loopback4 = 1; used |= OPT_LOOPBACK4; break;
		case 'S': o.show_relay = 1; used |= OPT_SHOW_RELAY; break;
		case 'I': o.ipv4_localhost = 1; used |= OPT_IPV4_LOCALHOST; break;
		case ':':
			errorf("option '%.64s' needs a value (see 'lo6relay --help')", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			/* optopt names a bad letter inside a cluster (-xj); 0 for a long option. */
			if (optopt)
				errorf("unknown option '-%c' (see 'lo6relay --help')", optopt);
			else
				errorf("unknown option '%.64s' (see 'lo6relay --help')", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(help ? stdout : stderr);
		return help ? EXIT_OK : EXIT_USAGE;
	}
	cmd = find_command(argv[optind]);
	if (!cmd) {
		if (strcmp(argv[optind], "help") == 0) {
			usage(stdout);
			return EXIT_OK;
		}
		errorf("unknown command '%.64s' (see 'lo6relay --help')", argv[optind]);
		return EXIT_USAGE;
	}
	if (help) {
		command_help(cmd);
		return EXIT_OK;
	}
	if (used & ~cmd->extra) {
		errorf("an option given does not apply to '%s': usage: lo6relay %s", cmd->name,
		       cmd->usage);
		return EXIT_USAGE;
	}
	if (!pin_given && (rc = pin_dir_from_config(o.config, &o.pin_dir)) != 0)
		return rc;
	if (o.pin_dir[0] != '/') {
		errorf("--pin-dir must be an absolute path, not '%.64s'", o.pin_dir);
		return EXIT_USAGE;
	}
	o.argc = argc - optind - 1;
	o.argv = argv + optind + 1;
	verbose = o.verbose;
	libbpf_set_print(libbpf_log);
	/* WSL's [boot] command= shows no output: leave a trace in the journal. */
	if (cmd->logs)
		log_to_syslog();
	if (pins_enter(o.pin_dir, cmd->pins) < 0)
		return EXIT_FAIL;
	/* watch may print nothing for hours: a stdout that takes nothing is refused now. */
	if (cmd->pins == PINS_WATCH && write(STDOUT_FILENO, "", 0) < 0)
		return output_lost(cmd->name, errno, 0, EXIT_FAIL);
	ran = cmd;
	ran_argc = o.argc;
	return cmd->run(&o); /* the lock, if any, lasts until exit */
}

int main(int argc, char **argv)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	hold_closed_std_fds();
	sigaction(SIGPIPE, &ign, NULL);
	ran = NULL;
	return output_check(run(argc, argv));
}
