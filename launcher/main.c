/*
 * xenlaunch: one process that is one Xen guest. It parses the command line,
 * builds the PV domain (xenpv/machine), serves console 0 itself, runs the
 * event loop (signals, xenstore, the console's event channel, the serial
 * target) and owns the guest's whole life: whatever ends the launcher
 * (signal, guest poweroff or crash, SIGKILL via the watchdog child) ends
 * the domain and removes its xenstore directories.
 *
 * The serial target below is a small stand-in (pty, file, stdio, null)
 * until console/chardev lands; the console wiring only uses serial_sink()
 * and the input buffer, so switching is local to this file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "common/log.h"
#include "launcher/config.h"
#include "launcher/event_loop.h"
#include "launcher/lifecycle.h"
#include "launcher/options.h"
#include "xenpv/machine.h"
#include "xenpv/watchdog.h"

#define SERIAL_OUT_CAP (64 * 1024)

/* ---- serial target (stand-in for console/chardev) ------------------- */

struct serial {
	enum chardev_kind kind;
	int in_fd;		/* -1: no input */
	int out_fd;		/* -1: output dropped */
	int pty_slave;		/* kept open so the master never sees EIO/HUP */
	char tty[64];
	char *obuf;
	size_t olen;
	struct event_source in_src, out_src;
	bool in_paused;
	struct termios saved;
	bool restore_tty;
};

static void serial_init(struct serial *s)
{
	memset(s, 0, sizeof(*s));
	s->in_fd = s->out_fd = s->pty_slave = -1;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -errno : 0;
}

static int serial_open(struct serial *s, const struct chardev_spec *spec)
{
	struct termios t;
	int fd = -1, rc;

	s->kind = spec->kind;
	s->obuf = malloc(SERIAL_OUT_CAP);
	if (!s->obuf)
		return -ENOMEM;
	switch (spec->kind) {
	case CHARDEV_NONE:
	case CHARDEV_NULL:
		return 0;
	case CHARDEV_PTY:
		fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0 ||
		    ptsname_r(fd, s->tty, sizeof(s->tty)) != 0) {
			rc = -errno;
			log_warn("-serial pty: cannot create a pseudo-terminal");
			goto fail;
		}
		s->pty_slave = open(s->tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (s->pty_slave >= 0 && tcgetattr(s->pty_slave, &t) == 0) {
			cfmakeraw(&t);
			tcsetattr(s->pty_slave, TCSANOW, &t);
		}
		set_nonblock(fd);
		s->in_fd = s->out_fd = fd;
		fprintf(stderr, "char device redirected to %s (label serial0)\n", s->tty);
		return 0;
	case CHARDEV_FILE:
		fd = open(spec->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0) {
			rc = -errno;
			log_warn("-serial file:%s", spec->path);
			goto fail;
		}
		s->out_fd = fd;
		return 0;
	case CHARDEV_STDIO:
		s->in_fd = dup(0);
		s->out_fd = dup(1);
		if (s->in_fd < 0 || s->out_fd < 0)
			return -errno;
		set_nonblock(s->in_fd);
		set_nonblock(s->out_fd);
		if (isatty(0) && tcgetattr(0, &s->saved) == 0) {
			t = s->saved;
			cfmakeraw(&t);
			t.c_lflag |= ISIG;	/* ^C still ends the launcher (and the guest) */
			t.c_oflag |= OPOST | ONLCR;
			if (tcsetattr(0, TCSANOW, &t) == 0)
				s->restore_tty = true;
		}
		return 0;
	case CHARDEV_UNIX:
		log_warnx("-serial unix: not supported yet by this build");
		return -ENOTSUP;
	}
	return -EINVAL;
fail:
	if (fd >= 0)
		close(fd);
	return rc;
}

static void serial_close(struct serial *s)
{
	if (s->restore_tty)
		tcsetattr(0, TCSANOW, &s->saved);
	s->restore_tty = false;
	if (s->in_fd >= 0 && s->in_fd != s->out_fd)
		close(s->in_fd);
	if (s->out_fd >= 0)
		close(s->out_fd);
	if (s->pty_slave >= 0)
		close(s->pty_slave);
	s->in_fd = s->out_fd = s->pty_slave = -1;
	free(s->obuf);
	s->obuf = NULL;
}

