#!/bin/bash
# Bad input everywhere: every subcommand with wrong, missing, repeated, huge
# or binary arguments, and config files that are no configuration, against
# a running instance. Each must give one clear line of ours on stderr (the
# bare usage text when no command is given) with no control byte of an
# argument echoed, nothing on stdout, exit 2, and leave the instance exactly
# as it was: attached program, pins, ports, default mode, config and counters.
#
# Cases marked TODO are known bugs in code other than the parsers (see the
# reason): they report "not ok ... # TODO", which TAP does not count as a
# failure, until the fix turns them into passes.
. "$(dirname "$0")/lib.sh"

huge=$(head -c 100000 /dev/zero | tr '\0' 9)         # under the kernel's 128 KiB per argument
binary=$'\x01\x02\x1b[31m\x7f\x80\xfe\xff'            # no NUL: argv cannot carry one
long_list=$(seq -s, 1 2 3000)                         # 1500 items, more than the 1024 allowed


# Everything a bad command could have changed.
state() {
	{
		lo6 status --json
		lo6 ports --json
		lo6 default
		lo6 stats --json
		ls "$PIN"
		bpftool cgroup show "$CG"
	} 2>&1
}
setup() {
	lo6 start --cgroup "$CG" --ports 4000,4100-4110 >/dev/null
	lo6 allow --mode auto 4200
	lo6 allow --mode never 22
	lo6 default auto
	probe_cg tcp ::1 4000 x >/dev/null # a counter, so "unchanged" covers counters too
	before=$(state)
}
# printable LABEL of an argument: its first 12 characters, control bytes as '?'
label() { local l=${1:0:12}; printf '%s' "${l//[^[:print:]]/?}"; }

todo() { # DESCRIPTION: a TAP line for a known bug; not a failure
	tap_n=$((tap_n + 1))
	echo "not ok $tap_n - $1"
}

