/* launcher/nic_opts: -nic, -netdev, -device xen-net-device, MACs; every refusal's text. */
#include "launcher/nic_opts.h"
#include "launcher/options.h"
#include "tests/unit/unit.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char kernel_path[64];

struct run {
	struct launch_config cfg;
	enum options_result res;
	char *err;
};

/* -kernel K -name demo, then the given arguments (NULL-terminated). */
static void parse(struct run *r, ...)
{
	char *argv[40] = { "xenlaunch", "-kernel", kernel_path, "-name", "demo" };
	int argc = 5;
	size_t len;
	FILE *out, *err;
	char *out_text;
	va_list ap;

	if (!kernel_path[0]) {
		int fd;

		strcpy(kernel_path, "/tmp/xenlaunch-unit-nic-XXXXXX");
		fd = mkstemp(kernel_path);
		CU_ASSERT_FATAL(fd >= 0);
		CU_ASSERT(write(fd, "k", 1) == 1);
		close(fd);
	}
	va_start(ap, r);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	out = open_memstream(&out_text, &len);
	err = open_memstream(&r->err, &len);
	launch_config_init(&r->cfg);
	r->res = options_parse(argc, argv, &r->cfg, out, err);
	fclose(out);
	fclose(err);
	free(out_text);
}

static void run_dispose(struct run *r)
{
	launch_config_dispose(&r->cfg);
	free(r->err);
}

#define EXPECT_ERROR(msg, ...)                                  \
	do {                                                    \
		struct run r_;                                  \
		parse(&r_, __VA_ARGS__, NULL);                  \
		CU_ASSERT_EQUAL(r_.res, OPTIONS_ERROR);         \
		CU_ASSERT_STRING_EQUAL(r_.err, msg);            \
		run_dispose(&r_);                               \
	} while (0)

static void test_mac_parse_format(void)
{
	uint8_t mac[6];
	char text[NIC_MAC_STRING_SIZE];

	CU_ASSERT_EQUAL(nic_mac_parse("00:16:3E:0a:bB:ff", mac), 0);
	nic_mac_format(mac, text);
	CU_ASSERT_STRING_EQUAL(text, "00:16:3e:0a:bb:ff");
	CU_ASSERT_EQUAL(nic_mac_parse("01:16:3e:00:00:01", mac), -EINVAL);	/* multicast */
	CU_ASSERT_EQUAL(nic_mac_parse("00:00:00:00:00:00", mac), -EINVAL);
	CU_ASSERT_EQUAL(nic_mac_parse("00:16:3e:00:00", mac), -EINVAL);
	CU_ASSERT_EQUAL(nic_mac_parse("00:16:3e:00:00:0g", mac), -EINVAL);
	CU_ASSERT_EQUAL(nic_mac_parse("00-16-3e-00-00-01", mac), -EINVAL);
	CU_ASSERT_EQUAL(nic_mac_parse("00:16:3e:00:00:011", mac), -EINVAL);
}

static void test_mac_from_name(void)
{
	uint8_t a[6], b[6], c[6], d[6];

	nic_mac_from_name("demo", 0, a);
	nic_mac_from_name("demo", 0, b);
	nic_mac_from_name("demo", 1, c);
	nic_mac_from_name("demo2", 0, d);
	CU_ASSERT_EQUAL(memcmp(a, b, 6), 0);		/* stable */
	CU_ASSERT_NOT_EQUAL(memcmp(a, c, 6), 0);	/* per interface */
	CU_ASSERT_NOT_EQUAL(memcmp(a, d, 6), 0);	/* per guest */
	CU_ASSERT(a[0] == 0x00 && a[1] == 0x16 && a[2] == 0x3e && !(a[3] & 0x80));
}

