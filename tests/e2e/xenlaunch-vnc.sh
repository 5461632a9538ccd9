# The graphical console: the busybox guest (xen-fbfront and xen-kbdfront
# built into its kernel) with -vnc and -sdl at once. Debian's vncsnapshot,
# a VNC client nobody here wrote, captures the guest's /dev/fb0 after the
# guest drew four colour bands on it; the SDL window (SDL's offscreen driver)
# is read back through the monitor's screendump; keys and pointer sent by a
# raw RFB client arrive in the guest's /dev/input/event* (keysyms mapped for
# the German layout of -k de); several viewers and
# a garbage-sending one at once; when the guest's framebuffer goes away the
# display falls back to the text console; with password=on and no password
# set, nobody gets in; the guest's text console is legible on a capture
# (read cell by cell against the console font); with -bootloader the boot
# menu is on the display (legible text before any framebuffer exists) and a
# viewer drives it.
. ./lib.sh

# On failure: the launchers' logs and the end of each console.
show_logs() {
	for f in *.log; do
		[ -f "$f" ] && { echo "--- $f"; tail -n 60 "$f" | sed 's/^/  /'; }
	done
	for f in *.out; do
		[ -f "$f" ] && { echo "--- $f (last 1500 bytes)"; tail -c 1500 "$f" | cat -v; echo; }
	done
}
trap 'st=$?; [ "$st" = 0 ] || show_logs' EXIT

# pixel FILE X Y: "R G B" of a binary PPM whose header is "P6\nW H\n255\n".
pixel() {
	local w hdr
	w=$(head -n 2 "$1" | tail -n 1 | cut -d' ' -f1)
	hdr=$(head -n 3 "$1" | wc -c)
	od -An -tu1 -j $((hdr + ($3 * w + $2) * 3)) -N 3 "$1" | awk '{ print $1, $2, $3 }'
}

# near "R G B" "R G B" TOLERANCE: every channel within TOLERANCE.
near() {
	echo "$1 $2" | awk -v t="$3" '{ for (i = 1; i <= 3; i++) { d = $i - $(i + 3); if (d < 0) d = -d; if (d > t) exit 1 } }'
}

# rfb_keys PORT KEYSYM...: a minimal RFB 3.8 client without authentication
# that presses and releases each keysym (given as 4 octal bytes).
rfb_keys() {
	local port=$1 k
	shift
	{
		printf 'RFB 003.008\n'
		sleep 0.5
		printf '\001\001'	# security type None, shared
		sleep 0.5
		for k in "$@"; do
			printf "\\004\\001\\000\\000$k\\004\\000\\000\\000$k"
			sleep 0.2
		done
		sleep 1
	} | socat -t 2 - TCP:127.0.0.1:$port >/dev/null
}

monitor() { echo "$1" | socat -t 2 - UNIX-CONNECT:mon.sock; }

# screen_text IMAGE ROW COLS: the text in the first COLS cells of text row ROW
# of a VNC capture (JPEG) of the launcher's text console, read without OCR:
# each 8x16 cell, thresholded at half brightness, is matched against every
# printable ASCII glyph of the console font the launcher draws with
# (Lat15-Fixed16, PSF1, read here independently of the launcher), and the
# glyph with the fewest differing pixels wins. Prints the text on one line,
# then the most pixels any cell differed from its glyph by.
screen_text() {
	local hdr w
	djpeg -grayscale -pnm "$1" >screen.pgm || return 1
	w=$(head -n 2 screen.pgm | tail -n 1 | cut -d' ' -f1)
	hdr=$(head -n 3 screen.pgm | wc -c)
	{
		zcat /usr/share/consolefonts/Lat15-Fixed16.psf.gz | od -An -tu1 -v | awk '{ for (i = 1; i <= NF; i++) print "F", $i }'
		od -An -tu1 -v -j $((hdr + $2 * 16 * w)) -N $((16 * w)) screen.pgm | awk '{ for (i = 1; i <= NF; i++) print "P", $i }'
	} | awk -v cols="$3" -v w="$w" '
	$1 == "F" { font[nf++] = $2; next }
	$1 == "P" { pix[np++] = $2; next }
	END {
		# PSF1: 0x36 0x04, mode, glyph height; 256 (512 with mode bit 0)
		# glyphs of height bytes; then per glyph little-endian 16-bit code
		# points ended by 0xFFFF, 0xFFFE starting a sequence (skipped).
		if (font[0] != 54 || font[1] != 4 || font[3] != 16 || np != 16 * w) {
			print "not a PSF1 8x16 font or a short capture"; exit 1
		}
		n = (font[2] % 2) ? 512 : 256
		for (p = 4 + n * 16; g < n && p + 1 < nf; p += 2) {
			c = font[p] + 256 * font[p + 1]
			if (c == 65535) { g++; seq = 0 }
			else if (c == 65534) seq = 1
			else if (!seq && c >= 32 && c < 127 && !(c in glyph)) glyph[c] = g
		}
		for (col = 0; col < cols; col++) {
			best = -1
			for (c = 32; c < 127; c++) {
				if (!(c in glyph))
					continue
				d = 0
				for (y = 0; y < 16; y++) {
					b = font[4 + glyph[c] * 16 + y]
					for (x = 7; x >= 0; x--) {
						if (b % 2 != (pix[y * w + col * 8 + x] > 128))
							d++
						b = int(b / 2)
					}
				}
				if (best < 0 || d < best) { best = d; bc = c }
			}
			text = text sprintf("%c", bc)
			if (best > worst) worst = best
		}
		print text
		print worst + 0
	}'
}

