/* model/options: QEMU's command line, its defaults, and every refusal's exact text. */
#include "model/options.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct parse_run {
	struct launch_config cfg;
	enum options_result res;
	char *out;
	char *err;
};

static char kernel_path[64];
static char initrd_path[64];

/* Two small regular files stand in for the kernel and the initrd. */
static void make_images(void)
{
	int fd;

	if (kernel_path[0])
		return;
	strcpy(kernel_path, "/tmp/xenlaunch-unit-kernel-XXXXXX");
	fd = mkstemp(kernel_path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(write(fd, "vmlinuz", 7) == 7);
	close(fd);
	strcpy(initrd_path, "/tmp/xenlaunch-unit-initrd-XXXXXX");
	fd = mkstemp(initrd_path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
}

/* Parses argv (NULL-terminated, without argv[0]) into run. */
static void parse(struct parse_run *run, ...)
{
	char *argv[64];
	int argc = 0;
	size_t out_len, err_len;
	FILE *out, *err;
	va_list ap;

	argv[argc++] = "xenlaunch";
	va_start(ap, run);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);

	out = open_memstream(&run->out, &out_len);
	err = open_memstream(&run->err, &err_len);
	launch_config_init(&run->cfg);
	run->res = options_parse(argc, argv, &run->cfg, out, err);
	fclose(out);
	fclose(err);
}

static void run_dispose(struct parse_run *run)
{
	launch_config_dispose(&run->cfg);
	free(run->out);
	free(run->err);
}

/* Asserts that the arguments fail with exactly this message on err, nothing on out. */
#define EXPECT_ERROR(msg, ...)                                          \
	do {                                                            \
		struct parse_run r_;                                    \
		parse(&r_, __VA_ARGS__, NULL);                          \
		CU_ASSERT_EQUAL(r_.res, OPTIONS_ERROR);                 \
		CU_ASSERT_STRING_EQUAL(r_.err, msg);                    \
		CU_ASSERT_STRING_EQUAL(r_.out, "");                     \
		run_dispose(&r_);                                       \
	} while (0)

static void test_minimal_defaults(void)
{
	struct parse_run r;
	char uuid[UUID_STRING_SIZE], expect_name[32];

	make_images();
	parse(&r, "-kernel", kernel_path, NULL);
	CU_ASSERT_EQUAL_FATAL(r.res, OPTIONS_RUN);
	CU_ASSERT_STRING_EQUAL(r.err, "");
	CU_ASSERT_EQUAL(r.cfg.machine, MACHINE_XENPV);
	CU_ASSERT_EQUAL(r.cfg.memory_mib, 128);
	CU_ASSERT_EQUAL(r.cfg.vcpus, 1);
	CU_ASSERT_EQUAL(r.cfg.serial.kind, CHARDEV_STDIO);
	CU_ASSERT_EQUAL(r.cfg.monitor.kind, CHARDEV_NONE);
	CU_ASSERT_FALSE(r.cfg.uuid_set);
	/* A generated UUID is version 4, RFC 4122 variant. */
	CU_ASSERT_EQUAL(r.cfg.uuid[6] >> 4, 4);
	CU_ASSERT_EQUAL(r.cfg.uuid[8] >> 6, 2);
	uuid_to_string(r.cfg.uuid, uuid);
	snprintf(expect_name, sizeof(expect_name), "xenlaunch-%.8s", uuid);
	CU_ASSERT_STRING_EQUAL(r.cfg.name, expect_name);
	CU_ASSERT_PTR_NULL(r.cfg.initrd);
	CU_ASSERT_PTR_NULL(r.cfg.append);
	CU_ASSERT_FALSE(r.cfg.start_paused || r.cfg.daemonize || r.cfg.no_reboot || r.cfg.nographic);
	run_dispose(&r);
}

static void test_design_command_line(void)
{
	struct parse_run r;

	make_images();
	parse(&r, "-name", "demo", "-M", "xenpv", "-m", "500", "-kernel", kernel_path,
	      "-initrd", initrd_path, "-append", "console=hvc0", "-serial", "pty",
	      "-uuid", "6F9619FF-8B86-D011-B42D-00C04FC964FF", "-smp", "2", "-S", "-no-reboot",
	      "-pidfile", "/run/x.pid", "-D", "/var/log/x.log",
	      "-monitor", "unix:/run/mon.sock,server,nowait", NULL);
	CU_ASSERT_EQUAL_FATAL(r.res, OPTIONS_RUN);
	CU_ASSERT_STRING_EQUAL(r.err, "");
	CU_ASSERT_STRING_EQUAL(r.cfg.name, "demo");
	CU_ASSERT_EQUAL(r.cfg.memory_mib, 500);
	CU_ASSERT_EQUAL(r.cfg.vcpus, 2);
	CU_ASSERT_STRING_EQUAL(r.cfg.kernel, kernel_path);
	CU_ASSERT_STRING_EQUAL(r.cfg.initrd, initrd_path);
	CU_ASSERT_STRING_EQUAL(r.cfg.append, "console=hvc0");
	CU_ASSERT_EQUAL(r.cfg.serial.kind, CHARDEV_PTY);
	CU_ASSERT_TRUE(r.cfg.uuid_set);
	CU_ASSERT_EQUAL(r.cfg.uuid[0], 0x6f);
	CU_ASSERT_EQUAL(r.cfg.uuid[15], 0xff);
	CU_ASSERT_TRUE(r.cfg.start_paused);
	CU_ASSERT_TRUE(r.cfg.no_reboot);
	CU_ASSERT_STRING_EQUAL(r.cfg.pidfile, "/run/x.pid");
	CU_ASSERT_STRING_EQUAL(r.cfg.logfile, "/var/log/x.log");
	CU_ASSERT_EQUAL(r.cfg.monitor.kind, CHARDEV_UNIX);
	CU_ASSERT_STRING_EQUAL(r.cfg.monitor.path, "/run/mon.sock");
	CU_ASSERT_TRUE(r.cfg.monitor.server);
	CU_ASSERT_FALSE(r.cfg.monitor.wait);
	run_dispose(&r);
}

static void test_property_spellings(void)
{
	struct parse_run r;

	make_images();
	parse(&r, "--name", "guest=web", "-machine", "type=xenpv", "--m", "size=2G",
	      "-smp", "cpus=4", "-kernel", kernel_path, NULL);
	CU_ASSERT_EQUAL_FATAL(r.res, OPTIONS_RUN);
	CU_ASSERT_STRING_EQUAL(r.cfg.name, "web");
	CU_ASSERT_EQUAL(r.cfg.memory_mib, 2048);
	CU_ASSERT_EQUAL(r.cfg.vcpus, 4);
	run_dispose(&r);

	parse(&r, "-m", "1024M", "-kernel", kernel_path, NULL);
	CU_ASSERT_EQUAL(r.cfg.memory_mib, 1024);
	run_dispose(&r);
	parse(&r, "-m", "1T", "-kernel", kernel_path, NULL);
	CU_ASSERT_EQUAL(r.res, OPTIONS_RUN);
	CU_ASSERT_EQUAL(r.cfg.memory_mib, 1024 * 1024);
	run_dispose(&r);
	parse(&r, "-smp", "128", "-kernel", kernel_path, NULL);
	CU_ASSERT_EQUAL(r.cfg.vcpus, 128);
	run_dispose(&r);
}

static void test_last_one_wins(void)
{
	struct parse_run r;

	make_images();
	parse(&r, "-name", "a", "-name", "b", "-m", "64", "-m", "256", "-append", "x",
	      "-append", "y", "-monitor", "pty", "-monitor", "none", "-kernel", kernel_path, NULL);
	CU_ASSERT_EQUAL_FATAL(r.res, OPTIONS_RUN);
	CU_ASSERT_STRING_EQUAL(r.cfg.name, "b");
	CU_ASSERT_EQUAL(r.cfg.memory_mib, 256);
	CU_ASSERT_STRING_EQUAL(r.cfg.append, "y");
	CU_ASSERT_EQUAL(r.cfg.monitor.kind, CHARDEV_NONE);
	run_dispose(&r);
}

static void test_serial_defaults(void)
{
	struct parse_run r;

	make_images();
	parse(&r, "-daemonize", "-kernel", kernel_path, NULL);
	CU_ASSERT_EQUAL_FATAL(r.res, OPTIONS_RUN);
	CU_ASSERT_EQUAL(r.cfg.serial.kind, CHARDEV_NULL);
	run_dispose(&r);

	parse(&r, "-nographic", "-kernel", kernel_path, NULL);
	CU_ASSERT_EQUAL(r.cfg.serial.kind, CHARDEV_STDIO);
	CU_ASSERT_TRUE(r.cfg.nographic);
	run_dispose(&r);

	/* The monitor took stdio, so the serial port falls back to null. */
	parse(&r, "-monitor", "stdio", "-kernel", kernel_path, NULL);
	CU_ASSERT_EQUAL_FATAL(r.res, OPTIONS_RUN);
	CU_ASSERT_EQUAL(r.cfg.serial.kind, CHARDEV_NULL);
	CU_ASSERT_EQUAL(r.cfg.monitor.kind, CHARDEV_STDIO);
	run_dispose(&r);

	parse(&r, "-serial", "none", "-kernel", kernel_path, NULL);
	CU_ASSERT_EQUAL(r.cfg.serial.kind, CHARDEV_NONE);
	run_dispose(&r);

	parse(&r, "-serial", "file:/tmp/console.log", "-kernel", kernel_path, NULL);
	CU_ASSERT_EQUAL(r.cfg.serial.kind, CHARDEV_FILE);
	CU_ASSERT_STRING_EQUAL(r.cfg.serial.path, "/tmp/console.log");
	run_dispose(&r);
}

static void test_informational(void)
{
	struct parse_run r;

	parse(&r, "-version", NULL);
	CU_ASSERT_EQUAL(r.res, OPTIONS_EXIT);
	CU_ASSERT_STRING_EQUAL(r.out, "xenlaunch version " XENLAUNCH_VERSION "\n");
	CU_ASSERT_STRING_EQUAL(r.err, "");
	run_dispose(&r);

	parse(&r, "-M", "help", NULL);
	CU_ASSERT_EQUAL(r.res, OPTIONS_EXIT);
	CU_ASSERT_STRING_EQUAL(r.out,
		"Supported machines are:\n"
		"xenpv                Xen paravirtual guest (libxc domain build)\n"
		"xenpvh               Xen PVH guest (HVM container, no firmware, no QEMU)\n"
		"xenfv                Xen HVM guest (not supported yet)\n");
	run_dispose(&r);

	parse(&r, "-machine", "xenpv,help", NULL);
	CU_ASSERT_EQUAL(r.res, OPTIONS_EXIT);
	CU_ASSERT_STRING_EQUAL(r.out,
		"Machine xenpv adds by default:\n"
		"  xenstore   /local/domain/N (the guest's directory; N is its domid)\n"
		"  xenstore   /vm/UUID (the VM's directory: name, uuid)\n"
		"  console 0  PV console ring, served by xenlaunch (console/type=ioemu)\n"
		"  serial     stdio; null with -daemonize or -monitor stdio (-serial)\n"
		"  memory     128 MiB (-m)\n"
		"  vcpus      1 (-smp)\n");
	run_dispose(&r);

	parse(&r, "-M", "xenpv,help", NULL);
	CU_ASSERT_EQUAL(r.res, OPTIONS_EXIT);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "  memory     128 MiB (-m)\n"));
	run_dispose(&r);

	/* xenpvh: the common defaults and its own (container, kernel, ACPI). */
	parse(&r, "-M", "type=xenpvh,help", NULL);
	CU_ASSERT_EQUAL(r.res, OPTIONS_EXIT);
	CU_ASSERT(!strncmp(r.out, "Machine xenpvh adds by default:\n", 32));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "  vcpus      1 (-smp)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "XEN_ELFNOTE_PHYS32_ENTRY"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "  ACPI       RSDP, XSDT, FADT"));
	CU_ASSERT_PTR_NULL(strstr(r.out, "xenpv adds"));
	CU_ASSERT_STRING_EQUAL(r.err, "");
	run_dispose(&r);
}

