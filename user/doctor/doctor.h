/* SPDX-License-Identifier: MIT */
/*
 * `lo6relay doctor`: findings with their evidence, gathered by
 * doctor_kernel.c (the running kernel and instance) and doctor_port.c (one
 * port), and the one-sentence verdict (doctor_verdict.c, pure) that
 * cmd_doctor.c prints as text or JSON.
 */
#ifndef LO6RELAY_DOCTOR_H
#define LO6RELAY_DOCTOR_H

#include <stddef.h>
#include <stdint.h>

#include "wsl.h"

enum level { LV_OK, LV_INFO, LV_WARN, LV_FAIL, LV_SKIP };

#define DOCTOR_MAX_FINDINGS 40

struct finding {
	const char *section; /* "kernel", "lo6relay", "port" */
	const char *name;
	enum level level;
	char detail[400];
};

struct report {
	struct finding f[DOCTOR_MAX_FINDINGS];
	size_t n;
};

void report_add(struct report *r, const char *section, const char *name, enum level lv,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
const char *level_name(enum level lv);
/* The first finding of SECTION at level LV, or NULL. */
const struct finding *report_find(const struct report *r, const char *section, enum level lv);

/* A TCP connect to a loopback address, or in NAT mode to Windows at the gateway. */
enum probe { PROBE_SKIPPED, PROBE_OPEN, PROBE_REFUSED, PROBE_TIMEOUT, PROBE_ERROR };

/* What stands between Linux and the Windows server on a port. */
enum win_side {
	WIN_UNKNOWN,	/* nothing known, or nothing wrong seen */
	WIN_REACHABLE,	/* NAT: Windows at the gateway accepted the connect */
	WIN_LOOP6_ONLY, /* the server listens on Windows' [::1] only */
	WIN_LOOP4_ONLY, /* NAT: on Windows' loopback only, which NAT never reaches */
	WIN_NOBODY,	/* NAT: nothing listens on Windows (netstat.exe, or a refusal) */
	WIN_FIREWALL,	/* NAT: the connect to the gateway timed out */
};

/* What the verdict is drawn from. */
struct doctor_facts {
	const struct wsl_info *wsl;
	const char *wsl_root; /* where wsl's facts and Windows' netstat came from: "" live */
	const char *pin_dir;
	int live;         /* 0 with --root: nothing about the running kernel is known */
	int attached;     /* live: connect6 is attached at pin_dir */
	uint32_t relay_be; /* the attached instance's relay, else what auto picks */
	uint32_t cfg_flags; /* the attached instance's LO6_CFG_* */
	unsigned port;    /* 0: no port asked about */
	unsigned linux6;  /* LISTEN_* bits of Linux's tcp6 listeners on port */
	unsigned linux4;  /* ... and of its IPv4 ones */
	unsigned bound_lo;    /* live: LISTEN_* bits of those bound to lo (auto cannot see them) */
	unsigned bound_other; /* ... bound to another device (a loopback connect never reaches) */
	int mode;         /* effective enum lo6_mode of port, -1 if unknown */
	int has_windows;  /* windows holds Windows' listeners (netstat.exe or its fixture) */
	unsigned windows;
	enum probe gw_probe;    /* NAT: Windows at the default gateway, gateway:port */
	enum probe relay_probe; /* relay:port */
	enum probe v6_probe;    /* [::1]:port, through lo6relay if attached */
	uint64_t v6only;        /* the port's v6only counter: IPV6_V6ONLY clients, never redirected */
};

/*
 * Pure: one sentence into OUT saying whether [::1] reaches the other side
 * (for d->port, or in general), naming the first problem and its remedy.
 * Returns 1 when nothing is wrong, 0 otherwise.
 */
int doctor_verdict(const struct doctor_facts *d, const struct report *r, char *out, size_t len);

/* Pure: what stands between Linux and the Windows server on d->port. */
enum win_side doctor_windows(const struct doctor_facts *d);

/*
 * Pure: whether to recommend `start --ipv4-localhost`: NAT mode, where
 * `localhost` (127.0.0.1 in WSL's /etc/hosts) never reaches Windows, and an
 * attached instance that does not send 127.0.0.1 there.
 */
int doctor_advise_ipv4_localhost(const struct doctor_facts *d);

/* The running kernel and the instance at PIN_DIR; fills d->attached, d->relay_be, d->mode. */
void doctor_kernel(const char *pin_dir, struct doctor_facts *d, struct report *r);
/* Listeners, probes, localhost resolution and Windows' side for d->port below ROOT. */
void doctor_port(const char *root, struct doctor_facts *d, struct report *r);

#endif
