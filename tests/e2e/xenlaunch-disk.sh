# PV disks served by xenlaunch itself (devices/blkback): four disks at once -
# a writable disk the guest formats (ext2) and fills, a read-only disk, a
# cdrom image made with xorriso, and a raw disk written with dd and flushed
# right before the launcher is SIGKILLed. A second launcher boots the same
# image, reloads the frontend module with a 4-page ring (reconnect), and
# finds the files; the host is clean after each.
. ./lib.sh

# guest CMD MARKER SECONDS: types CMD into the guest's console, then waits
# for a line starting with MARKER.
# On failure, the guest's last words and the launchers' logs.
guest() {
	echo "$1" >"$pty"
	(wait_for console.out "^$2" "$3") || {
		echo "--- console.out (last 2000 bytes)"
		tail -c 2000 console.out
		for f in run*.log; do
			echo "--- $f"
			tail -n 40 "$f"
		done
		fail "no '$2' from the guest after $3 s"
	}
}

# Images on dom0's tmpfs.
dd if=/dev/zero of=disk.img bs=1M count=0 seek=64 2>/dev/null
dd if=/dev/zero of=raw.img bs=1M count=0 seek=16 2>/dev/null
dd if=/dev/urandom of=ro.img bs=1M count=2 2>/dev/null
ro_md5=$(md5sum <ro.img | cut -c1-32)
mkdir -p cd
echo "hello from the cdrom" >cd/hello.txt
if command -v xorriso >/dev/null; then
	xorriso -as mkisofs -quiet -V XENLAUNCH -o cd.iso cd 2>xorriso.err ||
		{ cat xorriso.err; fail "xorriso could not make cd.iso"; }
	cdrom="-cdrom cd.iso"
else
	echo "NOTE: no xorriso in dom0; the cdrom part is skipped"
	cdrom=
fi

# ---- first launcher: four disks ------------------------------------------
t0=$(now_ms)
start_launcher run1.log -name disks -M xenpv -m 128 \
	-kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "$GUEST_APPEND" -serial pty \
	-hda disk.img -drive file=ro.img,if=xen,format=raw,index=1,readonly=on $cdrom \
	-drive file=raw.img,index=3,cache=writeback
pty=$(pty_of run1.log)
cat "$pty" >console.out &
reader=$!
domid=$(domid_of disks 60)
wait_for console.out '^xenlaunch-guest: ready' 90
t1=$(now_ms)

be=/local/domain/0/backend/vbd/$domid
for id in 51712 51728 51760; do
	[ "$(xenstore-read $be/$id/state)" = 4 ] || fail "vbd $id: backend state $(xenstore-read $be/$id/state), want 4 (Connected)"
	[ "$(xenstore-read /local/domain/$domid/device/vbd/$id/state)" = 4 ] || fail "vbd $id: frontend not Connected"
done
[ "$(xenstore-read $be/51712/sectors)" = 131072 ] || fail "xvda: sectors $(xenstore-read $be/51712/sectors)"
[ "$(xenstore-read $be/51728/mode)" = r ] || fail "xvdb: mode is not r"
[ "$(xenstore-read $be/51712/feature-persistent)" = 1 ] || fail "no feature-persistent"
[ "$(xenstore-read $be/51712/max-ring-page-order)" = 4 ] || fail "no max-ring-page-order"
echo "xenstore: backend nodes of $(xenstore-list $be | wc -l) disks; frontends Connected"

guest 'echo "disks=$(ls /sys/block | grep xvd | tr "\n" " ")"' 'disks=' 30
grep -q '^disks=xvda xvdb ' console.out || fail "guest block devices: $(grep '^disks=' console.out)"
grep -q '^disks=.*xvdd' console.out || fail "no xvdd in the guest"

