# Helpers for end-to-end scenarios, sourced by each scenario inside dom0.
# A scenario is a sh script that exits 0 when it passed; `fail` ends it.

# Milliseconds of dom0 uptime (10 ms resolution).
now_ms() {
	local up
	read -r up _ </proc/uptime
	echo $((${up%.*} * 1000 + 10#${up#*.} * 10))
}

# Seconds, with two decimals, between two now_ms readings.
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1000 }'; }

fail() {
	echo "FAIL: $*"
	exit 1
}

# wait_for FILE PATTERN SECONDS: until FILE holds a line matching the
# extended regular expression PATTERN; fails after SECONDS.
wait_for() {
	local file=$1 pattern=$2 limit=$(($3 * 20)) i=0
	while ! grep -Eq "$pattern" "$file" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $limit ] && fail "no '$pattern' in $file after $3 s"
		sleep 0.05
	done
}

# wait_nonempty FILE SECONDS: until FILE has at least one byte.
wait_nonempty() {
	local file=$1 limit=$(($2 * 100)) i=0
	while [ ! -s "$file" ]; do
		i=$((i + 1))
		[ $i -gt $limit ] && fail "$file still empty after $2 s"
		sleep 0.01
	done
}

# The domain ids in `xl list` besides Domain-0.
guest_domids() { xl list | awk 'NR > 2 { print $2 }'; }

# Fails unless only Domain-0 runs and xenstore holds nothing of any guest.
assert_host_clean() {
	local ids left
	ids=$(guest_domids)
	[ -z "$ids" ] || fail "domains left running: $ids"
	left=$(xenstore-list /local/domain | grep -vx 0 || true)
	[ -z "$left" ] || fail "xenstore /local/domain still has: $left"
	left=$(xenstore-list /vm 2>/dev/null || true)
	[ -z "$left" ] || fail "xenstore /vm still has: $left"
}
