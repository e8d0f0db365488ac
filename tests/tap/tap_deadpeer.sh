#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
#
# tap_deadpeer: a client that vanishes without a word (killed, its cable
# pulled) must not leave ptcp-server's connections behind: keepalive and
# the idle timeout ([server] keepalive*, idle_timeout_s) end them within
# their bound, and every TCB and mbuf comes back.
#
#   tap_deadpeer.sh PTCP_SERVER CONFIG      (meson passes both; needs root)
#
# faults_peer.py (in the namespace, the kernel's TCP) opens N = 200
# connections: half to echo (idle: ESTABLISHED on ptcp's side), a quarter
# to daytime (ptcp closed, its FIN acknowledged, none back: FIN-WAIT-2), a
# quarter to chargen (never read: ptcp probes a zero window; tcp.snd_buf
# is 64 KiB so that their send queues, 50 x 64 KiB, leave the pool room
# for the rest). Then the
# namespace's link, the kernel's side of the tap, goes down and the client
# is killed with SIGKILL, in that order: the kernel's FINs for the killed
# sockets (or RSTs) go nowhere, as when a cable is pulled or a host dies.
# The server runs with keepalive after 2 s idle, 2 probes 1 s apart (a
# silent peer is reset 4 s after its last segment) and an idle timeout of
# 5 s (FIN-WAIT-2, which keepalive does not cover). Each a PASS: or FAIL:
# line:
#   the server announces those settings ("dead peers: ...");
#   /ptcp/states (dpdk-telemetry.py) shows the N connections held;
#   after the link went down, /ptcp/states total and /ptcp/lcores conns
#   are 0 within BOUND_S = 5 + 3 s (the idle timeout, and 3 s for the
#   timer wheel, the polling and a loaded machine); once the link is up
#   again (the TX backlog held what the down link refused: the RSTs and
#   probes), /ptcp/stats mbufs_in_use is back to what it was before the
#   client connected;
#   at stop: exit 0, tcp_keepalive_drop + tcp_idle_drop = N (the
#   FIN-WAIT-2 quarter by the idle timeout), services "closed timeout" N,
#   tcp_rst_tx_timeout N, the mbufs of an idle run, no sanitizer report.
#
# On the code before [server] keepalive and idle_timeout_s, the server
# refuses the keys; with both off (server.keepalive=no,
# server.idle_timeout_s=0) the connections stay: ESTABLISHED until the
# data retries run out (minutes) or forever, FIN-WAIT-2 for
# tcp.fin_wait2_ms (60 s).
#
# Bounds: the client holds at most 120 s; every command has a timeout;
# the server stops by itself after 60 s (-d); the wait for the
# connections to go ends 1 s past the bound. About 8 s in all.
#
# Exit: 0 pass, 1 fail, 77 skip (not root, no /dev/net/tun, tools missing).
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/tap/lib.sh
. "$here/lib.sh"

ptcp_tap_args "$@"
PY=/usr/bin/python3
PEER=$here/faults_peer.py
TELEMETRY=/usr/bin/dpdk-telemetry.py
N=200
KEEP_IDLE_S=2
KEEP_INTVL_S=1
KEEP_CNT=2
IDLE_S=5
BOUND_S=$((IDLE_S + 3))

ptcp_tap_setup dead deadpeer "$PY"
if [ ! -r "$TELEMETRY" ]; then
	echo "SKIP: $TELEMETRY missing (the dpdk-dev package has it)"
	exit 77
fi

t_start=$(date +%s%N)
PEER_PID=

# The client runs under its own timeout, outside lib.sh's server sweep.
ptcp_tap_on_exit()
{
	ptcp_stop_pids "$PEER_PID"
}

# start_server DURATION: start, wait until ready, kernel side up.
start_server()
{
	ptcp_server_up "$1" --set tcp.snd_buf=65536 \
		--set "server.keepalive_idle_s=$KEEP_IDLE_S" \
		--set "server.keepalive_intvl_s=$KEEP_INTVL_S" \
		--set "server.keepalive_cnt=$KEEP_CNT" \
		--set "server.idle_timeout_s=$IDLE_S"
}

# tel: one line "total T est E fw2 F conns C mbufs M" from /ptcp/states,
# /ptcp/lcores (conns summed) and /ptcp/stats; status 1 if telemetry
# did not answer.
tel()
{
	printf '%s\n' /ptcp/states /ptcp/lcores /ptcp/stats |
		timeout -k 2 10 "$PY" "$TELEMETRY" -f "$PTCP_PREFIX" \
		>"$PTCP_DIR/tel.json" 2>&1 &&
	"$PY" - "$PTCP_DIR/tel.json" <<'EOF'
import json
import sys

r = {}
for line in open(sys.argv[1]):
    r.update(json.loads(line))
st = r["/ptcp/states"]
conns = sum(v["conns"] for v in r["/ptcp/lcores"].values())
print("total %d est %d fw2 %d conns %d mbufs %d"
      % (st["total"], st["ESTABLISHED"], st["FIN_WAIT_2"], conns,
         r["/ptcp/stats"]["mbufs_in_use"]))
EOF
}

# field LINE KEY: the number after KEY in a tel line.
field()
{
	echo "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++)
		if ($i == k) { print $(i + 1); exit } }'
}

