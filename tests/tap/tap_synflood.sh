#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
#
# tap_synflood: a bounded SYN flood against ptcp-server's echo listener
# over net_tap, from inside a network namespace of its own, while a client
# keeps making real connections to the same listener. Subnet
# 10.98.90.0/24 (the kernel .1, ptcp .2, set with --set port0.address),
# apart from the other tap tests'.
#
#   tap_synflood.sh PTCP_SERVER CONFIG      (meson passes both; needs root)
#
# synflood.py does the work, in the namespace: RATE SYNs a second for SECS
# seconds through a raw socket, from 10.98.90.100-.250 (hosts of the subnet
# nobody uses: ptcp's SYN-ACKs go to addresses that never answer ARP, as
# in a real flood, so they wait in ARP's per-next-hop queue and are
# dropped there: arp_queue_full, arp_resolve_timeout); beside it, connect,
# 32 bytes echoed, close, every 5 ms. The listener's backlog is 64
# (tcp.syn_backlog), so it is full within the first few milliseconds and
# every later SYN, the client's too, is answered with a cookie.
#
# The configuration is the default one but for the backlog: ARP holds up
# to arp.pending (64) mbufs per unresolved next hop and arp.pending_total
# (1024) over all of them, so 151 spoofed hosts cannot take the pool
# (before that cap, 151 x 64 = 9664 held SYN-ACKs took all 8191 mbufs and
# the server stopped receiving anything, ping included, until ARP gave up
# on them: docs/benchmarks.md "SYN flood" has that run).
#
# First an idle run (mbufs baseline, see tap_tcp.sh), then a run of the
# client alone (latency without the flood), then the flood with the client;
# meanwhile synflood.py watch samples /ptcp/states and /ptcp/stats through
# the telemetry socket. Each a PASS: or FAIL: line:
#   the client: every connection of the quiet run and of the flood run
#   made and echoed (100 %);
#   the flood: sent at >= MIN_RATE a second;
#   SYN_RECEIVED never above the backlog (64), the TCBs never above the
#   backlog plus what the client holds;
#   the server answers ping after the flood;
#   counters: tcp_syn_backlog_full, tcp_syncookie_sent > 0,
#   tcp_syncookie_ok >= the client's connections in the flood run minus the
#   ones it made before the backlog filled (>= 1 is what is checked);
#   exit 0 on SIGINT, the mbufs of the idle run, no sanitizer report.
# The figures (SYNs/s sent and absorbed, counters, latencies, largest
# mbufs_in_use) are printed for docs/benchmarks.md "SYN flood".
#
# Bounds: the flood and the client stop after SECS; every command has a
# timeout; the server stops by itself after 90 s (-d) and is killed 15 s
# after that. About 25 s.
#
# Exit: 0 pass, 1 fail, 77 skip (not root, no /dev/net/tun, tools missing).
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/tap/lib.sh
. "$here/lib.sh"

ptcp_tap_args "$@"
PY=/usr/bin/python3
FLOOD=$here/synflood.py
RATE=${SYNFLOOD_RATE:-20000}    # SYNs a second asked of synflood.py
MIN_RATE=$((RATE / 4))          # what the sender must at least reach
SECS=${SYNFLOOD_SECS:-8}
QUIET_SECS=3
BACKLOG=64
SPOOF_FIRST=10.98.90.100
SPOOF_LAST=10.98.90.250
PORT=7
ARP_PENDING=${SYNFLOOD_ARP_PENDING:-64}

PTCP_KERNEL_ADDR=10.98.90.1/24
PTCP_ADDR=10.98.90.2

ptcp_tap_setup synflood synflood "$PY"

t_start=$(date +%s%N)

# start_server DURATION: start, wait until ready, kernel side up.
start_server()
{
	ptcp_server_up "$1" --set "port0.address=$PTCP_ADDR/24" \
		--set "tcp.syn_backlog=$BACKLOG" --set "arp.pending=$ARP_PENDING"
}

