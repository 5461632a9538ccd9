# One owner of the guest's life: every way of ending the launcher or the
# guest leaves only Domain-0 in `xl list` and nothing of the guest under
# /local/domain or /vm, with the exit status each way promises.
. ./lib.sh

# boot NAME [ARGS...]: starts the busybox guest with its console in NAME.out
# and waits for its shell.
boot() {
	local name=$1
	shift
	start_launcher "$name.log" -name "$name" -M xenpv -m 128 -kernel "$GUEST_KERNEL" \
		-initrd "$GUEST_INITRD" -append "$GUEST_APPEND" -serial "file:$name.out" "$@"
	wait_for "$name.out" '^xenlaunch-guest: ready' 90
	DOMID=$(domid_of "$name" 10)
}

# ended NAME WANT: the launcher ended with status WANT and left nothing.
ended() {
	wait_exit "$LAUNCHER_PID" 60
	[ "$EXIT_STATUS" = "$2" ] || { cat "$1.log"; fail "$1: exit status $EXIT_STATUS, want $2"; }
	assert_host_clean
	echo "$1: exit status $EXIT_STATUS, host clean"
}

for sig in TERM INT QUIT; do
	boot "sig$sig"
	kill -$sig "$LAUNCHER_PID"
	ended "sig$sig" 0
done

# SIGKILL: the launcher cannot clean up; its watchdog must.
boot sigkill
kill -KILL "$LAUNCHER_PID"
wait "$LAUNCHER_PID" 2>/dev/null
i=0
while [ -n "$(guest_domids)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
assert_host_clean
echo "sigkill: the watchdog destroyed domain $DOMID, host clean"

# The guest powers itself off.
boot poweroff
xl sysrq "$DOMID" o
ended poweroff 0

# The toolstack asks the guest to power off (what the monitor's
# system_powerdown does): control/shutdown, answered by the guest's init.
boot powerdown -monitor unix:powerdown.sock,server,nowait
(echo system_powerdown; sleep 1) | socat - UNIX-CONNECT:powerdown.sock >monitor.out 2>&1 &
ended powerdown 0

# The guest reboots, and -no-reboot turns that into an exit.
boot noreboot -no-reboot
xenstore-write /local/domain/$DOMID/control/shutdown reboot
ended noreboot 0

# Without -no-reboot a reboot builds the guest again.
boot reboot
old=$DOMID
xenstore-write /local/domain/$DOMID/control/shutdown reboot
wait_count reboot.out '^xenlaunch-guest: ready' 2 90
new=$(domid_of reboot 10)
[ "$new" != "$old" ] || fail "reboot: still domain $old"
echo "reboot: domain $old rebuilt as domain $new"
kill -TERM "$LAUNCHER_PID"
ended reboot 0

# The guest crashes (sysrq c): a distinct status, and the launcher says so.
boot crash
xl sysrq "$DOMID" c
ended crash 3
grep -q crash crash.log || fail "crash: the log does not say the guest crashed"
