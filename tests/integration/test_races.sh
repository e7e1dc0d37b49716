#!/bin/bash
# Races and upgrades under load.
#  1. allow/deny commands racing each other while clients in the cgroup
#     connect in a storm: the final map is a serial application of each
#     worker's commands (each worker owns its ports; all of them allow one
#     shared range), every connect lands on the relay or is refused as
#     without lo6relay, and the counters add up exactly to the connects.
#  2. start again, several times (and reload, where there is one), while
#     clients connect to an allowed port: no connect fails, the pinned link
#     stays, the program changes each time, the counters count every connect.
#  3. stop, then start, under load: every connect lands or is refused, and
#     after stop nothing of the instance remains in the kernel or bpffs.
# storm.py makes the load and does the arithmetic (python starts slowly on
# a busy machine: one call per check, not per port).
. "$(dirname "$0")/lib.sh"

STORM="$(dirname "$0")/storm.py"
workers=4 ops=25 base=20000 span=40
seed=${RACE_SEED:-$$}
shared=$((base + workers * span)) # the first port of the range all workers allow

# storm_serve NAME PORTS: the Windows side on 127.0.0.1, counting accepts;
# storm_counts NAME stops it and waits for its counts.
storm_serve() {
	python3 "$STORM" serve "$2" "$WORK/$1.ready" "$WORK/$1.counts" &
	bg_pids+=($!)
	eval "srv_$1=$!"
	for _ in $(seq 100); do [ -e "$WORK/$1.ready" ] && return 0; sleep 0.1; done
	echo "# storm server $1 did not start"
}
storm_counts() {
	local pid
	eval "pid=\$srv_$1"
	kill -TERM "$pid"
	for _ in $(seq 100); do [ -s "$WORK/$1.counts" ] && return 0; sleep 0.1; done
}
# storm_start NAME PORTS ARGS...: clients in the cgroup, connecting until storm_stop NAME.
storm_start() {
	local name=$1 ports=$2
	shift 2
	in_cg python3 "$STORM" connect "$ports" "$WORK/$name.stop" "$WORK/$name.json" "$@" &
	eval "storm_$name=$!"
	for _ in $(seq 200); do [ -e "$WORK/$name.stop.started" ] && return 0; sleep 0.1; done
	echo "# storm clients $name did not start"
}
storm_stop() {
	local pid
	eval "pid=\$storm_$1"
	touch "$WORK/$1.stop"
	wait "$pid"
}
# tally NAME T0 T1: sets made landed refused other accepted under counted
# redirected not_allowed mismatch (see storm.py) from NAME's clients and server.
tally() {
	lo6 stats --json >"$WORK/stats.json"
	eval "$(python3 "$STORM" tally "$WORK/$1.json" "$WORK/$1.counts" "$WORK/stats.json" "$2" "$3")"
	echo "# $1: $made connects made, $landed landed on the relay, $refused refused, $other failed otherwise; counters: $redirected redirected, $not_allowed not_allowed"
}
field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
now() { date +%s.%N; }

# --- 1. allow/deny racing under a connect storm -----------------------------
python3 "$STORM" plan $workers $ops "$seed" $base $span "$WORK"
storm_ports=$shared
for w in $(seq 0 $((workers - 1))); do
	storm_ports="$storm_ports,$((base + w * span)),$((base + w * span + 1))"
done
storm_serve race "$storm_ports"
lo6 start --cgroup "$CG" --ports none >/dev/null
ok $? "start with no ports (race plan seed $seed: RACE_SEED=$seed replays it)"

storm_start race "$storm_ports" --procs 4 --min 400 --max 20000 --pause 10
t0=$(now)
racers=()
for w in $(seq 0 $((workers - 1))); do
	(
		while read -r line; do
			# shellcheck disable=SC2086 # the plan's words are the arguments
			lo6 $line >/dev/null 2>>"$WORK/w$w.err" || echo "$line" >>"$WORK/failed"
		done <"$WORK/w$w.cmds"
	) &
	racers+=($!)
done
wait "${racers[@]}"
t1=$(now)
storm_stop race
storm_counts race

[ ! -e "$WORK/failed" ]
ok $? "$((workers * (ops + 1))) racing allow/deny commands all succeeded"
[ ! -e "$WORK/failed" ] || { sed 's/^/#   failed: /' "$WORK/failed"; cat "$WORK"/w*.err; } | head -5
lo6 ports --json >"$WORK/ports.json"
is "$(python3 "$STORM" check "$WORK/expected.json" "$(cat "$WORK/ports.json")")" ok \
	"the final map is each worker's commands applied in order ($(grep -o '"[0-9]*":' "$WORK/expected.json" | wc -l) ports planned)"
