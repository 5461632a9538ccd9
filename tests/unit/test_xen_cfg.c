/*
 * tools/domain_argv: Xen's config files, xl.cfg and xm configs. Every disk
 * spelling of xl-disk-configuration(5), and for every setting the model
 * knows: XML -> config -> XML and config -> XML -> config are fixed points,
 * or the command fails naming the setting.
 */
#include "tests/unit/test_xml_common.h"
#include "tests/unit/unit.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/strv.h"
#include "model/domain_xml.h"
#include "model/xml_util.h"
#include "tools/domain_argv.h"

static FILE *quiet;
static void hush(void) { quiet = fopen("/dev/null", "w"); log_set_stream(quiet); }
static void unhush(void) { log_set_stream(NULL); fclose(quiet); }

#define STR_EQ_OR_NULL(x, y) CU_ASSERT(((x) == NULL && (y) == NULL) || ((x) && (y) && !strcmp((x), (y))))

/* Each spelling of one disk, and what it means. NULL fields: absent. */
static const struct {
	const char *spec;
	const char *type, *device, *driver, *format, *source, *dev, *bus;
	int readonly, shareable;
} disks[] = {
	/* xm's positional TARGET,VDEV,ACCESS with its prefixes */
	{ "phy:/dev/vg/guest,xvda,w", "block", "disk", "phy", "raw", "/dev/vg/guest", "xvda", "xen", 0, 0 },
	{ "phy:sda8,hda,w", "block", "disk", "phy", "raw", "/dev/sda8", "hda", "ide", 0, 0 },
	{ "file:/srv/boot.iso,hdc:cdrom,r", "file", "cdrom", "file", "raw", "/srv/boot.iso", "hdc", "ide", 1, 0 },
	{ "tap:aio:/srv/x.img,xvda,w", "file", "disk", "tap", "raw", "/srv/x.img", "xvda", "xen", 0, 0 },
	{ "tap2:aio:/srv/x.img,xvdb,r", "file", "disk", "tap", "raw", "/srv/x.img", "xvdb", "xen", 1, 0 },
	{ "tap:qcow2:/srv/x.qcow2,xvda,w", "file", "disk", "tap", "qcow2", "/srv/x.qcow2", "xvda", "xen", 0, 0 },
	{ "phy:/dev/vg/shared,xvdc,w!", "block", "disk", "phy", "raw", "/dev/vg/shared", "xvdc", "xen", 0, 1 },
	{ "phy:/dev/vg/guest,ioemu:hda,w", "block", "disk", "phy", "raw", "/dev/vg/guest", "hda", "ide", 0, 0 },
	{ ",hdc:cdrom,r", "file", "cdrom", NULL, "raw", NULL, "hdc", "ide", 1, 0 },
	{ "raw:/dev/vg/guest-volume,hda,w", "block", "disk", NULL, "raw", "/dev/vg/guest-volume", "hda", "ide", 0, 0 },
	{ "/srv/a.img,xvda,w", "file", "disk", NULL, "raw", "/srv/a.img", "xvda", "xen", 0, 0 },
	/* xl's positional TARGET,FORMAT,VDEV,ACCESS */
	{ "/dev/vg/guest-volume,,hda", "block", "disk", NULL, "raw", "/dev/vg/guest-volume", "hda", "ide", 0, 0 },
	{ "/dev/vg/guest-volume,raw,hda,rw", "block", "disk", NULL, "raw", "/dev/vg/guest-volume", "hda", "ide", 0, 0 },
	{ "/root/image.iso,,hdc,cdrom", "file", "cdrom", NULL, "raw", "/root/image.iso", "hdc", "ide", 1, 0 },
	{ "/root/image.iso,,hdc,,cdrom", "file", "cdrom", NULL, "raw", "/root/image.iso", "hdc", "ide", 1, 0 },
	{ "/root/image.iso,raw,hdc,devtype=cdrom", "file", "cdrom", NULL, "raw", "/root/image.iso", "hdc", "ide", 1, 0 },
	{ "/img/a.qcow2,qcow2,xvdb,ro", "file", "disk", NULL, "qcow2", "/img/a.qcow2", "xvdb", "xen", 1, 0 },
	{ "/dev/vg/guest,raw,xvda,w,backendtype=phy", "block", "disk", "phy", "raw", "/dev/vg/guest", "xvda", "xen", 0,
	  0 },
	/* key=value, target last and taking the rest */
	{ "format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume", "block", "disk", NULL, "raw",
	  "/dev/vg/guest-volume", "hda", "ide", 0, 0 },
	{ "format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/root/image.iso", "file", "cdrom", NULL, "raw",
	  "/root/image.iso", "hdc", "ide", 1, 0 },
	{ "vdev=xvdb,backendtype=qdisk,format=qcow2,target=/img/a,b c.qcow2", "file", "disk", "qemu", "qcow2",
	  "/img/a,b c.qcow2", "xvdb", "xen", 0, 0 },
	{ "vdev=sda,access=r,backendtype=tap,target=/img/s.vhd,format=vhd", "file", "disk", "tap", "raw",
	  "/img/s.vhd,format=vhd", "sda", "scsi", 1, 0 },
};

