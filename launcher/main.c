/*
 * xenlaunch: one process that is one Xen guest. It parses the command line,
 * builds the domain through the machine type's entry (machine_table below;
 * the shared core in xenpv/machine), serves console 0 itself, runs the
 * event loop (signals, xenstore, the console's event channel, the serial
 * target) and owns the guest's whole life: whatever ends the launcher
 * (signal, guest poweroff or crash, SIGKILL via the watchdog child) ends
 * the domain and removes its xenstore directories.
 *
 * The event loop exists first: the display's sockets, the boot menu's
 * input and countdown, then the guest's devices are all its sources.
 * Console 0's bytes go to the -serial chardev through console/console0
 * (back-pressure both ways). The -monitor chardev feeds launcher/monitor,
 * whose operations act on the machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bootloader/bootloader.h"
#include "common/event_loop.h"
#include "common/log.h"
#include "common/module.h"
#include "console/chardev.h"
#include "console/console0.h"
#include "console/display.h"
#include "console/textscreen.h"
#include "console/vfb.h"
#include "console/vkbd.h"
#include "console/vnc.h"
#include "devices/blkback.h"
#include "devices/netback.h"
#include "model/config.h"
#include "model/describe.h"
#include "common/event_loop.h"
#include "launcher/lifecycle.h"
#include "launcher/monitor.h"
#include "model/options.h"
#include "xenbus/xenbus_backend.h"
#include "xenpv/machine.h"
#include "xenpv/watchdog.h"
#include "xenpv/xenpv.h"
#include "xenfv/xenfv.h"
#include "xenpvh/xenpvh.h"

/* The machine types, by -M: each a machine_ops entry of its room. */
static const struct machine_ops *const machine_table[] = {
	[MACHINE_XENPV] = &xenpv_machine_ops,
	[MACHINE_XENPVH] = &xenpvh_machine_ops,
	[MACHINE_XENFV] = &xenfv_machine_ops,
};

/* ---- the application ------------------------------------------------ */

struct app {
	struct launch_config cfg;
	int64_t started;	/* when the domain was last built: -rtc's date is an offset from then */
	struct event_loop loop;
	struct watchdog wd;
	struct machine m;
	struct xenbus_backend xb;	/* the guest's PV devices */
	struct xenbus_backend_type backend_types[4];	/* what xb serves */
	struct chardev *serial;		/* NULL: -serial none */
	struct chardev *mon_cd;		/* NULL: no monitor */
	struct monitor mon;
	bool mon_inited;
	struct display disp;		/* -vnc / -sdl: the graphical console */
	const struct vnc_module *vnc;	/* -vnc: the loaded display-vnc module */
	const struct textscreen_module *text;	/* a display: the loaded display-text module */
	struct textscreen *ts;		/* console 0 on the display until the guest has a framebuffer */
	struct console0 c0;		/* console 0 <-> serial0 and the text console */
	int sfd;
	struct event_source sig_src, xs_src, mon_src;
	bool reset_pending;		/* monitor system_reset, run from the loop */
	int exit_status;
	bool pidfile_written;
	struct bootloader_result boot;	/* -bootloader: kernel and initrd, open */
};

static void app_quit(struct app *a, int status)
{
	a->exit_status = status;
	a->loop.stop = true;
}

/* ---- console 0 and the boot menu ------------------------------------- */

static void first_output(void *opaque)
{
	struct app *a = opaque;

	machine_first_byte(&a->m);
}

/*
 * The backend types the guest gets, in start order: disks, NICs, and with a
 * display (-vnc, -sdl) the framebuffer and keyboard that draw on it and take
 * its input.
 */
static void backends_init(struct app *a)
{
	size_t n = 0;

	a->backend_types[n++] = (struct xenbus_backend_type){ &blkback_ops, NULL };
	a->backend_types[n++] = (struct xenbus_backend_type){ &netback_ops, NULL };
	if (a->cfg.display.vnc || a->cfg.display.sdl) {
		a->backend_types[n++] = (struct xenbus_backend_type){ &vfb_ops, &a->disp };
		a->backend_types[n++] = (struct xenbus_backend_type){ &vkbd_ops, &a->disp };
	}
	xenbus_backend_init(&a->xb, &a->loop, a->backend_types, n);
}

