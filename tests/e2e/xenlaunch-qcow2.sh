# A qcow2 image made with qemu-img, served by qemu-nbd behind xenlaunch
# (disk/nbd.c): the guest writes 4 MiB and flushes, the launcher is
# SIGKILLed, its qemu-nbd is gone within two seconds and leaves no socket; a
# second launcher boots the same image and the guest reads the 4 MiB back;
# qemu-img check passes; info domxml says type='qcow2'; without format= the
# image is refused.
. ./lib.sh

# guest CMD MARKER SECONDS: types CMD into the guest's console, then waits
# for a line starting with MARKER.
guest() {
	echo "$1" >"$pty"
	wait_for console.out "^$2" "$3"
}

# daemons: the qemu-nbd processes running (slow under TCG: a read per process).
daemons() {
	for d in /proc/[0-9]*; do
		[ "$(cat "$d/comm" 2>/dev/null)" = qemu-nbd ] && echo "${d#/proc/}"
	done
	return 0
}

# alive PID: the process runs (a zombie does not).
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

qemu-img create -q -f qcow2 guest.qcow2 64M || fail "qemu-img create"

# Without format= the probed qcow2 is refused, as QEMU would only warn.
xenlaunch -name refused -M xenpv -kernel "$GUEST_KERNEL" -hda guest.qcow2 2>refused.err &&
	fail "a qcow2 image without format= was accepted"
grep -qx "xenlaunch: disk guest.qcow2: this is a qcow2 image; say format=qcow2 to serve it, or format=raw for its bytes as they are" refused.err ||
	fail "refusal without format=: $(cat refused.err)"
echo "without format=: refused ($(cat refused.err))"

# ---- first launcher: write and flush, then SIGKILL -------------------------
t0=$(now_ms)
start_launcher run1.log -name qcow -M xenpv -m 128 \
	-kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "$GUEST_APPEND" -serial pty \
	-drive file=guest.qcow2,format=qcow2
pty=$(pty_of run1.log)
cat "$pty" >console.out &
reader=$!
domid=$(domid_of qcow 60)
wait_for console.out '^xenlaunch-guest: ready' 90
t1=$(now_ms)
be=/local/domain/0/backend/vbd/$domid/51712
[ "$(xenstore-read $be/state)" = 4 ] || fail "backend state $(xenstore-read $be/state), want 4"
[ "$(xenstore-read $be/sectors)" = 131072 ] || fail "sectors $(xenstore-read $be/sectors), want 131072 (64 MiB)"
[ -n "$(daemons)" ] || fail "no qemu-nbd running"
echo "qemu-nbd $(daemons) serves guest.qcow2; xvda of 131072 sectors Connected"

daemon=$(daemons)
guest 'dd if=/dev/urandom of=/tmp/r bs=1M count=4 2>/dev/null && echo "qmd5=$(md5sum </tmp/r)" && dd if=/tmp/r of=/dev/xvda bs=1M seek=1 conv=fsync 2>/dev/null && echo q-flushed' 'q-flushed' 60
qmd5=$(sed -n 's/^qmd5=\([0-9a-f]\{32\}\).*/\1/p' console.out | head -n1)
[ -n "$qmd5" ] || fail "no checksum from the guest"
kill -KILL "$LAUNCHER_PID"
t2=$(now_ms)
wait_exit "$LAUNCHER_PID" 30
# The kernel takes its time to tear down a process with mapped grants (under
# TCG, seconds); the daemon is to go right after the launcher has.
t3=$(now_ms)
kill "$reader" 2>/dev/null
i=0
while alive "$daemon" && [ $i -lt 200 ]; do sleep 0.01; i=$((i + 1)); done
alive "$daemon" && fail "qemu-nbd $daemon still runs 2 s after the launcher's end"
gone="$(secs $t3 $(now_ms)) s after the launcher's end ($(secs $t2 $t3) s from SIGKILL to its end)"
[ -z "$(daemons)" ] || fail "qemu-nbd $(daemons) left running"
ls -d /tmp/xenlaunch-nbd-* 2>/dev/null && fail "a socket directory was left behind"
i=0
while [ -n "$(guest_domids)" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
assert_host_clean
qemu-img check -q guest.qcow2 || fail "qemu-img check after the SIGKILL"
echo "SIGKILL: qemu-nbd gone $gone, no socket left, qemu-img check passes"
echo "launcher 1 log:"
sed 's/^/  /' run1.log

# ---- second launcher: the data is there ---------------------------------
start_launcher run2.log -name qcow2 -M xenpv -m 128 \
	-kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "$GUEST_APPEND" -serial pty \
	-drive file=guest.qcow2,format=qcow2 -monitor unix:mon.sock,server,nowait
pty=$(pty_of run2.log)
: >console.out
cat "$pty" >console.out &
reader=$!
wait_for console.out '^xenlaunch-guest: ready' 90
guest 'echo "back=$(dd if=/dev/xvda bs=1M skip=1 count=4 2>/dev/null | md5sum)"' 'back=' 60
grep -q "^back=$qmd5" console.out || fail "second boot reads $(grep '^back=' console.out), want $qmd5"
echo "second launcher: the guest reads back the 4 MiB written before the SIGKILL"

(echo 'info domxml'; sleep 1) | socat - UNIX-CONNECT:mon.sock >domxml.out 2>&1
grep -q "<driver name='qemu' type='qcow2'" domxml.out ||
	{ sed 's/^/  /' domxml.out; fail "info domxml does not say type='qcow2'"; }
grep -q "<source file='guest.qcow2'/>" domxml.out || fail "info domxml: no source file"
echo "info domxml: $(grep -o "<driver [^>]*>" domxml.out)"

echo 'poweroff -f' >"$pty"
wait_exit "$LAUNCHER_PID" 60
kill "$reader" 2>/dev/null
[ "$EXIT_STATUS" = 0 ] || fail "guest poweroff: exit status $EXIT_STATUS, want 0"
[ -z "$(daemons)" ] || fail "qemu-nbd $(daemons) outlives a clean exit"
assert_host_clean
qemu-img check -q guest.qcow2 || fail "qemu-img check after the clean exit"
echo "launcher 2 log:"
sed 's/^/  /' run2.log
echo "qcow2: guest userspace in $(secs $t0 $t1) s; flush before SIGKILL kept, daemon gone with the launcher, type='qcow2' described"
