#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Instructions per connection in ptcp-server's steady state (issue 5).
#
# Runs tests/bench/churn/inproc under valgrind --tool=callgrind: ptcp-churn's
# workload and ptcp-server's services (the rr service, 64-byte request and
# response) as two ptcp stacks in one process over net_ring, the clock
# driven by hand. After WARMUP connections every server loop pass goes
# through pair_server_pass_measured(), the only function collected
# (--toggle-collect), until COUNT more connections are done:
#
#   Ir per connection = Ir collected / connections the server accepted
#
# Callgrind counts instructions, so the figure repeats to the instruction
# for the same binary and arguments, whatever else the machine does. (Two
# processes over net_memif under valgrind rarely complete the memif
# handshake; run.sh measures those natively.)
#
# net_ring offers no checksum offload: the server computes every IPv4 and
# TCP checksum in software, which a NIC with offload would do instead.
#
# Usage: tests/bench/churn/callgrind.sh [--build DIR] [--closer client|server|rst]
#        [--count N] [--warmup N] [--top N]
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=build
closer=client
count=20000
warmup=5000
ntop=15
outdir=$top/tests/bench/out

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--closer) closer=$2; shift ;;
	--count) count=$2; shift ;;
	--warmup) warmup=$2; shift ;;
	--top) ntop=$2; shift ;;
	-h|--help) sed -n '3,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "callgrind.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case $closer in
client|server|rst) ;;
*) echo "callgrind.sh: --closer client|server|rst" >&2; exit 2 ;;
esac
[[ $build = /* ]] || build=$top/$build
command -v valgrind >/dev/null || { echo "callgrind.sh: needs valgrind" >&2; exit 1; }
ninja -C "$build" tests/bench/churn/inproc >/dev/null
mkdir -p "$outdir"
out=$outdir/callgrind-$closer.out
log=$outdir/callgrind-$closer.log

timeout 900 valgrind --tool=callgrind --callgrind-out-file="$out" \
	--collect-atstart=no --toggle-collect=pair_server_pass_measured \
	"$build/tests/bench/churn/inproc" --closer "$closer" --count "$count" \
	--warmup "$warmup" >"$log.stdout" 2>"$log"
line=$(grep '^inproc:' "$log.stdout")
conns=$(sed -n 's/.* connections \([0-9]*\) .*/\1/p' <<<"$line")
fails=$(sed -n 's/.* failures \([0-9]*\) .*/\1/p' <<<"$line")
ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$log")
if [ -z "$conns" ] || [ "$conns" -eq 0 ] || [ -z "$ir" ]; then
	echo "callgrind.sh: no result (see $log)" >&2
	exit 1
fi
[ "$fails" = 0 ] || { echo "callgrind.sh: $fails failed connections" >&2; exit 1; }
echo "closer $closer: $conns connections, $ir Ir collected in the server's passes"
echo "Ir per connection: $((ir / conns))"
echo
echo "Top functions, exclusive Ir per connection:"
callgrind_annotate --threshold=100 "$out" 2>/dev/null |
	grep -E '^ *[0-9,]+ \(' | grep -v 'PROGRAM TOTALS' | head -n "$ntop" |
	sed -E 's/^ *([0-9,]+) \( *([0-9.]+)%\) +[^:]*:([^ ]+).*/\1 \2 \3/' |
	while read -r n pct fn; do
		n=${n//,/}
		printf '%8d  %5s%%  %s\n' "$((n / conns))" "$pct" "$fn"
	done
echo
echo "dump: $out (callgrind_annotate it for more)"
