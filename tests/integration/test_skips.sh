#!/bin/bash
# Never break a connection: V6ONLY sockets, sockets bound to an IPv6 source,
# other network namespaces and Linux-side listeners are left alone, behave
# exactly as without lo6relay, and are counted with their reason.
. "$(dirname "$0")/lib.sh"

# The same client outside the cgroup is the "without lo6relay" reference;
# ephemeral source ports differ, so they are masked.
same_as_without() {
	local with without
	with=$(probe_cg "$@" | sed 's/sock=[^ ]*/sock=*/')
	without=$(probe "$@" | sed 's/sock=[^ ]*/sock=*/')
	is "$with" "$without" "$1 [$2]:$3 ${*:5} behaves as without lo6relay ($without)"
}

lo6 start --cgroup "$CG" --ports 7000-7010 >/dev/null
ok $? "start"
# The skips below are the socket's own: always, so that no Linux listener decides.
lo6 allow --mode always 7000-7010
serve tcp 127.0.0.1 7000
serve udp 127.0.0.1 7000

# 1. IPV6_V6ONLY by setsockopt: tcp_v6_connect would answer ENETUNREACH to a mapped address.
same_as_without tcp ::1 7000 x --v6only
same_as_without udp ::1 7000 x --v6only
is "$(stat_of 7000 v6only)" 2 "V6ONLY sockets counted as v6only"
is "$(stat_of 7000 redirected)" 0 "... and none redirected"

# ... and by the net.ipv6.bindv6only default of this private netns.
sysctl -qw net.ipv6.bindv6only=1
same_as_without tcp ::1 7000 x
same_as_without udp ::1 7000 x
sysctl -qw net.ipv6.bindv6only=0
is "$(stat_of 7000 v6only)" 4 "bindv6only=1 sockets counted as v6only"

# 2. Bound to an IPv6 source first.
same_as_without tcp ::1 7000 x --bind ::1
same_as_without udp ::1 7000 x --bind ::1
is "$(stat_of 7000 bound_v6)" 2 "sockets bound to ::1 counted as bound_v6"
like "$(probe_cg tcp ::1 7000 x --bind ::)" "^ok " "a socket bound to :: (any) is still redirected"

# 3. Only the loader's netns: a client of the same cgroup in another netns.
if lo6 status --json | grep -q '"kernel_lacks":"[^"]*netns_cookie'; then
	# Before 5.14 the loader cannot learn its own cookie (test_degraded.sh
	# covers the rest of this path): what status says must be what happens.
	is "$(inner_lands 7001)" "127.0.0.1" "a client in another netns lands on its own 127.0.0.1 (no netns cookie: redirected)"
	like "$(lo6 status)" "netns +all namespaces \(the kernel cannot tell them apart\)" "... (this kernel has no netns cookies: status says every namespace)"
	is "$(stat_of 7001 other_netns)/$(stat_of 7001 redirected)" "0/1" "... and so it is redirected"
	base=1
else
	is "$(inner_lands 7001)" "::1" "a client in another netns reaches its own ::1"
	is "$(stat_of 7001 other_netns)" 1 "... counted as other_netns"
	is "$(stat_of 7001 redirected)" 0 "... not redirected"
	base=0
fi
lo6 start --cgroup "$CG" --all-netns >/dev/null
like "$(lo6 status --json)" '"all_netns":true' "start --all-netns"
inner_lands 7001 >/dev/null
is "$(stat_of 7001 redirected)" $((base + 1)) "--all-netns redirects in the other netns too"
lo6 start --cgroup "$CG" >/dev/null
like "$(lo6 status --json)" '"all_netns":false' "start without --all-netns restores the default"

# 7. Listener-aware auto mode: a Linux server on [::1]:P keeps its traffic.
lo6 allow --mode auto 7002-7005
serve tcp 127.0.0.1 7002
serve tcp ::1 7002
probe_cg tcp ::1 7002 to-linux >/dev/null
sleep 0.2
like "$(served tcp ::1 7002)" "data=to-linux$" "auto: a [::1] listener keeps its TCP traffic"
is "$(served tcp 127.0.0.1 7002)" "" "... and the relay side gets nothing"
is "$(stat_of 7002 local_listener)" 1 "... counted as local_listener"

serve tcp :: 7003
probe_cg tcp ::1 7003 to-dual >/dev/null
sleep 0.2
like "$(served tcp :: 7003)" "from=\[::1\]:[0-9]+ data=to-dual$" "auto: a dual-stack [::] listener keeps its traffic"
is "$(stat_of 7003 local_listener)" 1 "... counted as local_listener"

serve udp 127.0.0.1 7004
serve udp ::1 7004
like "$(probe_cg udp ::1 7004 to-linux-udp)" "^ok " "auto: UDP to a [::1] server"
like "$(served udp ::1 7004)" "data=to-linux-udp$" "... reaches the Linux server"
is "$(served udp 127.0.0.1 7004)" "" "... not the relay"

serve tcp 127.0.0.1 7005
probe_cg tcp ::1 7005 to-windows >/dev/null
sleep 0.2
like "$(served tcp 127.0.0.1 7005)" "data=to-windows$" "auto: nothing on [::1], so the relay gets it"
is "$(stat_of 7005 redirected)" 1 "... counted as redirected"

# The default mode for ports not listed.
is "$(lo6 default)" off "the default mode is off"
serve tcp 127.0.0.1 7100
is "$(probe_cg tcp ::1 7100 x)" "err ECONNREFUSED" "an unlisted port is not redirected by default"
lo6 default auto
ok $? "default auto"
like "$(probe_cg tcp ::1 7100 x)" "^ok " "with default auto an unlisted port is redirected"
serve tcp ::1 7101
serve tcp 127.0.0.1 7101
probe_cg tcp ::1 7101 linux-keeps >/dev/null
sleep 0.2
like "$(served tcp ::1 7101)" "data=linux-keeps$" "with default auto a Linux [::1] server keeps its traffic"
lo6 allow --mode never 7100
is "$(probe_cg tcp ::1 7100 x)" "err ECONNREFUSED" "never overrides the default"
like "$(lo6 ports)" "never +7100" "ports lists never"
lo6 default sometimes 2>/dev/null
is "$?" 2 "a bad default mode is a usage error"
is "$(lo6 default)" auto "... and changes nothing"

done_testing
