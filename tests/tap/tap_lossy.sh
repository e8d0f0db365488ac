#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
#
# tap_lossy: ptcp against the Linux kernel's TCP over a path that loses 5 %
# of TCP segments each way. The kernel has no netem here; nftables does it
# on a bridge between the two, so that neither end knows:
#
#   kernel's TCP, tools  --veth--  br0  --  ptcp's net_tap (ptcp-server,
#   (namespace PTCP_KNS,        (namespace PTCP_NS,         later ptcp-churn)
#    10.98.100.1/24)             table "bridge ptcp_lossy")
#
# The table's forward chain drops TCP at random, each way:
#     meta l4proto tcp numgen random mod 100 < 5 drop
# so 5 % of what ptcp sends never reaches the kernel and 5 % of what the
# kernel sends never reaches ptcp: data, SYNs, SYN-ACKs, FINs and ACKs
# alike. (In the kernel's own input and output chains it would not do: a
# drop in output is an error the kernel's TCP sees and sends again at once,
# not a loss; the bridge is the wire.) The kernel's veth sends one segment
# per frame (gso_max_segs 1), so a drop is one segment, not a GSO burst.
# ptcp is 10.98.100.2.
#
#   tap_lossy.sh PTCP_SERVER PTCP_CHURN CONFIG LINUX_SERVER
#                                       (meson passes all four; needs root)
#
# Checks, each a PASS: or FAIL: line:
#   echo: 50 MB of pseudo-random bytes, sent while reading, then half-close:
#   exactly the bytes back (sha256), EOF (lossy_peer.py);
#   both: 50 MB each way at once (discard and chargen on two connections,
#   one thread each): discard's FIN after ours, chargen's bytes all in the
#   RFC 864 pattern, EOF;
#   ab: AB_N short HTTP/1.0 connections, AB_C at once, against ptcp's
#   http service: all complete, 0 failed, all 2xx. The three run at once
#   (each mostly waits out retransmission time-outs);
#   ptcp-churn: CHURN_N short connections (64-byte request and response)
#   to linux_server: ok CHURN_N, failed 0, every failure kind 0. Its
#   connect and I/O time-outs are 60 s, so a lost SYN, SYN-ACK, request,
#   response or FIN has to be recovered by a retransmission, never by
#   giving up. (This leg has no bridge: ptcp-churn's tap is in the
#   kernel's namespace and nft drops 5 % in its input and output chains;
#   see below.);
#   then the loss was real (nft's counters: what each way saw and
#   dropped, printed as the measured loss) and ptcp recovered from it:
#   ptcp-server's exit summary has tcp_rexmt > 0, and ptcp-churn's
#   tcp_syn_rexmt > 0 (its SYNs were lost too); server exit 0, mbufs at
#   stop as an idle run's, no sanitizer report. Every retransmission
#   counter of both and the kernel's (nstat) are printed.
#
# Sizes: 50 MB (MB = 2^20 bytes), in the ASan tree too (the time goes in
# retransmission time-outs, not in CPU: it takes as long). Bounds: each transfer
# fails after 20 s with no progress or 100 s in all; ab and ptcp-churn are
# killed at 120 s; the whole test takes about 85 s, most of it the 50 MB
# from ptcp at 1-2 MB/s: ptcp has no RACK-TLP (RFC 8985), so a lost
# retransmission or a loss near the end of a flight costs a 200 ms RTO
# (about 450 of them here).
#
# Exit: 0 pass, 1 fail, 77 skip (not root, no /dev/net/tun, nft, ab or
# linux_server missing, no bridge in the kernel).
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/tap/lib.sh
. "$here/lib.sh"

