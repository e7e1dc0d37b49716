#!/bin/bash
# tools/bootstrap's distro branches (tools/bootstrap-deps.sh) against stub
# package managers (tests/bootstrap/stub) that answer as the real ones do:
# which family each os-release is, which packages each manager is asked
# for, Ubuntu's virtual bpftool, and the one-sentence refusals. TAP.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ ! -s "$tmp/out" ] || sed 's/^/# /' "$tmp/out"; }
is() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1: got '$2', want '$3'"; fi; }

die() { echo "bootstrap: $*" >&2; exit 1; }
# shellcheck source=tools/bootstrap-deps.sh
. "$src/tools/bootstrap-deps.sh"
# The host's bpftool is not the guest distro's: the test says if one works.
have_bpftool() { [ -n "${HAVE_BPFTOOL:-}" ]; }

# A PATH holding the stubs named and the few real tools the code calls,
# so the host's own apt-get is never reached.
export STUB=$tmp/stub
bin=$tmp/bin
use() {
	rm -rf "$bin" "$STUB"
	mkdir -p "$bin" "$STUB"
	local t
	for t in grep cat sort head tr dirname; do ln -s "$(command -v "$t")" "$bin/$t"; done
	for t in "$@"; do ln -s "$here/stub" "$bin/$t"; done
}
# run FAMILY: install_build_deps in a subshell, as bootstrap calls it.
run() {
	(cd "$tmp" && PATH=$bin install_build_deps "$1") >"$tmp/out" 2>&1
}
asked() { grep "^$1 " "$STUB/log" | grep -v -e '^apt-get update' -e '^apt-cache' -e '^dpkg-query' | tail -n 1; }
osr() { printf '%s\n' "$@" >"$tmp/os-release"; }
family() { PATH=$bin distro_family "$tmp/os-release"; }

# --- which family ------------------------------------------------------------
use
for c in 'debian|ID=debian|VERSION_CODENAME=bookworm' 'debian|ID=ubuntu|ID_LIKE=debian|VERSION_ID="24.04"' \
	'debian|ID=linuxmint|ID_LIKE="ubuntu debian"' 'fedora|ID=fedora|VERSION_ID=41' \
	'fedora|ID="rocky"|ID_LIKE="rhel centos fedora"' 'suse|ID="opensuse-tumbleweed"|ID_LIKE="opensuse suse"' \
	'arch|ID=arch' 'arch|ID=manjaro|ID_LIKE=arch' 'alpine|ID=alpine|VERSION_ID=3.22.1' 'unknown|ID=gentoo'; do
	IFS='|' read -r -a f <<<"$c"
	osr "${f[@]:1}"
	is "os-release ${f[1]} is ${f[0]}" "$(family)" "${f[0]}"
done
rm -f "$tmp/os-release"
is "no os-release, no package manager: unknown" "$(family)" unknown
use zypper
is "no os-release: the package manager on PATH decides (zypper)" "$(family)" suse

# --- Debian and Ubuntu ---------------------------------------------------------
debian_index() {
	printf '%s\n' "${DEBIAN_BUILD_DEPS[@]}" >"$STUB/known"
	printf '%s\n' "$@" >>"$STUB/known"
}
# Ubuntu 22.04 and 24.04: bpftool is virtual (linux-tools-common and
# linux-lowlatency-tools-common provide it); linux-tools-generic brings the
# real binary.
use apt-get apt-cache dpkg-query
debian_index linux-tools-common linux-lowlatency-tools-common linux-tools-generic
echo bpftool >"$STUB/virtual"
run debian
is "Ubuntu 24.04: bootstrap succeeds" "$?" 0
is "Ubuntu 24.04: apt-get update before apt is asked anything" "$(grep -m 1 "^apt" "$STUB/log")" "apt-get update -qq"
a=$(asked apt-get)
case " $a " in
*" bpftool "*) notok "Ubuntu 24.04: apt-get is never asked for the virtual bpftool: $a" ;;
*" linux-tools-generic "*) ok "Ubuntu 24.04: linux-tools-generic brings bpftool" ;;
*) notok "Ubuntu 24.04: linux-tools-generic brings bpftool: $a" ;;
esac
case " $a " in *" libbpf-dev "*" meson "*) ok "Ubuntu 24.04: and the rest of the build dependencies" ;;
*) notok "Ubuntu 24.04: and the rest of the build dependencies: $a" ;; esac

# The refusal is real: asked for bpftool, the stub says what apt says.
(PATH=$bin apt-get install -y bpftool) >"$tmp/out" 2>&1
grep -q "E: Package 'bpftool' has no installation candidate" "$tmp/out" &&
	grep -q 'is a virtual package provided by' "$tmp/out" &&
	ok "the apt-get stub refuses the virtual bpftool as apt does" ||
	notok "the apt-get stub refuses the virtual bpftool as apt does"

