#!/bin/bash
# auto's listener lookup under preemption. The question it asks the kernel
# (a struct bpf_sock_tuple) is built in a per-CPU map, and since 5.11 a cgroup
# program runs with migration, not preemption, disabled: on a preemptible
# kernel another task's connect on the same CPU can rewrite the question
# while the lookup reads it. Two clients on one CPU connect UDP sockets in a
# loop, one to an auto port that a Linux server owns on [::1] (never to be
# redirected), one to an auto port nobody owns there (always redirected);
# any crossed answer shows in the counters.
#
# The race wants a kernel whose preemption model can be switched to full
# (CONFIG_PREEMPT_DYNAMIC, debugfs): the vmtest guests' 6.1 and 6.12. The
# model is machine-wide, so the test switches it only inside a guest
# (LO6_VMTEST_GUEST), and puts it back. Elsewhere (the host, 5.10, which
# runs the program with preemption off) the same load runs for 5 s under
# the machine's own model: fewer chances to cross, the same checks.
. "$(dirname "$0")/lib.sh"

knob=/sys/kernel/debug/sched/preempt
model() { sed -n 's/.*(\(.*\)).*/\1/p' "$knob" 2>/dev/null; }
[ -e "$knob" ] || [ -z "${LO6_VMTEST_GUEST:-}" ] || mount -t debugfs debugfs /sys/kernel/debug
was=$(model)
switched=
if [ -n "${LO6_VMTEST_GUEST:-}" ] && [ -n "$was" ]; then
	switched=1
	[ "$was" = full ] || { echo full >"$knob"; trap 'echo "$was" >"$knob"; cleanup' EXIT; }
	is "$(model)" full "preemption model: full"
else
	echo "# preemption model ${was:-unknown (no $knob)}, not switched: only a vmtest guest with that file switches it (it is machine-wide)"
fi
SECONDS_OF_LOAD=${LO6_PREEMPT_SECONDS:-$([ -n "$switched" ] && echo 20 || echo 5)}

owned=6400 free=6401
lo6 start --cgroup "$CG" --ports none >/dev/null 2>&1
ok $? "start"
lo6 allow --mode auto "$owned,$free" >/dev/null
ok $? "allow auto $owned,$free"

in_cg "$PY" - "$owned" "$free" "$SECONDS_OF_LOAD" <<'EOF'
import os, socket, sys, time
owned, free, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
# The Linux server that owns [::1]:owned (a UDP socket bound there is what
# bpf_sk_lookup_udp finds); nothing is bound on [::1]:free.
server = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
server.bind(("::1", owned))
cpu = min(os.sched_getaffinity(0))
kids = []
for port in (owned, free):
    pid = os.fork()
    if pid == 0:
        os.sched_setaffinity(0, {cpu})  # the same CPU: the same per-CPU slot
        end = time.monotonic() + secs
        while time.monotonic() < end:
            for _ in range(200):
                s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
                s.connect(("::1", port))
                s.close()
        os._exit(0)
    kids.append(pid)
for pid in kids:
    os.waitpid(pid, 0)
EOF
ok $? "two clients on one CPU connected for ${SECONDS_OF_LOAD}s"

listener=$(stat_of $owned local_listener) crossed_owned=$(stat_of $owned redirected)
redirected=$(stat_of $free redirected) crossed_free=$(stat_of $free local_listener)
echo "# [::1]:$owned left alone $listener times; [::1]:$free redirected $redirected times"
[ "$listener" -gt 1000 ] && [ "$redirected" -gt 1000 ]
ok $? "both clients made over 1000 connects"
is "$crossed_owned" 0 "no connect to the owned port was redirected"
is "$crossed_free" 0 "no connect to the free port was left alone"

if [ -n "$switched" ]; then
	echo "$was" >"$knob"
	is "$(model)" "$was" "preemption model back to $was"
fi
done_testing
