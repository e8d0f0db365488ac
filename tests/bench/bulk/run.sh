#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Bulk transfer, ptcp vs the Linux kernel, side by side in one run.
#
# One TCP connection, DURATION seconds of data (after 1 MiB of warm-up),
# sender and receiver in one process:
#   ptcp zc     bulk_inproc --mode zc: two ptcp stacks over net_ring, one
#               thread on CPU 0 (EAL -l 0) alternating their loop passes,
#               ptcp_send_mbuf() of 1448-byte mbufs filled once at start
#   ptcp copy   bulk_inproc --mode copy: ptcp_send() of 64 KiB per call
#   linux 1c    linux_bulk --cpus 0,0: blocking send()/recv() of 256 KiB,
#               sender and receiver threads both on CPU 0, loopback
#               (MTU 65536) in a fresh network namespace (default sysctls)
#   linux 1c 1500   the same with the namespace's lo at MTU 1500, the MTU
#               ptcp's net_ring ports have
#   linux 2c    linux_bulk --cpus 0,1: the two threads on two CPUs
# Alternating in that order for ROUNDS rounds. Ratios are taken per round
# against ptcp zc of the same round (ptcp zc's Gbit/s over this one's, and
# this one's CPU per byte over ptcp zc's: above 1 means ptcp does better);
# the table gives median (min-max).
# CPU ns/byte: getrusage() user+system over the measured window (plus
# ksoftirqd's time for Linux), divided by the bytes of the window; for
# ptcp the thread busy-polls, so that is its wall time.
#
# Prints a markdown table ready to paste; raw results, one JSON line per
# run, go to tests/bench/out/bulk-DATE.jsonl. Needs root (netns); about
# (DURATION + 1.5 s) x 5 per round: ~70 s at the defaults.
#
# Usage: tests/bench/bulk/run.sh [--build DIR] [--rounds N] [--duration S]
#   [--only LIST] [--verify] [--no-build] [--out DIR]
#   LIST: comma-separated of zc,copy,linux1,linux1500,linux2
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=build
rounds=3
duration=3
only=zc,copy,linux1,linux1500,linux2
verify=
do_build=1
outdir=$top/tests/bench/out

usage() { sed -n '3,32p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--rounds) rounds=$2; shift ;;
	--duration) duration=$2; shift ;;
	--only) only=$2; shift ;;
	--verify) verify=--verify ;;
	--no-build) do_build=0 ;;
	--out) outdir=$2; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
