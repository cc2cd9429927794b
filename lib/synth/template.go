package synth

import "encoding/binary"

// Sizes of the headers the generator writes.
const (
	ethLen   = 14
	tagLen   = 4
	ipv4Len  = 20
	ipv6Len  = 40
	tcpLen   = 20
	udpLen   = 8
	icmpLen  = 8
	greLen   = 4
	vxlanLen = 8
	arpLen   = 28
	hdrMax   = 128 // longest header chain: VXLAN with a VLAN-tagged inner frame
	layerMax = 8
)

// EtherTypes and IP protocol numbers.
const (
	etIPv4  = 0x0800
	etARP   = 0x0806
	etVLAN  = 0x8100
	etQinQ  = 0x88a8
	etIPv6  = 0x86dd
	etTEB   = 0x6558
	protoIC = 1
	protoTC = 6
	protoUD = 17
	protoGR = 47
	protoI6 = 58
)

// layerKind names a header whose lengths or checksum are patched per packet.
type layerKind uint8

const (
	lIPv4 layerKind = iota
	lIPv6
	lTCP
	lUDP
	lICMP4
	lICMP6
)

// layer locates a patched header in a template. For transport headers ip is
// the offset of the enclosing IP header, whose addresses feed the checksum.
type layer struct {
	kind layerKind
	off  uint16
	ip   uint16
}

// template is the header chain of one direction of a flow, built once and
// copied in front of every packet, then patched by finish.
type template struct {
	b      [hdrMax]byte
	n      int
	layers [layerMax]layer
	nl     int
	l4     int // offset of the innermost transport header, or -1
	outer  int // offset of the outermost IP header, or -1
	ipSeen int // offset of the last IP header pushed, or -1
}

func (t *template) reset() {
	t.n, t.nl, t.l4, t.outer, t.ipSeen = 0, 0, -1, -1, -1
}

func (t *template) grow(n int) []byte {
	b := t.b[t.n : t.n+n]
	clear(b)
	t.n += n
	return b
}

func (t *template) mark(k layerKind, ip int) {
	t.layers[t.nl] = layer{kind: k, off: uint16(t.n), ip: uint16(ip)}
	t.nl++
}

// eth appends an Ethernet header.
func (t *template) eth(dst, src mac, etype uint16) {
	b := t.grow(ethLen)
	copy(b[0:6], dst[:])
	copy(b[6:12], src[:])
	binary.BigEndian.PutUint16(b[12:], etype)
}

// tag appends a VLAN tag (priority 0); the preceding EtherType names its
// kind.
func (t *template) tag(vid int, etype uint16) {
	b := t.grow(tagLen)
	binary.BigEndian.PutUint16(b[0:], uint16(vid&0xfff))
	binary.BigEndian.PutUint16(b[2:], etype)
}

// ipv4 appends an IPv4 header; length, ID and checksum are patched later.
func (t *template) ipv4(src, dst ip4, proto uint8, ttl uint8, df bool) {
	t.mark(lIPv4, 0)
	t.track()
	b := t.grow(ipv4Len)
	b[0] = 0x45
	if df {
		b[6] = 0x40
	}
	b[8], b[9] = ttl, proto
	copy(b[12:16], src[:])
	copy(b[16:20], dst[:])
}

// ipv6 appends an IPv6 header; the payload length is patched later.
func (t *template) ipv6(src, dst ip6, next uint8, label uint32) {
	t.mark(lIPv6, 0)
	t.track()
	b := t.grow(ipv6Len)
	binary.BigEndian.PutUint32(b[0:], 6<<28|label&0xfffff)
	b[6], b[7] = next, 64
	copy(b[8:24], src[:])
	copy(b[24:40], dst[:])
}

// track records the IP header about to be appended at t.n.
func (t *template) track() {
	if t.outer < 0 {
		t.outer = t.n
	}
	t.ipSeen = t.n
}

// tcp appends a TCP header without options; seq, ack and flags are patched
// per packet.
func (t *template) tcp(sport, dport uint16, window uint16) {
	t.mark(lTCP, t.ipSeen)
	t.l4 = t.n
	b := t.grow(tcpLen)
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	b[12] = 5 << 4
	binary.BigEndian.PutUint16(b[14:], window)
}

