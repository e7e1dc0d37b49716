// SPDX-License-Identifier: MIT
#include "config_file.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"
#include "port_modes.h"

/* Parser state: the result being built and where each port was first set. */
struct state {
	const char *name;
	size_t line;
	struct config_file c;
	uint32_t *port_line; /* line that set each port, for conflict messages */
	size_t relay_line, default_line, pin_line, ipv4_line;
	char *err;
	size_t errlen;
};

static int fail(struct state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct state *s, const char *fmt, ...)
{
	int n = snprintf(s->err, s->errlen, "%s:%zu: ", s->name, s->line);
	va_list ap;

	if (n >= 0 && (size_t)n < s->errlen) {
		va_start(ap, fmt);
		vsnprintf(s->err + n, s->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Trims spaces and tabs off both ends of [*b, *e). */
static void trim(char **b, char **e)
{
	while (*b < *e && is_space(**b))
		(*b)++;
	while (*e > *b && is_space((*e)[-1]))
		(*e)--;
}

/* "3000-3010, 5173" -> "3000-3010,5173": spaces next to a comma are layout, others are errors. */
static void squeeze_commas(char *v)
{
	char *o = v;

	for (char *p = v; *p; p++) {
		char *next = p;

		if (!is_space(*p)) {
			*o++ = *p;
			continue;
		}
		while (is_space(*next))
			next++;
		if ((o > v && o[-1] == ',') || *next == ',') {
			p = next - 1;
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
}

/* Only once per file: a second `relay =` is more likely a mistake than an override. */
static int once(struct state *s, size_t *seen, const char *key)
{
	if (*seen)
		return fail(s, "%s is already set on line %zu", key, *seen);
	*seen = s->line;
	return 0;
}

static int set_ports(struct state *s, const char *key, char *value, enum lo6_mode mode)
{
	static struct portset set;
	char perr[160];
	unsigned p;

	memset(&set, 0, sizeof(set));
	squeeze_commas(value);
	if (portspec_parse(value, &set, perr, sizeof(perr)) < 0)
		return fail(s, "%s: %s", key, perr);
	if ((p = port_modes_add(s->c.modes, s->port_line, (uint32_t)s->line, &set, mode)))
		return fail(s, "port %u is already given on line %u", p, s->port_line[p]);
	return 0;
}

static int setting(struct state *s, const char *key, char *value)
{
	char perr[160];
	int m;

	if (strcmp(key, "relay") == 0) {
		if (once(s, &s->relay_line, key) < 0)
			return -1;
		if (strcmp(value, "auto") == 0) {
			s->c.relay = CONFIG_RELAY_AUTO;
			return 0;
		}
		if (ipv4_parse(value, &s->c.relay_ip4, perr, sizeof(perr)) < 0)
			return fail(s, "relay: %s, or auto", perr);
		s->c.relay = CONFIG_RELAY_ADDR;
		return 0;
	}
	if (strcmp(key, "default") == 0) {
		if (once(s, &s->default_line, key) < 0)
			return -1;
		if ((m = mode_parse(value)) < 0)
			return fail(s, "default: '%.64s' is not off, always, auto or never", value);
		s->c.default_mode = m;
		return 0;
	}
	if (strcmp(key, "pin-dir") == 0) {
		if (once(s, &s->pin_line, key) < 0)
			return -1;
		if (value[0] != '/')
			return fail(s, "pin-dir: '%.64s' is not an absolute path", value);
		if (strlen(value) > CONFIG_PIN_DIR_MAX)
			return fail(s, "pin-dir: longer than %d characters", CONFIG_PIN_DIR_MAX);
		snprintf(s->c.pin_dir, sizeof(s->c.pin_dir), "%s", value);
		return 0;
	}
	/* The issue's spelling, ipv4_localhost, is read too. */
	if (strcmp(key, "ipv4-localhost") == 0 || strcmp(key, "ipv4_localhost") == 0) {
		if (once(s, &s->ipv4_line, key) < 0)
			return -1;
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return fail(s, "%s: '%.64s' is not yes or no", key, value);
		s->c.ipv4_localhost = strcmp(value, "yes") == 0;
		return 0;
	}
	/* Linux first: a port listed without a mode is auto. */
	if (strcmp(key, "allow") == 0 || strcmp(key, "allow auto") == 0)
		return set_ports(s, key, value, LO6_MODE_AUTO);
	if (strcmp(key, "allow always") == 0)
		return set_ports(s, key, value, LO6_MODE_ALWAYS);
	if (strcmp(key, "never") == 0)
		return set_ports(s, key, value, LO6_MODE_NEVER);
	return fail(s, "unknown setting '%.64s' (known: relay, default, pin-dir, "
		       "ipv4-localhost, allow, allow auto, allow always, never)", key);
}

/* One line, without its newline, copied into BUF. */
static int line(struct state *s, char *buf, size_t n)
{
	char *b = buf, *e, *eq, *kb, *ke, *vb, *ve;

	if (n && buf[n - 1] == '\r') /* CRLF, from a file edited on Windows */
		n--;
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(s, "control character 0x%02x at column %zu: not a text line", c,
				    i + 1);
	}
	buf[strcspn(buf, "#")] = '\0';
	e = buf + strlen(buf);
	trim(&b, &e);
	if (b == e)
		return 0;
	*e = '\0';
	if (!(eq = strchr(b, '=')))
		return fail(s, "expected 'KEY = VALUE', got '%.64s'", b);
	kb = b, ke = eq, vb = eq + 1, ve = e;
	trim(&kb, &ke);
	trim(&vb, &ve);
	*ke = '\0';
	*ve = '\0';
	if (kb == ke)
		return fail(s, "a value without a setting name before '='");
	/* "allow  auto" or "allow\tauto": one space between the words of a key. */
	for (char *p = kb, *o = kb; ; p++) {
		if (is_space(*p) && is_space(p[1]))
			continue;
		*o++ = (char)(is_space(*p) ? ' ' : *p);
		if (!*p)
			break;
	}
	if (vb == ve)
		return fail(s, "%s has no value after '='", kb);
	return setting(s, kb, vb);
}

int config_file_parse(const char *name, const char *text, size_t len, struct config_file *out,
		      char *err, size_t errlen)
{
	struct state *s;
	const char *nul = memchr(text, '\0', len);
	char *buf = NULL;
	int ret = -1;

	if (len > CONFIG_FILE_MAX_BYTES) {
		snprintf(err, errlen, "%s: %zu bytes is more than %d: not a lo6relay configuration",
			 name, len, CONFIG_FILE_MAX_BYTES);
		return -1;
	}
	if (nul) {
		snprintf(err, errlen, "%s: a NUL byte at offset %zu: a binary file, not a configuration",
			 name, (size_t)(nul - text));
		return -1;
	}
	s = calloc(1, sizeof(*s));
	buf = malloc(CONFIG_FILE_MAX_LINE + 1);
	if (s)
		s->port_line = calloc(LO6_MAX_PORTS, sizeof(*s->port_line));
	if (!s || !buf || !s->port_line) {
		snprintf(err, errlen, "%s: out of memory", name);
		goto out;
	}
	s->name = name;
	s->err = err;
	s->errlen = errlen;
	s->c.default_mode = -1;
	s->c.ipv4_localhost = -1;
	/* Windows editors may start a UTF-8 file with a byte order mark: not part of line 1. */
	for (size_t off = len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0; off < len;) {
		const char *eol = memchr(text + off, '\n', len - off);
		size_t n = eol ? (size_t)(eol - (text + off)) : len - off;

		s->line++;
		if (n > CONFIG_FILE_MAX_LINE) {
			fail(s, "line longer than %d characters", CONFIG_FILE_MAX_LINE);
			goto out;
		}
		memcpy(buf, text + off, n);
		if (line(s, buf, n) < 0)
			goto out;
		off += n + 1;
	}
	memcpy(out, &s->c, sizeof(*out));
	ret = 0;
out:
	if (s)
		free(s->port_line);
	free(s);
	free(buf);
	return ret;
}

/*
 * `relay =` can send every user's [::1] elsewhere, so, as sshd and sudo do
 * with theirs, the file must be the administrator's: owned by root (or by
 * whoever runs lo6relay, which for the commands that apply it is root) and
 * writable by nobody else. Checked on the opened file, so a symlink's
 * target is what counts, and nothing can swap it after the check.
 */
/* The file's rule, and its folders': root's (or the effective user's). */
static int foreign_owner(const struct stat *st)
{
	return st->st_uid != 0 && st->st_uid != geteuid();
}

/* ... and not writable by others: who else may write it, or NULL. */
static const char *other_writers(const struct stat *st)
{
	if (st->st_mode & S_IWOTH)
		return "everyone";
	return (st->st_mode & S_IWGRP) ? "its group" : NULL;
}

int config_file_trusted(const char *path, const struct stat *st, char *err, size_t errlen)
{
	const char *writers = other_writers(st);

	if (foreign_owner(st)) {
		snprintf(err, errlen,
			 "%s belongs to uid %u, not root, and its relay line could send every "
			 "user's [::1] elsewhere, so it is refused: 'chown root: %s' if it is yours",
			 path, (unsigned)st->st_uid, path);
		return -1;
	}
	if (writers) {
		snprintf(err, errlen,
			 "%s is writable by %s (mode %04o), and its relay line could send every "
			 "user's [::1] elsewhere, so it is refused: run 'chmod go-w %s'",
			 path, writers, (unsigned)(st->st_mode & 07777), path);
		return -1;
	}
	return 0;
}

/*
 * Whoever may write a folder on the file's way from / can put another file
 * in its place, so each folder must be trusted as the file is (owned by
 * root or the effective user, not writable by group or others), unless it
 * is sticky (/tmp): there only an entry's owner may rename or remove it.
 * REAL is the opened file's resolved path.
 */
int config_file_folders_trusted(const char *path, const char *real, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	struct stat st;
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", real) >= (int)sizeof(dir) || dir[0] != '/') {
		snprintf(err, errlen, "%s: cannot tell which folders hold it, so it is refused", path);
		return -1;
	}
	while ((slash = strrchr(dir, '/'))) {
		slash[slash == dir] = '\0'; /* "/etc/x" -> "/etc", "/etc" -> "/" */
		/* Gone since the file was opened: renamed under us, as an attacker would. */
		if (stat(dir, &st) < 0) {
			snprintf(err, errlen, "%s: its folder %s changed while it was read (%s), so it "
				 "is refused", path, dir, strerror(errno));
			return -1;
		}
		if (foreign_owner(&st)) {
			snprintf(err, errlen,
				 "%s is in %s, which belongs to uid %u, not root, who could put "
				 "another file in its place; it is refused: keep it in a folder of root's",
				 path, dir, (unsigned)st.st_uid);
			return -1;
		}
		if (other_writers(&st) && !(st.st_mode & S_ISVTX)) {
			snprintf(err, errlen,
				 "%s is in %s, which is writable by %s (mode %04o), who could put "
				 "another file in its place; it is refused: run 'chmod go-w %s'",
				 path, dir, other_writers(&st), (unsigned)(st.st_mode & 07777), dir);
			return -1;
		}
		if (!strcmp(dir, "/"))
			break;
	}
	return 0;
}

/*
 * The path the kernel opened FD by, in REAL (PATH_MAX bytes); without /proc,
 * PATH resolved again; "" when neither can say.
 */
static void resolved(int fd, const char *path, char *real)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, real, PATH_MAX);
	if (n > 0 && n < PATH_MAX) {
		real[n] = '\0';
		return;
	}
	if (!realpath(path, real))
		real[0] = '\0';
}

int config_file_load(const char *path, struct config_file *out, char *err, size_t errlen)
{
	/* O_NONBLOCK: a FIFO named as the file must be refused below, not wait for a writer. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), e;
	char real[PATH_MAX];
	size_t used = 0;
	struct stat st;
	ssize_t n;
	char *text;

	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	resolved(fd, path, real);
	if (config_file_trusted(path, &st, err, errlen) < 0 ||
	    config_file_folders_trusted(path, real, err, errlen) < 0) {
		close(fd);
		return -EPERM;
	}
	if (st.st_size > CONFIG_FILE_MAX_BYTES) {
		snprintf(err, errlen, "%s: %lld bytes is more than %d: not a lo6relay configuration",
			 path, (long long)st.st_size, CONFIG_FILE_MAX_BYTES);
		close(fd);
		return -EINVAL;
	}
	/* One byte more than allowed, so a file that grew since fstat is still caught. */
	if (!(text = malloc(CONFIG_FILE_MAX_BYTES + 1))) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	while (used <= CONFIG_FILE_MAX_BYTES &&
	       (n = read(fd, text + used, CONFIG_FILE_MAX_BYTES + 1 - used)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			snprintf(err, errlen, "%s: %s", path, strerror(e));
			free(text);
			close(fd);
			return -e;
		}
		used += (size_t)n;
	}
	close(fd);
	e = config_file_parse(path, text, used, out, err, errlen) < 0 ? -EINVAL : 0;
	free(text);
	return e;
}

int config_file_write(FILE *f, const struct config_file *c)
{
	char relay[INET_ADDRSTRLEN];

	fprintf(f, "# lo6relay configuration (format: see lo6relay(8))\n");
	if (c->relay == CONFIG_RELAY_AUTO)
		fprintf(f, "relay = auto\n");
	else if (c->relay == CONFIG_RELAY_ADDR &&
		 inet_ntop(AF_INET, &c->relay_ip4, relay, sizeof(relay)))
		fprintf(f, "relay = %s\n", relay);
	if (c->default_mode >= 0)
		fprintf(f, "default = %s\n", mode_name((uint32_t)c->default_mode));
	if (c->pin_dir[0])
		fprintf(f, "pin-dir = %s\n", c->pin_dir);
	if (c->ipv4_localhost >= 0)
		fprintf(f, "ipv4-localhost = %s\n", c->ipv4_localhost ? "yes" : "no");
	port_modes_print_lines(f, c->modes, LO6_MODE_AUTO, "allow auto");
	port_modes_print_lines(f, c->modes, LO6_MODE_ALWAYS, "allow always");
	port_modes_print_lines(f, c->modes, LO6_MODE_NEVER, "never");
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* C as config_file_write writes it, in *TEXT (malloc'd) of *LEN bytes. 0 or -1. */
static int write_text(const struct config_file *c, char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	int ret;

	if (!f)
		return -1;
	ret = config_file_write(f, c);
	return fclose(f) == 0 ? ret : -1;
}

int config_file_round_trip(const struct config_file *c, char *err, size_t errlen)
{
	struct config_file *back = malloc(sizeof(*back));
	char *t1 = NULL, *t2 = NULL, perr[256];
	size_t n1 = 0, n2 = 0, at = 0, b1, e1, e2;
	int ret = -1;

	if (!back || write_text(c, &t1, &n1) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (config_file_parse("what save writes", t1, n1, back, perr, sizeof(perr)) < 0) {
		snprintf(err, errlen, "%s", perr);
		goto out;
	}
	/* The writer's text is canonical: what reads back differently writes differently. */
	if (write_text(back, &t2, &n2) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	while (at < n1 && at < n2 && t1[at] == t2[at])
		at++;
	if (at == n1 && at == n2) {
		ret = 0;
		goto out;
	}
	/* The lines that differ start together: everything before them is the same. */
	for (b1 = at; b1 > 0 && t1[b1 - 1] != '\n'; b1--)
		;
	for (e1 = at; e1 < n1 && t1[e1] != '\n'; e1++)
		;
	for (e2 = at; e2 < n2 && t2[e2] != '\n'; e2++)
		;
	snprintf(err, errlen, "'%.*s' reads back as '%.*s'", (int)(e1 - b1), t1 + b1,
		 (int)(e2 - b1), t2 + b1);
out:
	free(back);
	free(t1);
	free(t2);
	return ret;
}
