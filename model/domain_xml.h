/*
 * The domain model: libvirt-compatible domain XML <-> struct domain_def.
 *
 * One model describes Xen PV, Xen HVM and KVM/QEMU guests. Strings hold
 * what the user wrote (NULL when absent); numbers that libvirt defines as
 * sizes are normalised (memory in KiB). Elements the model does not
 * interpret are never dropped silently: each one is reported through
 * log_warnx() with its path ("domain XML: element 'devices/controller' is
 * not interpreted, kept as written") and kept verbatim in the nearest
 * modelled parent's `extra` field, so that formatting writes it back.
 * Attributes the model does not know are reported the same way and dropped.
 *
 * Every struct with owned memory has an _init/_dispose pair.
 */
#ifndef MODEL_DOMAIN_XML_H
#define MODEL_DOMAIN_XML_H

#include <limits.h>
#include <stddef.h>

/* Upper bound on memory sizes: 16 EiB would not fit our KiB counters. */
#define DOMAIN_MEMORY_MAX_KIB (1ull << 50)
/* More vcpus than any Xen or KVM release allows. */
#define DOMAIN_VCPUS_MAX 4096u
/* Per-kind device limit, so that hostile input stays bounded. */
#define DOMAIN_DEVICES_MAX 256u
/*
 * Appends one zeroed element of `size` bytes to the array *arr of *n
 * elements, at most DOMAIN_DEVICES_MAX of them. Sets *elem_r to it.
 * Returns 0, -E2BIG when the array is full, or -ENOMEM.
 */
int domain_array_grow(void **arr, size_t *n, size_t size, void **elem_r);

/* A graphics port that was not written. */
#define DOMAIN_PORT_ABSENT INT_MIN

/* A verbatim XML fragment list: each child the model does not interpret. */
struct domain_extra {
	char *xml; /* concatenated serialised elements, NULL when none */
};

struct domain_disk {
	char *type;        /* file | block | network | volume ... */
	char *device;      /* disk | cdrom | floppy | lun; NULL means disk */
	char *driver_name; /* qemu | phy | file | tap ... */
	char *driver_type; /* raw | qcow2 | ... */
	char *driver_cache;   /* writeback | none | directsync ... */
	char *driver_discard; /* unmap | ignore */
	char *source;      /* <source file=> or <source dev=> */
	char *target_dev;  /* xvda, hda ... */
	char *target_bus;  /* xen | ide | virtio | scsi ... */
	int readonly;
	int shareable;
	struct domain_extra extra;
};

/* VLAN tags of one interface: an Open vSwitch trunk port takes a few. */
#define DOMAIN_VLAN_TAGS_MAX 16u

struct domain_interface {
	char *type;          /* bridge | ethernet | network ... */
	char *mac;
	char *source_bridge; /* type='bridge' */
	char *source_network;/* type='network' */
	char *script;
	char *downscript;    /* <downscript path=> */
	char *model;
	unsigned driver_queues; /* <driver queues=>, 0 when absent */
	char *target_dev;
	char *ip;            /* first <ip address=> */
	char *virtualport_type; /* <virtualport type=> without parameters: openvswitch ... */
	unsigned vlan_tags[DOMAIN_VLAN_TAGS_MAX]; /* <vlan><tag id=>, 0 to 4095 */
	size_t n_vlan_tags;
	int vlan_trunk;      /* <vlan trunk='yes'> */
	unsigned long long outbound_kbps; /* <bandwidth><outbound average=> in KiB/s, 0 when absent */
	struct domain_extra extra;
};

enum domain_chardev_kind { DOMAIN_CHARDEV_CONSOLE, DOMAIN_CHARDEV_SERIAL };

