#!/bin/bash
# Upgrades: pins left by an lo6relay of another ABI are refused, never
# reused. start, and every command that writes the maps, says in one
# sentence which version it found and what to do (stop, then start), exits
# 1 and changes nothing; stop still takes the old instance away. Every
# pinned map's layout is checked, not only some.
. "$(dirname "$0")/lib.sh"

CONFIG_MAP="$(dirname "$0")/config_map.py"
progs_on() { cg_progs | grep -c "$1"; }
# Everything a refused command could have changed.
state() {
	{
		ls "$PIN"
		cg_progs
		"$PY" "$CONFIG_MAP" "$PIN"
		lo6 ports
	} 2>&1
}

serve tcp 127.0.0.1 4000

# --- an instance of ABI 99 (a newer lo6relay, say) -------------------------------
lo6 start --cgroup "$CG" --ports 4000 >/dev/null
like "$(probe_cg tcp ::1 4000 x)" "^ok " "an instance of this ABI redirects"
"$PY" "$CONFIG_MAP" "$PIN" 99 >/dev/null
before=$(state)
# found VERSION: the sentence for pins of that ABI version.
found() { echo "^lo6relay: the instance pinned at $PIN was made by lo6relay ABI version $1, this lo6relay speaks ABI version [0-9]+: run 'lo6relay stop --pin-dir $PIN', then start again$"; }
sentence=$(found 99)
lo6 start --cgroup "$CG" --ports 4000 >"$WORK/out" 2>"$WORK/err"
is "$?" 1 "start over pins of ABI 99 exits 1"
like "$(cat "$WORK/err")" "$sentence" "... and says which version it found and what to do"
is "$(wc -l <"$WORK/err")" 1 "... in one line"
is "$(cat "$WORK/out")" "" "... with nothing on stdout"
is "$(state)" "$before" "... and changes nothing: pins, programs, config, ports"
for cmd in "allow 5000" "deny 4000" "default auto" "reload" "save"; do
	# shellcheck disable=SC2086 # the command and its argument
	lo6 $cmd >/dev/null 2>"$WORK/err"
	is "$?" 1 "$cmd over pins of ABI 99 exits 1"
	like "$(cat "$WORK/err")" "$sentence" "... with the same sentence"
	is "$(state)" "$before" "... and changes nothing"
done
# watch counts itself in a map the programs read: refused too, at once.
timeout 10 "$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf" watch 1 >/dev/null 2>"$WORK/err"
is "$?" 1 "watch over pins of ABI 99 exits 1"
like "$(cat "$WORK/err")" "$sentence" "... with the same sentence"
is "$(state)" "$before" "... and changes nothing"
lo6 status >/dev/null 2>&1
like "$?" "^[03]$" "status still answers (it writes nothing)"
lo6 stop >/dev/null
is "$?" 0 "stop takes the old instance away"
[ ! -e "$PIN" ]
ok $? "... pin folder and all"
is "$(progs_on lo6_)" 0 "... and its programs"
lo6 start --cgroup "$CG" --ports 4000 >/dev/null
is "$?" 0 "then start makes a new instance"
like "$(probe_cg tcp ::1 4000 x)" "^ok " "... which redirects"
lo6 stop >/dev/null

# --- a pin folder of ABI 3 (the previous release): no sk_marks pin yet -----------
# Its maps have today's layout, so start takes it over: it adds sk_marks,
# writes version 4 and keeps the counters, as an upgrade should.
lo6 start --cgroup "$CG" --ports 4000 >/dev/null
probe_cg tcp ::1 4000 x >/dev/null
rm "$PIN/sk_marks"
"$PY" "$CONFIG_MAP" "$PIN" 3 >/dev/null
abi() { "$PY" "$CONFIG_MAP" --field abi_version "$PIN"; }
is "$(abi)" "03000000" "an ABI 3 instance (no sk_marks pin, version 3)"
lo6 allow 4001 >/dev/null 2>"$WORK/err"
is "$?" 0 "allow works on it (same maps)"
lo6 start --cgroup "$CG" >/dev/null 2>"$WORK/err"
is "$?" 0 "start over an ABI 3 pin folder takes it over"
[ -e "$PIN/sk_marks" ]
ok $? "... pins sk_marks"
is "$(abi)" "04000000" "... writes version 4"
is "$(stat_of 4000 redirected)" 1 "... keeps the counters"
like "$(probe_cg tcp ::1 4000 y)" "^ok peer=\[::1\]:4000" "... and redirects, with the mark"
lo6 stop >/dev/null
is "$?" 0 "stop takes it away"
is "$(progs_on lo6_)" 0 "... and its programs"

# --- every pinned map's layout is checked -----------------------------------------
# A map of the right name and another shape, as a version with another
# layout would leave: libbpf would refuse it with lines of its own.
while read -r name spec; do
	mkdir -p "$PIN"
	# shellcheck disable=SC2086 # spec is bpftool's words
	bpftool map create "$PIN/$name" type $spec name "$name"
	lo6 start --cgroup "$CG" >/dev/null 2>"$WORK/err"
	is "$?" 1 "a pinned $name of another shape: start exits 1"
	like "$(cat "$WORK/err")" "^lo6relay: the map pinned at $PIN/$name was made by an incompatible lo6relay version: run 'lo6relay stop --pin-dir $PIN' and start again$" "... says so in one sentence"
	is "$(wc -l <"$WORK/err")" 1 "... in one line"
	is "$(ls "$PIN")" "$name" "... and pins nothing"
	is "$(progs_on lo6_)" 0 "... nor attaches anything"
	lo6 stop >/dev/null
done <<'MAPS'
ports array key 4 value 8 entries 65536
port_stats hash key 4 value 64 entries 16
config array key 4 value 32 entries 2
sk_marks hash key 4 value 8 entries 16
events ringbuf key 0 value 0 entries 4096
watchers array key 4 value 4 entries 1
MAPS

done_testing
