#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
#
# tap_data: bulk data between ptcp-server and the Linux kernel's TCP over
# net_tap, in a network namespace of its own. The subnet is 10.98.50.0/24
# (the kernel .1, ptcp .2, set with --set port0.address), not the other tap
# tests' 10.99.0.0/24, so that this test never meets them even outside its
# namespace.
#
#   tap_data.sh PTCP_SERVER CONFIG      (meson passes both; needs root)
#
# Checks, each a PASS: or FAIL: line (data_peer.py does the socket work and
# measures MB/s, 1 MB = 2^20 bytes):
#   echo 50 MB of pseudo-random bytes, sent while reading, back byte-exact
#   (sha256), then half-close and EOF; discard 50 MB, the server's FIN, no
#   RST; chargen 50 MB in the RFC 864 pattern; after each, the kernel's
#   socket is in TIME-WAIT (a RST would have removed it) and, after all
#   three, the kernel sent no RST and saw none (nstat); wrk keep-alive for
#   5 s (no socket error, no non-2xx response; skipped when wrk is missing);
#   then the server's exit status, its byte counters and the mbufs at stop.
#
# The mbuf check: "mbufs in use at stop" counts what the net_tap RX ring
# holds, so it is compared with the same line from an idle run made first
# (see tap_tcp.sh).
#
# Bounds: each transfer fails after 10 s without progress or 20 s in all
# (data_peer.py) and is killed at 45 s; the whole test takes about 20 s
# when ptcp keeps up, about 90 s at worst.
#
# Exit: 0 pass, 1 fail, 77 skip (not root, no /dev/net/tun, tools missing).
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/tap/lib.sh
. "$here/lib.sh"

ptcp_tap_args "$@"
PY=/usr/bin/python3
PEER=$here/data_peer.py
SIZE=$((50 << 20))
SEED=20260315

# lib.sh's defaults are tap.ini's 10.99.0.0/24: ours instead.
PTCP_KERNEL_ADDR=10.98.50.1/24
PTCP_ADDR=10.98.50.2
ADDR_SET=port0.address=$PTCP_ADDR/24

ptcp_tap_setup data data "$PY" ss nstat

t_start=$(date +%s%N)

# kernel_state LPORT: the state of the kernel's TCP socket with local port
# LPORT (nothing if there is none).
kernel_state()
{
	nsx 10 ss -Htan "( sport = :$1 )" | awk '{ print $1; exit }'
}

# peer CHECK ARG...: run one data_peer.py check, show its output (indented),
# count its PASS/FAIL line; on a pass, the kernel's socket must be in
# TIME-WAIT (we closed after the server's FIN; a RST would have removed it).
peer()
{
	local name=$1 lport state i

	ptcp_peer_run 45 "$@" || return 1
	lport=$(sed -n 's/^lport=//p' "$PTCP_DIR/peer.out")
	state=
	for ((i = 0; i < 20; i++)); do
		state=$(kernel_state "$lport")
		[ "$state" = TIME-WAIT ] && break
		sleep 0.1
	done
	if [ "$state" = TIME-WAIT ]; then
		pass "$name: closed cleanly, the kernel's :$lport is in TIME-WAIT"
	else
		fail "$name: the kernel's :$lport is '${state:-gone}', want" \
			"TIME-WAIT (gone: reset)"
	fi
}

# start_server DURATION: start, wait until ready, kernel side up.
start_server()
{
	ptcp_server_up "$1" --set "$ADDR_SET"
}

# kernel_mib NAME: the namespace's kernel counter NAME (nstat, absolute;
# the namespace is new, so it counts this test only).
kernel_mib()
{
	nsx 10 nstat -asz "$1" | awk -v n="$1" '$1 == n { print $2; exit }'
}

echo "netns $PTCP_NS, iface $PTCP_IFACE, ptcp $PTCP_ADDR," \
	"server $PTCP_SERVER"
ptcp_ns_create || { echo "FAIL: ip netns add $PTCP_NS"; exit 1; }

# --- idle run: the mbufs the same configuration holds with no traffic -----

ptcp_idle_run

# --- the run under test -----------------------------------------------------

start_server 150

echo "== echo $SIZE bytes, reading while sending, then half-close"
peer echo "$PTCP_ADDR" 7 "$SIZE" "$SEED"

echo "== discard $SIZE bytes, then our FIN"
peer discard "$PTCP_ADDR" 9 "$SIZE" "$((SEED + 1))"

echo "== chargen: read $SIZE bytes, then our FIN, read to EOF"
peer chargen "$PTCP_ADDR" 19 "$SIZE"

# Any RST in the three transfers, either way: the kernel counts what it
# sends (TcpOutRsts) and a RST that ended an established connection
# (TcpEstabResets); one in FIN-WAIT or TIME-WAIT the checks above saw.
rst_out=$(kernel_mib TcpOutRsts)
rst_in=$(kernel_mib TcpEstabResets)
if [ "${rst_out:-x}" = 0 ] && [ "${rst_in:-x}" = 0 ]; then
	pass "kernel: no RST in the transfers (TcpOutRsts 0, TcpEstabResets 0)"
else
	fail "kernel: TcpOutRsts '${rst_out:-}', TcpEstabResets" \
		"'${rst_in:-}', want 0 and 0$([ "$fails" -gt 0 ] &&
		echo " (a failed transfer's close() resets: see above)")"
fi
echo "    kernel: TcpRetransSegs $(kernel_mib TcpRetransSegs)," \
	"TcpExtTCPOFOQueue $(kernel_mib TcpExtTCPOFOQueue)," \
	"TcpExtTCPSackRecovery $(kernel_mib TcpExtTCPSackRecovery)," \
	"TcpExtTCPTimeouts $(kernel_mib TcpExtTCPTimeouts)"

# --- wrk: HTTP keep-alive, 32 connections, 5 s -------------------------------

wrk_check 5 "http://$PTCP_ADDR/"

# --- stop: exit status, counters ------------------------------------------

ptcp_stop_checked

want_eq "services: echo bytes" "$(svc_field echo bytes)" "$SIZE"
want_eq "services: discard bytes" "$(svc_field discard bytes)" "$SIZE"
want_ge "services: chargen bytes" "$(svc_field chargen bytes)" "$SIZE"
want_ge "services: http 200 responses (wrk counted $wrk_requests)" \
	"$(svc_field http 200)" "$wrk_requests"
# ptcp prints only counters that are not 0: nothing made it reset anyone.
rst_tx=$(ptcp_counter tcp_rst_tx)
want_eq "tcp_rst_tx" "${rst_tx:-0}" 0
want_eq "mbufs in use at stop (idle run: $idle_mbufs)" "$(mbufs_at_stop)" \
	"$idle_mbufs"
if sanitizer_report; then
	fail "sanitizer report from the server"
else
	pass "no sanitizer report"
fi
# Not checked (the stack's business), shown for whoever reads the log.
echo "    ptcp: $(for c in tcp_rexmt tcp_fast_rexmt tcp_rto tcp_recovery \
	tcp_ooo_segs tcp_ooo_drop tcp_dup_data tcp_dup_ack_tx tcp_dup_ack_rx \
	tcp_out_of_window tcp_zero_window_probe tcp_tso_segs tx_drop_full \
	tx_drop_nombuf; do printf '%s %s, ' "$c" "$(ptcp_counter "$c")"; \
	done | sed 's/ ,/ 0,/g; s/, $//')"

ptcp_tap_finish tap_data