t0=$(now_ms)
start_launcher vnc.log -name vnc -M xenpv -m 128 -kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" \
	-append "$GUEST_APPEND" -serial pty -vnc 127.0.0.1:1 -sdl -k de \
	-monitor unix:mon.sock,server,nowait
pty=$(pty_of vnc.log)
cat "$pty" >console.out 2>/dev/null &
wait_for vnc.log 'vnc: listening on 127.0.0.1:5901' 30
wait_for vnc.log 'sdl: window 640x480 \(video driver offscreen\)' 30
wait_for console.out '^xenlaunch-guest: ready' 90
wait_for vnc.log 'vfb/[0-9]+/0: framebuffer 800x600x32' 60
wait_for vnc.log 'vkbd/[0-9]+/0: keyboard and absolute pointer' 60
t1=$(now_ms)
echo "guest framebuffer connected $(secs $t0 $t1) s after start"

# The guest draws red, green, blue and white bands, 150 rows each, on /dev/fb0.
echo 'band() { printf "$1" >/tmp/p; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17; do cat /tmp/p /tmp/p >/tmp/q; mv /tmp/q /tmp/p; done; head -c 480000 /tmp/p; }' >"$pty"
echo 'echo 0 >/sys/class/graphics/fbcon/cursor_blink; { band "\000\000\377\000"; band "\000\377\000\000"; band "\377\000\000\000"; band "\377\377\377\000"; } >/dev/fb0; echo pattern-$((6*7))' >"$pty"
wait_for console.out '^pattern-42' 60
sleep 1

t2=$(now_ms)
vnc_capture 1 fb.jpg 800x600
t3=$(now_ms)
djpeg -scale 1/8 -pnm fb.jpg >fb.ppm
n=0
for band in "9 255 0 0" "28 0 255 0" "46 0 0 255" "65 255 255 255"; do
	set -- $band
	for x in 10 50 90; do
		got=$(pixel fb.ppm $x $1)
		near "$got" "$2 $3 $4" 40 || fail "VNC capture at ($((x * 8)), $(($1 * 8))): $got, want $2 $3 $4"
		n=$((n + 1))
	done
done
echo "vncsnapshot: 800x600 capture in $(secs $t2 $t3) s; $n sampled regions match the guest's bands (JPEG, tolerance 40)"

# Idle CPU of the launcher with a viewer connected: a figure, not a test.
{ printf 'RFB 003.008\n'; sleep 0.5; printf '\001\001'; sleep 12; } |
	socat -t 1 - TCP:127.0.0.1:5901 >/dev/null 2>&1 &
viewer=$!
sleep 1
c0=$(awk '{ print $14 + $15 }' /proc/$LAUNCHER_PID/stat)
sleep 10
c1=$(awk '{ print $14 + $15 }' /proc/$LAUNCHER_PID/stat)
wait $viewer
echo "idle with a viewer connected: $((c1 - c0)) CPU ticks in 10 s ($(awk -v t=$((c1 - c0)) 'BEGIN { printf "%.1f", t / 10 }')% of one emulated core)"

# The same screen in the SDL window, read back losslessly.
monitor "screendump $PWD/sdl.ppm" >/dev/null
wait_nonempty sdl.ppm 10
sleep 1
[ "$(head -n 2 sdl.ppm | tail -n 1)" = "800 600" ] || fail "SDL screendump is not 800x600"
for band in "75 255 0 0" "225 0 255 0" "375 0 0 255" "525 255 255 255"; do
	set -- $band
	for x in 100 400 700; do
		got=$(pixel sdl.ppm $x $1)
		[ "$got" = "$2 $3 $4" ] || fail "SDL screendump at ($x, $1): $got, want $2 $3 $4"
	done
