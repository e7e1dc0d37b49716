#!/bin/bash
# The tests' switches do not ship: the installed lo6relay ($LO6RELAY_PRODUCT)
# has no LO6RELAY_TEST_* variable and no test_reject in its BPF object, and
# starts normally with each switch set. The test binary ($LO6RELAY) honours
# them, so a switch that leaked into the product would be seen here.
. "$(dirname "$0")/lib.sh"

PRODUCT=${LO6RELAY_PRODUCT:?LO6RELAY_PRODUCT must name the installed lo6relay build}
product() { "$PRODUCT" --pin-dir "$PIN" --config "$WORK/empty.conf" "$@"; }
serve tcp 127.0.0.1 4000

is "$(grep -c LO6RELAY_TEST "$PRODUCT")" 0 "no LO6RELAY_TEST_ string in the installed binary"
is "$(grep -ac test_reject "$PRODUCT")" 0 "... nor test_reject in the BPF object it embeds"
like "$(grep -c LO6RELAY_TEST "$LO6RELAY")" "^[1-9]" "(the test binary has them)"

LO6RELAY_TEST_VERIFIER_REJECT=1 lo6 start --cgroup "$CG" --ports 4000 >/dev/null 2>&1
is "$?" 1 "(the test binary with LO6RELAY_TEST_VERIFIER_REJECT=1 fails to load)"
lo6 stop >/dev/null

# What this kernel itself lacks (5.10 has no netns cookie): the notes a
# plain start gives, which a switch must not add to.
"$PRODUCT" --pin-dir "$PIN" --config "$WORK/empty.conf" start --cgroup "$CG" --ports 4000 >/dev/null 2>"$WORK/err"
own_notes=$(grep -c 'lacks\|no cgroup hook' "$WORK/err")
"$PRODUCT" --pin-dir "$PIN" --config "$WORK/empty.conf" stop >/dev/null 2>&1

# LO6RELAY_TEST_WSL_ROOT: a NAT-mode WSL whose gateway, 198.18.0.1 (TEST-NET,
# unrouted in this namespace), would take [::1] away from the 127.0.0.1 server.
mkdir -p "$WORK/nat/proc/net" "$WORK/nat/fixture"
echo "Linux version 6.6.87.2-microsoft-standard-WSL2" >"$WORK/nat/proc/version"
echo nat >"$WORK/nat/fixture/wslinfo-networking-mode"
printf 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\nlo\t00000000\t010012C6\t0003\t0\t0\t0\t00000000\n' >"$WORK/nat/proc/net/route"
for sw in LO6RELAY_TEST_VERIFIER_REJECT=1 LO6RELAY_TEST_KILL_AT=1 LO6RELAY_TEST_KILL_AT=3 \
	LO6RELAY_TEST_LACK=connect6 LO6RELAY_TEST_LACK=sk_storage LO6RELAY_TEST_WSL_ROOT="$WORK/nat" \
	LO6RELAY_TEST_STALL_AT=1; do
	# A product that stalled (SIGSTOP) would wait here for ever: SIGKILL ends it.
	timeout -s KILL 60 env "$sw" "$PRODUCT" --pin-dir "$PIN" --config "$WORK/empty.conf" start --cgroup "$CG" \
		--ports 4000 >/dev/null 2>"$WORK/err"
	is "$?" 0 "the installed binary with $sw: start exits 0"
	is "$(grep -c 'lacks\|no cgroup hook' "$WORK/err")" "$own_notes" "... with no note of a missing feature but the kernel's own"
	like "$(probe_cg tcp ::1 4000 x)" "^ok peer=\[::1\]:4000 " "... and redirects, with the mark"
	product stop >/dev/null
done

done_testing
