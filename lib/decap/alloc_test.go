package decap

import (
	"bytes"
	"context"
	"testing"

	"github.com/pcappush/pcappush/lib/pcapio"
	"github.com/pcappush/pcappush/lib/synth"
)

// mixed returns n generated packets, a third of them encapsulated.
func mixed(tb testing.TB, n int) [][]byte {
	tb.Helper()
	opt := synth.DefaultOptions()
	opt.Seed, opt.Packets, opt.Encap = 5, int64(n), 0.33
	g, err := synth.New(opt)
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for rec, ok := g.Next(); ok; rec, ok = g.Next() {
		out = append(out, bytes.Clone(rec.Data))
	}
	return out
}

func TestDecapDoesNotAllocate(t *testing.T) {
	pkts := append(mixed(t, 2000), corpusPackets(t, 50)...)
	d := New(1, Options{})
	allocs := testing.AllocsPerRun(5, func() {
		for _, p := range pkts {
			d.Decap(1621849860e9, uint32(len(p)), p)
		}
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per %d packets; want 0", allocs, len(pkts))
	}
	if st := d.Stats(); st.Changed == 0 || st.Unchanged == 0 {
		t.Fatalf("stats %+v: want changed and unchanged packets", st)
	}
}

// TestRunAllocatesPerStreamNotPerPacket runs the whole loop (reader,
// decapsulation, writer) and bounds its allocations by a constant.
func TestRunAllocatesPerStreamNotPerPacket(t *testing.T) {
	pkts := mixed(t, 20000)
	var in bytes.Buffer
	w := pcapio.NewWriter(&in, 1, 0)
	if err := w.WriteHeader(); err != nil {
		t.Fatal(err)
	}
	for i, p := range pkts {
		if err := w.WritePacket(int64(i)*1e6+1621849860e9, uint32(len(p)), p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var st Stats
	allocs := testing.AllocsPerRun(1, func() {
		var err error
		st, err = Run(context.Background(), bytes.NewReader(in.Bytes()), "mem", discard{}, Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
	})
	if st.Packets != int64(len(pkts)) {
		t.Fatalf("%d packets; want %d", st.Packets, len(pkts))
	}
	if allocs > 200 {
		t.Fatalf("%.0f allocations for %d packets; want a constant under 200", allocs, len(pkts))
	}
	t.Logf("%.0f allocations for %d packets (%.5f per packet)", allocs, len(pkts), allocs/float64(len(pkts)))
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }

func BenchmarkDecap(b *testing.B) {
	pkts := mixed(b, 10000)
	var size int64
	for _, p := range pkts {
		size += int64(len(p))
	}
	d := New(1, Options{})
	b.ReportAllocs()
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		for _, p := range pkts {
			d.Decap(1621849860e9, uint32(len(p)), p)
		}
	}
}