static void test_disk_spellings(void)
{
	for (size_t i = 0; i < sizeof(disks) / sizeof(disks[0]); i++) {
		struct domain_disk d = { 0 };
		char *err = NULL;
		unsigned fails = CU_get_number_of_failures();

		CU_ASSERT_EQUAL(xen_disk_parse(&d, disks[i].spec, 0, &err), 0);
		if (err)
			fprintf(stderr, "\n  %s: %s\n", disks[i].spec, err);
		STR_EQ_OR_NULL(d.type, disks[i].type);
		STR_EQ_OR_NULL(d.device, disks[i].device);
		STR_EQ_OR_NULL(d.driver_name, disks[i].driver);
		STR_EQ_OR_NULL(d.driver_type, disks[i].format);
		STR_EQ_OR_NULL(d.source, disks[i].source);
		STR_EQ_OR_NULL(d.target_dev, disks[i].dev);
		STR_EQ_OR_NULL(d.target_bus, disks[i].bus);
		CU_ASSERT_EQUAL(d.readonly, disks[i].readonly);
		CU_ASSERT_EQUAL(d.shareable, disks[i].shareable);
		if (CU_get_number_of_failures() != fails)
			fprintf(stderr, "\n  (disk '%s')\n", disks[i].spec);
		free(err);
		free(d.type);
		free(d.device);
		free(d.driver_name);
		free(d.driver_type);
		free(d.driver_discard);
		free(d.source);
		free(d.target_dev);
		free(d.target_bus);
	}
}

