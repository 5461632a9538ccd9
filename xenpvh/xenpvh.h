/*
 * -M xenpvh: a PVH guest, built by the launcher itself with no firmware
 * and no QEMU: an HVM container (hvm/container) in which Xen emulates only
 * the local APIC, an ELF kernel entered at its XEN_ELFNOTE_PHYS32_ENTRY,
 * the launcher's ACPI tables (one local APIC per vCPU), and the same PV
 * console, disks, NICs and vfb as -M xenpv, served the same way.
 */
#ifndef XENPVH_XENPVH_H
#define XENPVH_XENPVH_H

#include "xenpv/machine.h"

extern const struct machine_ops xenpvh_machine_ops;

#endif
