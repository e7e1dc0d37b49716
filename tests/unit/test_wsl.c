// SPDX-License-Identifier: MIT
/* WSL detection against the fixture trees in tests/fixtures, and the pure decision. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "procnet.h"
#include "runcmd.h"
#include "wsl.h"

static char fixtures[1024];

static void detect(const char *tree, struct wsl_info *w)
{
	char root[1200];

	snprintf(root, sizeof(root), "%s/%s", fixtures, tree);
	wsl_detect(root, w);
}

static const char *relay(const struct wsl_info *w)
{
	static char buf[INET_ADDRSTRLEN];

	return inet_ntop(AF_INET, &w->relay_be, buf, sizeof(buf));
}

/* Whether any evidence line contains NEEDLE. */
static int said(const struct wsl_info *w, const char *needle)
{
	for (size_t i = 0; i < w->nevidence; i++)
		if (strstr(w->evidence[i], needle))
			return 1;
	return 0;
}

static void fixture_trees(void)
{
	struct wsl_info w;

	/* Mirrored without wslinfo: loopback0 decides, and the Windows-side gateway in
	 * proc/net/route (mirrored copies it) must not become the relay. */
	detect("wsl-mirrored", &w);
	CHECK(w.kind == WSL_2);
	CHECK(w.mode == WSL_MODE_MIRRORED);
	CHECK_STR(w.mode_name, "mirrored");
	CHECK(w.relay_ok);
	CHECK_STR(relay(&w), "127.0.0.1");
	CHECK(w.interop);
	CHECK(said(&w, "microsoft-standard-WSL2"));
	CHECK(said(&w, "loopback0 present, MAC 00:15:5d:a1:b2:c3 (Hyper-V)"));
	CHECK(said(&w, "no fixture/wslinfo-networking-mode"));

	/* NAT: wslinfo's fixture says so; the relay is the default gateway. */
	detect("wsl-nat", &w);
	CHECK(w.kind == WSL_2);
	CHECK(w.mode == WSL_MODE_NAT);
	CHECK_STR(w.mode_name, "nat");
	CHECK(w.relay_ok);
	CHECK_STR(relay(&w), "172.20.144.1");
	CHECK(strstr(w.relay_why, "172.20.144.1") != NULL);
	CHECK(said(&w, "fixture/wslinfo-networking-mode: nat"));
	CHECK(!w.interop);

	/* Consomme named by wslinfo: 127.0.0.1 over loopback0, TCP only. */
	detect("wsl-consomme", &w);
	CHECK(w.mode == WSL_MODE_CONSOMME);
	CHECK_STR(w.mode_name, "consomme");
	CHECK_STR(relay(&w), "127.0.0.1");
	CHECK(w.tcp_only);
	CHECK(said(&w, "fixture/wslinfo-networking-mode: consomme"));

	/* Bridged: WSL has no relay from Linux's loopback; said so, nothing pretended. */
	detect("wsl-bridged", &w);
	CHECK(w.mode == WSL_MODE_OTHER);
	CHECK_STR(w.mode_name, "bridged");
	CHECK(!w.tcp_only);
	CHECK(strstr(w.relay_why, "bridged mode: WSL has no known relay") != NULL);

	detect("plain-linux", &w);
	CHECK(w.kind == WSL_NONE);
	CHECK(w.mode == WSL_MODE_NOT_WSL);
	CHECK_STR(relay(&w), "127.0.0.1");
	CHECK(said(&w, "Debian"));
	CHECK(said(&w, "not WSL"));

	/* A root with nothing in it: unreadable, so not WSL, and said so. */
	detect("no-such-tree", &w);
	CHECK(w.kind == WSL_NONE);
	CHECK(said(&w, "(unreadable)"));
	CHECK_STR(relay(&w), "127.0.0.1");
}

static void add_iface(struct wsl_facts *f, const char *name, const char *mac)
{
	snprintf(f->ifaces[f->nifaces].name, sizeof(f->ifaces[0].name), "%s", name);
	snprintf(f->ifaces[f->nifaces].mac, sizeof(f->ifaces[0].mac), "%s", mac);
	f->nifaces++;
}

static void wsl2_facts(struct wsl_facts *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->version, sizeof(f->version),
		 "Linux version 5.15.167.4-microsoft-standard-WSL2 (root@x) #1 SMP");
	snprintf(f->wslinfo_how, sizeof(f->wslinfo_how), "not available");
	add_iface(f, "lo", "00:00:00:00:00:00");
}

