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

# Consomme carries TCP only (README.md, "WSL's networking modes"): WSL's facts from a
# folder (the test binary's LO6RELAY_TEST_WSL_ROOT), the instance live. This
# one was started off WSL, so it sends UDP [::1] to 127.0.0.1 too: warned.
FACTS="$WORK/consomme"
mkdir -p "$FACTS/proc" "$FACTS/fixture"
echo "Linux version 6.6.87.2-microsoft-standard-WSL2 (root@x) #1 SMP" >"$FACTS/proc/version"
echo consomme >"$FACTS/fixture/wslinfo-networking-mode"
consomme() { env LO6RELAY_TEST_WSL_ROOT="$FACTS" "$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf" "$@"; }
out=$(consomme doctor 6200)
like "$(printf '%s\n' "$out" | grep '^  mode ')" "^  mode +consomme$" "Consomme: the mode is named"
like "$(printf '%s\n' "$out" | grep '^  warn  *udp ')" \
	"^  warn +udp +this instance sends UDP \[::1\] to 127\.0\.0\.1 too, which this mode does not carry to Windows" \
	"an instance without TCP_ONLY is warned that Consomme loses its UDP"
like "$(printf '%s\n' "$out" | grep '^  info  *udp ')" \
	"^  info +udp +UDP to \[::1\]:6200 cannot reach Windows: Consomme carries only TCP to Windows$" \
	"doctor PORT says UDP cannot reach Windows"
is "$(consomme doctor --json 6200 | "$PY" -c 'import json, sys; d = json.load(sys.stdin); print(d["wsl"]["mode"], d["wsl"]["tcp_only"])')" \
	"consomme True" "--json: mode consomme, tcp_only"

# A TCP-only instance: status says so without naming Consomme, because a
# loopback0 without wslinfo may be mirrored's too (wsl.c); doctor says why.
lo6 stop >/dev/null
consomme start --cgroup "$CG" --ports 6200 >/dev/null
like "$(consomme status | grep '^  relay ')" "-> 127\.0\.0\.1:PORT \(TCP only: UDP stays on Linux; doctor says why\)$" \
	"status: a TCP-only instance says UDP stays on Linux, and doctor says why"

done_testing