/* ---- the application ------------------------------------------------ */

struct app {
	struct launch_config cfg;
	struct event_loop loop;
	struct watchdog wd;
	struct pv_machine m;
	struct serial serial;
	int sfd;
	struct event_source sig_src, xs_src, cons_src;
	char in_buf[1024];	/* input read from the serial, not yet in the ring */
	size_t in_len, in_off;
	int exit_status;
	bool pidfile_written;
};

static void app_quit(struct app *a, int status)
{
	a->exit_status = status;
	a->loop.stop = true;
}

/* Accepts what the serial target can take now: direct write, then buffer. */
static size_t serial_sink(void *opaque, const char *buf, size_t len)
{
	struct app *a = opaque;
	struct serial *s = &a->serial;
	size_t done = 0, room;

	if (s->out_fd < 0)
		return len;	/* null: dropped, as asked */
	if (s->olen == 0) {
		ssize_t r = write(s->out_fd, buf, len);

		if (r > 0)
			done = (size_t)r;
		else if (r < 0 && errno != EAGAIN && errno != EINTR) {
			log_warn("serial0: write");
			return len;	/* a dead target must not stall the guest */
		}
	}
	room = SERIAL_OUT_CAP - s->olen;
	if (len - done < room)
		room = len - done;
	memcpy(s->obuf + s->olen, buf + done, room);
	s->olen += room;
	if (s->olen)
		event_loop_mod(&a->loop, &s->out_src, EPOLLOUT);
	return done + room;
}

static void console_pump(struct app *a)
{
	struct pv_console *c = &a->m.console;
	size_t moved = 0, pushed = 0;
	bool kick = false;

	if (console_ring_drain(&c->ring, serial_sink, a, &moved) == 0 && moved) {
		pv_machine_first_byte(&a->m);
		kick = true;
	}
	if (a->in_off < a->in_len &&
	    console_ring_push(&c->ring, a->in_buf + a->in_off, a->in_len - a->in_off,
			      &pushed) == 0 && pushed) {
		a->in_off += pushed;
		kick = true;
	}
	if (kick)
		pv_console_notify(c);
	if (a->in_off == a->in_len && a->serial.in_paused && a->serial.in_fd >= 0) {
		a->in_off = a->in_len = 0;
		a->serial.in_paused = false;
		event_loop_add(&a->loop, &a->serial.in_src, EPOLLIN);
	}
}

static void on_console(struct event_source *src, uint32_t events)
{
	struct app *a = src->opaque;

	pv_console_ack(&a->m.console);
	console_pump(a);
}

static void on_serial_out(struct event_source *src, uint32_t events)
{
	struct app *a = src->opaque;
	struct serial *s = &a->serial;
	ssize_t r = write(s->out_fd, s->obuf, s->olen);

	if (r < 0 && errno != EAGAIN && errno != EINTR) {
		log_warn("serial0: write");
		s->olen = 0;	/* dropped: a dead target must not stall the guest */
	} else if (r > 0) {
		memmove(s->obuf, s->obuf + r, s->olen - (size_t)r);
		s->olen -= (size_t)r;
	}
	if (s->olen == 0)
		event_loop_del(&a->loop, &s->out_src);
	console_pump(a);	/* the ring may hold what we refused before */
}

static void on_serial_in(struct event_source *src, uint32_t events)
{
	struct app *a = src->opaque;
	struct serial *s = &a->serial;
	ssize_t r;

	if (a->in_off < a->in_len)
		return;
	r = read(s->in_fd, a->in_buf, sizeof(a->in_buf));
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		/* EOF (or a dead tty): the guest just gets no more input. */
		event_loop_del(&a->loop, &s->in_src);
		s->in_paused = false;
		return;
	}
	a->in_off = 0;
	a->in_len = (size_t)r;
	console_pump(a);
	if (a->in_off < a->in_len) {
		/* The ring is full: stop reading until the guest takes some. */
		event_loop_del(&a->loop, &s->in_src);
		s->in_paused = true;
	}
}

static int console_attach(struct app *a)
{
	event_source_init(&a->cons_src, pv_console_fd(&a->m.console), on_console, a);
	return event_loop_add(&a->loop, &a->cons_src, EPOLLIN);
}

