/*
 * tools/domain_argv: domain XML -> xenlaunch / QEMU command lines and xl.cfg,
 * and back; checked against libvirt's xlconfigdata pairs and libxl JSON.
 */
#include "tests/unit/test_xml_common.h"
#include "tests/unit/unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/strv.h"
#include "tools/domain_argv.h"
#include "model/domain_xml.h"
#include "model/xml_util.h"

static FILE *quiet;
static void hush(void) { quiet = fopen("/dev/null", "w"); log_set_stream(quiet); }
static void unhush(void) { log_set_stream(NULL); fclose(quiet); }

static int load(struct domain_def *def, const char *rel)
{
	char *path = testdata_path(rel), *err = NULL;
	int rc;

	domain_def_init(def);
	hush();
	rc = domain_def_parse_file(def, path, &err);
	unhush();
	if (rc)
		fprintf(stderr, "\n  %s: %s\n", rel, err);
	free(err);
	free(path);
	return rc;
}

static int load_str(struct domain_def *def, const char *xml)
{
	char *err = NULL;
	int rc;

	domain_def_init(def);
	hush();
	rc = domain_def_parse(def, xml, strlen(xml), &err);
	unhush();
	free(err);
	return rc;
}

static char *xenlaunch_line(const struct domain_def *def, char **err)
{
	struct strv av;
	char *s;

	*err = NULL;
	hush();
	if (domain_to_xenlaunch_argv(def, "xenlaunch", "/run/xvirsh", &av, err)) {
		unhush();
		return NULL;
	}
	unhush();
	s = strv_to_shell(&av);
	strv_dispose(&av);
	return s;
}

static void test_basic_pv_argv(void)
{
	struct domain_def def;
	char *err, *line;

	CU_ASSERT_EQUAL_FATAL(load(&def, "libxlxml2domconfigdata/basic-pv.xml"), 0);
	line = xenlaunch_line(&def, &err);
	CU_ASSERT_PTR_NULL(err);
	/* Agrees with basic-pv.json: name, uuid, max_memkb 524288, 4 vcpus, pygrub, xvda, mac, bridge, vnc. */
	/* No <console>: no serial line. VNC on every address,
	 * autoport: any free display. */
	CU_ASSERT_STRING_EQUAL(line, "xenlaunch -name test-pv -uuid 039e9ee6-4a84-3055-4c81-8ba426ae2656 -M xenpv "
				     "-m 512 -smp 4 -bootloader pygrub -serial none "
				     "-monitor unix:/run/xvirsh/test-pv.monitor,server,nowait "
				     "-drive file=/var/lib/xen/images/test-pv.img,index=0,media=disk,readonly=off,"
				     "cache=writeback,discard=unmap "
				     "-nic tap,br=br0,mac=00:16:3e:3e:86:60 -vnc :0,to=100");
	free(line);
	free(err);
	domain_def_dispose(&def);
}

static void test_pv_kernel_argv(void)
{
	struct domain_def def;
	char *err, *line;

	CU_ASSERT_EQUAL_FATAL(load(&def, "xlconfigdata/test-paravirt-type.xml"), 0);
	line = xenlaunch_line(&def, &err);
	CU_ASSERT_STRING_EQUAL(line, "xenlaunch -name XenGuest2 -uuid c7a5fdb2-cdaf-9455-926a-d65c16db1809 -M xenpv "
				     "-m 394 -smp 1 -kernel /tmp/vmlinuz -initrd /tmp/initrd "
				     "-append 'root=/dev/xvda1 console=hvc0' -serial pty "
				     "-monitor unix:/run/xvirsh/XenGuest2.monitor,server,nowait");
	free(line);
	free(err);
	domain_def_dispose(&def);
}

static void test_serials_and_no_reboot(void)
{
	struct domain_def def;
	char *err, *line;

	CU_ASSERT_EQUAL_FATAL(load_str(&def, "<domain type='xen'><name>s</name>"
					     "<uuid>0d3e7868-28e3-47f7-8d41-5d8c322e24d5</uuid><memory unit='MiB'>64</memory>"
					     "<os><type>xen</type><kernel>/k,1</kernel></os><on_reboot>destroy</on_reboot>"
					     "<devices><console type='unix'><source mode='bind' path='/run/s,.sock'/>"
					     "<target type='xen'/></console>"
					     "<interface type='ethernet'><target dev='vif9'/><script path='/bin/true'/>"
					     "<model type='netfront'/><driver queues='2'/></interface>"
					     "<disk type='block' device='cdrom'><source dev='/dev/sr0'/>"
					     "<target dev='xvdc'/><readonly/></disk><graphics type='sdl'/>"
					     "<graphics type='vnc' port='5903' autoport='no' listen='127.0.0.1' keymap='de'/>"
					     "</devices></domain>"),
			      0);
	line = xenlaunch_line(&def, &err);
	CU_ASSERT_PTR_NULL(err);
	CU_ASSERT_STRING_EQUAL(line, "xenlaunch -name s -uuid 0d3e7868-28e3-47f7-8d41-5d8c322e24d5 -M xenpv -m 64 "
				     "-smp 1 -kernel /k,1 -serial unix:/run/s,,.sock,server,nowait "
				     "-monitor unix:/run/xvirsh/s.monitor,server,nowait -no-reboot "
				     "-drive file=/dev/sr0,index=2,media=cdrom,readonly=on,cache=writeback,discard=unmap "
				     "-nic tap,ifname=vif9,script=/bin/true,queues=2 -vnc 127.0.0.1:3 -sdl -k de");
	free(line);
	free(err);
	domain_def_dispose(&def);
}

