#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
#
# tap_churn: ptcp-churn (the client) against the Linux kernel's TCP (the
# server: tests/bench/churn/linux_server, one epoll thread) over net_tap in
# a network namespace of its own. The kernel is 10.99.0.1, ptcp 10.99.0.2
# (config/tap.ini): different addresses, so the kernel never sees, let alone
# resets, ptcp's connections.
#
#   tap_churn.sh PTCP_CHURN CONFIG LINUX_SERVER   (meson passes all three)
#
# Three runs of 2000 connections, 16 at a time, 64-byte request and
# response, one per --closer; linux_server closes to match:
#
#   ptcp-churn --closer   linux_server --closer   TIME-WAIT is on
#   client                client                  ptcp (drained at exit)
#   server                server                  the kernel
#   rst                   client (reads the RST)  nobody
#
# Each run gets its own local port range, so no run meets the TIME-WAIT
# tuples an earlier one left in the kernel: a new ptcp process's timestamps
# start from a random offset, so in about half the runs the kernel would
# PAWS-reject those SYNs (TcpExtPAWSTimewait) and each connection would
# cost a 1 s SYN retransmission. Each run passes when: exit 0;
# JSON ok 2000, failed 0, every failure kind 0, unfinished 0, tcp_rst_rx 0;
# the TIME-WAIT account ("tw") holds 2000 entries with no cap drop and
# says "every connection went through TIME-WAIT" for closer client, and
# names the server, or nobody, as the holder otherwise;
# the kernel accepted 2000 (TcpPassiveOpens went up by at least 2000,
# linux_server counted 2000 accepted and completed, no errors); the
# kernel's TIME-WAIT on port 5001 for the run's ports is 2000 for closer
# server and 0 otherwise. Across runs: the same "mbufs_in_use" (the net_tap
# RX ring's share; a leak would show as a difference).
#
# Exit: 0 pass, 1 fail, 77 skip (not root, no /dev/net/tun, a tool or
# linux_server missing). A few seconds; every wait is bounded.
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/tap/lib.sh
. "$here/lib.sh"

