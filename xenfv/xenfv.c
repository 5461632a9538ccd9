/*
 * -M xenfv with -kernel; see xenfv.h.
 */
#include "xenfv/xenfv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xenguest.h>
#include <xen/hvm/params.h>

#include "common/log.h"
#include "console/console0.h"
#include "hvm/container.h"
#include "xenfv/boot_cpu.h"
#include "xenfv/bzimage.h"
#include "xenfv/ioreq_server.h"
#include "xenfv/uart16550.h"

/* What Xen emulates for an HVM guest (4.17 takes this set or LAPIC alone). */
#define FV_EMULATION (XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI)

#define PAGE_SHIFT_4K 12
#define PAGE_SIZE_4K 4096u
#define SUPERPAGE_PAGES 512u		/* 2 MiB */
#define POPULATE_BATCH 256u		/* extents per hypercall */
#define COPY_PAGES 256u			/* pages mapped at once to copy into the guest */
#define VGA_HOLE_START 0xa0000ull	/* to 1 MiB: no RAM (legacy VGA and ROM area) */
#define SPECIAL_PAGE(n) ((HVM_SPECIAL_START >> PAGE_SHIFT_4K) + (n))
#define SPECIAL_XENSTORE 4		/* Xen's special page numbers, as libxenguest */
#define SPECIAL_CONSOLE 7

struct xenfv {
	struct ioreq_server ios;
	struct uart16550 uart;
};

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

/* Populates [start, end) (4 KiB aligned) with RAM: 2 MiB extents where
 * aligned, 4 KiB pages around them and where Xen has no 2 MiB page. */
static int populate(xc_interface *xch, uint32_t domid, uint64_t start, uint64_t end)
{
	xen_pfn_t pfns[POPULATE_BATCH];
	uint64_t pfn = start >> PAGE_SHIFT_4K, last = end >> PAGE_SHIFT_4K;

	while (pfn < last) {
		unsigned n = 0, order = 0;

		if (!(pfn % SUPERPAGE_PAGES) && last - pfn >= SUPERPAGE_PAGES) {
			while (n < POPULATE_BATCH && last - pfn >= (uint64_t)(n + 1) * SUPERPAGE_PAGES) {
				pfns[n] = pfn + (uint64_t)n * SUPERPAGE_PAGES;
				n++;
			}
			if (xc_domain_populate_physmap_exact(xch, domid, n, 9, 0, pfns) == 0) {
				pfn += (uint64_t)n * SUPERPAGE_PAGES;
				continue;
			}
			n = 0;	/* no 2 MiB pages: this one in 4 KiB pages */
		}
		while (n < POPULATE_BATCH && pfn + n < last && (n == 0 || (pfn + n) % SUPERPAGE_PAGES)) {
			pfns[n] = pfn + n;
			n++;
		}
		if (xc_domain_populate_physmap_exact(xch, domid, n, order, 0, pfns) < 0) {
			int rc = neg_errno();

			log_warn("domain %u: populate RAM at %#" PRIx64, domid, pfn << PAGE_SHIFT_4K);
			return rc;
		}
		pfn += n;
	}
	return 0;
}

