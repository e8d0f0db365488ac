#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
"""The kernel's side of tap_lossy.sh and tap_reorder.sh: bulk transfers
against ptcp-server through a path that loses, reorders or duplicates
segments.

    lossy_peer.py CHECK ADDR SIZE SEED [DEADLINE]

Run inside the test's network namespace. data_peer.py's transfers (one
thread, a non-blocking socket, reading while sending, sha256), with the
time limits of a lossy path: a transfer fails after DEADLINE seconds in all
(default 100) or STALL (20 s) with no byte moved either way (an RTO backs
off to at most a few seconds at 5 % loss: 20 s still means stuck). Each
check prints what it saw and one line "PASS: CHECK: ..." or "FAIL: CHECK:
..."; it exits 0 or 1.

Checks:
  echo ADDR SIZE SEED     port 7: SIZE pseudo-random bytes sent while
                          reading; shutdown(SHUT_WR); exactly SIZE bytes
                          back, sha256 equal, then EOF
  both ADDR SIZE SEED     SIZE bytes each way at once on two connections:
                          SIZE pseudo-random bytes to discard (port 9),
                          then our FIN and the server's, while reading
                          SIZE bytes from chargen (port 19), every byte in
                          the RFC 864 pattern, then our FIN and read to
                          EOF; one thread each
"""

import random
import sys
import threading

import data_peer
from data_peer import Transfer, connect, finish, first_difference, \
    mib_per_s
from tcp_peer import CHARGEN_CYCLE, CheckFailed, run_check

data_peer.STALL = 20.0


def set_deadline(deadline):
    if deadline is not None:
        data_peer.DEADLINE = float(deadline)
    else:
        data_peer.DEADLINE = 100.0


def check_echo(addr, size, seed, deadline=None):
    set_deadline(deadline)
    return data_peer.check_echo(addr, 7, size, seed)


def check_both(addr, size, seed, deadline=None):
    set_deadline(deadline)
    size = int(size)
    data = random.Random(int(seed)).randbytes(size)
    up = connect(addr, 9)
    down = connect(addr, 19)
    # one Transfer per thread; the first exception of each is kept
    xfers = {"up": Transfer(up, data, 0, 0),
             # after our FIN the server stops: what it queued still comes
             "down": Transfer(down, b"", size, 64 << 20,
                              shut_after_recv=True)}
    errors = {}

    def run(name):
        try:
            xfers[name].run()
        except (CheckFailed, OSError) as e:
            errors[name] = e

    threads = [threading.Thread(target=run, args=(n,)) for n in xfers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise CheckFailed("; ".join("%s: %s" % kv
                                    for kv in sorted(errors.items())))
    finish(up)
    finish(down)
    x_up, x_down = xfers["up"], xfers["down"]
    if x_up.extra:
        raise CheckFailed("discard sent %d bytes" % len(x_up.extra))
    got = x_down.buf + x_down.extra
    n = len(got)
    want = (CHARGEN_CYCLE * (n // len(CHARGEN_CYCLE) + 1))[:n]
    if got != want:
        i = first_difference(got, want)
        raise CheckFailed("chargen byte %d is %r, want %r"
                          % (i, got[i:i + 1], want[i:i + 1]))
    print("up: %d bytes to discard in %.1f s (%.1f MB/s), the server's FIN"
          % (size, x_up.seconds, mib_per_s(size, x_up.seconds)))
    print("down: %d bytes from chargen in %.1f s (%.1f MB/s), all in "
          "the pattern, EOF" % (n, x_down.seconds,
                                mib_per_s(size, x_down.seconds)))
    return ("%d bytes each way at once: discard got them and closed, "
            "chargen's all in the RFC 864 pattern; %.1f s" %
            (size, max(x_up.seconds, x_down.seconds)))


CHECKS = {
    "echo": check_echo,
    "both": check_both,
}


if __name__ == "__main__":
    sys.exit(run_check(CHECKS, 5, __doc__))
