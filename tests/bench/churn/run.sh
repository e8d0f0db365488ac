#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Connection churn, ptcp vs the Linux kernel, side by side (issue 5).
#
# Each run: connect, REQUEST bytes, RESPONSE bytes, close (CLOSER closes
# first), at a fixed concurrency for DURATION seconds; the client on core 0
# and the server on core 1, nothing else of ours running:
#   ptcp   ptcp-churn (-l 0) -> ptcp-server (-l 1, [server] rr service),
#          two processes over net_memif (socket in a temp dir), --no-huge
#   linux  linux_client (taskset -c 0) -> linux_server (taskset -c 1) over
#          loopback, in a fresh network namespace per run (sysctls at their
#          defaults, no TIME-WAIT left over from the previous run); the
#          client binds its sockets to 127.0.0.1..127.0.0.SOURCES in turn;
#          ptcp-churn gets as many source addresses (--src: its port's
#          address and extra_addresses 10.97.0.10 and up). The default 64
#          sources x 28232 ports = 1.8M tuples let the closing side keep
#          TIME-WAIT on every connection up to ~1M conn/s (our connect
#          reuses a tuple after 1 s): see docs/churn.md, "Sizing for
#          TIME-WAIT on every connection"; the client's JSON says whether
#          any connection skipped it ("tw": cap_drops, full_lifecycle)
# Alternating ptcp, linux, ptcp, linux... for ROUNDS rounds. Prints a
# markdown table (connections/s of each, ratio ptcp/linux per round, median
# min max) and writes the raw results, one JSON line per run, to
# tests/bench/out/churn-DATE.jsonl. Needs root (netns) and ~25 s per round
# at the default 10 s per run.
#
# Usage: tests/bench/churn/run.sh [--build DIR] [--rounds N] [--duration S]
#   [--concurrency C] [--closer client|server|rst] [--request N]
#   [--response M] [--sources N] [--only ptcp|linux] [--no-build] [--out DIR]
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=build
rounds=3
duration=10
concurrency=64
closer=client
request=64
response=64
sources=64
only=
do_build=1
outdir=$top/tests/bench/out