static void test_xenpvh(void)
{
	struct parse_run r;

	parse(&r, "-M", "xenpvh", "-smp", "2", "-kernel", kernel_path, NULL);
	CU_ASSERT_EQUAL(r.res, OPTIONS_RUN);
	CU_ASSERT_EQUAL(r.cfg.machine, MACHINE_XENPVH);
	CU_ASSERT_EQUAL(r.cfg.vcpus, 2);
	run_dispose(&r);

	parse(&r, "-M", "xenpvh", NULL);
	CU_ASSERT_EQUAL(r.res, OPTIONS_ERROR);
	CU_ASSERT_STRING_EQUAL(r.err, "xenlaunch: -M xenpvh needs -kernel or -bootloader with a disk\n");
	run_dispose(&r);
}

/* -help lists every option, one line each, including those refused for now. */
static void test_help_lists_every_option(void)
{
	static const char *const names[] = {
		"-name NAME", "-M TYPE", "-machine TYPE", "-m SIZE", "-smp N", "-kernel FILE",
		"-initrd FILE", "-append CMDLINE", "-uuid UUID", "-serial DEV", "-monitor DEV",
		"-no-reboot", "-S ", "-daemonize", "-pidfile FILE", "-nographic", "-D FILE",
		"-version", "-help", "-hda FILE", "-hdb FILE", "-hdc FILE", "-hdd FILE",
		"-cdrom FILE", "-drive SPEC", "-net SPEC", "-nic SPEC", "-netdev SPEC",
		"-device SPEC", "-vnc DISPLAY", "-sdl", "-display TYPE", "-bootloader PROG", "-bootloader-args ARGS",
		"-k LAYOUT", "-rtc base=BASE",
	};
	struct parse_run r;
	size_t i, lines = 0;
	char needle[64];

	parse(&r, "--help", NULL);
	CU_ASSERT_EQUAL(r.res, OPTIONS_EXIT);
	CU_ASSERT_EQUAL(strncmp(r.out, "usage: xenlaunch [options]\n", 27), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(needle, sizeof(needle), "\n  %s", names[i]);
		if (!strstr(r.out, needle))
			fprintf(stderr, "missing from -help: %s\n", names[i]);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, needle));
	}
	for (i = 0; r.out[i]; i++)
		lines += r.out[i] == '\n';
	/* Two header lines, a blank line, 37 options (-h included), the -drive
	 * set, the -nic set. */
	CU_ASSERT_EQUAL(lines, 3 + 37 + 13 + 10);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\n  br=BRIDGE "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\n  cache=writeback|none|directsync\n"));
	run_dispose(&r);
}

