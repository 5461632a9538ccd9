# Graphical console benchmark (figures, not a timed test): the same busybox
# guest's vfb served by Debian's qemu-system-xen (xl, vfb=[vnc=1]) and by
# xenlaunch -vnc, in the same host run:
#   - CPU used by the serving process in 10 s with an idle viewer connected
#   - bytes a raw-encoding viewer receives for one character drawn on the
#     guest's framebuffer console (tty1), after its first full screen
#   - full-screen updates per second a raw-encoding viewer (tests/bench/
#     vncbench.c, built by run-all) receives while the guest redraws all of
#     /dev/fb0 in a loop; the guest's framebuffer is 1024x768x32
#     (xen-fbfront's video=MB,WIDTH,HEIGHT parameter)
# Runs in dom0: tests/bench/run-all vnc.sh
. ./lib.sh

FB_1024="xen_fbfront.video=4,1024,768"

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# idle_cpu PID PORT: CPU ticks (100 Hz) of PID in 10 s with a viewer on PORT.
idle_cpu() {
	{ printf 'RFB 003.008\n'; sleep 0.5; printf '\001\001'; sleep 13; } |
		socat -t 1 - TCP:127.0.0.1:$2 >/dev/null 2>&1 &
	local v=$! c0 c1
	sleep 2
	c0=$(ticks "$1")
	sleep 10
	c1=$(ticks "$1")
	wait $v
	echo $((c1 - c0))
}

# char_bytes PORT TTY: bytes of the update that carries one character typed
# on the guest's tty1 (fbcon), raw encoding, after the first full screen.
char_bytes() {
	local before after
	{
		printf 'RFB 003.008\n'; sleep 0.5; printf '\001\001'; sleep 0.5
		printf '\002\000\000\001\000\000\000\000'			# SetEncodings raw
		printf '\003\000\000\000\000\000\003\040\002\130'	# full 800x600
		sleep 4
		printf '\003\001\000\000\000\000\003\040\002\130'	# incremental
		sleep 5
	} | socat -t 1 - TCP:127.0.0.1:$1 >cb.out 2>/dev/null &
	local v=$!
	sleep 5
	before=$(wc -c <cb.out)
	echo 'printf x >/dev/tty1' >"$2"
	sleep 4
	after=$(wc -c <cb.out)
	wait $v
	echo $((after - before))
}

# The guest: fbcon's cursor does not blink (no updates of its own); two
# full frames, black and white, for full_rate.
prepare() {
	echo 'echo 0 >/sys/class/graphics/fbcon/cursor_blink; clear >/dev/tty1; head -c 3145728 /dev/zero >/tmp/black; tr "\000" "\377" </tmp/black >/tmp/white; echo prepared-$((6*7))-$(cat /sys/class/graphics/fb0/virtual_size)' >"$1"
}

# full_rate PORT TTY PID: what vncbench says of 10 s of raw updates while
# the guest writes black and white full frames to /dev/fb0 without a pause,
# and the CPU ticks the serving process PID used meanwhile.
full_rate() {
	local c0 c1 line
	echo 'while :; do cat /tmp/black >/dev/fb0; cat /tmp/white >/dev/fb0; done & sleep 2' >"$2"
	sleep 3
	c0=$(ticks "$3")
	line=$(/job/vncbench "$1" fps 10 raw 2>&1 | sed 's/^vncbench: //')
	c1=$(ticks "$3")
	echo "$line; server CPU $((c1 - c0)) ticks"
	echo 'kill $!' >"$2"
	sleep 1
}

# fps LINE: the updates/s figure of a vncbench line.
fps() { echo "$1" | sed -n 's/.* \([0-9.]*\) full-screen updates\/s.*/\1/p'; }

# --- qemu-system-xen, started by xl for the vfb ---
cat >xl.cfg <<CFG
name = "bench-vfb"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_INITRD"
extra = "$GUEST_APPEND $FB_1024"
memory = 128
vcpus = 1
vfb = ['vnc=1,vnclisten=127.0.0.1,vncdisplay=2']
on_poweroff = "destroy"
on_reboot = "destroy"
CFG
log=/var/log/xen/guest-bench-vfb.log
rm -f "$log"
xl create -q xl.cfg || fail "xl create failed"
wait_for "$log" '^xenlaunch-guest: ready' 120
domid=$(xl domid bench-vfb)
tty=$(xenstore-read /local/domain/$domid/console/tty)
qpid=
for p in /proc/[0-9]*; do
	grep -q 'xen-qemu-system' "$p/cmdline" 2>/dev/null && grep -q -- "-xen-domid.$domid" "$p/cmdline" 2>/dev/null &&
		qpid=${p#/proc/}
done
[ -n "$qpid" ] || { for p in /proc/[0-9]*; do grep -q 'qemu' "$p/cmdline" 2>/dev/null && qpid=${p#/proc/}; done; }
[ -n "$qpid" ] || fail "no qemu process for the vfb"
sleep 5
prepare "$tty"
wait_for "$log" '^prepared-42-' 30
q_mode=$(sed -n 's/^prepared-42-//p' "$log" | tr -d '\r' | tail -n 1)
sleep 2
q_idle=$(idle_cpu "$qpid" 5902)
q_char=$(char_bytes 5902 "$tty")
q_full=$(full_rate 5902 "$tty" "$qpid")
q_pss=$(pss_kb "$qpid")
xl destroy bench-vfb
assert_host_clean

# --- xenlaunch -vnc ---
start_launcher xl.log -name bench-vnc -M xenpv -m 128 -kernel "$GUEST_KERNEL" \
	-initrd "$GUEST_INITRD" -append "$GUEST_APPEND $FB_1024" -serial pty -vnc 127.0.0.1:2
pty=$(pty_of xl.log)
cat "$pty" >console.out 2>/dev/null &
wait_for console.out '^xenlaunch-guest: ready' 120
wait_for xl.log 'vfb/[0-9]+/0: framebuffer' 60
sleep 5
prepare "$pty"
wait_for console.out '^prepared-42-' 30
x_mode=$(sed -n 's/^prepared-42-//p' console.out | tr -d '\r' | tail -n 1)
sleep 2
x_idle=$(idle_cpu "$LAUNCHER_PID" 5902)
x_char=$(char_bytes 5902 "$pty")
x_full=$(full_rate 5902 "$pty" "$LAUNCHER_PID")
x_pss=$(pss_kb "$LAUNCHER_PID")
kill -TERM "$LAUNCHER_PID"
wait_exit "$LAUNCHER_PID" 30
assert_host_clean

echo "full screen redrawn without a pause, raw encoding: qemu-system-xen ($q_mode) $q_full; xenlaunch ($x_mode) $x_full"
figure "VNC idle CPU, one viewer, 10 s (100 Hz ticks)" "$x_idle" ticks "$q_idle" qemu-system-xen
figure "VNC bytes for one character on tty1, raw" "$x_char" bytes "$q_char" qemu-system-xen
figure "VNC full-screen update rate, raw" "$(fps "$x_full")" /s "$(fps "$q_full")" qemu-system-xen ">=30"
figure "PSS while serving VNC (xenlaunch also runs the domain and its console)" "$x_pss" kB "$q_pss" \
	qemu-system-xen