done
echo "sdl (offscreen driver): screendump 800x600 matches the bands exactly at 12 points"

# Several viewers at once, one of them sending garbage: the others are served.
head -c 65536 /dev/urandom | socat -t 1 - TCP:127.0.0.1:5901 >/dev/null 2>&1 &
vncsnapshot -allowblank -quality 90 127.0.0.1:1 v1.jpg >v1.log 2>&1 &
v1=$!
vncsnapshot -allowblank -quality 90 127.0.0.1:1 v2.jpg >v2.log 2>&1 || { cat v2.log; fail "second viewer failed"; }
wait $v1 || { cat v1.log; fail "first viewer failed"; }
for v in v1 v2; do
	djpeg -scale 1/8 -pnm $v.jpg >$v.ppm
	near "$(pixel $v.ppm 50 46)" "0 0 255" 40 || fail "viewer $v: blue band missing"
done
kill -0 "$LAUNCHER_PID" || fail "the launcher died of a garbage viewer"
echo "two viewers at once and a garbage-sending one: both captures match"

# A viewer that sends 1 byte of a SetEncodings and stalls (libvncserver,
# given half a message, waits 20 s for the rest), and one that answers the
# greeting and says nothing more: the launcher never waits on them (the
# guest's console answers and other viewers get their captures), and the
# silent one is dropped 10 s after it connected.
dropped() { grep 'vnc: viewer .* left:' vnc.log | grep -v 'left: viewer closed the connection'; }
left_before=$(dropped | wc -l)
{ printf 'RFB 003.008\n'; sleep 0.5; printf '\001\001'; sleep 0.5; printf '\002'; sleep 16; } |
	socat -t 1 - TCP:127.0.0.1:5901 >/dev/null 2>&1 &
half=$!
t_silent=$(now_ms)
{ printf 'RFB 003.008\n'; sleep 16; } | socat -t 1 - TCP:127.0.0.1:5901 >/dev/null 2>&1 &
silent=$!
sleep 2
worst=0
for i in 1 2 3 4; do
	t=$(now_ms)
	echo "echo tick-$i-\$((6*7))" >"$pty"
	wait_for console.out "^tick-$i-42" 5
	vnc_capture 1 tick.jpg 800x600
	d=$(($(now_ms) - t))
	[ $d -gt $worst ] && worst=$d
done
wait_for vnc.log 'viewer 127\.0\.0\.1:[0-9]+ left: not logged in within 10000 ms' 15
t_dropped=$(now_ms)
# The silent viewer went; the one holding half a message is still served.
[ "$(dropped | wc -l)" = $((left_before + 1)) ] || fail "viewers dropped: $(dropped | tail -n 3)"
wait "$half" "$silent"
echo "1 byte of a SetEncodings held by one viewer, a silent one beside: console echo plus a full capture by a third viewer took at most $(secs 0 $worst) s (4 rounds); the silent viewer was dropped $(secs $t_silent $t_dropped) s after it connected"

# Keys from a VNC client reach the guest's keyboard device.
echo 'for e in /sys/class/input/event*; do grep -q Keyboard $e/device/name && kbd=/dev/input/${e##*/}; grep -q Pointer $e/device/name && ptr=/dev/input/${e##*/}; done; echo kbd=$kbd ptr=$ptr; (dd if=$kbd bs=24 count=12 2>/dev/null | od -An -tu2 -w24 | awk "\$9 == 1 { print \"key\", \$10, \$11 }" >/tmp/keys) & (dd if=$ptr bs=24 count=5 2>/dev/null | od -An -tu2 -w24 | awk "\$9 == 1 || \$9 == 3 { print \"ptr\", \$9, \$10, \$11 }" >/tmp/ptr) &' >"$pty"
wait_for console.out '^kbd=/dev/input/event[0-9]+ ptr=/dev/input/event[0-9]+' 30
sleep 1
rfb_keys 5901 '\000\000\000\141' '\000\000\000\172' '\000\000\377\015'	# 'a', 'z', Return
# A pointer event: left button down at (400, 300), then up.
{ printf 'RFB 003.008\n'; sleep 0.5; printf '\001\001'; sleep 0.5
  printf '\005\001\001\220\001\054'; sleep 0.2; printf '\005\000\001\220\001\054'; sleep 1; } |
	socat -t 2 - TCP:127.0.0.1:5901 >/dev/null
