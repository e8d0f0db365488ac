#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# HTTP keep-alive requests/s: ptcp-server's http service against a minimal
# Linux epoll server (linux_http, the same response bytes), side by side.
#
# The client is wrk (one thread, CONNECTIONS keep-alive connections, GET /,
# no pipelining) on CPU 1 in a network namespace of this run; the server
# has CPU 0:
#   ptcp        ptcp-server -l 0 on net_tap (config/tap.ini, 10.99.0.2),
#               the tap's kernel end 10.99.0.1 in the namespace: wrk talks
#               to it through the kernel's TCP and the tap device
#               (tests/tap/lib.sh sets it up as the tap tests do)
#   linux veth  linux_http in a second namespace behind a veth pair
#               (10.98.0.2): a link device between client and server, as
#               the tap is for ptcp
#   linux lo    linux_http on 127.0.0.1 in the client's namespace
# Both servers answer 200 with BODY bytes of 'x' and the same head
# (Server, Date, Content-Type, Content-Length: ~120 bytes). Alternating
# ptcp, linux veth, linux lo for ROUNDS rounds; the ratio is taken per
# round (ptcp / Linux). Also reported: the CPU of wrk (user+sys, its
# kernel TCP work included) and of the server, in % of one core over the
# wrk run: ptcp busy-polls, so it is 100% unless the machine's other load
# took some of its core; the tap PMD's syscalls are in it.
#
# Prints a markdown table; raw wrk output goes to tests/bench/out/
# keepalive-DATE-*.txt. Needs root, /dev/net/tun and wrk (apt-get install
# wrk); about (DURATION + 4 s) x 3 per round: ~55 s at the defaults.
#
# Usage: tests/bench/bulk/keepalive.sh [--build DIR] [--rounds N]
#   [--duration S] [--connections C] [--body N] [--no-build] [--out DIR]
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=build
rounds=3
duration=5
conns=64
body=64
do_build=1
outdir=$top/tests/bench/out

usage() { sed -n '3,31p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--rounds) rounds=$2; shift ;;
	--duration) duration=$2; shift ;;
	--connections) conns=$2; shift ;;
	--body) body=$2; shift ;;
	--no-build) do_build=0 ;;
	--out) outdir=$2; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
