# -bootloader builtin on each kind of image a guest may bring, all made
# here without root: an MBR disk (sfdisk) with GRUB legacy's menu.lst on
# ext4 in partition 1 (mke2fs -E offset), a GPT disk with extlinux.conf on
# ext4 in partition 2 behind an unformatted one, an iso9660 image (xorriso)
# with isolinux.cfg, and Boot Loader Specification entries on ext2. Each
# boots the busybox guest to its ready line, and the entry expected (each
# entry carries its own bl_kind= marker) shows in /proc/cmdline. Then
# hostile images that must be refused with a clear message and no file
# written anywhere but this scenario's directory: a corrupt superblock, a
# partition table reaching past the end of the disk.
# (xenlaunch-bootloader.sh covers grub.cfg, the menu on the pty and the
# timeout; FAT and the directory loop are unit tests: dom0 has no mtools
# nor debugfs.)
. ./lib.sh

show_logs() {
	for f in *.log; do
		[ -f "$f" ] && { echo "--- $f"; sed 's/^/  /' "$f"; }
	done
	for f in *.out; do
		[ -f "$f" ] && { echo "--- $f (last 1500 bytes)"; tail -c 1500 "$f" | cat -v; echo; }
	done
}
trap 'st=$?; [ "$st" = 0 ] || show_logs' EXIT

ARGS="console=hvc0 quiet"
kernel_kb=$(( ($(wc -c <"$GUEST_KERNEL") + $(wc -c <"$GUEST_INITRD")) / 1024 ))
fs_kb=$((kernel_kb + 4096))

# boot_through NAME IMAGE MARKER [LAUNCHER ARGS...]: boots IMAGE through
# the built-in bootloader and checks that the guest's /proc/cmdline holds
# MARKER, then that the launcher left nothing behind.
boot_through() {
	name=$1 image=$2 marker=$3
	shift 3
	t0=$(now_ms)
	start_launcher "$name.log" -name "bl-$name" -M xenpv -m 128 -hda "$image" \
		-bootloader builtin "$@" -serial pty
	pty=$(pty_of "$name.log")
	[ -c "$pty" ] || fail "$name: no pty in $name.log"
	cat "$pty" >"$name.out" 2>/dev/null &
	reader=$!
	wait_for "$name.out" '^xenlaunch-guest: ready' 180
	t1=$(now_ms)
	echo 'cat /proc/cmdline' >"$pty"
	wait_for "$name.out" "$marker" 60
	kill -TERM "$LAUNCHER_PID"
	wait_exit "$LAUNCHER_PID" 60
	kill "$reader" 2>/dev/null
	[ "$EXIT_STATUS" = 0 ] || fail "$name: exit status $EXIT_STATUS"
	assert_host_clean
	ls -d /tmp/xenlaunch-boot-* 2>/dev/null && fail "$name: a private directory was left behind"
	echo "$name: $(grep -o "booting '[^']*'" "$name.log" | head -n1), $marker in /proc/cmdline," \
		"guest ready $(secs "$t0" "$t1") s after the start"
}

# 1. MBR, partition 1 at 1 MiB: ext4 with /boot/grub/menu.lst. Its default
#    (1) boots at once (timeout 0).
boot_tree legacy
mkdir -p legacy/boot/grub
cat >legacy/boot/grub/menu.lst <<EOF
default 1
timeout 0
title Not this one
	root (hd0,0)
	kernel /boot/vmlinuz $ARGS bl_kind=wrong
	initrd /boot/initrd.img
title Busybox from menu.lst
	root (hd0,0)
	kernel /boot/vmlinuz $ARGS bl_kind=mbr-legacy
	initrd /boot/initrd.img
EOF
truncate -s $(( (fs_kb + 2048) * 1024 )) mbr.img
/sbin/mke2fs -q -F -t ext4 -E offset=1048576 -d legacy mbr.img "${fs_kb}k" >/dev/null ||
	fail "mke2fs in the MBR partition"
echo "start=2048, size=$((fs_kb * 2)), type=83" | /sbin/sfdisk -q --wipe never mbr.img >/dev/null 2>&1 ||
	fail "sfdisk (MBR)"
boot_through mbr-legacy mbr.img 'bl_kind=mbr-legacy'

# 2. GPT: partition 1 unformatted (a BIOS boot partition), partition 2 ext4
#    with /boot/extlinux/extlinux.conf and paths relative to it. Its
#    DEFAULT label boots when the 1 s TIMEOUT ends.
boot_tree ext
mkdir -p ext/boot/extlinux
cat >ext/boot/extlinux/extlinux.conf <<EOF
DEFAULT gpt
TIMEOUT 10
LABEL other
	MENU LABEL Not this one
	LINUX ../vmlinuz
	APPEND $ARGS bl_kind=wrong
