#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
#
# tap_stat: ptcp-server's connections in known states, as its telemetry
# (/ptcp/states, /ptcp/conns through dpdk-telemetry.py) and ptcp-stat
# report them, over net_tap in a network namespace of its own. Subnet
# 10.98.80.0/24 (the kernel .1, ptcp .2, set with --set port0.address),
# apart from the other tap tests'.
#
#   tap_stat.sh PTCP_SERVER CONFIG PTCP_STAT   (meson passes them; root)
#
# stat_peer.py, in the namespace, makes and holds K ESTABLISHED (idle
# discard), M CLOSE-WAIT (echo: it sent 400000 bytes and read none, then
# its FIN; echo closes only once it has sent everything back, so ptcp's
# app holds the connection open) and N TIME-WAIT (daytime: ptcp closed
# first, the peer then). Each is confirmed from the peer's side (data and
# FIN acknowledged) before it prints READY. While it holds them, each a
# PASS: or FAIL: line:
#   the telemetry socket is /var/run/dpdk/PREFIX/dpdk_telemetry.v2;
#   /ptcp/states: all 11 states in the RFC's order, exactly ESTABLISHED K,
#   CLOSE_WAIT M, TIME_WAIT N, LISTEN the listeners the server announced,
#   every other state 0, total K+M+N;
#   /ptcp/conns,100: K+M rows, exactly the peer's connections (state, both
#   addresses and ports, lcore), total K+M, time_wait N, shown K+M;
#   ptcp-stat --states: the same counts, RFC spelling (CLOSE-WAIT);
#   ptcp-stat (summary): the TCP: lines;
#   ptcp-stat --conns 100: the same rows, and its closing line;
#   ptcp-stat --prometheus: well-formed (names, label syntax, values, one
#   HELP and TYPE per family before its samples, no family split or series
#   repeated, counters *_total and gauges not), and
#   ptcp_connections{state="..."} the same counts, no total series.
# Then the peer is released (it reads echo's data back byte-exact, closes
# the discard connections, all with FIN): the states come back to N
# TIME-WAIT and nothing else; the server stops on SIGINT with exit 0, no
# RST sent, the mbufs of an idle run, no sanitizer report.
#
# TIME-WAIT lasts 2*MSL: tcp.msl_ms is set to 30000 (60 s), far more than
# the test needs.
#
# Bounds: the peer's every step has a deadline (10 s) and it holds at most
# 30 s; every client command has a timeout; the server stops by itself
# after 60 s (-d) and is killed 15 s after that. About 3 s in all.
#
# Exit: 0 pass, 1 fail, 77 skip (not root, no /dev/net/tun, tools missing).
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/tap/lib.sh
. "$here/lib.sh"

