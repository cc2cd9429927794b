package decap

// linkKind is how a link type's packets start.
type linkKind uint8

const (
	linkOther linkKind = iota // passed unchanged
	linkEther
	linkSLL
	linkSLL2
	linkRaw  // IPv4 or IPv6 by the first nibble
	linkNull // 4-byte address family in the writer's byte order
	linkLoop // 4-byte address family, big endian
)

// pcap link types read by name.
const (
	linkEthernet = 1
	linkNullType = 0
	linkRawType  = 101
	linkLoopType = 108
	linkSLLType  = 113
	linkIPv4Type = 228
	linkIPv6Type = 229
	linkSLL2Type = 276
)

func kindOf(linkType uint32) linkKind {
	switch linkType {
	case linkEthernet:
		return linkEther
	case linkSLLType:
		return linkSLL
	case linkSLL2Type:
		return linkSLL2
	case linkRawType, linkIPv4Type, linkIPv6Type:
		return linkRaw
	case linkNullType:
		return linkNull
	case linkLoopType:
		return linkLoop
	}
	return linkOther
}

// start sets the walk at the packet's first network-layer header, with its
// Ethernet addresses. It reports false when the packet must pass unchanged.
func (d *Decapper) start() bool {
	switch d.link {
	case linkEther:
		return d.ether(0)
	case linkSLL:
		return d.cooked(16, 14, 6, 5)
	case linkSLL2:
		return d.cooked(20, 0, 12, 11)
	case linkRaw:
		d.synth = [12]byte{}
		d.mac = -1
		return d.ipAt(0, 0)
	case linkNull, linkLoop:
		return d.bsdLoop()
	}
	return false
}

// cooked reads a Linux cooked header of n bytes with its protocol at proto,
// the sender's address at addr and the address length at alen.
func (d *Decapper) cooked(n, proto, addr, alen int) bool {
	if !d.has(0, n) {
		return false
	}
	d.synth = [12]byte{}
	if d.b[alen] == 6 {
		copy(d.synth[6:], d.b[addr:addr+6])
	}
	d.mac, d.pos = -1, n
	d.et = be16(d.b[proto:])
	if d.et < 0x0600 {
		// 802.2 LLC, Novell 802.3, CAN and other non-EtherType protocols
		// become an 802.3 frame: the type field holds the length.
		d.et = uint16(min(len(d.b)-n, 1500))
	}
	return true
}

// bsdLoop reads the 4-byte address family of BSD loopback headers.
func (d *Decapper) bsdLoop() bool {
	if !d.has(0, 5) {
		return false
	}
	d.synth = [12]byte{}
	d.mac = -1
	fam := uint32(d.b[0]) | uint32(d.b[1])<<8 | uint32(d.b[2])<<16 | uint32(d.b[3])<<24
	if d.link == linkLoop || fam > 0xffff {
		fam = be32(d.b)
	}
	switch fam {
	case 2:
		return d.ipAt(4, 4)
	case 10, 24, 28, 30:
		return d.ipAt(4, 6)
	}
	return d.ipAt(4, 0)
}
