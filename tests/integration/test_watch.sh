#!/bin/bash
# watch: a line per decision while someone watches, nothing written when
# nobody does, a clean end on Ctrl-C.
. "$(dirname "$0")/lib.sh"

watchers() { bpftool map dump pinned "$PIN/watchers" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["value"])'; }
# wait_watching N: until N watchers have counted themselves in.
wait_watching() { for _ in $(seq 50); do [ "$(watchers)" = "$1" ] && return 0; sleep 0.1; done; return 1; }

lo6 start --cgroup "$CG" --ports 8080 --loopback4 >/dev/null
serve tcp 127.0.0.1 8080
is "$(watchers)" 0 "nobody watches at first"

probe_cg tcp ::1 8080 unwatched >/dev/null # must not show up later

lo6 watch 3 >"$WORK/watch.txt" &
w=$!
wait_watching 1
ok $? "watch counts itself in"
probe_cg tcp ::1 8080 x >/dev/null
probe_cg tcp ::1 8081 x >/dev/null
probe_cg tcp 127.0.1.1 8080 x >/dev/null
wait $w
is "$?" 0 "watch COUNT ends by itself with status 0"
out=$(cat "$WORK/watch.txt")
like "$out" "^TIME +PID +COMM +PORT +PROTO +ASKED +OUTCOME" "a header"
like "$(sed -n 2p "$WORK/watch.txt")" "^[0-9:.]+ +[0-9]+ +python3 +8080 tcp ::1 +redirected$" \
	"the first line is the first watched connect, not the unwatched one"
like "$(sed -n 3p "$WORK/watch.txt")" " 8081 tcp ::1 +not-allowed$" "a skip names its reason"
like "$(sed -n 4p "$WORK/watch.txt")" " 8080 tcp 127/8 +redirected$" "the spelling asked for"
is "$(watchers)" 0 "watch counts itself out"

# Not through the lo6 function: kill must reach lo6relay itself, not a subshell.
"$LO6RELAY" --pin-dir "$PIN" watch --json >"$WORK/watch.json" &
w=$!
wait_watching 1
probe_cg udp ::1 8080 x >/dev/null
sleep 0.3
kill -INT $w
wait $w
is "$?" 0 "Ctrl-C ends watch with status 0"
line=$(head -1 "$WORK/watch.json")
like "$line" '^\{"time":"[0-9:.]+","pid":[0-9]+,"comm":"python3","port":8080,"protocol":"udp","asked":"::1","outcome":"redirected"\}$' \
	"--json prints JSON lines"
"$PY" -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$WORK/watch.json"
ok $? "... each one valid JSON"
is "$(watchers)" 0 "... and counts itself out"
lo6 watch 0 2>/dev/null
is "$?" 2 "a bad COUNT is a usage error"

done_testing
