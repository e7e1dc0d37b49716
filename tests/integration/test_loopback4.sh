#!/bin/bash
# --loopback4: 127.x.y.z and ::ffff:127.x.y.z stay inside Linux under WSL
# just like ::1; with the switch they go to the relay, without it they are
# left alone, and the client sees the address it asked for.
. "$(dirname "$0")/lib.sh"

serve tcp 127.0.0.1 5000
serve udp 127.0.0.1 5000

lo6 start --cgroup "$CG" --ports 5000-5010 >/dev/null
ok $? "start without --loopback4"
is "$(probe_cg tcp 127.0.1.1 5000 x)" "err ECONNREFUSED" "off: 127.0.1.1 is left alone"
is "$(probe_cg tcp ::ffff:127.0.1.1 5000 x)" "err ECONNREFUSED" "off: ::ffff:127.0.1.1 is left alone"
unlike_hooks=$(lo6 status)
like "$unlike_hooks" "hooks +connect6 getpeername6 getsockname6 recvmsg6 connect4$" "off: no IPv4 reverse hook, connect4 only to clear marks"

lo6 start --cgroup "$CG" --loopback4 >/dev/null
ok $? "start --loopback4 on the running instance"
like "$(lo6 status)" "hooks +connect6 getpeername6 getsockname6 recvmsg6 connect4 getpeername4 recvmsg4$" \
	"status lists the IPv4 hooks"
like "$(lo6 status --json)" '"loopback4":true' "status --json says loopback4"

like "$(probe_cg tcp 127.0.1.1 5000 hostname)" "^ok peer=127\.0\.1\.1:5000 " "127.0.1.1: redirected, getpeername says 127.0.1.1"
like "$(probe_cg tcp 127.5.6.7 5000 other127)" "^ok peer=127\.5\.6\.7:5000 " "127.5.6.7: redirected, getpeername says 127.5.6.7"
like "$(probe_cg tcp ::ffff:127.0.1.1 5000 mapped)" "^ok peer=\[::ffff:127\.0\.1\.1\]:5000 " \
	"::ffff:127.0.1.1: redirected, getpeername says it back"
like "$(probe_cg udp 127.0.1.1 5000 udp4)" "^ok peer=127\.0\.1\.1:5000 .*reply_from=127\.0\.1\.1:5000$" \
	"UDP to 127.0.1.1: the reply comes from 127.0.1.1"
sleep 0.2
log=$(served tcp 127.0.0.1 5000)
like "$log" "data=hostname$" "the relay got the 127.0.1.1 client's bytes"
like "$log" "data=other127$" "the relay got the 127.5.6.7 client's bytes"
like "$log" "data=mapped$" "the relay got the ::ffff:127.0.1.1 client's bytes"
like "$(served udp 127.0.0.1 5000)" "data=udp4$" "the relay got the UDP datagram"
is "$(probe tcp 127.0.1.1 5000 x)" "err ECONNREFUSED" "outside the cgroup 127.0.1.1 is left alone"
is "$(probe_cg tcp 127.0.1.1 5999 x)" "err ECONNREFUSED" "a port not allowed is left alone"
like "$(probe_cg tcp 127.0.0.1 5000 direct)" "^ok peer=127\.0\.0\.1:5000 " "the relay address itself is a plain connect"

is "$(stat_of 5000 redirected)" 4 "4 redirects counted"
is "$(stat_of 5000 via_127)" 3 "3 of them asked for 127/8"
is "$(stat_of 5000 via_mapped)" 1 "1 of them asked for ::ffff:127/8"
is "$(stat_of 5999 not_allowed)" 1 "the port not allowed counted as not_allowed"

# auto: a Linux service bound to 127.0.1.1 on purpose keeps its traffic.
lo6 allow --mode auto 5001
serve tcp 127.0.1.1 5001
serve tcp 127.0.0.1 5001
probe_cg tcp 127.0.1.1 5001 linux-service >/dev/null
sleep 0.2
like "$(served tcp 127.0.1.1 5001)" "data=linux-service$" "auto: a listener on 127.0.1.1 keeps its traffic"
is "$(served tcp 127.0.0.1 5001)" "" "... and the relay gets nothing"
is "$(stat_of 5001 local_listener)" 1 "... counted as local_listener"

lo6 start --cgroup "$CG" >/dev/null
like "$(lo6 status)" "hooks +connect6 getpeername6 getsockname6 recvmsg6 connect4$" "start without --loopback4 takes the IPv4 reverse hooks away"
is "$(probe_cg tcp 127.0.1.1 5000 x)" "err ECONNREFUSED" "... and 127.0.1.1 is left alone again"
is "$(probe_cg tcp ::ffff:127.0.1.1 5000 x)" "err ECONNREFUSED" "... and ::ffff:127.0.1.1 too"

done_testing
