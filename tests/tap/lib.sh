# shellcheck shell=bash disable=SC2034,SC2054,SC2153
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
#
# ptcp-server on net_tap inside a network namespace of its own: the helpers
# that the tap suite and devtools/demo share. Source it; it runs nothing.
#
# Set before calling (ptcp_tap_init sets unique defaults for the names):
#   PTCP_SERVER   the ptcp-server executable
#   PTCP_CONFIG   its INI file (config/tap.ini: ptcp is 10.99.0.2/24)
#   PTCP_NS       network namespace to create, unique per run
#   PTCP_IFACE    name of the tap interface (at most 15 characters)
#   PTCP_PREFIX   the EAL --file-prefix (its runtime dir is removed at the end)
#   PTCP_DIR      a directory for server.out and server.err
#
# Every wait is bounded; ptcp_tap_cleanup is safe to call at any point, and
# more than once, and ends only processes inside PTCP_NS.

PTCP_KERNEL_ADDR=10.99.0.1/24   # the kernel side of the tap
PTCP_ADDR=10.99.0.2             # ptcp's address in config/tap.ini
# EAL -l: the lcores ptcp-server runs on, one worker each (set it after
# sourcing this file, as the two above, for more than one worker).
PTCP_LCORES=0
PTCP_SRV_PID=
PTCP_NS_CREATED=no
# Every namespace ptcp_netns_add made (PTCP_NS and any other the script
# needs): ptcp_tap_cleanup deletes them.
PTCP_NETNS=()

# Results: one "PASS: what" / "FAIL: what" line each, counted in passes and
# fails; ms_since T0 (from date +%s%N) for timings.
passes=0
fails=0
pass()
{
	echo "PASS: $*"
	passes=$((passes + 1))
}
fail()
{
	echo "FAIL: $*"
	fails=$((fails + 1))
}
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# ptcp_tap_init TAG: unique names from TAG and this shell's pid.
ptcp_tap_init()
{
	local tag=$1 id=$$

	PTCP_NS=${PTCP_NS:-ptcp-$tag-$id}
	PTCP_IFACE=${PTCP_IFACE:-pt$tag$id}
	PTCP_IFACE=${PTCP_IFACE:0:15}
	PTCP_PREFIX=${PTCP_PREFIX:-ptcp-$tag-$id}
	PTCP_SRV_OUT=$PTCP_DIR/server.out
	PTCP_SRV_ERR=$PTCP_DIR/server.err
}

