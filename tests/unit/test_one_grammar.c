/*
 * One grammar: the launcher and xvirsh read the same command line with the
 * same parser. One table of good and bad command lines goes to both
 * (options_parse, and domxml-from-native's domain_from_xenlaunch_argv):
 * they accept and refuse the same lines, with the same message. And the
 * grammar's formatter and the XML mapping are fixed points: argv -> config
 * -> argv, XML -> config -> XML, and the formatted argv parses back to the
 * same config (launch_config_diff, every field).
 */
#include "tests/unit/test_xml_common.h"
#include "tests/unit/unit.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/strv.h"
#include "model/describe.h"
#include "model/domain_xml.h"
#include "model/options.h"
#include "tools/domain_argv.h"

#define MAX_WORDS 24

/*
 * A command line after "xenlaunch", words separated by '|', and the
 * launcher's message, NULL when it is accepted. @K, @I, @D and @E stand for
 * an existing kernel, initrd and two disk images.
 */
static const struct {
	const char *line, *msg;
} table[] = {
	/* Every spelling of the README and of DESIGN.md. */
	{ "-name|demo|-M|xenpv|-hda|@D|-m|500|-kernel|@K|-initrd|@I|-append|console=hvc0|-serial|pty|-vnc|0.0.0.0:1", NULL },
	{ "-name|demo|-M|xenpv|-hda|@D|-m|500|-bootloader|builtin|-serial|file:/var/log/xen/demo.log|-vnc|0.0.0.0:1",
	  NULL },
	{ "-name|a|-machine|type=xenpv|-m|size=1G|-smp|cpus=2|-kernel|@K|-uuid|"
	  "5e1b7a84-5d6c-4d4e-9d3c-0d6f3f1ab001", NULL },
	{ "--name|guest=a,,b|--m|64M|-kernel|@K|-append|", NULL },
	{ "-name|a|-kernel|@K|-serial|unix:/run/a,,b.sock,server,nowait|-monitor|unix:/run/m.sock,server=on,wait=off",
	  NULL },
	{ "-name|a|-kernel|@K|-serial|null|-monitor|pty|-no-reboot|-S|-nographic", NULL },
	{ "-name|a|-kernel|@K|-serial|none|-daemonize|-pidfile|/run/a.pid|-D|/run/a.log", NULL },
	{ "-name|a|-kernel|@K|-hda|@D|-hdb|@E", NULL },
	{ "-name|a|-kernel|@K|-cdrom|@E|-hdd|@D", NULL },
	{ "-name|a|-kernel|@K|@D", NULL },
	{ "-name|a|-kernel|@K|-drive|file=@D,if=xen,format=raw,media=disk,readonly=on,index=15,cache=none,"
	  "discard=ignore", NULL },
	{ "-name|a|-kernel|@K|-drive|file=@D,if=ide,cache=directsync,discard=unmap|-drive|file=@E,media=cdrom", NULL },
	{ "-name|a|-kernel|@K|-nic|bridge,br=br0,mac=00:16:3e:00:00:01,queues=2", NULL },
	{ "-name|a|-kernel|@K|-nic|tap,br=br0,ifname=t,,0,script=no,downscript=/bin/true,model=xen-net-device|"
	  "-nic|tap,model=netfront|-nic|none", NULL },
	{ "-name|a|-kernel|@K|-netdev|tap,id=n0,br=br0,queues=4|-device|xen-net-device,netdev=n0,mac=00:16:3e:00:00:02",
	  NULL },
	{ "-name|a|-kernel|@K|-vnc|127.0.0.1:1", NULL },
	{ "-name|a|-kernel|@K|-vnc|:1,password=on,to=5|-k|de", NULL },
	{ "-name|a|-kernel|@K|-sdl", NULL },
	{ "-name|a|-kernel|@K|-display|sdl", NULL },
	{ "-name|a|-kernel|@K|-display|vnc=:2", NULL },
	{ "-name|a|-kernel|@K|-display|vnc|-vnc|none", NULL },
	{ "-kernel|@K|-uuid|5e1b7a84-5d6c-4d4e-9d3c-0d6f3f1ab001", NULL },
	{ "-name|a|-bootloader|/usr/bin/pygrub|-bootloader-args|--entry=1|-hda|@D", NULL },
	{ "-name|a|-kernel|@K|-rtc|base=localtime", NULL },
	{ "-name|a|-kernel|@K|-rtc|base=2030-01-01T12:30:05", NULL },
	{ "-name|a|-kernel|@K|-rtc|base=2006-06-17|-rtc|base=utc", NULL },
	{ "-name|a|-kernel|@K|-rtc|base=utc,base=localtime", "xenlaunch: -rtc base=utc,base=localtime: property 'base' "
	  "is given twice" },

	/* What the two grammars used to disagree on. */
	{ "-name|a|-kernel|@K|-drive|file=@D,index=20", "xenlaunch: -drive file=@D,index=20: index=20: expected 0 to 15" },
	{ "-name|a|-kernel|@K|-display|sdl,full-screen=on",
	  "xenlaunch: -display sdl,full-screen=on: display type must be sdl, vnc[=SPEC] or none" },
	/* Repeated properties, and ",," inside values. */
	{ "-name|a|-kernel|@K|-drive|file=@D,file=/etc/shadow",
	  "xenlaunch: -drive file=@D,file=/etc/shadow: property 'file' is given twice" },
	{ "-name|a|-kernel|@K|-nic|tap,br=br0,br=br1", "xenlaunch: -nic tap,br=br0,br=br1: property 'br' is given twice" },
	{ "-name|a|-kernel|@K|-vnc|:1,to=5,to=6", "xenlaunch: -vnc :1,to=5,to=6: property 'to' is given twice" },
	{ "-name|a|-kernel|@K|-serial|unix:/s,server,server",
	  "xenlaunch: -serial unix:/s,server,server: a unix socket option is given twice" },
	{ "-name|a,b|-kernel|@K", "xenlaunch: -name a,b: unsupported property 'b'" },
	{ "-name|a|-m|size=64,size=65|-kernel|@K", "xenlaunch: -m size=64,size=65: property 'size' is given twice" },
	{ "-name|a|-kernel|@K|-drive|file=@D,cache=none,,x",
	  "xenlaunch: -drive file=@D,cache=none,,x: cache=none,x is not supported (writeback, none or directsync)" },
	/* Refusals of every kind. */
	{ "-name|a|-usb", "xenlaunch: -usb: invalid option" },
	{ "-name|a|-kernel", "xenlaunch: -kernel: requires an argument" },
	{ "-name|a|-net|nic", "xenlaunch: -net: not supported yet" },
	{ "-name|a|-M|pc", "xenlaunch: -M pc: unsupported machine type\nUse -machine help to list supported machines" },
	{ "-name|a|-M|xenfv|-kernel|@K", "xenlaunch: machine type 'xenfv' is not supported yet" },
	{ "-name|a|-m|0|-kernel|@K", "xenlaunch: -m 0: memory size must not be zero" },
	{ "-name|a|-smp|0|-kernel|@K", "xenlaunch: -smp 0: vCPU count must be between 1 and 128" },
	{ "-name|123|-kernel|@K", "xenlaunch: -name 123: a name made only of digits would be taken for a domain ID" },
	{ "-name|a|-uuid|nope|-kernel|@K",
	  "xenlaunch: -uuid nope: invalid UUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)" },
	{ "-name|a", "xenlaunch: -M xenpv needs -kernel or -bootloader with a disk" },
	{ "-name|a|-append|x", "xenlaunch: -append only allowed with -kernel option" },
	{ "-name|a|-kernel|@K|-serial|pty|-serial|null", "xenlaunch: -serial: not supported yet (one serial port)" },
	{ "-name|a|-kernel|@K|-serial|tcp::4444", "xenlaunch: -serial tcp::4444: not supported" },
	{ "-name|a|-kernel|@K|-monitor|file:/m", "xenlaunch: -monitor file:/m: a monitor needs input (file: is output only)" },
	{ "-name|a|-kernel|@K|-hda|@D|-drive|file=@E,index=0",
	  "xenlaunch: -drive: disk index 0 (xvda) is already in use" },
	{ "-name|a|-kernel|@K|-drive|file=@D,format=bochs",
	  "xenlaunch: -drive file=@D,format=bochs: format bochs is not supported (raw, qcow2, qcow, qed, vmdk, "
	  "vdi, vhdx, vpc)" },
	{ "-name|a|-kernel|@K|-drive|file=@D,format=qcow2,format=raw",
	  "xenlaunch: -drive file=@D,format=qcow2,format=raw: property 'format' is given twice" },
	{ "-name|a|-kernel|@K|-nic|user", "xenlaunch: -nic user: network backend 'user' is not supported (tap or bridge)" },
	{ "-name|a|-kernel|@K|-nic|bridge,br=br0,queues=5", "xenlaunch: -nic bridge,br=br0,queues=5: queues=5: expected 1 to 4" },
	{ "-name|a|-kernel|@K|-nic|tap,model=e1000",
	  "xenlaunch: -nic tap,model=e1000: model=e1000 is not supported: -M xenpv has Xen PV NICs only "
	  "(model=xen-net-device)" },
	{ "-name|a|-kernel|@K|-netdev|tap,id=n0", "xenlaunch: -netdev n0: no -device xen-net-device,netdev=n0 uses it" },
	{ "-name|a|-kernel|@K|-vnc|::1:1", "xenlaunch: -vnc ::1:1: host '::1' is not an IPv4 address" },
	{ "-name|a|-kernel|@K|-k|klingon", NULL /* filled in: the layout list is long */ },
	{ "-name|a|-kernel|@K|-sdl|-daemonize", "xenlaunch: -sdl cannot be used with -daemonize" },
	{ "-name|a|-kernel|@K|-sdl|-nographic", "xenlaunch: -nographic cannot be used with -sdl" },
	{ "-name|a|-kernel|@K|-bootloader|builtin", "xenlaunch: -bootloader cannot be used with -kernel" },
};

