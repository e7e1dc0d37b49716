#!/bin/bash
# The config file: start applies it, reload re-applies it without a gap,
# save writes the running state back; a bad file changes nothing.
. "$(dirname "$0")/lib.sh"

conf="$WORK/lo6relay.conf"
c6() { "$LO6RELAY" --pin-dir "$PIN" --config "$conf" "$@"; }

serve tcp 127.0.0.3 4100
serve tcp 127.0.0.1 4100
cat >"$conf" <<CONF
# a test config
relay = 127.0.0.3
default = off
allow always = 4100-4102, 4110
allow = 4200
never = 4300
CONF
c6 start --cgroup "$CG" >/dev/null
ok $? "start with a config file"
like "$(c6 ports)" "always +4100-4102,4110" "the file's always ports"
like "$(c6 ports)" "auto +4200" "the file's auto ports (allow without a mode)"
like "$(c6 ports)" "never +4300" "the file's never ports"
probe_cg tcp ::1 4100 to-3 >/dev/null
sleep 0.2
like "$(served tcp 127.0.0.3 4100)" "data=to-3$" "the file's relay address is used"

# pin-dir from the file: commands find the instance without --pin-dir.
printf 'pin-dir = %s\n' "$PIN" >"$WORK/pin.conf"
like "$("$LO6RELAY" --config "$WORK/pin.conf" status)" "pin dir +$PIN" "the file's pin-dir is used without --pin-dir"

# A bad file: reload refuses it with FILE:LINE, and nothing changes.
before=$(c6 ports --json)
printf 'allow = 4100\nallow = 99999\n' >"$WORK/bad.conf"
"$LO6RELAY" --pin-dir "$PIN" --config "$WORK/bad.conf" reload 2>"$WORK/err"
is "$?" 2 "reload of a bad file exits 2"
like "$(cat "$WORK/err")" "bad.conf:2: " "... naming the file and line"
is "$(c6 ports --json)" "$before" "... and changes nothing"

# reload: the running instance follows the file, no port missing meanwhile.
# (always, as before: the relay moves, the ports' mode does not; a reload
# writes the ports before the relay, so a mode that also changed would meet
# the old relay for a moment.)
cat >"$conf" <<CONF
relay = 127.0.0.1
default = auto
allow always = 4100, 4105
CONF
( for _ in $(seq 60); do probe_cg tcp ::1 4100 during-reload; done >"$WORK/during" ) &
loop=$!
for _ in $(seq 10); do c6 reload >/dev/null || echo "reload failed"; done
wait $loop
is "$(grep -vc '^ok ' "$WORK/during")" 0 "no connect to a listed port failed during 10 reloads ($(wc -l <"$WORK/during") connects)"
like "$(c6 ports)" "always +4100,4105$" "reload makes the allowlist exactly the file's"
is "$(c6 default)" auto "reload sets the default mode"
like "$(c6 status)" "-> 127\.0\.0\.1:PORT" "reload sets the relay"

# CRLF endings, as written from Windows.
printf 'relay = 127.0.0.1\r\nallow = 4100-4101\r\ndefault = off\r\n' >"$conf"
c6 reload >/dev/null
ok $? "a CRLF file reloads"
like "$(c6 ports)" "auto +4100-4101$" "... and means what it says"

# save writes the running state back, and it reads back the same.
c6 allow --mode never 4999
c6 save >/dev/null
ok $? "save"
like "$(cat "$conf")" "never = 4999" "the saved file has the never port"
before=$(c6 ports --json)
c6 reload >/dev/null
is "$(c6 ports --json)" "$before" "reloading the saved file changes nothing"

# relay auto: off WSL it picks 127.0.0.1 and says why.
c6 stop >/dev/null
printf 'relay = auto\nallow = 4100\n' >"$conf"
out=$(c6 start --cgroup "$CG")
like "$out" "relay 127\.0\.0\.1 \(auto: " "relay auto is resolved at start and explained"
like "$(c6 status)" "picked by auto: " "status says auto picked it and why"
like "$(c6 status --json)" '"relay_auto":true' "status --json says relay_auto"
c6 save >/dev/null
like "$(cat "$conf")" "relay = auto" "save keeps relay = auto"

# The file decides where every user's [::1] goes: like sshd and sudo, refuse
# one that is not root's or that others may write, and change nothing.
printf 'allow = 4100,4777\n' >"$WORK/trust.conf"
before=$(c6 ports --json)
reload_with() { "$LO6RELAY" --pin-dir "$PIN" --config "$1" reload 2>"$WORK/err" >/dev/null; }
chown 65534 "$WORK/trust.conf"
reload_with "$WORK/trust.conf"
is "$?" 1 "a config file owned by another user is refused"
like "$(cat "$WORK/err")" "^lo6relay: .*trust.conf belongs to uid 65534, not root, .* so it is refused: 'chown root: " \
	"... in one sentence that says why and what to do"
