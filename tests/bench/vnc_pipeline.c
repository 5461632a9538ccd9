/*
 * The launcher's display pipeline without Xen, for tests/bench/vnc-local:
 * a display with the VNC target on :DISPLAY, fed either like a guest
 * framebuffer (display_copy_from() of a changing 32-bit frame) or like the
 * text console (libvterm and the PSF font).
 *
 *   vnc_pipeline fps DISPLAY SECONDS W H   a new full frame every 10 ms
 *   vnc_pipeline text DISPLAY SECONDS      80x30 text; one character typed at 1 s
 *   vnc_pipeline idle DISPLAY SECONDS      text, nothing changes
 *
 * At the end prints the CPU time it used (user + system) as a share of the
 * wall time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "common/log.h"
#include "console/display.h"
#include "console/textscreen.h"
#include "model/config.h"
#include "common/event_loop.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct display_config dc = { .vnc = true, .vnc_host = "127.0.0.1" };
	struct textscreen *ts = NULL;
	struct event_loop loop;
	struct display d;
	struct rusage ru;
	uint32_t *frame = NULL;
	double t0, secs, cpu;
	int w = 640, h = 480, fps = !strcmp(argv[1], "fps"), typed = 0;
	unsigned n = 0;

	if (argc < 4)
		return 2;
	dc.vnc_display = (unsigned)atoi(argv[2]);
	secs = atof(argv[3]);
	if (fps && argc >= 6) {
		w = atoi(argv[4]);
		h = atoi(argv[5]);
	}
	log_init("vnc_pipeline");
	log_set_verbose(getenv("V") != NULL);
	if (event_loop_init(&loop) < 0)
		return 1;
	display_init(&d);
	display_add_target(&d, &vnc_target_ops, &dc);
	if (!fps) {
		ts = textscreen_new(&d, getenv("FONT"));
		textscreen_size(ts, &w, &h);
	}
	if (display_start(&d, &loop, w, h) < 0)
		return 1;
	if (ts) {
		const char *boot = "xenlaunch-guest: ready\r\n/ # ";

		textscreen_redraw(ts);
		textscreen_feed(ts, boot, strlen(boot));
	} else {
		display_source_guest(&d);
		frame = malloc((size_t)w * h * 4);
	}
	t0 = now();
	while (now() - t0 < secs) {
		if (fps) {
			/* A new full frame: every pixel differs from the last one. */
			uint32_t c = (n & 1) ? 0x00ff8040 : 0x00204080;

			for (size_t i = 0; i < (size_t)w * h; i++)
				frame[i] = c ^ (uint32_t)(i & 0xff);
			display_copy_from(&d, (uint8_t *)frame, (size_t)w * 4, 32, 0, 0, w, h);
			n++;
			event_loop_run_once(&loop, 10);
		} else {
			if (!strcmp(argv[1], "text") && !typed && now() - t0 > 1.0) {
				textscreen_feed(ts, "x", 1);
				typed = 1;
			}
			event_loop_run_once(&loop, 50);
		}
	}
	getrusage(RUSAGE_SELF, &ru);
	cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	      ru.ru_stime.tv_usec / 1e6;
	printf("vnc_pipeline: %s %dx%d: %.1f s CPU in %.1f s (%.1f%% of one core)%s\n", argv[1], w,
	       h, cpu, now() - t0, 100 * cpu / (now() - t0),
	       fps ? ", frames produced every 10 ms" : "");
	display_dispose(&d);
	textscreen_free(ts);
	free(frame);
	return 0;
}
