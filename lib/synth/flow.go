package synth

// proto is the innermost protocol of a flow.
type proto uint8

const (
	pTCP4  proto = iota // TCP over IPv4
	pTCP6               // TCP over IPv6
	pDNS4               // DNS over UDP/IPv4: query then response
	pDNS6               // DNS over UDP/IPv6
	pWG4                // WireGuard transport data over UDP/IPv4 (random bytes)
	pICMP4              // ICMP echo request then reply
	pICMP6              // ICMPv6 echo request then reply
	pARP                // ARP request then reply
	nProto
)

// encap is how a flow's frames are wrapped.
type encap uint8

const (
	ePlain    encap = iota // Ethernet
	eVLAN                  // one 802.1Q tag
	eQinQ                  // 802.1ad outer tag, 802.1Q inner tag
	eGRE                   // IP in GRE in IPv4
	eTEB                   // Ethernet in GRE (0x6558) in IPv4
	eVXLAN                 // Ethernet in VXLAN in UDP/IPv4
	eVXLANTag              // VLAN-tagged Ethernet in VXLAN
	nEncap
)

// content is what a TCP flow carries.
type content uint8

const (
	cText content = iota // JSON documents and logs on port 9200
	cTLS                 // TLS application data records on port 443
	cBulk                // repetitive backup blocks on port 9102
)

// Server ports. tshark dissects 443, 53 and 4789 and has no dissector on
// 9200 and 9102; its WireGuard heuristic decodes 51820.
const (
	portJSON  = 9200
	portTLS   = 443
	portBulk  = 9102
	portDNS   = 53
	portWG    = 51820
	portVXLAN = 4789
)

// flow is a conversation between a client (direction 0 sends from it) and a
// server, with one header template per direction and the state that makes
// consecutive packets consistent: TCP sequence numbers, IPv4 IDs, echo and
// DNS transaction numbers.
type flow struct {
	proto   proto
	encap   encap
	content content
	cli     host
	srv     host
	vtep    [2]host   // tunnel endpoints, [0] on the client's side
	vid     int       // 802.1Q VLAN ID (the inner tag of QinQ)
	svid    int       // 802.1ad service VLAN ID
	vni     uint32    // VXLAN network identifier
	vxPort  uint16    // VXLAN source port, the flow's entropy
	ttl     [2]uint8  // IPv4 TTL in each direction
	window  [2]uint16 // TCP window advertised in each direction
	label   uint32    // IPv6 flow label, also the ICMP echo identifier
	t       [2]template
	seq     [2]uint32 // next sequence number sent in each direction
	acked   [2]uint32 // last acknowledgement sent in each direction
	id      [2]uint16 // next IPv4 ID in each direction
	echo    uint16    // ICMP echo sequence or DNS transaction ID
	reply   sizeClass // size class of the pending reply
	name    int       // DNS name being resolved
	wgIdx   [2]uint32 // WireGuard receiver index of each end
	wgCtr   [2]uint64 // WireGuard counter in each direction
	life    int       // picks before the flow is replaced by a fresh one
}

// l3 returns the EtherType of f's network layer.
func (f *flow) l3() uint16 {
	switch f.proto {
	case pTCP6, pDNS6, pICMP6:
		return etIPv6
	case pARP:
		return etARP
	}
	return etIPv4
}

// build writes both header templates from f's addresses.
func (f *flow) build() {
	for d := range 2 {
		t := &f.t[d]
		t.reset()
		src, dst := f.cli, f.srv
		if d == 1 {
			src, dst = dst, src
		}
		if f.proto == pARP && d == 0 {
			dst.mac = broadcast
		}
		f.outer(t, d, src.mac, dst.mac)
		f.inner(t, d, src, dst)
	}
}

// outer appends the link layer and any tunnel headers of direction d.
func (f *flow) outer(t *template, d int, src, dst mac) {
	et := f.l3()
	switch f.encap {
	case ePlain:
		t.eth(dst, src, et)
	case eVLAN:
		t.eth(dst, src, etVLAN)
		t.tag(f.vid, et)
	case eQinQ:
		t.eth(dst, src, etQinQ)
		t.tag(f.svid, etVLAN)
		t.tag(f.vid, et)
	case eGRE:
		f.tunnel(t, d, protoGR)
		t.gre(et)
	case eTEB:
		f.tunnel(t, d, protoGR)
		t.gre(etTEB)
		t.eth(dst, src, et)
	case eVXLAN, eVXLANTag:
		f.tunnel(t, d, protoUD)
		t.udp(f.vxPort, portVXLAN)
		t.vxlan(f.vni)
		if f.encap == eVXLAN {
			t.eth(dst, src, et)
			return
		}
		t.eth(dst, src, etVLAN)
		t.tag(f.vid, et)
	}
}

// tunnel appends the outer Ethernet and IPv4 headers between the VTEPs.
func (f *flow) tunnel(t *template, d int, proto uint8) {
	a, b := f.vtep[d], f.vtep[1-d]
	t.eth(b.mac, a.mac, etIPv4)
	t.ipv4(a.v4, b.v4, proto, 64, false)
}

// inner appends the network and transport headers of direction d.
func (f *flow) inner(t *template, d int, src, dst host) {
	switch f.proto {
	case pTCP4:
		t.ipv4(src.v4, dst.v4, protoTC, f.ttl[d], true)
		t.tcp(src.port, dst.port, f.window[d])
	case pTCP6:
		t.ipv6(src.v6, dst.v6, protoTC, f.label)
		t.tcp(src.port, dst.port, f.window[d])
	case pDNS4, pWG4:
		t.ipv4(src.v4, dst.v4, protoUD, f.ttl[d], false)
		t.udp(src.port, dst.port)
	case pDNS6:
		t.ipv6(src.v6, dst.v6, protoUD, f.label)
		t.udp(src.port, dst.port)
	case pICMP4:
		t.ipv4(src.v4, dst.v4, protoIC, f.ttl[d], false)
		t.icmp(false, [2]uint8{8, 0}[d], uint16(f.label))
	case pICMP6:
		t.ipv6(src.v6, dst.v6, protoI6, f.label)
		t.icmp(true, [2]uint8{128, 129}[d], uint16(f.label))
	case pARP:
		if d == 0 {
			t.arp(1, src.mac, src.v4, mac{}, dst.v4)
		} else {
			t.arp(2, macOf(src.v4), src.v4, dst.mac, dst.v4)
		}
	}
}
