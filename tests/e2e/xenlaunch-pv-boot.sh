# The "PV + direct kernel" example of the 2007 talk, with the busybox guest:
# output arrives on -serial pty, file: and stdio; a line typed into the pty
# is answered; SIGTERM ends it all and leaves nothing behind.
. ./lib.sh

# -serial pty: echo round trip through the pty.
t0=$(now_ms)
start_launcher pty.log -name demo -M xenpv -m 128 \
	-kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "$GUEST_APPEND" -serial pty
pty=$(pty_of pty.log)
[ -c "$pty" ] || fail "no pty at '$pty'"
cat "$pty" >console.out 2>/dev/null &
reader=$!
domid=$(domid_of demo 60)
[ "$(xenstore-read /local/domain/$domid/console/tty)" = "$pty" ] || fail "console/tty is not $pty"
[ "$(xenstore-read /local/domain/$domid/console/type)" = ioemu ] || fail "console/type is not ioemu"
wait_nonempty console.out 60
t1=$(now_ms)
wait_for console.out '^xenlaunch-guest: ready' 60
t2=$(now_ms)
echo 'echo round-trip-$((6 * 7))' >"$pty"
wait_for console.out '^round-trip-42' 30
kill -TERM "$LAUNCHER_PID"
wait_exit "$LAUNCHER_PID" 30
kill "$reader" 2>/dev/null
[ "$EXIT_STATUS" = 0 ] || fail "SIGTERM: exit status $EXIT_STATUS, want 0"
assert_host_clean
echo "xenlaunch -serial pty: first console byte $(secs $t0 $t1) s, guest userspace $(secs $t0 $t2) s"
echo "launcher log:"
sed 's/^/  /' pty.log

# -serial file: the guest's output lands in the file.
start_launcher file.log -name demo-file -M xenpv -m 128 \
	-kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "$GUEST_APPEND" -serial file:guest.out
wait_for guest.out '^xenlaunch-guest: ready' 60
kill -INT "$LAUNCHER_PID"
wait_exit "$LAUNCHER_PID" 30
[ "$EXIT_STATUS" = 0 ] || fail "SIGINT: exit status $EXIT_STATUS, want 0"
assert_host_clean

# -serial stdio: the guest's output on the launcher's stdout, its input from stdin.
mkfifo in.fifo
xenlaunch -name demo-stdio -M xenpv -m 128 -kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" \
	-append "$GUEST_APPEND" -serial stdio <in.fifo >stdio.out 2>stdio.log &
LAUNCHER_PID=$!
exec 3>in.fifo
wait_for stdio.out '^xenlaunch-guest: ready' 60
echo 'echo stdio-$((6 * 7))' >&3
wait_for stdio.out '^stdio-42' 30
echo 'poweroff -f' >&3
wait_exit "$LAUNCHER_PID" 30
exec 3>&-
[ "$EXIT_STATUS" = 0 ] || fail "guest poweroff: exit status $EXIT_STATUS, want 0"
assert_host_clean
echo "pty, file: and stdio all carried the console"
