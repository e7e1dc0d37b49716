// SPDX-License-Identifier: MIT
/* The /etc/lo6relay.conf parser: good files, and each way a bad one is refused. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config_file.h"

static struct config_file c;
static char err[256];

static int parse(const char *text)
{
	err[0] = '\0';
	return config_file_parse("test.conf", text, strlen(text), &c, err, sizeof(err));
}

/* TEXT is refused, the message starts with WANT, and C is left as it was. */
static void refused(const char *text, const char *want, int line)
{
	memset(&c, 0xab, sizeof(c));
	checks_run++;
	if (parse(text) != -1 || strncmp(err, want, strlen(want)) != 0) {
		checks_failed++;
		fprintf(stderr, "test_config_file.c:%d: got '%s', wanted it to start with '%s'\n", line,
			err, want);
	}
	CHECK(c.modes[80] == 0xab && c.default_mode == (int)0xabababab);
}
#define REFUSED(text, want) refused(text, want, __LINE__)

static const char *relay(void)
{
	static char buf[INET_ADDRSTRLEN];

	return inet_ntop(AF_INET, &c.relay_ip4, buf, sizeof(buf));
}

static void good(void)
{
	CHECK(parse("# lo6relay.conf\n"
		    "relay = 127.0.0.1\n"
		    "default=auto\n"
		    "\tpin-dir =  /sys/fs/bpf/lo6 relay   \n"
		    "\n"
		    "allow = 3000-3002, 5173   # dev servers\n"
		    "allow  auto = 5432\n"
		    "allow always = 9229\n"
		    "never = 22,2222\n") == 0);
	CHECK(c.relay == CONFIG_RELAY_ADDR);
	CHECK_STR(relay(), "127.0.0.1");
	CHECK(c.default_mode == LO6_MODE_AUTO);
	CHECK_STR(c.pin_dir, "/sys/fs/bpf/lo6 relay");
	CHECK(c.modes[3000] == LO6_MODE_AUTO && c.modes[3002] == LO6_MODE_AUTO);
	CHECK(c.modes[3003] == LO6_MODE_OFF);
	CHECK(c.modes[5173] == LO6_MODE_AUTO); /* allow without a mode: Linux first */
	CHECK(c.modes[5432] == LO6_MODE_AUTO);
	CHECK(c.modes[9229] == LO6_MODE_ALWAYS);
	CHECK(c.modes[22] == LO6_MODE_NEVER && c.modes[2222] == LO6_MODE_NEVER);

	/* Empty, blank and comment-only files set nothing. */
	CHECK(config_file_parse("e", "", 0, &c, err, sizeof(err)) == 0);
	CHECK(c.relay == CONFIG_RELAY_UNSET && c.default_mode == -1 && c.pin_dir[0] == '\0');
	CHECK(c.modes[8080] == LO6_MODE_OFF);
	CHECK(parse("\n  \n# only a comment\n\t\n") == 0);

	/* CRLF from Windows editors, and no newline at the end. */
	CHECK(parse("relay = auto\r\nallow = 8080\r\ndefault = off\r\n# x\r\nnever = 1") == 0);
	CHECK(c.relay == CONFIG_RELAY_AUTO);
	CHECK(c.modes[8080] == LO6_MODE_AUTO && c.modes[1] == LO6_MODE_NEVER);
	CHECK(c.default_mode == LO6_MODE_OFF);

	/* TEXT need not be NUL-terminated: only LEN bytes count. */
	CHECK(config_file_parse("n", "allow = 80garbage", 10, &c, err, sizeof(err)) == 0);
	CHECK(c.modes[80] == LO6_MODE_AUTO);
}

