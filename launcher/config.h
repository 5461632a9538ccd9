/*
 * The launch configuration: everything the command line (or, later, a
 * domain XML document) asks for, parsed and validated once, before any
 * domain exists. The machine code reads it and never sees argv.
 */
#ifndef LAUNCHER_CONFIG_H
#define LAUNCHER_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

enum machine_type {
	MACHINE_XENPV,	/* paravirtual guest built with libxc */
	MACHINE_XENFV,	/* HVM guest: not supported yet */
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

struct chardev_spec {
	enum chardev_kind kind;
	char *path;		/* FILE and UNIX */
	bool server;		/* UNIX: listen (the only mode supported) */
	bool wait;		/* UNIX: wait for a client before starting */
};

struct launch_config {
	enum machine_type machine;
	char *name;		/* -name; required for xenpv */
	uint8_t uuid[16];	/* -uuid, or generated */
	bool uuid_set;
	uint64_t memory_mib;	/* -m, default 128 */
	unsigned vcpus;		/* -smp, default 1 */
	char *kernel;		/* -kernel */
	char *initrd;		/* -initrd */
	char *append;		/* -append */
	struct chardev_spec serial;	/* -serial; default depends on -nographic/-daemonize */
	struct chardev_spec monitor;	/* -monitor */
	bool no_reboot;		/* -no-reboot: a guest reboot ends the launcher */
	bool start_paused;	/* -S */
	bool daemonize;		/* -daemonize */
	bool nographic;		/* -nographic */
	char *pidfile;		/* -pidfile */
	char *logfile;		/* -D */
};

#endif
