#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Instructions of software steering, per steered frame and per connection
# at the server, with one and two workers (issue 7); then the model
# (tests/bench/lcores/model) with the figures measured.
#
# tests/bench/lcores/steer_inproc under valgrind --tool=callgrind
# --toggle-collect=server_passes_measured: ptcp-churn's workload on every
# client worker against ptcp-server's rr service (64-byte request and
# response) on every server worker, two stacks of W workers in one process
# over net_ring, the clock driven by hand, the test choosing each frame's
# RX queue. Four configurations of the server, WARMUP then COUNT
# connections each:
#
#   1w        one worker (no steering, no owner computed)
#   2w-rss    two workers, two RX queues, the NIC's RSS hash in the mbuf
#   2w-nohash two workers, two RX queues, each frame on its owner's queue
#             but no hash: every owner computed in software (rte_softrss)
#   2w-one    two workers, ONE RX queue: worker 0 receives every frame and
#             steers its peer's half over the SP/SC ring
#
# and the same configurations with no traffic (--idle: the cost of an empty
# pass, subtracted per pass so that the in-process clock, which gives the
# configurations different numbers of passes, does not count), plus eight
# workers idle (the cost of polling one more steering ring).
#
#   owner in software, per frame    = (2w-nohash - 2w-rss) / frames
#   steering, receiving side        = (2w-one - 2w-nohash) of worker 0 /
#                                     steered frames (its RX, the owner
#                                     computation, the enqueue)
#   steering, owner side            = the same for worker 1 (dequeue and
#                                     core_input_steered, less the RX and
#                                     owner computation it no longer does)
#
# server_pass0 and server_passn (worker 0's and the others' passes) are
# read from callgrind_annotate --inclusive=yes; Ir counts repeat to the
# instruction for the same binary and arguments.
#
# Usage: tests/bench/lcores/callgrind.sh [--build DIR] [--count N]
#        [--warmup N] [--idle P] [--closer client|server|rst] [--out DIR]
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=build
count=5000
warmup=2000
idle=2000
closer=client
outdir=$top/tests/bench/out

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--count) count=$2; shift ;;
	--warmup) warmup=$2; shift ;;
	--idle) idle=$2; shift ;;
	--closer) closer=$2; shift ;;
	--out) outdir=$2; shift ;;
	-h|--help) sed -n '3,41p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "callgrind.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case $closer in
