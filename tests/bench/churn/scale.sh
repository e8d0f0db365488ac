#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Cost per connection as the tables grow (issue 13).
#
# For each N of the series, the in-process churn pair (inproc) parks N idle
# ESTABLISHED connections and N TIME-WAIT entries in the server's tables
# (and the N idle ones in the client's) with real handshakes and closes,
# then runs the churn beside them (inproc --idle N --tw N; the server's MSL
# is 10 minutes so that no TIME-WAIT entry expires during the run, and the
# idle ones have no keepalive: none of their timers runs). Two figures:
#
#   server Ir per connection: callgrind.sh --idle N --tw N, the server's
#     passes only, repeatable to the instruction; with --cache-sim (on by
#     default) also D1 and LL misses per connection, as callgrind
#     simulates them (the caches of this machine: see the log);
#   conn/s: inproc natively, the best (and the median) of --repeat runs
#     of --wall-count connections: "server", the measured connections over
#     the wall time of the server's passes alone; "pair", over the whole
#     measurement, both stacks and the churn on ONE core. Wall clock on a
#     shared machine: noisy (the best of several runs is the one least
#     disturbed), compare runs made side by side only. The harness runs
#     --no-huge (4 KiB pages): big tables also miss the TLB, which a
#     server on hugepages would not, and callgrind does not simulate.
#
# Prints a markdown table, the ratios to the first N of the series, and the
# memory the largest run took (max RSS).
#
# Usage: tests/bench/churn/scale.sh [--build DIR] [--n "1k 1M 10M"]
#        [--closer client|server|rst] [--count N] [--warmup N]
#        [--wall-count N] [--repeat R] [--offload] [--no-cache-sim]
#        [--no-callgrind] [--no-wall]
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=build
series="1k 1M"
closer=client
count=20000
warmup=5000
wall_count=200000
repeat=3
offload=
cachesim=--cache-sim
do_cg=yes
do_wall=yes
outdir=$top/tests/bench/out

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--n) series=$2; shift ;;
	--closer) closer=$2; shift ;;
	--count) count=$2; shift ;;
	--warmup) warmup=$2; shift ;;
	--wall-count) wall_count=$2; shift ;;
	--repeat) repeat=$2; shift ;;
	--offload) offload=--offload ;;
	--no-cache-sim) cachesim= ;;
	--no-callgrind) do_cg=no ;;
	--no-wall) do_wall=no ;;
	-h|--help) sed -n '3,/^set -e/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "scale.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[[ $build = /* ]] || build=$top/$build
ninja -C "$build" tests/bench/churn/inproc >/dev/null
mkdir -p "$outdir"
inproc=$build/tests/bench/churn/inproc
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f 'maxrss_kb %M')

# best VALUES...: "best (median)" of conn/s figures.
best() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { printf "%d (%d)", v[NR], v[int((NR + 1) / 2)] }'
}

rows=()
first_ir=
first_cps=
first_spc=
for n in $series; do
	ir=- d1=- ll=- cps=- spc=- fill=- rss=-
	if [ "$do_cg" = yes ]; then
		cg=$outdir/scale-$n-callgrind.txt
		"$top/tests/bench/churn/callgrind.sh" --build "$build" \
			--closer "$closer" --count "$count" --warmup "$warmup" \
			--idle "$n" --tw "$n" $cachesim \
			${offload:+--offload on} >"$cg" 2>&1 ||
			{ echo "scale.sh: callgrind at N=$n failed (see $cg)" >&2; exit 1; }
		ir=$(sed -n 's/^Ir per connection: //p' "$cg")
		d1=$(sed -n 's/^D1 misses per connection: //p' "$cg")
		ll=$(sed -n 's/^LL misses per connection: //p' "$cg")
		: "${d1:=-}" "${ll:=-}"
	fi
	if [ "$do_wall" = yes ]; then
		vals=()
		svals=()
		for ((r = 0; r < repeat; r++)); do
			log=$outdir/scale-$n-wall$r.txt
			"${timer[@]}" "$inproc" --closer "$closer" \
				--count "$wall_count" --warmup "$warmup" \
				--idle "$n" --tw "$n" $offload >"$log" 2>&1 ||
				{ echo "scale.sh: inproc at N=$n failed (see $log)" >&2; exit 1; }
			line=$(grep '^inproc:' "$log")
			c=$(sed -n 's/.* connections \([0-9]*\) .*/\1/p' <<<"$line")
			ms=$(sed -n 's/.* wall_ms \([0-9.]*\).*/\1/p' <<<"$line")
			vals+=("$(awk -v c="$c" -v ms="$ms" 'BEGIN { printf "%.0f", c * 1000 / ms }')")
			sms=$(sed -n 's/.* server_ms \([0-9.]*\) .*/\1/p' "$log")
			svals+=("$(awk -v c="$c" -v ms="$sms" 'BEGIN { printf "%.0f", c * 1000 / ms }')")
			fill=$(sed -n 's/.* fill_s \([0-9.]*\) .*/\1/p' "$log")
			k=$(sed -n 's/^maxrss_kb //p' "$log")
			[ -n "$k" ] && rss=$(awk -v k="$k" 'BEGIN { printf "%.1f GiB", k / 1048576 }')
		done
		cps=$(best "${vals[@]}")
		spc=$(best "${svals[@]}")
	fi
	[ -z "$first_ir" ] && first_ir=$ir && first_cps=$cps && first_spc=$spc
	rir=- rcps=- rspc=-
	[ "$ir" != - ] && [ "$first_ir" != - ] &&
		rir=$(awk -v a="$ir" -v b="$first_ir" 'BEGIN { printf "%.2f", a / b }')
	[ "$cps" != - ] && [ "$first_cps" != - ] &&
		rcps=$(awk -v a="${first_cps%% *}" -v b="${cps%% *}" 'BEGIN { printf "%.2f", a / b }')
	[ "$spc" != - ] && [ "$first_spc" != - ] &&
		rspc=$(awk -v a="${first_spc%% *}" -v b="${spc%% *}" 'BEGIN { printf "%.2f", a / b }')
	rows+=("| $n | $ir | $rir | $d1 | $ll | $spc | $rspc | $cps | $rcps | $fill | $rss |")
done

first=${series%% *}
echo "closer $closer, ${offload:+checksum offload modelled, }N idle ESTABLISHED + N TIME-WAIT in the server's tables"
echo
echo "| N | server Ir/conn | Ir ÷ $first | D1 misses/conn | LL misses/conn |" \
	"server conn/s, best (median) of $repeat, noisy | $first ÷ this |" \
	"pair conn/s, best (median), noisy | $first ÷ this | fill s | max RSS |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "Ir and misses: callgrind, the server's passes only (deterministic)." \
	"conn/s: inproc natively; server: its passes' wall time alone; pair: both" \
	"stacks and the churn on one core. Logs and dumps in $outdir."
