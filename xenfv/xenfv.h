/*
 * -M xenfv with -kernel: an HVM guest booted straight into a bzImage
 * through Linux's 32-bit boot protocol, with no hvmloader, no firmware and
 * no QEMU process. The launcher is its device model: its own ioreq server
 * (xenfv/ioreq_server) serves COM1, a 16550 (xenfv/uart16550) at 0x3f8 on
 * IRQ 4, joined to the -serial chardev through console 0's device hook;
 * the guest's disks, NICs and console are the PV ones of every machine
 * type (its command line gets xen_emul_unplug=unnecessary: there is no
 * platform PCI device and no emulated disk to unplug).
 *
 * The build (no xc_dom: libxenguest has no loader for the 32-bit
 * protocol): the HVM container of hvm/container with every emulation
 * Xen offers an HVM guest (PIC, IO-APIC, PIT, RTC, HPET, PM timer), its
 * RAM populated in 2 MiB extents (the VGA hole 0xa0000-0xfffff left
 * out), the special pages (xenstore, console) cleared and published as
 * HVM parameters, the grant table seeded; then the kernel's
 * protected-mode part at its load address (xenfv/bzimage), the initrd,
 * the command line, the zero page with the e820, the boot GDT, and the
 * boot vCPU's registers (xenfv/boot_cpu).
 *
 * A reboot (reboot=t: a triple fault, reported by Xen as a reboot) and a
 * power-off end or rebuild the guest as for PV; the ioreq server is
 * destroyed on every stop, and by the watchdog if the launcher is killed.
 */
#ifndef XENFV_XENFV_H
#define XENFV_XENFV_H

#include "xenpv/machine.h"

extern const struct machine_ops xenfv_machine_ops;

#endif