static void bad_lines(void)
{
	REFUSED("allow = 80\n\nrelays = auto\n", "test.conf:3: unknown setting 'relays'");
	REFUSED("relay auto\n", "test.conf:1: expected 'KEY = VALUE'");
	REFUSED("# ok\nallow = 80,\n", "test.conf:2: allow: empty port");
	REFUSED("allow = 0\n", "test.conf:1: allow: '0' is not a port");
	REFUSED("allow = 70000\n", "test.conf:1: allow: '70000' is not a port");
	REFUSED("allow = 30 00\n", "test.conf:1: allow: '30 00' is not a port");
	REFUSED("allow auto = 10-5\n", "test.conf:1: allow auto: '10-5' is a backwards range");
	REFUSED("relay = 127.1\n", "test.conf:1: relay: '127.1' is not an IPv4 address");
	REFUSED("relay = 224.0.0.1\n", "test.conf:1: relay: '224.0.0.1' cannot be a relay address");
	REFUSED("relay = auto\nrelay = 127.0.0.1\n", "test.conf:2: relay is already set on line 1");
	REFUSED("default = sometimes\n", "test.conf:1: default: 'sometimes' is not off");
	REFUSED("default = auto\n\ndefault = off\n", "test.conf:3: default is already set on line 1");
	REFUSED("pin-dir = lo6relay\n", "test.conf:1: pin-dir: 'lo6relay' is not an absolute path");
	REFUSED("allow = 8000-8100\nnever = 8080\n",
		"test.conf:2: port 8080 is already given on line 1");
	REFUSED("allow = 80\nallow auto = 80\n", "test.conf:2: port 80 is already given on line 1");
	REFUSED("allow =\n", "test.conf:1: allow has no value");
	REFUSED("allow = # nothing\n", "test.conf:1: allow has no value");
	REFUSED(" = 80\n", "test.conf:1: a value without a setting name");
	REFUSED("allow never = 80\n", "test.conf:1: unknown setting 'allow never'");
	REFUSED("Allow = 80\n", "test.conf:1: unknown setting 'Allow'");
	REFUSED("allow = 80\rnever = 22\n", "test.conf:1: control character 0x0d");
	REFUSED("allow = 80\x1b[31m\n", "test.conf:1: control character 0x1b at column 11");
}

static void not_text(void)
{
	static const char bin[] = "allow = 80\n\x7f" "ELF\x02\x01\x01\0\0\0";
	size_t huge = CONFIG_FILE_MAX_BYTES + 1;
	char *big = malloc(huge);
	char line[CONFIG_FILE_MAX_LINE + 32];

	CHECK(config_file_parse("b", bin, sizeof(bin) - 1, &c, err, sizeof(err)) == -1);
	CHECK_STR(err, "b: a NUL byte at offset 18: a binary file, not a configuration");

	/* More than 1 MiB, even of comments, is not a configuration. */
	memset(big, '#', huge);
	CHECK(config_file_parse("h", big, huge, &c, err, sizeof(err)) == -1);
	CHECK(strstr(err, "h: 1048577 bytes is more than 1048576") == err);
	/* Exactly 1 MiB passes the size check; as one line it is too long a line... */
	CHECK(config_file_parse("h", big, huge - 1, &c, err, sizeof(err)) == -1);
	CHECK(strstr(err, "h:1: line longer than") == err);
	/* ...and as 80-character comment lines it is a valid, empty configuration. */
	for (size_t i = 79; i < huge; i += 80)
		big[i] = '\n';
	CHECK(config_file_parse("h", big, huge - 1, &c, err, sizeof(err)) == 0);
	free(big);

	memset(line, ' ', sizeof(line));
	memcpy(line, "allow = 80\n", 11);
	line[sizeof(line) - 1] = '\0';
	CHECK(parse(line) == -1);
	CHECK(strstr(err, "test.conf:2: line longer than 16384") == err);
}

