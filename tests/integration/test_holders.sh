#!/bin/bash
# Another tool's program attached to a hook WITHOUT BPF_F_ALLOW_MULTI holds
# that hook: the kernel lets no other program join it there or below. start
# never leaves hooks that are unsafe together. connect6 held: it refuses in
# one sentence naming the holder, exit 1, nothing left. connect4 held where
# it only clears marks, or a reverse hook held: it starts without marks
# (clients see the relay, as with --show-relay) and names the holder, since
# a mark that connect4 no longer clears made glibc's getaddrinfo abort.
# connect4 held under --loopback4: refused, as connect6.
. "$(dirname "$0")/lib.sh"

hold() { "$PY" "$CG_PROGS" --hold "$@"; }
release() { "$PY" "$CG_PROGS" --release "$@"; }
ours() { cg_progs "$@" | awk '$2 ~ /^lo6_/ { print $1 }' | sort | tr '\n' ' '; }
gone() { [ ! -e "$PIN" ] && [ -z "$(ours)" ]; }

serve tcp 127.0.0.1 6000

# getaddrinfo("localhost") with ::1 listed first, in the test's cgroup: glibc
# sorts [::1] and 127.0.0.1 with one UDP socket (see test_transparency.sh).
printf '::1 localhost\n127.0.0.1 localhost\n' >"$WORK/hosts"
[ -e /etc/hosts ] || : >/etc/hosts
gai() {
	in_cg unshare -m sh -c 'mount --bind "$1" /etc/hosts && exec "$2" -c "
import socket
print(sorted({a[4][0] for a in socket.getaddrinfo(\"localhost\", 6000, type=socket.SOCK_STREAM)}))"' \
		sh "$WORK/hosts" "$PY" 2>&1
}

# 1. connect4 held: it is there to clear marks, so no marks.
id=$(hold connect4 "$CG")
out=$(lo6 start --cgroup "$CG" --ports 6000 2>&1)
is "$?" 0 "connect4 held: start exits 0"
like "$out" "note: started without socket marks, so clients see the relay address instead of \[::1\].* BPF program $id \(lo6test_holder\) holds connect4 on $CG without BPF_F_ALLOW_MULTI" \
	"... and says it went without marks, naming the holder"
is "$(ours)" "connect6 " "... with connect6 alone of ours on the cgroup"
is "$(gai)" "['127.0.0.1', '::1']" "... and getaddrinfo(localhost) with ::1 first does not abort"
like "$(probe_cg tcp ::1 6000 held-c4)" "^ok peer=\[::ffff:127\.0\.0\.1\]:6000 sock=\[::ffff:127\.0\.0\.1\]:" \
	"... a [::1] client is redirected and sees the relay through both names"
sleep 0.2
like "$(served tcp 127.0.0.1 6000)" "data=held-c4$" "... and lands on the relay"
like "$(lo6 status)" "clients see the relay address, not \[::1\]: another program held connect4 at start" \
	"status says why clients see the relay"
is "$(lo6 status --json | "$PY" -c 'import json, sys; d = json.load(sys.stdin); print(d["hooks_held"], d["hooks_missing"] or "-")')" \
	"connect4 -" "status --json: hooks_held names it, and nothing wanted is missing"
lo6 stop >/dev/null
release connect4 "$CG"

# 2. A reverse hook held: one name would say [::1] and another the relay.
id=$(hold getsockname6 "$CG")
out=$(lo6 start --cgroup "$CG" --ports 6000 2>&1)
is "$?" 0 "getsockname6 held: start exits 0"
like "$out" "BPF program $id \(lo6test_holder\) holds getsockname6 on $CG" "... naming the holder"
is "$(ours)" "connect6 " "... with connect6 alone of ours"
like "$(probe_cg tcp ::1 6000 held-gsn)" "^ok peer=\[::ffff:127\.0\.0\.1\]:6000 sock=\[::ffff:127\.0\.0\.1\]:" \
	"... getpeername and getsockname agree on the relay"
is "$(gai)" "['127.0.0.1', '::1']" "... and getaddrinfo does not abort"
lo6 stop >/dev/null
# Two held: the note names one holder and every hook held.
id=$(hold connect4 "$CG")
out=$(lo6 start --cgroup "$CG" --ports 6000 2>&1)
like "$out" "since BPF program $id \(lo6test_holder\) holds connect4 on $CG .*; with getsockname6 connect4 free, run start again$" \
	"getsockname6 and connect4 held: the note names a holder by its own hook, and both hooks"
lo6 stop >/dev/null
release connect4 "$CG"
release getsockname6 "$CG"

# 3. Held on a parent: the kernel refuses below it too, and start says where.
mkdir "$CG/child"
id=$(hold recvmsg6 "$CG")
out=$(lo6 start --cgroup "$CG/child" --ports 6000 2>&1)
is "$?" 0 "recvmsg6 held on the parent: start on the child exits 0"
like "$out" "BPF program $id \(lo6test_holder\) holds recvmsg6 on $CG without" "... naming the parent"
is "$(ours "$CG/child")" "connect6 " "... with connect6 alone on the child"
lo6 stop >/dev/null
release recvmsg6 "$CG"
# A parent's program attached with BPF_F_ALLOW_OVERRIDE lets a child have its own.
hold recvmsg6 --override "$CG" >/dev/null
lo6 start --cgroup "$CG/child" --ports 6000 >"$WORK/out" 2>&1
ok $? "a parent's overridable program: start exits 0"
is "$(ours "$CG/child")" "connect4 connect6 getpeername6 getsockname6 recvmsg6 " "... with every hook of ours"
lo6 stop >/dev/null
release recvmsg6 "$CG"
rmdir "$CG/child"

# 4. connect6 held: nothing can work; connect4 under --loopback4: refused too.
for c in "connect6" "connect4 --loopback4"; do
	set -- $c
	id=$(hold "$1" "$CG")
	out=$(lo6 start --cgroup "$CG" --ports 6000 ${2:-} 2>&1)
	is "$?" 1 "$1 held${2:+ with $2}: start exits 1"
	like "$out" "^lo6relay: cannot attach $1 on cgroup $CG.*: BPF program $id \(lo6test_holder\) holds $1 on $CG without BPF_F_ALLOW_MULTI \(free it: 'bpftool cgroup detach $CG $1 id $id'\)$" \
		"... naming the holder and how to free it"
	# (A kernel's own notes, such as 5.10's missing netns cookie, come with every start.)
	is "$(printf '%s\n' "$out" | grep -vc '^lo6relay: note: this kernel ')" 1 "... in one line"
	unlike_root=$(printf '%s\n' "$out" | grep -c "run as root")
	is "$unlike_root" 0 "... not 'run as root'"
	gone
	ok $? "... and leaves no pin folder and nothing of ours on the cgroup"
	release "$1" "$CG"
done

# 5. Freed: every hook again.
lo6 start --cgroup "$CG" --ports 6000 >/dev/null 2>&1
ok $? "with nothing held, start exits 0"
is "$(ours)" "connect4 connect6 getpeername6 getsockname6 recvmsg6 " "... with every hook of ours"
like "$(probe_cg tcp ::1 6000 free)" "^ok peer=\[::1\]:6000 sock=\[::1\]:" "... and clients see [::1] again"
is "$(gai)" "['127.0.0.1', '::1']" "... and getaddrinfo does not abort"

done_testing
