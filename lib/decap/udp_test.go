package decap

import "testing"

// overUDP is an outer Ethernet/IPv4/UDP frame to dport carrying payload.
func overUDP(sport, dport uint16, payload []byte) []byte {
	return cat(outer(etIPv4), ipv4(protoUDP, udp(sport, dport, payload)))
}

func TestUDPTunnels(t *testing.T) {
	ip, ip6 := innerIP, innerIP6
	gtp := func(flags byte, rest ...[]byte) []byte {
		body := cat(rest...)
		return cat([]byte{flags, 0xff}, u16(uint16(len(body))), u32(0x11223344), body)
	}
	// PDU session container (type 0x85), 1 word, then none.
	pduSession := []byte{1, 0x00, 0x09, 0x00}
	geneveOpt := cat(u16(0x0102), []byte{0x80, 1}, u32(0xdeadbeef))
	capwap := func(hlenWords byte, t, f bool, fragOff uint16, wbid uint32) []byte {
		v := uint32(hlenWords)<<19 | wbid<<9
		if t {
			v |= 1 << 8
		}
		if f {
			v |= 1 << 7
		}
		h := cat([]byte{0, byte(v >> 16), byte(v >> 8), byte(v)}, u16(1), u16(fragOff<<3))
		return cat(h, make([]byte, int(hlenWords)*4-8))
	}
	// A QoS data frame to the distribution system: DA is address 3, SA
	// address 2; an LLC/SNAP header gives the EtherType.
	dot11 := cat([]byte{0x88, 0x01}, u16(0), macB, macD, macC, u16(0), u16(0), []byte{0xaa, 0xaa, 0x03, 0, 0, 0}, u16(etIPv4), ip)
	dot11Want := cat(eth(macC, macD, etIPv4), ip)
	l2tp := cat(u16(0x4002), u16(12), u16(1), u16(2), []byte{0xff, 0x03}, u16(0x21), ip)
	runVectors(t, Options{}, []vector{
		{"VXLAN 4789", overUDP(50000, 4789, cat(vxlanHdr(42), innerFrame)), innerFrame, []Family{VXLAN}},
		{"VXLAN 8472", overUDP(50000, 8472, cat(vxlanHdr(42), innerFrame)), innerFrame, []Family{VXLAN}},
		{"VXLAN by source port", overUDP(4789, 50000, cat(vxlanHdr(42), innerFrame)), innerFrame, []Family{VXLAN}},
		{"VXLAN without I flag", overUDP(50000, 4789, cat(u32(0), u32(42<<8), innerFrame)), nil, nil},
		{"VXLAN over IPv6", cat(outer(etIPv6), ipv6(protoUDP, udp(1, 4789, cat(vxlanHdr(1), innerFrame)))), innerFrame, []Family{VXLAN}},
		{"VXLAN-GPE NSH IPv4", overUDP(50000, 4790, cat([]byte{0x0c, 0, 0, 4}, u32(7<<8), []byte{0x0f, 0xc2, 0x01, 0x01}, u32(0x00000aff), ip)), l3(etIPv4, ip), []Family{VXLANGPE, NSH}},
		{"VXLAN-GPE Ethernet", overUDP(50000, 4790, cat([]byte{0x0c, 0, 0, 3}, u32(7<<8), innerFrame)), innerFrame, []Family{VXLANGPE}},
		{"GENEVE Ethernet with options", overUDP(50000, 6081, cat([]byte{0x02, 0}, u16(etTEB), u32(5<<8), geneveOpt, innerFrame)), innerFrame, []Family{GENEVE}},
		{"GENEVE IPv4", overUDP(50000, 6081, cat([]byte{0x00, 0}, u16(etIPv4), u32(5<<8), ip)), l3(etIPv4, ip), []Family{GENEVE}},
		{"GENEVE version 1", overUDP(50000, 6081, cat([]byte{0x40, 0}, u16(etIPv4), u32(5<<8), ip)), nil, nil},
		{"GENEVE options cut", overUDP(50000, 6081, cat([]byte{0x3f, 0}, u16(etIPv4), u32(5<<8), ip[:10])), nil, nil},
		{"GTP-U", overUDP(2152, 2152, gtp(0x30, ip)), l3(etIPv4, ip), []Family{GTP}},
		{"GTP-U with sequence number", overUDP(2152, 2152, gtp(0x32, u16(9), []byte{0, 0}, ip6)), l3(etIPv6, ip6), []Family{GTP}},
		{"GTP-U with extension headers", overUDP(2152, 2152, gtp(0x34, u16(0), []byte{0, 0x85}, pduSession, ip)), l3(etIPv4, ip), []Family{GTP}},
		{"GTP-U extension of length 0", overUDP(2152, 2152, gtp(0x34, u16(0), []byte{0, 0x85}, []byte{0, 0, 0, 0}, ip)), nil, nil},
		{"GTP-U echo request", cat(outer(etIPv4), ipv4(protoUDP, udp(2152, 2152, cat([]byte{0x32, 0x01}, u16(4), u32(0), u32(0))))), nil, nil},
		{"CAPWAP 802.3", overUDP(5246, 5247, cat(capwap(2, false, false, 0, 1), innerFrame)), innerFrame, []Family{CAPWAP}},
		{"CAPWAP 802.3 from the controller", overUDP(5247, 12222, cat(capwap(4, false, false, 0, 1), innerFrame)), innerFrame, []Family{CAPWAP}},
		{"CAPWAP native 802.11", overUDP(5246, 5247, cat(capwap(2, true, false, 0, 1), dot11)), dot11Want, []Family{CAPWAP}},
		{"CAPWAP later fragment", overUDP(5246, 5247, cat(capwap(2, false, true, 100, 1), innerFrame)), nil, nil},
		{"CAPWAP DTLS", overUDP(5246, 5247, cat([]byte{0x01, 0, 0, 0}, innerFrame)), nil, nil},
		{"MPLS in UDP", overUDP(50000, 6635, cat(u32(1<<12|0x100|64), ip)), l3(etIPv4, ip), []Family{MPLSUDP, MPLS}},
		{"Teredo with origin indication", overUDP(3544, 50000, cat(u16(0), u16(0x1234), u32(0x01020304), ip6)), l3(etIPv6, ip6), []Family{Teredo}},
		{"Teredo with authentication", overUDP(3544, 50000, cat(u16(1), []byte{0, 0}, make([]byte, 9), ip6)), l3(etIPv6, ip6), []Family{Teredo}},
		{"Teredo not IPv6", overUDP(3544, 50000, ip), nil, nil},
		{"L2TPv2 PPP IPv4", overUDP(1701, 1701, l2tp), l3(etIPv4, ip), []Family{L2TP}},
		{"L2TPv2 control", overUDP(1701, 1701, cat(u16(0xc802), u16(12), u32(0), u32(0))), nil, nil},
		{"GRE in UDP", overUDP(50000, 4754, gre(0, etIPv4, ip)), l3(etIPv4, ip), []Family{GRE}},
		{"DNS", overUDP(53, 40000, make([]byte, 30)), nil, nil},
	})
	runVectors(t, Options{VXLANPorts: []uint16{}}, []vector{
		{"VXLAN with no VXLAN port", overUDP(50000, 4789, cat(vxlanHdr(42), innerFrame)), nil, nil},
	})
	runVectors(t, Options{VXLANPorts: []uint16{9999}}, []vector{
		{"VXLAN on a port given", overUDP(50000, 9999, cat(vxlanHdr(42), innerFrame)), innerFrame, []Family{VXLAN}},
	})
}

