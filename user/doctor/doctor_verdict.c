// SPDX-License-Identifier: MIT
/* doctor's findings list and its one sentence of conclusion: pure, table-tested. */
#include "doctor.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <lo6relay/abi.h>

#include "parse.h"
#include "procnet.h"

void report_add(struct report *r, const char *section, const char *name, enum level lv,
		const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (r->n >= DOCTOR_MAX_FINDINGS)
		return;
	f = &r->f[r->n++];
	f->section = section;
	f->name = name;
	f->level = lv;
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
}

const char *level_name(enum level lv)
{
	static const char *const names[] = { "ok", "info", "warn", "FAIL", "skip" };

	return lv <= LV_SKIP ? names[lv] : "?";
}

const struct finding *report_find(const struct report *r, const char *section, enum level lv)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->f[i].level == lv && strcmp(r->f[i].section, section) == 0)
			return &r->f[i];
	return NULL;
}

static int say(char *out, size_t len, int ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int say(char *out, size_t len, int ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, len, fmt, ap);
	va_end(ap);
	return ok;
}

/* Problems that hold whatever the port: WSL1, the kernel, auto without an address. */
static int general(const struct doctor_facts *d, const struct report *r, char *out, size_t len)
{
	const struct finding *k = report_find(r, "kernel", LV_FAIL);

	if (d->wsl->kind == WSL_1)
		return say(out, len, 0, "This is WSL1, which has no Linux kernel to load lo6relay "
					"into (and whose [::1] is already Windows' own).");
	if (k)
		return say(out, len, 0, "The kernel is not ready for lo6relay: %s.", k->detail);
	if (!d->wsl->relay_ok)
		return say(out, len, 0, "Cannot pick a relay address: %s; give one with --relay.",
			   d->wsl->relay_why);
	return -1;
}

enum win_side doctor_windows(const struct doctor_facts *d)
{
	int nat = d->wsl->kind == WSL_2 && d->wsl->mode == WSL_MODE_NAT && d->wsl->relay_ok;

	if (d->wsl->kind != WSL_2)
		return WIN_UNKNOWN;
	if (d->has_windows && (d->windows & LISTEN_LOOP6) &&
	    !(d->windows & (LISTEN_LOOP4 | LISTEN_ANY4)))
		return WIN_LOOP6_ONLY;
	if (!nat)
		return WIN_UNKNOWN;
	/* NAT reaches Windows at its switch address: a loopback bind is out of reach. */
	if (d->has_windows && (d->windows & LISTEN_LOOP4) &&
	    !(d->windows & (LISTEN_ANY4 | LISTEN_ANY6 | LISTEN_OTHER)))
		return WIN_LOOP4_ONLY;
	if (d->has_windows && !d->windows)
		return WIN_NOBODY;
	/* Windows' firewall drops what it blocks: silence, never a refusal. */
	if (d->gw_probe == PROBE_TIMEOUT)
		return WIN_FIREWALL;
	if (d->gw_probe == PROBE_REFUSED)
		return WIN_NOBODY;
	return d->gw_probe == PROBE_OPEN ? WIN_REACHABLE : WIN_UNKNOWN;
}

int doctor_advise_ipv4_localhost(const struct doctor_facts *d)
{
	return d->wsl->kind == WSL_2 && d->wsl->mode == WSL_MODE_NAT && d->attached &&
	       !(d->cfg_flags & LO6_CFG_IPV4_LOCALHOST);
}

