#!/bin/bash
# A loader killed at any step of start leaves the old working state or no
# program attached, and the next start recovers; a stop killed at any step
# leaves nothing redirecting, a status that says what is still attached,
# and the next stop finishes; each environmental fault gives one sentence
# of ours and exit 1.
. "$(dirname "$0")/lib.sh"

progs_on() { cg_progs | grep -c "$1"; }
serve tcp 127.0.0.1 4000
last_step=11  # STEP_HOOK_FIRST + NHOOKS - 1 in user/instance/faults.h

# The last step is the last: a start with every hook (--loopback4) is not
# killed one step further. A new hook adds a step, and this says so.
LO6RELAY_TEST_KILL_AT=$((last_step + 1)) lo6 start --cgroup "$CG" --ports 4000 --loopback4 >/dev/null 2>&1
is "$?" 0 "no step after $last_step: start with every hook, killed at $((last_step + 1)), completes"
lo6 stop >/dev/null

# Fresh start killed at step N: never a connect6 program without its pin.
for n in $(seq 1 $last_step); do
	LO6RELAY_TEST_KILL_AT=$n lo6 start --cgroup "$CG" --ports 4000 >/dev/null 2>&1
	rc=$?
	lo6 status >/dev/null
	st=$?
	if [ "$st" = 0 ]; then
		like "$(probe_cg tcp ::1 4000 x)" "^ok " "fresh start killed at step $n (rc $rc): attached and working"
	else
		is "$(progs_on lo6_connect6)" 0 "fresh start killed at step $n (rc $rc): nothing redirects"
	fi
	lo6 start --cgroup "$CG" --ports 4000 >/dev/null 2>&1
	ok $? "... and the next start recovers"
	like "$(probe_cg tcp ::1 4000 x)" "^ok " "... and redirects"
	is "$(progs_on lo6_connect6)" 1 "... with exactly one connect6 program"
	lo6 stop >/dev/null
done

# Upgrade killed at step N: the running instance keeps working, counters kept.
lo6 start --cgroup "$CG" --ports 4000 >/dev/null
probe_cg tcp ::1 4000 x >/dev/null
for n in $(seq 1 $last_step); do
	before=$(stat_of 4000 redirected)
	LO6RELAY_TEST_KILL_AT=$n lo6 start --cgroup "$CG" >/dev/null 2>&1
	lo6 status >/dev/null
	is "$?" 0 "upgrade killed at step $n: still attached"
	like "$(probe_cg tcp ::1 4000 x)" "^ok " "... still redirects"
	is "$(stat_of 4000 redirected)" $((before + 1)) "... counters kept and counting"
	is "$(progs_on lo6_connect6)" 1 "... one connect6 program"
done
lo6 stop >/dev/null

# Stop killed at step N (user/instance/faults.h: 100 + h, hook h detached but pinned;
# 110 + h, unpinned; 120, every map unpinned). stop takes connect6 first.
for n in $(seq 100 106) $(seq 110 116) 120; do
	lo6 start --cgroup "$CG" --ports 4000 >/dev/null
	LO6RELAY_TEST_KILL_AT=$n lo6 stop >/dev/null 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then # a hook this kernel or start does not attach: no such step
		is "$(cg_progs)" "" "stop not killed at step $n: nothing attached"
		continue
	fi
	is "$rc" 137 "stop killed at step $n"
	lo6 status >"$WORK/out"
	is "$?" 3 "... status: not attached"
	grep -q "^lo6relay: not attached: " "$WORK/out"
	ok $? "... saying so"
	like "$(probe_cg tcp ::1 4000 x)" "^err " "... and nothing redirects"
	left=$(cg_progs | awk '{ print $1 }')
	if [ -n "$left" ]; then
		for hook in $left; do
			like "$(cat "$WORK/out")" "[ ,]${hook}[ ,]" "... names $hook, still attached"
		done
		like "$(cat "$WORK/out")" "did not finish \\(run 'lo6relay stop'" \
			"... and says to run stop"
		grep -q "gone" "$WORK/out"
		is "$?" 1 "... never that the cgroup is gone"
	fi
	lo6 stop >/dev/null
	ok $? "... the next stop succeeds"
	is "$(cg_progs)" "" "... takes every program away"
	[ ! -e "$PIN" ]
	ok $? "... and the pin folder"
