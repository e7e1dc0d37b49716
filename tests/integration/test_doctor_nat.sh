#!/bin/bash
# doctor PORT in NAT mode, live: Linux reaches Windows only at the default
# gateway (README.md, "WSL's networking modes"). "Windows" is a network
# namespace of this test behind a veth pair, at 198.18.0.1 (RFC 2544
# benchmarking space); this test's own namespace is Linux, at 198.18.0.2,
# its default route through it. WSL's facts (kernel version, wslinfo's
# "nat", Windows' netstat.exe) come from a folder through the test binary's
# LO6RELAY_TEST_WSL_ROOT; the instance, listeners and probes are live.
. "$(dirname "$0")/lib.sh"

wsl_nat_sim
GW=$WSL_GW
FACTS=$WSL_FACTS

# doctor ARGS...: from inside the test cgroup, so its [::1] probe is redirected; sets $out, $rc.
doctor() {
	out=$(in_cg env LO6RELAY_TEST_WSL_ROOT="$FACTS" "$LO6RELAY" --pin-dir "$PIN" \
		--config "$WORK/empty.conf" doctor "$@" 2>&1)
	rc=$?
}
verdict() { printf '%s\n' "$out" | tail -1; }
finding() { printf '%s\n' "$out" | grep -E "^  [a-zA-Z]+ +$1 " | head -1; }

lo6 start --cgroup "$CG" --relay "$GW" --ports 6300-6303 >/dev/null
lo6 allow --mode auto 6303 >/dev/null
win_serve 6300

doctor 6300
is "$rc" 0 "Windows serves $GW:6300: doctor exits 0"
like "$(finding gateway)" "^  ok +gateway +Windows at $GW:6300 accepts a TCP connect" \
	"the gateway is probed: Windows answers"
like "$(cat "$WORK/win-6300.log")" "^from=198\.18\.0\.2:" \
	"... and the probe really reached the Windows side"
like "$(verdict)" "^\[::1\]:6300 reaches the server on $GW:6300 through lo6relay\.$" \
	"verdict: [::1] reaches Windows through lo6relay"
like "$(finding ipv4-local)" "start --ipv4-localhost' \(config 'ipv4-localhost = yes'\)" \
	"NAT mode without --ipv4-localhost: recommended"
like "$(finding ipv4-local)" "times out instead of being refused at once$" "... with its cost"
doctor --json 6300
[ "$(printf '%s' "$out" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
c = {x["name"]: x for x in d["checks"]}
print(d["ok"], d["wsl"]["mode"], d["wsl"]["relay_auto"], c["gateway"]["status"],
      "--ipv4-localhost" in c["ipv4-local"]["detail"])')" = "True nat $GW ok True" ]
ok $? "--json: the same facts (mode nat, gateway probe ok, the recommendation)"

# (b) Nobody listens on Windows: its stack refuses.
doctor 6301
is "$rc" 1 "nothing on Windows' port 6301: doctor exits 1"
like "$(verdict)" "^Nothing on Windows listens on port 6301 \(Windows refused the connect\): start the server there, listening on 0\.0\.0\.0:6301, which NAT mode reaches at $GW\.$" \
	"verdict: nobody listens on Windows"

# (a) netstat.exe shows the server on Windows' loopback only: portproxy from the real gateway.
printf '  TCP    127.0.0.1:6302         0.0.0.0:0              LISTENING\r\n' >"$FACTS/fixture/netstat-an"
doctor 6302
is "$rc" 1 "Windows on 127.0.0.1:6302 only: doctor exits 1"
like "$(verdict)" "'netsh interface portproxy add v4tov4 listenaddress=$GW listenport=6302 connectaddress=127\.0\.0\.1 connectport=6302'\.$" \
	"verdict: portproxy from the live gateway $GW"
rm "$FACTS/fixture/netstat-an"

# (c) Windows' firewall: its replies go nowhere, so the connect times out.
win ip route add blackhole 198.18.0.2/32
like "$("$PY" -c '
import socket, sys
s = socket.socket()
s.settimeout(1.5)
try:
    s.connect((sys.argv[1], 6300)); print("connected")
except socket.timeout:
    print("timeout")
except OSError as e:
    print("error", e.errno)' "$GW")" "^timeout$" "(the blackhole makes Windows silent: a plain connect times out)"
start=$(date +%s%N)
doctor 6300
elapsed=$((($(date +%s%N) - start) / 1000000))
is "$rc" 1 "a silent gateway: doctor exits 1"
like "$(finding gateway)" "^  warn +gateway +Windows at $GW:6300 gives no answer within 1 s" \
	"the gateway probe times out"
like "$(verdict)" "^Windows at $GW:6300 gave no answer within 1 s: its firewall drops connects from WSL \(or nothing listens there: it looks the same\); as administrator in PowerShell run 'New-NetFirewallRule -DisplayName \"lo6relay 6300\" -Direction Inbound -InterfaceAlias \"vEthernet \(WSL\)\" -Protocol TCP -LocalPort 6300 -Action Allow'\.$" \
	"verdict: the firewall, and the rule that lets the port through"
# Two probes of 1 s at most (the gateway, then [::1] through lo6relay) and the kernel checks.
[ "$elapsed" -lt 8000 ]
ok $? "every wait is bounded: doctor took ${elapsed} ms"

# Linux first: a Linux server on [::1]:6303 (mode auto) keeps its clients, whatever Windows does.
serve tcp ::1 6303
doctor 6303
is "$rc" 0 "a Linux server on [::1]:6303 with Windows silent: doctor exits 0"
like "$(verdict)" "^\[::1\]:6303 reaches the Linux server listening on it \(mode auto leaves it alone\)\.$" \
	"verdict: the Linux server, not the Windows side"

done_testing