/* Spellings refused, with the words of the refusal. */
static void test_disk_refusals(void)
{
	static const struct {
		const char *spec, *msg;
	} cases[] = {
		{ "phy:/dev/vg/guest,w", "disk 'phy:/dev/vg/guest,w': invalid vdev 'w' (xvdN, hdN, sdN)" },
		{ "/dev/vg/guest,raw", "disk '/dev/vg/guest,raw' has no vdev" },
		{ "/x,raw,xvda,rw,extra", "disk '/x,raw,xvda,rw,extra': too many positional parameters" },
		{ "/x,vmdk,xvda,rw", "disk '/x,vmdk,xvda,rw': unknown format 'vmdk' (raw, qcow, qcow2, vhd, qed)" },
		{ "/x,raw,xvda,rx", "disk '/x,raw,xvda,rx': unknown access 'rx' (r, ro, w, rw, w!)" },
		{ "phy:/x,hdc:floppy,r", "disk 'phy:/x,hdc:floppy,r': unknown device type 'floppy'" },
		{ "vdev=xvda,vdev=xvdb,target=/x", "disk 'vdev=xvda,vdev=xvdb,target=/x': 'vdev' given twice" },
		{ "vdev=xvda,backendtype=nbd,target=/x", "disk 'vdev=xvda,backendtype=nbd,target=/x': unknown backendtype "
							  "'nbd' (phy, tap, qdisk)" },
		{ "vdev=xvda,script=block-iscsi,target=iqn", "disk setting 'script' is not supported by xvirsh yet" },
		{ "vdev=xvda,direct-io-safe,target=/x", "disk setting 'direct-io-safe' is not supported by xvirsh yet" },
		{ "iscsi:iqn.2001-04.com.example:disk,xvda,w", "disk script prefix 'iscsi:' is not supported by xvirsh yet" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct domain_disk d = { 0 };
		char *err = NULL;

		CU_ASSERT(xen_disk_parse(&d, cases[i].spec, 0, &err) < 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(err);
		if (strcmp(err, cases[i].msg))
			fprintf(stderr, "\n  case %zu: %s\n", i, err);
		CU_ASSERT_STRING_EQUAL(err, cases[i].msg);
		free(err);
		free(d.type);
		free(d.device);
		free(d.driver_name);
		free(d.driver_type);
		free(d.source);
		free(d.target_dev);
		free(d.target_bus);
	}
}

/*
 * The settings the model knows, each in the canonical XML our reader
 * writes, placed into a PV or an HVM guest: os, features, clock and
 * devices fragments. `line` is what the config must say for it (for xl,
 * and for xm when xm_line is NULL); `refused` the words of a refusal
 * instead ("" when both formats translate it).
 */
struct setting {
	const char *what;
	bool hvm;
	const char *os, *features, *clock, *devices;
	const char *xl_line, *xm_line, *refused, *xm_refused;
};

static const struct setting settings[] = {
	{ "PV kernel, ramdisk, cmdline", false, "<kernel>/k</kernel>\n    <initrd>/i</initrd>\n    <cmdline>root=/dev/xvda1 ro</cmdline>",
	  NULL, NULL, NULL, "cmdline = \"root=/dev/xvda1 ro\"", NULL, NULL, NULL },
	{ "PV bootloader", false, NULL, NULL, NULL, NULL, "bootloader = \"pygrub\"", NULL, NULL, NULL },
	{ "PV pae", false, "<kernel>/k</kernel>", "<pae/>", NULL, NULL, "pae = 1", NULL, NULL, NULL },
	{ "hap off", false, "<kernel>/k</kernel>", "<hap state='off'/>", NULL, NULL, "hap = 0", NULL, NULL, NULL },
	{ "hap on", true, NULL, "<pae/>\n    <acpi/>\n    <apic/>\n    <hap/>", NULL, NULL, "hap = 1", NULL, NULL, NULL },
	{ "acpi off", true, NULL, "<pae/>\n    <apic/>", NULL, NULL, "acpi = 0", NULL, NULL, NULL },
	{ "viridian", true, NULL, "<pae/>\n    <acpi/>\n    <apic/>\n    <viridian/>", NULL, NULL, "viridian = 1", NULL,
	  NULL, NULL },
	{ "clock localtime", false, "<kernel>/k</kernel>", NULL, "offset='localtime'", NULL, "localtime = 1", NULL, NULL,
	  NULL },
	{ "clock adjustment", true, NULL, NULL, "offset='localtime' adjustment='3600'", NULL,
	  "localtime = 1\nrtc_timeoffset = 3600", NULL, NULL, NULL },
	{ "clock utc adjustment", true, NULL, NULL, "offset='utc' adjustment='-60'", NULL, "rtc_timeoffset = -60", NULL,
	  NULL, NULL },
	{ "HVM loader", true, "<loader>/usr/lib/xen/boot/hvmloader</loader>", NULL, NULL, NULL,
	  "firmware_override = \"/usr/lib/xen/boot/hvmloader\"", "kernel = \"/usr/lib/xen/boot/hvmloader\"", NULL, NULL },
	{ "HVM boot order", true, "<boot dev='cdrom'/>\n    <boot dev='hd'/>\n    <boot dev='network'/>", NULL, NULL, NULL,
	  "boot = \"dcn\"", NULL, NULL, NULL },
	{ "phy disk", false, NULL, NULL, NULL,
	  "<disk type='block' device='disk'>\n      <driver name='phy' type='raw'/>\n      <source dev='/dev/vg/g'/>\n"
	  "      <target dev='xvda' bus='xen'/>\n    </disk>",
	  "format=raw,vdev=xvda,access=rw,backendtype=phy,target=/dev/vg/g", "phy:/dev/vg/g,xvda,w", NULL, NULL },
	{ "qcow2 disk", false, NULL, NULL, NULL,
	  "<disk type='file' device='disk'>\n      <driver name='qemu' type='qcow2'/>\n      <source file='/i/a.qcow2'/>\n"
	  "      <target dev='xvdb' bus='xen'/>\n    </disk>",
	  "format=qcow2,vdev=xvdb,access=rw,backendtype=qdisk,target=/i/a.qcow2", NULL, NULL,
	  "disk driver 'qemu' (xvdb) in an xm config" },
	{ "tap disk", false, NULL, NULL, NULL,
	  "<disk type='file' device='disk'>\n      <driver name='tap' type='raw'/>\n      <source file='/i/a.img'/>\n"
	  "      <target dev='xvdb' bus='xen'/>\n      <readonly/>\n    </disk>",
	  "format=raw,vdev=xvdb,access=ro,backendtype=tap,target=/i/a.img", "tap:aio:/i/a.img,xvdb,r", NULL, NULL },
	{ "HVM CD-ROM", true, NULL, NULL, NULL,
	  "<disk type='file' device='cdrom'>\n      <driver name='file' type='raw'/>\n      <source file='/r/b.iso'/>\n"
	  "      <target dev='hdc' bus='ide'/>\n      <readonly/>\n    </disk>",
	  "file:/r/b.iso,hdc:cdrom,r", NULL, NULL, NULL },
	{ "empty CD-ROM", true, NULL, NULL, NULL,
	  "<disk type='file' device='cdrom'>\n      <driver type='raw'/>\n      <target dev='hdc' bus='ide'/>\n"
	  "      <readonly/>\n    </disk>",
	  "format=raw,vdev=hdc,access=ro,devtype=cdrom", ",hdc:cdrom,r", NULL, NULL },
	{ "shareable disk", false, NULL, NULL, NULL,
	  "<disk type='block' device='disk'>\n      <driver name='phy' type='raw'/>\n      <source dev='/dev/vg/s'/>\n"
	  "      <target dev='xvdc' bus='xen'/>\n      <shareable/>\n    </disk>",
	  NULL, "phy:/dev/vg/s,xvdc,w!", "a shareable disk in xl.cfg (xvdc) is not supported by xvirsh yet", "" },
	{ "bridge NIC", false, NULL, NULL, NULL,
	  "<interface type='bridge'>\n      <mac address='00:16:3e:66:92:9c'/>\n      <source bridge='xenbr1'/>\n"
	  "      <ip address='10.0.0.2'/>\n      <script path='vif-bridge'/>\n      <target dev='vif-t'/>\n"
	  "      <model type='e1000'/>\n    </interface>",
	  "mac=00:16:3e:66:92:9c,bridge=xenbr1,ip=10.0.0.2,script=vif-bridge,model=e1000,vifname=vif-t", NULL, NULL,
	  NULL },
	{ "netfront NIC", false, NULL, NULL, NULL,
	  "<interface type='bridge'>\n      <source bridge='xenbr0'/>\n      <model type='netfront'/>\n    </interface>",
	  "bridge=xenbr0,type=vif", "bridge=xenbr0,type=netfront", NULL, NULL },
	{ "Open vSwitch trunk", true, NULL, NULL, NULL,
	  "<interface type='bridge'>\n      <source bridge='ovsbr0'/>\n      <virtualport type='openvswitch'/>\n"
	  "      <vlan trunk='yes'>\n        <tag id='42'/>\n        <tag id='43'/>\n      </vlan>\n    </interface>",
	  "bridge=ovsbr0:42:43", NULL, NULL, NULL },
	{ "Open vSwitch VLAN", false, NULL, NULL, NULL,
	  "<interface type='bridge'>\n      <source bridge='ovsbr0'/>\n      <virtualport type='openvswitch'/>\n"
	  "      <vlan>\n        <tag id='7'/>\n      </vlan>\n    </interface>",
	  "bridge=ovsbr0.7", NULL, NULL, NULL },
	{ "NIC rate", false, NULL, NULL, NULL,
	  "<interface type='ethernet'>\n      <bandwidth>\n        <outbound average='10240'/>\n      </bandwidth>\n"
	  "    </interface>",
	  "rate=10240KB/s", NULL, NULL, NULL },
	{ "HVM serial", true, NULL, NULL, NULL, "<serial type='pty'>\n      <target port='0'/>\n    </serial>",
	  "serial = [ \"pty\" ]", NULL, NULL, NULL },
	{ "HVM VNC", true, NULL, NULL, NULL,
	  "<graphics type='vnc' port='5901' autoport='no' listen='127.0.0.1' passwd='pw' keymap='de'/>",
	  "vncdisplay = 1", NULL, NULL, NULL },
	{ "PV VNC", false, NULL, NULL, NULL, "<graphics type='vnc' port='-1' autoport='yes' listen='0.0.0.0'/>",
	  "vfb = [ \"vnc=1,vncunused=1,vnclisten=0.0.0.0\" ]", NULL, NULL, NULL },
	{ "USB tablet", true, NULL, NULL, NULL, "<input type='tablet' bus='usb'/>",
	  "usb = 1\nusbdevice = [ \"tablet\" ]", NULL, NULL, NULL },
	{ "device model", true, NULL, NULL, NULL, "<emulator>/usr/lib/xen/bin/qemu-system-i386</emulator>",
	  "device_model_override = \"/usr/lib/xen/bin/qemu-system-i386\"", NULL, NULL, NULL },
	{ "xenbus limits", false, NULL, NULL, NULL,
	  "<controller type='xenbus' index='0' maxGrantFrames='64' maxEventChannels='2047'/>",
	  "max_grant_frames = 64\nmax_event_channels = 2047", NULL, NULL, NULL },
	/* What xvirsh does not translate yet: refused by name. */
	{ "PCI passthrough", true, NULL, NULL, NULL,
	  "<hostdev mode='subsystem' type='pci' managed='no'>\n      <source>\n        <address domain='0x0000' "
	  "bus='0x01' slot='0x00' function='0x0'/>\n      </source>\n    </hostdev>\n"
	  "    <hostdev mode='subsystem' type='pci' managed='yes'>\n      <source writeFiltering='no'>\n"
	  "        <address domain='0x0001' bus='0x0c' slot='0x1b' function='0x2'/>\n      </source>\n    </hostdev>",
	  "pci = [ \"0000:01:00.0\", \"0001:0c:1b.2,permissive=1,seize=1\" ]", NULL, NULL, NULL },
	{ "USB controller", true, NULL, NULL, NULL, "<controller type='usb' index='0' model='qemu-xhci' ports='15'/>",
	  NULL, NULL, "controller type 'usb' is not supported by xvirsh yet", NULL },
	{ "USB hostdev", true, NULL, NULL, NULL,
	  "<hostdev mode='subsystem' type='usb'>\n      <source>\n        <vendor id='0x1234'/>\n"
	  "        <product id='0xbeef'/>\n      </source>\n    </hostdev>",
	  NULL, NULL, "element 'devices/hostdev' is not supported by xvirsh yet", NULL },
	{ "clock timer", true, NULL, NULL, "offset='utc'>\n    <timer name='hpet' present='no'/>\n  </clock>", NULL, NULL,
	  NULL, "element 'clock/timer' is not supported by xvirsh yet", NULL },
	{ "virtio input", true, NULL, NULL, NULL, "<input type='tablet' bus='virtio'/>", NULL, NULL,
	  "input type 'tablet' bus 'virtio' is not supported by xvirsh yet", NULL },
	{ "video vga", true, NULL, NULL, NULL, "<video>\n      <model type='vga'/>\n    </video>", NULL, NULL,
	  "video model 'vga' is not supported by xvirsh yet", NULL },
	{ "network NIC", false, NULL, NULL, NULL, "<interface type='network'>\n      <source network='default'/>\n"
	  "    </interface>", NULL, NULL, "interface type 'network' is not supported by xvirsh yet", NULL },
	{ "feature pvspinlock", false, "<kernel>/k</kernel>", "<pvspinlock/>", NULL, NULL, NULL, NULL,
	  "feature 'pvspinlock' of a PV guest is not supported by xvirsh yet", NULL },
	{ "spice", true, NULL, NULL, NULL, "<graphics type='spice' autoport='yes'/>", NULL, NULL,
	  "graphics type 'spice' is not supported by xvirsh yet", NULL },
};

static char *setting_xml(const struct setting *s)
{
	return str_printf("<domain type='xen'>\n  <name>t</name>\n  <uuid>c7a5fdb2-cdaf-9455-926a-d65c16db1809</uuid>\n"
			    "  <memory unit='KiB'>131072</memory>\n  <currentMemory unit='KiB'>131072</currentMemory>\n"
			    "  <vcpu>1</vcpu>\n%s"
			    "  <os>\n    <type arch='x86_64' machine='%s'>%s</type>\n%s%s%s  </os>\n"
			    "%s%s%s%s"
			    "  <clock %s%s\n  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>restart</on_reboot>\n"
			    "  <on_crash>destroy</on_crash>\n  <devices>\n%s%s%s%s%s  </devices>\n</domain>\n",
			    !s->hvm && !s->os ? "  <bootloader>pygrub</bootloader>\n" : "",
			    s->hvm ? "xenfv" : "xenpv", s->hvm ? "hvm" : "linux", s->os ? "    " : "", s->os ? s->os : "",
			    s->os ? "\n" : "", s->features || s->hvm ? "  <features>\n    " : "",
			    s->features ? s->features : s->hvm ? "<pae/>\n    <acpi/>\n    <apic/>" : "",
			    s->features || s->hvm ? "\n" : "", s->features || s->hvm ? "  </features>\n" : "",
			    s->clock ? s->clock : "offset='utc'", s->clock && strchr(s->clock, '<') ? "" : "/>", s->devices ? "    " : "", s->devices ? s->devices : "",
			    s->devices ? "\n" : "",
			    s->hvm ? "" : "    <console type='pty'>\n      <target type='xen' port='0'/>\n",
			    s->hvm ? "" : "    </console>\n");
}

/* One setting through one format both ways. */
static void check_setting(const struct setting *s, enum xen_cfg_format fmt)
{
	const char *name = fmt == XEN_CFG_XM ? "xm" : "xl";
	const char *refused = fmt == XEN_CFG_XM && s->xm_refused ? s->xm_refused : s->refused;
	const char *line = fmt == XEN_CFG_XM && s->xm_line ? s->xm_line : s->xl_line;
	char *xml = setting_xml(s), *canon = NULL, *cfg = NULL, *cfg2 = NULL, *xml2 = NULL, *err = NULL;
	struct domain_def def, back, again;
	unsigned fails = CU_get_number_of_failures();
	int rc;

	domain_def_init(&def);
	domain_def_init(&back);
	domain_def_init(&again);
	hush();
	rc = domain_def_parse(&def, xml, strlen(xml), &err);
	unhush();
	if (rc)
		fprintf(stderr, "\n  %s: %s in\n%s", s->what, err, xml);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	canon = domain_def_format(&def);
	rc = domain_to_xen_cfg(&def, fmt, 0, &cfg, &err);
	if (refused && *refused) {
		/* Refused by name; --lossy drops it and writes the rest. */
		CU_ASSERT(rc < 0);
		if (!err || !strstr(err, refused))
			fprintf(stderr, "\n  %s (%s): refused as '%s'", s->what, name, err ? err : "(accepted)");
		CU_ASSERT(err && strstr(err, refused));
		free(err);
		err = NULL;
		hush();
		CU_ASSERT_EQUAL(domain_to_xen_cfg(&def, fmt, DOMAIN_NATIVE_LOSSY, &cfg, &err), 0);
		unhush();
		goto out;
	}
	if (rc && refused)
		goto out; /* "": this format has its own row */
	if (rc)
		fprintf(stderr, "\n  %s (%s): %s", s->what, name, err);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc)
		goto out;
	if (line && !strstr(cfg, line))
		fprintf(stderr, "\n  %s (%s): no '%s' in\n%s", s->what, name, line, cfg);
	CU_ASSERT(!line || strstr(cfg, line));
	/* XML -> config -> XML */
	rc = domain_from_xen_cfg(&back, cfg, strlen(cfg), fmt, 0, &err);
	if (rc)
		fprintf(stderr, "\n  %s (%s): %s in\n%s", s->what, name, err, cfg);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	xml2 = domain_def_format(&back);
	if (strcmp(canon, xml2))
		fprintf(stderr, "\n  %s (%s): XML\n%s\nbecame\n%s", s->what, name, canon, xml2);
	CU_ASSERT_STRING_EQUAL(canon, xml2);
	/* config -> XML -> config */
	CU_ASSERT_EQUAL_FATAL(domain_to_xen_cfg(&back, fmt, 0, &cfg2, &err), 0);
	CU_ASSERT_EQUAL_FATAL(domain_from_xen_cfg(&again, cfg2, strlen(cfg2), fmt, 0, &err), 0);
	if (strcmp(cfg, cfg2))
		fprintf(stderr, "\n  %s (%s): config\n%s\nbecame\n%s", s->what, name, cfg, cfg2);
	CU_ASSERT_STRING_EQUAL(cfg, cfg2);
out:
	if (CU_get_number_of_failures() != fails)
		fprintf(stderr, "\n  (setting '%s', %s)\n", s->what, name);
	free(xml);
	free(canon);
	free(cfg);
	free(cfg2);
	free(xml2);
	free(err);
	domain_def_dispose(&def);
	domain_def_dispose(&back);
	domain_def_dispose(&again);
}

static void test_setting_fixed_points(void)
{
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		check_setting(&settings[i], XEN_CFG_XL);
		check_setting(&settings[i], XEN_CFG_XM);
	}
}

