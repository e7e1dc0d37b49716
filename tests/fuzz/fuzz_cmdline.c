// SPDX-License-Identifier: MIT
/*
 * The command line: user/cli/args.c, the parser main.c runs, linked as it is.
 * The input is argv, split at NUL bytes. What it reads must hold what
 * every command relies on, and the pure parsers a command runs first get
 * its options; a usage error must come with a sentence.
 */
#include <getopt.h>

#include "args.h"
#include "fuzz.h"
#include "parse.h"
#include <lo6relay/abi.h>

#define MAX_ARGS 48

/* What every command may rely on from the parser, then the parsers a command runs first. */
static void check_run(const struct args *a)
{
	static struct portset set;
	const struct opts *o = &a->o;
	const char *name = commands[a->cmd].name;
	char err[256];
	uint32_t addr;

	FUZZ_ASSERT(a->cmd < NCOMMANDS);
	FUZZ_ASSERT(o->pin_dir && (a->pin_given || strcmp(o->pin_dir, LO6_DEFAULT_PIN_DIR) == 0));
	FUZZ_ASSERT(o->argc >= 0 && o->argv && o->argv[o->argc] == NULL);
	for (int i = 0; i < o->argc; i++)
		FUZZ_ASSERT(strlen(o->argv[i]) < (1u << 20));
	FUZZ_ASSERT(o->verbose >= 0);
	if (strcmp(name, "allow") == 0 || strcmp(name, "deny") == 0) {
		int m = o->mode ? mode_parse(o->mode) : LO6_MODE_ALWAYS;

		FUZZ_ASSERT(strcmp(name, "allow") == 0 || !o->mode);
		if (m <= LO6_MODE_OFF || o->argc == 0)
			return;
		memset(&set, 0, sizeof(set));
		for (int i = 0; i < o->argc; i++)
			if (portspec_parse(o->argv[i], &set, err, sizeof(err)) < 0)
				return;
	} else {
		FUZZ_ASSERT(!o->mode);
	}
	if (strcmp(name, "start") == 0) {
		if (o->ports && strcmp(o->ports, "none") != 0 &&
		    portspec_parse(o->ports, &set, err, sizeof(err)) < 0)
			return;
		if (o->relay && strcmp(o->relay, "auto") != 0)
			ipv4_parse(o->relay, &addr, err, sizeof(err));
	} else {
		FUZZ_ASSERT(!o->ports && !o->relay && !o->cgroup && !o->all_netns && !o->loopback4 &&
			    !o->show_relay && !o->ipv4_localhost);
	}
	if (strcmp(name, "doctor") != 0)
		FUZZ_ASSERT(!o->root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct args a;
	char *argv[MAX_ARGS + 2], *copy[MAX_ARGS + 2];
	const uint8_t *p = data, *end = data + size;
	int argc = 0;

	argv[argc++] = fuzz_str((const uint8_t *)"lo6relay", 8);
	while (p < end && argc <= MAX_ARGS) {
		const uint8_t *nul = memchr(p, '\0', (size_t)(end - p));
		size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);

		argv[argc++] = fuzz_str(p, n);
		p += n + 1;
	}
	argv[argc] = NULL;
	memcpy(copy, argv, sizeof(argv[0]) * (size_t)(argc + 1)); /* getopt permutes ARGV */

	optind = 7; /* the parser must leave getopt's globals as it found them */
	args_parse(argc, argv, &a);
	FUZZ_ASSERT(optind == 7);
	switch (a.what) {
	case ARGS_RUN:
		check_run(&a);
		break;
	case ARGS_COMMAND_HELP:
		FUZZ_ASSERT(a.cmd < NCOMMANDS);
		break;
	case ARGS_ERROR:
		/* One sentence, that main.c prefixes with "lo6relay: ". */
		FUZZ_ASSERT(a.err[0] != '\0' && memchr(a.err, '\0', sizeof(a.err)));
		break;
	case ARGS_USAGE:
	case ARGS_NO_COMMAND:
	case ARGS_VERSION:
		break;
	default:
		FUZZ_ASSERT(!"a result args.h does not name");
	}
	for (int i = 0; i < argc; i++)
		free(copy[i]);
	return 0;
}
