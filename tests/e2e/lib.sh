# Helpers for end-to-end scenarios, sourced by each scenario inside dom0.
# A scenario is a sh script that exits 0 when it passed; `fail` ends it.

# Milliseconds of dom0 uptime (10 ms resolution).
now_ms() {
	local up
	read -r up _ </proc/uptime
	echo $((${up%.*} * 1000 + 10#${up#*.} * 10))
}

# Seconds, with two decimals, between two now_ms readings.
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1000 }'; }

# On stderr, so that a fail inside $(...) (pty_of, domid_of) is still seen;
# it ends only that subshell, which leaves the caller's variable empty.
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# wait_for FILE PATTERN SECONDS: until FILE holds a line matching the
# extended regular expression PATTERN; fails after SECONDS.
wait_for() {
	local file=$1 pattern=$2 limit=$(($3 * 20)) i=0
	while ! grep -Eq "$pattern" "$file" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $limit ] && fail "no '$pattern' in $file after $3 s"
		sleep 0.05
	done
}

# wait_count FILE PATTERN N SECONDS: until FILE holds N matches of the
# extended regular expression PATTERN (matches, not lines: a guest's line
# may follow a shell prompt on the same line); fails after SECONDS.
wait_count() {
	local file=$1 pattern=$2 n=$3 limit=$(($4 * 20)) i=0
	while [ "$(grep -Eo "$pattern" "$file" 2>/dev/null | wc -l)" -lt "$n" ]; do
		i=$((i + 1))
		[ $i -gt $limit ] && fail "fewer than $n '$pattern' in $file after $4 s"
		sleep 0.05
	done
}

# wait_xs PATH VALUE SECONDS: until xenstore node PATH reads VALUE.
wait_xs() {
	local limit=$(($3 * 20)) i=0
	while [ "$(xenstore-read "$1" 2>/dev/null)" != "$2" ]; do
		i=$((i + 1))
		[ $i -gt $limit ] && fail "xenstore $1 is '$(xenstore-read "$1" 2>/dev/null)', want '$2' after $3 s"
		sleep 0.05
	done
}

# wait_nonempty FILE SECONDS: until FILE has at least one byte.
wait_nonempty() {
	local file=$1 limit=$(($2 * 100)) i=0
	while [ ! -s "$file" ]; do
		i=$((i + 1))
		[ $i -gt $limit ] && fail "$file still empty after $2 s"
		sleep 0.01
	done
}

# The domain ids in `xl list` besides Domain-0.
guest_domids() { xl list | awk 'NR > 2 { print $2 }'; }

# Fails unless only Domain-0 runs and xenstore holds nothing of any guest.
assert_host_clean() {
	local ids left
	ids=$(guest_domids)
	[ -z "$ids" ] || fail "domains left running: $ids"
	left=$(xenstore-list /local/domain | grep -vx 0 || true)
	[ -z "$left" ] || fail "xenstore /local/domain still has: $left"
	left=$(xenstore-list /vm 2>/dev/null || true)
	[ -z "$left" ] || fail "xenstore /vm still has: $left"
}

# start_launcher LOG ARGS...: runs xenlaunch in the background with its
# stderr in LOG; sets LAUNCHER_PID.
start_launcher() {
	local log=$1
	shift
	xenlaunch "$@" 2>"$log" &
	LAUNCHER_PID=$!
}

# pty_of LOG: the pty path from QEMU's "char device redirected to" line.
pty_of() {
	wait_for "$1" 'char device redirected to /dev/pts/[0-9]+' 60
	sed -n 's|.*char device redirected to \(/dev/pts/[0-9]*\).*|\1|p' "$1" | head -n 1
}

# wait_exit PID SECONDS: waits for a background child of this shell to end
# and sets EXIT_STATUS to its exit status; fails after SECONDS.
wait_exit() {
	local pid=$1 limit=$(($2 * 10)) i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $limit ] && fail "process $pid still running after $2 s"
		# A zombie child counts as ended.
		grep -q '^State:.*Z' /proc/$pid/status 2>/dev/null && break
		sleep 0.1
	done
	wait "$pid"
	EXIT_STATUS=$?
}

# The busybox guest's command line.
GUEST_APPEND="console=hvc0 quiet"

# domid_of NAME SECONDS: waits until xl knows the guest NAME; prints its id.
domid_of() {
	local limit=$(($2 * 10)) i=0
	while ! xl domid "$1" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt $limit ] && fail "no domain '$1' after $2 s"
		sleep 0.1
	done
	xl domid "$1"
}

