#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
"""The kernel's side of tap_stat.sh: connections held in known states.

    stat_peer.py ADDR K M N RELEASE_FILE HOLD_S

Run inside the test's network namespace. It puts ptcp-server's connections
in known states and holds them there while the shell queries ptcp:

  K  ESTABLISHED  discard (9): a few bytes sent, acknowledged, then idle.
  M  CLOSE-WAIT   echo (7): SIZE bytes sent and none read, then
                  shutdown(SHUT_WR). Echo holds what it cannot send back
                  (our receive buffer is full, its send buffer too), and it
                  closes only once that hold is empty: our FIN leaves
                  ptcp's side in CLOSE-WAIT, the app holding it open.
  N  TIME-WAIT    daytime (13): ptcp sends the line and closes first; we
                  read to EOF, then close: ptcp holds TIME-WAIT for 2*MSL.

Each is confirmed from our side before it counts: the bytes sent to discard
acknowledged (SIOCOUTQ 0); our FIN to echo acknowledged (our socket in
FIN-WAIT-2); our FIN to daytime acknowledged (our socket CLOSED). It prints
one line per connection, "est PORT", "cw PORT", "tw PORT" (our local port),
then "READY", and waits for RELEASE_FILE to exist (at most HOLD_S
seconds). Then it ends everything cleanly: each echo connection reads back
all SIZE bytes byte-exact and then EOF (echo closes once it has sent them),
each discard connection sends its FIN and reads EOF (discard closes on it).
Last, one line "PASS: hold: ..." or "FAIL: hold: ...", exit 0 or 1.

Every socket operation has a timeout and every wait a deadline.
"""

import fcntl
import os
import socket
import struct
import sys
import termios
import time

TIMEOUT = 10.0          # per socket operation, seconds
WAIT = 10.0             # for one state to be reached, seconds
SIZE = 400000           # bytes sent to each echo connection
RCVBUF = 4096           # our receive buffer on echo: fills at once

# Linux's TCP states (include/net/tcp_states.h): tcpi_state, TCP_INFO's
# first byte.
TCP_FIN_WAIT2 = 5
TCP_CLOSE = 7


class CheckFailed(Exception):
    pass


def tcp_state(s):
    return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]


def unacked(s):
    """Bytes (and FIN) sent and not acknowledged yet (SIOCOUTQ)."""
    b = fcntl.ioctl(s.fileno(), termios.TIOCOUTQ, struct.pack("i", 0))
    return struct.unpack("i", b)[0]


def wait_for(what, cond):
    deadline = time.monotonic() + WAIT
    while not cond():
        if time.monotonic() > deadline:
            raise CheckFailed("%s: not within %.0f s" % (what, WAIT))
        time.sleep(0.01)


def connect(addr, port, rcvbuf=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(TIMEOUT)
    s.connect((addr, port))
    return s


def recv_to_eof(s, limit):
    buf = bytearray()
    deadline = time.monotonic() + 2 * TIMEOUT
    while True:
        if time.monotonic() > deadline:
            raise CheckFailed("no EOF within %.0f s (%d bytes read)"
                              % (2 * TIMEOUT, len(buf)))
        d = s.recv(65536)
        if not d:
            return bytes(buf)
        buf += d
        if len(buf) > limit:
            raise CheckFailed("more than %d bytes before EOF" % limit)


def pattern(i):
    """SIZE bytes, different for each connection."""
    line = bytes((i * 7 + j) % 251 for j in range(251))
    return (line * (SIZE // len(line) + 1))[:SIZE]


def hold(addr, k, m, n, release, hold_s):
    addr, k, m, n, hold_s = addr, int(k), int(m), int(n), float(hold_s)
    est, cw = [], []
    try:
        for i in range(k):
            s = connect(addr, 9)
            est.append(s)
            s.sendall(b"idle %d\n" % i)
            wait_for("discard: our bytes acknowledged",
                     lambda s=s: unacked(s) == 0)
            print("est %d" % s.getsockname()[1], flush=True)
        for i in range(m):
            s = connect(addr, 7, RCVBUF)
            cw.append(s)
            s.sendall(pattern(i))
            s.shutdown(socket.SHUT_WR)
            wait_for("echo: our FIN acknowledged (FIN-WAIT-2)",
                     lambda s=s: tcp_state(s) == TCP_FIN_WAIT2)
            print("cw %d" % s.getsockname()[1], flush=True)
        for i in range(n):
            s = connect(addr, 13)
            try:
                line = recv_to_eof(s, 1024)
                if not line.endswith(b"\r\n"):
                    raise CheckFailed("daytime: %r" % line)
                s.shutdown(socket.SHUT_WR)
                wait_for("daytime: our FIN acknowledged (CLOSED)",
                         lambda s=s: tcp_state(s) == TCP_CLOSE)
                print("tw %d" % s.getsockname()[1], flush=True)
            finally:
                s.close()
        print("READY", flush=True)

        deadline = time.monotonic() + hold_s
        while not os.path.exists(release):
            if time.monotonic() > deadline:
                raise CheckFailed("not released within %.0f s" % hold_s)
            time.sleep(0.02)

        for i, s in enumerate(cw):
            got = recv_to_eof(s, SIZE)
            if got != pattern(i):
                raise CheckFailed("echo %d: %d bytes back, not the %d sent"
                                  % (i, len(got), SIZE))
        for s in est:
            s.shutdown(socket.SHUT_WR)
            if recv_to_eof(s, 0):
                raise CheckFailed("discard sent data")
    finally:
        for s in est + cw:
            s.close()
    return ("%d ESTABLISHED, %d CLOSE-WAIT (%d bytes echoed back each "
            "once released), %d TIME-WAIT; all closed cleanly"
            % (k, m, SIZE, n))


def main():
    if len(sys.argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        what = hold(*sys.argv[1:])
    except (CheckFailed, OSError) as e:
        print("FAIL: hold: %s%s" % ("" if isinstance(e, CheckFailed)
                                    else type(e).__name__ + ": ", e))
        return 1
    print("PASS: hold: %s" % what)
    return 0


if __name__ == "__main__":
    sys.exit(main())
