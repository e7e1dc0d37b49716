# shellcheck shell=bash
# The integration tests' private world and TAP output.
#
# Sourcing this re-runs the test inside a private network namespace (so
# ports never clash and only this test's loopback is touched), then gives it
# a private child cgroup ($CG) and a private pin folder ($PIN), and takes
# all of it away on exit, failure included. A test never attaches to the
# root cgroup and never touches another instance.
#
# Environment: LO6RELAY (the binary), NETPROBE (netprobe.py), BPFSYS_JSON
# (the build's bpfsys.json, for bpfsys.py).

set -u

if [ -z "${LO6_IN_NETNS:-}" ]; then
	skip_all() {
		if [ "${CI:-}" = true ]; then
			echo "1..1"; echo "not ok 1 - cannot run on the real kernel: $1 (CI=true makes this a failure)"
			exit 1
		fi
		echo "1..0 # SKIP $1"; exit 0
	}
	[ "$(id -u)" = 0 ] || skip_all "not root"
	[ -e /sys/kernel/btf/vmlinux ] || skip_all "kernel has no BTF"
	command -v unshare >/dev/null && command -v ip >/dev/null || skip_all "unshare/ip missing"
	grep -q ' - cgroup2 ' /proc/self/mountinfo || skip_all "no cgroup v2 mount"
	export LO6_IN_NETNS=1
	exec unshare -n -- "$BASH" "$0" "$@"
fi

ip link set lo up

# Debian's python directly: a version manager's shim (pyenv) costs a shell
# script per call, and the tests make hundreds.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

LO6RELAY=${LO6RELAY:?LO6RELAY must name the lo6relay binary}
NETPROBE=${NETPROBE:?NETPROBE must name netprobe.py}
# bpfsys.py reads it; without it cg_progs would print nothing, and "nothing
# attached" would pass.
export BPFSYS_JSON=${BPFSYS_JSON:?BPFSYS_JSON must name bpfsys.json of this build}
CGROOT=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' /proc/self/mountinfo)
TEST_NAME=$(basename "$0" .sh)
CG="$CGROOT/lo6test-$TEST_NAME-$$"
PIN="/sys/fs/bpf/lo6test-$TEST_NAME-$$"
WORK=$(mktemp -d "/tmp/lo6test.$TEST_NAME.XXXXXX")
mkdir "$CG"

tap_n=0
tap_failed=0
bg_pids=()

cleanup() {
	local p
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	"$LO6RELAY" stop --pin-dir "$PIN" >/dev/null 2>&1
	# Processes moved into the cgroup must have exited before it can go.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		# Children first (a test may make cgroups of its own inside $CG).
		find "$CG" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
		rmdir "$CG" 2>/dev/null && break
		[ -d "$CG" ] || break
		sleep 0.2
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# ok COND-EXIT-STATUS DESCRIPTION: one TAP line.
ok() {
	local status=$1
	shift
	tap_n=$((tap_n + 1))
	if [ "$status" = 0 ]; then
		echo "ok $tap_n - $*"
	else
		echo "not ok $tap_n - $*"
		tap_failed=$((tap_failed + 1))
	fi
}

# is ACTUAL EXPECTED DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "#   got:      '$1'"
		echo "#   expected: '$2'"
	fi
}

# like ACTUAL PATTERN(grep -E) DESCRIPTION
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got: %s\n#   wanted to match: %s\n' "$1" "$2"
	fi
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" = 0 ]
	exit $?
}

# An empty config file: the tests never read the machine's /etc/lo6relay.conf.
# Config files must be root's and not group/world-writable, whatever the caller's umask.
umask 022
: >"$WORK/empty.conf"
lo6() { "$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf" "$@"; }

# cg_progs [CGROUP]: "HOOK NAME ID" per program attached to the cgroup (default
# $CG), from the kernel itself; see cg_progs.py for why not bpftool.
CG_PROGS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/cg_progs.py
cg_progs() { "$PY" "$CG_PROGS" "${1:-$CG}"; }