LABEL gpt
	MENU LABEL Busybox from extlinux.conf
	LINUX ../vmlinuz
	INITRD ../initrd.img
	APPEND $ARGS bl_kind=gpt-extlinux
EOF
truncate -s $(( (fs_kb + 4096) * 1024 )) gpt.img
/sbin/mke2fs -q -F -t ext4 -E offset=2097152 -d ext gpt.img "${fs_kb}k" >/dev/null ||
	fail "mke2fs in the GPT partition"
printf 'label: gpt\nstart=2048, size=2048, type=21686148-6449-6E6F-744E-656564454649\nstart=4096, size=%s, type=L\n' \
	$((fs_kb * 2)) | /sbin/sfdisk -q --wipe never gpt.img >/dev/null 2>&1 || fail "sfdisk (GPT)"
boot_through gpt-extlinux gpt.img 'bl_kind=gpt-extlinux'

# 3. An installer-style ISO: isolinux.cfg naming the initrd in APPEND.
mkdir -p iso/isolinux iso/install
cp "$GUEST_KERNEL" iso/install/vmlinuz
cp "$GUEST_INITRD" iso/install/initrd.gz
cat >iso/isolinux/isolinux.cfg <<EOF
default install
prompt 0
timeout 0
label install
	menu label ^Install
	kernel /install/vmlinuz
	append initrd=/install/initrd.gz $ARGS bl_kind=iso
EOF
xorriso -as mkisofs -quiet -R -J -o cd.iso iso 2>/dev/null || fail "xorriso"
boot_through iso cd.iso 'bl_kind=iso' -bootloader-args -q

# 4. BLS entries on ext2, one chosen by its id (the file name).
boot_tree bls
mkdir -p bls/loader/entries
for v in 6.1.0 5.10.0; do
	cat >"bls/loader/entries/guest-$v.conf" <<EOF
title Busybox $v
version $v
linux /boot/vmlinuz
initrd /boot/initrd.img
options $ARGS
options bl_kind=bls-$v
EOF
done
/sbin/mke2fs -q -F -t ext2 -d bls bls.img "${fs_kb}k" >/dev/null || fail "mke2fs (BLS)"
boot_through bls bls.img 'bl_kind=bls-5.10.0' -bootloader-args --entry=guest-5.10.0

# 5. Hostile images: refused, and nothing written outside this directory.
here=$(pwd)
touch stamp
sleep 1
# A superblock with the ext2 magic over garbage: blocks count and block size
# out of range.
cp bls.img badsb.img
dd if=/dev/urandom of=badsb.img bs=1 seek=1024 count=56 conv=notrunc 2>/dev/null
printf '\123\357' | dd of=badsb.img bs=1 seek=1080 conv=notrunc 2>/dev/null
# Partitions past the end: the table made for a 64 MiB disk, the disk cut
# to 8 MiB.
truncate -s 64M past.img
printf 'start=2048, size=100000, type=83\nstart=110000, size=20000, type=83\n' |
	/sbin/sfdisk -q past.img >/dev/null 2>&1 || fail "sfdisk (past the end)"
truncate -s 8M past.img
for bad in badsb past; do
	xenlaunch -name "bl-$bad" -M xenpv -hda "$bad.img" -bootloader builtin \
		-bootloader-args -q -serial null 2>"$bad.log"
	status=$?
	[ "$status" != 0 ] || fail "$bad: exit status 0"
	grep -q 'nothing was started' "$bad.log" || fail "$bad: no refusal in $bad.log"
	sed 's/^/  /' "$bad.log"
done
grep -q 'partition 1 reaches past the end of the image' past.log || fail "past: no message about partition 1"
grep -q 'no partition or filesystem found' past.log || fail "past: not refused as expected"
grep -Eq 'no usable boot config|no partition or filesystem found' badsb.log ||
	fail "badsb: not refused as expected"
ls -d /tmp/xenlaunch-boot-* 2>/dev/null && fail "a private directory was left behind"
# Files only: /tmp itself changes when the launcher makes and removes its
# private directory (checked above to be gone).
written=$(find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path "$here" \) -prune -o \
	! -type d -newer stamp -print 2>/dev/null
	find /tmp -xdev -path "$here" -prune -o ! -type d -newer stamp -print 2>/dev/null)
[ -z "$written" ] || fail "files written while reading hostile images: $written"
assert_host_clean
echo "hostile images refused, nothing written outside $here"