/* The Windows side's problem on port P in one sentence, or -1 if none is seen. */
static int windows_verdict(const struct doctor_facts *d, char *out, size_t len)
{
	unsigned p = d->port;
	char gw[INET_ADDRSTRLEN];
	int nat = d->wsl->mode == WSL_MODE_NAT;

	inet_ntop(AF_INET, &d->wsl->relay_be, gw, sizeof(gw));
	switch (doctor_windows(d)) {
	case WIN_LOOP6_ONLY:
		return say(out, len, 0,
			   "The Windows server listens only on [::1]:%u, which no IPv4 relay "
			   "reaches: bind it to %s on Windows, or there as administrator run "
			   "'netsh interface portproxy add v4tov6 listenaddress=%s "
			   "listenport=%u connectaddress=::1 connectport=%u'.", p,
			   nat ? "0.0.0.0" : "127.0.0.1", nat ? gw : "127.0.0.1", p, p);
	case WIN_LOOP4_ONLY:
		return say(out, len, 0,
			   "The Windows server listens on its loopback only (127.0.0.1:%u), "
			   "which NAT mode never reaches (Linux reaches Windows at %s): bind "
			   "it to 0.0.0.0, or on Windows as administrator run 'netsh "
			   "interface portproxy add v4tov4 listenaddress=%s listenport=%u "
			   "connectaddress=127.0.0.1 connectport=%u'.", p, gw, gw, p, p);
	case WIN_NOBODY:
		return say(out, len, 0,
			   "Nothing on Windows listens on port %u (%s): start the server there, "
			   "listening on 0.0.0.0:%u, which NAT mode reaches at %s.", p,
			   d->has_windows ? "netstat.exe -an shows no listener"
					  : "Windows refused the connect", p, gw);
	case WIN_FIREWALL:
		return say(out, len, 0,
			   "Windows at %s:%u gave no answer within 1 s: its firewall drops "
			   "connects from WSL%s; as administrator in PowerShell run "
			   "'New-NetFirewallRule -DisplayName \"lo6relay %u\" -Direction "
			   "Inbound -InterfaceAlias \"vEthernet (WSL)\" -Protocol TCP "
			   "-LocalPort %u -Action Allow'.", gw, p,
			   d->has_windows ? "" : " (or nothing listens there: it looks the same)",
			   p, p);
	case WIN_UNKNOWN:
	case WIN_REACHABLE:
		break;
	}
	return -1;
}

