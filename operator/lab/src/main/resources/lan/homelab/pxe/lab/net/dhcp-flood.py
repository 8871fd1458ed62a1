#!/usr/bin/env python3
"""DHCP flood for the pxe-operator network harness (runs inside a client namespace).

Plays --count forged PXE clients, one hardware address each (--prefix plus a counter), evenly over
--seconds: each sends a DISCOVER (vendor class PXEClient, architecture 0) and, when an OFFER comes
back, a REQUEST for that address (selecting state), so dnsmasq ACKs and runs its lease hook, as it
does for a real PXE ROM. Sends only on --iface (the lab bridge). Prints one JSON line:
{"discovers": n, "offers": n, "requests": n, "acks": n, "naks": n, "seconds": s}
(acks and naks count clients, not packets).
"""
import argparse
import json
import logging
import random
import threading
import time

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import BOOTP, DHCP, IP, UDP, AsyncSniffer, Ether, conf, get_if_hwaddr  # noqa: E402

PXE_VENDOR_CLASS = b"PXEClient:Arch:00000:UNDI:002001"


def option(pkt, name):
    for opt in pkt[DHCP].options:
        if isinstance(opt, tuple) and opt[0] == name:
            return opt[1]
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", default="eth0")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--prefix", default="02:f1", help="first two bytes of every forged MAC")
    ap.add_argument("--tail", type=float, default=3.0, help="seconds to wait for late replies")
    a = ap.parse_args()

    conf.checkIPaddr = False
    own = get_if_hwaddr(a.iface)
    sock = conf.L2socket(iface=a.iface)
    lock = threading.Lock()
    clients = {}  # xid -> chaddr bytes
    requested = set()
    acked = set()
    nakked = set()
    counts = {"discovers": 0, "offers": 0, "requests": 0, "acks": 0, "naks": 0}
    prefix = bytes.fromhex(a.prefix.replace(":", ""))

    def frame(chaddr, xid, options):
        return (Ether(src=own, dst="ff:ff:ff:ff:ff:ff")
                / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67)
                / BOOTP(chaddr=chaddr + b"\x00" * 10, xid=xid, flags=0x8000)
                / DHCP(options=options + [("vendor_class_id", PXE_VENDOR_CLASS),
                                          (93, b"\x00\x00"),
                                          ("param_req_list", [1, 3, 6, 66, 67]), "end"]))

    def on_reply(pkt):
        if not pkt.haslayer(BOOTP) or pkt[BOOTP].op != 2:
            return
        xid = pkt[BOOTP].xid
        with lock:
            chaddr = clients.get(xid)
            if chaddr is None:
                return
            kind = option(pkt, "message-type")
            if kind == 2 and xid not in requested:
                counts["offers"] += 1
                requested.add(xid)
                sock.send(frame(chaddr, xid, [("message-type", "request"),
                                              ("requested_addr", pkt[BOOTP].yiaddr),
                                              ("server_id", option(pkt, "server_id"))]))
                counts["requests"] += 1
            elif kind == 5:
                acked.add(xid)
            elif kind == 6:
                nakked.add(xid)

    sniffer = AsyncSniffer(iface=a.iface, filter="udp and src port 67", prn=on_reply, store=False)
    sniffer.start()
    time.sleep(0.5)
    start = time.monotonic()
    interval = a.seconds / max(a.count, 1)
    for i in range(a.count):
        due = start + i * interval
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        chaddr = prefix + i.to_bytes(4, "big")
        xid = random.randint(1, 0xFFFFFFFF)
        with lock:
            clients[xid] = chaddr
            sock.send(frame(chaddr, xid, [("message-type", "discover")]))
            counts["discovers"] += 1
    sent = time.monotonic() - start
    time.sleep(a.tail)
    sniffer.stop()
    sock.close()
    with lock:
        counts["acks"] = len(acked)
        counts["naks"] = len(nakked)
        counts["seconds"] = round(sent, 2)
        print(json.dumps(counts))


if __name__ == "__main__":
    main()