# The writable disk: a filesystem, a file, a blob with its checksum.
guest 'mke2fs -q /dev/xvda && mkdir -p /mnt/a && mount -t ext2 /dev/xvda /mnt/a && echo mounted-a' 'mounted-a' 120
guest 'echo hello-xenlaunch-disk >/mnt/a/hello && dd if=/dev/urandom of=/mnt/a/blob bs=64k count=32 2>/dev/null && echo "blob=$(md5sum </mnt/a/blob)"' 'blob=' 60
blob_md5=$(sed -n 's/^blob=\([0-9a-f]\{32\}\).*/\1/p' console.out | head -n1)
[ -n "$blob_md5" ] || fail "no checksum of the blob"
guest 'umount /mnt/a && sync && echo unmounted-a' 'unmounted-a' 60

# The read-only disk: readable, refuses writes.
guest 'echo "romd5=$(md5sum </dev/xvdb)" "ro=$(cat /sys/block/xvdb/ro)"' 'romd5=' 60
grep -q "^romd5=$ro_md5" console.out || fail "guest reads xvdb differently: $(grep '^romd5=' console.out)"
grep -q '^romd5=.* ro=1' console.out || fail "xvdb is not read-only in the guest"
guest 'dd if=/dev/zero of=/dev/xvdb bs=4k count=1 conv=fsync 2>/dev/null; echo "rowrite=$?"' 'rowrite=' 30
grep -q '^rowrite=0' console.out && fail "a write to the read-only disk succeeded"
[ "$(md5sum <ro.img | cut -c1-32)" = "$ro_md5" ] || fail "ro.img changed"
echo "read-only disk: same bytes as dom0's image, writes refused"

# The cdrom.
if [ -n "$cdrom" ]; then
	guest 'mkdir -p /mnt/cd && mount -t iso9660 -o ro /dev/xvdc /mnt/cd && echo "cd=$(cat /mnt/cd/hello.txt)"; echo cd-done' 'cd-done' 60
	grep -q '^cd=hello from the cdrom' console.out || fail "the cdrom's file was not read: $(grep -E '^cd=|mount' console.out)"
	[ "$(xenstore-read $be/51744/device-type)" = cdrom ] || fail "xvdc: device-type is not cdrom"
	guest 'umount /mnt/cd; echo cd-unmounted' 'cd-unmounted' 30
	echo "cdrom: iso9660 image mounted in the guest, file read"
fi