client|server|rst) ;;
*) echo "callgrind.sh: --closer client|server|rst" >&2; exit 2 ;;
esac
[[ $build = /* ]] || build=$top/$build
command -v valgrind >/dev/null || { echo "callgrind.sh: needs valgrind" >&2; exit 1; }
ninja -C "$build" tests/bench/lcores/steer_inproc tests/bench/lcores/model >/dev/null
mkdir -p "$outdir"
bin=$build/tests/bench/lcores/steer_inproc
res=$outdir/lcores-callgrind-$closer.txt
: >"$res"

# run NAME ARGS...: one callgrind run; appends "NAME key=value..." to $res
run() {
	local name=$1 out=$outdir/lcores-callgrind-$closer-$1.out
	local log=$outdir/lcores-callgrind-$closer-$1.log line
	shift
	echo "callgrind.sh: $name: steer_inproc $*" >&2
	timeout 600 valgrind --tool=callgrind --callgrind-out-file="$out" \
		--collect-atstart=no --toggle-collect=server_passes_measured \
		"$bin" "$@" >"$log.stdout" 2>"$log"
	line=$(grep -m1 '^steer_inproc: workers=' "$log.stdout") ||
		{ echo "callgrind.sh: $name: no result (see $log)" >&2; exit 1; }
	callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null |
		awk -v name="$name" -v line="${line#steer_inproc: }" '
		/PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
		/:server_pass0 / { gsub(",", "", $1); p0 = $1 }
		/:server_passn / { gsub(",", "", $1); pn = $1 }
		/:ptcp_rss_hash / { gsub(",", "", $1); rh = $1 }
		/:core_input_steered / { gsub(",", "", $1); cs = $1 }
		END { printf "%s %s total=%d pass0=%d passn=%d rss_hash=%d steered_input=%d\n",
			name, line, total, p0, pn, rh, cs }' >>"$res"
}

common=(--count "$count" --warmup "$warmup" --closer "$closer")
run 1w --workers 1 --rxq 1 --wire one "${common[@]}"
run 2w-rss --workers 2 --rxq 2 --wire rss "${common[@]}"
run 2w-nohash --workers 2 --rxq 2 --wire rss-nohash "${common[@]}"
run 2w-one --workers 2 --rxq 1 --wire one "${common[@]}"
run idle-1w --workers 1 --rxq 1 --wire one --idle "$idle"
run idle-2w-2q --workers 2 --rxq 2 --wire rss --idle "$idle"
run idle-2w-1q --workers 2 --rxq 1 --wire one --idle "$idle"
run idle-8w --workers 8 --rxq 8 --wire rss --idle "$idle"

/usr/bin/python3 - "$res" "$build/tests/bench/lcores/model" <<'EOF'
import subprocess, sys
R = {}
for l in open(sys.argv[1]):
    f = l.split()
    R[f[0]] = {k: v for k, v in (x.split("=", 1) for x in f[1:])}
def g(n, k):
    v = R[n][k]
    try:
        return int(v)
    except ValueError:
        return v
# Empty-pass cost per tick of worker 0 and of the others, per config.
idle = {}
for n, i in (("1w", "idle-1w"), ("2w-rss", "idle-2w-2q"),
             ("2w-nohash", "idle-2w-2q"), ("2w-one", "idle-2w-1q")):
    t = g(i, "idle_ticks")
    idle[n] = (g(i, "pass0") / t, g(i, "passn") / t)
def work(n):
    w = g(n, "workers")
    ticks = g(n, "server_passes") / w
    return (g(n, "pass0") - ticks * idle[n][0],
            g(n, "passn") - ticks * idle[n][1])
print()
print("Server, closer %s, %d connections measured per configuration"
      % (R["1w"]["closer"], g("1w", "connections")))
print()
print("| configuration | Ir per connection | of which empty passes | above empty passes | worker 0 | other worker | passes per connection | frames in per connection | steered per connection | ptcp_rss_hash Ir per connection |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for n in ("1w", "2w-rss", "2w-nohash", "2w-one"):
    c = g(n, "connections")
    w0, wn = work(n)
    tot = g(n, "total")
    print("| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.3f | %.2f | %.2f | %.0f |" % (
        n, tot / c, (tot - w0 - wn) / c, (w0 + wn) / c, w0 / c, wn / c,
        g(n, "server_passes") / c, g(n, "frames_in") / c,
        g(n, "steered") / c, g(n, "rss_hash") / c))
print()
fr = g("2w-nohash", "frames_in")
hash_frame = (sum(work("2w-nohash")) - sum(work("2w-rss"))) / fr
hash_call = g("2w-nohash", "rss_hash") / fr
st = g("2w-one", "steered")
w0o, wno = work("2w-one")
w0u, wnu = work("2w-nohash")
recv = (w0o - w0u) / st
own = (wno - wnu) / st
c1 = g("1w", "connections")
multi = sum(work("2w-rss")) / g("2w-rss", "connections") - sum(work("1w")) / c1
i1 = g("idle-1w", "total") / g("idle-1w", "idle_ticks")
i2 = g("idle-2w-2q", "total") / g("idle-2w-2q", "idle_ticks")
i8 = g("idle-8w", "total") / g("idle-8w", "idle_ticks")
ring = (i8 / 8 - i1) / 7
ring2 = i2 / 2 - i1
conn = g("1w", "total") / c1
frames = g("1w", "frames_in") / c1
print("| per | Ir |")
print("|---|---:|")
print("| frame: its owner in software (2w-nohash - 2w-rss) | %.0f |" % hash_frame)
print("| call of ptcp_rss_hash (rte_softrss) | %.0f |" % hash_call)
print("| steered frame, receiving worker (RX, owner, enqueue) | %.0f |" % recv)
print("| steered frame, owner (dequeue, core_input_steered, less RX and owner) | %.0f |" % own)
print("| steered frame, the steering itself (both) | %.0f |" % (recv + own))
print("| connection: one of 2 workers with RSS, beyond empty passes (2w-rss - 1w) | %.0f |" % multi)
print("| empty pass, 1 worker | %.0f |" % i1)
print("| empty pass per worker, 2 workers / 8 workers | %.0f / %.0f |" % (i2 / 2, i8 / 8))
print("| steering ring polled empty, per pass ((8w - 1w) / 7; 2w: %.0f) | %.1f |" % (ring2, ring))
print()
args = ["--conn-ir", "%.0f" % conn, "--frames-in", "%.3f" % frames,
        "--hash-ir", "%.0f" % hash_frame, "--multi-ir", "%.0f" % multi,
        "--recv-ir", "%.0f" % recv, "--owner-ir", "%.0f" % own,
        "--ring-poll-ir", "%.1f" % ring, "--conns-per-pass", "%.2f" % (32 / frames),
        "--hash-call-ir", "%.0f" % hash_call]
print("model " + " ".join(args))
print()
sys.stdout.flush()
subprocess.run([sys.argv[2]] + args, check=True)
EOF
echo "raw: $res and $outdir/lcores-callgrind-$closer-*.out"