/* -vnc / -sdl: the display, on the loop, before the boot menu (shown on it)
 * and the devices (vfb and vkbd exist only with a display). Its libraries
 * come with its modules, loaded only here. */
static int display_open(struct app *a)
{
	const struct display_config *dc = &a->cfg.display;
	const struct display_target_ops *sdl = NULL;
	int w, h, rc;

	if (!dc->vnc && !dc->sdl)
		return 0;
	if (!(a->text = module_symbol("display-text", "textscreen_module")) ||
	    (dc->vnc && !(a->vnc = module_symbol("display-vnc", "vnc_module"))) ||
	    (dc->sdl && !(sdl = module_symbol("display-sdl", "sdl_target_ops"))))
		return -ENOENT;
	if ((a->vnc && (rc = display_add_target(&a->disp, a->vnc->target, dc)) < 0) ||
	    (sdl && (rc = display_add_target(&a->disp, sdl, dc)) < 0))
		return rc;
	a->ts = a->text->new(&a->disp, NULL);
	if (!a->ts)
		return -ENOMEM;
	a->disp.text_input = console0_text;
	a->disp.text_opaque = &a->c0;
	a->text->size(a->ts, &w, &h);
	rc = display_start(&a->disp, &a->loop, w, h);
	if (rc < 0)
		return rc;
	a->text->redraw(a->ts);
	return 0;
}

/* -bootloader: kernel, initrd and command line from the first disk. */
static int run_bootloader(struct app *a)
{
	struct bootloader_io io = { console0_menu_write, console0_menu_read, &a->c0, NULL };
	bool menu = (a->serial && (a->cfg.serial.kind == CHARDEV_PTY ||
				   a->cfg.serial.kind == CHARDEV_STDIO ||
				   a->cfg.serial.kind == CHARDEV_UNIX)) || a->ts;
	int rc;

	io.pty_path = a->serial ? chardev_pty_path(a->serial) : NULL;
	if (menu && (rc = console0_menu_begin(&a->c0)) < 0) {
		errno = -rc;
		log_warn("bootloader: menu timer");
		return rc;
	}
	rc = bootloader_run(a->cfg.bootloader, a->cfg.bootloader_args, a->cfg.disks[0].file,
			    menu ? &io : NULL, &a->boot);
	console0_menu_end(&a->c0);
	if (rc < 0)
		return rc;
	free(a->cfg.kernel);
	free(a->cfg.initrd);
	free(a->cfg.append);
	a->cfg.kernel = strdup(a->boot.kernel);
	a->cfg.initrd = a->boot.initrd ? strdup(a->boot.initrd) : NULL;
	a->cfg.append = strdup(a->boot.args);
	if (!a->cfg.kernel || !a->cfg.append || (a->boot.initrd && !a->cfg.initrd))
		return -ENOMEM;
	return 0;
}

/* ---- the monitor ---------------------------------------------------- */

static size_t mon_write(void *opaque, const void *buf, size_t len)
{
	struct app *a = opaque;

	return chardev_write(a->mon_cd, buf, len);
}

static size_t mon_write_space(void *opaque)
{
	struct app *a = opaque;

	return chardev_write_space(a->mon_cd);
}

static int mon_status(void *opaque, bool *running_r)
{
	struct app *a = opaque;

	*running_r = a->m.running && !a->m.paused;
	return 0;
}

static int mon_name(void *opaque, const char **name_r)
{
	struct app *a = opaque;

	*name_r = a->cfg.name;
	return 0;
}

static int mon_domid(void *opaque, uint32_t *domid_r)
{
	struct app *a = opaque;

	if (!a->m.running)
		return -ESRCH;
	*domid_r = a->m.dom.domid;
	return 0;
}

static int mon_domain_xml(void *opaque, char **xml_r)
{
	struct app *a = opaque;
	struct launch_live live = {
		.domid = a->m.running ? a->m.dom.domid : 0,
		.serial_pty = a->serial ? chardev_pty_path(a->serial) : NULL,
		.vnc_port = a->vnc ? a->vnc->port(&a->disp) : -1,
		.started = a->started,
	};

	*xml_r = launch_describe_xml(&a->cfg, &live);
	return *xml_r ? 0 : -ENOMEM;
}