static void test_syntax_errors(void)
{
	EXPECT_ERROR("xenlaunch: -foo: invalid option\n", "-foo");
	EXPECT_ERROR("xenlaunch: --foo: invalid option\n", "--foo");
	EXPECT_ERROR("xenlaunch: -: invalid option\n", "-");
	EXPECT_ERROR("xenlaunch: ---m: invalid option\n", "---m", "5");
	EXPECT_ERROR("xenlaunch: -M xenpv needs -kernel or -bootloader with a disk\n",
		     "disk.img");
	EXPECT_ERROR("xenlaunch: -m: requires an argument\n", "-m");
	EXPECT_ERROR("xenlaunch: -kernel: requires an argument\n", "--kernel");
	EXPECT_ERROR("xenlaunch: -name: requires an argument\n", "-S", "-name");
}

static void test_later_options_refused(void)
{
	static const char *const later[] = { "net" };
	char opt[32], msg[64];
	size_t i;

	for (i = 0; i < sizeof(later) / sizeof(later[0]); i++) {
		snprintf(opt, sizeof(opt), "-%s", later[i]);
		snprintf(msg, sizeof(msg), "xenlaunch: -%s: not supported yet\n", later[i]);
		EXPECT_ERROR(msg, opt, "x");
	}
	EXPECT_ERROR("xenlaunch: -net: not supported yet\n", "--net", "user");
}

