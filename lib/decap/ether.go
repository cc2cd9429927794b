package decap

// EtherTypes read by the decoders.
const (
	etIPv4       = 0x0800
	etIPv6       = 0x86dd
	etARP        = 0x0806
	etVLAN       = 0x8100
	etQinQ       = 0x88a8
	etQinQ9100   = 0x9100
	etQinQ9200   = 0x9200
	etVNTag      = 0x8926
	etETag       = 0x893f
	etPBB        = 0x88e7
	etFabricPath = 0x8903
	etCMD        = 0x8909
	etArista     = 0xd28b
	etMPLS       = 0x8847
	etMPLSMcast  = 0x8848
	etPPPoES     = 0x8864
	etPPPoED     = 0x8863
	etNSH        = 0x894f
	etTEB        = 0x6558
	etERSPAN2    = 0x88be
	etERSPAN3    = 0x22eb
	etPPP        = 0x880b
	etLLDP       = 0x88cc
	etRARP       = 0x8035
	etSlow       = 0x8809
	etMACsec     = 0x88e5
	etPTP        = 0x88f7
)

// step removes one header at d.pos, typed d.et. It reports false, leaving
// the state alone, when there is nothing it may remove.
func (d *Decapper) step() bool {
	switch d.et {
	case etVLAN, etQinQ, etQinQ9100, etQinQ9200:
		return d.vlanStack()
	case etVNTag:
		return d.tag(VNTag, 6)
	case etETag:
		return d.tag(ETag, 8)
	case etCMD:
		return d.tag(CMD, 8)
	case etArista:
		return d.arista()
	case etPBB:
		return d.l2(PBB, d.pos+4)
	case etFabricPath:
		return d.l2(FabricPath, d.pos+2)
	case etMPLS, etMPLSMcast:
		return d.mpls()
	case etPPPoES:
		return d.pppoe()
	case etNSH:
		return d.nsh()
	case etIPv4:
		return d.ipv4()
	case etIPv6:
		return d.ipv6()
	}
	return false
}

// tag removes an n-byte header whose last two bytes are the next EtherType.
func (d *Decapper) tag(f Family, n int) bool {
	if !d.on(f) || !d.has(d.pos, n) {
		return false
	}
	d.et, d.pos = be16(d.b[d.pos+n-2:]), d.pos+n
	d.removed(f)
	return true
}

// vlanStack removes a run of consecutive VLAN tags (802.1Q, 802.1ad and
// the 0x9100 and 0x9200 QinQ types) as one step, as mpls removes a whole
// label stack: however many tags a frame stacks, they count once toward
// the depth bound. Each tag is counted in the statistics. Every tag moves
// past four bytes of the frame, so the frame's length bounds the run.
func (d *Decapper) vlanStack() bool {
	removed := false
	for isVLAN(d.et) && d.tag(VLAN, 4) {
		removed = true
	}
	return removed
}

// isVLAN reports whether et is one of the VLAN tag types.
func isVLAN(et uint16) bool {
	return et == etVLAN || et == etQinQ || et == etQinQ9100 || et == etQinQ9200
}

// l2 removes everything up to an inner Ethernet frame at off.
func (d *Decapper) l2(f Family, off int) bool {
	if !d.on(f) || !d.ether(off) {
		return false
	}
	d.removed(f)
	return true
}

// arista removes an Arista timestamp header (EtherType 0xD28B, subtype 1):
// version byte 1's high nibble says a 64-bit (1) or 48-bit (2) timestamp.
func (d *Decapper) arista() bool {
	p := d.pos
	if !d.on(Arista) || !d.has(p, 4) || be16(d.b[p:]) != 1 {
		return false
	}
	n := 0
	switch d.b[p+3] >> 4 {
	case 1:
		n = 8
	case 2:
		n = 6
	default:
		return false
	}
	return d.tag(Arista, 4+n+2)
}

