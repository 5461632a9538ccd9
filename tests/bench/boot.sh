# Start-up benchmark (not a timed test): time from the start command to the
# guest's first console byte, median of 5 runs, for
#   - xl create (the reference; its console logged by xenconsoled),
#   - xenlaunch cold (a kernel it has never seen: empty kernel cache),
#   - xenlaunch warm (the same kernel again),
# the same busybox guest (128 MiB, 1 vCPU) in the same host run, each console
# read by polling a file the same way. Prints the ratios and the launcher's
# memory (PSS) with a running guest.
# Runs in dom0: tests/bench/run-all boot.sh
. ./lib.sh

RUNS=${RUNS:-5}
# Not quiet: the guest kernel's first line comes about a second after it
# starts, so the figure measures the toolstacks, not the guest's boot.
BENCH_APPEND="console=hvc0"
export XENLAUNCH_CACHE=$(pwd)/kernel-cache

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# first_byte FILE START_MS: ms from START_MS until FILE has a byte.
first_byte() {
	wait_nonempty "$1" 120
	echo $(($(now_ms) - $2))
}

for i in $(seq "$RUNS"); do
	log=/var/log/xen/guest-bench-xl.log
	rm -f "$log"
	cat >xl.cfg <<CFG
name = "bench-xl"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_INITRD"
extra = "$BENCH_APPEND"
memory = 128
CFG
	t0=$(now_ms)
	xl create -q xl.cfg || fail "xl create failed"
	first_byte "$log" "$t0" >>xl.ms
	xl destroy bench-xl

	for mode in cold warm; do
		[ "$mode" = cold ] && rm -rf "$XENLAUNCH_CACHE"
		rm -f "$mode.out"
		t0=$(now_ms)
		start_launcher "$mode.log" -name "bench-$mode" -M xenpv -m 128 -kernel "$GUEST_KERNEL" \
			-initrd "$GUEST_INITRD" -append "$BENCH_APPEND" -serial "file:$mode.out"
		first_byte "$mode.out" "$t0" >>"$mode.ms"
		if [ "$mode" = warm ] && [ "$i" = 1 ]; then
			wait_for warm.out '^xenlaunch-guest: ready' 120
			pss=$(awk '/^Pss:/ { s += $2 } END { print s }' /proc/$LAUNCHER_PID/smaps_rollup)
		fi
		kill -TERM "$LAUNCHER_PID"
		wait_exit "$LAUNCHER_PID" 60
	done
	assert_host_clean
done

xl=$(median <xl.ms)
cold=$(median <cold.ms)
warm=$(median <warm.ms)
echo "runs: xl $(tr '\n' ' ' <xl.ms)ms; cold $(tr '\n' ' ' <cold.ms)ms; warm $(tr '\n' ' ' <warm.ms)ms"
figure "first console byte, xl create (median of $RUNS)" "$xl" ms - -
figure "first console byte, cold kernel cache (median of $RUNS)" "$cold" ms "$xl" "xl create" "<=0.95x"
figure "first console byte, warm kernel cache (median of $RUNS)" "$warm" ms "$xl" "xl create" "<=0.25x"
figure "launcher PSS, console only" "$pss" kB - -
