#!/usr/bin/env python3
"""Raw DHCP prober for the pxe-operator network harness (runs inside a client namespace).

Sends one DHCP message with an arbitrary client hardware address and prints the server's reply as
one JSON line: {"reply": "offer"|"ack"|"nak"|null, "yiaddr": ..., "options": {...}}.
Modes: discover; init-reboot (REQUEST with requested-address, broadcast, no server id);
selecting (REQUEST with requested-address and server id); renew (REQUEST unicast from ciaddr).
"""
import argparse
import json
import logging
import random
import subprocess

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import BOOTP, DHCP, IP, UDP, Ether, conf, get_if_hwaddr, srp  # noqa: E402

TYPES = {1: "discover", 2: "offer", 3: "request", 4: "decline", 5: "ack", 6: "nak", 7: "release"}


def mac_bytes(mac):
    return bytes.fromhex(mac.replace(":", "").replace("-", ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", default="eth0")
    ap.add_argument("--mac", required=True)
    ap.add_argument("--mode", choices=["discover", "init-reboot", "selecting", "renew"], required=True)
    ap.add_argument("--ip", help="requested or current address")
    ap.add_argument("--server", help="server identifier / unicast destination")
    ap.add_argument("--server-mac", help="server's MAC for unicast (renew)")
    ap.add_argument("--prefix", default="22")
    ap.add_argument("--vendor-class", default="")
    ap.add_argument("--user-class", default="")
    ap.add_argument("--arch", type=int, default=-1, help="client architecture (option 93)")
    ap.add_argument("--timeout", type=float, default=2.0)
    a = ap.parse_args()

    conf.checkIPaddr = False
    xid = random.randint(1, 0xFFFFFFFF)
    chaddr = mac_bytes(a.mac) + b"\x00" * 10
    options = [("message-type", "discover" if a.mode == "discover" else "request")]
    if a.mode in ("init-reboot", "selecting"):
        options.append(("requested_addr", a.ip))
    if a.mode == "selecting":
        options.append(("server_id", a.server))
    if a.vendor_class:
        options.append(("vendor_class_id", a.vendor_class.encode()))
    if a.user_class:
        options.append((77, a.user_class.encode()))
    if a.arch >= 0:
        options.append((93, a.arch.to_bytes(2, "big")))
    options.append(("param_req_list", [1, 3, 6, 12, 15, 28, 66, 67, 250, 251]))
    options.append("end")

    added = False
    if a.mode == "renew":
        subprocess.run(["ip", "addr", "add", f"{a.ip}/{a.prefix}", "dev", a.iface], check=False)
        added = True
        pkt = (Ether(src=get_if_hwaddr(a.iface), dst=a.server_mac)
               / IP(src=a.ip, dst=a.server) / UDP(sport=68, dport=67)
               / BOOTP(chaddr=chaddr, xid=xid, ciaddr=a.ip) / DHCP(options=options))
    else:
        pkt = (Ether(src=get_if_hwaddr(a.iface), dst="ff:ff:ff:ff:ff:ff")
               / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67)
               / BOOTP(chaddr=chaddr, xid=xid, flags=0x8000) / DHCP(options=options))
    try:
        answered, _ = srp(pkt, iface=a.iface, timeout=a.timeout, verbose=0, multi=False,
                          filter="udp and (port 67 or port 68)")
    finally:
        if added:
            subprocess.run(["ip", "addr", "del", f"{a.ip}/{a.prefix}", "dev", a.iface], check=False)
    result = {"reply": None, "yiaddr": None, "options": {}}
    for _, reply in answered:
        if not reply.haslayer(BOOTP) or reply[BOOTP].xid != xid:
            continue
        opts = {}
        for opt in reply[DHCP].options:
            if isinstance(opt, tuple) and len(opt) >= 2:
                key, value = opt[0], opt[1]
                if isinstance(value, bytes):
                    value = value.decode("latin-1")
                opts[str(key)] = str(value)
        result["reply"] = TYPES.get(int(opts.get("message-type", 0)), opts.get("message-type"))
        result["yiaddr"] = reply[BOOTP].yiaddr
        result["options"] = opts
        break
    print(json.dumps(result))


if __name__ == "__main__":
    main()
