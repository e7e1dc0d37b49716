// SPDX-License-Identifier: MIT
/*
 * port_modes.c against a reference model: a plain array per port changed by
 * the obvious rule, written here in a few lines each, so an expected value
 * never comes from what the code under test printed. A seeded random walk
 * of parse, merge, config lines, map diffs and printing, then edge cases.
 */
#include <stdlib.h>

#include "check.h"
#include "config_file.h"
#include "port_modes.h"

#define N LO6_MAX_PORTS

static uint8_t code[N], model[N], cfg[N], cfg_model[N], from[N], now[N], map[N], in_spec[N];
static uint32_t line_of[N], line_model[N], keys[N];
static char spec[PORTSPEC_MAX_LEN + 1], err[256], buf[8 * N], want_buf[8 * N];
static struct portset set;
static struct config_file cf;
static uint64_t seed = 0x6c6f3672656c6179ull; /* "lo6relay": a failure replays the same way */

static unsigned rnd(unsigned n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned)(seed >> 32) % n;
}

/*
 * A random spec in SPEC, its ports marked in in_spec[]: the model's own parse.
 * Ports crowd both ends and one middle patch, so items overlap, touch and repeat.
 */
static void rnd_spec(void)
{
	static const unsigned base[] = { 1, 65236, 3000 };
	size_t off = 0;

	memset(in_spec, 0, N);
	for (unsigned i = 0, k = 1 + rnd(8); i < k; i++) {
		unsigned a = base[rnd(3)] + rnd(300), b = rnd(2) ? a : a + rnd(150);

		b = b > 65535 ? 65535 : b;
		for (unsigned p = a; p <= b; p++)
			in_spec[p] = 1;
		off += (size_t)sprintf(spec + off, a == b ? "%s%u" : "%s%u-%u", i ? "," : "", a, b);
	}
}

static int same(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a + 1, b + 1, N - 1) == 0; /* entry 0 is never a port */
}

/* The model's "80,3000-3010": a port opens an item unless the one before is in MODE too. */
static size_t model_format(const uint8_t *m, enum lo6_mode mode, size_t *items)
{
	size_t off = 0, n = 0;
	unsigned b;

	*items = 0;
	want_buf[0] = '\0';
	for (unsigned p = 1; p < N; p++) {
		if (m[p] != mode)
			continue;
		n++;
		if (p > 1 && m[p - 1] == mode)
			continue;
		for (b = p; b + 1 < N && m[b + 1] == mode; b++)
			;
		off += (size_t)sprintf(want_buf + off, b == p ? "%s%u" : "%s%u-%u", off ? "," : "",
				       p, b);
		(*items)++;
	}
	return n;
}

static void check_format(const uint8_t *m, enum lo6_mode mode)
{
	size_t items, n = model_format(m, mode, &items);

	CHECK(port_modes_format(m, mode, buf, sizeof(buf)) == n);
	CHECK_STR(buf, want_buf);
}

/*
 * print_lines for the config model, read back by the config parser: the same
 * ports, and each mode's items 64 to a line (portspec_parse caps a list), the
 * rest on its last line.
 */
static void check_print_lines(const uint8_t *m)
{
	static const enum lo6_mode modes[] = { LO6_MODE_ALWAYS, LO6_MODE_AUTO, LO6_MODE_NEVER };
	static const char *const key[] = { "allow always", "allow auto", "never" };
	size_t len = 0, left[3], k = 0, c;
	char *text = NULL, *q;
	FILE *f = open_memstream(&text, &len);
	int lines_ok = 1;

	for (size_t i = 0; i < 3; i++) {
		model_format(m, modes[i], &left[i]);
		port_modes_print_lines(f, m, modes[i], key[i]);
	}
	fclose(f);
	for (char *l = text; l < text + len; l = q + 1) {
		for (c = 1, q = l; q < text + len && *q != '\n'; q++)
			c += *q == ',';
		for (; k < 3 && !left[k]; k++)
			;
		lines_ok &= k < 3 && strncmp(l, key[k], strlen(key[k])) == 0 &&
			    c == (left[k] < 64 ? left[k] : 64);
		if (k < 3 && c <= left[k])
			left[k] -= c;
	}
	CHECK(lines_ok && !left[0] && !left[1] && !left[2]);
	if (config_file_parse("t.conf", text, len, &cf, err, sizeof(err)) < 0)
		fprintf(stderr, "%s\n", err);
	CHECK(same(cf.modes, m));
	free(text);
}

/*
 * The map diff, applied as ports_write applies it: always, auto, never,
 * then off, each batch computed against the same NOW. The keys are the
 * model's (want is MODE, now is not, ascending); a port listed before and
 * after is never off in between, and the map ends as WANT.
 */
static void check_changes(const uint8_t *want)
{
	static const enum lo6_mode order[] = { LO6_MODE_ALWAYS, LO6_MODE_AUTO, LO6_MODE_NEVER,
					       LO6_MODE_OFF };
	int keys_ok = 1, never_off = 1;

	memcpy(map, now, N);
	for (size_t i = 0; i < 4; i++) {
		uint32_t n = port_modes_changes(now, want, order[i], keys), k = 0;

		for (uint32_t p = 1; p < N; p++)
			if (want[p] == order[i] && now[p] != order[i])
				keys_ok &= k < n && keys[k++] == p;
		keys_ok &= k == n;
		for (k = 0; k < n && k < N; k++)
			map[keys[k]] = (uint8_t)order[i];
		for (uint32_t p = 1; p < N; p++)
			never_off &= !(now[p] && want[p] && !map[p]);
	}
	CHECK(keys_ok);
	CHECK(never_off);
	CHECK(same(map, want));
}

