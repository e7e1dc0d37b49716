#!/bin/bash
# A kernel that lacks a hook or a helper: start installs what works, says
# what is missing, status and doctor list it, and what is left behaves as
# the note says. LO6RELAY_TEST_LACK makes the probe report the named
# features missing on this kernel, which has them all; the programs are
# then really loaded without them (the verifier drops their branches).
. "$(dirname "$0")/lib.sh"

serve tcp 127.0.0.1 6100
serve udp 127.0.0.1 6100
status_json() { lo6 status --json | "$PY" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# This kernel first: whatever it really lacks (5.10 has no SO_NETNS_COOKIE)
# is all that is reported, and the cases below add to it.
lo6 start --cgroup "$CG" --ports 6100 >/dev/null 2>"$WORK/err"
ok $? "start on this kernel"
base=$(status_json kernel_lacks)
echo "# this kernel lacks: '${base}'"
if [ -z "$base" ]; then
	is "$(cat "$WORK/err")" "" "... notes nothing"
else
	is "$(grep -c . "$WORK/err")/$(grep -c '^lo6relay: note: this kernel lacks ' "$WORK/err")" "1/1" "... notes what it lacks, in one line"
fi
is "$(status_json kernel_hooks_absent)" "" "... status --json: no hook absent"
lo6 doctor >"$WORK/doctor" 2>&1
like "$(grep -E '^  (ok|warn|FAIL) +hooks' "$WORK/doctor")" "^  ok +hooks" "doctor finds every hook"
is "$(grep -c 'lacks' "$WORK/doctor")" "$(wc -w <<<"$base")" "... and as many missing helpers as status"
lo6 stop >/dev/null
# with NAME...: kernel_lacks as status spells it, this kernel's own included
with() { printf '%s\n' "$@" $base | sort -u | tr '\n' ' ' | sed 's/ $//'; }
lacks_now() { status_json kernel_lacks | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/ $//'; }

# 1. No socket storage: only connect6; the client sees the relay address.
LO6RELAY_TEST_LACK=sk_storage lo6 start --cgroup "$CG" --ports 6100 >/dev/null 2>"$WORK/err"
ok $? "start without socket storage exits 0"
like "$(cat "$WORK/err")" "^lo6relay: note: this kernel lacks socket storage: redirected clients see the relay address" "... says what is missing and what it costs"
like "$(lo6 status)" "hooks +connect6; not attached: getpeername6 getsockname6 recvmsg6" "... status names the hooks not attached"
like "$(lo6 status)" "kernel +lacks socket storage" "... and what the kernel lacks"
is "$(lacks_now)" "$(with sk_storage)" "... status --json: kernel_lacks"
like "$(probe_cg tcp ::1 6100 a)" "^ok peer=\[::ffff:127\.0\.0\.1\]:6100" "... TCP still redirected, the peer shows the relay"
like "$(probe_cg udp ::1 6100 b)" "^ok peer=\[::ffff:127\.0\.0\.1\]:6100" "... UDP too"
lo6 start --cgroup "$CG" >/dev/null 2>&1
like "$(lo6 status)" "hooks +connect6 getpeername6 getsockname6 recvmsg6 connect4$" "a later full start adds the missing hooks"
is "$(lacks_now)" "$(with)" "... and status lists only what this kernel lacks"
like "$(probe_cg tcp ::1 6100 c)" "^ok peer=\[::1\]:6100" "... and the peer shows [::1] again"
lo6 stop >/dev/null

# 2. A kernel without the getsockname6 hook: the others are attached.
LO6RELAY_TEST_LACK=getsockname6 lo6 start --cgroup "$CG" --ports 6100 >/dev/null 2>"$WORK/err"
ok $? "start without a getsockname6 hook exits 0"
like "$(cat "$WORK/err")" "no cgroup hook for: getsockname6; the rest is installed" "... says which hook"
like "$(lo6 status)" "hooks +connect6 getpeername6 recvmsg6 connect4; not attached: getsockname6" "... status: attached and not"
like "$(lo6 status)" "kernel +has no cgroup hook for getsockname6" "... and why"
is "$(status_json kernel_hooks_absent)" "getsockname6" "... status --json: kernel_hooks_absent"
like "$(probe_cg tcp ::1 6100 d)" "^ok peer=\[::1\]:6100 sock=\[::ffff:127\.0\.0\.1\]:" "... the peer says [::1], the local address the relay's side"
LO6RELAY_TEST_LACK=getsockname6 lo6 doctor >"$WORK/doctor" 2>&1
like "$(cat "$WORK/doctor")" "warn +hooks +start installs what loads: .*; the kernel has no cgroup hook for: getsockname6" "doctor lists the missing hook"
like "$(cat "$WORK/doctor")" "ok +programs" "... and the rest passes the verifier"
lo6 stop >/dev/null

# 3. No netns cookie: every namespace's [::1] is redirected, and said so.
LO6RELAY_TEST_LACK=netns_cookie lo6 start --cgroup "$CG" --ports 6100 >/dev/null 2>"$WORK/err"
ok $? "start without bpf_get_netns_cookie exits 0"
lo6 allow --mode always 6100 # the other netns serves [::1] too: auto would leave it there
like "$(lo6 status)" "netns +all namespaces \(the kernel cannot tell them apart\)" "... status says every namespace"
is "$(inner_lands 6100)" "127.0.0.1" "... a client in another netns is redirected (to that netns' own 127.0.0.1)"
is "$(stat_of 6100 other_netns)/$(stat_of 6100 redirected)" "0/1" "... counted as redirected, not other_netns"
lo6 stop >/dev/null

# 4. No socket lookup: auto ports are left alone, counted local_listener.
LO6RELAY_TEST_LACK=sock_lookup lo6 start --cgroup "$CG" --ports none >/dev/null 2>"$WORK/err"
ok $? "start without socket lookup exits 0"
lo6 allow --mode auto 6100 >/dev/null
lo6 allow --mode always 6101 >/dev/null
is "$(probe_cg tcp ::1 6100 f)" "err ECONNREFUSED" "... an auto port is left alone"
is "$(stat_of 6100 local_listener)" 1 "... counted as local_listener"
serve tcp 127.0.0.1 6101
like "$(probe_cg tcp ::1 6101 g)" "^ok peer=\[::1\]:6101" "... an always port is still redirected"
lo6 stop >/dev/null

# 5. No way to read IPV6_V6ONLY: start works; such a socket is redirected (and fails).
LO6RELAY_TEST_LACK=sock_cast lo6 start --cgroup "$CG" --ports 6100 >/dev/null 2>"$WORK/err"
ok $? "start without bpf_skc_to_tcp6_sock exits 0"
like "$(cat "$WORK/err")" "IPV6_V6ONLY sockets are redirected and fail" "... says what that costs"
like "$(probe_cg tcp ::1 6100 h)" "^ok peer=\[::1\]:6100" "... a plain client is redirected"
like "$(probe_cg tcp ::1 6100 i --v6only)" "^err ENETUNREACH" "... a V6ONLY client fails, as the note says"
is "$(stat_of 6100 v6only)" 0 "... and is not counted as v6only"
lo6 stop >/dev/null

# 6. No ring buffer: redirects work, watch says why it cannot.
LO6RELAY_TEST_LACK=ringbuf lo6 start --cgroup "$CG" --ports 6100 >/dev/null 2>"$WORK/err"
ok $? "start without a ring buffer exits 0"
[ ! -e "$PIN/events" ]
ok $? "... no events map is pinned"
like "$(probe_cg tcp ::1 6100 j)" "^ok peer=\[::1\]:6100" "... connects are redirected"
out=$(timeout 5 "$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf" watch 2>&1)
is "$?" 1 "... watch exits 1"
like "$out" "^lo6relay: this kernel has no BPF ring buffer" "... and says why in one sentence"
lo6 stop >/dev/null

# 7. Everything optional missing at once still starts and redirects.
LO6RELAY_TEST_LACK="sk_storage netns_cookie sock_lookup sock_cast ringbuf getpeername6 getsockname6 recvmsg6" \
	lo6 start --cgroup "$CG" --ports 6100 >/dev/null 2>&1
ok $? "start with every optional feature missing exits 0"
lo6 allow --mode always 6100 # without socket lookup, auto never redirects
like "$(probe_cg tcp ::1 6100 k)" "^ok peer=\[::ffff:127\.0\.0\.1\]:6100" "... and redirects"
lo6 stop >/dev/null

# 8. No connect6 hook: one sentence, exit 1, nothing left behind.
out=$(LO6RELAY_TEST_LACK=connect6 lo6 start --cgroup "$CG" --ports 6100 2>&1)
is "$?" 1 "start on a kernel without the connect6 hook exits 1"
like "$out" "^lo6relay: this kernel has no cgroup connect6 hook" "... says so"
is "$(printf '%s\n' "$out" | wc -l)" 1 "... in one line"
[ ! -e "$PIN" ]
ok $? "... and leaves no pin folder"
is "$(cg_progs | grep -c lo6_)" 0 "... and nothing on the cgroup"
out=$(LO6RELAY_TEST_LACK=connect6 lo6 doctor 2>&1)
like "$out" "FAIL +hooks +the kernel has no cgroup connect6 hook" "doctor says lo6relay cannot work"

done_testing
