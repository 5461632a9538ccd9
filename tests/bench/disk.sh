# Disk benchmark (not a timed test): the busybox guest (256 MiB, 1 vCPU)
# runs diskbench (tests/bench/diskbench.c: O_DIRECT sequential 1 MiB write
# and read, 4 KiB random read at queue depth 1 and 32) on xvda, a raw image
# on dom0's tmpfs, served by
#   - xenlaunch's own backend (devices/blkback.c),
#   - the kernel's blkback (xl, phy: on a loop device),
#   - QEMU's qdisk (xl, backendtype=qdisk: Debian's qemu-system-xen),
# one after the other in the same host. Prints every figure with its ratio
# to each reference (figure() of lib.sh).
# Runs in dom0: tests/bench/run-all disk.sh
. ./lib.sh

dd if=/dev/zero of=bench.img bs=1M count=256 2>/dev/null || fail "no room for bench.img"
img=$(pwd)/bench.img
BENCH_APPEND="$GUEST_APPEND bench=/dev/xvda"

# results NAME LOG: the figures of LOG as "NAME FIGURE VALUE UNIT" lines.
results() {
	tr -d '\r' <"$2" | grep '^diskbench: ' | sed "s/^/  $1: /"
	tr -d '\r' <"$2" | sed -n "s/^diskbench: \([A-Za-z0-9-]*\) \([A-Za-z/]*\) \([0-9.]*\)$/$1 \1 \3 \2/p" >>results.txt
}

# xl_guest NAME DISKSPEC: runs the benchmark guest under xl; waits for it.
xl_guest() {
	local name=$1 log=/var/log/xen/guest-$1.log
	rm -f "$log"
	cat >"$name.cfg" <<CFG
name = "$name"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_INITRD"
extra = "$BENCH_APPEND"
memory = 256
vcpus = 1
disk = [ '$2' ]
on_poweroff = "destroy"
on_reboot = "destroy"
CFG
	xl create -q "$name.cfg" || { echo "$name: xl create failed"; return 1; }
	wait_for "$log" '^xenlaunch-guest: (bench done|ready)' 240
	local i=0
	while xl domid "$name" >/dev/null 2>&1 && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	xl destroy "$name" 2>/dev/null
	cp "$log" "$name.out"
}

: >results.txt

# 1. xenlaunch. Its -serial file: appends: a new file for this run.
rm -f xenlaunch.out
t0=$(now_ms)
start_launcher xenlaunch.log -name bench-xenlaunch -M xenpv -m 256 \
	-kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "$BENCH_APPEND" \
	-serial file:xenlaunch.out -drive file="$img",format=raw,cache=writeback
wait_exit "$LAUNCHER_PID" 300
[ "$EXIT_STATUS" = 0 ] || { sed 's/^/  /' xenlaunch.log; fail "xenlaunch bench run: exit $EXIT_STATUS"; }
results xenlaunch xenlaunch.out
echo "xenlaunch run: $(secs $t0 $(now_ms)) s"
sed -n 's/^/  /; /vbd/p' xenlaunch.log

# 2. The kernel's blkback on a loop device. A hotplug script of our own
# (Debian's block script needs bash): physical-device, then connected.
insmod "$HOST_MODULES/loop.ko" 2>/dev/null
insmod "$HOST_MODULES/xen-blkback.ko" 2>/dev/null
loop=$(losetup -f)
losetup "$loop" "$img" || fail "losetup $loop"
cat >phy-script <<'SH'
#!/bin/sh
# Minimal block hotplug script: XENBUS_PATH is the vbd's backend directory.
[ "$1" = add ] || exit 0
dev=$(xenstore-read "$XENBUS_PATH/params")
xenstore-write "$XENBUS_PATH/physical-device" "$(stat -L -c '%t:%T' "$dev")"
xenstore-write "$XENBUS_PATH/hotplug-status" connected
SH
chmod +x phy-script
t0=$(now_ms)
xl_guest bench-blkback "phy:$loop,xvda,w,script=$(pwd)/phy-script" &&
	results blkback bench-blkback.out
echo "blkback run: $(secs $t0 $(now_ms)) s"
losetup -d "$loop"

# 3. QEMU's qdisk.
if [ -x /usr/libexec/xen-qemu-system-i386 ]; then
	t0=$(now_ms)
	xl_guest bench-qdisk "format=raw,vdev=xvda,access=rw,backendtype=qdisk,target=$img" &&
		results qdisk bench-qdisk.out
	echo "qdisk run: $(secs $t0 $(now_ms)) s"
	[ -s bench-qdisk.out ] || tail -n 15 /var/log/xen/qemu-dm-bench-qdisk.log 2>/dev/null | sed 's/^/  qemu-dm: /'
else
	echo "qdisk: no /usr/libexec/xen-qemu-system-i386 in dom0; skipped"
fi
assert_host_clean

# Each figure of xenlaunch beside each reference's.
value() { awk -v b="$1" -v f="$2" '$1 == b && $2 == f { v = $3 } END { print v }' results.txt; }
for f in $(awk '$1 == "xenlaunch" { print $2 }' results.txt); do
	unit=$(awk -v f="$f" '$1 == "xenlaunch" && $2 == f { print $4 }' results.txt)
	figure "disk $f" "$(value xenlaunch "$f")" "$unit" "$(value qdisk "$f")" qdisk ">=1.5x"
	figure "disk $f" "$(value xenlaunch "$f")" "$unit" "$(value blkback "$f")" blkback ">=0.9x"
done
# Give the runner's output relay a moment to pass the figures on.
sleep 2
