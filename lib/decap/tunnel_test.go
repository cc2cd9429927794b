package decap

import "testing"

func TestGRE(t *testing.T) {
	ip, ip6 := innerIP, innerIP6
	in4 := func(g []byte) []byte { return cat(outer(etIPv4), ipv4(protoGRE, g)) }
	ppp := func(proto uint16, p []byte) []byte { return cat([]byte{0xff, 0x03}, u16(proto), p) }
	var vs []vector
	for _, flags := range []uint16{0, greC, greK, greS, greC | greK, greC | greS, greK | greS, greC | greK | greS} {
		var opt [][]byte
		for _, bit := range []uint16{greC, greK, greS} {
			if flags&bit != 0 {
				opt = append(opt, u32(uint32(bit)))
			}
		}
		vs = append(vs, vector{"GRE IPv4 flags " + hex16(flags), in4(gre(flags, etIPv4, append(opt, ip)...)), l3(etIPv4, ip), []Family{GRE}})
	}
	vs = append(vs, []vector{
		{"GRE IPv6 over IPv6", cat(outer(etIPv6), ipv6(protoGRE, gre(0, etIPv6, ip6))), l3(etIPv6, ip6), []Family{GRE}},
		{"GRE routing (RFC 1701)", in4(gre(greR, etIPv4, u32(0), u16(0x0800), []byte{0, 4}, u32(0x0a000001), u32(0), ip)), l3(etIPv4, ip), []Family{GRE}},
		{"GRE transparent Ethernet bridging", in4(gre(greK, etTEB, u32(0x1000), innerFrame)), innerFrame, []Family{GRE}},
		{"GRE MPLS", in4(gre(0, etMPLS, u32(1<<12|0x100|64), ip)), l3(etIPv4, ip), []Family{GRE, MPLS}},
		{"GRE IPv4 with an IPv6 payload", in4(gre(0, etIPv4, innerIP6)), nil, nil},
		{"GRE keepalive (protocol 0)", in4(gre(0, 0)), nil, nil},
		{"GRE version 2", in4(gre(2, etIPv4, ip)), nil, nil},
		{"GRE truncated options", in4(gre(greC|greK|greS, etIPv4, u32(0))), nil, nil},
		{"PPTP enhanced GRE IPv4", in4(gre(greK|greS|greA|1, etPPP, u32(0x00200001), u32(7), u32(6), ppp(0x21, ip))), l3(etIPv4, ip), []Family{GRE}},
		{"PPTP enhanced GRE, compressed PPP", in4(gre(greK|1, etPPP, u32(0x00200001), []byte{0x57}, innerIP6)), l3(etIPv6, innerIP6), []Family{GRE}},
		{"PPTP enhanced GRE LCP", in4(gre(greK|1, etPPP, u32(0x00200001), ppp(0xc021, []byte{1, 1, 0, 4}))), nil, nil},
		{"PPTP ack only", in4(gre(greK|greA|1, etPPP, u32(0x00000001), u32(3))), nil, nil},
		{"Cisco MetaData in GRE", in4(gre(greK, etCMD, u32(0x28), u16(etIPv4), []byte{1, 1}, u16(1), u16(0), ip)), l3(etIPv4, ip), []Family{GRE, CMD}},
		{"GRE in GRE", in4(gre(0, etIPv4, ipv4(protoGRE, gre(0, etIPv4, ip)))), l3(etIPv4, ip), []Family{GRE, GRE}},
	}...)
	runVectors(t, Options{}, vs)
}

func hex16(v uint16) string {
	const digits = "0123456789abcdef"
	return "0x" + string([]byte{digits[v>>12], digits[v>>8&15], digits[v>>4&15], digits[v&15]})
}