/* Copies len bytes to guest-physical gpa, COPY_PAGES at a time. */
static int guest_write(struct machine *m, uint64_t gpa, const void *buf, size_t len)
{
	const uint8_t *src = buf;

	while (len) {
		xen_pfn_t pfns[COPY_PAGES];
		size_t off = gpa & (PAGE_SIZE_4K - 1), chunk = (size_t)COPY_PAGES * PAGE_SIZE_4K - off;
		unsigned n;
		uint8_t *map;

		if (chunk > len)
			chunk = len;
		n = (unsigned)((off + chunk + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K);
		for (unsigned i = 0; i < n; i++)
			pfns[i] = (gpa >> PAGE_SHIFT_4K) + i;
		map = xenforeignmemory_map(m->fmem, m->dom.domid, PROT_READ | PROT_WRITE, n, pfns, NULL);
		if (!map) {
			int rc = neg_errno();

			log_warn("domain %u: map guest memory at %#" PRIx64, m->dom.domid, gpa);
			return rc;
		}
		if (src)
			memcpy(map + off, src, chunk);
		else
			memset(map + off, 0, chunk);
		xenforeignmemory_unmap(m->fmem, map, n);
		gpa += chunk;
		len -= chunk;
		if (src)
			src += chunk;
	}
	return 0;
}

/* The initrd, read straight into guest memory. */
static int load_initrd(struct machine *m, int fd, uint64_t gpa, uint64_t size)
{
	static uint8_t buf[1 << 20];
	uint64_t done = 0;

	while (done < size) {
		size_t want = size - done < sizeof(buf) ? (size_t)(size - done) : sizeof(buf);
		ssize_t r = pread(fd, buf, want, (off_t)done);
		int rc;

		if (r <= 0) {
			rc = r < 0 ? neg_errno() : -EIO;
			log_warnx("initrd %s: read: %s", m->cfg->initrd, r < 0 ? strerror(-rc) : "file shrank");
			return rc;
		}
		if ((rc = guest_write(m, gpa + done, buf, (size_t)r)) < 0)
			return rc;
		done += (uint64_t)r;
	}
	return 0;
}

/* The whole file, malloc'd. */
static int read_file(const char *path, uint8_t **data_r, size_t *size_r)
{
	struct stat st;
	uint8_t *data = NULL;
	size_t done = 0;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = neg_errno();
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > (1 << 30)) {
		rc = -EINVAL;
		goto out;
	}
	data = malloc((size_t)st.st_size);
	if (!data) {
		rc = -ENOMEM;
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t r = read(fd, data + done, (size_t)st.st_size - done);

		if (r <= 0) {
			rc = r < 0 ? neg_errno() : -EIO;
			goto out;
		}
		done += (size_t)r;
	}
	*data_r = data;
	*size_r = done;
	data = NULL;
out:
	free(data);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The e820 the kernel reads: the container's map with the VGA hole cut out
 * of low RAM. Returns the number of entries. */
static size_t memory_map(const struct hvm_layout *layout, struct bzimage_e820 *map,
			 struct e820entry *xen_map, size_t max)
{
	struct e820entry e[HVM_MEMMAP_MAX];
	int n = hvm_memmap_build(layout, NULL, 0, e);
	size_t k = 0;

	for (int i = 0; i < n && k + 2 <= max; i++) {
		if (e[i].type == E820_RAM && e[i].addr == 0 && e[i].size > 0x100000) {
			xen_map[k++] = (struct e820entry){ 0, VGA_HOLE_START, E820_RAM };
			xen_map[k++] = (struct e820entry){ 0x100000, e[i].size - 0x100000, E820_RAM };
		} else {
			xen_map[k++] = e[i];
		}
	}
	for (size_t i = 0; i < k; i++)
		map[i] = (struct bzimage_e820){ xen_map[i].addr, xen_map[i].size, xen_map[i].type };
	return k;
}

/* RAM, special pages, HVM parameters, grant table. */
static int fv_memory(struct machine *m, const struct hvm_layout *layout)
{
	uint32_t domid = m->dom.domid;
	xen_pfn_t special[X86_HVM_NR_SPECIAL_PAGES];
	const char *step;
	int rc;

	if ((rc = populate(m->xch, domid, 0, VGA_HOLE_START)) < 0 ||
	    (rc = populate(m->xch, domid, 0x100000, layout->lowmem_end)) < 0 ||
	    (layout->highmem_end && (rc = populate(m->xch, domid, 4ull << 30, layout->highmem_end)) < 0))
		return rc;
	for (unsigned i = 0; i < X86_HVM_NR_SPECIAL_PAGES; i++)
		special[i] = SPECIAL_PAGE(i);
	errno = 0;
	step = "populate the special pages";
	if (xc_domain_populate_physmap_exact(m->xch, domid, X86_HVM_NR_SPECIAL_PAGES, 0, 0, special) < 0)
		goto fail;
	if ((rc = guest_write(m, HVM_SPECIAL_START, NULL, HVM_SPECIAL_SIZE)) < 0)
		return rc;
	m->dom.store_mfn = SPECIAL_PAGE(SPECIAL_XENSTORE);
	m->dom.console_mfn = SPECIAL_PAGE(SPECIAL_CONSOLE);
	step = "HVM parameters";
	if (xc_hvm_param_set(m->xch, domid, HVM_PARAM_STORE_PFN, m->dom.store_mfn) < 0 ||
	    xc_hvm_param_set(m->xch, domid, HVM_PARAM_STORE_EVTCHN, m->dom.store_port) < 0 ||
	    xc_hvm_param_set(m->xch, domid, HVM_PARAM_CONSOLE_PFN, m->dom.console_mfn) < 0 ||
	    xc_hvm_param_set(m->xch, domid, HVM_PARAM_CONSOLE_EVTCHN, m->dom.console_port) < 0)
		goto fail;
	step = "seed the grant table";
	if (xc_dom_gnttab_seed(m->xch, domid, true, m->dom.console_mfn, m->dom.store_mfn, 0, 0) < 0)
		goto fail;
	return 0;
fail:
	rc = neg_errno();
	log_warn("domain %u: %s", domid, step);
	return rc;
}

static int fv_build(struct machine *m, bool use_cache)
{
	const struct launch_config *cfg = m->cfg;
	struct bzimage_e820 map[BZIMAGE_E820_MAX];
	struct e820entry xen_map[HVM_MEMMAP_MAX + 1];
	static uint8_t zero_page[BZIMAGE_ZERO_PAGE_SIZE];
	uint8_t gdt[BOOT_CPU_GDT_SIZE];
	char err[BZIMAGE_ERR_MAX];
	struct hvm_layout layout;
	struct bzimage_layout l;
	struct boot_cpu_regs regs;
	struct bzimage bz;
	struct timespec t0;
	struct stat st;
	uint8_t *kernel = NULL;
	size_t kernel_size = 0, n_map;
	uint64_t initrd_size = 0;
	char *cmdline = NULL;
	int initrd_fd = -1, rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = read_file(cfg->kernel, &kernel, &kernel_size)) < 0) {
		log_warnx("kernel %s: %s", cfg->kernel, strerror(-rc));
		goto out;
	}
	if ((rc = bzimage_parse(kernel, kernel_size, &bz, err)) < 0) {
		log_warnx("kernel %s: %s", cfg->kernel, err);
		goto out;
	}
	if (cfg->initrd) {
		initrd_fd = open(cfg->initrd, O_RDONLY | O_CLOEXEC);
		if (initrd_fd < 0 || fstat(initrd_fd, &st) < 0) {
			rc = neg_errno();
			log_warn("initrd %s", cfg->initrd);
			goto out;
		}
		initrd_size = (uint64_t)st.st_size;
	}
	cmdline = bzimage_cmdline(cfg->append);
	if (!cmdline) {
		rc = -ENOMEM;
		goto out;
	}
	if (!hvm_layout_for(cfg->memory_mib, &layout)) {
		rc = -EINVAL;
		log_warnx("-m %" PRIu64 ": no memory layout for that size", (uint64_t)cfg->memory_mib);
		goto out;
	}
	if ((rc = bzimage_place(&bz, layout.lowmem_end, strlen(cmdline), initrd_size, &l, err)) < 0) {
		log_warnx("kernel %s: %s", cfg->kernel, err);
		goto out;
	}

	rc = hvm_domain_create(m->xch, &m->dom, FV_EMULATION);
	if (rc)
		goto out;
	machine_domain_created(m);
	machine_phase_done(m, "domain create (HVM container)", &t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = fv_memory(m, &layout)) < 0)
		goto out;
	n_map = memory_map(&layout, map, xen_map, sizeof(xen_map) / sizeof(xen_map[0]));
	if (xc_domain_set_memory_map(m->xch, m->dom.domid, xen_map, (uint32_t)n_map) < 0) {
		rc = neg_errno();
		log_warn("domain %u: set its memory map", m->dom.domid);
		goto out;
	}
	machine_phase_done(m, "memory", &t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bzimage_zero_page(&bz, &l, map, n_map, zero_page);
	boot_cpu_gdt(gdt);
	if ((rc = guest_write(m, l.kernel, bz.kernel, bz.kernel_size)) < 0 ||
	    (rc = guest_write(m, l.cmdline, cmdline, strlen(cmdline) + 1)) < 0 ||
	    (rc = guest_write(m, l.zero_page, zero_page, sizeof(zero_page))) < 0 ||
	    (rc = guest_write(m, BZIMAGE_GDT_GPA, gdt, sizeof(gdt))) < 0 ||
	    (initrd_size && (rc = load_initrd(m, initrd_fd, l.initrd, initrd_size)) < 0))
		goto out;
	regs = (struct boot_cpu_regs){ (uint32_t)l.kernel, (uint32_t)l.zero_page, BZIMAGE_GDT_GPA };
	if ((rc = boot_cpu_set(m->xch, m->dom.domid, &regs)) < 0)
		goto out;
	log_info("domain %u: bzImage (boot protocol %u.%02u%s) at %#" PRIx64 ", initrd %" PRIu64
		 " KiB at %#" PRIx64 ", command line \"%s\"", m->dom.domid, bz.version >> 8,
		 bz.version & 0xff, bz.relocatable ? ", relocatable" : "", l.kernel, initrd_size >> 10,
		 l.initrd, cmdline);
	machine_phase_done(m, "kernel load", &t0);
out:
	if (initrd_fd >= 0)
		close(initrd_fd);
	free(cmdline);
	free(kernel);
	return rc;
}

