# The demo, inside dom0. The xenpv launcher is not there yet, so the
# reference guest is started with xl and its console attached here.
echo "demo: xenlaunch cannot start guests yet; starting the reference guest with xl"
cat >demo.cfg <<CFG
name = "demo"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_INITRD"
extra = "console=hvc0 quiet"
memory = 128
on_poweroff = "destroy"
on_reboot = "destroy"
CFG
if [ -t 0 ]; then
	echo "demo: the guest's console follows; type 'poweroff -f' in it to end the demo"
	exec xl create -c demo.cfg
fi
xl create -q demo.cfg
log=/var/log/xen/guest-demo.log
i=0
until grep -q 'xenlaunch-guest: ready' "$log" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 600 ] && { echo "demo: the guest did not come up"; exit 1; }
	sleep 0.1
done
tty=$(xenstore-read /local/domain/$(xl domid demo)/console/tty)
echo 'uname -a; cat /proc/meminfo | head -n 1' >"$tty"
sleep 2
cat "$log"
xl destroy demo
echo "demo: done"