/* Config settings we do not translate: refused by name, or one warning each with --lossy. */
static const char *lossy_cfg;
static void read_lossy(void)
{
	struct domain_def def;
	char *err = NULL;

	domain_def_init(&def);
	CU_ASSERT_EQUAL(domain_from_xen_cfg(&def, lossy_cfg, strlen(lossy_cfg), XEN_CFG_XL, DOMAIN_NATIVE_LOSSY, &err), 0);
	CU_ASSERT_EQUAL(def.n_disks, 1);
	free(err);
	domain_def_dispose(&def);
}

static void test_cfg_refusals_and_lossy(void)
{
	static const struct {
		const char *cfg, *msg;
	} cases[] = {
		{ "pci = [ \"01:00.0,rdm_policy=strict\" ]", "pci setting 'rdm_policy=strict' is not supported by xvirsh yet" },
		{ "pci = [ \"01:00.9\" ]", "xl.cfg: invalid PCI device '01:00.9' ([DDDD:]BB:DD.F)" },
		{ "pci = [ \"-1:00.0\" ]", "xl.cfg: invalid PCI device '-1:00.0' ([DDDD:]BB:DD.F)" },
		{ "usbctrl = [ \"version=3\" ]", "xl.cfg setting 'usbctrl' is not supported by xvirsh yet" },
		{ "max_grant_frames = 0", "xl.cfg: invalid value '0' for 'max_grant_frames'" },
		{ "vif = [ \"bridge=br0,mtu=9000\" ]", "vif setting 'mtu' is not supported by xvirsh yet" },
		{ "vif = [ \"rate=10MB/s@20ms\" ]", "vif rate interval '@20ms' is not supported by xvirsh yet" },
		{ "builder = \"hvm\"\nusbdevice = \"host:1234:5678\"", "usbdevice 'host:1234:5678' is not supported by xvirsh yet" },
		{ "vfb = [ \"type=vnc,vncunused=1,foo=1\" ]", "vfb setting 'foo' is not supported by xvirsh yet" },
		{ "viridian = 2", "xl.cfg: invalid value '2' for 'viridian' (0 or 1)" },
		{ "vif = [ \"type=weird\" ]", "xl.cfg: unknown vif type 'weird' (ioemu, vif)" },
		{ "vif = [ \"bridge=ovsbr0:4096\" ]", "xl.cfg: invalid VLAN tag in vif bridge 'ovsbr0:4096' (0 to 4095)" },
		{ "builder = \"hvm\"\nboot = \"cx\"", "xl.cfg: invalid boot device 'x' in 'cx' (a, c, d, n)" },
	};
	char *log;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct domain_def def;
		char *err = NULL, *cfg = str_printf("name = \"t\"\n%s\n", cases[i].cfg);

		domain_def_init(&def);
		CU_ASSERT(domain_from_xen_cfg(&def, cfg, strlen(cfg), XEN_CFG_XL, 0, &err) < 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(err);
		if (strcmp(err, cases[i].msg))
			fprintf(stderr, "\n  case %zu: %s\n", i, err);
		CU_ASSERT_STRING_EQUAL(err, cases[i].msg);
		free(err);
		free(cfg);
		domain_def_dispose(&def);
	}
	/* xm's messages name xm's format */
	{
		static const char cfg[] = "name = \"t\"\nmemory = \"x";
		struct domain_def def;
		char *err = NULL;

		domain_def_init(&def);
		CU_ASSERT(domain_from_xen_cfg(&def, cfg, strlen(cfg), XEN_CFG_XM, 0, &err) < 0);
		CU_ASSERT(err && !strcmp(err, "xm config line 2: unterminated string"));
		free(err);
		domain_def_dispose(&def);
	}
	/* --lossy: one warning per dropped setting; defaults say nothing. */
	lossy_cfg = "name = \"t\"\nviridian = 0\nrtc_timeoffset = 0\nhap = 1\nusbctrl = [ \"version=3\" ]\ncpuid = \"host\"\n"
		    "disk = [ \"phy:/dev/vg/g,xvda,w\" ]\n";
	log = capture_log(read_lossy);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "xl.cfg: xl.cfg setting 'usbctrl' is not supported by xvirsh yet, dropped"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "xl.cfg: xl.cfg setting 'cpuid' is not supported by xvirsh yet, dropped"));
	CU_ASSERT_PTR_NULL(strstr(log, "viridian"));
	CU_ASSERT_PTR_NULL(strstr(log, "rtc_timeoffset"));
	{
		size_t lines = 0;

		for (const char *p = log; *p; p++)
			lines += *p == '\n';
		CU_ASSERT_EQUAL(lines, 2);
	}
	free(log);
}

