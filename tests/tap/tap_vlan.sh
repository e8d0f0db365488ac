#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
#
# tap_vlan: ptcp-server on net_tap with an 802.1Q VLAN interface ([vlan0]:
# VLAN 100, 10.99.100.2/24) against the kernel's VLAN sub-interface of its
# side of the tap (ip link add ... type vlan id 100, 10.99.100.1/24), in a
# network namespace of its own. The tags are ptcp's own (net_tap offers no
# VLAN offload): written on every frame it sends on the VLAN, stripped from
# every frame it receives. A kernel built without 8021q ("Unknown device
# type", as the VM the suite runs on) gets the same sub-interfaces from
# vlan_tun.py beside this script: taps whose frames it tags onto the link
# and whose VLAN's frames it takes off the link untagged.
#
#   tap_vlan.sh PTCP_SERVER CONFIG      (meson passes both; needs root)
#
# Checks, each a PASS: or FAIL: line: ping over the VLAN; curl GET from the
# HTTP service over it; a 64 KiB echo exchange over it (tcp_peer.py); the
# untagged port still answers ping; a VLAN ptcp does not carry (200) gets
# nothing and is counted (rx_vlan_unknown); the server's exit and counters,
# its mbufs in use at stop as an idle run's (none leaked);
# the namespace and its interfaces gone at the end. About 5 s.
#
# Exit: 0 pass, 1 fail, 77 skip (not root, no /dev/net/tun, tools missing).
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/tap/lib.sh
. "$here/lib.sh"

ptcp_tap_args "$@"
PY=/usr/bin/python3
PEER=$here/tcp_peer.py
VLAN_ADDR=10.99.100.2                 # ptcp's on VLAN 100
VLAN_KERNEL=10.99.100.1/24            # the kernel's VLAN 100 sub-interface
OTHER_KERNEL=10.99.200.1/24           # VLAN 200: not ptcp's

ptcp_tap_setup v vlan "$PY" curl
t_start=$(date +%s%N)
VIF=${PTCP_IFACE:0:11}.100
OIF=${PTCP_IFACE:0:11}.200

echo "netns $PTCP_NS, iface $PTCP_IFACE, VLAN 100 $VIF, server $PTCP_SERVER"
ptcp_ns_create || { echo "FAIL: ip netns add $PTCP_NS"; exit 1; }

# start_server DURATION: with VLAN 100, ready, kernel side up.
start_server()
{
	ptcp_server_up "$1" --set vlan0.port=0 --set vlan0.id=100 \
		--set "vlan0.address=$VLAN_ADDR/24"
}

ptcp_idle_run
start_server 60
# The kernel's VLAN sub-interfaces: 8021q's (ip link add ... type vlan),
# or, on a kernel built without it, vlan_tun.py's user-space ones.
TUN_PID=
# shellcheck disable=SC2317 # called by lib.sh's EXIT trap
ptcp_tap_on_exit() { ptcp_stop_pids "$TUN_PID"; }
if nsx 5 ip link add link "$PTCP_IFACE" name "$VIF" type vlan id 100 \
		2>"$PTCP_DIR/vlan.err"; then
	kind="8021q"
	nsx 5 ip link add link "$PTCP_IFACE" name "$OIF" type vlan id 200
else
	kind="vlan_tun.py (the kernel says: $(head -n 1 "$PTCP_DIR/vlan.err"))"
	nsx 60 "$PY" "$here/vlan_tun.py" "$PTCP_IFACE" 50 "100:$VIF" \
		"200:$OIF" >"$PTCP_DIR/tun.out" 2>&1 &
	TUN_PID=$!
	for ((i = 0; i < 50; i++)); do
		grep -q '^ready' "$PTCP_DIR/tun.out" && break
		sleep 0.1
	done
fi
echo "VLAN sub-interfaces: $kind"
if ! nsx 5 ip addr add "$VLAN_KERNEL" dev "$VIF" ||
		! nsx 5 ip link set "$VIF" up ||
		! nsx 5 ip addr add "$OTHER_KERNEL" dev "$OIF" ||
		! nsx 5 ip link set "$OIF" up; then
	cat "$PTCP_DIR/tun.out" 2>/dev/null
	echo "FAIL: cannot set up the VLAN sub-interfaces $VIF, $OIF"
	exit 1