if [ $# -ne 3 ]; then
	echo "usage: $0 PTCP_SERVER CONFIG PTCP_STAT" >&2
	exit 1
fi
PTCP_SERVER=$1
PTCP_CONFIG=$2
STAT=$3
PY=/usr/bin/python3
PEER=$here/stat_peer.py
TELEMETRY=/usr/bin/dpdk-telemetry.py
K=3     # ESTABLISHED
M=2     # CLOSE-WAIT
N=4     # TIME-WAIT
ECHO_SIZE=400000        # stat_peer.py's SIZE
MSL_MS=30000

PTCP_KERNEL_ADDR=10.98.80.1/24
PTCP_ADDR=10.98.80.2
KERNEL_ADDR=${PTCP_KERNEL_ADDR%/*}

ptcp_tap_setup stat stat "$PY"
if [ ! -r "$TELEMETRY" ]; then
	echo "SKIP: $TELEMETRY missing (the dpdk-dev package has it)"
	exit 77
fi

t_start=$(date +%s%N)
STATES="CLOSED LISTEN SYN_SENT SYN_RECEIVED ESTABLISHED CLOSE_WAIT
FIN_WAIT_1 CLOSING LAST_ACK FIN_WAIT_2 TIME_WAIT"

# start_server DURATION: start, wait until ready, kernel side up.
start_server()
{
	ptcp_server_up "$1" --set "port0.address=$PTCP_ADDR/24" \
		--set "tcp.msl_ms=$MSL_MS"
}

# telemetry CMD...: each CMD's reply through dpdk-telemetry.py, one JSON
# line each, in $PTCP_DIR/tel.json; then tel_parse's lines on stdout.
telemetry()
{
	printf '%s\n' "$@" | timeout -k 2 10 "$PY" "$TELEMETRY" \
		-f "$PTCP_PREFIX" >"$PTCP_DIR/tel.json" 2>&1 &&
		tel_parse "$PTCP_DIR/tel.json"
}

# tel_parse FILE: dpdk-telemetry.py's replies as lines the checks compare:
# "states NAME VALUE ..." (in the reply's order); "row STATE LADDR:LPORT
# RADDR:RPORT LCORE" per /ptcp/conns row; "conns total T time_wait W shown
# S busy [...]". Status 1 on a reply that is not what docs/observability.md
# says.
tel_parse()
{
	"$PY" - "$1" <<'EOF'
import json
import sys

for line in open(sys.argv[1]):
    reply = json.loads(line)
    for cmd, v in reply.items():
        if cmd == "/ptcp/states":
            print("states", " ".join("%s %s" % kv for kv in v.items()))
        elif cmd == "/ptcp/conns":
            for k in sorted((k for k in v if k.isdigit()), key=int):
                r = v[k]
                print("row %s %s:%d %s:%d %d" % (r["state"], r["laddr"],
                      r["lport"], r["raddr"], r["rport"], r["lcore"]))
            print("conns total %d time_wait %d shown %d busy %s"
                  % (v["total"], v["time_wait"], v["shown"],
                     json.dumps(v["busy_lcores"])))
        else:
            sys.exit("unexpected reply %r" % cmd)
EOF
}

# expected_states SEP: the 11 states and their expected counts, in the
# RFC's order, "-" or "_" in the names as SEP says.
expected_states()
{
	local s v out=

	for s in $STATES; do
		case $s in
		LISTEN) v=$listeners ;;
		ESTABLISHED) v=$K ;;
		CLOSE_WAIT) v=$M ;;
		TIME_WAIT) v=$N ;;
		*) v=0 ;;
		esac
		out+="${s//_/$1} $v "
	done
	echo "${out% }"
}

# expected_rows SEP: the peer's held connections as "STATE LADDR:LPORT
# RADDR:RPORT LCORE", sorted, on one line ("; " between them).
expected_rows()
{
	local p

	{
		for p in $est_ports; do
			echo "ESTABLISHED $PTCP_ADDR:9 $KERNEL_ADDR:$p 0"
		done
		for p in $cw_ports; do
			echo "CLOSE${1}WAIT $PTCP_ADDR:7 $KERNEL_ADDR:$p 0"
		done
	} | one_line
}

# one_line: sorted lines on stdin as one line, "; " between them.
one_line()
{
	sort | sed ':a; N; $!ba; s/\n/; /g'
}

# prom_check FILE: is FILE the Prometheus text format (0.0.4) as far as a
# simple reader goes? Prints "SAMPLES FAMILIES" or what is wrong (status 1).
prom_check()
{
	awk '
	function err(why) {
		if (!bad)
			print "line " NR ": " why ": " $0
		bad++
	}
	/^# HELP / {
		if ($3 in help) err("second HELP")
		if ($3 in seen) err("HELP after samples")
		help[$3] = 1
		next
	}
	/^# TYPE / {
		n = $3
		if (n in type) err("second TYPE")
		if (n in seen) err("TYPE after samples")
		if (NF != 4 || ($4 != "counter" && $4 != "gauge"))
			err("type")
		if ($4 == "counter" && n !~ /_total$/)
			err("counter not *_total")
		if ($4 == "gauge" && n ~ /_total$/)
			err("gauge named *_total")
		type[n] = $4
		families++
		next
	}
	/^#/ { err("comment"); next }
	{
		if (!match($0, /^[a-zA-Z_:][a-zA-Z0-9_:]*/)) {
			err("metric name")
			next
		}
		n = substr($0, 1, RLENGTH)
		rest = substr($0, RLENGTH + 1)
		lab = ""
		if (substr(rest, 1, 1) == "{") {
			if (!match(rest, /^\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\}/)) {
				err("labels")
				next
			}
			lab = substr(rest, 1, RLENGTH)
			rest = substr(rest, RLENGTH + 1)
		}
		if (rest !~ /^ -?[0-9]+(\.[0-9]+)?$/) err("value")
		if (!(n in type)) err("sample before its TYPE")
		if (!(n in help)) err("sample before its HELP")
		if (n != last && (n in seen)) err("family split")
		if ((n lab) in series) err("series repeated")
		series[n lab] = 1
		seen[n] = 1
		last = n
		samples++
	}
	END {
		if (!bad && samples == 0) {
			print "no samples"
			bad = 1
		}
		if (!bad)
			print samples " " families
		exit bad ? 1 : 0
	}' "$1"
}

