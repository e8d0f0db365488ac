#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Soak (issue 16; a benchmark, not CI): DURATION seconds (default 1800) of
# mixed load on one ptcp-server, sampled every 10 s; then the load stops
# and the server must go back to its idle baseline.
#
# ptcp-server runs on lcore 1 with three net_memif ports (--no-huge,
# sockets in a temp dir), each the peer of one ptcp-churn on lcore 0:
#   port0 churn  ptcp-churn --http --closer mix --rate RATE: HTTP/1.1
#                GET / to the server's http service, closed in turn by the
#                client (its TIME-WAIT), by the server (Connection: close,
#                the server's TIME-WAIT) and by a client RST
#   port1 idle   ptcp-churn --concurrency IDLE (10,000) to the discard
#                service, 1 byte each way expected and none ever coming
#                back, --timeout 0: IDLE connections held open the whole
#                run ([server] idle_timeout_s = 0; keepalive stays on, so
#                every idle connection keeps a keepalive timer and is
#                probed after 60 s idle)
#   port2 bulk   ptcp-churn --concurrency 1 --request 1 GiB --response
#                1 GiB to the echo service: one bulk connection at a time,
#                1 GiB each way, then closed, back to back (1 GiB is the
#                most ptcp-churn sends or reads on one connection)
# Every 10 s, from the server: VmRSS (/proc/PID/status), and, from its
# telemetry (ptcp-stat --prometheus): mbufs in use, TCBs (connections in
# every state but LISTEN and TIME-WAIT), TIME-WAIT entries, timers pending
# on the wheel, recovery blocks in use, and the passive opens and bytes
# sent since the last sample (connections/s, Mbit/s: mostly the bulk).
# After the load: samples every 5 s until every figure is back at the
# idle baseline taken before the load (TIME-WAIT drains after 2*MSL = 60 s),
# at most DRAIN seconds (default 420). A client gone before its last ACKs
# left (its drain frees its TIME-WAIT and exits; ACKs that found its TX
# queue full are lost) leaves server connections in LAST-ACK: they
# retransmit their FIN to nobody until [tcp] orphan_retries (8) runs out,
# about 4 minutes; the port's TX backlog is dropped after 1 s
# (tx_drop_stale).
#
# Verdicts, per metric:
#   flat      after the warm-up (WARMUP s, default min(300, max(30,
#             DURATION/6))), the samples of the load are split in thirds;
#             the last third's max may exceed the first third's max by at
#             most 10 % or a small absolute slack (RSS 4 MiB, mbufs 512,
#             TCBs 256, TIME-WAIT 2048, timers 512, recovery blocks 64).
#             TIME-WAIT and TCBs follow the rate achieved, which moves on a
#             shared machine: a failure there says "look", not "leak".
#   baseline  the last sample after the load equals the idle baseline
#             (mbufs within 64: the RX rings' refill). RSS is not expected
#             to go back (pages the pools touched stay resident): it is
#             shown, judged flat only.
# What the figure leaves out: the client side (three ptcp-churn processes:
# their TIME-WAIT piles, their memory); per-state detail (TCBs are summed;
# the CSV has ESTABLISHED too); the connections/s and Mbit/s panels are
# per 10 s averages, not peaks; every connection that closes first on
# either side keeps its TIME-WAIT (max_tw is sized far above what 2*MSL
# holds, no cap drop: the summary says if there was one).
#
# Output (OUT, default tests/bench/out): soak-DATE.csv (the samples),
# soak-DATE.txt (the summary and verdicts, also printed), soak-DATE.png
# (gnuplot; --png FILE to put it elsewhere), the clients' JSON summaries.
# Needs root (the telemetry socket under /var/run/dpdk), two cores and
# gnuplot (gnuplot-nox, in devtools/lib.sh's PTCP_BENCH_PACKAGES, installed
# when missing). Everything started here is stopped on exit, the temp dir
# (memif sockets) removed; no hugepages are used.
#
# Usage: tests/bench/soak/run.sh [--build DIR] [--duration S] [--rate R]
#   [--idle N] [--warmup S] [--drain S] [--png FILE] [--no-build]
#   [--out DIR] [--plot-only CSV]
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=build
duration=1800
rate=1000
idle=10000
warmup=
drain=420
png=
do_build=1
outdir=$top/tests/bench/out
plot_only=
interval=10

