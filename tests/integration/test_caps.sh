#!/bin/bash
# A loader with fewer capabilities than root. Without CAP_PERFMON (and
# CAP_SYS_ADMIN, which stands in for it) the kernel refuses the helpers
# bpf_skc_to_tcp6_sock / udp6_sock and, on recent kernels,
# bpf_get_current_comm ("program of this type cannot use helper", EINVAL):
# start installs the degraded program and says what is missing in one note,
# and doctor agrees with it. Without CAP_BPF or CAP_NET_ADMIN nothing loads:
# one sentence naming the capability, exit 1, nothing pinned.
. "$(dirname "$0")/lib.sh"

command -v setpriv >/dev/null || { echo "1..0 # SKIP setpriv missing"; exit 0; }

# as CAPS CMD...: CMD as root with only CAPS (setpriv's list, e.g. +bpf,+net_admin),
# its locked-memory limit $memlock in bytes: unlimited where this root may
# raise it (not without CAP_SYS_RESOURCE, as in some containers), else the
# hard limit it has.
memlock=unlimited
if ! prlimit --memlock=unlimited:unlimited true 2>/dev/null && [ "$(ulimit -Hl)" != unlimited ]; then
	memlock=$(($(ulimit -Hl) * 1024))
fi
as() {
	local caps=-all,$1
	shift
	prlimit --memlock="$memlock:$memlock" \
		setpriv --inh-caps="$caps" --ambient-caps="$caps" --bounding-set="$caps" -- "$@"
}
lo6_as() { as "$1" "$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf" "${@:2}"; }
status_json() { lo6 status --json | "$PY" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

serve tcp 127.0.0.1 6300

# What this kernel lacks for root, so the cases below can say what is added.
lo6 start --cgroup "$CG" --ports 6300 >/dev/null 2>&1
ok $? "start as root"
base=$(status_json kernel_lacks)
lo6 stop >/dev/null

# 1. CAP_BPF and CAP_NET_ADMIN, no CAP_PERFMON: the degraded program.
# Kernels before 5.11 charge BPF maps to RLIMIT_MEMLOCK, which such a loader
# may not raise (64 KiB is the default there): start must say so; later
# kernels charge the memory cgroup and load under any limit.
charges_memlock() { [ "$(printf '%s\n' "$(uname -r)" 5.11 | sort -V | head -1)" != 5.11 ]; }
low=65536 # 64 KiB, or less if the hard limit is lower
[ "$memlock" = unlimited ] || [ "$memlock" -ge "$low" ] || low=$memlock
# Once alone, once beside another instance of root's (its maps, over 512 KiB,
# count against the same user's limit before 5.11: even a probe's tiny
# program is refused then, and that must not read as "lacks CAP_PERFMON").
other_cg="$CG-other" other_pin="$PIN-other"
trap '"$LO6RELAY" --pin-dir "$other_pin" --config "$WORK/empty.conf" stop >/dev/null 2>&1; rmdir "$other_cg" 2>/dev/null; cleanup' EXIT
for beside in "" "beside root's instance"; do
	if [ -n "$beside" ]; then
		mkdir -p "$other_cg"
		"$LO6RELAY" --pin-dir "$other_pin" --config "$WORK/empty.conf" start --cgroup "$other_cg" --ports 6300 >/dev/null 2>&1
		ok $? "root's instance on another cgroup"
	fi
	memlock=$low lo6_as +bpf,+net_admin start --cgroup "$CG" --ports 6300 >"$WORK/out" 2>"$WORK/err"
	started=$?
	what="start without CAP_PERFMON under a $((low / 1024)) KiB locked-memory limit${beside:+, $beside}"
	if charges_memlock; then
		is "$started" 1 "$what, before 5.11: exits 1"
		is "$(grep -vc '^lo6relay: note: ' "$WORK/err")" 1 "... one sentence" || sed 's/^/#   /' "$WORK/err"
		like "$(grep -v '^lo6relay: note: ' "$WORK/err")" "before Linux 5.11 it counts them, with every BPF object of this user, against the locked-memory limit, $((low / 1024)) KiB for this process.*ulimit -l unlimited" "... naming the limit and the way out"
		[ ! -e "$PIN" ]
		ok $? "... and no pin folder"
		is "$(cg_progs | wc -l)" 0 "... and nothing on the cgroup"
	else
		is "$started" 0 "$what, 5.11 and later: exits 0" || sed 's/^/#   /' "$WORK/err"
		lo6 stop >/dev/null
	fi
done
"$LO6RELAY" --pin-dir "$other_pin" --config "$WORK/empty.conf" stop >/dev/null
rmdir "$other_cg"

lo6_as +bpf,+net_admin start --cgroup "$CG" --ports 6300 >"$WORK/out" 2>"$WORK/err"
started=$?
is "$started" 0 "start without CAP_PERFMON exits 0" || sed 's/^/#   /' "$WORK/err"
is "$(grep -c . "$WORK/err")/$(grep -c '^lo6relay: note: this kernel lacks ' "$WORK/err")" "1/1" "... says what is missing in one note"
like "$(cat "$WORK/err")" "bpf_skc_to_tcp6_sock \(offered only to a loader with CAP_PERFMON\): IPV6_V6ONLY sockets are redirected and fail" "... the V6ONLY check, and why"
like "$(cat "$WORK/out")" "^lo6relay: attached on $CG" "... and attaches"
lacks=$(status_json kernel_lacks)
like " $lacks " " sock_cast " "status --json: kernel_lacks names sock_cast"
like "$(lo6 status)" "hooks +connect6 getpeername6 getsockname6 recvmsg6 connect4$" "... every hook is attached"
like "$(probe_cg tcp ::1 6300 a)" "^ok peer=\[::1\]:6300" "a client of [::1] is redirected, and sees [::1]"
like "$(probe_cg tcp ::1 6300 b --v6only)" "^err ENETUNREACH" "a V6ONLY client fails, as the note says"
as +bpf,+net_admin "$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf" doctor >"$WORK/doctor" 2>&1
kernel=$(sed -n '/^Kernel/,/^lo6relay/p' "$WORK/doctor")
is "$(grep -c FAIL <<<"$kernel")" 0 "doctor with the same capabilities: no kernel check fails"
like "$kernel" "ok +programs +lo6relay's programs pass the verifier" "... the programs pass the verifier, as start found"
is "$(grep -c '^  warn  helpers    lacks ' <<<"$kernel")" "$(wc -w <<<"$lacks")" "... and it lists as many missing helpers as status"
like "$kernel" "lacks bpf_skc_to_tcp6_sock \(offered only to a loader with CAP_PERFMON\)" "... the V6ONLY check among them"
like "$(cat "$WORK/doctor")" "ok +attached +to $CG" "... and finds the instance attached"

# A later start as root replaces the program and adds back what it could not have.
lo6 start --cgroup "$CG" >/dev/null 2>&1
ok $? "a later start as root"
is "$(status_json kernel_lacks)" "$base" "... lacks only what this kernel lacks"
like "$(probe_cg tcp ::1 6300 c --v6only)" "^err ECONNREFUSED" "... a V6ONLY client is left alone again"
is "$(stat_of 6300 v6only)" 1 "... and counted as v6only"
lo6 stop >/dev/null


# 2. Too few capabilities to load at all.
for case in "+net_admin CAP_BPF" "+bpf CAP_NET_ADMIN" "+perfmon CAP_BPF and CAP_NET_ADMIN"; do
	set -- $case
	caps=$1
	shift
	out=$(lo6_as "$caps" start --cgroup "$CG" --ports 6300 2>&1)
	is "$?" 1 "start with only ${caps#+} exits 1"
	like "$out" "^lo6relay: the kernel refuses to load BPF programs \(Operation not permitted\) because this process lacks $*: run as root" "... names the missing capability: $*"
	is "$(printf '%s\n' "$out" | wc -l)" 1 "... in one line"
	[ ! -e "$PIN" ]
	ok $? "... and pins nothing"
	is "$(cg_progs | grep -c lo6_)" 0 "... and attaches nothing"
	out=$(as "$caps" "$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf" doctor 2>&1)
	like "$out" "FAIL +bpf +the kernel refuses to load BPF programs .* because this process lacks $*:" "... doctor says the same"
done

done_testing
