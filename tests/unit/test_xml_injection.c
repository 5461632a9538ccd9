/*
 * Domain XML cannot inject launcher options: values checked when the XML
 * is read, every value written into an option string with its commas
 * doubled, a repeated property refused by the launcher, and values with
 * commas that are legitimate (file names) kept whole from XML to argv to
 * the launcher's configuration.
 */
#include "tests/unit/unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/strv.h"
#include "model/options.h"
#include "tools/domain_argv.h"
#include "model/domain_xml.h"
#include "model/xml_util.h"

#define HEAD "<domain type='xen'><name>evil</name><memory unit='MiB'>64</memory>" \
	     "<os><type>linux</type><kernel>/boot/vmlinuz</kernel></os><devices>"
#define TAIL "</devices></domain>"

static FILE *quiet;
static void hush(void) { quiet = fopen("/dev/null", "w"); log_set_stream(quiet); }
static void unhush(void) { log_set_stream(NULL); fclose(quiet); }

/* domain_def_parse's result; its message in *err_r (to be freed). */
static int parse_xml(struct domain_def *def, const char *xml, char **err_r)
{
	int rc;

	domain_def_init(def);
	hush();
	rc = domain_def_parse(def, xml, strlen(xml), err_r);
	unhush();
	return rc;
}

static void expect_refused(const char *xml, const char *msg)
{
	struct domain_def def;
	char *err = NULL;

	CU_ASSERT_EQUAL(parse_xml(&def, xml, &err), -EINVAL);
	if (!err || strcmp(err, msg))
		fprintf(stderr, "\n  %s\n  gave: %s\n", xml, err ? err : "no error");
	CU_ASSERT_PTR_NOT_NULL_FATAL(err);
	CU_ASSERT_STRING_EQUAL(err, msg);
	free(err);
	domain_def_dispose(&def);
}

/* The two exploits of issue 11, as written. */
static void test_exploits_refused(void)
{
	expect_refused(HEAD "<disk type='file' device='disk'><driver name='qemu' type='raw' "
			    "cache='writeback,file=/etc/shadow'/><source file='/var/lib/xen/evil.img'/>"
			    "<target dev='xvda' bus='xen'/></disk>" TAIL,
		       "invalid value 'writeback,file=/etc/shadow' of attribute 'cache' of 'devices/disk/driver' "
		       "(expected default, none, writethrough, writeback, directsync, unsafe)");
	expect_refused(HEAD "<interface type='bridge'><source bridge='xenbr0'/>"
			    "<target dev='vnet0,script=/tmp/evil'/></interface>" TAIL,
		       "invalid value 'vnet0,script=/tmp/evil' of attribute 'dev' of 'devices/interface/target' "
		       "(an interface name: 1 to 15 characters, no '/', ':' or blank)");
}

