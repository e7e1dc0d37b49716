// SPDX-License-Identifier: MIT
/* /proc/net text parsers, on lines copied from real kernels (little-endian). */
#include <arpa/inet.h>

#include "check.h"
#include "procnet.h"

#define ROUTE_HEAD "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
#define TCP6_HEAD "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
#define TCP_HEAD "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"

static void routes(void)
{
	char dev[16], gw[INET_ADDRSTRLEN];
	uint32_t a;

	/* This machine's table: default via 192.0.2.1. */
	CHECK(procnet_default_route(ROUTE_HEAD
				    "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
				    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n",
				    &a, dev, sizeof(dev)) == 0);
	CHECK_STR(inet_ntop(AF_INET, &a, gw, sizeof(gw)), "192.0.2.1");
	CHECK_STR(dev, "eth0");

	/* Two defaults: the lower metric wins, whatever the order. */
	CHECK(procnet_default_route(ROUTE_HEAD
				    "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
				    "eth0\t00000000\t019014AC\t0003\t0\t0\t100\t00000000\t0\t0\t0\n",
				    &a, dev, sizeof(dev)) == 0);
	CHECK_STR(inet_ntop(AF_INET, &a, gw, sizeof(gw)), "172.20.144.1");
	CHECK_STR(dev, "eth0");

	/* No gateway flag (a default on a point-to-point link), a down route, none at all. */
	CHECK(procnet_default_route(ROUTE_HEAD
				    "tun0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n"
				    "eth0\t00000000\t010200C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n",
				    &a, dev, sizeof(dev)) == -1);
	CHECK(procnet_default_route(ROUTE_HEAD, &a, dev, sizeof(dev)) == -1);
	CHECK(procnet_default_route("", &a, dev, sizeof(dev)) == -1);
	/* The header alone looks like a route to sscanf if not skipped. */
	CHECK(procnet_default_route("garbage\nmore garbage\n", &a, dev, sizeof(dev)) == -1);
}

static void listeners(void)
{
	static const char tcp6[] = TCP6_HEAD
		/* python -m http.server --bind ::1 18080 on this machine */
		"   0: 00000000000000000000000001000000:46A0 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 115879 1 0 100 0 0 10 0\n"
		/* [::]:8080 */
		"   1: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n"
		/* ::ffff:127.0.0.1:5432 */
		"   2: 0000000000000000FFFF00000100007F:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0\n"
		/* an established [::1]:3000 <- [::1]:50000, not a listener */
		"   3: 00000000000000000000000001000000:0BB8 00000000000000000000000001000000:C350 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0\n"
		/* fe80::1:443 */
		"   4: 000080FE000000000000000001000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4 1 0 100 0 0 10 0\n";
	static const char tcp[] = TCP_HEAD
		"   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1518 1 0 100 0 0 10 0\n"
		"   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9 1 0 100 0 0 10 0\n"
		"   2: 3500007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000   102        0 9 1 0 100 0 0 10 0\n";
	char buf[128];

	CHECK(procnet_tcp_listeners(tcp6, 1, 18080) == LISTEN_LOOP6);
	CHECK(procnet_tcp_listeners(tcp6, 1, 8080) == LISTEN_ANY6);
	CHECK(procnet_tcp_listeners(tcp6, 1, 5432) == LISTEN_LOOP4);
	CHECK(procnet_tcp_listeners(tcp6, 1, 3000) == 0);
	CHECK(procnet_tcp_listeners(tcp6, 1, 443) == LISTEN_OTHER);
	CHECK(procnet_tcp_listeners(tcp, 0, 2024) == LISTEN_ANY4);
	CHECK(procnet_tcp_listeners(tcp, 0, 8080) == LISTEN_LOOP4);
	CHECK(procnet_tcp_listeners(tcp, 0, 53) == LISTEN_LOOP4); /* 127.0.0.53 */
	CHECK(procnet_tcp_listeners(tcp, 0, 1) == 0);
	/* A v4 file read as v6 (or the reverse) matches nothing rather than garbage. */
	CHECK(procnet_tcp_listeners(tcp, 1, 8080) == 0);
	CHECK(procnet_tcp_listeners(tcp6, 0, 8080) == 0);
	CHECK(procnet_tcp_listeners("", 1, 8080) == 0);

	listen_describe(LISTEN_LOOP6 | LISTEN_ANY4, 80, buf, sizeof(buf));
	CHECK_STR(buf, "[::1]:80, 0.0.0.0:80");
	listen_describe(0, 80, buf, sizeof(buf));
	CHECK_STR(buf, "nothing");
}

int main(void)
{
	routes();
	listeners();
	return checks_done("procnet");
}
