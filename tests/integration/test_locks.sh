#!/bin/bash
# Commands that change an instance lock its pin folder: many at once (two
# starts at boot, say, from the systemd unit and wsl.conf) end as if run one
# after the other. Every command exits as it would alone, exactly one
# program is attached per hook, a failed start's clean-up takes nothing of
# another's, and no change to the config is lost to another command's
# read-modify-write. watch, long-running, takes no lock.
# Without the lock, the round with failing starts loses the instance's maps
# every time; the read-modify-write round's windows are microseconds, and
# it seldom catches a lost update.
. "$(dirname "$0")/lib.sh"

N=${LOCK_RACERS:-20}
serve tcp 127.0.0.2 4000

# one_each: "ok" if each hook has at most one program in $CG and connect6 has one.
one_each() {
	cg_progs | awk '{ n[$1]++ } END { bad = !n["connect6"]; for (h in n) if (n[h] > 1) bad = 1
		for (h in n) printf "%s=%d ", h, n[h]; print bad ? "BAD" : "ok" }'
}
# race NAME: runs the commands given as lines "ENV CONFIG_FILE ARGS..." on
# stdin (ENV: VAR=VALUE for the command, or -), all at once: each waits for
# the same go. Then $WORK/NAME.rc holds "rc command" per line.
race() {
	local i=0 envs conf cmd run pids=()
	: >"$WORK/$1.rc"
	while read -r envs conf cmd; do
		i=$((i + 1))
		run=$envs
		[ "$envs" = - ] && run=LO6_NOTHING=
		(
			while [ ! -e "$WORK/$1.go" ]; do sleep 0.01; done
			# shellcheck disable=SC2086 # the line's words are the arguments
			env "$run" "$LO6RELAY" --pin-dir "$PIN" --config "$conf" $cmd >/dev/null 2>"$WORK/$1.$i.err"
			echo "$? $envs $cmd" >>"$WORK/$1.rc"
		) &
		pids+=($!)
	done
	sleep 0.5 # every one spawned and waiting
	touch "$WORK/$1.go"
	wait "${pids[@]}"
}
E=$WORK/empty.conf
failed() { grep -vc '^0 ' "$WORK/$1.rc"; }

# --- N starts at once, no instance yet ----------------------------------------------
for _ in $(seq "$N"); do echo "- $E start --cgroup $CG --relay 127.0.0.2 --ports 4000"; done | race starts
is "$(failed starts)" 0 "$N starts at once, no instance yet: every one exits 0"
[ "$(failed starts)" = 0 ] || cat "$WORK"/starts.*.err | sort | uniq -c | sed 's/^/#   /'
like "$(one_each)" " ok$" "... exactly one program per hook attached"
lo6 status >/dev/null
is "$?" 0 "... status says attached"
is "$(ls "$PIN" | grep -vc '^link_')" 6 "... all six maps pinned"
like "$(probe_cg tcp ::1 4000 x)" "^ok peer=\[::1\]:4000 " "... and it redirects"

# --- starts at once, half of which fail ----------------------------------------------
# A start that fails (here: a program the verifier refuses) cleans up what
# it made, and only that: never the maps of a start that ran beside it.
lo6 stop >/dev/null
for i in $(seq "$N"); do
	[ $((i % 2)) = 0 ] && env=LO6RELAY_TEST_VERIFIER_REJECT=1 || env=-
	echo "$env $E start --cgroup $CG --relay 127.0.0.2 --ports 4000"
done | race halfbad
is "$(grep -c '^0 -' "$WORK/halfbad.rc")" $((N - N / 2)) "$N starts at once, half of them refused by the verifier: the others exit 0"
is "$(grep -c '^1 LO6RELAY_TEST_VERIFIER_REJECT' "$WORK/halfbad.rc")" $((N / 2)) "... the refused ones exit 1"
like "$(one_each)" " ok$" "... exactly one program per hook attached"
lo6 status >/dev/null
is "$?" 0 "... status says attached"
is "$(ls "$PIN" | grep -vc '^link_')" 6 "... all six maps still pinned"
like "$(probe_cg tcp ::1 4000 x)" "^ok peer=\[::1\]:4000 " "... and it redirects"