is "$(c6 ports --json)" "$before" "... and nothing changes"
"$LO6RELAY" --pin-dir "$PIN" --config "$WORK/trust.conf" start --cgroup "$CG" 2>"$WORK/err" >/dev/null
is "$?" 1 "start refuses it too"
like "$(cat "$WORK/err")" "trust.conf belongs to uid 65534" "... with the same sentence"
chown 0:0 "$WORK/trust.conf"
chmod 664 "$WORK/trust.conf"
reload_with "$WORK/trust.conf"
is "$?" 1 "a group-writable config file is refused"
like "$(cat "$WORK/err")" "trust.conf is writable by its group \(mode 0664\), .* run 'chmod go-w " "... saying so"
chmod 646 "$WORK/trust.conf"
reload_with "$WORK/trust.conf"
like "$(cat "$WORK/err")" "trust.conf is writable by everyone \(mode 0646\)" "a world-writable one too"
is "$(c6 ports --json)" "$before" "... and nothing changes"
# A symlink is followed, and the file it names is what must be root's.
ln -s "$WORK/trust.conf" "$WORK/link.conf"
reload_with "$WORK/link.conf"
like "$(cat "$WORK/err")" "link.conf is writable by everyone" "through a symlink, the target's mode counts"
chmod 644 "$WORK/trust.conf"
reload_with "$WORK/link.conf"
is "$?" 0 "a symlink to a root-owned 0644 file is read"
like "$(c6 ports)" "auto +4100,4777$" "... and applied"
# ... and so must the folders on its way: whoever may write one can put
# another file in its place, unless the folder is sticky (/tmp).
mkdir -p "$WORK/open/sub"
printf 'allow = 4100,4777,4555\n' >"$WORK/open/sub/in.conf"
before=$(c6 ports --json)
chmod 777 "$WORK/open"
reload_with "$WORK/open/sub/in.conf"
is "$?" 1 "a file in a folder everyone may write, two levels up, is refused"
like "$(cat "$WORK/err")" "^lo6relay: .*in.conf is in .*/open, which is writable by everyone \(mode 0777\), .* run 'chmod go-w .*/open'$" \
	"... in one sentence naming the folder and what to do"
is "$(c6 ports --json)" "$before" "... and nothing changes"
ln -s "$WORK/open/sub/in.conf" "$WORK/to-open.conf"
reload_with "$WORK/to-open.conf"
like "$(cat "$WORK/err")" "is in .*/open, which is writable by everyone" "... also through a symlink in a safe folder"
chmod 775 "$WORK/open"
reload_with "$WORK/open/sub/in.conf"
like "$(cat "$WORK/err")" "is in .*/open, which is writable by its group \(mode 0775\)" "a group-writable folder too"
chown 65534 "$WORK/open"
chmod 755 "$WORK/open"
reload_with "$WORK/open/sub/in.conf"
like "$(cat "$WORK/err")" "is in .*/open, which belongs to uid 65534, not root" "a folder of another user's too"
chown 0 "$WORK/open"
chmod 1777 "$WORK/open"
reload_with "$WORK/open/sub/in.conf"
is "$?" 0 "a sticky folder everyone may write, as /tmp, is fine"
like "$(c6 ports)" "auto +4100,4555,4777$" "... and the file is applied"
c6 deny 4555 >/dev/null

# save: a new file, renamed over the old, root's and writable by root only
# whatever was there; what the old mode hid from others stays hidden.
c6 allow 4888 >/dev/null
chmod 666 "$conf"
c6 save >/dev/null
is "$(stat -c '%a %u %g' "$conf")" "644 0 0" "save leaves the file root's, mode 0644 (was 0666)"
like "$(cat "$conf")" "4888" "... with the running state"
is "$(ls "$WORK" | grep -c '^lo6relay\.conf\.')" 0 "... and no temporary file behind"
chmod 600 "$conf"
c6 save >/dev/null
is "$(stat -c '%a %u %g' "$conf")" "600 0 0" "a file made private (0600) stays private"
chmod 440 "$conf"
c6 save >/dev/null
is "$(stat -c '%a' "$conf")" "640" "... and a read-only one (0440) gets its owner's write back, no more (0640)"
chgrp 4 "$conf"
c6 save >/dev/null
is "$(stat -c '%a %u %g' "$conf")" "640 0 4" "... keeping the group that may read it (gid 4)"
rm "$conf"
c6 save >/dev/null
is "$(stat -c '%a' "$conf")" "644" "a new file is 0644"
# ... and never writes through a symlink at the target.
cp "$WORK/trust.conf" "$WORK/trust.before"
"$LO6RELAY" --pin-dir "$PIN" --config "$WORK/link.conf" save 2>"$WORK/err" >/dev/null
is "$?" 1 "save to a symlink fails"
like "$(cat "$WORK/err")" "link.conf is a symbolic link, and save never writes through one" "... saying why"
cmp -s "$WORK/trust.conf" "$WORK/trust.before"
ok $? "... the file it points to is unchanged"
[ -L "$WORK/link.conf" ]
ok $? "... and the link is still a link"