static int mon_chardev_list(void *opaque, struct monitor *mon)
{
	struct app *a = opaque;

	if (a->serial)
		monitor_print_chardev(mon, chardev_label(a->serial), chardev_filename(a->serial));
	if (a->mon_cd)
		monitor_print_chardev(mon, chardev_label(a->mon_cd), chardev_filename(a->mon_cd));
	return 0;
}

static int mon_stop(void *opaque, struct monitor *mon)
{
	struct app *a = opaque;

	return a->m.paused ? 0 : machine_pause(&a->m);
}

static int mon_cont(void *opaque, struct monitor *mon)
{
	struct app *a = opaque;

	return a->m.paused ? machine_unpause(&a->m) : 0;
}

static int mon_powerdown(void *opaque, struct monitor *mon)
{
	struct app *a = opaque;

	return machine_request_shutdown(&a->m, "poweroff");
}

static int mon_reset(void *opaque, struct monitor *mon)
{
	struct app *a = opaque;

	if (!a->m.running)
		return -ESRCH;
	a->reset_pending = true;	/* rebuilt from the loop, not from here */
	return 0;
}

static int mon_quit(void *opaque, struct monitor *mon)
{
	struct app *a = opaque;

	log_info("monitor: quit; destroying the domain and exiting");
	app_quit(a, EXIT_OK);
	return 0;
}

static int mon_vnc_password(void *opaque, const char *password)
{
	struct app *a = opaque;

	return a->vnc ? a->vnc->set_password(&a->disp, password) : -ENODEV;
}

static int mon_screendump(void *opaque, const char *path)
{
	struct app *a = opaque;

	return display_screendump(&a->disp, path);
}

static const struct monitor_ops mon_ops = {
	.write = mon_write,
	.write_space = mon_write_space,
	.status = mon_status,
	.name = mon_name,
	.domid = mon_domid,
	.domain_xml = mon_domain_xml,
	.chardev_list = mon_chardev_list,
	.stop = mon_stop,
	.cont = mon_cont,
	.system_powerdown = mon_powerdown,
	.system_reset = mon_reset,
	.quit = mon_quit,
	.vnc_password = mon_vnc_password,
	.screendump = mon_screendump,
};

static size_t mon_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct app *a = opaque;

	return monitor_feed(&a->mon, buf, len);
}

static void mon_connect(void *opaque)
{
	struct app *a = opaque;

	monitor_connected(&a->mon);
}

static void mon_disconnect(void *opaque)
{
	struct app *a = opaque;

	monitor_disconnected(&a->mon);
}

static void on_monitor(struct event_source *src, uint32_t events)
{
	struct app *a = src->opaque;

	chardev_handle_events(a->mon_cd);
	chardev_input_resume(a->mon_cd);	/* output space may have grown */
}

/* ---- PV devices --------------------------------------------------------- */

/*
 * -rtc: the domain's clock offset from UTC, as libxl sets rtc_timeoffset and
 * localtime. Xen adds it to the wallclock it gives the domain, so a PV
 * guest reads it at boot from its shared info, and an HVM guest's RTC
 * starts there. Set before the guest runs, at every (re)build.
 */
static int rtc_apply(struct app *a, uint32_t domid)
{
	int32_t off = 0;

	a->started = (int64_t)time(NULL);
	if (rtc_offset(&a->cfg, a->started, &off)) {
		log_warnx("domain %u: -rtc: the date is more than %d seconds from now", domid, RTC_OFFSET_MAX);
		return -ERANGE;
	}
	if (off && xc_domain_set_time_offset(a->m.xch, domid, off) < 0) {
		log_warn("domain %u: xc_domain_set_time_offset(%d)", domid, (int)off);
		return -errno;
	}
	if (off)
		log_info("domain %u: clock offset %+d s from UTC (-rtc)", domid, (int)off);
	return 0;
}

static int devices_start(void *opaque, uint32_t domid)
{
	struct app *a = opaque;
	int rc = rtc_apply(a, domid);

	return rc ? rc : xenbus_backend_start(&a->xb, domid, &a->cfg);
}

static void devices_stop(void *opaque)
{
	struct app *a = opaque;

	xenbus_backend_stop(&a->xb);
}

/* ---- guest lifecycle ------------------------------------------------- */

