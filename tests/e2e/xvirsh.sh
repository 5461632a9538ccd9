# xvirsh on the real host. A loose PV domain XML for the busybox guest (a
# disk without driver or bus, VNC with autoport) is defined (validated
# against libvirt's domain.rng) and started (xenlaunch -daemonize behind
# it); dumpxml then comes from the launcher, precise: the domain ID, the
# disk's driver, cache, discard and bus, the VNC port it took, the vfb's
# input devices; it validates. domid/domname/domuuid/dominfo/vncdisplay
# agree with xl; suspend/resume pause the domain as xl sees it. The guest is
# shut down, defined again from the precise XML and started: the same
# description and the same xenstore devices. reboot builds the guest again;
# a launcher killed with SIGKILL is reported as gone and its domain is
# destroyed by its watchdog. edit refuses invalid XML and keeps the old
# definition, then switches the console to a pty, and `xvirsh console`
# driven through socat types into the guest's shell. A guest converted from
# an xl.cfg boots. The host is clean after each; then the host's
# capabilities validate against libvirt's capability.rng and name the
# xen/xenpv and hvm/xenfv guests, and xenpvh where the host has hvm and
# hap; a PVH guest starts from machine='xenpvh'. The two XML injections of issue 11 are
# refused by name; the monitor socket is its owner's only (0600).
. ./lib.sh

export XVIRSH_CONFDIR=$PWD/conf XVIRSH_RUNDIR=$PWD/run
SCHEMAS=/usr/share/libvirt/schemas

