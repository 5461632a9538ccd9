/*
 * The launcher's event loop: one epoll set, each source a caller-owned
 * struct event_source naming its fd and its handler. Handlers run one at a
 * time on the loop's thread; a handler may add, modify or remove sources,
 * including its own (removal takes effect at once: a removed source is not
 * called again, even for events already fetched in the same round).
 */
#ifndef COMMON_EVENT_LOOP_H
#define COMMON_EVENT_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct event_source;
typedef void event_fn(struct event_source *src, uint32_t events);

struct event_source {
	int fd;
	event_fn *fn;
	void *opaque;
	bool registered;	/* owned by the loop */
};

#define EVENT_LOOP_BATCH 32

struct event_loop {
	int epfd;
	bool stop;
	struct event_source *round[EVENT_LOOP_BATCH];	/* this round's sources */
	int round_n;
};

/* 0 or a negative errno. */
int event_loop_init(struct event_loop *el);
void event_loop_dispose(struct event_loop *el);

void event_source_init(struct event_source *src, int fd, event_fn *fn, void *opaque);

/* events: EPOLLIN / EPOLLOUT ...; 0 or a negative errno. */
int event_loop_add(struct event_loop *el, struct event_source *src, uint32_t events);
int event_loop_mod(struct event_loop *el, struct event_source *src, uint32_t events);
/* Idempotent; safe on a source that was never added. */
void event_loop_del(struct event_loop *el, struct event_source *src);

/* Waits up to timeout_ms (-1: forever) and dispatches one round.
 * Returns the number of events dispatched, or a negative errno
 * (-EINTR is returned as 0). */
int event_loop_run_once(struct event_loop *el, int timeout_ms);

#endif