static void pure_decisions(void)
{
	struct wsl_facts f;
	struct wsl_info w;

	/* NAT told by interfaces alone: Hyper-V eth0, private gateway, no loopback0. */
	wsl2_facts(&f);
	add_iface(&f, "eth0", "00:15:5D:01:02:03");
	f.have_gw = 1;
	inet_pton(AF_INET, "172.29.0.1", &f.gw_be);
	snprintf(f.gw_dev, sizeof(f.gw_dev), "eth0");
	wsl_decide(&f, &w);
	CHECK(w.mode == WSL_MODE_NAT);
	CHECK_STR(relay(&w), "172.29.0.1");
	CHECK(said(&w, "(Hyper-V), default gateway 172.29.0.1 dev eth0 (private)"));

	/* ...but a public gateway is not WSL's virtual switch: unknown, 127.0.0.1. */
	inet_pton(AF_INET, "8.8.8.8", &f.gw_be);
	wsl_decide(&f, &w);
	CHECK(w.mode == WSL_MODE_UNKNOWN);
	CHECK_STR(w.mode_name, "unknown");
	CHECK_STR(relay(&w), "127.0.0.1");

	/* wslinfo wins over interfaces. */
	snprintf(f.wslinfo, sizeof(f.wslinfo), "mirrored");
	snprintf(f.wslinfo_how, sizeof(f.wslinfo_how), "wslinfo --networking-mode");
	wsl_decide(&f, &w);
	CHECK(w.mode == WSL_MODE_MIRRORED);
	CHECK_STR(relay(&w), "127.0.0.1");
	CHECK(said(&w, "wslinfo --networking-mode: mirrored"));

	/* An answer nobody knows falls back to interfaces (loopback0 here). */
	snprintf(f.wslinfo, sizeof(f.wslinfo), "quantum");
	add_iface(&f, "loopback0", "00:15:5d:aa:bb:cc");
	wsl_decide(&f, &w);
	CHECK(w.mode == WSL_MODE_MIRRORED);
	CHECK(said(&w, "not one lo6relay knows"));

	/* NAT with no default route: auto cannot name Windows. */
	wsl2_facts(&f);
	snprintf(f.wslinfo, sizeof(f.wslinfo), "nat");
	wsl_decide(&f, &w);
	CHECK(w.mode == WSL_MODE_NAT);
	CHECK(!w.relay_ok);

	/* WSL1 and the old 4.19 WSL2 kernel string. */
	wsl2_facts(&f);
	snprintf(f.version, sizeof(f.version), "Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com)");
	wsl_decide(&f, &w);
	CHECK(w.kind == WSL_1);
	CHECK_STR(w.mode_name, "wsl1");
	snprintf(f.version, sizeof(f.version), "Linux version 4.19.128-microsoft-standard (oe-user@oe-host)");
	wsl_decide(&f, &w);
	CHECK(w.kind == WSL_2);

	CHECK(mac_is_hyperv("00:15:5d:00:00:01"));
	CHECK(!mac_is_hyperv("00:15:5e:00:00:01"));
	CHECK(!mac_is_hyperv(""));
}

/*
 * Every mode from the facts that tell it, and what follows (README.md,
 * "WSL's networking modes"): mirrored relays 127.0.0.1, TCP and UDP; Consomme
 * (consomme, virtioproxy) relays 127.0.0.1, TCP only; NAT reaches Windows
 * only at the gateway; bridged and none relay nothing. Without wslinfo,
 * loopback0's MAC tells mirrored (Hyper-V) from Consomme (the virtio device
 * WSL gives 00:11:22:33:44:55); a loopback0 of neither kind may be either,
 * and UDP then stays on Linux, where it is refused at once rather than lost.
 */
