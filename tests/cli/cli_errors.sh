#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
#
# cli_errors: configuration and usage errors of the real ptcp-server binary
# exit 2 with one line that names the problem, before the EAL starts (so no
# root, no devices, no hugepages).
#
#   cli_errors.sh PTCP_SERVER
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 PTCP_SERVER" >&2
	exit 1
fi
server=$1
tmp=$(mktemp -d /tmp/ptcp-cli-errors.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
CLI_PROG=$server
CLI_TMP=$tmp
# shellcheck source=tests/cli/lib.sh
. "$here/lib.sh"

expect 2 'adress' -- --set port0.adress=1.2.3.4
expect 2 'adress' -- -s port0.adress=1.2.3.4
expect 2 '/nonexistent\.ini' -- -c /nonexistent.ini
expect 2 '10\.0\.0\.300' -- --set port0.address=10.0.0.300
expect 2 'duration' -- -d soon
expect 2 'bogus' -- bogus

# --capture and --capture-filter: checked before the EAL, the file opened
# before it too.
expect 2 'capture-filter' -- --capture /dev/null --capture-filter bogus
expect 2 'capture-filter' -- --capture /dev/null --capture-filter 'port 0'
expect 2 'capture-filter' -- --capture /dev/null --capture-filter 'port 65536'
expect 2 'capture-filter' -- --capture /dev/null \
	--capture-filter 'host 10.0.0.300'
expect 2 'capture-filter' -- --capture /dev/null \
	--capture-filter 'port 80 or host 10.0.0.1'
expect 2 'capture-filter' -- --capture /dev/null \
	--capture-filter 'port 80 and port 81'
expect 2 'needs --capture' -- --capture-filter 'port 80'
expect 2 "cannot open '/nonexistent/x\.pcapng'" -- \
	--set port0.address=10.0.0.3/24 --capture /nonexistent/x.pcapng

# A bad key in a file names the key and where it is.
printf '[port0]\naddress = 10.99.0.2/24\nmtu = 70000\n' >"$tmp/bad.ini"
expect 2 'mtu' -- -c "$tmp/bad.ini"

# Exit 2 must come from the check, not from a crash: a good config passes
# the same path (--dump-config prints it and exits 0 without the EAL).
timeout 20 "$server" -- --set port0.address=10.0.0.3/24 --dump-config \
	>"$tmp/out" 2>&1 </dev/null
rc=$?
if [ $rc -ne 0 ] || ! grep -q '10\.0\.0\.3' "$tmp/out"; then
	echo "FAIL: --dump-config of a good config: exit $rc, output:"
	sed 's/^/  | /' "$tmp/out"
	fails=$((fails + 1))
else
	echo "ok: --dump-config of a good config -> exit 0"
fi

echo "cli_errors: $fails failure(s)"
[ $fails -eq 0 ]
