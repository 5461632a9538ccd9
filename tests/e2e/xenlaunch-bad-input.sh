# Bad input gets a clear message naming the problem, a non-zero exit status
# and no domain.
. ./lib.sh

# expect_error STATUS PATTERN ARGS...: xenlaunch ARGS exits with STATUS,
# prints PATTERN (an extended regular expression) and leaves no domain.
expect_error() {
	local want=$1 pattern=$2 rc
	shift 2
	xenlaunch "$@" >out.txt 2>&1 </dev/null
	rc=$?
	[ "$rc" = "$want" ] || { cat out.txt; fail "xenlaunch $*: exit status $rc, want $want"; }
	grep -Eq -e "$pattern" out.txt || { cat out.txt; fail "xenlaunch $*: no '$pattern' in its message"; }
	assert_host_clean
	echo "ok ($rc): $(tail -n 1 out.txt)"
}

base="-M xenpv -serial null"
expect_error 2 'nonexistent.*No such file' $base -kernel /nonexistent -name bad1
head -c 300000 "$GUEST_KERNEL" >truncated
expect_error 1 'kernel' $base -kernel truncated -name bad2
dd if=/dev/urandom of=corrupt bs=1k count=512 2>/dev/null
expect_error 1 'kernel' $base -kernel corrupt -name bad3
dd if=/dev/urandom of=big.img bs=1M count=80 2>/dev/null
expect_error 1 'too large|memory' $base -m 64 -kernel "$GUEST_KERNEL" -initrd big.img -name bad4
rm -f big.img
expect_error 2 '-m' $base -m 0 -kernel "$GUEST_KERNEL" -name bad5
expect_error 2 '-m' $base -m 99999999 -kernel "$GUEST_KERNEL" -name bad6
expect_error 2 "pc" -M pc -kernel "$GUEST_KERNEL" -name bad7
expect_error 2 '-serial' -M xenpv -serial bogus:x -kernel "$GUEST_KERNEL" -name bad8
expect_error 2 '-frobnicate' $base -frobnicate -kernel "$GUEST_KERNEL"
expect_error 2 '-hdz|invalid option' $base -hdz x -kernel "$GUEST_KERNEL"
expect_error 2 '-rtc base=2006-02-30: invalid datetime format' $base -rtc base=2006-02-30 -kernel "$GUEST_KERNEL"
# Xen keeps a domain's clock offset in 32 bits of seconds: 2100 is too far.
expect_error 1 '-rtc: the date is more than' $base -rtc base=2100-01-01 -kernel "$GUEST_KERNEL" -name bad9
