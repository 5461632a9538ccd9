# Memory benchmark (figures, not a timed test): the PSS (smem's figure, the
# sum of Pss in /proc/PID/smaps_rollup) of what serves one busybox PV guest
# (128 MiB, 1 vCPU) with a raw disk on dom0's tmpfs, a NIC on a dom0 bridge
# and its console; then the same with a VNC display (the guest's 800x600x32
# framebuffer up, one viewer connected):
#   - xenlaunch: the launcher and its children (the watchdog);
#   - the reference, xl's stack for the same guest: Debian's qemu-system-xen
#     (the qdisk backend, and the vfb's VNC server), xenconsoled (the
#     console; it would serve every guest, here it serves this one) and the
#     xl process that stays with the domain; the NIC is the kernel's netback,
#     which has no process of its own.
# xenstored serves both stacks and is counted in neither.
# Runs in dom0: tests/bench/run-all memory.sh
. ./lib.sh

for m in llc stp bridge tun xen-netback; do
	insmod "$HOST_MODULES/$m.ko" 2>/dev/null
done
brctl addbr xlbr0 || fail "cannot create the test bridge"
ip link set xlbr0 up
dd if=/dev/zero of=mem.img bs=1M count=64 2>/dev/null || fail "no room for mem.img"
img=$(pwd)/mem.img
VNC_PORT=5901

children_of() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(awk '{ print $4 }' "$p/stat" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"
	done
}
pids_named() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"
	done
}
# The largest shares of PID's PSS, by mapping, in kB.
pss_top() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { f = NF >= 6 ? $6 : "[anon]"; sub(/.*\//, "", f) }
	     /^Pss:/ { p[f] += $2 } END { for (f in p) if (p[f] >= 64) print p[f], f }' "/proc/$1/smaps" |
		sort -rn | head -n 8 | awk '{ printf "%s %s kB; ", $2, $1 }'
}
# A viewer for the measurement: vncbench asks for the whole screen, then
# for incremental updates, for 8 s.
viewer() { /job/vncbench $VNC_PORT fps 8 raw >/dev/null 2>&1 & }

# xenlaunch_pss MODE (plain | vnc): the launcher's PSS serving the guest.
xenlaunch_pss() {
	local mode=$1 display= v= pss
	[ "$mode" = vnc ] && display="-vnc 127.0.0.1:$((VNC_PORT - 5900))"
	start_launcher "x-$mode.log" -name mem-xenlaunch -M xenpv -m 128 -kernel "$GUEST_KERNEL" \
		-initrd "$GUEST_INITRD" -append "$GUEST_APPEND" -serial "file:x-$mode.out" \
		-drive "file=$img,format=raw" -nic bridge,br=xlbr0 $display
	wait_for "x-$mode.out" '^xenlaunch-guest: ready' 120
	if [ "$mode" = vnc ]; then
		wait_for "x-$mode.log" 'vfb/[0-9]+/0: framebuffer' 60
		viewer
		v=$!
	fi
	sleep 4
	pss=$(pss_kb "$LAUNCHER_PID" $(children_of "$LAUNCHER_PID"))
	echo "  xenlaunch, $mode: $pss kB; largest: $(pss_top "$LAUNCHER_PID")" >&2
	[ -n "$v" ] && wait "$v"
	kill -TERM "$LAUNCHER_PID"
	wait_exit "$LAUNCHER_PID" 60
	assert_host_clean
	echo "$pss"
}

cat >vif-script <<'SH'
#!/bin/sh
# Minimal vif hotplug script: XENBUS_PATH is the vif's backend directory.
[ "$1" = online ] || [ "$1" = add ] || exit 0
dev=vif$(echo "$XENBUS_PATH" | awk -F/ '{ print $(NF-1) "." $NF }')
ip link set "$dev" up
brctl addif "$(xenstore-read "$XENBUS_PATH/bridge")" "$dev"
xenstore-write "$XENBUS_PATH/hotplug-status" connected
SH
chmod +x vif-script

# reference_pss MODE (plain | vnc): the xl stack's PSS serving the guest.
reference_pss() {
	local log=/var/log/xen/guest-mem-xl.log domid qpid v= pss q c x
	rm -f "$log"
	cat >xl.cfg <<CFG
name = "mem-xl"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_INITRD"
extra = "$GUEST_APPEND"
memory = 128
vcpus = 1
disk = [ 'format=raw,vdev=xvda,access=rw,backendtype=qdisk,target=$img' ]
vif = [ 'bridge=xlbr0,mac=00:16:3e:00:00:98,script=$(pwd)/vif-script' ]
on_poweroff = "destroy"
on_reboot = "destroy"
CFG
	[ "$1" = vnc ] && echo "vfb = [ 'vnc=1,vnclisten=127.0.0.1,vncdisplay=$((VNC_PORT - 5900))' ]" >>xl.cfg
	xl create -q xl.cfg || fail "xl create failed"
	wait_for "$log" '^xenlaunch-guest: ready' 120
	domid=$(xl domid mem-xl)
	qpid=
	for p in /proc/[0-9]*; do
		grep -q -- "-xen-domid.$domid" "$p/cmdline" 2>/dev/null && qpid=${p#/proc/}
	done
	[ -n "$qpid" ] || fail "no qemu-system-xen process for domain $domid"
	if [ "$1" = vnc ]; then
		sleep 3		# the guest's fbfront connects
		viewer
		v=$!
	fi
	sleep 4
	q=$(pss_kb "$qpid")
	c=$(pss_kb $(pids_named xenconsoled))
	x=$(pss_kb $(pids_named xl))
	pss=$((q + c + x))
	echo "  xl stack, $1: $pss kB: qemu-system-xen $q, xenconsoled $c, xl $x; qemu's largest: $(pss_top "$qpid")" >&2
	[ -n "$v" ] && wait "$v"
	xl destroy mem-xl >&2
	assert_host_clean
	echo "$pss"
}

x_plain=$(xenlaunch_pss plain)
x_vnc=$(xenlaunch_pss vnc)
r_plain=$(reference_pss plain)
r_vnc=$(reference_pss vnc)
figure "launcher PSS, disk+NIC+console" "$x_plain" kB "$r_plain" "QEMU+xl stack" "<=0.5x"
figure "launcher PSS, disk+NIC+console+VNC" "$x_vnc" kB "$r_vnc" "QEMU+xl stack" "<=8192" "<=0.5x"