# A missing explicit config file is an error; the default one may be missing.
"$LO6RELAY" --pin-dir "$PIN" --config "$WORK/nope.conf" reload 2>"$WORK/err"
is "$?" 1 "an explicit config file that does not exist is an error"
like "$(cat "$WORK/err")" "nope.conf" "... naming it"

# A refused file stops every command: stop must not look in the default
# folder, find nothing, and say all is well while the file's stays attached.
printf 'pin-dir = %s\n' "$PIN" >"$WORK/stop.conf"
chmod 644 "$WORK/stop.conf"
"$LO6RELAY" --config "$WORK/stop.conf" start --cgroup "$CG" --ports 5000 >/dev/null 2>&1
ok $? "start with the file's pin-dir"
chmod 664 "$WORK/stop.conf"
"$LO6RELAY" --config "$WORK/stop.conf" stop >/dev/null 2>"$WORK/err"
is "$?" 1 "stop with a refused config file exits 1"
like "$(cat "$WORK/err")" "stop.conf" "... naming the file"
[ -e "$PIN/link_connect6" ]
ok $? "... and the instance the file names stays, as it said"
chmod 644 "$WORK/stop.conf"
"$LO6RELAY" --config "$WORK/stop.conf" stop >/dev/null 2>&1
ok $? "stop once the file is fixed"
[ ! -e "$PIN" ]
ok $? "... removes the file's pin folder"

# Whatever save writes, stop reads back: a pin folder the file would cut
# ('#' starts a comment; pin-dir holds 200 characters) is refused, the file
# left as it was; one it keeps (a space inside) is saved and found again.
odd_stop() { "$LO6RELAY" --pin-dir "$1" --config "$WORK/empty.conf" stop >/dev/null 2>&1; }
long="$PIN-$(printf 'a%.0s' $(seq 200))"
trap 'odd_stop "$PIN#x"; odd_stop "$long"; odd_stop "$PIN x"; cleanup' EXIT
for odd in "$PIN#x" "$long"; do
	name="a pin folder of ${#odd} characters"
	[ "$odd" = "$PIN#x" ] && name="a pin folder with '#'"
	printf "# the administrator's\nallow = 4100\n" >"$conf"
	cp "$conf" "$WORK/conf.before"
	"$LO6RELAY" --pin-dir "$odd" --config "$conf" start --cgroup "$CG" >/dev/null
	ok $? "start at $name"
	"$LO6RELAY" --pin-dir "$odd" --config "$conf" save >/dev/null 2>"$WORK/err"
	is "$?" 1 "... save refuses it"
	is "$(wc -l <"$WORK/err")" 1 "... in one line"
	like "$(cat "$WORK/err")" "^lo6relay: save refuses: .*so reload and stop would not find" \
		"... saying why"
	cmp -s "$conf" "$WORK/conf.before"
	ok $? "... and leaves the file as it was"
	"$LO6RELAY" --pin-dir "$odd" --config "$conf" stop >/dev/null
	ok $? "... stop --pin-dir still stops it"
	is "$(cg_progs)" "" "... nothing is attached"
	[ ! -e "$odd" ]
	ok $? "... and its pin folder is gone"
done
: >"$conf"
"$LO6RELAY" --pin-dir "$PIN x" --config "$conf" start --cgroup "$CG" >/dev/null
"$LO6RELAY" --pin-dir "$PIN x" --config "$conf" save >/dev/null
ok $? "save of a pin folder with a space inside"
"$LO6RELAY" --config "$conf" stop >/dev/null
ok $? "... and stop without --pin-dir, from the file alone"
is "$(cg_progs)" "" "... detaches it"
[ ! -e "$PIN x" ]
ok $? "... and removes its pin folder"

done_testing
