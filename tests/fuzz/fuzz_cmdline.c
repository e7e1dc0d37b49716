// SPDX-License-Identifier: MIT
/*
 * The command line: user/main.c's option parsing and dispatch, built with
 * main renamed lo6relay_main and every cmd_* replaced by a stub
 * (gen_cmd_stubs.sh) that checks what it was handed and runs the pure
 * parsers on it. The input is argv, split at NUL bytes. Nothing touches
 * the kernel; syslog and the config file are stood in for (see the -D
 * renames in tools/fuzz and tests/meson.build).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>

#include "cli.h"
#include "config_file.h"
#include "fuzz.h"
#include "parse.h"
#include "pins.h"

#define MAX_ARGS 48

int lo6relay_main(int argc, char **argv);

static int dispatched;

/* What every command may rely on from main.c, then the parsers a command runs first. */
int fuzz_cmd(const char *name, const struct opts *o)
{
	static struct portset set;
	char err[256];
	uint32_t a;

	dispatched = 1;
	FUZZ_ASSERT(o->pin_dir && o->pin_dir[0] == '/');
	FUZZ_ASSERT(o->argc >= 0 && o->argv && o->argv[o->argc] == NULL);
	for (int i = 0; i < o->argc; i++)
		FUZZ_ASSERT(strlen(o->argv[i]) < (1u << 20));
	FUZZ_ASSERT(o->verbose >= 0);
	if (strcmp(name, "allow") == 0 || strcmp(name, "deny") == 0) {
		int m = o->mode ? mode_parse(o->mode) : LO6_MODE_ALWAYS;

		FUZZ_ASSERT(strcmp(name, "allow") == 0 || !o->mode);
		if (m <= LO6_MODE_OFF || o->argc == 0)
			return EXIT_USAGE;
		memset(&set, 0, sizeof(set));
		for (int i = 0; i < o->argc; i++)
			if (portspec_parse(o->argv[i], &set, err, sizeof(err)) < 0)
				return EXIT_USAGE;
	} else {
		FUZZ_ASSERT(!o->mode);
	}
	if (strcmp(name, "start") == 0) {
		if (o->ports && strcmp(o->ports, "none") != 0 &&
		    portspec_parse(o->ports, &set, err, sizeof(err)) < 0)
			return EXIT_USAGE;
		if (o->relay && strcmp(o->relay, "auto") != 0 &&
		    ipv4_parse(o->relay, &a, err, sizeof(err)) < 0)
			return EXIT_USAGE;
	} else {
		FUZZ_ASSERT(!o->ports && !o->relay && !o->cgroup && !o->all_netns && !o->loopback4 &&
			    !o->show_relay);
	}
	if (strcmp(name, "doctor") != 0)
		FUZZ_ASSERT(!o->root);
	return EXIT_OK;
}

/* main.c's syslog and config file, stood in for: no journal spam, no file opened. */
void fuzz_openlog(const char *ident, int option, int facility)
{
	(void)ident;
	(void)option;
	(void)facility;
}

void fuzz_vsyslog(int pri, const char *fmt, va_list ap)
{
	char buf[512];

	(void)pri;
	vsnprintf(buf, sizeof(buf), fmt, ap);
}

/* The "file" is the path itself: --config 'pin-dir = /x' reaches the config branch. */
int fuzz_config_file_load(const char *path, struct config_file *out, char *err, size_t errlen)
{
	FUZZ_ASSERT(path != NULL);
	return config_file_parse(path, path, strlen(path), out, err, errlen) < 0 ? -EINVAL : 0;
}

/* The pin folder's lock and ABI check: no folder, as with no instance. */
int fuzz_pins_enter(const char *dir, enum pins_use use)
{
	FUZZ_ASSERT(dir && dir[0] == '/' && (unsigned)use <= PINS_WRITE);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 2], *outbuf = NULL, *errbuf = NULL;
	size_t outlen = 0, errlen = 0;
	FILE *real_out = stdout, *real_err = stderr;
	const uint8_t *p = data, *end = data + size;
	int argc = 0, rc;

	argv[argc++] = fuzz_str((const uint8_t *)"lo6relay", 8);
	while (p < end && argc <= MAX_ARGS) {
		const uint8_t *nul = memchr(p, '\0', (size_t)(end - p));
		size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);

		argv[argc++] = fuzz_str(p, n);
		p += n + 1;
	}
	argv[argc] = NULL;

	/* Capture what main prints: a usage error must say something. */
	stdout = open_memstream(&outbuf, &outlen);
	stderr = open_memstream(&errbuf, &errlen);
	if (!stdout || !stderr)
		abort();
	optind = 0; /* glibc: start over, forgetting the last call's state */
	dispatched = 0;
	rc = lo6relay_main(argc, argv);
	fclose(stdout);
	fclose(stderr);
	stdout = real_out;
	stderr = real_err;

	FUZZ_ASSERT(rc >= EXIT_OK && rc <= EXIT_NOT_RUNNING);
	if (rc == EXIT_USAGE && !dispatched) {
		FUZZ_ASSERT(errlen > 0);
		/* One sentence of ours, or the usage text when no command was given. */
		FUZZ_ASSERT(strncmp(errbuf, "lo6relay: ", 10) == 0 ||
			    strncmp(errbuf, "Usage: ", 7) == 0);
	}
	free(outbuf);
	free(errbuf);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
