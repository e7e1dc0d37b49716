/* SPDX-License-Identifier: MIT */
/*
 * Is this WSL2, in which networking mode, and so which IPv4 address
 * reaches Windows' loopback (the relay `auto` picks). See README.md,
 * "WSL's networking modes".
 *
 * Detection reads below a root prefix: ROOT/proc/version,
 * ROOT/sys/class/net/NAME/address, ROOT/proc/net/route, and in place of
 * each command it would run, a fixture file ROOT/fixture/NAME. The live
 * system is ROOT "" (the real commands run). Gathering (I/O) and deciding
 * (pure) are separate functions so tests can feed either.
 */
#ifndef LO6RELAY_WSL_H
#define LO6RELAY_WSL_H

#include <stddef.h>
#include <stdint.h>

enum wsl_kind { WSL_NONE, WSL_1, WSL_2 };

enum wsl_mode {
	WSL_MODE_UNKNOWN,  /* WSL2, but no evidence settles it (a loopback0 of neither kind) */
	WSL_MODE_MIRRORED, /* 127.0.0.1/32 is relayed to Windows over loopback0 */
	WSL_MODE_NAT,      /* Windows is the default gateway on a virtual switch */
	WSL_MODE_CONSOMME, /* consomme, virtioproxy: 127.0.0.1 over loopback0, TCP only */
	WSL_MODE_OTHER,    /* bridged, none, wsl1: no known relay to Windows' loopback */
	WSL_MODE_NOT_WSL,
};

#define WSL_MAX_IFACES 32
#define WSL_MAX_EVIDENCE 8

/* What was read, before any conclusion. */
struct wsl_facts {
	char version[256];  /* first line of /proc/version; "" if unreadable */
	char wslinfo[64];   /* `wslinfo --networking-mode`, first word; "" if none */
	char wslinfo_how[160]; /* where the answer came from, or why there is none */
	struct {
		char name[16];
		char mac[18];
	} ifaces[WSL_MAX_IFACES];
	size_t nifaces;
	int have_gw;
	uint32_t gw_be; /* default gateway, network byte order */
	char gw_dev[16];
	int interop; /* WSL can run Windows programs (binfmt_misc WSLInterop) */
};

struct wsl_info {
	enum wsl_kind kind;
	enum wsl_mode mode;
	char mode_name[64]; /* "mirrored", "nat", wslinfo's word, "mirrored or consomme",
			     * "unknown", "not WSL" */
	int relay_ok;       /* 0: auto cannot name an address (NAT without a gateway) */
	uint32_t relay_be;  /* what auto picks; 127.0.0.1 when in doubt */
	int tcp_only;       /* the mode carries TCP only to Windows (Consomme): UDP stays on Linux */
	char relay_why[200];
	char evidence[WSL_MAX_EVIDENCE][200];
	size_t nevidence;
	int interop;
};

/* Reads the facts below ROOT ("" for the live system). Never fails: what is missing is said. */
void wsl_gather(const char *root, struct wsl_facts *f);

/* Pure: the kind, the mode, the relay and the evidence lines from F. */
void wsl_decide(const struct wsl_facts *f, struct wsl_info *out);

/* Both of the above. */
void wsl_detect(const char *root, struct wsl_info *out);

/* Pure: whether a MAC address is Hyper-V's (00:15:5d:...). */
int mac_is_hyperv(const char *mac);

/* Pure: RFC 1918 or shared (100.64/10) address space, as WSL's NAT uses. */
int ipv4_is_private(uint32_t addr_be);

/*
 * Pure: the LISTEN_* bits (procnet.h) of Windows' TCP listeners on PORT,
 * from the text of `netstat.exe -an` (any language: a listener is told by
 * its foreign address 0.0.0.0:0 or [::]:0, not by the word LISTENING).
 */
unsigned windows_tcp_listeners(const char *netstat_text, unsigned port);

/*
 * Windows' netstat -an below ROOT: the fixture ROOT/fixture/netstat-an, or
 * on the live system C:'s Windows/System32/netstat.exe through interop (its
 * mount found in /proc/self/mountinfo, never in PATH). -1 if unavailable.
 */
int windows_netstat(const char *root, char *out, size_t len);

#endif
