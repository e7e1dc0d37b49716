// SPDX-License-Identifier: MIT
/*
 * doctor [--root DIR] [PORT]: why [::1] does or does not reach the other
 * side, with the evidence. Text and --json come from the same findings.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "doctor.h"
#include "json.h"
#include "log.h"
#include "parse.h"
#include "settings.h"
#include "wsl.h"

static const char *const kind_names[] = { [WSL_NONE] = "none", [WSL_1] = "wsl1", [WSL_2] = "wsl2" };
static const char *const mode_keys[] = {
	[WSL_MODE_UNKNOWN] = "unknown", [WSL_MODE_MIRRORED] = "mirrored", [WSL_MODE_NAT] = "nat",
	[WSL_MODE_CONSOMME] = "consomme", [WSL_MODE_OTHER] = "other", [WSL_MODE_NOT_WSL] = "not-wsl",
};

static void print_json(const struct wsl_info *w, const struct report *r, const char *root,
		       unsigned port, int ok, const char *verdict)
{
	char relay[INET_ADDRSTRLEN];
	struct json j;

	inet_ntop(AF_INET, &w->relay_be, relay, sizeof(relay));
	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_bool(&j, "ok", ok);
	json_str(&j, "conclusion", verdict);
	json_str(&j, "root", root[0] ? root : NULL);
	if (port)
		json_u64(&j, "port", port);
	json_obj_begin(&j, "wsl");
	json_str(&j, "kind", kind_names[w->kind]);
	json_str(&j, "mode", mode_keys[w->mode]);
	json_str(&j, "mode_detail", w->mode_name);
	json_str(&j, "relay_auto", w->relay_ok ? relay : NULL);
	json_str(&j, "relay_why", w->relay_why);
	json_bool(&j, "tcp_only", w->tcp_only);
	json_bool(&j, "interop", w->interop);
	json_arr_begin(&j, "evidence");
	for (size_t i = 0; i < w->nevidence; i++)
		json_str(&j, NULL, w->evidence[i]);
	json_arr_end(&j);
	json_obj_end(&j);
	json_arr_begin(&j, "checks");
	for (size_t i = 0; i < r->n; i++) {
		json_obj_begin(&j, NULL);
		json_str(&j, "section", r->f[i].section);
		json_str(&j, "name", r->f[i].name);
		json_str(&j, "status", r->f[i].level == LV_FAIL ? "fail" : level_name(r->f[i].level));
		json_str(&j, "detail", r->f[i].detail);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
}

static void print_text(const struct wsl_info *w, const struct report *r, unsigned port,
		       const char *verdict)
{
	static const char *const sections[] = { "kernel", "lo6relay", "port" };
	char relay[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &w->relay_be, relay, sizeof(relay));
	printf("WSL\n");
	printf("  system    %s\n", w->kind == WSL_2 ? "WSL2" : w->kind == WSL_1 ? "WSL1" : "not WSL");
	if (w->kind == WSL_2)
		printf("  mode      %s\n", w->mode_name);
	printf("  relay     auto picks %s: %s\n", w->relay_ok ? relay : "nothing", w->relay_why);
	if (w->tcp_only)
		printf("  udp       not carried to Windows: start leaves UDP [::1] on Linux\n");
	for (size_t i = 0; i < w->nevidence; i++)
		printf("  %-9s %s\n", i == 0 ? "evidence" : "", w->evidence[i]);
	for (size_t s = 0; s < sizeof(sections) / sizeof(sections[0]); s++) {
		int head = 0;

		for (size_t i = 0; i < r->n; i++) {
			const struct finding *f = &r->f[i];

			if (strcmp(f->section, sections[s]) != 0)
				continue;
			if (!head++) {
				if (strcmp(sections[s], "port") == 0)
					printf("Port %u\n", port);
				else
					printf("%s\n", s == 0 ? "Kernel" : "lo6relay");
			}
			printf("  %-5s %-10s %s\n", level_name(f->level), f->name, f->detail);
		}
	}
	printf("\n%s\n", verdict);
}

int cmd_doctor(const struct opts *o)
{
	static struct wsl_info w;
	static struct report r;
	struct doctor_facts d = { 0 };
	const char *root = o->root ? o->root : "", *wsl_root;
	char verdict[800];
	unsigned port = 0;
	struct stat st;
	int ok;

	if (o->argc > 1) {
		errorf("'doctor' takes at most one PORT");
		return EXIT_USAGE;
	}
	if (o->argc == 1 && port_parse(o->argv[0], &port) < 0) {
		errorf("'%.64s' is not a port between 1 and 65535", o->argv[0]);
		return EXIT_USAGE;
	}
	if (o->root && !o->root[0]) {
		errorf("--root needs a folder (the live system is the default)");
		return EXIT_USAGE;
	}
	/* A mistyped --root would read as an empty system and say all is well. */
	if (o->root && (stat(o->root, &st) < 0 || !S_ISDIR(st.st_mode))) {
		errorf("--root '%.200s' is not a folder", o->root);
		return EXIT_USAGE;
	}
	/* --root reads everything below it; else WSL's facts where start reads them. */
	wsl_root = o->root ? root : settings_wsl_root();
	wsl_detect(wsl_root, &w);
	d.wsl = &w;
	d.wsl_root = wsl_root;
	d.pin_dir = o->pin_dir;
	d.live = !root[0];
	d.relay_be = w.relay_be;
	d.port = port;
	d.mode = -1;
	if (d.live)
		doctor_kernel(o->pin_dir, &d, &r);
	else
		report_add(&r, "kernel", "live", LV_SKIP,
			   "with --root the running kernel and instance are not examined");
	if (port)
		doctor_port(root, &d, &r);
	ok = doctor_verdict(&d, &r, verdict, sizeof(verdict));
	if (o->json)
		print_json(&w, &r, root, port, ok, verdict);
	else
		print_text(&w, &r, port, verdict);
	return ok ? EXIT_OK : EXIT_FAIL;
}
