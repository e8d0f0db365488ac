#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Connection churn in steady state with TIME-WAIT at its default (MSL 30 s,
# TIME-WAIT 60 s) and one client IP (issue 5): ptcp-churn -> ptcp-server
# over net_memif at concurrency 64 for DURATION s (default 125) once per
# case:
#   client      the client closes first: its TIME-WAIT pile takes every
#               local port toward the server within a second; a tuple is
#               reused once timestamps make it safe (after 1 s), so the
#               port range / 1 s bounds connections/s
#   server      the server closes first: it holds TIME-WAIT and a new SYN
#               reuses the tuple (RFC 6191); the client's ports free at once
#   client-nots the client closes first with [tcp] timestamps = no on the
#               client: no safe reuse, a port is free only after 2*MSL
# ptcp-churn's progress line each second (connections/s, its own TIME-WAIT
# count, failures) -> tests/bench/out/churn-timewait.csv -> gnuplot ->
# docs/churn-timewait.png (CPS and TIME-WAIT count over time). The server's
# TIME-WAIT count is not observable each second (no telemetry yet): its
# end-of-run counters are kept in tests/bench/out/churn-timewait-*.log.
#
# Usage: tests/bench/churn/timewait.sh [--build DIR] [--duration S]
#        [--cases "client server client-nots"] [--png FILE] [--no-build]
#        [--plot-only]   (redraw the PNG from the CSV of the last run)
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=build
duration=125
cases="client server client-nots"
png=$top/docs/churn-timewait.png
do_build=1
plot_only=0
outdir=$top/tests/bench/out

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--duration) duration=$2; shift ;;
	--cases) cases=$2; shift ;;
	--png) png=$2; shift ;;
	--no-build) do_build=0 ;;
	--plot-only) plot_only=1; do_build=0 ;;
	-h|--help) sed -n '3,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "timewait.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[[ $build = /* ]] || build=$top/$build

# shellcheck source=SCRIPTDIR/lib.sh
. "$top/tests/bench/churn/lib.sh"

command -v gnuplot >/dev/null || churn_die "needs gnuplot (apt-get install gnuplot-nox)"
if [ "$do_build" = 1 ]; then
	ninja -C "$build" app/server/ptcp-server app/churn/ptcp-churn >/dev/null
fi
churn_setup
mkdir -p "$outdir"
csv=$outdir/churn-timewait.csv
if [ "$plot_only" = 1 ]; then
	cases=$(cut -d, -f1 "$csv" | grep -v '^case$' | uniq | tr '\n' ' ')
else
	echo "case,t,cps,ok,failed,tw" >"$csv"
fi

for c in $cases; do
	[ "$plot_only" = 0 ] || break
	case $c in
	client) closer=client; rr_close=client; extra=() ;;
	server) closer=server; rr_close=server; extra=() ;;
	client-nots) closer=client; rr_close=client
		extra=(--set tcp.timestamps=no) ;;
	*) churn_die "unknown case $c" ;;
	esac
	srvlog=$CHURN_TMP/srv-$c.log
	churn_server_start "$srvlog" --set "server.rr_close=$rr_close" ||
		churn_die "ptcp-server did not start"
	ip=$(sed -n 's/^ptcp-server: port0 [^ ]* \([0-9.]*\)\/.*/\1/p' "$srvlog")
	port=$(sed -n 's/^ptcp-server: rr on port \([0-9]*\).*/\1/p' "$srvlog")
	churn_log "case $c: closer $closer, ${duration} s, MSL 30 s, one client IP"
	rc=0
	churn_client_run "$CHURN_TMP/$c.json" "$CHURN_TMP/$c.err" \
		$((duration + 30)) "${extra[@]}" --server "$ip:${port:-5001}" \
		--concurrency 64 --duration "$duration" --closer "$closer" \
		--max-failures 1000000000000 --json || rc=$?
	churn_stop "$CHURN_SRV_PID" 20
	cp "$srvlog" "$outdir/churn-timewait-$c-server.log"
	cp "$CHURN_TMP/$c.err" "$outdir/churn-timewait-$c-churn.err"
	cp "$CHURN_TMP/$c.json" "$outdir/churn-timewait-$c-churn.json"
	[ "$rc" = 0 ] || churn_log "ptcp-churn exited $rc"
	# "  12.0 s  cps    28139  est      0  ok      28232  fail 134 (...)
	#  connect p50 78.3 p99 8224.8 us  tw 28232"
	awk -v c="$c" '$2 == "s" && $3 == "cps" {
		tw = $NF; printf "%s,%s,%s,%s,%s,%s\n", c, $1, $4, $8, $10, tw
	}' "$CHURN_TMP/$c.err" >>"$csv"
	tail -1 "$csv" >&2
	grep -v '^ *[0-9.]* s ' "$CHURN_TMP/$c.err" | grep -v 'EAL\|TELEMETRY\|mp action' |
		sort | uniq -c | sort -rn | head -3 >&2 || true
done

# One panel for connections/s, one for TIME-WAIT entries, a line per case.
plot_cps=() plot_tw=()
for c in $cases; do
	case $c in
	client) t="client closes first" ;;
	server) t="server closes first" ;;
	client-nots) t="client closes first, no timestamps" ;;
	esac
	plot_cps+=("'< grep ^$c, $csv' using 2:3 with lines lw 2 title '$t'")
	plot_tw+=("'< grep ^$c, $csv' using 2:6 with lines lw 2 title '$t'")
done
join() { local IFS=','; printf '%s' "$*"; }
gnuplot <<EOF
set terminal pngcairo size 1000,760 font "sans,10" noenhanced
set output '$png'
set datafile separator ','
set multiplot layout 2,1 title "ptcp-churn -> ptcp-server over net_memif, concurrency 64, one client IP, TIME-WAIT 60 s (MSL 30 s)"
set grid
set key top right
set xrange [0:$duration]
set ylabel "connections/s"
set format y "%.0s%c"
set logscale y
plot $(join "${plot_cps[@]}")
unset logscale y
set key center right
set ylabel "client TIME-WAIT entries"
set xlabel "seconds"
set format y "%.0s%c"
plot $(join "${plot_tw[@]}")
unset multiplot
EOF
churn_log "csv: $csv; plot: $png"