/* Each enumerated attribute, refused by element, attribute and value. */
static void test_enums_checked(void)
{
	expect_refused(HEAD "<disk type='file'><driver type='raw,x'/><source file='/i'/><target dev='xvda'/></disk>"
			    TAIL,
		       "invalid value 'raw,x' of attribute 'type' of 'devices/disk/driver' (expected raw, dir, "
		       "bochs, cloop, dmg, iso, vpc, vdi, fat, vhd, ploop, cow, qcow, qcow2, qed, vmdk, luks, vhdx)");
	expect_refused(HEAD "<disk type='file'><driver discard='unmap,readonly=off'/><source file='/i'/>"
			    "<target dev='xvda'/></disk>" TAIL,
		       "invalid value 'unmap,readonly=off' of attribute 'discard' of 'devices/disk/driver' "
		       "(expected default, unmap, ignore)");
	expect_refused(HEAD "<disk type='file'><source file='/i'/><target dev='xvda' bus='xen,if=ide'/></disk>" TAIL,
		       "invalid value 'xen,if=ide' of attribute 'bus' of 'devices/disk/target' (expected ide, fdc, "
		       "scsi, virtio, xen, usb, uml, sata, sd)");
	expect_refused(HEAD "<disk type='file' device='disk,x'><source file='/i'/><target dev='xvda'/></disk>" TAIL,
		       "invalid value 'disk,x' of attribute 'device' of 'devices/disk' (expected disk, cdrom, "
		       "floppy, lun)");
	expect_refused(HEAD "<interface type='bridge'><source bridge='xenbr0'/><model type='netfront,script=/x'/>"
			    "</interface>" TAIL,
		       "invalid value 'netfront,script=/x' of attribute 'type' of 'devices/interface/model' "
		       "(letters, digits, '_' and '-')");
	expect_refused(HEAD "<interface type='bridge'><source bridge='xenbr0,script=/tmp/evil'/></interface>" TAIL,
		       "invalid value 'xenbr0,script=/tmp/evil' of attribute 'bridge' of 'devices/interface/source' "
		       "(an interface name: 1 to 15 characters, no '/', ':' or blank)");
	expect_refused(HEAD "<graphics type='vnc,password=off'/>" TAIL,
		       "invalid value 'vnc,password=off' of attribute 'type' of 'devices/graphics' (expected sdl, "
		       "vnc, rdp, desktop, spice, egl-headless, dbus)");
	expect_refused(HEAD "<console type='pty'><target type='xen,x'/></console>" TAIL,
		       "invalid value 'xen,x' of attribute 'type' of 'devices/console/target' (expected serial, "
		       "xen, uml, virtio, lxc, openvz, sclp, sclplm)");
	expect_refused(HEAD "<serial type='unix'><source mode='bind,x' path='/s'/></serial>" TAIL,
		       "invalid value 'bind,x' of attribute 'mode' of 'devices/serial/source' (expected bind, "
		       "connect)");
	expect_refused(HEAD "<serial type='pty,x'/>" TAIL,
		       "invalid value 'pty,x' of attribute 'type' of 'devices/serial' (expected null, vc, pty, "
		       "dev, file, pipe, stdio, udp, tcp, unix, spicevmc, spiceport, nmdm, qemu-vdagent, dbus)");
}

/* argv from a model; the launcher's verdict on it, its message in err_r. */
static enum options_result launch_parse(const struct domain_def *def, struct launch_config *cfg, char **err_r)
{
	enum options_result res;
	struct strv av;
	char *xerr = NULL;
	size_t len;
	FILE *err;

	hush();
	CU_ASSERT_EQUAL_FATAL(domain_to_xenlaunch_argv(def, "xenlaunch", "/run/x,vir", &av, &xerr), 0);
	unhush();
	free(xerr);
	err = open_memstream(err_r, &len);
	launch_config_init(cfg);
	res = options_parse((int)av.n, av.v, cfg, stdout, err);
	fclose(err);
	strv_dispose(&av);
	return res;
}

/*
 * Should a value get past the XML checks (a model built some other way),
 * it still stays one value: the launcher's -drive parser sees a cache mode
 * with a comma in it, never a second file=.
 */