static void test_machine_errors(void)
{
	EXPECT_ERROR("xenlaunch: machine type 'xenfv' is not supported yet\n", "-M", "xenfv");
	EXPECT_ERROR("xenlaunch: machine type 'xenfv' is not supported yet\n", "-machine", "type=xenfv");
	EXPECT_ERROR("xenlaunch: -M pc: unsupported machine type\n"
		     "Use -machine help to list supported machines\n", "-M", "pc");
	EXPECT_ERROR("xenlaunch: -machine xenpv,accel=kvm: unsupported property 'accel=kvm'\n",
		     "-machine", "xenpv,accel=kvm");
	EXPECT_ERROR("xenlaunch: -M : missing machine type\n", "-M", "");
	EXPECT_ERROR("xenlaunch: -M type=: missing machine type\n", "-M", "type=");
	EXPECT_ERROR("xenlaunch: -M ,: missing machine type\n", "-M", ",");
	EXPECT_ERROR("xenlaunch: -M ,,,: unsupported machine type\n"
		     "Use -machine help to list supported machines\n", "-M", ",,,");
	EXPECT_ERROR("xenlaunch: -M xenpv,type=xenfv: property 'type' is given twice\n", "-M", "xenpv,type=xenfv");
	EXPECT_ERROR("xenlaunch: -M type=xenpv,type=xenfv: property 'type' is given twice\n", "-M",
		     "type=xenpv,type=xenfv");
}

/* -rtc base=utc|localtime|DATE, QEMU's spelling and words; the offset Xen is given. */
static void test_rtc(void)
{
	struct parse_run r;
	int32_t off = 1;

	EXPECT_ERROR("xenlaunch: -rtc base=2006-02-30: invalid datetime format\n"
		     "valid formats: '2006-06-17T16:01:21' or '2006-06-17'\n", "-rtc", "base=2006-02-30");
	EXPECT_ERROR("xenlaunch: -rtc base=2006-06-17T16:01: invalid datetime format\n"
		     "valid formats: '2006-06-17T16:01:21' or '2006-06-17'\n", "-rtc", "base=2006-06-17T16:01");
	EXPECT_ERROR("xenlaunch: -rtc base=2006-06-17T16:01:21Z: invalid datetime format\n"
		     "valid formats: '2006-06-17T16:01:21' or '2006-06-17'\n", "-rtc", "base=2006-06-17T16:01:21Z");
	EXPECT_ERROR("xenlaunch: -rtc clock=vm: unsupported property 'clock=vm' (base=utc|localtime|DATE)\n", "-rtc",
		     "clock=vm");
	EXPECT_ERROR("xenlaunch: -rtc localtime: unsupported property 'localtime' (base=utc|localtime|DATE)\n", "-rtc",
		     "localtime");
	EXPECT_ERROR("xenlaunch: -rtc base=: invalid datetime format\n"
		     "valid formats: '2006-06-17T16:01:21' or '2006-06-17'\n", "-rtc", "base=");

	parse(&r, "-kernel", kernel_path, "-rtc", "base=2006-06-17T16:01:21", NULL);
	CU_ASSERT_EQUAL_FATAL(r.res, OPTIONS_RUN);
	CU_ASSERT_EQUAL(r.cfg.rtc_base, RTC_BASE_DATE);
	CU_ASSERT_EQUAL(r.cfg.rtc_date, 1150560081);
	CU_ASSERT_EQUAL(rtc_offset(&r.cfg, 1150560081 + 100, &off), 0);
	CU_ASSERT_EQUAL(off, -100);
	/* Xen holds 32 bits of seconds: 1970 seen from 2100 is too far */
	CU_ASSERT_EQUAL(rtc_offset(&r.cfg, 4102444800ll + 1150560081, &off), -ERANGE);
	run_dispose(&r);

	parse(&r, "-kernel", kernel_path, "-rtc", "base=localtime", NULL);
	CU_ASSERT_EQUAL_FATAL(r.res, OPTIONS_RUN);
	CU_ASSERT_EQUAL(r.cfg.rtc_base, RTC_BASE_LOCALTIME);
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1); /* a POSIX rule: no tzdata needed */
	tzset();
	CU_ASSERT_EQUAL(rtc_offset(&r.cfg, 1150560081, &off), 0); /* June: CEST */
	CU_ASSERT_EQUAL(off, 7200);
	unsetenv("TZ");
	tzset();
	run_dispose(&r);

	parse(&r, "-kernel", kernel_path, NULL);
	CU_ASSERT_EQUAL(r.cfg.rtc_base, RTC_BASE_UTC);
	CU_ASSERT_EQUAL(rtc_offset(&r.cfg, 1150560081, &off), 0);
	CU_ASSERT_EQUAL(off, 0);
	run_dispose(&r);
}

static void test_memory_errors(void)
{
	EXPECT_ERROR("xenlaunch: -m 0: memory size must not be zero\n", "-m", "0");
	EXPECT_ERROR("xenlaunch: -m 0G: memory size must not be zero\n", "-m", "0G");
	EXPECT_ERROR("xenlaunch: -m 1048577: memory size is above the 1 TiB limit\n", "-m", "1048577");
	EXPECT_ERROR("xenlaunch: -m 1025G: memory size is above the 1 TiB limit\n", "-m", "1025G");
	EXPECT_ERROR("xenlaunch: -m 99999999999999999999999: memory size is above the 1 TiB limit\n",
		     "-m", "99999999999999999999999");
	/* 2^54 MiB: multiplying by 1024*1024 for T overflows 64 bits. */
	EXPECT_ERROR("xenlaunch: -m 18014398509481984T: memory size is above the 1 TiB limit\n",
		     "-m", "18014398509481984T");
	EXPECT_ERROR("xenlaunch: -m -1: invalid memory size (MiB, or a number with an M or G suffix)\n",
		     "-m", "-1");
	EXPECT_ERROR("xenlaunch: -m  512: invalid memory size (MiB, or a number with an M or G suffix)\n",
		     "-m", " 512");
	EXPECT_ERROR("xenlaunch: -m 512K: invalid memory size (MiB, or a number with an M or G suffix)\n",
		     "-m", "512K");
	EXPECT_ERROR("xenlaunch: -m 1.5G: invalid memory size (MiB, or a number with an M or G suffix)\n",
		     "-m", "1.5G");
	EXPECT_ERROR("xenlaunch: -m : invalid memory size (MiB, or a number with an M or G suffix)\n",
		     "-m", "");
	EXPECT_ERROR("xenlaunch: -m size=: invalid memory size (MiB, or a number with an M or G suffix)\n",
		     "-m", "size=");
	EXPECT_ERROR("xenlaunch: -m 512,slots=2: unsupported property 'slots=2'\n", "-m", "512,slots=2");
	EXPECT_ERROR("xenlaunch: -m size=512,size=1G: property 'size' is given twice\n", "-m", "size=512,size=1G");
}

