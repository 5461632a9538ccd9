# PVH start-up benchmark (not a timed test): time from the start command to
# the guest's first console byte, median of RUNS (3) runs, for
#   - xl create, type="pvh" (the reference; its console logged by xenconsoled),
#   - xenlaunch -M xenpvh cold (empty kernel cache),
#   - xenlaunch -M xenpvh warm (the same kernel again),
# the same busybox guest (128 MiB, VCPUS vCPUs, default 1) in the same host
# run, each console read by polling a file the same way. Prints the ratios.
# Runs in dom0: tests/bench/run-all pvh.sh
. ./lib.sh

RUNS=${RUNS:-3}
VCPUS=${VCPUS:-1}
BENCH_APPEND="console=hvc0"
export XENLAUNCH_CACHE=$(pwd)/kernel-cache

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

first_byte() {
	wait_nonempty "$1" 300
	echo $(($(now_ms) - $2))
}

for i in $(seq "$RUNS"); do
	log=/var/log/xen/guest-bench-pvh-xl.log
	rm -f "$log"
	cat >xl.cfg <<CFG
name = "bench-pvh-xl"
type = "pvh"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_INITRD"
extra = "$BENCH_APPEND"
memory = 128
vcpus = $VCPUS
CFG
	t0=$(now_ms)
	xl create -q xl.cfg || fail "xl create failed"
	first_byte "$log" "$t0" >>xl.ms
	xl destroy bench-pvh-xl

	for mode in cold warm; do
		[ "$mode" = cold ] && rm -rf "$XENLAUNCH_CACHE"
		rm -f "$mode.out"
		t0=$(now_ms)
		start_launcher "$mode.log" -name "bench-pvh-$mode" -M xenpvh -m 128 -smp "$VCPUS" \
			-kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "$BENCH_APPEND" \
			-serial "file:$mode.out"
		first_byte "$mode.out" "$t0" >>"$mode.ms"
		kill -TERM "$LAUNCHER_PID"
		wait_exit "$LAUNCHER_PID" 60
	done
	assert_host_clean
done

xl=$(median <xl.ms)
cold=$(median <cold.ms)
warm=$(median <warm.ms)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "runs: xl $(tr '\n' ' ' <xl.ms)ms; cold $(tr '\n' ' ' <cold.ms)ms; warm $(tr '\n' ' ' <warm.ms)ms"
echo "PVH first console byte, $VCPUS vCPU(s), median of $RUNS: xl create type=pvh $xl ms," \
	"xenlaunch -M xenpvh cold $cold ms ($(ratio "$cold" "$xl")x xl), warm $warm ms" \
	"($(ratio "$warm" "$xl")x xl; goal <= 0.8)"
