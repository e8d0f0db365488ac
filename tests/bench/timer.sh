#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Timer benchmark: the ptcp wheel vs DPDK rte_timer at 1K, 1M and 10M live
# timers (about 2 minutes, ~2 GB of RAM). Not part of any test suite.
#
# Usage: tests/bench/timer.sh [build-dir] [bench_timer args: N... --no-rte
#        --rte-setup-limit SECONDS]
set -eu
build=${1:-build}
[ $# -gt 0 ] && shift
ninja -C "$build" tests/bench/bench_timer >/dev/null
exec "$build/tests/bench/bench_timer" "$@"
