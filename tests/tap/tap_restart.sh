#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
#
# tap_restart: ptcp-server killed with SIGKILL and started again while a
# Linux client holds established connections. A crash leaves the client
# half-open: it learns of it only when its next segment meets the new
# server, which knows no such connection and answers with a RST (RFC 9293
# §3.10.7.1 for a port with no connection; §3.10.7.2 for an ACK to a
# listener, here an ACK that is no SYN cookie either). And since neither
# side keeps a TIME-WAIT for a connection ended by a RST, the same
# 4-tuples can be used again at once (the new server's ISNs are RFC 6528's,
# from a new secret: nothing of the old connections is assumed).
#
#   tap_restart.sh PTCP_SERVER CONFIG      (meson passes both; needs root)
#
# faults_peer.py restart (in the namespace, the kernel's TCP) opens N = 100
# echo connections (one exchange each) and waits; the server is killed
# with SIGKILL (its tap interface goes with it, and the kernel's address
# and routes on it), started again, the kernel side configured again;
# then each connection's next segment goes out: data on a third, a FIN on
# a third, the kernel's keepalive probe on a third. Each a PASS: or FAIL:
# line:
#   the restarted server is ready;
#   faults_peer.py: every connection ends with ECONNRESET, and a new
#   connection from each of the same local ports (the same 4-tuple) is
#   made and echoes at once (no SYN retransmitted: each under 0.9 s);
#   at stop: exit 0, exactly N resets (tcp_rst_tx_bad_ack: ACKs to a
#   listener that are no SYN cookie; one per connection), N passive
#   opens, the mbufs of an idle run, no sanitizer report.
#
# This held before issue 16 too (the test passes on that code): it pins
# the behaviour, it did not find a fault.
#
# Bounds: the peer's every socket operation has a 5 s timeout and its
# wait 60 s; the server stops by itself after 60 s (-d). About 3 s.
#
# Exit: 0 pass, 1 fail, 77 skip (not root, no /dev/net/tun, tools missing).
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/tap/lib.sh
. "$here/lib.sh"

ptcp_tap_args "$@"
PY=/usr/bin/python3
PEER=$here/faults_peer.py
N=100

ptcp_tap_setup rst restart "$PY"

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
	ptcp_server_up "$1"
}

echo "netns $PTCP_NS, iface $PTCP_IFACE, server $PTCP_SERVER"
ptcp_ns_create || { echo "FAIL: ip netns add $PTCP_NS"; exit 1; }

ptcp_idle_run

# --- the first server, and the client's connections -----------------------

start_server 60
go=$PTCP_DIR/go
echo "== $N echo connections, held"
timeout -k 2 90 ip netns exec "$PTCP_NS" "$PY" "$PEER" restart \
	"$PTCP_ADDR" 7 "$N" "$go" >"$PTCP_DIR/peer.out" 2>&1 &
PEER_PID=$!
for ((i = 0; i < 200; i++)); do
	grep -q '^READY' "$PTCP_DIR/peer.out" && break
	ptcp_alive "$PEER_PID" || break
	sleep 0.1
done
if ! grep -q "^READY $N\$" "$PTCP_DIR/peer.out"; then
	sed 's/^/    /' "$PTCP_DIR/peer.out"
	fail "client: no 'READY $N'"
	exit 1
fi
pass "client holds $N echo connections"

# --- SIGKILL, and a new server ----------------------------------------------

echo "== SIGKILL the server, start it again"
# PTCP_SRV_PID is timeout's; ptcp-server is its child (ip netns exec
# execs it).
srv=$(pgrep -P "$PTCP_SRV_PID")
t0=$(date +%s%N)
kill -KILL "$srv" 2>/dev/null
wait "$PTCP_SRV_PID" 2>/dev/null
PTCP_SRV_PID=
start_server 60
pass "server killed (pid $srv) and ready again in $(ms_since "$t0") ms"

echo "== the client's next segments"
: >"$go"
for ((i = 0; i < 300; i++)); do
	ptcp_alive "$PEER_PID" || break
	sleep 0.1
done
wait "$PEER_PID"
rc=$?
PEER_PID=
grep -v '^PASS: \|^FAIL: \|^READY' "$PTCP_DIR/peer.out" | sed 's/^/    /'
if [ $rc -eq 0 ] && grep -q '^PASS: restart:' "$PTCP_DIR/peer.out"; then
	pass "$(sed -n 's/^PASS: //p' "$PTCP_DIR/peer.out")"
elif grep -q '^FAIL: restart:' "$PTCP_DIR/peer.out"; then
	fail "$(sed -n 's/^FAIL: //p' "$PTCP_DIR/peer.out")"
else
	fail "restart: faults_peer.py exited $rc without a verdict"
fi

# --- stop: exit status, counters ------------------------------------------

ptcp_stop_checked
want_eq "tcp_rst_tx_bad_ack (the old connections' segments)" \
	"$(ptcp_counter tcp_rst_tx_bad_ack)" "$N"
want_eq "tcp_passive_open (the same tuples again)" \
	"$(ptcp_counter tcp_passive_open)" "$N"
want_eq "mbufs in use at stop (idle run: $idle_mbufs)" "$(mbufs_at_stop)" \
	"$idle_mbufs"
ptcp_tap_finish tap_restart
