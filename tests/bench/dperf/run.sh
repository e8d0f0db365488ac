#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# dperf side by side (issue 13): Baidu's dperf (../shared/peers/dperf, or
# $PTCP_DPERF_DIR) against ptcp over net_memif, HTTP GET with a small
# response, client on core 0 and server on core 1, alternating per round:
#   (a) dperf client  -> dperf server      open loop, highest rate held
#   (b) dperf client  -> ptcp-server http  open loop, highest rate held
#   (c) ptcp-churn --http -> ptcp-server   closed loop (--concurrency)
#   (d) ptcp-churn --http -> dperf server  closed loop
# Open loop: dperf's client opens `cps` connections a second whatever the
# server does. Each step is one dperf run (its slow start, >= 10 s, then
# --duration s at the target); a step holds when it has no failed,
# unfinished or non-2xx connection, < 0.1 % of the segments of both sides
# retransmitted, and >= 98 % of the target completed a second. Targets
# double from --start (round 2 on: from half the previous round's best) up
# to --max, then --bisect steps between the last held and the first failed
# one (halving first while none has held, down to --start/16), within
# --ramp-budget seconds per run.
# The figure is the rate achieved at the highest target that held.
# (c) holds TIME-WAIT on every connection: the client closes first and its
# [tcp] max_tw covers the whole tuple space (--sources x 28232 ports).
# Prints a markdown table (per round, median, min, max, ratios (c)/(a) and
# (b)/(a)); one JSON line per run in tests/bench/out/dperf-DATE.jsonl.
# Needs root (hugepages for dperf: sets nr_hugepages to 1024 and mounts
# hugetlbfs at /mnt/huge when there is none) and 2 cores; dperf is built
# once into the cache dir. Exits 77 when dperf is not there.
#
# Usage: tests/bench/dperf/run.sh [--build DIR] [--rounds N] [--duration S]
#   [--only a,b,c,d] [--start CPS] [--max CPS] [--bisect N]
#   [--ramp-budget S] [--slow-start S] [--concurrency C] [--sources N]
#   [--body N] [--http-port P] [--dperf-dir DIR] [--cache DIR]
#   [--no-build] [--out DIR]
# Defaults: 3 rounds, 10 s, a,b,c,d, start 100000, max 2000000, bisect 2,
# ramp budget 300 s, slow start 10 s, concurrency 64, 32 sources, 14-byte
# body (dperf's own), port 80, cache tests/bench/out/dperf-build.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
here=$top/tests/bench/dperf
build=build
rounds=3
duration=10
only=a,b,c,d
start_cps=100000
max_cps=2000000
bisect=2
ramp_budget=300
slow_start=10
concurrency=64
sources=32
body=14
http_port=80
dperf_dir=${PTCP_DPERF_DIR:-$(dirname "$top")/shared/peers/dperf}
cache=${PTCP_DPERF_CACHE:-}
do_build=1
outdir=$top/tests/bench/out
dperf_mem=700          # MB of hugepages per dperf process (socket_mem)
churn_mac=02:00:0a:61:00:02

usage() { sed -n '3,35p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--rounds) rounds=$2; shift ;;
	--duration) duration=$2; shift ;;
	--only) only=$2; shift ;;
	--start) start_cps=$2; shift ;;
	--max) max_cps=$2; shift ;;
	--bisect) bisect=$2; shift ;;
	--ramp-budget) ramp_budget=$2; shift ;;
	--slow-start) slow_start=$2; shift ;;
	--concurrency) concurrency=$2; shift ;;
	--sources) sources=$2; shift ;;
	--body) body=$2; shift ;;
	--http-port) http_port=$2; shift ;;
	--dperf-dir) dperf_dir=$2; shift ;;
	--cache) cache=$2; shift ;;
	--no-build) do_build=0 ;;
	--out) outdir=$2; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
for v in rounds duration start_cps max_cps bisect ramp_budget slow_start \
	concurrency sources body http_port; do
	[[ ${!v} =~ ^[0-9]+$ ]] || { echo "run.sh: --${v//_/-}: a whole number" >&2; exit 2; }
done
if [ "$sources" -lt 1 ] || [ "$sources" -gt 64 ]; then
	echo "run.sh: --sources: 1..64" >&2; exit 2
fi
[ "$slow_start" -ge 10 ] ||
	{ echo "run.sh: --slow-start: dperf takes 10..600" >&2; exit 2; }
