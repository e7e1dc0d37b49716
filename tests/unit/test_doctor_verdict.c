// SPDX-License-Identifier: MIT
/* doctor's one sentence: each situation as a row, checked for its verdict and remedy. */
#include <arpa/inet.h>

#include <lo6relay/abi.h>

#include "check.h"
#include "doctor.h"
#include "procnet.h"

static struct wsl_info mirrored, nat, wsl1, nat_nogw, consomme, bridged;

/* A live, attached instance on WSL2 mirrored, port 5173 always, relay and [::1] answering. */
static struct doctor_facts healthy(void)
{
	return (struct doctor_facts){
		.wsl = &mirrored,
		.pin_dir = "/sys/fs/bpf/lo6relay",
		.live = 1,
		.attached = 1,
		.relay_be = htonl(0x7f000001),
		.port = 5173,
		.mode = LO6_MODE_ALWAYS,
		.relay_probe = PROBE_OPEN,
		.v6_probe = PROBE_OPEN,
	};
}

/* The same in NAT mode: the relay is Windows at the gateway, which answered. */
static struct doctor_facts nat_healthy(void)
{
	struct doctor_facts d = healthy();

	d.wsl = &nat;
	d.relay_be = nat.relay_be;
	d.gw_probe = PROBE_OPEN;
	return d;
}

static void expect(const struct doctor_facts *d, const struct report *r, int ok, const char *part,
		   int line)
{
	char out[800];
	int got = doctor_verdict(d, r, out, sizeof(out));

	checks_run++;
	if (got != ok || !strstr(out, part)) {
		checks_failed++;
		fprintf(stderr, "test_doctor_verdict.c:%d: got %d '%s', wanted %d and '%s'\n", line,
			got, out, ok, part);
	}
}
#define EXPECT(d, r, ok, part) expect(d, r, ok, part, __LINE__)

