// SPDX-License-Identifier: MIT
#include "args.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config_file.h"
#include <lo6relay/abi.h>

/* Options each command accepts beyond the common ones (-p, -C, -j, -v, -h). */
#define OPT_CGROUP (1 << 0)
#define OPT_RELAY (1 << 1)
#define OPT_PORTS (1 << 2)
#define OPT_MODE (1 << 3)
#define OPT_ALL_NETNS (1 << 4)
#define OPT_LOOPBACK4 (1 << 5)
#define OPT_ROOT (1 << 6)
#define OPT_SHOW_RELAY (1 << 7)
#define OPT_IPV4_LOCALHOST (1 << 8)

const struct command_info commands[NCOMMANDS] = {
	[CMD_START] = { "start",
	  OPT_CGROUP | OPT_RELAY | OPT_PORTS | OPT_ALL_NETNS | OPT_LOOPBACK4 | OPT_SHOW_RELAY |
		  OPT_IPV4_LOCALHOST,
	  1,
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
	[CMD_STOP] = { "stop", 0, 1, "stop", "Detach and remove every pin start made.\n" },
	[CMD_RELOAD] = { "reload", 0, 1, "reload",
	  "Apply the config file to the running instance without detaching: relay (auto is\n"
	  "picked again), default mode and ports; no listed port is missing at any moment.\n" },
	[CMD_SAVE] = { "save", 0, 0, "save",
	  "Write the running instance's relay, default mode and ports to the config file.\n" },
	[CMD_STATUS] = { "status", 0, 0, "status",
	  "Say whether the redirector is attached, where, and what it did.\n"
	  "Exit status 0 when attached, 3 when not.\n" },
	[CMD_ALLOW] = { "allow", OPT_MODE, 0, "allow [--mode always|auto|never] SPEC...",
	  "Redirect [::1] connects to these ports (SPEC: 8080, 3000-3010,5173).\n"
	  "  -m, --mode MODE     auto (default): only when no Linux socket would answer\n"
	  "                      (a server on [::1]:P or [::]:P, or, where the relay is not\n"
	  "                      127.0.0.1, on 127.0.0.1:P or 0.0.0.0:P); always: even then;\n"
	  "                      never: do not redirect even if the default mode would\n" },
	[CMD_DENY] = { "deny", 0, 0, "deny SPEC...",
	  "Take these ports off the allowlist; they fall back to the default mode.\n" },
	[CMD_PORTS] = { "ports", 0, 0, "ports", "List the allowlist, ranges folded.\n" },
	[CMD_DEFAULT] = { "default", 0, 0, "default [off|always|auto|never]",
	  "Show or set the mode of ports not listed (off unless set). With auto, lo6relay\n"
	  "redirects any port nothing on Linux listens on at [::1], with no list at all.\n" },
	[CMD_STATS] = { "stats", 0, 0, "stats",
	  "Per-port counters: connects redirected and skipped, by reason, and totals.\n" },
	[CMD_WATCH] = { "watch", 0, 0, "watch [COUNT]",
	  "A live line per decision: time, pid, command, port, protocol, what was asked\n"
	  "for (::1, 127/8, v4-mapped) and the outcome with its reason. Ctrl-C ends it;\n"
	  "COUNT ends it after that many lines. --json: JSON lines. Costs nothing when\n"
	  "nobody watches: the program sends events only while a watcher is counted.\n" },
	[CMD_DOCTOR] = { "doctor", OPT_ROOT, 0, "doctor [--root DIR] [PORT]",
	  "Explain, with evidence, whether [::1] reaches the other side: WSL and its\n"
	  "networking mode, the relay address auto picks, kernel readiness, the instance;\n"
	  "with PORT, who listens on Linux and Windows, loopback probes and what localhost\n"
	  "resolves to. Exit status 0 when all is well, 1 with the reason otherwise.\n"
	  "      --root DIR      read DIR/proc, DIR/sys, DIR/etc and DIR/fixture/* instead of\n"
	  "                      the live system (no probes, no kernel checks)\n" },
};

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

static int find_command(const char *name)
{
	for (int i = 0; i < NCOMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return i;
	return -1;
}

/* The options, then the command word: what getopt's globals say is A's business only. */
static enum args_what parse(int argc, char **argv, struct args *a)
{
	struct opts *o = &a->o;
	unsigned used = 0;
	int c, cmd, help = 0;
	unsigned char seen[256] = { 0 };

	optind = 0; /* glibc: start over, forgetting any earlier scan */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:C:jvhVc:r:m:", longopts, NULL)) != -1) {
		/* A value given twice is a mistake to point out, not a silent override. */
		if (c != ':' && c != '?' && strchr("pCcrmPR", c) && seen[(unsigned char)c]++) {
			snprintf(a->err, sizeof(a->err), "option '%.64s' given twice: give it once",
				 argv[optind - 1]);
			return ARGS_ERROR;
		}
		switch (c) {
		case 'p': o->pin_dir = optarg; a->pin_given = 1; break;
		case 'C': o->config = optarg; break;
		case 'j': o->json = 1; break;
		case 'v': o->verbose++; break;
		case 'h': help = 1; break;
		case 'V': return ARGS_VERSION;
		case 'c': o->cgroup = optarg; used |= OPT_CGROUP; break;
		case 'r': o->relay = optarg; used |= OPT_RELAY; break;
		case 'P': o->ports = optarg; used |= OPT_PORTS; break;
		case 'm': o->mode = optarg; used |= OPT_MODE; break;
		case 'A': o->all_netns = 1; used |= OPT_ALL_NETNS; break;
		case 'R': o->root = optarg; used |= OPT_ROOT; break;
		case 'L': o->loopback4 = 1; used |= OPT_LOOPBACK4; break;
		case 'S': o->show_relay = 1; used |= OPT_SHOW_RELAY; break;
		case 'I': o->ipv4_localhost = 1; used |= OPT_IPV4_LOCALHOST; break;
		case ':':
			snprintf(a->err, sizeof(a->err),
				 "option '%.64s' needs a value (see 'lo6relay --help')", argv[optind - 1]);
			return ARGS_ERROR;
		default:
			/* optopt names a bad letter inside a cluster (-xj); 0 for a long option. */
			if (optopt)
				snprintf(a->err, sizeof(a->err),
					 "unknown option '-%c' (see 'lo6relay --help')", optopt);
			else
				snprintf(a->err, sizeof(a->err),
					 "unknown option '%.64s' (see 'lo6relay --help')",
					 argv[optind - 1]);
			return ARGS_ERROR;
		}
	}
	if (optind >= argc)
		return help ? ARGS_USAGE : ARGS_NO_COMMAND;
	if ((cmd = find_command(argv[optind])) < 0) {
		if (strcmp(argv[optind], "help") == 0)
			return ARGS_USAGE;
		snprintf(a->err, sizeof(a->err), "unknown command '%.64s' (see 'lo6relay --help')",
			 argv[optind]);
		return ARGS_ERROR;
	}
	a->cmd = (enum command)cmd;
	if (help)
		return ARGS_COMMAND_HELP;
	if (used & ~commands[cmd].extra) {
		snprintf(a->err, sizeof(a->err),
			 "an option given does not apply to '%s': usage: lo6relay %s",
			 commands[cmd].name, commands[cmd].usage);
		return ARGS_ERROR;
	}
	o->argc = argc - optind - 1;
	o->argv = argv + optind + 1;
	return ARGS_RUN;
}

void args_parse(int argc, char **argv, struct args *a)
{
	int saved_optind = optind, saved_opterr = opterr, saved_optopt = optopt;
	char *saved_optarg = optarg;

	memset(a, 0, sizeof(*a));
	a->o.pin_dir = LO6_DEFAULT_PIN_DIR;
	a->what = parse(argc, argv, a);
	optind = saved_optind;
	opterr = saved_opterr;
	optopt = saved_optopt;
	optarg = saved_optarg;
}
