#!/bin/bash
# WSL's NAT mode, started as a user would (no --relay, no --ports, no config
# file): Linux first. A connect goes to Windows only when no Linux socket
# would have answered it (README's rules 12 and 13), WSL's own relay, which
# connects inside Linux to [::1]:P or 127.0.0.1:P as the Linux server binds,
# always reaches Linux, and, where WSL gives each distro a cgroup, start
# attaches where WSL's own processes are not. Each expectation below is
# what the rules say; each refusal is paired with the Windows server's log
# and a counter, so it cannot pass by accident.
. "$(dirname "$0")/lib.sh"

wsl_nat_sim
export LO6RELAY_TEST_WSL_ROOT="$WSL_FACTS"
GW=$WSL_GW
win_lines() { wc -l <"$WORK/win-$1.log" 2>/dev/null || echo 0; }

# Linux's own servers, as a developer's would bind them, and Windows on the
# same ports (plus 4200, which Linux does not serve).
serve tcp ::1 3000
serve tcp :: 5173
serve tcp 127.0.0.1 8000
serve tcp 0.0.0.0 8080
for p in 3000 5173 8000 8080 4200; do win_serve "$p"; done
win_serve 5000 udp

lo6 start --cgroup "$CG" >/dev/null
ok $? "start with no option and no config file"
like "$(lo6 status --json)" "\"relay\":\"$GW\",\"relay_auto\":true" "the relay is auto's pick: the gateway"
like "$(lo6 ports)" "^auto +3000-3010,4200,5000,5173,5432,6379,8000,8080,8443,9229$" \
	"the default ports are auto"

# WSL's Windows-to-Linux relay, and any other Linux client, of Linux servers.
like "$(probe_cg tcp ::1 3000 wsl-relay)" "^ok peer=\[::1\]:3000 " "[::1]:3000 with a Linux [::1] server: connects"
like "$(served tcp ::1 3000)" "data=wsl-relay$" "... and lands on Linux (as WSL's own relay needs)"
like "$(probe_cg tcp ::1 5173 dual)" "^ok " "[::1]:5173 with a Linux [::]:5173 server: connects"
like "$(served tcp :: 5173)" "data=dual$" "... and lands on Linux"
is "$(probe_cg tcp ::1 8000 x)" "err ECONNREFUSED" \
	"[::1]:8000 with a Linux server on 127.0.0.1:8000 only: refused, as without lo6relay"
is "$(probe_cg tcp ::1 8080 x)" "err ECONNREFUSED" "[::1]:8080 with a Linux server on 0.0.0.0:8080: the same"
is "$(win_lines 3000)/$(win_lines 5173)/$(win_lines 8000)/$(win_lines 8080)" "0/0/0/0" \
	"... Windows got none of them"
is "$(stat_of 3000 local_listener)/$(stat_of 5173 local_listener)/$(stat_of 8000 local_listener)/$(stat_of 8080 local_listener)" \
	"1/1/1/1" "... each counted local_listener"