#define N_CASES (sizeof(table) / sizeof(table[0]))

static char kernel[64], initrd[64], disk[64], disk2[64];

static void make_file(char *path, const char *tmpl, off_t size)
{
	int fd;

	strcpy(path, tmpl);
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(ftruncate(fd, size), 0);
	close(fd);
}

static void setup(void)
{
	make_file(kernel, "/tmp/grammar-kernel-XXXXXX", 4096);
	make_file(initrd, "/tmp/grammar-initrd-XXXXXX", 4096);
	make_file(disk, "/tmp/grammar-disk-XXXXXX", 1 << 20);
	make_file(disk2, "/tmp/grammar-disk2-XXXXXX", 1 << 20);
}

static void teardown(void)
{
	unlink(kernel);
	unlink(initrd);
	unlink(disk);
	unlink(disk2);
}

/* text with @K, @I, @D, @E replaced by the files' paths; caller frees. */
static char *expand(const char *text)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	for (const char *p = text; *p; p++) {
		if (*p == '@' && strchr("KIDE", p[1])) {
			fputs(p[1] == 'K' ? kernel : p[1] == 'I' ? initrd : p[1] == 'D' ? disk : disk2, f);
			p++;
		} else {
			fputc(*p, f);
		}
	}
	fclose(f);
	return out;
}