# The raw disk: 4 MiB written at 1 MiB with dd, flushed (conv=fsync), then
# the launcher is SIGKILLed: the data must be in raw.img.
guest 'dd if=/dev/urandom of=/tmp/r bs=1M count=4 2>/dev/null && echo "rawmd5=$(md5sum </tmp/r)" && dd if=/tmp/r of=/dev/xvdd bs=1M seek=1 conv=fsync 2>/dev/null && echo raw-flushed' 'raw-flushed' 60
raw_md5=$(sed -n 's/^rawmd5=\([0-9a-f]\{32\}\).*/\1/p' console.out | head -n1)
kill -KILL "$LAUNCHER_PID"
wait_exit "$LAUNCHER_PID" 30
kill "$reader" 2>/dev/null
i=0
while [ -n "$(guest_domids)" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(dd if=raw.img bs=1M skip=1 count=4 2>/dev/null | md5sum | cut -c1-32)" = "$raw_md5" ] ||
	fail "raw.img does not hold what the guest flushed before SIGKILL"
echo "SIGKILL after a flush: raw.img holds the 4 MiB the guest wrote"
grep -q hello-xenlaunch-disk disk.img || fail "the guest's file is not in disk.img"
assert_host_clean
echo "launcher 1 log:"
sed 's/^/  /' run1.log

# ---- second launcher: same image, module reload with a 4-page ring ---------
start_launcher run2.log -name disks2 -M xenpv -m 128 \
	-kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "$GUEST_APPEND" -serial pty \
	-drive file=disk.img,if=xen,cache=writeback -drive file=raw.img,index=3
pty=$(pty_of run2.log)
: >console.out
cat "$pty" >console.out &
reader=$!
wait_for console.out '^xenlaunch-guest: ready' 90
domid=$(domid_of disks2 60)
diagnose() {
	echo "--- xenstore:"
	xenstore-ls -f /local/domain/0/backend/vbd/$domid 2>&1 | grep -E 'state|ring|event|persistent' | sed 's/^/  /'
	xenstore-ls -f /local/domain/$domid/device/vbd 2>&1 | grep -E 'state|ring|event' | sed 's/^/  /'
	echo 'dmesg | tail -n 15' >"$pty"
	sleep 5
	tail -n 20 console.out
	sed 's/^/  /' run2.log
}
# Unbind the frontend driver (Closing/Closed): the backend offers the device
# again and the driver, still loaded, connects to it.
guest 'echo vbd-51712 >/sys/bus/xen/drivers/vbd/unbind; sleep 1; for i in $(seq 60); do [ -e /sys/block/xvda ] && break; sleep 1; done; echo "rebound=$(ls /sys/block | grep xvd)"' 'rebound=' 120
grep -q '^rebound=xvda' console.out || { diagnose; fail "no xvda after unbinding the vbd driver"; }
# Bound devices pin the module: unbind both, unload, load again with a 4-page ring.
guest 'for d in 51712 51760; do echo vbd-$d >/sys/bus/xen/drivers/vbd/unbind; done; rmmod xen-blkfront && sleep 2 && insmod /lib/modules/xen/xen-blkfront.ko max_ring_page_order=2; for i in $(seq 60); do [ -e /sys/block/xvda ] && [ -e /sys/block/xvdd ] && break; sleep 1; done; echo "reloaded=$(ls /sys/block | grep xvd | tr "\n" " ")"' 'reloaded=' 120
grep -q '^reloaded=xvda' console.out || { diagnose; fail "no xvda after reloading xen-blkfront"; }
wait_for run2.log 'ring of 4 pages' 30
guest 'mkdir -p /mnt/a && mount -t ext2 /dev/xvda /mnt/a && echo "again=$(cat /mnt/a/hello) $(md5sum </mnt/a/blob)"' 'again=' 60
grep -q "^again=hello-xenlaunch-disk $blob_md5" console.out || fail "second boot: $(grep '^again=' console.out), want blob $blob_md5"
guest 'dd if=/dev/urandom of=/mnt/a/blob2 bs=64k count=16 2>/dev/null; sync; umount /mnt/a && echo unmounted-2' 'unmounted-2' 60

# Discard: the guest discards all of xvdd; the file's blocks are freed.
before=$(du -k raw.img | cut -f1)
guest 'blkdiscard /dev/xvdd; echo "discarded=$? $(dd if=/dev/xvdd bs=1M skip=1 count=4 2>/dev/null | md5sum)"' 'discarded=' 60
after=$(du -k raw.img | cut -f1)
zero_md5=$(dd if=/dev/zero bs=1M count=4 2>/dev/null | md5sum | cut -c1-32)
grep -q "^discarded=0 $zero_md5" console.out || fail "blkdiscard: $(grep '^discarded=' console.out)"
[ "$before" -ge 4096 ] && [ "$after" -lt 1024 ] || fail "raw.img holds $before KiB before the discard and $after KiB after"
echo "discard: raw.img from $before KiB to $after KiB allocated; the guest reads zeros"

# A guest reboot: the launcher builds a new domain with the same disks.
echo 'reboot' >"$pty"
wait_count console.out '^xenlaunch-guest: ready' 2 120
guest 'mkdir -p /mnt/a && mount -t ext2 /dev/xvda /mnt/a; echo "rebooted=$(cat /mnt/a/hello)"; umount /mnt/a' 'rebooted=' 60
grep -q '^rebooted=hello-xenlaunch-disk' console.out || fail "after reboot: $(grep '^rebooted=' console.out)"
echo "reboot: new domain, disks reconnected, the file is there"
echo 'poweroff -f' >"$pty"
wait_exit "$LAUNCHER_PID" 60
kill "$reader" 2>/dev/null
[ "$EXIT_STATUS" = 0 ] || fail "guest poweroff: exit status $EXIT_STATUS, want 0"
assert_host_clean
echo "launcher 2 log:"
sed 's/^/  /' run2.log
echo "disks: guest userspace in $(secs $t0 $t1) s with four disks; ext2 data, read-only, cdrom, flush before SIGKILL, reload with a 4-page ring, discard, reboot all proven"
