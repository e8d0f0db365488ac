#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
#
# tap_capture: ptcp-server's --capture (pcapng) read back by tshark, over
# net_tap in a network namespace of its own. Subnet 10.98.70.0/24 (the
# kernel .1, ptcp .2, set with --set port0.address), apart from the other
# tap tests'.
#
#   tap_capture.sh PTCP_SERVER CONFIG      (meson passes both; needs root)
#
# Run 1: --capture FILE, one curl GET; after the server stopped, tshark -r
# FILE with IP and TCP checksum validation on (-o ip.check_checksum:TRUE
# -o tcp.check_checksum:TRUE; without them tshark flags no bad checksum)
# must show, for curl's connection, in this order: SYN in, SYN-ACK out, the
# ACK of the SYN-ACK; the GET and a 200 response; a FIN from each side and
# the ACK of each (the four-way close); no RST; every IPv4 and TCP checksum
# good (ptcp sends with checksum offload: the capture fills them in its
# copy); no malformed frame and no expert info of severity warning or
# above anywhere in the file; as many frames as the server says it wrote.
#
# Run 1 also pings twice: the echo replies' IPv4 checksums are offloaded too.
#
# Run 2: --capture FILE --capture-filter "port 80", ping and curl of a
# 100000-byte body: ping is answered, the file holds the HTTP exchange and
# nothing else (no ICMP, no ARP), and the body's segments (zero-copy
# chains, TSO frames where the port has TSO) have good TCP checksums.
#
# Bounds: each server stops by itself after 30 s (-d) and is killed 15 s
# after that; every client command has a timeout; about 10 s in all.
#
# Exit: 0 pass, 1 fail, 77 skip (not root, no /dev/net/tun, tools missing).
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/tap/lib.sh
. "$here/lib.sh"

ptcp_tap_args "$@"

# lib.sh's defaults are tap.ini's 10.99.0.0/24: ours instead.
PTCP_KERNEL_ADDR=10.98.70.1/24
PTCP_ADDR=10.98.70.2
ADDR_SET=port0.address=$PTCP_ADDR/24

ptcp_tap_setup cap capture curl tshark

t_start=$(date +%s%N)
# Checksum validation is off by default in tshark: turn it on.
TSHARK_OPTS=(-n -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE)
PI_WARN=6291456        # _ws.expert.severity of a warning (0x00600000)
BIG_BODY=100000        # run 2's HTTP body: many segments

# start_server OPTION...: start with our address and OPTIONs, wait until
# ready, kernel side up. Exits on failure.
start_server()
{
	ptcp_server_up 30 --set "$ADDR_SET" "$@"
}

