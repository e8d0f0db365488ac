#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
#
# tap_tcp: ptcp-server's TCP services against the Linux kernel as the peer,
# over net_tap in a network namespace of its own. The kernel (10.99.0.1) and
# ptcp (10.99.0.2) have different addresses, so the kernel never sees, let
# alone resets, ptcp's connections.
#
#   tap_tcp.sh PTCP_SERVER CONFIG      (meson passes both; needs root)
#
# Checks, each a PASS: or FAIL: line (tcp_peer.py does the socket work):
#   curl GET; we close first (kernel TIME-WAIT); ptcp closes first (daytime,
#   no kernel TIME-WAIT); data after ptcp closed draws a RST (ECONNRESET);
#   1 MB echo with half-close; our RST (SO_LINGER 0); ECONNREFUSED on a
#   closed port; chargen pattern; 431; ab 1000 sequential connections and
#   2000 keep-alive requests; then the server's exit and counters.
#
# The mbuf check: "mbufs in use at stop" counts what the net_tap RX ring
# holds (one per descriptor, ~1023), so it is compared with the same line
# from an idle run of the same configuration made first: it must be equal
# (no mbuf leaked by any connection).
#
# Exit: 0 pass, 1 fail, 77 skip (not root, no /dev/net/tun, tools missing).
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/tap/lib.sh
. "$here/lib.sh"

ptcp_tap_args "$@"
PY=/usr/bin/python3
PEER=$here/tcp_peer.py

ptcp_tap_setup c tcp "$PY" curl ab ss

t_start=$(date +%s%N)

# peer CHECK ARG...: one tcp_peer.py check (lib.sh's ptcp_peer_run).
peer()
{
	ptcp_peer_run 60 "$@"
}

# kernel_sockets LPORT: the kernel's TCP sockets with local port LPORT,
# one "STATE PEER" line each.
kernel_sockets()
{
	nsx 10 ss -Htan "( sport = :$1 )" | awk '{ print $1, $5 }'
}

# svc_closed KEY: the number after KEY on the services' "closed" line.
svc_closed()
{
	awk -v k="$1" '
		/^ptcp-server: services:/ { in_svc = 1; next }
		/^ptcp-server: / { in_svc = 0 }
		in_svc && $1 == "closed" {
			for (i = 2; i < NF; i++)
				if ($i == k) { print $(i + 1); exit }
		}' "$PTCP_SRV_OUT"
}

# start_server DURATION: start, wait until ready, kernel side up.
start_server()
{
	ptcp_server_up "$1"
}

echo "netns $PTCP_NS, iface $PTCP_IFACE, server $PTCP_SERVER"
ptcp_ns_create || { echo "FAIL: ip netns add $PTCP_NS"; exit 1; }

# --- idle run: the mbufs the same configuration holds with no traffic -----

start_server 30
# let the kernel's own first packets (IPv6 router solicitations, ...) pass
sleep 0.5
ptcp_server_stop 20
rc=$?
idle_mbufs=$(mbufs_at_stop)
if [ $rc -ne 0 ] || [ -z "$idle_mbufs" ]; then
	echo "FAIL: idle run: exit status $rc, mbufs in use '${idle_mbufs}'"
	ptcp_dump_server
	exit 1
fi
echo "idle run: exit 0, mbufs in use at stop: $idle_mbufs"

# --- the run under test -----------------------------------------------------

start_server 150
body_len=$(sed -n 's/^ptcp-server: http on port 80 (body \([0-9]\+\) bytes.*/\1/p' \
	"$PTCP_SRV_OUT")
head_limit=$(sed -n 's/^ptcp-server: http on port 80 .*request head limit \([0-9]\+\)).*/\1/p' \
	"$PTCP_SRV_OUT")
if [ -z "$body_len" ] || [ -z "$head_limit" ]; then
	echo "FAIL: no 'http on port 80 (body N bytes, request head limit N)'" \
		"line (tap_tcp.sh expects config/tap.ini's defaults)"
	ptcp_dump_server
	exit 1
fi
url=http://$PTCP_ADDR/