if [ $# -ne 3 ]; then
	echo "usage: $0 PTCP_CHURN CONFIG LINUX_SERVER" >&2
	exit 1
fi
CHURN=$1
PTCP_CONFIG=$2
LINUX_SERVER=$3
PY=/usr/bin/python3
COUNT=2000
CONC=16
PORT=5001
KADDR=${PTCP_KERNEL_ADDR%/*}

if [ ! -x "$LINUX_SERVER" ]; then
	echo "SKIP: $LINUX_SERVER not built (ninja -C BUILD" \
		"tests/bench/churn/linux_server)"
	exit 77
fi
ptcp_tap_setup k churn "$PY" ss nstat
iface_base=$PTCP_IFACE
ls_pid=
churn_pid=

# At exit, our own two processes (each "timeout ... ip netns exec ...")
# before what lib.sh cleans (ptcp_tap_exit).
ptcp_tap_on_exit()
{
	ptcp_stop_pids "$churn_pid" "$ls_pid"
	churn_pid=
	ls_pid=
}

t_start=$(date +%s%N)

passive_opens()
{
	nsx 10 nstat -asz TcpPassiveOpens | awk '$1 == "TcpPassiveOpens" {
		print $2 }'
}

# kernel_tw LPORT_MIN LPORT_MAX: the kernel's TIME-WAIT sockets on PORT
# whose peer port is in the range.
kernel_tw()
{
	nsx 10 ss -Htan state time-wait "( sport = :$PORT and dport >= :$1 \
and dport <= :$2 )" | wc -l
}

# json FILE EXPR: EXPR (Python, over the object "j") on the JSON in FILE.
json()
{
	"$PY" -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}

dump()
{
	local f

	for f in "$@"; do
		echo "--- $(basename "$f")"
		cat "$f"
	done
	echo "---"
}

# run_churn CLOSER SERVER_CLOSER LPORT_MIN LPORT_MAX
run_churn()
{
	local closer=$1 scloser=$2 lo=$3 hi=$4 tag=$1 i rc t0
	local js=$PTCP_DIR/$tag.json ce=$PTCP_DIR/$tag.err
	local lo_out=$PTCP_DIR/$tag.ls.out ls_err=$PTCP_DIR/$tag.ls.err
	local opens0 opens1 v summary tw want_tw fails0=$fails

	echo
	echo "== --closer $closer (linux_server --closer $scloser)," \
		"local ports $lo-$hi"
	# a tap of its own per run: the last one goes when its process ends
	PTCP_IFACE=${iface_base:0:14}${tag:0:1}

	: >"$lo_out"
	# linux_server is the peer, not under test: in a sanitizer tree its
	# leak report at exit would lose its (buffered) summary line
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		timeout -k 2 60 ip netns exec "$PTCP_NS" "$LINUX_SERVER" \
		--port "$PORT" --request 64 --response 64 --closer "$scloser" \
		>"$lo_out" 2>"$ls_err" </dev/null &
	ls_pid=$!
	for ((i = 0; i < 100; i++)); do
		grep -q '^linux_server: ready' "$lo_out" && break
		ptcp_alive "$ls_pid" || break
		sleep 0.1
	done
	if ! grep -q '^linux_server: ready' "$lo_out"; then
		fail "$closer: linux_server not ready"
		dump "$lo_out" "$ls_err"
		return 1
	fi
	opens0=$(passive_opens)

	t0=$(date +%s%N)
	timeout -k 5 90 ip netns exec "$PTCP_NS" "$CHURN" --no-huge -m 512 \
		--no-shconf --no-pci -l 0 --file-prefix="$PTCP_PREFIX" \
		--vdev="net_tap0,iface=$PTCP_IFACE" \
		--log-level=pmd.net.tap:error \
		-- -c "$PTCP_CONFIG" --server "$KADDR:$PORT" \
		--concurrency "$CONC" --count "$COUNT" --request 64 \
		--response 64 --closer "$closer" --lport-min "$lo" \
		--lport-max "$hi" --json -q >"$js" 2>"$ce" </dev/null &
	churn_pid=$!
	# ptcp-churn waits up to 5 s for the link and ARP: the kernel side
	# of its tap comes up in that time
	for ((i = 0; i < 300; i++)); do
		nsx 5 ip link show "$PTCP_IFACE" >/dev/null 2>&1 && break
		ptcp_alive "$churn_pid" || break
		sleep 0.1
	done
	if ! ptcp_kernel_side_up; then
		fail "$closer: no tap $PTCP_IFACE to configure"
	fi
	wait "$churn_pid"
	rc=$?
	churn_pid=

	kill -INT "$ls_pid" 2>/dev/null
	ptcp_wait_exit "$ls_pid" 10 || kill -KILL "$ls_pid" 2>/dev/null
	wait "$ls_pid" 2>/dev/null
	ls_pid=
	opens1=$(passive_opens)
	tw=$(kernel_tw "$lo" "$hi")

	summary=$(json "$js" '"ok %d failed %d unfinished %d in %.3f s, '`
		`'%.0f conn/s, connect p50 %.0f p99 %.0f max %.0f us, '`
		`'syn_rexmt %d" % (j["ok"], j["failed"], j["unfinished"], '`
		`'j["elapsed_s"], j["cps_avg"], j["connect_us"]["p50"], '`
		`'j["connect_us"]["p99"], j["connect_us"]["max"], '`
		`'j["tcp"]["tcp_syn_rexmt"])')
	echo "    ptcp-churn: exit $rc, ${summary:-no JSON summary}" \
		"($(ms_since "$t0") ms with start-up)"
	echo "    $(tail -n 1 "$lo_out")"
	echo "    kernel: TcpPassiveOpens +$((${opens1:-0} - ${opens0:-0}))," \
		"TIME-WAIT on :$PORT from ports $lo-$hi: $tw"

	if [ $rc -eq 0 ]; then
		pass "$closer: ptcp-churn exit 0"
	else
		fail "$closer: ptcp-churn exit status $rc, want 0"
	fi
	v=$(json "$js" '"%d %d %d %d" % (j["ok"], j["failed"], '`
		`'j["unfinished"], j["started"])')
	if [ "$v" = "$COUNT 0 0 $COUNT" ]; then
		pass "$closer: ok $COUNT, failed 0, unfinished 0"
	else
		fail "$closer: ok/failed/unfinished/started '$v'," \
			"want '$COUNT 0 0 $COUNT'"
	fi
	v=$(json "$js" '" ".join("%s %d" % kv for kv in '`
		`'j["failures"].items() if kv[1] != 0) or "none"')
	if [ "$v" = none ]; then
		pass "$closer: every failure kind 0"
	else
		fail "$closer: failures '${v:-no JSON}'"
	fi
	# ptcp-churn's TIME-WAIT account: the client holds it only when it
	# closes first, and max_tw (65536) is far above 2000, so no cap drop
	v=$(json "$js" '"%s %d %d %d %s %s" % (j["tw"]["held_by"], '`
		`'j["tw"]["reached"], j["tw"]["entered"], j["tw"]["cap_drops"], '`
		`'json.dumps(j["tw"]["full_lifecycle"]), j["tw"]["verdict"])')
	case $closer in
	client) want_tw="client $COUNT $COUNT 0 true every connection went through TIME-WAIT" ;;
	server) want_tw="server 0 0 0 null TIME-WAIT held by the server" ;;
	*) want_tw="none 0 0 0 false no TIME-WAIT: every connection ends with a RST" ;;
	esac
	if [ "$v" = "$want_tw" ]; then
		pass "$closer: tw account '$v'"
	else
		fail "$closer: tw account '${v:-no JSON}', want '$want_tw'"
	fi
	v=$(json "$js" 'j["tcp"]["tcp_rst_rx"]')
	if [ "$v" = 0 ]; then
		pass "$closer: tcp_rst_rx 0 (the kernel reset nothing)"
	else
		fail "$closer: tcp_rst_rx '${v:-}', want 0"
	fi
	if [ $((${opens1:-0} - ${opens0:-0})) -ge "$COUNT" ] &&
			[ -n "$opens0" ]; then
		pass "$closer: kernel TcpPassiveOpens +$((opens1 - opens0))" \
			"(>= $COUNT)"
	else
		fail "$closer: kernel TcpPassiveOpens '${opens0:-}' ->" \
			"'${opens1:-}', want +$COUNT"
	fi
	v=$(sed -n 's/^linux_server: accepted \([0-9]*\) completed \([0-9]*\) errors \([0-9]*\) eof_before_request \([0-9]*\)$/\1 \2 \3 \4/p' \
		"$lo_out")
	if [ "$v" = "$COUNT $COUNT 0 0" ]; then
		pass "$closer: linux_server accepted $COUNT, completed" \
			"$COUNT, errors 0"
	else
		fail "$closer: linux_server accepted/completed/errors/eof" \
			"'$v', want '$COUNT $COUNT 0 0'"
	fi
	want_tw=0
	[ "$closer" = server ] && want_tw=$COUNT
	if [ "$tw" -eq "$want_tw" ]; then
		pass "$closer: kernel TIME-WAIT $tw (want $want_tw)"
	else
		fail "$closer: kernel TIME-WAIT $tw, want $want_tw"
	fi
	mbufs[$closer]=$(json "$js" 'j["mbufs_in_use"]')
	if grep -Eq 'runtime error:|AddressSanitizer|LeakSanitizer' "$ce"; then
		fail "$closer: sanitizer report from ptcp-churn"
	fi
	[ $fails -eq "$fails0" ] || dump "$js" "$ce" "$lo_out" "$ls_err"
}

echo "netns $PTCP_NS, ptcp-churn $CHURN, linux_server $LINUX_SERVER"
ptcp_ns_create || { echo "FAIL: ip netns add $PTCP_NS"; exit 1; }

declare -A mbufs
run_churn client client 32768 40999
run_churn server server 41000 49999
run_churn rst client 50000 60999

echo
m_c=${mbufs[client]:-} m_s=${mbufs[server]:-} m_r=${mbufs[rst]:-}
if [ -n "$m_c" ] && [ "$m_c" = "$m_s" ] && [ "$m_c" = "$m_r" ]; then
	pass "mbufs in use at stop: $m_c in every run"
else
	fail "mbufs in use at stop differ: client '$m_c' server '$m_s'" \
		"rst '$m_r'"
fi

ptcp_tap_finish tap_churn