// udp appends a UDP header.
func (t *template) udp(sport, dport uint16) {
	t.mark(lUDP, t.ipSeen)
	t.l4 = t.n
	b := t.grow(udpLen)
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
}

// icmp appends an ICMP (v4 or v6) echo header with the given type.
func (t *template) icmp(v6 bool, typ uint8, id uint16) {
	k := lICMP4
	if v6 {
		k = lICMP6
	}
	t.mark(k, t.ipSeen)
	t.l4 = t.n
	b := t.grow(icmpLen)
	b[0] = typ
	binary.BigEndian.PutUint16(b[4:], id)
}

// gre appends a plain GRE header (no checksum, key or sequence number).
func (t *template) gre(proto uint16) {
	b := t.grow(greLen)
	binary.BigEndian.PutUint16(b[2:], proto)
}

// vxlan appends a VXLAN header with the I flag and the given VNI.
func (t *template) vxlan(vni uint32) {
	b := t.grow(vxlanLen)
	b[0] = 0x08
	binary.BigEndian.PutUint32(b[4:], vni<<8)
}

// arp appends an Ethernet/IPv4 ARP request or reply.
func (t *template) arp(op uint16, sha mac, spa ip4, tha mac, tpa ip4) {
	b := t.grow(arpLen)
	binary.BigEndian.PutUint16(b[0:], 1)
	binary.BigEndian.PutUint16(b[2:], etIPv4)
	b[4], b[5] = 6, 4
	binary.BigEndian.PutUint16(b[6:], op)
	copy(b[8:14], sha[:])
	copy(b[14:18], spa[:])
	copy(b[18:24], tha[:])
	copy(b[24:28], tpa[:])
}

// finish patches, innermost first, the lengths and checksums of the headers
// t describes in pkt, which holds the frame without Ethernet padding. IPv4
// headers get IDs id, id+1, ... from the outermost in.
func (t *template) finish(pkt []byte, id uint16) {
	be := binary.BigEndian
	for i := t.nl - 1; i >= 0; i-- {
		l := t.layers[i]
		h := pkt[l.off:]
		switch l.kind {
		case lIPv4:
			be.PutUint16(h[2:], uint16(len(h)))
			be.PutUint16(h[4:], id+uint16(i))
			h[10], h[11] = 0, 0
			be.PutUint16(h[10:], csumFold(csumAdd(0, h[:ipv4Len])))
		case lIPv6:
			be.PutUint16(h[4:], uint16(len(h)-ipv6Len))
		case lTCP:
			h[16], h[17] = 0, 0
			be.PutUint16(h[16:], l4sum(pkt, l, protoTC))
		case lUDP:
			be.PutUint16(h[4:], uint16(len(h)))
			h[6], h[7] = 0, 0
			be.PutUint16(h[6:], udpSum(l4sum(pkt, l, protoUD)))
		case lICMP4:
			h[2], h[3] = 0, 0
			be.PutUint16(h[2:], csumFold(csumAdd(0, h)))
		case lICMP6:
			h[2], h[3] = 0, 0
			be.PutUint16(h[2:], l4sum(pkt, l, protoI6))
		}
	}
}

// l4sum returns the checksum of the transport header at l.off and all that
// follows it in pkt, with the pseudo-header of the IP header at l.ip.
func l4sum(pkt []byte, l layer, proto uint8) uint16 {
	ip := pkt[l.ip:]
	var acc uint64
	if ip[0]>>4 == 4 {
		acc = csumAdd(0, ip[12:20])
	} else {
		acc = csumAdd(0, ip[8:40])
	}
	acc = add1(acc, uint64(proto)+uint64(len(pkt)-int(l.off)))
	return csumFold(csumAdd(acc, pkt[l.off:]))
}

// udpSum maps a computed checksum of zero to 0xffff: zero on the wire means
// "no checksum".
func udpSum(c uint16) uint16 {
	if c == 0 {
		return 0xffff
	}
	return c
}