echo "== curl GET $url"
t0=$(date +%s%N)
out=$(nsx 20 curl -sS -m 10 -o "$PTCP_DIR/body" \
	-w '%{http_code} %{size_download}' "$url" 2>&1)
echo "    $out"
if [ "$out" = "200 $body_len" ] &&
		[ "$(tr -d x <"$PTCP_DIR/body" | wc -c)" -eq 0 ]; then
	pass "curl: 200, $body_len-byte body of x ($(ms_since "$t0") ms)"
else
	fail "curl: '$out', want '200 $body_len' and a body of x"
fi

echo "== we close first: HTTP/1.1 keep-alive, read the response, close()"
if peer http-close-first "$PTCP_ADDR" 80 "$body_len"; then
	lport=$(sed -n 's/^lport=//p' "$PTCP_DIR/peer.out")
	# ptcp's FIN (it closes once it saw ours) puts the kernel in TIME-WAIT
	state=
	for ((i = 0; i < 50; i++)); do
		state=$(kernel_sockets "$lport")
		[ "${state%% *}" = TIME-WAIT ] && break
		sleep 0.1
	done
	echo "    kernel socket :$lport: ${state:-none}"
	if [ "${state%% *}" = TIME-WAIT ]; then
		pass "kernel closed first: its side of :$lport is in TIME-WAIT"
	else
		fail "kernel side of :$lport is '${state:-gone}', want TIME-WAIT"
	fi
fi

echo "== ptcp closes first: daytime"
if peer daytime "$PTCP_ADDR" 13; then
	lport=$(sed -n 's/^lport=//p' "$PTCP_DIR/peer.out")
	# our FIN after ptcp's: LAST-ACK until ptcp ACKs it, then gone
	state=
	for ((i = 0; i < 50; i++)); do
		state=$(kernel_sockets "$lport")
		[ -z "$state" ] && break
		[ "${state%% *}" = TIME-WAIT ] && break
		sleep 0.1
	done
	if [ -z "$state" ]; then
		pass "ptcp closed first: the kernel's side of :$lport is gone" \
			"(LAST-ACK acknowledged, no TIME-WAIT)"
	else
		fail "kernel side of daytime :$lport is '$state', want gone"
	fi
fi

echo "== data after ptcp closed (daytime): ptcp resets, we see it"
peer daytime-reset "$PTCP_ADDR" 13

echo "== echo 1 MiB with half-close"
peer echo "$PTCP_ADDR" 7 1048576 20261121

echo "== abortive close by the kernel: SO_LINGER {1, 0} on discard"
peer abort "$PTCP_ADDR" 9

echo "== connect to a closed port"
peer refused "$PTCP_ADDR" 4444

echo "== chargen: 200 KiB, then half-close, read to EOF"
peer chargen "$PTCP_ADDR" 19 204800

echo "== HTTP request head of $((head_limit + 1)) bytes (limit $head_limit)"
peer http-431 "$PTCP_ADDR" 80 "$head_limit"

ab_check "1000 sequential connections" 1000 -n 1000 -c 1 "$url"
ab_check "2000 keep-alive requests, 8 at a time" 2000 -k -n 2000 -c 8 "$url"

# --- stop: exit status, counters ------------------------------------------

ptcp_stop_checked

# ptcp prints only counters that are not 0
want_ge "tcp_rst_rx (our SO_LINGER 0 close)" "$(ptcp_counter tcp_rst_rx)" 1
want_ge "tcp_no_conn_rst (port 4444)" "$(ptcp_counter tcp_no_conn_rst)" 1
want_ge "tcp_data_after_close (daytime)" \
	"$(ptcp_counter tcp_data_after_close)" 1
want_ge "tcp_passive_open" "$(ptcp_counter tcp_passive_open)" 1008
want_ge "services: closed reset" "$(svc_closed reset)" 1
want_eq "services: closed timeout" "$(svc_closed timeout)" 0
want_ge "services: http 200 responses" "$(svc_field http 200)" 3002
want_eq "services: echo bytes" "$(svc_field echo bytes)" 1048576
want_eq "mbufs in use at stop (idle run: $idle_mbufs)" "$(mbufs_at_stop)" \
	"$idle_mbufs"
ptcp_tap_finish tap_tcp
