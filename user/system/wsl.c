// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "wsl.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "procnet.h"
#include "runcmd.h"

#define LOOPBACK_BE htonl(0x7f000001)

/* ROOT/REL into BUF (NUL-terminated); bytes read, or -1. */
static ssize_t read_below(const char *root, const char *rel, char *buf, size_t len)
{
	char path[4096];
	ssize_t n, used = 0;
	int fd;

	if (snprintf(path, sizeof(path), "%s%s", root, rel) >= (int)sizeof(path))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((size_t)used + 1 < len && (n = read(fd, buf + used, len - 1 - (size_t)used)) > 0)
		used += n;
	close(fd);
	buf[used] = '\0';
	return used;
}

static int exists_below(const char *root, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	return access(path, F_OK) == 0;
}

/* Keeps the first line of S, without its newline. */
static void first_line(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

/* The first word of S, lowercased, into OUT (wslinfo prints "mirrored\n"). */
static void first_word(const char *s, char *out, size_t len)
{
	size_t n = 0;

	while (isspace((unsigned char)*s))
		s++;
	while (*s && !isspace((unsigned char)*s) && n + 1 < len)
		out[n++] = (char)tolower((unsigned char)*s++);
	out[n] = '\0';
}

static void gather_wslinfo(const char *root, struct wsl_facts *f)
{
	static const char *const argv[] = { WSLINFO_PATH, "--networking-mode", NULL };
	char out[256];

	if (root[0]) {
		if (read_below(root, "/fixture/wslinfo-networking-mode", out, sizeof(out)) < 0) {
			snprintf(f->wslinfo_how, sizeof(f->wslinfo_how),
				 "no fixture/wslinfo-networking-mode in the root");
			return;
		}
		snprintf(f->wslinfo_how, sizeof(f->wslinfo_how), "fixture/wslinfo-networking-mode");
	} else {
		if (run_capture(argv, out, sizeof(out), 3000) != 0) {
			snprintf(f->wslinfo_how, sizeof(f->wslinfo_how),
				 "not available (no " WSLINFO_PATH ", or too old for --networking-mode)");
			return;
		}
		snprintf(f->wslinfo_how, sizeof(f->wslinfo_how), WSLINFO_PATH " --networking-mode");
	}
	first_word(out, f->wslinfo, sizeof(f->wslinfo));
}

static void gather_ifaces(const char *root, struct wsl_facts *f)
{
	char dir[4096];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/sys/class/net", root);
	d = opendir(dir);
	if (!d)
		return;
	/* Entries are symlinks on a live system and plain folders in fixtures: take both. */
	while ((e = readdir(d)) && f->nifaces < WSL_MAX_IFACES) {
		char rel[300], mac[64];

		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(f->ifaces[0].name))
			continue;
		snprintf(rel, sizeof(rel), "/sys/class/net/%s/address", e->d_name);
		if (read_below(root, rel, mac, sizeof(mac)) < 0)
			mac[0] = '\0';
		first_line(mac);
		snprintf(f->ifaces[f->nifaces].name, sizeof(f->ifaces[0].name), "%s", e->d_name);
		snprintf(f->ifaces[f->nifaces].mac, sizeof(f->ifaces[0].mac), "%s", mac);
		f->nifaces++;
	}
	closedir(d);
}

void wsl_gather(const char *root, struct wsl_facts *f)
{
	static char route[64 * 1024];

	memset(f, 0, sizeof(*f));
	if (read_below(root, "/proc/version", f->version, sizeof(f->version)) >= 0)
		first_line(f->version);
	gather_wslinfo(root, f);
	gather_ifaces(root, f);
	if (read_below(root, "/proc/net/route", route, sizeof(route)) >= 0)
		f->have_gw = procnet_default_route(route, &f->gw_be, f->gw_dev,
						   sizeof(f->gw_dev)) == 0;
	f->interop = exists_below(root, "/proc/sys/fs/binfmt_misc/WSLInterop") ||
		     exists_below(root, "/proc/sys/fs/binfmt_misc/WSLInterop-late");
}

