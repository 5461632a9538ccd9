/*
 * model/describe: the running guest's precise XML. The proof that it is
 * precise: launch config -> XML -> xenlaunch argv -> launch config gives
 * the same config, and describing that config again gives the same XML.
 */
#include "model/describe.h"
#include "model/options.h"
#include "tools/domain_argv.h"
#include "model/xml_util.h"
#include "tests/unit/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *temp_image(void)
{
	char *path = strdup("/tmp/describe-test-XXXXXX");
	int fd = path ? mkstemp(path) : -1;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(ftruncate(fd, 1 << 20), 0);
	close(fd);
	return path;
}

static enum options_result parse(struct strv *av, struct launch_config *cfg)
{
	FILE *sink = fopen("/dev/null", "w");
	enum options_result r;

	launch_config_init(cfg);
	r = options_parse((int)av->n, av->v, cfg, sink, sink);
	fclose(sink);
	return r;
}

/* Every field that makes the guest, compared by the model's one comparison. */
static void assert_same_guest(const struct launch_config *a, struct launch_config *b)
{
	const char *diff;

	CU_ASSERT_TRUE(b->uuid_set);
	/* The run's own options are not the guest's: xvirsh adds the monitor it
	 * talks to (and -daemonize when it starts one). */
	CU_ASSERT_EQUAL(b->monitor.kind, CHARDEV_UNIX);
	chardev_spec_dispose(&b->monitor);
	CU_ASSERT_FALSE(b->daemonize);
	b->daemonize = a->daemonize;
	diff = launch_config_diff(a, b);
	CU_ASSERT_PTR_NULL(diff);
	if (diff)
		fprintf(stderr, "\n  configs differ in %s\n", diff);
}

/*
 * config -> XML (valid for libvirt's schema) -> argv -> config; then the
 * second config's XML is the first's. Returns the first XML for the
 * caller's own checks.
 */
static char *round_trip(const char *const *args, const struct launch_live *live)
{
	struct launch_config cfg1, cfg2;
	struct strv in, out;
	struct domain_def def;
	char *xml1 = NULL, *xml2 = NULL, *err = NULL, *schema = xml_util_schema_path("domain.rng");

	strv_init(&in);
	strv_init(&out);
	domain_def_init(&def);
	for (size_t i = 0; args[i]; i++)
		CU_ASSERT_EQUAL_FATAL(strv_add(&in, args[i]), 0);
	CU_ASSERT_EQUAL_FATAL(parse(&in, &cfg1), OPTIONS_RUN);
	xml1 = launch_describe_xml(&cfg1, live);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xml1);
	if (xml_util_validate(xml1, strlen(xml1), schema, &err))
		fprintf(stderr, "\n%s\n%s\n", err, xml1);
	CU_ASSERT_PTR_NULL(err);

	CU_ASSERT_EQUAL_FATAL(domain_def_parse(&def, xml1, strlen(xml1), &err), 0);
	if (domain_to_xenlaunch_argv(&def, "xenlaunch", "/run/xvirsh", &out, &err))
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NULL_FATAL(err);
	CU_ASSERT_EQUAL_FATAL(parse(&out, &cfg2), OPTIONS_RUN);
	assert_same_guest(&cfg1, &cfg2);
	xml2 = launch_describe_xml(&cfg2, live);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xml2);
	CU_ASSERT_STRING_EQUAL(xml1, xml2);

	free(xml2);
	free(err);
	free(schema);
	strv_dispose(&in);
	strv_dispose(&out);
	domain_def_dispose(&def);
	launch_config_dispose(&cfg1);
	launch_config_dispose(&cfg2);
	return xml1;
}

static void test_kernel_guest(void)
{
	char *img = temp_image(), *iso = temp_image(), *kernel = temp_image(), *initrd = temp_image(), *xml;
	char drive0[128], drive2[128];
	const char *args[] = {
		"xenlaunch", "-name", "precise", "-uuid", "6f0e9b5c-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
		"-m", "384", "-smp", "2", "-kernel", kernel, "-initrd", initrd,
		"-append", "console=hvc0 root=/dev/xvda1 'quoted words'",
		"-drive", drive0, "-drive", drive2, "-serial", "pty",
		"-vnc", "127.0.0.1:3,password=on", "-no-reboot", "-daemonize",
		"-nic", "bridge,br=xenbr0", "-nic", "tap,br=xenbr1,ifname=guest-tap,script=/bin/true", NULL,
	};
	struct launch_live live = { .domid = 5, .serial_pty = "/dev/pts/9", .vnc_port = 5903 };

	snprintf(drive0, sizeof(drive0), "file=%s,if=xen,index=0,cache=none,discard=ignore", img);
	snprintf(drive2, sizeof(drive2), "file=%s,media=cdrom,index=2", iso);
	xml = round_trip(args, &live);
	/* What the launcher filled in, written out. */
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<domain type='xen' id='5'>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<memory unit='KiB'>393216</memory>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<target dev='xvda' bus='xen'/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<target dev='xvdc' bus='xen'/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "cache='none' discard='ignore'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<source path='/dev/pts/9'/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "port='5903' autoport='no'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<on_reboot>destroy</on_reboot>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<input type='keyboard' bus='xen'/>"));
	/* The default MAC, derived from the name, and the tap the launcher made. */
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<mac address='00:16:3e:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<source bridge='xenbr0'/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<target dev='vif5.0'/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<target dev='guest-tap'/>"));
	free(xml);
	unlink(img);
	unlink(iso);
	unlink(kernel);
	unlink(initrd);
	free(img);
	free(iso);
	free(kernel);
	free(initrd);
}

