#!/bin/bash
# watch: a line per decision while someone watches, nothing written when
# nobody does, a clean end on Ctrl-C; one watcher at a time, and a count no
# dead watcher can leave set.
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

W=("$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf")
# until_gone PID: waits up to 5 s for PID to end; 0 if it did. One that did not
# is ended, so a failing check never leaves the suite waiting for it.
until_gone() {
	for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	kill -INT "$1" 2>/dev/null
	return 1
}

# A process names itself (prctl PR_SET_NAME): its name must not drive the watcher's terminal.
named_connect() {
	in_cg "$PY" -c '
import ctypes, socket
ctypes.CDLL(None).prctl(15, b"\x1b[2Jev\x07il", 0, 0, 0)
s = socket.socket(socket.AF_INET6)
try:
    s.connect(("::1", 8080))
except OSError:
    pass'
}
"${W[@]}" watch 1 >"$WORK/evil.txt" &
w=$!
wait_watching 1
named_connect
until_gone $w
is "$(grep -c $'[\x01-\x1f\x7f]' "$WORK/evil.txt")" 0 "a process name's control bytes never reach the watcher's terminal"
like "$(sed -n 2p "$WORK/evil.txt")" " \?\[2Jev\?il +8080 tcp ::1 +redirected$" "... they are shown as '?', as in errors"
"${W[@]}" watch 1 --json >"$WORK/evil.json" &
w=$!
wait_watching 1
named_connect
until_gone $w
like "$(cat "$WORK/evil.json")" '"comm":"\\u001b\[2Jev\\u0007il"' "--json keeps the name exact, escaped"

# watch 1: one poll may hand over several events; only the first is printed.
"${W[@]}" watch 1 --json >"$WORK/one.json" &
w=$!
wait_watching 1
kill -STOP $w
for i in 1 2 3; do probe_cg tcp ::1 8080 x$i >/dev/null; done
kill -CONT $w
until_gone $w
is "$(wc -l <"$WORK/one.json")" 1 "watch 1 prints exactly one line, with three events waiting"

# A second watcher would take half the events: it is refused, the first keeps all.
"${W[@]}" watch 1 >"$WORK/first.txt" &
w=$!
wait_watching 1
timeout 5 "${W[@]}" watch 1 >/dev/null 2>"$WORK/err"
is "$?" 1 "a second watch is refused while one runs"
like "$(cat "$WORK/err")" "^lo6relay: another 'lo6relay watch' is reading the events of $PIN, .*: end that one first" \
	"... in one sentence"
is "$(watchers)" 1 "... and leaves the first one's count alone"
lo6 status >/dev/null
is "$(watchers)" 1 "a command does not reset a live watcher's count"
probe_cg tcp ::1 8080 after >/dev/null
until_gone $w
like "$(sed -n 2p "$WORK/first.txt")" " 8080 tcp ::1 +redirected$" "... which still gets the events"

# SIGKILL: the kernel drops the lock, the next command resets the count.
"${W[@]}" watch >/dev/null &
w=$!
wait_watching 1
kill -KILL $w
wait $w 2>/dev/null
lo6 status >/dev/null
is "$(watchers)" 0 "the count a SIGKILLed watch left is reset by the next command (status)"
"${W[@]}" watch >/dev/null &
w=$!
wait_watching 1
kill -KILL $w
wait $w 2>/dev/null
lo6 start --cgroup "$CG" --ports 8080 --loopback4 >/dev/null
is "$(watchers)" 0 "... and by a start that replaces the program"

# watch | head -1: the reader goes, the count must go with it.
# (A named pipe, so that this script knows the watcher's pid.)
mkfifo "$WORK/pipe"
head -1 <"$WORK/pipe" >"$WORK/head.txt" &
h=$!
"${W[@]}" watch --json >"$WORK/pipe" &
w=$!
wait_watching 1
probe_cg tcp ::1 8080 first >/dev/null
until_gone $h # head has its line and is gone
probe_cg tcp ::1 8080 second >/dev/null
until_gone $w
is "$(watchers)" 0 "watch | head -1 leaves the count at 0"
like "$(cat "$WORK/head.txt")" '"port":8080' "... after head got its line"
timeout 5 "${W[@]}" watch | head -1 >/dev/null
is "${PIPESTATUS[0]}" 0 "watch | head -1 ends when head does, events or not, with status 0"
is "$(watchers)" 0 "... and leaves the count at 0"

# stop takes the lock folder away with the pins, leaving no pin folder.
lo6 stop >/dev/null
[ ! -e "$PIN" ]
ok $? "stop removes the pin folder, watch's lock folder included"

# A watch outlives neither a stop nor a stop and a new start: no event can
# reach it, so it ends in one sentence with exit 1, not silent forever.
lo6 start --cgroup "$CG" --ports 8080 >/dev/null
"${W[@]}" watch >/dev/null 2>"$WORK/err" &
w=$!
wait_watching 1
lo6 stop >/dev/null
until_gone $w
ok $? "watch ends once its instance is stopped"
wait $w
is "$?" 1 "... with exit 1"
is "$(wc -l <"$WORK/err")" 1 "... in one line"
like "$(cat "$WORK/err")" "^lo6relay: lo6relay at $PIN was stopped, so no event can come" \
	"... saying so"
lo6 start --cgroup "$CG" --ports 8080 >/dev/null
"${W[@]}" watch >/dev/null 2>"$WORK/err" &
w=$!
wait_watching 1
kill -STOP $w
lo6 stop >/dev/null
lo6 start --cgroup "$CG" --ports 8080 >/dev/null
kill -CONT $w
until_gone $w
ok $? "watch ends once its instance is stopped and another started"
wait $w
is "$?" 1 "... with exit 1"
like "$(cat "$WORK/err")" "^lo6relay: lo6relay at $PIN was stopped and started again" \
	"... saying so"
is "$(watchers)" 0 "... and the new instance counts no watcher"
lo6 start --cgroup "$CG" --ports 8080 --loopback4 >/dev/null
"${W[@]}" watch 1 >"$WORK/upgraded.txt" 2>"$WORK/err" &
w=$!
wait_watching 1
lo6 start --cgroup "$CG" --ports 8080 --loopback4 >/dev/null 2>&1 # a note: the maps were kept
probe_cg tcp ::1 8080 x >/dev/null
until_gone $w
wait $w
is "$?" 0 "a watch lives on through a start that replaces the program (the maps stay)"
like "$(sed -n 2p "$WORK/upgraded.txt")" " 8080 tcp ::1 +redirected$" "... and gets its events"
lo6 stop >/dev/null

done_testing