static void console_detach(struct app *a)
{
	event_loop_del(&a->loop, &a->cons_src);
}

static void guest_reboot(struct app *a)
{
	log_info("domain %u: guest rebooted; building it again", a->m.dom.domid);
	console_detach(a);
	pv_machine_stop(&a->m);
	if (pv_machine_start(&a->m) < 0 || console_attach(a) < 0) {
		log_warnx("reboot failed; exiting");
		app_quit(a, EXIT_FAILED);
		return;
	}
	console_pump(a);
}

static void on_xenstore(struct event_source *src, uint32_t events)
{
	struct app *a = src->opaque;
	enum pv_domain_state st;
	uint32_t domid = a->m.dom.domid;

	if (!pv_machine_watch_fired(&a->m) || !a->m.running)
		return;
	st = pv_machine_state(&a->m);
	switch (lifecycle_action_for(st, a->cfg.no_reboot)) {
	case LIFECYCLE_CONTINUE:
		return;
	case LIFECYCLE_EXIT:
		console_pump(a);	/* the guest's last words */
		log_info("domain %u: guest %s; exiting", domid,
			 st == PV_STATE_REBOOT ? "rebooted (-no-reboot)" : "powered off");
		app_quit(a, EXIT_OK);
		return;
	case LIFECYCLE_REBOOT:
		console_pump(a);
		guest_reboot(a);
		return;
	case LIFECYCLE_CRASHED:
		console_pump(a);
		log_warnx("domain %u: guest crashed; exiting with status %d", domid,
			  EXIT_GUEST_CRASHED);
		app_quit(a, EXIT_GUEST_CRASHED);
		return;
	case LIFECYCLE_VANISHED:
		log_warnx("domain %u: destroyed by someone else; exiting", domid);
		app_quit(a, EXIT_FAILED);
		return;
	}
}

static void reap_children(struct app *a)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (watchdog_reaped(&a->wd, pid))
			log_warnx("watchdog: exited unexpectedly (status %d); "
				  "a SIGKILL of the launcher would now leave the domain",
				  status);
		else if (kernel_cache_reaped(&a->m.kc, pid))
			log_debug("kernel cache: entry written (status %d)", status);
	}
}

static void on_signal(struct event_source *src, uint32_t events)
{
	struct app *a = src->opaque;
	struct signalfd_siginfo si;

	while (read(a->sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
		case SIGQUIT:
			log_info("%s: destroying the domain and exiting", strsignal((int)si.ssi_signo));
			app_quit(a, EXIT_OK);
			break;
		case SIGCHLD:
			reap_children(a);
			break;
		case SIGHUP:
		default:
			break;
		}
	}
}

static int app_loop_setup(struct app *a)
{
	int rc;

	event_source_init(&a->sig_src, a->sfd, on_signal, a);
	event_source_init(&a->xs_src, pv_machine_xs_fd(&a->m), on_xenstore, a);
	event_source_init(&a->serial.in_src, a->serial.in_fd, on_serial_in, a);
	event_source_init(&a->serial.out_src, a->serial.out_fd, on_serial_out, a);
	if ((rc = event_loop_add(&a->loop, &a->sig_src, EPOLLIN)) ||
	    (rc = event_loop_add(&a->loop, &a->xs_src, EPOLLIN)) ||
	    (rc = console_attach(a)))
		return rc;
	/* A regular file cannot be polled; it never blocks anyway. */
	if (a->serial.in_fd >= 0 && (rc = event_loop_add(&a->loop, &a->serial.in_src, EPOLLIN)))
		if (rc != -EPERM)
			return rc;
	return 0;
}

