package compress

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/split"
	"github.com/pcappush/pcappush/lib/synth"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in     string
		want   Codec
		suffix string
		ok     bool
	}{
		{"gzip", Codec{Gzip, 6}, ".pcap.gz", true},
		{"gzip:1", Codec{Gzip, 1}, ".pcap.gz", true},
		{"GZIP:9", Codec{Gzip, 9}, ".pcap.gz", true},
		{"zstd", Codec{Zstd, 3}, ".pcap.zst", true},
		{"zstd:1", Codec{Zstd, 1}, ".pcap.zst", true},
		{"zstd:22", Codec{Zstd, 22}, ".pcap.zst", true},
		{"lz4", Codec{LZ4, 1}, ".pcap.lz4", true},
		{"lz4:9", Codec{LZ4, 9}, ".pcap.lz4", true},
		{"gzip:0", Codec{}, "", false},
		{"gzip:10", Codec{}, "", false},
		{"zstd:23", Codec{}, "", false},
		{"lz4:12", Codec{}, "", false},
		{"gzip:", Codec{}, "", false},
		{"gzip:x", Codec{}, "", false},
		{"bzip2", Codec{}, "", false},
		{"", Codec{}, "", false},
		{"gz", Codec{}, "", false},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
			continue
		}
		if tt.ok && got.Suffix() != tt.suffix {
			t.Errorf("Parse(%q).Suffix() = %q; want %q", tt.in, got.Suffix(), tt.suffix)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"gzip", "gzip:1", "zstd:19", "lz4:3", "zstd:-1", "gzip:+1", "lz4:0x3", ":"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			return
		}
		back, err := Parse(c.String())
		if err != nil || back != c {
			t.Fatalf("Parse(%q) = %v; Parse(%q) = %v, %v", s, c, c.String(), back, err)
		}
		if _, err := c.NewEncoder(io.Discard, 1); err != nil {
			t.Fatalf("Parse(%q) = %v without an encoder: %v", s, c, err)
		}
	})
}

// capture returns a generated capture of about n bytes.
func capture(t testing.TB, seed, n int64) []byte {
	t.Helper()
	var b bytes.Buffer
	opt := synth.DefaultOptions()
	opt.Seed, opt.Size = seed, n
	if _, err := synth.Generate(context.Background(), &b, opt); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// memSink keeps committed parts in memory.
type memSink struct {
	mu      sync.Mutex
	files   map[string][]byte
	aborted int
	failAt  int // a part's Write fails after this many bytes; 0: never
}

func (m *memSink) Create(string) (split.Part, error) { return &memPart{m: m}, nil }

type memPart struct {
	m   *memSink
	buf bytes.Buffer
}

var errFull = errors.New("no space left")

func (p *memPart) Write(b []byte) (int, error) {
	if p.m.failAt > 0 && p.buf.Len()+len(b) > p.m.failAt {
		return 0, errFull
	}
	return p.buf.Write(b)
}

func (p *memPart) Commit(names split.Names) (split.Published, error) {
	p.m.mu.Lock()
	defer p.m.mu.Unlock()
	if p.m.files == nil {
		p.m.files = map[string][]byte{}
	}
	p.m.files[names.Name()] = bytes.Clone(p.buf.Bytes())
	return split.Published{Names: names}, nil
}

func (p *memPart) Abort() error {
	p.m.mu.Lock()
	p.m.aborted++
	p.m.mu.Unlock()
	return nil
}

// decode decompresses with the Go readers of each format.
func decode(t *testing.T, a Algorithm, b []byte) []byte {
	t.Helper()
	var r io.Reader
	var err error
	switch a {
	case Gzip:
		r, err = gzip.NewReader(bytes.NewReader(b))
	case Zstd:
		var d *zstd.Decoder
		d, err = zstd.NewReader(bytes.NewReader(b))
		if err == nil {
			defer d.Close()
			r = d
		}
	case LZ4:
		r = lz4.NewReader(bytes.NewReader(b))
	}
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %v: %v", a, err)
	}
	return out
}

// tools are the command-line decoders each format must satisfy.
var tools = map[Algorithm][]string{
	Gzip: {"gzip", "-d", "-c"},
	Zstd: {"zstd", "-d", "-c", "-q"},
	LZ4:  {"lz4", "-d", "-c", "-q"},
}