static void test_smp_errors(void)
{
	EXPECT_ERROR("xenlaunch: -smp 0: vCPU count must be between 1 and 128\n", "-smp", "0");
	EXPECT_ERROR("xenlaunch: -smp 129: vCPU count must be between 1 and 128\n", "-smp", "129");
	EXPECT_ERROR("xenlaunch: -smp 99999999999999999999999: vCPU count must be between 1 and 128\n",
		     "-smp", "99999999999999999999999");
	EXPECT_ERROR("xenlaunch: -smp two: invalid vCPU count\n", "-smp", "two");
	EXPECT_ERROR("xenlaunch: -smp 2x: invalid vCPU count\n", "-smp", "2x");
	EXPECT_ERROR("xenlaunch: -smp 4,sockets=2: unsupported property 'sockets=2'\n",
		     "-smp", "4,sockets=2");
	EXPECT_ERROR("xenlaunch: -smp cpus=1,cpus=2: property 'cpus' is given twice\n", "-smp", "cpus=1,cpus=2");
}

static void test_name_errors(void)
{
	char long_name[70];

	memset(long_name, 'a', 65);
	long_name[65] = '\0';
	EXPECT_ERROR("xenlaunch: -name: empty name\n", "-name", "");
	EXPECT_ERROR("xenlaunch: -name: empty name\n", "-name", "guest=");
	EXPECT_ERROR("xenlaunch: -name: name longer than 64 characters\n", "-name", long_name);
	EXPECT_ERROR("xenlaunch: -name: name contains a control character\n", "-name", "a\nb");
	EXPECT_ERROR("xenlaunch: -name: name contains a control character\n", "-name", "\x1b[2J");
	EXPECT_ERROR("xenlaunch: -name 42: a name made only of digits would be taken for a domain ID\n",
		     "-name", "42");
	EXPECT_ERROR("xenlaunch: -name demo,process=x: unsupported property 'process=x'\n",
		     "-name", "demo,process=x");
	EXPECT_ERROR("xenlaunch: -name guest=a,guest=b: property 'guest' is given twice\n", "-name",
		     "guest=a,guest=b");
}

static void test_uuid(void)
{
	uint8_t u[16];
	char s[UUID_STRING_SIZE];

	CU_ASSERT_EQUAL(uuid_from_string("00112233-4455-6677-8899-aabbccddeeff", u), 0);
	uuid_to_string(u, s);
	CU_ASSERT_STRING_EQUAL(s, "00112233-4455-6677-8899-aabbccddeeff");
	CU_ASSERT_EQUAL(uuid_from_string("00112233-4455-6677-8899-AABBCCDDEEFF", u), 0);
	CU_ASSERT_EQUAL(u[10], 0xaa);
	CU_ASSERT_EQUAL(uuid_from_string("00112233445566778899aabbccddeeff", u), -EINVAL);
	CU_ASSERT_EQUAL(uuid_from_string("00112233-4455-6677-8899-aabbccddeef", u), -EINVAL);
	CU_ASSERT_EQUAL(uuid_from_string("00112233-4455-6677-8899-aabbccddeeff0", u), -EINVAL);
	CU_ASSERT_EQUAL(uuid_from_string("0011223-34455-6677-8899-aabbccddeeff", u), -EINVAL);
	CU_ASSERT_EQUAL(uuid_from_string("g0112233-4455-6677-8899-aabbccddeeff", u), -EINVAL);
	CU_ASSERT_EQUAL(uuid_from_string("", u), -EINVAL);
	EXPECT_ERROR("xenlaunch: -uuid nope: invalid UUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)\n",
		     "-uuid", "nope");
}