# figure NAME VALUE UNIT REF_VALUE REF_NAME [GOAL...]: one figure of the
# benchmarks' table, on one line
#   figure NAME: VALUE UNIT (RATIO× REF_NAME, goal G: met|not met)
# which tests/bench/run-all gathers (the "figure " prefix marks it) into
# the summary that `make bench` prints and writes to build/bench/summary.txt.
# RATIO is VALUE / REF_VALUE (REF_VALUE "-": no reference). Each GOAL is
# ">=R" or "<=R" with an x for a ratio to the reference (">=1.5x"), or
# without for the value itself ("<=8192"); all must hold for "met". VALUE
# empty or not a number: the figure is printed as not measured.
figure() {
	local name=$1 value=$2 unit=$3 ref=$4 ref_name=$5
	shift 5
	echo "figure $(awk -v name="$name" -v v="$value" -v unit="$unit" -v ref="$ref" -v rn="$ref_name" \
		-v goals="$*" '
	function num(s) { return s ~ /^-?[0-9]+(\.[0-9]+)?$/ }
	BEGIN {
		if (!num(v)) { printf "%s: not measured", name; exit }
		out = name ": " v " " unit
		ratio = ""
		if (num(ref) && ref != 0) ratio = v / ref
		paren = ratio != "" ? sprintf("%.2f× %s", ratio, rn) : ""
		n = split(goals, g, " ")
		met = 1; text = ""
		for (i = 1; i <= n; i++) {
			op = substr(g[i], 1, 2); lim = substr(g[i], 3)
			isratio = lim ~ /x$/
			sub(/x$/, "", lim)
			x = isratio ? ratio : v
			if (x == "") met = 0
			else if (op == ">=" && !(x + 0 >= lim + 0)) met = 0
			else if (op == "<=" && !(x + 0 <= lim + 0)) met = 0
			text = text (i > 1 ? " and " : "") (op == ">=" ? "≥ " : "≤ ") lim (isratio ? "×" : " " unit)
		}
		if (n) paren = paren (paren != "" ? ", " : "") "goal " text ": " (met ? "met" : "not met")
		printf "%s%s", out, paren != "" ? " (" paren ")" : ""
	}')"
}

# pss_kb PID...: the processes' proportional set size together, in kB
# (smem's figure: the sum of Pss in /proc/PID/smaps_rollup).
pss_kb() {
	local p s=0 k
	for p in "$@"; do
		k=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
		s=$((s + ${k:-0}))
	done
	echo "$s"
}

# boot_tree DIR: the busybox guest's kernel and initramfs as DIR/boot/vmlinuz
# and DIR/boot/initrd.img, for a disk image the bootloader reads.
boot_tree() {
	mkdir -p "$1/boot"
	cp "$GUEST_KERNEL" "$1/boot/vmlinuz"
	cp "$GUEST_INITRD" "$1/boot/initrd.img"
}

# ext2_image IMAGE DIR: an ext2 image holding DIR, 4 MiB larger than it
# (mke2fs -d, no mounts; /sbin/mke2fs: busybox has its own, without -d).
ext2_image() {
	/sbin/mke2fs -q -F -t ext2 -d "$2" "$1" "$(($(du -sk "$2" | cut -f1) + 4096))k" >/dev/null ||
		fail "mke2fs -d $2 $1"
}

# test_bridge NAME [ADDRESS/PREFIX]: a bridge in dom0 for the guests' taps,
# forwarding at once (no STP delay), with ADDRESS on dom0's side when given
# (link-local addresses only: dom0 has no other network to collide with).
test_bridge() {
	local m
	for m in llc stp bridge tun; do
		insmod "$HOST_MODULES/$m.ko" 2>/dev/null
	done
	[ -c /dev/net/tun ] || fail "no /dev/net/tun in dom0"
	brctl addbr "$1" || fail "cannot create the test bridge $1"
	echo 0 >"/sys/class/net/$1/bridge/forward_delay"
	[ -z "$2" ] || ip addr add "$2" dev "$1" || fail "cannot give $1 the address $2"
	ip link set "$1" up
}

# vnc_capture DISPLAY FILE WxH [VNCSNAPSHOT OPTIONS...]: Debian's vncsnapshot
# (a client nobody here wrote) captures 127.0.0.1:DISPLAY as the JPEG FILE;
# fails unless the screen was WxH. Its report is FILE.log.
vnc_capture() {
	local display=$1 file=$2 size=$3
	shift 3
	vncsnapshot -allowblank -quality 90 "$@" "127.0.0.1:$display" "$file" >"$file.log" 2>&1 ||
		{ cat "$file.log"; fail "vncsnapshot of display :$display failed"; }
	grep -q "Image saved from .* ${size%x*}x${size#*x} screen" "$file.log" ||
		{ cat "$file.log"; fail "the capture of display :$display is not $size"; }
}

# lit_permille JPEG: how many of every 1000 pixels of a capture are not
# dark (grey level over 64): 0 for a blank screen.
lit_permille() {
	local hdr
	djpeg -grayscale -pnm "$1" >"$1.pgm" || fail "djpeg $1"
	hdr=$(head -n 3 "$1.pgm" | wc -c)
	od -An -tu1 -v -j "$hdr" "$1.pgm" | awk '{ for (i = 1; i <= NF; i++) { n++; if ($i > 64) lit++ } }
		END { printf "%d\n", n ? lit * 1000 / n : 0 }'
}

# validate_xml FILE SCHEMA: FILE is valid against libvirt's SCHEMA.rng.
SCHEMAS=/usr/share/libvirt/schemas
validate_xml() {
	xmllint --noout --relaxng "$SCHEMAS/$2.rng" "$1" 2>"$1.xmllint" ||
		{ cat "$1.xmllint"; fail "$1 does not validate against libvirt's $2.rng"; }
}
