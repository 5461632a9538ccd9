# Network benchmark (not a timed test): the busybox guest (256 MiB, 1 vCPU)
# on a link-local bridge in dom0 moves 64 MiB each way with netbench
# (tests/bench/netbench.c, the same static binary on both ends) and pings
# dom0, its NIC served by
#   - xenlaunch's own backend (devices/netback.c, a tap on the bridge),
#   - the kernel's netback (xl, vif with a minimal hotplug script),
# one after the other in the same host. Prints every figure with the ratio.
# Runs in dom0: tests/bench/run-all net.sh
. ./lib.sh

for m in llc stp bridge tun xen-netback; do
	insmod "$HOST_MODULES/$m.ko" 2>/dev/null
done
brctl addbr xlbr0 || fail "cannot create the test bridge"
echo 0 >/sys/class/net/xlbr0/bridge/forward_delay
ip addr add 169.254.1.1/16 dev xlbr0
ip link set xlbr0 up
BENCH_APPEND="$GUEST_APPEND netbench=169.254.1.1"

# measure NAME CONSOLE_LOG START_CMD...: dom0's ends of the two transfers
# around a guest started by START_CMD; the guest's figures come from its
# console log. Appends "NAME FIGURE VALUE" lines to results.txt.
measure() {
	local name=$1 log=$2 i=0 up down rtt
	shift 2
	netbench recv 5001 >"$name-up.txt" &
	local recv=$!
	"$@" || { echo "$name: start failed"; kill $recv; return 1; }
	wait_exit $recv 180
	# dom0 -> guest, once the guest listens.
	until netbench send 169.254.1.2 5002 64 >"$name-down-send.txt" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "$name: the guest never listened on 5002"; return 1; }
		sleep 0.1
	done
	wait_for "$log" '^xenlaunch-guest: bench done' 120
	up=$(sed -n 's/^netbench: recv .* \([0-9.]*\) MB\/s/\1/p' "$name-up.txt")
	down=$(tr -d '\r' <"$log" | sed -n 's/^netbench: recv .* \([0-9.]*\) MB\/s/\1/p' | tail -n 1)
	rtt=$(tr -d '\r' <"$log" | sed -n 's|^netbench: ping min/avg/max = [0-9.]*/\([0-9.]*\)/.*|\1|p')
	echo "  $name: guest->dom0 ${up:-?} MB/s, dom0->guest ${down:-?} MB/s, ping avg ${rtt:-?} ms"
	echo "$name guest-to-dom0-MB/s ${up:-?}" >>results.txt
	echo "$name dom0-to-guest-MB/s ${down:-?}" >>results.txt
	echo "$name ping-avg-ms ${rtt:-?}" >>results.txt
}

: >results.txt

# 1. xenlaunch.
start_xenlaunch() {
	start_launcher xenlaunch.log -name bench-net -M xenpv -m 256 \
		-kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "$BENCH_APPEND" \
		-serial file:xenlaunch.out -nic bridge,br=xlbr0
}
measure xenlaunch xenlaunch.out start_xenlaunch
wait_exit "$LAUNCHER_PID" 120
grep -E 'vif/' xenlaunch.log | sed 's/^/  /'

# 2. The kernel's netback. A hotplug script of our own (Debian's vif-bridge
# needs bash): the vif joins the bridge, then connected.
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
cat >netback.cfg <<CFG
name = "bench-netback"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_INITRD"
extra = "$BENCH_APPEND"
memory = 256
vcpus = 1
vif = [ 'bridge=xlbr0,mac=00:16:3e:00:00:99,script=$(pwd)/vif-script' ]
on_poweroff = "destroy"
CFG
rm -f /var/log/xen/guest-bench-netback.log
start_xl() { xl create -q netback.cfg; }
measure netback /var/log/xen/guest-bench-netback.log start_xl
i=0
while xl domid bench-netback >/dev/null 2>&1 && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
xl destroy bench-netback 2>/dev/null
assert_host_clean

value() { awk -v b="$1" -v f="$2" '$1 == b && $2 == f { print $3 }' results.txt; }
for f in guest-to-dom0 dom0-to-guest; do
	figure "net $f" "$(value xenlaunch "$f-MB/s")" MB/s "$(value netback "$f-MB/s")" netback ">=0.9x"
done
figure "net ping average" "$(value xenlaunch ping-avg-ms)" ms "$(value netback ping-avg-ms)" netback
sleep 2
