// SPDX-License-Identifier: MIT
/*
 * doctor PORT: who listens on Linux and on Windows, whether the relay and
 * [::1] answer, and what `localhost` means here. Probes are TCP connects
 * with a short timeout to loopback addresses and, in NAT mode, to Windows
 * at the default gateway; none with --root.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include <lo6relay/abi.h>

#include "doctor.h"
#include "parse.h"
#include "pins.h"
#include "procnet.h"
#include "sockdiag.h"

#define PROBE_TIMEOUT_MS 1000

/* The whole of ROOT/REL, malloc'd; NULL if unreadable. /proc files have no size to trust. */
static char *slurp(const char *root, const char *rel)
{
	char path[4096], *text = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	if (!(f = fopen(path, "re")))
		return NULL;
	if (getdelim(&text, &cap, '\0', f) < 0) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

static enum probe tcp_probe(int family, const void *addr, unsigned port, int *err)
{
	struct sockaddr_storage ss = { 0 };
	struct pollfd pfd;
	socklen_t sl, el = sizeof(*err);
	int fd, ret;

	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		memcpy(&a->sin_addr, addr, 4);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		memcpy(&a->sin6_addr, addr, 16);
		sl = sizeof(*a);
	}
	*err = 0;
	if ((fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		*err = errno;
		return PROBE_ERROR;
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		if (errno != EINPROGRESS) {
			*err = errno;
		} else {
			pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
			ret = poll(&pfd, 1, PROBE_TIMEOUT_MS);
			if (ret == 0) {
				close(fd);
				return PROBE_TIMEOUT;
			}
			if (ret < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &el) < 0)
				*err = errno;
		}
	}
	close(fd);
	return *err == 0 ? PROBE_OPEN : *err == ECONNREFUSED ? PROBE_REFUSED : PROBE_ERROR;
}

static const char *probe_words(enum probe p, int err, int nat)
{
	switch (p) {
	case PROBE_OPEN: return "accepts a TCP connect";
	case PROBE_REFUSED: return "refuses the connect (nothing listens)";
	case PROBE_TIMEOUT: return nat ? "gives no answer within 1 s (Windows' firewall drops what "
					 "it blocks, and what no server listens for)"
				       : "gives no answer within 1 s (mirrored mode can swallow "
					 "connects to closed Windows ports)";
	case PROBE_ERROR: return strerror(err);
	default: return "not probed";
	}
}

static void linux_listeners(const char *root, struct doctor_facts *d, struct report *r)
{
	char *t6 = slurp(root, "/proc/net/tcp6"), *t4 = slurp(root, "/proc/net/tcp");
	char desc[200];

	d->linux6 = t6 ? procnet_tcp_listeners(t6, 1, d->port) : 0;
	d->linux4 = t4 ? procnet_tcp_listeners(t4, 0, d->port) : 0;
	listen_describe(d->linux6 | d->linux4, d->port, desc, sizeof(desc));
	if (!t6 && !t4)
		report_add(r, "port", "linux", LV_WARN, "cannot read %s/proc/net/tcp{,6}", root);
	else
		report_add(r, "port", "linux", LV_INFO, "listening on this Linux: %s", desc);
	if ((d->linux6 & LISTEN_ANY6) && !(d->linux6 & LISTEN_LOOP6))
		report_add(r, "port", "linux", LV_INFO,
			   "[::]:%u takes [::1]:%u too: the kernel prefers it to the relay", d->port,
			   d->port);
	/* /proc/net/tcp6 does not show a device; sock_diag does (live only). */
	if (d->live && sockdiag_bound_listeners(d->port, &d->bound_lo, &d->bound_other) == 0) {
		if (d->bound_lo) {
			listen_describe(d->bound_lo, d->port, desc, sizeof(desc));
			report_add(r, "port", "bound", LV_INFO,
				   "bound to lo: %s (a loopback connect reaches it; auto's socket "
				   "lookup cannot see it)", desc);
		}
		if (d->bound_other) {
			listen_describe(d->bound_other, d->port, desc, sizeof(desc));
			report_add(r, "port", "bound", LV_INFO,
				   "bound to another device than lo: %s (a loopback connect never "
				   "reaches it)", desc);
		}
	}
	free(t6);
	free(t4);
}

