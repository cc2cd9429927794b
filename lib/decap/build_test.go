package decap

import "encoding/binary"

// Builders of test packets, field by field.

var (
	macA = []byte{0x02, 0, 0, 0, 0, 0xa1}
	macB = []byte{0x02, 0, 0, 0, 0, 0xb2}
	macC = []byte{0x02, 0, 0, 0, 0, 0xc3}
	macD = []byte{0x02, 0, 0, 0, 0, 0xd4}
)

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func u16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// eth is an Ethernet header (no payload).
func eth(dst, src []byte, et uint16) []byte { return cat(dst, src, u16(et)) }

// ipv4 is an IPv4 packet from 10.0.0.1 to 10.0.0.2 carrying payload.
func ipv4(proto byte, payload []byte) []byte {
	h := []byte{0x45, 0, 0, 0, 0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(payload)))
	return cat(h, payload)
}

// ipv4Frag is ipv4 with a fragment offset (in 8-byte units) and MF flag.
func ipv4Frag(proto byte, off uint16, more bool, payload []byte) []byte {
	p := ipv4(proto, payload)
	v := off
	if more {
		v |= 0x2000
	}
	binary.BigEndian.PutUint16(p[6:], v)
	return p
}

// ipv6 is an IPv6 packet from fd00::1 to fd00::2; payload starts with any
// extension headers the caller built.
func ipv6(next byte, payload []byte) []byte {
	h := make([]byte, 40)
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(len(payload)))
	h[6], h[7] = next, 64
	h[8], h[23] = 0xfd, 1
	h[24], h[39] = 0xfd, 2
	return cat(h, payload)
}

// ext6 is an 8-byte IPv6 extension header (hop-by-hop, routing, dest opts).
func ext6(next byte) []byte { return []byte{next, 0, 1, 4, 0, 0, 0, 0} }

// frag6 is an IPv6 fragment header with an offset in 8-byte units.
func frag6(next byte, off uint16, more bool) []byte {
	v := off << 3
	if more {
		v |= 1
	}
	return cat([]byte{next, 0}, u16(v), u32(0x1234))
}

func udp(sport, dport uint16, payload []byte) []byte {
	return cat(u16(sport), u16(dport), u16(uint16(8+len(payload))), u16(0), payload)
}

// tcpSeg is a minimal TCP header from port 40000 to 443 with data.
func tcpSeg(data string) []byte {
	return cat(u16(40000), u16(443), u32(1), u32(0), []byte{0x50, 0x18}, u16(512), u16(0), u16(0), []byte(data))
}

// innerIP is the IPv4 packet most tunnels carry in the tests.
var innerIP = ipv4(6, tcpSeg("inner"))

// innerIP6 is the IPv6 packet tunnels carry in the tests.
var innerIP6 = ipv6(6, tcpSeg("inner6"))

// innerFrame is the Ethernet frame L2 tunnels carry in the tests.
var innerFrame = cat(eth(macC, macD, etIPv4), innerIP)

// gre is a GRE header with the given flags (version in the low bits) and
// protocol, followed by the optional fields given.
func gre(flags, proto uint16, opt ...[]byte) []byte { return cat(u16(flags), u16(proto), cat(opt...)) }

func vxlanHdr(vni uint32) []byte { return cat([]byte{0x08, 0, 0, 0}, u32(vni<<8)) }
