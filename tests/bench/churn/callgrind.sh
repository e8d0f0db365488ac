#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Instructions per connection in ptcp-server's steady state (issue 5).
#
# ptcp-server runs under valgrind --tool=callgrind on lcore 1, collecting
# only inside ptcp_lcore_poll_at() (--toggle-collect: one loop pass, RX to
# TX flush: driver, parsing, flow lookup, TCP, the rr service, timers);
# ptcp-churn runs natively on lcore 0 over net_memif at concurrency 64, far
# faster than the server under valgrind, so that every pass has work. After
# WARMUP seconds the counters are zeroed (callgrind_control -z), after
# MEASURE more they are dumped (callgrind_control -d) while the load still
# runs: the dump holds only steady-state passes. Connections in the window
# are the calls of the rr service's accept callback (rr_accepted) in the
# same dump, so Ir and connections come from exactly the same passes.
#
#   Ir/connection = Ir inclusive of ptcp_lcore_poll_at / calls of rr_accepted
#
# Prints that, passes per connection and the top functions (exclusive and
# inclusive); keeps the dump in tests/bench/out/callgrind-CLOSER.out for
# callgrind_annotate / kcachegrind.
#
# Usage: tests/bench/churn/callgrind.sh [--build DIR] [--closer client|server|rst]
#        [--warmup S] [--measure S] [--concurrency C] [--no-build]
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=build
closer=client
warmup=10
measure=20
concurrency=64
do_build=1
outdir=$top/tests/bench/out

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--closer) closer=$2; shift ;;
	--warmup) warmup=$2; shift ;;
	--measure) measure=$2; shift ;;
	--concurrency) concurrency=$2; shift ;;
	--no-build) do_build=0 ;;
	-h|--help) sed -n '3,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "callgrind.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case $closer in