func TestERSPAN(t *testing.T) {
	in4 := func(g []byte) []byte { return cat(outer(etIPv4), ipv4(protoGRE, g)) }
	qinq := cat(eth(macC, macD, etQinQ), u16(10), u16(etVLAN), u16(20), u16(etIPv4), innerIP)
	ers2 := cat(u16(0x1000|100), u16(0x0001), u32(5))
	ers3 := func(ft, o byte) []byte {
		return cat(u16(0x2000|100), u16(0x0001), u32(123456), u16(0), []byte{ft << 2, o})
	}
	runVectors(t, Options{}, []vector{
		{"type I", in4(gre(0, etERSPAN2, innerFrame)), innerFrame, []Family{ERSPAN}},
		{"type II", in4(gre(greS, etERSPAN2, u32(9), ers2, innerFrame)), innerFrame, []Family{ERSPAN}},
		{"type II carrying QinQ", in4(gre(greS, etERSPAN2, u32(9), ers2, qinq)), cat(eth(macC, macD, etIPv4), innerIP), []Family{ERSPAN, VLAN, VLAN}},
		{"type II bad version", in4(gre(greS, etERSPAN2, u32(9), u16(0x3000), u16(1), u32(5), innerFrame)), nil, nil},
		{"type III", in4(gre(greS, etERSPAN3, u32(9), ers3(0, 0), innerFrame)), innerFrame, []Family{ERSPAN}},
		{"type III platform sub-header", in4(gre(greS, etERSPAN3, u32(9), ers3(0, 1), u32(0x0c000000), u32(7), innerFrame)), innerFrame, []Family{ERSPAN}},
		{"type III IP frame", in4(gre(greS, etERSPAN3, u32(9), ers3(2, 0), innerIP6)), l3(etIPv6, innerIP6), []Family{ERSPAN}},
		{"type III frame type 7", in4(gre(greS, etERSPAN3, u32(9), ers3(7, 0), innerFrame)), nil, nil},
		{"type II disabled GRE still decoded", in4(gre(greS, etERSPAN2, u32(9), ers2, innerFrame)), innerFrame, []Family{ERSPAN}},
	})
	runVectors(t, Options{Disabled: Set(0).With(ERSPAN)}, []vector{
		{"type II with --no-erspan", in4(gre(greS, etERSPAN2, u32(9), ers2, innerFrame)), nil, nil},
	})
	runVectors(t, Options{Disabled: Set(0).With(GRE)}, []vector{
		{"type II with --no-gre", in4(gre(greS, etERSPAN2, u32(9), ers2, innerFrame)), innerFrame, []Family{ERSPAN}},
		{"GRE IPv4 with --no-gre", in4(gre(0, etIPv4, innerIP)), nil, nil},
	})
}

func TestIPInIP(t *testing.T) {
	ip, ip6 := innerIP, innerIP6
	hop := ext6(protoDstOpts)
	runVectors(t, Options{}, []vector{
		{"4in4", cat(outer(etIPv4), ipv4(protoIPv4, ip)), l3(etIPv4, ip), []Family{IPIP}},
		{"6in4", cat(outer(etIPv4), ipv4(protoIPv6, ip6)), l3(etIPv6, ip6), []Family{IPIP}},
		{"4in6", cat(outer(etIPv6), ipv6(protoIPv4, ip)), l3(etIPv4, ip), []Family{IPIP}},
		{"6in6 after extension headers", cat(outer(etIPv6), ipv6(protoHopOpts, cat(hop, ext6(protoFragment), frag6(protoIPv6, 0, true), ip6))), l3(etIPv6, ip6), []Family{IPIP}},
		{"6in6 after AH", cat(outer(etIPv6), ipv6(protoAH, cat([]byte{protoIPv6, 4}, make([]byte, 22), ip6))), l3(etIPv6, ip6), []Family{IPIP}},
		{"4in6 in a later fragment", cat(outer(etIPv6), ipv6(protoFragment, cat(frag6(protoIPv4, 185, false), ip))), nil, nil},
		{"4in4 first fragment", cat(outer(etIPv4), ipv4Frag(protoIPv4, 0, true, ip)), l3(etIPv4, ip), []Family{IPIP}},
		{"4in4 later fragment", cat(outer(etIPv4), ipv4Frag(protoIPv4, 185, false, ip)), nil, nil},
		{"4in4 carrying IPv6", cat(outer(etIPv4), ipv4(protoIPv4, ip6)), nil, nil},
		{"4in4 nothing inside", cat(outer(etIPv4), ipv4(protoIPv4, nil)), nil, nil},
		{"IPv4 header cut", cat(outer(etIPv4), ipv4(protoIPv4, ip)[:19]), nil, nil},
		{"IPv4 IHL 4", cat(outer(etIPv4), []byte{0x44}, ipv4(protoIPv4, ip)[1:]), nil, nil},
		{"EtherIP", cat(outer(etIPv4), ipv4(protoEtherIP, cat([]byte{0x30, 0}, innerFrame))), innerFrame, []Family{EtherIP}},
		{"MPLS in IP", cat(outer(etIPv4), ipv4(protoMPLSinIP, cat(u32(1<<12|0x100|64), ip))), l3(etIPv4, ip), []Family{MPLS, MPLS}},
		{"ESP stays", cat(outer(etIPv4), ipv4(50, make([]byte, 40))), nil, nil},
	})
}
