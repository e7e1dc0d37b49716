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

/* A TCP connect to a loopback address. */
enum probe { PROBE_SKIPPED, PROBE_OPEN, PROBE_REFUSED, PROBE_TIMEOUT, PROBE_ERROR };

/* What the verdict is drawn from. */
struct doctor_facts {
	const struct wsl_info *wsl;
	const char *pin_dir;
	int live;         /* 0 with --root: nothing about the running kernel is known */
	int attached;     /* live: connect6 is attached at pin_dir */
	uint32_t relay_be; /* the attached instance's relay, else what auto picks */
	unsigned port;    /* 0: no port asked about */
	unsigned linux6;  /* LISTEN_* bits of Linux's tcp6 listeners on port */
	unsigned linux4;  /* ... and of its IPv4 ones */
	int mode;         /* effective enum lo6_mode of port, -1 if unknown */
	int has_windows;  /* windows holds Windows' listeners (netstat.exe or its fixture) */
	unsigned windows;
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

struct opts;
/* The running kernel and the instance at o->pin_dir; fills d->attached, d->relay_be, d->mode. */
void doctor_kernel(const struct opts *o, struct doctor_facts *d, struct report *r);
/* Listeners, probes, localhost resolution and Windows' side for d->port below ROOT. */
void doctor_port(const char *root, struct doctor_facts *d, struct report *r);

#endif