# ts FILE FILTER [FIELD...]: tshark -r FILE -Y FILTER, with the fields
# given (comma separated) or the summary lines; stderr dropped (tshark
# warns that it runs as root).
ts()
{
	local f=$1 y=$2 a

	shift 2
	if [ $# -eq 0 ]; then
		timeout 60 tshark "${TSHARK_OPTS[@]}" -r "$f" -Y "$y" 2>/dev/null
		return
	fi
	local args=()
	for a in "$@"; do
		args+=(-e "$a")
	done
	timeout 60 tshark "${TSHARK_OPTS[@]}" -r "$f" -Y "$y" -T fields \
		-E separator=, "${args[@]}" 2>/dev/null
}

# count FILE FILTER: frames of FILE that match FILTER.
count()
{
	ts "$1" "$2" frame.number | wc -l
}

# written: frames the server says it wrote to its capture file.
written()
{
	sed -n 's/^ptcp-server: capture: \([0-9]\+\) frames .*/\1/p' \
		"$PTCP_SRV_OUT"
}

# not_captured: what the server's capture line says it could not copy.
not_captured()
{
	sed -n 's/.* written to .*, \([0-9]\+\) not captured .*/\1/p' \
		"$PTCP_SRV_OUT"
}

# stop_server: SIGINT, exit status and summary (lib.sh), the capture line,
# and no sanitizer report.
stop_server()
{
	ptcp_stop_checked
	echo "    $(grep '^ptcp-server: capture:' "$PTCP_SRV_OUT")"
	if sanitizer_report; then
		fail "sanitizer report on the server's stderr"
		ptcp_dump_server
	fi
}

# curl_get OUT: one GET, code and curl's local port into OUT ("200 PORT").
curl_get()
{
	nsx 10 curl -s -o /dev/null --max-time 5 \
		-w '%{http_code} %{local_port}\n' "http://$PTCP_ADDR/" >"$1"
}

echo "netns $PTCP_NS, iface $PTCP_IFACE, ptcp $PTCP_ADDR," \
	"server $PTCP_SERVER, $(tshark -v 2>/dev/null | head -1)"
ptcp_ns_create || { echo "FAIL: ip netns add $PTCP_NS"; exit 1; }

# --- run 1: everything, one curl GET ---------------------------------------

cap=$PTCP_DIR/cap.pcapng
start_server --capture "$cap"
echo "== ping -c 2, then curl http://$PTCP_ADDR/"
nsx 10 ping -c 2 -i 0.2 -W 2 "$PTCP_ADDR" >/dev/null 2>&1
curl_get "$PTCP_DIR/curl.out"
read -r code lport <"$PTCP_DIR/curl.out"
want_eq "curl: HTTP status" "${code:-}" 200
# Let the last ACK of the close reach ptcp before it stops.
sleep 0.3
stop_server

if [ ! -s "$cap" ]; then
	fail "run 1: no capture file $cap"
else
	echo "== tshark -r cap.pcapng (curl's port ${lport:-?})"
	ts "$cap" "" | sed 's/^/    /'
	want_eq "run 1: frames in the file = frames the server wrote" \
		"$(count "$cap" frame)" "$(written)"
	want_eq "run 1: frames not captured (pool or ring full)" \
		"$(not_captured)" 0
	want_eq "run 1: malformed frames" "$(count "$cap" _ws.malformed)" 0
	want_eq "run 1: frames with expert info of severity warning or above" \
		"$(count "$cap" "_ws.expert.severity >= $PI_WARN")" 0
	nip=$(count "$cap" ip)
	want_ge "run 1: IPv4 frames" "$nip" 12
	want_eq "run 1: ICMP echo replies (IPv4 checksum offloaded too)" \
		"$(count "$cap" "icmp.type == 0")" 2
	want_eq "run 1: IPv4 frames with a good header checksum" \
		"$(count "$cap" "ip.checksum.status == 1")" "$nip"
	want_eq "run 1: TCP frames with a good checksum (of $(count "$cap" \
		tcp))" "$(count "$cap" "tcp.checksum.status == 1")" \
		"$(count "$cap" tcp)"

	# curl's connection, one line per frame; in order, find the
	# handshake, the exchange and the close (frame numbers, 0: not seen).
	ts "$cap" "tcp.port == ${lport:-0}" frame.number tcp.srcport \
		tcp.flags.syn tcp.flags.ack tcp.flags.fin tcp.flags.reset \
		tcp.ack tcp.nxtseq http.request.method http.response.code \
		frame.p2p_dir >"$PTCP_DIR/conn.csv"
	read -r syn syn_in synack synack_out hsack get ok200 cfin cfin_acked \
		sfin sfin_acked rst < <(awk -F, -v cp="${lport:-0}" '
		# 1 frame 2 sport 3 syn 4 ack 5 fin 6 rst 7 ackno 8 nxtseq
		# 9 method 10 code 11 p2p_dir (1 received, 0 sent)
		BEGIN { syn = synack = hsack = get = ok = 0
			cfin = sfin = cfa = sfa = rst = 0; sdir = adir = -1 }
		{ c = ($2 == cp) }
		!syn && c && $3 == 1 && $4 == 0 { syn = $1; sdir = $11; next }
		syn && !synack && !c && $3 == 1 && $4 == 1 && $7 == 1 {
			synack = $1; adir = $11; next }
		synack && !hsack && c && $3 == 0 && $4 == 1 && $7 == 1 {
			hsack = $1 }
		$6 == 1 { if (!rst) rst = $1 }
		c && $9 == "GET" && !get { get = $1 }
		!c && $10 == 200 && !ok { ok = $1 }
		# An ACK of a FIN: from the other side, at or past the FIN.
		cfin && !cfa && !c && $4 == 1 && $7 >= cnext { cfa = $1 }
		sfin && !sfa && c && $4 == 1 && $7 >= snext { sfa = $1 }
		$5 == 1 && c && !cfin { cfin = $1; cnext = $8 }
		$5 == 1 && !c && !sfin { sfin = $1; snext = $8 }
		END { print syn, sdir, synack, adir, hsack, get, ok, cfin, cfa,
			sfin, sfa, rst }' "$PTCP_DIR/conn.csv")
	echo "    curl's connection: SYN $syn, SYN-ACK $synack, ACK $hsack;" \
		"GET $get, 200 $ok200; FIN $cfin (ACKed in $cfin_acked) and" \
		"$sfin (ACKed in $sfin_acked); RST $rst (0: none)"
	if [ "$syn" -gt 0 ] && [ "$synack" -gt "$syn" ] &&
			[ "$hsack" -gt "$synack" ]; then
		pass "run 1: handshake SYN ($syn), SYN-ACK ($synack), ACK" \
			"($hsack) in order"
	else
		fail "run 1: handshake: SYN '$syn', SYN-ACK '$synack', ACK" \
			"'$hsack' (0: not found in order)"
	fi
	want_eq "run 1: direction of the SYN (1: received)" "$syn_in" 1
	want_eq "run 1: direction of the SYN-ACK (0: sent)" "$synack_out" 0
	if [ "$get" -gt "$hsack" ] && [ "$ok200" -gt "$get" ]; then
		pass "run 1: GET ($get), then 200 ($ok200)"
	else
		fail "run 1: GET '$get', 200 '$ok200' after the handshake" \
			"($hsack)"
	fi
	first_fin=$((cfin < sfin ? cfin : sfin))
	if [ "$cfin" -gt 0 ] && [ "$sfin" -gt 0 ] &&
			[ "$first_fin" -gt "$ok200" ] &&
			[ "$cfin_acked" -gt "$cfin" ] &&
			[ "$sfin_acked" -gt "$sfin" ]; then
		pass "run 1: four-way close: FIN $cfin ACKed by $cfin_acked," \
			"FIN $sfin ACKed by $sfin_acked, after the data"
	else
		fail "run 1: close: client FIN '$cfin' ACKed '$cfin_acked'," \
			"server FIN '$sfin' ACKed '$sfin_acked' (0: not seen)"
	fi
	want_eq "run 1: RST in curl's connection (0: none)" "$rst" 0
fi

# --- run 2: --capture-filter "port 80", with ping beside ------------------

cap2=$PTCP_DIR/cap2.pcapng
start_server --capture "$cap2" --capture-filter "port 80" \
	--set server.http_body=$BIG_BODY
echo "== ping -c 3 and curl ($BIG_BODY-byte body), capturing port 80 only"
if nsx 10 ping -c 3 -i 0.2 -W 2 "$PTCP_ADDR" >"$PTCP_DIR/ping.out" 2>&1; then
	pass "run 2: ping answered ($(grep -o '[0-9]* received' \
		"$PTCP_DIR/ping.out"))"
else
	fail "run 2: ping: $(tail -2 "$PTCP_DIR/ping.out" | tr '\n' ' ')"
fi
curl_get "$PTCP_DIR/curl2.out"
read -r code2 _ <"$PTCP_DIR/curl2.out"
want_eq "run 2: curl: HTTP status" "${code2:-}" 200
sleep 0.3
stop_server
if [ ! -s "$cap2" ]; then
	fail "run 2: no capture file $cap2"
else
	ts "$cap2" "" | sed 's/^/    /' | head -12
	echo "    ... largest frame: $(ts "$cap2" frame frame.len | sort -n |
		tail -1) bytes (more than 1514: a TSO frame, captured whole)"
	want_ge "run 2: frames to or from port 80" \
		"$(count "$cap2" "tcp.port == 80")" 8
	want_eq "run 2: ICMP frames" "$(count "$cap2" icmp)" 0
	want_eq "run 2: frames that are not TCP port 80" \
		"$(count "$cap2" "!(tcp.port == 80)")" 0
	want_eq "run 2: frames in the file = frames the server wrote" \
		"$(count "$cap2" frame)" "$(written)"
	want_eq "run 2: HTTP 200 responses" \
		"$(count "$cap2" "http.response.code == 200")" 1
	# The body went as zero-copy chains (TSO frames where the port has
	# TSO): their checksums too are filled in the copy.
	want_eq "run 2: TCP frames with a good checksum (of $(count "$cap2" \
		tcp))" "$(count "$cap2" "tcp.checksum.status == 1")" \
		"$(count "$cap2" tcp)"
	want_eq "run 2: HTTP body bytes" "$(ts "$cap2" \
		"http.response.code == 200" http.content_length)" "$BIG_BODY"
fi

ptcp_tap_finish tap_capture
