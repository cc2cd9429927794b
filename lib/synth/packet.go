package synth

import (
	"encoding/binary"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// sizeClass is an IMIX class: 7 small, 4 medium, 1 large in 12 packets.
type sizeClass uint8

const (
	small sizeClass = iota
	medium
	large
)

// ipTarget is the length of the outermost IP packet of each class: frames
// of 64, 594 and 1518 bytes on the wire, FCS included.
var ipTarget = [...]int{small: 40, medium: 576, large: 1500}

// endgame is the budget below which a size-limited run only writes filler
// TCP segments sized to end the file exactly.
const endgame = 4096

// TCP flags.
const (
	tcpPSH = 0x08
	tcpACK = 0x10
)

func (g *Generator) class() sizeClass {
	switch x := g.r.intn(12); {
	case x < 7:
		return small
	case x < 11:
		return medium
	}
	return large
}

// sized returns the payload length that gives t's outermost IP packet the
// length of class c, or zero if the headers alone exceed it.
func sized(t *template, c sizeClass) int {
	return max(0, t.outer+ipTarget[c]-t.n)
}

// packet builds the next frame into g.buf and returns its flow and length.
func (g *Generator) packet() (*flow, int) {
	if f := g.pending; f != nil {
		g.pending = nil
		return f, g.reply(f)
	}
	if g.opt.Size > 0 && g.budget() < endgame {
		return g.filler(int(g.budget()))
	}
	e := encap(g.r.pick(g.encapCum))
	p := proto(g.r.pick(g.protoCum))
	if g.opt.Packets > 0 && g.stats.Packets == g.opt.Packets-1 {
		p = pTCP4 // no room for a reply after a request
	}
	cell := g.cells[e][p]
	f := &cell[g.r.intn(1+g.r.intn(len(cell)))] // skewed: a few heavy hitters
	if f.life--; f.life <= 0 {
		g.setup(f, f.encap, f.proto) // the conversation ends, another begins
	}
	return f, g.emit(f)
}

// emit builds a packet of a freshly picked flow.
func (g *Generator) emit(f *flow) int {
	switch f.proto {
	case pTCP4, pTCP6:
		c := g.class()
		d := 0
		if g.r.chance([...]float64{small: 0.3, medium: 0.85, large: 0.85}[c]) {
			d = 1
		}
		return g.tcp(f, d, sized(&f.t[d], c))
	case pDNS4, pDNS6:
		return g.dnsQuery(f)
	case pWG4:
		return g.wg(f, g.r.intn(2), g.class())
	case pICMP4, pICMP6:
		f.reply = g.class()
		f.echo++
		return g.echo(f, 0)
	}
	return g.arp(f, 0)
}

// reply builds the answer to the request f sent last.
func (g *Generator) reply(f *flow) int {
	switch f.proto {
	case pDNS4, pDNS6:
		return g.dnsReply(f)
	case pICMP4, pICMP6:
		return g.echo(f, 1)
	}
	return g.arp(f, 1)
}

// filler writes a plain IPv4 TCP segment that leaves a budget either empty
// or big enough for another frame, from a flow whose peer has window for it.
func (g *Generator) filler(budget int) (*flow, int) {
	n := budget
	if n > maxPlain {
		n = min(maxPlain, budget-pcapio.RecordHeaderLen-minFrame)
	}
	cell := g.cells[ePlain][pTCP4]
	i := g.r.intn(len(cell))
	for range len(cell) {
		f := &cell[i]
		for d := range 2 {
			if f.room(d, n-f.t[d].n) {
				return f, g.tcp(f, d, n-f.t[d].n)
			}
		}
		i = (i + 1) % len(cell)
	}
	f := &cell[i] // every window full: never seen, but end the file exactly
	f.acked[0] = f.seq[1]
	return f, g.tcp(f, 1, n-f.t[1].n)
}

// room reports whether direction d may send n more bytes without
// exceeding the window its peer advertised.
func (f *flow) room(d, n int) bool {
	return int(f.seq[d]-f.acked[1-d])+n <= int(f.window[1-d])
}

// begin copies t's headers into g.buf and returns the payload area.
func (g *Generator) begin(t *template) []byte {
	copy(g.buf[:], t.b[:t.n])
	return g.buf[t.n:]
}

// end patches a frame of n bytes, pads it to the Ethernet minimum and
// returns its length.
func (g *Generator) end(f *flow, d, n int) int {
	f.t[d].finish(g.buf[:n], f.id[d])
	f.id[d] += uint16(f.t[d].nl)
	if n < minFrame {
		clear(g.buf[n:minFrame])
		n = minFrame
	}
	return n
}

// tcp builds a segment with n payload bytes from direction d. An empty
// segment with nothing new to acknowledge carries a few bytes instead of
// repeating an ACK; a segment the peer's window cannot take becomes an ACK
// from the peer, which then has data to acknowledge.
func (g *Generator) tcp(f *flow, d, n int) int {
	if n == 0 && f.acked[d] == f.seq[1-d] {
		n = 6
	}
	if !f.room(d, n) {
		d, n = 1-d, 0
	}
	t := &f.t[d]
	g.fillTCP(f, g.begin(t)[:n])
	h := g.buf[t.l4:]
	binary.BigEndian.PutUint32(h[4:], f.seq[d])
	binary.BigEndian.PutUint32(h[8:], f.seq[1-d])
	h[13] = tcpACK
	if n > 0 && n < 1400 {
		h[13] |= tcpPSH
	}
	f.seq[d] += uint32(n)
	f.acked[d] = f.seq[1-d]
	return g.end(f, d, t.n+n)
}