static void test_nic_forms(void)
{
	struct run r;
	uint8_t expect[6];

	parse(&r, "-nic", "bridge,br=xenbr0", "-nic",
	      "tap,ifname=guest0,script=/etc/up,downscript=no,mac=00:16:3e:12:34:56,model=xen-net-device,queues=2",
	      "-nic", "none", NULL);
	CU_ASSERT_EQUAL_FATAL(r.res, OPTIONS_RUN);
	CU_ASSERT_EQUAL_FATAL(r.cfg.n_nics, 2);
	CU_ASSERT_STRING_EQUAL(r.cfg.nics[0].bridge, "xenbr0");
	CU_ASSERT_PTR_NULL(r.cfg.nics[0].ifname);
	CU_ASSERT_PTR_NULL(r.cfg.nics[0].script);
	CU_ASSERT_EQUAL(r.cfg.nics[0].queues, 1);
	CU_ASSERT_FALSE(r.cfg.nics[0].mac_set);
	nic_mac_from_name("demo", 0, expect);
	CU_ASSERT_EQUAL(memcmp(r.cfg.nics[0].mac, expect, 6), 0);
	CU_ASSERT_PTR_NULL(r.cfg.nics[1].bridge);
	CU_ASSERT_STRING_EQUAL(r.cfg.nics[1].ifname, "guest0");
	CU_ASSERT_STRING_EQUAL(r.cfg.nics[1].script, "/etc/up");
	CU_ASSERT_PTR_NULL(r.cfg.nics[1].downscript);
	CU_ASSERT_EQUAL(r.cfg.nics[1].queues, 2);
	CU_ASSERT_TRUE(r.cfg.nics[1].mac_set);
	CU_ASSERT_EQUAL(r.cfg.nics[1].mac[5], 0x56);
	run_dispose(&r);
}

static void test_netdev_device(void)
{
	struct run r;

	/* -device may come before its -netdev, as in QEMU. */
	parse(&r, "-device", "xen-net-device,netdev=n1,mac=00:16:3e:00:00:01", "-netdev",
	      "tap,id=n1,br=br0,ifname=t1", "-netdev", "bridge,id=n0,br=br1", "-device",
	      "driver=xen-net-device,netdev=n0", NULL);
	CU_ASSERT_EQUAL_FATAL(r.res, OPTIONS_RUN);
	CU_ASSERT_EQUAL_FATAL(r.cfg.n_nics, 2);
	CU_ASSERT_STRING_EQUAL(r.cfg.nics[0].bridge, "br0");
	CU_ASSERT_STRING_EQUAL(r.cfg.nics[0].ifname, "t1");
	CU_ASSERT_EQUAL(r.cfg.nics[0].mac[5], 0x01);
	CU_ASSERT_STRING_EQUAL(r.cfg.nics[1].bridge, "br1");
	CU_ASSERT_FALSE(r.cfg.nics[1].mac_set);
	run_dispose(&r);
}

