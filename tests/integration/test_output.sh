#!/bin/bash
# Output that never arrives is owned up to: every command that prints, with
# stdout full (/dev/full) or closed (>&-), exits 1 with one sentence on
# stderr naming the cause; the same command with a stdout that takes its
# output exits as it always did.
. "$(dirname "$0")/lib.sh"

FIXTURES=$(cd "$(dirname "$0")/../fixtures" && pwd)
: >"$WORK/save.conf"

# run_to HOW CMD...: lo6 CMD with stdout full, closed, or to a file; its
# stderr in $WORK/err, its exit status in $rc. $CONF: another config file.
run_to() {
	local how=$1
	shift
	case $how in
	full) timeout 10 "$LO6RELAY" --pin-dir "$PIN" --config "${CONF:-$WORK/empty.conf}" "$@" \
		>/dev/full 2>"$WORK/err" ;;
	closed) timeout 10 "$LO6RELAY" --pin-dir "$PIN" --config "${CONF:-$WORK/empty.conf}" "$@" \
		>&- 2>"$WORK/err" ;;
	file) timeout 10 "$LO6RELAY" --pin-dir "$PIN" --config "${CONF:-$WORK/empty.conf}" "$@" \
		>"$WORK/out" 2>"$WORK/err" ;;
	esac
	rc=$?
}

declare -A cause=([full]="No space left on device" [closed]="Bad file descriptor")

# lost HOW WHAT CMD...: CMD's output lost to HOW: exit 1, one sentence with the cause.
# WHAT names the row and, by its first word, the command.
lost() {
	local how=$1 what=$2
	shift 2
	run_to "$how" "$@"
	is "$rc" 1 "$what, stdout $how: exit 1"
	is "$(wc -l <"$WORK/err")" 1 "... one line on stderr"
	like "$(cat "$WORK/err")" \
		"^lo6relay: cannot write to stdout \\(${cause[$how]}\\), so the output of '[a-z0-9]+' is lost" \
		"... saying so, with the cause"
	# A command that changes the instance did so; one that only reads changed nothing.
	if [[ $what =~ ^(reload|save|start|stop) ]]; then
		like "$(cat "$WORK/err")" "is lost, though what it did stands" \
			"... and that what it did stands"
	else
		! grep -q "what it did" "$WORK/err"
		ok $? "... and claims no change"
	fi
}

# fits STATUS WHAT CMD...: the same command with a stdout that takes it.
fits() {
	local want=$1 what=$2
	shift 2
	run_to file "$@"
	is "$rc" "$want" "$what, stdout a file: exit $want"
	[ -s "$WORK/out" ]
	ok $? "... and it printed"
}

# Commands that print without an instance: help, version, doctor on a fixture tree.
for how in full closed; do
	lost "$how" "--help" --help
	lost "$how" "help" help
	lost "$how" "status --help" status --help
	lost "$how" "--version" --version
	lost "$how" "doctor --root" doctor --root "$FIXTURES/wsl-mirrored"
	lost "$how" "doctor --json --root" doctor --json --root "$FIXTURES/wsl-mirrored"
	lost "$how" "status, not attached" status
	lost "$how" "status --json, not attached" status --json
done
fits 0 "--help" --help
fits 0 "--version" --version
fits 0 "doctor --root" doctor --root "$FIXTURES/wsl-mirrored"
fits 3 "status, not attached" status
# A usage error prints to stderr only: it stays a usage error.
run_to full ports extra
is "$rc" 2 "a usage error with stdout full: still exit 2"

lo6 start --cgroup "$CG" --ports 8080 >/dev/null
ok $? "start"

printing=(
	"status" "status --json" "ports" "ports --json" "stats" "stats --json" "default"
	"watch 1" "watch --json 1" "reload" "save"
)
for how in full closed; do
	for c in "${printing[@]}"; do
		# shellcheck disable=SC2086 # each row is a command line
		CONF=$WORK/save.conf lost "$how" "$c" $c
	done
done
for c in "status" "status --json" "ports" "ports --json" "stats" "stats --json" "default" \
	"reload"; do
	# shellcheck disable=SC2086
	fits 0 "$c" $c
done

# What a command changed stands, and it says so.
run_to full start --cgroup "$CG" --ports 8080
is "$rc" 1 "start again, stdout full: exit 1"
like "$(cat "$WORK/err")" "is lost, though what it did stands" "... saying that what it did stands"
like "$(cg_progs)" "connect6" "... and the instance is attached"

