/* xenpv/xs_layout: the nodes of a running PV domain and their permissions. */
#include "xenpv/xs_layout.h"
#include "tests/unit/unit.h"

#include <string.h>

static const struct xs_domain_desc desc = {
	.domid = 7,
	.name = "demo",
	.uuid_str = "00112233-4455-6677-8899-aabbccddeeff",
	.memory_mib = 500,
	.vcpus = 2,
	.store_port = 1,
	.store_mfn = 0x1234,
	.console_port = 2,
	.console_mfn = 0x5678,
	.console_tty = "/dev/pts/3",
};

static const char *value(const struct xs_layout *l, const char *path)
{
	const struct xs_entry *e = xs_layout_find(l, path);

	return e ? e->value : "(absent)";
}

static void test_values(void)
{
	struct xs_layout l;

	xs_layout_init(&l);
	CU_ASSERT_EQUAL_FATAL(xs_layout_build(&desc, &l), 0);
	CU_ASSERT_STRING_EQUAL(value(&l, "/local/domain/7/name"), "demo");
	CU_ASSERT_STRING_EQUAL(value(&l, "/local/domain/7/domid"), "7");
	CU_ASSERT_STRING_EQUAL(value(&l, "/local/domain/7/vm"),
			       "/vm/00112233-4455-6677-8899-aabbccddeeff");
	CU_ASSERT_STRING_EQUAL(value(&l, "/vm/00112233-4455-6677-8899-aabbccddeeff/name"), "demo");
	CU_ASSERT_STRING_EQUAL(value(&l, "/local/domain/7/memory/target"), "512000");
	CU_ASSERT_STRING_EQUAL(value(&l, "/local/domain/7/memory/static-max"), "512000");
	CU_ASSERT_STRING_EQUAL(value(&l, "/local/domain/7/store/port"), "1");
	CU_ASSERT_STRING_EQUAL(value(&l, "/local/domain/7/store/ring-ref"), "4660");
	CU_ASSERT_STRING_EQUAL(value(&l, "/local/domain/7/console/ring-ref"), "22136");
	CU_ASSERT_STRING_EQUAL(value(&l, "/local/domain/7/console/type"), "ioemu");
	CU_ASSERT_STRING_EQUAL(value(&l, "/local/domain/7/console/tty"), "/dev/pts/3");
	CU_ASSERT_STRING_EQUAL(value(&l, "/local/domain/7/cpu/1/availability"), "online");
	CU_ASSERT_PTR_NULL(xs_layout_find(&l, "/local/domain/7/cpu/2/availability"));
	CU_ASSERT_STRING_EQUAL(value(&l, "/local/domain/0/backend/console/7/0/frontend-id"), "7");
	xs_layout_dispose(&l);
}

static void test_permissions(void)
{
	static const char *const rw[] = {
		"control/shutdown", "control/feature-poweroff", "control/feature-reboot",
		"control/sysrq", "data", "drivers", "attr", "error", "feature",
	};
	static const char *const ro[] = {
		"", "/control", "/name", "/domid", "/memory/target", "/store/ring-ref",
		"/console/ring-ref", "/console/tty", "/device",
	};
	char path[128];
	struct xs_layout l;

	xs_layout_init(&l);
	CU_ASSERT_EQUAL_FATAL(xs_layout_build(&desc, &l), 0);
	for (size_t i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
		const struct xs_entry *e;

		snprintf(path, sizeof(path), "/local/domain/7/%s", rw[i]);
		e = xs_layout_find(&l, path);
		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		CU_ASSERT_EQUAL(e->perm, XS_CLASS_RW);
	}
	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		const struct xs_entry *e;

		snprintf(path, sizeof(path), "/local/domain/7%s", ro[i]);
		e = xs_layout_find(&l, path);
		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		CU_ASSERT_EQUAL(e->perm, XS_CLASS_RO);
	}
	xs_layout_dispose(&l);
}

static void test_parents_first(void)
{
	struct xs_layout l;

	xs_layout_init(&l);
	CU_ASSERT_EQUAL_FATAL(xs_layout_build(&desc, &l), 0);
	for (size_t i = 0; i < l.n; i++) {
		char parent[128];
		char *slash;

		snprintf(parent, sizeof(parent), "%s", l.entries[i].path);
		slash = strrchr(parent, '/');
		*slash = '\0';
		/* Every parent we create ourselves comes earlier in the list. */
		for (size_t j = i + 1; j < l.n; j++)
			CU_ASSERT(strcmp(l.entries[j].path, parent) != 0);
	}
	xs_layout_dispose(&l);
}

static CU_TestInfo tests[] = {
	{ "values of the domain's nodes", test_values },
	{ "libxl's permissions: guest-writable only where libxl allows", test_permissions },
	{ "parents are written before children", test_parents_first },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("xs_layout", tests)
