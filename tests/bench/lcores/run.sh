#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Connection churn with one and two worker lcores on each side (issue 7).
#
# ptcp-churn -> ptcp-server (rr service) over net_memif, two processes, as
# tests/bench/churn/run.sh runs them (its lib.sh: temp dir, cleanup, stop).
# The machine has two cores, so a side with two busy-polling workers shares
# its cores with the other side. Each LAYOUT pins the EAL lcores with
# --lcores LCORE@CPU (worker i = EAL lcore i):
#
#   1x1       client worker 0 on cpu 0; server worker 0 on cpu 1 (the
#             churn benchmark's layout: one core each, nothing shared)
#   2x2       client 0@cpu0 1@cpu1; server 0@cpu1 1@cpu0 ("crossed": each
#             core runs one client and one server worker, and the two ends
#             of a flow are always on different cores)
#   2x2same   client 0@cpu0 1@cpu1; server 0@cpu0 1@cpu1 (plain -l 0,1 on
#             both: the two ends of a flow on the same core, taking turns)
#   2x2fold   client 0@cpu0 1@cpu0; server 0@cpu1 1@cpu1 (each side keeps
#             the one core of 1x1, split between its two workers)
#
# With equal worker counts, memif queue pair i of one side is queue pair i
# of the other, and both sides have the same software RETA; ptcp-churn's
# worker i picks local ports that hash to i, so server worker i receives
# exactly the flows it owns: memif behaves as a NIC with matching RSS and
# nothing is steered in software (the server's steer_out, printed, shows
# it). Software steering is measured in process (callgrind.sh).
#
# Alternating layouts round by round; prints a markdown table (connections/s
# per round, median min max, ratio to 1x1 per round), connect latency and the
# server's per-worker split, and writes one JSON line per run to
# tests/bench/out/lcores-DATE.jsonl. About (DURATION + 4) s per run.
#
# Usage: tests/bench/lcores/run.sh [--build DIR] [--rounds N] [--duration S]
#   [--layouts "1x1 2x2 2x2fold 2x2same"] [--concurrency C]
#   [--closer client|server|rst] [--sources N] [--no-build] [--out DIR]
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=build
rounds=3
duration=8
layouts="1x1 2x2 2x2fold 2x2same"
concurrency=64
closer=client
sources=16
do_build=1
outdir=$top/tests/bench/out

usage() { sed -n '3,36p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--rounds) rounds=$2; shift ;;
	--duration) duration=$2; shift ;;
	--layouts) layouts=$2; shift ;;
	--concurrency) concurrency=$2; shift ;;
	--closer) closer=$2; shift ;;
	--sources) sources=$2; shift ;;
	--no-build) do_build=0 ;;
	--out) outdir=$2; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
