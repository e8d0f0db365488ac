#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
#
# tap_reorder: ptcp against the Linux kernel's TCP over a path that
# reorders and duplicates segments. reorder_fwd.py (beside this file)
# stands between the two, in the namespace: the kernel's TCP talks through
# a tap of the forwarder's own (the kernel's address, 10.98.110.1/24), the
# forwarder passes each frame on to ptcp's net_tap (its kernel end has no
# address) and back, holding DELAY_PCT % of the TCP frames 1-4 ms while
# the next ones pass (reordering) and sending DUP_PCT % twice, each way.
# Nothing is lost.
#
#   tap_reorder.sh PTCP_SERVER CONFIG   (meson passes both; needs root)
#
# Checks, each a PASS: or FAIL: line (lossy_peer.py does the socket work):
#   echo: 50 MB of pseudo-random bytes, sent while reading, then
#   half-close: exactly the bytes back (sha256), EOF;
#   both: 50 MB each way at once (discard and chargen on two connections);
#   the forwarder reordered and duplicated frames each way (its counts);
#   ptcp saw it: tcp_ooo_segs > 0 (out-of-order data queued) and
#   tcp_dup_data > 0 (duplicates dropped); server exit 0, no connection
#   ended by a reset or a time-out (a RST that answers a duplicate
#   arriving after its connection closed is right, and counted
#   tcp_no_conn_rst), mbufs at stop as an idle run's, no sanitizer
#   report. ptcp's
#   retransmission and reordering counters and the kernel's are printed.
#
# Sizes: 50 MB, in the ASan tree too.
# Bounds: a transfer fails after 20 s with no progress or 100 s in all;
# about 55 s in all (ptcp takes reordering for loss: every segment held
# back past three others is a fast retransmit and a halved window).
#
# Exit: 0 pass, 1 fail, 77 skip (not root, no /dev/net/tun, tools missing).
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/tap/lib.sh
. "$here/lib.sh"

ptcp_tap_args "$@"
PY=/usr/bin/python3
PEER=$here/lossy_peer.py
FWD=$here/reorder_fwd.py
DELAY_PCT=${DELAY_PCT:-3}
DUP_PCT=${DUP_PCT:-2}
SIZE=$((50 << 20))
SEED=20261208

PTCP_KERNEL_ADDR=10.98.110.1/24
PTCP_ADDR=10.98.110.2
ADDR_SET=port0.address=$PTCP_ADDR/24

ptcp_tap_setup r reorder "$PY" nstat
KTAP=${PTCP_IFACE:0:13}k
fwd_pid=

ptcp_tap_on_exit()
{
	ptcp_stop_pids "$fwd_pid"
	fwd_pid=
}

t_start=$(date +%s%N)

start_server()
{
	ptcp_server_ready "$1" --set "$ADDR_SET"
}

kernel_mib()
{
	nsx 10 nstat -asz "$1" | awk -v n="$1" '$1 == n { print $2; exit }'
}

echo "netns $PTCP_NS, ptcp's iface $PTCP_IFACE, the kernel's $KTAP," \
	"ptcp $PTCP_ADDR, server $PTCP_SERVER"
ptcp_ns_create || { echo "FAIL: ip netns add $PTCP_NS"; exit 1; }

ptcp_idle_run

start_server 300
echo "started: ${PTCP_SRV_CMD[*]}"
fwd_out=$PTCP_DIR/fwd.out
timeout -k 2 250 ip netns exec "$PTCP_NS" "$PY" "$FWD" "$KTAP" \
	"$PTCP_IFACE" "$DELAY_PCT" "$DUP_PCT" "$SEED" 240 \
	>"$fwd_out" 2>&1 </dev/null &
fwd_pid=$!
for ((i = 0; i < 100; i++)); do
	grep -q '^ready' "$fwd_out" && break
	ptcp_alive "$fwd_pid" || break
	sleep 0.1
done
if ! grep -q '^ready' "$fwd_out"; then
	echo "FAIL: reorder_fwd.py not ready"
	cat "$fwd_out"
	exit 1
fi
# ptcp's tap: up, no address (the kernel's TCP is on KTAP, behind us)
for ifc in "$PTCP_IFACE" "$KTAP"; do
	nsx 5 sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1"