static void test_chardev_spec_parse(void)
{
	struct chardev_spec s;
	const char *msg = NULL;

#define OK(text, kind_)                                                    \
	do {                                                               \
		CU_ASSERT_EQUAL(chardev_spec_parse(text, &s, &msg), 0);    \
		CU_ASSERT_EQUAL(s.kind, kind_);                            \
	} while (0)
#define BAD(text, rc_, msg_)                                               \
	do {                                                               \
		msg = NULL;                                                \
		CU_ASSERT_EQUAL(chardev_spec_parse(text, &s, &msg), rc_);  \
		CU_ASSERT_PTR_NOT_NULL_FATAL(msg);                         \
		CU_ASSERT_STRING_EQUAL(msg, msg_);                         \
		CU_ASSERT_EQUAL(s.kind, CHARDEV_NONE);                     \
		CU_ASSERT_PTR_NULL(s.path);                                \
	} while (0)

	OK("none", CHARDEV_NONE);
	OK("null", CHARDEV_NULL);
	OK("pty", CHARDEV_PTY);
	OK("stdio", CHARDEV_STDIO);
	OK("file:/var/log/a,b", CHARDEV_FILE);
	CU_ASSERT_STRING_EQUAL(s.path, "/var/log/a,b");
	chardev_spec_dispose(&s);
	CU_ASSERT_PTR_NULL(s.path);

	OK("unix:/run/s,server", CHARDEV_UNIX);
	CU_ASSERT_STRING_EQUAL(s.path, "/run/s");
	CU_ASSERT_TRUE(s.server);
	CU_ASSERT_TRUE(s.wait);
	chardev_spec_dispose(&s);
	OK("unix:/run/s,server,nowait", CHARDEV_UNIX);
	CU_ASSERT_FALSE(s.wait);
	chardev_spec_dispose(&s);
	OK("unix:/run/a,,b,server,", CHARDEV_UNIX);
	CU_ASSERT_STRING_EQUAL(s.path, "/run/a,b");
	CU_ASSERT_TRUE(s.server);
	chardev_spec_dispose(&s);
	OK("unix:/run/s,server=on,wait=off", CHARDEV_UNIX);
	CU_ASSERT_TRUE(s.server);
	CU_ASSERT_FALSE(s.wait);
	chardev_spec_dispose(&s);

	BAD("file:", -EINVAL, "empty path");
	BAD("unix:", -EINVAL, "empty path");
	BAD("unix:,server", -EINVAL, "empty path");
	BAD("unix:/run/s", -EINVAL, "unix socket client mode is not supported (add ,server)");
	BAD("unix:/run/s,nowait", -EINVAL, "unix socket client mode is not supported (add ,server)");
	BAD("unix:/run/s,server=off", -EINVAL, "unix socket client mode is not supported (add ,server)");
	BAD("unix:/run/s,server,reconnect=1", -EINVAL,
	    "unknown unix socket option (expected server, nowait)");
	BAD("unix:/run/s,server,server=off", -EINVAL, "a unix socket option is given twice");
	BAD("unix:/run/s,server,nowait,wait", -EINVAL, "a unix socket option is given twice");
	BAD("unix:/run/s,server,server", -EINVAL, "a unix socket option is given twice");
	/* ",," is a comma in the path, not the start of a flag. */
	BAD("unix:/run/s,,server", -EINVAL, "unix socket client mode is not supported (add ,server)");
	BAD("unix:/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,server",
	    -EINVAL, "path too long for a unix socket");
	BAD("tcp:127.0.0.1:4444,server", -EINVAL, "not supported");
	BAD("vc", -EINVAL, "not supported");
	BAD("", -EINVAL, "not supported");
	BAD("PTY", -EINVAL, "not supported");
	BAD("pty,foo", -EINVAL, "not supported");
	BAD("mon:stdio", -EINVAL, "not supported (a monitor multiplexed with the serial port; use -monitor)");
#undef OK
#undef BAD
}

static void test_chardev_option_errors(void)
{
	make_images();
	EXPECT_ERROR("xenlaunch: -serial tcp:1.2.3.4:5: not supported\n", "-serial", "tcp:1.2.3.4:5");
	EXPECT_ERROR("xenlaunch: -monitor unix:/s: unix socket client mode is not supported (add ,server)\n",
		     "-monitor", "unix:/s");
	EXPECT_ERROR("xenlaunch: -serial: not supported yet (one serial port)\n",
		     "-serial", "pty", "-serial", "null");
	EXPECT_ERROR("xenlaunch: -monitor file:/x: a monitor needs input (file: is output only)\n",
		     "-monitor", "file:/x");
	EXPECT_ERROR("xenlaunch: -serial stdio and -monitor stdio cannot share stdio\n",
		     "-serial", "stdio", "-monitor", "stdio", "-kernel", kernel_path);
	EXPECT_ERROR("xenlaunch: -nographic cannot be used with -daemonize\n",
		     "-nographic", "-daemonize", "-kernel", kernel_path);
	EXPECT_ERROR("xenlaunch: -serial stdio cannot be used with -daemonize\n",
		     "-daemonize", "-serial", "stdio", "-kernel", kernel_path);
	EXPECT_ERROR("xenlaunch: -monitor stdio cannot be used with -daemonize\n",
		     "-daemonize", "-monitor", "stdio", "-kernel", kernel_path);
}

static void test_semantic_errors(void)
{
	char msg[256];

	make_images();
	EXPECT_ERROR("xenlaunch: -M xenpv needs -kernel or -bootloader with a disk\n",
		     "-name", "demo");
	EXPECT_ERROR("xenlaunch: -append only allowed with -kernel option\n", "-append", "quiet");
	EXPECT_ERROR("xenlaunch: -bootloader cannot be used with -kernel\n", "-bootloader", "builtin",
		     "-kernel", kernel_path, "-hda", initrd_path);
	EXPECT_ERROR("xenlaunch: -bootloader needs a disk to boot from (-hda or -drive)\n",
		     "-bootloader", "builtin");
	EXPECT_ERROR("xenlaunch: -bootloader-args only allowed with -bootloader\n",
		     "-bootloader-args", "--entry=0", "-kernel", kernel_path);
	EXPECT_ERROR("xenlaunch: -bootloader: empty path\n", "-bootloader", "");
	{
		struct parse_run r;

		parse(&r, "-bootloader", "builtin", "-bootloader-args", "--entry=1", "-hda", initrd_path, NULL);
		CU_ASSERT_EQUAL(r.res, OPTIONS_RUN);
		CU_ASSERT_STRING_EQUAL(r.cfg.bootloader, "builtin");
		CU_ASSERT_STRING_EQUAL(r.cfg.bootloader_args, "--entry=1");
		CU_ASSERT_PTR_NULL(r.cfg.kernel);
		run_dispose(&r);
	}
	EXPECT_ERROR("xenlaunch: -initrd only allowed with -kernel option\n", "-initrd", initrd_path);
	EXPECT_ERROR("xenlaunch: -kernel /nonexistent/vmlinuz: No such file or directory\n",
		     "-kernel", "/nonexistent/vmlinuz");
	EXPECT_ERROR("xenlaunch: -kernel /tmp: not a regular file\n", "-kernel", "/tmp");
	EXPECT_ERROR("xenlaunch: -kernel /dev/null: not a regular file\n", "-kernel", "/dev/null");
	EXPECT_ERROR("xenlaunch: -kernel: empty path\n", "-kernel", "");
	snprintf(msg, sizeof(msg), "xenlaunch: -initrd /nonexistent/initrd: No such file or directory\n");
	EXPECT_ERROR(msg, "-kernel", kernel_path, "-initrd", "/nonexistent/initrd");
	EXPECT_ERROR("xenlaunch: -pidfile: empty path\n", "-pidfile", "");

	/* Root reads everything, so only an unprivileged run can see EACCES. */
	if (geteuid() != 0) {
		chmod(initrd_path, 0);
		snprintf(msg, sizeof(msg), "xenlaunch: -initrd %s: Permission denied\n", initrd_path);
		EXPECT_ERROR(msg, "-kernel", kernel_path, "-initrd", initrd_path);
		chmod(initrd_path, 0600);
	}
}