# --- starts, defaults and reloads at once, on the running instance -----------------------
# Run one after the other in any order, they leave: relay 127.0.0.3 (reload),
# default auto (default), ports 1000-60000 (reload); start keeps all of it.
# (reload writes the whole allowlist between reading and writing the config.)
printf 'relay = 127.0.0.3\nallow = 1000-60000\n' >"$WORK/reload.conf"
lo6 stop >/dev/null # a whole instance, whatever the part above left
lo6 start --cgroup "$CG" --relay 127.0.0.2 --ports 4000 >/dev/null
for i in $(seq "$N"); do
	case $((i % 3)) in
	0) echo "- $E start --cgroup $CG" ;;
	1) echo "- $E default auto" ;;
	2) echo "- $WORK/reload.conf reload" ;;
	esac
done | race mixed
is "$(failed mixed)" 0 "starts, defaults and reloads at once: every one exits 0"
[ "$(failed mixed)" = 0 ] || cat "$WORK"/mixed.*.err | sort | uniq -c | sed 's/^/#   /'
like "$(one_each)" " ok$" "... exactly one program per hook attached"
is "$(lo6 default)" "auto" "... no default lost"
like "$(lo6 status --json)" '"relay":"127.0.0.3"' "... no relay lost"
like "$(lo6 ports)" "^auto +1000-60000$" "... the reloaded ports"

# --- stop and start at once ----------------------------------------------------------------
for i in $(seq "$N"); do
	[ $((i % 2)) = 0 ] && echo "- $E start --cgroup $CG --relay 127.0.0.2 --ports 4000" || echo "- $E stop"
done | race stopstart
is "$(failed stopstart)" 0 "stops and starts at once: every one exits 0"
lo6 status >/dev/null
st=$?
if [ "$st" = 0 ]; then
	like "$(one_each)" " ok$" "... attached: one program per hook"
	is "$(ls "$PIN" | grep -vc '^link_')" 6 "... with all six maps"
else
	is "$(cg_progs | grep -c lo6_)" 0 "... stopped: no program left"
	[ ! -e "$PIN" ]
	ok $? "... and no pin folder"
fi

# --- a stop that found no folder, then a start in its gap ------------------------------------
# The round above seldom hits this gap: stop saw no folder (so holds no
# lock), a start made the folder and locked it, then stop went on. Each is
# stopped at that point (LO6RELAY_TEST_STALL_AT) and let go in that order.
# stalled PID: waits until PID has stopped itself (state T).
stalled() {
	local i
	for i in $(seq 500); do
		[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = T ] && return 0
		sleep 0.01
	done
	return 1
}
lo6 stop >/dev/null
[ ! -e "$PIN" ]
ok $? "no instance, no pin folder"
LO6RELAY_TEST_STALL_AT=99 "$LO6RELAY" --pin-dir "$PIN" --config "$E" stop >"$WORK/gap.stop" 2>&1 &
stop_pid=$!
stalled "$stop_pid"
ok $? "stop stalls where it found no folder"
LO6RELAY_TEST_STALL_AT=1 "$LO6RELAY" --pin-dir "$PIN" --config "$E" start --cgroup "$CG" \
	--relay 127.0.0.2 --ports 4000 >"$WORK/gap.start" 2>&1 &
start_pid=$!
stalled "$start_pid"
ok $? "start stalls with its pin folder made and locked"
kill -CONT "$stop_pid"
wait "$stop_pid"
is "$?" 0 "stop goes on and exits 0"
like "$(cat "$WORK/gap.stop")" "^lo6relay: not running at .*: nothing to stop$" "... saying nothing ran"
kill -CONT "$start_pid"
wait "$start_pid"
is "$?" 0 "start goes on and exits 0: stop left its folder alone"
grep -q '^lo6relay: attached' "$WORK/gap.start" || sed 's/^/#   /' "$WORK/gap.start"
lo6 status >/dev/null
is "$?" 0 "... status says attached"
like "$(probe_cg tcp ::1 4000 x)" "^ok peer=\[::1\]:4000 " "... and it redirects"
lo6 stop >/dev/null

# --- watch takes no lock ---------------------------------------------------------------------
lo6 start --cgroup "$CG" --relay 127.0.0.2 --ports 4000 >/dev/null
# The binary itself, not the lo6 function: $! must be the watch, for cleanup to end it.
"$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf" watch >/dev/null 2>&1 &
bg_pids+=($!)
sleep 0.5
timeout 10 "$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf" default always >/dev/null
is "$?" 0 "a command that writes runs while watch runs"

done_testing