static void argv_of(const char *line, struct strv *av)
{
	char *text = expand(line), *save = NULL, *w;

	strv_init(av);
	CU_ASSERT_EQUAL_FATAL(strv_add(av, "xenlaunch"), 0);
	/* strsep keeps empty words ("-append|" gives an empty command line). */
	save = text;
	while ((w = strsep(&save, "|")))
		CU_ASSERT_EQUAL_FATAL(strv_add(av, w), 0);
	free(text);
}

/* The launcher's verdict: its config in cfg, its message (without the last newline) returned. */
static char *launcher_parse(struct strv *av, struct launch_config *cfg, enum options_result *res_r, bool files)
{
	char *msg = NULL;
	size_t len = 0;
	FILE *err = open_memstream(&msg, &len);

	launch_config_init(cfg);
	*res_r = (files ? options_parse : options_parse_no_files)((int)av->n, av->v, cfg, err, err);
	fclose(err);
	if (len && msg[len - 1] == '\n')
		msg[len - 1] = '\0';
	return msg;
}

static void test_same_verdicts(void)
{
	setup();
	for (size_t i = 0; i < N_CASES; i++) {
		struct launch_config cfg;
		struct domain_def def;
		enum options_result res;
		char *lmsg, *xmsg = NULL, *want = table[i].msg ? expand(table[i].msg) : NULL;
		struct strv av;
		int rc;

		argv_of(table[i].line, &av);
		lmsg = launcher_parse(&av, &cfg, &res, true);
		domain_def_init(&def);
		rc = domain_from_xenlaunch_argv(&def, av.n, av.v, &xmsg);
		/* Both accept, or both refuse in the same words. */
		CU_ASSERT_EQUAL(res == OPTIONS_RUN, rc == 0);
		if (rc) {
			CU_ASSERT_STRING_EQUAL(xmsg, lmsg);
		}
		if (want) {
			CU_ASSERT_STRING_EQUAL(lmsg, want);
		} else if (strstr(table[i].line, "klingon")) {
			CU_ASSERT_PTR_NOT_NULL(strstr(lmsg, "xenlaunch: -k klingon: unknown keyboard layout (QEMU's "
							    "layouts: ar bepo"));
		} else {
			CU_ASSERT_EQUAL(res, OPTIONS_RUN);
		}
		if ((res == OPTIONS_RUN) != (!want && !strstr(table[i].line, "klingon")) || (rc && strcmp(xmsg, lmsg)) ||
		    (want && strcmp(lmsg, want)))
			fprintf(stderr, "\n  case %zu: launcher '%s', xvirsh '%s'\n", i, lmsg, xmsg ? xmsg : "");
		free(want);
		free(lmsg);
		free(xmsg);
		strv_dispose(&av);
		domain_def_dispose(&def);
		launch_config_dispose(&cfg);
	}
	teardown();
}