if [ $# -ne 4 ]; then
	echo "usage: $0 PTCP_SERVER PTCP_CHURN CONFIG LINUX_SERVER" >&2
	exit 1
fi
PTCP_SERVER=$1
CHURN=$2
PTCP_CONFIG=$3
LINUX_SERVER=$4
PY=/usr/bin/python3
PEER=$here/lossy_peer.py
LOSS=5                  # percent, each way
SIZE=$((50 << 20))
SEED=20261207
AB_N=1000
AB_C=16
CHURN_N=1000
CHURN_C=16
CHURN_PORT=5001
NFT_TABLE=ptcp_lossy

PTCP_KERNEL_ADDR=10.98.100.1/24
PTCP_ADDR=10.98.100.2
CHURN_KADDR=10.98.101.1   # the churn leg's subnet: the kernel's tap end
CHURN_ADDR=10.98.101.2    # and ptcp-churn
ADDR_SET=port0.address=$PTCP_ADDR/24

if [ ! -x "$LINUX_SERVER" ]; then
	echo "SKIP: $LINUX_SERVER not built (ninja -C BUILD" \
		"tests/bench/churn/linux_server)"
	exit 77
fi
ptcp_tap_setup l lossy "$PY" nft ab nstat
iface_base=$PTCP_IFACE
PTCP_KNS=$PTCP_NS-k      # the kernel's side: tools, sockets
ls_pid=
churn_pid=
declare -A peer_pid peer_t0

# Our own processes (each "timeout ... ip netns exec ..."), before what
# lib.sh cleans; the nft table goes with the namespace.
ptcp_tap_on_exit()
{
	ptcp_stop_pids "$churn_pid" "$ls_pid" "${peer_pid[echo]:-}" \
		"${peer_pid[both]:-}"
	churn_pid=
	ls_pid=
}

t_start=$(date +%s%N)

# ksx SECONDS CMD...: CMD in the kernel's namespace, killed after SECONDS.
ksx()
{
	PTCP_NS=$PTCP_KNS nsx "$@"
}

# bridge_add IFACE [MAC]: IFACE on br0, up; with MAC, the kernel end of
# ptcp's net_tap gets that address first: ptcp and the kernel end of its
# tap must differ in MAC (the bridge keeps frames to a port's own MAC for
# itself).
bridge_add()
{
	{ [ -z "${2:-}" ] || nsx 5 ip link set "$1" address "$2"; } &&
	nsx 5 ip link set "$1" master br0 &&
	nsx 5 ip link set "$1" up
}

# start_server DURATION: ptcp-server, ready, its tap on the bridge.
start_server()
{
	ptcp_server_ready "$1" --set "$ADDR_SET"
	bridge_add "$PTCP_IFACE" 02:00:00:00:00:01 ||
		{ echo "FAIL: $PTCP_IFACE on br0"; exit 1; }
}

kernel_mib()
{
	ksx 10 nstat -asz "$1" | awk -v n="$1" '$1 == n { print $2; exit }'
}

# topology: the kernel's namespace and veth, the bridge. Exits on failure.
topology()
{
	local kv=${iface_base:0:13}kv bv=${iface_base:0:13}bv

	if ! ptcp_netns_add "$PTCP_KNS" ||
			! nsx 5 ip link add br0 type bridge ||
			! nsx 5 ip link add "$kv" type veth peer name "$bv" ||
			! nsx 5 ip link set "$kv" netns "$PTCP_KNS" ||
			! ksx 5 ip link set "$kv" gso_max_segs 1 ||
			! ksx 5 ip addr add "$PTCP_KERNEL_ADDR" dev "$kv" ||
			! ksx 5 ip link set "$kv" up ||
			! bridge_add "$bv" || ! nsx 5 ip link set br0 up; then
		echo "FAIL: the namespaces, veth and bridge"
		exit 1
	fi
	KVETH=$bv
}

# json FILE EXPR: EXPR (Python, over the object "j") on the JSON in FILE.
json()
{
	"$PY" -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}

# peer_bg CHECK ARG...: start one lossy_peer.py check in the background
# (at most 120 s), its output in $PTCP_DIR/CHECK.out; peer_wait CHECK: wait
# for it, show its other output indented and count its PASS:/FAIL: line.
peer_bg()
{
	local name=$1

	peer_t0[$name]=$(date +%s%N)
	ksx 120 "$PY" "$PEER" "$@" >"$PTCP_DIR/$name.out" 2>&1 &
	peer_pid[$name]=$!
}
peer_wait()
{
	local name=$1 out=$PTCP_DIR/$1.out rc

	wait "${peer_pid[$name]}"
	rc=$?
	peer_pid[$name]=
	echo "  $name:"
	grep -v '^PASS: \|^FAIL: ' "$out" | sed 's/^/    /'
	if [ $rc -eq 0 ] && grep -q "^PASS: $name:" "$out"; then
		pass "$(sed -n "s/^PASS: //p" "$out")" \
			"($(ms_since "${peer_t0[$name]}") ms)"
	elif grep -q "^FAIL: $name:" "$out"; then
		fail "$(sed -n "s/^FAIL: //p" "$out")"
	else
		fail "$name: $(basename "$PEER") exited $rc without a verdict"
	fi
}

# nft_loss_on: the table and its forward chain; each way (from the
# kernel's veth, to it) a counter of all TCP, then the rule that drops
# LOSS % of it (with a counter of its own).
nft_loss_on()
{
	local d

	nsx 10 nft add table bridge "$NFT_TABLE" &&
	nsx 10 nft "add chain bridge $NFT_TABLE forward { type filter" \
		"hook forward priority 0; policy accept; }" || return 1
	for d in iifname oifname; do
		nsx 10 nft add rule bridge "$NFT_TABLE" forward "$d" "$KVETH" \
			meta l4proto tcp counter &&
		nsx 10 nft add rule bridge "$NFT_TABLE" forward "$d" "$KVETH" \
			meta l4proto tcp numgen random mod 100 "<" "$LOSS" \
			counter drop || return 1
	done
}

# nft_counts iifname|oifname: "SEEN DROPPED" TCP frames from (iifname) or
# to (oifname) the kernel since nft_loss_on.
nft_counts()
{
	nsx 10 nft list chain bridge "$NFT_TABLE" forward |
		awk -v d="$1" '$1 == d && /counter packets/ {
			for (i = 1; i < NF; i++)
				if ($i == "packets") v[n++] = $(i + 1)
		} END { print v[0] + 0, v[1] + 0 }'
}