int main(void)
{
	static struct report none, kernel_bad;
	struct doctor_facts d;

	mirrored = (struct wsl_info){ .kind = WSL_2, .mode = WSL_MODE_MIRRORED, .relay_ok = 1 };
	nat = (struct wsl_info){ .kind = WSL_2, .mode = WSL_MODE_NAT, .relay_ok = 1 };
	inet_pton(AF_INET, "172.20.144.1", &nat.relay_be);
	consomme = (struct wsl_info){ .kind = WSL_2, .mode = WSL_MODE_CONSOMME, .relay_ok = 1,
				      .tcp_only = 1, .relay_be = htonl(0x7f000001) };
	bridged = (struct wsl_info){ .kind = WSL_2, .mode = WSL_MODE_OTHER, .relay_ok = 1,
				     .relay_be = htonl(0x7f000001) };
	snprintf(bridged.mode_name, sizeof(bridged.mode_name), "bridged");
	wsl1 = (struct wsl_info){ .kind = WSL_1, .mode = WSL_MODE_OTHER, .relay_ok = 1 };
	nat_nogw = (struct wsl_info){ .kind = WSL_2, .mode = WSL_MODE_NAT, .relay_ok = 0 };
	snprintf(nat_nogw.relay_why, sizeof(nat_nogw.relay_why), "NAT mode, but no default route");
	report_add(&kernel_bad, "kernel", "btf", LV_FAIL, "no /sys/kernel/btf/vmlinux");
	report_add(&kernel_bad, "lo6relay", "attached", LV_FAIL, "nothing attached");

	d = healthy();
	EXPECT(&d, &none, 1, "[::1]:5173 reaches the server on 127.0.0.1:5173 through lo6relay");

	/* General problems come first, whatever the port says. */
	EXPECT(&d, &kernel_bad, 0, "The kernel is not ready for lo6relay: no /sys/kernel/btf/vmlinux");
	d.wsl = &wsl1;
	EXPECT(&d, &none, 0, "WSL1");
	d.wsl = &nat_nogw;
	EXPECT(&d, &none, 0, "Cannot pick a relay address: NAT mode, but no default route");

	/* A Linux server on [::1] or [::]: fine unless 'always' steals its clients. */
	d = healthy();
	d.linux6 = LISTEN_LOOP6;
	EXPECT(&d, &none, 0, "'lo6relay allow --mode auto 5173'");
	d.mode = LO6_MODE_AUTO;
	EXPECT(&d, &none, 1, "reaches the Linux server listening on it (mode auto leaves it alone)");
	d.linux6 = LISTEN_ANY6;
	d.attached = 0;
	EXPECT(&d, &none, 1, "reaches the Linux server");
	/* Bound to lo: auto's lookup cannot see it; bound elsewhere: a loopback connect never reaches it. */
	d = healthy();
	d.mode = LO6_MODE_AUTO;
	d.linux6 = LISTEN_LOOP6;
	d.bound_lo = LISTEN_LOOP6;
	EXPECT(&d, &none, 0, "bound to lo (SO_BINDTODEVICE, systemd's BindToDevice=), which auto's socket lookup cannot see, so its [::1] clients are sent to 127.0.0.1 instead: 'lo6relay allow --mode never 5173'");
	d.linux6 = LISTEN_LOOP6 | LISTEN_ANY6; /* an unbound [::] still answers [::1] */
	EXPECT(&d, &none, 1, "(mode auto leaves it alone)");
	d.linux6 = LISTEN_ANY6;
	d.bound_lo = 0;
	d.bound_other = LISTEN_ANY6;
	EXPECT(&d, &none, 1, "through lo6relay");

	/* Windows on [::1] only: no IPv4 relay reaches it; netsh's v4tov6 does. */
	d = healthy();
	d.has_windows = 1;
	d.windows = LISTEN_LOOP6;
	EXPECT(&d, &none, 0, "netsh interface portproxy add v4tov6 listenaddress=127.0.0.1 listenport=5173");
	d.windows = LISTEN_LOOP6 | LISTEN_LOOP4;
	EXPECT(&d, &none, 1, "through lo6relay");

	d = healthy();
	d.attached = 0;
	EXPECT(&d, &none, 0, "not attached at /sys/fs/bpf/lo6relay, so [::1]:5173 is refused: run 'lo6relay start'");
	d = healthy();
	d.mode = LO6_MODE_OFF;
	EXPECT(&d, &none, 0, "Port 5173 is not redirected (mode off)");
	d.mode = LO6_MODE_NEVER;
	EXPECT(&d, &none, 0, "run 'lo6relay allow 5173'");

	d = healthy();
	d.relay_probe = PROBE_REFUSED;
	EXPECT(&d, &none, 0, "but nothing answers there: start the server");
	d.relay_probe = PROBE_TIMEOUT;
	EXPECT(&d, &none, 0, "(no reply in time)");
	d = healthy();
	d.v6_probe = PROBE_REFUSED;
	EXPECT(&d, &none, 0, "was not redirected (is it in the attached cgroup");

	/* IPV6_V6ONLY clients were counted: say who they are and what to use instead. */
	d = healthy();
	d.v6only = 2;
	EXPECT(&d, &none, 0, "2 connect(s) came from a client that set IPV6_V6ONLY (Ruby's "
			     "Socket.tcp, Go's \"tcp6\")");
	EXPECT(&d, &none, 0, "point such clients at 127.0.0.1:5173 (in Go, dial \"tcp\")");

	/* A relay doctor does not connect to: the sentence says what Windows needs. */
	d = healthy();
	inet_pton(AF_INET, "192.0.2.7", &d.relay_be);
	d.relay_probe = PROBE_SKIPPED;
	d.v6_probe = PROBE_SKIPPED;
	EXPECT(&d, &none, 1, "redirected to 192.0.2.7:5173 (not probed");

	/*
	 * NAT, the Windows side (README.md, "WSL's networking modes"): Linux
	 * reaches Windows only at the gateway, so a server on Windows' loopback is
	 * out of reach (portproxy from the gateway); nobody listening is told by
	 * netstat.exe or a refusal; a blocked port is silence, the firewall.
	 */
	d = nat_healthy();
	EXPECT(&d, &none, 1, "[::1]:5173 reaches the server on 172.20.144.1:5173 through lo6relay");
	CHECK(doctor_windows(&d) == WIN_REACHABLE);
	d.has_windows = 1;
	d.windows = LISTEN_LOOP4;
	CHECK(doctor_windows(&d) == WIN_LOOP4_ONLY);
	EXPECT(&d, &none, 0, "'netsh interface portproxy add v4tov4 listenaddress=172.20.144.1 "
			     "listenport=5173 connectaddress=127.0.0.1 connectport=5173'");
	EXPECT(&d, &none, 0, "listens on its loopback only (127.0.0.1:5173)");
	d.windows = LISTEN_LOOP4 | LISTEN_LOOP6;
	EXPECT(&d, &none, 0, "v4tov4 listenaddress=172.20.144.1");
	d.windows = LISTEN_LOOP4 | LISTEN_ANY4;
	EXPECT(&d, &none, 1, "through lo6relay");
	d.windows = LISTEN_LOOP6;
	EXPECT(&d, &none, 0, "'netsh interface portproxy add v4tov6 listenaddress=172.20.144.1 "
			     "listenport=5173 connectaddress=::1 connectport=5173'");
	d.windows = 0;
	CHECK(doctor_windows(&d) == WIN_NOBODY);
	EXPECT(&d, &none, 0, "Nothing on Windows listens on port 5173 (netstat.exe -an shows no "
			     "listener): start the server there, listening on 0.0.0.0:5173");
	d = nat_healthy();
	d.gw_probe = d.relay_probe = PROBE_REFUSED;
	EXPECT(&d, &none, 0, "Nothing on Windows listens on port 5173 (Windows refused the "
			     "connect)");
	d.gw_probe = d.relay_probe = PROBE_TIMEOUT;
	CHECK(doctor_windows(&d) == WIN_FIREWALL);
	EXPECT(&d, &none, 0, "Windows at 172.20.144.1:5173 gave no answer within 1 s: its firewall "
			     "drops connects from WSL (or nothing listens there");
	EXPECT(&d, &none, 0, "'New-NetFirewallRule -DisplayName \"lo6relay 5173\" -Direction "
			     "Inbound -InterfaceAlias \"vEthernet (WSL)\" -Protocol TCP -LocalPort "
			     "5173 -Action Allow'");
	d.has_windows = 1;
	d.windows = LISTEN_ANY4;
	EXPECT(&d, &none, 0, "drops connects from WSL; as administrator");
	/* The Windows side is no reason to take [::1] from a Linux server: Linux first. */
	d.linux6 = LISTEN_LOOP6;
	d.mode = LO6_MODE_AUTO;
	EXPECT(&d, &none, 1, "reaches the Linux server listening on it");
	/* Before start, the gateway's answer is still news. */
	d = nat_healthy();
	d.attached = 0;
	d.mode = -1;
	d.relay_probe = d.v6_probe = PROBE_SKIPPED;
	d.gw_probe = PROBE_TIMEOUT;
	EXPECT(&d, &none, 0, "its firewall drops connects from WSL");
	d.gw_probe = PROBE_OPEN;
	EXPECT(&d, &none, 0, "run 'lo6relay start'");
	/* An instance relaying to 127.0.0.1 in NAT mode reaches Linux, never Windows. */
	d = nat_healthy();
	d.relay_be = htonl(0x7f000001);
	EXPECT(&d, &none, 0, "[::1]:5173 is sent to 127.0.0.1, but in NAT mode Windows is only at "
			     "the gateway 172.20.144.1: set 'relay = auto'");
	/* Not NAT: Windows on its loopback is what mirrored mode reaches. */
	d = healthy();
	d.has_windows = 1;
	d.windows = LISTEN_LOOP4;
	CHECK(doctor_windows(&d) == WIN_UNKNOWN);
	EXPECT(&d, &none, 1, "through lo6relay");

	/* start --ipv4-localhost: recommended in NAT mode only, until the instance has it. */
	d = nat_healthy();
	CHECK(doctor_advise_ipv4_localhost(&d));
	d.cfg_flags = LO6_CFG_IPV4_LOCALHOST;
	CHECK(!doctor_advise_ipv4_localhost(&d));
	d.cfg_flags = LO6_CFG_TCP_ONLY;
	CHECK(doctor_advise_ipv4_localhost(&d));
	d.attached = 0;
	CHECK(!doctor_advise_ipv4_localhost(&d));
	d = healthy();
	CHECK(!doctor_advise_ipv4_localhost(&d));
	d.wsl = &consomme;
	CHECK(!doctor_advise_ipv4_localhost(&d));

	/* Bridged and none: no relay to Windows, said so; a Linux server still works. */
	d = healthy();
	d.wsl = &bridged;
	EXPECT(&d, &none, 0, "In bridged mode WSL relays nothing from Linux's loopback to Windows");
	d.port = 0;
	EXPECT(&d, &none, 0, "In bridged mode");
	d.port = 5173;
	d.linux6 = LISTEN_LOOP6;
	d.mode = LO6_MODE_AUTO;
	EXPECT(&d, &none, 1, "reaches the Linux server");

	/* Consomme: TCP only, and the summary says UDP stays on Linux. */
	d = healthy();
	d.wsl = &consomme;
	EXPECT(&d, &none, 1, "through lo6relay");
	d.port = 0;
	EXPECT(&d, &none, 1, "(TCP only: this mode carries no UDP to Windows, so UDP stays on "
			     "Linux)");
	d.wsl = &mirrored;
	EXPECT(&d, &none, 1, "go to 127.0.0.1 ('lo6relay doctor PORT'");

	/* --root: nothing live; say where it would go. */
	d = healthy();
	d.live = 0;
	d.attached = 0;
	d.mode = -1;
	EXPECT(&d, &none, 1, "with lo6relay it would go to 127.0.0.1:5173");

	/* No port. */
	d = healthy();
	d.port = 0;
	EXPECT(&d, &none, 1, "lo6relay is attached");
	d.attached = 0;
	EXPECT(&d, &none, 0, "The kernel is ready, but lo6relay is not attached");
	d.live = 0;
	EXPECT(&d, &none, 1, "WSL2: lo6relay's relay here would be 127.0.0.1");

	CHECK(report_find(&kernel_bad, "lo6relay", LV_FAIL) == &kernel_bad.f[1]);
	CHECK(report_find(&kernel_bad, "port", LV_FAIL) == NULL);
	return checks_done("doctor_verdict");
}