/* <console> and <serial>. */
struct domain_chardev {
	enum domain_chardev_kind kind;
	char *type;        /* pty | file | unix | tcp | udp | null | stdio | pipe | dev | vc */
	char *source_path; /* file, unix, pipe, dev, and the pty of a running guest */
	char *source_mode; /* unix, tcp: bind | connect */
	char *source_host; /* tcp, udp */
	char *source_service;
	char *protocol;    /* tcp: raw | telnet */
	char *target_type; /* console: xen | serial ...; serial: isa-serial ... */
	int target_port;   /* -1 when absent */
	struct domain_extra extra;
};

struct domain_graphics {
	char *type;      /* vnc | sdl | spice ... */
	int port;        /* -1 = autoport; DOMAIN_PORT_ABSENT when absent */
	char *autoport;  /* yes | no */
	char *listen;    /* listen= attribute or <listen type='address' address=> */
	char *passwd;
	char *keymap;
	char *display;   /* sdl */
	char *xauth;     /* sdl */
	char *fullscreen;/* sdl: yes | no */
	struct domain_extra extra;
};

struct domain_input {
	char *type; /* mouse | keyboard | tablet */
	char *bus;  /* xen | ps2 | usb | virtio */
};

struct domain_video {
	char *model;       /* cirrus | vga | xen | virtio ... */
	unsigned vram;     /* KiB, 0 when absent */
	unsigned heads;    /* 0 when absent */
	char *primary;     /* yes | no */
	struct domain_extra extra;
};

/* <hostdev mode='subsystem' type='pci'>: a host PCI function given to the guest. */
struct domain_hostdev {
	unsigned domain, bus, slot, function; /* <source><address>: 0-0xffff, 0-0xff, 0-0x1f, 0-7 */
	int managed;    /* managed='yes': detached from its host driver at start (xl's seize=1) */
	int permissive; /* <source writeFiltering='no'>: config space writes unfiltered (xl's permissive=1) */
};

/* A feature flag such as <acpi/>, <pae/> or <hap state='off'/>. */
struct domain_feature {
	char *name;
	char *state; /* NULL when the element has no state attribute */
};

#define DOMAIN_BOOT_MAX 4

struct domain_def {
	char *virt_type; /* <domain type=>: xen | kvm | qemu */
	/*
	 * <domain id=>: the domain ID of a running guest, as its launcher
	 * describes it; 0 when absent (0 is dom0, never a guest). Starting a
	 * guest ignores it.
	 */
	unsigned id;
	char *name;
	char *uuid;      /* canonical lower-case 8-4-4-4-12, NULL when absent */
	char *title;
	char *description;

	unsigned long long memory_kib;         /* <memory>, 0 when absent */
	unsigned long long current_memory_kib; /* <currentMemory>, 0 when absent */
	unsigned long long max_memory_kib;     /* <maxMemory>, 0 when absent */
	unsigned max_memory_slots;

	unsigned vcpus;         /* <vcpu>, 0 when absent */
	unsigned vcpus_current; /* current=, 0 when absent */
	char *vcpu_placement;

	char *bootloader;
	char *bootloader_args;

	/* <os> */
	char *os_type;     /* linux | xen | hvm | xenpvh | exe */
	char *os_arch;
	char *os_machine;  /* xenpv | xenfv | pc ... */
	char *kernel;
	char *initrd;
	char *cmdline;
	char *loader;
	char *loader_type;     /* rom | pflash */
	char *loader_readonly; /* yes | no */
	char *boot[DOMAIN_BOOT_MAX]; /* <boot dev=> in order */
	size_t n_boot;
	struct domain_extra os_extra;

	struct domain_feature *features;
	size_t n_features;
	int has_features; /* <features> present, even if empty */
	struct domain_extra features_extra;

	int has_clock; /* <clock> present */
	char *clock_offset;
	char *clock_adjustment;
	char *clock_basis;
	char *clock_timezone;
	struct domain_extra clock_extra; /* <timer> elements */

	char *on_poweroff;
	char *on_reboot;
	char *on_crash;