int mac_is_hyperv(const char *mac)
{
	return strncasecmp(mac, "00:15:5d:", 9) == 0;
}

int ipv4_is_private(uint32_t addr_be)
{
	uint32_t h = ntohl(addr_be);

	return (h >> 24) == 10 || (h >> 20) == 0xac1 || (h >> 16) == 0xc0a8 ||
	       (h >> 22) == (100u << 2 | 1); /* 10/8, 172.16/12, 192.168/16, 100.64/10 */
}

static void evidence(struct wsl_info *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void evidence(struct wsl_info *out, const char *fmt, ...)
{
	va_list ap;

	if (out->nevidence >= WSL_MAX_EVIDENCE)
		return;
	va_start(ap, fmt);
	vsnprintf(out->evidence[out->nevidence++], sizeof(out->evidence[0]), fmt, ap);
	va_end(ap);
}

static const char *iface_mac(const struct wsl_facts *f, const char *name)
{
	for (size_t i = 0; i < f->nifaces; i++)
		if (strcmp(f->ifaces[i].name, name) == 0)
			return f->ifaces[i].mac;
	return NULL;
}

static enum wsl_kind kind_of(const char *version)
{
	/* WSL2 kernels say "microsoft-standard-WSL2" (4.19 ones "microsoft-standard");
	 * WSL1 fakes a "4.4.0-19041-Microsoft" version with no kernel behind it. */
	if (!strcasestr(version, "microsoft"))
		return WSL_NONE;
	return strstr(version, "WSL2") || strcasestr(version, "microsoft-standard") ? WSL_2 : WSL_1;
}

/*
 * Consomme's loopback0 is a virtio device to which WSL gives this MAC
 * (SetupLoopbackDevice in VirtioNetworking.cpp, WSL 2.6-2.8, and in
 * ConsommeNetworking.cpp, 2.9); mirrored mode's is a Hyper-V adapter.
 */
#define CONSOMME_LOOPBACK_MAC "00:11:22:33:44:55"

/* wslinfo's words, as WSL spells them, and the mode each is. */
static const struct {
	const char *word;
	enum wsl_mode mode;
} wslinfo_words[] = {
	{ "mirrored", WSL_MODE_MIRRORED }, { "nat", WSL_MODE_NAT },
	{ "consomme", WSL_MODE_CONSOMME }, { "virtioproxy", WSL_MODE_CONSOMME },
	{ "bridged", WSL_MODE_OTHER },	   { "none", WSL_MODE_OTHER },
	{ "wsl1", WSL_MODE_OTHER },
};

/* The mode of a WSL2 system from wslinfo, else from its interfaces. */
static enum wsl_mode mode_of(const struct wsl_facts *f, struct wsl_info *out)
{
	const char *lo0 = iface_mac(f, "loopback0"), *eth0 = iface_mac(f, "eth0");
	char gw[INET_ADDRSTRLEN];

	if (f->wslinfo[0]) {
		evidence(out, "%s: %s", f->wslinfo_how, f->wslinfo);
		for (size_t i = 0; i < sizeof(wslinfo_words) / sizeof(wslinfo_words[0]); i++)
			if (strcmp(f->wslinfo, wslinfo_words[i].word) == 0)
				return wslinfo_words[i].mode;
		evidence(out, "wslinfo's answer is not one lo6relay knows: looking at interfaces");
	} else {
		evidence(out, "wslinfo: %s", f->wslinfo_how);
	}
	if (lo0 && mac_is_hyperv(lo0)) {
		evidence(out, "loopback0 present, MAC %s (Hyper-V): mirrored mode's relay "
			 "interface", lo0);
		return WSL_MODE_MIRRORED;
	}
	if (lo0 && strcasecmp(lo0, CONSOMME_LOOPBACK_MAC) == 0) {
		evidence(out, "loopback0 present, MAC %s: the virtio device of Consomme mode", lo0);
		return WSL_MODE_CONSOMME;
	}
	if (lo0) {
		/* Both modes relay 127.0.0.1 over a loopback0; only the MAC told them apart. */
		evidence(out, "loopback0 present, MAC %s: neither mirrored mode's (Hyper-V) nor "
			 "Consomme's (" CONSOMME_LOOPBACK_MAC ")", lo0[0] ? lo0 : "unreadable");
		return WSL_MODE_UNKNOWN;
	}
	evidence(out, "no loopback0 interface");
	if (eth0 && mac_is_hyperv(eth0) && f->have_gw && ipv4_is_private(f->gw_be)) {
		inet_ntop(AF_INET, &f->gw_be, gw, sizeof(gw));
		evidence(out, "eth0 MAC %s (Hyper-V), default gateway %s dev %s (private)", eth0, gw,
			 f->gw_dev);
		return WSL_MODE_NAT;
	}
	evidence(out, "eth0: %s", !eth0			 ? "absent"
				  : !mac_is_hyperv(eth0) ? "MAC is not Hyper-V's"
							 : "no private default gateway");
	return WSL_MODE_UNKNOWN;
}

static void pick_relay(const struct wsl_facts *f, struct wsl_info *out)
{
	char gw[INET_ADDRSTRLEN];

	out->relay_ok = 1;
	out->relay_be = LOOPBACK_BE;
	switch (out->mode) {
	case WSL_MODE_NOT_WSL:
		snprintf(out->relay_why, sizeof(out->relay_why),
			 "not WSL: 127.0.0.1 is this machine's own loopback");
		break;
	case WSL_MODE_MIRRORED:
		snprintf(out->relay_why, sizeof(out->relay_why),
			 "mirrored mode: WSL relays exactly 127.0.0.1/32 to Windows over loopback0");
		break;
	case WSL_MODE_NAT:
		if (!f->have_gw) {
			out->relay_ok = 0;
			snprintf(out->relay_why, sizeof(out->relay_why),
				 "NAT mode, but there is no default route to name Windows' address");
			break;
		}
		out->relay_be = f->gw_be;
		inet_ntop(AF_INET, &f->gw_be, gw, sizeof(gw));
		snprintf(out->relay_why, sizeof(out->relay_why),
			 "NAT mode: Windows is the default gateway %s (its server must listen on a "
			 "non-loopback address and pass its firewall)", gw);
		break;
	case WSL_MODE_CONSOMME:
		out->tcp_only = 1;
		snprintf(out->relay_why, sizeof(out->relay_why),
			 "Consomme mode: WSL carries 127.0.0.1 to Windows over loopback0, TCP only "
			 "(UDP stays on Linux)");
		break;
	case WSL_MODE_OTHER:
		snprintf(out->relay_why, sizeof(out->relay_why),
			 "%s mode: WSL has no known relay from Linux's loopback to Windows; "
			 "127.0.0.1 is Linux's own here", out->mode_name);
		break;
	case WSL_MODE_UNKNOWN:
		if (iface_mac(f, "loopback0")) {
			/* Consomme would drop redirected UDP where Linux refuses it at once. */
			out->tcp_only = 1;
			snprintf(out->relay_why, sizeof(out->relay_why),
				 "mirrored or Consomme mode: both carry 127.0.0.1 over loopback0, "
				 "only mirrored carries UDP, so UDP stays on Linux");
			break;
		}
		snprintf(out->relay_why, sizeof(out->relay_why),
			 "networking mode unknown; 127.0.0.1, which is right in mirrored mode");
		break;
	}
}

void wsl_decide(const struct wsl_facts *f, struct wsl_info *out)
{
	memset(out, 0, sizeof(*out));
	out->interop = f->interop;
	out->kind = kind_of(f->version);
	evidence(out, "/proc/version: %.150s", f->version[0] ? f->version : "(unreadable)");
	if (out->kind == WSL_NONE) {
		out->mode = WSL_MODE_NOT_WSL;
		snprintf(out->mode_name, sizeof(out->mode_name), "not WSL");
		evidence(out, "no \"microsoft\" in the kernel version: not WSL");
	} else if (out->kind == WSL_1) {
		out->mode = WSL_MODE_OTHER;
		snprintf(out->mode_name, sizeof(out->mode_name), "wsl1");
		evidence(out, "a Microsoft version without WSL2: WSL1, which has no Linux kernel");
	} else {
		out->mode = mode_of(f, out);
		/* Consomme keeps wslinfo's word: virtioproxy and consomme are one mode renamed. */
		snprintf(out->mode_name, sizeof(out->mode_name), "%s",
			 out->mode == WSL_MODE_MIRRORED ? "mirrored"
			 : out->mode == WSL_MODE_NAT	? "nat"
			 : out->mode == WSL_MODE_OTHER	? f->wslinfo
			 : out->mode == WSL_MODE_CONSOMME ? (strcmp(f->wslinfo, "virtioproxy") == 0
								  ? "virtioproxy" : "consomme")
			 : iface_mac(f, "loopback0")	? "mirrored or consomme"
							: "unknown");
	}
	pick_relay(f, out);
}

void wsl_detect(const char *root, struct wsl_info *out)
{
	static struct wsl_facts f;

	wsl_gather(root, &f);
	wsl_decide(&f, out);
}

/* "[::1]:5173", "127.0.0.1:80" -> LISTEN_* bit for that address; 0 if PORT differs. */
static unsigned classify_endpoint(const char *ep, unsigned port)
{
	const char *colon = strrchr(ep, ':');
	char addr[64];
	struct in6_addr a6;
	struct in_addr a4;
	size_t n;

	if (!colon || strtoul(colon + 1, NULL, 10) != port || colon[1] < '0' || colon[1] > '9')
		return 0;
	n = (size_t)(colon - ep);
	if (n >= 2 && ep[0] == '[' && ep[n - 1] == ']') {
		ep++;
		n -= 2;
	}
	if (n >= sizeof(addr))
		return LISTEN_OTHER;
	memcpy(addr, ep, n);
	addr[n] = '\0';
	addr[strcspn(addr, "%")] = '\0'; /* fe80::1%12: the scope id */
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6)      ? LISTEN_LOOP6
		       : IN6_IS_ADDR_UNSPECIFIED(&a6) ? LISTEN_ANY6
						      : LISTEN_OTHER;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return a4.s_addr == 0				 ? LISTEN_ANY4
		       : (ntohl(a4.s_addr) >> 24) == 127 ? LISTEN_LOOP4
							 : LISTEN_OTHER;
	return LISTEN_OTHER;
}