[[ $build = /* ]] || build=$top/$build
bin=$build/tests/bench/bulk
log() { printf 'run.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
[ "$(nproc)" -ge 2 ] || die "needs two cores"
if [ "$do_build" = 1 ]; then
	ninja -C "$build" tests/bench/bulk/bulk_inproc \
		tests/bench/bulk/linux_bulk >/dev/null
fi
mkdir -p "$outdir"
raw=$outdir/bulk-$(date +%Y%m%d-%H%M%S).jsonl
tmp=$(mktemp -d /tmp/ptcp-bulk.XXXXXX)
NS=
cleanup() {
	[ -z "$NS" ] || ip netns del "$NS" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
limit=$((${duration%.*} + 60))

# "prog: k v k v ..." -> {"k": v, ...}
kv_json() {
	python3 -c '
import json, sys
line = sys.stdin.read().split(":", 1)[1].split()
d = {}
for k, v in zip(line[0::2], line[1::2]):
    try:
        d[k] = float(v) if "." in v else int(v)
    except ValueError:
        d[k] = v
print(json.dumps(d))'
}

# run_ptcp MODE: bulk_inproc's line as JSON in $tmp/result
run_ptcp() {
	local out=$tmp/ptcp.out rc=0

	timeout -k 5 "$limit" "$bin/bulk_inproc" --mode "$1" \
		--duration "$duration" $verify >"$out" 2>"$tmp/ptcp.err" || rc=$?
	cat "$tmp/ptcp.err" >&2
	grep '^mbufs:' "$out" >&2 || true
	if [ "$rc" != 0 ] || ! grep -q '^mbufs: .*all returned' "$out"; then
		log "bulk_inproc --mode $1 failed (exit $rc)"
		return 1
	fi
	grep '^bulk_inproc:' "$out" | kv_json >"$tmp/result"
}

# run_linux CPUS MTU: linux_bulk's line as JSON, in a fresh netns
run_linux() {
	local rc=0

	NS=ptcpbulk$$
	ip netns add "$NS" || return 1
	ip netns exec "$NS" ip link set lo mtu "$2" up
	ip netns exec "$NS" timeout -k 5 "$limit" "$bin/linux_bulk" \
		--cpus "$1" --duration "$duration" $verify \
		>"$tmp/linux.out" 2>&1 || rc=$?
	ip netns del "$NS"
	NS=
	if [ "$rc" != 0 ]; then
		cat "$tmp/linux.out" >&2
		log "linux_bulk --cpus $1 (lo mtu $2) failed (exit $rc)"
		return 1
	fi
	grep '^linux_bulk:' "$tmp/linux.out" | kv_json >"$tmp/result"
}

log "raw results: $raw"
log "$(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(uname -r)"
fails=0
for ((r = 1; r <= rounds; r++)); do
	for cfg in zc copy linux1 linux1500 linux2; do
		[[ ",$only," == *",$cfg,"* ]] || continue
		load=$(cut -d' ' -f1-3 /proc/loadavg)
		: >"$tmp/result"
		case $cfg in
		zc|copy) run_ptcp "$cfg" || fails=$((fails + 1)) ;;
		linux1) run_linux 0,0 65536 || fails=$((fails + 1)) ;;
		linux1500) run_linux 0,0 1500 || fails=$((fails + 1)) ;;
		linux2) run_linux 0,1 65536 || fails=$((fails + 1)) ;;
		esac
		res=$(cat "$tmp/result")
		[ -n "$res" ] || res='{"gbps":0,"error":"failed"}'
		printf '{"round":%d,"config":"%s","loadavg":"%s","result":%s}\n' \
			"$r" "$cfg" "$load" "$res" >>"$raw"
		log "round $r/$rounds $cfg (load $load): $(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("%.2f Gbit/s, %.3f CPU ns/byte" % (d.get("gbps", 0), d.get("cpu_ns_per_byte", 0)))' "$res")"
	done
done

python3 - "$raw" "$duration" "$rounds" <<'EOF'
import json, statistics, sys
raw, dur, nrounds = sys.argv[1:]
runs = [json.loads(l) for l in open(raw)]
res = {}
for r in runs:
    if r["result"].get("gbps", 0) > 0:
        res.setdefault(r["config"], {})[r["round"]] = r["result"]
names = [
    ("zc", "ptcp → ptcp, zero copy (`ptcp_send_mbuf`), net_ring", "1 (both stacks, one thread)"),
    ("copy", "ptcp → ptcp, copy (`ptcp_send`, 64 KiB), net_ring", "1 (both stacks, one thread)"),
    ("linux1", "Linux → Linux, `send`/`recv` 256 KiB, loopback MTU 65536", "1 (two threads on CPU 0)"),
    ("linux1500", "Linux → Linux, the same, loopback MTU 1500", "1 (two threads on CPU 0)"),
    ("linux2", "Linux → Linux, loopback MTU 65536", "2 (sender CPU 0, receiver CPU 1)"),
]
def stat(v, fmt):
    if not v:
        return "-"
    if len(v) == 1:
        return fmt % v[0]
    return (fmt + " (" + fmt + "–" + fmt + ")") % (statistics.median(v), min(v), max(v))
base = res.get("zc", {})
print()
print("Bulk transfer, one connection, %s s per run after 1 MiB of warm-up, "
      "%s rounds; median (min–max) over rounds; ratios per round against "
      "ptcp zero copy of the same round." % (dur, nrounds))
print()
print("| sender → receiver | cores | Gbit/s | CPU ns/byte | ptcp zc Gbit/s ÷ this | this CPU/byte ÷ ptcp zc |")
print("|---|---|---:|---:|---:|---:|")
for key, label, cores in names:
    if key not in res:
        continue
    rr = res[key]
    g = [rr[k]["gbps"] for k in sorted(rr)]
    c = [rr[k]["cpu_ns_per_byte"] for k in sorted(rr)]
    rg = [base[k]["gbps"] / rr[k]["gbps"] for k in sorted(rr) if k in base]
    rc = [rr[k]["cpu_ns_per_byte"] / base[k]["cpu_ns_per_byte"]
          for k in sorted(rr) if k in base and base[k]["cpu_ns_per_byte"] > 0]
    if key == "zc":
        rg = rc = None
    print("| %s | %s | %s | %s | %s | %s |" % (label, cores, stat(g, "%.2f"),
          stat(c, "%.3f"), stat(rg, "%.2f×") if rg is not None else "1",
          stat(rc, "%.2f×") if rc is not None else "1"))
print()
extra = []
for key in ("zc", "copy"):
    for k, d in sorted(res.get(key, {}).items()):
        extra.append("%s r%d: %d data segs, %d ACKs (%.2f segs/ACK), rexmt %d, "
                     "CPU %.2f s in %.2f s"
                     % (key, k, d.get("segs_a", 0), d.get("segs_b", 0),
                        d.get("segs_a", 0) / max(1, d.get("segs_b", 1)),
                        d.get("rexmt", 0), d.get("cpu_s", 0), d.get("seconds", 0)))
for key in ("linux1", "linux1500", "linux2"):
    for k, d in sorted(res.get(key, {}).items()):
        extra.append("%s r%d: user %.2f s, sys %.2f s, ksoftirqd %.2f s in %.2f s, MSS %s"
                     % (key, k, d.get("user_s", 0), d.get("sys_s", 0),
                        d.get("ksoftirqd_s", 0), d.get("seconds", 0), d.get("mss", "?")))
for e in extra:
    print("    " + e)
print()
print("raw: %s" % raw)
EOF
[ "$fails" = 0 ] || die "$fails runs failed"