int main(int argc, char **argv)
{
	struct app app;
	struct app *a = &app;
	FILE *logf = NULL;
	int rc;

	log_init("xenlaunch");
	memset(a, 0, sizeof(*a));
	a->sfd = -1;
	a->loop.epfd = -1;
	a->exit_status = EXIT_FAILED;
	launch_config_init(&a->cfg);
	watchdog_init(&a->wd);
	serial_init(&a->serial);

	switch (options_parse(argc, argv, &a->cfg, stdout, stderr)) {
	case OPTIONS_EXIT:
		launch_config_dispose(&a->cfg);
		return EXIT_OK;
	case OPTIONS_ERROR:
		launch_config_dispose(&a->cfg);
		return EXIT_USAGE;
	case OPTIONS_RUN:
		break;
	}
	pv_machine_init(&a->m, &a->cfg, &a->wd);

	if (a->cfg.machine != MACHINE_XENPV) {
		log_warnx("-M: only xenpv is supported yet");
		a->exit_status = EXIT_USAGE;
		goto out;
	}
	if (!a->cfg.kernel) {
		log_warnx("-M xenpv needs -kernel (booting from a disk is not supported yet)");
		a->exit_status = EXIT_USAGE;
		goto out;
	}
	if (a->cfg.monitor.kind != CHARDEV_NONE)
		log_warnx("-monitor: the monitor is not wired in this build yet; ignored");
	if (a->cfg.logfile) {
		logf = fopen(a->cfg.logfile, "ae");
		if (!logf) {
			log_warn("-D %s", a->cfg.logfile);
			a->exit_status = EXIT_USAGE;
			goto out;
		}
		setvbuf(logf, NULL, _IOLBF, 0);
		log_set_stream(logf);
	}

	rc = lifecycle_signalfd_open();
	if (rc < 0) {
		errno = -rc;
		log_warn("signalfd");
		goto out;
	}
	a->sfd = rc;
	if (serial_open(&a->serial, &a->cfg.serial) < 0)
		goto out;
	if (a->cfg.daemonize && (rc = lifecycle_daemonize()) < 0) {
		errno = -rc;
		log_warn("-daemonize");
		goto out;
	}
	if (a->cfg.pidfile) {
		if ((rc = lifecycle_write_pidfile(a->cfg.pidfile)) < 0) {
			errno = -rc;
			log_warn("-pidfile %s", a->cfg.pidfile);
			goto out;
		}
		a->pidfile_written = true;
	}
	/* Before any Xen handle or domain exists: the child must hold none. */
	if ((rc = watchdog_start(&a->wd)) < 0) {
		errno = -rc;
		log_warn("watchdog");
		goto out;
	}
	if ((rc = event_loop_init(&a->loop)) < 0) {
		errno = -rc;
		log_warn("epoll");
		goto out;
	}
	if (pv_machine_open(&a->m) < 0 || pv_machine_watch(&a->m) < 0)
		goto out;
	a->m.console_tty = a->serial.kind == CHARDEV_PTY ? a->serial.tty : NULL;
	if (pv_machine_start(&a->m) < 0) {
		log_warnx("could not start the guest; nothing was left behind");
		goto out;
	}
	if ((rc = app_loop_setup(a)) < 0) {
		errno = -rc;
		log_warn("event loop");
		goto out;
	}
	lifecycle_daemon_ready(EXIT_OK);
	a->exit_status = EXIT_OK;
	console_pump(a);
	while (!a->loop.stop) {
		rc = event_loop_run_once(&a->loop, -1);
		if (rc < 0) {
			errno = -rc;
			log_warn("epoll_wait");
			a->exit_status = EXIT_FAILED;
			break;
		}
	}
out:
	lifecycle_daemon_ready(a->exit_status);
	pv_machine_close(&a->m);
	watchdog_dispose(&a->wd);
	/* Output the guest wrote last: best effort, without blocking forever. */
	if (a->serial.olen && a->serial.out_fd >= 0) {
		int fl = fcntl(a->serial.out_fd, F_GETFL);

		fcntl(a->serial.out_fd, F_SETFL, fl & ~O_NONBLOCK);
		if (a->serial.kind != CHARDEV_PTY &&
		    write(a->serial.out_fd, a->serial.obuf, a->serial.olen) < 0)
			log_debug("serial0: final flush failed");
	}
	serial_close(&a->serial);
	event_loop_dispose(&a->loop);
	if (a->sfd >= 0)
		close(a->sfd);
	if (a->pidfile_written)
		unlink(a->cfg.pidfile);
	launch_config_dispose(&a->cfg);
	if (logf) {
		log_set_stream(NULL);
		fclose(logf);
	}
	return a->exit_status;
}
