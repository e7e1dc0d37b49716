#!/bin/bash
# doctor PORT on the live instance: what the counters say about clients
# lo6relay can never redirect.
. "$(dirname "$0")/lib.sh"

lo6 start --cgroup "$CG" --ports 6200 >/dev/null
serve tcp 127.0.0.1 6200

probe_cg tcp ::1 6200 plain >/dev/null
out=$(lo6 doctor 6200)
printf '%s\n' "$out" | grep -q IPV6_V6ONLY
is "$?" 1 "no V6ONLY client counted: doctor says nothing of IPV6_V6ONLY"

# Ruby's Socket.tcp and Go's "tcp6" set IPV6_V6ONLY on every IPv6 socket.
probe_cg tcp ::1 6200 ruby --v6only >/dev/null
is "$(stat_of 6200 v6only)" 1 "a V6ONLY client is counted v6only"
out=$(lo6 doctor 6200)
line=$(printf '%s\n' "$out" | grep ' v6only ')
like "$line" "^  warn +v6only +1 connect\(s\) to \[::1\]:6200 came from a client that set IPV6_V6ONLY" \
	"doctor PORT names the V6ONLY client"
like "$line" "Ruby's Socket.tcp .*Go's \"tcp6\" network do that: point them at 127.0.0.1:6200, or dial \"tcp\" in Go" \
	"... which clients do that, and what to use instead"
like "$(printf '%s\n' "$out" | tail -1)" "IPV6_V6ONLY .*point such clients at 127.0.0.1:6200" \
	"... and the verdict says it too"
lo6 doctor 6201 | grep -q IPV6_V6ONLY
is "$?" 1 "... only for the port it was counted on"

done_testing
