/*
 * A small TCP throughput tool for tests/bench/net.sh, built static so that
 * the busybox guest and dom0 run the same binary (busybox nc moves about
 * 1 MB/s under emulation, far below what is measured).
 *
 *   netbench recv PORT [FILE]     accepts one connection, reads to EOF (into
 *                                 FILE when given), prints
 *                                 "netbench: recv BYTES bytes SECS s MBPS MB/s"
 *   netbench send HOST PORT MIB   connects, writes MIB MiB in 256 KiB writes
 *   netbench sendfile HOST PORT FILE   connects, writes FILE's bytes
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (256 * 1024)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* connect() that gives up after 2 s, so that callers can retry quickly. */
static int connect_within(int s, const struct sockaddr_in *sa)
{
	struct pollfd p = { .fd = s, .events = POLLOUT };
	int flags = fcntl(s, F_GETFL), err = 0;
	socklen_t len = sizeof(err);

	fcntl(s, F_SETFL, flags | O_NONBLOCK);
	if (connect(s, (const struct sockaddr *)sa, sizeof(*sa)) < 0 && errno != EINPROGRESS)
		return -1;
	if (poll(&p, 1, 2000) != 1 || getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
		errno = err ? err : ETIMEDOUT;
		return -1;
	}
	fcntl(s, F_SETFL, flags);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: netbench recv PORT [FILE] | netbench send HOST PORT MIB |\n"
			"       netbench sendfile HOST PORT FILE\n");
	return 2;
}

int main(int argc, char **argv)
{
	static char buf[BUF_SIZE];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1, s, c;
	long long total = 0;
	double t0, t;

	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "recv")) {
		int out = argc == 4 ? open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;

		if (argc == 4 && out < 0) {
			perror(argv[3]);
			return 1;
		}
		s = socket(AF_INET, SOCK_STREAM, 0);
		sa.sin_port = htons((unsigned short)atoi(argv[2]));
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 1) < 0) {
			perror("netbench: listen");
			return 1;
		}
		c = accept(s, NULL, NULL);
		if (c < 0) {
			perror("netbench: accept");
			return 1;
		}
		t0 = now();
		for (;;) {
			ssize_t r = read(c, buf, sizeof(buf));

			if (r <= 0)
				break;
			if (out >= 0 && write(out, buf, (size_t)r) != r) {
				perror(argv[3]);
				return 1;
			}
			total += r;
		}
		t = now() - t0;
		if (out >= 0 && close(out) < 0) {
			perror(argv[3]);
			return 1;
		}
		printf("netbench: recv %lld bytes %.2f s %.1f MB/s\n", total, t, total / t / 1e6);
		return 0;
	}
	if (argc == 5 && (!strcmp(argv[1], "send") || !strcmp(argv[1], "sendfile"))) {
		int in = -1;
		long long want = atoll(argv[4]) * 1024 * 1024;

		if (!strcmp(argv[1], "sendfile") && (in = open(argv[4], O_RDONLY)) < 0) {
			perror(argv[4]);
			return 1;
		}

		s = socket(AF_INET, SOCK_STREAM, 0);
		sa.sin_port = htons((unsigned short)atoi(argv[3]));
		if (s < 0 || inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1 ||
		    connect_within(s, &sa) < 0) {
			perror("netbench: connect");
			return 1;
		}
		memset(buf, 0x5a, sizeof(buf));
		t0 = now();
		for (;;) {
			ssize_t n = sizeof(buf), r;

			if (in >= 0 && (n = read(in, buf, sizeof(buf))) <= 0)
				break;
			if (in < 0 && total >= want)
				break;
			r = write(s, buf, (size_t)n);
			if (r != n) {
				perror("netbench: write");
				return 1;
			}
			total += r;
		}
		shutdown(s, SHUT_WR);
		while (read(s, buf, sizeof(buf)) > 0)
			;
		t = now() - t0;
		printf("netbench: send %lld bytes %.2f s %.1f MB/s\n", total, t, total / t / 1e6);
		return 0;
	}
	return usage();
}
