# shellcheck shell=bash disable=SC2154 # cache, mirror: the caller's
# Debian's cloud kernels for qemu guests, downloaded once into a cache.
# Sourced by tools/vmtest/vmtest and tools/vmtest/static-guest; the caller
# sets cache (the cache folder), mirror (a Debian mirror URL) and say/die.
# fetch_kernel ALIAS [ARCH] prints the folder holding that kernel's vmlinuz;
# ARCH is Debian's name, amd64 (the default) or arm64 (the aarch64 static
# guest; apt must know the architecture: dpkg --add-architecture arm64).

# Kernels from other suites: apt with a private state (lists, cache, sources)
# in $cache/apt, so the host's own apt configuration never changes.
kernel_suites=${VMTEST_KERNEL_SUITES:-bullseye bullseye-security bookworm-backports}
apt_opts=()
use_kernel_suites() {
	local a=$cache/apt s
	mkdir -p "$a/lists/partial" "$a/archives/partial" "$a/sources.list.d"
	for s in $kernel_suites; do
		case $s in
		*-security) echo "deb $mirror/debian-security $s main" ;;
		*) echo "deb $mirror/debian $s main" ;;
		esac
	done >"$a/sources.list"
	apt_opts=(-o "Dir::Etc::sourcelist=$a/sources.list" -o "Dir::Etc::sourceparts=$a/sources.list.d"
		-o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a")
	apt-get "${apt_opts[@]}" update -qq >/dev/null 2>&1 || true
}

# kernel_pkg ALIAS [ARCH]: the versioned package a short name stands for today.
kernel_pkg() {
	local meta arch=${2:-amd64}
	case $1 in
	# bullseye's last point release: the oldest kernel lo6relay supports.
	5.10) echo "linux-image-5.10.0-32-cloud-$arch-unsigned"; return ;;
	6.1) meta=linux-image-cloud-$arch ;;          # bookworm's own line
	6.12) meta=linux-image-6.12-cloud-$arch ;;    # bookworm's newer line
	linux-image-*) echo "$1"; return ;;
	*) return 1 ;;
	esac
	# Nothing printed (not an error) when apt has no lists yet. A foreign
	# architecture's dependency comes as NAME:arm64: the name alone is
	# unique (no amd64 package is called *-cloud-arm64).
	apt-cache "${apt_opts[@]}" depends --no-recommends --no-suggests "$meta" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { sub(/:.*/, "", $2); print $2; exit }' || true
}

# fetch_kernel ALIAS [ARCH]: print the folder holding that kernel's
# vmlinuz, downloading it if Debian has a newer one than the cache.
fetch_kernel() {
	local alias=$1 arch=${2:-amd64} pkg ver dir tmp deb slot
	# The cache folder of this line: amd64's keep their old names.
	slot=$alias
	[ "$arch" = amd64 ] || slot=$alias-$arch
	pkg=$(kernel_pkg "$alias" "$arch") || die "unknown kernel '$alias' (5.10, 6.1, 6.12 or a linux-image-* package)"
	if [ -z "$pkg" ]; then
		# No package lists yet (a fresh machine): fetch them once.
		apt-get update -qq >/dev/null 2>&1 || true
		pkg=$(kernel_pkg "$alias" "$arch")
	fi
	case $pkg in
	linux-image-*)
		# A package from another suite (bullseye's 5.10, ...): look there.
		[ ${#apt_opts[@]} != 0 ] || apt-cache show --no-all-versions "$pkg" >/dev/null 2>&1 ||
			use_kernel_suites ;;
	esac
	if [ -n "$pkg" ]; then
		# The unsigned image is the same kernel without the signature.
		apt-cache "${apt_opts[@]}" show --no-all-versions "$pkg-unsigned" >/dev/null 2>&1 && pkg=$pkg-unsigned
		ver=$(apt-cache "${apt_opts[@]}" show --no-all-versions "$pkg" 2>/dev/null | awk '/^Version:/ { print $2; exit }')
	fi
	if [ -z "$pkg" ] || [ -z "${ver:-}" ]; then
		# apt knows nothing (no apt-get update, or offline): the newest cached one.
		dir=$(ls -d "$cache/kernels/$slot/"*/ 2>/dev/null | sort -V | tail -n 1)
		[ -n "$dir" ] || die "kernel $alias ($arch): apt has no package for it (apt-get update?) and none is cached"
		echo "${dir%/}"
		return
	fi
	dir=$cache/kernels/$slot/${pkg}_$ver
	if [ ! -f "$dir/vmlinuz" ]; then
		tmp=$(mktemp -d "$cache/tmp.XXXXXX")
		say "kernel $alias: downloading $pkg $ver" >&2
		# Stale package lists name a build Debian has since removed: refresh
		# them and ask again.
		# The mirror may lack the unsigned build (bullseye-security's, here):
		# the signed one holds the same kernel.
		(cd "$tmp" && { apt-get "${apt_opts[@]}" download -q -o APT::Sandbox::User=root "$pkg=$ver" ||
			{ [ "$pkg" != "${pkg%-unsigned}" ] &&
			  apt-get "${apt_opts[@]}" download -q -o APT::Sandbox::User=root "${pkg%-unsigned}=$ver"; }
			} >/dev/null 2>&1) || {
			apt-get "${apt_opts[@]}" update -qq >/dev/null 2>&1 || true
			rm -rf "$tmp"
			[ -z "${VMTEST_RETRIED:-}" ] || die "kernel $alias: apt-get download $pkg=$ver failed"
			VMTEST_RETRIED=1 fetch_kernel "$alias" "$arch"
			return
		}
		deb=$(ls "$tmp"/*.deb)
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/*'
		# Debian moved on: the older builds of this line go.
		rm -rf "$cache/kernels/$slot"
		mkdir -p "$dir"
		mv "$tmp"/boot/config-* "$dir/config" 2>/dev/null || true
		mv "$tmp"/boot/vmlinuz-* "$dir/vmlinuz"
		rm -rf "$tmp"
	fi
	echo "$dir"
}