# ptcp_tap_setup TAG LABEL [TOOL...]: the start of every tap script. Skip
# (exit 77) unless the tap topology can run here and every TOOL is on PATH;
# then a work folder $PTCP_DIR (/tmp/ptcp-tap-LABEL.*), names from TAG
# (ptcp_tap_init), and traps that clean everything up on any exit
# (ptcp_tap_exit). A script with processes of its own outside the
# namespace defines ptcp_tap_on_exit to end them (ptcp_stop_pids).
ptcp_tap_setup()
{
	local tag=$1 label=$2 why c

	shift 2
	if ! why=$(ptcp_tap_can_run); then
		echo "SKIP: $why"
		exit 77
	fi
	for c in "$@"; do
		if ! command -v "$c" >/dev/null 2>&1; then
			echo "SKIP: $c not installed (devtools/test installs it)"
			exit 77
		fi
	done
	PTCP_DIR=$(mktemp -d "/tmp/ptcp-tap-$label.XXXXXX") || exit 1
	ptcp_tap_init "$tag"
	trap ptcp_tap_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# ptcp_tap_exit: the EXIT trap of ptcp_tap_setup: the script's own
# ptcp_tap_on_exit if it defines one, then ptcp_tap_cleanup (the server,
# everything in the namespace, the namespace, the EAL runtime dir) and the
# work folder.
ptcp_tap_exit()
{
	if declare -F ptcp_tap_on_exit >/dev/null; then
		ptcp_tap_on_exit
	fi
	ptcp_tap_cleanup
	rm -rf "$PTCP_DIR"
}

# ptcp_stop_pids [PID...]: SIGINT each of our background PIDs, SIGKILL any
# left after 5 s, and reap them. Empty arguments are skipped.
ptcp_stop_pids()
{
	local p

	for p in "$@"; do
		[ -n "$p" ] && kill -INT "$p" 2>/dev/null
	done
	for p in "$@"; do
		[ -n "$p" ] || continue
		ptcp_wait_exit "$p" 5 || kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
}

# ptcp_dump_server: what the server printed, for a failure's log.
ptcp_dump_server()
{
	echo "--- server stdout"
	cat "$PTCP_SRV_OUT"
	echo "--- server stderr"
	cat "$PTCP_SRV_ERR"
	echo "---"
}

# nsx SECONDS CMD...: CMD inside the namespace, killed after SECONDS.
nsx()
{
	local t=$1

	shift
	timeout -k 2 "$t" ip netns exec "$PTCP_NS" "$@"
}

# ptcp_peer_run SECONDS CHECK ARG...: run one check of the Python peer
# $PEER (with $PY) in the namespace, show its other output indented, and
# count its PASS:/FAIL: line. Its output stays in $PTCP_DIR/peer.out.
# Status 0 on PASS.
ptcp_peer_run()
{
	local t=$1 name=$2 rc out=$PTCP_DIR/peer.out t0

	shift
	t0=$(date +%s%N)
	nsx "$t" "$PY" "$PEER" "$@" >"$out" 2>&1
	rc=$?
	grep -v '^PASS: \|^FAIL: ' "$out" | sed 's/^/    /'
	if [ $rc -eq 0 ] && grep -q "^PASS: $name:" "$out"; then
		pass "$(sed -n "s/^PASS: //p" "$out") ($(ms_since "$t0") ms)"
		return 0
	fi
	if grep -q "^FAIL: $name:" "$out"; then
		fail "$(sed -n "s/^FAIL: //p" "$out")"
	else
		fail "$name: $(basename "$PEER") exited $rc without a verdict"
	fi
	return 1
}

# want_ge WHAT VALUE MIN / want_eq WHAT VALUE WANT: one PASS or FAIL line.
want_ge()
{
	if [ "${2:-0}" -ge "$3" ] 2>/dev/null; then
		pass "$1 ${2:-0} (>= $3)"
	else
		fail "$1 '${2:-}', want >= $3"
	fi
}
want_eq()
{
	if [ "${2:-}" = "$3" ]; then
		pass "$1 $2"
	else
		fail "$1 '${2:-}', want $3"
	fi
}

# ptcp_stop_checked: SIGINT the server, show what it printed from its
# "stopping" line on, and check that it exited 0 within 30 s.
ptcp_stop_checked()
{
	local t0 rc

	echo "== SIGINT the server"
	t0=$(date +%s%N)
	ptcp_server_stop 30
	rc=$?
	sed -n '/^ptcp-server: stopping/,$p' "$PTCP_SRV_OUT" | sed 's/^/    /'
	if [ $rc -eq 0 ]; then
		pass "server exit 0 after SIGINT ($(ms_since "$t0") ms)"
	else
		fail "server exit status $rc after SIGINT, want 0"
	fi
}

# svc_field SERVICE KEY: the number after KEY on SERVICE's line of the
# server's "services:" block.
svc_field()
{
	awk -v s="$1" -v k="$2" '
		/^ptcp-server: services:/ { in_svc = 1; next }
		/^ptcp-server: / { in_svc = 0 }
		in_svc && $1 == s {
			for (i = 2; i < NF; i++)
				if ($i == k) { print $(i + 1); exit }
		}' "$PTCP_SRV_OUT"
}

# mbufs_at_stop: the server's "mbufs in use at stop" figure.
mbufs_at_stop()
{
	sed -n 's/^ptcp-server: mbufs in use at stop: \([0-9]\+\).*/\1/p' \
		"$PTCP_SRV_OUT"
}

# sanitizer_report: did ASan/UBSan report anything on the server's stderr?
sanitizer_report()
{
	grep -Eq 'runtime error:|AddressSanitizer|LeakSanitizer' "$PTCP_SRV_ERR"
}

# ptcp_tap_args ARG...: the two arguments meson passes every tap script,
# PTCP_SERVER (the program under test) and PTCP_CONFIG, or a usage line
# and exit 1.
ptcp_tap_args()
{
	if [ $# -ne 2 ]; then
		echo "usage: $0 PTCP_SERVER CONFIG" >&2
		exit 1
	fi
	PTCP_SERVER=$1
	PTCP_CONFIG=$2
}

# ptcp_tap_finish NAME: the end of a tap script. A sanitizer report on the
# server's stderr is a failure; one line "NAME: P passed, F failed in T
# ms" (T from t_start, when the script set it); the server's output shown
# and exit 1 if anything failed, exit 0 if not.
ptcp_tap_finish()
{
	if sanitizer_report; then
		fail "sanitizer report from the server"
	else
		pass "no sanitizer report"
	fi
	echo "$1: $passes passed, $fails failed${t_start:+ in $(ms_since "$t_start") ms}"
	if [ "$fails" -ne 0 ]; then
		ptcp_dump_server
		exit 1
	fi
	exit 0
}

# ab_check TITLE WANT_COMPLETE AB_ARG...: run ab in the namespace (at most
# 120 s), show its summary, one PASS or FAIL: all WANT_COMPLETE requests
# complete, none failed, all 2xx.
ab_check()
{
	local title=$1 want=$2 out=$PTCP_DIR/ab.out rc t0 complete failed rps

	shift 2
	echo "== ab $*"
	t0=$(date +%s%N)
	nsx 120 ab -q -s 10 "$@" >"$out" 2>&1
	rc=$?
	grep -E '^(Complete|Failed|Non-2xx|Requests per|Time taken|Keep-Alive)' \
		"$out" | sed 's/^/    /'
	complete=$(sed -n 's/^Complete requests: *\([0-9]\+\).*/\1/p' "$out")
	failed=$(sed -n 's/^Failed requests: *\([0-9]\+\).*/\1/p' "$out")
	rps=$(sed -n 's/^Requests per second: *\([0-9.]\+\).*/\1/p' "$out")
	if [ $rc -eq 0 ] && [ "${complete:-}" = "$want" ] &&
			[ "${failed:-}" = 0 ] && ! grep -q '^Non-2xx' "$out"; then
		pass "$title: $complete complete, 0 failed, all 2xx," \
			"$rps req/s ($(ms_since "$t0") ms)"
	else
		tail -n 20 "$out" | sed 's/^/    /'
		fail "$title: ab exit $rc, complete '${complete:-}' (want" \
			"$want), failed '${failed:-}' (want 0)$(grep -q \
			'^Non-2xx' "$out" && echo ', Non-2xx responses')"
	fi
}

# wrk_check SECONDS URL: wrk -t1 -c32 with keep-alive for SECONDS in the
# namespace: PASS with no socket error and every response 2xx, setting
# wrk_requests to the requests it made; SKIP (wrk_requests 0) without wrk.
wrk_requests=0
wrk_check()
{
	local secs=$1 url=$2 out=$PTCP_DIR/wrk.out rc t0 reqs rps sockerr \
		non2xx

	wrk_requests=0
	if ! command -v wrk >/dev/null 2>&1; then
		echo "SKIP: wrk not installed (apt-get install wrk): no wrk check"
		return 0
	fi
	echo "== wrk -t1 -c32 -d${secs}s --timeout 2s $url"
	t0=$(date +%s%N)
	nsx $((secs + 25)) wrk -t1 -c32 -d"${secs}s" --timeout 2s "$url" \
		>"$out" 2>&1
	rc=$?
	sed 's/^/    /' "$out"
	# wrk prints "Socket errors:" and "Non-2xx or 3xx responses:" only
	# when they are not 0.
	reqs=$(sed -n 's/^ *\([0-9]\+\) requests in .*/\1/p' "$out")
	rps=$(sed -n 's/^Requests\/sec: *\([0-9.]\+\).*/\1/p' "$out")
	sockerr=$(sed -n 's/^ *Socket errors: *//p' "$out")
	non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: *//p' "$out")
	if [ -n "$sockerr" ] && [ "$(echo "$sockerr" | tr -cs '0-9' '\n' |
			awk '{ n += $1 } END { print n + 0 }')" = 0 ]; then
		sockerr=
	fi
	if [ $rc -eq 0 ] && [ "${reqs:-0}" -gt 0 ] && [ -z "$sockerr" ] &&
			[ -z "$non2xx" ]; then
		wrk_requests=$reqs
		pass "wrk: $reqs requests, 0 socket errors, all 2xx," \
			"$rps req/s ($(ms_since "$t0") ms)"
	else
		fail "wrk: exit $rc, requests '${reqs:-}', socket errors" \
			"'${sockerr:-0}', non-2xx '${non2xx:-0}'"
	fi
}

# ptcp_server_ready DURATION [OPTION...]: ptcp_server_start and wait until
# it is ready; on failure say why and exit 1.
ptcp_server_ready()
{
	ptcp_server_start "$@"
	echo "started: ${PTCP_SRV_CMD[*]}"
	if ! ptcp_server_wait_ready 30; then
		ptcp_server_why_not_ready
		echo "FAIL: $PTCP_WHY"
		ptcp_dump_server
		exit 1
	fi
}

# ptcp_server_up DURATION [OPTION...]: ptcp_server_ready, then the kernel
# side up; on failure say why and exit 1.
ptcp_server_up()
{
	ptcp_server_ready "$@"
	ptcp_kernel_side_up || { echo "FAIL: configuring $PTCP_IFACE"; exit 1; }
}

# ptcp_idle_run: start the server with the script's own start_server (a
# function it defines), stop it at once, and set idle_mbufs to its "mbufs
# in use at stop" (what the RX rings hold with no traffic: the baseline a
# run must come back to). Exits 1 if that fails.
ptcp_idle_run()
{
	local rc

	start_server 30
	sleep 0.5
	ptcp_server_stop 20
	rc=$?
	idle_mbufs=$(mbufs_at_stop)
	if [ $rc -ne 0 ] || [ -z "$idle_mbufs" ]; then
		echo "FAIL: idle run: exit status $rc, mbufs in use" \
			"'${idle_mbufs}'"
		ptcp_dump_server
		exit 1
	fi
	echo "idle run: exit 0, mbufs in use at stop: $idle_mbufs"
}

# ptcp_tap_can_run: why this machine cannot run the tap topology (on stdout,
# status 1), or nothing and status 0.
ptcp_tap_can_run()
{
	local c

	if [ "$(id -u)" -ne 0 ]; then
		echo "needs root (network namespaces, tap devices)"
		return 1
	fi
	if [ ! -c /dev/net/tun ]; then
		echo "no /dev/net/tun"
		return 1
	fi
	for c in ip ping arping timeout; do
		if ! command -v "$c" >/dev/null 2>&1; then
			echo "$c not installed"
			return 1
		fi
	done
	return 0
}

# ptcp_alive PID: PID exists and is not a zombie.
ptcp_alive()
{
	local st

	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "${st%% *}" != Z ]
}

# ptcp_wait_exit PID SECONDS: wait for PID to end, at most SECONDS.
ptcp_wait_exit()
{
	local pid=$1 i n=$(($2 * 10))

	for ((i = 0; i < n; i++)); do
		ptcp_alive "$pid" || return 0
		sleep 0.1
	done
	! ptcp_alive "$pid"
}

# ptcp_netns_add NAME: a network namespace with lo up, which
# ptcp_tap_cleanup deletes with everything in it.
ptcp_netns_add()
{
	ip netns add "$1" || return 1
	PTCP_NETNS+=("$1")
	ip netns exec "$1" ip link set lo up
}

# ptcp_netns_del NAME: SIGINT every process inside NAME, SIGKILL those left
# after 5 s, then delete it (at most 7 s in all).
ptcp_netns_del()
{
	local ns=$1 i p sig tenths

	# each signal, then up to its wait (in 0.1 s) for the namespace to empty
	for sig in INT:50 KILL:20; do
		tenths=${sig#*:}
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -"${sig%:*}" "$p" 2>/dev/null
		done
		for ((i = 0; i < tenths; i++)); do
			[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
			sleep 0.1
		done
	done
	ip netns del "$ns" 2>/dev/null
}

# ptcp_ns_create: PTCP_NS, the server's namespace.
ptcp_ns_create()
{
	ptcp_netns_add "$PTCP_NS" || return 1
	PTCP_NS_CREATED=yes
}

# ptcp_server_start DURATION [OPTION...]: run ptcp-server in the background
# inside PTCP_NS on net_tap0 (iface PTCP_IFACE). It stops by itself after
# DURATION seconds (-d), and is killed 15 s after that at the latest.
# Its workers are the lcores of PTCP_LCORES (EAL -l; one, lcore 0, unless
# the script set it). OPTIONs go after "--". Sets PTCP_SRV_PID.
ptcp_server_start()
{
	local dur=$1

	shift
	: >"$PTCP_SRV_OUT"
	: >"$PTCP_SRV_ERR"
	PTCP_SRV_CMD=(ip netns exec "$PTCP_NS" "$PTCP_SERVER" --no-huge -m 512
		--no-shconf --no-pci -l "$PTCP_LCORES"
		--file-prefix="$PTCP_PREFIX"
		--vdev="net_tap0,iface=$PTCP_IFACE"
		--log-level=pmd.net.tap:error
		-- -c "$PTCP_CONFIG" -d "$dur" "$@")
	# timeout: the hard bound; it passes SIGINT/SIGTERM on to the server.
	timeout -k 5 $((dur + 15)) "${PTCP_SRV_CMD[@]}" \
		>"$PTCP_SRV_OUT" 2>"$PTCP_SRV_ERR" </dev/null &
	PTCP_SRV_PID=$!
}

# ptcp_server_wait_ready SECONDS: until the server printed "ready" and its
# tap interface exists. Status 1 if it exited or did not get there in time.
ptcp_server_wait_ready()
{
	local i n=$(($1 * 10))

	for ((i = 0; i < n; i++)); do
		if grep -q '^ptcp-server: ready' "$PTCP_SRV_OUT" 2>/dev/null &&
				ip netns exec "$PTCP_NS" ip link show "$PTCP_IFACE" \
				>/dev/null 2>&1; then
			return 0
		fi
		ptcp_alive "$PTCP_SRV_PID" || return 1
		sleep 0.1
	done
	return 1
}

# ptcp_server_why_not_ready: after ptcp_server_wait_ready failed, set
# PTCP_WHY to why (not in $(...): it reaps the server, which must be our child).
ptcp_server_why_not_ready()
{
	local rc

	if ptcp_alive "$PTCP_SRV_PID"; then
		PTCP_WHY="not ready within the time allowed"
		return
	fi
	wait "$PTCP_SRV_PID"
	rc=$?
	PTCP_SRV_PID=
	PTCP_WHY="ptcp-server exited with status $rc before it was ready"
}

# ptcp_kernel_side_up: address and link up on the kernel end of the tap.
ptcp_kernel_side_up()
{
	ip netns exec "$PTCP_NS" ip addr add "$PTCP_KERNEL_ADDR" \
		dev "$PTCP_IFACE" &&
	ip netns exec "$PTCP_NS" ip link set "$PTCP_IFACE" up
}

# ptcp_server_stop SECONDS: SIGINT, then wait at most SECONDS for it to end.
# Status: the server's exit status; 124 if it had to be killed.
ptcp_server_stop()
{
	local pid=$PTCP_SRV_PID rc

	[ -n "$pid" ] || return 1
	kill -INT "$pid" 2>/dev/null
	if ! ptcp_wait_exit "$pid" "$1"; then
		ptcp_ns_kill KILL
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		PTCP_SRV_PID=
		return 124
	fi
	wait "$pid"
	rc=$?
	PTCP_SRV_PID=
	return $rc
}

# ptcp_ns_kill SIGNAL: send SIGNAL to every process inside PTCP_NS.
ptcp_ns_kill()
{
	local p

	[ "$PTCP_NS_CREATED" = yes ] || return 0
	for p in $(ip netns pids "$PTCP_NS" 2>/dev/null); do
		kill -"$1" "$p" 2>/dev/null
	done
}

# ptcp_counter NAME: the value of counter NAME in the server's exit summary
# (nothing if it is not there: ptcp prints only counters that are not 0).
ptcp_counter()
{
	awk -v n="$1" '
		/^ptcp-server: stopping; counters:/ { in_sum = 1; next }
		/^ptcp-server: / { in_sum = 0 }
		in_sum && $1 == n { print $2; exit }' "$PTCP_SRV_OUT"
}

# ptcp_tap_cleanup: stop the server (SIGINT, then SIGKILL), delete every
# namespace ptcp_netns_add made (ptcp_netns_del) and the EAL runtime dir.
# Only touches what this run created.
ptcp_tap_cleanup()
{
	local ns

	if [ -n "$PTCP_SRV_PID" ]; then
		kill -INT "$PTCP_SRV_PID" 2>/dev/null
		ptcp_wait_exit "$PTCP_SRV_PID" 5 || kill -KILL "$PTCP_SRV_PID" \
			2>/dev/null
	fi
	for ns in "${PTCP_NETNS[@]}"; do
		ptcp_netns_del "$ns"
	done
	PTCP_NETNS=()
	PTCP_NS_CREATED=no
	if [ -n "$PTCP_SRV_PID" ]; then
		wait "$PTCP_SRV_PID" 2>/dev/null
		PTCP_SRV_PID=
	fi
	if [ -n "${PTCP_PREFIX:-}" ] && [ -d "/var/run/dpdk/$PTCP_PREFIX" ]; then
		rm -rf "/var/run/dpdk/$PTCP_PREFIX"
	fi
}