// knownEtherType reports whether et is a type an Ethernet pseudowire is
// likely to carry; it guides the MPLS payload heuristic.
func knownEtherType(et uint16) bool {
	switch et {
	case etIPv4, etIPv6, etARP, etVLAN, etQinQ, etQinQ9100, etQinQ9200,
		etMPLS, etMPLSMcast, etPPPoES, etPPPoED, etLLDP, etRARP, etSlow,
		etMACsec, etPTP, etVNTag, etETag, etPBB, etCMD, etNSH, etFabricPath:
		return true
	}
	return false
}

// mpls removes a label stack and tells its payload by the first nibble
// after the bottom label: 4 IPv4, 6 IPv6, 0 a pseudowire control word
// before an Ethernet frame (or an Ethernet frame without control word whose
// destination address starts with a 0 nibble), anything else an Ethernet
// pseudowire without control word. Ethernet is taken only when its
// EtherType is one knownEtherType accepts.
func (d *Decapper) mpls() bool {
	if !d.on(MPLS) {
		return false
	}
	p := d.pos
	for {
		if !d.has(p, 4) {
			return false
		}
		bottom := d.b[p+2]&1 != 0
		p += 4
		if bottom {
			break
		}
	}
	if !d.mplsPayload(p) {
		return false
	}
	d.removed(MPLS)
	return true
}

func (d *Decapper) mplsPayload(p int) bool {
	if !d.has(p, 1) {
		return false
	}
	switch d.b[p] >> 4 {
	case 4, 6:
		return d.ipAt(p, 0)
	case 0:
		if d.has(p+4, 14) && knownEtherType(be16(d.b[p+4+12:])) {
			return d.ether(p + 4)
		}
	case 1:
		return false // associated channel (G-ACh): control traffic
	}
	return d.has(p, 14) && knownEtherType(be16(d.b[p+12:])) && d.ether(p)
}

// ppp moves to the IPv4, IPv6 or MPLS packet in a PPP frame at off, with
// or without the address and control bytes and protocol compression.
func (d *Decapper) ppp(off int) bool {
	if d.has(off, 2) && d.b[off] == 0xff && d.b[off+1] == 0x03 {
		off += 2
	}
	if !d.has(off, 1) {
		return false
	}
	proto := uint16(d.b[off])
	if proto&1 == 1 {
		off++
	} else {
		if !d.has(off, 2) {
			return false
		}
		proto = be16(d.b[off:])
		off += 2
	}
	switch proto {
	case 0x21:
		return d.ipAt(off, 4)
	case 0x57:
		return d.ipAt(off, 6)
	case 0x281:
		return d.payload(off, etMPLS)
	}
	return false
}

// pppoe removes a PPPoE session header (version 1, type 1, code 0) and the
// PPP protocol field before IPv4, IPv6 or MPLS.
func (d *Decapper) pppoe() bool {
	p := d.pos
	if !d.on(PPPoE) || !d.has(p, 6) || d.b[p] != 0x11 || d.b[p+1] != 0 || !d.ppp(p+6) {
		return false
	}
	d.removed(PPPoE)
	return true
}

// nsh removes a Network Service Header (version 0) before IPv4, IPv6,
// Ethernet, another NSH or MPLS.
func (d *Decapper) nsh() bool {
	if !d.on(NSH) || !d.nshAt(d.pos) {
		return false
	}
	d.removed(NSH)
	return true
}

func (d *Decapper) nshAt(p int) bool {
	if !d.has(p, 8) || d.b[p]>>6 != 0 {
		return false
	}
	n := int(be16(d.b[p:])&0x3f) * 4
	if n < 8 || !d.has(p, n) {
		return false
	}
	return d.nextProto(p+n, d.b[p+3])
}

// nextProto moves to a payload typed by the protocol numbers that NSH and
// VXLAN-GPE share: 1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS.
func (d *Decapper) nextProto(off int, proto byte) bool {
	switch proto {
	case 1:
		return d.ipAt(off, 4)
	case 2:
		return d.ipAt(off, 6)
	case 3:
		return d.ether(off)
	case 4:
		return d.payload(off, etNSH)
	case 5:
		return d.payload(off, etMPLS)
	}
	return false
}
