// SPDX-License-Identifier: MIT
/* doctor's one sentence: each situation as a row, checked for its verdict and remedy. */
#include <arpa/inet.h>

#include <lo6relay/abi.h>

#include "check.h"
#include "doctor.h"
#include "procnet.h"

static struct wsl_info mirrored, nat, wsl1, nat_nogw;

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

	/* NAT: the relay is the gateway, never probed; the sentence says what Windows needs. */
	d = healthy();
	d.wsl = &nat;
	inet_pton(AF_INET, "172.20.144.1", &d.relay_be);
	d.relay_probe = PROBE_SKIPPED;
	d.v6_probe = PROBE_SKIPPED;
	EXPECT(&d, &none, 1, "redirected to 172.20.144.1:5173 (not probed");

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
