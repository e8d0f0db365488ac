#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
"""A forwarder that reorders and duplicates frames, for tap_reorder.sh.

    reorder_fwd.py KERNEL_TAP PTCP_IFACE DELAY_PCT DUP_PCT SEED SECONDS

Run inside the test's network namespace, between the kernel's TCP and
ptcp-server:

  kernel stack -- KERNEL_TAP (a tap this process creates; the script gives
                  it the kernel's address) == this process == PTCP_IFACE
                  (the kernel end of ptcp's net_tap; no address, raw
                  AF_PACKET) -- ptcp-server

Every frame one side sends is forwarded to the other. Of the TCP frames,
DELAY_PCT % are held back 1 to 4 ms (random) while the following ones pass,
so they arrive out of order, and DUP_PCT % are sent twice; each direction
on its own. Nothing is dropped. The tap is opened without offloads, so the
kernel hands it whole frames with their checksums done.

Prints "ready" once both ends are open; at exit (SIGINT/SIGTERM, or after
SECONDS) one line "reorder_fwd: to_ptcp N delayed D duplicated U; to_kernel
N delayed D duplicated U", each side followed by "send_errors E" if a
frame could not be passed on and "big B" for frames over 1514 bytes
(neither should happen).
"""

import fcntl
import heapq
import os
import random
import select
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454ca
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
FRAME_MAX = 65536
BATCH = 64              # frames read from one side before looking again


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(),
                                           IFF_TAP | IFF_NO_PI))
    return fd


def is_tcp(frame):
    # Ethernet, IPv4, protocol 6
    return len(frame) > 34 and frame[12:14] == b"\x08\x00" and \
        frame[23] == 6


class Side:
    def __init__(self, name, send, rng, delay_pct, dup_pct):
        self.name = name
        self.send = send
        self.rng = rng
        self.delay_pct = delay_pct
        self.dup_pct = dup_pct
        self.held = []          # (due, n, frame): a heap
        self.n = self.delayed = self.duplicated = self.send_errors = 0
        self.big = 0

    def _out(self, frame):
        try:
            self.send(frame)
        except OSError:
            self.send_errors += 1

    def forward(self, frame, now):
        self.n += 1
        if len(frame) > 1514:
            self.big += 1
        if is_tcp(frame):
            if self.rng.random() * 100 < self.delay_pct:
                self.delayed += 1
                heapq.heappush(self.held, (now + self.rng.uniform(
                    0.001, 0.004), self.n, frame))
                return
            if self.rng.random() * 100 < self.dup_pct:
                self.duplicated += 1
                self._out(frame)
        self._out(frame)

    def release(self, now):
        while self.held and self.held[0][0] <= now:
            self._out(heapq.heappop(self.held)[2])

    def next_due(self):
        return self.held[0][0] if self.held else None

    def summary(self):
        return ("%s %d delayed %d duplicated %d%s" % (
            self.name, self.n, self.delayed, self.duplicated,
            " send_errors %d" % self.send_errors if self.send_errors
            else "") + (" big %d" % self.big if self.big else ""))


def main():
    if len(sys.argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    ktap, piface = sys.argv[1], sys.argv[2]
    delay_pct, dup_pct = float(sys.argv[3]), float(sys.argv[4])
    rng = random.Random(int(sys.argv[5]))
    end = time.monotonic() + float(sys.argv[6])
    stop = []
    signal.signal(signal.SIGINT, lambda *a: stop.append(1))
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))

    kfd = open_tap(ktap)
    ps = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                       socket.htons(ETH_P_ALL))
    ps.bind((piface, 0))
    ps.setblocking(False)
    ps.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    to_ptcp = Side("to_ptcp", ps.send, rng, delay_pct, dup_pct)
    to_kernel = Side("to_kernel", lambda f: os.write(kfd, f), rng,
                     delay_pct, dup_pct)
    print("ready", flush=True)

    while not stop and time.monotonic() < end:
        now = time.monotonic()
        dues = [d for d in (to_ptcp.next_due(), to_kernel.next_due())
                if d is not None]
        wait = min(dues) - now if dues else 0.2
        try:
            r, _, _ = select.select([kfd, ps], [], [], max(0.0, min(
                wait, 0.2)))
        except InterruptedError:
            continue
        now = time.monotonic()
        if kfd in r:
            for _ in range(BATCH):
                try:
                    frame = os.read(kfd, FRAME_MAX)
                except BlockingIOError:
                    break
                to_ptcp.forward(frame, now)
        if ps in r:
            for _ in range(BATCH):
                try:
                    frame, addr = ps.recvfrom(FRAME_MAX)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue    # our own, sent to ptcp
                to_kernel.forward(frame, now)
        to_ptcp.release(now)
        to_kernel.release(now)

    print("reorder_fwd: %s; %s" % (to_ptcp.summary(), to_kernel.summary()),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
