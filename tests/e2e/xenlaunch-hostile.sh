# A hostile frontend against the launcher, in the real host. Launcher A
# serves guest A a disk, a NIC and a framebuffer (-vnc); launcher B serves
# guest B a disk and a NIC, and guest B writes to its disk and pings dom0
# throughout. In guest A, tests/host/hostile.c takes the place of each
# frontend driver (unbound, with the bus's autoprobe off) and attacks:
# impossible producer indices, repeated, read-only and never-granted grant
# refs, sectors past the end, indirect segment counts past the limit, the
# persistent-grant pin (1000 indirect requests of 256 segments over a few
# fresh refs each), tx packets with wild slots and sizes, framebuffer
# geometry that overflows (said to be unsupported, not counted, when the
# guest's kernel keeps privcmd from it: a vfb names its pages by machine
# frame), and xenbus state cycling as fast as it can.
# Afterwards: launcher A is alive and serves the real frontends again (disk
# read and written, ping, framebuffer); guest B's I/O never stalled long;
# launcher A's RSS and dom0's free memory are back near where they were;
# launcher A's log grew by a bounded number of lines.
. ./lib.sh

# Limits, with the figures printed beside them.
MAX_STALL_S=10		# guest B's longest gap between two rounds of I/O
MAX_LOG_LINES=200	# launcher A's log growth over every attack
MAX_RSS_KB=4096		# launcher A's RSS growth
MAX_FREE_KB=16384	# dom0's free memory lost
MAX_PIN_PAGES=4200	# pages launcher A maps during the pin (4096 persistent + rings)
PIN_REQS=1000

guest() { # CMD MARKER SECONDS, on guest A's console
	echo "$1" >"$pty_a"
	wait_for a.out "^$2" "$3"
}

show_logs() {
	for f in a.log b.log; do
		[ -f "$f" ] && { echo "--- $f (last 60 lines)"; tail -n 60 "$f" | sed 's/^/  /'; }
	done
	[ -f a.out ] && { echo "--- guest A's console (last 3000 bytes)"; tail -c 3000 a.out | tr -d '\r'; echo; }
	[ -f b.out ] && { echo "--- guest B's console (last 800 bytes)"; tail -c 800 b.out | tr -d '\r'; echo; }
}
trap 'st=$?; [ "$st" = 0 ] || show_logs' EXIT

for m in llc stp bridge tun; do
	insmod "$HOST_MODULES/$m.ko" 2>/dev/null
done
brctl addbr xlbr0 || fail "cannot create the test bridge"
echo 0 >/sys/class/net/xlbr0/bridge/forward_delay
ip addr add 169.254.1.1/16 dev xlbr0
ip link set xlbr0 up
dd if=/dev/zero of=a.img bs=1M count=0 seek=64 2>/dev/null
dd if=/dev/zero of=b.img bs=1M count=0 seek=64 2>/dev/null

# ---- the two guests ---------------------------------------------------------
start_launcher a.err -name hostile-a -M xenpv -m 256 \
	-kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "$GUEST_APPEND" -serial pty \
	-hda a.img -nic bridge,br=xlbr0 -vnc 127.0.0.1:1 -D a.log
pid_a=$LAUNCHER_PID
pty_a=$(pty_of a.err)
cat "$pty_a" >a.out &
start_launcher b.err -name hostile-b -M xenpv -m 128 \
	-kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "$GUEST_APPEND" -serial pty \
	-hda b.img -nic bridge,br=xlbr0 -D b.log
pid_b=$LAUNCHER_PID
pty_b=$(pty_of b.err)
cat "$pty_b" >b.out &
wait_for a.out '^xenlaunch-guest: ready' 120
wait_for b.out '^xenlaunch-guest: ready' 120
domid_a=$(domid_of hostile-a 30)
wait_xs /local/domain/$domid_a/device/vbd/51712/state 4 60
wait_xs /local/domain/$domid_a/device/vif/0/state 4 60
wait_for a.log 'vfb/[0-9]+/0: framebuffer' 60

# Guest B: rounds of a 1 MiB write with fsync and a ping, each round stamped
# with the guest's uptime.
# A failed write is a failure; a ping not answered within 2 s is counted (a
# packet may be lost under emulation) and bounded below.
echo 'ip addr add 169.254.1.3/16 dev eth0 && ip link set eth0 up; (while :; do if ! dd if=/dev/zero of=/dev/xvda bs=64k count=16 conv=fsync 2>/dev/null; then echo "io-failed $(cut -d" " -f1 /proc/uptime)"; elif ! ping -c 1 -W 2 169.254.1.1 >/dev/null; then echo "ping-lost $(cut -d" " -f1 /proc/uptime)"; else echo "tick $(cut -d" " -f1 /proc/uptime)"; fi; done) &' >"$pty_b"
wait_count b.out '^tick ' 3 180