/* A bootloader guest: the kernel it found is not part of the hardware. */
static void test_bootloader_guest(void)
{
	char *img = temp_image(), *xml;
	const char *args[] = {
		"xenlaunch", "-name", "boots", "-hda", img, "-bootloader", "builtin",
		"-bootloader-args", "--entry=1", "-serial", "file:/tmp/boots.log", NULL,
	};
	struct launch_live live = { .domid = 0, .serial_pty = NULL, .vnc_port = -1 };

	xml = round_trip(args, &live);
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<domain type='xen'>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<bootloader>builtin</bootloader>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<bootloader_args>--entry=1</bootloader_args>"));
	CU_ASSERT_PTR_NULL(strstr(xml, "<kernel>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<source path='/tmp/boots.log'/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "cache='writeback' discard='unmap'"));
	CU_ASSERT_PTR_NULL(strstr(xml, "<graphics"));
	free(xml);
	unlink(img);
	free(img);
}

/* A qcow2 disk (served through qemu-nbd): its format survives both ways. */
static void test_qcow2_disk(void)
{
	char *img = temp_image(), *kernel = temp_image(), *xml, drive[128];
	const char *args[] = { "xenlaunch", "-name", "q", "-kernel", kernel, "-drive", drive, NULL };
	struct launch_live live = { .domid = 3, .serial_pty = NULL, .vnc_port = -1 };
	FILE *f = fopen(img, "r+");

	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(fwrite("QFI\xfb\0\0\0\3", 1, 8, f), 8);
	fclose(f);
	snprintf(drive, sizeof(drive), "file=%s,format=qcow2", img);
	xml = round_trip(args, &live);
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<disk type='file' device='disk'>\n"
					   "      <driver name='qemu' type='qcow2' cache='writeback' "
					   "discard='unmap'/>"));
	free(xml);
	unlink(img);
	unlink(kernel);
	free(img);
	free(kernel);
}

/* A PVH guest: libvirt's <type>xenpvh</type>, both ways. */
static void test_pvh_guest(void)
{
	char *kernel = temp_image(), *xml;
	const char *args[] = { "xenlaunch", "-name", "pvh", "-M", "xenpvh", "-smp", "2", "-kernel", kernel,
			       "-serial", "pty", NULL };
	struct launch_live live = { .domid = 4, .serial_pty = "/dev/pts/2", .vnc_port = -1 };

	xml = round_trip(args, &live);
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<type arch='x86_64' machine='xenpvh'>xenpvh</type>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<console type='pty'"));
	free(xml);
	unlink(kernel);
	free(kernel);
}

/* <type machine='xenpvh'>xen</type> (libvirt's older spelling) is PVH too; xen alone is PV. */
static void test_pvh_machine_spelling(void)
{
	static const char *const xml[] = {
		"<domain type='xen'><name>p</name><memory>131072</memory>"
		"<os><type arch='x86_64' machine='xenpvh'>xen</type><kernel>/k</kernel></os></domain>",
		"<domain type='xen'><name>p</name><memory>131072</memory>"
		"<os><type>xenpvh</type><kernel>/k</kernel></os></domain>",
		"<domain type='xen'><name>p</name><memory>131072</memory>"
		"<os><type machine='xenpv'>xen</type><kernel>/k</kernel></os></domain>",
	};
	static const enum machine_type want[] = { MACHINE_XENPVH, MACHINE_XENPVH, MACHINE_XENPV };

	for (size_t i = 0; i < 3; i++) {
		struct domain_def def;
		struct launch_config cfg;
		char *err = NULL;

		domain_def_init(&def);
		launch_config_init(&cfg);
		CU_ASSERT_EQUAL_FATAL(domain_def_parse(&def, xml[i], strlen(xml[i]), &err), 0);
		CU_ASSERT_EQUAL(domain_is_xen_pvh(&def), want[i] == MACHINE_XENPVH);
		CU_ASSERT_EQUAL(domain_is_xen_pv(&def), want[i] == MACHINE_XENPV);
		cfg.machine = MACHINE_XENFV;
		launch_from_domain(&def, &cfg, &err);	/* /k does not exist: only the machine matters */
		CU_ASSERT_EQUAL(cfg.machine, want[i]);
		free(err);
		domain_def_dispose(&def);
		launch_config_dispose(&cfg);
	}
}

static CU_TestInfo tests[] = {
	{ "xenpvh guest: <type>xenpvh</type> both ways", test_pvh_guest },
	{ "<type machine='xenpvh'>xen</type> is PVH", test_pvh_machine_spelling },
	{ "qcow2 disk: type='qcow2' there and back", test_qcow2_disk },
	{ "kernel guest: config -> XML -> argv -> config", test_kernel_guest },
	{ "bootloader guest: config -> XML -> argv -> config", test_bootloader_guest },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("describe", tests)