/* A config line: all its ports added with LINE, or none and the lowest listed before returned. */
static void config_line(uint32_t line)
{
	enum lo6_mode mode = (enum lo6_mode)(1 + rnd(3));
	unsigned dup = 0, got;
	int lines_ok = 1;

	rnd_spec();
	memset(&set, 0, sizeof(set));
	CHECK(portspec_parse(spec, &set, err, sizeof(err)) == 0);
	got = port_modes_add(cfg, line_of, line, &set, mode);
	for (unsigned p = N - 1; p >= 1; p--)
		dup = in_spec[p] && cfg_model[p] ? p : dup;
	for (unsigned p = 1; p < N && !dup; p++)
		if (in_spec[p]) {
			cfg_model[p] = (uint8_t)mode;
			line_model[p] = line;
		}
	CHECK(got == dup);
	CHECK(same(cfg, cfg_model));
	for (unsigned p = 1; p < N; p++)
		lines_ok &= !cfg_model[p] || line_of[p] == line_model[p];
	CHECK(lines_ok);
}

static void random_walk(void)
{
	uint32_t line = 0;

	for (int step = 0; step < 200; step++) {
		enum lo6_mode mode = (enum lo6_mode)rnd(4);
		size_t listed = 0, allowed = 0;

		/* --ports/allow/deny: every port of the spec takes the mode, off included. */
		rnd_spec();
		CHECK(port_modes_parse(code, spec, mode, err, sizeof(err)) == 0);
		for (unsigned p = 1; p < N; p++)
			model[p] = in_spec[p] ? (uint8_t)mode : model[p];
		CHECK(same(code, model));

		/* merge: FROM's listed ports win, its off ports change nothing. */
		rnd_spec();
		for (unsigned p = 1; p < N; p++)
			from[p] = in_spec[p] ? (uint8_t)rnd(4) : LO6_MODE_OFF;
		port_modes_merge(code, from);
		for (unsigned p = 1; p < N; p++) {
			model[p] = from[p] ? from[p] : model[p];
			listed += model[p] != LO6_MODE_OFF;
			allowed += model[p] == LO6_MODE_ALWAYS || model[p] == LO6_MODE_AUTO;
		}
		CHECK(same(code, model));
		CHECK(port_modes_listed(code) == listed && port_modes_allowed(code) == allowed);

		/* Config lines, from an empty file every 25 steps so duplicates come and go. */
		if (step % 25 == 0) {
			memset(cfg, 0, N);
			memset(cfg_model, 0, N);
			line = 0;
		}
		config_line(++line);

		/* The map holds runs of random modes; the wanted state is the model. */
		for (unsigned p = 1; p < N;) {
			unsigned run = 1 + rnd(step % 2 ? 400 : 5), m = rnd(4);

			for (; run-- && p < N; p++)
				now[p] = (uint8_t)m;
		}
		check_changes(model);
		check_changes(cfg_model);
		check_format(model, (enum lo6_mode)rnd(4));
		check_print_lines(cfg_model);
	}
}

static void edges(void)
{
	memset(code, 0, N);
	check_format(code, LO6_MODE_ALWAYS); /* an empty set: "" and 0 */
	CHECK_STR(buf, "");
	check_print_lines(code); /* and no line at all */
	memset(now, 0, N);
	check_changes(code);

	/* Both ends, and ranges that touch fold into one; a mode change splits them. */
	CHECK(port_modes_parse(code, "1,65535,10-19,20-29,31", LO6_MODE_ALWAYS, err,
			       sizeof(err)) == 0);
	CHECK(port_modes_parse(code, "32-40", LO6_MODE_AUTO, err, sizeof(err)) == 0);
	CHECK(port_modes_format(code, LO6_MODE_ALWAYS, buf, sizeof(buf)) == 23);
	CHECK_STR(buf, "1,10-29,31,65535");
	CHECK(port_modes_format(code, LO6_MODE_AUTO, buf, sizeof(buf)) == 9);
	CHECK_STR(buf, "32-40");
	/* A short buffer cuts the text, not the count. */
	CHECK(port_modes_format(code, LO6_MODE_ALWAYS, buf, 6) == 23);
	CHECK_STR(buf, "1,10-");
	CHECK(port_modes_parse(code, "0", LO6_MODE_NEVER, err, sizeof(err)) == -1 && code[1] == 1);
	check_print_lines(code);

	/* 63 single ports, then ranges as items 64 and 65: the break falls between ranges. */
	memset(code, 0, N);
	for (unsigned i = 0; i < 63; i++)
		code[1000 + 2 * i] = LO6_MODE_AUTO;
	memset(code + 2000, LO6_MODE_AUTO, 101);
	memset(code + 3000, LO6_MODE_AUTO, 101);
	memset(code + 65400, LO6_MODE_NEVER, 136); /* ...65535, the last port */
	check_print_lines(code);
	for (unsigned i = 0; i < 63; i++) /* 128 items: exactly two lines, no empty third */
		code[5000 + 2 * i] = LO6_MODE_AUTO;
	check_print_lines(code);

	memset(code + 1, LO6_MODE_ALWAYS, N - 1); /* every port */
	check_format(code, LO6_MODE_ALWAYS);
	CHECK_STR(buf, "1-65535");
	check_changes(code);
	check_print_lines(code);
}

int main(void)
{
	random_walk();
	edges();
	return checks_done("port_modes");
}