echo 'sleep 1; sed "s/^/got-/" /tmp/keys /tmp/ptr' >"$pty"
wait_for console.out '^got-key 28 0' 30
wait_for console.out '^got-ptr 1 272 1' 30
grep -q '^got-ptr 3 0 400' console.out || fail "ABS_X 400 did not arrive: $(grep got-ptr console.out | tr '\n' ' ')"
grep -q '^got-ptr 3 1 300' console.out || fail "ABS_Y 300 did not arrive"
grep -q '^got-key 30 1' console.out || fail "KEY_A press did not arrive"
grep -q '^got-key 30 0' console.out || fail "KEY_A release did not arrive"
grep -q '^got-key 28 1' console.out || fail "KEY_ENTER press did not arrive"
grep -q '^got-key 21 1' console.out || fail "'z' did not arrive as KEY_Y (21) with -k de: $(grep got-key console.out | tr '\n' ' ')"
echo "keys: 'a', 'z' and Return from an RFB client arrived as KEY_A (30), KEY_Y (21: -k de) and KEY_ENTER (28); pointer as ABS_X 400, ABS_Y 300, BTN_LEFT; $(grep -m1 '^kbd=' console.out)"

# The framebuffer goes away: the display shows console 0 as text at once;
# the device is created again (xenbus core) and the guest's frontend comes
# back, and with it the framebuffer.
echo 'for d in /sys/bus/xen/drivers/*/vfb-0; do echo vfb-0 >${d%/vfb-0}/unbind; done; echo TEXT-CONSOLE-$((6*7))' >"$pty"
wait_for console.out '^TEXT-CONSOLE-42' 30
wait_for vnc.log 'vfb/[0-9]+/0: frontend closed' 30
wait_count vnc.log 'vfb/[0-9]*/0: framebuffer 800x600x32' 2 60
sed -n '/framebuffer 800x600x32/,$p' vnc.log | grep -q 'display: 640x480' ||
	fail "the display did not fall back to the text console"
vnc_capture 1 back.jpg 800x600
echo "framebuffer unbound: the display fell back to the text console (640x480), and showed the framebuffer again when the frontend came back"

kill -TERM "$LAUNCHER_PID"
wait_exit "$LAUNCHER_PID" 30
[ "$EXIT_STATUS" = 0 ] || fail "SIGTERM: exit status $EXIT_STATUS, want 0"
assert_host_clean
grep -i 'warning' vnc.log && fail "warnings in the launcher's log"

# password=on and no password set: VNC authentication is the only type
# offered, and any answer is refused.
start_launcher pw.log -name vncpw -M xenpv -m 128 -kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" \
	-append "$GUEST_APPEND" -S -serial null -vnc 127.0.0.1:2,password=on \
	-monitor unix:mon.sock,server,nowait
wait_for pw.log 'vnc: listening on 127.0.0.1:5902 \(display :2\), password required' 60
# Viewers are served once the launcher's loop runs, after the domain is built.
wait_for pw.log 'created paused' 60
{ printf 'RFB 003.008\n'; sleep 0.5; printf '\002'; sleep 0.5; printf '0123456789abcdef'; sleep 1; } |
	socat -t 2 - TCP:127.0.0.1:5902 >pw.out
reply=$(od -An -tu1 -v pw.out | tr -s ' \n' ' ')
echo "server said: $reply" | cut -c1-80
echo "$reply" | grep -q '^ 82 70 66 32 48 48 51 46 48 48 56 10 1 2 ' || fail "security types are not just VNC authentication"
wait_for pw.log 'refused: no password is set' 10
monitor 'change vnc password secret' | grep -q 'Could not' && fail "change vnc password failed"
{ printf 'RFB 003.008\n'; sleep 0.5; printf '\002'; sleep 0.5; printf '0123456789abcdef'; sleep 1; } |
	socat -t 2 - TCP:127.0.0.1:5902 >pw2.out
wait_for pw.log 'wrong password' 10
# The right password (vncpasswd's file format: "secret" under VNC's fixed DES key),
# while another viewer holds 1 of the 16 bytes of its answer to the
# challenge: it does not hold the launcher, and is dropped at 10 s.
printf '\056\055\277\127\156\260\154\236' >pw.bin
{ printf 'RFB 003.008\n'; sleep 0.5; printf '\002'; sleep 0.5; printf '0'; sleep 14; } |
	socat -t 1 - TCP:127.0.0.1:5902 >/dev/null 2>&1 &
