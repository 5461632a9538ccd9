/*
 * epoll-based event loop; see event_loop.h.
 */
#include "common/event_loop.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

int event_loop_init(struct event_loop *el)
{
	el->stop = false;
	el->round_n = 0;
	el->epfd = epoll_create1(EPOLL_CLOEXEC);
	return el->epfd < 0 ? -errno : 0;
}

void event_loop_dispose(struct event_loop *el)
{
	if (el->epfd >= 0)
		close(el->epfd);
	el->epfd = -1;
}

void event_source_init(struct event_source *src, int fd, event_fn *fn, void *opaque)
{
	src->fd = fd;
	src->fn = fn;
	src->opaque = opaque;
	src->registered = false;
}

int event_loop_add(struct event_loop *el, struct event_source *src, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	if (epoll_ctl(el->epfd, EPOLL_CTL_ADD, src->fd, &ev) < 0)
		return -errno;
	src->registered = true;
	return 0;
}

int event_loop_mod(struct event_loop *el, struct event_source *src, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	if (!src->registered)
		return event_loop_add(el, src, events);
	return epoll_ctl(el->epfd, EPOLL_CTL_MOD, src->fd, &ev) < 0 ? -errno : 0;
}

void event_loop_del(struct event_loop *el, struct event_source *src)
{
	if (!src->registered)
		return;
	epoll_ctl(el->epfd, EPOLL_CTL_DEL, src->fd, NULL);
	src->registered = false;
	/* Events of this round already fetched for it must not be delivered. */
	for (int i = 0; i < el->round_n; i++)
		if (el->round[i] == src)
			el->round[i] = NULL;
}

int event_loop_run_once(struct event_loop *el, int timeout_ms)
{
	struct epoll_event evs[EVENT_LOOP_BATCH];
	int n = epoll_wait(el->epfd, evs, EVENT_LOOP_BATCH, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++)
		el->round[i] = evs[i].data.ptr;
	el->round_n = n;
	for (int i = 0; i < n && !el->stop; i++) {
		struct event_source *src = el->round[i];

		if (src && src->fn)
			src->fn(src, evs[i].events);
	}
	el->round_n = 0;
	return n;
}