static void test_fifo_kernel_does_not_hang(void)
{
	char path[] = "/tmp/xenlaunch-unit-fifo-XXXXXX";
	char msg[128];
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	unlink(path);
	CU_ASSERT_FATAL(mkfifo(path, 0600) == 0);
	snprintf(msg, sizeof(msg), "xenlaunch: -kernel %s: not a regular file\n", path);
	EXPECT_ERROR(msg, "-kernel", path);
	unlink(path);
}

/* -hda..-hdd, -cdrom, -drive and a bare argument fill cfg->disks. */
static void test_drives(void)
{
	char img[64], img2[64], qcow[64], msg[256], path_arg[128];
	struct parse_run r;
	int fd;

	make_images();
	strcpy(img, "/tmp/xenlaunch-unit-disk-XXXXXX");
	fd = mkstemp(img);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(ftruncate(fd, 1 << 20) == 0);
	close(fd);
	strcpy(img2, "/tmp/xenlaunch-unit-disk-XXXXXX");
	fd = mkstemp(img2);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	strcpy(qcow, "/tmp/xenlaunch-unit-qcow-XXXXXX");
	fd = mkstemp(qcow);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(write(fd, "QFI\xfb\0\0\0\3", 8) == 8);
	close(fd);

	parse(&r, "-hda", img, "-cdrom", img2, "-kernel", kernel_path, NULL);
	CU_ASSERT_EQUAL_FATAL(r.res, OPTIONS_RUN);
	CU_ASSERT_EQUAL(r.cfg.n_disks, 2);
	CU_ASSERT_STRING_EQUAL(r.cfg.disks[0].file, img);
	CU_ASSERT_EQUAL(r.cfg.disks[0].index, 0);
	CU_ASSERT_FALSE(r.cfg.disks[0].readonly);
	CU_ASSERT_EQUAL(r.cfg.disks[0].media, DRIVE_MEDIA_DISK);
	CU_ASSERT_EQUAL(r.cfg.disks[1].index, 2);
	CU_ASSERT_TRUE(r.cfg.disks[1].readonly);
	CU_ASSERT_EQUAL(r.cfg.disks[1].media, DRIVE_MEDIA_CDROM);
	run_dispose(&r);

	/* -drive without index takes the first free one; a bare argument is -hda. */
	snprintf(msg, sizeof(msg), "file=%s,if=xen,format=raw,readonly=on,cache=none,discard=ignore",
		 img2);
	parse(&r, "-kernel", kernel_path, img, "-drive", msg, NULL);
	CU_ASSERT_EQUAL_FATAL(r.res, OPTIONS_RUN);
	CU_ASSERT_EQUAL(r.cfg.n_disks, 2);
	CU_ASSERT_EQUAL(r.cfg.disks[0].index, 0);
	CU_ASSERT_EQUAL(r.cfg.disks[1].index, 1);
	CU_ASSERT_TRUE(r.cfg.disks[1].readonly);
	CU_ASSERT_EQUAL(r.cfg.disks[1].cache, DRIVE_CACHE_NONE);
	CU_ASSERT_FALSE(r.cfg.disks[1].discard);
	CU_ASSERT_TRUE(r.cfg.disks[0].discard);
	run_dispose(&r);

	snprintf(msg, sizeof(msg), "file=%s,index=3,media=cdrom", img2);
	parse(&r, "-kernel", kernel_path, "-drive", msg, NULL);
	CU_ASSERT_EQUAL_FATAL(r.res, OPTIONS_RUN);
	CU_ASSERT_EQUAL(r.cfg.disks[0].index, 3);
	CU_ASSERT_TRUE(r.cfg.disks[0].readonly);
	run_dispose(&r);

	EXPECT_ERROR("xenlaunch: -drive file=x,format=qcow3: format qcow3 is not supported (raw, "
		     "qcow2, qcow, qed, vmdk, vdi, vhdx, vpc)\n", "-drive", "file=x,format=qcow3");
	EXPECT_ERROR("xenlaunch: -drive file=x,snapshot=on: unsupported property 'snapshot'\n",
		     "-drive", "file=x,snapshot=on");
	EXPECT_ERROR("xenlaunch: -drive if=virtio,file=x: if=virtio is not supported (xen or ide: "
		     "both give a Xen PV disk)\n", "-drive", "if=virtio,file=x");
	EXPECT_ERROR("xenlaunch: -drive index=16,file=x: index=16: expected 0 to 15\n",
		     "-drive", "index=16,file=x");
	EXPECT_ERROR("xenlaunch: -drive format=raw: missing file=PATH\n", "-drive", "format=raw");
	EXPECT_ERROR("xenlaunch: -drive file=x,media=cdrom,readonly=off: media=cdrom is read-only "
		     "(readonly=off is refused)\n", "-drive", "file=x,media=cdrom,readonly=off");
	EXPECT_ERROR("xenlaunch: -drive file=x,cache=unsafe: cache=unsafe is not supported "
		     "(writeback, none or directsync)\n", "-drive", "file=x,cache=unsafe");
	EXPECT_ERROR("xenlaunch: -drive file=x,readonly: property 'readonly' needs a value (KEY=VALUE)\n",
		     "-drive", "file=x,readonly");
	/* What <driver cache='writeback,file=/etc/shadow'/> once made of a disk: a second file= won. */
	EXPECT_ERROR("xenlaunch: -drive file=x,if=xen,cache=writeback,file=/etc/shadow: property 'file' is "
		     "given twice\n", "-drive", "file=x,if=xen,cache=writeback,file=/etc/shadow");
	EXPECT_ERROR("xenlaunch: -drive file=x,cache=none,cache=writeback: property 'cache' is given twice\n",
		     "-drive", "file=x,cache=none,cache=writeback");
	EXPECT_ERROR("xenlaunch: -hdc: disk index 2 (xvdc) is already in use\n",
		     "-cdrom", "x", "-hdc", "y");
	/* The format is the user's word, never the image's: a probed qcow2 is
	 * refused, a format the image does not have too. */
	snprintf(msg, sizeof(msg), "xenlaunch: disk %s: this is a qcow2 image; say format=qcow2 to "
		 "serve it, or format=raw for its bytes as they are\n", qcow);
	EXPECT_ERROR(msg, "-hda", qcow, "-kernel", kernel_path);
	snprintf(msg, sizeof(msg), "xenlaunch: disk %s: format=qcow2 was given but this is a raw "
		 "image\n", img);
	snprintf(path_arg, sizeof(path_arg), "file=%s,format=qcow2", img);
	EXPECT_ERROR(msg, "-drive", path_arg, "-kernel", kernel_path);
	snprintf(msg, sizeof(msg), "xenlaunch: disk %s: format=vmdk was given but this is a qcow2 "
		 "image\n", qcow);
	snprintf(path_arg, sizeof(path_arg), "file=%s,format=vmdk", qcow);
	EXPECT_ERROR(msg, "-drive", path_arg, "-kernel", kernel_path);
	snprintf(path_arg, sizeof(path_arg), "file=%s,format=qcow2", qcow);
	parse(&r, "-kernel", kernel_path, img, "-drive", path_arg, NULL);
	CU_ASSERT_EQUAL_FATAL(r.res, OPTIONS_RUN);
	CU_ASSERT_PTR_NULL(r.cfg.disks[0].format);	/* not given: raw, checked strictly */
	CU_ASSERT_STRING_EQUAL(r.cfg.disks[1].format, "qcow2");
	run_dispose(&r);
	/* Explicit raw serves any bytes, as QEMU does. */
	snprintf(path_arg, sizeof(path_arg), "file=%s,format=raw", qcow);
	parse(&r, "-kernel", kernel_path, "-drive", path_arg, NULL);
	CU_ASSERT_EQUAL_FATAL(r.res, OPTIONS_RUN);
	CU_ASSERT_STRING_EQUAL(r.cfg.disks[0].format, "raw");
	run_dispose(&r);
	EXPECT_ERROR("xenlaunch: disk /nonexistent/disk.img: No such file or directory\n",
		     "-hda", "/nonexistent/disk.img", "-kernel", kernel_path);
	EXPECT_ERROR("xenlaunch: disk /dev/null: not a regular file or block device\n",
		     "-hda", "/dev/null", "-kernel", kernel_path);
	unlink(img);
	unlink(img2);
	unlink(qcow);
}

