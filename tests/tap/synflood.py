#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
"""SYN flood and legitimate client for tap_synflood.sh (run it in the
test's network namespace, as root).

  synflood.py client HOST PORT SECS
      only the legitimate client, for SECS seconds
  synflood.py flood HOST PORT SRC_FIRST SRC_LAST RATE SECS
      the flood (a child process) and the client (this one) side by side
  synflood.py watch SOCKET SECS
      every 0.25 s for SECS seconds, /ptcp/states and /ptcp/stats from the
      server's telemetry SOCKET (/var/run/dpdk/PREFIX/dpdk_telemetry.v2);
      prints the largest SYN_RECEIVED, TCBs (all states but LISTEN and
      TIME_WAIT) and mbufs_in_use seen, and the samples taken

The flood: IPv4 TCP SYNs with a source address from SRC_FIRST..SRC_LAST
(hosts of the namespace's subnet that nobody uses, so ptcp's SYN-ACKs go
nowhere, as in a real flood), a random source port, ISN and an MSS
option, through a raw socket (IP_HDRINCL: the kernel routes them out of
the tap and fills in the IP checksum). They are built before the clock
starts, each tuple different, and sent in bursts paced to RATE per second
for SECS seconds. Built by hand with struct rather than scapy: scapy sends
a few thousand packets a second from Python, too few to fill anything.

The client: connect (3 s timeout), send 32 bytes, read them back (echo),
close; again after 5 ms, until SECS are up (at most 20000 times). Each
connect()'s latency is kept; a failure is a timeout, a refusal or wrong
data.

Output, one key=value a line: flood_sent, flood_errors, flood_secs,
flood_rate (sent per second), legit_attempts, legit_ok, legit_fail,
connect_p50_ms, connect_p99_ms, connect_max_ms, and the first failure's
reason if any (legit_first_error).
"""

import json
import os
import random
import socket
import struct
import sys
import time

LEGIT_MAX = 20000
LEGIT_PAUSE = 0.005
LEGIT_TIMEOUT = 3.0
BURST = 64
UNIQUE_MAX = 60000


def csum(data):
    if len(data) & 1:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def syn(src, dst, sport, dport, seq):
    # TCP header with one option, MSS 1460: 24 bytes.
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 6 << 4, 0x02,
                      64240, 0, 0) + struct.pack("!BBH", 2, 4, 1460)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP,
                                     len(tcp))
    c = csum(pseudo + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000,
                     64, socket.IPPROTO_TCP, 0, src, dst)
    return ip + tcp


def build(host, port, first, last, count):
    rnd = random.Random(20260321)
    dst = socket.inet_aton(host)
    a = struct.unpack("!I", socket.inet_aton(first))[0]
    b = struct.unpack("!I", socket.inet_aton(last))[0]
    srcs = [struct.pack("!I", x) for x in range(a, b + 1)]
    return [syn(srcs[i % len(srcs)], dst, rnd.randrange(1024, 65536), port,
                rnd.getrandbits(32)) for i in range(count)]


def flood(host, pkts, rate, secs, out_fd):
    n = len(pkts)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sent = errors = i = 0
    t0 = time.monotonic()
    end = t0 + secs
    while True:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - t0) * rate)
        if sent + errors >= due:
            time.sleep(min(0.001, end - now))
            continue
        for _ in range(min(BURST, due - sent - errors)):
            try:
                s.sendto(pkts[i], (host, 0))
                sent += 1
            except OSError:
                errors += 1
            i = (i + 1) % n
    dt = time.monotonic() - t0
    s.close()
    os.write(out_fd, ("flood_sent=%d\nflood_errors=%d\nflood_secs=%.2f\n"
                      "flood_rate=%d\n" % (sent, errors, dt, sent / dt))
             .encode())


def client(host, port, secs):
    lat = []
    ok = fail = 0
    first_err = None
    payload = bytes(range(32))
    end = time.monotonic() + secs
    while time.monotonic() < end and ok + fail < LEGIT_MAX:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(LEGIT_TIMEOUT)
        try:
            t = time.monotonic()
            s.connect((host, port))
            lat.append((time.monotonic() - t) * 1000.0)
            s.sendall(payload)
            got = b""
            while len(got) < len(payload):
                d = s.recv(len(payload) - len(got))
                if not d:
                    break
                got += d
            if got != payload:
                raise OSError("echo returned %d bytes, not ours" % len(got))
            ok += 1
        except OSError as e:
            fail += 1
            if first_err is None:
                first_err = "%s at %.1f s" % (e, secs - (end -
                                                        time.monotonic()))
        finally:
            s.close()
        time.sleep(LEGIT_PAUSE)
    lat.sort()

    def pct(p):
        if not lat:
            return -1.0
        return lat[min(len(lat) - 1, int(p / 100.0 * len(lat)))]
    print("legit_attempts=%d" % (ok + fail))
    print("legit_ok=%d" % ok)
    print("legit_fail=%d" % fail)
    print("connect_p50_ms=%.2f" % pct(50))
    print("connect_p99_ms=%.2f" % pct(99))
    print("connect_max_ms=%.2f" % (lat[-1] if lat else -1.0))
    if first_err:
        print("legit_first_error=%s" % first_err)


def telemetry(sock, cmd):
    sock.send(cmd.encode())
    return json.loads(sock.recv(1 << 20).decode())[cmd]


def watch(path, secs):
    n = 0
    top = {"SYN_RECEIVED": 0, "tcbs": 0, "mbufs_in_use": 0}
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
                s.settimeout(2.0)
                s.connect(path)
                s.recv(4096)    # the greeting
                st = telemetry(s, "/ptcp/states")
                stats = telemetry(s, "/ptcp/stats")
            now = {"SYN_RECEIVED": st["SYN_RECEIVED"],
                   "tcbs": sum(v for k, v in st.items()
                                if k not in ("LISTEN", "TIME_WAIT", "total")),
                   "mbufs_in_use": stats["mbufs_in_use"]}
            for k, v in st.items():
                if k not in ("LISTEN", "SYN_RECEIVED", "total"):
                    now[k] = v
            for k in now:
                top[k] = max(top.get(k, 0), now[k])
            n += 1
        except (OSError, ValueError, KeyError) as e:
            print("watch_error=%s" % e)
        time.sleep(0.25)
    print("watch_samples=%d" % n)
    for k, v in top.items():
        print("max_%s=%d" % (k, v))


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "watch":
        watch(a[1], float(a[2]))
        return 0
    if len(a) == 4 and a[0] == "client":
        client(a[1], int(a[2]), float(a[3]))
        return 0
    if len(a) != 7 or a[0] != "flood":
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    host, port, first, last = a[1], int(a[2]), a[3], a[4]
    rate, secs = float(a[5]), float(a[6])
    # Built before the clock starts (about a second for the most).
    pkts = build(host, port, first, last,
                 min(UNIQUE_MAX, max(BURST, int(rate * secs))))
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        code = 1
        try:
            flood(host, pkts, rate, secs, w)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    # Let the flood fill the backlog first: the client should meet
    # cookies, not an empty listener.
    time.sleep(0.5)
    client(host, port, secs - 0.5)
    _, st = os.waitpid(pid, 0)
    out = b""
    while True:
        d = os.read(r, 4096)
        if not d:
            break
        out += d
    sys.stdout.write(out.decode())
    print("flood_exit=%d" % os.waitstatus_to_exitcode(st))
    return 0


if __name__ == "__main__":
    sys.exit(main())
