#!/bin/bash
# `lo6relay doctor --root` against the fixture trees: no privileges, no
# kernel, no traffic. Environment: LO6RELAY (the binary), FIXTURES.
set -u
LO6RELAY=${LO6RELAY:?LO6RELAY must name the lo6relay binary}
FIXTURES=${FIXTURES:?FIXTURES must name tests/fixtures}
n=0
failed=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

# run TREE ARGS...: sets $out and $rc.
run() {
	local tree=$1
	shift
	out=$("$LO6RELAY" doctor --root "$FIXTURES/$tree" "$@" 2>&1)
	rc=$?
}

has() { printf '%s\n' "$out" | grep -qF -- "$1"; }

# jq-free JSON field: json PYTHON-EXPRESSION (d is the document).
json() { printf '%s' "$out" | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

run wsl-mirrored 5173
ok $((rc != 1)) "mirrored, Windows on [::1]:5173 only: exit 1"
has "mode      mirrored"; ok $? "mirrored mode named"
has "auto picks 127.0.0.1"; ok $? "mirrored relay is 127.0.0.1"
has "loopback0 present, MAC 00:15:5d:a1:b2:c3 (Hyper-V)"; ok $? "evidence names loopback0"
has "netsh interface portproxy add v4tov6 listenaddress=127.0.0.1 listenport=5173"; ok $? "Windows-side remedy given"

run wsl-mirrored 3000
ok $rc "a Linux server on [::1]:3000: exit 0"
has "reaches the Linux server listening on it"; ok $? "says the Linux server takes it"

run wsl-mirrored 8080
ok $rc "Windows on 127.0.0.1:8080: exit 0"
has "listening on Windows (netstat.exe -an): 127.0.0.1:8080"; ok $? "Windows listener shown"

run wsl-nat --json
ok $rc "NAT --json: exit 0"
[ "$(json 'd["wsl"]["kind"], d["wsl"]["mode"], d["wsl"]["relay_auto"], d["ok"]')" = "wsl2 nat 172.20.144.1 True" ]
ok $? "NAT: wsl2, nat, relay 172.20.144.1"

# NAT, the Windows side from netstat.exe's fixture: Linux reaches Windows at the gateway only.
run wsl-nat 8080
ok $((rc != 1)) "NAT, Windows on 127.0.0.1:8080 only: exit 1"
has "netsh interface portproxy add v4tov4 listenaddress=172.20.144.1 listenport=8080 connectaddress=127.0.0.1 connectport=8080"
ok $? "... the portproxy line names the gateway"
run wsl-nat 4000
ok $((rc != 1)) "NAT, nothing on Windows' port 4000: exit 1"
has "Nothing on Windows listens on port 4000 (netstat.exe -an shows no listener)"; ok $? "... says nobody listens"
run wsl-nat 5173
has "v4tov6 listenaddress=172.20.144.1 listenport=5173"; ok $? "NAT, Windows on [::1] only: portproxy from the gateway"
run wsl-nat 3000
ok $rc "NAT, Windows on 0.0.0.0:3000: exit 0"
run wsl-nat --json 8080
[ "$(json 'd["ok"], "v4tov4 listenaddress=172.20.144.1" in d["conclusion"]')" = "False True" ]
ok $? "NAT --json carries the same conclusion"

# Consomme (WSL 2.9's name; virtioproxy before): 127.0.0.1, TCP only.
run wsl-consomme 8080
ok $rc "Consomme, Windows on 127.0.0.1:8080: exit 0"
has "mode      consomme"; ok $? "Consomme named"
has "auto picks 127.0.0.1"; ok $? "Consomme relay is 127.0.0.1"
has "UDP to [::1]:8080 cannot reach Windows: Consomme carries only TCP to Windows"; ok $? "says UDP is not carried"
run wsl-consomme --json
[ "$(json 'd["wsl"]["mode"], d["wsl"]["mode_detail"], d["wsl"]["relay_auto"], d["wsl"]["tcp_only"]')" = "consomme consomme 127.0.0.1 True" ]
ok $? "Consomme --json: mode consomme, relay 127.0.0.1, tcp_only"
run wsl-mirrored --json
[ "$(json 'd["wsl"]["mode"], d["wsl"]["tcp_only"]')" = "mirrored False" ]
ok $? "mirrored --json: not tcp_only"

# Bridged: WSL relays nothing from Linux's loopback; doctor says so.
run wsl-bridged 8080
ok $((rc != 1)) "bridged: exit 1"
has "In bridged mode WSL relays nothing from Linux's loopback to Windows"; ok $? "bridged: no relay, said"
run wsl-bridged --json
[ "$(json 'd["wsl"]["mode"], d["wsl"]["mode_detail"], d["ok"]')" = "other bridged False" ]
ok $? "bridged --json: other, bridged, not ok"

run plain-linux --json 8080
ok $rc "plain Linux, [::]:8080 listening: exit 0"
[ "$(json 'd["wsl"]["kind"], d["wsl"]["mode"], d["wsl"]["relay_auto"], d["port"]')" = "none not-wsl 127.0.0.1 8080" ]
ok $? "plain: not WSL, relay 127.0.0.1"
[ "$(json '[c["status"] for c in d["checks"] if c["name"] == "probe"][0]')" = skip ]
ok $? "no live probe with --root"

run plain-linux 0
ok $((rc != 2)) "port 0 is a usage error"
run plain-linux 80 81
ok $((rc != 2)) "two ports is a usage error"
out=$("$LO6RELAY" status --root "$FIXTURES/plain-linux" 2>&1)
ok $(($? != 2)) "--root belongs to doctor only"

echo "1..$n"
[ "$failed" = 0 ]