static CU_TestInfo tests[] = {
	{ "disks: -hda..-hdd, -cdrom, -drive, bare argument, refusals", test_drives },
	{ "minimal command line gets the documented defaults", test_minimal_defaults },
	{ "the DESIGN.md command line parses", test_design_command_line },
	{ "QEMU property spellings and double dashes", test_property_spellings },
	{ "repeated options: the last one wins", test_last_one_wins },
	{ "serial default: stdio, null when stdio is unavailable", test_serial_defaults },
	{ "-version, -M help, -M xenpv,help", test_informational },
	{ "-M xenpvh: parsed, needs a kernel", test_xenpvh },
	{ "-help lists every option", test_help_lists_every_option },
	{ "unknown options, missing arguments", test_syntax_errors },
	{ "options of later work are refused by name", test_later_options_refused },
	{ "machine type errors", test_machine_errors },
	{ "-rtc base=utc|localtime|DATE", test_rtc },
	{ "memory size errors", test_memory_errors },
	{ "vCPU count errors", test_smp_errors },
	{ "guest name errors", test_name_errors },
	{ "UUID parsing and formatting", test_uuid },
	{ "chardev_spec_parse grammar", test_chardev_spec_parse },
	{ "-serial/-monitor combinations", test_chardev_option_errors },
	{ "kernel/initrd/append checks", test_semantic_errors },
	{ "a FIFO as -kernel is refused without blocking", test_fifo_kernel_does_not_hang },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("options", tests)

/* The images outlive the tests that share them; remove them at exit. */
__attribute__((destructor)) static void remove_images(void)
{
	if (kernel_path[0])
		unlink(kernel_path);
	if (initrd_path[0])
		unlink(initrd_path);
}
