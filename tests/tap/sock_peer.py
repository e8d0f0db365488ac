#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
"""Linux clients for sock_echo (tests/tap/tap_sock.sh): one check per run,
one "PASS: name: ..." or "FAIL: name: ..." line, exit 0 on PASS.

  sock_peer.py CHECK ADDR PORT

  bulk      1 MiB of pseudo-random bytes, sent while reading, back exact;
            then half-close, EOF, and no RST
  many      32 clients at once, 64 KiB each, every byte back exact
  stall     small socket buffers; the client sends without reading until
            its sends stop: ptcp's echo stops reading, its window closes;
            then it reads: every byte back exact
  reset     a client that sends and resets (SO_LINGER {1, 0}); then a new
            client is still served
Every wait is bounded (socket timeouts, deadlines)."""

import hashlib
import os
import select
import socket
import struct
import sys
import time


def data(n, seed):
    out = bytearray()
    h = hashlib.sha256(seed.to_bytes(8, 'little')).digest()
    while len(out) < n:
        h = hashlib.sha256(h).digest()
        out += h
    return bytes(out[:n])


def echo_exchange(addr, port, payload, rcvbuf=0, sndbuf=0, deadline=20.0):
    """Send payload while reading; return what came back before EOF."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    if sndbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    s.settimeout(5)
    s.connect((addr, port))
    s.setblocking(False)
    sent, got, shut = 0, bytearray(), False
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        want_w = [s] if not shut else []
        r, w, _ = select.select([s], want_w, [], 0.5)
        if w and sent < len(payload):
            try:
                sent += s.send(payload[sent:sent + 65536])
            except BlockingIOError:
                pass
        if sent == len(payload) and not shut:
            s.shutdown(socket.SHUT_WR)
            shut = True
        if r:
            b = s.recv(65536)
            if not b:
                s.close()
                return bytes(got)
            got += b
    s.close()
    raise RuntimeError('no EOF within %.0f s: sent %d, got %d'
                       % (deadline, sent, len(got)))


def check_bulk(addr, port):
    p = data(1 << 20, 1)
    back = echo_exchange(addr, port, p)
    if back != p:
        return False, 'got %d bytes back of %d, not equal' % (len(back), len(p))
    return True, '1 MiB echoed exact, EOF after it'


def check_many(addr, port):
    n, size = 32, 64 << 10
    socks, pay = [], []
    for i in range(n):
        s = socket.create_connection((addr, port), timeout=5)
        socks.append(s)
        pay.append(data(size, 100 + i))
    for s, p in zip(socks, pay):
        s.sendall(p)
        s.shutdown(socket.SHUT_WR)
    for i, (s, p) in enumerate(zip(socks, pay)):
        got = bytearray()
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
        s.close()
        if bytes(got) != p:
            return False, 'client %d: %d bytes back of %d' % (i, len(got), size)
    return True, '%d clients x %d KiB echoed exact' % (n, size >> 10)


def check_stall(addr, port):
    total = 16 << 20
    p = data(total, 7)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32768)
    s.settimeout(5)
    s.connect((addr, port))
    s.setblocking(False)
    sent, last, end = 0, time.monotonic(), time.monotonic() + 20
    # Send without reading until nothing moves for a second.
    while time.monotonic() - last < 1.0:
        if time.monotonic() > end:
            return False, 'sends never stalled (sent %d)' % sent
        try:
            n = s.send(p[sent:sent + 65536])
            if n:
                sent += n
                last = time.monotonic()
        except BlockingIOError:
            time.sleep(0.01)
        if sent == total:
            return False, 'all %d bytes taken without reading: no ' \
                'backpressure' % total
    stalled = sent
    # Now read; keep sending the rest.
    got = bytearray()
    shut = False
    end = time.monotonic() + 30
    while time.monotonic() < end:
        r, w, _ = select.select([s], [s] if not shut else [], [], 0.5)
        if w and sent < total:
            try:
                sent += s.send(p[sent:sent + 65536])
            except BlockingIOError:
                pass
        if sent == total and not shut:
            s.shutdown(socket.SHUT_WR)
            shut = True
        if r:
            b = s.recv(262144)
            if not b:
                break
            got += b
    s.close()
    if bytes(got) != p:
        return False, 'stalled at %d; got %d bytes back of %d' % (
            stalled, len(got), total)
    return True, 'sends stalled at %d KiB unread, then %d MiB echoed exact' \
        % (stalled >> 10, total >> 20)


def check_reset(addr, port):
    s = socket.create_connection((addr, port), timeout=5)
    s.sendall(b'x' * 100000)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    s.close()
    time.sleep(0.2)
    p = data(4096, 9)
    back = echo_exchange(addr, port, p)
    if back != p:
        return False, 'after a reset, %d bytes back of 4096' % len(back)
    return True, 'a client reset mid-stream; the next one served exact'


CHECKS = {'bulk': check_bulk, 'many': check_many, 'stall': check_stall,
          'reset': check_reset}


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in CHECKS:
        print('usage: sock_peer.py {%s} ADDR PORT' % '|'.join(CHECKS),
              file=sys.stderr)
        return 2
    name = sys.argv[1]
    try:
        ok, why = CHECKS[name](sys.argv[2], int(sys.argv[3]))
    except (OSError, RuntimeError) as e:
        ok, why = False, '%s: %s' % (type(e).__name__, e)
    print('%s: %s: %s' % ('PASS' if ok else 'FAIL', name, why))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
