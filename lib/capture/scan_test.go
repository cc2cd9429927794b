package capture

import (
	"bytes"
	"io"
	"math"
	"testing"

	"github.com/pcappush/pcappush/lib/state/checkpoint"
)

// newTestChunk returns a classic chunk reader over b.
func newTestChunk(b []byte, buf []byte) *pcapChunk {
	return newPCAPChunk(&ChunkFile{Reader: bytes.NewReader(b), Comp: Gzip}, "t.pcap", buf, 0)
}

// TestRecordsNoAllocation: reading classic chunks allocates nothing per
// packet, whatever the variant (in-place conversion) and with checkpoints
// crossing.
func TestRecordsNoAllocation(t *testing.T) {
	buf := make([]byte, readBufSize)
	for _, v := range []variant{nsLE, usBE} {
		b := pcapFile(v, 1, pkts(t0, 1e6, 20000, "n")...)
		out := newOutput(io.Discard, 0, nil)
		allocs := testing.AllocsPerRun(5, func() {
			s := newSink(out, 0, 0)
			if err := newTestChunk(b, buf).run(s); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > 10 {
			t.Errorf("%v: %.0f allocations for 20,000 packets", v, allocs)
		}
	}
}

// TestRecordsSpans: ns little-endian records are written as few large
// slices, not one write per record.
func TestRecordsSpans(t *testing.T) {
	b := pcapFile(nsLE, 1, pkts(t0, 1e3, 200000, "s")...)
	var cw countWriter
	out := newOutput(&cw, 0, nil)
	s := newSink(out, 0, 0)
	if err := newTestChunk(b, make([]byte, readBufSize)).run(s); err != nil {
		t.Fatal(err)
	}
	if err := out.flush(); err != nil {
		t.Fatal(err)
	}
	if cw.n != int64(len(b)) || cw.writes > len(b)/(readBufSize/2)+2 {
		t.Errorf("%d bytes in %d writes; want %d bytes in about %d", cw.n, cw.writes, len(b), len(b)/readBufSize)
	}
	if !bytes.Equal(cw.buf.Bytes()[24:], b[24:]) {
		t.Error("records changed on the way")
	}
}

type countWriter struct {
	buf    bytes.Buffer
	n      int64
	writes int
}

func (w *countWriter) Write(p []byte) (int, error) {
	w.writes++
	w.n += int64(len(p))
	return w.buf.Write(p)
}

// TestRecordsGrowing: a chunk read while it grows, in pieces that cut
// headers and records anywhere, gives every record once.
func TestRecordsGrowing(t *testing.T) {
	p := pkts(t0, 1e6, 3000, "g")
	for _, v := range []variant{nsLE, usLE} {
		b := pcapFile(v, 1, p...)
		for _, step := range []int{1, 7, 1000, 40000} {
			g := &growing{all: b}
			var out bytes.Buffer
			o := newOutput(&out, 0, nil)
			s := newSink(o, 0, 0)
			c := newPCAPChunk(&ChunkFile{Reader: g, Comp: Gzip}, "g.pcap", make([]byte, readBufSize), 0)
			for g.n < len(b) {
				g.n = min(len(b), g.n+step)
				if err := c.run(s); err != nil {
					t.Fatal(err)
				}
			}
			o.flush()
			sameRecs(t, "grown", parse(t, out.Bytes()), want(p))
			if c.pending() != 0 {
				t.Errorf("%d bytes pending at the end", c.pending())
			}
		}
	}
}

// growing is a file being written: reads see the first n bytes.
type growing struct {
	all  []byte
	n, r int
}

func (g *growing) Read(p []byte) (int, error) {
	if g.r >= g.n {
		return 0, io.EOF
	}
	k := copy(p, g.all[g.r:g.n])
	g.r += k
	return k, nil
}

// TestIdleTicks: idle ticks never go backwards, never fall behind a record
// emitted, and cross checkpoints like packets do.
func TestIdleTicks(t *testing.T) {
	var out bytes.Buffer
	l, err := checkpoint.Open(t.TempDir() + "/c")
	if err != nil {
		t.Fatal(err)
	}
	o := newOutput(&out, 1e9, l)
	o.header(1)
	o.flush()
	steps := []struct {
		at   int64 // clock minus lag; or a packet when pkt
		pkt  bool
		want []int64 // ticks emitted
	}{
		{t0 + 500e6, true, []int64{t0}},
		{t0 + 200e6, false, []int64{t0 + 500e6}},             // behind the packet: the packet's time
		{t0 + 700e6, false, []int64{t0 + 700e6}},             // ahead
		{t0 + 600e6, false, []int64{t0 + 700e6}},             // clock stepped back: no going back
		{t0 + 2300e6, false, []int64{t0 + 2e9, t0 + 2300e6}}, // crosses t0+1 and t0+2: checkpoint at t0+2 first
		{t0 + 3e9, false, []int64{t0 + 3e9}},                 // exactly a multiple: one tick
	}
	for i, st := range steps {
		before := o.ticks
		out.Reset()
		if st.pkt {
			if o.crosses(st.at) {
				o.checkpoint(st.at, "c", 0)
			}
			o.record(st.at, 10, []byte("0123456789"))
		} else if err := o.idleTick(st.at, "c", 0); err != nil {
			t.Fatal(err)
		}
		o.flush()
		var got []int64
		for _, r := range parseRaw(out.Bytes()) {
			if r.Tick {
				got = append(got, r.T)
			}
		}
		if o.ticks-before != int64(len(st.want)) || !equal(got, st.want) {
			t.Errorf("step %d: ticks %v; want %v", i, got, st.want)
		}
	}
	var times []int64
	for _, e := range l.Entries() {
		times = append(times, e.Time)
	}
	if !equal(times, []int64{t0, t0 + 2e9, t0 + 3e9}) {
		t.Errorf("checkpoints %v", times)
	}
	if o.lastTick != t0+3e9 || o.wm != t0+3e9 || o.next != t0+4e9 || math.MaxInt64 == o.next {
		t.Errorf("state: last tick %d, watermark %d, next %d", o.lastTick, o.wm, o.next)
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// parseRaw reads records without a file header.
func parseRaw(b []byte) []rec {
	var out []rec
	for p := 0; p+16 <= len(b); {
		h := b[p:]
		t := int64(le32(h))*1e9 + int64(le32(h[4:]))
		c := int(le32(h[8:]))
		out = append(out, rec{T: t, Data: string(h[16 : 16+c]), Tick: c == 0 && le32(h[12:]) == 0})
		p += 16 + c
	}
	return out
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// BenchmarkRecords measures the classic fast path over memory.
func BenchmarkRecords(b *testing.B) {
	data := pcapFile(nsLE, 1, pkts(t0, 1e4, 100000, "bench")...)
	buf := make([]byte, readBufSize)
	out := newOutput(io.Discard, 0, nil)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := newTestChunk(data, buf).run(newSink(out, 0, 0)); err != nil {
			b.Fatal(err)
		}
	}
}
