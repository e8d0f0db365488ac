#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Open loop against ptcp-server (issue 13): ptcp-churn --rate R (paced: it
# opens R connections a second whatever the server does, up to max_conns
# open at once) -> ptcp-server over net_memif, client on core 0, server on
# core 1, for each rate of --rates (ascending). A rate is held when no
# connection failed or was left unfinished, the completed rate is at least
# 98 % of R, and fewer than 0.1 % of the segments both sides sent were
# retransmissions (SYN, SYN-ACK, data and FIN retransmissions: the client's
# from its --json "tcp" block, the server's from the counters it prints at
# exit). The search stops at the first rate not held; the figure is the
# highest held.
#
# This is the open-loop figure of ptcp-server with an open-loop client that
# is not itself the limit (dperf's client is, near 250k/s on these cores:
# tests/bench/dperf/run.sh case (a)); the closed-loop figure of the same
# pair is tests/bench/churn/run.sh. Each connection: rr 64/64, the client
# closes first and keeps TIME-WAIT (config/memif-churn.ini is sized for it,
# 64 sources); the server's TX backlog, its counters and the SYNs it shed
# are printed per rate.
#
# --rsize N gives both memif rings 2^N slots (net_memif's default is 10:
# 1024; a NIC's TX ring is 1024-4096 descriptors).
#
# Usage: tests/bench/churn/openloop.sh [--build DIR] [--rates "R1 R2 ..."]
#   [--duration S] [--sources N] [--http] [--rsize N]
# Defaults: rates 200000 300000 400000 500000 600000 700000, 5 s, 64
# sources. Needs root (memif sockets, --no-huge) and ~10 s a rate.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=build
rates="200000 300000 400000 500000 600000 700000"
duration=5
sources=64
mode=(--request 64 --response 64)

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--rates) rates=$2; shift ;;
	--duration) duration=$2; shift ;;
	--sources) sources=$2; shift ;;
	--http) mode=(--http) ;;
	--rsize) export CHURN_MEMIF_ARGS=",rsize=$2"; shift ;;
	-h|--help) sed -n '3,/^set -e/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "openloop.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[[ $build = /* ]] || build=$top/$build
# shellcheck source=tests/bench/churn/lib.sh
. "$top/tests/bench/churn/lib.sh"
[ "$(id -u)" = 0 ] || churn_die "needs root"
churn_setup

# stat NAME LOG: a counter from ptcp-server's exit report ("  name  N")
stat() { awk -v k="$1" '$1 == k { print $2; exit }' "$2" | grep . || echo 0; }

best=0
printf '| offered/s | completed/s | failed | retransmitted | server tx_backlog_held | tx_drop_full | tcp_syn_shed | held |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---|\n'
for r in $rates; do
	srvlog=$CHURN_TMP/srv-$r.log
	out=$CHURN_TMP/cli-$r.json
	err=$CHURN_TMP/cli-$r.err
	churn_server_start "$srvlog" || exit 1
	rc=0
	churn_client_run "$out" "$err" "$((duration + 30))" \
		--src "10.97.0.2,10.97.0.10-10.97.0.$((8 + sources))" \
		--server 10.97.0.1:5001 --rate "$r" --duration "$duration" \
		"${mode[@]}" --closer client --json --quiet || rc=$?
	churn_stop "$CHURN_SRV_PID" 10
	mkdir -p "$top/tests/bench/out"
	cp "$srvlog" "$top/tests/bench/out/openloop-last-ptcp-server.log"
	cp "$err" "$top/tests/bench/out/openloop-last-ptcp-churn.err"
	cp "$out" "$top/tests/bench/out/openloop-last-ptcp-churn.json"
	if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
		churn_log "ptcp-churn exited $rc:"
		tail -5 "$err" >&2
		exit 1
	fi
	line=$(grep '^{' "$out" | tail -1)
	# server: segments out and what of them were retransmissions
	s_out=$(stat tcp_segs_out "$srvlog")
	s_re=$(( $(stat tcp_rexmt "$srvlog") + $(stat tcp_synack_rexmt "$srvlog") +
		$(stat tcp_fin_rexmt "$srvlog") ))
	held_bl=$(stat tx_backlog_held "$srvlog")
	drop=$(stat tx_drop_full "$srvlog")
	shed=$(stat tcp_syn_shed "$srvlog")
	read -r done_cps failed unfinished c_re c_out < <(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
t = d.get("tcp", {})
re = t.get("tcp_syn_rexmt", 0) + t.get("tcp_rexmt", 0) + t.get("tcp_fin_rexmt", 0)
print("%.0f %d %d %d %d" % (d["ok"] / max(d["elapsed_s"], 1e-9) if d.get("elapsed_s") else 0,
      d["failed"], d.get("unfinished", 0), re, t.get("tcp_segs_out", 0)))' "$line")
	# the client sends about one segment more per connection than the
	# server; without its own count, take the server's + ok
	[ "$c_out" -gt 0 ] || c_out=$((s_out + $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["ok"])' "$line")))
	pct=$(awk -v a="$((s_re + c_re))" -v b="$((s_out + c_out))" \
		'BEGIN { printf "%.3f", b ? 100 * a / b : 0 }')
	ok=no
	if [ "$failed" = 0 ] && [ "$unfinished" = 0 ] &&
			awk -v p="$pct" -v d="$done_cps" -v r="$r" \
			'BEGIN { exit !(p < 0.1 && d >= 0.98 * r) }'; then
		ok=yes
		best=$r
	fi
	printf '| %d | %d | %d | %d (%s %%) | %d | %d | %d | %s |\n' "$r" \
		"$done_cps" "$((failed + unfinished))" "$((s_re + c_re))" "$pct" \
		"$held_bl" "$drop" "$shed" "$ok"
	[ "$ok" = yes ] || break
done
echo
echo "highest rate held (open loop, TIME-WAIT on every connection): $best/s"