static bool same_argv(const struct strv *a, const struct strv *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return false;
	return true;
}

/*
 * cfg (already one the launcher accepted): argv -> config -> argv is a
 * fixed point, and so is config -> XML -> config -> XML; every config on
 * the way is cfg, field by field. what names the input in failures.
 */
static void check_fixed_points(const struct launch_config *cfg, const char *what, bool files)
{
	const struct launch_live live = { .domid = 0, .serial_pty = NULL, .vnc_port = -1 };
	struct launch_config c2, c3;
	struct domain_def def;
	struct strv a1, a2;
	enum options_result res;
	char *lmsg, *x1 = NULL, *x2 = NULL, *err = NULL;
	const char *diff;

	strv_init(&a1);
	strv_init(&a2);
	CU_ASSERT_EQUAL_FATAL(options_format(cfg, "xenlaunch", &a1), 0);
	/* The formatted argv parses back to the same config... */
	lmsg = launcher_parse(&a1, &c2, &res, files);
	CU_ASSERT_EQUAL(res, OPTIONS_RUN);
	diff = launch_config_diff(cfg, &c2);
	CU_ASSERT_PTR_NULL(diff);
	/* ...which formats to the same argv. */
	CU_ASSERT_EQUAL_FATAL(options_format(&c2, "xenlaunch", &a2), 0);
	CU_ASSERT_TRUE(same_argv(&a1, &a2));
	if (res != OPTIONS_RUN || diff || !same_argv(&a1, &a2)) {
		char *s = strv_to_shell(&a1);

		fprintf(stderr, "\n  %s: argv %s: %s %s\n", what, s, lmsg, diff ? diff : "");
		free(s);
	}
	free(lmsg);

	/* config -> XML -> config -> XML. */
	x1 = launch_describe_xml(cfg, &live);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x1);
	domain_def_init(&def);
	launch_config_init(&c3);
	CU_ASSERT_EQUAL_FATAL(domain_def_parse(&def, x1, strlen(x1), &err), 0);
	if (launch_from_domain(&def, &c3, &err))
		fprintf(stderr, "\n  %s: %s\n%s\n", what, err, x1);
	CU_ASSERT_PTR_NULL(err);
	diff = launch_config_diff(cfg, &c3);
	/* What the XML cannot hold about the run itself (-daemonize...) is not compared. */
	if (diff && (!strcmp(diff, "monitor") || !strcmp(diff, "daemonize") || !strcmp(diff, "pidfile") ||
		     !strcmp(diff, "logfile") || !strcmp(diff, "start_paused") || !strcmp(diff, "nographic")))
		diff = NULL;
	x2 = launch_describe_xml(&c3, &live);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x2);
	CU_ASSERT_STRING_EQUAL(x1, x2);
	if (strcmp(x1, x2))
		fprintf(stderr, "\n  %s: XML\n%s\nthen\n%s\n", what, x1, x2);
	free(err);
	free(x1);
	free(x2);
	domain_def_dispose(&def);
	launch_config_dispose(&c2);
	launch_config_dispose(&c3);
	strv_dispose(&a1);
	strv_dispose(&a2);
}

