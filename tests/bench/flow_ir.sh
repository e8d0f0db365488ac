#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Instructions per flow-table operation, lib/flow and rte_hash side by
# side: bench_flow under valgrind --tool=callgrind on a small table (the
# counts do not depend on the machine's load; cache misses are not in
# them: tests/bench/bench_flow times those). Each phase of bench_flow is a
# function of its own; its inclusive Ir over the operations it made is the
# figure, including bench_flow's loop and one indirect call per operation
# (a few instructions, the same for both tables).
#
# Usage: tests/bench/flow_ir.sh [--build DIR] [N] [OPS]   (default 1024 65536)
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=build
if [ "${1:-}" = --build ]; then build=$2; shift 2; fi
n=${1:-1024}
ops=${2:-65536}
[[ $build = /* ]] || build=$top/$build
command -v valgrind >/dev/null || { echo "flow_ir.sh: needs valgrind" >&2; exit 1; }
ninja -C "$build" tests/bench/bench_flow >/dev/null
outdir=$top/tests/bench/out
mkdir -p "$outdir"

reps=3		# REPS in bench_flow.c
deladd=$((ops < 1048576 ? ops : 1048576))
rounds=$(((ops + n - 1) / n))
look=$((reps * rounds * n))
miss=$((reps * ops))
dels=$((reps * (deladd / (n < deladd ? n : deladd)) * (n < deladd ? n : deladd)))

printf '%-9s %8s %8s %10s %8s %9s   (Ir per operation, N=%d)\n' table fill hit \
	bulk32/key miss del+ins "$n"
for impl in flow rte_hash; do
	out=$outdir/callgrind-flow-$impl.out
	valgrind --tool=callgrind --callgrind-out-file="$out" \
		"$build/tests/bench/bench_flow" --impl "$impl" --ops "$ops" "$n" \
		>"$out.log" 2>&1
	ann=$(callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null)
	ir() {
		grep -E "[: ]$1 " <<<"$ann" | head -n 1 |
			sed -E 's/^ *([0-9,]+).*/\1/; s/,//g'
	}
	printf '%-9s %8d %8d %10d %8d %9d\n' "$impl" \
		$(($(ir phase_fill) / n)) $(($(ir phase_hit) / look)) \
		$(($(ir phase_bulk) / look)) $(($(ir phase_miss) / miss)) \
		$(($(ir phase_deladd) / dels))
done
echo "dumps: $outdir/callgrind-flow-*.out"
