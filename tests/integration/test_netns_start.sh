#!/bin/bash
# A second start keeps the network namespace a running instance serves: one
# from another namespace is refused in one sentence (it used to move the
# instance there, and the first namespace's [::1] clients lost the relay);
# with --all-netns it serves both and keeps the first namespace's cookie.
# status says which namespace is served, asked from either side.
. "$(dirname "$0")/lib.sh"

# elsewhere CMD...: CMD in a network namespace of its own (lo up), outside $CG.
elsewhere() { unshare -n sh -c 'ip link set lo up && exec "$0" "$@"' "$@"; }
lo6_there() { elsewhere "$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf" "$@"; }
served_here() { "$PY" -c 'import json, sys; print(json.load(sys.stdin)["netns_served_here"])'; }

serve tcp 127.0.0.1 6000
lo6 start --cgroup "$CG" --ports 6000 >/dev/null
ok $? "start in the test's namespace"
lo6 allow --mode always 6000 >/dev/null
if lo6 status --json | grep -q '"kernel_lacks":"[^"]*netns_cookie'; then
	# Before 5.14 (no SO_NETNS_COOKIE) every namespace is served: nothing to move.
	lo6_there start --cgroup "$CG" --ports 6000 >/dev/null 2>&1
	ok $? "no netns cookies: a start from another namespace changes nothing and exits 0"
	like "$(lo6_there status)" "netns +all namespaces \(the kernel cannot tell them apart\)" \
		"... and status there says every namespace"
	like "$(probe_cg tcp ::1 6000 first-ns)" "^ok peer=\[::1\]:6000" "... the first one's client is redirected"
	done_testing
fi

out=$(lo6_there start --cgroup "$CG" --ports 6000 2>&1)
is "$?" 1 "a second start from another namespace exits 1"
like "$out" "^lo6relay: the instance pinned at $PIN serves another network namespace \(cookie [0-9]+; this one's is [0-9]+\).*--all-netns.*stop --pin-dir $PIN' first to move it here$" \
	"... says which namespace it serves and the ways out"
is "$(printf '%s\n' "$out" | wc -l)" 1 "... in one line"
like "$(probe_cg tcp ::1 6000 first-ns)" "^ok peer=\[::1\]:6000" "a client of the first namespace is still redirected"
sleep 0.2
like "$(served tcp 127.0.0.1 6000)" "data=first-ns$" "... and lands on the relay"
is "$(stat_of 6000 other_netns)" 0 "... not counted other_netns"

like "$(lo6 status)" "netns +the loader's namespace only$" "status from the served namespace says so"
like "$(lo6_there status)" "netns +another namespace only \(cookie [0-9]+\), not this one \(cookie [0-9]+\): \[::1\] here is left alone$" \
	"status from another namespace says it is not served there"
like "$(lo6_there doctor 2>&1 | grep ' netns ')" "^  warn +netns +it serves another network namespace \(cookie [0-9]+\) than this one" \
	"doctor from another namespace warns that it is not served there"
is "$(lo6 doctor 2>&1 | grep -c ' netns ')" 0 "... and says nothing of it in the served one"
is "$(lo6 status --json | served_here)" True "status --json: netns_served_here in the served namespace"
is "$(lo6_there status --json | served_here)" False "... and not in another"
# The client's view from the other side: left alone there, as status says.
is "$(inner_lands 6000)" "::1" "a client of another namespace is left alone (its own [::1] answers)"

lo6_there start --cgroup "$CG" --ports 6000 --all-netns >/dev/null 2>&1
ok $? "from another namespace, start --all-netns exits 0"
like "$(lo6_there status)" "netns +all namespaces$" "... status there says all namespaces"
is "$(inner_lands 6000)" "127.0.0.1" "... and a client of another namespace is redirected"
like "$(probe_cg tcp ::1 6000 both)" "^ok peer=\[::1\]:6000" "... the first namespace's too"
lo6_there start --cgroup "$CG" --ports 6000 >/dev/null 2>&1
is "$?" 1 "without --all-netns again, another namespace is still refused"
lo6 start --cgroup "$CG" --ports 6000 >/dev/null 2>&1
ok $? "the first namespace, whose cookie --all-netns kept, starts without it"
like "$(lo6 status)" "netns +the loader's namespace only$" "... and is served alone again"
is "$(inner_lands 6000)" "::1" "... another namespace's client left alone again"

# An instance stopped and started from elsewhere moves, as asked.
lo6 stop >/dev/null
lo6_there start --cgroup "$CG" --ports 6000 >/dev/null 2>&1
ok $? "after stop, start from another namespace exits 0"
like "$(lo6 status)" "netns +another namespace only" "... and status here says this one is not served"

done_testing
