package decap

// capwap reads a CAPWAP data header (preamble version 0, type 0: not DTLS)
// of HLEN words. With the T flag clear it carries an 802.3 frame; with T set
// and wireless binding 1 it carries a native 802.11 frame, from which an
// Ethernet header is made. Keep-alives and non-first fragments stay.
func (d *Decapper) capwap(p int) bool {
	if !d.has(p, 8) || d.b[p] != 0 {
		return false
	}
	v := uint32(d.b[p+1])<<16 | uint32(d.b[p+2])<<8 | uint32(d.b[p+3])
	hlen := int(v>>19) * 4
	wbid := (v >> 9) & 0x1f
	native := v>>8&1 != 0
	frag := v>>7&1 != 0
	keepAlive := v>>3&1 != 0
	if hlen < 8 || keepAlive || frag && be16(d.b[p+6:])>>3 != 0 || !d.has(p, hlen) {
		return false
	}
	if !native {
		return d.ether(p + hlen)
	}
	return wbid == 1 && d.dot11(p+hlen)
}

// dot11 reads an unprotected 802.11 data frame with an LLC/SNAP header and
// moves to its payload, taking the destination and source addresses from
// the address fields the DS bits select.
func (d *Decapper) dot11(p int) bool {
	if !d.has(p, 24) {
		return false
	}
	fc0, fc1 := d.b[p], d.b[p+1]
	if fc0&0x0c != 0x08 || fc0&0x03 != 0 || fc0&0x40 != 0 || fc1&0x40 != 0 {
		return false // not a data frame with data, or protected
	}
	n := 24
	toDS, fromDS := fc1&1 != 0, fc1&2 != 0
	if toDS && fromDS {
		n += 6
	}
	if fc0&0x80 != 0 { // QoS data
		if !d.has(p+n, 2) || d.b[p+n]&0x80 != 0 {
			return false // A-MSDU
		}
		n += 2
		if fc1&0x80 != 0 {
			n += 4 // HT control
		}
	}
	if !d.has(p+n, 8) || d.b[p+n] != 0xaa || d.b[p+n+1] != 0xaa || d.b[p+n+2] != 0x03 {
		return false
	}
	da, sa := p+4, p+10 // address 1 and 2
	if fromDS {
		sa = p + 16
	}
	if toDS {
		da = p + 16
		if fromDS {
			sa = p + 24
		}
	}
	copy(d.synth[:6], d.b[da:da+6])
	copy(d.synth[6:], d.b[sa:sa+6])
	d.mac, d.et, d.pos = -1, be16(d.b[p+n+6:]), p+n+8
	return true
}
