#!/bin/bash
# The core promise: [::1]:P in the cgroup lands on 127.0.0.1:P for allowed
# ports, TCP and connected UDP; nothing else changes; counters say so exactly.
. "$(dirname "$0")/lib.sh"

lo6 start --cgroup "$CG" --ports 8080 >/dev/null
ok $? "start attaches to a private cgroup"

serve tcp 127.0.0.1 8080
serve udp 127.0.0.1 8080
serve tcp 127.0.0.1 8081
serve tcp 127.0.0.2 8080

out=$(probe_cg tcp ::1 8080 hello-tcp)
like "$out" "^ok " "TCP [::1]:8080 from the cgroup connects"
sleep 0.2
like "$(served tcp 127.0.0.1 8080)" "from=127\.0\.0\.1:[0-9]+ data=hello-tcp$" \
	"the 127.0.0.1 server received the bytes sent to [::1]"

out=$(probe_cg udp ::1 8080 hello-udp)
like "$out" "^ok .*reply_from=" "connected UDP to [::1]:8080 gets its echo back"
like "$(served udp 127.0.0.1 8080)" "data=hello-udp$" "the 127.0.0.1 UDP server received the datagram"

is "$(probe tcp ::1 8080 outside)" "err ECONNREFUSED" "a client outside the cgroup is not redirected"
is "$(probe_cg tcp ::1 8081 not-allowed)" "err ECONNREFUSED" "a port not allowed is refused as before"

# Another IPv6 destination on an allowed port: [::ffff:127.0.0.2] must stay
# at 127.0.0.2, where a different server listens.
out=$(probe_cg tcp ::ffff:127.0.0.2 8080 mapped)
like "$out" "^ok peer=\[::ffff:127\.0\.0\.2\]:8080" "other IPv6 destinations are untouched"
sleep 0.2
like "$(served tcp 127.0.0.2 8080)" "data=mapped$" "... and reach their own server"

lo6 deny 8080
ok $? "deny 8080"
is "$(probe_cg tcp ::1 8080 after-deny)" "err ECONNREFUSED" "deny takes effect on the next connect"
lo6 allow 8080
like "$(probe_cg tcp ::1 8080 after-allow)" "^ok " "allow again takes effect at once"

# 3 redirected on 8080 (tcp, udp, after-allow), 1 skipped after deny,
# 1 skipped on 8081; the outside client and [::ffff:127.0.0.2] are not seen.
is "$(stat_of 8080 redirected)" 3 "8080 counted 3 redirects"
is "$(stat_of 8080 not_allowed)" 1 "8080 counted 1 skip while denied"
is "$(stat_of 8081 not_allowed)" 1 "8081 counted 1 skip"
is "$(stat_of 8081 redirected)" 0 "8081 counted no redirect"
is "$(lo6 stats --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["total"]["redirected"])')" 3 \
	"the total adds up"

dump=$(bpftool map dump pinned "$PIN/port_stats")
like "$dump" '"key": 8080' "bpftool map dump shows the port number"
like "$dump" '"redirected": 3' "bpftool map dump shows field names and values"
like "$(bpftool map dump pinned "$PIN/ports")" '"mode": 2' "the ports map dumps with its field name (auto)"

table=$(lo6 stats)
like "$table" "^8080 +3 +1 " "stats prints a row per port"
like "$table" "^TOTAL +3 +2 " "stats prints totals"

done_testing
