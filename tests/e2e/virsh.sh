# Debian's own virsh (libvirt-clients 9.0) drives a xenlaunch guest through
# xvirsh-rpc, libvirt's RPC protocol with no daemon: the ext transport
# (virsh runs the server on a pipe) and the unix one (a socket). A PV busybox
# guest is defined (validated), listed, started, described precisely
# (dumpxml validates, with the domain ID xl reports), dominfo'd, suspended
# and resumed (xl sees it paused), shut down, started again and destroyed,
# its console typed into through `virsh console` (a stream), undefined;
# capabilities and domcapabilities validate against libvirt's schemas;
# `virsh event --loop` prints the lifecycle events of a guest started and
# destroyed by another virsh. Then 10,000 random and mangled
# messages each earn one well-formed reply, and an oversized, a short and a
# truncated frame end the connection without a crash. Timings of `virsh
# list` and `virsh start` beside xvirsh's own and xl's.
. ./lib.sh

SCHEMAS=/usr/share/libvirt/schemas
# The ext transport runs its command with an empty environment: a wrapper
# says where the store is.
cat >rpc-cmd <<EOF
#!/bin/sh
export XVIRSH_CONFDIR=$PWD/conf XVIRSH_RUNDIR=$PWD/run
exec /job/bin/xvirsh-rpc
EOF
chmod +x rpc-cmd
export XVIRSH_CONFDIR=$PWD/conf XVIRSH_RUNDIR=$PWD/run
URI="xen+ext:///system?command=$PWD/rpc-cmd"
v() { virsh -c "$URI" "$@"; }