client|rst) rr_close=client ;;
server) rr_close=server ;;
*) echo "callgrind.sh: --closer client|server|rst" >&2; exit 2 ;;
esac
[[ $build = /* ]] || build=$top/$build

# shellcheck source=SCRIPTDIR/lib.sh
. "$top/tests/bench/churn/lib.sh"

command -v valgrind >/dev/null || churn_die "needs valgrind"
command -v callgrind_control >/dev/null || churn_die "needs callgrind_control"
if [ "$do_build" = 1 ]; then
	ninja -C "$build" app/server/ptcp-server app/churn/ptcp-churn >/dev/null
fi
churn_setup
mkdir -p "$outdir"
cgout=$CHURN_TMP/callgrind.out

# Under valgrind the memif handshake sometimes does not complete (the
# client gives up on the slow server and the link stays down): check that
# connections complete during the warm-up, else start both again (6 tries).
start_pair() {
	local eal ceal
	rm -f "$CHURN_TMP/memif.sock" "$cgout".*
	mapfile -t eal < <(churn_eal 1 server srv)
	srvlog=$CHURN_TMP/srv.log
	valgrind --tool=callgrind --callgrind-out-file="$cgout" \
		--collect-atstart=no --toggle-collect=ptcp_lcore_poll_at \
		"$build/app/server/ptcp-server" "${eal[@]}" -- \
		-c "$CHURN_SRV_INI" --set "server.rr_close=$rr_close" \
		>"$srvlog" 2>&1 &
	vpid=$!
	CHURN_PIDS+=("$vpid")
	if ! churn_wait_line "$srvlog" 'ptcp-server: ready' 120 "$vpid"; then
		tail -20 "$srvlog" >&2
		churn_die "ptcp-server did not start under valgrind"
	fi
	ip=$(sed -n 's/^ptcp-server: port0 [^ ]* \([0-9.]*\)\/.*/\1/p' "$srvlog")
	port=$(sed -n 's/^ptcp-server: rr on port \([0-9]*\).*/\1/p' "$srvlog")
	port=${port:-5001}
	churn_log "ptcp-server (pid $vpid) under callgrind; load: ptcp-churn --concurrency $concurrency --closer $closer"
	mapfile -t ceal < <(churn_eal 0 client cli)
	total=$((warmup + measure + 15))
	timeout -s INT -k 5 $((total + 10)) "$build/app/churn/ptcp-churn" \
		"${ceal[@]}" -- -c "$CHURN_CLI_INI" --server "$ip:$port" \
		--concurrency "$concurrency" --closer "$closer" \
		--duration "$total" --max-failures 1000000000 \
		--json >"$CHURN_TMP/cli.json" 2>"$CHURN_TMP/cli.err" &
	cpid=$!
	CHURN_PIDS+=("$cpid")
	sleep "$warmup"
	# the last progress line: "  9.0 s  cps  N  est N  ok N ..."
	ok=$(sed -n 's/.* ok *\([0-9]*\) .*/\1/p' "$CHURN_TMP/cli.err" | tail -1)
	[ "${ok:-0}" -gt 0 ]
}

for try in 1 2 3 4 5 6; do
	start_pair && break
	churn_log "try $try: no connection completed in the warm-up (memif link down under valgrind?); again"
	churn_stop "$cpid" 10
	churn_stop "$vpid" 30
	[ "$try" != 6 ] || churn_die "gave up after 6 tries"
done

churn_log "warm-up done ($warmup s, $ok connections): zeroing the counters"
callgrind_control -z "$vpid" >/dev/null
sleep "$measure"
churn_log "measured $measure s: dumping"
callgrind_control -d "$vpid" >/dev/null
# the dump is written by the server's thread: wait for the file
for _ in $(seq 100); do
	ls "$cgout".* >/dev/null 2>&1 && break
	sleep 0.2
done
churn_stop "$cpid" 10
churn_stop "$vpid" 60
dump=$(find "$CHURN_TMP" -name 'callgrind.out.*' | sort | head -1)
[ -n "$dump" ] || churn_die "no callgrind dump"
cp "$dump" "$outdir/callgrind-$closer.out"
grep -v '^==\|EAL\|TELEMETRY\|mp action' "$CHURN_TMP/cli.err" | tail -3 >&2 || true

# Inclusive Ir of the poll function and the call counts, from the dump.
ann=$CHURN_TMP/ann.txt
callgrind_annotate --inclusive=yes --threshold=100 "$dump" >"$ann.incl"
callgrind_annotate --threshold=100 "$dump" >"$ann"
python3 - "$dump" "$ann" "$ann.incl" "$closer" <<'EOF'
import re, sys
dump, ann, incl, closer = sys.argv[1:]
# call counts: "calls=N ..." lines following "cfn=(id) name" in the dump
names, calls = {}, {}
cur = None
for line in open(dump):
    m = re.match(r'c?fn=\((\d+)\)(?: (.*))?', line)
    if m:
        if m.group(2):
            names[m.group(1)] = m.group(2).strip()
        if line.startswith('cfn='):
            cur = names.get(m.group(1))
        continue
    m = re.match(r'calls=(\d+)', line)
    if m and cur:
        calls[cur] = calls.get(cur, 0) + int(m.group(1))
def ir_of(path, fn):
    for line in open(path):
        m = re.match(r'\s*([\d,]+) \(\s*[\d.]+%\)\s+\S*:(\S+)', line)
        if m and m.group(2) == fn:
            return int(m.group(1).replace(',', ''))
    return 0
total = 0
for line in open(ann):
    m = re.match(r'\s*([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS', line)
    if m:
        total = int(m.group(1).replace(',', ''))
poll = ir_of(incl, 'ptcp_lcore_poll_at') or total
conns = calls.get('rr_accepted', 0)
passes = calls.get('ptcp_lcore_poll_at', 0)
print()
print("closer %s: Ir collected %d (in ptcp_lcore_poll_at %d), connections %d "
      "(rr_accepted calls), loop passes %d" % (closer, total, poll, conns, passes))
if conns:
    print("Ir per connection: %.0f   (passes per connection %.3f)"
          % (poll / conns, passes / conns))
print()
def top(path, title, n):
    print(title)
    print("| Ir/conn | % | function |")
    print("|---:|---:|---|")
    k = 0
    for line in open(path):
        m = re.match(r'\s*([\d,]+) \(\s*([\d.]+)%\)\s+(\S*):(\S+)(?: \[(.*)\])?', line)
        if not m or 'PROGRAM TOTALS' in line:
            continue
        ir = int(m.group(1).replace(',', ''))
        lib = (m.group(5) or '').rsplit('/', 1)[-1]
        print("| %.0f | %s | %s%s |" % (ir / max(conns, 1), m.group(2), m.group(4),
                                       " (%s)" % lib if lib and 'ptcp-server' not in lib else ""))
        k += 1
        if k == n:
            break
    print()
top(ann, "Top functions, exclusive (self) cost:", 20)
top(incl, "Top functions, inclusive cost:", 25)
EOF
churn_log "dump: $outdir/callgrind-$closer.out (callgrind_annotate it for more)"
