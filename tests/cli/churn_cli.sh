#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# churn_cli: ptcp-churn's usage errors exit 2 with one line that names the
# problem, before the EAL starts (no root, no devices, no hugepages).
#
#   churn_cli.sh PTCP_CHURN SOURCE_ROOT
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 PTCP_CHURN SOURCE_ROOT" >&2
	exit 1
fi
churn=$1
cfg=$2/config/memif-churn.ini
tmp=$(mktemp -d /tmp/ptcp-churn-cli.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
CLI_PROG=$churn
CLI_TMP=$tmp
# shellcheck source=tests/cli/lib.sh
. "$here/lib.sh"

ok="-c $cfg --server 10.97.0.1:5001"
expect 2 'no options'
expect 2 "unknown option '--bogus'" -- $ok -d 1 --bogus
expect 2 'unexpected argument' -- $ok -d 1 extra
expect 2 'server.*required' -- -c "$cfg" -d 1
expect 2 'count N or --duration' -- $ok
expect 2 "--server: '10.97.0.1' is not" -- -c "$cfg" --server 10.97.0.1 -d 1
expect 2 "--server: '300.1.1.1:80'" -- -c "$cfg" --server 300.1.1.1:80 -d 1
expect 2 "--server: '70000'" -- -c "$cfg" --server 10.97.0.1:70000 -d 1
expect 2 "--count: '0'" -- $ok -n 0
expect 2 "--count: '-5'" -- $ok -n -5
expect 2 "--duration: 'soon'" -- $ok -d soon
expect 2 "--concurrency: '0'" -- $ok -d 1 --concurrency 0
expect 2 "--closer: 'both'" -- $ok -d 1 --closer both
expect 2 'closer mix needs --http' -- $ok -d 1 --closer mix
expect 2 'exclude each other' -- $ok -d 1 --rate 100 --concurrency 5
expect 2 'lport-max 100 is below' -- $ok -d 1 --lport-min 200 --lport-max 100
expect 2 'no --response' -- $ok -d 1 --http --response 5
expect 2 'needs a value' -- $ok -d 1 --closer
expect 2 'adress' -- $ok -d 1 --set port0.adress=1.2.3.4
expect 2 '/nonexistent\.ini' -- -c /nonexistent.ini --server 1.2.3.4:5 -d 1

# --help is usage on stdout, exit 0
timeout 20 "$churn" --help >"$tmp/out" 2>&1 </dev/null
rc=$?
if [ $rc -ne 0 ] || ! grep -q -- '--closer' "$tmp/out"; then
	echo "FAIL: --help: exit $rc"
	fails=$((fails + 1))
else
	echo "ok: --help -> exit 0"
fi

echo "churn_cli: $fails failure(s)"
[ $fails -eq 0 ]