# Guest A: the real frontends work; then the same figures are taken before
# and after the attacks.
guest 'ip addr add 169.254.1.2/16 dev eth0 && ip link set eth0 up; dd if=/dev/urandom of=/tmp/w bs=64k count=16 2>/dev/null; dd if=/tmp/w of=/dev/xvda bs=64k count=16 conv=fsync 2>/dev/null; echo "first=$? $(ping -c 2 -W 5 169.254.1.1 >/dev/null; echo $?)"' 'first=' 60
grep -q '^first=0 0' a.out || fail "guest A's disk or NIC does not work to begin with: $(grep '^first=' a.out)"
sleep 2
rss() { awk '/^VmRSS:/ { print $2 }' /proc/$1/status; }
memfree() { awk '/^MemFree:/ { print $2 }' /proc/meminfo; }
rss0=$(rss $pid_a)
free0=$(memfree)
lines0=$(wc -l <a.log)
echo "before: launcher A RSS $rss0 KiB, dom0 MemFree $free0 KiB, launcher A log $lines0 lines"

# ---- the attacks ----------------------------------------------------------------
# Autoprobe off: a device offered again after its driver let go stays free
# for the hostile frontend. Unbinding closes the device; the launcher
# offers it again a second later.
guest 'echo 0 >/sys/bus/xen/drivers_autoprobe; for d in /sys/bus/xen/drivers/*/vbd-51712 /sys/bus/xen/drivers/*/vif-0 /sys/bus/xen/drivers/*/vfb-0; do echo ${d##*/} >${d%/*}/unbind; done; sleep 3; echo "unbound=$(ls -d /sys/bus/xen/drivers/*/*-[0-9]* | grep -cE "vbd-51712|vif-0|vfb-0")"' 'unbound=' 60
grep -q '^unbound=0' a.out || fail "guest A's frontends are still bound: $(grep '^unbound=' a.out)"