# kv FILE KEY: the value of KEY=value in FILE.
kv()
{
	sed -n "s/^$2=//p" "$1" | head -n 1
}

# client_check TITLE FILE: the client's figures in FILE; PASS if every
# connection was made and echoed.
client_check()
{
	local f=$2 att ok

	att=$(kv "$f" legit_attempts)
	ok=$(kv "$f" legit_ok)
	echo "    connections $att, made and echoed $ok, connect() p50" \
		"$(kv "$f" connect_p50_ms) ms, p99 $(kv "$f" connect_p99_ms)" \
		"ms, max $(kv "$f" connect_max_ms) ms"
	if [ "${att:-0}" -gt 0 ] && [ "$ok" = "$att" ]; then
		pass "$1: $ok of $att connections made and echoed (100 %)"
	else
		fail "$1: ${ok:-?} of ${att:-?} connections made and echoed," \
			"first error: $(kv "$f" legit_first_error)"
	fi
}

echo "netns $PTCP_NS, iface $PTCP_IFACE, ptcp $PTCP_ADDR," \
	"server $PTCP_SERVER"
ptcp_ns_create || { echo "FAIL: ip netns add $PTCP_NS"; exit 1; }

# --- idle run: the mbufs the same configuration holds with no traffic -----

ptcp_idle_run

# --- the run under test -----------------------------------------------------

start_server 90

echo "== client alone, $QUIET_SECS s: echo :$PORT, connect/32 bytes/close"
nsx $((QUIET_SECS + 20)) "$PY" "$FLOOD" client "$PTCP_ADDR" "$PORT" \
	"$QUIET_SECS" >"$PTCP_DIR/quiet.out" 2>&1
client_check "without flood" "$PTCP_DIR/quiet.out"

echo "== flood: $RATE SYN/s for $SECS s from $SPOOF_FIRST-${SPOOF_LAST##*.}" \
	"to :$PORT, backlog $BACKLOG, the client beside it"
sock=/var/run/dpdk/$PTCP_PREFIX/dpdk_telemetry.v2
timeout -k 2 $((SECS + 20)) "$PY" "$FLOOD" watch "$sock" "$((SECS + 1))" \
	>"$PTCP_DIR/watch.out" 2>&1 &
watch_pid=$!
# outside the namespace: ended at exit if a signal comes first
# shellcheck disable=SC2317 # called by lib.sh's EXIT trap
ptcp_tap_on_exit() { ptcp_stop_pids "$watch_pid"; }
t0=$(date +%s%N)
nsx $((SECS + 30)) "$PY" "$FLOOD" flood "$PTCP_ADDR" "$PORT" \
	"$SPOOF_FIRST" "$SPOOF_LAST" "$RATE" "$SECS" \
	>"$PTCP_DIR/flood.out" 2>&1
rc=$?
echo "    synflood.py exit $rc after $(ms_since "$t0") ms"
wait "$watch_pid"
watch_pid=
sed 's/^/    /' "$PTCP_DIR/flood.out" "$PTCP_DIR/watch.out"
client_check "during the flood" "$PTCP_DIR/flood.out"

sent=$(kv "$PTCP_DIR/flood.out" flood_sent)
want_ge "flood: SYNs sent a second" "$(kv "$PTCP_DIR/flood.out" flood_rate)" \
	"$MIN_RATE"
samples=$(kv "$PTCP_DIR/watch.out" watch_samples)
want_ge "telemetry samples during the flood" "$samples" 4
max_synrcvd=$(kv "$PTCP_DIR/watch.out" max_SYN_RECEIVED)
if [ -n "$max_synrcvd" ] && [ "$max_synrcvd" -le "$BACKLOG" ]; then
	pass "SYN_RECEIVED at most $max_synrcvd (backlog $BACKLOG)"
else
	fail "SYN_RECEIVED reached '${max_synrcvd:-}', backlog $BACKLOG"
