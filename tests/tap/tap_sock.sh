#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
#
# tap_sock: sock_echo, an echo server written against ptcp's socket layer
# (lib/sock, tests/tap/sock_echo.c), driven by Linux clients over net_tap in
# a network namespace of its own. Subnet 10.98.60.0/24 (the kernel .1,
# ptcp .2), apart from the other tap tests.
#
#   tap_sock.sh SOCK_ECHO CONFIG      (meson passes both; needs root)
#
# Checks, each a PASS: or FAIL: line (sock_peer.py does the client work):
#   bulk   1 MiB sent while reading, back exact, then EOF
#   many   32 clients at once, 64 KiB each, back exact
#   stall  a client that does not read: its sends stall (the echo stops
#          reading, ptcp's window closes), then it reads 16 MiB back exact
#   reset  a client resets mid-stream; the next one is served
#   then the server's exit status after SIGINT and its summary: the
#   connections it accepted, one reset seen, no socket left open.
#
# Bounds: each check is killed after 60 s; the server stops by itself after
# 150 s and is killed 15 s later. About 10 s in all.
#
# Exit: 0 pass, 1 fail, 77 skip (not root, no /dev/net/tun, python3 missing).
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/tap/lib.sh
. "$here/lib.sh"

if [ $# -ne 2 ]; then
	echo "usage: $0 SOCK_ECHO CONFIG" >&2
	exit 1
fi
ECHO_BIN=$1
PTCP_CONFIG=$2
PY=/usr/bin/python3
PEER=$here/sock_peer.py
PORT=7007
PTCP_KERNEL_ADDR=10.98.60.1/24
PTCP_ADDR=10.98.60.2

ptcp_tap_setup sock sock "$PY"

# The server: lib.sh's start/stop helpers expect ptcp-server's options,
# so it is started here; ptcp_tap_cleanup still ends it (PTCP_SRV_PID).
PTCP_SERVER=$ECHO_BIN
echo "netns $PTCP_NS, iface $PTCP_IFACE, ptcp $PTCP_ADDR, server $ECHO_BIN"
ptcp_ns_create || { echo "FAIL: ip netns add $PTCP_NS"; exit 1; }
: >"$PTCP_SRV_OUT"
timeout -k 5 165 ip netns exec "$PTCP_NS" "$ECHO_BIN" --no-huge -m 512 \
	--no-shconf --no-pci -l 0 --file-prefix="$PTCP_PREFIX" \
	--vdev="net_tap0,iface=$PTCP_IFACE" --log-level=pmd.net.tap:error \
	-- "$PTCP_CONFIG" "$PORT" 150 "port0.address=$PTCP_ADDR/24" \
	>"$PTCP_SRV_OUT" 2>"$PTCP_SRV_ERR" </dev/null &
PTCP_SRV_PID=$!
ready=no
for ((i = 0; i < 300; i++)); do
	if grep -q '^sock-echo: ready' "$PTCP_SRV_OUT" &&
			ip netns exec "$PTCP_NS" ip link show "$PTCP_IFACE" \
			>/dev/null 2>&1; then
		ready=yes
		break
	fi
	ptcp_alive "$PTCP_SRV_PID" || break
	sleep 0.1
done
if [ $ready != yes ]; then
	echo "FAIL: sock_echo not ready"
	ptcp_dump_server
	exit 1
fi
ptcp_kernel_side_up || { echo "FAIL: configuring $PTCP_IFACE"; exit 1; }
sed 's/^/    /' "$PTCP_SRV_OUT"

for check in bulk many stall reset; do
	echo "== $check"
	ptcp_peer_run 60 "$check" "$PTCP_ADDR" "$PORT"
done

echo "== SIGINT the server"
ptcp_server_stop 20
rc=$?
sed -n '/^sock-echo: accepted/p' "$PTCP_SRV_OUT" | sed 's/^/    /'
want_eq "server exit status after SIGINT" "$rc" 0
summary=$(sed -n 's/^sock-echo: accepted //p' "$PTCP_SRV_OUT")
# bulk 1 + many 32 + stall 1 + reset 2
want_eq "connections accepted" "$(echo "$summary" | awk '{ print $1 }')" 36
want_ge "resets seen" "$(echo "$summary" | awk '{ print $5 }')" 1
want_eq "sockets open at stop" "$(echo "$summary" | awk '{ print $7 }')" 0
ptcp_tap_finish tap_sock