echo "netns $PTCP_NS, iface $PTCP_IFACE, server $PTCP_SERVER"
ptcp_ns_create || { echo "FAIL: ip netns add $PTCP_NS"; exit 1; }

ptcp_idle_run

# --- the run under test -----------------------------------------------------

start_server 60
want="dead peers: keepalive after $KEEP_IDLE_S s idle, $KEEP_CNT probes"
want+=" $KEEP_INTVL_S s apart; idle timeout $IDLE_S s"
if grep -q "^ptcp-server: $want\$" "$PTCP_SRV_OUT"; then
	pass "server: $want"
else
	fail "no 'ptcp-server: $want' line"
fi
before=$(tel) || { fail "telemetry: $(cat "$PTCP_DIR/tel.json")"; exit 1; }
echo "    before: $before"

echo "== $N connections: echo (idle), daytime (FIN-WAIT-2), chargen (zero window)"
timeout -k 2 130 ip netns exec "$PTCP_NS" "$PY" "$PEER" hold "$PTCP_ADDR" \
	7 13 19 "$N" >"$PTCP_DIR/peer.out" 2>&1 &
PEER_PID=$!
for ((i = 0; i < 200; i++)); do
	grep -q '^READY' "$PTCP_DIR/peer.out" && break
	ptcp_alive "$PEER_PID" || break
	sleep 0.1
done
sed 's/^/    /' "$PTCP_DIR/peer.out"
held=$(tel)
echo "    held: $held"
if ! grep -q "^READY $N\$" "$PTCP_DIR/peer.out" ||
		[ "$(field "$held" total)" != "$N" ]; then
	fail "client: want READY $N and /ptcp/states total $N"
	ptcp_dump_server
	exit 1
fi
pass "client holds $N connections: ESTABLISHED $(field "$held" est)," \
	"FIN_WAIT_2 $(field "$held" fw2)"

echo "== link down, then SIGKILL the client"
ip netns exec "$PTCP_NS" ip link set "$PTCP_IFACE" down
t0=$(date +%s%N)
kill -KILL "$(pgrep -P "$PEER_PID")" 2>/dev/null
wait "$PEER_PID" 2>/dev/null
PEER_PID=

# Poll until every connection is gone or the bound (and 1 s) has passed;
# one telemetry round trip takes 0.1 to 0.3 s.
now=
for ((i = 0; i < BOUND_S * 10 + 10; i++)); do
	now=$(tel) || break
	[ "$(field "$now" total)" = 0 ] && [ "$(field "$now" conns)" = 0 ] &&
		break
	[ "$(ms_since "$t0")" -gt $((BOUND_S * 1000 + 1000)) ] && break
	if ((i % 5 == 0)); then
		echo "    $(ms_since "$t0") ms: $now"
	fi
	sleep 0.1
done
ms=$(ms_since "$t0")
echo "    $ms ms: $now"
if [ "$(field "$now" total)" = 0 ] && [ "$(field "$now" conns)" = 0 ] &&
		[ "$ms" -le $((BOUND_S * 1000)) ]; then
	pass "every connection gone $ms ms after the link went down" \
		"(bound $BOUND_S s): states total 0, TCBs in use 0"
else
	fail "after $ms ms: $now; want total 0, conns 0 within $BOUND_S s"
fi

# While the link is down the port refuses frames: the TX backlog
# ([lcores] tx_backlog) holds the RSTs and probes sent meanwhile, and
# offers them again once the link is back.
echo "    link down: $(field "$now" mbufs) mbufs in use (the TX backlog holds" \
	"what the link refused)"
echo "== link up again"
ip netns exec "$PTCP_NS" ip link set "$PTCP_IFACE" up
for ((i = 0; i < 50; i++)); do
	now=$(tel) || break
	[ "$(field "$now" mbufs)" = "$(field "$before" mbufs)" ] && break
	sleep 0.1
done
echo "    $now"
want_eq "mbufs in use (before the client: $(field "$before" mbufs))" \
	"$(field "$now" mbufs)" "$(field "$before" mbufs)"

# --- stop: exit status, counters ------------------------------------------

ptcp_stop_checked
ka=$(ptcp_counter tcp_keepalive_drop)
idle=$(ptcp_counter tcp_idle_drop)
want_eq "tcp_keepalive_drop ${ka:-0} + tcp_idle_drop ${idle:-0}" \
	$((${ka:-0} + ${idle:-0})) "$N"
want_ge "tcp_idle_drop (the FIN-WAIT-2 quarter)" "${idle:-0}" $((N / 4))
want_eq "tcp_rst_tx_timeout" "$(ptcp_counter tcp_rst_tx_timeout)" "$N"
want_eq "services: closed timeout" "$(awk '
	/^ptcp-server: services:/ { in_svc = 1; next }
	/^ptcp-server: / { in_svc = 0 }
	in_svc && $1 == "closed" {
		for (i = 2; i < NF; i++)
			if ($i == "timeout") { print $(i + 1); exit }
	}' "$PTCP_SRV_OUT")" "$N"
want_eq "mbufs in use at stop (idle run: $idle_mbufs)" "$(mbufs_at_stop)" \
	"$idle_mbufs"
ptcp_tap_finish tap_deadpeer
