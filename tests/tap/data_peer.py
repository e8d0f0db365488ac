#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
"""The kernel's side of tap_data.sh: one bulk transfer against ptcp-server.

    data_peer.py CHECK ADDR PORT SIZE [SEED]

Run inside the test's network namespace. Each check prints what it saw, then
"lport=N" (the local port, for ss), "mbps=X" (SIZE bytes over the time from
connect to the end of the transfer, in MB/s of 2^20 bytes) and one line
"PASS: CHECK: ..." or "FAIL: CHECK: ..."; it exits 0 or 1.

One thread, a non-blocking socket and a selector: reading and writing go on
at the same time (a client that sends everything before reading deadlocks
as soon as both directions' windows are full). Every wait is bounded: a
transfer fails when nothing moved for STALL seconds, or after DEADLINE
seconds in all, and says how far each direction got.

Checks:
  echo ADDR PORT SIZE SEED   SIZE pseudo-random bytes from SEED sent while
                             reading; then shutdown(SHUT_WR); exactly SIZE
                             bytes back (sha256 equal, byte-exact), then EOF
  discard ADDR PORT SIZE SEED  SIZE bytes sent, shutdown(SHUT_WR); the
                             server's FIN (EOF, no byte, no RST), SO_ERROR 0
  chargen ADDR PORT SIZE     read SIZE bytes, shutdown(SHUT_WR), read to
                             the server's EOF: every byte in the RFC 864
                             pattern (app/server/textgen.c)
"""

import errno
import hashlib
import random
import selectors
import socket
import sys
import time

# The chargen pattern, the failure type and the check runner are
# tcp_peer.py's (beside this file).
from tcp_peer import CHARGEN_CYCLE, CheckFailed, run_check

CONNECT_TIMEOUT = 5.0   # seconds
STALL = 10.0            # no byte moved in either direction for this long
DEADLINE = 20.0         # per transfer, connect to EOF
CHUNK = 256 * 1024      # bytes per send() / recv_into() call

def mib_per_s(nbytes, seconds):
    return nbytes / (1 << 20) / max(seconds, 1e-6)


def connect(addr, port):
    s = socket.create_connection((addr, int(port)), timeout=CONNECT_TIMEOUT)
    print("lport=%d" % s.getsockname()[1])
    s.setblocking(False)
    return s


def so_error(s):
    return s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)


def first_difference(a, b):
    """Offset of the first byte where a and b differ (bisecting, so that
    50 MB compare at memcmp speed)."""
    lo, hi = 0, min(len(a), len(b))
    if a[:hi] == b[:hi]:
        return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[lo:mid] != b[lo:mid]:
            hi = mid
        else:
            lo = mid
    return lo


class Transfer:
    """Send out (a bytes-like, may be empty) and then shutdown(SHUT_WR),
    while receiving into a buffer of want bytes; after want bytes, read on
    until EOF (at most extra_max more bytes, kept in self.extra).

    shut_after_recv: shutdown(SHUT_WR) only once want bytes arrived
    (chargen: our FIN asks the server to stop)."""

    def __init__(self, s, out, want, extra_max, shut_after_recv=False):
        self.s = s
        self.out = memoryview(out)
        self.sent = 0
        self.shut = False
        self.shut_after_recv = shut_after_recv
        self.buf = bytearray(want)
        self.view = memoryview(self.buf)
        self.got = 0
        self.extra = bytearray()
        self.extra_max = extra_max
        self.eof = False
        self.t_data = None      # when the last of want bytes arrived

    def _progress(self):
        return ("sent %d of %d bytes%s, received %d of %d%s"
                % (self.sent, len(self.out),
                   " and our FIN" if self.shut else "",
                   self.got, len(self.buf),
                   " + %d more" % len(self.extra) if self.extra else ""))

    def _shutdown(self):
        self.s.shutdown(socket.SHUT_WR)
        self.shut = True

    def _recv(self):
        try:
            if self.got < len(self.buf):
                n = self.s.recv_into(self.view[self.got:],
                                     min(CHUNK, len(self.buf) - self.got))
                if n == 0:
                    self.eof = True
                self.got += n
                if self.got == len(self.buf):
                    self.t_data = time.monotonic()
                return n
            d = self.s.recv(CHUNK)
        except (BlockingIOError, InterruptedError):
            return 0
        if not d:
            self.eof = True
            return 0
        self.extra += d
        if len(self.extra) > self.extra_max:
            raise CheckFailed("%d bytes past the %d expected and no EOF"
                              % (len(self.extra), len(self.buf)))
        return len(d)

    def _send(self):
        try:
            n = self.s.send(self.out[self.sent:self.sent + CHUNK])
        except (BlockingIOError, InterruptedError):
            return 0
        self.sent += n
        return n

    def run(self):
        sel = selectors.DefaultSelector()
        t0 = time.monotonic()
        deadline = t0 + DEADLINE
        last = t0
        events = selectors.EVENT_READ
        if len(self.out):
            events |= selectors.EVENT_WRITE
        elif not self.shut_after_recv:
            self._shutdown()
        sel.register(self.s, events)
        try:
            while not self.eof:
                now = time.monotonic()
                if now > deadline:
                    raise CheckFailed("not done within %.0f s: %s"
                                      % (DEADLINE, self._progress()))
                if now - last > STALL:
                    raise CheckFailed("stalled for %.0f s: %s"
                                      % (STALL, self._progress()))
                ready = sel.select(min(1.0, deadline - now))
                moved = 0
                for _, ev in ready:
                    if ev & selectors.EVENT_READ:
                        moved += self._recv()
                    if ev & selectors.EVENT_WRITE and \
                            self.sent < len(self.out):
                        moved += self._send()
                if moved:
                    last = time.monotonic()
                if not self.shut:
                    if self.shut_after_recv:
                        if self.got == len(self.buf):
                            self._shutdown()
                    elif self.sent == len(self.out):
                        self._shutdown()
                        sel.modify(self.s, selectors.EVENT_READ)
        except ConnectionResetError as e:
            raise CheckFailed("reset (%s): %s" % (e, self._progress()))
        except OSError as e:
            raise CheckFailed("%s: %s" % (e, self._progress()))
        finally:
            sel.close()
        self.t_end = time.monotonic()
        self.seconds = self.t_end - t0
        print("transfer: %s, then EOF, in %.3f s" % (self._progress(),
                                                     self.seconds))
        err = so_error(self.s)
        if err:
            raise CheckFailed("SO_ERROR %s after EOF" % errno.errorcode.get(
                err, err))
        if self.got < len(self.buf):
            raise CheckFailed("EOF early: %s" % self._progress())
        return self


