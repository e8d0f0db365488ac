#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# stat_cli: ptcp-stat's usage errors exit 2 and a missing or wrong
# endpoint exits 1, each with one line that names what and where; then its
# views against a stand-in telemetry server (a few lines of Python serving
# recorded /ptcp/* replies on a SOCK_SEQPACKET socket, as DPDK's does), and
# the stand-in misbehaving: closing at once, answering garbage, knowing no
# /ptcp commands. No DPDK, no root; a few seconds.
#
#   stat_cli.sh PTCP_STAT
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 PTCP_STAT" >&2
	exit 1
fi
stat=$1
tmp=$(mktemp -d /tmp/ptcp-stat-cli.XXXXXX) || exit 1
fake_pid=
cleanup()
{
	if [ -n "$fake_pid" ]; then
		kill "$fake_pid" 2>/dev/null
		wait "$fake_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
here=$(cd "$(dirname "$0")" && pwd)
CLI_PROG=$stat
CLI_TMP=$tmp
# shellcheck source=tests/cli/lib.sh
. "$here/lib.sh"

# Usage: exit 2, before any connection.
expect 2 "unknown option '--bogus'" --bogus
expect 2 "unknown option '-x'" -x
expect 2 "unexpected argument 'extra'" extra
expect 2 "unexpected argument 'soon'" --watch soon
expect 2 "--watch: '0' is not a number of seconds" --watch 0
expect 2 "--watch: 'x' is not" --watch=x
expect 2 "--conns: '0' is not a count" --conns 0
expect 2 "--conns: '1001' is not a count" --conns=1001
expect 2 "--file-prefix needs a value" --file-prefix
expect 2 "--file-prefix: 'a/b' is not a file prefix" --file-prefix a/b
expect 2 "--socket needs a value" --socket
expect 2 'exclude each other' -f a -s /x
expect 2 '--prometheus and --watch exclude' --prometheus --watch
expect 2 'no --states, --lcores or --conns with it' --prometheus --conns
expect 2 "--states=1 takes no value" --states=1

# No endpoint: exit 1, the socket path and a hint.
export RUNTIME_DIRECTORY=$tmp/run
expect 1 "cannot connect to $tmp/run/dpdk/nosuch/dpdk_telemetry\.v2: No such file or directory \(is ptcp-server running with telemetry, and is --file-prefix right\?\)" \
	--file-prefix nosuch
expect 1 "cannot connect to $tmp/run/dpdk/rte/dpdk_telemetry\.v2: No such" \
	--states
expect 1 "cannot connect to $tmp/nope\.sock: No such file.*running" \
	--socket "$tmp/nope.sock"
expect 1 "cannot connect to $tmp: Connection refused \(not a socket\)" \
	--socket "$tmp"

# --help is usage on stdout, exit 0
timeout 20 "$stat" --help >"$tmp/out" 2>&1 </dev/null
rc=$?
if [ $rc -ne 0 ] || ! grep -q -- '--prometheus' "$tmp/out"; then
	fail "--help: exit $rc"
else
	echo "ok: --help -> exit 0"
fi

# The stand-in server. Replies as lib/obs writes them (22.11 keys: no
# '-'; the listing's rows beside its totals). MODE: ok, close, garbage,
# noptcp. It serves one client after another until killed.
py=$(command -v python3)
if [ -z "$py" ]; then
	echo "stat_cli: no python3: the stand-in server tests skipped"
	echo "stat_cli: $fails failure(s)"
	[ $fails -eq 0 ]
	exit
fi
cat >"$tmp/fake.py" <<'EOF'
import os, socket, sys
path, mode = sys.argv[1], sys.argv[2]
R = {
 "/ptcp/stats": '{"/ptcp/stats":{"rx_pkts":1500,"tx_pkts":1400,'
  '"tcp_rx":1490,"tcp_segs_out":1380,"tcp_rexmt":4,"tcp_syn_rexmt":1,'
  '"tcp_synack_rexmt":0,"tcp_fin_rexmt":0,"tcp_rto":2,"tcp_rst_tx":3,'
  '"tcp_rst_rx":1,"tcp_passive_open":20,"tcp_active_open":0,'
  '"tcp_bad_csum":6,"rx_ip_frag":2,"tcp_ooo_drop":1,"arp_rx":5,'
  '"mbufs_in_use":1100,"mbufs_total":8191}}',
 "/ptcp/states": '{"/ptcp/states":{"CLOSED":0,"LISTEN":4,"SYN_SENT":0,'
  '"SYN_RECEIVED":0,"ESTABLISHED":5,"CLOSE_WAIT":2,"FIN_WAIT_1":0,'
  '"CLOSING":0,"LAST_ACK":0,"FIN_WAIT_2":1,"TIME_WAIT":3,"total":11}}',
 "/ptcp/lcores": '{"/ptcp/lcores":{"0":{"lcore_id":0,"rx_pkts":900,'
  '"tx_pkts":800,"conns":5,"time_wait":2,"steer_out":4,"steer_in":1,'
  '"mbufs_in_use":600},"1":{"lcore_id":1,"rx_pkts":600,"tx_pkts":600,'
  '"conns":3,"time_wait":1,"steer_out":1,"steer_in":4,'
  '"mbufs_in_use":500}}}',
 "/ptcp/transitions": '{"/ptcp/transitions":{"LISTEN/SYN_RECEIVED":20,'
  '"SYN_RECEIVED/ESTABLISHED":20,"ESTABLISHED/CLOSE_WAIT":2}}',
 "/ptcp/conns": '{"/ptcp/conns":{"0":{"laddr":"10.99.0.1","lport":80,'
  '"raddr":"10.99.0.2","rport":41000,"state":"ESTABLISHED","lcore":0,'
  '"age_ms":1500,"timers":"keep","rtt_ms":1,"cwnd":14480,'
  '"bytes_in":78,"bytes_out":1024},"1":{"laddr":"10.99.0.1",'
  '"lport":7,"raddr":"10.99.0.2","rport":41001,"state":"CLOSE_WAIT",'
  '"lcore":1,"age_ms":125000,"timers":"","rtt_ms":0,"cwnd":14480,'
  '"bytes_in":5,"bytes_out":5},"total":8,"time_wait":3,"shown":2,'
  '"busy_lcores":[]}}',
}
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(path)
s.listen(4)
while True:
    c, _ = s.accept()
    if mode == "close":
        c.close()
        continue
    c.send(b'{"version":"DPDK 22.11.0","pid":%d,"max_output_len":16384}'
           % os.getpid())
    while True:
        cmd = c.recv(1024).decode()
        if not cmd:
            break
        name = cmd.split(",")[0]
        if mode == "garbage":
            out = '{"%s":{"rx_pkts":1,' % name
        elif name == "/":
            cmds = ["/", "/ethdev/list"]
            if mode == "ok":
                cmds += sorted(R)
            out = '{"/":[%s]}' % ",".join('"%s"' % x for x in cmds)
        elif mode == "ok" and name in R:
            out = R[name]
        else:
            out = '{"%s":null}' % name
        c.send(out.encode())
    c.close()
EOF

# start_fake MODE: a stand-in on $tmp/tel.sock
start_fake()
{
	if [ -n "$fake_pid" ]; then
		kill "$fake_pid" 2>/dev/null
		wait "$fake_pid" 2>/dev/null
	fi
	rm -f "$tmp/tel.sock"
	"$py" "$tmp/fake.py" "$tmp/tel.sock" "$1" &
	fake_pid=$!
	for _ in $(seq 50); do
		[ -S "$tmp/tel.sock" ] && return 0
		sleep 0.1
	done
	fail "stand-in server ($1) did not start"
	return 1
}

# run NAME ARG...: ptcp-stat, exit 0 wanted; output in $tmp/out
run()
{
	local name=$1 rc

	shift
	timeout 20 "$stat" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	if [ $rc -ne 0 ] || [ -s "$tmp/err" ]; then
		fail "$name: exit $rc"
		sed 's/^/  | /' "$tmp/out" "$tmp/err"
		return 1
	fi
	echo "ok: $name"
	return 0
}

# has NAME REGEX: a line of $tmp/out matches
has()
{
	if ! grep -Eq -- "$2" "$tmp/out"; then
		fail "$1: no line matches /$2/; output:"
		sed 's/^/  | /' "$tmp/out"
	fi
}

mkdir -p "$tmp/run/dpdk/fake"
if start_fake ok; then
	ln -s "$tmp/tel.sock" "$tmp/run/dpdk/fake/dpdk_telemetry.v2"
	run summary --file-prefix fake && {
		has summary '^Total: 11 connections, 2 workers, mbufs 1100 of 8191 in use \(pid [0-9]+\)$'
		has summary '^TCP:   11 \(estab 5, closed 0, orphaned 1, timewait 3\)$'
		has summary 'listen 4, synsent 0, synrecv 0, closewait 2\)$'
		has summary '^Segments:   in 1490, out 1380$'
		has summary '^Retransmit: data 4, SYN 1, SYN-ACK 0, FIN 0, timeouts 2$'
		has summary '^RSTs:       sent 3, received 1$'
		has summary '^Drops:      9 \(tcp_bad_csum 6, rx_ip_frag 2, tcp_ooo_drop 1\)$'
		has summary '^CLOSE-WAIT +2$'
		has summary '^total-LISTEN +11$'
		has summary '^FIN-WAIT-2 +1$'
	}
	run states --socket "$tmp/tel.sock" --states && {
		has states '^State +Count$'
		has states '^ESTABLISHED +5$'
		has states '^TIME-WAIT +3$'
		[ "$(wc -l <"$tmp/out")" -eq 13 ] ||
			fail "states: $(wc -l <"$tmp/out") lines, want 13"
	}
	run lcores -s "$tmp/tel.sock" --lcores && {
		has lcores '^lcore +rx_pkts +tx_pkts +conns +time_wait +steer_out +steer_in +mbufs_in_use$'
		has lcores '^ +1 +600 +600 +3 +1 +1 +4 +500$'
	}
	run conns -s "$tmp/tel.sock" --conns 5 && {
		has conns '^State +Local Address:Port +Peer Address:Port +Lcore +Age +Timers +RTT ms +Cwnd +Bytes in +Bytes out$'
		has conns '^ESTABLISHED +10\.99\.0\.1:80 +10\.99\.0\.2:41000 +0 +1\.5s +keep +1 +14480 +78 +1024$'
		has conns '^CLOSE-WAIT +10\.99\.0\.1:7 +10\.99\.0\.2:41001 +1 +2m05s +- +0'
		has conns '^2 shown; in all 8 connections and 3 in TIME-WAIT \(the reply holds no more\)$'
	}
	run prometheus -s "$tmp/tel.sock" --prometheus && {
		has prometheus '^ptcp_tcp_rx_total 1490$'
		has prometheus '^# TYPE ptcp_tcp_rx_total counter$'
		has prometheus '^ptcp_connections\{state="CLOSE-WAIT"\} 2$'
		has prometheus '^ptcp_lcore_conns\{lcore="1"\} 3$'
		has prometheus '^ptcp_mbufs_in_use 1100$'
		has prometheus '^ptcp_transitions_total\{from="ESTABLISHED",to="CLOSE-WAIT"\} 2$'
		# every sample's family was typed before it
		awk '/^# TYPE /{t[$3]=1; next} /^#/{next}
			{n=$1; sub(/\{.*/, "", n); if (!(n in t)) bad++}
			END{exit bad > 0}' "$tmp/out" ||
			fail "prometheus: a sample without its TYPE first"
	}
	# --watch on a pipe: no escape codes, refreshes until stopped
	timeout --preserve-status -s INT 2.5 "$stat" -s "$tmp/tel.sock" --watch 1 --states \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	n=$(grep -c '^ESTABLISHED' "$tmp/out")
	if [ $rc -ne 0 ] || [ "$n" -lt 2 ] || [ "$n" -gt 4 ] ||
			grep -q $'\033' "$tmp/out" || [ -s "$tmp/err" ]; then
		fail "watch: exit $rc, $n refreshes (want 2 to 4)"
		sed 's/^/  | /' "$tmp/out" "$tmp/err"
	else
		echo "ok: watch -> $n refreshes, exit 0 on SIGINT"
	fi
fi

if start_fake noptcp; then
	expect 1 "$tmp/tel\.sock: no /ptcp/stats command there \(pid [0-9]+, DPDK 22\.11\.0\): not a ptcp endpoint" \
		-s "$tmp/tel.sock"
	expect 1 "no /ptcp/conns command there" -s "$tmp/tel.sock" --conns
fi
if start_fake garbage; then
	expect 1 "$tmp/tel\.sock: reply to /ptcp/states: bad JSON at byte [0-9]+: truncated" \
		-s "$tmp/tel.sock" --states
fi
if start_fake close; then
	expect 1 "$tmp/tel\.sock: the server closed the connection before the greeting" \
		-s "$tmp/tel.sock" --states
fi

echo "stat_cli: $fails failure(s)"
[ $fails -eq 0 ]