half=$!
sleep 2
t=$(now_ms)
vncsnapshot -passwd pw.bin -allowblank 127.0.0.1:2 pw.jpg >pw.log2 2>&1 || { cat pw.log2; fail "the right password was refused"; }
d=$(($(now_ms) - t))
grep -q 'Image saved' pw.log2 || fail "no capture with the right password"
[ $d -lt 5000 ] || fail "logging in beside a half authentication response took $(secs 0 $d) s"
wait_for pw.log 'left: not logged in within 10000 ms' 15
wait "$half"
echo "password=on: a viewer holding 1 byte of its authentication response; another logged in and captured in $(secs 0 $d) s, and the first was dropped at 10 s"
kill -TERM "$LAUNCHER_PID"
wait_exit "$LAUNCHER_PID" 30
[ "$EXIT_STATUS" = 0 ] || fail "SIGTERM: exit status $EXIT_STATUS, want 0"
assert_host_clean
echo "password=on: no password -> refused; after 'change vnc password' a wrong answer is refused, vncsnapshot with the password gets in"

# The guest's text console on VNC is legible: a guest whose framebuffer
# front end never starts (initcall_blacklist) keeps the text console on the
# display; it clears its console and writes a marker at the top left, and a
# capture read cell by cell against the console font says the marker.
start_launcher txt.log -name vnctxt -M xenpv -m 128 -kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" \
	-append "$GUEST_APPEND initcall_blacklist=xenfb_init" -serial pty -vnc 127.0.0.1:4
pty=$(pty_of txt.log)
cat "$pty" >txt.out 2>/dev/null &
wait_for txt.log 'vnc: listening on 127.0.0.1:5904' 30
wait_for txt.out '^xenlaunch-guest: ready' 90
echo 'printf "\033[2J\033[HLEGIBLE-%s\n" $((6*7))' >"$pty"
wait_for txt.out 'LEGIBLE-42' 30
sleep 1
grep -q 'vfb/[0-9]*/0: framebuffer' txt.log && fail "the guest got a framebuffer: the text console is not on the display"
vnc_capture 4 txt.jpg 640x480
read_back=$(screen_text txt.jpg 0 16) || fail "cannot read the capture: $read_back"
text=$(echo "$read_back" | head -n 1)
worst=$(echo "$read_back" | tail -n 1)
[ "$text" = "LEGIBLE-42      " ] || fail "the text console's first row on VNC reads '$text', want 'LEGIBLE-42'"
[ "$worst" -le 16 ] || fail "a cell differs from its glyph by $worst of 128 pixels"
kill -TERM "$LAUNCHER_PID"
wait_exit "$LAUNCHER_PID" 30
[ "$EXIT_STATUS" = 0 ] || fail "SIGTERM: exit status $EXIT_STATUS, want 0"
assert_host_clean
echo "text console on VNC: the capture's first row reads '$text' cell by cell against Lat15-Fixed16 (JPEG quality 90; worst cell $worst of 128 pixels off its glyph)"

# -bootloader builtin with -vnc: the boot menu is on the display before the
# guest has a framebuffer, and a VNC viewer drives it (Down, Return).
boot_tree tree
mkdir -p tree/boot/grub
cat >tree/boot/grub/grub.cfg <<'EOF'
set default=0
set timeout=60
menuentry 'busybox' {
	linux /boot/vmlinuz console=hvc0 quiet bl_entry=zero
	initrd /boot/initrd.img
}
menuentry 'busybox, second entry' {
	linux /boot/vmlinuz console=hvc0 quiet bl_entry=one
	initrd /boot/initrd.img
}
EOF
ext2_image disk.img tree
start_launcher bl.log -name vncbl -M xenpv -m 128 -hda disk.img -bootloader builtin \
	-serial pty -vnc 127.0.0.1:3
pty=$(pty_of bl.log)
cat "$pty" >bl.out 2>/dev/null &
wait_for bl.out 'second entry' 60
sleep 1
vnc_capture 3 menu.jpg 640x480
# The menu's fifth row is the second entry, not highlighted.
menu_row=$(screen_text menu.jpg 4 24 | head -n 1)
[ "$menu_row" = "   busybox, second entry" ] || fail "the menu's second entry on VNC reads '$menu_row'"
rfb_keys 5903 '\000\000\377\124' '\000\000\377\015'	# Down, Return
wait_for bl.out '^xenlaunch-guest: ready' 120
echo 'cat /proc/cmdline' >"$pty"
wait_for bl.out 'bl_entry=one' 60
kill -TERM "$LAUNCHER_PID"
wait_exit "$LAUNCHER_PID" 30
[ "$EXIT_STATUS" = 0 ] || fail "SIGTERM: exit status $EXIT_STATUS, want 0"
assert_host_clean
echo "boot menu on VNC: a 640x480 capture before the guest ran reads '$menu_row' on its fifth row; Down and Return from a viewer booted the second entry"

echo "launcher log:"
sed 's/^/  /' vnc.log
