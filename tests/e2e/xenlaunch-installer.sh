# Direct kernel boot of an installer: the Debian installer's text netboot
# kernel and initrd boot as a PV guest, and its first screen (language
# selection) appears on the console.
. ./lib.sh

t0=$(now_ms)
# With 512 MiB the installer enters its low-memory mode, which skips the
# language selection; 900 MiB is what the nested host has free.
start_launcher installer.log -name installer -M xenpv -m 900 \
	-kernel "$INSTALLER_KERNEL" -initrd "$INSTALLER_INITRD" \
	-append "console=hvc0 quiet" -serial file:installer.out
# The installer draws with newt: look for the words, not for lines.
i=0
until grep -aq '\[!!\] Select a language' installer.out 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 4800 ]; then
		tail -c 3000 installer.out | cat -v
		fail "no language selection after 480 s"
	fi
	sleep 0.1
done
t1=$(now_ms)
echo "installer: language selection on the console after $(secs $t0 $t1) s"
kill -TERM "$LAUNCHER_PID"
wait_exit "$LAUNCHER_PID" 60
[ "$EXIT_STATUS" = 0 ] || fail "exit status $EXIT_STATUS, want 0"
assert_host_clean