static void mode_table(void)
{
	static const struct {
		const char *wslinfo, *lo0, *eth0, *gw;
		enum wsl_mode mode;
		const char *name, *relay;
		int tcp_only;
		const char *evidence;
	} rows[] = {
		{ "mirrored", NULL, NULL, NULL, WSL_MODE_MIRRORED, "mirrored", "127.0.0.1", 0,
		  "wslinfo: mirrored" },
		{ "nat", NULL, "00:15:5d:01:02:03", "172.29.0.1", WSL_MODE_NAT, "nat",
		  "172.29.0.1", 0, "wslinfo: nat" },
		{ "consomme", "00:11:22:33:44:55", "a0:36:bc:12:34:56", "192.168.1.1",
		  WSL_MODE_CONSOMME, "consomme", "127.0.0.1", 1, "wslinfo: consomme" },
		{ "virtioproxy", "00:11:22:33:44:55", NULL, NULL, WSL_MODE_CONSOMME, "virtioproxy",
		  "127.0.0.1", 1, "wslinfo: virtioproxy" },
		/* NAT's fallback to Consomme: interfaces that look like NAT, wslinfo knows. */
		{ "consomme", NULL, "00:15:5d:01:02:03", "172.29.0.1", WSL_MODE_CONSOMME,
		  "consomme", "127.0.0.1", 1, "wslinfo: consomme" },
		{ "bridged", NULL, "00:15:5d:01:02:03", "192.168.1.1", WSL_MODE_OTHER, "bridged",
		  "127.0.0.1", 0, "wslinfo: bridged" },
		{ "none", NULL, NULL, NULL, WSL_MODE_OTHER, "none", "127.0.0.1", 0,
		  "wslinfo: none" },
		{ NULL, "00:15:5d:aa:bb:cc", NULL, NULL, WSL_MODE_MIRRORED, "mirrored",
		  "127.0.0.1", 0, "MAC 00:15:5d:aa:bb:cc (Hyper-V): mirrored" },
		{ NULL, "00:11:22:33:44:55", "a0:36:bc:12:34:56", "192.168.1.1", WSL_MODE_CONSOMME,
		  "consomme", "127.0.0.1", 1, "the virtio device of Consomme mode" },
		{ NULL, "02:42:ac:11:00:02", NULL, NULL, WSL_MODE_UNKNOWN, "mirrored or consomme",
		  "127.0.0.1", 1, "neither mirrored mode's (Hyper-V) nor Consomme's" },
		{ NULL, NULL, "00:15:5d:01:02:03", "172.29.0.1", WSL_MODE_NAT, "nat",
		  "172.29.0.1", 0, "(Hyper-V), default gateway 172.29.0.1 dev eth0 (private)" },
		{ NULL, NULL, NULL, NULL, WSL_MODE_UNKNOWN, "unknown", "127.0.0.1", 0,
		  "no loopback0 interface" },
		/* An answer nobody knows: the interfaces decide. */
		{ "quantum", "00:11:22:33:44:55", NULL, NULL, WSL_MODE_CONSOMME, "consomme",
		  "127.0.0.1", 1, "not one lo6relay knows" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct wsl_facts f;
		struct wsl_info w;
		int before = checks_failed;

		wsl2_facts(&f);
		if (rows[i].wslinfo) {
			snprintf(f.wslinfo, sizeof(f.wslinfo), "%s", rows[i].wslinfo);
			snprintf(f.wslinfo_how, sizeof(f.wslinfo_how), "wslinfo");
		}
		if (rows[i].lo0)
			add_iface(&f, "loopback0", rows[i].lo0);
		if (rows[i].eth0)
			add_iface(&f, "eth0", rows[i].eth0);
		if (rows[i].gw) {
			f.have_gw = 1;
			inet_pton(AF_INET, rows[i].gw, &f.gw_be);
			snprintf(f.gw_dev, sizeof(f.gw_dev), "eth0");
		}
		wsl_decide(&f, &w);
		CHECK(w.kind == WSL_2);
		CHECK(w.mode == rows[i].mode);
		CHECK_STR(w.mode_name, rows[i].name);
		CHECK(w.relay_ok);
		CHECK_STR(relay(&w), rows[i].relay);
		CHECK(w.tcp_only == rows[i].tcp_only);
		CHECK(said(&w, rows[i].evidence));
		if (checks_failed != before)
			fprintf(stderr, "  in mode_table row %zu (wslinfo %s, loopback0 %s)\n", i,
				rows[i].wslinfo ? rows[i].wslinfo : "-",
				rows[i].lo0 ? rows[i].lo0 : "-");
	}
}

static void private_addresses(void)
{
	static const struct {
		const char *a;
		int private;
	} rows[] = {
		{ "10.0.0.1", 1 },	{ "172.16.0.1", 1 },	{ "172.31.255.254", 1 },
		{ "172.32.0.1", 0 },	{ "192.168.1.1", 1 },	{ "192.169.0.1", 0 },
		{ "100.64.0.1", 1 },	{ "100.127.255.1", 1 }, { "100.128.0.1", 0 },
		{ "8.8.8.8", 0 },	{ "127.0.0.1", 0 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint32_t a;

		inet_pton(AF_INET, rows[i].a, &a);
		if (ipv4_is_private(a) != rows[i].private)
			fprintf(stderr, "  %s\n", rows[i].a);
		CHECK(ipv4_is_private(a) == rows[i].private);
	}
}

static void windows_netstat_text(void)
{
	char path[1200], text[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/wsl-mirrored/fixture/netstat-an", fixtures);
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	/* Vite on [::1] only (and a link-local one): the case no IPv4 relay reaches. */
	CHECK(windows_tcp_listeners(text, 5173) == (LISTEN_LOOP6 | LISTEN_OTHER));
	/* An established connection from 127.0.0.1:8080 is not a listener. */
	CHECK(windows_tcp_listeners(text, 8080) == LISTEN_LOOP4);
	CHECK(windows_tcp_listeners(text, 135) == (LISTEN_ANY4 | LISTEN_ANY6));
	CHECK(windows_tcp_listeners(text, 5353) == 0); /* UDP */
	CHECK(windows_tcp_listeners(text, 1) == 0);
	/* A German netstat: the state word differs, the foreign address does not. */
	CHECK(windows_tcp_listeners("  TCP    [::1]:3000   [::]:0   ABHÖREN\r\n", 3000) == LISTEN_LOOP6);
	CHECK(windows_tcp_listeners("", 3000) == 0);
}

/* Where netstat.exe is, from the mount table of WSL1, WSL2 (9p) and a system without C:. */
static void system32_from_mountinfo(void)
{
	static const char wsl2[] =
		"60 1 8:32 / / rw,relatime - ext4 /dev/sdc rw,discard\n"
		"90 60 0:60 / /mnt/wsl rw,relatime shared:1 - tmpfs none rw\n"
		"94 60 0:64 / /mnt/d rw,noatime - 9p D:\\134 rw,aname=drvfs;path=D:\\;uid=1000\n"
		"95 60 0:65 / /mnt/c rw,noatime - 9p C:\\134 rw,dirsync,aname=drvfs;path=C:\\;"
		"uid=1000;gid=1000;symlinkroot=/mnt/,mmap,access=client,msize=65536,trans=fd\n";
	static const char wsl1[] = "7 2 0:5 / /mnt/c rw,noatime - drvfs C: rw,noatime,case=off\n";
	static const char named[] = "7 2 0:5 / /win rw - 9p drvfs rw,aname=drvfs;path=c:\\\n";
	static const char none[] = "60 1 8:32 / / rw - ext4 /dev/sdc rw\n"
				   "61 60 0:5 / /mnt/c rw - ext4 /dev/sdd rw\n";
	char out[256];

	CHECK(windows_system32_path(wsl2, "netstat.exe", out, sizeof(out)) == 0);
	CHECK_STR(out, "/mnt/c/Windows/System32/netstat.exe");
	CHECK(windows_system32_path(wsl1, "netstat.exe", out, sizeof(out)) == 0);
	CHECK_STR(out, "/mnt/c/Windows/System32/netstat.exe");
	CHECK(windows_system32_path(named, "netstat.exe", out, sizeof(out)) == 0);
	CHECK_STR(out, "/win/Windows/System32/netstat.exe");
	CHECK(windows_system32_path(none, "netstat.exe", out, sizeof(out)) == -1);
	CHECK(windows_system32_path("", "netstat.exe", out, sizeof(out)) == -1);
	CHECK(windows_system32_path("garbage without fields\n - \n", "x", out, sizeof(out)) == -1);
	CHECK(windows_system32_path(wsl2, "netstat.exe", out, 10) == -1);
}

/*
 * lo6relay runs as root and WSL appends Windows' folders to PATH: a
 * `wslinfo` planted first in PATH must never run. Without WSL here, the
 * fixed path does not exist and detection must say so.
 */
static void helpers_not_from_path(void)
{
	char dir[] = "/tmp/lo6test-path.XXXXXX", path[128], marker[128], newpath[8192], out[64];
	const char *const bare[] = { "wslinfo", "--networking-mode", NULL };
	const char *old = getenv("PATH");
	struct wsl_facts f;
	FILE *s;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/wslinfo", dir);
	snprintf(marker, sizeof(marker), "%s/ran", dir);
	s = fopen(path, "w");
	CHECK(s != NULL);
	if (!s)
		return;
	fprintf(s, "#!/bin/sh\n: > '%s'\necho mirrored\n", marker);
	fclose(s);
	chmod(path, 0755);
	snprintf(newpath, sizeof(newpath), "%s:%s", dir, old ? old : "/usr/bin:/bin");
	setenv("PATH", newpath, 1);

	CHECK(run_capture(bare, out, sizeof(out), 3000) == -1);
	if (access(WSLINFO_PATH, X_OK) != 0) {
		wsl_gather("", &f);
		CHECK_STR(f.wslinfo, "");
		CHECK(strstr(f.wslinfo_how, "no " WSLINFO_PATH) != NULL);
	}
	CHECK(access(marker, F_OK) != 0);

	if (old)
		setenv("PATH", old, 1);
	unlink(marker);
	unlink(path);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	snprintf(fixtures, sizeof(fixtures), "%s", argc > 1 ? argv[1] : "tests/fixtures");
	fixture_trees();
	pure_decisions();
	mode_table();
	private_addresses();
	windows_netstat_text();
	system32_from_mountinfo();
	helpers_not_from_path();
	return checks_done("wsl");
}