# Debian, and Ubuntu 25.10 onwards: a real bpftool package.
use apt-get apt-cache dpkg-query
debian_index bpftool
run debian
is "Debian: bootstrap succeeds" "$?" 0
case " $(asked apt-get) " in *" bpftool "*) ok "Debian: bpftool itself" ;;
*) notok "Debian: bpftool itself: $(asked apt-get)" ;; esac

# Everything there already: apt is not touched (not even apt-get update).
use apt-get apt-cache dpkg-query
debian_index bpftool
cp "$STUB/known" "$STUB/installed"
HAVE_BPFTOOL=1 run debian
is "all installed: bootstrap succeeds" "$?" 0
is "all installed: no apt-get call" "$(grep -c '^apt-get' "$STUB/log")" 0

# A working bpftool (say /usr/lib/linux-tools/*/bpftool) and nothing else:
# no bpftool package is asked for.
use apt-get apt-cache dpkg-query
debian_index linux-tools-generic
echo bpftool >"$STUB/virtual"
HAVE_BPFTOOL=1 run debian
case " $(asked apt-get) " in *" bpftool "* | *" linux-tools-generic "*)
	notok "a working bpftool: no bpftool package: $(asked apt-get)" ;;
*) ok "a working bpftool: no bpftool package" ;; esac

# Neither: one sentence, and nothing installed.
use apt-get apt-cache dpkg-query
debian_index
echo bpftool >"$STUB/virtual"
run debian
rc=$?
is "no bpftool anywhere: bootstrap fails" "$rc" 1
is "... with one line" "$(grep -c . "$tmp/out")" 1
grep -q '^bootstrap: apt knows no package with a real bpftool' "$tmp/out" &&
	ok "... that says why" || notok "... that says why"
is "... and installs nothing" "$(grep -c '^apt-get install' "$STUB/log")" 0

# Ubuntu 22.04: libbpf 0.5 is too old for meson; the way out is named.
use pkg-config
echo 0.5.0 >"$STUB/libbpf"
(PATH=$bin libbpf_new_enough) >"$tmp/out" 2>&1
is "libbpf 0.5: refused" "$?" 1
grep -q 'libbpf is 0.5.0 and lo6relay needs 1.0 or later.*static binary' "$tmp/out" &&
	ok "... naming the static binary" || notok "... naming the static binary"
echo 1.3.0 >"$STUB/libbpf"
(PATH=$bin libbpf_new_enough) >"$tmp/out" 2>&1
is "libbpf 1.3: accepted" "$?" 0

# --- the others: the package manager, its arguments, every name known ----------
# The names in each distro's index (packages.fedoraproject.org,
# software.opensuse.org, archlinux.org/packages, pkgs.alpinelinux.org).
others() {
	local fam=$1 mgr=$2 want=$3
	shift 3
	use "$mgr"
	printf '%s\n' "$@" >"$STUB/known"
	run "$fam"
	is "$fam: bootstrap succeeds" "$?" 0
	is "$fam: $mgr is asked for the build dependencies" "$(asked "$mgr")" "$want"
	# A name the index lacks: the manager's refusal and bootstrap's sentence.
	sed -i '/^clang$/d' "$STUB/known"
	run "$fam"
	is "$fam: a package the index lacks fails bootstrap" "$?" 1
	grep -q "^bootstrap: $mgr could not install .*install them by hand" "$tmp/out" &&
		ok "$fam: ... with the way out" || notok "$fam: ... with the way out"
}
F=(clang llvm libbpf-devel bpftool elfutils-libelf-devel zlib-devel meson ninja-build pkgconf-pkg-config gcc glibc-devel)
others fedora dnf "dnf install -y ${F[*]}" "${F[@]}"
S=(clang llvm libbpf-devel bpftool libelf-devel zlib-devel meson ninja pkgconf-pkg-config gcc glibc-devel linux-glibc-devel)
others suse zypper "zypper --non-interactive install ${S[*]}" "${S[@]}"
A=(clang llvm libbpf bpf libelf zlib meson ninja pkgconf gcc linux-api-headers)
others arch pacman "pacman -S --needed --noconfirm ${A[*]}" "${A[@]}"
L=(clang llvm libbpf-dev bpftool elfutils-dev zlib-dev meson samurai pkgconf gcc musl-dev linux-headers)
others alpine apk "apk add ${L[*]}" "${L[@]}"

# No package manager bootstrap knows: one sentence naming what to install.
use
run unknown
is "unknown distro: bootstrap fails" "$?" 1
grep -q '^bootstrap: no apt-get, dnf, zypper, pacman or apk here: install clang.*libbpf.*bpftool' "$tmp/out" &&
	ok "... naming the packages" || notok "... naming the packages"

echo "1..$n"
exit $failed
