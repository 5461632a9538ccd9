# -M xenpvh: Debian's kernel as a PVH guest built by xenlaunch itself (an HVM
# container, no firmware, no QEMU process) with two vCPUs: both come up
# (the launcher's ACPI MADT), the guest says PVH, its xvda, vif and hvc0 are
# served by the launcher as for PV. The guest reboots (the launcher builds
# it again) and powers off (the launcher exits 0) and leaves nothing; so do
# TERM, INT, QUIT and KILL. A kernel without a PVH entry is refused, naming
# the note.
. ./lib.sh

guest() {
	echo "$1" >"$pty"
	wait_for console.out "^$2" "$3"
}

trap '[ $? = 0 ] || { echo "--- launcher log:"; tail -n 40 pvh.log; echo "--- console:"; tail -n 30 console.out; xl dmesg | tail -n 20; }' EXIT

# Bad input: the busybox initramfs is no kernel, and has no PVH note.
xenlaunch -name pvh-bad -M xenpvh -kernel "$GUEST_INITRD" -serial null 2>bad.log
status=$?
[ "$status" = 1 ] || fail "a kernel with no PVH entry: exit status $status, want 1"
grep -q 'XEN_ELFNOTE_PHYS32_ENTRY' bad.log || fail "the refusal does not name the PVH note: $(cat bad.log)"
assert_host_clean
echo "no PVH entry: refused ($(grep -o 'the kernel has no PVH entry point[^(]*' bad.log | head -n 1))"

for m in llc stp bridge tun; do
	insmod "$HOST_MODULES/$m.ko" 2>/dev/null
done
brctl addbr xlbr0 || fail "cannot create the test bridge"
echo 0 >/sys/class/net/xlbr0/bridge/forward_delay
ip addr add 169.254.1.1/16 dev xlbr0
ip link set xlbr0 up
dd if=/dev/zero of=disk.img bs=1M count=0 seek=32 2>/dev/null

t0=$(now_ms)
start_launcher pvh.log -name pvh -M xenpvh -smp 2 -m 256 \
	-kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "$GUEST_APPEND" -serial pty \
	-drive file=disk.img,if=xen,index=0 -nic bridge,br=xlbr0
pty=$(pty_of pvh.log)
cat "$pty" >console.out 2>/dev/null &
reader=$!
domid=$(domid_of pvh 60)
[ "$(xenstore-read /local/domain/$domid/console/tty)" = "$pty" ] || fail "console/tty is not $pty"
wait_nonempty console.out 240
t1=$(now_ms)
wait_for console.out '^xenlaunch-guest: ready' 300
t2=$(now_ms)
echo "xenpvh -smp 2: first console byte $(secs $t0 $t1) s, guest userspace $(secs $t0 $t2) s"
# No QEMU (the bracket keeps grep from finding its own command line).
qemu=$(grep -l 'qemu-syste[m]' /proc/[0-9]*/cmdline 2>/dev/null)
[ -z "$qemu" ] || fail "a QEMU process runs: $qemu"

guest 'echo "nproc=$(nproc) type=$(cat /sys/hypervisor/guest_type)"' 'nproc=' 60
grep -q '^nproc=2 type=PVH' console.out || fail "guest: $(grep '^nproc=' console.out)"
echo "guest: $(grep '^nproc=' console.out | tail -n 1)"

# xvda: written and read back through the launcher's blkback.
guest 'dd if=/dev/urandom of=/tmp/r bs=64k count=32 2>/dev/null && dd if=/tmp/r of=/dev/xvda bs=64k conv=fsync 2>/dev/null && echo "wrote=$(md5sum </tmp/r)"' 'wrote=' 120
want=$(grep -a '^wrote=' console.out | tail -n 1 | cut -c7-38)
[ "$(dd if=disk.img bs=64k count=32 2>/dev/null | md5sum | cut -c1-32)" = "$want" ] ||
	fail "disk.img does not hold what the guest wrote"
guest 'echo 3 >/proc/sys/vm/drop_caches; echo "read=$(dd if=/dev/xvda bs=64k count=32 2>/dev/null | md5sum)"' 'read=' 120
grep -aq "^read=$want" console.out || fail "xvda read back: $(grep -a '^read=' console.out)"
echo "xvda: 2 MiB written and read back (md5 $want)"

# vif: the guest pings dom0 over the launcher's netback.
guest 'ip link set eth0 up && ip addr add 169.254.1.2/16 dev eth0 && ping -c 3 -W 5 169.254.1.1 >/tmp/p 2>&1; echo "ping=$? $(grep -o "min/avg/max.*" /tmp/p)"' 'ping=' 90
grep -q '^ping=0 ' console.out || fail "ping: $(grep '^ping=' console.out)"
echo "vif: $(grep '^ping=' console.out | cut -d' ' -f2-)"

# hvc0: a line typed in is answered.
guest 'echo round-trip-$((6 * 7))' 'round-trip-42' 30

# The guest reboots: the launcher builds it again, same name, a new domain.
echo 'reboot -f' >"$pty"
wait_count console.out '^xenlaunch-guest: ready' 2 300
domid2=$(domid_of pvh 30)
[ "$domid2" != "$domid" ] || fail "after the guest's reboot, still domain $domid"
kill -0 "$LAUNCHER_PID" || fail "the launcher ended on the guest's reboot"
echo "guest reboot: built again as domain $domid2"

# The guest powers off: the launcher exits 0 and leaves nothing.
echo 'poweroff -f' >"$pty"
wait_exit "$LAUNCHER_PID" 120
[ "$EXIT_STATUS" = 0 ] || fail "guest poweroff: exit status $EXIT_STATUS, want 0"
kill "$reader" 2>/dev/null
assert_host_clean
grep -q 'guest powered off' pvh.log || fail "the log does not say the guest powered off"
echo "guest poweroff: launcher exited 0, host clean"

# TERM, INT, QUIT and KILL while the guest boots: nothing is left (after
# KILL, the watchdog cleans up).
for sig in TERM INT QUIT KILL; do
	start_launcher "$sig.log" -name "pvh-$sig" -M xenpvh -smp 2 -m 128 \
		-kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "$GUEST_APPEND" -serial null
	domid_of "pvh-$sig" 60 >/dev/null
	kill -"$sig" "$LAUNCHER_PID"
	wait_exit "$LAUNCHER_PID" 60
	[ "$sig" = KILL ] || [ "$EXIT_STATUS" = 0 ] || fail "SIG$sig: exit status $EXIT_STATUS, want 0"
	i=0
	while [ -n "$(guest_domids)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	assert_host_clean
	echo "SIG$sig: host clean"
done
