package decap

// UDP ports of the tunnels recognised besides VXLAN's.
const (
	portVXLANGPE = 4790
	portGENEVE   = 6081
	portGTPU     = 2152
	portCAPWAP   = 5247
	portMPLSUDP  = 6635
	portTeredo   = 3544
	portL2TP     = 1701
	portGREUDP   = 4754
)

// udp removes a UDP header and the tunnel behind it, chosen by the
// destination port, else by the source port.
func (d *Decapper) udp(off int) bool {
	if !d.has(off, 8) {
		return false
	}
	sp, dp := be16(d.b[off:]), be16(d.b[off+2:])
	return d.udpPort(dp, off+8) || sp != dp && d.udpPort(sp, off+8)
}

func (d *Decapper) udpPort(port uint16, p int) bool {
	for _, v := range d.vx[:d.nvx] {
		if port == v {
			return d.on(VXLAN) && d.vxlan(p) && d.count(VXLAN)
		}
	}
	switch port {
	case portVXLANGPE:
		return d.on(VXLANGPE) && d.vxlanGPE(p) && d.count(VXLANGPE)
	case portGENEVE:
		return d.on(GENEVE) && d.geneve(p) && d.count(GENEVE)
	case portGTPU:
		return d.on(GTP) && d.gtpu(p) && d.count(GTP)
	case portCAPWAP:
		return d.on(CAPWAP) && d.capwap(p) && d.count(CAPWAP)
	case portMPLSUDP:
		return d.on(MPLSUDP) && d.has(p, 4) && d.payload(p, etMPLS) && d.count(MPLSUDP)
	case portTeredo:
		return d.on(Teredo) && d.teredo(p) && d.count(Teredo)
	case portL2TP:
		return d.on(L2TP) && d.l2tp(p) && d.count(L2TP)
	case portGREUDP:
		return d.gre(p) // counted as GRE (or ERSPAN)
	}
	return false
}

// vxlan reads an 8-byte VXLAN header: the I flag set and the last byte
// reserved (zero), then an Ethernet frame.
func (d *Decapper) vxlan(p int) bool {
	return d.has(p, 8) && d.b[p]&0x08 != 0 && d.b[p+7] == 0 && d.ether(p+8)
}

// vxlanGPE reads a VXLAN-GPE header: the P flag set, version 0, and the
// next protocol in byte 3.
func (d *Decapper) vxlanGPE(p int) bool {
	return d.has(p, 8) && d.b[p]&0x04 != 0 && d.b[p]&0x30 == 0 && d.nextProto(p+8, d.b[p+3])
}

// geneve reads a GENEVE header (version 0) with its options; the protocol
// field says Ethernet (0x6558), IPv4 or IPv6.
func (d *Decapper) geneve(p int) bool {
	if !d.has(p, 8) || d.b[p]>>6 != 0 {
		return false
	}
	n := 8 + int(d.b[p]&0x3f)*4
	if !d.has(p, n) {
		return false
	}
	switch be16(d.b[p+2:]) {
	case etTEB:
		return d.ether(p + n)
	case etIPv4:
		return d.ipAt(p+n, 4)
	case etIPv6:
		return d.ipAt(p+n, 6)
	}
	return false
}

// gtpu reads a GTPv1-U G-PDU header (version 1, protocol type 1, message
// 0xFF), its optional fields and its chain of extension headers, before an
// IPv4 or IPv6 packet. Signalling messages (echo, error indication) stay.
func (d *Decapper) gtpu(p int) bool {
	if !d.has(p, 8) || d.b[p]>>5 != 1 || d.b[p]&0x10 == 0 || d.b[p+1] != 0xff {
		return false
	}
	n := 8
	if d.b[p]&0x07 != 0 {
		if !d.has(p, 12) {
			return false
		}
		n = 12
		next := d.b[p+11]
		if d.b[p]&0x04 == 0 {
			next = 0 // the E flag is off: the next-type byte means nothing
		}
		for next != 0 {
			if !d.has(p+n, 1) {
				return false
			}
			l := int(d.b[p+n]) * 4
			if l == 0 || !d.has(p+n, l) {
				return false
			}
			next = d.b[p+n+l-1]
			n += l
		}
	}
	return d.ipAt(p+n, 0)
}

// teredo reads the optional Teredo authentication and origin indication
// headers before an IPv6 packet.
func (d *Decapper) teredo(p int) bool {
	if d.has(p, 4) && be16(d.b[p:]) == 1 {
		p += 4 + int(d.b[p+2]) + int(d.b[p+3]) + 9
	}
	if d.has(p, 8) && be16(d.b[p:]) == 0 {
		p += 8
	}
	return d.has(p, 40) && d.ipAt(p, 6)
}

// l2tp reads an L2TPv2 data message header (version 2, T flag clear) and
// the PPP frame it carries: IPv4, IPv6 or MPLS.
func (d *Decapper) l2tp(p int) bool {
	if !d.has(p, 2) {
		return false
	}
	flags := be16(d.b[p:])
	if flags&0x8000 != 0 || flags&0x0f != 2 {
		return false
	}
	n := 6 // flags, tunnel and session IDs
	if flags&0x4000 != 0 {
		n += 2
	}
	if flags&0x0800 != 0 {
		n += 4
	}
	if flags&0x0200 != 0 {
		if !d.has(p+n, 2) {
			return false
		}
		n += 2 + int(be16(d.b[p+n:]))
	}
	return d.has(p, n) && d.ppp(p+n)
}