unsigned windows_tcp_listeners(const char *text, unsigned port)
{
	unsigned bits = 0;

	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		char line[256], proto[16], local[80], foreign[80];
		size_t n = eol ? (size_t)(eol - p) : strlen(p);

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p = eol ? eol + 1 : NULL;
		/* "  TCP    [::1]:5173    [::]:0    LISTENING" */
		if (sscanf(line, "%15s %79s %79s", proto, local, foreign) != 3 ||
		    strcasecmp(proto, "TCP") != 0)
			continue;
		if (strcmp(foreign, "0.0.0.0:0") != 0 && strcmp(foreign, "[::]:0") != 0)
			continue;
		bits |= classify_endpoint(local, port);
	}
	return bits;
}

int windows_netstat(const char *root, char *out, size_t len)
{
	static char mountinfo[256 * 1024];
	char exe[512];
	const char *argv[] = { exe, "-an", NULL };

	if (root[0])
		return read_below(root, "/fixture/netstat-an", out, len) < 0 ? -1 : 0;
	if (!exists_below("", "/proc/sys/fs/binfmt_misc/WSLInterop") &&
	    !exists_below("", "/proc/sys/fs/binfmt_misc/WSLInterop-late"))
		return -1;
	/* Not through PATH, which WSL fills with Windows folders: C:'s own System32. */
	if (read_below("", "/proc/self/mountinfo", mountinfo, sizeof(mountinfo)) < 0 ||
	    windows_system32_path(mountinfo, "netstat.exe", exe, sizeof(exe)) < 0)
		return -1;
	return run_capture(argv, out, len, 5000) == 0 ? 0 : -1;
}
