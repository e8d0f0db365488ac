#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
"""The kernel's side of tap_deadpeer.sh and tap_restart.sh: many
connections to ptcp-server held open while the test does something to one
side.

    faults_peer.py hold ADDR ECHO DAYTIME CHARGEN N
    faults_peer.py restart ADDR ECHO N GO_FILE

Run inside the test's network namespace. Every socket operation has a
timeout and every wait a deadline.

hold: opens N connections, in turn two to echo (one exchange, then
idle: ESTABLISHED on ptcp's side), one to daytime (the line read, ptcp's
FIN acknowledged, ours never sent: FIN-WAIT-2 on ptcp's side) and one to
chargen (never read: ptcp fills our window and is left probing it
closed), prints "READY N" and sleeps until it is killed (at most 120 s).

restart: opens N echo connections (one exchange each, then idle; every
third with the kernel's keepalive at 1 s), prints "READY N" and waits (at
most 60 s) for GO_FILE to exist: the server has been killed and started
again meanwhile. Then each connection's next segment goes out: one byte
of data on a third, a FIN (shutdown(SHUT_WR)) on a third, the kernel's
next keepalive probe (a bare ACK below SND.NXT) on the keepalive third.
Each connection must end with ECONNRESET (the new server knows none of
them and answers with RST). Then connects again from each local port
(the same 4-tuple) and does one echo exchange on each; every new
connection must be made and answered at once. One line
"PASS: restart: ..." or "FAIL: restart: ...", exit 0 or 1.
"""

import os
import socket
import sys
import time

TIMEOUT = 5.0           # per socket operation, seconds


class CheckFailed(Exception):
    pass


def connect(addr, port, lport=0, rcvbuf=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    if lport:
        s.bind(("0.0.0.0", lport))
    s.settimeout(TIMEOUT)
    s.connect((addr, port))
    return s


def echo_once(s, what):
    s.sendall(what)
    got = b""
    while len(got) < len(what):
        d = s.recv(len(what) - len(got))
        if not d:
            raise CheckFailed("echo: EOF after %d of %d bytes"
                              % (len(got), len(what)))
        got += d
    if got != what:
        raise CheckFailed("echo: %r back for %r" % (got, what))


def hold(addr, echo, daytime, chargen, n):
    socks = []
    for i in range(n):
        kind = i % 4
        if kind <= 1:
            s = connect(addr, echo)
            echo_once(s, b"hold %d\n" % i)
        elif kind == 2:
            s = connect(addr, daytime)
            line = b""
            while not line.endswith(b"\n"):
                d = s.recv(256)
                if not d:
                    break
                line += d
            # ptcp's FIN: recv returns b"" once it has arrived (and the
            # kernel has acknowledged it); ours is never sent
            if s.recv(1) != b"":
                raise CheckFailed("daytime: data after the line")
        else:
            s = connect(addr, chargen, rcvbuf=4096)
        socks.append(s)
    # chargen fills our receive buffer within a few round trips
    time.sleep(0.5)
    print("READY %d" % len(socks), flush=True)
    time.sleep(120)
    return 0


def restart(addr, echo, n, go_file):
    socks = []
    for i in range(n):
        s = connect(addr, echo)
        echo_once(s, b"before %d\n" % i)
        if i % 3 == 2:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 20)
        socks.append(s)
    lports = [s.getsockname()[1] for s in socks]
    print("READY %d" % len(socks), flush=True)
    deadline = time.monotonic() + 60
    while not os.path.exists(go_file):
        if time.monotonic() > deadline:
            raise CheckFailed("no %s within 60 s" % go_file)
        time.sleep(0.05)

    # The next segment of each: the restarted server has no such
    # connection. Data, a FIN, or (keepalive) nothing of ours.
    t0 = time.monotonic()
    for i, s in enumerate(socks):
        if i % 3 == 0:
            s.send(b"?")
        elif i % 3 == 1:
            s.shutdown(socket.SHUT_WR)
    resets = 0
    other = []
    for i, s in enumerate(socks):
        try:
            d = s.recv(16)
            other.append("%d: %r" % (lports[i], d))
        except ConnectionResetError:
            resets += 1
        except OSError as e:
            other.append("%d: %s" % (lports[i], e))
        s.close()
    t_reset = time.monotonic() - t0
    print("resets %d of %d in %.0f ms (data, FIN, keepalive probe: a "
          "third each)" % (resets, n, t_reset * 1000))
    if resets != n:
        raise CheckFailed("%d of %d connections reset (want all): %s"
                          % (resets, n, "; ".join(other[:5])))

    # The same 4-tuples again, at once: no TIME-WAIT on either side.
    t0 = time.monotonic()
    slowest = 0.0
    for i, lport in enumerate(lports):
        t1 = time.monotonic()
        try:
            s = connect(addr, echo, lport)
            echo_once(s, b"after %d\n" % i)
        except OSError as e:
            raise CheckFailed("reconnect from port %d: %s" % (lport, e))
        slowest = max(slowest, time.monotonic() - t1)
        s.close()
    t_again = time.monotonic() - t0
    print("reconnected %d of %d from the same ports in %.0f ms "
          "(slowest %.0f ms)" % (n, n, t_again * 1000, slowest * 1000))
    # "At once": a lost SYN would cost the kernel's 1 s retransmission.
    if slowest >= 0.9:
        raise CheckFailed("a reconnect took %.0f ms (want < 900: no SYN "
                          "retransmitted)" % (slowest * 1000))
    print("PASS: restart: %d connections reset by the restarted server "
          "(ECONNRESET) in %.0f ms, %d made again on the same 4-tuples "
          "in %.0f ms" % (n, t_reset * 1000, n, t_again * 1000))
    return 0


def main(argv):
    try:
        if len(argv) == 7 and argv[1] == "hold":
            return hold(argv[2], int(argv[3]), int(argv[4]), int(argv[5]),
                        int(argv[6]))
        if len(argv) == 6 and argv[1] == "restart":
            return restart(argv[2], int(argv[3]), int(argv[4]), argv[5])
    except (CheckFailed, OSError) as e:
        print("FAIL: %s: %s" % (argv[1], e), flush=True)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
