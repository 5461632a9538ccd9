/*
 * The boot vCPU's registers; see boot_cpu.h.
 */
#include "xenfv/boot_cpu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xen/hvm/save.h>

#include "common/log.h"

/* Segment attributes in Xen's "arbytes" layout: type, S, DPL, P, AVL, L, D/B, G. */
#define AR_CODE32 0xc9b		/* execute/read, accessed, present, 32-bit, 4 KiB granularity */
#define AR_DATA32 0xc93		/* read/write, accessed, present, 32-bit, 4 KiB granularity */
#define AR_TSS32_BUSY 0x8b
#define CR0_PE 0x00000001
#define CR0_ET 0x00000010
#define RFLAGS_RESERVED 0x2
#define DR6_DEFAULT 0xffff0ff0
#define DR7_DEFAULT 0x00000400
#define MTRR_TYPE_WB 6
#define MTRR_DEF_ENABLE 0x800

void boot_cpu_gdt(uint8_t out[BOOT_CPU_GDT_SIZE])
{
	static const uint64_t gdt[4] = {
		0,
		0,
		0x00cf9b000000ffffULL,	/* 0x10: code, base 0, limit 4 GiB */
		0x00cf93000000ffffULL,	/* 0x18: data, base 0, limit 4 GiB */
	};

	for (unsigned i = 0; i < 4; i++)
		for (unsigned b = 0; b < 8; b++)
			out[i * 8 + b] = (uint8_t)(gdt[i] >> (8 * b));
}

static void cpu_regs(struct hvm_hw_cpu *c, const struct boot_cpu_regs *regs)
{
	memset(c, 0, sizeof(*c));
	c->rip = regs->eip;
	c->rsi = regs->esi;
	c->rflags = RFLAGS_RESERVED;
	c->cr0 = CR0_PE | CR0_ET;
	c->dr6 = DR6_DEFAULT;
	c->dr7 = DR7_DEFAULT;
	c->cs_sel = BOOT_CPU_CS;
	c->ds_sel = c->es_sel = c->ss_sel = BOOT_CPU_DS;
	c->cs_limit = c->ds_limit = c->es_limit = c->ss_limit = c->fs_limit = c->gs_limit = ~0u;
	c->cs_arbytes = AR_CODE32;
	c->ds_arbytes = c->es_arbytes = c->ss_arbytes = c->fs_arbytes = c->gs_arbytes = AR_DATA32;
	c->tr_arbytes = AR_TSS32_BUSY;
	c->tr_limit = 0x67;
	c->gdtr_base = regs->gdt;
	c->gdtr_limit = BOOT_CPU_GDT_SIZE - 1;
}

static uint8_t *put_record(uint8_t *p, uint16_t type, const void *data, uint32_t len)
{
	struct hvm_save_descriptor d = { .typecode = type, .instance = 0, .length = len };

	memcpy(p, &d, sizeof(d));
	if (len)
		memcpy(p + sizeof(d), data, len);
	return p + sizeof(d) + len;
}

int boot_cpu_context(const uint8_t *ctx, size_t len, const struct boot_cpu_regs *regs,
		     uint8_t **out_r, size_t *out_len_r)
{
	const uint8_t *header = NULL, *mtrr_rec = NULL;
	struct hvm_hw_mtrr mtrr;
	struct hvm_hw_cpu cpu;
	size_t off = 0, out_len;
	uint8_t *out, *p;

	*out_r = NULL;
	while (len - off >= sizeof(struct hvm_save_descriptor)) {
		struct hvm_save_descriptor d;

		memcpy(&d, ctx + off, sizeof(d));
		off += sizeof(d);
		if (d.length > len - off)
			return -EINVAL;
		if (d.typecode == HVM_SAVE_CODE(HEADER) && d.length == sizeof(struct hvm_save_header))
			header = ctx + off;
		else if (d.typecode == HVM_SAVE_CODE(MTRR) && d.instance == 0 &&
			 d.length == sizeof(struct hvm_hw_mtrr))
			mtrr_rec = ctx + off;
		off += d.length;
		if (d.typecode == HVM_SAVE_CODE(END))
			break;
	}
	if (!header || !mtrr_rec)
		return -EINVAL;
	cpu_regs(&cpu, regs);
	memcpy(&mtrr, mtrr_rec, sizeof(mtrr));
	mtrr.msr_mtrr_def_type = MTRR_TYPE_WB | MTRR_DEF_ENABLE;
	out_len = 4 * sizeof(struct hvm_save_descriptor) + sizeof(struct hvm_save_header) +
		  sizeof(cpu) + sizeof(mtrr);
	out = malloc(out_len);
	if (!out)
		return -ENOMEM;
	p = put_record(out, HVM_SAVE_CODE(HEADER), header, sizeof(struct hvm_save_header));
	p = put_record(p, HVM_SAVE_CODE(CPU), &cpu, sizeof(cpu));
	p = put_record(p, HVM_SAVE_CODE(MTRR), &mtrr, sizeof(mtrr));
	put_record(p, HVM_SAVE_CODE(END), NULL, 0);
	*out_r = out;
	*out_len_r = out_len;
	return 0;
}

int boot_cpu_set(xc_interface *xch, uint32_t domid, const struct boot_cpu_regs *regs)
{
	uint8_t *ctx = NULL, *out = NULL;
	size_t out_len = 0;
	int size, rc;

	size = xc_domain_hvm_getcontext(xch, domid, NULL, 0);
	if (size <= 0) {
		rc = errno ? -errno : -EIO;
		log_warn("domain %u: the size of its HVM context", domid);
		return rc;
	}
	ctx = malloc((size_t)size);
	if (!ctx)
		return -ENOMEM;
	size = xc_domain_hvm_getcontext(xch, domid, ctx, (uint32_t)size);
	if (size <= 0) {
		rc = errno ? -errno : -EIO;
		log_warn("domain %u: get its HVM context", domid);
		goto out;
	}
	rc = boot_cpu_context(ctx, (size_t)size, regs, &out, &out_len);
	if (rc < 0) {
		log_warnx("domain %u: its HVM context has no header or MTRR record for vCPU 0", domid);
		goto out;
	}
	if (xc_domain_hvm_setcontext(xch, domid, out, (uint32_t)out_len) < 0) {
		rc = errno ? -errno : -EIO;
		log_warn("domain %u: set the boot vCPU's registers", domid);
	}
out:
	free(out);
	free(ctx);
	return rc;
}