echo "netns $PTCP_NS, iface $PTCP_IFACE, ptcp $PTCP_ADDR, prefix" \
	"$PTCP_PREFIX, server $PTCP_SERVER"
ptcp_ns_create || { echo "FAIL: ip netns add $PTCP_NS"; exit 1; }

# --- idle run: the mbufs the same configuration holds with no traffic -----

ptcp_idle_run

# --- the run under test -----------------------------------------------------

start_server 60
# One listener per service announced ("NAME on port P") and worker.
workers=$(sed -n 's/^ptcp-server: ready, \([0-9]\+\) worker.*/\1/p' \
	"$PTCP_SRV_OUT")
nsvc=$(grep -c '^ptcp-server: [a-z]\+ on port [0-9]\+' "$PTCP_SRV_OUT")
listeners=$((nsvc * ${workers:-1}))
echo "    $nsvc services, ${workers:-?} worker(s): $listeners listeners"

sock=/var/run/dpdk/$PTCP_PREFIX/dpdk_telemetry.v2
for ((i = 0; i < 50; i++)); do
	[ -S "$sock" ] && break
	sleep 0.1
done
if [ -S "$sock" ]; then
	pass "telemetry socket $sock"
else
	fail "no telemetry socket $sock"
fi

echo "== stat_peer.py: $K ESTABLISHED, $M CLOSE-WAIT, $N TIME-WAIT, held"
release=$PTCP_DIR/release
peer_out=$PTCP_DIR/peer.out
t0=$(date +%s%N)
nsx 60 "$PY" "$PEER" "$PTCP_ADDR" "$K" "$M" "$N" "$release" 30 \
	>"$peer_out" 2>&1 &
peer_pid=$!
for ((i = 0; i < 300; i++)); do
	grep -q '^READY$' "$peer_out" && break
	ptcp_alive "$peer_pid" || break
	sleep 0.1
done
sed 's/^/    /' "$peer_out"
if ! grep -q '^READY$' "$peer_out"; then
	fail "stat_peer.py not READY within 30 s"
	touch "$release"
	wait "$peer_pid"
	ptcp_dump_server
	exit 1
fi
est_ports=$(sed -n 's/^est //p' "$peer_out")
cw_ports=$(sed -n 's/^cw //p' "$peer_out")
echo "    ready after $(ms_since "$t0") ms"

# --- telemetry through dpdk-telemetry.py --------------------------------------

echo "== dpdk-telemetry.py -f $PTCP_PREFIX: /ptcp/states, /ptcp/conns,100"
tel=$(telemetry /ptcp/states /ptcp/conns,100)
sed 's/^/    /' "$PTCP_DIR/tel.json"
want_eq "/ptcp/states" "$(echo "$tel" | sed -n 's/^states //p')" \
	"$(expected_states _) total $((K + M + N))"
want_eq "/ptcp/conns rows" "$(echo "$tel" | sed -n 's/^row //p' | one_line)" \
	"$(expected_rows _)"
want_eq "/ptcp/conns" "$(echo "$tel" | sed -n 's/^conns //p')" \
	"total $((K + M)) time_wait $N shown $((K + M)) busy []"

# --- ptcp-stat ------------------------------------------------------------

echo "== ptcp-stat --file-prefix $PTCP_PREFIX --states"
out=$PTCP_DIR/stat.out
timeout -k 2 10 "$STAT" --file-prefix "$PTCP_PREFIX" --states >"$out" 2>&1
rc=$?
sed 's/^/    /' "$out"
want_eq "ptcp-stat --states (exit $rc)" \
	"$(awk 'NF == 2 && $1 != "State" { printf "%s%s %s", s, $1, $2; s = " " }' "$out")" \
	"$(expected_states -) total-LISTEN $((K + M + N))"