static void test_refusals(void)
{
	EXPECT_ERROR("xenlaunch: -nic user: network backend 'user' is not supported (tap or bridge)\n",
		     "-nic", "user");
	EXPECT_ERROR("xenlaunch: -nic tap,model=e1000: model=e1000 is not supported: -M xenpv has Xen PV "
		     "NICs only (model=xen-net-device)\n", "-nic", "tap,model=e1000");
	EXPECT_ERROR("xenlaunch: -nic bridge: bridge needs br=BRIDGE\n", "-nic", "bridge");
	EXPECT_ERROR("xenlaunch: -nic tap,mac=01:00:00:00:00:01: mac=01:00:00:00:00:01 is not a unicast MAC "
		     "address (xx:xx:xx:xx:xx:xx)\n", "-nic", "tap,mac=01:00:00:00:00:01");
	EXPECT_ERROR("xenlaunch: -nic tap,ifname=a/b: ifname=a/b is not a valid interface name "
		     "(1 to 15 characters, no '/', ':' or space)\n", "-nic", "tap,ifname=a/b");
	EXPECT_ERROR("xenlaunch: -nic tap,ifname=abcdefghijklmnop: ifname=abcdefghijklmnop is not a valid "
		     "interface name (1 to 15 characters, no '/', ':' or space)\n", "-nic",
		     "tap,ifname=abcdefghijklmnop");
	EXPECT_ERROR("xenlaunch: -nic tap,queues=5: queues=5: expected 1 to 4\n", "-nic", "tap,queues=5");
	EXPECT_ERROR("xenlaunch: -nic tap,queues=0: queues=0: expected 1 to 4\n", "-nic", "tap,queues=0");
	EXPECT_ERROR("xenlaunch: -nic tap,vhost=on: vhost=on is not supported: a Xen PV NIC is served "
		     "by the launcher (vhost=off only)\n", "-nic", "tap,vhost=on");
	EXPECT_ERROR("xenlaunch: -nic tap,fd=3: unsupported property 'fd'\n", "-nic", "tap,fd=3");
	EXPECT_ERROR("xenlaunch: -nic tap,br: property 'br' needs a value (KEY=VALUE)\n", "-nic", "tap,br");
	EXPECT_ERROR("xenlaunch: -nic bridge,br=b,ifname=x: bridge takes no ifname=, script= or "
		     "downscript= (use tap,br=BRIDGE,...)\n", "-nic", "bridge,br=b,ifname=x");
	EXPECT_ERROR("xenlaunch: -netdev tap,br=b: id=ID is required\n", "-netdev", "tap,br=b");
	EXPECT_ERROR("xenlaunch: -netdev tap,id=a: duplicate id 'a'\n", "-netdev", "tap,id=a", "-netdev",
		     "tap,id=a");
	EXPECT_ERROR("xenlaunch: -netdev tap,id=a,mac=00:16:3e:00:00:01: unsupported property 'mac'\n",
		     "-netdev", "tap,id=a,mac=00:16:3e:00:00:01");
	EXPECT_ERROR("xenlaunch: -netdev n0: no -device xen-net-device,netdev=n0 uses it\n", "-netdev",
		     "tap,id=n0");
	EXPECT_ERROR("xenlaunch: -device xen-net-device: netdev 'n9' not found\n", "-device",
		     "xen-net-device,netdev=n9");
	EXPECT_ERROR("xenlaunch: -device xen-net-device: netdev 'n0' is used twice\n", "-netdev", "tap,id=n0",
		     "-device", "xen-net-device,netdev=n0", "-device", "xen-net-device,netdev=n0");
	EXPECT_ERROR("xenlaunch: -device virtio-net-pci,netdev=n0: device 'virtio-net-pci' is not "
		     "supported (xen-net-device only)\n", "-device", "virtio-net-pci,netdev=n0");
	EXPECT_ERROR("xenlaunch: -device xen-net-device: netdev=ID is required\n", "-device", "xen-net-device");
	EXPECT_ERROR("xenlaunch: two network interfaces have MAC 00:16:3e:00:00:01\n", "-nic",
		     "tap,mac=00:16:3e:00:00:01", "-nic", "tap,mac=00:16:3e:00:00:01");
	EXPECT_ERROR("xenlaunch: two network interfaces are named t0\n", "-nic", "tap,ifname=t0", "-nic",
		     "tap,ifname=t0");
	/* A repeated key would let a value smuggled in later override an earlier one. */
	EXPECT_ERROR("xenlaunch: -nic tap,ifname=vnet0,script=/tmp/evil,script=no: property 'script' is "
		     "given twice\n", "-nic", "tap,ifname=vnet0,script=/tmp/evil,script=no");
	EXPECT_ERROR("xenlaunch: -netdev tap,id=n0,br=a,br=b: property 'br' is given twice\n", "-netdev",
		     "tap,id=n0,br=a,br=b");
	EXPECT_ERROR("xenlaunch: -device xen-net-device,netdev=n0,netdev=n1: property 'netdev' is given "
		     "twice\n", "-device", "xen-net-device,netdev=n0,netdev=n1");
}

static void test_too_many(void)
{
	char *argv[2 * LAUNCH_MAX_NICS + 8] = { "xenlaunch", "-kernel", kernel_path };
	int argc = 3;
	struct launch_config cfg;
	char *err_text;
	size_t len;
	FILE *err;

	for (unsigned i = 0; i <= LAUNCH_MAX_NICS; i++) {
		argv[argc++] = "-nic";
		argv[argc++] = "tap";
	}
	err = open_memstream(&err_text, &len);
	launch_config_init(&cfg);
	CU_ASSERT_EQUAL(options_parse(argc, argv, &cfg, stdout, err), OPTIONS_ERROR);
	fclose(err);
	CU_ASSERT_STRING_EQUAL(err_text, "xenlaunch: -nic tap: too many network interfaces (at most 8)\n");
	free(err_text);
	launch_config_dispose(&cfg);
}

static CU_TestInfo tests[] = {
	{ "MAC parse and format, multicast and zero refused", test_mac_parse_format },
	{ "default MAC: 00:16:3e, stable per name and index", test_mac_from_name },
	{ "-nic tap and bridge, every property", test_nic_forms },
	{ "-netdev with -device xen-net-device, either order", test_netdev_device },
	{ "refusals name the property", test_refusals },
	{ "at most 8 interfaces", test_too_many },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("nic_opts", tests)
