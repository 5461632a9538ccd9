/*
 * -M xenpv: a paravirtual guest, its domain built by xenpv/domain_build
 * with the kernel cache.
 */
#ifndef XENPV_XENPV_H
#define XENPV_XENPV_H

#include "xenpv/machine.h"

extern const struct machine_ops xenpv_machine_ops;

#endif