if [ "$duration" -lt 1 ] || [ "$rounds" -lt 1 ] || [ "$start_cps" -lt 1000 ] ||
	[ "$max_cps" -lt "$start_cps" ]; then
	echo "run.sh: --duration, --rounds >= 1, 1000 <= --start <= --max" >&2; exit 2
fi
cases=()
for c in ${only//,/ }; do
	case $c in a|b|c|d) cases+=("$c") ;;
	*) echo "run.sh: --only: a list of a, b, c, d" >&2; exit 2 ;;
	esac
done
[[ $build = /* ]] || build=$top/$build
[[ $outdir = /* ]] || outdir=$top/$outdir
cache=${cache:-$outdir/dperf-build}

# shellcheck source=SCRIPTDIR/../churn/lib.sh
. "$top/tests/bench/churn/lib.sh"

need_dperf=0
for c in "${cases[@]}"; do [ "$c" = c ] || need_dperf=1; done
if [ "$need_dperf" = 1 ]; then
	tarball=$(find "$dperf_dir" -maxdepth 1 -name 'dperf-*-src.tar.gz' 2>/dev/null | sort | head -1)
	patchf=$dperf_dir/dperf-vdev.patch
	if [ -z "$tarball" ] || [ ! -f "$patchf" ]; then
		churn_log "no dperf at $dperf_dir (dperf-*-src.tar.gz and dperf-vdev.patch; set PTCP_DPERF_DIR): skipped"
		exit 77
	fi
fi
[ "$(id -u)" = 0 ] || churn_die "needs root (hugepages for dperf)"
[ "$(nproc)" -ge 2 ] || churn_die "needs two cores"
if [ "$do_build" = 1 ]; then
	ninja -C "$build" app/server/ptcp-server app/churn/ptcp-churn >/dev/null
fi

churn_setup
DPERF_PIDS=()
sock=$CHURN_TMP/memif.sock
line_file=$CHURN_TMP/line.json

# Every hugetlbfs mount point (dperf's EAL puts its page files in one).
huge_mounts() { awk '$3 == "hugetlbfs" { print $2 }' /proc/mounts; }

# dperf leaves its hugepage files and /var/run/dpdk/dperf-PID behind (its
# file prefix is dperf-PID): remove them once PID is gone.
dperf_clean() {
	local m
	kill -0 "$1" 2>/dev/null && return 0
	while read -r m; do
		rm -f "$m/dperf-$1map_"* 2>/dev/null || true
	done < <(huge_mounts)
	rm -rf "/var/run/dpdk/dperf-$1" 2>/dev/null || true
}

dp_cleanup() {
	local p
	churn_cleanup
	for p in "${DPERF_PIDS[@]}"; do
		dperf_clean "$p"
	done
}
trap dp_cleanup EXIT

# Hugepages for dperf: PAGES 2 MB pages must be free.
dp_hugepages() {
	local nr_file=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages nr free
	[ -w "$nr_file" ] || churn_die "no 2 MB hugepages ($nr_file)"
	nr=$(cat "$nr_file")
	if [ "$nr" -lt 1024 ]; then
		echo 1024 >"$nr_file"
		churn_log "hugepages: nr_hugepages was $nr, set to 1024 (2 MB pages; $(cat "$nr_file") now)"
	fi
	if [ -z "$(huge_mounts)" ]; then
		mkdir -p /mnt/huge
		mount -t hugetlbfs nodev /mnt/huge ||
			churn_die "cannot mount hugetlbfs at /mnt/huge"
		churn_log "hugepages: mounted hugetlbfs at /mnt/huge"
	fi
	free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
	[ "$free" -ge "$1" ] ||
		churn_die "only $free free 2 MB hugepages, dperf needs $1 (another DPDK process?)"
}

# Build dperf once: the tarball and the vdev patch, keyed by their hash.
dp_build_dperf() {
	local key dir tmp src
	key=$(cat "$tarball" "$patchf" | sha256sum | cut -c1-12)
	dir=$cache/dperf-$key
	dperf_bin=$dir/dperf
	if [ -x "$dperf_bin" ]; then
		churn_log "dperf: $dperf_bin (cached)"
		return 0
	fi
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/build.XXXXXX")
	churn_log "dperf: building $(basename "$tarball") + $(basename "$patchf") in $tmp (log $tmp.log)"
	tar xzf "$tarball" -C "$tmp"
	src=$(dirname "$(find "$tmp" -maxdepth 2 -name Makefile | head -1)")
	if ! (cd "$src" && patch -p1 -s <"$patchf" &&
		timeout 900 make LDFLAGS0="$(pkg-config --libs libdpdk) -lrte_net_bond -lrte_bus_pci -lrte_bus_vdev -lrte_pdump -lpthread") \
		>"$tmp.log" 2>&1; then
		tail -20 "$tmp.log" >&2
		rm -rf "$tmp"
		churn_die "dperf: build failed (log $tmp.log)"
	fi
	mkdir -p "$dir"
	cp "$src/build/dperf" "$dir/dperf.new"
	mv "$dir/dperf.new" "$dperf_bin"
	mv "$tmp.log" "$dir/build.log"
	rm -rf "$tmp"
	churn_log "dperf: built $dperf_bin"
}

# dp_conf FILE ROLE CPS|- DURATION GWMAC|-: a dperf configuration (HTTP;
# 64 client addresses from 10.97.0.2; server 10.97.0.1:http_port).
dp_conf() {
	local f=$1 role=$2 cps=$3 dur=$4 mac=${5:--}
	{
		printf '# generated by tests/bench/dperf/run.sh\n'
		if [ "$role" = client ]; then
			printf 'mode        client\ncpu         0\n'
		else
			printf 'mode        server\ncpu         1\n'
		fi
		printf 'duration    %ss\nsocket_mem  %s\nprotocol    http\n' "$dur" "$dperf_mem"
		if [ "$role" = client ]; then
			printf 'cps         %s\nslow_start  %s\nwait        1\n' "$cps" "$slow_start"
			printf 'port        net_memif0,role=client,socket=%s   10.97.0.2   10.97.0.1\n' "$sock"
		else
			printf 'port        net_memif0,role=server,socket=%s   10.97.0.1   10.97.0.2%s\n' \
				"$sock" "$([ "$mac" = - ] || printf '   %s' "$mac")"
		fi
		printf 'client      10.97.0.2   64\nserver      10.97.0.1   1\nlisten      %s          1\n' "$http_port"
	} >"$f"
}

# dp_dperf_start CONF LOG: dperf in the background (line-buffered, so that
# its per-second lines reach LOG); DP_PID is dperf's own PID.
dp_dperf_start() {
	stdbuf -oL "$dperf_bin" -c "$1" >"$2" 2>&1 &
	DP_PID=$!
	CHURN_PIDS+=("$DP_PID")
	DPERF_PIDS+=("$DP_PID")
}

# dp_wait_exit PID SECONDS: until PID exits (0) or time runs out (1).
dp_wait_exit() {
	local i
	for ((i = 0; i < $2 * 5; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.2
	done
	return 1
}

# dp_stop PID SECONDS: SIGINT, bounded wait, SIGKILL; then dperf's files.
# DP_RC: its exit status (137: killed here; 139: it crashed).
dp_stop() {
	local i
	DP_RC=0
	kill -INT "$1" 2>/dev/null || true
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || DP_RC=$?
	churn_forget "$1"
	dperf_clean "$1"
}

# A dperf server on core 1 (the memif server side); waits for its socket.
dp_dperf_server() {
	local conf=$CHURN_TMP/dperf-server.conf log=$1 mac=${2:--} i
	dp_conf "$conf" server - "$((slow_start + duration + 120))" "$mac"
	cp "$conf" "$outdir/dperf-last-server.conf"
	dp_dperf_start "$conf" "$log"
	SRV_PID=$DP_PID
	for ((i = 0; i < 150; i++)); do
		# DPDK 22.11's memif listens on an abstract socket by default
		if [ -S "$sock" ] || grep -qF "@$sock" /proc/net/unix; then
			sleep 0.5
			return 0
		fi
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.2
	done
	churn_log "dperf server did not start:"
	tail -5 "$log" >&2
	dp_stop "$SRV_PID" 10
	return 1
}

# ptcp-server on core 1 with its http service where dperf's client goes.
dp_ptcp_server() {
	churn_server_start "$1" --set "server.http_port=$http_port" \
		--set "server.http_body=$body" || return 1
	SRV_PID=$CHURN_SRV_PID
}

# dp_step CASE TARGET: one open-loop step, its judgement in $CHURN_TMP/step.json
dp_step() {
	local case=$1 cps=$2 tag=$1-$2 srvlog clilog conf rc=0 cli_rc=-1 srv_rc=-1
	srvlog=$CHURN_TMP/srv-$tag.log
	clilog=$CHURN_TMP/cli-$tag.log
	conf=$CHURN_TMP/dperf-client.conf
	rm -f "$sock"
	if [ "$case" = a ]; then
		dp_dperf_server "$srvlog" || rc=1
	else
		dp_ptcp_server "$srvlog" || rc=1
	fi
	if [ "$rc" = 0 ]; then
		dp_conf "$conf" client "$cps" "$duration"
		cp "$conf" "$outdir/dperf-last-client.conf"
		dp_dperf_start "$conf" "$clilog"
		# wait 1 s, slow start, duration, 4 s of dperf's own drain
		if ! dp_wait_exit "$DP_PID" "$((slow_start + duration + 40))"; then
			churn_log "  dperf client overran: stopping it"
		fi
		dp_stop "$DP_PID" 10
		cli_rc=$DP_RC
		dp_stop "$SRV_PID" 15
		srv_rc=$DP_RC
	fi
	cp "$clilog" "$outdir/dperf-last-$case-client.log" 2>/dev/null || true
	cp "$srvlog" "$outdir/dperf-last-$case-server.log" 2>/dev/null || true
	python3 "$here/report.py" step --case "$case" --target "$cps" \
		--slow-start "$slow_start" --duration "$duration" \
		--client "$clilog" --server "$srvlog" --client-rc "$cli_rc" \
		--server-rc "$srv_rc" >"$CHURN_TMP/step.json"
}

jget() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else "; ".join(v) if isinstance(v, list) else v)' "$1" "$2"; }

declare -A best_prev=()

# dp_ramp CASE ROUND: the open-loop search; its run line into $line_file
# (not through a $(...) subshell: the PIDs it starts must reach the trap).
dp_ramp() {
	local case=$1 rnd=$2 steps=$CHURN_TMP/steps.jsonl t lo=0 hi=0 k t0 s
	# a step: startup, dperf's wait (1 s) and slow start, the held
	# seconds, its own 4 s drain, the servers' stop
	local est=$((slow_start + duration + 16)) note=
	local start=$start_cps prev=${best_prev[$1]:-0}
	: >"$steps"
	# After round 1: from half the previous round's best
	if [ "$prev" -gt 0 ]; then
		start=$((prev / 2 / 1000 * 1000))
		[ "$start" -ge 1000 ] || start=1000
	fi
	t0=$SECONDS
	t=$((start < max_cps ? start : max_cps))
	s=up
	k=0
	while :; do
		if [ $((SECONDS - t0 + est)) -gt "$ramp_budget" ]; then
			note="ramp budget (${ramp_budget}s) spent"
			break
		fi
		dp_step "$case" "$t"
		cat "$CHURN_TMP/step.json" >>"$steps"
		if [ -n "$(jget "$CHURN_TMP/step.json" error)" ]; then
			churn_log "  $case $t/s: error: $(jget "$CHURN_TMP/step.json" error)"
			break
		fi
		if [ "$(jget "$CHURN_TMP/step.json" passed)" = True ]; then
			lo=$t
			churn_log "  $case $t/s: held ($(jget "$CHURN_TMP/step.json" achieved)/s)"
		else
			hi=$t
			churn_log "  $case $t/s: not held ($(jget "$CHURN_TMP/step.json" why))"
		fi
		if [ "$s" = up ]; then
			if [ "$hi" -eq 0 ] && [ "$t" -lt "$max_cps" ]; then
				t=$((t * 2 < max_cps ? t * 2 : max_cps))
				continue
			fi
			s=bisect
		fi
		if [ "$lo" -eq 0 ] && [ "$hi" -gt 0 ]; then
			# nothing held yet: halve (down to --start/16), then bisect
			t=$((hi / 2 / 1000 * 1000))
			if [ "$t" -lt $((start_cps / 16)) ] || [ "$t" -lt 1000 ]; then
				break
			fi
			continue
		fi
		if [ "$hi" -eq 0 ] || [ "$k" -ge "$bisect" ]; then
			break
		fi
		k=$((k + 1))
		t=$(((lo + hi) / 2 / 1000 * 1000))
		if [ "$t" -le "$lo" ] || [ "$t" -ge "$hi" ]; then
			break
		fi
	done
	python3 "$here/report.py" ramp --case "$case" --round "$rnd" \
		--steps "$steps" --note "$note" --loadavg "$load" >"$line_file"
	best_prev[$case]=$lo
}

# dp_churn CASE ROUND: ptcp-churn --http for --duration s; its run line
# into $line_file.
dp_churn() {
	local case=$1 rnd=$2 srvlog=$CHURN_TMP/srv-$1$2.log out=$CHURN_TMP/cli-$1$2.json
	local err=$CHURN_TMP/cli-$1$2.err vdev mem tw ports=28232 rc=0 closer pid
	local srv_rc=-1
	local srcs=() ok=1
	rm -f "$sock"
	# TIME-WAIT for every connection: room for the whole tuple space
	tw=$(((sources * ports + 65535) / 65536 * 65536))
	mem=$((tw > 262144 ? 2048 : 1024))
	vdev="net_memif0,role=client,socket=$sock"
	if [ "$case" = c ]; then
		closer=client
		dp_ptcp_server "$srvlog" || ok=0
	else
		# dperf's server sends its FIN with the response: ptcp closes
		# second (no TIME-WAIT: without timestamps a TIME-WAIT tuple
		# could not be reused and the tuple space would run out).
		closer=server
		vdev+=",mac=$churn_mac"
		dp_dperf_server "$srvlog" "$churn_mac" || ok=0
	fi
	if [ "$sources" -gt 1 ]; then
		srcs=(--set "port0.extra_addresses=10.97.0.3-10.97.0.$((1 + sources))"
			--src "10.97.0.2-10.97.0.$((1 + sources))")
	fi
	if [ "$ok" = 1 ]; then
		timeout -s INT -k 5 "$((duration + 40))" "$build/app/churn/ptcp-churn" \
			-l 0 --no-huge -m "$mem" --no-pci --no-shconf \
			--file-prefix "ptcpb-$$-cli" --log-level=pmd.net.memif:error \
			"--vdev=$vdev" -- -c "$CHURN_CLI_INI" --set "tcp.max_tw=$tw" \
			"${srcs[@]}" --server "10.97.0.1:$http_port" --http \
			--closer "$closer" --concurrency "$concurrency" \
			--duration "$duration" --json >"$out" 2>"$err" &
		pid=$!
		CHURN_PIDS+=("$pid")
		wait "$pid" || rc=$?
		churn_forget "$pid"
		[ "$rc" = 0 ] || [ "$rc" = 1 ] || churn_log "  ptcp-churn exited $rc: $(tail -1 "$err")"
		dp_stop "$SRV_PID" 15
		srv_rc=$DP_RC
	fi
	cp "$err" "$outdir/dperf-last-$case-ptcp-churn.err" 2>/dev/null || true
	cp "$srvlog" "$outdir/dperf-last-$case-server.log" 2>/dev/null || true
	python3 "$here/report.py" churn --case "$case" --duration "$duration" \
		--json "$out" --err "$err" --server "$srvlog" --client-rc "$rc" \
		--server-rc "$srv_rc" |
		python3 -c 'import json,sys; r=json.load(sys.stdin); r.update(kind="run", round=int(sys.argv[1]), loadavg=sys.argv[2]); print(json.dumps(r))' \
			"$rnd" "$load" >"$line_file"
}

mkdir -p "$outdir"
if [ "$need_dperf" = 1 ]; then
	dp_build_dperf
	dp_hugepages "$((2 * dperf_mem / 2))"   # two dperf, 2 MB pages
fi
raw=$outdir/dperf-$(date +%Y%m%d-%H%M%S).jsonl
churn_log "raw results: $raw"
churn_log "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
printf '{"kind":"meta","date":"%s","rounds":%d,"duration":%d,"slow_start":%d,"start":%d,"max":%d,"bisect":%d,"ramp_budget":%d,"concurrency":%d,"sources":%d,"body":%d,"http_port":%d,"cases":"%s","dperf":"%s","host":"%s"}\n' \
	"$(date -u +%FT%TZ)" "$rounds" "$duration" "$slow_start" "$start_cps" \
	"$max_cps" "$bisect" "$ramp_budget" "$concurrency" "$sources" "$body" \
	"$http_port" "${cases[*]}" "$(basename "${tarball:-none}")" \
	"$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//; s/"//g')" >"$raw"

for ((r = 1; r <= rounds; r++)); do
	for c in "${cases[@]}"; do
		load=$(cut -d' ' -f1-3 /proc/loadavg)
		churn_log "round $r/$rounds: ($c), ${duration}s (load $load)"
		: >"$line_file"
		case $c in
		a|b) dp_ramp "$c" "$r" ;;
		c|d) dp_churn "$c" "$r" ;;
		esac
		line=$(cat "$line_file")
		[ -n "$line" ] ||
			line=$(printf '{"kind":"run","round":%d,"case":"%s","cps":0,"error":"run failed"}' "$r" "$c")
		printf '%s\n' "$line" >>"$raw"
		churn_log "  ($c) $(printf '%s' "$line" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("conn/s %.0f%s" % (d.get("cps") or 0, ("  (" + d["error"] + ")") if d.get("error") else ""))')"
		sleep 1
	done
done

python3 "$here/report.py" table "$raw"
