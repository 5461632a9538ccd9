# The demo guest of `make demo`, and its proof in `make check`. The guest is
# libvirt XML that xvirsh defines and starts: its kernel and initramfs come
# from its own ext2 disk through the built-in bootloader (a grub.cfg menu,
# 5 s on the console and on VNC), a second, blank disk is its xvdb, its NIC
# is on dom0's bridge demobr0 (dom0 169.254.0.1, the guest 169.254.0.2), and
# its framebuffer is VNC display :1 on every address of dom0 (tests/host/run
# --forward-vnc makes it 127.0.0.1:5901 outside).
#
# At a terminal (stdin a tty: tests/host/demo at a terminal), the console
# follows the boot, three lines say what runs, what to try and how to leave,
# and the terminal is the guest's console (`xvirsh console demo`); Ctrl-]
# leaves it for dom0's shell, where `exit` ends the demo.
# Without one (make check, make demo </dev/null), each piece is proven and
# gets one line: the menu on the console and on VNC, the disk written and
# read back, ping both ways, a VNC capture of the guest's screen that is not
# blank, `xvirsh list` and `xvirsh dumpxml` valid against libvirt's schema;
# then the guest is shut down and nothing is left.
. ./lib.sh

t_start=$(now_ms)
interactive=
[ -t 0 ] && interactive=1
# tests/host/demo passes the machine type (MACHINE=); make check runs xenpv.
machine=$(cat demo-machine 2>/dev/null || echo xenpv)
case "$machine" in
xenpv) os_type="<type machine='xenpv'>linux</type>" ;;
xenpvh) os_type="<type arch='x86_64' machine='xenpvh'>xenpvh</type>" ;;
*) fail "the demo has no guest definition for machine type '$machine' yet" ;;
esac
here=$PWD
reader=
cleanup() {
	st=$?
	[ -n "$reader" ] && kill "$reader" 2>/dev/null
	if [ "$st" != 0 ]; then
		for f in /run/xvirsh/demo.log start.err; do
			[ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f" | sed 's/^/  /'; }
		done
		[ -f console.out ] && { echo "--- console (last 1500 bytes)"; tail -c 1500 console.out | cat -v; echo; }
	fi
	xvirsh domstate demo 2>/dev/null | grep -q '^running' && xvirsh destroy demo >/dev/null 2>&1
	xvirsh undefine demo >/dev/null 2>&1
	if [ -e /sys/class/net/demobr0 ]; then
		ip link set demobr0 down
		brctl delbr demobr0
	fi
	exit "$st"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# guest CMD MARKER SECONDS: types CMD into the guest's shell and waits for
# a console line that starts with MARKER.
guest() {
	echo "$1" >"$pty"
	wait_for console.out "^$2" "$3"
}

# The guest's own disk: its kernel, initramfs and grub.cfg on ext2.
boot_tree boot
mkdir -p boot/boot/grub
cat >boot/boot/grub/grub.cfg <<'EOF'
set default=0
set timeout=5
menuentry 'xenlaunch demo guest (busybox)' {
	linux /boot/vmlinuz console=hvc0 quiet demo=1
	initrd /boot/initrd.img
}
menuentry 'xenlaunch demo guest, kernel messages shown' {
	linux /boot/vmlinuz console=hvc0 demo=1
	initrd /boot/initrd.img
}
EOF
ext2_image boot.img boot
dd if=/dev/zero of=data.img bs=1M count=0 seek=64 2>/dev/null
test_bridge demobr0 169.254.0.1/16

cat >demo.xml <<EOF
<domain type='xen'>
  <name>demo</name>
  <memory unit='MiB'>128</memory>
  <bootloader>builtin</bootloader>
  <os>
    $os_type
  </os>
  <devices>
    <disk type='file' device='disk'>
      <source file='$here/boot.img'/>
      <target dev='xvda' bus='xen'/>
    </disk>
    <disk type='file' device='disk'>
      <source file='$here/data.img'/>
      <target dev='xvdb' bus='xen'/>
    </disk>
    <interface type='bridge'>
      <source bridge='demobr0'/>
    </interface>
    <graphics type='vnc' port='5901' autoport='no' listen='0.0.0.0'/>
    <console type='pty'>
      <target type='xen' port='0'/>
    </console>
  </devices>
</domain>
EOF
xvirsh define --validate demo.xml >/dev/null 2>define.err || fail "xvirsh define: $(cat define.err)"
echo "demo: xvirsh define demo.xml, xvirsh start demo ($machine, 128 MiB; the boot menu is also on VNC, 127.0.0.1:5901)"

# xvirsh start returns once the guest runs; the boot menu comes first, on
# the pty the launcher names on its standard error.
t0=$(now_ms)
xvirsh start demo >start.out 2>start.err &
starter=$!
pty=$(pty_of start.err)
[ -c "$pty" ] || fail "no console pty in start.err"
if [ -n "$interactive" ]; then
	tee console.out <"$pty" &
else
	cat "$pty" >console.out 2>/dev/null &
fi
reader=$!
wait_for console.out 'xenlaunch boot menu' 120
wait_for console.out 'boots in' 30
if [ -z "$interactive" ]; then
	vnc_capture 1 menu.jpg 640x480
	menu_lit=$(lit_permille menu.jpg)
	[ "$menu_lit" -gt 0 ] || fail "the boot menu's VNC capture is blank"
fi
wait_for console.out "Booting 'xenlaunch demo guest" 60
wait_for console.out '^xenlaunch-guest: ready' 180
t1=$(now_ms)
wait_exit "$starter" 60
[ "$EXIT_STATUS" = 0 ] || fail "xvirsh start: exit status $EXIT_STATUS: $(cat start.err)"

# The guest's side of the network, and a banner and a shell on its screen.
guest 'for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /sys/class/net/eth0 ] && break; sleep 0.5; done;
ip addr add 169.254.0.2/16 dev eth0; ip link set eth0 up;
printf "\033[2J\033[Hxenlaunch demo: the guest'"'"'s tty1 on its framebuffer (xen-fbfront), served over VNC\n" >/dev/tty1;
setsid sh -c "exec sh </dev/tty1 >/dev/tty1 2>&1" & echo "demo-ready=$(cat /sys/class/net/eth0/operstate)"' \
	'demo-ready=' 60

if [ -n "$interactive" ]; then
	kill "$reader"
	reader=
	echo
	echo "demo: guest 'demo' ($machine) from demo.xml via xvirsh: kernel from its disk's grub.cfg, disk xvdb, eth0 169.254.0.2 on dom0's bridge (169.254.0.1), VNC"
	echo "demo: try: ping -c 3 169.254.0.1 here; xvirsh list, xvirsh dumpxml demo in dom0's shell; vncviewer 127.0.0.1:5901 on this machine"
	echo "demo: leave: Ctrl-] goes to dom0's shell (xvirsh console demo comes back); exit there ends the demo"
	# A newline once attached, for a fresh prompt of the guest's shell.
	(sleep 1; echo >"$pty") &
	xvirsh console demo
	if xvirsh domstate demo 2>/dev/null | grep -q '^running'; then
		echo "demo: dom0's shell. xvirsh list, xvirsh dumpxml demo; 'xvirsh console demo' goes back to the guest; 'exit' ends the demo"
		PS1='dom0# ' sh -i
	else
		echo "demo: the guest is no longer running; the demo ends"
	fi
	exit 0
fi

echo "bootloader: the grub.cfg menu of the guest's own disk on its console and on VNC (640x480 capture, $menu_lit/1000 pixels lit), its default entry booted after 5 s; guest ready $(secs "$t0" "$t1") s after xvirsh start"
guest 'echo "cmdline=$(cat /proc/cmdline)"' 'cmdline=' 30
grep -q '^cmdline=.*quiet demo=1' console.out || fail "the guest's command line is not the menu entry's: $(grep '^cmdline=' console.out)"

# The second disk: written by the guest, read back by it once its page
# cache is dropped, and read by dom0 from the image file.
guest 'dd if=/dev/urandom of=/tmp/blob bs=64k count=64 2>/dev/null; dd if=/tmp/blob of=/dev/xvdb bs=64k 2>/dev/null; sync;
echo 3 >/proc/sys/vm/drop_caches; echo "disk=$(md5sum </tmp/blob | cut -c1-32) $(dd if=/dev/xvdb bs=64k count=64 2>/dev/null | md5sum | cut -c1-32) $(ls /sys/block | tr "\n" " ")"' \
	'disk=' 120
set -- $(grep '^disk=' console.out | tr -d '\r' | head -n 1 | cut -c6-)
wrote=$1 read=$2
[ -n "$wrote" ] && [ "$wrote" = "$read" ] || fail "disk: the guest wrote $wrote, read back $read"
from_dom0=$(head -c 4194304 data.img | md5sum | cut -c1-32)
[ "$from_dom0" = "$wrote" ] || fail "disk: data.img holds $from_dom0, the guest wrote $wrote"
echo "disk: 4 MiB written to xvdb by the guest, read back after dropping its cache and from data.img in dom0, md5 the same; the guest's disks: $3 $4"

guest 'ping -c 3 -W 5 169.254.0.1 >/tmp/ping.out 2>&1; echo "ping=$? $(grep -o "min/avg/max.*" /tmp/ping.out)"' 'ping=' 60
grep -q '^ping=0 ' console.out || fail "ping from the guest: $(grep '^ping=' console.out)"
ping -c 3 -W 5 169.254.0.2 >ping.out 2>&1 || fail "ping from dom0: $(cat ping.out)"
echo "network: eth0 on demobr0; guest -> dom0 169.254.0.1 3/3 ($(grep '^ping=' console.out | tr -d '\r' | cut -d' ' -f2-)), dom0 -> guest 169.254.0.2 3/3 ($(grep -o 'min/avg/max.*' ping.out))"

wait_for /run/xvirsh/demo.log 'vfb/[0-9]+/0: framebuffer 800x600x32' 60
sleep 1
vnc_capture 1 screen.jpg 800x600
lit=$(lit_permille screen.jpg)
[ "$lit" -gt 0 ] || fail "the guest's screen on VNC is blank"
echo "vnc: an 800x600 capture of the guest's framebuffer by vncsnapshot, $lit/1000 pixels lit (its tty1 banner)"

xvirsh list >list.out 2>&1 || fail "xvirsh list: $(cat list.out)"
grep -Eq '^ +[0-9]+ +demo +running$' list.out || fail "xvirsh list: $(cat list.out)"
xvirsh dumpxml demo >dump.xml 2>dump.err || fail "xvirsh dumpxml: $(cat dump.err)"
validate_xml dump.xml domain
for want in "<bootloader>builtin</bootloader>" "<source file='$here/data.img'/>" "<source bridge='demobr0'/>" \
	"<graphics type='vnc' port='5901'"; do
	grep -qF "$want" dump.xml || fail "dumpxml lacks $want"
done
echo "xvirsh: list shows demo running; dumpxml ($(wc -l <dump.xml) lines: bootloader, $(grep -c '<disk ' dump.xml) disks, bridge, vnc) validates against libvirt's domain.rng"

pid=$(cat /run/xvirsh/demo.pid)
t0=$(now_ms)
xvirsh shutdown demo >/dev/null 2>shutdown.err || fail "xvirsh shutdown: $(cat shutdown.err)"
i=0
while kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 600 ] && fail "the launcher still runs 60 s after xvirsh shutdown"
	sleep 0.1
done
t1=$(now_ms)
kill "$reader" 2>/dev/null
reader=
assert_host_clean
[ -z "$(ls /sys/class/net/demobr0/brif)" ] || fail "left on demobr0: $(ls /sys/class/net/demobr0/brif)"
echo "shutdown: the launcher ended $(secs "$t0" "$t1") s after xvirsh shutdown; no domain, xenstore node or tap left;\
 the demo took $(secs "$t_start" "$(now_ms)") s"