static void guest_rebuild(struct app *a, const char *why)
{
	log_info("domain %u: %s; building it again", a->m.dom.domid, why);
	console0_pump(&a->c0);	/* the guest's last words */
	console0_detach(&a->c0);
	if (machine_reboot(&a->m) < 0 || console0_attach(&a->c0, &a->m.console) < 0) {
		log_warnx("could not build the guest again; exiting");
		app_quit(a, EXIT_FAILED);
		return;
	}
	console0_pump(&a->c0);
}

static void on_xenstore(struct event_source *src, uint32_t events)
{
	struct app *a = src->opaque;
	enum pv_domain_state st;
	uint32_t domid = a->m.dom.domid;

	if (!machine_watch_fired(&a->m) || !a->m.running)
		return;
	st = machine_state(&a->m);
	switch (lifecycle_action_for(st, a->cfg.no_reboot)) {
	case LIFECYCLE_CONTINUE:
		return;
	case LIFECYCLE_EXIT:
		console0_pump(&a->c0);
		log_info("domain %u: guest %s; exiting", domid,
			 st == PV_STATE_REBOOT ? "rebooted (-no-reboot)" : "powered off");
		app_quit(a, EXIT_OK);
		return;
	case LIFECYCLE_REBOOT:
		guest_rebuild(a, "guest rebooted");
		return;
	case LIFECYCLE_CRASHED:
		console0_pump(&a->c0);
		log_warnx("domain %u: guest crashed; exiting with status %d", domid,
			  EXIT_GUEST_CRASHED);
		app_quit(a, EXIT_GUEST_CRASHED);
		return;
	case LIFECYCLE_VANISHED:
		log_warnx("domain %u: destroyed by someone else; exiting", domid);
		machine_stop(&a->m);	/* its xenstore directories are still ours */
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
			log_info("%s: destroying the domain and exiting",
				 strsignal((int)si.ssi_signo));
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
	event_source_init(&a->xs_src, machine_xs_fd(&a->m), on_xenstore, a);
	if ((rc = event_loop_add(&a->loop, &a->sig_src, EPOLLIN)) ||
	    (rc = event_loop_add(&a->loop, &a->xs_src, EPOLLIN)) ||
	    (rc = console0_attach(&a->c0, &a->m.console)))
		return rc;
	if (a->mon_cd) {
		event_source_init(&a->mon_src, chardev_fd(a->mon_cd), on_monitor, a);
		if ((rc = event_loop_add(&a->loop, &a->mon_src, EPOLLIN)))
			return rc;
	}
	return 0;
}

/* Opens -serial and -monitor; prints pty paths as QEMU does. */
static int open_chardevs(struct app *a)
{
	struct chardev_callbacks serial_cb = { .on_input = console0_serial_input,
						.opaque = &a->c0 };
	struct chardev_callbacks mon_cb = {
		.on_input = mon_input,
		.on_connect = mon_connect,
		.on_disconnect = mon_disconnect,
		.opaque = a,
	};
	int rc;

	if (a->cfg.serial.kind != CHARDEV_NONE) {
		rc = chardev_open(&a->cfg.serial, "serial0", &serial_cb, &a->serial);
		if (rc < 0)
			return rc;
		if (chardev_pty_path(a->serial))
			fprintf(stderr, "char device redirected to %s (label serial0)\n",
				chardev_pty_path(a->serial));
	}
	if (a->cfg.monitor.kind != CHARDEV_NONE) {
		bool term = a->cfg.monitor.kind == CHARDEV_STDIO ||
			    a->cfg.monitor.kind == CHARDEV_PTY;

		monitor_init(&a->mon, &mon_ops, a, term);
		a->mon_inited = true;
		rc = chardev_open(&a->cfg.monitor, "compat_monitor0", &mon_cb, &a->mon_cd);
		if (rc < 0)
			return rc;
		if (chardev_pty_path(a->mon_cd))
			fprintf(stderr, "char device redirected to %s (label compat_monitor0)\n",
				chardev_pty_path(a->mon_cd));
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct app app;
	struct app *a = &app;
	FILE *logf = NULL;
	int rc;

	log_init("xenlaunch");
	signal(SIGPIPE, SIG_IGN);
	memset(a, 0, sizeof(*a));
	bootloader_result_init(&a->boot);
	a->sfd = -1;
	a->loop.epfd = -1;
	a->exit_status = EXIT_FAILED;
	launch_config_init(&a->cfg);
	watchdog_init(&a->wd);
	display_init(&a->disp);

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
	if ((size_t)a->cfg.machine >= sizeof(machine_table) / sizeof(machine_table[0]) ||
	    !machine_table[a->cfg.machine]) {
		log_warnx("this machine type is not supported yet");
		launch_config_dispose(&a->cfg);
		return EXIT_USAGE;
	}
	if (machine_init(&a->m, machine_table[a->cfg.machine], &a->cfg, &a->wd) < 0) {
		log_warnx("out of memory");
		machine_close(&a->m);
		launch_config_dispose(&a->cfg);
		return EXIT_FAILED;
	}
	backends_init(a);
	a->m.devices_start = devices_start;
	a->m.devices_stop = devices_stop;
	a->m.devices_opaque = a;
	a->m.loop = &a->loop;
	a->m.c0 = &a->c0;
	console0_init(&a->c0, &a->loop);
	a->c0.first_output = first_output;
	a->c0.opaque = a;
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
	/* The loop first: the display and the boot menu run on it. */
	if ((rc = event_loop_init(&a->loop)) < 0) {
		errno = -rc;
		log_warn("epoll");
		goto out;
	}
	/* Before the signalfd: a unix server that waits for its client can
	 * still be given up with ^C. */
	if (open_chardevs(a) < 0)
		goto out;
	if ((rc = display_open(a)) < 0) {
		log_warnx("display: %s; nothing was started", strerror(-rc));
		goto out;
	}
	if ((rc = console0_start(&a->c0, a->serial, a->text, a->ts)) < 0) {
		errno = -rc;
		log_warn("event loop");
		goto out;
	}
	if (a->cfg.bootloader && run_bootloader(a) < 0) {
		log_warnx("bootloader: no kernel to boot; nothing was started");
		goto out;
	}
	rc = lifecycle_signalfd_open();
	if (rc < 0) {
		errno = -rc;
		log_warn("signalfd");
		goto out;
	}
	a->sfd = rc;
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
	/* Removed by the watchdog if the launcher is killed. */
	watchdog_add_file(&a->wd, a->pidfile_written ? a->cfg.pidfile : NULL);
	watchdog_add_file(&a->wd, chardev_socket_path(a->serial));
	watchdog_add_file(&a->wd, chardev_socket_path(a->mon_cd));
	if (machine_open(&a->m) < 0 || machine_watch(&a->m) < 0 ||
	    xenbus_backend_open(&a->xb) < 0)
		goto out;
	a->m.console_tty = a->serial ? chardev_pty_path(a->serial) : NULL;
	if (machine_start(&a->m) < 0) {
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
	if (a->mon_cd && chardev_is_connected(a->mon_cd))
		monitor_connected(&a->mon);
	console0_pump(&a->c0);
	while (!a->loop.stop) {
		rc = event_loop_run_once(&a->loop, -1);
		if (rc < 0) {
			errno = -rc;
			log_warn("epoll_wait");
			a->exit_status = EXIT_FAILED;
			break;
		}
		if (a->reset_pending && !a->loop.stop) {
			a->reset_pending = false;
			guest_rebuild(a, "system_reset");
		}
	}
out:
	lifecycle_daemon_ready(a->exit_status);
	console0_dispose(&a->c0);
	machine_close(&a->m);
	xenbus_backend_dispose(&a->xb);
	display_dispose(&a->disp);
	if (a->ts)
		a->text->free(a->ts);
	watchdog_dispose(&a->wd);
	chardev_dispose(a->serial);
	chardev_dispose(a->mon_cd);
	if (a->mon_inited)
		monitor_dispose(&a->mon);
	event_loop_dispose(&a->loop);
	if (a->sfd >= 0)
		close(a->sfd);
	if (a->pidfile_written)
		unlink(a->cfg.pidfile);
	launch_config_dispose(&a->cfg);
	bootloader_result_dispose(&a->boot);
	if (logf) {
		log_set_stream(NULL);
		fclose(logf);
	}
	return a->exit_status;
}
