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
# --offload on models such a NIC (inproc --offload: the server's port
# advertises IPv4/TCP checksum offload both ways, the wire fills in and
# checks checksums in the client's pass, outside what is collected);
# --offload both runs without then with it and prints both figures and
# the difference. The default (off) prints exactly what it always did.
#
# --idle N / --tw N: N idle connections and N TIME-WAIT entries parked in
# the tables before the measurement (inproc --idle/--tw; k and M
# suffixes). The fill runs uninstrumented (--instr-atstart=no; inproc
# starts the instrumentation once it is done). --cache-sim adds
# callgrind's cache simulation: D1 and LL misses per connection, with
# fixed caches so that the figures do not depend on the machine (nor on
# what a VM's cpuid claims: valgrind read a 384 MiB L3 on ours, and
# still warns about it before using these): I1 32
# KiB 8-way, D1 48 KiB 12-way, LL 32 MiB 16-way, 64-byte lines (an EPYC
# core's L1s and its L3). The LL of a real server is shared by its cores.
#
# --side client collects the client's passes instead (its loop pass and
# ptcp-churn's step: pair_client_pass_measured()): ptcp-churn's
# instructions per connection. Without --offload only: the modelled NIC
# does its work in the client's pass.
#
# Usage: tests/bench/churn/callgrind.sh [--build DIR] [--closer client|server|rst]
#        [--count N] [--warmup N] [--top N] [--offload [on|off|both]]
#        [--idle N] [--tw N] [--cache-sim] [--side server|client]
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=build
closer=client
count=20000
warmup=5000
ntop=15
outdir=$top/tests/bench/out
offload=off
idle=
tw=
cachesim=no
side=server

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--closer) closer=$2; shift ;;
	--count) count=$2; shift ;;
	--warmup) warmup=$2; shift ;;
	--top) ntop=$2; shift ;;
	--offload)
		# The mode is optional: --offload alone means on.
		case ${2:-} in
		on|off|both) offload=$2; shift ;;
		*) offload=on ;;
		esac ;;
	--idle) idle=$2; shift ;;
	--tw) tw=$2; shift ;;
	--cache-sim) cachesim=yes ;;
	--side) side=$2; shift ;;
	-h|--help) sed -n '3,/^set -e/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "callgrind.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case $closer in
client|server|rst) ;;
*) echo "callgrind.sh: --closer client|server|rst" >&2; exit 2 ;;
esac
case $side in
server) ;;
client)
	[ "$offload" = off ] || { echo "callgrind.sh: --side client measures software checksums only (the modelled NIC works in the client's pass)" >&2; exit 2; } ;;
*) echo "callgrind.sh: --side server|client" >&2; exit 2 ;;
esac
[[ $build = /* ]] || build=$top/$build
command -v valgrind >/dev/null || { echo "callgrind.sh: needs valgrind" >&2; exit 1; }
ninja -C "$build" tests/bench/churn/inproc >/dev/null
mkdir -p "$outdir"

# Extra arguments for inproc and valgrind, and a name for the dumps.
iargs=()
vargs=()
tag=$closer
[ "$side" = server ] || tag=$side-$closer
if [ -n "$idle$tw" ]; then
	iargs+=(--idle "${idle:-0}" --tw "${tw:-0}")
	vargs+=(--instr-atstart=no)
	tag+=-idle${idle:-0}-tw${tw:-0}
fi
if [ "$cachesim" = yes ]; then
	vargs+=(--cache-sim=yes --I1=32768,8,64 --D1=49152,12,64 \
		--LL=33554432,16,64)
	tag+=-cache
fi

# run SUFFIX [inproc args...]: one collection; sets conns, ir, d1, ll, out.
run() {
	local suffix=$1 line fails ev col i
	shift
	out=$outdir/callgrind-$tag$suffix.out
	log=$outdir/callgrind-$tag$suffix.log
	timeout 3600 valgrind --tool=callgrind --callgrind-out-file="$out" \
		--collect-atstart=no --toggle-collect="pair_${side}_pass_measured" \
		"${vargs[@]}" \
		"$build/tests/bench/churn/inproc" --closer "$closer" \
		--count "$count" --warmup "$warmup" "${iargs[@]}" "$@" \
		>"$log.stdout" 2>"$log" ||
		{ echo "callgrind.sh: inproc failed (see $log)" >&2; exit 1; }
	line=$(grep '^inproc:' "$log.stdout")
	conns=$(sed -n 's/.* connections \([0-9]*\) .*/\1/p' <<<"$line")
	fails=$(sed -n 's/.* failures \([0-9]*\) .*/\1/p' <<<"$line")
	ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$log")
	if [ -z "$conns" ] || [ "$conns" -eq 0 ] || [ -z "$ir" ]; then
		echo "callgrind.sh: no result (see $log)" >&2
		exit 1
	fi
	[ "$fails" = 0 ] || { echo "callgrind.sh: $fails failed connections" >&2; exit 1; }
	d1=
	ll=
	if [ "$cachesim" = yes ]; then
		# "Events : Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw" and the
		# "Collected :" line in the same order.
		read -r -a ev <<<"$(sed -n 's/.*Events *: *//p' "$log" | head -n 1)"
		read -r -a col <<<"$(sed -n 's/.*Collected *: *//p' "$log" | head -n 1)"
		d1=0
		ll=0
		for i in "${!ev[@]}"; do
			case ${ev[$i]} in
			D1mr|D1mw) d1=$((d1 + col[i])) ;;
			DLmr|DLmw) ll=$((ll + col[i])) ;;
			esac
		done
	fi
}

# report LABEL: what run() found, top functions included.
report() {
	echo "closer $closer$1: $conns connections, $ir Ir collected in the $side's passes"
	echo "Ir per connection: $((ir / conns))"
	if [ -n "$d1" ]; then
		awk -v d="$d1" -v l="$ll" -v n="$conns" 'BEGIN {
			printf "D1 misses per connection: %.1f\nLL misses per connection: %.1f\n",
				d / n, l / n }'
	fi
	echo
	echo "Top functions, exclusive Ir per connection:"
	callgrind_annotate --threshold=100 --show=Ir --sort=Ir "$out" 2>/dev/null |
		grep -E '^ *[0-9,]+ \(' | grep -v 'PROGRAM TOTALS' | sed -n "1,${ntop}p" |
		sed -E 's/^ *([0-9,]+) \( *([0-9.]+)%\) +[^:]*:([^ ]+).*/\1 \2 \3/' |
		while read -r n pct fn; do
			n=${n//,/}
			printf '%8d  %5s%%  %s\n' "$((n / conns))" "$pct" "$fn"
		done
	echo
	echo "dump: $out (callgrind_annotate it for more)"
}

case $offload in
off)
	run ""
	report ""
	;;
on)
	run -offload --offload
	report " (checksum offload modelled)"
	;;
both)
	run ""
	report ""
	sw=$((ir / conns))
	echo
	run -offload --offload
	report " (checksum offload modelled)"
	hw=$((ir / conns))
	echo
	echo "closer $closer: Ir per connection $sw software checksums, $hw offload modelled" \
		"($((sw - hw)) fewer, $(( (sw - hw) * 100 / sw ))%)"
	;;
*) echo "callgrind.sh: --offload on|off|both" >&2; exit 2 ;;
esac