static int port_verdict(const struct doctor_facts *d, char *out, size_t len)
{
	unsigned p = d->port;
	char relay[INET_ADDRSTRLEN];
	int redirected = d->mode == LO6_MODE_ALWAYS || d->mode == LO6_MODE_AUTO, w;
	unsigned linux6 = d->linux6 & ~d->bound_other;

	inet_ntop(AF_INET, &d->relay_be, relay, sizeof(relay));
	/* A listener bound to another device than lo is not there for a loopback connect. */
	if (linux6 & (LISTEN_LOOP6 | LISTEN_ANY6)) {
		if (d->mode == LO6_MODE_ALWAYS)
			return say(out, len, 0,
				   "A Linux server listens on [::1]:%u, but port %u is 'always', so its "
				   "[::1] clients are sent to %s instead: 'lo6relay allow --mode auto %u' "
				   "keeps them on Linux.", p, p, relay, p);
		/* The kernel's socket lookup from connect6 passes no device: it cannot see these. */
		if (d->mode == LO6_MODE_AUTO && d->attached &&
		    !(linux6 & ~d->bound_lo & (LISTEN_LOOP6 | LISTEN_ANY6)))
			return say(out, len, 0,
				   "A Linux server listens on [::1]:%u bound to lo (SO_BINDTODEVICE, "
				   "systemd's BindToDevice=), which auto's socket lookup cannot see, so "
				   "its [::1] clients are sent to %s instead: 'lo6relay allow --mode "
				   "never %u' keeps them on Linux.", p, relay, p);
		return say(out, len, 1, "[::1]:%u reaches the Linux server listening on it%s.", p,
			   d->mode == LO6_MODE_AUTO ? " (mode auto leaves it alone)" : "");
	}
	if (d->wsl->kind == WSL_2 && d->wsl->mode == WSL_MODE_OTHER)
		return say(out, len, 0, "In %s mode WSL relays nothing from Linux's "
					"loopback to Windows, so [::1]:%u has no way there: "
					"reach Windows at its own network address.",
			   d->wsl->mode_name, p);
	if ((w = windows_verdict(d, out, len)) >= 0)
		return w;
	if (!d->live)
		return say(out, len, 1, "Nothing on Linux listens on [::1]:%u; with lo6relay it would "
					"go to %s:%u (nothing live was probed with --root).",
			   p, relay, p);
	if (!d->attached)
		return say(out, len, 0, "Nothing on Linux listens on [::1]:%u and lo6relay is not "
					"attached at %s, so [::1]:%u is refused: run 'lo6relay start'.",
			   p, d->pin_dir, p);
	if (!redirected)
		return say(out, len, 0, "Port %u is not redirected (mode %s), so [::1]:%u is refused: "
					"run 'lo6relay allow %u'.",
			   p, mode_name((uint32_t)d->mode), p, p);
	if (d->wsl->mode == WSL_MODE_NAT && d->wsl->relay_ok && d->relay_be != d->wsl->relay_be) {
		char gw[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &d->wsl->relay_be, gw, sizeof(gw));
		return say(out, len, 0,
			   "[::1]:%u is sent to %s, but in NAT mode Windows is only at the gateway "
			   "%s: set 'relay = auto' in the config file and run 'lo6relay reload'.", p,
			   relay, gw);
	}
	if (d->v6only)
		return say(out, len, 0,
			   "[::1]:%u is redirected, but %llu connect(s) came from a client that set "
			   "IPV6_V6ONLY (Ruby's Socket.tcp, Go's \"tcp6\"), which the kernel never "
			   "lets lo6relay redirect: point such clients at 127.0.0.1:%u (in Go, dial "
			   "\"tcp\").", p, (unsigned long long)d->v6only, p);
	if (d->relay_probe == PROBE_SKIPPED)
		return say(out, len, 1,
			   "[::1]:%u is redirected to %s:%u (not probed: doctor connects only "
			   "to loopback and to NAT mode's gateway); the Windows server must "
			   "listen on a non-loopback address and be allowed by its firewall.",
			   p, relay, p);
	if (d->relay_probe != PROBE_OPEN)
		return say(out, len, 0,
			   "[::1]:%u is redirected to %s:%u, but nothing answers there%s: start the "
			   "server on the other side, listening on 127.0.0.1:%u or 0.0.0.0:%u.", p,
			   relay, p, d->relay_probe == PROBE_TIMEOUT ? " (no reply in time)" : "", p,
			   p);
	if (d->v6_probe != PROBE_OPEN && d->v6_probe != PROBE_SKIPPED)
		return say(out, len, 0,
			   "%s:%u answers but [::1]:%u does not: this process's connect was not "
			   "redirected (is it in the attached cgroup and network namespace?).", relay, p,
			   p);
	return say(out, len, 1, "[::1]:%u reaches the server on %s:%u through lo6relay.", p, relay,
		   p);
}

int doctor_verdict(const struct doctor_facts *d, const struct report *r, char *out, size_t len)
{
	char relay[INET_ADDRSTRLEN];
	int g = general(d, r, out, len);

	if (g >= 0)
		return g;
	if (d->port)
		return port_verdict(d, out, len);
	inet_ntop(AF_INET, &d->relay_be, relay, sizeof(relay));
	if (d->wsl->kind == WSL_2 && d->wsl->mode == WSL_MODE_OTHER)
		return say(out, len, 0, "In %s mode WSL relays nothing from Linux's "
					"loopback to Windows, so [::1] has no way there: reach "
					"Windows at its own network address.", d->wsl->mode_name);
	if (!d->live)
		return say(out, len, 1, "%s: lo6relay's relay here would be %s (%s).",
			   d->wsl->kind == WSL_NONE ? "Not WSL" : "WSL2", relay, d->wsl->relay_why);
	if (!d->attached)
		return say(out, len, 0, "The kernel is ready, but lo6relay is not attached at %s: "
					"run 'lo6relay start'.", d->pin_dir);
	return say(out, len, 1, "lo6relay is attached: [::1] connects to allowed ports go to %s%s "
				"('lo6relay doctor PORT' checks one port).", relay,
		   d->wsl->tcp_only ? " (TCP only: this mode carries no UDP to Windows, so "
				      "UDP stays on Linux)" : "");
}
