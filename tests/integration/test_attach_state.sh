#!/bin/bash
# "Is it attached, and how" is read once (attach_state_read): status, doctor
# and start each walk the cgroup tree once, however many hooks are linked,
# and status and doctor tell the same story.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || { echo "1..0 # SKIP strace missing"; exit 0; }
CGROOT=${CG%/*}

# A few siblings, and the instance below one of them, so a walk has work to do.
for d in a b c d; do mkdir "$CG/$d"; done
mkdir "$CG/d/x"
trap 'lo6 stop >/dev/null 2>&1; rmdir "$CG/d/x" "$CG"/[abcd]; cleanup' EXIT
lo6 start --cgroup "$CG/d/x" --loopback4 --ports 6400 >/dev/null 2>&1
ok $? "start with every hook"

# walks CMD...: how many times CMD opens the cgroup mount's root, where every walk begins.
walks() {
	# LeakSanitizer cannot run under ptrace (the sanitized build's run): off here.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -e trace=openat -o "$WORK/strace" "$@" >/dev/null 2>&1
	grep -c "openat([^,]*, \"$CGROOT\"" "$WORK/strace"
}
is "$(walks "$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf" status)" 1 "status walks the cgroup tree once"
is "$(walks "$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf" doctor)" 1 "doctor walks it once"
is "$(walks "$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf" start --cgroup "$CG/d/x" --loopback4)" 1 "start over a running instance walks it once"

json() { lo6 status --json | "$PY" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
lo6 doctor >"$WORK/doctor" 2>&1
is "$(json cgroup)" "$CG/d/x" "status names the cgroup"
like "$(cat "$WORK/doctor")" "ok +attached +to $CG/d/x \(program id $(json prog_id)\)" "doctor names the same cgroup and program"
is "$(json hooks)" "connect6 getpeername6 getsockname6 recvmsg6 connect4 getpeername4 recvmsg4" "status: every hook live"
like "$(cat "$WORK/doctor")" "info +hooks +linked: getpeername6 getsockname6 recvmsg6 getpeername4 recvmsg4 connect4 connect6$" "doctor: every hook linked"

done_testing