# A client of localhost tries [::1], is refused, then reaches Linux's 127.0.0.1.
printf '::1 localhost\n127.0.0.1 localhost\n' >"$WORK/hosts"
[ -e /etc/hosts ] || : >/etc/hosts
out=$(in_cg unshare -m sh -c 'mount --bind "$1" /etc/hosts && exec "$2" -c "
import socket
s = socket.create_connection((\"localhost\", 8000), timeout=3)
print(s.getpeername()[0]); s.sendall(b\"localhost\")"' sh "$WORK/hosts" "$PY" 2>&1)
is "$out" "127.0.0.1" "a localhost:8000 client, ::1 listed first, ends at Linux's 127.0.0.1"
sleep 0.2
like "$(served tcp 127.0.0.1 8000)" "data=localhost$" "... and the Linux server has it"
is "$(win_lines 8000)" 0 "... Windows has nothing"

# Nobody on Linux: [::1] reaches Windows, and the client sees what it asked for.
like "$(probe_cg tcp ::1 4200 to-win)" "^ok peer=\[::1\]:4200 " "[::1]:4200, no Linux server: connects, peer [::1]"
sleep 0.2
like "$(cat "$WORK/win-4200.log")" "^from=198\.18\.0\.2:[0-9]+ data=to-win$" "... and lands on Windows at the gateway"
like "$(probe_cg udp ::1 5000 dgram)" "^ok .* reply_from=\[::1\]:5000$" "UDP [::1]:5000: Windows answers as [::1]"
is "$(stat_of 4200 redirected)/$(stat_of 5000 redirected)" "1/1" "... both counted redirected"
# 127.0.0.1 is Linux's without --ipv4-localhost, whoever listens there.
is "$(probe_cg tcp 127.0.0.1 4200 x)" "err ECONNREFUSED" "127.0.0.1:4200 without --ipv4-localhost: Linux's own, refused"
is "$(win_lines 4200)/$(stat_of 4200 redirected)" "1/1" "... not sent to Windows, nothing counted"

# --ipv4-localhost: 127.0.0.1 goes to Windows only where Linux has nobody, whatever the mode.
lo6 start --cgroup "$CG" --ipv4-localhost >/dev/null
ok $? "start --ipv4-localhost"
lo6 allow --mode always 8000
like "$(probe_cg tcp 127.0.0.1 8000 wsl-relay-4)" "^ok peer=127\.0\.0\.1:8000 " \
	"127.0.0.1:8000, mode always, a Linux server there: connects"
sleep 0.2
like "$(served tcp 127.0.0.1 8000)" "data=wsl-relay-4$" "... to Linux (WSL's relay keeps its IPv4 clients)"
like "$(probe_cg tcp 127.0.0.1 8080 x)" "^ok " "127.0.0.1:8080, a Linux server on 0.0.0.0: connects"
is "$(win_lines 8000)/$(win_lines 8080)" "0/0" "... neither reached Windows"
# 8000 had three TCP connects: [::1], the localhost client's [::1], and this one.
is "$(stat_of 8000 local_listener)/$(stat_of 8080 local_listener)" "3/2" "... both counted local_listener"
# Linux serves [::1]:3000 only: nobody would answer 127.0.0.1:3000 on Linux.
like "$(probe_cg tcp ::ffff:127.0.0.1 3000 mapped)" "^ok peer=\[::ffff:127\.0\.0\.1\]:3000 " \
	"[::ffff:127.0.0.1]:3000, Linux serving [::1] only: connects, peer as asked"
like "$(probe_cg tcp 127.0.0.1 4200 v4)" "^ok peer=127\.0\.0\.1:4200 " "127.0.0.1:4200, nobody on Linux: connects, peer 127.0.0.1"
like "$(probe_cg udp 127.0.0.1 5000 v4-dgram)" "^ok .* reply_from=127\.0\.0\.1:5000$" "UDP 127.0.0.1:5000: Windows answers as 127.0.0.1"
sleep 0.2
like "$(tail -1 "$WORK/win-3000.log")" "data=mapped$" "... the first on Windows"
like "$(tail -1 "$WORK/win-4200.log")" "data=v4$" "... the second too"
like "$(tail -1 "$WORK/win-udp-5000.log")" "data=v4-dgram$" "... and the third"
is "$(stat_of 3000 via_mapped)/$(stat_of 4200 via_127)/$(stat_of 5000 via_127)" "1/1/1" \
	"... counted via_mapped and via_127"
# A socket bound to a loopback source first means this machine: left alone.
is "$(probe_cg tcp 127.0.0.1 4200 bound --bind 127.0.0.1)" "err ECONNREFUSED" \
	"127.0.0.1:4200 from a socket bound to 127.0.0.1: left on Linux"
is "$(win_lines 4200)/$(stat_of 4200 redirected)" "2/2" "... Windows got nothing more, nothing counted"
like "$(lo6 status)" "relay +\[::1\]:PORT, 127\.0\.0\.1:PORT -> $GW:PORT" "status names 127.0.0.1 among what goes to the relay"

# WSL's per-distro cgroups: every distro under wsl-user, WSL's own processes at the root.
lo6 stop >/dev/null
mkdir -p "$CG/wsl-user/distro-1/non-systemd"
DISTRO="$CG/wsl-user/distro-1/non-systemd"
LO6RELAY_TEST_CGROUP_ROOT="$CG" lo6 start >/dev/null
ok $? "start without --cgroup where the root has a wsl-user cgroup"
like "$(lo6 status)" "cgroup +$CG/wsl-user$" "... attaches at wsl-user"
lo6 allow --mode always 4200
like "$(in_cgroup "$DISTRO" "$PY" "$NETPROBE" connect tcp ::1 4200 distro)" "^ok peer=\[::1\]:4200 " \
	"a distro's [::1]:4200 client: connects"
sleep 0.2
like "$(tail -1 "$WORK/win-4200.log")" "data=distro$" "... on Windows"
is "$(probe_cg tcp ::1 4200 wsl-own)" "err ECONNREFUSED" "WSL's own process at the root, [::1]:4200 (mode always): left on Linux"
is "$(grep -c data=wsl-own "$WORK/win-4200.log")/$(stat_of 4200 redirected)" "0/1" \
	"... Windows never saw it, and only the distro's was counted"

# NAT mode with no default route (the network not up yet, say): auto names no
# address. A new instance with no relay named refuses; one that was given
# its relay keeps it through reload and another start, which need no pick.
lo6 stop >/dev/null
NOROUTE="$WORK/wsl-noroute"
mkdir -p "$NOROUTE/proc/net" "$NOROUTE/fixture"
cp "$WSL_FACTS/proc/version" "$NOROUTE/proc/"
cp "$WSL_FACTS/fixture/wslinfo-networking-mode" "$NOROUTE/fixture/"
head -1 /proc/net/route >"$NOROUTE/proc/net/route"
noroute() { LO6RELAY_TEST_WSL_ROOT="$NOROUTE" lo6 "$@"; }
noroute start --cgroup "$CG" --ports 4200 >/dev/null 2>"$WORK/err"
is "$?" 1 "no default route, nothing names a relay: a new instance refuses"
like "$(cat "$WORK/err")" "relay auto cannot name an address: NAT mode, but there is no default route" \
	"... saying why"
is "$(cg_progs)" "" "... and attaches nothing"
noroute start --cgroup "$CG" --relay "$GW" --ports 4200 >/dev/null
ok $? "no default route, --relay named: starts"
noroute reload >/dev/null 2>"$WORK/err"
is "$?" 0 "reload with a file that names no relay: exits 0"
is "$(cat "$WORK/err")" "" "... saying nothing of auto"
noroute start --cgroup "$CG" >/dev/null 2>"$WORK/err"
is "$?" 0 "start again with no relay named: exits 0"
like "$(lo6 status)" "relay +\[::1\]:PORT -> $GW:PORT" "... the relay given is kept"
like "$(probe_cg tcp ::1 4200 kept)" "^ok peer=\[::1\]:4200 " "[::1]:4200: connects"
sleep 0.2
like "$(tail -1 "$WORK/win-4200.log")" "data=kept$" "... on Windows, at the relay kept"
lo6 stop >/dev/null

done_testing
