# Bootloader benchmark (not a timed test): time from the start command to
# the guest's first console byte, median of RUNS runs, for the same busybox
# guest (128 MiB, 1 vCPU) started three ways:
#   - direct: xenlaunch -kernel/-initrd (no bootloader),
#   - builtin: xenlaunch -bootloader builtin on an ext2 image holding the
#     same kernel, initramfs and a Debian-style grub.cfg (default entry, -q),
#   - pygrub: xl create with bootloader="pygrub" (Debian's, -q) on the same
#     image, served to the guest by QEMU's qdisk as xl does.
# Goals: builtin adds <= 0.5 s to direct; builtin <= 0.5x xl with pygrub.
# Runs in dom0: tests/bench/run-all bootloader.sh
. ./lib.sh

RUNS=${RUNS:-3}
# Not quiet: the kernel's first line comes about a second after it starts,
# so the figure measures the toolstacks, not the guest's boot.
BENCH_APPEND="console=hvc0"
export XENLAUNCH_CACHE=$(pwd)/kernel-cache

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# first_byte FILE START_MS: ms from START_MS until FILE has a byte.
first_byte() {
	wait_nonempty "$1" 180
	echo $(($(now_ms) - $2))
}

mkdir -p tree/boot/grub
cp "$GUEST_KERNEL" tree/boot/vmlinuz
cp "$GUEST_INITRD" tree/boot/initrd.img
# Multi-line, as grub-mkconfig writes it (pygrub's GRUB 2 parser needs that).
cat >tree/boot/grub/grub.cfg <<EOF
set default=0
set timeout=5
menuentry 'Busybox' {
	linux /boot/vmlinuz $BENCH_APPEND
	initrd /boot/initrd.img
}
EOF
size_kb=$(( $(du -sk tree | cut -f1) + 4096 ))
/sbin/mke2fs -q -F -t ext2 -d tree disk.img "${size_kb}k" >/dev/null || fail "mke2fs -d"

cat >xl.cfg <<EOF
name = "bench-pygrub"
bootloader = "pygrub"
bootloader_args = ["-q"]
disk = ['format=raw,vdev=xvda,access=rw,backendtype=qdisk,target=$(pwd)/disk.img']
memory = 128
EOF

# One start first, so that every measured one finds the decompressed kernel
# in xenlaunch's kernel cache (the same kernel whichever way it came).
start_launcher warm.log -name bench-warm -M xenpv -m 128 -kernel "$GUEST_KERNEL" \
	-initrd "$GUEST_INITRD" -append "$BENCH_APPEND" -serial file:warm.out
wait_nonempty warm.out 180
kill -TERM "$LAUNCHER_PID"
wait_exit "$LAUNCHER_PID" 60

for i in $(seq "$RUNS"); do
	rm -f direct.out builtin.out
	t0=$(now_ms)
	start_launcher direct.log -name bench-direct -M xenpv -m 128 -kernel "$GUEST_KERNEL" \
		-initrd "$GUEST_INITRD" -append "$BENCH_APPEND" -serial file:direct.out
	first_byte direct.out "$t0" >>direct.ms
	kill -TERM "$LAUNCHER_PID"
	wait_exit "$LAUNCHER_PID" 60

	t0=$(now_ms)
	start_launcher builtin.log -name bench-builtin -M xenpv -m 128 -hda disk.img \
		-bootloader builtin -bootloader-args -q -serial file:builtin.out
	first_byte builtin.out "$t0" >>builtin.ms
	kill -TERM "$LAUNCHER_PID"
	wait_exit "$LAUNCHER_PID" 60
	sed -n "s/.*booting '.*' (\([0-9.]*\) s).*/\1/p" builtin.log >>bootloader.s

	log=/var/log/xen/guest-bench-pygrub.log
	rm -f "$log"
	t0=$(now_ms)
	xl create -q xl.cfg >xl.log 2>&1 || { cat xl.log; fail "xl create with pygrub failed"; }
	first_byte "$log" "$t0" >>pygrub.ms
	xl destroy bench-pygrub
	assert_host_clean
done

direct=$(median <direct.ms)
builtin=$(median <builtin.ms)
pygrub=$(median <pygrub.ms)
echo "runs: direct $(tr '\n' ' ' <direct.ms)ms; builtin $(tr '\n' ' ' <builtin.ms)ms;" \
	"xl+pygrub $(tr '\n' ' ' <pygrub.ms)ms; bootloader phase $(tr '\n' ' ' <bootloader.s)s"
figure "first console byte, -bootloader builtin (median of $RUNS)" "$builtin" ms "$pygrub" "xl+pygrub" "<=0.5x"
figure "time the builtin bootloader adds to a direct boot" "$([ -n "$builtin" ] && [ -n "$direct" ] && echo $((builtin - direct)))" ms - - "<=500"