static void probes(struct doctor_facts *d, struct report *r)
{
	char relay[INET_ADDRSTRLEN];
	int nat = d->wsl->mode == WSL_MODE_NAT && d->wsl->relay_ok, err;
	/* Where doctor may connect: loopback, and Windows itself at NAT mode's gateway. */
	int at_gw = nat && d->relay_be == d->wsl->relay_be;
	int reachable = (ntohl(d->relay_be) >> 24) == 127 || at_gw;
	int redirected = d->attached && (d->mode == LO6_MODE_ALWAYS || d->mode == LO6_MODE_AUTO);

	inet_ntop(AF_INET, &d->relay_be, relay, sizeof(relay));
	if (!d->live) {
		report_add(r, "port", "probe", LV_SKIP, "with --root nothing live is probed");
		return;
	}
	if (d->attached)
		report_add(r, "port", "policy", redirected ? LV_OK : LV_WARN,
			   "port %u: mode %s, so [::1]:%u is %sredirected", d->port,
			   mode_name((uint32_t)d->mode), d->port, redirected ? "" : "not ");
	if (nat) {
		char gw[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &d->wsl->relay_be, gw, sizeof(gw));
		d->gw_probe = tcp_probe(AF_INET, &d->wsl->relay_be, d->port, &err);
		report_add(r, "port", "gateway", d->gw_probe == PROBE_OPEN ? LV_OK : LV_WARN,
			   "Windows at %s:%u %s", gw, d->port, probe_words(d->gw_probe, err, 1));
	}
	if (!reachable) {
		report_add(r, "port", "relay", LV_SKIP,
			   "%s:%u not probed: doctor connects only to loopback and to NAT mode's "
			   "gateway", relay, d->port);
	} else if (at_gw) {
		d->relay_probe = d->gw_probe;
	} else {
		d->relay_probe = tcp_probe(AF_INET, &d->relay_be, d->port, &err);
		report_add(r, "port", "relay", d->relay_probe == PROBE_OPEN ? LV_OK : LV_WARN,
			   "%s:%u %s%s", relay, d->port, probe_words(d->relay_probe, err, 0),
			   d->linux4 & (LISTEN_LOOP4 | LISTEN_ANY4) && d->wsl->kind == WSL_2
				   ? " (a Linux server holds it: that is Linux answering)" : "");
	}
	if (redirected && !reachable) {
		report_add(r, "port", "[::1]", LV_SKIP,
			   "[::1]:%u not probed: it would be sent to %s, where doctor does "
			   "not connect", d->port, relay);
		return;
	}
	d->v6_probe = tcp_probe(AF_INET6, &in6addr_loopback, d->port, &err);
	report_add(r, "port", "[::1]", d->v6_probe == PROBE_OPEN ? LV_OK : LV_WARN, "[::1]:%u %s%s",
		   d->port, probe_words(d->v6_probe, err, redirected && at_gw),
		   redirected ? " (through lo6relay)" : "");
}

static void windows_side(struct doctor_facts *d, struct report *r)
{
	static char text[256 * 1024];
	char desc[200];

	if (d->wsl->kind != WSL_2)
		return;
	if (windows_netstat(d->wsl_root, text, sizeof(text)) < 0) {
		report_add(r, "port", "windows", LV_INFO, "Windows' listeners unknown: %s",
			   d->wsl_root[0]     ? "no fixture/netstat-an in the root"
			   : d->wsl->interop ? "netstat.exe did not run"
					     : "no Windows interop here");
		return;
	}
	d->has_windows = 1;
	d->windows = windows_tcp_listeners(text, d->port);
	listen_describe(d->windows, d->port, desc, sizeof(desc));
	report_add(r, "port", "windows", LV_INFO, "listening on Windows (netstat.exe -an): %s", desc);
	if ((d->windows & LISTEN_ANY6) && !(d->windows & (LISTEN_LOOP4 | LISTEN_ANY4)))
		report_add(r, "port", "windows", LV_WARN,
			   "[::]:%u on Windows takes IPv4 only if the server made it dual-stack "
			   "(Windows defaults to IPV6_V6ONLY)", d->port);
	if (d->wsl->mode == WSL_MODE_NAT && d->windows &&
	    !(d->windows & (LISTEN_ANY4 | LISTEN_OTHER | LISTEN_ANY6)))
		report_add(r, "port", "windows", LV_WARN,
			   "NAT mode reaches Windows through its virtual switch address: a server "
			   "on Windows' loopback only is out of reach; bind it to 0.0.0.0");
}

