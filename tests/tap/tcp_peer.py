#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
"""The kernel's side of tap_tcp.sh: one TCP check against ptcp-server.

    tcp_peer.py CHECK ADDR PORT [ARG...]

Run inside the test's network namespace. Each check prints what it saw, then
one line "PASS: CHECK: ..." or "FAIL: CHECK: ..." and exits 0 or 1. Checks
that leave something for the shell to look at (the local port of a closed
connection, to find it with ss) print "lport=N" first. Every socket
operation has a timeout and every loop a deadline, so a check ends within
about 30 s whatever ptcp does.

Checks:
  http-close-first ADDR PORT BODY  GET with keep-alive, read the response,
                                   close: we close first
  daytime ADDR PORT                one RFC 867 line, then EOF: ptcp closed
                                   first; then we close
  daytime-reset ADDR PORT          after ptcp closed, keep sending: ptcp
                                   answers with RST, we see ECONNRESET/EPIPE
  echo ADDR PORT SIZE SEED         SIZE random bytes, shutdown(SHUT_WR),
                                   read to EOF: sha256 equal
  abort ADDR PORT                  some bytes to discard, then
                                   SO_LINGER {1, 0} + close(): we send RST
  refused ADDR PORT                connect to a port nobody listens on:
                                   ECONNREFUSED
  chargen ADDR PORT NBYTES         read NBYTES, shutdown(SHUT_WR), read to
                                   EOF: every byte is the RFC 864 pattern
  http-431 ADDR PORT LIMIT         a request head longer than LIMIT: 431,
                                   then EOF
"""

import calendar
import hashlib
import random
import re
import socket
import struct
import sys
import threading
import time

TIMEOUT = 10.0          # per socket operation, seconds
DEADLINE = 30.0         # per check, seconds

# chargen (docs/server.md, app/server/textgen.c): 72 characters of the 95
# printable ASCII characters per line, line i starting at character i mod
# 95, CRLF; the stream repeats every 95 lines.
CHARGEN_CHARS = bytes(range(0x20, 0x7F))
CHARGEN_CYCLE = b"".join(
    (CHARGEN_CHARS * 2)[i:i + 72] + b"\r\n" for i in range(95))

DAYTIME_RE = re.compile(
    rb"^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), "
    rb"(January|February|March|April|May|June|July|August|September|"
    rb"October|November|December) [0-3][0-9], [0-9]{4} "
    rb"[0-2][0-9]:[0-5][0-9]:[0-6][0-9]-UTC\r\n$")


class CheckFailed(Exception):
    pass


def connect(addr, port):
    s = socket.create_connection((addr, port), timeout=TIMEOUT)
    s.settimeout(TIMEOUT)
    return s


def recv_to_eof(s, deadline, limit=1 << 30):
    """Everything until EOF (recv returns b''), at most limit bytes."""
    buf = bytearray()
    while True:
        if time.monotonic() > deadline:
            raise CheckFailed("no EOF within %.0f s (%d bytes read)"
                              % (DEADLINE, len(buf)))
        d = s.recv(65536)
        if not d:
            return bytes(buf)
        buf += d
        if len(buf) > limit:
            raise CheckFailed("more than %d bytes before EOF" % limit)