func TestNested(t *testing.T) {
	taggedInner := cat(eth(macC, macD, etVLAN), u16(30), u16(etIPv4), innerIP)
	untaggedInner := cat(eth(macC, macD, etIPv4), innerIP)
	vxlanInVLAN := cat(outer(etVLAN), u16(10), u16(etIPv4), ipv4(protoUDP, udp(50000, 4789, cat(vxlanHdr(1), taggedInner))))
	vxlanInGRE := cat(outer(etIPv4), ipv4(protoGRE, gre(greK, etIPv4, u32(5), ipv4(protoUDP, udp(50000, 4789, cat(vxlanHdr(1), innerFrame))))))
	triple := innerFrame
	for range 3 {
		triple = cat(eth(macA, macB, etIPv4), ipv4(protoUDP, udp(50000, 4789, cat(vxlanHdr(1), triple))))
	}
	runVectors(t, Options{}, []vector{
		{"VXLAN in VLAN carrying a VLAN-tagged frame", vxlanInVLAN, untaggedInner, []Family{VLAN, VXLAN, VLAN}},
		{"VXLAN in GRE", vxlanInGRE, innerFrame, []Family{GRE, VXLAN}},
		{"VXLAN three deep", triple, innerFrame, []Family{VXLAN, VXLAN, VXLAN}},
	})
	runVectors(t, Options{MaxDepth: 2}, []vector{
		{"depth 2 of 3", vxlanInVLAN, taggedInner, []Family{VLAN, VXLAN}},
	})
	runVectors(t, Options{Disabled: Set(0).With(VLAN)}, []vector{
		{"--no-vlan", vxlanInVLAN, nil, nil},
	})
	runVectors(t, Options{Disabled: Set(0).With(VXLAN)}, []vector{
		{"--no-vxlan", vxlanInVLAN, l3(etIPv4, ipv4(protoUDP, udp(50000, 4789, cat(vxlanHdr(1), taggedInner)))), []Family{VLAN}},
	})
}