done
# ... and a start after one killed at its first step works as ever.
lo6 start --cgroup "$CG" --ports 4000 >/dev/null
LO6RELAY_TEST_KILL_AT=106 lo6 stop >/dev/null 2>&1
lo6 start --cgroup "$CG" --ports 4000 >/dev/null 2>&1 # a note: the maps were kept
ok $? "start after a stop killed once connect6 was detached"
like "$(probe_cg tcp ::1 4000 x)" "^ok " "... redirects"
is "$(progs_on lo6_connect6)" 1 "... with exactly one connect6 program"
lo6 stop >/dev/null

# A program the verifier refuses: one sentence, exit 1, nothing left.
LO6RELAY_TEST_VERIFIER_REJECT=1 lo6 start --cgroup "$CG" 2>"$WORK/err" >/dev/null
is "$?" 1 "a program the verifier refuses: start exits 1"
like "$(cat "$WORK/err")" "^lo6relay: the kernel refused to load the BPF program .*-v" "... says so and how to see the verifier's log"
# (A note of ours on what an older kernel lacks may come first.)
is "$(grep -vc '^lo6relay: note: ' "$WORK/err")" 1 "... in one line, no libbpf noise"
[ ! -e "$PIN" ]
ok $? "... and leaves no pin folder"
is "$(progs_on lo6_connect6)" 0 "... and attaches nothing"
LO6RELAY_TEST_VERIFIER_REJECT=1 lo6 -v start --cgroup "$CG" 2>"$WORK/err" >/dev/null
like "$(cat "$WORK/err")" "invalid mem access|R[0-9] invalid" "with -v the verifier's log is shown"

# A cgroup that disappears under a running instance.
sub="$CG/gone"
mkdir "$sub"
lo6 start --cgroup "$sub" --ports 4000 >/dev/null
rmdir "$sub"
lo6 status >"$WORK/out"
is "$?" 3 "status after the cgroup went away exits 3"
like "$(cat "$WORK/out")" "cgroup it was attached to is gone" "... and says so"
lo6 start --cgroup "$CG" >/dev/null
ok $? "start on a live cgroup takes over from the dead link"
like "$(probe_cg tcp ::1 4000 x)" "^ok " "... and redirects"
lo6 stop >/dev/null

# Pins left by an incompatible version: a port_stats map of another shape.
mkdir -p "$PIN"
bpftool map create "$PIN/port_stats" type hash key 2 value 8 entries 16 name port_stats
"$LO6RELAY" --pin-dir "$PIN" start --cgroup "$CG" 2>"$WORK/err" >/dev/null
is "$?" 1 "start over an incompatible pinned map exits 1"
like "$(cat "$WORK/err")" "incompatible lo6relay version.*lo6relay stop" "... says so and what to do"
is "$(wc -l <"$WORK/err")" 1 "... in one line"
is "$(progs_on lo6_connect6)" 0 "... and attaches nothing"
lo6 stop >/dev/null
[ ! -e "$PIN" ]
ok $? "stop clears the old pins"

# bpffs not mounted: the loader mounts it (in a private mount namespace, so
# the host's bpffs is not touched; the pins go with the namespace).
out=$(unshare -m --propagation private sh -c '
	umount /sys/fs/bpf 2>/dev/null
	grep -q " /sys/fs/bpf .* - bpf " /proc/self/mountinfo && echo still-mounted
	"$0" --pin-dir /sys/fs/bpf/lo6fault start --cgroup "$1" --ports none >/dev/null && echo started
	grep -q " /sys/fs/bpf .* - bpf " /proc/self/mountinfo && echo mounted
	"$0" --pin-dir /sys/fs/bpf/lo6fault stop >/dev/null' "$LO6RELAY" "$CG" 2>&1 |
	grep -v '^lo6relay: note: ' | tr '\n' ' ')
is "$out" "started mounted " "with no bpffs mounted, start mounts it"

# A read-only pin folder.
out=$(unshare -m --propagation private sh -c '
	mount -t bpf -o ro bpf /sys/fs/bpf
	"$0" --pin-dir /sys/fs/bpf/lo6ro start --cgroup "$1" 2>&1 >/dev/null; echo "rc=$?"' "$LO6RELAY" "$CG")
like "$out" "^lo6relay: cannot create pin folder /sys/fs/bpf/lo6ro: Read-only file system" "a read-only bpffs gives one sentence"
like "$out" "rc=1$" "... and exit 1"
is "$(progs_on lo6_connect6)" 0 "... and attaches nothing"

done_testing
