// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
/*
 * WSL detection's parsers. Byte 0 picks what to feed:
 *   0: windows_tcp_listeners over `netstat.exe -an` text (bytes 1-2: port)
 *   1: wsl_decide over a struct wsl_facts made of the bytes
 *   2: wsl_gather over a fixture root whose files hold the bytes, split
 *      at NULs into /proc/version, /proc/net/route, wslinfo's answer and
 *      the MACs of eth0 and loopback0 (an empty part: no such file)
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "procnet.h"
#include "wsl.h"

static struct wsl_facts facts;
static struct wsl_info info;
static char root[256];
static bool have_root;

#define TERMINATE(a) ((a)[sizeof(a) - 1] = '\0')

static void check_info(const struct wsl_info *w)
{
	FUZZ_ASSERT(w->kind <= WSL_2);
	FUZZ_ASSERT(w->mode <= WSL_MODE_NOT_WSL);
	FUZZ_ASSERT(w->nevidence <= WSL_MAX_EVIDENCE);
	FUZZ_ASSERT(memchr(w->mode_name, '\0', sizeof(w->mode_name)) != NULL);
	FUZZ_ASSERT(memchr(w->relay_why, '\0', sizeof(w->relay_why)) != NULL);
	for (size_t i = 0; i < w->nevidence; i++)
		FUZZ_ASSERT(memchr(w->evidence[i], '\0', sizeof(w->evidence[i])) != NULL);
}

static void netstat(const uint8_t *data, size_t size)
{
	unsigned port, all = LISTEN_LOOP6 | LISTEN_ANY6 | LISTEN_LOOP4 | LISTEN_ANY4 | LISTEN_OTHER;
	char *text;

	if (size < 2)
		return;
	port = (unsigned)data[0] << 8 | data[1];
	text = fuzz_str(data + 2, size - 2);
	FUZZ_ASSERT((windows_tcp_listeners(text, port) & ~all) == 0);
	free(text);
}

static void decide(const uint8_t *data, size_t size)
{
	memset(&facts, 0, sizeof(facts));
	memcpy(&facts, data, size < sizeof(facts) ? size : sizeof(facts));
	/* What wsl_gather guarantees: strings end, the count fits. */
	TERMINATE(facts.version);
	TERMINATE(facts.wslinfo);
	TERMINATE(facts.wslinfo_how);
	TERMINATE(facts.gw_dev);
	facts.nifaces %= WSL_MAX_IFACES + 1;
	for (size_t i = 0; i < WSL_MAX_IFACES; i++) {
		TERMINATE(facts.ifaces[i].name);
		TERMINATE(facts.ifaces[i].mac);
	}
	wsl_decide(&facts, &info);
	check_info(&info);
}

static void put(const char *rel, const uint8_t *data, size_t size)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	if (size == 0) {
		unlink(path);
		return;
	}
	f = fopen(path, "w");
	if (!f || fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
}

static void gather(const uint8_t *data, size_t size)
{
	static const char *const files[] = {
		"/proc/version", "/proc/net/route", "/fixture/wslinfo-networking-mode",
		"/sys/class/net/eth0/address", "/sys/class/net/loopback0/address",
	};
	const uint8_t *p = data, *end = data + size;

	if (!have_root)
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const uint8_t *nul = p < end ? memchr(p, '\0', (size_t)(end - p)) : NULL;
		size_t n = p < end ? (nul ? (size_t)(nul - p) : (size_t)(end - p)) : 0;

		put(files[i], p, n);
		p += n + (nul ? 1 : 0);
	}
	wsl_gather(root, &facts);
	FUZZ_ASSERT(facts.nifaces <= WSL_MAX_IFACES);
	FUZZ_ASSERT(memchr(facts.version, '\0', sizeof(facts.version)) != NULL);
	FUZZ_ASSERT(memchr(facts.wslinfo, '\0', sizeof(facts.wslinfo)) != NULL);
	FUZZ_ASSERT(strpbrk(facts.version, "\r\n") == NULL);
	wsl_decide(&facts, &info);
	check_info(&info);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_root(void)
{
	nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const dirs[] = { "/proc", "/proc/net", "/fixture", "/sys", "/sys/class",
					    "/sys/class/net", "/sys/class/net/eth0",
					    "/sys/class/net/loopback0" };
	char path[512];

	(void)argc;
	(void)argv;
	snprintf(root, sizeof(root), "%s/lo6fuzz-wsl.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root))
		return 0;
	atexit(remove_root);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", root, dirs[i]);
		if (mkdir(path, 0700) < 0)
			return 0;
	}
	have_root = true;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0: netstat(data + 1, size - 1); break;
	case 1: decide(data + 1, size - 1); break;
	case 2: gather(data + 1, size - 1); break;
	}
	/* Any text names a MAC or not; it never reads past its end. */
	{
		char *s = fuzz_str(data, size);

		(void)mac_is_hyperv(s);
		free(s);
	}
	return 0;
}