echo "netns $PTCP_NS (ptcp, the bridge) and $PTCP_KNS (the kernel)," \
	"iface $PTCP_IFACE, ptcp $PTCP_ADDR, server $PTCP_SERVER"
ptcp_ns_create || { echo "FAIL: ip netns add $PTCP_NS"; exit 1; }
if ! nsx 5 ip link add ptcpbrtest type bridge 2>/dev/null; then
	echo "SKIP: no bridge in this kernel"
	exit 77
fi
nsx 5 ip link del ptcpbrtest
topology

# --- idle run: the mbufs the same configuration holds with no traffic -----

ptcp_idle_run

# --- the loss, then ptcp-server ----------------------------------------------

if ! nft_loss_on; then
	echo "FAIL: nftables rules in $PTCP_NS"
	exit 1
fi
echo "nft: $LOSS % of TCP dropped on the bridge, each way"
nsx 10 nft list table bridge "$NFT_TABLE" | sed 's/^/    /'

start_server 300

# All at once: the echo, the two-way pair and ab (each mostly waits out
# retransmission time-outs, so together they take about as long as the
# slowest alone).
echo "== at once: echo $SIZE bytes (reading while sending, then" \
	"half-close); $SIZE bytes each way (discard and chargen); ab -n $AB_N" \
	"-c $AB_C"
t0=$(date +%s%N)
peer_bg echo "$PTCP_ADDR" "$SIZE" "$SEED"
peer_bg both "$PTCP_ADDR" "$SIZE" "$((SEED + 1))"
PTCP_NS=$PTCP_KNS ab_check "ab: $AB_N short connections, $AB_C at once" \
	"$AB_N" -n "$AB_N" -c "$AB_C" "http://$PTCP_ADDR/"
peer_wait echo
peer_wait both
echo "    all three done in $(ms_since "$t0") ms"

ptcp_stop_checked

want_eq "services: echo bytes" "$(svc_field echo bytes)" "$SIZE"
want_eq "services: discard bytes" "$(svc_field discard bytes)" "$SIZE"
want_ge "services: chargen bytes" "$(svc_field chargen bytes)" "$SIZE"
want_ge "services: http 200 responses" "$(svc_field http 200)" "$AB_N"
want_ge "ptcp-server tcp_rexmt (it recovered lost data)" \
	"$(ptcp_counter tcp_rexmt)" 1
