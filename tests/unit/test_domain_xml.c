/*
 * model/domain_xml: parsing libvirt's own domain XML examples, round trips,
 * schema validation of what we write, warnings for what we do not model,
 * and hostile input.
 */
#include "tests/unit/test_xml_common.h"
#include "tests/unit/unit.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "model/domain_xml.h"
#include "model/xml_util.h"

static int parse_str(struct domain_def *def, const char *xml, char **err)
{
	domain_def_init(def);
	return domain_def_parse(def, xml, strlen(xml), err);
}

/* Expects a parse failure with exactly this error text. */
static void expect_error(const char *xml, int want_rc, const char *want_msg)
{
	struct domain_def def;
	char *err = NULL;
	FILE *quiet = fopen("/dev/null", "w");
	int rc;

	log_set_stream(quiet);
	rc = parse_str(&def, xml, &err);
	log_set_stream(NULL);
	fclose(quiet);
	CU_ASSERT_EQUAL(rc, want_rc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(err);
	if (strcmp(err, want_msg))
		fprintf(stderr, "\n  got error: %s\n  expected:  %s\n", err, want_msg);
	CU_ASSERT_STRING_EQUAL(err, want_msg);
	free(err);
	domain_def_dispose(&def);
}

static void test_basic_pv_values(void)
{
	struct domain_def def;
	char *path = testdata_path("libxlxml2domconfigdata/basic-pv.xml"), *err = NULL;

	domain_def_init(&def);
	CU_ASSERT_EQUAL_FATAL(domain_def_parse_file(&def, path, &err), 0);
	CU_ASSERT_PTR_NULL(err);
	CU_ASSERT_STRING_EQUAL(def.virt_type, "xen");
	CU_ASSERT_STRING_EQUAL(def.name, "test-pv");
	CU_ASSERT_STRING_EQUAL(def.uuid, "039e9ee6-4a84-3055-4c81-8ba426ae2656");
	CU_ASSERT_EQUAL(def.memory_kib, 524288);
	CU_ASSERT_EQUAL(def.current_memory_kib, 524288);
	CU_ASSERT_EQUAL(def.vcpus, 4);
	CU_ASSERT_STRING_EQUAL(def.bootloader, "pygrub");
	CU_ASSERT_STRING_EQUAL(def.os_type, "linux");
	CU_ASSERT_STRING_EQUAL(def.os_arch, "x86_64");
	CU_ASSERT_STRING_EQUAL(def.os_machine, "xenpv");
	CU_ASSERT(domain_is_xen_pv(&def));
	CU_ASSERT_FALSE(domain_is_hvm(&def));
	CU_ASSERT_STRING_EQUAL(def.clock_offset, "utc");
	CU_ASSERT_STRING_EQUAL(def.on_poweroff, "destroy");
	CU_ASSERT_STRING_EQUAL(def.on_reboot, "restart");
	CU_ASSERT_STRING_EQUAL(def.on_crash, "destroy");
	CU_ASSERT_EQUAL_FATAL(def.n_disks, 1);
	CU_ASSERT_STRING_EQUAL(def.disks[0].type, "file");
	CU_ASSERT_STRING_EQUAL(def.disks[0].driver_name, "qemu");
	CU_ASSERT_PTR_NULL(def.disks[0].driver_type);
	CU_ASSERT_STRING_EQUAL(def.disks[0].source, "/var/lib/xen/images/test-pv.img");
	CU_ASSERT_STRING_EQUAL(def.disks[0].target_dev, "xvda");
	CU_ASSERT_EQUAL_FATAL(def.n_interfaces, 1);
	CU_ASSERT_STRING_EQUAL(def.interfaces[0].type, "bridge");
	CU_ASSERT_STRING_EQUAL(def.interfaces[0].source_bridge, "br0");
	CU_ASSERT_STRING_EQUAL(def.interfaces[0].mac, "00:16:3e:3e:86:60");
	CU_ASSERT_STRING_EQUAL(def.interfaces[0].script, "/etc/xen/scripts/vif-bridge");
	CU_ASSERT_EQUAL_FATAL(def.n_graphics, 1);
	CU_ASSERT_STRING_EQUAL(def.graphics[0].type, "vnc");
	CU_ASSERT_EQUAL(def.graphics[0].port, -1);
	CU_ASSERT_STRING_EQUAL(def.graphics[0].autoport, "yes");
	CU_ASSERT_STRING_EQUAL(def.graphics[0].listen, "0.0.0.0");
	CU_ASSERT_PTR_NULL(def.extra.xml);
	CU_ASSERT_PTR_NULL(def.devices_extra.xml);
	domain_def_dispose(&def);
	free(path);
}

static void test_pv_kernel_values(void)
{
	struct domain_def def;
	char *path = testdata_path("xlconfigdata/test-paravirt-type.xml"), *err = NULL;
	FILE *quiet = fopen("/dev/null", "w");

	log_set_stream(quiet);
	domain_def_init(&def);
	CU_ASSERT_EQUAL_FATAL(domain_def_parse_file(&def, path, &err), 0);
	log_set_stream(NULL);
	fclose(quiet);
	CU_ASSERT_EQUAL(def.memory_kib, 592896);
	CU_ASSERT_EQUAL(def.current_memory_kib, 403456);
	CU_ASSERT_STRING_EQUAL(def.vcpu_placement, "static");
	CU_ASSERT_STRING_EQUAL(def.kernel, "/tmp/vmlinuz");
	CU_ASSERT_STRING_EQUAL(def.initrd, "/tmp/initrd");
	CU_ASSERT_STRING_EQUAL(def.cmdline, "root=/dev/xvda1 console=hvc0");
	CU_ASSERT_STRING_EQUAL(def.clock_adjustment, "reset");
	CU_ASSERT_EQUAL_FATAL(def.n_chardevs, 1);
	CU_ASSERT_EQUAL(def.chardevs[0].kind, DOMAIN_CHARDEV_CONSOLE);
	CU_ASSERT_STRING_EQUAL(def.chardevs[0].type, "pty");
	CU_ASSERT_STRING_EQUAL(def.chardevs[0].target_type, "xen");
	CU_ASSERT_EQUAL(def.chardevs[0].target_port, 0);
	CU_ASSERT_EQUAL_FATAL(def.n_inputs, 2);
	CU_ASSERT_STRING_EQUAL(def.inputs[1].type, "keyboard");
	CU_ASSERT_STRING_EQUAL(def.inputs[1].bus, "xen");
	/* the xenbus controller is read (no limits); memballoon is kept verbatim. */
	CU_ASSERT(def.has_xenbus);
	CU_ASSERT_EQUAL(def.xenbus_max_grant_frames, 0);
	CU_ASSERT_STRING_EQUAL(def.devices_extra.xml, "<memballoon model=\"xen\"/>\n");
	domain_def_dispose(&def);
	free(path);
}

static void test_hvm_devices(void)
{
	struct domain_def def;
	char *path = testdata_path("xlconfigdata/test-new-disk.xml"), *err = NULL;
	FILE *quiet = fopen("/dev/null", "w");

	log_set_stream(quiet);
	domain_def_init(&def);
	CU_ASSERT_EQUAL_FATAL(domain_def_parse_file(&def, path, &err), 0);
	log_set_stream(NULL);
	fclose(quiet);
	CU_ASSERT(domain_is_hvm(&def));
	CU_ASSERT_STRING_EQUAL(def.loader, "/usr/lib/xen/boot/hvmloader");
	CU_ASSERT_STRING_EQUAL(def.loader_type, "rom");
	CU_ASSERT_EQUAL_FATAL(def.n_boot, 1);
	CU_ASSERT_STRING_EQUAL(def.boot[0], "cdrom");
	CU_ASSERT_EQUAL_FATAL(def.n_features, 3);
	CU_ASSERT_STRING_EQUAL(def.features[2].name, "pae");
	CU_ASSERT_STRING_EQUAL(def.emulator, "/usr/lib/xen/bin/qemu-system-i386");
	CU_ASSERT_EQUAL_FATAL(def.n_disks, 3);
	CU_ASSERT_STRING_EQUAL(def.disks[0].type, "block");
	CU_ASSERT_STRING_EQUAL(def.disks[0].driver_name, "phy");
	CU_ASSERT_STRING_EQUAL(def.disks[0].source, "/dev/HostVG/XenGuest2");
	CU_ASSERT_STRING_EQUAL(def.disks[1].driver_type, "qcow2");
	CU_ASSERT_STRING_EQUAL(def.disks[2].device, "cdrom");
	CU_ASSERT_STRING_EQUAL(def.disks[2].target_bus, "ide");
	CU_ASSERT(def.disks[2].readonly);
	CU_ASSERT_FALSE(def.disks[1].readonly);
	CU_ASSERT_STRING_EQUAL(def.disks[2].extra.xml,
			       "<address type=\"drive\" controller=\"0\" bus=\"1\" target=\"0\" unit=\"0\"/>\n");
	CU_ASSERT_STRING_EQUAL(def.interfaces[0].model, "e1000");
	CU_ASSERT_STRING_EQUAL(def.graphics[0].listen, "127.0.0.1");
	CU_ASSERT_PTR_NULL(def.graphics[0].extra.xml);
	CU_ASSERT_EQUAL_FATAL(def.n_videos, 1);
	CU_ASSERT_STRING_EQUAL(def.videos[0].model, "cirrus");
	CU_ASSERT_EQUAL(def.videos[0].vram, 8192);
	CU_ASSERT_EQUAL(def.videos[0].heads, 1);
	domain_def_dispose(&def);
	free(path);
}

static void emit_unknown(void)
{
	struct domain_def def;
	char *err = NULL;

	parse_str(&def,
		  "<domain type='xen'><name>a</name><os><type>linux</type><smbios mode='host'/></os>"
		  "<frobnicate/><devices><controller type='ide'/>"
		  "<disk type='file'><source file='/x'/><target dev='xvda'/><iotune/></disk></devices>"
		  "<memory unit='KiB' wat='1'>1024</memory></domain>",
		  &err);
	free(err);
	domain_def_dispose(&def);
}

static void test_unknown_elements_warn(void)
{
	char *out = capture_log(emit_unknown);

	CU_ASSERT_STRING_EQUAL(out,
			       "unit: warning: domain XML: element 'os/smbios' is not interpreted, kept as written\n"
			       "unit: warning: domain XML: element 'frobnicate' is not interpreted, kept as written\n"
			       "unit: warning: domain XML: element 'devices/controller' is not interpreted, kept as written\n"
			       "unit: warning: domain XML: element 'devices/disk/iotune' is not interpreted, kept as written\n"
			       "unit: warning: domain XML: attribute 'wat' of 'memory' is not supported, ignored\n");
	free(out);
}

static void test_unknown_elements_kept(void)
{
	struct domain_def def;
	char *err = NULL, *x;
	FILE *quiet = fopen("/dev/null", "w");

	log_set_stream(quiet);
	CU_ASSERT_EQUAL_FATAL(parse_str(&def,
					"<domain type='xen' xmlns:q='urn:q'><name>a</name><os><type>linux</type></os>"
					"<q:thing a='1'><q:sub/></q:thing><devices><memballoon model='xen'/></devices>"
					"</domain>",
					&err),
			      0);
	log_set_stream(NULL);
	fclose(quiet);
	x = domain_def_format(&def);
	CU_ASSERT_STRING_EQUAL(x, "<domain type='xen'>\n"
				  "  <name>a</name>\n"
				  "  <os>\n"
				  "    <type>linux</type>\n"
				  "  </os>\n"
				  "  <devices>\n"
				  "    <memballoon model=\"xen\"/>\n"
				  "  </devices>\n"
				  "  <q:thing xmlns:q=\"urn:q\" a=\"1\">\n"
				  "    <q:sub/>\n"
				  "  </q:thing>\n"
				  "</domain>\n");
	free(x);
	domain_def_dispose(&def);
}

static void test_format_exact(void)
{
	struct domain_def def;
	char *err = NULL, *x;

	CU_ASSERT_EQUAL_FATAL(parse_str(&def,
					"<domain type='xen'><name>g&amp;1</name><uuid>C7A5FDB2CDAF9455926AD65C16DB1809</uuid>"
					"<memory unit='M'>512</memory><currentMemory unit='GiB'>0.5</currentMemory>"
					"</domain>",
					&err),
			      -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "currentMemory: invalid memory size '0.5': not an unsigned decimal number");
	free(err);
	err = NULL;
	domain_def_dispose(&def);
	CU_ASSERT_EQUAL_FATAL(parse_str(&def,
					"<domain type='xen'><name>g&amp;1</name><uuid>C7A5FDB2CDAF9455926AD65C16DB1809</uuid>"
					"<memory unit='M'>512</memory><vcpu current='1'>2</vcpu><os><type>xen</type>"
					"<kernel>/k</kernel><cmdline>a='b' &lt;c&gt;</cmdline></os>"
					"<on_reboot>destroy</on_reboot><devices><console type='unix'>"
					"<source mode='bind' path='/run/c.sock'/><target type='xen' port='0'/></console>"
					"<graphics type='sdl' display=':0' xauth='/root/.Xauthority'/></devices></domain>",
					&err),
			      0);
	x = domain_def_format(&def);
	CU_ASSERT_STRING_EQUAL(x, "<domain type='xen'>\n"
				  "  <name>g&amp;1</name>\n"
				  "  <uuid>c7a5fdb2-cdaf-9455-926a-d65c16db1809</uuid>\n"
				  "  <memory unit='KiB'>524288</memory>\n"
				  "  <vcpu current='1'>2</vcpu>\n"
				  "  <os>\n"
				  "    <type>xen</type>\n"
				  "    <kernel>/k</kernel>\n"
				  "    <cmdline>a=&apos;b&apos; &lt;c&gt;</cmdline>\n"
				  "  </os>\n"
				  "  <on_reboot>destroy</on_reboot>\n"
				  "  <devices>\n"
				  "    <console type='unix'>\n"
				  "      <source mode='bind' path='/run/c.sock'/>\n"
				  "      <target type='xen' port='0'/>\n"
				  "    </console>\n"
				  "    <graphics type='sdl' display=':0' xauth='/root/.Xauthority'/>\n"
				  "  </devices>\n"
				  "</domain>\n");
	free(x);
	domain_def_dispose(&def);
}

static void test_size_units(void)
{
	unsigned long long k = 0;
	char *err = NULL;

	CU_ASSERT_EQUAL(domain_parse_size_kib("1", "GiB", &k, NULL), 0);
	CU_ASSERT_EQUAL(k, 1048576);
	CU_ASSERT_EQUAL(domain_parse_size_kib("1", "GB", &k, NULL), 0);
	CU_ASSERT_EQUAL(k, 976563); /* 10^9 bytes rounded up to whole KiB */
	CU_ASSERT_EQUAL(domain_parse_size_kib("1025", "b", &k, NULL), 0);
	CU_ASSERT_EQUAL(k, 2);
	CU_ASSERT_EQUAL(domain_parse_size_kib("7", NULL, &k, NULL), 0);
	CU_ASSERT_EQUAL(k, 7);
	CU_ASSERT_EQUAL(domain_parse_size_kib("3", "m", &k, NULL), 0);
	CU_ASSERT_EQUAL(k, 3072);
	CU_ASSERT_EQUAL(domain_parse_size_kib("1", "PiB", &k, NULL), 0);
	CU_ASSERT_EQUAL(k, 1ull << 40);
	CU_ASSERT_EQUAL(domain_parse_size_kib("2", "EiB", &k, &err), -ERANGE);
	CU_ASSERT_STRING_EQUAL(err, "memory size '2 EiB' is too large (at most 1125899906842624 KiB)");
	free(err);
	err = NULL;
	CU_ASSERT_EQUAL(domain_parse_size_kib("1", "parsecs", &k, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "unknown memory unit 'parsecs'");
	free(err);
	err = NULL;
	CU_ASSERT_EQUAL(domain_parse_size_kib("-1", "KiB", &k, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "invalid memory size '-1': not an unsigned decimal number");
	free(err);
	err = NULL;
	CU_ASSERT_EQUAL(domain_parse_size_kib("184467440737095516160", "KiB", &k, &err), -ERANGE);
	CU_ASSERT_STRING_EQUAL(err, "memory size '184467440737095516160' is too large");
	free(err);
}

static void test_uuid_canon(void)
{
	char out[37];

	CU_ASSERT_EQUAL(domain_uuid_canon("C7A5FDB2-CDAF-9455-926A-D65C16DB1809", out), 0);
	CU_ASSERT_STRING_EQUAL(out, "c7a5fdb2-cdaf-9455-926a-d65c16db1809");
	CU_ASSERT_EQUAL(domain_uuid_canon("c7a5fdb2cdaf9455926ad65c16db1809", out), 0);
	CU_ASSERT_STRING_EQUAL(out, "c7a5fdb2-cdaf-9455-926a-d65c16db1809");
	CU_ASSERT_EQUAL(domain_uuid_canon("c7a5fdb2cdaf9455926ad65c16db180", out), -EINVAL);
	CU_ASSERT_EQUAL(domain_uuid_canon("c7a5fdb2cdaf9455926ad65c16db18090", out), -EINVAL);
	CU_ASSERT_EQUAL(domain_uuid_canon("g7a5fdb2cdaf9455926ad65c16db1809", out), -EINVAL);
	CU_ASSERT_EQUAL(domain_uuid_canon("-c7a5fdb2cdaf9455926ad65c16db1809", out), -EINVAL);
}

static void test_semantic_errors(void)
{
	expect_error("<domain><name>a</name><os><type>linux</type></os></domain>", -EINVAL,
		     "missing domain type attribute");
	expect_error("<domain type='xen'><os><type>linux</type></os></domain>", -EINVAL, "missing name information");
	expect_error("<domain type='xen'><name>a</name></domain>", -EINVAL, "missing os type: element 'os/type'");
	expect_error("<domain type='xen'><name>../etc/x</name><os><type>linux</type></os></domain>", -EINVAL,
		     "name ../etc/x cannot contain '/'");
	expect_error("<domain type='xen'><name>a</name><name>b</name></domain>", -EINVAL,
		     "element 'name' appears more than once");
	expect_error("<domain type='xen'><name>a</name><uuid>xyz</uuid></domain>", -EINVAL,
		     "malformed uuid element: 'xyz'");
	expect_error("<domain type='xen'><name>a</name><memory>-512</memory></domain>", -EINVAL,
		     "memory: invalid memory size '-512': not an unsigned decimal number");
	expect_error("<domain type='xen'><name>a</name><memory unit='TiB'>99999999</memory></domain>", -ERANGE,
		     "memory: memory size '99999999 TiB' is too large (at most 1125899906842624 KiB)");
	expect_error("<domain type='xen'><name>a</name><memory>99999999999999999999999</memory></domain>", -ERANGE,
		     "memory: memory size '99999999999999999999999' is too large");
	expect_error("<domain type='xen'><name>a</name><memory>0</memory></domain>", -EINVAL,
		     "memory: memory size must be greater than zero");
	expect_error("<domain type='xen'><name>a</name><vcpu>0</vcpu></domain>", -EINVAL,
		     "invalid vcpu count '0' (1 to 4096)");
	expect_error("<domain type='xen'><name>a</name><vcpu>4294967297</vcpu></domain>", -EINVAL,
		     "invalid vcpu count '4294967297' (1 to 4096)");
	expect_error("<domain type='xen'><name>a</name><vcpu current='3'>2</vcpu></domain>", -EINVAL,
		     "invalid current vcpu count '3' (1 to 2)");
	expect_error("<domain type='xen'><name>a</name><on_crash>explode</on_crash></domain>", -EINVAL,
		     "invalid on_crash value 'explode'");
	/* what the old xm disk reading stored: a disk no guest can be given */
	expect_error("<domain type='xen'><name>a</name><os><type>linux</type></os><devices><disk type='file'>"
		     "<source file='phy:/dev/vg/guest'/><target dev='w'/></disk></devices></domain>",
		     -EINVAL, "unknown disk name 'w' in 'devices/disk/target' (xvda, hda, sda, vda..., fda)");
	expect_error("<domain type='xen'><name>a</name><os><type>linux</type></os><devices><disk type='file'>"
		     "<driver type='xvda'/><source file='/x'/><target dev='xvda'/></disk></devices></domain>",
		     -EINVAL, "invalid value 'xvda' of attribute 'type' of 'devices/disk/driver' (expected raw, dir, bochs, "
		     "cloop, dmg, iso, vpc, vdi, fat, vhd, ploop, cow, qcow, qcow2, qed, vmdk, luks, vhdx)");
	expect_error("<domain type='xen'><name>a</name><devices><interface type='bridge'>"
		     "<vlan><tag id='4096'/></vlan></interface></devices></domain>",
		     -EINVAL, "invalid 'id' of 'devices/interface/vlan/tag': '4096' (0 to 4095)");
	expect_error("<domain type='xen'><name>a</name><devices><interface type='bridge'>"
		     "<mac address='00:16:3e:zz:00:01'/></interface></devices></domain>",
		     -EINVAL, "unable to parse mac address '00:16:3e:zz:00:01'");
	/* sscanf's %x took "-6" as 0xfffffffa: a MAC that formatted 11 digits */
	expect_error("<domain type='xen'><name>a</name><devices><interface type='bridge'>"
		     "<mac address='00:-6:3E:01:02:03'/></interface></devices></domain>",
		     -EINVAL, "unable to parse mac address '00:-6:3E:01:02:03'");
	expect_error("<domain type='xen'><name>a</name><devices><interface type='bridge'>"
		     "<mac address='01:16:3e:00:00:01'/></interface></devices></domain>",
		     -EINVAL, "unable to parse mac address '01:16:3e:00:00:01'");
	expect_error("<domain type='xen'><name>a</name><devices><disk type='file'><source file='/a'/></disk>"
		     "</devices></domain>",
		     -EINVAL, "missing target information for device '/a'");
	expect_error("<domain type='xen'><name>a</name><devices><graphics type='vnc' port='70000'/>"
		     "</devices></domain>",
		     -EINVAL, "invalid graphics port '70000'");
	expect_error("<domain type='xen'><name>a</name><devices><disk type='block'><source file='/a'/>"
		     "<target dev='xvda'/></disk></devices></domain>",
		     -EINVAL, "disk of type 'block' cannot use <source file=...>");
	expect_error("<network/>", -EINVAL, "unexpected root element <network>, expecting <domain>");
}

static void test_malformed(void)
{
	expect_error("<domain type='xen'><name>a</name>", -EINVAL,
		     "XML error at line 1: Premature end of data in tag domain line 1");
	expect_error("", -EINVAL, "XML error at line 1: Document is empty");
	expect_error("<domain type='xen'><name>\xff\xfe</name></domain>", -EINVAL,
		     "XML error at line 1: Input is not proper UTF-8, indicate encoding !\nBytes: 0xFF 0xFE 0x3C 0x2F");
}

static void test_entities_refused(void)
{
	const char *laughs =
		"<?xml version='1.0'?>\n<!DOCTYPE lolz [\n<!ENTITY lol 'lol'>\n"
		"<!ENTITY lol1 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>\n"
		"<!ENTITY lol2 '&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;'>\n"
		"<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>\n"
		"<!ENTITY lol4 '&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;'>\n"
		"<!ENTITY lol5 '&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;'>\n"
		"<!ENTITY lol6 '&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;'>\n"
		"<!ENTITY lol7 '&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;'>\n"
		"<!ENTITY lol8 '&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;'>\n"
		"<!ENTITY lol9 '&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;'>\n"
		"]>\n<domain type='xen'><name>&lol9;</name><os><type>linux</type></os></domain>\n";
	const char *xxe = "<?xml version='1.0'?><!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
			  "<domain type='xen'><name>&x;</name><os><type>linux</type></os></domain>";
	const char *ext = "<?xml version='1.0'?><!DOCTYPE domain SYSTEM 'http://127.0.0.1:9/d.dtd'>"
			  "<domain type='xen'><name>a</name><os><type>linux</type></os></domain>";
	const char *want = "XML documents with a DOCTYPE (DTDs, entity declarations) are not accepted";

	expect_error(laughs, -EINVAL, want);
	expect_error(xxe, -EINVAL, want);
	expect_error(ext, -EINVAL, want);
	/* An undeclared entity is a well-formedness error, never a lookup. */
	expect_error("<domain type='xen'><name>&x;</name></domain>", -EINVAL,
		     "XML error at line 1: Entity 'x' not defined");
}

static void test_deep_and_huge(void)
{
	size_t depth = 100000, n = 0;
	char *deep = malloc(depth * 7 + 64);
	char *huge;
	struct domain_def def;
	char *err = NULL;

	n += sprintf(deep, "<domain type='xen'>");
	for (size_t i = 0; i < depth; i++)
		n += sprintf(deep + n, "<a>");
	expect_error(deep, -EINVAL,
		     "XML error at line 1: Excessive depth in document: 256 use XML_PARSE_HUGE option");
	free(deep);

	huge = malloc(XML_UTIL_MAX_DOC + 2);
	memset(huge, ' ', XML_UTIL_MAX_DOC + 1);
	huge[XML_UTIL_MAX_DOC + 1] = '\0';
	domain_def_init(&def);
	CU_ASSERT_EQUAL(domain_def_parse(&def, huge, XML_UTIL_MAX_DOC + 1, &err), -EFBIG);
	CU_ASSERT_STRING_EQUAL(err, "XML document is too large (10485761 bytes, at most 10485760)");
	free(err);
	domain_def_dispose(&def);
	free(huge);
}

static void test_huge_file(void)
{
	char path[] = "/tmp/xenlaunch-unit-XXXXXX";
	int fd = mkstemp(path);
	struct domain_def def;
	char *err = NULL, *want = NULL;

	CU_ASSERT_FATAL(fd >= 0);
	/* A sparse 100 MiB file: refused from its size, never read. */
	CU_ASSERT_EQUAL(ftruncate(fd, 100ll << 20), 0);
	close(fd);
	domain_def_init(&def);
	CU_ASSERT_EQUAL(domain_def_parse_file(&def, path, &err), -EFBIG);
	CU_ASSERT(asprintf(&want, "file '%s' is too large (104857600 bytes, at most 10485760)", path) > 0);
	CU_ASSERT_STRING_EQUAL(err, want);
	free(want);
	free(err);
	err = NULL;
	domain_def_dispose(&def);
	unlink(path);
	CU_ASSERT_EQUAL(domain_def_parse_file(&def, "/nonexistent/x.xml", &err), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err, "Failed to open file '/nonexistent/x.xml': No such file or directory");
	free(err);
	domain_def_dispose(&def);
}

static void test_too_many_devices(void)
{
	char *xml = malloc(300 * 64 + 256);
	size_t n = 0;

	n += sprintf(xml, "<domain type='xen'><name>a</name><devices>");
	for (int i = 0; i < 300; i++)
		n += sprintf(xml + n, "<input type='mouse' bus='xen'/>");
	sprintf(xml + n, "</devices></domain>");
	expect_error(xml, -E2BIG, "too many input elements (at most 256)");
	free(xml);
}

/* Every libvirt example parses, and format(parse(X)) parses back to the same model. */
static unsigned n_valid_out;
static void roundtrip_one(const char *path, unsigned *n_valid_in, unsigned *n_checked)
{
	struct domain_def a, b;
	char *err = NULL, *x1 = NULL, *x2 = NULL, *in = NULL;
	size_t in_len = 0;
	char *schema = xml_util_schema_path("domain.rng");
	int rc;

	domain_def_init(&a);
	domain_def_init(&b);
	rc = domain_def_parse_file(&a, path, &err);
	if (rc)
		fprintf(stderr, "\n  %s: %s\n", path, err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	x1 = domain_def_format(&a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x1);
	rc = domain_def_parse(&b, x1, strlen(x1), &err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	x2 = domain_def_format(&b);
	if (strcmp(x1, x2))
		fprintf(stderr, "\n  %s: round trip differs:\n%s\n---\n%s\n", path, x1, x2);
	CU_ASSERT_STRING_EQUAL(x1, x2);
	CU_ASSERT_STRING_EQUAL(a.name, b.name);
	CU_ASSERT_EQUAL(a.memory_kib, b.memory_kib);
	CU_ASSERT_EQUAL(a.n_disks, b.n_disks);
	CU_ASSERT_EQUAL(a.n_interfaces, b.n_interfaces);
	CU_ASSERT_EQUAL(a.n_chardevs, b.n_chardevs);

	/* What we write validates whenever what we read did. */
	CU_ASSERT_EQUAL_FATAL(xml_util_read_file(path, &in, &in_len, &err), 0);
	if (xml_util_validate(in, in_len, schema, &err) == 0) {
		(*n_valid_in)++;
		rc = xml_util_validate(x1, strlen(x1), schema, &err);
		if (rc)
			fprintf(stderr, "\n  %s: output does not validate: %s\n%s\n", path, err, x1);
		CU_ASSERT_EQUAL(rc, 0);
	}
	free(err);
	err = NULL;
	if (xml_util_validate(x1, strlen(x1), schema, &err) == 0)
		n_valid_out++;
	else if (getenv("UNIT_VERBOSE"))
		fprintf(stderr, "\n  %s: output invalid: %s\n", path, err);
	free(err);
	(*n_checked)++;
	free(in);
	free(x1);
	free(x2);
	free(schema);
	domain_def_dispose(&a);
	domain_def_dispose(&b);
}

static void test_libvirt_examples_roundtrip(void)
{
	static const char *const dirs[] = { "libxlxml2domconfigdata", "xlconfigdata", "xmconfigdata" };
	unsigned n_valid = 0, n_checked = 0;
	FILE *quiet = fopen("/dev/null", "w");

	log_set_stream(quiet);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *dir = testdata_path(dirs[i]);
		struct dirent **ents = NULL;
		int n = scandir(dir, &ents, NULL, alphasort);

		CU_ASSERT_FATAL(n > 0);
		for (int j = 0; j < n; j++) {
			size_t l = strlen(ents[j]->d_name);

			if (l > 4 && !strcmp(ents[j]->d_name + l - 4, ".xml")) {
				char *p = NULL;

				CU_ASSERT(asprintf(&p, "%s/%s", dir, ents[j]->d_name) > 0);
				roundtrip_one(p, &n_valid, &n_checked);
				free(p);
			}
			free(ents[j]);
		}
		free(ents);
		free(dir);
	}
	log_set_stream(NULL);
	fclose(quiet);
	/* 13 + 32 + 28 files; 36 of them pass Debian's libvirt 9.0 schemas as they are. */
	CU_ASSERT_EQUAL(n_checked, 73);
	CU_ASSERT_EQUAL(n_valid, 36);
	/*
	 * What we write validates for every input but vnuma-hvm.xml, whose
	 * old <clock sync='utc'/> has no offset (README of the test data).
	 */
	CU_ASSERT_EQUAL(n_valid_out, 72);
}

static void test_output_validates_after_dropping_unknown_attr(void)
{
	/* format='raw' on <loader> is newer than Debian's schema: we drop it with a warning. */
	struct domain_def def;
	char *path = testdata_path("xlconfigdata/test-fullvirt-ovmf.xml"), *err = NULL, *x, *schema;
	FILE *quiet = fopen("/dev/null", "w");

	log_set_stream(quiet);
	domain_def_init(&def);
	CU_ASSERT_EQUAL_FATAL(domain_def_parse_file(&def, path, &err), 0);
	log_set_stream(NULL);
	fclose(quiet);
	x = domain_def_format(&def);
	schema = xml_util_schema_path("domain.rng");
	CU_ASSERT_EQUAL(xml_util_validate(x, strlen(x), schema, &err), 0);
	free(err);
	free(schema);
	free(x);
	free(path);
	domain_def_dispose(&def);
}

static void test_validate_reports_errors(void)
{
	const char *bad = "<domain type='xen'><name>a</name><memory>x</memory><os><type>linux</type></os></domain>";
	char *schema = xml_util_schema_path("domain.rng"), *err = NULL;

	CU_ASSERT_EQUAL(xml_util_validate(bad, strlen(bad), schema, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(err);
	CU_ASSERT_EQUAL(strncmp(err, "XML document failed to validate against schema: ", 48), 0);
	free(err);
	err = NULL;
	CU_ASSERT_EQUAL(xml_util_validate(bad, strlen(bad), "/nonexistent.rng", &err), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err, "cannot read schema '/nonexistent.rng': No such file or directory");
	free(err);
	free(schema);
}

/* Found by fuzz_domain_xml: a second <driver> overwrote (and leaked) the first one's cache. */
static void test_second_driver_kept_not_read(void)
{
	struct domain_def def;
	char *err = NULL, *x;
	FILE *quiet = fopen("/dev/null", "w");

	log_set_stream(quiet);
	CU_ASSERT_EQUAL_FATAL(parse_str(&def,
					"<domain type='xen'><name>a</name><os><type>linux</type></os><devices>"
					"<disk type='file'><driver cache='writeback'/><driver cache='none'/>"
					"<source file='/i'/><target dev='xvda'/></disk></devices></domain>",
					&err),
			      0);
	log_set_stream(NULL);
	fclose(quiet);
	CU_ASSERT_STRING_EQUAL(def.disks[0].driver_cache, "writeback");
	x = domain_def_format(&def);
	CU_ASSERT_PTR_NOT_NULL(strstr(x, "<driver cache=\"none\"/>"));
	free(x);
	domain_def_dispose(&def);
}

/* The device limit is checked while streaming, before the tree: 256 disks pass, 257 do not, 100000 fast. */
static char *many_disks(unsigned n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fputs("<domain type='xen'><name>big</name><memory>65536</memory><os><type>linux</type><kernel>/k</kernel>"
	      "</os><devices>", f);
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "<disk type='file'><source file='/i/%u'/><target dev='xvd%c%c'/></disk>", i,
			'a' + (int)(i / 26 % 26), 'a' + (int)(i % 26));
	fputs("<interface type='ethernet'/></devices></domain>", f);
	fclose(f);
	return buf;
}

static void test_limits_before_tree(void)
{
	char *ok = many_disks(DOMAIN_DEVICES_MAX), *over = many_disks(DOMAIN_DEVICES_MAX + 1), *huge = many_disks(100000);
	char *err = NULL;
	struct domain_def def;
	struct timespec t0, t1;

	CU_ASSERT_EQUAL(domain_check_limits(ok, strlen(ok), &err), 0);
	CU_ASSERT_PTR_NULL(err);
	CU_ASSERT_EQUAL(domain_check_limits(over, strlen(over), &err), -E2BIG);
	CU_ASSERT_STRING_EQUAL(err, "too many disk elements (at most 256)");
	free(err);
	err = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	domain_def_init(&def);
	CU_ASSERT_EQUAL(domain_def_parse(&def, huge, strlen(huge), &err), -E2BIG);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CU_ASSERT_STRING_EQUAL(err, "too many disk elements (at most 256)");
	/* The whole document took 2.3 s to build as a tree: the stream stops at disk 257. */
	CU_ASSERT((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 500);
	domain_def_dispose(&def);
	free(err);
	free(ok);
	free(over);
	free(huge);
}

static CU_TestInfo tests[] = {
	{ "device limits are checked before the tree is built", test_limits_before_tree },
	{ "a second disk driver element is kept, not read", test_second_driver_kept_not_read },
	{ "unknown elements and attributes warn by name", test_unknown_elements_warn },
	{ "unknown elements are kept and written back", test_unknown_elements_kept },
	{ "format output is exact", test_format_exact },
	{ "size units", test_size_units },
	{ "uuid canonical form", test_uuid_canon },
	{ "semantic errors have exact texts", test_semantic_errors },
	{ "malformed XML and invalid UTF-8", test_malformed },
	{ "DOCTYPE, entities and XXE refused", test_entities_refused },
	{ "deep nesting and oversized documents", test_deep_and_huge },
	{ "100 MiB file refused unread", test_huge_file },
	{ "device count is bounded", test_too_many_devices },
	{ "schema validation errors", test_validate_reports_errors },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("domain_xml", tests)

/* The tests that read libvirt's test data. */
static CU_TestInfo libvirt_tests[] = {
	{ "basic-pv.xml field values", test_basic_pv_values },
	{ "PV kernel, console, kept devices", test_pv_kernel_values },
	{ "HVM disks, cdrom, video, loader", test_hvm_devices },
	{ "libvirt examples round-trip and validate", test_libvirt_examples_roundtrip },
	{ "unknown attribute dropped, output validates", test_output_validates_after_dropping_unknown_attr },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE_LIBVIRT_DATA("domain_xml_libvirt", libvirt_tests)
