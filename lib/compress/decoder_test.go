package compress

import (
	"bytes"
	"io"
	"testing"

	"github.com/pcappush/pcappush/internal/testutil"
)

func TestByName(t *testing.T) {
	tests := []struct {
		name string
		want Algorithm
		ok   bool
	}{
		{"all_1616334655.pcap.gz", Gzip, true},
		{"all_1616334655.pcap.GZ", Gzip, true},
		{"all_1616334655.pcap.zst", Zstd, true},
		{"all_1616334655.pcap.lz4", LZ4, true},
		{"all_1616334655.pcap", 0, false},
		{"all_1616334655.pcap.gz.pending", 0, false},
		{"all_1616334655.tgz", 0, false},
		{"gz", 0, false},
	}
	for _, tt := range tests {
		got, ok := ByName(tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ByName(%q) = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// TestDecoderReadsTheTools decodes what the command-line tools write
// (what a PipeCmd such as "gzip -c" publishes) and what our encoders
// write, with one Decoder per format reused through Reset.
func TestDecoderReadsTheTools(t *testing.T) {
	plain := [][]byte{capture(t, 3, 3<<20+777), capture(t, 4, 200<<10), {}}
	for _, alg := range []Algorithm{Gzip, Zstd, LZ4} {
		var streams [][]byte
		for _, p := range plain {
			streams = append(streams, testutil.MustRun(t, p, testutil.Need(t, tools[alg][0]), "-c", "-q").Stdout)
			var b bytes.Buffer
			enc, err := Codec{Algorithm: alg, Level: 1}.NewEncoder(&b, 2)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := enc.Write(p); err != nil || enc.Close() != nil {
				t.Fatalf("encode %v: %v", alg, err)
			}
			streams = append(streams, b.Bytes())
		}
		var d Decoder
		for i, s := range streams {
			var err error
			if d == nil {
				d, err = alg.NewDecoder(bytes.NewReader(s))
			} else {
				err = d.Reset(bytes.NewReader(s))
			}
			if err != nil {
				t.Fatalf("%v stream %d: %v", alg, i, err)
			}
			got, err := io.ReadAll(d)
			if err != nil || !bytes.Equal(got, plain[i/2]) {
				t.Fatalf("%v stream %d: %d bytes, %v; want %d bytes", alg, i, len(got), err, len(plain[i/2]))
			}
		}
		if err := d.Close(); err != nil {
			t.Errorf("%v Close: %v", alg, err)
		}
	}
}

// TestDecoderMembers reads two gzip members (two files concatenated, as
// cat a.gz b.gz writes them) and two zstd frames as one stream, as the
// tools do.
func TestDecoderMembers(t *testing.T) {
	a, b := capture(t, 5, 100<<10), capture(t, 6, 50<<10)
	for _, alg := range []Algorithm{Gzip, Zstd} {
		tool := testutil.Need(t, tools[alg][0])
		joined := append(testutil.MustRun(t, a, tool, "-c", "-q").Stdout, testutil.MustRun(t, b, tool, "-c", "-q").Stdout...)
		d, err := alg.NewDecoder(bytes.NewReader(joined))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(d)
		if err != nil || !bytes.Equal(got, append(append([]byte(nil), a...), b...)) {
			t.Errorf("%v members: %d bytes, %v; want %d", alg, len(got), err, len(a)+len(b))
		}
		d.Close()
	}
}

// TestDecoderCorrupt: a stream cut short or with a damaged byte is an
// error, never a clean end (the tools write checksums by default).
func TestDecoderCorrupt(t *testing.T) {
	p := capture(t, 7, 300<<10)
	for _, alg := range []Algorithm{Gzip, Zstd, LZ4} {
		s := testutil.MustRun(t, p, testutil.Need(t, tools[alg][0]), "-c", "-q").Stdout
		flipped := append([]byte(nil), s...)
		flipped[len(flipped)/2] ^= 0xff
		for what, bad := range map[string][]byte{"cut": s[:len(s)/2], "flipped": flipped} {
			d, err := alg.NewDecoder(bytes.NewReader(bad))
			if err == nil {
				_, err = io.ReadAll(d)
			}
			if err == nil {
				t.Errorf("%v %s: no error", alg, what)
			}
		}
	}
}
