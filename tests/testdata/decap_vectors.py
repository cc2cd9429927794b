#!/usr/bin/python3
"""Writes decap test vectors built with scapy: in.pcap holds encapsulated
frames, want.pcap the frame pcap_decap must make of each, in the same order.

Usage: /usr/bin/python3 decap_vectors.py OUTDIR
"""
import sys

from scapy.all import Ether, Dot1Q, Dot1AD, IP, IPv6, UDP, TCP, ICMP, GRE, Raw, PcapWriter, conf
from scapy.layers.inet6 import IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment
from scapy.layers.vxlan import VXLAN
from scapy.layers.ppp import PPPoE, PPP
from scapy.contrib.mpls import MPLS
from scapy.contrib.geneve import GENEVE
from scapy.contrib.gtp import GTP_U_Header, GTPPDUSessionContainer
from scapy.contrib.erspan import ERSPAN_II, ERSPAN_III, ERSPAN_PlatformSpecific

OUT_DST, OUT_SRC = "02:00:00:00:00:a1", "02:00:00:00:00:b2"
IN_DST, IN_SRC = "02:00:00:00:00:c3", "02:00:00:00:00:d4"


def outer(**kw):
    return Ether(dst=OUT_DST, src=OUT_SRC, **kw)


def inner_ip():
    return IP(src="192.168.1.10", dst="10.9.8.7") / TCP(sport=40000, dport=443, flags="PA") / Raw(b"inner payload")


def inner_ip6():
    return IPv6(src="fd00::10", dst="fd00::20") / UDP(sport=5353, dport=53) / Raw(b"inner6")


def inner_frame(tag=None):
    f = Ether(dst=IN_DST, src=IN_SRC)
    if tag is not None:
        f = f / Dot1Q(vlan=tag)
    return f / inner_ip()


def l3(pkt):
    """What a tag or L3 tunnel leaves: outer addresses, the inner packet."""
    return Ether(dst=OUT_DST, src=OUT_SRC) / pkt


def vectors():
    ip, ip6 = inner_ip(), inner_ip6()
    frame = inner_frame()
    tun4 = IP(src="172.16.0.1", dst="172.16.0.2")
    tun6 = IPv6(src="2001:db8::1", dst="2001:db8::2")
    yield outer() / Dot1Q(vlan=100) / ip, l3(ip)
    yield outer(type=0x88a8) / Dot1AD(vlan=10) / Dot1Q(vlan=20) / ip, l3(ip)
    yield outer() / Dot1Q(vlan=1) / Dot1Q(vlan=2) / Dot1Q(vlan=3) / ip6, l3(ip6)
    yield outer() / MPLS(label=100, s=0) / MPLS(label=200, s=1) / ip, l3(ip)
    yield outer() / MPLS(label=100, s=1) / ip6, l3(ip6)
    yield outer() / PPPoE(sessionid=7) / PPP(proto=0x0021) / ip, l3(ip)
    yield outer() / Dot1Q(vlan=5) / Dot1Q(vlan=6) / PPPoE(sessionid=7) / PPP(proto=0x0057) / ip6, l3(ip6)
    for flags in [dict(), dict(chksum_present=1), dict(key_present=1, key=77), dict(seqnum_present=1, seqence_number=9),
                  dict(chksum_present=1, key_present=1, key=5, seqnum_present=1, seqence_number=6)]:
        yield outer() / tun4 / GRE(**flags) / ip, l3(ip)
    yield outer() / tun6 / GRE() / ip6, l3(ip6)
    yield outer() / tun4 / GRE(proto=0x6558) / frame, frame
    yield outer() / tun4 / GRE(key_present=1, key=0x100, proto=0x6558) / inner_frame(tag=30), l3(ip).__class__(dst=IN_DST, src=IN_SRC) / ip
    yield outer() / tun4 / GRE(seqnum_present=1, proto=0x88BE) / ERSPAN_II(ver=1, session_id=5) / frame, frame
    yield outer() / tun4 / GRE(proto=0x88BE) / frame, frame
    yield outer() / tun4 / GRE(seqnum_present=1, proto=0x22EB) / ERSPAN_III(session_id=5, timestamp=99) / frame, frame
    yield (outer() / tun6 / GRE(seqnum_present=1, proto=0x22EB) / ERSPAN_III(session_id=5, o=1) / ERSPAN_PlatformSpecific(platf_id=3) / frame,
           frame)
    qinq = Ether(dst=IN_DST, src=IN_SRC, type=0x88a8) / Dot1AD(vlan=10) / Dot1Q(vlan=20) / ip
    yield outer() / tun4 / GRE(seqnum_present=1, proto=0x88BE) / ERSPAN_II(ver=1, session_id=5) / qinq, Ether(dst=IN_DST, src=IN_SRC) / ip
    yield outer() / tun4 / ip, l3(ip)
    yield outer() / tun4 / ip6, l3(ip6)
    yield outer() / tun6 / ip, l3(ip)
    yield outer() / tun6 / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / ip6, l3(ip6)
    yield outer() / tun6 / IPv6ExtHdrFragment(offset=0, m=1, id=5) / ip, l3(ip)
    yield outer() / tun4 / UDP(sport=50000, dport=4789) / VXLAN(vni=42) / frame, frame
    yield outer() / tun4 / UDP(sport=50000, dport=8472) / VXLAN(vni=42) / frame, frame
    yield (outer() / Dot1Q(vlan=10) / tun4 / UDP(sport=50000, dport=4789) / VXLAN(vni=42) / inner_frame(tag=30),
           Ether(dst=IN_DST, src=IN_SRC) / ip)
    yield outer() / tun4 / GRE() / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1, dport=4789) / VXLAN(vni=1) / frame, frame
    yield outer() / tun4 / UDP(sport=50000, dport=6081) / GENEVE(vni=7, proto=0x6558) / frame, frame
    yield outer() / tun4 / UDP(sport=50000, dport=6081) / GENEVE(vni=7, proto=0x0800) / ip, l3(ip)
    yield outer() / tun4 / UDP(sport=2152, dport=2152) / GTP_U_Header(teid=9) / ip, l3(ip)
    yield (outer() / tun4 / UDP(sport=2152, dport=2152) / GTP_U_Header(teid=9, E=1, next_ex=0x85) / GTPPDUSessionContainer(QFI=5) / ip6,
           l3(ip6))
    yield outer() / tun4 / UDP(sport=50000, dport=6635) / MPLS(label=5, s=1) / ip, l3(ip)
    # Not encapsulated, or not decapsulable: unchanged.
    plain = outer() / ip
    yield plain, plain
    frag = outer() / tun4.copy() / Raw(bytes(ip))
    frag[IP].frag, frag[IP].proto = 100, 4
    yield frag, frag
    echo = outer() / tun4 / UDP(sport=2152, dport=2152) / GTP_U_Header(gtp_type=1, teid=0) / Raw(b"\x00\x00\x00\x00")
    yield echo, echo


def main():
    out = sys.argv[1]
    conf.verb = 0
    win = PcapWriter(out + "/in.pcap", linktype=1, nano=True, sync=True)
    wwant = PcapWriter(out + "/want.pcap", linktype=1, nano=True, sync=True)
    for i, (pkt, want) in enumerate(vectors()):
        pkt, want = Ether(bytes(pkt)), Ether(bytes(want))
        pkt.time = want.time = 1621849860 + i
        win.write(pkt)
        wwant.write(want)
    win.close()
    wwant.close()


main()