show_logs() {
	for f in run/*.log; do
		[ -f "$f" ] && { echo "--- $f"; sed 's/^/  /' "$f"; }
	done
	for f in console.out con.out xlg.out; do
		[ -f $f ] && { echo "--- $f (last 1500 bytes)"; tail -c 1500 $f | cat -v; echo; }
	done
	for f in *.err; do
		[ -s "$f" ] && { echo "--- $f"; sed 's/^/  /' "$f"; }
	done
}
# A launcher left running (it detached) is ended with the scenario.
cleanup() {
	st=$?
	[ "$st" = 0 ] || show_logs
	for f in run/*.pid; do
		pid=$(cat "$f" 2>/dev/null)
		[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
	done
}
trap cleanup EXIT

# wait_gone PID SECONDS: until the (detached, not our child) process ends;
# a zombie that init has not reaped yet counts as ended.
wait_gone() {
	local limit=$(($2 * 10)) i=0
	while kill -0 "$1" 2>/dev/null; do
		grep -q '^State:.*Z' /proc/$1/status 2>/dev/null && break
		i=$((i + 1))
		[ $i -gt $limit ] && fail "launcher $1 still running after $2 s"
		sleep 0.1
	done
}

cat >guest.xml <<EOF
<domain type='xen'>
  <name>xvg</name>
  <memory unit='MiB'>128</memory>
  <os>
    <type>linux</type>
    <kernel>$GUEST_KERNEL</kernel>
    <initrd>$GUEST_INITRD</initrd>
    <cmdline>$GUEST_APPEND</cmdline>
  </os>
  <devices>
    <disk type='file'>
      <source file='$PWD/disk.img'/>
      <target dev='xvdb'/>
    </disk>
    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>
    <console type='file'>
      <source path='$PWD/console.out'/>
      <target type='xen' port='0'/>
    </console>
  </devices>
</domain>
EOF

dd if=/dev/zero of=disk.img bs=1M count=8 2>/dev/null
xvirsh define --validate guest.xml 2>define.err || fail "define --validate"
xvirsh list --all | grep -Eq '^ +- +xvg +shut off$' || fail "list --all: $(xvirsh list --all)"

# 1. start, list, domstate, dumpxml, shutdown.
t0=$(now_ms)
xvirsh start xvg 2>start.err || fail "start: $(cat start.err)"
t1=$(now_ms)
pid=$(cat run/xvg.pid) || fail "no pidfile"
[ "$(stat -c %a run/xvg.monitor)" = 600 ] || fail "the monitor socket is mode $(stat -c %a run/xvg.monitor), not 600"
wait_for console.out '^xenlaunch-guest: ready' 120
t2=$(now_ms)
echo "start: xvirsh returned after $(secs $t0 $t1) s, guest ready after $(secs $t0 $t2) s"
domid=$(xl domid xvg) || fail "xl does not know xvg"
xvirsh list >list.out
grep -Eq "^ +$domid +xvg +running$" list.out || fail "list: $(cat list.out)"
[ "$(xvirsh domstate xvg | head -n 1)" = running ] || fail "domstate: $(xvirsh domstate xvg)"
t0=$(now_ms)
xvirsh dumpxml xvg >dump.xml || fail "dumpxml"
t1=$(now_ms)
xvirsh dumpxml --inactive xvg >inactive.xml || fail "dumpxml --inactive"
t2=$(now_ms)
echo "dumpxml: from the launcher $(secs $t0 $t1) s ($(wc -c <dump.xml) bytes), --inactive $(secs $t1 $t2) s ($(wc -c <inactive.xml) bytes)"
grep -q "^<domain type='xen' id='$domid'>" dump.xml || fail "dumpxml: no id='$domid': $(head -n 1 dump.xml)"
uuid=$(sed -n 's|.*<uuid>\(.*\)</uuid>.*|\1|p' dump.xml)
[ -n "$uuid" ] || fail "dumpxml: no uuid"
xl list -v | grep -w xvg | grep -q "$uuid" || fail "the domain does not carry the uuid $uuid: $(xl list -v)"
for want in "<currentMemory unit='KiB'>131072</currentMemory>" "<vcpu>1</vcpu>" \
	"machine='xenpv'" "<on_poweroff>destroy</on_poweroff>" "<on_crash>destroy</on_crash>"; do
	grep -qF "$want" dump.xml || fail "dumpxml lacks $want"
done
xmllint --noout --relaxng $SCHEMAS/domain.rng dump.xml 2>xmllint.err || fail "dumpxml does not validate"
# Precise: what the launcher filled in, not what the user wrote.
for want in "<driver name='qemu' type='raw' cache='writeback' discard='unmap'/>" \
	"<target dev='xvdb' bus='xen'/>" "<input type='keyboard' bus='xen'/>" "<model type='xen'"; do
	grep -qF "$want" dump.xml || fail "dumpxml (from the launcher) lacks $want"
done
port=$(sed -n "s|.*<graphics type='vnc' port='\([0-9]*\)' autoport='yes' listen='127.0.0.1'.*|\1|p" dump.xml)
[ -n "$port" ] || fail "dumpxml: no VNC port: $(grep graphics dump.xml)"
grep -q "id=\|cache=" inactive.xml && fail "dumpxml --inactive is not the stored definition"
echo "running: list, domstate and dumpxml (id $domid, uuid $uuid, VNC port $port, defaults filled in) agree"

# 1b. domid, domname, domuuid, dominfo, vncdisplay.
[ "$(xvirsh domid xvg | head -n 1)" = "$domid" ] || fail "domid: $(xvirsh domid xvg)"
[ "$(xvirsh domname $domid | head -n 1)" = xvg ] || fail "domname $domid: $(xvirsh domname $domid)"
[ "$(xvirsh domname $uuid | head -n 1)" = xvg ] || fail "domname $uuid"
[ "$(xvirsh domuuid xvg | head -n 1)" = "$uuid" ] || fail "domuuid: $(xvirsh domuuid xvg)"
[ "$(xvirsh vncdisplay xvg | head -n 1)" = "127.0.0.1:$((port - 5900))" ] ||
	fail "vncdisplay: $(xvirsh vncdisplay xvg), port $port"
xvirsh dominfo xvg >dominfo.out || fail "dominfo"
for want in "Id:             $domid" "Name:           xvg" "UUID:           $uuid" "State:          running" \
	"CPU(s):         1" "Max memory:     131072 KiB" "OS Type:        linux" "Persistent:     yes"; do
	grep -qxF "$want" dominfo.out || fail "dominfo lacks '$want': $(cat dominfo.out)"
done
echo "domid, domname (by id and uuid), domuuid, vncdisplay ($(xvirsh vncdisplay xvg | head -n 1)), dominfo agree with xl"
xenstore-list /local/domain/$domid/device/vbd >vbd1.out || fail "no vbd in xenstore"

# 1c. suspend and resume: the vCPUs paused as xl sees them.
xl_state() { xl list xvg | awk 'NR == 2 { print $5 }'; }
xvirsh suspend xvg >/dev/null 2>suspend.err || fail "suspend: $(cat suspend.err)"
paused=$(xl_state)
echo "$paused" | grep -q p || fail "suspended, yet xl list shows state $paused"
[ "$(xvirsh domstate xvg | head -n 1)" = paused ] || fail "domstate after suspend: $(xvirsh domstate xvg)"
xvirsh resume xvg >/dev/null 2>resume.err || fail "resume: $(cat resume.err)"
xl_state | grep -q p && fail "resumed, yet xl list shows state $(xl_state)"
[ "$(xvirsh domstate xvg | head -n 1)" = running ] || fail "domstate after resume"
echo "suspend/resume: xl list shows the domain paused ($paused), then not ($(xl_state))"

t0=$(now_ms)
xvirsh shutdown xvg 2>shutdown.err || fail "shutdown: $(cat shutdown.err)"
wait_gone "$pid" 120
t1=$(now_ms)
[ "$(xvirsh domstate xvg | head -n 1)" = "shut off" ] || fail "domstate after shutdown: $(xvirsh domstate xvg)"
xvirsh list | grep -q xvg && fail "list still shows xvg after shutdown"
[ -e run/xvg.pid ] && fail "the pidfile outlived the launcher"
assert_host_clean
tail -n 2 run/xvg.log | sed 's/^/  /'
echo "shutdown: launcher gone $(secs $t0 $t1) s after 'xvirsh shutdown', host clean"

# 2. Started again from the precise XML: the same hardware.
cp dump.xml precise.xml
xvirsh define precise.xml >/dev/null 2>define2.err || fail "define the precise XML: $(cat define2.err)"
: >console.out
xvirsh start xvg 2>start.err || fail "start from the precise XML: $(cat start.err)"
pid=$(cat run/xvg.pid) || fail "no pidfile (second start)"
wait_for console.out '^xenlaunch-guest: ready' 120
domid=$(xl domid xvg) || fail "xl does not know xvg (second start)"
xvirsh dumpxml xvg >dump2.xml || fail "dumpxml (second start)"
sed "s/ id='[0-9]*'//" dump.xml >a.xml
sed "s/ id='[0-9]*'//" dump2.xml >b.xml
diff a.xml b.xml >precise.diff || fail "started from its precise XML, the guest is described differently: $(cat precise.diff)"
xenstore-list /local/domain/$domid/device/vbd >vbd2.out
cmp -s vbd1.out vbd2.out || fail "xenstore vbd devices differ: $(cat vbd1.out) vs $(cat vbd2.out)"
echo "restart from the precise XML: the same description ($(wc -l <b.xml) lines) and vbd devices ($(tr '\n' ' ' <vbd2.out))"

# 3. reboot: the launcher builds the guest again.
old=$domid
xvirsh reboot xvg >/dev/null 2>reboot.err || fail "reboot: $(cat reboot.err)"
wait_count console.out 'xenlaunch-guest: ready' 2 120
domid=$(xl domid xvg) || fail "no xvg after reboot"
[ "$(xvirsh domid xvg | head -n 1)" = "$domid" ] || fail "domid after reboot: $(xvirsh domid xvg) vs $domid"
echo "reboot: domain $old became $domid, the guest booted again"

# 4. A launcher that died is noticed and reported, not trusted.
kill -KILL "$pid"
wait_gone "$pid" 30
i=0
while xl domid xvg >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 300 ] && fail "the watchdog did not destroy the domain of the killed launcher"
	sleep 0.1
done
# The watchdog removes the launcher's pidfile and monitor socket too.
i=0
while [ -e run/xvg.pid ] || [ -e run/xvg.monitor ]; do
	i=$((i + 1))
	[ $i -gt 50 ] && fail "the watchdog left the killed launcher's pidfile or monitor socket"
	sleep 0.1
done
[ "$(xvirsh domstate xvg | head -n 1)" = "shut off" ] || fail "domstate after SIGKILL"
# A pidfile whose launcher is gone (its watchdog killed with it) is
# reported and removed, not trusted.
echo "$pid" >run/xvg.pid
[ "$(xvirsh domstate xvg 2>dead.err | head -n 1)" = "shut off" ] || fail "domstate with a stale pidfile"
grep -q "the launcher of domain 'xvg' (pid $pid) is gone" dead.err || fail "not reported: $(cat dead.err)"
if [ -e run/xvg.pid ] || [ -e run/xvg.monitor ]; then fail "stale pidfile or monitor socket kept"; fi
assert_host_clean
echo "killed launcher: domain, pidfile and monitor socket removed by the watchdog; a stale pidfile reported ($(cat dead.err)); host clean"

# 5. edit: invalid XML is refused and the old definition kept; then the
# console becomes a pty.
xvirsh dumpxml --inactive xvg >before.xml
cat >bad-editor <<'EOF'
#!/bin/sh
echo "<domain type='xen'><name>xvg</name><bogus/>" >"$1"
EOF
cat >pty-editor <<'EOF'
#!/bin/sh
sed -i -e "s|<console type='file'>|<console type='pty'>|" -e "/console.out/d" "$1"
EOF
chmod +x bad-editor pty-editor
EDITOR=./bad-editor xvirsh edit xvg >edit.out 2>edit.err && fail "edit accepted invalid XML"
grep -q "^error: " edit.err || fail "edit: no error: $(cat edit.err)"
xvirsh dumpxml --inactive xvg | cmp -s - before.xml || fail "a refused edit changed the definition"
refused=$(head -n 1 edit.err)
EDITOR=./pty-editor xvirsh edit xvg >edit.out 2>edit.err || fail "edit: $(cat edit.err)"
xvirsh dumpxml --inactive xvg | grep -q "<console type='pty'>" || fail "edit did not save the pty console"
echo "edit: invalid XML refused ($refused), old definition kept; the pty console saved"

# 6. console: socat is the terminal; the guest's shell answers, Ctrl-] leaves.
xvirsh start xvg 2>start.err || fail "start with a pty console: $(cat start.err)"
pid=$(cat run/xvg.pid)
i=0
while :; do
	(sleep 1; printf 'echo con-$((6*7))\r'; sleep 2; printf '\035') |
		socat - EXEC:"xvirsh console xvg",pty,setsid,ctty,raw,echo=0 >con.out 2>con.err
	grep -q 'con-42' con.out && break
	i=$((i + 1))
	[ $i -gt 40 ] && fail "the guest's shell did not answer on the console"
done
grep -q "Connected to domain 'xvg'" con.out || fail "console: no banner"
echo "console: the guest's shell answered through 'xvirsh console' after $((i + 1)) attempt(s); Ctrl-] left"
t0=$(now_ms)
xvirsh destroy xvg >/dev/null 2>destroy.err || fail "destroy: $(cat destroy.err)"
t1=$(now_ms)
wait_gone "$pid" 30
[ "$(xvirsh domstate xvg | head -n 1)" = "shut off" ] || fail "domstate after destroy"
assert_host_clean
echo "destroy: $(secs $t0 $t1) s, host clean"

# 7. An xl user's config, converted, boots.
cat >xlg.cfg <<EOF
# a PV guest as xl users write it
name = "xlg"
memory = 96
vcpus = 1
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_INITRD"
extra = "$GUEST_APPEND"
disk = [ "format=raw, vdev=xvda, access=rw, target=$PWD/disk.img" ]
serial = "file:$PWD/xlg.out"
EOF
xvirsh domxml-from-native xen-xl xlg.cfg >xlg.xml 2>xlg.err || fail "domxml-from-native xen-xl: $(cat xlg.err)"
xvirsh define --validate xlg.xml >/dev/null 2>define3.err || fail "define xlg: $(cat define3.err)"
xvirsh start xlg 2>start.err || fail "start xlg: $(cat start.err)"
pid=$(cat run/xlg.pid)
wait_for xlg.out '^xenlaunch-guest: ready' 120
mem=$(xl list xlg | awk 'NR == 2 { print $3 }')
[ -n "$mem" ] || fail "xl does not list xlg"
xvirsh destroy xlg >/dev/null || fail "destroy xlg"
wait_gone "$pid" 30
xvirsh undefine xlg >/dev/null || fail "undefine xlg"
assert_host_clean
echo "xl.cfg: converted, defined, booted (xl list: $mem MiB for memory = 96), destroyed"

# 8. The host's capabilities.
xvirsh capabilities >caps.xml 2>caps.err || fail "capabilities: $(cat caps.err)"
xmllint --noout --relaxng $SCHEMAS/capability.rng caps.xml 2>xmllint.err ||
	{ cat xmllint.err caps.xml; fail "capabilities do not validate against capability.rng"; }
xmllint --xpath "//guest[os_type='xen']/arch/machine[.='xenpv']" caps.xml >/dev/null 2>&1 ||
	fail "capabilities: no xen guest with machine xenpv"
xmllint --xpath "//guest[os_type='hvm']/arch/machine[.='xenfv']" caps.xml >/dev/null 2>&1 ||
	fail "capabilities: no hvm guest with machine xenfv"
xmllint --xpath "//guest/arch/domain[@type='xen']" caps.xml >/dev/null 2>&1 ||
	fail "capabilities: no domain type xen"
echo "capabilities validate against capability.rng: $(xmllint --xpath 'string(//host/cpu/arch)' caps.xml) host," \
	"guests $(xmllint --xpath "//guest/os_type/text()" caps.xml | tr '\n' ' ')"
xvirsh domcapabilities >domcaps.xml 2>domcaps.err || fail "domcapabilities: $(cat domcaps.err)"
xmllint --noout --relaxng $SCHEMAS/domaincaps.rng domcaps.xml 2>xmllint.err ||
	{ cat xmllint.err; fail "domcapabilities do not validate against domaincaps.rng"; }
echo "domcapabilities validate against domaincaps.rng"

# 8b. PVH: listed where the host runs it (hvm and hap in virt_caps), and a
# guest of libvirt's older spelling <type machine='xenpvh'>xen</type> starts
# as -M xenpvh; its precise XML is libvirt's <type>xenpvh</type>.
if xl info | grep '^virt_caps' | grep -q 'hvm.*hap'; then
	xmllint --xpath "//guest[os_type='xen']/arch/machine[.='xenpvh']" caps.xml >/dev/null 2>&1 ||
		fail "capabilities: the host has hvm and hap, but no xenpvh machine"
else
	xmllint --xpath "//machine[.='xenpvh']" caps.xml >/dev/null 2>&1 &&
		fail "capabilities: xenpvh listed on a host without hvm and hap"
fi
xvirsh domcapabilities --machine xenpvh >pvhcaps.xml 2>pvhcaps.err || fail "domcapabilities xenpvh: $(cat pvhcaps.err)"
xmllint --noout --relaxng $SCHEMAS/domaincaps.rng pvhcaps.xml 2>xmllint.err ||
	{ cat xmllint.err; fail "domcapabilities xenpvh do not validate against domaincaps.rng"; }
cat >pvh.xml <<EOF
<domain type='xen'>
  <name>xpvh</name>
  <memory unit='MiB'>128</memory>
  <os>
    <type arch='x86_64' machine='xenpvh'>xen</type>
    <kernel>$GUEST_KERNEL</kernel>
    <initrd>$GUEST_INITRD</initrd>
    <cmdline>$GUEST_APPEND</cmdline>
  </os>
  <devices>
    <console type='file'>
      <source path='$PWD/pvh.out'/>
      <target type='xen' port='0'/>
    </console>
  </devices>
</domain>
EOF
xvirsh define --validate pvh.xml >/dev/null 2>pvhdef.err || fail "define the PVH guest: $(cat pvhdef.err)"
xvirsh start xpvh 2>start.err || fail "start xpvh: $(cat start.err)"
pid=$(cat run/xpvh.pid) || fail "no pidfile for xpvh"
grep -q 'xenpvh "xpvh" started' run/xpvh.log || fail "xpvh was not built as -M xenpvh: $(tail -n 3 run/xpvh.log)"
xvirsh dumpxml xpvh >pvhdump.xml || fail "dumpxml xpvh"
grep -q "<type arch='x86_64' machine='xenpvh'>xenpvh</type>" pvhdump.xml ||
	fail "dumpxml xpvh: $(grep '<type' pvhdump.xml)"
xvirsh destroy xpvh >/dev/null || fail "destroy xpvh"
wait_gone "$pid" 30
xvirsh undefine xpvh >/dev/null || fail "undefine xpvh"
assert_host_clean
echo "xenpvh: in capabilities and domcapabilities, machine='xenpvh' started as -M xenpvh, described as <type>xenpvh</type>"

# 9. XML cannot inject launcher options: the two injections once made a
# disk of /etc/shadow and ran a script of the author's choice as root.
cat >evil-disk.xml <<EOF
<domain type='xen'>
  <name>evil</name>
  <memory unit='MiB'>64</memory>
  <os><type>linux</type><kernel>$GUEST_KERNEL</kernel></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' cache='writeback,file=/etc/shadow'/>
      <source file='$PWD/disk.img'/>
      <target dev='xvda' bus='xen'/>
    </disk>
  </devices>
</domain>
EOF
cat >evil-nic.xml <<EOF
<domain type='xen'>
  <name>evil</name>
  <memory unit='MiB'>64</memory>
  <os><type>linux</type><kernel>$GUEST_KERNEL</kernel></os>
  <devices>
    <interface type='bridge'>
      <source bridge='xenbr0'/>
      <target dev='vnet0,script=/tmp/evil'/>
    </interface>
  </devices>
</domain>
EOF
xvirsh define evil-disk.xml >/dev/null 2>evil-disk.err && fail "defined the disk XML that names /etc/shadow"
cat >evil-disk.want <<'EOF'
error: Failed to define domain from evil-disk.xml
error: invalid value 'writeback,file=/etc/shadow' of attribute 'cache' of 'devices/disk/driver' (expected default, none, writethrough, writeback, directsync, unsafe)
EOF
cmp -s evil-disk.err evil-disk.want || fail "the disk injection: $(cat evil-disk.err)"
xvirsh define evil-nic.xml >/dev/null 2>evil-nic.err && fail "defined the NIC XML that names a script"
cat >evil-nic.want <<'EOF'
error: Failed to define domain from evil-nic.xml
error: invalid value 'vnet0,script=/tmp/evil' of attribute 'dev' of 'devices/interface/target' (an interface name: 1 to 15 characters, no '/', ':' or blank)
EOF
cmp -s evil-nic.err evil-nic.want || fail "the NIC injection: $(cat evil-nic.err)"
xvirsh list --all | grep -qw evil && fail "a refused definition is listed"
echo "XML injection: <driver cache='writeback,file=/etc/shadow'/> and <target dev='vnet0,script=/tmp/evil'/> refused by name"

xvirsh undefine xvg >/dev/null || fail "undefine"
xvirsh list --all | grep -q xvg && fail "undefined, still listed"
echo "undefine: gone"
