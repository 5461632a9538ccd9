/*
 * The human monitor in QEMU's style (HMP), line based: "(qemu) " prompt,
 * "info status", "stop", "cont", "quit"... The monitor knows nothing of
 * Xen or of file descriptors: it assembles lines from whatever byte chunks
 * the chardev hands over, parses them and calls the operations the caller
 * supplies; its output goes to the caller's write function (normally
 * chardev_write() of the -monitor chardev).
 *
 * Commands (QEMU's names and output formats):
 *   help | ? [command]   one line per command: "cont|c  -- resume the guest's vCPUs"
 *   info [subcommand]    info status   "VM status: running" / "VM status: paused"
 *                        info name     the guest's name
 *                        info domid    the Xen domain ID
 *                        info chardev  "serial0: filename=pty:/dev/pts/3", one per chardev
 *                        info version  XENLAUNCH_VERSION
 *                        info domxml   the guest's precise libvirt domain XML
 *                                      (model/describe.h); virsh's dumpxml
 *                                      for a running guest. QEMU has no such
 *                                      command: it is an "info" because it only
 *                                      reads state, like the others.
 *   stop, cont | c, system_powerdown, system_reset, quit | q
 *   change vnc password PASSWORD   "Could not set password" when VNC has no
 *                        password=on (or there is no VNC server)
 *   screendump FILE      the display as a binary PPM
 * An unknown command prints "unknown command: 'foo'"; arguments a command
 * does not take print "stop: extraneous characters at the end of line".
 *
 * Output lines end in "\r\n" (as QEMU's monitor writes them), so they look
 * right on a raw terminal and on a socket alike.
 *
 * Line assembly: a line ends at "\r", "\n" or "\r\n"; backspace and DEL
 * erase one byte; other control bytes (NUL, ESC...) make the line invalid
 * ("Error: control character in command line"); a line longer than
 * MONITOR_LINE_MAX bytes is discarded up to its end with
 * "Error: command line too long (more than 1024 bytes)". Either way the
 * monitor carries on with the next line.
 */
#ifndef LAUNCHER_MONITOR_H
#define LAUNCHER_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MONITOR_LINE_MAX 1024		/* bytes in one command line */
#define MONITOR_OUTPUT_MAX 4096		/* the most one monitor_printf() prints */
/*
 * Sink space the monitor waits for before it runs a command: room for a
 * full MONITOR_OUTPUT_MAX of text even if every byte were a "\n" sent as
 * "\r\n". The longest reply today (help) is under 500 bytes.
 */
#define MONITOR_OUTPUT_RESERVE (2 * MONITOR_OUTPUT_MAX)
#define MONITOR_PROMPT "(qemu) "
#define MONITOR_BANNER "xenlaunch monitor - type 'help' for more information\n"

struct monitor;

/*
 * Supplied by the caller; opaque is passed back to every call. Operations
 * return 0 or a negative errno; on error the monitor prints
 * "Error: <strerror>" after whatever the operation printed itself with
 * monitor_printf(). An operation left NULL makes its command print
 * "Error: <command>: not supported yet".
 */
struct monitor_ops {
	/* Output sink; returns bytes taken (chardev_write() semantics). Required. */
	size_t (*write)(void *opaque, const void *buf, size_t len);
	/* Free space in the sink. When it is below MONITOR_OUTPUT_RESERVE the
	 * monitor does not run the next command yet (monitor_feed() returns
	 * early), so no command output is ever cut short. NULL: unlimited. */
	size_t (*write_space)(void *opaque);

	int (*status)(void *opaque, bool *running_r);
	int (*name)(void *opaque, const char **name_r);
	int (*domid)(void *opaque, uint32_t *domid_r);
	/* The domain XML, malloc'ed (the monitor frees it). */
	int (*domain_xml)(void *opaque, char **xml_r);
	/* Prints one monitor_print_chardev() line per chardev. */
	int (*chardev_list)(void *opaque, struct monitor *mon);

	int (*stop)(void *opaque, struct monitor *mon);		/* pause the vCPUs */
	int (*cont)(void *opaque, struct monitor *mon);		/* resume them */
	int (*system_powerdown)(void *opaque, struct monitor *mon);
	int (*system_reset)(void *opaque, struct monitor *mon);
	/* After quit succeeds the monitor ignores further input; the caller
	 * ends the launcher from its loop (not from inside this callback). */
	int (*quit)(void *opaque, struct monitor *mon);
	/* change vnc password PASSWORD. */
	int (*vnc_password)(void *opaque, const char *password);
	/* screendump FILE. */
	int (*screendump)(void *opaque, const char *path);
};

/* Embedded by the caller; the fields are private to monitor.c. */
struct monitor {
	const struct monitor_ops *ops;
	void *opaque;
	bool echo;		/* echo typed bytes back (a terminal in raw mode) */
	bool quit;		/* quit succeeded: input is ignored */
	bool after_cr;		/* the last terminator was "\r": skip a "\n" */
	bool line_too_long;
	bool line_bad_char;
	size_t line_len;
	char line[MONITOR_LINE_MAX + 1];
};

/*
 * echo: write typed bytes back, as QEMU's readline does; wanted when the
 * client is a raw terminal (stdio, pty), harmless on a socket.
 */
void monitor_init(struct monitor *mon, const struct monitor_ops *ops, void *opaque, bool echo);
void monitor_dispose(struct monitor *mon);

/* A client is there (at start for stdio/pty, on_connect for a socket):
 * forgets any partial line, prints MONITOR_BANNER and the prompt. */
void monitor_connected(struct monitor *mon);
/* The client went away: forgets any partial line. */
void monitor_disconnected(struct monitor *mon);

/*
 * Feeds input bytes (any chunking, any content). Complete lines are
 * executed, each followed by a new prompt. Returns how many bytes were
 * consumed: fewer than len only when the sink lacks MONITOR_OUTPUT_RESERVE
 * bytes of space before a command; offer the rest again later. This is
 * chardev's on_input contract, so it can be plugged in directly.
 */
size_t monitor_feed(struct monitor *mon, const uint8_t *buf, size_t len);

/* Parses and runs one command line (no terminator), printing its output
 * (without prompt). Returns 0, or a negative errno if the command failed
 * or was not understood. */
int monitor_execute(struct monitor *mon, const char *line);

/* Prints to the client, "\n" becoming "\r\n"; at most MONITOR_OUTPUT_MAX bytes. */
void monitor_printf(struct monitor *mon, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints text of any length, "\n" becoming "\r\n". */
void monitor_print_text(struct monitor *mon, const char *text);

/* One "info chardev" line: "serial0: filename=pty:/dev/pts/3". */
void monitor_print_chardev(struct monitor *mon, const char *label, const char *filename);

/* True once quit succeeded. */
bool monitor_quit_requested(const struct monitor *mon);

#endif