fi
nsx 5 ip -d link show "$VIF" | sed 's/^/    /'

# ping: 3 echo requests over VLAN 100, all 3 answered.
echo "== ping $VLAN_ADDR over VLAN 100"
t0=$(date +%s%N)
out=$(nsx 15 ping -n -c 3 -i 0.2 -W 2 -w 10 "$VLAN_ADDR" 2>&1)
printf '    %s\n' "${out//$'\n'/$'\n'    }"
received=$(echo "$out" | sed -n 's/.* \([0-9]\+\) received.*/\1/p')
if [ "${received:-0}" -eq 3 ]; then
	pass "ping over VLAN 100: 3 of 3 answered ($(ms_since "$t0") ms)"
else
	fail "ping over VLAN 100: ${received:-no} replies, want 3"
fi
# The kernel learnt ptcp's MAC on the VLAN sub-interface, not the tap.
neigh=$(nsx 5 ip neigh show "$VLAN_ADDR" dev "$VIF")
echo "    neighbour: $neigh"
case "$neigh" in
*lladdr*) pass "kernel's ARP entry for $VLAN_ADDR on $VIF" ;;
*) fail "no ARP entry for $VLAN_ADDR on $VIF: '$neigh'" ;;
esac

# curl: the HTTP service over the VLAN.
url=http://$VLAN_ADDR/
echo "== curl GET $url"
t0=$(date +%s%N)
out=$(nsx 20 curl -sS -m 10 -o "$PTCP_DIR/body" \
	-w '%{http_code} %{size_download}' "$url" 2>&1)
echo "    $out"
if [ "${out%% *}" = 200 ] && [ "${out#* }" -gt 0 ] 2>/dev/null &&
		[ "$(tr -d x <"$PTCP_DIR/body" | wc -c)" -eq 0 ]; then
	pass "curl over VLAN 100: $out-byte body ($(ms_since "$t0") ms)"
else
	fail "curl over VLAN 100: '$out', want 200 and a body of x"
fi

# A TCP exchange: 64 KiB to the echo service and back, byte-exact.
echo "== echo 64 KiB over VLAN 100"
ptcp_peer_run 30 echo "$VLAN_ADDR" 7 65536 17

# The port's own (untagged) interface still answers.
echo "== ping $PTCP_ADDR untagged"
out=$(nsx 15 ping -n -c 2 -i 0.2 -W 2 -w 10 "$PTCP_ADDR" 2>&1)
received=$(echo "$out" | sed -n 's/.* \([0-9]\+\) received.*/\1/p')
want_eq "untagged ping replies" "${received:-0}" 2

# VLAN 200 is not ptcp's: the kernel's ARP requests there go unanswered.
echo "== ping 10.99.200.2 over VLAN 200 (not configured in ptcp)"
out=$(nsx 10 ping -n -c 1 -W 1 -w 2 10.99.200.2 2>&1)
received=$(echo "$out" | sed -n 's/.* \([0-9]\+\) received.*/\1/p')
want_eq "VLAN 200 ping replies" "${received:-0}" 0

# --- stop: exit status, counters ------------------------------------------

ptcp_stop_checked
echo_rx=$(ptcp_counter icmp_echo_rx)
want_ge "icmp_echo_rx (3 tagged + 2 untagged)" "$echo_rx" 5
want_ge "rx_vlan_unknown (VLAN 200's ARP)" "$(ptcp_counter rx_vlan_unknown)" 1
drops=$(ptcp_counter tx_vlan_drop)
want_eq "tx_vlan_drop" "${drops:-0}" 0
want_ge "tcp_passive_open (curl, echo)" "$(ptcp_counter tcp_passive_open)" 2
want_eq "services: echo bytes" "$(svc_field echo bytes)" 65536
want_eq "mbufs in use at stop (idle run: $idle_mbufs)" "$(mbufs_at_stop)" \
	"$idle_mbufs"

# Nothing left behind: the namespace goes, and the VLAN sub-interfaces
# with it.
ptcp_tap_cleanup
if ip netns list | grep -qw "$PTCP_NS" || ip link show "$VIF" \
		>/dev/null 2>&1 || ip link show "$PTCP_IFACE" >/dev/null 2>&1; then
	fail "namespace $PTCP_NS or an interface left behind"
else
	pass "namespace and interfaces gone"
fi

ptcp_tap_finish tap_vlan