echo "== ptcp-stat --file-prefix $PTCP_PREFIX"
timeout -k 2 10 "$STAT" --file-prefix "$PTCP_PREFIX" >"$out" 2>&1
rc=$?
sed 's/^/    /' "$out"
want_eq "ptcp-stat summary (exit $rc)" \
	"$(sed -n '/^TCP:/,/^ *(listen/p' "$out" | paste -sd ' ' | tr -s ' ')" \
	"TCP: $((K + M + N)) (estab $K, closed 0, orphaned 0, timewait $N) (listen $listeners, synsent 0, synrecv 0, closewait $M)"

echo "== ptcp-stat --file-prefix $PTCP_PREFIX --conns 100"
timeout -k 2 10 "$STAT" --file-prefix "$PTCP_PREFIX" --conns 100 \
	>"$out" 2>&1
rc=$?
sed 's/^/    /' "$out"
want_eq "ptcp-stat --conns 100 rows (exit $rc)" \
	"$(awk '$2 ~ /:[0-9]+$/ && $3 ~ /:[0-9]+$/ { print $1, $2, $3, $4 }' \
	"$out" | one_line)" "$(expected_rows -)"
want_eq "ptcp-stat --conns 100 last line" "$(tail -n 1 "$out")" \
	"$((K + M)) shown; in all $((K + M)) connections and $N in TIME-WAIT"

echo "== ptcp-stat --file-prefix $PTCP_PREFIX --prometheus"
timeout -k 2 10 "$STAT" --file-prefix "$PTCP_PREFIX" --prometheus \
	>"$out" 2>"$PTCP_DIR/stat.err"
rc=$?
grep -A 13 'TYPE ptcp_connections ' "$out" | sed 's/^/    /'
if [ $rc -eq 0 ] && [ ! -s "$PTCP_DIR/stat.err" ] &&
		what=$(prom_check "$out"); then
	pass "ptcp-stat --prometheus: well-formed, ${what% *} samples in" \
		"${what#* } families"
else
	fail "ptcp-stat --prometheus: exit $rc, ${what:-}" \
		"$(cat "$PTCP_DIR/stat.err")"
fi
want_eq "ptcp-stat --prometheus ptcp_connections" \
	"$(sed -n 's/^ptcp_connections{state="\([^"]*\)"} \([0-9]\+\)$/\1 \2/p' \
	"$out" | paste -sd ' ')" "$(expected_states -)"

# --- release: everything closes cleanly, N TIME-WAIT stay --------------------

echo "== release the peer"
touch "$release"
ptcp_wait_exit "$peer_pid" 30
wait "$peer_pid"
rc=$?
sed -n '/^READY$/,$p' "$peer_out" | sed '1d; /^PASS: \|^FAIL: /d; s/^/    /'
if [ $rc -eq 0 ] && grep -q '^PASS: hold:' "$peer_out"; then
	pass "$(sed -n 's/^PASS: //p' "$peer_out")"
else
	fail "stat_peer.py exit $rc: $(sed -n 's/^FAIL: //p' "$peer_out")"
fi
want="$(K=0 M=0 expected_states _) total $N"
for ((i = 0; i < 50; i++)); do
	got=$(telemetry /ptcp/states | sed -n 's/^states //p')
	[ "$got" = "$want" ] && break
	sleep 0.1
done
want_eq "/ptcp/states after the release" "$got" "$want"

# --- stop -----------------------------------------------------------------

ptcp_stop_checked
want_eq "services: echo bytes" "$(svc_field echo bytes)" \
	"$((M * ECHO_SIZE))"
want_eq "services: daytime lines" "$(svc_field daytime lines)" "$N"
want_eq "services: closed normal" "$(svc_field closed normal)" \
	"$((K + M + N))"
rst_tx=$(ptcp_counter tcp_rst_tx)
want_eq "tcp_rst_tx" "${rst_tx:-0}" 0
want_eq "mbufs in use at stop (idle run: $idle_mbufs)" "$(mbufs_at_stop)" \
	"$idle_mbufs"
ptcp_tap_finish tap_stat
