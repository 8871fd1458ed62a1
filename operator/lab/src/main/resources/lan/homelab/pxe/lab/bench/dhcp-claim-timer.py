#!/usr/bin/env python3
"""Times discovery -> reservation for the pxe-operator bench (runs inside a client namespace).

Prints READY once scapy is loaded and its socket open. Then, for each MAC read from stdin, plays a
new PXE client with that hardware address: DISCOVER, REQUEST of the offered pool address until
ACK, then a DISCOVER every --interval seconds until the offer names another address (the slot's
reservation) or --limit seconds pass. Prints one JSON line per MAC; times are CLOCK_MONOTONIC
nanoseconds (the clock of Java's System.nanoTime on Linux).
"""
import argparse
import json
import logging
import random
import select
import sys
import time

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import BOOTP, DHCP, IP, UDP, Ether, conf  # noqa: E402


def now():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", default="eth0")
    ap.add_argument("--vendor-class", default="PXEClient:Arch:00000:UNDI:002001")
    ap.add_argument("--interval", type=float, default=0.01)
    ap.add_argument("--limit", type=float, default=10.0)
    a = ap.parse_args()
    conf.checkIPaddr = False
    # No BPF filter (it needs tcpdump or libpcap): replies are picked out by xid and type below.
    sock = conf.L2socket(iface=a.iface)

    def packet(mac, xid, kind, extra):
        options = [("message-type", kind)] + extra
        options += [("vendor_class_id", a.vendor_class.encode()), (93, b"\x00\x00")]
        options += [("param_req_list", [1, 3, 6, 12, 15, 28, 66, 67, 250, 251]), "end"]
        chaddr = bytes.fromhex(mac.replace(":", "")) + b"\x00" * 10
        return (Ether(src=mac, dst="ff:ff:ff:ff:ff:ff")
                / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67)
                / BOOTP(chaddr=chaddr, xid=xid, flags=0x8000) / DHCP(options=options))

    def reply(xid, kind, wait):
        """The first reply of that type to xid within wait seconds, or None."""
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([sock], [], [], left)
            if not ready:
                return None
            p = sock.recv()
            if p is None or not p.haslayer(BOOTP) or p[BOOTP].xid != xid:
                continue
            opts = {o[0]: o[1] for o in p[DHCP].options if isinstance(o, tuple) and len(o) >= 2}
            if opts.get("message-type") == kind:
                return p[BOOTP].yiaddr, opts

    def exchange(mac, kind, extra, want, tries=3, wait=1.0):
        for _ in range(tries):
            xid = random.randint(1, 0xFFFFFFFF)
            sock.send(packet(mac, xid, kind, extra))
            r = reply(xid, want, wait)
            if r:
                return r
        return None

    print("READY", flush=True)
    for line in sys.stdin:
        mac = line.strip().lower()
        if not mac:
            continue
        result = {"mac": mac, "discover": now(), "ack": None, "pool": None,
                  "answer": None, "address": None, "probes": 0}
        offer = exchange(mac, "discover", [], 2)
        if offer:
            ack = exchange(mac, "request", [("requested_addr", offer[0]),
                                            ("server_id", offer[1].get("server_id"))], 5)
            if ack:
                result["ack"] = now()
                result["pool"] = ack[0]
                end = time.monotonic() + a.limit
                while time.monotonic() < end:
                    started = time.monotonic()
                    xid = random.randint(1, 0xFFFFFFFF)
                    sock.send(packet(mac, xid, "discover", []))
                    result["probes"] += 1
                    r = reply(xid, 2, a.interval)
                    if r and r[0] != ack[0]:
                        result["answer"] = now()
                        result["address"] = r[0]
                        break
                    rest = a.interval - (time.monotonic() - started)
                    if rest > 0:
                        time.sleep(rest)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
