#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# ptcp's instructions per byte of a bulk transfer.
#
# Runs tests/bench/bulk/bulk_inproc under valgrind --tool=callgrind: two
# ptcp stacks in one process over net_ring, one connection, BYTES in all.
# After 1 MiB of warm-up every loop pass goes through
# bulk_sender_measured() (stack A's pass and the app's sends) and
# bulk_receiver_measured() (stack B's pass with the data callback, which
# frees the data), the only functions collected (--toggle-collect): EAL,
# setup, the handshake, the warm-up and the close are left out.
#
#   Ir per byte = Ir collected / bytes B received in the window
#
# The clock is virtual (--virtual PASSES: 1 ms every PASSES loop passes,
# about what a native run does) so that the run, 50x slower under
# valgrind, sees its timers fire as often per pass as a native one, and
# the count repeats exactly for the same binary.
#
# The Linux kernel's instructions cannot be counted here: callgrind sees
# user space only, and this VM exposes no PMU to perf (perf stat:
# "cycles <not supported>"). run.sh compares CPU time per byte instead
# (getrusage of both sides, like for like).
#
# net_ring offers no checksum offload: both stacks compute every IPv4 and
# TCP checksum in software, which a NIC with offload would do instead.
#
# Usage: tests/bench/bulk/callgrind.sh [--build DIR] [--bytes N]
#        [--mode zc|copy] [--chunk N] [--virtual PASSES] [--top N]
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=build
bytes=64M
mode=zc
chunk=1448
virt=12
ntop=15
outdir=$top/tests/bench/out

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--bytes) bytes=$2; shift ;;
	--mode) mode=$2; shift ;;
	--chunk) chunk=$2; shift ;;
	--virtual) virt=$2; shift ;;
	--top) ntop=$2; shift ;;
	-h|--help) sed -n '3,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "callgrind.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[[ $build = /* ]] || build=$top/$build
command -v valgrind >/dev/null || { echo "callgrind.sh: needs valgrind" >&2; exit 1; }
ninja -C "$build" tests/bench/bulk/bulk_inproc >/dev/null
mkdir -p "$outdir"
out=$outdir/callgrind-bulk-$mode.out
log=$outdir/callgrind-bulk-$mode.log

timeout 900 valgrind --tool=callgrind --callgrind-out-file="$out" \
	--collect-atstart=no --toggle-collect=bulk_sender_measured \
	--toggle-collect=bulk_receiver_measured \
	"$build/tests/bench/bulk/bulk_inproc" --mode "$mode" --bytes "$bytes" \
	--chunk "$chunk" --virtual "$virt" --timeout 800 >"$log.stdout" 2>"$log" ||
	{ echo "callgrind.sh: bulk_inproc failed (see $log, $log.stdout)" >&2; exit 1; }
line=$(grep '^bulk_inproc:' "$log.stdout")
grep -q '^mbufs: .*all returned' "$log.stdout" ||
	{ echo "callgrind.sh: mbufs not all returned (see $log.stdout)" >&2; exit 1; }
field() { sed -n "s/.* $1 \\([0-9.]*\\) .*/\\1/p" <<<"$line "; }
n=$(field bytes)
segs=$(field segs_a)
acks=$(field segs_b)
ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$log")
if [ -z "$n" ] || [ "$n" = 0 ] || [ -z "$ir" ]; then
	echo "callgrind.sh: no result (see $log)" >&2
	exit 1
fi
# Inclusive cost of each measured function: the sender's and receiver's
# shares. (Annotated into files first: no pipe is closed early.)
callgrind_annotate --inclusive=yes --threshold=100 "$out" \
	>"$log.incl" 2>/dev/null || true
callgrind_annotate --threshold=100 "$out" >"$log.excl" 2>/dev/null || true
incl() {
	awk -v f="$1" '$0 ~ ("[: ]" f "( |$)") {
		gsub(/,/, "", $1); print $1; exit }' "$log.incl"
}
snd=$(incl bulk_sender_measured)
rcv=$(incl bulk_receiver_measured)
awk -v ir="$ir" -v n="$n" -v s="${snd:-0}" -v r="${rcv:-0}" \
	-v segs="$segs" -v acks="$acks" -v mode="$mode" -v chunk="$chunk" 'BEGIN {
	printf "mode %s (chunk %d): %d bytes in the window, %d data segments, %d ACKs\n",
		mode, chunk, n, segs, acks
	printf "Ir collected %d: per byte %.2f (sender %.2f, receiver %.2f)\n",
		ir, ir / n, s / n, r / n
	printf "per data segment: %.0f Ir (sender %.0f, receiver %.0f)\n",
		ir / segs, s / segs, r / segs
}'
echo
echo "Top functions, exclusive Ir per data segment:"
awk -v top="$ntop" -v segs="$segs" '
	/PROGRAM TOTALS/ { next }
	/^ *[0-9,]+ \( *[0-9.]+%\) / {
		if (++k > top)
			exit
		line = $0
		sub(/^ */, "", line)
		c = line; sub(/ .*/, "", c); gsub(/,/, "", c)
		pct = line; sub(/^[^(]*\( */, "", pct); sub(/%.*/, "", pct)
		fn = line; sub(/^[^)]*\) +/, "", fn); sub(/ .*/, "", fn)
		sub(/^[^:]*:/, "", fn)
		printf "%8d  %5s%%  %s\n", c / segs, pct, fn
	}' "$log.excl"
echo
echo "dump: $out (callgrind_annotate it for more)"