def read_http_response(s, deadline):
    """One response: (status, headers dict, body, bytes after it)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        if time.monotonic() > deadline:
            raise CheckFailed("no complete response head")
        d = s.recv(65536)
        if not d:
            raise CheckFailed("EOF before the end of the response head "
                              "(%r)" % buf[:200])
        buf += d
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    m = re.match(rb"^HTTP/1\.1 ([0-9]{3}) ", lines[0])
    if not m:
        raise CheckFailed("bad status line %r" % lines[0])
    headers = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(b":")
        headers[k.strip().lower().decode()] = v.strip().decode()
    n = int(headers.get("content-length", "0"))
    while len(rest) < n:
        if time.monotonic() > deadline:
            raise CheckFailed("body incomplete: %d of %d" % (len(rest), n))
        d = s.recv(65536)
        if not d:
            raise CheckFailed("EOF in the body: %d of %d bytes"
                              % (len(rest), n))
        rest += d
    return int(m.group(1)), headers, rest[:n], rest[n:]


def check_http_close_first(addr, port, body_len):
    deadline = time.monotonic() + DEADLINE
    s = connect(addr, int(port))
    print("lport=%d" % s.getsockname()[1])
    s.sendall(b"GET / HTTP/1.1\r\nHost: ptcp\r\n"
              b"Connection: keep-alive\r\n\r\n")
    status, headers, body, extra = read_http_response(s, deadline)
    print("status %d, Content-Length %s, Connection %s, body %d bytes"
          % (status, headers.get("content-length"),
             headers.get("connection", "-"), len(body)))
    if status != 200:
        raise CheckFailed("status %d, want 200" % status)
    if body != b"x" * int(body_len):
        raise CheckFailed("body %r, want %s x's" % (body[:80], body_len))
    if "close" in headers.get("connection", "").lower():
        raise CheckFailed("server announced Connection: close")
    if extra:
        raise CheckFailed("%d bytes after the response" % len(extra))
    # Still open: ptcp must not have closed (nothing more, no EOF yet).
    s.settimeout(0.2)
    try:
        d = s.recv(1)
        raise CheckFailed("server sent %r / closed first on a keep-alive "
                          "connection" % d)
    except socket.timeout:
        pass
    s.close()
    return "200, %s-byte body, then we closed first" % body_len


def check_daytime(addr, port):
    deadline = time.monotonic() + DEADLINE
    s = connect(addr, int(port))
    print("lport=%d" % s.getsockname()[1])
    data = recv_to_eof(s, deadline, 4096)
    now = time.time()
    print("received %r" % data)
    if not DAYTIME_RE.match(data):
        raise CheckFailed("not one RFC 867 line in our format: %r" % data)
    t = calendar.timegm(time.strptime(data.decode().rstrip("\r\n"),
                                      "%A, %B %d, %Y %H:%M:%S-UTC"))
    if abs(t - now) > 60:
        raise CheckFailed("time %r is %.0f s off the kernel's clock"
                          % (data, t - now))
    s.close()
    return "one line, then EOF (ptcp closed first)"


def check_daytime_reset(addr, port):
    deadline = time.monotonic() + DEADLINE
    s = connect(addr, int(port))
    data = recv_to_eof(s, deadline, 4096)
    print("received %r, then EOF; now sending data" % data)
    if not DAYTIME_RE.match(data):
        raise CheckFailed("not a daytime line: %r" % data)
    sent = 0
    err = None
    while time.monotonic() < deadline:
        try:
            s.send(b"after close\r\n")
            sent += 1
        except (ConnectionResetError, BrokenPipeError) as e:
            err = e
            break
        time.sleep(0.05)
    s.close()
    if err is None:
        raise CheckFailed("%d sends after ptcp's FIN, no reset" % sent)
    print("send #%d after ptcp closed: %s" % (sent + 1, err))
    return "%s after %d send(s)" % (type(err).__name__, sent)


def check_echo(addr, port, size, seed):
    size = int(size)
    data = random.Random(int(seed)).randbytes(size)
    deadline = time.monotonic() + DEADLINE
    s = connect(addr, int(port))
    send_err = []

    def sender():
        try:
            view = memoryview(data)
            off = 0
            while off < size:
                off += s.send(view[off:off + 65536])
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            send_err.append(e)

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    got = recv_to_eof(s, deadline, 2 * size)
    t.join(max(0.0, deadline - time.monotonic()))
    s.close()
    if t.is_alive():
        raise CheckFailed("sender still blocked")
    if send_err:
        raise CheckFailed("send: %s" % send_err[0])
    want = hashlib.sha256(data).hexdigest()
    have = hashlib.sha256(got).hexdigest()
    print("sent %d bytes sha256 %s" % (size, want))
    print("got  %d bytes sha256 %s" % (len(got), have))
    if got != data:
        i = next((i for i in range(min(len(got), size)) if got[i] != data[i]),
                 min(len(got), size))
        raise CheckFailed("echo differs: %d bytes back, first difference "
                          "at offset %d" % (len(got), i))
    return "%d bytes back byte-exact, then EOF" % size


def check_abort(addr, port):
    s = connect(addr, int(port))
    s.sendall(b"d" * 1000)
    time.sleep(0.2)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    return "1000 bytes, then close() with SO_LINGER {1, 0} (RST)"


def check_refused(addr, port):
    try:
        s = socket.create_connection((addr, int(port)), timeout=TIMEOUT)
    except ConnectionRefusedError as e:
        return "connect: %s" % e
    s.close()
    raise CheckFailed("connect to port %s succeeded" % port)


def check_chargen(addr, port, nbytes):
    nbytes = int(nbytes)
    deadline = time.monotonic() + DEADLINE
    s = connect(addr, int(port))
    buf = bytearray()
    while len(buf) < nbytes:
        if time.monotonic() > deadline:
            raise CheckFailed("only %d bytes in %.0f s" % (len(buf), DEADLINE))
        d = s.recv(65536)
        if not d:
            raise CheckFailed("EOF after %d bytes" % len(buf))
        buf += d
    # Our FIN: ptcp closes too; read what it sent meanwhile, up to its FIN.
    s.shutdown(socket.SHUT_WR)
    buf += recv_to_eof(s, deadline, 64 << 20)
    s.close()
    n = len(buf)
    reps = n // len(CHARGEN_CYCLE) + 1
    want = (CHARGEN_CYCLE * reps)[:n]
    print("first line %r" % bytes(buf[:74]))
    print("%d bytes read (%d asked), then EOF after our FIN" % (n, nbytes))
    if buf != want:
        i = next(i for i in range(n) if buf[i] != want[i])
        raise CheckFailed("byte %d is %r, want %r" % (i, buf[i:i + 1],
                                                      want[i:i + 1]))
    return "%d bytes, all in the RFC 864 pattern" % n


def check_http_431(addr, port, limit):
    deadline = time.monotonic() + DEADLINE
    s = connect(addr, int(port))
    # A head of exactly LIMIT + 1 bytes: ptcp sees its last byte, answers
    # 431 and closes; no byte of ours arrives after that (which would draw
    # a RST, see docs/server.md).
    start = b"GET / HTTP/1.1\r\nHost: ptcp\r\nX-Fill: "
    fill = int(limit) + 1 - len(start) - len(b"\r\n\r\n")
    req = start + b"a" * fill + b"\r\n\r\n"
    assert len(req) == int(limit) + 1
    try:
        s.sendall(req)
    except (ConnectionResetError, BrokenPipeError) as e:
        # the response and FIN may come before all of it is sent
        print("send: %s" % e)
    try:
        status, headers, body, extra = read_http_response(s, deadline)
    except ConnectionResetError as e:
        raise CheckFailed("reset before a response: %s" % e)
    print("status %d, Connection %s" % (status, headers.get("connection")))
    if status != 431:
        raise CheckFailed("status %d, want 431" % status)
    if headers.get("connection", "").lower() != "close":
        raise CheckFailed("no Connection: close")
    rest = extra + recv_to_eof(s, deadline, 1 << 20)
    s.close()
    if rest:
        raise CheckFailed("%d bytes after the response" % len(rest))
    return "431 with Connection: close, then EOF"


CHECKS = {
    "http-close-first": check_http_close_first,
    "daytime": check_daytime,
    "daytime-reset": check_daytime_reset,
    "echo": check_echo,
    "abort": check_abort,
    "refused": check_refused,
    "chargen": check_chargen,
    "http-431": check_http_431,
}


def run_check(checks, min_args, usage):
    """sys.argv[1] names one of @checks, called with the other arguments:
    print its PASS: or FAIL: line. @return the exit status. (data_peer.py
    runs its checks with this too.)"""
    if len(sys.argv) < min_args or sys.argv[1] not in checks:
        print(usage, file=sys.stderr)
        return 2
    name = sys.argv[1]
    try:
        what = checks[name](*sys.argv[2:])
    except (CheckFailed, OSError) as e:
        print("FAIL: %s: %s%s" % (name, "" if isinstance(e, CheckFailed)
                                  else type(e).__name__ + ": ", e))
        return 1
    except TypeError as e:
        print("usage: %s" % e, file=sys.stderr)
        return 2
    print("PASS: %s: %s" % (name, what))
    return 0


if __name__ == "__main__":
    sys.exit(run_check(CHECKS, 4, __doc__))