case $closer in
client|rst) rr_close=client ;;
server) rr_close=server ;;
*) echo "run.sh: --closer: client, server or rst" >&2; exit 2 ;;
esac
[[ $build = /* ]] || build=$top/$build
if ! [[ $rounds =~ ^[0-9]+$ ]] || [ "$rounds" -lt 1 ] || [ "$rounds" -gt 20 ]; then
	echo "run.sh: --rounds 1..20" >&2
	exit 2
fi
if ! [[ $duration =~ ^[0-9]+$ ]] || [ "$duration" -lt 1 ] || [ "$duration" -gt 60 ]; then
	echo "run.sh: --duration 1..60 (whole seconds)" >&2
	exit 2
fi

# EAL --lcores of each side of a layout: "client server"
layout_lcores() {
	case $1 in
	1x1) echo "0@0 0@1" ;;
	2x2) echo "0@0,1@1 0@1,1@0" ;;
	2x2same) echo "0@0,1@1 0@0,1@1" ;;
	2x2fold) echo "0@0,1@0 0@1,1@1" ;;
	*) return 1 ;;
	esac
}
for l in $layouts; do
	layout_lcores "$l" >/dev/null ||
		{ echo "run.sh: unknown layout $l" >&2; exit 2; }
done

# shellcheck source=SCRIPTDIR/../churn/lib.sh
. "$top/tests/bench/churn/lib.sh"

[ "$(id -u)" = 0 ] || churn_die "needs root (memif socket)"
[ "$(nproc)" -ge 2 ] || churn_die "needs two cores"
if [ "$do_build" = 1 ]; then
	ninja -C "$build" app/server/ptcp-server app/churn/ptcp-churn >/dev/null
fi
churn_setup
mkdir -p "$outdir"
raw=$outdir/lcores-$(date +%Y%m%d-%H%M%S).jsonl
limit=$((duration + 30))
result=$CHURN_TMP/result.json

# EAL arguments of one side: lcores_eal LCORES ROLE NAME (as churn_eal,
# with --lcores instead of -l)
lcores_eal() {
	printf '%s\n' --lcores "$1" --no-huge -m 1024 --no-pci --no-shconf \
		--file-prefix "ptcpb-$$-$3" --log-level=pmd.net.memif:error \
		"--vdev=net_memif0,role=$2,socket=$CHURN_TMP/memif.sock"
}

# One run of LAYOUT: the client's JSON line and the server's per-worker
# lines as one JSON object into $result.
run_layout() {
	local tag=$1 layout=$2 cl sl srvlog=$CHURN_TMP/srv-$1.log eal pid
	local rc=0 srcs=()
	read -r cl sl < <(layout_lcores "$layout")
	rm -f "$CHURN_TMP/memif.sock"
	mapfile -t eal < <(lcores_eal "$sl" server srv)
	"$build/app/server/ptcp-server" "${eal[@]}" -- -c "$CHURN_SRV_INI" \
		--set "server.rr_close=$rr_close" >"$srvlog" 2>&1 &
	pid=$!
	CHURN_PIDS+=("$pid")
	if ! churn_wait_line "$srvlog" 'ptcp-server: ready' 20 "$pid"; then
		churn_log "ptcp-server did not start:"
		tail -20 "$srvlog" >&2
		churn_stop "$pid" 5
		return 1
	fi
	if [ "$sources" -gt 1 ]; then
		srcs=(--set "port0.extra_addresses=10.97.0.10-10.97.0.$((8 + sources))"
			--src "10.97.0.2,10.97.0.10-10.97.0.$((8 + sources))")
	fi
	mapfile -t eal < <(lcores_eal "$cl" client cli)
	timeout -s INT -k 5 "$limit" "$build/app/churn/ptcp-churn" "${eal[@]}" \
		-- -c "$CHURN_CLI_INI" "${srcs[@]}" --server 10.97.0.1:5001 \
		--concurrency "$concurrency" --duration "$duration" \
		--closer "$closer" --json --quiet \
		>"$CHURN_TMP/cli-$tag.json" 2>"$CHURN_TMP/cli-$tag.err" || rc=$?
	churn_stop "$pid" 10
	cp "$srvlog" "$outdir/lcores-last-server-$layout.log"
	if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
		churn_log "ptcp-churn exited $rc:"
		tail -5 "$CHURN_TMP/cli-$tag.err" >&2
		return 1
	fi
	/usr/bin/python3 - "$CHURN_TMP/cli-$tag.json" "$srvlog" >"$result" <<'EOF'
import json, re, sys
cli = [l for l in open(sys.argv[1]) if l.startswith("{")]
d = json.loads(cli[-1]) if cli else {"cps_avg": 0, "failed": -1}
workers = []
for l in open(sys.argv[2]):
    m = re.match(r"\s+worker (\d+): rx_pkts (\d+) tcp_passive_open (\d+) "
                 r"steer_out (\d+) steer_in (\d+)", l)
    if m:
        workers.append([int(x) for x in m.groups()[1:]])
d["server_workers"] = workers
print(json.dumps(d))
EOF
}

churn_log "raw results: $raw"
churn_log "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
for ((r = 1; r <= rounds; r++)); do
	for l in $layouts; do
		load=$(cut -d' ' -f1-3 /proc/loadavg)
		churn_log "round $r/$rounds: $l, closer $closer, ${duration}s (load $load)"
		: >"$result"
		if run_layout "$l$r" "$l"; then
			line=$(cat "$result")
			[ -n "$line" ] ||
				line='{"cps_avg":0,"failed":-1,"error":"no JSON"}'
		else
			line='{"cps_avg":0,"failed":-1,"error":"run failed"}'
		fi
		printf '{"round":%d,"layout":"%s","loadavg":"%s","result":%s}\n' \
			"$r" "$l" "$load" "$line" >>"$raw"
		churn_log "  $(printf '%s' "$line" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print("cps %.0f failed %s server steer_out %s" % (d.get("cps_avg", 0), d.get("failed"), sum(w[2] for w in d.get("server_workers", []))))')"
		sleep 1
	done
done

/usr/bin/python3 - "$raw" "$closer" "$concurrency" "$duration" "$sources" "$layouts" <<'EOF'
import json, statistics, sys
raw, closer, conc, dur, sources, layouts = sys.argv[1:]
layouts = layouts.split()
runs = [json.loads(l) for l in open(raw)]
by = {l: {} for l in layouts}
for r in runs:
    by[r["layout"]][r["round"]] = r
rounds = sorted({r["round"] for r in runs})
pin = {"1x1": "client 0@0, server 0@1",
       "2x2": "client 0@0,1@1, server 0@1,1@0",
       "2x2same": "client 0@0,1@1, server 0@0,1@1",
       "2x2fold": "client 0@0,1@0, server 0@1,1@1"}
def cps(l, r):
    x = by[l].get(r)
    return float(x["result"].get("cps_avg", 0)) if x else None
def row(name, vals, fmt):
    v = [x for x in vals if x is not None]
    cells = [fmt(x) if x is not None else "-" for x in vals]
    st = [fmt(statistics.median(v)), fmt(min(v)), fmt(max(v))] if v else ["-"] * 3
    print("| %s | %s | %s |" % (name, " | ".join(cells), " | ".join(st)))
print()
print("Churn, 64 B request and response, closer %s, concurrency %s, %s s per run, %s source IPs"
      % (closer, conc, dur, sources))
print()
print("| connections/s | %s | median | min | max |" % " | ".join("round %d" % r for r in rounds))
print("|---|%s---:|---:|---:|" % ("---:|" * len(rounds)))
for l in layouts:
    row("%s (--lcores %s)" % (l, pin[l]), [cps(l, r) for r in rounds], lambda x: "%.0f" % x)
if "1x1" in layouts:
    for l in layouts:
        if l == "1x1":
            continue
        row("ratio %s/1x1" % l, [cps(l, r) / cps("1x1", r) if cps(l, r) is not None
            and cps("1x1", r) else None for r in rounds], lambda x: "%.3f" % x)
print()
print("| layout | connect p50 µs (median) | connect p99 µs (median) | failures | server steer_out | server passive opens per worker (last round) | load avg at start |")
print("|---|---:|---:|---:|---:|---|---|")
for l in layouts:
    rs = [by[l][r] for r in rounds if r in by[l]]
    p50 = [x["result"]["connect_us"]["p50"] for x in rs if "connect_us" in x["result"]]
    p99 = [x["result"]["connect_us"]["p99"] for x in rs if "connect_us" in x["result"]]
    fails = sum(max(0, int(x["result"].get("failed", 0))) for x in rs)
    steer = sum(sum(w[2] for w in x["result"].get("server_workers", [])) for x in rs)
    last = rs[-1]["result"].get("server_workers", []) if rs else []
    split = " / ".join(str(w[1]) for w in last) or "(one worker)"
    loads = ", ".join(x["loadavg"].split()[0] for x in rs)
    print("| %s | %s | %s | %d | %d | %s | %s |" % (l,
        "%.0f" % statistics.median(p50) if p50 else "-",
        "%.0f" % statistics.median(p99) if p99 else "-", fails, steer, split, loads))
print()
print("raw: %s" % raw)
EOF
