# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
#
# The cli suite's helpers. Source it with CLI_PROG (the program under test)
# and CLI_TMP (a work folder the script removes) set; it runs nothing.

fails=0

# fail WHAT: one FAIL line, counted in fails.
fail()
{
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# expect STATUS PATTERN ARG...: CLI_PROG ARG... exits STATUS, prints
# exactly one line in all (stdout and stderr), and that line matches PATTERN
# (grep -E). One line also means that the EAL did not start (it talks).
expect()
{
	local want=$1 pat=$2 rc lines name=${CLI_PROG##*/}

	shift 2
	timeout 20 "$CLI_PROG" "$@" >"$CLI_TMP/out" 2>&1 </dev/null
	rc=$?
	lines=$(wc -l <"$CLI_TMP/out")
	if [ $rc -ne "$want" ] || [ "$lines" -ne 1 ] ||
			! grep -Eq -- "$pat" "$CLI_TMP/out"; then
		fail "$name $*"
		echo "  exit $rc (want $want), $lines line(s) (want 1)," \
			"want a line matching /$pat/; output:"
		sed 's/^/  | /' "$CLI_TMP/out"
	else
		echo "ok: $name $* -> exit $rc: $(cat "$CLI_TMP/out")"
	fi
}