/* ---- COM1 on the ioreq server, joined to serial0 ---------------------- */

static uint8_t com1_read(void *opaque, unsigned off)
{
	struct xenfv *fv = opaque;

	return uart16550_read(&fv->uart, off);
}

static void com1_write(void *opaque, unsigned off, uint8_t val)
{
	struct xenfv *fv = opaque;

	uart16550_write(&fv->uart, off, val);
}

static size_t com1_tx(void *opaque, const uint8_t *buf, size_t len)
{
	struct machine *m = opaque;

	return m->c0 ? console0_device_output(m->c0, buf, len) : len;
}

static void com1_irq(void *opaque, int level)
{
	struct machine *m = opaque;
	struct xenfv *fv = m->priv;
	int rc = ioreq_server_set_isa_irq(&fv->ios, UART16550_COM1_IRQ, level);

	if (rc < 0 && rc != -EINVAL) {
		errno = -rc;
		log_warn("domain %u: COM1: IRQ %u", m->dom.domid, UART16550_COM1_IRQ);
	}
}

static void com1_rx_space(void *opaque)
{
	struct machine *m = opaque;

	if (m->c0 && m->c0->serial)
		chardev_input_resume(m->c0->serial);
}

static size_t serial_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct xenfv *fv = opaque;

	return uart16550_receive(&fv->uart, buf, len);
}

