# xvirsh on the real host: a PV domain XML for the busybox guest is defined
# (validated against libvirt's domain.rng), started (xenlaunch -daemonize
# behind it), seen running in list/domstate, described by dumpxml (precise:
# uuid, defaults, id), shut down through the monitor (the guest answers
# control/shutdown) and destroyed; the host is clean after each. Then the
# host's capabilities validate against libvirt's capability.rng and name
# the xen/xenpv and hvm/xenfv guests.
. ./lib.sh

export XVIRSH_CONFDIR=$PWD/conf XVIRSH_RUNDIR=$PWD/run
SCHEMAS=/usr/share/libvirt/schemas

show_logs() {
	for f in run/*.log; do
		[ -f "$f" ] && { echo "--- $f"; sed 's/^/  /' "$f"; }
	done
	[ -f console.out ] && { echo "--- console.out (last 1500 bytes)"; tail -c 1500 console.out | cat -v; echo; }
	for f in *.err; do
		[ -s "$f" ] && { echo "--- $f"; sed 's/^/  /' "$f"; }
	done
}
# A launcher left running (it detached) is ended with the scenario.
cleanup() {
	st=$?
	[ "$st" = 0 ] || show_logs
	pid=$(cat run/xvg.pid 2>/dev/null)
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
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
    <console type='file'>
      <source path='$PWD/console.out'/>
      <target type='xen' port='0'/>
    </console>
  </devices>
</domain>
EOF

xvirsh define --validate guest.xml 2>define.err || fail "define --validate"
xvirsh list --all | grep -Eq '^ +- +xvg +shut off$' || fail "list --all: $(xvirsh list --all)"

# 1. start, list, domstate, dumpxml, shutdown.
t0=$(now_ms)
xvirsh start xvg 2>start.err || fail "start: $(cat start.err)"
t1=$(now_ms)
pid=$(cat run/xvg.pid) || fail "no pidfile"
wait_for console.out '^xenlaunch-guest: ready' 120
t2=$(now_ms)
echo "start: xvirsh returned after $(secs $t0 $t1) s, guest ready after $(secs $t0 $t2) s"
domid=$(xl domid xvg) || fail "xl does not know xvg"
xvirsh list >list.out
grep -Eq "^ +$domid +xvg +running$" list.out || fail "list: $(cat list.out)"
[ "$(xvirsh domstate xvg | head -n 1)" = running ] || fail "domstate: $(xvirsh domstate xvg)"
xvirsh dumpxml xvg >dump.xml || fail "dumpxml"
grep -q "^<domain type='xen' id='$domid'>" dump.xml || fail "dumpxml: no id='$domid': $(head -n 1 dump.xml)"
uuid=$(sed -n 's|.*<uuid>\(.*\)</uuid>.*|\1|p' dump.xml)
[ -n "$uuid" ] || fail "dumpxml: no uuid"
xl list -v | grep -w xvg | grep -q "$uuid" || fail "the domain does not carry the uuid $uuid: $(xl list -v)"
for want in "<currentMemory unit='KiB'>131072</currentMemory>" "<vcpu>1</vcpu>" \
	"machine='xenpv'" "<on_poweroff>destroy</on_poweroff>" "<on_crash>destroy</on_crash>"; do
	grep -qF "$want" dump.xml || fail "dumpxml lacks $want"
done
xmllint --noout --relaxng $SCHEMAS/domain.rng dump.xml 2>xmllint.err || fail "dumpxml does not validate"
echo "running: list, domstate and dumpxml (id $domid, uuid $uuid, defaults filled in) agree"

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

# 2. start again, destroy.
: >console.out
xvirsh start xvg 2>start.err || fail "second start: $(cat start.err)"
pid=$(cat run/xvg.pid) || fail "no pidfile (second start)"
wait_for console.out '^xenlaunch-guest: ready' 120
t0=$(now_ms)
xvirsh destroy xvg 2>destroy.err || fail "destroy: $(cat destroy.err)"
t1=$(now_ms)
wait_gone "$pid" 30
[ "$(xvirsh domstate xvg | head -n 1)" = "shut off" ] || fail "domstate after destroy"
assert_host_clean
echo "destroy: $(secs $t0 $t1) s, host clean"

# 3. The host's capabilities.
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

xvirsh undefine xvg >/dev/null || fail "undefine"
xvirsh list --all | grep -q xvg && fail "undefined, still listed"
echo "undefine: gone"
