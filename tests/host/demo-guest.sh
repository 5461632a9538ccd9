# The demo, inside dom0: the busybox guest started by xenlaunch, its console
# (-serial stdio) on the terminal of the person who ran `make demo`.
set -- -name demo -M xenpv -m 128 -kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" \
	-append "console=hvc0 quiet" -serial stdio -vnc 0.0.0.0:1
echo "demo: xenlaunch $*"
echo "demo: the guest's screen is a VNC display at 127.0.0.1:5901 on the machine that ran make demo (vncviewer 127.0.0.1:1)"
if [ -t 0 ]; then
	echo "demo: the guest's console follows; 'poweroff' in it (or Ctrl-C) ends the demo"
	exec xenlaunch "$@"
fi
# No terminal: type a few commands into the guest ourselves.
mkfifo console.in
xenlaunch "$@" <console.in >console.out 2>launcher.log &
pid=$!
exec 3>console.in
i=0
until grep -q 'xenlaunch-guest: ready' console.out 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 1200 ] || ! kill -0 $pid 2>/dev/null; then
		cat launcher.log console.out
		echo "demo: the guest did not come up"
		exit 1
	fi
	sleep 0.1
done
echo 'uname -a; head -n 1 /proc/meminfo; poweroff' >&3
wait $pid
rc=$?
cat launcher.log console.out
echo "demo: xenlaunch exited with status $rc"
exit $rc
