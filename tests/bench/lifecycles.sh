# Lifecycle benchmark (not a timed test): the end-to-end scenario
# xenlaunch-leaks.sh with 1000 cycles instead of 32: starts of the busybox
# guest with a disk, a NIC, a console, VNC and a monitor, ended in turn by
# SIGTERM, SIGKILL, a guest poweroff and the monitor's quit; prints each
# cycle's time and the host's figures before and after, and fails if
# anything leaked. About 4 hours under emulation (9-15 s a cycle):
#   BENCH_TIMEOUT=30000 tests/bench/run-all lifecycles.sh
# (LEAK_CYCLES=N for another count).
LEAK_CYCLES=${LEAK_CYCLES:-1000}
. /job/xenlaunch-leaks.sh
