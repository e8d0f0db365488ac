# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Shared by tests/bench/churn/{run,timewait,callgrind}.sh: start and stop
# ptcp-server over net_memif, a temp dir, and a cleanup trap that kills
# every process started here and removes every temp file and netns.
#
# The caller sets: build (build dir), top (repository top).

CHURN_PIDS=()
CHURN_NETNS=()
CHURN_TMP=
CHURN_SRV_PID=

churn_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
churn_die() { churn_log "$*"; exit 1; }

churn_cleanup() {
	local pid ns
	for pid in "${CHURN_PIDS[@]}"; do
		kill -INT "$pid" 2>/dev/null || true
	done
	for pid in "${CHURN_PIDS[@]}"; do
		# bounded: 5 s, then SIGKILL
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.5
		done
		kill -KILL "$pid" 2>/dev/null || true
	done
	for ns in "${CHURN_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	if [ -n "$CHURN_TMP" ]; then
		rm -rf "$CHURN_TMP"
	fi
	rm -rf /var/run/dpdk/ptcpb-"$$"-* 2>/dev/null || true
}

# churn_setup: temp dir, the trap and the two configurations (call once,
# early): config/memif-{server,churn}.ini, or stand-ins while they are
# missing. Sets CHURN_SRV_INI and CHURN_CLI_INI.
churn_setup() {
	CHURN_TMP=$(mktemp -d /tmp/ptcp-churn.XXXXXX)
	trap churn_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	CHURN_SRV_INI=${top:?}/config/memif-server.ini
	CHURN_CLI_INI=$top/config/memif-churn.ini
	if [ ! -f "$CHURN_SRV_INI" ] || [ ! -f "$CHURN_CLI_INI" ]; then
		CHURN_SRV_INI=$CHURN_TMP/memif-server.ini
		CHURN_CLI_INI=$CHURN_TMP/memif-churn.ini
		printf '[port0]\naddress = 10.97.0.1/24\n' >"$CHURN_SRV_INI"
		printf '[port0]\naddress = 10.97.0.2/24\n' >"$CHURN_CLI_INI"
	fi
}

# churn_forget PID: a process that has exited (no kill at cleanup)
churn_forget() {
	local p keep=()
	for p in "${CHURN_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	CHURN_PIDS=("${keep[@]}")
}

# churn_wait_line FILE PATTERN SECONDS PID: wait until FILE has a line
# matching PATTERN; fail if PID exits first or time runs out.
churn_wait_line() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$4" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# churn_stop PID [SECONDS]: SIGINT, wait (bounded), then SIGKILL.
churn_stop() {
	local i
	kill -INT "$1" 2>/dev/null || true
	for ((i = 0; i < ${2:-10} * 10; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	churn_forget "$1"
}

# EAL arguments of one side of the memif pair: churn_eal LCORE ROLE NAME
# (CHURN_MEMIF_ARGS: more net_memif arguments, e.g. ",rsize=12")
churn_eal() {
	printf '%s\n' -l "$1" --no-huge -m 1024 --no-pci --no-shconf \
		--file-prefix "ptcpb-$$-$3" --log-level=pmd.net.memif:error \
		"--vdev=net_memif0,role=$2,socket=$CHURN_TMP/memif.sock${CHURN_MEMIF_ARGS:-}"
}

# churn_server_start LOG [--set k=v]...: ptcp-server on lcore 1, the memif
# server side; waits for "ready" (20 s). Sets CHURN_SRV_PID.
churn_server_start() {
	local log=$1 eal
	shift
	mapfile -t eal < <(churn_eal 1 server srv)
	"${build:?}/app/server/ptcp-server" "${eal[@]}" -- \
		-c "$CHURN_SRV_INI" "$@" >"$log" 2>&1 &
	CHURN_SRV_PID=$!
	CHURN_PIDS+=("$CHURN_SRV_PID")
	if ! churn_wait_line "$log" 'ptcp-server: ready' 20 "$CHURN_SRV_PID"; then
		churn_log "ptcp-server did not start:"
		tail -20 "$log" >&2
		return 1
	fi
}

# churn_client_run OUT ERR SECONDS [ptcp-churn options]...: ptcp-churn on
# lcore 0, the memif client side, killed after SECONDS.
churn_client_run() {
	local out=$1 err=$2 limit=$3 eal pid rc=0
	shift 3
	mapfile -t eal < <(churn_eal 0 client cli)
	timeout -s INT -k 5 "$limit" "${build:?}/app/churn/ptcp-churn" "${eal[@]}" \
		-- -c "$CHURN_CLI_INI" "$@" >"$out" 2>"$err" &
	pid=$!
	CHURN_PIDS+=("$pid")
	wait "$pid" || rc=$?
	churn_forget "$pid"
	return "$rc"
}

# churn_netns TAG: a fresh network namespace with lo up, its name in
# CHURN_NS (not in a subshell: the cleanup list is ours)
churn_netns() {
	CHURN_NS="ptcpb$$-$1"
	ip netns add "$CHURN_NS" || return 1
	CHURN_NETNS+=("$CHURN_NS")
	ip netns exec "$CHURN_NS" ip link set lo up
}

churn_netns_del() {
	local n keep=()
	ip netns del "$1" 2>/dev/null || true
	for n in "${CHURN_NETNS[@]}"; do
		[ "$n" = "$1" ] || keep+=("$n")
	done
	CHURN_NETNS=("${keep[@]}")
}
