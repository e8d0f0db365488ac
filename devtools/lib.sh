# shellcheck shell=bash disable=SC2034,SC2054,SC2153
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
#
# Shared by devtools/test and devtools/demo (source it; it runs nothing).
#
#   ptcp_need_packages PKG...   apt-get install whatever of PKG is missing
#   ptcp_build_setup DIR OPT... meson setup DIR with OPTs, or reconfigure it
#
# Both expect to be run from the top of the source tree.

# Packages to build ptcp and run its tests on Debian 12.
# make and libsystemd-dev: devtools/test-install builds examples/ with make,
# statically too (Debian's DPDK .pc files then ask for -lsystemd); doxygen:
# the doc suite (the public headers' API reference, warnings fail it);
# bison and flex: the packetdrill suite builds packetdrill (GPL, not part of
# ptcp) from ../shared/tools/packetdrill (tests/packetdrill/build-packetdrill).
PTCP_BUILD_PACKAGES=(libdpdk-dev dpdk-dev libnuma-dev libjansson-dev meson
	ninja-build pkg-config gcc python3 clang make libsystemd-dev doxygen
	bison flex)
# What the tap suite and the demo use on the kernel side (ss is in iproute2,
# ab in apache2-utils; wrk for tap_data; nft for tap_lossy's loss; the tap
# scripts' Python helpers run with python3 above, /usr/bin/python3).
PTCP_TAP_PACKAGES=(iproute2 iputils-ping iputils-arping coreutils curl
	apache2-utils wrk tshark nftables)

# What the benchmarks under tests/bench/ draw their figures with (not CI:
# soak/run.sh installs it when missing, churn/timewait.sh asks for it).
PTCP_BENCH_PACKAGES=(gnuplot-nox)

# Normal and sanitizer trees, as in the README.
# (libptcp.pc relocatable: devtools/test-install uses it from a --destdir;
# also the default, but a reused tree keeps the options it was set up with)
PTCP_BUILD_OPTS=(-Dwerror=true -Dpkgconfig.relocatable=true)
PTCP_ASAN_OPTS=(-Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true
	-Dbuildtype=debug)
# The libFuzzer tree (clang; tests/fuzz): ASan+UBSan, coverage on lib/.
PTCP_FUZZ_OPTS=(-Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
	-Dbuildtype=debug)

ptcp_apt_updated=no

ptcp_need_packages()
{
	local p missing=()

	for p in "$@"; do
		# (dpkg -s also succeeds for a removed package's leftovers)
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "==> installing missing packages: ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		echo "error: not root: cannot install ${missing[*]}" >&2
		return 1
	fi
	if [ "$ptcp_apt_updated" = no ]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null ||
			return 1
		ptcp_apt_updated=yes
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" </dev/null
}

# ptcp_build_setup DIR OPT...: configure DIR, reusing it when it is already
# a meson build tree (options are re-applied, so a tree set up by hand with
# other options is brought back to these).
ptcp_build_setup()
{
	local dir=$1

	shift
	if [ -f "$dir/meson-private/coredata.dat" ]; then
		meson setup --reconfigure "$dir" "$@" >"$dir/setup.log" 2>&1 || {
			cat "$dir/setup.log" >&2
			return 1
		}
	else
		mkdir -p "$dir" || return 1
		if ! meson setup "$dir" "$@" >"$dir/setup.log" 2>&1; then
			cat "$dir/setup.log" >&2
			return 1
		fi
	fi
}
