# Reference behaviour: `xl create` of the busybox PV guest (no devices)
# reaches its userspace; a line typed on its console is answered. Prints
# how long each phase took: the baseline xenlaunch is measured against.
. ./lib.sh

cat >ref.cfg <<CFG
name = "ref-pv"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_INITRD"
extra = "console=hvc0 quiet"
memory = 128
vcpus = 1
on_poweroff = "destroy"
on_reboot = "destroy"
CFG
log=/var/log/xen/guest-ref-pv.log
rm -f "$log"

t0=$(now_ms)
xl create -q ref.cfg || fail "xl create failed"
t1=$(now_ms)
wait_nonempty "$log" 60
t2=$(now_ms)
wait_for "$log" '^xenlaunch-guest: ready' 60
t3=$(now_ms)

domid=$(xl domid ref-pv)
tty=$(xenstore-read /local/domain/$domid/console/tty)
[ -c "$tty" ] || fail "console/tty '$tty' is not a pty"
# The answer, not the echoed command: 6 * 7 is only computed by the guest.
echo 'echo round-trip-$((6 * 7))' >"$tty"
wait_for "$log" '^round-trip-42' 30

xl destroy ref-pv || fail "xl destroy failed"
assert_host_clean
echo "xl create: returned $(secs $t0 $t1) s, first console byte $(secs $t0 $t2) s, guest userspace $(secs $t0 $t3) s"