failed=
# maps_pages PID: pages PID maps through /dev/xen/gntdev (grant mappings).
maps_pages() {
	local n=0 range
	for range in $(grep gntdev /proc/$1/maps | cut -d' ' -f1); do
		n=$((n + (0x${range#*-} - 0x${range%-*}) / 4096))
	done
	echo $n
}
# attack NAME ARGS SECONDS: runs hostile in guest A, prints what it said
# and how far launcher A's log grew; notes a failure. Sets OUT_AT (where
# this run's output starts in a.out) and LOG_AT (a.log's lines before it).
runs=0
attack_start() {
	runs=$((runs + 1))
	OUT_AT=$(($(wc -c <a.out) + 1))
	LOG_AT=$(wc -l <a.log)
	echo "hostile $1 $2; echo \"hostile-exit-$runs: \$?\"" >"$pty_a"
}
attack_end() { # NAME SECONDS [EXTRA-CHECK-FAILED]
	wait_for a.out "^hostile-exit-$runs: " "$2"
	kill -0 $pid_a 2>/dev/null || fail "launcher A died during $1"
	tail -c +$OUT_AT a.out | tr -d '\r' | grep '^hostile: ' | sed 's/^/  /'
	if tail -c +$OUT_AT a.out | grep -q "^hostile-exit-$runs: 3"; then
		echo "  -> NOTE: $1 cannot be made from this guest (above); not counted"
	elif tail -c +$OUT_AT a.out | grep -q "^hostile-exit-$runs: 0" && [ -z "$3" ]; then
		echo "  -> $1 passed; launcher A's log grew by $(($(wc -l <a.log) - LOG_AT)) lines"
	else
		failed="$failed $1"
		echo "  -> $1 FAILED; launcher A's log grew by $(($(wc -l <a.log) - LOG_AT)) lines"
	fi
}
attack() {
	attack_start "$1" "$2"
	attack_end "$1" "$3"
}

t0=$(now_ms)
attack blk-prod 51712 120
attack blk-grants 51712 120
attack blk-sectors 51712 120
attack blk-indirect 51712 120

# The pin: hostile holds the device 30 s after its requests; the pages
# launcher A maps are counted meanwhile.
attack_start blk-pin "51712 $PIN_REQS 30 8"
wait_for a.out '^hostile: blk-pin: holding' 600
pin_pages=$(maps_pages $pid_a)
pin_rss=$(rss $pid_a)
pin_free=$(memfree)
echo "  during the pin: launcher A maps $pin_pages guest pages ($((pin_pages * 4 / 1024)) MiB; limit $MAX_PIN_PAGES), RSS $pin_rss KiB; dom0 MemFree $pin_free KiB"
attack_end blk-pin 120 "$([ "$pin_pages" -gt $MAX_PIN_PAGES ] && echo too-many-pages)"

attack net-tx 0 180
attack vfb-geometry 0 300
attack cycle "vbd 51712 15" 240
attack cycle "vif 0 10" 240
attack cycle "vfb 0 10" 240
t1=$(now_ms)
lines1=$(wc -l <a.log)

# ---- afterwards: the real frontends again -------------------------------------------
fb_before=$(grep -c 'vfb/[0-9]*/0: framebuffer 800x600' a.log)
guest 'echo 1 >/sys/bus/xen/drivers_autoprobe; for d in vbd-51712 vif-0 vfb-0; do echo $d >/sys/bus/xen/drivers_probe; done; for i in $(seq 60); do [ -e /sys/block/xvda ] && [ -e /sys/class/net/eth0 ] && break; sleep 1; done; ip addr add 169.254.1.2/16 dev eth0 2>/dev/null; ip link set eth0 up; dd if=/tmp/w of=/dev/xvda bs=64k count=16 conv=fsync 2>/dev/null; echo 3 >/proc/sys/vm/drop_caches; echo "again=$(dd if=/dev/xvda bs=64k count=16 2>/dev/null | md5sum | cut -c1-32) $(md5sum </tmp/w | cut -c1-32) $(ping -c 3 -W 5 169.254.1.1 >/dev/null; echo $?)"' 'again=' 120
line=$(grep '^again=' a.out | tr -d '\r')
set -- ${line#again=}
[ -n "$1" ] && [ "$1" = "$2" ] || fail "guest A's real frontend reads back $1, wrote $2"
[ "$3" = 0 ] || fail "guest A's real netfront cannot ping dom0 after the attacks"
wait_count a.log 'vfb/[0-9]+/0: framebuffer 800x600' $((fb_before + 1)) 60
echo "afterwards: guest A's real blkfront wrote and read back 1 MiB, netfront pinged dom0, fbfront's 800x600 framebuffer connected"

# ---- the figures ----------------------------------------------------------------------
sleep 3
rss1=$(rss $pid_a)
free1=$(memfree)
kill -0 $pid_b || fail "launcher B died"
grep -q '^io-failed' b.out && failed="$failed guest-B-io" && echo "guest B's disk writes failed: $(grep -c '^io-failed' b.out) rounds"
lost=$(grep -c '^ping-lost' b.out)
echo "guest B: $lost pings lost (at most 1 in 50 rounds allowed)"
[ $((lost * 50)) -le "$(grep -c '^tick ' b.out)" ] || failed="$failed guest-B-ping"
# Longest gap between two of guest B's rounds, over the whole run.
gap=$(tr -d '\r' <b.out | awk '/^tick / { if (prev != "" && $2 - prev > max) max = $2 - prev; prev = $2; n++ } END { printf "%.2f %d", max, n }')
set -- $gap
echo "guest B: $2 rounds of I/O (1 MiB written with fsync, one ping); longest gap $1 s (limit $MAX_STALL_S s)"
awk -v g="$1" -v l=$MAX_STALL_S 'BEGIN { exit !(g <= l) }' || failed="$failed guest-B-stall"
echo "launcher A: RSS $rss0 -> $rss1 KiB ($((rss1 - rss0)), limit $MAX_RSS_KB); dom0 MemFree $free0 -> $free1 KiB ($((free1 - free0)), limit -$MAX_FREE_KB)"
[ $((rss1 - rss0)) -le $MAX_RSS_KB ] || failed="$failed launcher-A-rss"
[ $((free0 - free1)) -le $MAX_FREE_KB ] || failed="$failed dom0-free-memory"
echo "launcher A's log: $lines0 -> $lines1 lines over the attacks ($((lines1 - lines0)), limit $MAX_LOG_LINES) in $(secs $t0 $t1) s"
[ $((lines1 - lines0)) -le $MAX_LOG_LINES ] || failed="$failed log-growth"

kill -TERM $pid_a $pid_b
wait_exit $pid_a 60
[ "$EXIT_STATUS" = 0 ] || failed="$failed launcher-A-exit"
wait_exit $pid_b 60
assert_host_clean
[ -z "$failed" ] || fail "failed:$failed"
echo "PASS: every attack refused or contained; launcher A serves again; guest B kept going"
