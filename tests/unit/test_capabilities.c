/*
 * tools/capabilities: guest lists from Xen's capability string, XML that
 * validates against libvirt's schemas and has the shape of libvirt's own
 * libxl output.
 */
#include "tests/unit/test_xml_common.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/tree.h>

#include "tools/capabilities.h"
#include "model/xml_util.h"

static void fixture(struct host_caps *c, const char *xen_caps)
{
	host_caps_init(c);
	c->host_arch = strdup("x86_64");
	c->emulator = strdup("/usr/local/bin/xenlaunch");
	c->vmx = 1;
	c->pae = 1;
	c->hap = 1;
	CU_ASSERT_EQUAL(host_caps_from_xen_string(c, xen_caps), 0);
}

static void test_guest_list(void)
{
	struct host_caps c;

	fixture(&c, "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64");
	CU_ASSERT_EQUAL_FATAL(c.n_guests, 4);
	CU_ASSERT_STRING_EQUAL(c.guests[0].os_type, "xen");
	CU_ASSERT_STRING_EQUAL(c.guests[0].machine, "xenpv");
	CU_ASSERT_EQUAL(c.guests[0].wordsize, 64);
	CU_ASSERT_STRING_EQUAL(c.guests[1].os_type, "hvm");
	CU_ASSERT_STRING_EQUAL(c.guests[1].arch, "i686");
	CU_ASSERT(c.guests[1].pae && c.guests[1].nonpae);
	CU_ASSERT_STRING_EQUAL(c.guests[2].arch, "x86_64");
	CU_ASSERT_STRING_EQUAL(c.guests[2].machine, "xenfv");
	CU_ASSERT_STRING_EQUAL(c.guests[3].os_type, "xenpvh");
	host_caps_dispose(&c);

	/* HVM without hardware paging: no PVH (xenlaunch builds it with HAP). */
	c.hap = 0;
	CU_ASSERT_EQUAL(host_caps_from_xen_string(&c, "xen-3.0-x86_64 hvm-3.0-x86_64"), 0);
	CU_ASSERT_EQUAL(c.n_guests, 2);
	for (size_t i = 0; i < c.n_guests; i++)
		CU_ASSERT_STRING_NOT_EQUAL(c.guests[i].os_type, "xenpvh");
	host_caps_dispose(&c);

	fixture(&c, "xen-3.0-x86_64");
	CU_ASSERT_EQUAL(c.n_guests, 1);
	CU_ASSERT_EQUAL(host_caps_from_xen_string(&c, ""), -EINVAL);
	CU_ASSERT_EQUAL(host_caps_from_xen_string(&c, "garbage-1 hvm-9-x"), -EINVAL);
	host_caps_dispose(&c);
}