def finish(s):
    """close() after the server's FIN: our side goes to TIME-WAIT. Any
    error now (a RST that came with or after the FIN) fails the check."""
    err = so_error(s)
    s.close()
    if err:
        raise CheckFailed("SO_ERROR %s at close" % errno.errorcode.get(err,
                                                                       err))


def check_echo(addr, port, size, seed):
    size = int(size)
    data = random.Random(int(seed)).randbytes(size)
    s = connect(addr, port)
    x = Transfer(s, data, size, 0).run()
    finish(s)
    want = hashlib.sha256(data).hexdigest()
    have = hashlib.sha256(x.buf).hexdigest()
    print("sent %d bytes sha256 %s" % (size, want))
    print("got  %d bytes sha256 %s" % (x.got, have))
    if x.extra:
        raise CheckFailed("%d bytes more than sent" % len(x.extra))
    if have != want:
        raise CheckFailed("echo differs: first difference at offset %d"
                          % first_difference(x.buf, data))
    rate = mib_per_s(size, x.seconds)
    print("mbps=%.1f" % rate)
    return ("%d bytes back byte-exact (sha256 %s...), half-close, EOF; "
            "%.1f MB/s" % (size, want[:16], rate))


def check_discard(addr, port, size, seed):
    size = int(size)
    data = random.Random(int(seed)).randbytes(size)
    s = connect(addr, port)
    # Nothing may come back: the server answers our FIN with its own.
    x = Transfer(s, data, 0, 0).run()
    finish(s)
    if x.extra:
        raise CheckFailed("the server sent %d bytes" % len(x.extra))
    rate = mib_per_s(size, x.seconds)
    print("mbps=%.1f" % rate)
    return ("%d bytes sent, our FIN, the server's FIN (no data, no RST, "
            "SO_ERROR 0); %.1f MB/s" % (size, rate))


def check_chargen(addr, port, size):
    size = int(size)
    s = connect(addr, port)
    # After our FIN the server stops; what it queued before (its send
    # buffer and what is in flight) still comes: allow 64 MiB of it.
    x = Transfer(s, b"", size, 64 << 20, shut_after_recv=True).run()
    finish(s)
    data = x.buf + x.extra
    n = len(data)
    want = (CHARGEN_CYCLE * (n // len(CHARGEN_CYCLE) + 1))[:n]
    print("first line %r" % bytes(data[:74]))
    print("%d bytes read (%d asked, %d after our FIN), then EOF"
          % (n, size, len(x.extra)))
    if data != want:
        i = first_difference(data, want)
        raise CheckFailed("byte %d is %r, want %r" % (i, data[i:i + 1],
                                                      want[i:i + 1]))
    rate = mib_per_s(size, x.t_data - (x.t_end - x.seconds))
    print("mbps=%.1f" % rate)
    return ("%d bytes, all in the RFC 864 pattern, then EOF after our FIN; "
            "%.1f MB/s" % (n, rate))


CHECKS = {
    "echo": check_echo,
    "discard": check_discard,
    "chargen": check_chargen,
}


if __name__ == "__main__":
    sys.exit(run_check(CHECKS, 5, __doc__))