tally race "$t0" "$t1"
is "$under" 1 "the clients connected all the while the commands ran"
is "$other" 0 "every connect landed on the relay or was refused as without lo6relay"
[ "$landed" -gt 0 ] && [ "$refused" -gt 0 ]
ok $? "... both happened while the ports changed"
is "$accepted" "$landed" "the relay servers accepted exactly the connects that landed"
is "$mismatch" "" "per port: redirected = connects that landed, not_allowed = connects refused"
is "$counted" "$made" "the counters add up to the $made connects made"
lo6 stop >/dev/null

# --- 2. start again, several times, under load ------------------------------
port=4500
storm_serve up "$port"
lo6 start --cgroup "$CG" --ports $port >/dev/null
st=$(lo6 status --json)
link0=$(field link_id <<<"$st")
progs=$(field prog_id <<<"$st")
storm_start up $port --procs 2 --min 100 --max 200000 --pause 2
t0=$(now)
starts=5
for i in $(seq $starts); do
	lo6 start --cgroup "$CG" >/dev/null 2>>"$WORK/up.err" || echo "start $i" >>"$WORK/up.failed"
	progs="$progs $(lo6 status --json | field prog_id)"
done
# reload, where this lo6relay has it: the config file applied in place.
if "$LO6RELAY" reload --help >/dev/null 2>&1; then
	printf 'allow = %s\n' $port >"$WORK/up.conf"
	for i in 1 2 3; do
		"$LO6RELAY" --pin-dir "$PIN" --config "$WORK/up.conf" reload >/dev/null 2>>"$WORK/up.err" ||
			echo "reload $i" >>"$WORK/up.failed"
	done
	reloads=" and 3 reloads"
fi
t1=$(now)
storm_stop up
storm_counts up
[ ! -e "$WORK/up.failed" ]
ok $? "$starts starts${reloads:-} under load all succeeded"
[ ! -e "$WORK/up.failed" ] || sed 's/^/#   /' "$WORK/up.failed" "$WORK/up.err" | head -5
tally up "$t0" "$t1"
is "$under" 1 "the clients connected all the while"
is "$landed" "$made" "no connect to the allowed port failed across $starts program replacements"
is "$accepted" "$made" "... each one reached the relay server"
is "$redirected" "$made" "... and was counted: the counters survived every replace"
is "$(lo6 status --json | field link_id)" "$link0" "the pinned link is the same one (id $link0)"
is "$(printf '%s\n' $progs | sort -u | wc -l)" $((starts + 1)) "each start put a new program under it ($(echo $progs | tr ' ' ','))"
is "$(cg_progs | grep -c lo6_connect6)" 1 "one connect6 program on the cgroup"

# --- 3. stop, then start, under load ----------------------------------------
# The ids of everything the instance pinned, to prove they are all freed.
for f in "$PIN"/*; do
	bpftool -j map show pinned "$f" 2>/dev/null | grep '"bytes_key"'
	bpftool -j link show pinned "$f" 2>/dev/null | grep '"prog_id"'
done >"$WORK/pinned.json"
# ... and every program on the cgroup, with the maps it uses (sk_marks is not pinned).
for id in $(cg_progs | awk '/lo6_/ { print $3 }'); do
	bpftool -j prog show id "$id"
	echo
done >>"$WORK/pinned.json"
python3 "$STORM" ids "$WORK/pinned.json" | sort -u >"$WORK/ids"
storm_serve ss "$port"
storm_start ss $port --procs 2 --min 100 --max 200000 --pause 2
t0=$(now)
lo6 stop >/dev/null
ok $? "stop under load"
[ ! -e "$PIN" ]
ok $? "... the pin folder is gone"
is "$(cg_progs | grep -c lo6_)" 0 "... no lo6relay program on the cgroup (BPF_PROG_QUERY)"
left=""
for _ in $(seq 50); do
	left=$(while read -r kind id; do bpftool "$kind" show id "$id" >/dev/null 2>&1 && echo "$kind $id"; done <"$WORK/ids")
	[ -z "$left" ] && break
	sleep 0.1
done
is "$left" "" "... and its $(wc -l <"$WORK/ids") maps, links and programs are freed (bpftool map/link/prog show id)"
sleep 0.3
lo6 start --cgroup "$CG" --ports $port >/dev/null
ok $? "start again under load"
sleep 0.5
t1=$(now)
storm_stop ss
storm_counts ss
tally ss "$t0" "$t1"
is "$under" 1 "the clients connected all the while"
is "$other" 0 "every connect landed on the relay or was refused as without lo6relay"
[ "$refused" -gt 0 ] && [ "$landed" -gt 0 ]
ok $? "... refused while stopped, landing again after start"
is "$accepted" "$landed" "... each landed one on the relay server"
[ "$redirected" -gt 0 ] && [ "$redirected" -le "$landed" ] && [ "$not_allowed" = 0 ]
ok $? "the new instance counts from zero ($redirected redirected since it started)"
lo6 stop >/dev/null
[ ! -e "$PIN" ] && [ "$(cg_progs | grep -c lo6_)" = 0 ]
ok $? "the last stop leaves nothing either"

done_testing
