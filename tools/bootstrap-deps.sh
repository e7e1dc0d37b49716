# shellcheck shell=bash
# Which packages build lo6relay, per distro family, and how to install
# them. Sourced by tools/bootstrap (and by tests/bootstrap, which puts stub
# package managers on PATH and hands distro_family a fixture os-release).
# The caller defines die.

# Debian and Ubuntu; bpftool is chosen apart (debian_bpftool).
DEBIAN_BUILD_DEPS=(clang llvm libbpf-dev libelf-dev zlib1g-dev meson ninja-build pkg-config gcc libc6-dev)
# The others, checked against each distro's package index. Fedora and
# openSUSE ship bpftool on its own; Arch's is in 'bpf'; Alpine's ninja is
# samurai.
FEDORA_BUILD_DEPS=(clang llvm libbpf-devel bpftool elfutils-libelf-devel zlib-devel meson ninja-build
	pkgconf-pkg-config gcc glibc-devel)
SUSE_BUILD_DEPS=(clang llvm libbpf-devel bpftool libelf-devel zlib-devel meson ninja pkgconf-pkg-config gcc
	glibc-devel linux-glibc-devel)
ARCH_BUILD_DEPS=(clang llvm libbpf bpf libelf zlib meson ninja pkgconf gcc linux-api-headers)
ALPINE_BUILD_DEPS=(clang llvm libbpf-dev bpftool elfutils-dev zlib-dev meson samurai pkgconf gcc musl-dev
	linux-headers)

# distro_family OS_RELEASE: debian, fedora, suse, arch, alpine or unknown,
# from ID and ID_LIKE (Mint, Pop!_OS, Rocky and Manjaro name their parent
# there), else from the package manager on PATH.
distro_family() {
	local words='' w pm
	# os-release is shell assignments by definition (os-release(5)).
	# shellcheck source=/dev/null
	[ ! -r "$1" ] || words=$(. "$1" && echo "${ID:-} ${ID_LIKE:-}")
	for w in $words; do
		case $w in
		debian | ubuntu) echo debian; return ;;
		fedora | rhel | centos) echo fedora; return ;;
		suse | opensuse*) echo suse; return ;;
		arch | archarm) echo arch; return ;;
		alpine) echo alpine; return ;;
		esac
	done
	for pm in apt-get:debian dnf:fedora zypper:suse pacman:arch apk:alpine; do
		command -v "${pm%%:*}" >/dev/null && { echo "${pm#*:}"; return; }
	done
	echo unknown
}

# A bpftool that runs here, Ubuntu's wrapper excluded (tools/find-bpftool).
have_bpftool() { "$(dirname "${BASH_SOURCE[0]}")/find-bpftool" version >/dev/null 2>&1; }

# debian_bpftool: the package that brings a working bpftool, or nothing if
# one is there. Debian and Ubuntu 25.10+ have a real 'bpftool'; on Ubuntu
# 22.04 and 24.04 it is a virtual package (apt-get install refuses it) and
# linux-tools-common is only the wrapper: linux-tools-generic depends on
# linux-tools-VERSION-generic, whose /usr/lib/linux-tools/VERSION/bpftool
# works on any kernel (WSL's too).
debian_bpftool() {
	have_bpftool && return 0
	# A virtual package has no stanza of its own. (Not grep -q: under
	# pipefail, an apt-cache killed by SIGPIPE would read as a no.)
	if [[ $(apt-cache show --no-all-versions bpftool 2>/dev/null) == *"Package: bpftool"$'\n'* ]]; then
		echo bpftool
	elif [[ $(apt-cache show --no-all-versions linux-tools-generic 2>/dev/null) == *"Package: "* ]]; then
		echo linux-tools-generic
	else
		die "apt knows no package with a real bpftool (neither bpftool nor linux-tools-generic): install one by hand"
	fi
}

# missing PKG...: those not installed.
missing() {
	local p
	for p in "$@"; do
		[[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == *"ok installed" ]] || echo "$p"
	done
}

# debian_deps EXTRA...: the build dependencies and EXTRA, with apt. The
# package lists are refreshed first when something is to be installed (on
# a fresh WSL distro they are empty, and debian_bpftool reads them).
# shellcheck disable=SC2120 # bootstrap test passes the test packages
debian_deps() {
	local bpftool todo
	todo=$(missing "${DEBIAN_BUILD_DEPS[@]}" "$@")
	[ -n "$todo" ] || ! have_bpftool || return 0
	apt-get update -qq || die "apt-get update failed: check the network and /etc/apt/sources.list"
	bpftool=$(debian_bpftool) || exit 1
	# shellcheck disable=SC2086 # one name or none
	todo=$(missing "${DEBIAN_BUILD_DEPS[@]}" "$@" $bpftool)
	[ -n "$todo" ] || return 0
	echo "bootstrap: installing $(echo $todo)"
	# shellcheck disable=SC2086 # package names
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $todo >/dev/null ||
		die "apt-get install failed (its message is above)"
	# A build folder made before these existed must look for them again.
	[ ! -f build/build.ninja ] || meson setup --reconfigure build >/dev/null
	[ ! -f build-asan/build.ninja ] || meson setup --reconfigure build-asan >/dev/null
	[ ! -f build-static/build.ninja ] || meson setup --reconfigure build-static >/dev/null
	[ ! -f build-static-aarch64/build.ninja ] || meson setup --reconfigure build-static-aarch64 >/dev/null
}

# install_build_deps FAMILY: what 'bootstrap start' needs, installed.
install_build_deps() {
	local pm
	# shellcheck disable=SC2119 # debian_deps: no extra packages for start
	case $1 in
	debian) debian_deps; return ;;
	fedora) pm=(dnf install -y) && set -- "${FEDORA_BUILD_DEPS[@]}" ;;
	suse) pm=(zypper --non-interactive install) && set -- "${SUSE_BUILD_DEPS[@]}" ;;
	arch) pm=(pacman -S --needed --noconfirm) && set -- "${ARCH_BUILD_DEPS[@]}" ;;
	alpine) pm=(apk add) && set -- "${ALPINE_BUILD_DEPS[@]}" ;;
	*) die "no apt-get, dnf, zypper, pacman or apk here: install clang, llvm, libbpf (1.0 or later, with headers), bpftool, libelf and zlib headers, meson, ninja, pkg-config and gcc by hand, or use the static binary (README, Install)" ;;
	esac
	echo "bootstrap: ${pm[*]} $*"
	"${pm[@]}" "$@" || die "${pm[0]} could not install $* (its message is above): install them by hand, or use the static binary (README, Install)"
}

# libbpf_new_enough: meson needs libbpf 1.0 or later; Ubuntu 22.04 ships 0.5.
libbpf_new_enough() {
	local v
	v=$(pkg-config --modversion libbpf 2>/dev/null) || v=none
	pkg-config --atleast-version=1.0 libbpf 2>/dev/null ||
		die "this distro's libbpf is $v and lo6relay needs 1.0 or later (Ubuntu 22.04 has 0.5): use the static binary (README, Install) or a newer release"
}
