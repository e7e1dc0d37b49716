#!/bin/bash
# start --cgroup DIR where DIR is no cgroup v2 folder: a plain folder, or a
# cgroup v1 hierarchy (WSL's automount.cgroups=v1 layout). One sentence that
# says what DIR is and what to pass instead (the cgroup v2 mount), exit 1,
# nothing pinned, nothing attached; before any note about the kernel.
. "$(dirname "$0")/lib.sh"

# refused DIR KIND DESCRIPTION: start --cgroup DIR exits 1 with the sentence for KIND.
refused() {
	lo6 start --cgroup "$1" --ports 4000 >"$WORK/out" 2>"$WORK/err"
	is "$?" 1 "$3: start exits 1"
	like "$(cat "$WORK/err")" "^lo6relay: $1 is $2, and lo6relay attaches only to cgroup v2: pass the cgroup v2 mount $CGROOT or a folder in it$" "... says what it is and what to pass instead"
	is "$(wc -l <"$WORK/err")" 1 "... in one line, no note before it"
	is "$(cat "$WORK/out")" "" "... nothing on stdout"
	[ ! -e "$PIN" ]
	ok $? "... nothing pinned"
	is "$(cg_progs "$CGROOT" | grep -c lo6_)" 0 "... nothing attached at the cgroup v2 root"
}

mkdir "$WORK/plain"
refused "$WORK/plain" "not a cgroup folder" "a plain folder"

# A cgroup v1 hierarchy of its own (no controller, a name of the test's),
# in a private mount namespace, so it goes away with the test.
v1="$WORK/v1"
mkdir "$v1"
if unshare -m --propagation private true 2>/dev/null; then
	out=$(unshare -m --propagation private "$BASH" -c '
		mount -t cgroup -o "none,name=lo6test$3" lo6test "$1" 2>/dev/null || { echo "no-v1"; exit 0; }
		mkdir "$1/sub"
		for d in "$1" "$1/sub"; do
			"$2" --pin-dir "$4" --config "$5" start --cgroup "$d" --ports 4000 2>&1 >/dev/null
			echo "rc=$?"
		done
		rmdir "$1/sub"
		umount "$1"' lo6test "$v1" "$LO6RELAY" "$$" "$PIN" "$WORK/empty.conf")
	if [ "$out" = no-v1 ]; then
		ok 0 "# SKIP this kernel mounts no cgroup v1 hierarchy"
	else
		want="lo6relay: $v1 is a cgroup v1 hierarchy, and lo6relay attaches only to cgroup v2: pass the cgroup v2 mount $CGROOT or a folder in it"
		is "$(echo "$out" | sed -n 1p)" "$want" "a cgroup v1 hierarchy: one sentence that says so and what to pass"
		is "$(echo "$out" | sed -n 2p)" "rc=1" "... exit 1"
		is "$(echo "$out" | sed -n 3p)" "${want/$v1/$v1/sub}" "a folder inside it: the same"
		is "$(echo "$out" | sed -n 4p)" "rc=1" "... exit 1"
		is "$(echo "$out" | wc -l)" 4 "... and nothing else said"
		[ ! -e "$PIN" ]
		ok $? "... nothing pinned"
	fi
	grep -q " $v1 " /proc/self/mountinfo
	is "$?" 1 "the v1 hierarchy is not mounted outside"
fi

lo6 start --cgroup "$WORK/missing" --ports 4000 >/dev/null 2>"$WORK/err"
is "$?" 1 "a folder that does not exist: exit 1"
like "$(cat "$WORK/err")" "^lo6relay: cannot open cgroup $WORK/missing: No such file or directory$" "... says so"

# The control: a cgroup v2 folder is taken.
lo6 start --cgroup "$CG" --ports 4000 >/dev/null
is "$?" 0 "a cgroup v2 folder: start exits 0"
is "$(cg_progs | grep -c lo6_connect6)" 1 "... and attaches connect6 there"

done_testing