done
if ! nsx 5 ip link set "$PTCP_IFACE" up ||
		! nsx 5 ip addr add "$PTCP_KERNEL_ADDR" dev "$KTAP" ||
		! nsx 5 ip link set "$KTAP" up; then
	echo "FAIL: configuring $PTCP_IFACE and $KTAP"
	exit 1
fi
echo "reorder_fwd: $DELAY_PCT % of TCP frames held 1-4 ms, $DUP_PCT %" \
	"sent twice, each way"

echo "== echo $SIZE bytes, reading while sending, then half-close"
ptcp_peer_run 120 echo "$PTCP_ADDR" "$SIZE" "$SEED"

echo "== $SIZE bytes each way at once: discard and chargen"
ptcp_peer_run 120 both "$PTCP_ADDR" "$SIZE" "$((SEED + 1))"

ptcp_stop_pids "$fwd_pid"
fwd_pid=
v=$(sed -n 's/^reorder_fwd: //p' "$fwd_out")
echo "    reorder_fwd: ${v:-no summary}"
read -r tp_n tp_del tp_dup tk_n tk_del tk_dup < <(echo "$v" |
	sed -n 's/^to_ptcp \([0-9]*\) delayed \([0-9]*\) duplicated \([0-9]*\).*; to_kernel \([0-9]*\) delayed \([0-9]*\) duplicated \([0-9]*\).*/\1 \2 \3 \4 \5 \6/p')
echo "    frames forwarded: ${tp_n:-?} to ptcp, ${tk_n:-?} to the kernel"
want_ge "reorder_fwd: frames to ptcp delayed" "${tp_del:-}" 1
want_ge "reorder_fwd: frames to ptcp duplicated" "${tp_dup:-}" 1
want_ge "reorder_fwd: frames to the kernel delayed" "${tk_del:-}" 1
want_ge "reorder_fwd: frames to the kernel duplicated" "${tk_dup:-}" 1
if grep -q 'send_errors' "$fwd_out"; then
	fail "reorder_fwd: send errors (frames lost in the forwarder)"
fi

ptcp_stop_checked
want_eq "services: echo bytes" "$(svc_field echo bytes)" "$SIZE"
want_eq "services: discard bytes" "$(svc_field discard bytes)" "$SIZE"
want_ge "services: chargen bytes" "$(svc_field chargen bytes)" "$SIZE"
want_ge "ptcp tcp_ooo_segs (out-of-order data queued)" \
	"$(ptcp_counter tcp_ooo_segs)" 1
want_ge "ptcp tcp_dup_data (duplicate data dropped)" \
	"$(ptcp_counter tcp_dup_data)" 1
# (a RST answers a duplicate that comes after its connection is gone:
# tcp_no_conn_rst; none may end a connection)
want_eq "closed by reset" "$(svc_field closed reset)" 0
want_eq "closed by timeout" "$(svc_field closed timeout)" 0
want_eq "mbufs in use at stop (idle run: $idle_mbufs)" "$(mbufs_at_stop)" \
	"$idle_mbufs"
echo "    ptcp-server: $(for c in tcp_rexmt tcp_fast_rexmt tcp_sack_rexmt \
	tcp_recovery tcp_rto tcp_ooo_segs tcp_ooo_drop tcp_dup_data \
	tcp_dup_ack_tx tcp_dup_ack_rx tcp_sack_blocks_tx tcp_out_of_window; do
	printf '%s %s, ' "$c" "$(ptcp_counter "$c")"; done |
	sed 's/ ,/ 0,/g; s/, $//')"
echo "    kernel: TcpRetransSegs $(kernel_mib TcpRetransSegs)," \
	"TcpExtTCPOFOQueue $(kernel_mib TcpExtTCPOFOQueue)," \
	"TcpExtTCPDSACKRecv $(kernel_mib TcpExtTCPDSACKRecv)," \
	"TcpExtTCPDSACKOldSent $(kernel_mib TcpExtTCPDSACKOldSent)," \
	"TcpExtTCPSACKReorder $(kernel_mib TcpExtTCPSACKReorder)," \
	"TcpExtTCPTimeouts $(kernel_mib TcpExtTCPTimeouts)"

ptcp_tap_finish tap_reorder