want_eq "mbufs in use at stop (idle run: $idle_mbufs)" "$(mbufs_at_stop)" \
	"$idle_mbufs"
echo "    ptcp-server: $(for c in tcp_rexmt tcp_fast_rexmt tcp_sack_rexmt \
	tcp_partial_ack tcp_recovery tcp_rto tcp_syn_rexmt tcp_synack_rexmt \
	tcp_fin_rexmt tcp_ooo_segs tcp_ooo_drop tcp_dup_data tcp_dup_ack_rx \
	tcp_rst_tx; do printf '%s %s, ' "$c" "$(ptcp_counter "$c")"; \
	done | sed 's/ ,/ 0,/g; s/, $//')"

# --- ptcp-churn against linux_server, with loss in the kernel's chains ----------

# ptcp-churn's net_tap takes the MAC of its kernel end, which a bridge
# keeps for itself: this leg has no bridge. The tap is in the kernel's
# namespace, on a subnet of its own, and the loss is nft's in the
# kernel's input (what ptcp-churn sends: SYNs, requests, FINs, ACKs: a
# real loss) and output (what the kernel sends: SYN-ACKs, responses,
# FINs: the kernel's TCP sees the drop as a failed send and sends again
# on its timer; for ptcp-churn it is a loss all the same).
echo "== ptcp-churn: $CHURN_N connections, $CHURN_C at once, to" \
	"linux_server $CHURN_KADDR:$CHURN_PORT, $LOSS % dropped in the" \
	"kernel's input and output"
PTCP_IFACE=${iface_base:0:14}c
if ! ksx 10 nft add table inet "$NFT_TABLE" ||
		! ksx 10 nft "add chain inet $NFT_TABLE input { type filter" \
			"hook input priority 0; policy accept; }" ||
		! ksx 10 nft "add chain inet $NFT_TABLE output { type filter" \
			"hook output priority 0; policy accept; }" ||
		! ksx 10 nft add rule inet "$NFT_TABLE" input iifname \
			"$PTCP_IFACE" meta l4proto tcp numgen random mod 100 \
			"<" "$LOSS" counter drop ||
		! ksx 10 nft add rule inet "$NFT_TABLE" output oifname \
			"$PTCP_IFACE" meta l4proto tcp numgen random mod 100 \
			"<" "$LOSS" counter drop; then
	fail "nft in $PTCP_KNS"
fi
ls_out=$PTCP_DIR/ls.out
js=$PTCP_DIR/churn.json
ce=$PTCP_DIR/churn.err
# linux_server is the peer, not under test (see tap_churn.sh)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	timeout -k 2 150 ip netns exec "$PTCP_KNS" "$LINUX_SERVER" \
	--port "$CHURN_PORT" --request 64 --response 64 --closer client \
	>"$ls_out" 2>"$PTCP_DIR/ls.err" </dev/null &
ls_pid=$!
for ((i = 0; i < 100; i++)); do
	grep -q '^linux_server: ready' "$ls_out" && break
	ptcp_alive "$ls_pid" || break
	sleep 0.1
done
t0=$(date +%s%N)
timeout -k 5 120 ip netns exec "$PTCP_KNS" "$CHURN" --no-huge -m 512 \
	--no-shconf --no-pci -l 0 --file-prefix="$PTCP_PREFIX" \
	--vdev="net_tap0,iface=$PTCP_IFACE" --log-level=pmd.net.tap:error \
	-- -c "$PTCP_CONFIG" --set "port0.address=$CHURN_ADDR/24" \
	--server "$CHURN_KADDR:$CHURN_PORT" \
	--concurrency "$CHURN_C" --count "$CHURN_N" --request 64 \
	--response 64 --closer client --connect-timeout 60000 \
	--timeout 60000 --json -q >"$js" 2>"$ce" </dev/null &
churn_pid=$!
for ((i = 0; i < 300; i++)); do
	ksx 5 ip link show "$PTCP_IFACE" >/dev/null 2>&1 && break
	ptcp_alive "$churn_pid" || break
	sleep 0.1
