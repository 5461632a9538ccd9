/*
 * A minimal RFB 3.8 client for benchmarks (no authentication): asks for
 * 32-bit true colour, one encoding (raw or ZRLE), then requests incremental
 * updates as fast as they come.
 *
 *   vncbench PORT fps SECONDS [raw|zrle]     full-screen updates per second
 *   vncbench PORT bytes SECONDS [raw|zrle]   bytes of updates after the first
 *                                            full one (e.g. one character typed)
 *
 * Prints one line of figures; exit status 0 when the server behaved.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int fd = -1;
static uint64_t received;

static void die(const char *what)
{
	fprintf(stderr, "vncbench: %s\n", what);
	exit(1);
}

static void rd(void *buf, size_t n)
{
	for (size_t got = 0; got < n; ) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r == 0)
			die("connection closed");
		if (r < 0) {
			perror("vncbench: read");
			exit(1);
		}
		got += (size_t)r;
	}
	received += n;
}

static void skip(size_t n)
{
	char buf[65536];

	while (n) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);

		rd(buf, k);
		n -= k;
	}
}

static void wr(const void *buf, size_t n)
{
	if (write(fd, buf, n) != (ssize_t)n)
		die("write failed");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint16_t w, h;

static void request(int incremental)
{
	uint8_t m[10] = { 3, (uint8_t)incremental, 0, 0, 0, 0, w >> 8, w & 255, h >> 8, h & 255 };

	wr(m, sizeof(m));
}

/* Reads one server message; returns the pixels covered when it was an update. */
static uint64_t read_message(void)
{
	uint8_t t, hdr[3], r[12];
	uint64_t area = 0;

	rd(&t, 1);
	if (t == 2)	/* bell */
		return 0;
	if (t != 0)
		die("unexpected server message");
	rd(hdr, 3);
	for (unsigned i = 0, n = hdr[1] << 8 | hdr[2]; i < n; i++) {
		uint32_t enc, len;
		uint16_t rw, rh;

		rd(r, 12);
		rw = r[4] << 8 | r[5];
		rh = r[6] << 8 | r[7];
		enc = (uint32_t)r[8] << 24 | r[9] << 16 | r[10] << 8 | r[11];
		if (enc == 0) {
			skip((size_t)rw * rh * 4);
		} else if (enc == 16) {
			uint8_t l[4];

			rd(l, 4);
			len = (uint32_t)l[0] << 24 | l[1] << 16 | l[2] << 8 | l[3];
			skip(len);
		} else if (enc == 0xffffff21 || enc == 0xffffff11) {
			continue;	/* DesktopSize / LastRect-like pseudo-encodings */
		} else {
			die("unexpected encoding");
		}
		area += (uint64_t)rw * rh;
	}
	return area;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	uint8_t ver[12], sec[2], res[4], init[24], *name;
	int one = 1, zrle;
	double secs, t0;
	uint32_t nlen;

	if (argc < 4)
		die("usage: vncbench PORT fps|bytes SECONDS [raw|zrle]");
	secs = atof(argv[3]);
	zrle = argc > 4 && !strcmp(argv[4], "zrle");
	sa.sin_port = htons((uint16_t)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("cannot connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	rd(ver, 12);
	wr("RFB 003.008\n", 12);
	rd(sec, 1);
	if (sec[0] == 0)
		die("server refused");
	skip(sec[0] - 1);
	rd(sec + 1, 1);
	wr("\001", 1);		/* None (the server offered it first, or we fail below) */
	rd(res, 4);
	if (res[3] != 0)
		die("security handshake failed");
	wr("\001", 1);		/* shared */
	rd(init, 24);
	w = init[0] << 8 | init[1];
	h = init[2] << 8 | init[3];
	nlen = (uint32_t)init[20] << 24 | init[21] << 16 | init[22] << 8 | init[23];
	name = malloc(nlen + 1);
	rd(name, nlen);
	{
		/* SetPixelFormat: 32 bpp, depth 24, little endian, true colour, 8:8:8 at 16/8/0. */
		uint8_t pf[20] = { 0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0 };
		uint8_t se[8] = { 2, 0, 0, 1, 0, 0, 0, (uint8_t)(zrle ? 16 : 0) };

		wr(pf, sizeof(pf));
		wr(se, sizeof(se));
	}
	request(0);
	while (read_message() < (uint64_t)w * h)
		;
	received = 0;
	t0 = now();
	if (!strcmp(argv[2], "fps")) {
		uint64_t area = 0;
		unsigned updates = 0;

		while (now() - t0 < secs) {
			request(1);
			area += read_message();
			updates++;
		}
		printf("vncbench: %ux%u %s: %.1f full-screen updates/s (%u updates), %.1f MB/s\n", w, h,
		       zrle ? "zrle" : "raw", area / (double)w / h / (now() - t0), updates,
		       received / 1e6 / (now() - t0));
	} else {
		/* Updates are answered only when something changed: one request
		 * outstanding, read what comes within SECONDS. */
		fd_set rf;
		struct timeval tv;

		request(1);
		while (now() - t0 < secs) {
			double left = secs - (now() - t0);

			FD_ZERO(&rf);
			FD_SET(fd, &rf);
			tv.tv_sec = (long)left;
			tv.tv_usec = (long)((left - (long)left) * 1e6);
			if (select(fd + 1, &rf, NULL, NULL, &tv) <= 0)
				break;
			read_message();
			request(1);
		}
		printf("vncbench: %ux%u %s: %llu bytes of updates in %.1f s after the first full screen\n",
		       w, h, zrle ? "zrle" : "raw", (unsigned long long)received, secs);
	}
	free(name);
	close(fd);
	return 0;
}