static void load(void)
{
	char path[] = "/tmp/lo6conf.XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	/* Round trip: what config_file_write writes parses back to the same struct. */
	CHECK(parse("relay = 172.20.144.1\ndefault = never\npin-dir = /sys/fs/bpf/x\n"
		    "allow = 1-100,200,65535\nallow auto = 101\nnever = 222\n") == 0);
	{
		static struct config_file before, after;
		static struct config_file many;

		before = c;
		f = fdopen(fd, "w");
		CHECK(config_file_write(f, &before) == 0);
		fclose(f);
		CHECK(config_file_load(path, &after, err, sizeof(err)) == 0);
		CHECK(memcmp(&before, &after, sizeof(before)) == 0);

		/* Every other port: 32767 ranges, more than one list may hold. */
		memset(&many, 0, sizeof(many));
		many.default_mode = -1;
		for (unsigned p = 1; p < LO6_MAX_PORTS; p += 2)
			many.modes[p] = LO6_MODE_AUTO;
		f = fopen(path, "w");
		CHECK(config_file_write(f, &many) == 0);
		fclose(f);
		CHECK(config_file_load(path, &after, err, sizeof(err)) == 0);
		CHECK(memcmp(&many, &after, sizeof(many)) == 0);
	}

	/* A bad line through load names the file and the line. */
	f = fopen(path, "w");
	fputs("allow = 80\n# fine\nallow = 80\n", f);
	fclose(f);
	CHECK(config_file_load(path, &c, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, path) == err && strstr(err, ":3: port 80 is already given on line 1"));

	/* Over 1 MiB is refused before reading it. */
	CHECK(truncate(path, CONFIG_FILE_MAX_BYTES + 1) == 0);
	CHECK(config_file_load(path, &c, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "bytes is more than") != NULL);
	unlink(path);

	CHECK(config_file_load(path, &c, err, sizeof(err)) == -ENOENT);
	CHECK(strstr(err, "No such file") != NULL);
	CHECK(config_file_load("/tmp", &c, err, sizeof(err)) == -EINVAL);
	CHECK_STR(err, "/tmp: not a regular file");
}

/*
 * What save writes reads back as written, or save refuses it: the grammar
 * cuts a value at '#', trims spaces and tabs at either end, drops a CR at
 * the end of a line and refuses other control characters.
 */
static void round_trip(void)
{
	static const char *const same[] = {
		"/sys/fs/bpf/lo6 relay", "/sys/fs/bpf/a\tb", "/sys/fs/bpf/a=b", "/sys/fs/bpf/x/",
	};
	static const struct {
		const char *pin_dir, *want;
	} cut[] = {
		{ "/pins/a#b", "'pin-dir = /pins/a#b' reads back as 'pin-dir = /pins/a'" },
		{ "/pins/#", "'pin-dir = /pins/#' reads back as 'pin-dir = /pins/'" },
		{ "/pins/a ", "'pin-dir = /pins/a ' reads back as 'pin-dir = /pins/a'" },
		{ "/pins/a\t", "'pin-dir = /pins/a\t' reads back as 'pin-dir = /pins/a'" },
		{ "/pins/a\r", "'pin-dir = /pins/a\r' reads back as 'pin-dir = /pins/a'" },
		/* The pin-dir line is line 4: after the header, relay and default. */
		{ "/pins/a\nb", "what save writes:5: expected 'KEY = VALUE', got 'b'" },
		{ "/pins/a\x01", "what save writes:4: control character 0x01" },
	};
	static struct config_file w;

	/* Every setting, and every other port: more than one allow line holds. */
	memset(&w, 0, sizeof(w));
	w.default_mode = LO6_MODE_AUTO;
	w.relay = CONFIG_RELAY_ADDR;
	w.relay_ip4 = htonl(0xac149001);
	snprintf(w.pin_dir, sizeof(w.pin_dir), "/sys/fs/bpf/x");
	for (unsigned p = 1; p < LO6_MAX_PORTS; p += 2)
		w.modes[p] = p % 3 ? LO6_MODE_ALWAYS : LO6_MODE_NEVER;
	CHECK(config_file_round_trip(&w, err, sizeof(err)) == 0);
	w.relay = CONFIG_RELAY_AUTO;
	CHECK(config_file_round_trip(&w, err, sizeof(err)) == 0);

	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		snprintf(w.pin_dir, sizeof(w.pin_dir), "%s", same[i]);
		CHECK(config_file_round_trip(&w, err, sizeof(err)) == 0);
	}
	/* The longest the parser takes. */
	memset(w.pin_dir, 'a', CONFIG_PIN_DIR_MAX);
	w.pin_dir[0] = '/';
	w.pin_dir[CONFIG_PIN_DIR_MAX] = '\0';
	CHECK(config_file_round_trip(&w, err, sizeof(err)) == 0);

	for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		err[0] = '\0';
		snprintf(w.pin_dir, sizeof(w.pin_dir), "%s", cut[i].pin_dir);
		CHECK(config_file_round_trip(&w, err, sizeof(err)) == -1);
		if (strncmp(err, cut[i].want, strlen(cut[i].want)) != 0)
			fprintf(stderr, "round trip of '%s': got '%s', wanted '%s'\n",
				cut[i].pin_dir, err, cut[i].want);
		CHECK(strncmp(err, cut[i].want, strlen(cut[i].want)) == 0);
	}
}