	/* <devices> */
	char *emulator;
	struct domain_disk *disks;
	size_t n_disks;
	struct domain_interface *interfaces;
	size_t n_interfaces;
	struct domain_chardev *chardevs; /* consoles and serials, in document order */
	size_t n_chardevs;
	struct domain_graphics *graphics;
	size_t n_graphics;
	struct domain_input *inputs;
	size_t n_inputs;
	struct domain_video *videos;
	size_t n_videos;
	struct domain_hostdev *hostdevs;
	size_t n_hostdevs;
	/*
	 * <controller type='xenbus' index='0' maxGrantFrames= maxEventChannels=>:
	 * the limits of the guest's grant table and event channels (xl's
	 * max_grant_frames, max_event_channels); 0 when not given.
	 */
	int has_xenbus;
	unsigned xenbus_max_grant_frames;
	unsigned xenbus_max_event_channels;
	struct domain_extra devices_extra;

	struct domain_extra extra; /* unknown children of <domain> */
};

void domain_def_init(struct domain_def *def);
void domain_def_dispose(struct domain_def *def);

/*
 * Parses a domain XML document (at most XML_UTIL_MAX_DOC bytes) into def,
 * which must be freshly initialised. Returns 0; or -EINVAL for malformed or
 * semantically invalid XML (bad sizes, bad UUID, missing name...), -EFBIG,
 * -ENOMEM; with a message in *err_r (caller frees) on failure.
 * On failure def holds partial data and must still be disposed.
 */
int domain_def_parse(struct domain_def *def, const char *xml, size_t len, char **err_r);
int domain_def_parse_file(struct domain_def *def, const char *path, char **err_r);

/*
 * The cheap limits, read as a stream before any tree is built (domain_def_parse
 * starts with it; schema validation should too): at most DOMAIN_DEVICES_MAX
 * devices of a kind and features. 0, or -E2BIG with a message in *err_r.
 * Malformed XML passes: the parser reports it.
 */
int domain_check_limits(const char *xml, size_t len, char **err_r);

/*
 * Formats def as libvirt does (two-space indent, single quotes, memory in
 * KiB). Returns a malloc'ed string, NULL when out of memory.
 */
char *domain_def_format(const struct domain_def *def);

/*
 * Parses a size with a libvirt unit (b, bytes, k, KB, KiB, M, MB, MiB, G,
 * GB, GiB, T, TB, TiB, P, PB, PiB, E, EB, EiB; NULL unit means KiB) into
 * KiB, rounding up. Returns 0, or -EINVAL / -ERANGE with a message.
 */
int domain_parse_size_kib(const char *value, const char *unit, unsigned long long *kib_r, char **err_r);

/* Canonicalises a UUID (with or without dashes) into out[37]. 0 or -EINVAL. */
int domain_uuid_canon(const char *in, char out[37]);

/*
 * Refuses the elements the model kept without interpreting them (struct
 * domain_extra) that would change the guest for target ("xenlaunch",
 * "qemu", "xl"), naming the first: only <metadata>, <seclabel>,
 * <resource>, <controller>, <memballoon> and a device's <address> and
 * <alias> change nothing. 0, or -ENOTSUP with a message in *err_r (set
 * only when *err_r is NULL).
 */
int domain_check_extra(const struct domain_def *def, const char *target, char **err_r);
/* The same, warning about each (log_warnx) instead of failing. */
void domain_warn_extra(const struct domain_def *def, const char *target);

/* True for <os><type> values that mean a Xen PV guest ("linux", "xen"), unless
 * its machine is xenpvh. */
int domain_is_xen_pv(const struct domain_def *def);
/* True for a PVH guest: libvirt's <type>xenpvh</type>, or <type machine='xenpvh'>
 * with a PV os type ("xen", "linux"). */
int domain_is_xen_pvh(const struct domain_def *def);
/* True for an HVM guest (<os><type>hvm</type>). */
int domain_is_hvm(const struct domain_def *def);

#endif
