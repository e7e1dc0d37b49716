#!/bin/bash
# start/stop/status: idempotent start, upgrade in place, nothing left behind,
# exit codes scripts can trust, and no half state after a failed start.
. "$(dirname "$0")/lib.sh"

attached_progs() { cg_progs | grep -c lo6_connect6; }

lo6 status >/dev/null
is "$?" 3 "status before start exits 3"
like "$(lo6 status --json)" '"attached":false' "status --json says not attached"

lo6 start --cgroup "$CG" --ports 9000 >/dev/null
ok $? "start"
lo6 status >/dev/null
is "$?" 0 "status after start exits 0"
st=$(lo6 status --json)
like "$st" '"attached":true' "status --json says attached"
like "$st" "\"cgroup\":\"$CG\"" "status names the cgroup"
like "$st" '"relay":"127.0.0.1"' "status names the relay"
like "$st" '"ports_allowed":1' "status counts the allowed ports"
like "$(lo6 status)" "program +id [0-9]+ .*link id [0-9]+" "status shows program and link ids"
old_prog=$(printf '%s' "$st" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["prog_id"])')

serve tcp 127.0.0.1 9000
like "$(probe_cg tcp ::1 9000 one)" "^ok " "redirect works after the loader exited"

lo6 start --cgroup "$CG" --ports 1234 >/dev/null
ok $? "start again"
is "$(attached_progs)" 1 "start twice leaves one program attached"
new_prog=$(lo6 status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["prog_id"])')
[ "$new_prog" != "$old_prog" ]
ok $? "the program was replaced through the pinned link ($old_prog -> $new_prog)"
is "$(stat_of 9000 redirected)" 1 "counters survive the replace"
like "$(lo6 ports)" "auto +9000$" "the allowlist survives the replace"
like "$(probe_cg tcp ::1 9000 two)" "^ok " "the new program redirects"
is "$(stat_of 9000 redirected)" 2 "the new program counts into the same map"

other=$(mktemp -d "$CGROOT/lo6test-other-XXXXXX")
lo6 start --cgroup "$other" >/dev/null 2>"$WORK/err"
is "$?" 1 "start on another cgroup with the same pin folder fails"
like "$(cat "$WORK/err")" "attached to another cgroup" "... and says why"
rmdir "$other"

lo6 stop >/dev/null
ok $? "stop"
[ ! -e "$PIN" ]
ok $? "stop removes the pin folder"
is "$(attached_progs)" 0 "stop detaches the program"
gone=1
for _ in $(seq 20); do bpftool prog show id "$new_prog" >/dev/null 2>&1 || { gone=0; break; }; sleep 0.1; done
ok $gone "the program is freed after stop"
is "$(probe_cg tcp ::1 9000 three)" "err ECONNREFUSED" "no redirect after stop"
lo6 status >/dev/null
is "$?" 3 "status after stop exits 3"
like "$(lo6 stop)" "nothing to stop" "stop twice is harmless"

# Failed starts leave nothing behind.
lo6 start --cgroup "$CG/does-not-exist" 2>"$WORK/err"
is "$?" 1 "start on a missing cgroup exits 1"
like "$(cat "$WORK/err")" "^lo6relay: cannot open cgroup" "... with one sentence of ours"
[ ! -e "$PIN" ]
ok $? "... and creates no pin folder"
"$LO6RELAY" start --cgroup "$CG" --pin-dir "$WORK/not-bpffs" 2>"$WORK/err"
is "$?" 1 "a pin folder off bpffs exits 1"
like "$(cat "$WORK/err")" "not on a bpf filesystem" "... and says so"
is "$(attached_progs)" 0 "... and attaches nothing"
lo6 start --cgroup "$CG" --relay 999.1.1.1 2>"$WORK/err"
is "$?" 2 "a bad --relay is a usage error"
like "$(cat "$WORK/err")" "'999.1.1.1'" "... naming the bad address"
[ ! -e "$PIN" ]
ok $? "... and nothing is pinned"
lo6 start --cgroup "$CG" --ports 80- 2>/dev/null
is "$?" 2 "a bad --ports is a usage error"

# The relay address is honoured.
serve tcp 127.0.0.3 9001
lo6 start --cgroup "$CG" --ports 9001 --relay 127.0.0.3 >/dev/null
like "$(probe_cg tcp ::1 9001 relay3)" "^ok " "a connect with --relay 127.0.0.3"
sleep 0.2
like "$(served tcp 127.0.0.3 9001)" "data=relay3$" "... lands on the --relay address"
lo6 stop >/dev/null

done_testing