# bad [--todo REASON] [--rc N] [--usage] DESCRIPTION -- ARGS...: run lo6relay
# with --pin-dir and --config of this test, then ARGS.
bad() {
	local reason="" want=2 usage=0 desc rc err errs lines why="" now
	while :; do
		case "$1" in
		--todo) reason=$2; shift 2 ;;
		--rc) want=$2; shift 2 ;;
		--usage) usage=1; shift ;;
		*) break ;;
		esac
	done
	desc=$1
	shift 2
	"$LO6RELAY" --pin-dir "$PIN" --config "$WORK/empty.conf" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
	rc=$?
	err=$(<"$WORK/err")
	mapfile -t lines <"$WORK/err"
	errs=${err:0:300}
	errs=${errs//$'\n'/|}
	errs=${errs//[^[:print:]]/?}
	[ "$rc" = "$want" ] || why="$why exit $rc, not $want;"
	[ -s "$WORK/out" ] && why="$why stdout not empty;"
	if [ "$usage" = 1 ]; then
		[[ "$err" == "Usage: lo6relay"* ]] || why="$why no usage text;"
	else
		[ "${#lines[@]}" = 1 ] || why="$why ${#lines[@]} lines on stderr;"
		[[ "$err" == "lo6relay: "* ]] || why="$why stderr is not one line of ours;"
		[ "${#err}" -le 400 ] || why="$why ${#err} bytes of error;"
		# An argument's escape sequence must not reach the terminal.
		[[ "$err" == *[[:cntrl:]]* ]] && why="$why control bytes on stderr;"
	fi
	now=$(state)
	[ "$now" = "$before" ] || why="$why the instance changed;"
	if [ -z "$why" ]; then
		[ "$usage" = 1 ] && errs="the usage text"
		ok 0 "$desc: exit $rc, '${errs:0:110}'"
	elif [ -n "$reason" ]; then
		todo "$desc:$why # TODO $reason"
	else
		ok 1 "$desc:$why"
		echo "#   stderr: $errs"
	fi
	# A wrong case must not spoil the ones after it.
	if [ "$now" != "$before" ]; then
		lo6 stop >/dev/null
		setup
	fi
}
setup

# Commands and options.
bad --usage "no command" --
bad "unknown command" -- bogus
bad "binary command" -- "$binary"
bad "huge command" -- "$huge"
bad "unknown long option" -- --bogus status
bad "unknown short option" -- -x status
bad "unknown letter in a cluster names it" -- status -xj
out=$("$LO6RELAY" --pin-dir "$PIN" status -xj 2>&1)
like "$out" "'-x'" "... the message names -x"
for o in --pin-dir --config; do bad "$o without its value" -- status "$o"; done
bad "--mode without its value" -- allow --mode
for o in --cgroup --relay --ports; do bad "start $o without its value" -- start "$o"; done
bad "doctor --root without its value" -- doctor --root
bad "relative --pin-dir" -- --pin-dir relative status
bad "empty --pin-dir" -- --pin-dir "" status
bad "an option of start given to allow" -- allow --cgroup "$CG" 80
bad "an option of start given to stats" -- stats --relay 127.0.0.1
bad "an option of start given to stop" -- stop --ports 80
bad "--mode given to deny" -- deny --mode auto 80
bad "--mode given to status" -- status --mode auto
bad "--loopback4 given to doctor" -- doctor --loopback4

# start (always with the test's cgroup: a bad start must not even look elsewhere)
for spec in 0 65536 5-3 80- "" 1,,2 "$binary" "$huge" "$long_list"; do
	bad "start --ports '$(label "$spec")'" -- start --cgroup "$CG" --ports "$spec"
done
for relay in 999.1.1.1 "" 0.0.0.0 255.255.255.255 224.0.0.1 1.2.3 127.0.0.1/8 "$binary" "$huge"; do
	bad "start --relay '$(label "$relay")'" -- start --cgroup "$CG" --relay "$relay"
done
bad "start with a stray argument" -- start --cgroup "$CG" extra
bad "start --relay twice" -- start --cgroup "$CG" --relay 127.0.0.2 --relay 127.0.0.3

# allow, deny
bad "allow without ports" -- allow
bad "deny without ports" -- deny
for spec in 0 65536 5-3 80- -80 +80 " 80" "" 1,,2 80, 1-2-3 0x50 "$binary" "$huge" "$long_list"; do
	bad "allow '$(label "$spec")'" -- allow "$spec"
	bad "deny '$(label "$spec")'" -- deny "$spec"
done
bad "allow with one bad list among good ones changes nothing" -- allow 5000 5001-5002 bogus
bad "deny with one bad list among good ones changes nothing" -- deny 4000 4100 bogus
for mode in off "" sometimes ALWAYS "$binary" "$huge"; do
	bad "allow --mode '$(label "$mode")'" -- allow --mode "$mode" 5000
done
bad "allow --mode twice" -- allow --mode never --mode always 22

# ports, stats, status, default, doctor and the commands only some builds have
bad "ports with an argument" -- ports 80
bad "stats with an argument" -- stats 80
bad "status with an argument" -- status now
for arg in bogus "" AUTO "$binary" "$huge"; do
	bad "default '$(label "$arg")'" -- default "$arg"
done
bad "default with two modes" -- default auto never
for arg in 0 65536 abc -1 "" "$binary" "$huge"; do
	bad "doctor '$(label "$arg")'" -- doctor "$arg"
done
bad "doctor with two ports" -- doctor 80 81
bad "doctor --root ''" -- doctor --root ""
bad "doctor --root that does not exist" -- doctor --root "$WORK/no-such-root"
for c in reload save watch; do
	"$LO6RELAY" "$c" --help >/dev/null 2>&1 || continue
	bad "$c with a stray argument" -- "$c" extra "$binary"
done
for arg in 0 1x -1 " 1" 1000001 99999999999999999999; do
	bad "watch '$(label "$arg")'" -- watch "$arg"
done

# Config files that are no configuration (reload applies one; start reads one).
if "$LO6RELAY" reload --help >/dev/null 2>&1; then
	printf 'allow = 4000\nallow = 80\x00\n' >"$WORK/nul.conf"
	head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$WORK/huge.conf"
	printf 'allow = 4000\r\nallow = 99999\r\n' >"$WORK/crlf-bad.conf"
	printf 'allow = 4000\x1b[2J\n' >"$WORK/ctl.conf"
	mkfifo "$WORK/fifo.conf"
	for f in nul huge crlf-bad ctl fifo; do
		"$LO6RELAY" --pin-dir "$PIN" --config "$WORK/$f.conf" reload >"$WORK/out" 2>"$WORK/err" </dev/null &
		pid=$!
		for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
		if kill -0 $pid 2>/dev/null; then
			kill $pid; wait $pid
			ok 1 "reload of a $f config file: hung"
			continue
		fi
		wait $pid
		rc=$?
		[ "$rc" = 2 ] && [ "$(wc -l <"$WORK/err")" = 1 ] && grep -q "$f.conf" "$WORK/err" &&
			[ "$(state)" = "$before" ]
		ok $? "reload of a $f config file: exit $rc, '$(head -c 150 "$WORK/err" | cat -v | tr -d '\n')'"
	done
	for f in "$WORK" /dev/zero "$WORK/missing.conf"; do
		"$LO6RELAY" --pin-dir "$PIN" --config "$f" reload >"$WORK/out" 2>"$WORK/err" </dev/null
		rc=$?
		[ "$rc" != 0 ] && [ "$(wc -l <"$WORK/err")" = 1 ] && [ "$(state)" = "$before" ]
		ok $? "reload --config $f: exit $rc, '$(head -c 150 "$WORK/err" | tr -d '\n')'"
	done
	# Not bad: a byte order mark, as Windows editors may write, is no part of line 1.
	printf '\xef\xbb\xbfallow = 4000\r\ndefault = auto\r\n' >"$WORK/bom.conf"
	"$LO6RELAY" --pin-dir "$PIN" --config "$WORK/bom.conf" reload >/dev/null 2>&1
	ok $? "reload of a config file that starts with a UTF-8 byte order mark works"
	like "$(lo6 ports)" "auto +4000$" "... and means what it says"
	lo6 stop >/dev/null
	setup
fi

# Last: a stop that should refuse and does not leaves no instance to compare.
bad "stop with a stray argument" -- stop now

done_testing
