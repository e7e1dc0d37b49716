#!/bin/bash
# The shipped tools agree with the binary: the systemd unit verifies, the man
# page renders cleanly and names every command `lo6relay --help` lists.
# Environment: LO6RELAY, SOURCE (the source tree), UNIT_IN (the unit template),
# MAN (the man page).
set -u
LO6RELAY=${LO6RELAY:?}
SOURCE=${SOURCE:?}
UNIT_IN=${UNIT_IN:?}
MAN=${MAN:?}
WORK=$(mktemp -d /tmp/lo6tools.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
n=0
failed=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }

# The unit, pointing at the binary under test; its man: link resolves via MANPATH.
mkdir -p "$WORK/sbin" "$WORK/man/man8"
cp "$LO6RELAY" "$WORK/sbin/lo6relay"
cp "$MAN" "$WORK/man/man8/"
sed "s|@SBINDIR@|$WORK/sbin|" "$UNIT_IN" >"$WORK/lo6relay.service"
if command -v systemd-analyze >/dev/null; then
	out=$(MANPATH="$WORK/man" systemd-analyze verify "$WORK/lo6relay.service" 2>&1)
	ok $? "systemd-analyze verify lo6relay.service"
	[ -z "$out" ] || printf '# %s\n' "$out"
else
	skip "no systemd-analyze"
fi

if command -v man >/dev/null && command -v groff >/dev/null; then
	warn=$(MANWIDTH=80 man --warnings -l "$MAN" 2>&1 >/dev/null)
	[ -z "$warn" ]
	ok $? "man page renders without warnings"
	[ -z "$warn" ] || printf '# %s\n' "$warn"
else
	skip "no man/groff"
fi

# Every command in --help has a .B COMMAND entry in the man page.
for cmd in $("$LO6RELAY" --help | sed -n '/^Commands:/,/^$/{s/^  \([a-z][a-z0-9-]*\).*/\1/p}'); do
	grep -q "^\.B $cmd\( \|$\)" "$MAN"
	ok $? "man page documents '$cmd'"
done

# README's rules are the table's model (tests/integration/model.py), word for word.
block=$(python3 "$SOURCE/tests/integration/model.py" --readme)
grep -qxF -- "$(printf '%s\n' "$block" | sed -n 2p)" "$SOURCE/README.md" &&
	python3 - "$SOURCE/README.md" "$block" <<'PY'
import sys
sys.exit(0 if sys.argv[2] in open(sys.argv[1]).read() else 1)
PY
ok $? "README's rules are model.py's (python3 tests/integration/model.py --readme)"

echo "1..$n"
[ "$failed" = 0 ]
