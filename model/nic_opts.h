/*
 * The network options in QEMU's spelling, parsed into struct nic_config
 * (model/config.h). Each interface is a Xen PV NIC (netfront in the
 * guest) whose host side is a tap device the launcher creates:
 *
 *   -nic tap[,br=BRIDGE][,ifname=NAME][,script=PATH|no][,downscript=PATH|no]
 *           [,mac=MAC][,model=xen-net-device][,queues=N]
 *   -nic bridge,br=BRIDGE[,mac=MAC][,model=...][,queues=N]
 *   -nic none                        no interface (also the default)
 *   -netdev tap|bridge,id=ID[,br=...][,ifname=...][,script=...][,queues=N]
 *   -device xen-net-device,netdev=ID[,mac=MAC]
 *
 * model= accepts xen-net-device (QEMU's name for the Xen PV NIC), xen and
 * netfront; other models are not a Xen PV NIC and are refused. The launcher
 * attaches the tap to br= itself (an ioctl, no helper and no shell); with
 * script= it also runs the script, as QEMU does. Without mac=, the MAC is
 * 00:16:3e:xx:xx:xx (Xen's range) derived from the guest's name and the
 * interface's position, so that it stays the same across starts.
 */
#ifndef MODEL_NIC_OPTS_H
#define MODEL_NIC_OPTS_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "model/config.h"

/* -netdev and -device are tied by id after the whole command line is read. */
struct nic_opts_state {
	struct {
		char *id;
		struct nic_config nic;
		bool used;
	} netdevs[LAUNCH_MAX_NICS];
	unsigned n_netdevs;
	/* -device: the netdev each NIC in cfg->nics refers to (NULL for -nic). */
	char *device_netdev[LAUNCH_MAX_NICS];
};

void nic_opts_state_init(struct nic_opts_state *st);
void nic_opts_state_dispose(struct nic_opts_state *st);

/* Each returns 0, or -EINVAL with a message in why (without the option's name). */
int nic_opts_nic(const char *spec, struct launch_config *cfg, char *why, size_t why_len);
int nic_opts_netdev(const char *spec, struct nic_opts_state *st, char *why, size_t why_len);
int nic_opts_device(const char *spec, struct launch_config *cfg, struct nic_opts_state *st,
		    char *why, size_t why_len);
/*
 * After the command line: resolves -device netdev= references (moving the
 * netdev's settings into the NIC), refuses unused -netdev ids, and fills in
 * each NIC's MAC from cfg->name when none was given. 0 or -EINVAL with why.
 */
int nic_opts_finish(struct launch_config *cfg, struct nic_opts_state *st, char *why, size_t why_len);

void nic_config_dispose(struct nic_config *nic);

/* "xx:xx:xx:xx:xx:xx" (either case). 0, or -EINVAL (also for a multicast or
 * all-zero address, which no NIC may have). */
int nic_mac_parse(const char *text, uint8_t mac_r[6]);
#define NIC_MAC_STRING_SIZE 18
void nic_mac_format(const uint8_t mac[6], char out[NIC_MAC_STRING_SIZE]);
/* The tap of NIC number index of domain domid: ifname=, or vif<domid>.<index>
 * as xl names its vifs. 0, or -ENAMETOOLONG. */
int nic_tap_name(const struct nic_config *nic, uint32_t domid, unsigned index, char out[IFNAMSIZ]);
/* 00:16:3e followed by 23 bits of a hash of name and index. */
void nic_mac_from_name(const char *name, unsigned index, uint8_t mac_r[6]);

/* "vif<digits>.<digits>": the tap name xl (and the launcher) make up for one
 * domain, which is not asked for again at the next start. */
bool nic_name_is_xl_vif(const char *name);
/* Xen's hotplug scripts (vif-bridge, vif-route...), by their file name: the
 * launcher joins the bridge itself and does not run them. */
bool nic_script_is_xen_hotplug(const char *path);

#endif
