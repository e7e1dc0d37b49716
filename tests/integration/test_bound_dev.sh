#!/bin/bash
# auto and a Linux server bound to a device (SO_BINDTODEVICE, systemd's
# BindToDevice=, a VRF). The kernel's socket lookup from a connect hook
# passes no device (net/core/filter.c: bpf_sock_addr_skc_lookup_tcp gives
# __bpf_skc_lookup ifindex 0 and no skb, so dif = sdif = 0) and takes no
# flag or tuple field for one, and a listener bound to a device matches
# only that device (inet_bound_dev_eq: bound_dev_if == dif || == sdif). So
# auto cannot see such a server, on any kernel. README's rule 13 says what
# follows, and this test proves each part on the real kernel:
# - bound to lo, which a plain loopback connect reaches (the SYN arrives on
#   lo): its [::1] clients go to the relay, counted redirected; `allow
#   --mode never P` gives them back;
# - bound to another device: a plain [::1] connect never reached it, so the
#   redirect takes nothing from it.
. "$(dirname "$0")/lib.sh"

ip link add lo6bd0 type veth peer name lo6bd1
ip link set lo6bd0 up
ip link set lo6bd1 up

# devserve ADDR PORT DEV: a Linux server bound to DEV; its log $WORK/dev-PORT.log
# (SO_REUSEPORT, as the relay's, so that [::]:PORT and 127.0.0.1:PORT coexist)
devserve() {
	local log="$WORK/dev-$2.log"
	"$PY" "$NETPROBE" serve tcp "$1" "$2" "$log" --device "$3" --reuseport &
	bg_pids+=($!)
	for _ in $(seq 50); do [ -e "$log.ready" ] && return 0; sleep 0.1; done
	echo "# server $1:$2 on $3 did not start"
	return 1
}
dev_served() { cat "$WORK/dev-$1.log" 2>/dev/null; }

# The relay ("Windows") on every port, and the Linux servers:
# 6200 [::1] bound to lo, 6201 dual-stack [::] bound to lo, 6202 [::] bound
# to lo6bd0, 6203 [::1] bound to no device (the control: auto sees it).
for p in 6200 6201 6202 6203; do serve tcp 127.0.0.1 $p --reuseport; done
devserve ::1 6200 lo
ok $? "a [::1] server bound to lo listens"
devserve :: 6201 lo
ok $? "a dual-stack [::] server bound to lo listens beside the relay's 127.0.0.1"
devserve :: 6202 lo6bd0
ok $? "a dual-stack [::] server bound to lo6bd0 listens beside the relay's 127.0.0.1"
serve tcp ::1 6203
ok $? "a [::1] server bound to no device listens"

# The kernel's own answer, with no program in the way (a client outside $CG).
like "$(probe tcp ::1 6200 plain-lo)" "^ok peer=\[::1\]:6200" "no lo6relay: a [::1] connect reaches a [::1] server bound to lo"
like "$(probe tcp ::1 6201 plain-lo-any)" "^ok peer=\[::1\]:6201" "... and a [::] server bound to lo"
is "$(probe tcp ::1 6202 plain-other)" "err ECONNREFUSED" "... but not a [::] server bound to another device"
sleep 0.2
like "$(dev_served 6200)" "data=plain-lo$" "... (the lo-bound [::1] server got it)"
like "$(dev_served 6201)" "data=plain-lo-any$" "... (the lo-bound [::] server got it)"

lo6 start --cgroup "$CG" --ports 6200-6203 >/dev/null 2>&1
ok $? "start, ports 6200-6203 in auto"

# Control: a server bound to no device keeps its traffic.
like "$(probe_cg tcp ::1 6203 unbound)" "^ok peer=\[::1\]:6203" "auto: the client of a [::1] server bound to no device"
sleep 0.2
like "$(served tcp ::1 6203)" "data=unbound$" "... lands on it"
is "$(stat_of 6203 local_listener)" 1 "... counted local_listener"

# Bound to lo: out of the lookup's sight, so redirected.
for p in 6200 6201; do
	probe_cg tcp ::1 $p "auto-$p" >/dev/null
	sleep 0.2
	like "$(served tcp 127.0.0.1 $p)" "data=auto-$p$" "auto, port $p: the [::1] client of a server bound to lo lands on the relay"
	is "$(dev_served $p | grep -c "data=auto-$p$")" 0 "... not on the Linux server"
	is "$(stat_of $p redirected) $(stat_of $p local_listener)" "1 0" "... counted redirected, not local_listener"
done

# Bound to another device: redirecting takes nothing from it.
probe_cg tcp ::1 6202 auto-6202 >/dev/null
sleep 0.2
like "$(served tcp 127.0.0.1 6202)" "data=auto-6202$" "auto: the [::1] client of a server bound to another device lands on the relay"
is "$(stat_of 6202 redirected)" 1 "... counted redirected (a plain connect was refused)"

# doctor PORT sees the device (sock_diag) and says what auto does with it.
out=$(lo6 doctor 6200)
is "$?" 1 "doctor 6200 (a [::1] server bound to lo, auto): a problem, exit 1"
like "$(printf '%s\n' "$out" | grep ' bound ')" "^  info +bound +bound to lo: \[::1\]:6200 " "... names the listener bound to lo"
like "$(printf '%s\n' "$out" | tail -1)" "^A Linux server listens on \[::1\]:6200 bound to lo .*sent to 127\.0\.0\.1 instead: 'lo6relay allow --mode never 6200' keeps them on Linux\.$" \
	"... and the verdict gives the way out"
out=$(lo6 doctor 6203)
is "$?" 0 "doctor 6203 (a [::1] server bound to no device, auto): fine"
like "$(printf '%s\n' "$out" | tail -1)" "reaches the Linux server listening on it \(mode auto leaves it alone\)" "... says auto leaves it alone"
out=$(lo6 doctor 6202)
like "$(printf '%s\n' "$out" | grep ' bound ')" "^  info +bound +bound to another device than lo: \[::\]:6202 " "doctor 6202 names the listener bound to another device"
printf '%s\n' "$out" | tail -1 | grep -q "reaches the Linux server"
is "$?" 1 "... and does not say [::1] reaches it"

# The way out README gives: the port in never.
lo6 allow --mode never 6200 >/dev/null
probe_cg tcp ::1 6200 never-6200 >/dev/null
sleep 0.2
like "$(dev_served 6200)" "data=never-6200$" "allow --mode never: the lo-bound server has its [::1] client back"
is "$(stat_of 6200 not_allowed)" 1 "... counted not_allowed"

done_testing
