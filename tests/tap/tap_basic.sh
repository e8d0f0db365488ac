#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
#
# tap_basic: ptcp-server on net_tap in a network namespace of its own
# answers the kernel's ping and arping, and counts what it answered.
#
#   tap_basic.sh PTCP_SERVER CONFIG      (meson passes both; needs root)
#
# Exit: 0 pass, 1 fail, 77 skip (not root, no /dev/net/tun, no tools).
set -u
# shellcheck disable=SC2034 # used by lib.sh

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/tap/lib.sh
. "$here/lib.sh"

ptcp_tap_args "$@"

ptcp_tap_setup t basic

echo "netns $PTCP_NS, iface $PTCP_IFACE, server $PTCP_SERVER"
ptcp_ns_create || { echo "FAIL: ip netns add $PTCP_NS"; exit 1; }
ptcp_server_up 60

# ping: 3 echo requests, all 3 answered.
out=$(ip netns exec "$PTCP_NS" timeout 15 \
	ping -n -c 3 -i 0.2 -W 2 -w 10 "$PTCP_ADDR" 2>&1)
echo "$out"
received=$(echo "$out" | sed -n 's/.* \([0-9]\+\) received.*/\1/p')
[ "${received:-0}" -eq 3 ] || fail "ping: ${received:-no} replies, want 3"

# arping: 2 ARP requests, 2 replies.
out=$(ip netns exec "$PTCP_NS" timeout 15 \
	arping -c 2 -w 5 -I "$PTCP_IFACE" "$PTCP_ADDR" 2>&1)
echo "$out"
replies=$(echo "$out" | sed -n 's/^Received \([0-9]\+\) response.*/\1/p')
[ "${replies:-0}" -eq 2 ] || fail "arping: ${replies:-no} responses, want 2"

# SIGINT: a clean stop, exit 0, and a summary that counted the above.
ptcp_server_stop 20
rc=$?
[ $rc -eq 0 ] || fail "server exit status $rc after SIGINT, want 0"
grep -q '^ptcp-server: stopping; counters:' "$PTCP_SRV_OUT" ||
	fail "no counter summary on stop"
grep -q '^ptcp-server: mbufs in use at stop: [0-9]' "$PTCP_SRV_OUT" ||
	fail "no 'mbufs in use at stop' line"
echo_rx=$(ptcp_counter icmp_echo_rx)
arp_rx=$(ptcp_counter arp_req_rx)
echo "counters: icmp_echo_rx=${echo_rx:-0} arp_req_rx=${arp_rx:-0}"
[ "${echo_rx:-0}" -ge 3 ] || fail "icmp_echo_rx ${echo_rx:-0}, want >= 3"
[ "${arp_rx:-0}" -ge 2 ] || fail "arp_req_rx ${arp_rx:-0}, want >= 2"
ptcp_tap_finish tap_basic
