package split

import (
	"bytes"
	"context"
	"testing"

	"github.com/pcappush/pcappush/lib/synth"
)

// discardSink publishes splits into io.Discard.
type discardSink struct{}

func (discardSink) Create(string) (Part, error) { return discardPart{}, nil }

type discardPart struct{}

func (discardPart) Write(b []byte) (int, error)       { return len(b), nil }
func (discardPart) Commit(n Names) (Published, error) { return Published{Names: n}, nil }
func (discardPart) Abort() error                      { return nil }

// BenchmarkRun splits 64 MB of generated traffic by minute into io.Discard.
func BenchmarkRun(b *testing.B) {
	opt := synth.DefaultOptions()
	opt.Size = 64e6
	var in bytes.Buffer
	if _, err := synth.Generate(context.Background(), &in, opt); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(in.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := Run(context.Background(), bytes.NewReader(in.Bytes()), "bench", Options{Time: 60e9, Name: EpochSec, Prefix: "/x/"}, discardSink{}, nil)
		if err != nil || st.Packets == 0 {
			b.Fatal(err)
		}
	}
}