fi
# The client holds one connection at a time, and ptcp's end of the ones
# it closed may linger in LAST_ACK for a moment: a few more than the
# backlog, never the flood's thousands.
max_tcbs=$(kv "$PTCP_DIR/watch.out" max_tcbs)
if [ -n "$max_tcbs" ] && [ "$max_tcbs" -le $((BACKLOG + 4)) ]; then
	pass "TCBs at most $max_tcbs (backlog $BACKLOG + the client's)"
else
	fail "TCBs reached '${max_tcbs:-}', want <= $((BACKLOG + 4))"
fi

t_flood_end=$(date +%s%N)
echo "== ping after the flood"
if nsx 10 ping -c 3 -i 0.2 -W 2 "$PTCP_ADDR" >"$PTCP_DIR/ping.out" 2>&1; then
	pass "server answers ping after the flood"
else
	sed 's/^/    /' "$PTCP_DIR/ping.out"
	fail "no ping reply after the flood"
fi

# --- stop: exit status, counters ------------------------------------------

# ARP gives up on a next hop after retries x resolve_ms (3 s) and frees the
# SYN-ACKs it held: stop once the flood's are gone (4 s after it), and
# before the 64 half-open connections retransmit again (RTO 1 s doubling
# from the flood's start: at 7 s, then 15 s).
for ((i = 0; i < 50; i++)); do
	[ "$(ms_since "$t_flood_end")" -ge 4000 ] && break
	sleep 0.1
done
ptcp_stop_checked

c()
{
	local v

	v=$(ptcp_counter "$1")
	echo "${v:-0}"
}
want_ge "tcp_syn_backlog_full" "$(c tcp_syn_backlog_full)" 1
want_ge "tcp_syncookie_sent" "$(c tcp_syncookie_sent)" 1
want_ge "tcp_syncookie_ok (the client's connections on cookies)" \
	"$(c tcp_syncookie_ok)" 1
want_eq "tcp_syncookie_bad" "$(c tcp_syncookie_bad)" 0
# The stop resets the 64 half-open connections (tcp_rst_tx_drain): those
# RSTs go to spoofed hosts and wait in ARP when ptcp-server counts the
# mbufs in use (ptcp_engine_destroy frees them just after): the idle
# figure plus those.
drain=$(c tcp_rst_tx_drain)
want_eq "mbufs in use at stop (idle $idle_mbufs + $drain RSTs in ARP)" \
	"$(mbufs_at_stop)" "$((idle_mbufs + drain))"
if sanitizer_report; then
	fail "sanitizer report from the server"
else
	pass "no sanitizer report"
fi

# Figures for docs/benchmarks.md; tcp_rx counts the client's segments too
# (a few per connection), hence "about".
flood_secs=$(kv "$PTCP_DIR/flood.out" flood_secs)
echo "figures: sent $sent SYNs in $flood_secs s" \
	"($(kv "$PTCP_DIR/flood.out" flood_rate)/s); absorbed (backlog_full" \
	"+ SYN_RECEIVED) about $(awk -v a="$(c tcp_syn_backlog_full)" \
	-v b="$max_synrcvd" -v t="$flood_secs" \
	'BEGIN { printf "%d/s", (a + b) / (t > 0 ? t : 1) }')"
echo "    ptcp: $(for n in rx_pkts tcp_rx tcp_syn_backlog_full \
	tcp_syncookie_sent tcp_syncookie_ok tcp_syncookie_bad tcp_syn_drop \
	tcp_conn_cap tcp_passive_open tcp_synack_rexmt tcp_rst_tx arp_req_tx \
	arp_queue_full arp_resolve_timeout arp_cache_full tx_drop_full \
	tx_drop_nombuf; do printf '%s %s, ' "$n" "$(c "$n")"; done |
	sed 's/, $//')"
echo "    largest mbufs_in_use during the flood:" \
	"$(kv "$PTCP_DIR/watch.out" max_mbufs_in_use)"

ptcp_tap_finish tap_synflood