func TestSinkRoundTripsThroughTheTools(t *testing.T) {
	// more than one zstd section (4 MiB at level 1) and gzip block (1 MiB);
	// the slow high levels get a smaller one
	big, small := capture(t, 1, 5<<20+12345), capture(t, 2, 1<<20)
	tests := []struct {
		spec string
		in   []byte
	}{
		{"gzip:1", big}, {"gzip", big}, {"gzip:9", small},
		{"zstd:1", big}, {"zstd", big}, {"zstd:19", small},
		{"lz4", big}, {"lz4:9", small},
	}
	for _, tt := range tests {
		codec, err := Parse(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(tt.spec, func(t *testing.T) {
			mem := &memSink{}
			s := &Sink{Inner: mem, Codec: codec, Threads: 2}
			for i, in := range [][]byte{tt.in, capture(t, 3, 100), {}} { // the encoder is reused from split to split
				p, err := s.Create("x")
				if err != nil {
					t.Fatal(err)
				}
				for off := 0; off < len(in); off += 100_000 {
					if _, err := p.Write(in[off:min(off+100_000, len(in))]); err != nil {
						t.Fatal(err)
					}
				}
				name := string(rune('a' + i))
				if err := commit(p, name); err != nil {
					t.Fatal(err)
				}
				got := mem.files[name]
				if out := decode(t, codec.Algorithm, got); !bytes.Equal(out, in) {
					t.Fatalf("split %d: Go decoder gives %d bytes; want the %d written", i, len(out), len(in))
				}
				tool := tools[codec.Algorithm]
				res := testutil.MustRun(t, got, testutil.Need(t, tool[0]), tool[1:]...)
				if !bytes.Equal(res.Stdout, in) {
					t.Fatalf("split %d: %s gives %d bytes; want the %d written", i, strings.Join(tool, " "), len(res.Stdout), len(in))
				}
				if len(in) >= 1<<20 && len(got) > len(in)*7/10 {
					t.Errorf("split %d: %d bytes compressed to %d; want a ratio like the tool's", i, len(in), len(got))
				}
			}
		})
	}
}

func TestSinkAbortAndWriteErrors(t *testing.T) {
	in := capture(t, 3, 4<<20)
	for _, a := range []string{"gzip:1", "zstd:1", "lz4"} {
		codec, _ := Parse(a)
		mem := &memSink{failAt: 1 << 20}
		s := &Sink{Inner: mem, Codec: codec, Threads: 2}
		p, err := s.Create("x")
		if err != nil {
			t.Fatal(err)
		}
		var werr error
		for off := 0; off < len(in) && werr == nil; off += 64 << 10 {
			_, werr = p.Write(in[off : off+64<<10])
		}
		if werr == nil {
			werr = commit(p, "x")
		}
		if !errors.Is(werr, errFull) {
			t.Errorf("%s: write past the inner part's limit: %v; want %v", a, werr, errFull)
		}
		if err := p.Abort(); err != nil || mem.aborted != 1 || len(mem.files) != 0 {
			t.Errorf("%s: abort: %v, %d aborted, %d published; want nil, 1, 0", a, err, mem.aborted, len(mem.files))
		}
		// the next split starts from a fresh encoder and is whole
		mem.failAt = 0
		q, _ := s.Create("y")
		q.Write(in[:1000])
		if err := commit(q, "y"); err != nil || !bytes.Equal(decode(t, codec.Algorithm, mem.files["y"]), in[:1000]) {
			t.Errorf("%s: split after an abort: %v", a, err)
		}
	}
}

func TestSinkWriteDoesNotAllocate(t *testing.T) {
	in := capture(t, 4, 1<<20)
	for _, a := range []string{"gzip:1", "zstd:1", "lz4"} {
		codec, _ := Parse(a)
		s := &Sink{Inner: discardSink{}, Codec: codec, Threads: 1}
		p, _ := s.Create("x")
		for range 4 { // warm the encoder's buffers
			p.Write(in)
		}
		chunk := in[:64<<10]
		allocs := testing.AllocsPerRun(64, func() {
			p.Write(chunk)
		})
		commit(p, "x")
		// Allocations come per block, never per write: pgzip makes 8
		// small ones (channels, goroutine, buffer wrapper) per 256 KiB
		// block, 2 per 64 KiB write; the others at most 1.
		want := 1.0
		if codec.Algorithm == Gzip {
			want = 8 * float64(len(chunk)) / gzipBlock
		}
		if allocs > want {
			t.Errorf("%s: %.2f allocations per 64 KiB write; want at most %.2f (amortised per block)", a, allocs, want)
		}
	}
}

type discardSink struct{}

func (discardSink) Create(string) (split.Part, error) { return discardPart{}, nil }

type discardPart struct{}

func (discardPart) Write(b []byte) (int, error) { return len(b), nil }
func (discardPart) Commit(n split.Names) (split.Published, error) {
	return split.Published{Names: n}, nil
}
func (discardPart) Abort() error { return nil }

func BenchmarkEncoders(b *testing.B) {
	in := capture(b, 5, 32<<20)
	for _, a := range []string{"gzip:1", "gzip:6", "zstd:1", "zstd:3", "lz4"} {
		codec, _ := Parse(a)
		b.Run(a, func(b *testing.B) {
			s := &Sink{Inner: discardSink{}, Codec: codec}
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				p, _ := s.Create("x")
				for off := 0; off < len(in); off += 1 << 20 {
					p.Write(in[off : off+1<<20])
				}
				if err := commit(p, "x"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// commit publishes p under name.
func commit(p split.Part, name string) error {
	_, err := p.Commit(split.Names{Base: name})
	return err
}
