# -M xenfv -kernel: an HVM guest booted straight into a bzImage through
# Linux's 32-bit boot protocol, with no hvmloader, no firmware and no QEMU
# process; its serial port is the launcher's 16550 (ioreq server) on the
# -serial chardev. Debian's kernel with the busybox initramfs: the guest
# says HVM, its ttyS0 answers typed lines, its xvda and vif are the
# launcher's; it reboots (built again); TERM and KILL leave nothing (there
# are no ACPI tables yet, so no power-off). Then the talk's third example as
# written: Debian's netboot installer on ttyS0 through a pty. An ELF that
# is not a bzImage is refused, saying so.
. ./lib.sh

# dom0 has no pgrep: a QEMU process would show in /proc.
no_qemu() {
	qemu=$(grep -l 'qemu-syste[m]' /proc/[0-9]*/cmdline 2>/dev/null)
	[ -z "$qemu" ] || fail "a QEMU process runs: $qemu"
}

guest() {
	echo "$1" >"$pty"
	wait_for console.out "$2" "$3"
}

trap '[ $? = 0 ] || { echo "--- launcher logs:"; tail -n 30 fv*.log demo.log 2>/dev/null; echo "--- console:"; tail -n 30 console.out | cat -v; tail -c 2000 installer.out 2>/dev/null | cat -v; xl dmesg | tail -n 20; }' EXIT

# Bad input: an ELF (the launcher itself) and a cpio archive are no bzImage.
xenlaunch -name fv-bad -M xenfv -kernel "$(command -v xenlaunch)" -serial null 2>bad.log
status=$?
[ "$status" = 1 ] || fail "an ELF kernel: exit status $status, want 1"
grep -q 'an ELF image (vmlinux), not a bzImage' bad.log || fail "the refusal does not say ELF: $(cat bad.log)"
xenlaunch -name fv-bad -M xenfv -kernel "$GUEST_INITRD" -serial null 2>bad2.log
status=$?
[ "$status" = 1 ] || fail "a cpio kernel: exit status $status, want 1"
grep -q 'not a Linux bzImage' bad2.log || fail "the refusal does not say bzImage: $(cat bad2.log)"
assert_host_clean
echo "not a bzImage: refused ($(grep -o 'an ELF image[^:]*' bad.log | head -n 1); $(grep -o 'not a Linux bzImage' bad2.log))"

for m in llc stp bridge tun; do
	insmod "$HOST_MODULES/$m.ko" 2>/dev/null
done
brctl addbr xlbr0 || fail "cannot create the test bridge"
echo 0 >/sys/class/net/xlbr0/bridge/forward_delay
ip addr add 169.254.1.1/16 dev xlbr0
ip link set xlbr0 up
dd if=/dev/zero of=disk.img bs=1M count=0 seek=32 2>/dev/null

t0=$(now_ms)
start_launcher fv.log -name fv -M xenfv -m 256 \
	-kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "console=ttyS0" -serial pty \
	-drive file=disk.img,if=xen,index=0 -nic bridge,br=xlbr0
pty=$(pty_of fv.log)
cat "$pty" >console.out 2>/dev/null &
reader=$!
domid=$(domid_of fv 60)
wait_nonempty console.out 240
t1=$(now_ms)
wait_for console.out '^xenlaunch-guest: ready' 300
t2=$(now_ms)
echo "xenfv: first console byte $(secs $t0 $t1) s, guest userspace $(secs $t0 $t2) s"
no_qemu
grep -q 'xen_emul_unplug=unnecessary reboot=t' fv.log || fail "the command line lacks the Xen parameters"

# ttyS0 both ways: the guest reads what is typed and answers (its 16550's
# receive interrupt, IRQ 4, through the launcher's ioreq server).
guest 'echo "nproc=$(nproc) type=$(cat /sys/hypervisor/guest_type) tty=$(cat /proc/consoles | cut -d" " -f1)"' \
	'^nproc=' 60
grep -q '^nproc=1 type=HVM tty=ttyS0' console.out || fail "guest: $(grep '^nproc=' console.out)"
echo "guest: $(grep '^nproc=' console.out | tail -n 1)"
guest 'echo round-trip-$((6 * 7)); grep -c . /proc/interrupts >/dev/null; grep " 4:" /proc/interrupts | tr -s " "' \
	'round-trip-42' 30