show_logs() {
	for f in run/*.log; do
		[ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f" | sed 's/^/  /'; }
	done
	for f in *.err; do
		[ -s "$f" ] && { echo "--- $f"; sed 's/^/  /' "$f"; }
	done
	[ -f console.out ] && { echo "--- console.out"; tail -c 1000 console.out | cat -v; echo; }
}
cleanup() {
	st=$?
	[ "$st" = 0 ] || show_logs
	[ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null
	for f in run/*.pid; do
		pid=$(cat "$f" 2>/dev/null)
		[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
	done
}
trap cleanup EXIT

cat >guest.xml <<EOF
<domain type='xen'>
  <name>vg</name>
  <memory unit='MiB'>128</memory>
  <os>
    <type>linux</type>
    <kernel>$GUEST_KERNEL</kernel>
    <initrd>$GUEST_INITRD</initrd>
    <cmdline>$GUEST_APPEND</cmdline>
  </os>
  <devices>
    <console type='file'>
      <source path='$PWD/console.out'/>
      <target type='xen' port='0'/>
    </console>
  </devices>
</domain>
EOF

# 1. Connect: the hypervisor and the URI the server reports.
v uri >uri.out 2>uri.err || fail "virsh uri: $(cat uri.err)"
grep -qF "$URI" uri.out || fail "uri: $(cat uri.out)"
v version >version.out 2>version.err || fail "virsh version: $(cat version.err)"
grep -q "Running hypervisor: Xen 4\." version.out || fail "version: $(cat version.out)"
echo "connected: $(grep hypervisor version.out)"

# 2. define --validate, list --all.
v define --validate guest.xml >define.out 2>define.err || fail "define: $(cat define.err)"
grep -q "Domain 'vg' defined from guest.xml" define.out || fail "define: $(cat define.out)"
v list --all >list.out 2>list.err || fail "list --all: $(cat list.err)"
grep -Eq '^ +- +vg +shut off$' list.out || fail "list --all: $(cat list.out)"
echo "<domain type='xen'><name>bad</name><bogus/></domain>" >bad.xml
v define --validate bad.xml >/dev/null 2>bad.err && fail "define --validate took XML that is not valid"
grep -q "error: XML document failed to validate" bad.err || fail "invalid XML: $(cat bad.err)"
echo "define --validate: vg defined; invalid XML refused ($(tail -n 1 bad.err))"

# 3. start; list, domstate, dumpxml, dominfo agree with xl.
t0=$(now_ms)
v start vg >start.out 2>start.err || fail "start: $(cat start.err)"
t1=$(now_ms)
grep -q "Domain 'vg' started" start.out || fail "start: $(cat start.out)"
wait_for console.out '^xenlaunch-guest: ready' 120
domid=$(xl domid vg) || fail "xl does not know vg"
v list >list.out || fail "list"
grep -Eq "^ +$domid +vg +running$" list.out || fail "list (xl says $domid): $(cat list.out)"
[ "$(v domstate vg | head -n 1)" = running ] || fail "domstate: $(v domstate vg)"
[ "$(v domid vg | head -n 1)" = "$domid" ] || fail "domid: $(v domid vg)"
[ "$(v domname $domid | head -n 1)" = vg ] || fail "domname $domid"
v dumpxml vg >dump.xml 2>dump.err || fail "dumpxml: $(cat dump.err)"
grep -q "^<domain type='xen' id='$domid'>" dump.xml || fail "dumpxml: $(head -n 1 dump.xml)"
xmllint --noout --relaxng $SCHEMAS/domain.rng dump.xml 2>xmllint.err || fail "dumpxml does not validate"
uuid=$(sed -n 's|.*<uuid>\(.*\)</uuid>.*|\1|p' dump.xml)
xl list -v | grep -w vg | grep -q "$uuid" || fail "the domain does not carry the uuid $uuid"
[ "$(v domname $uuid | head -n 1)" = vg ] || fail "domname $uuid"
v dumpxml --inactive vg >inactive.xml || fail "dumpxml --inactive"
grep -q " id=" inactive.xml && fail "dumpxml --inactive has a domain ID"
v dominfo vg >dominfo.out 2>dominfo.err || fail "dominfo: $(cat dominfo.err)"
for want in "Id:             $domid" "Name:           vg" "UUID:           $uuid" "State:          running" \
	"CPU(s):         1" "Max memory:     131072 KiB" "OS Type:        linux" "Persistent:     yes" \
	"Autostart:      disable"; do
	grep -qxF "$want" dominfo.out || fail "dominfo lacks '$want': $(cat dominfo.out)"
done
echo "start: virsh returned after $(secs $t0 $t1) s; list, domstate, domid, domname (id, uuid), dumpxml (id $domid, validates), dominfo agree with xl"

# 4. suspend/resume as xl sees them; autostart.
xl_state() { xl list vg | awk 'NR == 2 { print $5 }'; }
v suspend vg >/dev/null 2>suspend.err || fail "suspend: $(cat suspend.err)"
paused=$(xl_state)
echo "$paused" | grep -q p || fail "suspended, yet xl list shows $paused"
[ "$(v domstate vg | head -n 1)" = paused ] || fail "domstate after suspend"
v resume vg >/dev/null 2>resume.err || fail "resume: $(cat resume.err)"
xl_state | grep -q p && fail "resumed, yet xl list shows $(xl_state)"
v autostart vg >/dev/null || fail "autostart"
v dominfo vg | grep -qxF "Autostart:      enable" || fail "autostart not shown by dominfo"
v list --all --autostart | grep -q vg || fail "list --autostart"
v autostart --disable vg >/dev/null || fail "autostart --disable"
echo "suspend/resume: xl shows $paused, then $(xl_state); autostart set, listed, unset"

# 5. shutdown; started again and destroyed while `virsh event` listens.
pid=$(cat run/vg.pid)
v shutdown vg >/dev/null 2>shutdown.err || fail "shutdown: $(cat shutdown.err)"
i=0
while kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*Z' /proc/$pid/status 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 1200 ] && fail "shutdown: the launcher still runs after 120 s"
	sleep 0.1
done
[ "$(v domstate vg | head -n 1)" = "shut off" ] || fail "domstate after shutdown"
assert_host_clean
virsh -c "$URI" event --loop --all >events.out 2>events.err &
evpid=$!
sleep 3
: >console.out
v start vg >/dev/null 2>start2.err || fail "second start: $(cat start2.err)"
wait_for console.out '^xenlaunch-guest: ready' 120
v destroy vg >destroy.out 2>destroy.err || fail "destroy: $(cat destroy.err)"
grep -q "Domain 'vg' destroyed" destroy.out || fail "destroy: $(cat destroy.out)"
xl domid vg >/dev/null 2>&1 && fail "destroyed, yet xl still knows vg"
wait_for events.out "event 'lifecycle' for domain 'vg': Stopped" 20
kill $evpid
grep -q "event 'lifecycle' for domain 'vg': Started" events.out || fail "no Started event: $(cat events.out)"
assert_host_clean
echo "shutdown, then start and destroy: host clean; virsh event printed: $(grep -o "Started [A-Za-z]*\|Stopped [A-Za-z]*" events.out | tr '\n' ' ')"

# 5b. console: a stream carries the guest's pty; socat is the terminal (and
# LIBVIRT_DEFAULT_URI names the server: socat splits its command at colons),
# the guest's shell answers, Ctrl-] leaves.
sed -e "s|<console type='file'>|<console type='pty'>|" -e "/console.out/d" guest.xml >guest-pty.xml
v define guest-pty.xml >/dev/null 2>define-pty.err || fail "define with a pty console: $(cat define-pty.err)"
v start vg >/dev/null 2>start3.err || fail "start with a pty console: $(cat start3.err)"
i=0
while :; do
	(sleep 2; printf 'echo con-$((6*7))\r'; sleep 3; printf '\035') |
		LIBVIRT_DEFAULT_URI=$URI socat - EXEC:"virsh console vg",pty,setsid,ctty,raw,echo=0 >con.out 2>con.err
	grep -q 'con-42' con.out && break
	i=$((i + 1))
	[ $i -gt 30 ] && fail "the guest's shell did not answer on the console: $(cat -v con.out | tail -n 5)"
done
grep -q "Connected to domain 'vg'" con.out || fail "console: no banner"
v destroy vg >/dev/null 2>destroy3.err || fail "destroy (pty console): $(cat destroy3.err)"
v define guest.xml >/dev/null || fail "define again"
assert_host_clean
echo "console: the guest's shell answered through 'virsh console' after $((i + 1)) attempt(s); Ctrl-] left"

# 6. Errors in virsh's words; undefine.
v start nosuch >/dev/null 2>nosuch.err && fail "started a domain that does not exist"
grep -q "failed to get domain 'nosuch'" nosuch.err || fail "nosuch: $(cat nosuch.err)"
v suspend vg >/dev/null 2>notrun.err && fail "suspended a shut-off domain"
grep -q "domain is not running" notrun.err || fail "suspend shut off: $(cat notrun.err)"
v undefine vg >/dev/null 2>undefine.err || fail "undefine: $(cat undefine.err)"
[ -z "$(v list --all --name)" ] || fail "list --all after undefine: $(v list --all --name)"
echo "errors: '$(tail -n 1 notrun.err)'; undefined"

# 7. capabilities, domcapabilities: libvirt's schemas.
v capabilities >caps.xml 2>caps.err || fail "capabilities: $(cat caps.err)"
xmllint --noout --relaxng $SCHEMAS/capability.rng caps.xml 2>xmllint.err ||
	{ cat xmllint.err; fail "capabilities do not validate"; }
v domcapabilities >domcaps.xml 2>domcaps.err || fail "domcapabilities: $(cat domcaps.err)"
xmllint --noout --relaxng $SCHEMAS/domaincaps.rng domcaps.xml 2>xmllint.err ||
	{ cat xmllint.err; fail "domcapabilities do not validate"; }
v nodeinfo >nodeinfo.out || fail "nodeinfo"
echo "capabilities and domcapabilities validate; nodeinfo: $(grep 'CPU(s)\|Memory size' nodeinfo.out | tr -s ' ' | tr '\n' ' ')"

# 8. The unix transport: one process per connection behind a socket.
xvirsh-rpc --listen $PWD/rpc.sock 2>listen.err &
LISTENER=$!
i=0
while [ ! -S rpc.sock ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "no socket: $(cat listen.err)"
	sleep 0.1
done
[ "$(stat -c %a rpc.sock)" = 600 ] || fail "the socket is mode $(stat -c %a rpc.sock)"
v define guest.xml >/dev/null || fail "define for the unix transport"
virsh -c "xen+unix:///system?socket=$PWD/rpc.sock" list --all >unix.out 2>unix.err || fail "unix: $(cat unix.err)"
grep -Eq '^ +- +vg +shut off$' unix.out || fail "unix list: $(cat unix.out)"
echo "unix transport: list --all through $PWD/rpc.sock"

# 9. Timings: list and start through the server, beside xvirsh's and xl's.
t0=$(now_ms); v list --all >/dev/null; t1=$(now_ms)
xvirsh list --all >/dev/null; t2=$(now_ms)
xl list >/dev/null; t3=$(now_ms)
echo "list: virsh via xvirsh-rpc $(secs $t0 $t1) s, xvirsh $(secs $t1 $t2) s, xl $(secs $t2 $t3) s"
t0=$(now_ms); v start vg >/dev/null || fail "start (timed)"; t1=$(now_ms)
v destroy vg >/dev/null || fail "destroy (timed)"
t2=$(now_ms); xvirsh start vg >/dev/null || fail "xvirsh start (timed)"; t3=$(now_ms)
xvirsh destroy vg >/dev/null || fail "xvirsh destroy (timed)"
cat >xl.cfg <<EOF
name = "vgxl"
memory = 128
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_INITRD"
extra = "$GUEST_APPEND"
EOF
t4=$(now_ms); xl create xl.cfg >/dev/null 2>&1 || fail "xl create"; t5=$(now_ms)
xl destroy vgxl
echo "start (returns): virsh via xvirsh-rpc $(secs $t0 $t1) s, xvirsh $(secs $t2 $t3) s, xl create $(secs $t4 $t5) s"
assert_host_clean

# 10. Hostile input: 10,000 random, mangled and truncated-argument messages
# on one connection, each answered; then frames that end the connection.
mkdir -p hostile/conf hostile/run
python3 - stream <<'EOF'
import os, struct, sys
P = 0x20008086
procs = [1, 3, 4, 6, 7, 9, 11, 12, 14, 15, 16, 19, 22, 23, 24, 27, 28, 29, 33, 34, 35, 59, 60, 66, 110,
         150, 151, 167, 168, 183, 196, 200, 212, 231, 234, 258, 273, 342, 350, 9999, -1]
rnd = lambda n: os.urandom(n)
def u32(n): return int.from_bytes(rnd(4), 'big') % n
def string(s): return struct.pack('>I', len(s)) + s + b'\0' * (-len(s) % 4)
opened = struct.pack('>IIiIII', P, 1, 1, 0, 99999, 0) + struct.pack('>I', 1) + string(b'xen:///system') + b'\0' * 4
out = bytearray(struct.pack('>I', len(opened) + 4) + opened)
for serial in range(10000):
    kind = serial % 4
    body = rnd(u32(120))
    if kind == 0:    # random header and body
        msg = rnd(24) + body
        if struct.unpack('>I', msg[:4])[0] == P and struct.unpack('>i', msg[8:12])[0] == 2:
            msg = b'\0' + msg[1:]    # not CONNECT_CLOSE by chance
    else:            # our header; random, or a string that claims too much, or a domain cut short
        if kind == 2:
            body = struct.pack('>I', 0xfffffff0 - u32(1000)) + body
        elif kind == 3:
            body = struct.pack('>I', 5) + b'abcde\0\0\0' + rnd(u32(16))
        msg = struct.pack('>IIiIII', P, 1, procs[u32(len(procs))], 0, serial, 0) + body
    out += struct.pack('>I', len(msg) + 4) + msg
open(sys.argv[1], 'wb').write(out)
EOF
[ -s stream ] || fail "no hostile stream"
t0=$(now_ms)
XVIRSH_CONFDIR=$PWD/hostile/conf XVIRSH_RUNDIR=$PWD/hostile/run xvirsh-rpc <stream >replies
st=$?
t1=$(now_ms)
[ $st -lt 128 ] || fail "xvirsh-rpc died with status $st on the hostile stream"
python3 - replies <<'EOF' >replies.out || fail "replies: $(cat replies.out)"
import struct, sys
data = open(sys.argv[1], 'rb').read()
off = n = errors = 0
while off < len(data):
    ln, prog, vers, proc, typ, serial, status = struct.unpack('>IIIiIII', data[off:off + 28])
    assert 28 <= ln <= len(data) - off, "bad length %d at %d" % (ln, off)
    assert prog == 0x20008086 and vers == 1 and typ == 1, "not a reply at %d" % off
    errors += status == 1
    off += ln
    n += 1
print(n, errors)
sys.exit(0 if n == 10001 else 1)
EOF
read n errs <replies.out
echo "hostile stream: $n replies to an open and 10000 hostile messages ($errs errors) in $(secs $t0 $t1) s, exit status $st"
for frame in oversized short truncated; do
	case $frame in
	oversized) printf '\177\377\377\377' >f ;;
	short) printf '\000\000\000\010' >f ;;
	truncated) printf '\000\000\000\100\040\000\200\206' >f ;;
	esac
	XVIRSH_CONFDIR=$PWD/hostile/conf XVIRSH_RUNDIR=$PWD/hostile/run xvirsh-rpc <f >f.out
	st=$?
	[ $st -lt 128 ] || fail "$frame frame: xvirsh-rpc died with status $st"
	case $frame in
	truncated) [ -s f.out ] && fail "truncated frame answered" ;;
	*) [ "$(wc -c <f.out)" -gt 28 ] || fail "$frame frame not answered with an error" ;;
	esac
done
echo "oversized and short frames answered with an error, a truncated one ends quietly; no crash"
