#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The ptcp authors
"""802.1Q sub-interfaces in user space, for kernels without 8021q.

    vlan_tun.py LINK SECONDS VID:NAME [VID:NAME...]

What `ip link add link LINK name NAME type vlan id VID` makes, for a
kernel built without VLAN support (the tap suite's VM: "Unknown device
type"): for each VID a tap interface NAME (the kernel's end of VLAN VID,
to be given an address and brought up like a VLAN sub-interface), and a
packet socket on LINK. A frame the kernel sends on NAME goes out on LINK
with the tag VID; a frame arriving on LINK tagged VID comes in on NAME
untagged. Frames of other VLANs are left alone (the kernel drops them).

Run it inside the namespace (ip netns exec); it prints "ready" once the
interfaces exist, and ends after SECONDS or on SIGINT/SIGTERM.
"""

import fcntl
import os
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
TPID = 0x8100
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 1 << 4
TUNSETIFF = 0x400454ca
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
AUX = struct.Struct("IIIHHHH")  # struct tpacket_auxdata


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(),
                                           IFF_TAP | IFF_NO_PI))
    return fd


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    link, secs = sys.argv[1], float(sys.argv[2])
    taps = {}                      # vid -> tap fd
    for arg in sys.argv[3:]:
        vid, name = arg.split(":", 1)
        taps[int(vid)] = open_tap(name)
    by_fd = {fd: vid for vid, fd in taps.items()}
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                        socket.htons(ETH_P_ALL))
    raw.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    raw.bind((link, 0))
    stop = []
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    print("ready", flush=True)
    end = time.monotonic() + secs
    up = down = 0
    while not stop and time.monotonic() < end:
        try:
            rd, _, _ = select.select([raw] + list(by_fd), [], [], 0.2)
        except InterruptedError:
            continue
        for r in rd:
            if r is raw:
                data, anc, _, addr = raw.recvmsg(65536,
                                                 socket.CMSG_SPACE(AUX.size))
                if addr[2] == PACKET_OUTGOING:
                    continue
                vid = None
                for level, kind, val in anc:
                    if level == SOL_PACKET and kind == PACKET_AUXDATA:
                        aux = AUX.unpack(val[:AUX.size])
                        if aux[0] & TP_STATUS_VLAN_VALID:
                            vid = aux[5] & 0xfff
                # a tag the kernel left in the bytes
                if vid is None and len(data) >= 18 and \
                        struct.unpack("!H", data[12:14])[0] == TPID:
                    vid = struct.unpack("!H", data[14:16])[0] & 0xfff
                    data = data[:12] + data[16:]
                if vid in taps:
                    os.write(taps[vid], data)
                    up += 1
            else:
                data = os.read(r, 65536)
                vid = by_fd[r]
                raw.send(data[:12] + struct.pack("!HH", TPID, vid) +
                         data[12:])
                down += 1
    print("frames: %d to the taps, %d tagged onto %s" % (up, down, link),
          flush=True)


if __name__ == "__main__":
    main()