[[ $build = /* ]] || build=$top/$build
log() { printf 'keepalive.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# shellcheck source=tests/tap/lib.sh
. "$top/tests/tap/lib.sh"
if ! why=$(ptcp_tap_can_run); then
	die "$why"
fi
command -v wrk >/dev/null || die "needs wrk (apt-get install wrk)"
[ "$(nproc)" -ge 2 ] || die "needs two cores"
if [ "$do_build" = 1 ]; then
	ninja -C "$build" app/server/ptcp-server tests/bench/bulk/linux_http \
		>/dev/null || die "build failed"
fi

PTCP_SERVER=$build/app/server/ptcp-server
PTCP_CONFIG=$top/config/tap.ini
PTCP_DIR=$(mktemp -d /tmp/ptcp-keepalive.XXXXXX) || exit 1
ptcp_tap_init ka
NS2=ptcp-kas-$$
VETH=vka$$
HTTP_PID=

# ptcp_tap_cleanup deletes both namespaces (ptcp_netns_add) with what runs
# in them.
cleanup() {
	if [ -n "$HTTP_PID" ]; then
		kill -KILL "$HTTP_PID" 2>/dev/null
		wait "$HTTP_PID" 2>/dev/null
	fi
	ptcp_tap_cleanup
	rm -rf "$PTCP_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$outdir"
stamp=$(date +%Y%m%d-%H%M%S)
raw=$outdir/keepalive-$stamp.jsonl
ptcp_ns_create || die "ip netns add $PTCP_NS"
ptcp_netns_add "$NS2" || die "ip netns add $NS2"
ip link add "${VETH}a" netns "$PTCP_NS" type veth peer name "${VETH}b" \
	netns "$NS2" || die "veth pair"
ip netns exec "$PTCP_NS" ip addr add 10.98.0.1/24 dev "${VETH}a"
ip netns exec "$PTCP_NS" ip link set "${VETH}a" up
ip netns exec "$NS2" ip addr add 10.98.0.2/24 dev "${VETH}b"
ip netns exec "$NS2" ip link set "${VETH}b" up

# cpu_ticks PID: utime + stime of PID, in clock ticks
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
hz=$(getconf CLK_TCK)
# cpu_pct TICKS NS: TICKS of CPU over NS of wall time, in % of one core
cpu_pct() { awk -v c="$1" -v hz="$hz" -v ns="$2" 'BEGIN { printf "%.0f", c / hz * 1e9 / ns * 100 }'; }

# run_wrk TAG URL: wrk on CPU 1 in the client namespace; its output in
# $PTCP_DIR/TAG.txt (and $outdir), its CPU in % of a core in WRK_CPU
run_wrk() {
	local tag=$1 url=$2 t0 t1 tm=$PTCP_DIR/$1.time

	t0=$(date +%s%N)
	timeout -k 5 $((duration + 30)) ip netns exec "$PTCP_NS" \
		/usr/bin/time -f '%U %S' -o "$tm" taskset -c 1 \
		wrk -t1 -c"$conns" -d"${duration}s" --latency "$url" \
		>"$PTCP_DIR/$tag.txt" 2>&1
	t1=$(date +%s%N)
	cp "$PTCP_DIR/$tag.txt" "$outdir/keepalive-$stamp-$tag.txt"
	WRK_CPU=$(awk -v ns=$((t1 - t0)) '{ printf "%.0f", ($1 + $2) * 1e9 / ns * 100 }' "$tm" 2>/dev/null)
	grep -q '^Requests/sec:' "$PTCP_DIR/$tag.txt"
}

# record ROUND SERVER TAG SERVER_CPU: one JSON line from wrk's output
record() {
	local f=$PTCP_DIR/$3.txt rps lat errs non2xx

	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$f")
	lat=$(awk '$1 == "Latency" { print $2; exit }' "$f")
	errs=$(sed -n 's/.*Socket errors: \(.*\)/\1/p' "$f")
	non2xx=$(awk '/Non-2xx/ { print $NF }' "$f")
	printf '{"round":%d,"server":"%s","rps":%s,"latency_avg":"%s","socket_errors":"%s","non2xx":%s,"wrk_cpu":%s,"server_cpu":%s,"loadavg":"%s"}\n' \
		"$1" "$2" "${rps:-0}" "${lat:-}" "${errs:-none}" "${non2xx:-0}" \
		"${WRK_CPU:-0}" "${4:-0}" "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$raw"
	log "round $1 $2: ${rps:-0} requests/s, latency avg ${lat:-?}, wrk CPU ${WRK_CPU:-?}%, server CPU $4%, errors ${errs:-none}, non-2xx ${non2xx:-0}"
}

run_ptcp() {
	local spid c0 c1 t0 t1

	ptcp_server_start $((duration + 30)) --set "server.http_body=$body"
	if ! ptcp_server_wait_ready 30; then
		ptcp_server_why_not_ready
		log "ptcp-server: $PTCP_WHY"
		cat "$PTCP_SRV_OUT" "$PTCP_SRV_ERR" >&2
		return 1
	fi
	ptcp_kernel_side_up || { log "tap address"; return 1; }
	# ARP and a first request before the clock starts
	timeout 10 ip netns exec "$PTCP_NS" curl -s -o /dev/null \
		"http://$PTCP_ADDR/" || { log "curl to ptcp failed"; return 1; }
	# the server: the child of timeout (ip netns exec execs it)
	spid=$(pgrep -P "$PTCP_SRV_PID" | head -1)
	c0=$(cpu_ticks "${spid:-0}")
	t0=$(date +%s%N)
	run_wrk "ptcp$1" "http://$PTCP_ADDR/" || log "wrk: no result"
	c1=$(cpu_ticks "${spid:-0}")
	t1=$(date +%s%N)
	ptcp_server_stop 10 || log "ptcp-server exit status $?"
	record "$1" ptcp "ptcp$1" "$(cpu_pct $((c1 - c0)) $((t1 - t0)))"
}

# run_linux ROUND TAG NETNS BIND PORT URL
run_linux() {
	local out=$PTCP_DIR/http-$2.out c0 c1 t0 t1 i

	ip netns exec "$3" taskset -c 0 "$build/tests/bench/bulk/linux_http" \
		--bind "$4" --port "$5" --body "$body" \
		--duration $((duration + 30)) >"$out" 2>&1 &
	HTTP_PID=$!
	for ((i = 0; i < 50; i++)); do
		grep -q '^linux_http: ready' "$out" && break
		sleep 0.1
	done
	grep -q '^linux_http: ready' "$out" || { cat "$out" >&2; return 1; }
	timeout 10 ip netns exec "$PTCP_NS" curl -s -o /dev/null "$6" ||
		{ log "curl to linux_http failed"; return 1; }
	c0=$(cpu_ticks "$HTTP_PID")
	t0=$(date +%s%N)
	run_wrk "$2$1" "$6" || log "wrk: no result"
	c1=$(cpu_ticks "$HTTP_PID")
	t1=$(date +%s%N)
	kill -INT "$HTTP_PID" 2>/dev/null
	ptcp_wait_exit "$HTTP_PID" 5 || kill -KILL "$HTTP_PID" 2>/dev/null
	wait "$HTTP_PID" 2>/dev/null
	HTTP_PID=
	record "$1" "$2" "$2$1" "$(cpu_pct $((c1 - c0)) $((t1 - t0)))"
}

log "raw: $raw"
log "$(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(uname -r), wrk -t1 -c$conns -d${duration}s, body $body"
for ((r = 1; r <= rounds; r++)); do
	run_ptcp "$r" || log "round $r: ptcp failed"
	run_linux "$r" veth "$NS2" 10.98.0.2 80 "http://10.98.0.2/" ||
		log "round $r: linux veth failed"
	run_linux "$r" lo "$PTCP_NS" 127.0.0.1 8080 "http://127.0.0.1:8080/" ||
		log "round $r: linux lo failed"
done

python3 - "$raw" "$conns" "$duration" "$body" <<'EOF'
import json, statistics, sys
raw, conns, dur, body = sys.argv[1:]
runs = [json.loads(l) for l in open(raw)]
by = {}
for r in runs:
    by.setdefault(r["server"], {})[r["round"]] = r
def stat(v, fmt):
    v = [x for x in v if x is not None]
    if not v:
        return "-"
    if len(v) == 1:
        return fmt % v[0]
    return (fmt + " (" + fmt + "–" + fmt + ")") % (statistics.median(v), min(v), max(v))
base = by.get("ptcp", {})
labels = [
    ("ptcp", "ptcp-server http (net_tap, busy poll)"),
    ("veth", "linux_http (epoll), over a veth pair"),
    ("lo", "linux_http (epoll), over loopback"),
]
print()
print("HTTP keep-alive, wrk -t1 -c%s -d%ss (CPU 1), server on CPU 0, %s-byte body; "
      "median (min–max) of %d rounds; ratio per round." % (conns, dur, body,
      max([len(v) for v in by.values()] or [0])))
print()
print("| server | requests/s | ptcp ÷ this | wrk CPU % | server CPU % | errors |")
print("|---|---:|---:|---:|---:|---|")
for key, label in labels:
    if key not in by:
        continue
    rr = by[key]
    ks = sorted(rr)
    rps = [rr[k]["rps"] for k in ks if rr[k]["rps"] > 0]
    ratio = [base[k]["rps"] / rr[k]["rps"] for k in ks
             if k in base and rr[k]["rps"] > 0 and base[k]["rps"] > 0]
    wcpu = [rr[k]["wrk_cpu"] for k in ks]
    scpu = [rr[k]["server_cpu"] for k in ks]
    errs = sorted(set("%s / non-2xx %s" % (rr[k]["socket_errors"], rr[k]["non2xx"]) for k in ks))
    print("| %s | %s | %s | %s | %s | %s |" % (label, stat(rps, "%.0f"),
          stat(ratio, "%.2f×") if key != "ptcp" else "1",
          stat(wcpu, "%.0f"),
          stat(scpu, "%.0f") + (" (busy poll)" if key == "ptcp" else ""),
          "; ".join(errs)))
print()
print("raw: %s" % raw)
EOF