static void test_caps_xml(void)
{
	struct host_caps c;
	char *x, *err = NULL, *schema = xml_util_schema_path("capability.rng");

	fixture(&c, "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64");
	x = host_caps_format(&c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(xml_util_validate(x, strlen(x), schema, &err), 0);
	if (err)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NULL(strstr(x, "xenmigr"));
	CU_ASSERT_PTR_NOT_NULL(strstr(x, "      <features>\n        <pae/>\n        <vmx/>\n      </features>\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(x, "  <guest>\n    <os_type>hvm</os_type>\n    <arch name='x86_64'>\n"
					 "      <wordsize>64</wordsize>\n"
					 "      <emulator>/usr/local/bin/xenlaunch</emulator>\n"
					 "      <loader>/usr/lib/xen-4.17/boot/hvmloader</loader>\n"
					 "      <machine>xenfv</machine>\n      <domain type='xen'/>\n    </arch>\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(x, "<os_type>xen</os_type>\n    <arch name='x86_64'>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(x, "<machine>xenpvh</machine>"));
	free(x);
	free(err);
	free(schema);
	host_caps_dispose(&c);
}

/* libvirt's own xend-era capabilities fail today's schema only for xenmigr. */
static void test_legacy_xenmigr_is_invalid(void)
{
	char *path = testdata_path("xencapsdata/xen-x86_64-hvm.xml"), *buf = NULL, *err = NULL;
	char *schema = xml_util_schema_path("capability.rng");
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(xml_util_read_file(path, &buf, &len, &err), 0);
	CU_ASSERT_EQUAL(xml_util_validate(buf, len, schema, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "uri_transport"));
	free(err);
	free(buf);
	free(path);
	free(schema);
}

/* Names of the root's children, in order, joined by spaces. */
static char *shape(const char *xml, size_t len)
{
	xmlDocPtr doc = NULL;
	char *err = NULL, *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	if (xml_util_parse(xml, len, &doc, &err)) {
		free(err);
		fclose(f);
		free(out);
		return NULL;
	}
	for (xmlNodePtr c = xmlDocGetRootElement(doc)->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			fprintf(f, "%s ", c->name);
	fclose(f);
	xmlFreeDoc(doc);
	return out;
}

static void check_domcaps(const char *machine, const char *ref)
{
	struct host_caps c;
	char *x = NULL, *err = NULL, *schema = xml_util_schema_path("domaincaps.rng");
	char *path = testdata_path(ref), *refbuf = NULL, *s1, *s2;
	size_t reflen = 0;

	fixture(&c, "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64");
	CU_ASSERT_EQUAL_FATAL(host_domcaps_format(&c, machine, "x86_64", &x, &err), 0);
	CU_ASSERT_EQUAL(xml_util_validate(x, strlen(x), schema, &err), 0);
	if (err)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_EQUAL_FATAL(xml_util_read_file(path, &refbuf, &reflen, &err), 0);
	s1 = shape(x, strlen(x));
	s2 = shape(refbuf, reflen);
	CU_ASSERT_STRING_EQUAL(s1, s2);
	CU_ASSERT_STRING_EQUAL(s1, "path domain machine arch vcpu iothreads os cpu devices features ");
	free(s1);
	free(s2);
	free(refbuf);
	free(path);
	free(x);
	free(err);
	free(schema);
	host_caps_dispose(&c);
}

static void test_domcaps_xenpv(void) { check_domcaps("xenpv", "domaincapsdata/libxl-xenpv.xml"); }
static void test_domcaps_xenfv(void) { check_domcaps("xenfv", "domaincapsdata/libxl-xenfv.xml"); }

static void test_domcaps_unknown(void)
{
	struct host_caps c;
	char *x = NULL, *err = NULL;

	fixture(&c, "xen-3.0-x86_64");
	CU_ASSERT_EQUAL(host_domcaps_format(&c, "xenfv", NULL, &x, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "the host has no guest for machine 'xenfv'");
	free(err);
	err = NULL;
	CU_ASSERT_EQUAL(host_domcaps_format(&c, "xenpv", "aarch64", &x, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "the host has no guest for machine 'xenpv' and arch aarch64");
	free(err);
	CU_ASSERT_PTR_NULL(x);
	host_caps_dispose(&c);
}

/* Only what the launcher starts is offered: its "-M help" decides, whatever Xen could run. */
static void test_restricted_to_launcher(void)
{
	static const char today[] = "Supported machines are:\n"
				    "xenpv                Xen paravirtual guest (libxc domain build)\n"
				    "xenfv                Xen HVM guest (not supported yet)\n";
	static const char later[] = "Supported machines are:\n"
				    "xenpv                Xen paravirtual guest (libxc domain build)\n"
				    "xenfv                Xen HVM guest\n"
				    "xenpvh               Xen PVH guest\n";
	struct host_caps c;
	char *x = NULL, *err = NULL;

	fixture(&c, "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64");
	host_caps_restrict(&c, today);
	CU_ASSERT_EQUAL_FATAL(c.n_guests, 1);
	CU_ASSERT_STRING_EQUAL(c.guests[0].machine, "xenpv");
	x = host_caps_format(&c);
	CU_ASSERT_PTR_NULL(strstr(x, "hvm"));
	CU_ASSERT_PTR_NULL(strstr(x, "xenpvh"));
	free(x);
	x = NULL;
	CU_ASSERT_EQUAL(host_domcaps_format(&c, "xenfv", NULL, &x, &err), -EINVAL);
	free(err);
	err = NULL;
	host_caps_dispose(&c);

	/* when the launcher starts them, they are offered; xenfv without an arch is the host's x86_64 */
	fixture(&c, "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64");
	host_caps_restrict(&c, later);
	CU_ASSERT_EQUAL(c.n_guests, 4);
	CU_ASSERT_EQUAL_FATAL(host_domcaps_format(&c, "xenfv", NULL, &x, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(x, "<arch>x86_64</arch>"));
	free(x);
	CU_ASSERT_EQUAL_FATAL(host_domcaps_format(&c, "xenfv", "i686", &x, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(x, "<arch>i686</arch>"));
	free(x);
	host_caps_dispose(&c);

	/* a name that only starts like a machine is not it */
	CU_ASSERT_FALSE(host_caps_launcher_starts("xenpvh  Xen PVH guest\n", "xenpv"));
	CU_ASSERT_TRUE(host_caps_launcher_starts("xenpvh  Xen PVH guest\n", "xenpvh"));
	CU_ASSERT_FALSE(host_caps_launcher_starts("", "xenpv"));
}

/* The built launcher's own answer: xenpv, at least, is started. */
static void test_built_launcher_lists_xenpv(void)
{
	FILE *p = popen("bin/xenlaunch -M help 2>/dev/null", "r");
	char buf[4096];
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	CU_ASSERT_EQUAL(pclose(p), 0);
	CU_ASSERT_TRUE(host_caps_launcher_starts(buf, "xenpv"));
}

/* On a machine that is not a Xen dom0 the probe fails cleanly. */
static void test_probe_off_xen(void)
{
	struct host_caps c;
	char *err = NULL;
	int rc;

	if (access("/dev/xen/privcmd", F_OK) == 0 || access("/proc/xen/privcmd", F_OK) == 0)
		return; /* a real dom0: the e2e tests cover it */
	host_caps_init(&c);
	rc = host_caps_probe_xen(&c, &err);
	CU_ASSERT(rc == -ENODEV || rc == -ENOENT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(err);
	CU_ASSERT(!strncmp(err, "cannot open", 11));
	CU_ASSERT_EQUAL(c.n_guests, 0);
	free(err);
	host_caps_dispose(&c);
}

static CU_TestInfo tests[] = {
	{ "guest list from XENVER_capabilities", test_guest_list },
	{ "capabilities XML validates, no xenmigr", test_caps_xml },
	{ "domcapabilities for a missing machine", test_domcaps_unknown },
	{ "probe fails cleanly off Xen", test_probe_off_xen },
	{ "only machines the launcher starts are offered", test_restricted_to_launcher },
	{ "bin/xenlaunch -M help lists xenpv", test_built_launcher_lists_xenpv },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("capabilities", tests)

/* The tests that read libvirt's test data. */
static CU_TestInfo libvirt_tests[] = {
	{ "libvirt's legacy xenmigr fails the schema", test_legacy_xenmigr_is_invalid },
	{ "domcapabilities xenpv: valid, libvirt's shape", test_domcaps_xenpv },
	{ "domcapabilities xenfv: valid, libvirt's shape", test_domcaps_xenfv },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE_LIBVIRT_DATA("capabilities_libvirt", libvirt_tests)
