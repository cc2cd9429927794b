package decap

// Arista 7130 (Metamako, MetaWatch) trailers follow the frame: the original
// FCS (4 bytes), seconds (4), nanoseconds (4), flags (1), device ID (2),
// port ID (1); some capture setups keep a new FCS (4) after it.
const (
	metamakoLen = 16
	// metamakoSkew bounds how far the trailer's time may be from the
	// capture time for the trailer to be recognised.
	metamakoSkew = 86400
)

// trailer returns how many bytes of Arista 7130/Metamako trailer end the
// packet: 0 unless the packet was captured whole, the outermost IP packet
// ends at least a trailer's length before the end of the data, and the
// trailer's time is a valid time within a day of the capture time.
func (d *Decapper) trailer() int {
	if !d.on(Arista) || d.ipEnd < 0 || d.ipEnd > len(d.b) || !d.whole {
		return 0
	}
	extra := len(d.b) - d.ipEnd
	for _, n := range [2]int{metamakoLen, metamakoLen + 4} {
		if extra >= n && len(d.b)-n >= d.pos && d.metamako(len(d.b)-n) {
			d.removed(Arista)
			return n
		}
	}
	return 0
}

func (d *Decapper) metamako(p int) bool {
	sec, ns := int64(be32(d.b[p+4:])), be32(d.b[p+8:])
	if sec == 0 || ns >= 1e9 {
		return false
	}
	skew := sec - d.ts/1e9
	return skew <= metamakoSkew && skew >= -metamakoSkew
}
