/* xenfv/boot_cpu: the 32-bit boot protocol's vCPU state as HVM save records, from a checked stream. */
#include "xenfv/boot_cpu.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xen/hvm/save.h>

static size_t add(uint8_t *buf, size_t off, uint16_t type, uint16_t inst, const void *data, uint32_t len)
{
	struct hvm_save_descriptor d = { type, inst, len };

	memcpy(buf + off, &d, sizeof(d));
	memcpy(buf + off + sizeof(d), data, len);
	return off + sizeof(d) + len;
}

/* What xc_domain_hvm_getcontext gives for a 2-vCPU domain, in its order. */
static size_t xen_stream(uint8_t *buf)
{
	struct hvm_save_header h = { .magic = HVM_FILE_MAGIC, .version = HVM_FILE_VERSION,
				      .cpuid = 0x663 };
	struct hvm_hw_cpu cpu;
	struct hvm_hw_mtrr mtrr;
	uint8_t lapic[64];
	size_t off = 0;

	memset(&cpu, 0x5a, sizeof(cpu));
	memset(lapic, 0x11, sizeof(lapic));
	off = add(buf, off, HVM_SAVE_CODE(HEADER), 0, &h, sizeof(h));
	off = add(buf, off, HVM_SAVE_CODE(CPU), 0, &cpu, sizeof(cpu));
	off = add(buf, off, HVM_SAVE_CODE(CPU), 1, &cpu, sizeof(cpu));
	for (uint16_t i = 0; i < 2; i++) {
		memset(&mtrr, 0, sizeof(mtrr));
		mtrr.msr_pat_cr = 0x0007040600070406ULL + i;
		mtrr.msr_mtrr_cap = 0x508;
		off = add(buf, off, HVM_SAVE_CODE(MTRR), i, &mtrr, sizeof(mtrr));
	}
	off = add(buf, off, 6 /* LAPIC */, 0, lapic, sizeof(lapic));
	return add(buf, off, HVM_SAVE_CODE(END), 0, NULL, 0);
}

static const struct boot_cpu_regs regs = { 0x1000000, 0x7000, 0x6000 };

static void test_context(void)
{
	static uint8_t in[8192];
	size_t len = xen_stream(in), out_len = 0, off = 0;
	uint8_t *out = NULL;
	struct hvm_save_descriptor d;
	struct hvm_hw_cpu cpu;
	struct hvm_hw_mtrr mtrr;
	struct hvm_save_header h;

	CU_ASSERT_EQUAL_FATAL(boot_cpu_context(in, len, &regs, &out, &out_len), 0);
	/* header, CPU 0, MTRR 0, end: nothing else. */
	memcpy(&d, out, sizeof(d));
	CU_ASSERT(d.typecode == HVM_SAVE_CODE(HEADER) && d.length == sizeof(h));
	memcpy(&h, out + sizeof(d), sizeof(h));
	CU_ASSERT_EQUAL(h.cpuid, 0x663);
	off = sizeof(d) + sizeof(h);
	memcpy(&d, out + off, sizeof(d));
	CU_ASSERT(d.typecode == HVM_SAVE_CODE(CPU) && d.instance == 0 && d.length == sizeof(cpu));
	memcpy(&cpu, out + off + sizeof(d), sizeof(cpu));
	off += sizeof(d) + sizeof(cpu);
	CU_ASSERT_EQUAL(cpu.rip, 0x1000000);
	CU_ASSERT_EQUAL(cpu.rsi, 0x7000);
	CU_ASSERT_EQUAL(cpu.cr0 & 1, 1);		/* PE */
	CU_ASSERT_EQUAL(cpu.cr0 & 0x80000000, 0);	/* no paging */
	CU_ASSERT_EQUAL(cpu.cr4, 0);
	CU_ASSERT_EQUAL(cpu.msr_efer, 0);
	CU_ASSERT_EQUAL(cpu.rflags & 0x200, 0);		/* IF clear */
	CU_ASSERT_EQUAL(cpu.cs_sel, 0x10);
	CU_ASSERT_EQUAL(cpu.ds_sel, 0x18);
	CU_ASSERT_EQUAL(cpu.ss_sel, 0x18);
	CU_ASSERT_EQUAL(cpu.es_sel, 0x18);
	CU_ASSERT_EQUAL(cpu.cs_base, 0);
	CU_ASSERT_EQUAL(cpu.cs_limit, 0xffffffff);
	CU_ASSERT_EQUAL(cpu.cs_arbytes, 0xc9b);
	CU_ASSERT_EQUAL(cpu.ds_arbytes, 0xc93);
	CU_ASSERT_EQUAL(cpu.gdtr_base, 0x6000);
	CU_ASSERT_EQUAL(cpu.gdtr_limit, 31);
	CU_ASSERT_EQUAL(cpu.rax, 0);			/* built from zero, not Xen's */
	memcpy(&d, out + off, sizeof(d));
	CU_ASSERT(d.typecode == HVM_SAVE_CODE(MTRR) && d.instance == 0 && d.length == sizeof(mtrr));
	memcpy(&mtrr, out + off + sizeof(d), sizeof(mtrr));
	off += sizeof(d) + sizeof(mtrr);
	CU_ASSERT_EQUAL(mtrr.msr_mtrr_def_type, 0x806);	/* WB, enabled */
	CU_ASSERT_EQUAL(mtrr.msr_pat_cr, 0x0007040600070406ULL);	/* vCPU 0's, kept */
	CU_ASSERT_EQUAL(mtrr.msr_mtrr_cap, 0x508);
	memcpy(&d, out + off, sizeof(d));
	CU_ASSERT(d.typecode == HVM_SAVE_CODE(END) && d.length == 0);
	CU_ASSERT_EQUAL(off + sizeof(d), out_len);
	free(out);
}

