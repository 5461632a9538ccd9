# -bootloader builtin: the busybox guest boots from an ext2 disk image that
# holds /boot/grub/grub.cfg, the kernel and the initramfs (made here with
# ext2_image: mke2fs -d, no mounts). Non-interactive (--entry=0), then the menu driven
# over the pty (second entry, command line edited, the edit seen in the
# guest's /proc/cmdline), then the default entry booted after the config's
# timeout with no input, then a hostile image refused with nothing run.
# Time limits are generous: under QEMU's TCG a guest boots in 15-40 s, and
# more when the machine is busy.
. ./lib.sh

# On failure: the launchers' logs and the end of each console, escapes shown.
show_logs() {
	for f in *.log; do
		[ -f "$f" ] && { echo "--- $f"; sed 's/^/  /' "$f"; }
	done
	for f in *.out; do
		[ -f "$f" ] && { echo "--- $f (last 1500 bytes)"; tail -c 1500 "$f" | cat -v; echo; }
	done
}
trap 'st=$?; [ "$st" = 0 ] || show_logs' EXIT

boot_tree tree
mkdir -p tree/boot/grub
cat >tree/boot/grub/grub.cfg <<'EOF'
set default=0
set timeout=60
menuentry 'busybox' --id busybox {
	linux /boot/vmlinuz console=hvc0 quiet bl_entry=zero
	initrd /boot/initrd.img
}
menuentry 'busybox, second entry' {
	linux /boot/vmlinuz console=hvc0 quiet bl_entry=one
	initrd /boot/initrd.img
}
EOF
ext2_image disk.img tree

# 1. Non-interactive: --entry=0. (Its timings include a first start's
#    kernel decompression; tests/bench/bootloader.sh compares the
#    bootloader with a direct start and with pygrub.)
t0=$(now_ms)
start_launcher e1.log -name bl -M xenpv -m 128 -hda disk.img \
	-bootloader builtin -bootloader-args --entry=0 -serial pty
pty=$(pty_of e1.log)
[ -c "$pty" ] || fail "entry 0: no pty in e1.log"
cat "$pty" >e1.out 2>/dev/null &
reader=$!
wait_nonempty e1.out 120
t1=$(now_ms)
wait_for e1.out '^xenlaunch-guest: ready' 120
t2=$(now_ms)
echo 'cat /proc/cmdline' >"$pty"
wait_for e1.out 'bl_entry=zero' 60
kill -TERM "$LAUNCHER_PID"
wait_exit "$LAUNCHER_PID" 60
kill "$reader" 2>/dev/null
[ "$EXIT_STATUS" = 0 ] || fail "entry 0: exit status $EXIT_STATUS"
assert_host_clean
ls -d /tmp/xenlaunch-boot-* 2>/dev/null && fail "a private directory was left behind"
echo "bootloader --entry=0: first console byte $(secs $t0 $t1) s, guest userspace $(secs $t0 $t2) s"
sed 's/^/  /' e1.log

# 2. The menu on the pty: down to the second entry, 'e', append, Enter.
start_launcher e2.log -name bl-menu -M xenpv -m 128 -hda disk.img \
	-bootloader builtin -serial pty
pty=$(pty_of e2.log)
[ -c "$pty" ] || fail "menu: no pty in e2.log"
cat "$pty" >e2.out 2>/dev/null &
reader=$!
wait_for e2.out 'xenlaunch boot menu' 120
wait_for e2.out 'boots in' 30
printf '\033[B' >"$pty"
sleep 0.5
printf 'e' >"$pty"
sleep 0.5
printf ' edited_on_the_pty=1\r' >"$pty"
# The menu's last screen puts the guest's output on a fresh line.
wait_for e2.out "Booting 'busybox, second entry'" 60
wait_for e2.out '^xenlaunch-guest: ready' 120
echo 'cat /proc/cmdline' >"$pty"
wait_for e2.out 'bl_entry=one edited_on_the_pty=1' 60
kill -TERM "$LAUNCHER_PID"
wait_exit "$LAUNCHER_PID" 60
kill "$reader" 2>/dev/null
[ "$EXIT_STATUS" = 0 ] || fail "menu: exit status $EXIT_STATUS"
assert_host_clean
grep -q "booting 'busybox, second entry'" e2.log || fail "the log does not name the second entry"
echo "menu over the pty: second entry booted with the edited command line"

# 2b. No input: the config's default (entry 1) boots when its 3 s timeout ends.
sed -e 's/^set default=0$/set default=1/' -e 's/^set timeout=60$/set timeout=3/' \
	tree/boot/grub/grub.cfg >grub.cfg.new && mv grub.cfg.new tree/boot/grub/grub.cfg
grep -q '^set timeout=3$' tree/boot/grub/grub.cfg || fail "grub.cfg for the timeout case"
ext2_image disk3.img tree
start_launcher e3.log -name bl-timeout -M xenpv -m 128 -hda disk3.img \
	-bootloader builtin -serial pty
pty=$(pty_of e3.log)
[ -c "$pty" ] || fail "timeout: no pty in e3.log"
cat "$pty" >e3.out 2>/dev/null &
reader=$!
wait_for e3.out 'boots in 3 s' 120
wait_for e3.out "Booting 'busybox, second entry'" 60
wait_for e3.out '^xenlaunch-guest: ready' 120
echo 'cat /proc/cmdline' >"$pty"
wait_for e3.out 'bl_entry=one' 60
kill -TERM "$LAUNCHER_PID"
wait_exit "$LAUNCHER_PID" 60
kill "$reader" 2>/dev/null
[ "$EXIT_STATUS" = 0 ] || fail "timeout: exit status $EXIT_STATUS"
assert_host_clean
grep -q 'boots in 1 s' e3.out || fail "the countdown did not run down"
echo "no input: the default entry booted after the 3 s timeout"

# 3. A hostile image: shell and Python in grub.cfg, a 4 GiB "kernel".
mkdir -p evil/boot/grub
cat >evil/boot/grub/grub.cfg <<'EOF'
set default="$(touch /tmp/pwned)"
set timeout=__import__('os').system('touch /tmp/pwned')
menuentry "`touch /tmp/pwned`" { linux $(touch /tmp/pwned)/vmlinuz; initrd /boot/initrd.img }
menuentry 'huge' { linux /boot/huge }
EOF
dd if=/dev/zero of=evil/boot/huge bs=1 count=0 seek=4294967296 2>/dev/null
/sbin/mke2fs -q -F -t ext2 -d evil evil.img 8M >/dev/null || fail "mke2fs -d evil"
for e in 0 1; do
	xenlaunch -name bl-evil -M xenpv -hda evil.img -bootloader builtin \
		-bootloader-args "--entry=$e" -serial null 2>evil$e.log
	status=$?
	[ "$status" != 0 ] || fail "hostile entry $e: exit status 0"
	sed 's/^/  /' evil$e.log
done
grep -q 'kernel path is not a plain path: refused' evil0.log || fail "entry 0 not refused as expected"
grep -q 'more than the 268435456 byte limit' evil1.log || fail "entry 1 not refused as expected"
[ -e /tmp/pwned ] && fail "something in the config was executed"
ls -d /tmp/xenlaunch-boot-* 2>/dev/null && fail "a private directory was left behind"
assert_host_clean
echo "hostile image refused, nothing executed, nothing left behind"
