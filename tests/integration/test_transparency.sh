#!/bin/bash
# The client sees what it asked for ([::1]:P from getpeername, getsockname
# and recvfrom), every way into connect is redirected, real clients work,
# and unconnected UDP sendto is left exactly as it was.
. "$(dirname "$0")/lib.sh"

lo6 start --cgroup "$CG" --ports 6000-6010 >/dev/null
ok $? "start"
serve tcp 127.0.0.1 6000
serve udp 127.0.0.1 6000

like "$(probe_cg tcp ::1 6000 a)" "^ok peer=\[::1\]:6000 sock=\[::1\]:[0-9]+$" \
	"TCP: getpeername says [::1]:6000 and getsockname a ::1 address"
like "$(probe_cg udp ::1 6000 b)" "^ok peer=\[::1\]:6000 sock=\[::1\]:[0-9]+ reply_from=\[::1\]:6000$" \
	"UDP: peer, local address and the reply's source all say [::1]"
like "$(lo6 status)" "hooks +connect6 getpeername6 getsockname6 recvmsg6 connect4$" "status lists the hooks (connect4 to clear a mark when a v6 socket connects to an IPv4 address)"

# A DNS-style client that checks the reply comes from where it asked.
out=$(in_cg "$PY" -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.settimeout(3)
s.connect(("::1", 6000)); s.send(b"q")
data, src = s.recvfrom(100)
print("accepted" if src[:2] == ("::1", 6000) else "rejected %r" % (src,))')
is "$out" accepted "a client checking the reply source accepts it"

# A UDP socket connected again elsewhere loses its mark: connected again to
# the relay address itself, a stale mark would make getpeername say ::1.
out=$(in_cg "$PY" -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.connect(("::1", 6000)); s.connect(("::ffff:127.0.0.1", 6001))
print(s.getpeername()[0])')
is "$out" "::ffff:127.0.0.1" "a UDP socket connected again to the relay itself reports the relay"

# glibc's getaddrinfo sorts [::1] and 127.0.0.1 with one UDP socket: connect
# [::1]:P (redirected, marked), connect(AF_UNSPEC), connect 127.0.0.1:P as
# AF_INET. A mark left over made getsockname6 say ::1 of a v4-mapped source,
# and glibc aborted (getaddrinfo.c: Assertion 'IN6_IS_ADDR_V4MAPPED' failed).
printf '::1 localhost\n127.0.0.1 localhost\n' >"$WORK/hosts"
# (A kernel matrix guest's root has no /etc/hosts to mount over: make one.)
[ -e /etc/hosts ] || : >/etc/hosts
out=$(in_cg unshare -m sh -c 'mount --bind "$1" /etc/hosts && exec "$2" -c "
import socket
print(sorted({a[4][0] for a in socket.getaddrinfo(\"localhost\", 6000, type=socket.SOCK_STREAM)}))"' \
	sh "$WORK/hosts" "$PY" 2>&1)
is "$out" "['127.0.0.1', '::1']" "getaddrinfo(localhost) with ::1 listed first: both answers, no abort"

like "$(probe_cg tcp ::1 6000 nonblock --nonblock)" "^ok peer=\[::1\]:6000" "non-blocking connect, completed after EINPROGRESS"
probe_cg tcp ::1 6000 fastopen-data --fastopen >/dev/null
sleep 0.2
like "$(served tcp 127.0.0.1 6000)" "data=fastopen-data$" "TCP Fast Open (sendto MSG_FASTOPEN) is redirected with its data"
like "$(served tcp 127.0.0.1 6000)" "data=nonblock$" "... and the non-blocking client's data arrived"
if [ -n "${URING_CONNECT:-}" ]; then
	like "$(in_cg "$URING_CONNECT" ::1 6000 via-io-uring)" "^ok peer=\[::1\]:6000$" "io_uring IORING_OP_CONNECT is redirected"
	sleep 0.2
	like "$(served tcp 127.0.0.1 6000)" "data=via-io-uring$" "... and its data lands on the relay"
else
	ok 1 "io_uring test helper built (install liburing-dev)"
fi

# Unconnected UDP sendto: udpv6_sendmsg refuses a v4-mapped rewrite, so
# lo6relay leaves it alone; it must behave exactly as without lo6relay.
serve udp ::1 6002
serve udp 127.0.0.1 6002
with=$(probe_cg udp ::1 6002 unconnected --sendto)
is "$with" "$(probe udp ::1 6002 unconnected --sendto)" "unconnected sendto behaves as without lo6relay"
is "$with" "ok reply_from=[::1]:6002" "... and reaches [::1]"

# Real third-party clients.
mkdir -p "$WORK/www" && echo hello-from-windows >"$WORK/www/index.html"
"$PY" -m http.server --bind 127.0.0.1 --directory "$WORK/www" 6003 >/dev/null 2>&1 &
bg_pids+=($!)
for _ in $(seq 50); do probe tcp 127.0.0.1 6003 "" >/dev/null && break; sleep 0.1; done
if command -v curl >/dev/null; then
	is "$(in_cg curl -s -g --max-time 5 'http://[::1]:6003/')" hello-from-windows "curl http://[::1]:6003/ gets the 127.0.0.1 server's page"
	is "$(curl -s -g --max-time 5 'http://[::1]:6003/'; echo "rc=$?")" "rc=7" "curl outside the cgroup cannot connect"
else
	ok 1 "curl is installed"
fi
if command -v node >/dev/null; then
	out=$(in_cg node -e '
const http = require("http");
http.get("http://[::1]:6003/", res => {
  let body = ""; res.on("data", d => body += d);
  res.on("end", () => console.log(res.socket.remoteAddress, body.trim()));
}).on("error", e => console.log("err", e.code));')
	is "$out" "::1 hello-from-windows" "node's http client gets the page and sees remoteAddress ::1"
else
	ok 1 "node is installed"
fi

# --show-relay: the user gives transparency up for the cheapest connect.
lo6 stop >/dev/null
lo6 start --cgroup "$CG" --ports 6000 --show-relay >/dev/null
ok $? "start --show-relay"
like "$(lo6 status)" "hooks +connect6$" "... attaches connect6 only, and status does not call the others missing"
like "$(lo6 status --json)" '"show_relay":true' "... status --json says show_relay"
like "$(probe_cg tcp ::1 6000 s1)" "^ok peer=\[::ffff:127\.0\.0\.1\]:6000 sock=\[::ffff:127\.0\.0\.1\]:" "... redirected, and the client sees the relay address"
lo6 start --cgroup "$CG" >/dev/null
like "$(lo6 status)" "hooks +connect6 getpeername6 getsockname6 recvmsg6 connect4$" "start without it attaches the reverse hooks again"
like "$(probe_cg tcp ::1 6000 s2)" "^ok peer=\[::1\]:6000" "... and the client sees [::1] again"

done_testing
