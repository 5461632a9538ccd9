/*
 * The launch configuration: everything the command line (or, later, a
 * domain XML document) asks for, parsed and validated once, before any
 * domain exists. The machine code reads it and never sees argv.
 */
#ifndef MODEL_CONFIG_H
#define MODEL_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

/* Printed by -version and the monitor's "info version"; the build may override it. */
#ifndef XENLAUNCH_VERSION
#define XENLAUNCH_VERSION "0.1"
#endif

/*
 * Defaults and limits of the launch configuration. options.c prints them in
 * -M xenpv,help from these very macros, so the help cannot drift from the code.
 */
#define LAUNCH_DEFAULT_MEMORY_MIB 128u
#define LAUNCH_MAX_MEMORY_MIB (1024u * 1024u)	/* 1 TiB: anything above is a typo */
#define LAUNCH_DEFAULT_VCPUS 1u
#define LAUNCH_MAX_VCPUS 128u

enum machine_type {
	MACHINE_XENPV,	/* paravirtual guest built with libxc */
	MACHINE_XENFV,	/* HVM guest: not supported yet */
	MACHINE_XENPVH,	/* PVH guest in an HVM container, no firmware, no QEMU */
};

/* A character device target, QEMU's -serial / -monitor spelling. */
enum chardev_kind {
	CHARDEV_NONE,	/* not configured */
	CHARDEV_NULL,	/* "null": output dropped, no input */
	CHARDEV_PTY,	/* "pty": a new pseudo-terminal, path printed */
	CHARDEV_FILE,	/* "file:PATH": output appended to PATH */
	CHARDEV_STDIO,	/* "stdio": the launcher's stdin/stdout */
	CHARDEV_UNIX,	/* "unix:PATH,server[,nowait]": a listening socket */
};

/* Filled by chardev_spec_parse(); path is owned (free with chardev_spec_dispose()). */
struct chardev_spec {
	enum chardev_kind kind;
	char *path;		/* FILE and UNIX; NULL otherwise */
	bool server;		/* UNIX: listen (the only mode supported, always true) */
	bool wait;		/* UNIX: wait for a client before starting (no ",nowait") */
};

/*
 * One PV disk (-hda..-hdd, -cdrom, -drive). Guest device xvd<'a'+index>,
 * xenstore id 51712 + 16 * index (Xen's xvd numbering, docs/misc/vbd-interface).
 */
#define LAUNCH_MAX_DISKS 16u

enum drive_media { DRIVE_MEDIA_DISK, DRIVE_MEDIA_CDROM };
enum drive_cache {
	DRIVE_CACHE_WRITEBACK,	/* page cache; flush = fdatasync */
	DRIVE_CACHE_NONE,	/* O_DIRECT; flush = fdatasync */
	DRIVE_CACHE_DIRECTSYNC,	/* O_DIRECT | O_DSYNC */
};

struct drive_config {
	char *file;		/* image file or block device */
	const char *format;	/* format=, static ("raw", "qcow2"... of disk/format.h); NULL
				 * when not given: raw, and an image that announces another
				 * format is refused */
	enum drive_media media;
	bool readonly;		/* readonly=on, and always for cdrom media */
	unsigned index;		/* 0..LAUNCH_MAX_DISKS-1: xvda, xvdb, ... */
	enum drive_cache cache;
	bool discard;		/* discard=unmap (default) or ignore */
};

/*
 * One PV network interface (-nic, or -netdev with -device xen-net-device;
 * model/nic_opts.h). Guest eth<n> in argv order, xenstore vif id n. The
 * launcher creates a tap device for it, attaches it to the bridge and
 * removes it with the guest.
 */
#define LAUNCH_MAX_NICS 8u
#define NIC_MAX_QUEUES 4u	/* advertised as multi-queue-max-queues */

struct nic_config {
	char *bridge;		/* br=: the tap joins this bridge; NULL: no bridge */
	char *ifname;		/* ifname=: the tap's name; NULL: vif<domid>.<n>, as xl names it */
	char *script;		/* script=: run as "script IFNAME" once the tap is up; NULL: none */
	char *downscript;	/* downscript=: run as "downscript IFNAME" before it goes; NULL: none */
	uint8_t mac[6];		/* mac=, or 00:16:3e:xx:xx:xx derived from the guest's name */
	bool mac_set;		/* mac= was given */
	unsigned queues;	/* queues=N: most queues offered, 1..NIC_MAX_QUEUES */
};

