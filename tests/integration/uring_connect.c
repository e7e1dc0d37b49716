// SPDX-License-Identifier: MIT
/*
 * uring_connect ADDR6 PORT PAYLOAD: connect an IPv6 TCP socket with
 * io_uring's IORING_OP_CONNECT (not the connect syscall), send PAYLOAD,
 * print "ok peer=[ADDR]:PORT" or "err ERRNO".
 */
#include <arpa/inet.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 }, peer;
	socklen_t len = sizeof(peer);
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	char buf[INET6_ADDRSTRLEN];
	int fd, res;

	if (argc != 4 || inet_pton(AF_INET6, argv[1], &sa.sin6_addr) != 1) {
		fprintf(stderr, "usage: uring_connect ADDR6 PORT PAYLOAD\n");
		return 2;
	}
	sa.sin6_port = htons((uint16_t)atoi(argv[2]));
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0 || io_uring_queue_init(2, &ring, 0) < 0) {
		printf("err setup\n");
		return 1;
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_connect(sqe, fd, (struct sockaddr *)&sa, sizeof(sa));
	io_uring_submit(&ring);
	if (io_uring_wait_cqe(&ring, &cqe) < 0) {
		printf("err wait\n");
		return 1;
	}
	res = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	if (res < 0) {
		printf("err %d\n", -res);
		return 1;
	}
	getpeername(fd, (struct sockaddr *)&peer, &len);
	inet_ntop(AF_INET6, &peer.sin6_addr, buf, sizeof(buf));
	if (write(fd, argv[3], strlen(argv[3])) < 0)
		return 1;
	printf("ok peer=[%s]:%u\n", buf, ntohs(peer.sin6_port));
	close(fd);
	return 0;
}