# A reader that left (EPIPE, not SIGPIPE): a pipe whose read end is closed.
"$PY" - "$LO6RELAY" "$PIN" "$WORK/empty.conf" >"$WORK/pipe.txt" 2>&1 <<'EOF'
import os, subprocess, sys
lo6, pin, conf = sys.argv[1:]
r, w = os.pipe()
os.close(r)
p = subprocess.run([lo6, "--pin-dir", pin, "--config", conf, "stats"], stdout=w,
                   stderr=subprocess.PIPE, text=True)
print(p.returncode, p.stderr.strip())
EOF
like "$(cat "$WORK/pipe.txt")" "^1 lo6relay: cannot write to stdout \\(Broken pipe\\)" \
	"stats to a pipe with no reader: exit 1, saying so, not killed by SIGPIPE"

# ...but watch ends when its reader does: that is how `watch | head -1` stops.
# The reader reads a line and goes while watch is stopped, so that the next
# event meets the gone reader as a failed write, not as a poll.
mkfifo "$WORK/pipe"
exec 3<>"$WORK/pipe"
lo6 watch --json >"$WORK/pipe" 2>"$WORK/err" 3<&- &
w=$!
bg_pids+=("$w")
for _ in $(seq 50); do
	probe_cg tcp ::1 8080 x >/dev/null
	read -r -t 0.2 _ <&3 && break
done
kill -STOP $w
exec 3<&-
probe_cg tcp ::1 8080 x >/dev/null
kill -CONT $w
wait $w
is "$?" 0 "watch whose reader left: exit 0"
is "$(cat "$WORK/err")" "" "... quietly"

run_to full stop
is "$rc" 1 "stop, stdout full: exit 1"
like "$(cat "$WORK/err")" "is lost, though what it did stands" "... saying that what it did stands"
is "$(cg_progs)" "" "... and nothing is attached"
[ ! -e "$PIN" ]
ok $? "... and the pin folder is gone"
lost full "stop, nothing to stop" stop
fits 0 "stop, nothing to stop" stop

# A closed stdout stays closed: the next descriptor opened takes number 1, and
# for stop that is syslog's socket. Here /dev/log is a listener of the test's
# own, in a mount namespace of its own, so the journal is never touched.
mkdir "$WORK/dev"
: >"$WORK/dev/null"
"$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(4096) + b"\n")' "$WORK/dev/log" "$WORK/syslog.txt" &
bg_pids+=($!)
for _ in $(seq 50); do [ -e "$WORK/dev/log.ready" ] && break; sleep 0.1; done
unshare -m --propagation private sh -c \
	'mount --bind /dev/null "$0/dev/null" && mount --bind "$0/dev" /dev && exec "$@"' "$WORK" \
	"$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf" stop >&- 2>"$WORK/err"
is "$?" 1 "stop, nothing to stop, stdout closed, with a syslog: exit 1"
like "$(cat "$WORK/err")" "cannot write to stdout \(Bad file descriptor\)" "... saying so"
for _ in $(seq 20); do
	grep -q "cannot write" "$WORK/syslog.txt" 2>/dev/null && break
	sleep 0.1
done
is "$(grep -c "^lo6relay: " "$WORK/syslog.txt")" 0 \
	"... and what it meant for stdout did not go to syslog's socket"

# start runs at boot, where nobody sees stderr: its notes reach syslog too.
# A second start with --ports is told its allowlist is not applied.
lo6 start --cgroup "$CG" --ports 4000 >/dev/null 2>&1
unshare -m --propagation private sh -c \
	'mount --bind /dev/null "$0/dev/null" && mount --bind "$0/dev" /dev && exec "$@"' "$WORK" \
	"$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf" start --cgroup "$CG" --ports 4001 \
	>/dev/null 2>"$WORK/err"
is "$?" 0 "a second start with --ports: exit 0"
like "$(cat "$WORK/err")" "^lo6relay: note: the allowlist applies to a new instance only" \
	"... its note on stderr"
for _ in $(seq 20); do
	grep -q "allowlist applies" "$WORK/syslog.txt" 2>/dev/null && break
	sleep 0.1
done
like "$(grep "allowlist applies" "$WORK/syslog.txt")" "note: the allowlist applies to a new instance only" \
	"... and in syslog"
# <29>: the daemon facility (3 << 3), notice (5). Nothing is wrong, and a
# boot that starts twice (the unit and wsl.conf) must log no warning.
like "$(grep "allowlist applies" "$WORK/syslog.txt")" "^<29>" "... at notice level, not warning"
lo6 stop >/dev/null

done_testing