# in_cg CMD...: run CMD as a process of the test's cgroup; in_cgroup DIR CMD...: of DIR.
in_cg() { in_cgroup "$CG" "$@"; }
in_cgroup() { sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$@"; }

# serve PROTO ADDR PORT [OPTS]: a stand-in for the Windows side; its log is
# $WORK/NAME.log; OPTS go to netprobe.py serve.
serve() {
	local log="$WORK/$1-$2-$3.log"
	"$PY" "$NETPROBE" serve "$1" "$2" "$3" "$log" "${@:4}" &
	bg_pids+=($!)
	for _ in $(seq 50); do [ -e "$log.ready" ] && return 0; sleep 0.1; done
	echo "# server $1 $2:$3 did not start"
	return 1
}
served() { cat "$WORK/$1-$2-$3.log" 2>/dev/null; }

# probe PROTO ADDR PORT PAYLOAD [ARGS]: a client outside the test cgroup;
# probe_cg: the same client inside it.
probe() { "$PY" "$NETPROBE" connect "$@"; }
probe_cg() { in_cg "$PY" "$NETPROBE" connect "$@"; }

# stat_of PORT FIELD: one counter from `lo6relay stats --json` (0 if the port is absent).
stat_of() {
	lo6 stats --json | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
print(next((p[sys.argv[2]] for p in d["ports"] if p["port"] == int(sys.argv[1])), 0))' "$1" "$2"
}

# inner_lands PORT: a TCP client of the test's cgroup, in a network namespace
# of its own with servers on its own [::1]:PORT and 127.0.0.1:PORT, connects
# to [::1]:PORT and prints which of the two answered ("::1", "127.0.0.1",
# or "err ERRNO"): where it landed, not only whether it failed.
inner_lands() {
	in_cg unshare -n sh -c 'ip link set lo up; exec "$0" -c "$1" "$2"' "$PY" '
import errno, socket, sys
port = int(sys.argv[1])
servers = {}
for addr, fam in (("::1", socket.AF_INET6), ("127.0.0.1", socket.AF_INET)):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.bind((addr, port)); s.listen(1); s.setblocking(False)
    servers[addr] = s
c = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
try:
    c.connect(("::1", port))
except OSError as e:
    sys.exit(print("err " + errno.errorcode[e.errno]))
for addr, s in servers.items():
    try:
        s.accept()
        print(addr)
    except BlockingIOError:
        pass' "$1"
}

# wsl_nat_sim: WSL's NAT mode as WSL sets it up (README.md, "WSL's
# networking modes"): "Windows" is a network namespace of this test behind a veth
# pair, at $WSL_GW (198.18.0.1, RFC 2544 benchmarking space), and Linux (this
# test's namespace, 198.18.0.2) has its default route through it. $WSL_FACTS
# is a folder of WSL's facts (a WSL2 kernel, wslinfo saying nat, this
# namespace's real routes) for the test binary's LO6RELAY_TEST_WSL_ROOT.
# win CMD...: CMD in Windows' namespace; win_serve PORT [PROTO]: a Windows
# server on the gateway address (the vEthernet (WSL) one), its log
# $WORK/win-PORT.log (TCP) or $WORK/win-udp-PORT.log.
WSL_GW=198.18.0.1
wsl_nat_sim() {
	# The "Windows" namespace: held by a sleeping process, gone with it.
	unshare -n sleep 300 &
	WINPID=$!
	bg_pids+=("$WINPID")
	for _ in $(seq 50); do
		[ "$(readlink "/proc/$WINPID/ns/net")" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.1
	done
	ip link add lo6nat0 type veth peer name lo6nat1
	ip link set lo6nat1 netns "$WINPID"
	ip addr add 198.18.0.2/24 dev lo6nat0
	ip link set lo6nat0 up
	win ip link set lo up
	win ip addr add "$WSL_GW/24" dev lo6nat1
	win ip link set lo6nat1 up
	ip route add default via "$WSL_GW"
	WSL_FACTS="$WORK/wsl"
	mkdir -p "$WSL_FACTS/proc/net" "$WSL_FACTS/fixture"
	echo "Linux version 6.6.87.2-microsoft-standard-WSL2 (root@x) #1 SMP" >"$WSL_FACTS/proc/version"
	echo nat >"$WSL_FACTS/fixture/wslinfo-networking-mode"
	cp /proc/net/route "$WSL_FACTS/proc/net/route"
}
win() { nsenter -t "$WINPID" -n "$@"; }
win_serve() {
	local proto=${2:-tcp} log
	log="$WORK/win-$([ "$proto" = tcp ] || echo udp-)$1.log"
	# nsenter execs the server: $! is the server itself, which cleanup ends.
	nsenter -t "$WINPID" -n "$PY" "$NETPROBE" serve "$proto" "$WSL_GW" "$1" "$log" &
	bg_pids+=($!)
	for _ in $(seq 50); do [ -e "$log.ready" ] && return 0; sleep 0.1; done
	echo "# Windows server on $WSL_GW:$1 ($proto) did not start"
	return 1
}