static void serial_space(void *opaque)
{
	struct xenfv *fv = opaque;

	uart16550_tx_drain(&fv->uart);
}

static int fv_devices_start(struct machine *m)
{
	struct xenfv *fv = m->priv;
	const struct uart16550_ops uart_ops = { com1_tx, com1_irq, com1_rx_space, m };
	const struct ioreq_ports com1 = { UART16550_COM1_BASE, UART16550_PORTS, com1_read, com1_write, fv };
	const struct console0_device dev = { serial_input, serial_space, fv };
	int rc;

	uart16550_init(&fv->uart, &uart_ops);
	ioreq_server_init(&fv->ios, m->loop);
	if ((rc = ioreq_server_open(&fv->ios)) < 0 || (rc = ioreq_server_add_ports(&fv->ios, &com1)) < 0 ||
	    (rc = ioreq_server_start(&fv->ios, m->dom.domid, m->dom.vcpus)) < 0)
		return rc;
	if (m->wd)
		watchdog_set_ioreq_server(m->wd, fv->ios.id);
	if (m->c0)
		console0_set_device(m->c0, &dev);
	return 0;
}

static void fv_devices_stop(struct machine *m)
{
	struct xenfv *fv = m->priv;

	if (m->c0)
		console0_set_device(m->c0, NULL);
	if (fv->uart.tx_dropped)
		log_info("domain %u: COM1: %" PRIu64 " bytes the guest wrote to a full FIFO were lost",
			 m->dom.domid, fv->uart.tx_dropped);
	ioreq_server_close(&fv->ios);
	fv->uart.tx_dropped = 0;
}

const struct machine_ops xenfv_machine_ops = {
	.name = "xenfv",
	.priv_size = sizeof(struct xenfv),
	.build = fv_build,
	.devices_start = fv_devices_start,
	.devices_stop = fv_devices_stop,
};
