/*
 * The names a guest and its devices go by, one implementation each: UUIDs
 * (xenstore's /vm/UUID, the XML's <uuid>, -uuid), Xen's xvd disk names and
 * the xenstore device ids that go with them. MACs are in model/nic_opts.h.
 */
#ifndef MODEL_NAMES_H
#define MODEL_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" and its NUL. */
#define UUID_STRING_SIZE 37
void uuid_to_string(const uint8_t uuid[16], char out[UUID_STRING_SIZE]);
/* A hexadecimal digit's value (either case), or -1. */
int hex_digit(int c);
/* Parses the canonical 8-4-4-4-12 hex form (either case), as -uuid takes
 * it. Returns 0 or -EINVAL. */
int uuid_from_string(const char *text, uint8_t uuid_r[16]);
/* Parses libvirt's looser <uuid>: 32 hex digits with or without dashes
 * between groups, blanks around. Returns 0 or -EINVAL. */
int uuid_from_string_loose(const char *text, uint8_t uuid_r[16]);
/* A random (version 4, RFC 4122 variant) UUID; -errno if /dev/urandom fails. */
int uuid_generate_random(uint8_t uuid_r[16]);

/* Xen's PV disk names, docs/misc/vbd-interface.txt: index 0 is xvda. */
#define XVD_NAME_SIZE 8
void xvd_name(unsigned index, char out[XVD_NAME_SIZE]);
/*
 * The disk index a libvirt <target dev> stands for: xvdb, hdb, sdb and vdb
 * are all 1 (xvdaa is 26, as Xen counts). -1 for anything else.
 */
int xvd_index(const char *dev);
/*
 * Whether a <target dev> names a disk a guest can be given, as libvirt
 * reads them: xvd, hd, sd, vd (as xvd_index), fd or ubd and letters, then
 * perhaps a partition number (xvda1).
 */
bool disk_name_usable(const char *dev);

#endif
