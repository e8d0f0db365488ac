#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Run the receive-path fuzzer for a bounded time (CI: 120 s):
#   tests/fuzz/run.sh BUILD_DIR SECONDS
# BUILD_DIR is a tree configured with
#   CC=clang meson setup BUILD_DIR -Dfuzz=true \
#     -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
# Every saved crash (tests/fuzz/crashes/) and regression input
# (tests/fuzz/corpus/regress-*) is replayed first; then libFuzzer mutates
# a temporary copy of the seed corpus (the repository's corpus is left as
# it is). New crash inputs are copied to tests/fuzz/crashes/. Exits
# non-zero on any crash, leak or sanitizer report.
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR SECONDS" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
fuzzer=$1/tests/fuzz/fuzz_rx
secs=$2
if [ ! -x "$fuzzer" ]; then
	echo "$fuzzer: not built (meson setup ... -Dfuzz=true)" >&2
	exit 2
fi

work=$(mktemp -d /tmp/ptcp-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/corpus" "$work/artifacts" "$here/crashes"
cp "$here"/corpus/* "$work/corpus/"

# UBSan reports are failures too; ASan's leak check does not know the
# EAL's memory (freed at exit by design), so it stays off.
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1

status=0

# Regression inputs: each must run clean (libFuzzer runs files given as
# arguments once each).
set -- $(ls "$here"/corpus/regress-* "$here"/crashes/* 2>/dev/null)
if [ $# -gt 0 ]; then
	echo "== replaying $# saved inputs"
	if ! "$fuzzer" -rss_limit_mb=2048 "$@" >"$work/replay.log" 2>&1; then
		tail -50 "$work/replay.log"
		echo "FAIL: a saved input still crashes" >&2
		status=1
	fi
fi

echo "== fuzzing for $secs s"
"$fuzzer" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=30 \
	-print_final_stats=1 -artifact_prefix="$work/artifacts/" \
	"$work/corpus" 2>&1 | tee "$work/fuzz.log" | \
	grep --line-buffered -v '^#[0-9]*[[:space:]]*\(NEW\|REDUCE\)\|^"\|^###'
rc=$(grep -c 'ERROR: \|runtime error\|==ABORTING\|deadly signal' \
	"$work/fuzz.log")
for f in "$work"/artifacts/*; do
	[ -e "$f" ] || continue
	cp "$f" "$here/crashes/"
	echo "crash input saved: $here/crashes/$(basename "$f")"
	rc=$((rc + 1))
done
grep '^#.*\(pulse\|DONE\)' "$work/fuzz.log" | tail -1
if [ "$rc" -ne 0 ]; then
	echo "FAIL: the fuzzer found a crash" >&2
	status=1
fi
exit $status