/*
 * A client that sets IPV6_V6ONLY is never redirected: connect6 cannot clear
 * the flag (bpf_setsockopt takes only IPV6_TCLASS and IPV6_AUTOFLOWLABEL
 * there) and tcp_v6_connect refuses a v4-mapped address on such a socket.
 * Its connects only show as the port's v6only count: name the culprits.
 */
static void v6only_clients(struct doctor_facts *d, struct report *r)
{
	uint16_t key = (uint16_t)d->port;
	struct lo6_port_stats s;
	int fd;

	if (!d->attached || (fd = pins_map_open(d->pin_dir, PIN_STATS)) < 0)
		return;
	if (bpf_map_lookup_elem(fd, &key, &s) == 0)
		d->v6only = s.v6only;
	close(fd);
	if (d->v6only)
		report_add(r, "port", "v6only", LV_WARN,
			   "%llu connect(s) to [::1]:%u came from a client that set IPV6_V6ONLY, "
			   "which lo6relay cannot redirect; Ruby's Socket.tcp (Net::HTTP, Rails "
			   "database adapters) and Go's \"tcp6\" network do that: point them at "
			   "127.0.0.1:%u, or dial \"tcp\" in Go",
			   (unsigned long long)d->v6only, d->port, d->port);
}

/* Consomme carries TCP only; start then leaves UDP [::1] on Linux (LO6_CFG_TCP_ONLY). */
static void udp(const struct doctor_facts *d, struct report *r)
{
	if (!d->wsl->tcp_only)
		return;
	report_add(r, "port", "udp", LV_INFO, "UDP to [::1]:%u cannot reach Windows: %s", d->port,
		   d->wsl->mode == WSL_MODE_CONSOMME
			   ? "Consomme carries only TCP to Windows"
			   : "mirrored mode carries UDP to Windows and Consomme does not, "
			     "and nothing here tells which mode this is (wslinfo "
			     "--networking-mode would)");
}

/* Addresses /etc/hosts gives `localhost`, in file order, into OUT. */
static void hosts_localhost(const char *root, char *out, size_t len)
{
	char *text = slurp(root, "/etc/hosts"), *save = NULL;
	size_t off = 0;

	snprintf(out, len, "none");
	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *addr, *name, *s2 = NULL;

		line[strcspn(line, "#")] = '\0';
		if (!(addr = strtok_r(line, " \t\r", &s2)))
			continue;
		while ((name = strtok_r(NULL, " \t\r", &s2)))
			if (strcasecmp(name, "localhost") == 0) {
				int w = snprintf(out + off, len - off, "%s%s", off ? ", " : "", addr);

				if (w > 0 && (size_t)w < len - off)
					off += (size_t)w;
				break;
			}
	}
	free(text);
}

static int gai_rules(const char *root)
{
	char *text = slurp(root, "/etc/gai.conf"), *save = NULL;
	int n = 0;

	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		n += *line && *line != '#';
	}
	free(text);
	return n;
}

static void localhost(const char *root, struct doctor_facts *d, struct report *r)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *ai;
	char order[200] = "", hosts[200], a[INET6_ADDRSTRLEN];
	int rules = gai_rules(root), v6first = 0;

	hosts_localhost(root, hosts, sizeof(hosts));
	if (d->live && getaddrinfo("localhost", NULL, &hints, &res) == 0) {
		for (ai = res; ai; ai = ai->ai_next) {
			const void *p = ai->ai_family == AF_INET
						? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
						: (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;

			if (ai == res)
				v6first = ai->ai_family == AF_INET6;
			inet_ntop(ai->ai_family, p, a, sizeof(a));
			snprintf(order + strlen(order), sizeof(order) - strlen(order), "%s%s",
				 ai == res ? "" : ", ", a);
		}
		freeaddrinfo(res);
		report_add(r, "port", "localhost", LV_INFO, "resolves to %s (getaddrinfo order): %s",
			   order, v6first ? "clients naming localhost try [::1] first"
					  : "clients naming localhost go straight to IPv4");
	}
	report_add(r, "port", "hosts", LV_INFO, "%s/etc/hosts gives localhost: %s%s", root, hosts,
		   rules ? "; /etc/gai.conf has rules that reorder answers" : "");
}

void doctor_port(const char *root, struct doctor_facts *d, struct report *r)
{
	linux_listeners(root, d, r);
	probes(d, r);
	v6only_clients(d, r);
	windows_side(d, r);
	udp(d, r);
	localhost(root, d, r);
}
