// SPDX-License-Identifier: MIT
/* args_parse(): the command line read, with nothing printed and getopt's globals untouched. */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "check.h"
#include <lo6relay/abi.h>

static struct args a;

/* Parses the words given, after the program's name, NULL-terminated. */
static enum args_what parse(const char *first, ...)
{
	static char *argv[32];
	static char words[32][128];
	va_list ap;
	int argc = 0;

	va_start(ap, first);
	argv[argc++] = strcpy(words[0], "lo6relay");
	for (const char *w = first; w && argc < 31; w = va_arg(ap, const char *), argc++)
		argv[argc] = strcpy(words[argc], w);
	va_end(ap);
	argv[argc] = NULL;
	args_parse(argc, argv, &a);
	return a.what;
}

int main(void)
{
	CHECK(parse(NULL) == ARGS_NO_COMMAND);
	CHECK(parse("-h", NULL) == ARGS_USAGE);
	CHECK(parse("help", NULL) == ARGS_USAGE);
	CHECK(parse("-V", "--bogus", NULL) == ARGS_VERSION);
	CHECK(parse("status", "--help", NULL) == ARGS_COMMAND_HELP && a.cmd == CMD_STATUS);

	/* GNU rules: options after the command, and a long option's unique prefix. */
	CHECK(parse("allow", "8080", "--mode", "auto", "-j", NULL) == ARGS_RUN);
	CHECK(a.cmd == CMD_ALLOW && a.o.json && strcmp(a.o.mode, "auto") == 0);
	CHECK(a.o.argc == 1 && strcmp(a.o.argv[0], "8080") == 0 && a.o.argv[1] == NULL);
	CHECK(strcmp(a.o.pin_dir, LO6_DEFAULT_PIN_DIR) == 0 && !a.pin_given);
	CHECK(parse("--pin", "/x", "-vv", "start", "--all-net", NULL) == ARGS_RUN);
	CHECK(a.pin_given && strcmp(a.o.pin_dir, "/x") == 0 && a.o.verbose == 2 && a.o.all_netns);
	CHECK(parse("status", "--", "--help", NULL) == ARGS_RUN && a.o.argc == 1);

	/* One sentence for each mistake, in the words main.c has always used. */
	CHECK(parse("bogus", NULL) == ARGS_ERROR);
	CHECK_STR(a.err, "unknown command 'bogus' (see 'lo6relay --help')");
	CHECK(parse("-jx", "status", NULL) == ARGS_ERROR);
	CHECK_STR(a.err, "unknown option '-x' (see 'lo6relay --help')");
	CHECK(parse("--json=1", "status", NULL) == ARGS_ERROR);
	CHECK(parse("--bogus", NULL) == ARGS_ERROR);
	CHECK_STR(a.err, "unknown option '--bogus' (see 'lo6relay --help')");
	CHECK(parse("status", "-p", NULL) == ARGS_ERROR);
	CHECK_STR(a.err, "option '-p' needs a value (see 'lo6relay --help')");
	CHECK(parse("-C", "/a", "--config=/b", "status", NULL) == ARGS_ERROR);
	CHECK_STR(a.err, "option '--config=/b' given twice: give it once");
	CHECK(parse("stop", "--mode", "auto", NULL) == ARGS_ERROR);
	CHECK_STR(a.err, "an option given does not apply to 'stop': usage: lo6relay stop");
	/* A relative --pin-dir is main.c's to refuse, after the config file's turn. */
	CHECK(parse("-p", "rel", "status", NULL) == ARGS_RUN && strcmp(a.o.pin_dir, "rel") == 0);

	/* Every command by its name, and getopt's globals as they were. */
	for (int i = 0; i < NCOMMANDS; i++)
		CHECK(parse(commands[i].name, NULL) == ARGS_RUN && a.cmd == (enum command)i);
	optind = 5;
	opterr = 1;
	parse("-x", NULL);
	CHECK(optind == 5 && opterr == 1);
	return checks_done("args");
}
