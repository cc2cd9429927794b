package decap

import (
	"encoding/binary"
	"fmt"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// DefaultMaxDepth is the default bound on the headers removed from one
// packet.
const DefaultMaxDepth = 8

// DefaultVXLANPorts are the UDP ports read as VXLAN by default: IANA's and
// the Linux kernel's.
var DefaultVXLANPorts = []uint16{4789, 8472}

// maxVXLANPorts bounds Options.VXLANPorts.
const maxVXLANPorts = 8

// Options choose the decoders and bounds.
type Options struct {
	// MaxDepth bounds the headers removed from one packet (a run of
	// consecutive VLAN tags, an MPLS label stack, any other tag, or a
	// tunnel with its outer IP and UDP headers each count one). Zero means
	// DefaultMaxDepth.
	MaxDepth int
	// Disabled lists the families left in place.
	Disabled Set
	// VXLANPorts are the UDP destination (or source) ports read as VXLAN;
	// nil means DefaultVXLANPorts, an empty non-nil slice none.
	VXLANPorts []uint16
}

// Validate reports options that cannot work.
func (o Options) Validate() error {
	if o.MaxDepth < 0 {
		return fmt.Errorf("max depth %d: must not be negative", o.MaxDepth)
	}
	if len(o.VXLANPorts) > maxVXLANPorts {
		return fmt.Errorf("%d VXLAN ports: at most %d", len(o.VXLANPorts), maxVXLANPorts)
	}
	return nil
}

// Stats counts what a Decapper did.
type Stats struct {
	Packets   int64              // packets seen (ticks excluded)
	Changed   int64              // packets with at least one header or trailer removed
	Unchanged int64              // packets passed as they came (apart from a link-type conversion)
	Ticks     int64              // clock ticks passed on
	Converted int64              // packets given an Ethernet header in place of another link layer
	Bytes     int64              // bytes removed from captured data
	Removed   [NumFamilies]int64 // headers (or trailers) removed, by family
}

// Decapper removes tags and tunnels from packets of one link type. It keeps
// a small output header buffer and is not safe for concurrent use. Nothing
// is allocated per packet.
type Decapper struct {
	link     linkKind
	linkType uint32
	max      int
	off      Set
	vx       [maxVXLANPorts]uint16
	nvx      int
	stats    Stats

	// per-packet walk state
	b     []byte
	ts    int64
	whole bool   // the packet was captured whole (trailers are in b)
	mac   int    // offset of the current DA/SA in b; -1: synth
	et    uint16 // type of b[pos:]
	pos   int
	depth int
	ipEnd int // end of the outermost IP packet in b; -1: unknown

	synth [12]byte // addresses when they are not in b
	head  [14]byte // the output Ethernet header
}

// New returns a Decapper for packets of the given pcap link type. Ethernet
// packets are decapsulated; Linux cooked (SLL, SLL2), raw IP, BSD loopback
// (NULL, LOOP) packets are given an Ethernet header first; packets of any
// other link type pass unchanged (see OutputLinkType).
func New(linkType uint32, opts Options) *Decapper {
	d := &Decapper{link: kindOf(linkType), linkType: linkType, max: opts.MaxDepth, off: opts.Disabled}
	if d.max == 0 {
		d.max = DefaultMaxDepth
	}
	ports := opts.VXLANPorts
	if ports == nil {
		ports = DefaultVXLANPorts
	}
	d.nvx = copy(d.vx[:], ports)
	return d
}

// OutputLinkType is the link type of the packets Decap returns: Ethernet,
// unless the input's link type is one that New passes unchanged.
func (d *Decapper) OutputLinkType() uint32 {
	if d.link == linkOther {
		return d.linkType
	}
	return linkEthernet
}

// Stats returns the counts so far.
func (d *Decapper) Stats() Stats { return d.stats }

// Tick counts a clock tick passed on.
func (d *Decapper) Tick() { d.stats.Ticks++ }

// Decap returns the packet data stamped ts, origLen bytes long on the wire, without its tags and tunnels, as
// a header and a body to be written one after the other. head is nil or
// aliases the Decapper's buffer (valid until the next call); body aliases
// data. Decap never reads outside data and never panics on any input.
func (d *Decapper) Decap(ts int64, origLen uint32, data []byte) (head, body []byte) {
	d.stats.Packets++
	d.b, d.ts, d.depth, d.ipEnd, d.whole = data, ts, 0, -1, int64(origLen) == int64(len(data))
	if !d.start() {
		return d.asIs(data)
	}
	for d.depth < d.max && d.step() {
		d.depth++
	}
	trailer := d.trailer()
	changed := d.depth > 0 || trailer > 0
	if !changed && d.link == linkEther {
		d.stats.Unchanged++
		return nil, data
	}
	end := len(data) - trailer
	if d.mac >= 0 && d.pos == d.mac+14 && d.et == binary.BigEndian.Uint16(data[d.mac+12:]) {
		body = data[d.mac:end]
	} else {
		if d.mac >= 0 {
			copy(d.head[:12], data[d.mac:d.mac+12])
		} else {
			copy(d.head[:12], d.synth[:])
		}
		binary.BigEndian.PutUint16(d.head[12:], d.et)
		head, body = d.head[:], data[d.pos:end]
	}
	if changed {
		d.stats.Changed++
	} else {
		d.stats.Unchanged++
	}
	if d.link != linkEther {
		d.stats.Converted++
	}
	d.stats.Bytes += int64(len(data) - len(head) - len(body))
	return head, body
}

// asIs returns a packet that cannot be decoded: unchanged, or for a link
// type that is converted, behind an 802.3 header with zero addresses.
func (d *Decapper) asIs(data []byte) (head, body []byte) {
	d.stats.Unchanged++
	if d.link == linkEther || d.link == linkOther {
		return nil, data
	}
	d.stats.Converted++
	d.head = [14]byte{}
	binary.BigEndian.PutUint16(d.head[12:], uint16(min(len(data), 1500)))
	d.stats.Bytes -= 14
	return d.head[:], data
}

// Lengths returns the captured and original lengths of a packet whose
// captured data went from capLen to newCap bytes: the original length is
// reduced (or raised) by the same amount, never falls below the new
// captured length and never rises above pcapio.MaxOrigLen.
func Lengths(capLen int, origLen uint32, newCap int) uint32 {
	o := int64(origLen) - int64(capLen-newCap)
	if o < int64(newCap) {
		o = int64(newCap)
	}
	if o > pcapio.MaxOrigLen {
		o = pcapio.MaxOrigLen
	}
	return uint32(o)
}

// on reports whether family f is enabled.
func (d *Decapper) on(f Family) bool { return !d.off.Has(f) }

// removed records one header of family f as removed.
func (d *Decapper) removed(f Family) { d.stats.Removed[f]++ }

func be16(b []byte) uint16 { return binary.BigEndian.Uint16(b) }
func be32(b []byte) uint32 { return binary.BigEndian.Uint32(b) }

// has reports whether n bytes are captured at offset off.
func (d *Decapper) has(off, n int) bool { return off >= 0 && n >= 0 && off <= len(d.b)-n }

// ether moves to an Ethernet frame at off; it fails unless the frame's 14
// byte header is captured.
func (d *Decapper) ether(off int) bool {
	if !d.has(off, 14) {
		return false
	}
	d.mac, d.et, d.pos = off, be16(d.b[off+12:]), off+14
	return true
}

// ipAt moves to an IP packet at off whose version the first nibble tells;
// want is 4, 6 or 0 for either. The outer addresses stay.
func (d *Decapper) ipAt(off int, want byte) bool {
	if !d.has(off, 1) {
		return false
	}
	v := d.b[off] >> 4
	if want != 0 && v != want {
		return false
	}
	switch v {
	case 4:
		if d.b[off]&0x0f < 5 {
			return false
		}
		d.et = etIPv4
	case 6:
		d.et = etIPv6
	default:
		return false
	}
	d.pos = off
	return true
}

// payload moves to b[off:] typed et, keeping the outer addresses.
func (d *Decapper) payload(off int, et uint16) bool {
	if !d.has(off, 0) {
		return false
	}
	d.et, d.pos = et, off
	return true
}
