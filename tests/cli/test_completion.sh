#!/bin/bash
# tools/dist/lo6relay.bash: the candidates bash offers, and that
# every command, option and mode 'lo6relay --help' (and each command's
# --help) names is among them, so the two cannot drift apart. TAP.
# Environment: LO6RELAY (the binary), COMPLETION (the script).
set -uo pipefail
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
# shellcheck source=tools/dist/lo6relay.bash
. "$COMPLETION"
# complete WORD...: the candidates for the last word, one line, sorted.
complete_line() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_lo6relay
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
is() {
	local want=$1 got
	shift
	got=$(complete_line "$@")
	if [ "$got" = "$want" ]; then ok "'$*' -> $want"; else notok "'$*': got '$got', want '$want'"; fi
}
# has CANDIDATE WORD...: CANDIDATE is among those offered.
has() {
	local c=$1 got
	shift
	got=" $(complete_line "$@") "
	if [[ $got == *" $c "* ]]; then ok "'$*' offers $c"; else notok "'$*' offers $c (got:$got)"; fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/pins/lo6relay" "$tmp/pins/other"
: >"$tmp/pins/afile"

# What bash offers, case by case.
is 'start stats status stop' lo6relay st
is 'default deny doctor' lo6relay -j --pin-dir /x d
is 'always auto never' lo6relay allow --mode ''
is 'auto' lo6relay allow -m au
is 'always auto never' lo6relay allow --mode = ''
is 'always auto never off' lo6relay default ''
is 'always auto never off' lo6relay -p /x default ''
is '' lo6relay default always ''
is '--all-netns' lo6relay start --al
is '--root' lo6relay doctor --ro
is '' lo6relay stop --ro
is "$tmp/pins/lo6relay $tmp/pins/other" lo6relay --pin-dir "$tmp/pins/"
is "$tmp/pins/lo6relay" lo6relay status -p "$tmp/pins/lo"
is "$tmp/pins/lo6relay $tmp/pins/other" lo6relay --pin-dir = "$tmp/pins/"
is 'auto' lo6relay start --relay a

# Nothing 'lo6relay --help' names is missing: commands and their modes.
help=$("$LO6RELAY" --help)
cmds=$(sed -n '/^Commands:/,/^$/{/^  [a-z]/{s/^  \([a-z]*\).*/\1/;p}}' <<<"$help")
[ "$(wc -w <<<"$cmds")" -ge 10 ] && ok "--help lists $(wc -w <<<"$cmds") commands" ||
	notok "--help lists the commands (parsed: $cmds)"
for c in $cmds; do has "$c" lo6relay ''; done
for m in $(sed -n 's/.*allow \[--mode \([a-z|]*\)\].*/\1/p' <<<"$help" | tr '|' ' '); do
	has "$m" lo6relay allow --mode ''
done
for m in $(sed -n 's/^  default \[\([a-z|]*\)\].*/\1/p' <<<"$help" | tr '|' ' '); do
	has "$m" lo6relay default ''
done
# ... the options for every command, and each command's own.
# options: each option line's "-x, --long" or "--long".
options() { grep -oE -- '^ +(-[a-zA-Z], )?--[a-z0-9-]+' | grep -oE -- '--?[a-zA-Z0-9-]+'; }
for o in $(sed -n '/^Options for every command:/,/^$/p' <<<"$help" | options); do
	has "$o" lo6relay "$o"
done
for c in $cmds; do
	for o in $("$LO6RELAY" "$c" --help 2>&1 | options); do
		has "$o" lo6relay "$c" "$o"
	done
done

echo "1..$n"
exit $failed