/* -vnc, -sdl, -display (model/display_opts.h); no display by default. */
struct display_config {
	bool vnc;		/* a VNC server (-vnc [HOST]:N) */
	char *vnc_host;		/* IPv4 address to listen on; NULL: every address */
	unsigned vnc_display;	/* TCP port 5900 + vnc_display */
	unsigned vnc_to;	/* to=N: displays tried up to N when busy; 0: none */
	bool vnc_password;	/* password=on: VNC authentication required */
	bool sdl;		/* an SDL window */
	const char *keymap;	/* -k: QEMU's layout name for VNC keysyms; NULL: en-us */
	unsigned vnc_login_timeout_ms;	/* a viewer not logged in by then is dropped; 0: 10 s */
	unsigned vnc_stall_timeout_ms;	/* a viewer taking no output for that long is dropped; 0: 10 s */
};

/* -rtc base=: where the guest's clock starts (QEMU's spelling). */
enum rtc_base {
	RTC_BASE_UTC,		/* base=utc, the default */
	RTC_BASE_LOCALTIME,	/* base=localtime: the host's local time */
	RTC_BASE_DATE,		/* base=2006-06-17T16:01:21 or 2006-06-17, UTC */
};

/* Xen keeps a domain's clock offset in 32 bits of seconds (xc_domain_set_time_offset). */
#define RTC_OFFSET_MAX INT32_MAX

struct launch_config {
	enum machine_type machine;
	/*
	 * -name. Never NULL after a successful options_parse(): QEMU does not
	 * require a name but Xen tools address domains by name, so an unnamed
	 * guest is called "xenlaunch-" followed by the first 8 hex digits of its
	 * UUID (stable for a given -uuid, distinct between unnamed guests).
	 */
	char *name;
	uint8_t uuid[16];	/* -uuid, or a random version 4 UUID */
	bool uuid_set;		/* true when -uuid gave it */
	uint64_t memory_mib;	/* -m, default 128 */
	unsigned vcpus;		/* -smp, default 1 */
	char *kernel;		/* -kernel */
	char *initrd;		/* -initrd */
	char *append;		/* -append */
	char *bootloader;	/* -bootloader: "builtin" or a pygrub-compatible program */
	char *bootloader_args;	/* -bootloader-args */
	/*
	 * -serial. When not given: stdio (there is no graphical display), or
	 * null with -daemonize or when -monitor stdio already owns stdio.
	 * CHARDEV_NONE only with an explicit "-serial none".
	 */
	struct chardev_spec serial;
	struct chardev_spec monitor;	/* -monitor; CHARDEV_NONE (no monitor) unless given */
	bool no_reboot;		/* -no-reboot: a guest reboot ends the launcher */
	bool start_paused;	/* -S */
	bool daemonize;		/* -daemonize */
	bool nographic;		/* -nographic */
	char *pidfile;		/* -pidfile */
	char *logfile;		/* -D */
	struct drive_config disks[LAUNCH_MAX_DISKS];	/* sorted by nothing: argv order */
	unsigned n_disks;
	struct display_config display;	/* -vnc, -sdl, -display: the vfb/vkbd console */
	struct nic_config nics[LAUNCH_MAX_NICS];	/* argv order: guest eth0, eth1, ... */
	unsigned n_nics;
	enum rtc_base rtc_base;	/* -rtc base= */
	int64_t rtc_date;	/* RTC_BASE_DATE: seconds since the epoch, UTC */
};

/*
 * The domain's clock offset from UTC, in seconds, for a guest started at
 * `now`: 0 for utc, the host's UTC offset then for localtime, the date's
 * distance for a date. -ERANGE when it does not fit Xen's 32 bits.
 */
int rtc_offset(const struct launch_config *cfg, int64_t now, int32_t *offset_r);

/*
 * The first field in which a and b differ, by its name ("disks[].cache"),
 * or NULL when they describe the same launch. Every field of the struct is
 * compared but uuid_set and mac_set, which only say where a value came
 * from: a new field must be added there too.
 */
const char *launch_config_diff(const struct launch_config *a, const struct launch_config *b);

#endif