static void test_refusals(void)
{
	static const struct {
		const char *xml, *msg;
	} cases[] = {
		{ "<domain type='kvm'><name>a</name><os><type>hvm</type></os></domain>",
		  "domain type 'kvm' is not a Xen guest; use qemu-argv" },
		{ "<domain type='xen'><name>a</name><os><type>linux</type></os><devices>"
		  "<hostdev mode='subsystem' type='pci'/></devices></domain>",
		  "element 'devices/hostdev' is not supported by xenlaunch" },
		{ "<domain type='xen'><name>a</name><os><type>linux</type></os><devices><interface type='network'>"
		  "<source network='default'/></interface></devices></domain>",
		  "interface type 'network' is not supported by xenlaunch" },
		{ "<domain type='xen'><name>a</name><os><type>linux</type></os><devices><graphics type='spice'/>"
		  "</devices></domain>",
		  "graphics type 'spice' is not supported by xenlaunch" },
		{ "<domain type='xen'><name>a</name><os><type>linux</type></os><devices><disk type='network'>"
		  "<source protocol='rbd' name='p/i'/><target dev='xvda'/></disk></devices></domain>",
		  "element 'devices/disk/source' is not supported by xenlaunch" },
		{ "<domain type='xen'><name>a</name><os><type>linux</type></os><bootloader_args>-q</bootloader_args>"
		  "</domain>",
		  "element 'bootloader_args' needs a 'bootloader'" },
		{ "<domain type='xen'><name>a</name><os><type>exe</type></os></domain>",
		  "os type 'exe' is not supported by xenlaunch" },
		{ "<domain type='xen'><name>a</name><os><type>linux</type></os><devices><serial type='spicevmc'/>"
		  "</devices></domain>",
		  "serial type 'spicevmc' is not supported by xenlaunch" },
		/* What launch_config has no place for is refused by name, never dropped. */
		{ "<domain type='xen'><name>a</name><os><type>linux</type></os><devices>"
		  "<console type='file'><source path='/l'/><target type='xen'/></console>"
		  "<console type='pty'/></devices></domain>",
		  "a second console is not supported by xenlaunch (one serial line)" },
		{ "<domain type='xen'><name>a</name><os><type>linux</type></os><devices><graphics type='sdl' "
		  "fullscreen='yes'/></devices></domain>",
		  "graphics sdl fullscreen='yes' is not supported by xenlaunch" },
		{ "<domain type='xen'><name>a</name><os><type>linux</type></os><devices><interface type='bridge'>"
		  "<source bridge='br0'/><ip address='10.0.0.2'/></interface></devices></domain>",
		  "interface element 'ip' (10.0.0.2) is not supported by xenlaunch" },
		{ "<domain type='xen'><name>a</name><os><type>linux</type><boot dev='hd'/></os></domain>",
		  "element 'os/boot' is not supported by xenlaunch (a PV guest boots its kernel or bootloader)" },
		{ "<domain type='xen'><name>a</name><os><type>linux</type></os><features><pae/></features></domain>",
		  "element 'features/pae' is not supported by xenlaunch" },
		{ "<domain type='xen'><name>a</name><os><type>linux</type></os><devices><input type='tablet' "
		  "bus='usb'/></devices></domain>",
		  "input type 'tablet' bus 'usb' is not supported by xenlaunch" },
		/* Values go through the launcher's own option parsers, in their words. */
		{ "<domain type='xen'><name>a</name><os><type>linux</type></os><devices><disk type='file'>"
		  "<source file='/i'/><target dev='xvdu'/></disk></devices></domain>",
		  "disk xvdu: index=20: expected 0 to 15" },
		{ "<domain type='xen'><name>a</name><os><type>linux</type></os><devices><disk type='file'>"
		  "<driver name='qemu' type='bochs'/><source file='/i'/><target dev='xvda'/></disk></devices></domain>",
		  "disk xvda: format bochs is not supported (raw, qcow2, qcow, qed, vmdk, vdi, vhdx, vpc)" },
		{ "<domain type='xen'><name>a</name><os><type>linux</type></os><devices><interface type='bridge'>"
		  "<source bridge='br0'/><model type='e1000'/></interface></devices></domain>",
		  "interface 0: model=e1000 is not supported: -M xenpv has Xen PV NICs only (model=xen-net-device)" },
		/* And how the options fit together is the launcher's call. */
		{ "<domain type='xen'><name>a</name><os><type>linux</type></os></domain>",
		  "xenlaunch: -M xenpv needs -kernel or -bootloader with a disk" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct domain_def def;
		char *err, *line;

		CU_ASSERT_EQUAL_FATAL(load_str(&def, cases[i].xml), 0);
		line = xenlaunch_line(&def, &err);
		CU_ASSERT_PTR_NULL(line);
		CU_ASSERT_PTR_NOT_NULL_FATAL(err);
		if (strcmp(err, cases[i].msg))
			fprintf(stderr, "\n  case %zu: %s\n", i, err);
		CU_ASSERT_STRING_EQUAL(err, cases[i].msg);
		free(err);
		free(line);
		domain_def_dispose(&def);
	}
}

static void test_qemu_argv(void)
{
	struct domain_def def;
	struct strv av;
	char *err = NULL, *line;

	CU_ASSERT_EQUAL_FATAL(load_str(&def, "<domain type='kvm'><name>k</name>"
					     "<uuid>45b60f51-88a9-47a8-a3b3-5e66d71b2283</uuid>"
					     "<memory unit='GiB'>1</memory><vcpu>2</vcpu>"
					     "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/>"
					     "<boot dev='cdrom'/></os><devices>"
					     "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
					     "<source file='/img/k.qcow2'/><target dev='vda' bus='virtio'/></disk>"
					     "<interface type='bridge'><mac address='52:54:00:00:00:01'/>"
					     "<source bridge='br0'/><model type='virtio'/></interface>"
					     "<serial type='pty'><target port='0'/></serial>"
					     "<console type='pty'><target type='serial' port='0'/></console>"
					     "<graphics type='vnc' port='5901' autoport='no' listen='127.0.0.1'/>"
					     "<video><model type='vga'/></video></devices></domain>"),
			      0);
	CU_ASSERT_EQUAL_FATAL(domain_to_qemu_argv(&def, NULL, &av, &err), 0);
	line = strv_to_shell(&av);
	CU_ASSERT_STRING_EQUAL(line, "/usr/bin/qemu-system-x86_64 -name guest=k -machine pc,accel=kvm "
				     "-uuid 45b60f51-88a9-47a8-a3b3-5e66d71b2283 -m 1024 -smp 2 -boot order=cd "
				     "-drive file=/img/k.qcow2,if=virtio,index=0,media=disk,format=qcow2 "
				     "-nic bridge,br=br0,mac=52:54:00:00:00:01,model=virtio -serial pty "
				     "-vnc 127.0.0.1:1 -vga std");
	free(line);
	strv_dispose(&av);
	domain_def_dispose(&def);

	CU_ASSERT_EQUAL_FATAL(load(&def, "libxlxml2domconfigdata/basic-pv.xml"), 0);
	CU_ASSERT_EQUAL(domain_to_qemu_argv(&def, NULL, &av, &err), -ENOTSUP);
	CU_ASSERT_STRING_EQUAL(err, "domain type 'xen' is not a KVM or QEMU guest");
	free(err);
	domain_def_dispose(&def);
}

static void test_shell_split(void)
{
	struct strv sv;
	char *err = NULL;

	strv_init(&sv);
	CU_ASSERT_EQUAL_FATAL(shell_split("LC_ALL=C PATH=/bin xenlaunch -name 'a b' \\\n -append \"x=\\\"1\\\" y\""
					  " # comment\n-m 64",
					  &sv, &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(sv.n, 7);
	CU_ASSERT_STRING_EQUAL(sv.v[0], "xenlaunch");
	CU_ASSERT_STRING_EQUAL(sv.v[2], "a b");
	CU_ASSERT_STRING_EQUAL(sv.v[4], "x=\"1\" y");
	CU_ASSERT_STRING_EQUAL(sv.v[6], "64");
	CU_ASSERT_PTR_NULL(sv.v[7]);
	strv_dispose(&sv);
	CU_ASSERT_EQUAL(shell_split("xenlaunch -name 'oops", &sv, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "unterminated quote in command line");
	free(err);
	strv_dispose(&sv);
}

static int from_argv_line(struct domain_def *def, const char *line, char **err)
{
	struct strv sv;
	int rc;

	strv_init(&sv);
	domain_def_init(def);
	*err = NULL;
	rc = shell_split(line, &sv, err);
	if (!rc)
		rc = domain_from_xenlaunch_argv(def, sv.n, sv.v, err);
	strv_dispose(&sv);
	return rc;
}

static void test_from_xenlaunch_argv(void)
{
	struct domain_def def;
	char *err = NULL, *x, *schema = xml_util_schema_path("domain.rng");

	/* The command line of DESIGN.md, read by the launcher's parser and described as the launcher does. */
	CU_ASSERT_EQUAL_FATAL(from_argv_line(&def, "xenlaunch -name demo -uuid 5e1b7a84-5d6c-4d4e-9d3c-0d6f3f1ab001 "
						   "-M xenpv -hda /var/lib/xen/images/demo.img "
						   "-m 500 -kernel /root/vmlinuz -initrd /root/initrd.img "
						   "-append \"console=hvc0\" -serial pty -vnc 0.0.0.0:1 -daemonize "
						   "-pidfile /run/d.pid -monitor unix:/run/d.sock,server,nowait",
					      &err),
			      0);
	x = domain_def_format(&def);
	CU_ASSERT_STRING_EQUAL(x, "<domain type='xen'>\n"
				  "  <name>demo</name>\n"
				  "  <uuid>5e1b7a84-5d6c-4d4e-9d3c-0d6f3f1ab001</uuid>\n"
				  "  <memory unit='KiB'>512000</memory>\n"
				  "  <currentMemory unit='KiB'>512000</currentMemory>\n"
				  "  <vcpu>1</vcpu>\n"
				  "  <os>\n"
				  "    <type arch='x86_64' machine='xenpv'>linux</type>\n"
				  "    <kernel>/root/vmlinuz</kernel>\n"
				  "    <initrd>/root/initrd.img</initrd>\n"
				  "    <cmdline>console=hvc0</cmdline>\n"
				  "  </os>\n"
				  "  <on_poweroff>destroy</on_poweroff>\n"
				  "  <on_reboot>restart</on_reboot>\n"
				  "  <on_crash>destroy</on_crash>\n"
				  "  <devices>\n"
				  "    <disk type='file' device='disk'>\n"
				  "      <driver name='qemu' type='raw' cache='writeback' discard='unmap'/>\n"
				  "      <source file='/var/lib/xen/images/demo.img'/>\n"
				  "      <target dev='xvda' bus='xen'/>\n"
				  "    </disk>\n"
				  "    <console type='pty'>\n"
				  "      <target type='xen' port='0'/>\n"
				  "    </console>\n"
				  "    <input type='mouse' bus='xen'/>\n"
				  "    <input type='keyboard' bus='xen'/>\n"
				  "    <graphics type='vnc' port='5901' autoport='no' listen='0.0.0.0'>\n"
				  "      <listen type='address' address='0.0.0.0'/>\n"
				  "    </graphics>\n"
				  "    <video>\n"
				  "      <model type='xen' primary='yes'/>\n"
				  "    </video>\n"
				  "  </devices>\n"
				  "</domain>\n");
	CU_ASSERT_EQUAL(xml_util_validate(x, strlen(x), schema, &err), 0);
	free(err);
	err = NULL;
	free(x);
	domain_def_dispose(&def);

	/* Refusals are the launcher's, word for word (tests/unit/test_one_grammar.c has the whole table). */
	CU_ASSERT_EQUAL(from_argv_line(&def, "xenlaunch -name a -usb", &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "xenlaunch: -usb: invalid option");
	free(err);
	domain_def_dispose(&def);
	CU_ASSERT_EQUAL(from_argv_line(&def, "xenlaunch -name a -m 99999999999G", &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "xenlaunch: -m 99999999999G: memory size is above the 1 TiB limit");
	free(err);
	domain_def_dispose(&def);
	CU_ASSERT_EQUAL(from_argv_line(&def, "xenlaunch -help", &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "the command line asks for information, not a guest (-help, -version, -M help)");
	free(err);
	domain_def_dispose(&def);
	free(schema);
}

/* model -> xenlaunch argv -> model keeps what the launcher describes. */
static void test_argv_round_trip(void)
{
	struct domain_def a, b;
	struct strv av;
	char *err = NULL;

	CU_ASSERT_EQUAL_FATAL(load(&a, "libxlxml2domconfigdata/basic-pv.xml"), 0);
	hush();
	if (domain_to_xenlaunch_argv(&a, "xenlaunch", "/run/x", &av, &err))
		fprintf(stderr, "\n  %s\n", err);
	unhush();
	CU_ASSERT_PTR_NULL_FATAL(err);
	domain_def_init(&b);
	CU_ASSERT_EQUAL_FATAL(domain_from_xenlaunch_argv(&b, av.n, av.v, &err), 0);
	CU_ASSERT_STRING_EQUAL(b.name, a.name);
	CU_ASSERT_STRING_EQUAL(b.uuid, a.uuid);
	CU_ASSERT_EQUAL(b.memory_kib, a.memory_kib);
	CU_ASSERT_EQUAL(b.vcpus, a.vcpus);
	CU_ASSERT_STRING_EQUAL(b.os_type, "linux");
	CU_ASSERT_STRING_EQUAL(b.bootloader, "pygrub");
	CU_ASSERT_EQUAL(b.n_chardevs, 0);
	CU_ASSERT_EQUAL(b.n_disks, a.n_disks);
	for (size_t i = 0; i < a.n_disks && i < b.n_disks; i++) {
		CU_ASSERT_STRING_EQUAL(b.disks[i].source, a.disks[i].source);
		CU_ASSERT_STRING_EQUAL(b.disks[i].target_dev, a.disks[i].target_dev);
	}
	CU_ASSERT_EQUAL(b.n_interfaces, a.n_interfaces);
	for (size_t i = 0; i < a.n_interfaces && i < b.n_interfaces; i++) {
		CU_ASSERT_STRING_EQUAL(b.interfaces[i].mac, a.interfaces[i].mac);
		CU_ASSERT_STRING_EQUAL(b.interfaces[i].source_bridge, a.interfaces[i].source_bridge);
	}
	strv_dispose(&av);
	domain_def_dispose(&a);
	domain_def_dispose(&b);
}

#define STR_EQ_OR_NULL(x, y) CU_ASSERT(((x) == NULL && (y) == NULL) || ((x) && (y) && !strcmp((x), (y))))

/* The fields the issue names: what two models of one guest must agree on. */
static void assert_same_guest(const struct domain_def *a, const struct domain_def *b, const char *what)
{
	unsigned fails = CU_get_number_of_failures();
	size_t sa = 0, sb = 0;

	CU_ASSERT_STRING_EQUAL(a->name, b->name);
	STR_EQ_OR_NULL(a->uuid, b->uuid);
	CU_ASSERT_EQUAL(a->memory_kib, b->memory_kib);
	CU_ASSERT_EQUAL(a->current_memory_kib ? a->current_memory_kib : a->memory_kib,
			b->current_memory_kib ? b->current_memory_kib : b->memory_kib);
	CU_ASSERT_EQUAL(a->vcpus, b->vcpus);
	CU_ASSERT_EQUAL(a->vcpus_current, b->vcpus_current);
	CU_ASSERT_STRING_EQUAL(a->os_type, b->os_type);
	STR_EQ_OR_NULL(a->kernel, b->kernel);
	STR_EQ_OR_NULL(a->initrd, b->initrd);
	STR_EQ_OR_NULL(a->cmdline, b->cmdline);
	STR_EQ_OR_NULL(a->bootloader, b->bootloader);
	CU_ASSERT_EQUAL_FATAL(a->n_disks, b->n_disks);
	for (size_t i = 0; i < a->n_disks; i++) {
		STR_EQ_OR_NULL(a->disks[i].source, b->disks[i].source);
		CU_ASSERT_STRING_EQUAL(a->disks[i].target_dev, b->disks[i].target_dev);
		CU_ASSERT_EQUAL(a->disks[i].readonly, b->disks[i].readonly);
		STR_EQ_OR_NULL(a->disks[i].driver_type ? a->disks[i].driver_type : "raw",
			       b->disks[i].driver_type ? b->disks[i].driver_type : "raw");
	}
	CU_ASSERT_EQUAL_FATAL(a->n_interfaces, b->n_interfaces);
	for (size_t i = 0; i < a->n_interfaces; i++) {
		STR_EQ_OR_NULL(a->interfaces[i].mac, b->interfaces[i].mac);
		STR_EQ_OR_NULL(a->interfaces[i].source_bridge, b->interfaces[i].source_bridge);
		STR_EQ_OR_NULL(a->interfaces[i].script, b->interfaces[i].script);
		STR_EQ_OR_NULL(a->interfaces[i].model, b->interfaces[i].model);
	}
	for (size_t i = 0; i < a->n_chardevs; i++)
		sa += a->chardevs[i].kind == DOMAIN_CHARDEV_SERIAL;
	for (size_t i = 0; i < b->n_chardevs; i++)
		sb += b->chardevs[i].kind == DOMAIN_CHARDEV_SERIAL;
	CU_ASSERT_EQUAL(sa, sb);
	CU_ASSERT_EQUAL_FATAL(a->n_graphics, b->n_graphics);
	for (size_t i = 0; i < a->n_graphics; i++) {
		CU_ASSERT_STRING_EQUAL(a->graphics[i].type, b->graphics[i].type);
		STR_EQ_OR_NULL(a->graphics[i].listen, b->graphics[i].listen);
		STR_EQ_OR_NULL(a->graphics[i].passwd, b->graphics[i].passwd);
	}
	if (CU_get_number_of_failures() != fails)
		fprintf(stderr, "\n  (in %s)\n", what);
}

/*
 * For each pair of libvirt's xlconfigdata or xmconfigdata: the config we
 * write from the XML reads back as the same guest as libvirt's .cfg, and
 * libvirt's .cfg read by domxml-from-native is the same guest as the XML.
 * What we do not translate is refused by name, in either direction, as
 * our gap ("not supported by xvirsh yet").
 */
#define XL_AGREED 14
#define XM_AGREED 21
#define XM_PAIRS 27

/*
 * libvirt tests these xm pairs one way only (XML -> cfg): the .cfg says
 * type=ioemu without the XML's model='e1000', and another device_model.
 */
static const char *const one_way[] = { "test-fullvirt-new-cdrom.xml", "test-fullvirt-old-cdrom.xml", NULL };

static void config_pairs(const char *sub, enum xen_cfg_format fmt, unsigned counts[3])
{
	char *dir = testdata_path(sub);
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, alphasort);

	CU_ASSERT_FATAL(n > 0);
	hush();
	for (int i = 0; i < n; i++) {
		const char *f = ents[i]->d_name;
		size_t l = strlen(f);
		char rel[300], *cfgpath = NULL, *cfgtext = NULL, *ours = NULL, *err = NULL;
		size_t cfglen = 0;
		struct domain_def x, fromcfg, fromours;
		int rc;

		snprintf(rel, sizeof(rel), "%s/%s", sub, f);
		cfgpath = testdata_path(rel);
		strcpy(cfgpath + strlen(cfgpath) - 4, ".cfg");
		if (l < 5 || strcmp(f + l - 4, ".xml") || access(cfgpath, R_OK)) {
			free(cfgpath);
			free(ents[i]);
			continue;
		}
		domain_def_init(&fromcfg);
		domain_def_init(&fromours);
		CU_ASSERT_EQUAL_FATAL(load(&x, rel), 0);
		hush();
		CU_ASSERT_EQUAL_FATAL(xml_util_read_file(cfgpath, &cfgtext, &cfglen, &err), 0);
		if (domain_to_xen_cfg(&x, fmt, 0, &ours, &err)) {
			/* Refused: the message names the element or setting, and the gap is ours. */
			CU_ASSERT(strstr(err, "is not supported by xvirsh yet") != NULL);
			if (getenv("UNIT_VERBOSE"))
				fprintf(stderr, "\n  %s: %s", f, err);
			counts[1]++;
		} else if ((rc = domain_from_xen_cfg(&fromcfg, cfgtext, cfglen, fmt, 0, &err))) {
			CU_ASSERT(strstr(err, "is not supported by xvirsh yet") != NULL);
			if (getenv("UNIT_VERBOSE") || !strstr(err, "xvirsh yet"))
				fprintf(stderr, "\n  %s (cfg): %s", f, err);
			counts[2]++;
		} else {
			CU_ASSERT_EQUAL_FATAL(domain_from_xen_cfg(&fromours, ours, strlen(ours), fmt, 0, &err), 0);
			CU_ASSERT_PTR_NULL_FATAL(err);
			bool one = false;

			for (size_t k = 0; one_way[k]; k++)
				one |= !strcmp(one_way[k], f);
			assert_same_guest(&x, &fromours, f);
			if (!one) {
				assert_same_guest(&fromcfg, &fromours, f);
				assert_same_guest(&x, &fromcfg, f);
			}
			counts[0]++;
		}
		free(err);
		free(ours);
		free(cfgtext);
		free(cfgpath);
		domain_def_dispose(&x);
		domain_def_dispose(&fromcfg);
		domain_def_dispose(&fromours);
		free(ents[i]);
	}
	unhush();
	free(ents);
	free(dir);
}

static void test_xlconfigdata_pairs(void)
{
	unsigned counts[3] = { 0 };

	config_pairs("xlconfigdata", XEN_CFG_XL, counts);
	if (getenv("UNIT_VERBOSE"))
		fprintf(stderr, "\n  xl: %u agree, %u XML refused, %u cfg refused\n", counts[0], counts[1], counts[2]);
	/* 31 pairs; the refused use <cpu>, timers, PCI/USB passthrough, rbd, spice, channels, vnuma... */
	CU_ASSERT_EQUAL(counts[0], XL_AGREED);
	CU_ASSERT_EQUAL(counts[1] + counts[2], 31 - XL_AGREED);
}

/* libvirt's xm examples, read and written as domxml-{from,to}-native xen-xm does. */
static void test_xmconfigdata_pairs(void)
{
	unsigned counts[3] = { 0 };

	config_pairs("xmconfigdata", XEN_CFG_XM, counts);
	if (getenv("UNIT_VERBOSE"))
		fprintf(stderr, "\n  xm: %u agree, %u XML refused, %u cfg refused\n", counts[0], counts[1], counts[2]);
	CU_ASSERT_EQUAL(counts[0], XM_AGREED);
	CU_ASSERT_EQUAL(counts[1] + counts[2], XM_PAIRS - XM_AGREED);
}

static void test_xl_cfg_exact(void)
{
	struct domain_def def;
	char *err = NULL, *cfg = NULL;

	CU_ASSERT_EQUAL_FATAL(load(&def, "xlconfigdata/test-paravirt-type.xml"), 0);
	CU_ASSERT_EQUAL_FATAL(domain_to_xl_cfg(&def, &cfg, &err), 0);
	CU_ASSERT_STRING_EQUAL(cfg, "name = \"XenGuest2\"\n"
				    "uuid = \"c7a5fdb2-cdaf-9455-926a-d65c16db1809\"\n"
				    "type = \"pv\"\n"
				    "maxmem = 579\n"
				    "memory = 394\n"
				    "vcpus = 1\n"
				    "localtime = 0\n"
				    "on_poweroff = \"destroy\"\n"
				    "on_reboot = \"restart\"\n"
				    "on_crash = \"restart\"\n"
				    "kernel = \"/tmp/vmlinuz\"\n"
				    "ramdisk = \"/tmp/initrd\"\n"
				    "cmdline = \"root=/dev/xvda1 console=hvc0\"\n");
	free(cfg);
	domain_def_dispose(&def);
}

/* xl's disk syntax allows blanks around the commas, as xl.cfg examples write it. */
static void test_xl_disk_blanks(void)
{
	static const char cfg[] = "name = \"b\"\nkernel = \"/k\"\n"
				  "disk = [ \"format=raw, vdev=xvdb, access=ro, target=/img/a b.raw\" ]\n";
	struct domain_def def;
	char *err = NULL;

	domain_def_init(&def);
	hush();
	CU_ASSERT_EQUAL_FATAL(domain_from_xl_cfg(&def, cfg, strlen(cfg), &err), 0);
	unhush();
	CU_ASSERT_EQUAL_FATAL(def.n_disks, 1);
	CU_ASSERT_STRING_EQUAL(def.disks[0].target_dev, "xvdb");
	CU_ASSERT_STRING_EQUAL(def.disks[0].source, "/img/a b.raw");
	CU_ASSERT_STRING_EQUAL(def.disks[0].driver_type, "raw");
	CU_ASSERT_TRUE(def.disks[0].readonly);
	free(err);
	domain_def_dispose(&def);
}

static void test_xl_cfg_hostile(void)
{
	static const struct {
		const char *cfg, *msg;
	} cases[] = {
		{ "name = \"a", "xl.cfg line 1: unterminated string" },
		{ "name \"a\"", "xl.cfg line 1: expected '=' after 'name'" },
		{ "\n\ndisk = [ \"a,raw,xvda,w\"", "xl.cfg line 3: unterminated list 'disk'" },
		{ "memory = 99999999999999999999", "xl.cfg: invalid value '99999999999999999999' for 'memory'" },
		{ "memory = -5", "xl.cfg: invalid value '-5' for 'memory'" },
		{ "memory = ", "xl.cfg line 1: expected a value" },
		{ "memory = 64", "xl.cfg: missing 'name'" },
		{ "name = \"a\"\ntype = \"weird\"", "xl.cfg: unknown guest type 'weird'" },
		{ "name = [ \"a\" ]", "xl.cfg: 'name' must be a string" },
		{ "name = \"a\" junk", "xl.cfg line 1: unexpected text after 'name'" },
		{ "name = \"a\"\nv = [[[[[[[[[[1]]]]]]]]]]", "xl.cfg line 2: lists nested too deep" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct domain_def def;
		char *err = NULL;

		domain_def_init(&def);
		CU_ASSERT(domain_from_xl_cfg(&def, cases[i].cfg, strlen(cases[i].cfg), &err) < 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(err);
		if (strcmp(err, cases[i].msg))
			fprintf(stderr, "\n  case %zu: %s\n", i, err);
		CU_ASSERT_STRING_EQUAL(err, cases[i].msg);
		free(err);
		domain_def_dispose(&def);
	}
}

/*
 * Runs a translated QEMU command line the way xvirsh start does, stopped
 * (-S): QEMU checks every option and builds the machine and its devices
 * before it daemonizes, so exit status 0 means the line was accepted.
 * Returns QEMU's exit status; the daemon it left is ended here.
 */
static int run_qemu_stopped(struct strv *av, const char *pidfile)
{
	pid_t pid, daemon = 0;
	int status = -1;
	FILE *f;

	if (strv_add(av, "-S") || strv_add(av, "-daemonize") || strv_add(av, "-pidfile") ||
	    strv_add(av, pidfile) || strv_add(av, "-monitor") || strv_add(av, "none"))
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execv(av->v[0], av->v);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	f = fopen(pidfile, "r");
	if (f) {
		if (fscanf(f, "%d", &daemon) == 1 && daemon > 1) {
			kill(daemon, SIGTERM);
			for (int i = 0; i < 100 && kill(daemon, 0) == 0; i++)
				usleep(20 * 1000);
		}
		fclose(f);
	}
	unlink(pidfile);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Debian's qemu-system-x86_64 (scripts/install-deps) takes the translated line; TCG, no KVM needed. */
static void test_qemu_accepts_argv(void)
{
	char img[] = "/tmp/qemu-argv-XXXXXX", iso[] = "/tmp/qemu-argv-XXXXXX", pidfile[64], *xml, *err = NULL;
	struct domain_def def;
	struct strv av;
	int fd = mkstemp(img), fd2 = mkstemp(iso);

	/* Two files: QEMU locks a writable image against any second user. */
	CU_ASSERT_FATAL(fd >= 0 && fd2 >= 0);
	CU_ASSERT_EQUAL(ftruncate(fd, 1 << 20), 0);
	close(fd);
	close(fd2);
	snprintf(pidfile, sizeof(pidfile), "/tmp/qemu-argv-%d.pid", (int)getpid());
	if (access("/usr/bin/qemu-system-x86_64", X_OK)) {
		CU_FAIL("/usr/bin/qemu-system-x86_64 is missing: scripts/install-deps installs qemu-system-x86");
		unlink(img);
		unlink(iso);
		return;
	}
	xml = str_printf("<domain type='qemu'><name>q</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>"
			   "<memory unit='MiB'>64</memory><vcpu current='1'>2</vcpu>"
			   "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/><boot dev='cdrom'/></os>"
			   "<on_reboot>destroy</on_reboot><devices>"
			   "<disk type='file' device='disk'><driver name='qemu' type='raw' cache='writeback' discard='unmap'/>"
			   "<source file='%s'/><target dev='vda' bus='virtio'/></disk>"
			   "<disk type='file' device='cdrom'><source file='%s'/><target dev='hdc' bus='ide'/><readonly/></disk>"
			   "<serial type='pty'/><video><model type='vga'/></video></devices></domain>", img, iso);
	CU_ASSERT_EQUAL_FATAL(load_str(&def, xml), 0);
	CU_ASSERT_EQUAL_FATAL(domain_to_qemu_argv(&def, NULL, &av, &err), 0);
	CU_ASSERT_EQUAL(run_qemu_stopped(&av, pidfile), 0);
	strv_dispose(&av);

	/* The check can fail: a disk QEMU cannot open is refused. */
	free(def.disks[0].source);
	def.disks[0].source = strdup("/nonexistent/disk.img");
	CU_ASSERT_EQUAL_FATAL(domain_to_qemu_argv(&def, NULL, &av, &err), 0);
	CU_ASSERT_NOT_EQUAL(run_qemu_stopped(&av, pidfile), 0);
	strv_dispose(&av);

	domain_def_dispose(&def);
	free(xml);
	free(err);
	unlink(img);
	unlink(iso);
}

static CU_TestInfo tests[] = {
	{ "consoles, tap NIC, cdrom, -no-reboot", test_serials_and_no_reboot },
	{ "unsupported XML is refused by name", test_refusals },
	{ "shell word splitting", test_shell_split },
	{ "xenlaunch argv -> domain XML", test_from_xenlaunch_argv },
	{ "xl.cfg disks with blanks after the commas", test_xl_disk_blanks },
	{ "hostile xl.cfg", test_xl_cfg_hostile },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("domain_argv", tests)

/* The tests that read libvirt's test data. */
static CU_TestInfo libvirt_tests[] = {
	{ "basic-pv.xml -> xenlaunch argv", test_basic_pv_argv },
	{ "PV kernel guest -> xenlaunch argv", test_pv_kernel_argv },
	{ "kvm guest -> qemu argv", test_qemu_argv },
	{ "qemu-system-x86_64 accepts the translated line", test_qemu_accepts_argv },
	{ "model -> argv -> model", test_argv_round_trip },
	{ "xlconfigdata pairs agree both ways", test_xlconfigdata_pairs },
	{ "xmconfigdata pairs agree both ways", test_xmconfigdata_pairs },
	{ "xl.cfg output is exact", test_xl_cfg_exact },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE_LIBVIRT_DATA("domain_argv_libvirt", libvirt_tests)
