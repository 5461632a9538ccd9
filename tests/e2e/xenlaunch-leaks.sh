# Nothing leaks over many lifecycles: LEAK_CYCLES (default 32) starts of
# the busybox guest with a disk, a NIC on a bridge, a console, VNC and a
# monitor, each ended in turn by SIGTERM, SIGKILL, a guest poweroff and the
# monitor's quit. Before and after: no guest domain, the same xenstore
# nodes under /local/domain, /vm and dom0's backend dirs, no tap, no file
# in the run and tmp dirs (the kernel cache keeps its one entry), Xen's free
# memory and the /dev/xen handles held in dom0 as before, dom0's shared
# memory (tmpfs) not grown by 4 MiB or more (dom0's available memory, which
# its page cache moves, is printed, not compared). Prints the time of each
# cycle and the figures. A cycle takes 9-15 s under emulation: 32 cycles
# (8 of each ending) keep the scenario near 7 minutes; tests/bench/
# lifecycles.sh runs 1000.
. ./lib.sh

N=${LEAK_CYCLES:-32}
RUN=$PWD/run
export TMPDIR=$PWD/tmp XENLAUNCH_CACHE=$PWD/cache
mkdir -p "$RUN" "$TMPDIR"

for m in llc stp bridge tun; do
	insmod "$HOST_MODULES/$m.ko" 2>/dev/null
done
[ -c /dev/net/tun ] || fail "no /dev/net/tun in dom0"
brctl addbr xlbr0 || fail "cannot create the test bridge"
ip link set xlbr0 up
dd if=/dev/zero of=disk.img bs=1M count=0 seek=8 2>/dev/null

xs_count() { xenstore-ls -f "$1" 2>/dev/null | wc -l; }
files_in() { find "$1" -mindepth 1 2>/dev/null | wc -l; }
xen_free() { xl info | awk '$1 == "free_memory" { print $3 }'; }
meminfo_kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
# Descriptors of /dev/xen/* (evtchn, gntdev, privcmd, xenbus) held by any dom0 process.
xen_fds() { ls -l /proc/[0-9]*/fd 2>/dev/null | grep -c ' -> /dev/xen/'; }
taps() { ip -o link | awk -F': ' '$2 ~ /^(vif|tap)/' | wc -l; }
# Launchers and their watchdogs (dom0 has no pgrep).
launchers() { cat /proc/[0-9]*/comm 2>/dev/null | grep -c '^xenlaunch'; }

# figures: one line of everything compared before and after.
figures() {
	echo "domains=$(guest_domids | wc -l) xs_local_domain=$(xs_count /local/domain)" \
		"xs_vm=$(xs_count /vm) xs_backend=$(xs_count /local/domain/0/backend)" \
		"taps=$(taps) run_files=$(files_in "$RUN") tmp_files=$(files_in "$TMPDIR")" \
		"cache_files=$(files_in "$XENLAUNCH_CACHE") xen_fds=$(xen_fds) launchers=$(launchers)" \
		"xen_free_mb=$(xen_free) dom0_shmem_kb=$(meminfo_kb Shmem)" \
		"dom0_available_kb=$(meminfo_kb MemAvailable)"
}

# field NAME LINE: the value of NAME=... in a figures line.
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# One cycle: start, wait for the guest and its devices, end it as $1 says,
# wait until the launcher and the domain are gone.
cycle() {
	local how=$1 domid be dev i
	rm -f console.out
	start_launcher cycle.log -name leak -M xenpv -m 128 -kernel "$GUEST_KERNEL" \
		-initrd "$GUEST_INITRD" -append "$GUEST_APPEND" -serial file:console.out \
		-hda disk.img -nic bridge,br=xlbr0 -vnc 127.0.0.1:1 \
		-monitor "unix:$RUN/mon.sock,server,nowait" -pidfile "$RUN/leak.pid"
	i=0
	while ! grep -q '^xenlaunch-guest: ready' console.out 2>/dev/null; do
		if ! kill -0 "$LAUNCHER_PID" 2>/dev/null ||
			grep -q '^State:.*Z' /proc/$LAUNCHER_PID/status 2>/dev/null; then
			cat cycle.log
			fail "$how: the launcher ended before the guest was ready"
		fi
		i=$((i + 1))
		[ $i -gt 1800 ] && { cat cycle.log; fail "$how: the guest was not ready after 90 s"; }
		sleep 0.05
	done
	domid=$(domid_of leak 10)
	be=/local/domain/0/backend
	for dev in vbd/$domid/$(xenstore-list $be/vbd/$domid) vif/$domid/0 vfb/$domid/0; do
		wait_xs "$be/$dev/state" 4 30
	done
	case $how in
	TERM | KILL) kill -"$how" "$LAUNCHER_PID" ;;
	poweroff) xl sysrq "$domid" o ;;
	quit) echo quit | socat -t 2 - "UNIX-CONNECT:$RUN/mon.sock" >/dev/null ;;
	esac
	wait_exit "$LAUNCHER_PID" 60
	# After SIGKILL the launcher's watchdog destroys the domain.
	i=0
	while [ -n "$(guest_domids)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -z "$(guest_domids)" ] || { cat cycle.log; fail "$how: domain $domid left running"; }
}

# The first start fills the kernel cache; the figures are taken after it.
cycle TERM
sleep 2
before=$(figures)
echo "before: $before"

t_all=$(now_ms)
k=1
while [ $k -le "$N" ]; do
	case $((k % 4)) in
	1) how=TERM ;; 2) how=KILL ;; 3) how=poweroff ;; 0) how=quit ;;
	esac
	t0=$(now_ms)
	cycle $how
	echo "cycle $k ($how): $(secs "$t0" "$(now_ms)") s," \
		"$(grep -o 'image load ([^)]*): [0-9.]* ms' cycle.log)"
	k=$((k + 1))
done
echo "$N cycles in $(secs "$t_all" "$(now_ms)") s"

# Xen scrubs a dead domain's pages in the background, and a KILLed
# launcher's watchdog may still be closing: wait for the figures to settle.
i=0
while :; do
	after=$(figures)
	[ "$(field xen_free_mb "$after")" = "$(field xen_free_mb "$before")" ] &&
		[ "$(field xen_fds "$after")" = "$(field xen_fds "$before")" ] && break
	[ $i -ge 30 ] && break
	sleep 1
	i=$((i + 1))
done
echo "after:  $after"

bad=
for f in domains xs_local_domain xs_vm xs_backend taps run_files tmp_files cache_files \
	xen_fds launchers xen_free_mb; do
	[ "$(field $f "$after")" = "$(field $f "$before")" ] ||
		bad="$bad $f: $(field $f "$before") -> $(field $f "$after");"
done
grow=$(($(field dom0_shmem_kb "$after") - $(field dom0_shmem_kb "$before")))
echo "dom0 shared memory grew by $grow kB over $N cycles"
[ $grow -lt 4096 ] || bad="$bad dom0 shared memory grew by $grow kB;"
if [ -n "$bad" ]; then
	xenstore-ls -f /local/domain/0/backend 2>/dev/null | head -n 20
	ls -la "$RUN" "$TMPDIR"
	fail "leaked over $N cycles:$bad"
fi
echo "nothing leaked over $N cycles"