done
if ! ksx 5 ip addr add "$CHURN_KADDR/24" dev "$PTCP_IFACE" ||
		! ksx 5 ip link set "$PTCP_IFACE" up; then
	fail "ptcp-churn: no tap $PTCP_IFACE to configure"
fi
wait "$churn_pid"
rc=$?
churn_pid=
ptcp_stop_pids "$ls_pid"
ls_pid=
summary=$(json "$js" '"ok %d failed %d unfinished %d in %.3f s, '`
	`'connect p50 %.0f p99 %.0f max %.0f us" % (j["ok"], j["failed"], '`
	`'j["unfinished"], j["elapsed_s"], j["connect_us"]["p50"], '`
	`'j["connect_us"]["p99"], j["connect_us"]["max"])')
echo "    ptcp-churn: exit $rc, ${summary:-no JSON summary}" \
	"($(ms_since "$t0") ms with start-up)"
echo "    $(tail -n 1 "$ls_out")"
v=$(json "$js" '"%d %d %d %d" % (j["ok"], j["failed"], j["unfinished"], '`
	`'j["started"])')
if [ $rc -eq 0 ] && [ "$v" = "$CHURN_N 0 0 $CHURN_N" ]; then
	pass "ptcp-churn: exit 0, ok $CHURN_N, failed 0, unfinished 0"
else
	fail "ptcp-churn: exit $rc, ok/failed/unfinished/started '$v'," \
		"want '$CHURN_N 0 0 $CHURN_N'"
fi
v=$(json "$js" '" ".join("%s %d" % kv for kv in '`
	`'j["failures"].items() if kv[1] != 0) or "none"')
if [ "$v" = none ]; then
	pass "ptcp-churn: every failure kind 0 (no time-out, no reset)"
else
	fail "ptcp-churn: failures '${v:-no JSON}'"
fi
want_ge "ptcp-churn tcp_syn_rexmt (lost SYNs recovered)" \
	"$(json "$js" 'j["tcp"]["tcp_syn_rexmt"]')" 1
echo "    ptcp-churn: $(json "$js" '", ".join("%s %d" % (k, j["tcp"][k])'`
	`' for k in ("tcp_rexmt", "tcp_rto", "tcp_syn_rexmt", "tcp_fin_rexmt", '`
	`'"tcp_rst_rx", "tcp_segs_out"))')"
if grep -Eq 'runtime error:|AddressSanitizer|LeakSanitizer' "$ce"; then
	fail "sanitizer report from ptcp-churn"
fi
[ $rc -eq 0 ] || { echo "--- churn stderr"; tail -n 20 "$ce"; }
for c in input output; do
	v=$(ksx 10 nft list chain inet "$NFT_TABLE" "$c" | awk '/counter packets/ {
		for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }')
	echo "    nft, ptcp-churn's leg, the kernel's $c: ${v:-?} dropped"
	want_ge "nft, ptcp-churn's leg, $c: segments dropped" "${v:-}" 1
done

# --- the loss that happened ------------------------------------------------------

for d in "iifname:from the kernel to ptcp" "oifname:from ptcp to the kernel"; do
	read -r seen dropped < <(nft_counts "${d%%:*}")
	echo "    nft, ${d#*:}: $seen TCP segments, $dropped dropped" \
		"($(awk -v s="$seen" -v d="$dropped" \
		'BEGIN { printf "%.2f", s ? 100 * d / s : 0 }') %)"
	want_ge "nft, ${d#*:}: segments dropped" "$dropped" 1
done
echo "    kernel: TcpRetransSegs $(kernel_mib TcpRetransSegs)," \
	"TcpExtTCPTimeouts $(kernel_mib TcpExtTCPTimeouts)," \
	"TcpExtTCPSackRecovery $(kernel_mib TcpExtTCPSackRecovery)," \
	"TcpExtTCPLostRetransmit $(kernel_mib TcpExtTCPLostRetransmit)," \
	"TcpExtTCPSynRetrans $(kernel_mib TcpExtTCPSynRetrans)"

ptcp_tap_finish tap_lossy