/*
 * The example shipped in tools/dist/ parses, and sets what it documents. Read
 * here, not through config_file_load: a source tree need not sit in
 * folders only root may write.
 */
static void example(const char *path)
{
	static char text[CONFIG_FILE_MAX_BYTES];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(text, 1, sizeof(text), f) : 0;
	int rc;

	if (f)
		fclose(f);
	rc = config_file_parse(path, text, n, &c, err, sizeof(err));

	if (rc)
		fprintf(stderr, "  %s\n", err);
	CHECK(rc == 0);
	CHECK(c.relay == CONFIG_RELAY_AUTO);
	CHECK(c.default_mode == LO6_MODE_OFF);
	CHECK_STR(c.pin_dir, LO6_DEFAULT_PIN_DIR);
	CHECK(c.modes[5173] == LO6_MODE_AUTO && c.modes[5432] == LO6_MODE_AUTO);
	CHECK(c.modes[22] == LO6_MODE_NEVER);
}

/* Whose the file is and who may write it: root's (or the caller's), written by nobody else. */
static void trusted(void)
{
	static const struct {
		uid_t uid;
		mode_t mode;
		const char *refusal; /* NULL: accepted */
	} rows[] = {
		{ 0, S_IFREG | 0644, NULL },
		{ 0, S_IFREG | 0600, NULL },
		{ 0, S_IFREG | 0444, NULL },
		{ 0, S_IFREG | 0664, "x.conf is writable by its group (mode 0664)" },
		{ 0, S_IFREG | 0646, "x.conf is writable by everyone (mode 0646)" },
		{ 0, S_IFREG | 0666, "x.conf is writable by everyone (mode 0666)" },
		{ 0, S_IFREG | 02644, NULL },
		{ 65534, S_IFREG | 0644, "x.conf belongs to uid 65534, not root" },
	};
	struct stat st;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&st, 0, sizeof(st));
		/* The caller's own file is fine too (unprivileged runs); not when it is 65534's. */
		st.st_uid = rows[i].uid == 0 ? 0 : (geteuid() == rows[i].uid ? 0 : rows[i].uid);
		st.st_mode = rows[i].mode;
		err[0] = '\0';
		CHECK(config_file_trusted("x.conf", &st, err, sizeof(err)) == (rows[i].refusal ? -1 : 0));
		if (rows[i].refusal && !strstr(err, rows[i].refusal))
			fprintf(stderr, "  row %zu: '%s'\n", i, err);
		CHECK(!rows[i].refusal || (strstr(err, rows[i].refusal) && strstr(err, "so it is refused")));
	}
	st.st_uid = geteuid();
	st.st_mode = S_IFREG | 0644;
	CHECK(config_file_trusted("x.conf", &st, err, sizeof(err)) == 0);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		example(argv[1]);
	good();
	bad_lines();
	not_text();
	load();
	round_trip();
	trusted();
	return checks_done("config_file");
}