static void test_gdt(void)
{
	uint8_t g[BOOT_CPU_GDT_SIZE];
	uint64_t cs, ds;

	boot_cpu_gdt(g);
	memcpy(&cs, g + BOOT_CPU_CS, 8);
	memcpy(&ds, g + BOOT_CPU_DS, 8);
	CU_ASSERT_EQUAL(cs, 0x00cf9b000000ffffULL);
	CU_ASSERT_EQUAL(ds, 0x00cf93000000ffffULL);
	for (unsigned i = 0; i < 16; i++)
		CU_ASSERT_EQUAL(g[i], 0);
}

static void expect_invalid(const uint8_t *in, size_t len)
{
	uint8_t *out = (uint8_t *)1;
	size_t out_len = 0;

	CU_ASSERT_EQUAL(boot_cpu_context(in, len, &regs, &out, &out_len), -EINVAL);
	CU_ASSERT_PTR_NULL(out);
}

static void test_bad_streams(void)
{
	static uint8_t in[8192], bad[8192];
	size_t len = xen_stream(in);
	struct hvm_save_descriptor d;
	/* The end of vCPU 0's MTRR record: before it come vCPU 1's, the LAPIC's and the end record. */
	size_t mtrr0_end = len - (sizeof(d) + sizeof(struct hvm_hw_mtrr)) - (sizeof(d) + 64) - sizeof(d);

	/* Cut anywhere before it. */
	for (size_t cut = 0; cut < mtrr0_end; cut += 7)
		expect_invalid(in, cut);
	/* A record longer than the stream. */
	memcpy(bad, in, len);
	d = (struct hvm_save_descriptor){ HVM_SAVE_CODE(HEADER), 0, 0xffffffff };
	memcpy(bad, &d, sizeof(d));
	expect_invalid(bad, len);
	/* A header of the wrong size is not a header. */
	d.length = sizeof(struct hvm_save_header) - 1;
	memcpy(bad, &d, sizeof(d));
	expect_invalid(bad, len);
	/* No MTRR for vCPU 0 (only vCPU 1's). */
	memcpy(bad, in, len);
	{
		size_t mtrr0 = sizeof(d) + sizeof(struct hvm_save_header) + 2 * (sizeof(d) + sizeof(struct hvm_hw_cpu));

		memcpy(&d, bad + mtrr0, sizeof(d));
		CU_ASSERT_EQUAL_FATAL(d.typecode, HVM_SAVE_CODE(MTRR));
		d.instance = 7;
		memcpy(bad + mtrr0, &d, sizeof(d));
	}
	expect_invalid(bad, len);
	/* Zeros: an END record first. */
	memset(bad, 0, sizeof(bad));
	expect_invalid(bad, sizeof(bad));
	expect_invalid(bad, 3);
}

static CU_TestInfo tests[] = {
	{ "records for setcontext", test_context },
	{ "flat GDT", test_gdt },
	{ "truncated and lying streams", test_bad_streams },
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("boot_cpu", tests)
