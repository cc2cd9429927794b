package decap

// IP protocol numbers of tunnels and IPv6 extension headers.
const (
	protoIPv4     = 4
	protoUDP      = 17
	protoIPv6     = 41
	protoGRE      = 47
	protoEtherIP  = 97
	protoMPLSinIP = 137
	protoHopOpts  = 0
	protoRouting  = 43
	protoFragment = 44
	protoAH       = 51
	protoDstOpts  = 60
)

// noteIP remembers where the outermost IP packet ends, for trailers: the
// first IP header seen, at p, is the outermost. A length of zero (TCP
// segmentation offload, jumbograms) leaves the end unknown (-2).
func (d *Decapper) noteIP(p, length int) {
	if d.ipEnd != -1 {
		return
	}
	d.ipEnd = -2
	if length != 0 {
		d.ipEnd = p + length
	}
}

// ipv4 removes an IPv4 header and the tunnel it carries. Fragments other
// than the first cannot be decapsulated: their tunnel header is elsewhere.
func (d *Decapper) ipv4() bool {
	p := d.pos
	if !d.has(p, 20) || d.b[p]>>4 != 4 {
		return false
	}
	hl := int(d.b[p]&0x0f) * 4
	tl := int(be16(d.b[p+2:]))
	if hl < 20 || !d.has(p, hl) || (tl != 0 && tl < hl) {
		return false
	}
	d.noteIP(p, tl)
	if be16(d.b[p+6:])&0x1fff != 0 {
		return false
	}
	return d.ipProto(d.b[p+9], p+hl)
}

// ipv6 removes an IPv6 header, its extension headers and the tunnel they
// carry. Non-first fragments cannot be decapsulated.
func (d *Decapper) ipv6() bool {
	p := d.pos
	if !d.has(p, 40) || d.b[p]>>4 != 6 {
		return false
	}
	if pl := int(be16(d.b[p+4:])); pl != 0 {
		d.noteIP(p, 40+pl)
	} else {
		d.noteIP(p, 0)
	}
	next, off := d.b[p+6], p+40
	for {
		n := 0
		switch next {
		case protoHopOpts, protoRouting, protoDstOpts:
			if !d.has(off, 2) {
				return false
			}
			n = (int(d.b[off+1]) + 1) * 8
		case protoFragment:
			if !d.has(off, 8) || be16(d.b[off+2:])>>3 != 0 {
				return false
			}
			n = 8
		case protoAH:
			if !d.has(off, 2) {
				return false
			}
			n = (int(d.b[off+1]) + 2) * 4
		default:
			return d.ipProto(next, off)
		}
		if !d.has(off, n) {
			return false
		}
		next, off = d.b[off], off+n
	}
}

// ipProto removes the tunnel of IP protocol proto whose header is at off.
func (d *Decapper) ipProto(proto byte, off int) bool {
	switch proto {
	case protoIPv4, protoIPv6:
		want := byte(4)
		if proto == protoIPv6 {
			want = 6
		}
		return d.on(IPIP) && d.ipAt(off, want) && d.count(IPIP)
	case protoGRE:
		return d.gre(off)
	case protoUDP:
		return d.udp(off)
	case protoEtherIP:
		return d.on(EtherIP) && d.has(off, 2) && d.b[off]>>4 == 3 && d.ether(off+2) && d.count(EtherIP)
	case protoMPLSinIP:
		return d.on(MPLS) && d.payload(off, etMPLS) && d.count(MPLS)
	}
	return false
}

// count records one header of family f as removed and reports true.
func (d *Decapper) count(f Family) bool {
	d.removed(f)
	return true
}

// GRE flag bits.
const (
	greC   = 0x8000 // checksum present
	greR   = 0x4000 // routing present (RFC 1701)
	greK   = 0x2000 // key present
	greS   = 0x1000 // sequence number present
	greA   = 0x0080 // acknowledgment present (version 1)
	greBad = 0x0878 // strict source route, flags that must be zero
)

// greLen returns the length of the GRE header at off and its flags, or 0.
func (d *Decapper) greLen(off int) (int, uint16) {
	if !d.has(off, 4) {
		return 0, 0
	}
	flags := be16(d.b[off:])
	n := 4
	switch flags & 7 {
	case 0:
		if flags&greBad != 0 || flags&greA != 0 {
			return 0, 0
		}
		if flags&(greC|greR) != 0 {
			n += 4
		}
	case 1:
		if flags&(greC|greR) != 0 || flags&greK == 0 || be16(d.b[off+2:]) != etPPP {
			return 0, 0
		}
		if flags&greA != 0 {
			n += 4
		}
	default:
		return 0, 0
	}
	if flags&greK != 0 {
		n += 4
	}
	if flags&greS != 0 {
		n += 4
	}
	if flags&greR != 0 {
		return d.greRouting(off, n), flags
	}
	return n, flags
}

// greRouting skips RFC 1701 source route entries up to the null entry.
func (d *Decapper) greRouting(off, n int) int {
	for {
		if !d.has(off+n, 4) {
			return 0
		}
		l := int(d.b[off+n+3])
		n += 4 + l
		if l == 0 && be16(d.b[off+n-4:]) == 0 {
			return n
		}
	}
}

// gre removes a GRE header and moves to what it carries.
func (d *Decapper) gre(off int) bool {
	n, flags := d.greLen(off)
	if n == 0 || !d.has(off, n) {
		return false
	}
	p := off + n
	switch proto := be16(d.b[off+2:]); proto {
	case etERSPAN2:
		if flags&greS == 0 {
			return d.on(ERSPAN) && d.ether(p) && d.count(ERSPAN) // type I
		}
		return d.on(ERSPAN) && d.has(p, 8) && d.b[p]>>4 == 1 && d.ether(p+8) && d.count(ERSPAN)
	case etERSPAN3:
		return d.on(ERSPAN) && d.erspan3(p) && d.count(ERSPAN)
	case etIPv4:
		return d.on(GRE) && d.ipAt(p, 4) && d.count(GRE)
	case etIPv6:
		return d.on(GRE) && d.ipAt(p, 6) && d.count(GRE)
	case etTEB:
		return d.on(GRE) && d.ether(p) && d.count(GRE)
	case etMPLS, etMPLSMcast, etNSH:
		return d.on(GRE) && d.payload(p, proto) && d.count(GRE)
	case etPPP:
		return d.on(GRE) && flags&7 == 1 && d.ppp(p) && d.count(GRE)
	case etCMD:
		// In GRE, Cisco MetaData puts the next type first: type (2),
		// version, length, option (2), SGT (2).
		if !d.on(GRE) || !d.on(CMD) || !d.has(p, 8) || d.b[p+2] != 1 {
			return false
		}
		t := be16(d.b[p:])
		ok := t == etIPv4 && d.ipAt(p+8, 4) || t == etIPv6 && d.ipAt(p+8, 6)
		return ok && d.count(GRE) && d.count(CMD)
	}
	return false
}

// erspan3 removes an ERSPAN type III header (version 2), with the 8-byte
// platform-specific sub-header when its O flag is set. Frame type 0 is an
// Ethernet frame, 2 an IP packet; other frame types stay.
func (d *Decapper) erspan3(p int) bool {
	if !d.has(p, 12) || d.b[p]>>4 != 2 {
		return false
	}
	n := 12
	if d.b[p+11]&1 != 0 {
		n += 8
	}
	switch (d.b[p+10] >> 2) & 0x1f {
	case 0:
		return d.ether(p + n)
	case 2:
		return d.ipAt(p+n, 0)
	}
	return false
}