static void test_argv_keeps_values_whole(void)
{
	struct domain_def def;
	struct strv av;
	char *err = NULL;

	CU_ASSERT_EQUAL_FATAL(parse_xml(&def, HEAD "<disk type='file'><source file='/nonexistent/a.img'/>"
						  "<target dev='xvda'/></disk>" TAIL, &err), 0);
	free(def.disks[0].driver_cache);
	def.disks[0].driver_cache = strdup("writeback,file=/etc/shadow");
	CU_ASSERT_EQUAL(domain_to_xenlaunch_argv(&def, "xenlaunch", "/run/x", &av, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "disk xvda: cache=writeback,file=/etc/shadow is not supported (writeback, none "
				    "or directsync)");
	free(err);
	domain_def_dispose(&def);
}

/* File names, scripts and socket paths with commas reach the launcher whole. */
static void test_commas_round_trip(void)
{
	char dir[] = "/tmp/xenlaunch-unit-commas-XXXXXX", kernel[128], disk[128], script[128], sock[128];
	struct launch_config cfg;
	struct domain_def def;
	char *xml, *err = NULL;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(kernel, sizeof(kernel), "%s/vmlinuz,1", dir);
	snprintf(disk, sizeof(disk), "%s/disk,,a,b.img", dir);
	snprintf(script, sizeof(script), "%s/if-up,x", dir);
	snprintf(sock, sizeof(sock), "%s/con,sole", dir);
	fd = open(kernel, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CU_ASSERT(fd >= 0 && write(fd, "vmlinuz", 7) == 7);
	close(fd);
	fd = open(disk, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CU_ASSERT(fd >= 0 && ftruncate(fd, 1 << 20) == 0);
	close(fd);
	xml = str_printf("<domain type='xen'><name>a,b=c</name><memory unit='MiB'>64</memory>"
			   "<os><type>linux</type><kernel>%s</kernel></os><devices>"
			   "<disk type='file'><driver name='qemu' type='raw' cache='none'/><source file='%s'/>"
			   "<target dev='xvdb'/></disk>"
			   "<interface type='ethernet'><target dev='tap,0'/><script path='%s'/></interface>"
			   "<serial type='unix'><source mode='bind' path='%s'/></serial>" TAIL,
			   kernel, disk, script, sock);
	CU_ASSERT_EQUAL_FATAL(parse_xml(&def, xml, &err), 0);
	CU_ASSERT_EQUAL(launch_parse(&def, &cfg, &err), OPTIONS_RUN);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_STRING_EQUAL(cfg.name, "a,b=c");
	CU_ASSERT_STRING_EQUAL(cfg.kernel, kernel);
	CU_ASSERT_EQUAL_FATAL(cfg.n_disks, 1);
	CU_ASSERT_STRING_EQUAL(cfg.disks[0].file, disk);
	CU_ASSERT_EQUAL(cfg.disks[0].index, 1);
	CU_ASSERT_EQUAL(cfg.disks[0].cache, DRIVE_CACHE_NONE);
	CU_ASSERT_EQUAL_FATAL(cfg.n_nics, 1);
	CU_ASSERT_STRING_EQUAL(cfg.nics[0].ifname, "tap,0");
	CU_ASSERT_STRING_EQUAL(cfg.nics[0].script, script);
	CU_ASSERT_EQUAL(cfg.serial.kind, CHARDEV_UNIX);
	CU_ASSERT_STRING_EQUAL(cfg.serial.path, sock);
	CU_ASSERT_EQUAL(cfg.monitor.kind, CHARDEV_UNIX);
	CU_ASSERT_STRING_EQUAL(cfg.monitor.path, "/run/x,vir/a,b=c.monitor");
	/* And xvirsh reads its own command line back to the same values. */
	{
		struct domain_def back;
		struct strv av;
		char *xerr = NULL;

		hush();
		CU_ASSERT_EQUAL_FATAL(domain_to_xenlaunch_argv(&def, "xenlaunch", "/run", &av, &xerr), 0);
		unhush();
		domain_def_init(&back);
		CU_ASSERT_EQUAL(domain_from_xenlaunch_argv(&back, av.n, av.v, &xerr), 0);
		CU_ASSERT_STRING_EQUAL(back.name, "a,b=c");
		CU_ASSERT_EQUAL_FATAL(back.n_disks, 1);
		CU_ASSERT_STRING_EQUAL(back.disks[0].source, disk);
		CU_ASSERT_STRING_EQUAL(back.disks[0].driver_cache, "none");
		CU_ASSERT_EQUAL_FATAL(back.n_interfaces, 1);
		CU_ASSERT_STRING_EQUAL(back.interfaces[0].script, script);
		free(xerr);
		strv_dispose(&av);
		domain_def_dispose(&back);
	}
	free(err);
	free(xml);
	launch_config_dispose(&cfg);
	domain_def_dispose(&def);
	unlink(kernel);
	unlink(disk);
	rmdir(dir);
}

/* xvirsh reads a launcher command line (domxml-from-native) with the same rule. */
static void test_from_argv_refuses_repeats(void)
{
	char *argv[] = { "xenlaunch", "-name", "a", "-kernel", "/k", "-drive",
			 "file=/i,if=xen,cache=writeback,file=/etc/shadow", NULL };
	struct domain_def def;
	char *err = NULL;

	domain_def_init(&def);
	CU_ASSERT_EQUAL(domain_from_xenlaunch_argv(&def, 7, argv, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "xenlaunch: -drive file=/i,if=xen,cache=writeback,file=/etc/shadow: property "
				    "'file' is given twice");
	free(err);
	domain_def_dispose(&def);
}

static CU_TestInfo tests[] = {
	{ "xvirsh refuses a repeated property in a launcher argv too", test_from_argv_refuses_repeats },
	{ "the two exploits of <driver cache> and <target dev> are refused", test_exploits_refused },
	{ "enumerated attributes are checked when the XML is read", test_enums_checked },
	{ "a value with a comma stays one value in the argv", test_argv_keeps_values_whole },
	{ "file names with commas round-trip XML -> argv -> launcher", test_commas_round_trip },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("xml_injection", tests)
