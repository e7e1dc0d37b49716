#!/bin/bash
# allow/deny/ports: all or nothing, ranges folded, every port fits.
. "$(dirname "$0")/lib.sh"

lo6 start --cgroup "$CG" --ports none >/dev/null
ok $? "start with an empty allowlist"
like "$(lo6 ports)" "^0 ports allowed" "ports lists nothing"

lo6 allow 8080 3000-3010,5173
ok $? "allow 8080 3000-3010,5173"
like "$(lo6 ports)" "auto +3000-3010,5173,8080" "ports folds ranges back (allow without --mode: auto)"
like "$(lo6 ports --json)" '"auto":"3000-3010,5173,8080".*"allowed":13' "ports --json"

before=$(lo6 ports --json)
for bad in 0 65536 abc 5-3 80- "" "1,,2" "8080,9x"; do
	lo6 allow 7000 "$bad" 2>"$WORK/err"
	rc=$?
	is "$rc" 2 "allow '$bad' exits 2"
	[ -n "$bad" ] && [ "$bad" != "1,,2" ] && like "$(cat "$WORK/err")" "'${bad##*,}'" "... and names '${bad##*,}'"
	is "$(wc -l <"$WORK/err")" 1 "... in one line"
done
long=$(seq -s, 1 2000)
lo6 allow "$long" 2>/dev/null
is "$?" 2 "an over-long list is refused"
lo6 deny 3000 bogus 2>/dev/null
is "$?" 2 "deny with a bad token exits 2"
is "$(lo6 ports --json)" "$before" "the map is exactly as it was after every bad spec"

lo6 deny 3005-3010 8080
like "$(lo6 ports)" "auto +3000-3004,5173$" "deny removes ports, ranges refolded"
lo6 deny 40000
ok $? "deny of a port not listed is fine"

lo6 allow --mode always 5432
like "$(lo6 ports)" "always +5432" "allow --mode always"
lo6 allow --mode sometimes 1 2>/dev/null
is "$?" 2 "a bad mode is a usage error"

lo6 allow 1-65535
ok $? "every port can be allowed at once"
like "$(lo6 ports)" "^65535 ports allowed" "all 65535 ports in the map"
lo6 deny 1-65535
like "$(lo6 ports)" "^0 ports allowed" "and denied at once"

"$LO6RELAY" --pin-dir "$PIN-none" ports 2>"$WORK/err"
is "$?" 1 "ports on a pin folder with no instance exits 1"
like "$(cat "$WORK/err")" "not running at" "... and says lo6relay is not running there"
lo6 stats --bogus 2>/dev/null
is "$?" 2 "an unknown option is a usage error"
lo6 allow --cgroup / 80 2>/dev/null
is "$?" 2 "an option of another command is a usage error"
like "$(lo6 allow --help)" "^Usage: lo6relay allow" "every command has --help"
like "$("$LO6RELAY" --version)" "^lo6relay [0-9]" "--version"

done_testing