grep -Eq '^ ?4: [0-9 ]*[1-9][0-9]* .*ttyS0' console.out || fail "no serial interrupts: $(grep ' 4:' console.out)"
echo "ttyS0: typed lines answered; $(grep -E '^ ?4:' console.out | tail -n 1)"

# xvda: written and read back through the launcher's blkback.
guest 'dd if=/dev/urandom of=/tmp/r bs=64k count=32 2>/dev/null && dd if=/tmp/r of=/dev/xvda bs=64k conv=fsync 2>/dev/null && echo "wrote=$(md5sum </tmp/r)"' '^wrote=' 120
want=$(grep -a '^wrote=' console.out | tail -n 1 | cut -c7-38)
[ "$(dd if=disk.img bs=64k count=32 2>/dev/null | md5sum | cut -c1-32)" = "$want" ] ||
	fail "disk.img does not hold what the guest wrote"
echo "xvda: 2 MiB written through blkback (md5 $want)"

# vif: the guest pings dom0 over the launcher's netback.
guest 'ip link set eth0 up && ip addr add 169.254.1.2/16 dev eth0 && ping -c 3 -W 5 169.254.1.1 >/tmp/p 2>&1; echo "ping=$? $(grep -o "min/avg/max.*" /tmp/p)"' '^ping=' 90
grep -q '^ping=0 ' console.out || fail "ping: $(grep '^ping=' console.out)"
echo "vif: $(grep '^ping=' console.out | cut -d' ' -f2-)"

# The guest reboots (reboot=t: a triple fault): built again, a new domain.
echo 'reboot -f' >"$pty"
wait_count console.out '^xenlaunch-guest: ready' 2 300
domid2=$(domid_of fv 30)
[ "$domid2" != "$domid" ] || fail "after the guest's reboot, still domain $domid"
kill -0 "$LAUNCHER_PID" || fail "the launcher ended on the guest's reboot"
echo "guest reboot: built again as domain $domid2"

# TERM ends it: exit 0, nothing left.
kill -TERM "$LAUNCHER_PID"
wait_exit "$LAUNCHER_PID" 60
[ "$EXIT_STATUS" = 0 ] || fail "after TERM: exit status $EXIT_STATUS, want 0"
kill "$reader" 2>/dev/null
assert_host_clean
echo "TERM: the launcher exited 0; nothing left"

# KILL: nothing left (the watchdog destroys the ioreq server and the domain).
for sig in KILL; do
	start_launcher fv-$sig.log -name fv-$sig -M xenfv -m 256 \
		-kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "console=ttyS0" -serial file:fv-$sig.out
	domid_of fv-$sig 60 >/dev/null
	wait_for fv-$sig.out 'xenlaunch-guest: ready' 300
	kill -$sig "$LAUNCHER_PID"
	wait_exit "$LAUNCHER_PID" 60
	i=0
	while [ -n "$(guest_domids)" ] && [ $i -lt 300 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	assert_host_clean
	echo "SIG$sig: exit status $EXIT_STATUS; no domain, no xenstore directory left"
done

# The talk's third example, as written: the installer's first screen on
# ttyS0. With 500 MiB Debian's installer may enter its low-memory mode,
# which skips the language selection: then the language screen is shown
# with 900 MiB (as xenlaunch-installer.sh does for PV).
dd if=/dev/zero of=demo.img bs=1M count=0 seek=64 2>/dev/null
for mem in 500 900; do
	t0=$(now_ms)
	start_launcher demo.log -name demo -M xenfv -hda demo.img -m $mem -kernel "$INSTALLER_KERNEL" \
		-initrd "$INSTALLER_INITRD" -append "console=ttyS0" -serial pty -nographic
	pty=$(pty_of demo.log)
	cat "$pty" >installer.out 2>/dev/null &
	reader=$!
	wait_for installer.out 'Select a language|[Ll]ow memory' 480
	t1=$(now_ms)
	screen=$(grep -aoE 'Select a language|[Ll]ow memory' installer.out | head -n 1)
	echo "installer, -m $mem: '$screen' on ttyS0 after $(secs $t0 $t1) s"
	no_qemu
	kill -TERM "$LAUNCHER_PID"
	wait_exit "$LAUNCHER_PID" 60
	[ "$EXIT_STATUS" = 0 ] || fail "installer: exit status $EXIT_STATUS, want 0"
	kill "$reader" 2>/dev/null
	assert_host_clean
	[ "$screen" = 'Select a language' ] && break
	[ $mem = 900 ] && fail "no language selection with -m 900"
done