usage() { sed -n '3,63p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--duration) duration=$2; shift ;;
	--rate) rate=$2; shift ;;
	--idle) idle=$2; shift ;;
	--warmup) warmup=$2; shift ;;
	--drain) drain=$2; shift ;;
	--png) png=$2; shift ;;
	--no-build) do_build=0 ;;
	--out) outdir=$2; shift ;;
	--plot-only) plot_only=$2; do_build=0; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
[[ $build = /* ]] || build=$top/$build
[[ $duration =~ ^[0-9]+$ ]] || { echo "run.sh: --duration: whole seconds" >&2; exit 2; }
[ -n "$warmup" ] || warmup=$(( duration / 6 < 30 ? 30 : (duration / 6 > 300 ? 300 : duration / 6) ))

# shellcheck source=SCRIPTDIR/../churn/lib.sh
. "$top/tests/bench/churn/lib.sh"
# shellcheck source=SCRIPTDIR/../../../devtools/lib.sh
. "$top/devtools/lib.sh"

ptcp_need_packages "${PTCP_BENCH_PACKAGES[@]}" >&2 ||
	churn_die "needs gnuplot (apt-get install gnuplot-nox)"
mkdir -p "$outdir"
stamp=$(date +%Y%m%d-%H%M%S)
if [ -n "$plot_only" ]; then
	csv=$plot_only
	summary=${csv%.csv}.txt
else
	csv=$outdir/soak-$stamp.csv
	summary=$outdir/soak-$stamp.txt
fi
[ -n "$png" ] || png=${csv%.csv}.png

# plot CSV PNG: six panels over time, the warm-up and the end of the load
# marked (from the CSV's phase column).
plot() {
	local c=$1 out=$2 w e
	w=$(awk -F, '$2 == "load" { print $1; exit }' "$c")
	w=$((${w%.*} + warmup))
	e=$(awk -F, '$2 == "drain" { print $1; exit }' "$c")
	e=${e:-0}
	gnuplot <<EOF
set terminal pngcairo size 960,720 font "sans,9" noenhanced
set output '$out'
set datafile separator ','
set key off
set grid
set xlabel "seconds"
set multiplot layout 4,2 title "ptcp-server soak: HTTP churn (closers client/server/RST) + $idle idle + 1 bulk; every 10 s"
set arrow 1 from $w, graph 0 to $w, graph 1 nohead dt 2 lc rgb "gray40"
set arrow 2 from ${e%.*}, graph 0 to ${e%.*}, graph 1 nohead dt 2 lc rgb "red"
set title "RSS (MiB)"
plot '$c' every ::1 using 1:(\$3/1024) with lines lw 2
set title "mbufs in use"
plot '$c' every ::1 using 1:4 with lines lw 2
set title "TCBs (every state but LISTEN, TIME-WAIT)"
plot '$c' every ::1 using 1:5 with lines lw 2
set title "TIME-WAIT entries"
plot '$c' every ::1 using 1:7 with lines lw 2
set title "timers pending"
plot '$c' every ::1 using 1:8 with lines lw 2
set title "recovery blocks in use"
plot '$c' every ::1 using 1:9 with lines lw 2
set title "connections/s accepted (10 s mean)"
plot '$c' every ::1 using 1:10 with lines lw 2
set title "Mbit/s sent (10 s mean; the bulk)"
plot '$c' every ::1 using 1:11 with lines lw 2
unset multiplot
EOF
}

if [ -n "$plot_only" ]; then
	plot "$csv" "$png"
	churn_log "plot: $png"
	exit 0
fi

[ "$(id -u)" = 0 ] || churn_die "needs root (the telemetry socket)"
[ "$(nproc)" -ge 2 ] || churn_die "needs two cores"
if [ "$do_build" = 1 ]; then
	ninja -C "$build" app/server/ptcp-server app/churn/ptcp-churn \
		app/stat/ptcp-stat >/dev/null
fi
churn_setup

# Three memif pairs, one socket each.
srv_ini=$CHURN_TMP/soak-server.ini
cat >"$srv_ini" <<EOF
[port0]
device = net_memif0
address = 10.97.0.1/24
[port1]
device = net_memif1
address = 10.97.1.1/24
[port2]
device = net_memif2
address = 10.97.2.1/24
[mempool]
mbufs = 65535
[tcp]
max_conns = 65536
max_tw = 262144
[server]
idle_timeout_s = 0
EOF
cli_ini() {
	printf '[port0]\ndevice = net_memif0\naddress = 10.97.%u.2/24\n' "$1"
	printf '[mempool]\nmbufs = 32767\n[tcp]\nmax_conns = 32768\n'
	printf 'max_tw = 131072\ndrain_ms = 30000\n'
}
srv_prefix=ptcpb-$$-srv
srv_eal=(-l 1 --no-huge -m 1024 --no-pci --no-shconf
	--file-prefix "$srv_prefix" --log-level=pmd.net.memif:error)
for i in 0 1 2; do
	srv_eal+=("--vdev=net_memif$i,role=server,socket=$CHURN_TMP/memif$i.sock")
	cli_ini "$i" >"$CHURN_TMP/cli$i.ini"
done
srvlog=$CHURN_TMP/server.log
"$build/app/server/ptcp-server" "${srv_eal[@]}" -- -c "$srv_ini" \
	>"$srvlog" 2>&1 &
CHURN_SRV_PID=$!
CHURN_PIDS+=("$CHURN_SRV_PID")
if ! churn_wait_line "$srvlog" 'ptcp-server: ready' 20 "$CHURN_SRV_PID"; then
	tail -20 "$srvlog" >&2
	churn_die "ptcp-server did not start"
fi

# sample PHASE T0: one CSV line from the server; sets S_* (for the checks)
prev_open='' prev_bytes='' prev_t=''
sample() {
	local phase=$1 now rss prom
	now=$(date +%s.%N)
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$CHURN_SRV_PID/status")
	if ! prom=$("$build/app/stat/ptcp-stat" -f "$srv_prefix" --prometheus); then
		cp "$srvlog" "$outdir/soak-$stamp-server.log"
		churn_die "ptcp-stat failed; the server's log: $outdir/soak-$stamp-server.log"
	fi
	# metric{labels} value -> the value of one line
	get() { awk -v m="$1" '$1 == m { s += $2 } END { printf "%.0f", s }' <<<"$prom"; }
	S_MBUFS=$(get ptcp_mbufs_in_use)
	S_TW=$(get 'ptcp_connections{state="TIME-WAIT"}')
	S_EST=$(get 'ptcp_connections{state="ESTABLISHED"}')
	S_TCB=$(awk '/^ptcp_connections\{state=/ && !/LISTEN|TIME-WAIT/ { s += $2 } END { printf "%.0f", s }' <<<"$prom")
	S_TIMERS=$(awk '/^ptcp_lcore_timers\{/ { s += $2 } END { printf "%.0f", s }' <<<"$prom")
	S_RECOV=$(awk '/^ptcp_lcore_recovery_blocks\{/ { s += $2 } END { printf "%.0f", s }' <<<"$prom")
	S_RSS=$rss
	local open bytes cps=0 mbps=0
	open=$(get ptcp_tcp_passive_open_total)
	bytes=$(get ptcp_tx_bytes_total)
	if [ -n "$prev_t" ]; then
		read -r cps mbps < <(awk -v o="$open" -v po="$prev_open" \
			-v b="$bytes" -v pb="$prev_bytes" -v t="$now" -v pt="$prev_t" \
			'BEGIN { d = t - pt; printf "%.0f %.1f\n", (o - po) / d, (b - pb) * 8 / d / 1e6 }')
	fi
	prev_open=$open prev_bytes=$bytes prev_t=$now
	printf '%.1f,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' \
		"$(awk -v t="$now" -v s="$T0" 'BEGIN { print t - s }')" "$phase" \
		"$S_RSS" "$S_MBUFS" "$S_TCB" "$S_EST" "$S_TW" "$S_TIMERS" \
		"$S_RECOV" "$cps" "$mbps" >>"$csv"
}

echo "t,phase,rss_kb,mbufs_in_use,tcbs,established,time_wait,timers,recovery_blocks,conns_per_s,tx_mbit_s" >"$csv"
T0=$(date +%s.%N)
sleep 2
sample idle
B_RSS=$S_RSS B_MBUFS=$S_MBUFS B_TCB=$S_TCB B_TW=$S_TW B_TIMERS=$S_TIMERS B_RECOV=$S_RECOV
churn_log "baseline: RSS ${B_RSS} kB, mbufs $B_MBUFS, TCBs $B_TCB, TIME-WAIT $B_TW, timers $B_TIMERS, recovery blocks $B_RECOV"

# client NAME PORT ptcp-churn options...: on lcore 0, in the background
client() {
	local name=$1 i=$2 pid
	shift 2
	timeout -s INT -k 10 $((duration + 60)) "$build/app/churn/ptcp-churn" \
		-l 0 --no-huge -m 1024 --no-pci --no-shconf \
		--file-prefix "ptcpb-$$-$name" --log-level=pmd.net.memif:error \
		"--vdev=net_memif0,role=client,socket=$CHURN_TMP/memif$i.sock" \
		-- -c "$CHURN_TMP/cli$i.ini" --duration "$duration" \
		--max-failures 1000000000000 --json "$@" \
		>"$outdir/soak-$stamp-$name.json" 2>"$CHURN_TMP/$name.err" &
	pid=$!
	CHURN_PIDS+=("$pid")
	eval "PID_$name=$pid"
}
client idle 1 --server 10.97.1.1:9 --concurrency "$idle" --request 1 \
	--response 1 --timeout 0 --connect-timeout 30000 --quiet
client bulk 2 --server 10.97.2.1:7 --concurrency 1 --request 1073741824 \
	--response 1073741824 --timeout 0 --quiet
client churn 0 --server 10.97.0.1:80 --http --closer mix --rate "$rate"
churn_log "load: ${duration} s; churn --rate $rate (HTTP, closers client/server/rst in turn), $idle idle, 1 bulk; warm-up ${warmup} s"

t_load=$(date +%s)
sample load
next=$((t_load + interval))
while :; do
	now=$(date +%s)
	[ "$now" -lt $((t_load + duration)) ] || break
	if [ "$now" -ge "$next" ]; then
		sample load
		next=$((next + interval))
		if [ $(( (now - t_load) % 300 )) -lt "$interval" ]; then
			churn_log "$((now - t_load)) s: $(tail -1 "$csv")"
		fi
	fi
	kill -0 "$CHURN_SRV_PID" 2>/dev/null || churn_die "ptcp-server died: $(tail -5 "$srvlog")"
	sleep 1
done
# The clients stop on their own at DURATION: 2 s for what is open to
# finish, then their drain (FIN every connection, up to [tcp] drain_ms for
# the answers, RST what is left). drain_ms is 30 s here, not 2 s: 10,000
# FINs at once through one memif ring on a shared core take a while, and
# a connection the client resets leaves nothing on the server, but one it
# never got to may (see DRAIN above)
for name in churn idle bulk; do
	pid_var=PID_$name
	pid=${!pid_var}
	for ((i = 0; i < 600; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	churn_stop "$pid" 10
done
t_stop=$(date +%s)
churn_log "load stopped; waiting for the baseline (at most ${drain} s)"
back=0
while :; do
	sample drain
	if [ "$S_TCB" = "$B_TCB" ] && [ "$S_TW" = "$B_TW" ] &&
		[ "$S_TIMERS" = "$B_TIMERS" ] && [ "$S_RECOV" = "$B_RECOV" ] &&
		[ $((S_MBUFS - B_MBUFS)) -le 64 ]; then
		back=$(($(date +%s) - t_stop))
		break
	fi
	[ $(($(date +%s) - t_stop)) -lt "$drain" ] || break
	sleep 5
done
srv_rss_final=$S_RSS
churn_stop "$CHURN_SRV_PID" 20
cp "$srvlog" "$outdir/soak-$stamp-server.log"
for name in churn idle bulk; do
	cp "$CHURN_TMP/$name.err" "$outdir/soak-$stamp-$name.err"
done

python3 - "$csv" "$warmup" "$back" "$B_RSS" "$B_MBUFS" "$B_TCB" "$B_TW" \
	"$B_TIMERS" "$B_RECOV" "$outdir/soak-$stamp" "$rate" "$idle" \
	"$duration" <<'EOF' | tee "$summary"
import csv, json, sys
(path, warmup, back, b_rss, b_mbufs, b_tcb, b_tw, b_timers, b_recov,
 stem, rate, idle, duration) = sys.argv[1:]
rows = list(csv.DictReader(open(path)))
load = [r for r in rows if r["phase"] == "load"]
drain = [r for r in rows if r["phase"] == "drain"]
t_load = float(load[0]["t"])
steady = [r for r in load if float(r["t"]) - t_load >= float(warmup)]
base = {"rss_kb": int(b_rss), "mbufs_in_use": int(b_mbufs), "tcbs": int(b_tcb),
        "time_wait": int(b_tw), "timers": int(b_timers),
        "recovery_blocks": int(b_recov)}
metrics = [("rss_kb", "RSS (kB)", 4096), ("mbufs_in_use", "mbufs in use", 512),
           ("tcbs", "TCBs", 256), ("time_wait", "TIME-WAIT entries", 2048),
           ("timers", "timers pending", 512),
           ("recovery_blocks", "recovery blocks", 64)]
print("Soak: %s s of load (warm-up %s s), churn --rate %s (HTTP, closers "
      "client/server/rst in turn) + %s idle + 1 bulk; %d samples under load, "
      "%d after" % (duration, warmup, rate, idle, len(load), len(drain)))
print()
print("| metric | idle baseline | peak | first third max | last third max | flat | after the load | back |")
print("|---|---:|---:|---:|---:|---|---:|---|")
fails = 0
n = len(steady)
for key, name, slack in metrics:
    vals = [int(float(r[key])) for r in load]
    peak = max(vals)
    if n >= 3:
        a = max(int(float(r[key])) for r in steady[:n // 3])
        z = max(int(float(r[key])) for r in steady[n - n // 3:])
        ok = z - a <= max(0.10 * a, slack)
        flat = "yes" if ok else "NO (+%d)" % (z - a)
    else:
        a = z = 0
        ok = False
        flat = "too short"
    last = int(float(drain[-1][key])) if drain else -1
    if key == "rss_kb":
        bk = "not expected"
    elif key == "mbufs_in_use":
        bk = "yes" if drain and last - base[key] <= 64 else "NO"
    else:
        bk = "yes" if drain and last == base[key] else "NO"
    fails += (not ok) + (bk == "NO")
    print("| %s | %d | %d | %d | %d | %s | %d | %s |"
          % (name, base[key], peak, a, z, flat, last, bk))
print()
cps = [float(r["conns_per_s"]) for r in steady]
mb = [float(r["tx_mbit_s"]) for r in steady]
if cps:
    print("server: %.0f connections/s accepted on average after the warm-up "
          "(min %.0f, max %.0f per 10 s); %.0f Mbit/s sent on average"
          % (sum(cps) / len(cps), min(cps), max(cps), sum(mb) / len(mb)))
for name in ("churn", "idle", "bulk"):
    try:
        lines = [l for l in open("%s-%s.json" % (stem, name)) if l.startswith("{")]
        d = json.loads(lines[-1])
        tw = d.get("tw", {})
        print("%s: ok %s, cps %.0f, failed %s %s, unfinished %s; client tw cap_drops %s"
              % (name, d.get("ok"), d.get("cps_avg", 0), d.get("failed"),
                 json.dumps(d.get("failures", {}), separators=(",", ":")),
                 d.get("unfinished"), tw.get("cap_drops")))
    except (OSError, ValueError, IndexError) as e:
        print("%s: no JSON summary (%s)" % (name, e))
print("back to baseline: %s" % ("after %s s" % back if back != "0" else "NO, not within the drain time"))
print("verdict: %s" % ("PASS" if fails == 0 else "%d check(s) failed" % fails))
EOF
plot "$csv" "$png"
churn_log "csv: $csv; summary: $summary; plot: $png (RSS at the end: $srv_rss_final kB)"