/* The xm config: a phy: disk, an hvmloader, a netfront NIC, HAP off. */
static void test_xm_hvm_config(void)
{
	static const char cfg[] = "name = \"g\"\nbuilder = \"hvm\"\nkernel = \"/usr/lib/xen/boot/hvmloader\"\n"
				  "memory = 512\nhap = 0\nviridian = 0\nrtc_timeoffset = 0\n"
				  "disk = [ \"phy:/dev/vg/guest,hda,w\", \"file:/srv/boot.iso,hdc:cdrom,r\" ]\n"
				  "vif = [ \"mac=00:16:3e:00:00:01,bridge=ovsbr0:42:43,type=netfront\" ]\n";
	struct domain_def def;
	char *err = NULL, *xl = NULL;

	domain_def_init(&def);
	CU_ASSERT_EQUAL_FATAL(domain_from_xen_cfg(&def, cfg, sizeof(cfg) - 1, XEN_CFG_XM, 0, &err), 0);
	CU_ASSERT_STRING_EQUAL(def.loader, "/usr/lib/xen/boot/hvmloader");
	CU_ASSERT_PTR_NULL(def.kernel);
	CU_ASSERT_EQUAL_FATAL(def.n_disks, 2);
	CU_ASSERT_STRING_EQUAL(def.disks[0].type, "block");
	CU_ASSERT_STRING_EQUAL(def.disks[0].source, "/dev/vg/guest");
	CU_ASSERT_STRING_EQUAL(def.disks[0].target_dev, "hda");
	CU_ASSERT_STRING_EQUAL(def.disks[1].device, "cdrom");
	CU_ASSERT_EQUAL_FATAL(def.n_interfaces, 1);
	CU_ASSERT_STRING_EQUAL(def.interfaces[0].source_bridge, "ovsbr0");
	CU_ASSERT_STRING_EQUAL(def.interfaces[0].virtualport_type, "openvswitch");
	CU_ASSERT_EQUAL(def.interfaces[0].n_vlan_tags, 2);
	CU_ASSERT(def.interfaces[0].vlan_trunk);
	CU_ASSERT_STRING_EQUAL(def.interfaces[0].model, "netfront");
	CU_ASSERT_EQUAL_FATAL(def.n_features, 4);
	CU_ASSERT_STRING_EQUAL(def.features[3].name, "hap");
	CU_ASSERT_STRING_EQUAL(def.features[3].state, "off");
	/* and out as xl.cfg: type=vif, never model=netfront */
	CU_ASSERT_EQUAL_FATAL(domain_to_xen_cfg(&def, XEN_CFG_XL, 0, &xl, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(xl, "bridge=ovsbr0:42:43,type=vif"));
	CU_ASSERT_PTR_NULL(strstr(xl, "model=netfront"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xl, "hap = 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xl, "format=raw,vdev=hda,access=rw,backendtype=phy,target=/dev/vg/guest"));
	free(xl);
	free(err);
	domain_def_dispose(&def);
}

/* <clock> -> the launcher's -rtc, as libvirt writes QEMU's; and back from a running launcher's argv. */
static void test_clock_to_rtc(void)
{
	static const struct {
		const char *clock, *rtc; /* rtc: the -rtc argument, "DATE+N" for now + N seconds, NULL: none */
	} cases[] = {
		{ "<clock offset='utc'/>", NULL },
		{ "<clock offset='utc' adjustment='reset'/>", NULL },
		{ "<clock offset='localtime'/>", "base=localtime" },
		{ "<clock offset='variable' adjustment='0' basis='localtime'/>", "base=localtime" },
		{ "<clock offset='variable' adjustment='3600' basis='utc'/>", "DATE+3600" },
		{ "<clock offset='utc' adjustment='-86400'/>", "DATE-86400" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *xml = str_printf("<domain type='xen'><name>c</name><os><type>linux</type><kernel>/k</kernel></os>"
					 "%s</domain>", cases[i].clock), *err = NULL;
		struct domain_def def, back;
		struct strv av;
		const char *rtc = NULL;
		time_t now = time(NULL);

		domain_def_init(&def);
		domain_def_init(&back);
		CU_ASSERT_EQUAL_FATAL(domain_def_parse(&def, xml, strlen(xml), &err), 0);
		CU_ASSERT_EQUAL_FATAL(domain_to_xenlaunch_argv(&def, "xenlaunch", "/run", &av, &err), 0);
		for (size_t k = 0; k + 1 < av.n; k++)
			if (!strcmp(av.v[k], "-rtc"))
				rtc = av.v[k + 1];
		if (!cases[i].rtc) {
			CU_ASSERT_PTR_NULL(rtc);
		} else if (strncmp(cases[i].rtc, "DATE", 4)) {
			CU_ASSERT(rtc && !strcmp(rtc, cases[i].rtc));
		} else {
			struct tm tm = { 0 };
			long want = strtol(cases[i].rtc + 4, NULL, 10);

			CU_ASSERT_PTR_NOT_NULL_FATAL(rtc);
			CU_ASSERT_PTR_NOT_NULL_FATAL(strptime(rtc, "base=%Y-%m-%dT%H:%M:%S", &tm));
			CU_ASSERT(labs((long)(timegm(&tm) - now) - want) <= 2);
			/* and back: the launcher's argv describes the same adjustment */
			CU_ASSERT_EQUAL_FATAL(domain_from_xenlaunch_argv(&back, av.n, av.v, &err), 0);
			CU_ASSERT_STRING_EQUAL(back.clock_offset, "variable");
			CU_ASSERT(labs(strtol(back.clock_adjustment, NULL, 10) - want) <= 2);
		}
		if (cases[i].rtc && !strcmp(cases[i].rtc, "base=localtime")) {
			CU_ASSERT_EQUAL_FATAL(domain_from_xenlaunch_argv(&back, av.n, av.v, &err), 0);
			CU_ASSERT_STRING_EQUAL(back.clock_offset, "localtime");
		}
		strv_dispose(&av);
		free(xml);
		free(err);
		domain_def_dispose(&def);
		domain_def_dispose(&back);
	}
	/* what the launcher cannot do is refused by name */
	static const struct {
		const char *devices, *clock, *msg;
	} refused[] = {
		{ "<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='1' slot='0x1a' function='1'/>"
		  "</source></hostdev>", "",
		  "element 'devices/hostdev' (PCI passthrough of 0000:01:1a.1) is not supported by xenlaunch" },
		{ "", "<clock offset='timezone' timezone='Europe/Paris'/>",
		  "clock offset 'timezone' is not supported by xenlaunch" },
	};

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		char *xml = str_printf("<domain type='xen'><name>c</name><os><type>linux</type><kernel>/k</kernel></os>"
					 "%s<devices>%s</devices></domain>", refused[i].clock, refused[i].devices);
		struct domain_def def;
		struct strv av;
		char *err = NULL;

		domain_def_init(&def);
		CU_ASSERT_EQUAL_FATAL(domain_def_parse(&def, xml, strlen(xml), &err), 0);
		CU_ASSERT(domain_to_xenlaunch_argv(&def, "xenlaunch", "/run", &av, &err) < 0);
		if (!err || strcmp(err, refused[i].msg))
			fprintf(stderr, "\n  refused as: %s\n", err ? err : "(accepted)");
		CU_ASSERT(err && !strcmp(err, refused[i].msg));
		free(err);
		free(xml);
		domain_def_dispose(&def);
	}
}

static CU_TestInfo tests[] = {
	{ "<clock> -> -rtc base=localtime|DATE and back", test_clock_to_rtc },
	{ "every disk spelling of xl-disk-configuration and xm", test_disk_spellings },
	{ "disk spellings refused, by name", test_disk_refusals },
	{ "every setting: XML -> cfg -> XML and cfg -> XML -> cfg are fixed points", test_setting_fixed_points },
	{ "cfg settings not translated: refused by name, or dropped with --lossy", test_cfg_refusals_and_lossy },
	{ "an xm HVM config with phy:, hvmloader, OVS VLANs, netfront, hap=0", test_xm_hvm_config },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("xen_cfg", tests)
