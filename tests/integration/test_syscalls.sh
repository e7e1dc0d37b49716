#!/bin/bash
# What no cgroup hook reaches on a redirected UDP socket (README, "What the
# hooks cannot give back"): sendto() naming the connected [::1]:P, the
# IPV6_PKTINFO of a reply and the IPV6_RECVERR error queue. Each is run in
# the test's cgroup (redirected) and outside it (the kernel's own answer),
# and checked against what README says, with the counter that proves the
# redirect happened.
. "$(dirname "$0")/lib.sh"

serve udp 127.0.0.1 7300
serve udp ::1 7300
lo6 start --cgroup "$CG" --relay 127.0.0.1 --ports none >/dev/null
lo6 allow --mode always 7300,7301
out=$("$PY" "$(dirname "$0")/syscalls.py" "$CG" 7300 7301)
line() { printf '%s\n' "$out" | grep "^$1: "; }

like "$(line sendto_named)" "untouched=sent, reply from ::1$" "without lo6relay, sendto naming [::1]:P works"
like "$(line sendto_named)" "redirected=EAFNOSUPPORT " \
	"redirected: sendto naming [::1]:P answers EAFNOSUPPORT (a v4-mapped source cannot reach ::1; udpv6_sendmsg refuses a v4-mapped rewrite)"
like "$(line pktinfo)" "untouched=from ::1 to ::1$" "without lo6relay, IPV6_PKTINFO names ::1"
like "$(line pktinfo)" "redirected=from ::1 to ::ffff:127\.0\.0\.1 " \
	"redirected: the reply's source is given back, its IPV6_PKTINFO names the real ::ffff:127.0.0.1"
like "$(line recverr)" "untouched=dest ::1 offender ::1$" "without lo6relay, the error queue names ::1"
like "$(line recverr)" "redirected=no queued error \(EAGAIN\) " \
	"redirected: the error queue stays empty (the ICMP error is IPv4's: only IP_RECVERR queues it)"
# Each redirected case above counted once: the hooks were in the way, not bypassed.
is "$(stat_of 7300 redirected)/$(stat_of 7301 redirected)" "2/1" "... and each redirected case was redirected"

done_testing