static void test_argv_fixed_points(void)
{
	unsigned checked = 0;

	setup();
	for (size_t i = 0; i < N_CASES; i++) {
		struct launch_config cfg;
		enum options_result res;
		struct strv av;
		char *lmsg;

		if (table[i].msg || strstr(table[i].line, "klingon"))
			continue;
		argv_of(table[i].line, &av);
		lmsg = launcher_parse(&av, &cfg, &res, true);
		CU_ASSERT_EQUAL(res, OPTIONS_RUN);
		if (res == OPTIONS_RUN) {
			check_fixed_points(&cfg, table[i].line, true);
			checked++;
		}
		free(lmsg);
		strv_dispose(&av);
		launch_config_dispose(&cfg);
	}
	teardown();
	CU_ASSERT(checked >= 20);
}

static CU_TestInfo tests[] = {
	{ "one table of argv: xenlaunch and xvirsh accept and refuse alike", test_same_verdicts },
	{ "argv -> config -> argv and config -> XML -> config are fixed points", test_argv_fixed_points },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("one_grammar", tests)

/*
 * Every libvirt example that maps to a xenpv launch config: XML -> config
 * -> argv -> config and config -> XML -> config -> XML are fixed points.
 * The others are refused by name (another machine type, a device the
 * launcher does not have).
 */
static void test_libvirt_examples_fixed_points(void)
{
	static const char *const dirs[] = { "libxlxml2domconfigdata", "xlconfigdata", "xmconfigdata" };
	unsigned mapped = 0, refused = 0;
	FILE *quiet = fopen("/dev/null", "w");

	log_set_stream(quiet);
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		char *dir = testdata_path(dirs[d]);
		struct dirent **ents = NULL;
		int n = scandir(dir, &ents, NULL, alphasort);

		CU_ASSERT(n > 0);
		for (int i = 0; i < n; i++) {
			const char *f = ents[i]->d_name;
			size_t l = strlen(f);
			char *path = NULL, *err = NULL;
			struct launch_config cfg;
			struct domain_def def;

			domain_def_init(&def);
			launch_config_init(&cfg);
			if (l > 4 && !strcmp(f + l - 4, ".xml") && asprintf(&path, "%s/%s", dir, f) > 0 &&
			    domain_def_parse_file(&def, path, &err) == 0) {
				if (launch_from_domain(&def, &cfg, &err) == 0) {
					check_fixed_points(&cfg, f, false);
					mapped++;
				} else {
					/* Refused by name, never half read. */
					CU_ASSERT(strstr(err, "not supported") || strstr(err, "xenlaunch: ") ||
						  strstr(err, "needs"));
					if (getenv("UNIT_VERBOSE"))
						fprintf(stderr, "\n  %s: %s", f, err);
					refused++;
				}
			}
			free(err);
			free(path);
			domain_def_dispose(&def);
			launch_config_dispose(&cfg);
			free(ents[i]);
		}
		free(ents);
		free(dir);
	}
	log_set_stream(NULL);
	fclose(quiet);
	if (getenv("UNIT_VERBOSE"))
		fprintf(stderr, "\n  %u examples mapped, %u refused\n", mapped, refused);
	CU_ASSERT(mapped >= 5);
}

static CU_TestInfo libvirt_tests[] = {
	{ "libvirt examples: XML -> config -> argv/XML are fixed points", test_libvirt_examples_fixed_points },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE_LIBVIRT_DATA("one_grammar_libvirt", libvirt_tests)
