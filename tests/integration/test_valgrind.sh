#!/bin/bash
# valgrind memcheck over the CLI's paths on a real instance: no invalid
# access, no use of uninitialised memory, no leak, whatever the command
# and whether it succeeds or refuses. valgrind's own misreadings of the
# bpf() syscall are listed, with reasons, in valgrind.supp.
# Environment: LO6RELAY, NETPROBE, VALGRIND (default: valgrind on PATH).
. "$(dirname "$0")/lib.sh"

VALGRIND=${VALGRIND:-valgrind}
if ! command -v "$VALGRIND" >/dev/null; then
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - valgrind is not installed (CI=true makes this a failure)"; echo "1..1"; exit 1
	fi
	echo "1..0 # SKIP valgrind is not installed"; exit 0
fi
SUPP="$(cd "$(dirname "$0")" && pwd)/valgrind.supp"
VGLOG="$WORK/vg"
mkdir -p "$VGLOG"
: >"$WORK/empty.conf"

# vg EXPECTED_RC ARGS...: one command under memcheck; its exit status must
# be EXPECTED_RC (a|b for either; 99 is valgrind's: an error or a leak) and
# its log clean. valgrind's notes that it cannot check a bpf() command
# (batch updates and deletes, link create/update, prog bind map: 26-29,
# 35) are no finding, but are collected and listed at the end.
vg_n=0
vg() {
	local want=$1 rc log
	shift
	vg_n=$((vg_n + 1))
	log="$VGLOG/$vg_n.log"
	"$VALGRIND" --quiet --leak-check=full --show-leak-kinds=all \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
		--track-fds=no --suppressions="$SUPP" --log-file="$log" \
		"$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf" "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	sed -n 's/^--[0-9]*-- WARNING: unhandled eBPF command \([0-9]*\)$/\1/p' "$log" >>"$WORK/unhandled"
	sed -i '/^--[0-9]*-- WARNING: unhandled eBPF command [0-9]*$/d' "$log"
	if [[ "|$want|" == *"|$rc|"* ]] && [ ! -s "$log" ]; then
		ok 0 "memcheck clean: lo6relay $* (exit $rc)"
	else
		ok 1 "memcheck clean: lo6relay $* (exit $rc, wanted $want)"
		sed 's/^/#   /' "$log" | head -40
		sed 's/^/#   stderr: /' "$WORK/err" | head -5
	fi
}

serve tcp 127.0.0.1 4000
vg 3 status
vg 1 ports
vg 0 stop
vg 0 start --cgroup "$CG" --ports 4000,4100-4110
like "$(probe_cg tcp ::1 4000 x)" "^ok " "the instance valgrind started redirects"
vg 0 start --cgroup "$CG"
vg 0 allow 5000 5100-5200
vg 0 allow --mode auto 5001
vg 0 allow --mode never 22
vg 0 deny 5100-5150
vg 0 default auto
vg 0 default
vg 0 ports
vg 0 ports --json
vg 0 stats
vg 0 stats --json
vg 0 status
vg 0 status --json
vg 1 doctor 4000 # nothing answers for this process's own probes, which are not redirected
vg '0|1' doctor --json
like "$(lo6 ports)" "auto +4000,4100-4110,5000-5001,5151-5200" "the commands run under valgrind did their work"

# Refusals and failures take the same care.
vg 2 allow 0
vg 2 allow --mode sometimes 80
vg 2 deny
vg 2 ports extra
vg 2 start --cgroup "$CG" --relay 999.1.1.1
vg 2 stats --bogus
vg 2 bogus-command
vg 1 start --cgroup "$CG/does-not-exist"
vg 0 stop
vg 1 allow 80
vg 3 status
vg 0 --help
vg 0 --version
echo "# bpf() commands valgrind could not check: $(sort -un "$WORK/unhandled" 2>/dev/null | tr '\n' ' ')"

done_testing