usage() { sed -n '3,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--rounds) rounds=$2; shift ;;
	--duration) duration=$2; shift ;;
	--concurrency) concurrency=$2; shift ;;
	--closer) closer=$2; shift ;;
	--request) request=$2; shift ;;
	--response) response=$2; shift ;;
	--sources) sources=$2; shift ;;
	--only) only=$2; shift ;;
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
case $only in ''|ptcp|linux) ;; *) echo "run.sh: --only ptcp|linux" >&2; exit 2 ;; esac
[[ $build = /* ]] || build=$top/$build

# shellcheck source=SCRIPTDIR/lib.sh
. "$top/tests/bench/churn/lib.sh"

[ "$(id -u)" = 0 ] || churn_die "needs root (network namespaces, memif socket)"
[ "$(nproc)" -ge 2 ] || churn_die "needs two cores"
if [ "$do_build" = 1 ]; then
	targets=(tests/bench/churn/linux_server tests/bench/churn/linux_client)
	[ "$only" = linux ] || targets+=(app/server/ptcp-server app/churn/ptcp-churn)
	ninja -C "$build" "${targets[@]}" >/dev/null
fi
churn_setup
mkdir -p "$outdir"
raw=$outdir/churn-$(date +%Y%m%d-%H%M%S).jsonl
limit=$((${duration%.*} + 30))
result=$CHURN_TMP/result.json

# One ptcp run: the client's JSON line (ptcp-churn --json) into $result.
run_ptcp() {
	local tag=$1 srvlog=$CHURN_TMP/srv-$1.log ip port
	if ! churn_server_start "$srvlog" --set "server.rr_close=$rr_close" \
		--set "server.rr_request=$request" \
		--set "server.rr_response=$response"; then
		return 1
	fi
	ip=$(sed -n 's/^ptcp-server: port0 [^ ]* \([0-9.]*\)\/.*/\1/p' "$srvlog")
	port=$(sed -n 's/^ptcp-server: rr on port \([0-9]*\).*/\1/p' "$srvlog")
	port=${port:-5001}
	local rc=0 srcs=()
	# As many source addresses as the Linux client gets: the port's own
	# (10.97.0.2) and extra addresses 10.97.0.10 and up.
	if [ "$sources" -gt 1 ]; then
		srcs=(--set "port0.extra_addresses=10.97.0.10-10.97.0.$((8 + sources))"
			--src "10.97.0.2,10.97.0.10-10.97.0.$((8 + sources))")
	fi
	churn_client_run "$CHURN_TMP/cli-$tag.json" "$CHURN_TMP/cli-$tag.err" \
		"$limit" "${srcs[@]}" --server "$ip:$port" --concurrency "$concurrency" \
		--duration "$duration" --request "$request" \
		--response "$response" --closer "$closer" --json --quiet || rc=$?
	churn_stop "$CHURN_SRV_PID" 10
	cp "$srvlog" "$outdir/churn-last-ptcp-server.log"
	cp "$CHURN_TMP/cli-$tag.err" "$outdir/churn-last-ptcp-churn.err"
	if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
		churn_log "ptcp-churn exited $rc:"
		tail -5 "$CHURN_TMP/cli-$tag.err" >&2
		return 1
	fi
	grep '^{' "$CHURN_TMP/cli-$tag.json" | tail -1 >"$result"
}

# One Linux run: linux_client's JSON line into $result.
run_linux() {
	local tag=$1 srvlog=$CHURN_TMP/lsrv-$1.log pid rc=0 port=5001 src=()
	local ns_exec=()
	if churn_netns "$tag"; then
		ns_exec=(ip netns exec "$CHURN_NS")
	else
		churn_log "no netns: using the host's loopback"
	fi
	"${ns_exec[@]}" taskset -c 1 "$build/tests/bench/churn/linux_server" \
		--bind 127.0.0.1 --port "$port" --request "$request" \
		--response "$response" --closer "$rr_close" >"$srvlog" 2>&1 &
	pid=$!
	CHURN_PIDS+=("$pid")
	churn_wait_line "$srvlog" 'linux_server: ready' 10 "$pid" ||
		{ cat "$srvlog" >&2; return 1; }
	[ "$sources" -gt 0 ] && src=(--source "127.0.0.1-127.0.0.$sources")
	"${ns_exec[@]}" timeout -s INT -k 5 "$limit" taskset -c 0 \
		"$build/tests/bench/churn/linux_client" \
		--server "127.0.0.1:$port" "${src[@]}" \
		--concurrency "$concurrency" --duration "$duration" \
		--request "$request" --response "$response" --closer "$closer" \
		--json --quiet >"$CHURN_TMP/lcli-$tag.json" || rc=$?
	churn_stop "$pid" 5
	[ ${#ns_exec[@]} -eq 0 ] || churn_netns_del "$CHURN_NS"
	if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
		churn_log "linux_client exited $rc"
		return 1
	fi
	grep '^{' "$CHURN_TMP/lcli-$tag.json" | tail -1 >"$result"
}

churn_log "raw results: $raw"
churn_log "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
for ((r = 1; r <= rounds; r++)); do
	for stack in ptcp linux; do
		[ -z "$only" ] || [ "$only" = "$stack" ] || continue
		load=$(cut -d' ' -f1-3 /proc/loadavg)
		churn_log "round $r/$rounds: $stack, closer $closer, concurrency $concurrency, ${duration}s (load $load)"
		: >"$result"
		if "run_$stack" "$stack$r"; then
			line=$(cat "$result")
			[ -n "$line" ] ||
				line='{"cps_avg":0,"ok":0,"failed":-1,"error":"no JSON"}'
		else
			line='{"cps_avg":0,"ok":0,"failed":-1,"error":"run failed"}'
		fi
		printf '{"round":%d,"stack":"%s","loadavg":"%s","result":%s}\n' \
			"$r" "$stack" "$load" "$line" >>"$raw"
		churn_log "  $(printf '%s' "$line" | python3 -c 'import json,sys; d=json.load(sys.stdin); tw=d.get("tw"); print("cps %.0f ok %s failed %s%s" % (d.get("cps_avg", 0), d.get("ok"), d.get("failed"), "; time-wait: " + tw["verdict"] if tw else ""))')"
		sleep 1
	done
done

python3 - "$raw" "$closer" "$concurrency" "$duration" "$request" "$response" "$sources" <<'EOF'
import json, statistics, sys
raw, closer, conc, dur, req, resp, sources = sys.argv[1:]
runs = [json.loads(l) for l in open(raw)]
by = {"ptcp": {}, "linux": {}}
fails = {"ptcp": 0, "linux": 0}
for r in runs:
    res = r["result"]
    by[r["stack"]][r["round"]] = float(res.get("cps_avg", 0))
    fails[r["stack"]] += max(0, int(res.get("failed", 0)))
rounds = sorted(set(by["ptcp"]) | set(by["linux"]))
def row(name, vals, fmt):
    v = [x for x in vals if x is not None]
    cells = [fmt(x) if x is not None else "-" for x in vals]
    stats = [fmt(statistics.median(v)), fmt(min(v)), fmt(max(v))] if v else ["-"] * 3
    print("| %s | %s | %s |" % (name, " | ".join(cells), " | ".join(stats)))
print()
print("Connection churn: %s B request, %s B response, closer %s, concurrency %s, %s s per run"
      % (req, resp, closer, conc, dur))
print()
print("| connections/s | %s | median | min | max |" % " | ".join("round %d" % r for r in rounds))
print("|---|%s---:|---:|---:|" % ("---:|" * len(rounds)))
row("ptcp (ptcp-churn → ptcp-server, memif, %s source IPs)" % sources, [by["ptcp"].get(r) for r in rounds], lambda x: "%.0f" % x)
row("Linux (epoll, loopback, %s source IPs)" % sources, [by["linux"].get(r) for r in rounds], lambda x: "%.0f" % x)
ratios = [by["ptcp"][r] / by["linux"][r] if r in by["ptcp"] and r in by["linux"] and by["linux"][r] > 0 else None for r in rounds]
row("ratio ptcp/Linux", ratios, lambda x: "%.2f" % x)
print()
print("failures: ptcp %d, Linux %d; raw: %s" % (fails["ptcp"], fails["linux"], raw))
EOF
