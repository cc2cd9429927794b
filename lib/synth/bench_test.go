package synth

import (
	"context"
	"io"
	"testing"
)

// BenchmarkGenerate measures generation of a 64 MB capture to io.Discard;
// MB/s is pcap output.
func BenchmarkGenerate(b *testing.B) {
	opt := DefaultOptions()
	opt.Size = 64e6
	b.SetBytes(opt.Size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(context.Background(), io.Discard, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNext measures the packet loop alone, without a pcap writer.
func BenchmarkNext(b *testing.B) {
	opt := DefaultOptions()
	opt.Packets = 1 << 62
	g, err := New(opt)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		rec, _ := g.Next()
		n += int64(len(rec.Data))
	}
	b.SetBytes(n / int64(max(b.N, 1)))
}
