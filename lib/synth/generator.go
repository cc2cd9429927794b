package synth

import (
	"context"
	"fmt"
	"io"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// Frame sizes: the shortest Ethernet frame without its FCS, the longest
// untagged one, and a buffer with room for the longest frame written (QinQ
// around a 1500-byte IP packet, 1522 bytes).
const (
	minFrame = 60
	maxPlain = 1514
	bufSize  = 2048
)

// meanRecord is the measured mean record size (header included), used only
// to pace the timestamps of a size-limited run.
const meanRecord = 16 + 340

// Stats counts what a Generator has produced.
type Stats struct {
	Packets      int64 // packets generated
	Bytes        int64 // pcap bytes, file and record headers included
	Encapsulated int64 // packets that are VLAN-tagged or tunnelled
}

// Generator produces the packets of one synthetic capture. It is not safe
// for concurrent use.
type Generator struct {
	opt        Options
	r          rng
	cells      [nEncap][nProto][]flow
	encapCum   []float64
	protoCum   []float64
	contentCum []float64
	text, bulk []byte
	buf        [bufSize]byte
	pending    *flow // flow whose reply is the next packet
	clock      clock
	port       uint16
	stats      Stats
}

// New returns a Generator for opt, or an *OptionError.
func New(opt Options) (*Generator, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	g := &Generator{opt: opt, r: newRNG(opt.Seed, 0), port: portLo, text: textPool(), bulk: bulkPool()}
	g.stats.Bytes = pcapio.HeaderLen
	g.encapCum = cumulate(g.encapWeights())
	g.protoCum = cumulate(protoWeights[:])
	g.contentCum = cumulate(contentWeights)
	for e := range nEncap {
		for p := range nProto {
			cell := make([]flow, cellSize(e, p))
			for i := range cell {
				g.setup(&cell[i], e, cellProto(e, p))
			}
			g.cells[e][p] = cell
		}
	}
	est := float64(opt.Packets)
	if opt.Size > 0 {
		est = float64(opt.Size) / meanRecord
	}
	g.clock = newClock(opt.Start.UnixNano(), opt.Duration.Nanoseconds(), est)
	return g, nil
}

// encapWeights scales the encapsulation mix to the requested fraction.
func (g *Generator) encapWeights() []float64 {
	w := encapWeights
	var sum float64
	for _, x := range w[1:] {
		sum += x
	}
	for i := range w {
		w[i] *= g.opt.Encap / sum
	}
	w[ePlain] = 1 - g.opt.Encap
	return w[:]
}

func cumulate(w []float64) []float64 {
	c := make([]float64, len(w))
	var sum float64
	for i, x := range w {
		sum += x
		c[i] = sum
	}
	return c
}

// Stats returns the counts so far.
func (g *Generator) Stats() Stats { return g.stats }

// Next returns the next packet, or false when the run is complete. The
// record's Data is borrowed: it is overwritten by the next call to Next.
func (g *Generator) Next() (pcapio.Record, bool) {
	if g.exhausted() {
		return pcapio.Record{}, false
	}
	progress := g.progress()
	f, n := g.packet()
	ts := g.clock.stamp(&g.r, progress, n)
	g.stats.Packets++
	g.stats.Bytes += pcapio.RecordHeaderLen + int64(n)
	if f.encap != ePlain {
		g.stats.Encapsulated++
	}
	return pcapio.Record{Time: ts, OrigLen: uint32(n), Data: g.buf[:n:n]}, true
}

// budget returns how many frame bytes the next record may hold in a
// size-limited run.
func (g *Generator) budget() int64 {
	return g.opt.Size - g.stats.Bytes - pcapio.RecordHeaderLen
}

func (g *Generator) exhausted() bool {
	if g.opt.Packets > 0 {
		return g.stats.Packets >= g.opt.Packets
	}
	return g.budget() < minFrame
}

// progress returns the fraction of the run already generated.
func (g *Generator) progress() float64 {
	if g.opt.Packets > 0 {
		return float64(g.stats.Packets) / float64(g.opt.Packets)
	}
	return float64(g.stats.Bytes) / float64(g.opt.Size)
}

// Generate writes a complete capture for opt to w: a pcap header (Ethernet,
// nanosecond, snaplen Snaplen) and the packets, through a buffer it
// flushes at the end. It checks ctx every 4096 packets. The Stats count what
// was generated, also on error.
func Generate(ctx context.Context, w io.Writer, opt Options) (Stats, error) {
	g, err := New(opt)
	if err != nil {
		return Stats{}, err
	}
	pw := pcapio.NewWriter(w, pcapio.LinkTypeEthernet, Snaplen)
	if err := pw.WriteHeader(); err != nil {
		return Stats{}, fmt.Errorf("write pcap header: %w", err)
	}
	for {
		rec, ok := g.Next()
		if !ok {
			break
		}
		if err := pw.WritePacket(rec.Time, rec.OrigLen, rec.Data); err != nil {
			return g.Stats(), fmt.Errorf("write packet %d: %w", g.stats.Packets, err)
		}
		if g.stats.Packets%4096 == 0 && ctx.Err() != nil {
			return g.Stats(), fmt.Errorf("generate: %w", context.Cause(ctx))
		}
	}
	if err := pw.Flush(); err != nil {
		return g.Stats(), fmt.Errorf("flush: %w", err)
	}
	return g.Stats(), nil
}
