/* What the static guest (tools/vmtest/static-guest) needs and busybox lacks,
 * built static for the guest's architecture by static-guest itself:
 *
 *   guest-tool peer PORT     connect to [::1]:PORT, print "peer ADDR PORT"
 *                            from getpeername(), send "GET /token" and copy
 *                            the answer to stdout
 *   guest-tool noperfmon CMD ARGS...
 *                            run CMD as root without CAP_PERFMON and
 *                            CAP_SYS_ADMIN (dropped from the bounding set, so
 *                            root's exec cannot take them back): the loader
 *                            the probe gives the lean object
 *
 * busybox nc never reports the peer, and busybox setpriv cannot change the
 * bounding set. Exit 0 ok, 1 failed, 2 usage. Not part of lo6relay.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef CAP_PERFMON
#define CAP_PERFMON 38 /* linux/capability.h since 5.8 */
#endif
#define CAP_SYS_ADMIN 21

static int peer(const char *port)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in6 got;
	socklen_t len = sizeof(got);
	char addr[INET6_ADDRSTRLEN], buf[4096];
	static const char req[] = "GET /token HTTP/1.0\r\n\r\n";
	ssize_t n;
	int fd;

	to.sin6_port = htons((unsigned short)atoi(port));
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
		fprintf(stderr, "guest-tool: connect [::1]:%s: %s\n", port, strerror(errno));
		return 1;
	}
	if (getpeername(fd, (struct sockaddr *)&got, &len) < 0 || got.sin6_family != AF_INET6) {
		fprintf(stderr, "guest-tool: getpeername: %s\n", strerror(errno));
		return 1;
	}
	printf("peer %s %u\n", inet_ntop(AF_INET6, &got.sin6_addr, addr, sizeof(addr)),
	       ntohs(got.sin6_port));
	if (write(fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1) {
		fprintf(stderr, "guest-tool: send: %s\n", strerror(errno));
		return 1;
	}
	fflush(stdout);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	close(fd);
	return n < 0;
}

static int noperfmon(char **argv)
{
	/* A kernel before 5.8 has no CAP_PERFMON: EINVAL, and nothing to drop. */
	if ((prctl(PR_CAPBSET_DROP, CAP_PERFMON, 0, 0, 0) < 0 && errno != EINVAL) ||
	    prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) < 0) {
		fprintf(stderr, "guest-tool: PR_CAPBSET_DROP: %s\n", strerror(errno));
		return 1;
	}
	execvp(argv[0], argv);
	fprintf(stderr, "guest-tool: %s: %s\n", argv[0], strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "peer") == 0)
		return peer(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "noperfmon") == 0)
		return noperfmon(argv + 2);
	fprintf(stderr, "usage: guest-tool peer PORT | noperfmon CMD [ARGS...]\n");
	return 2;
}
