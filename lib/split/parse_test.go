package split

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseName(t *testing.T) {
	const sec = int64(1e9)
	tests := []struct {
		base, leaf string
		want       ParsedName
		ok         bool
	}{
		{"all_1616334655-1616334755.pcap", "all", ParsedName{Format: EpochSecStartEnd, Start: 1616334655 * sec, End: 1616334755 * sec, HasEnd: true, Suffix: ".pcap"}, true},
		{"1616334655-1616334755.pcap.gz", "", ParsedName{Format: EpochSecStartEnd, Start: 1616334655 * sec, End: 1616334755 * sec, HasEnd: true, Suffix: ".pcap.gz"}, true},
		{"all_1616334655.pcap", "all", ParsedName{Format: EpochSec, Start: 1616334655 * sec, Suffix: ".pcap"}, true},
		{"all_1616334655_2.pcap", "all", ParsedName{Format: EpochSec, Start: 1616334655 * sec, Dup: 2, Suffix: ".pcap"}, true},
		{"all_20211201_2350.pcap.zst", "all", ParsedName{Format: TstrHHMM, Start: 1638402600 * sec, Suffix: ".pcap.zst"}, true},
		{"all_20211201_2350_3.pcap", "all", ParsedName{Format: TstrHHMM, Start: 1638402600 * sec, Dup: 3, Suffix: ".pcap"}, true},
		{"all_20211201_235059.pcap", "all", ParsedName{Format: TstrHHMMSS, Start: 1638402659 * sec, Suffix: ".pcap"}, true},
		{"all_20211201_235059_12.pcap.lz4", "all", ParsedName{Format: TstrHHMMSS, Start: 1638402659 * sec, Dup: 12, Suffix: ".pcap.lz4"}, true},
		{"all_20211201_235059.123.456.789.pcap", "all", ParsedName{Format: TstrHHMMSSNS, Start: 1638402659123456789, Suffix: ".pcap"}, true},
		{"20211201_235059.000.000.007_2.cap", "", ParsedName{Format: TstrHHMMSSNS, Start: 1638402659000000007, Dup: 2, Suffix: ".cap"}, true},
		{"all_1616334655", "all", ParsedName{Format: EpochSec, Start: 1616334655 * sec}, true},
		{"all_1616334655_1.pcap", "all", ParsedName{Format: EpochSec, Start: 1616334655 * sec, Suffix: "_1.pcap"}, true}, // _1 is never a continuation
		{"all_0.pcap", "all", ParsedName{Format: EpochSec, Suffix: ".pcap"}, true},
		// pending files keep their suffix: callers refuse them
		{"all_1616334655.pcap.pending", "all", ParsedName{Format: EpochSec, Start: 1616334655 * sec, Suffix: ".pcap.pending"}, true},
		// not split names
		{"http_1616334655.pcap", "all", ParsedName{}, false},
		{"all_http_1616334655.pcap", "all", ParsedName{}, false},
		{"all1616334655.pcap", "all", ParsedName{}, false},
		{"all_01616334655.pcap", "all", ParsedName{}, false},
		{"all_.pcap", "all", ParsedName{}, false},
		{"all_20211301_2350.pcap", "all", ParsedName{}, false}, // month 13
		{"all_20211201_2460.pcap", "all", ParsedName{}, false},
		{"all_19691231_2359.pcap", "all", ParsedName{}, false},
		{"all_99999999999.pcap", "all", ParsedName{}, false}, // past 2262
		{"README", "", ParsedName{}, false},
		{"", "", ParsedName{}, false},
	}
	for _, tt := range tests {
		got, err := ParseName(tt.base, tt.leaf)
		if (err == nil) != tt.ok {
			t.Errorf("ParseName(%q, %q) = %+v, %v; want ok=%v", tt.base, tt.leaf, got, err, tt.ok)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrNotSplitName) {
				t.Errorf("ParseName(%q, %q): %v does not wrap ErrNotSplitName", tt.base, tt.leaf, err)
			}
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseName(%q, %q) mismatch (-want +got):\n%s", tt.base, tt.leaf, diff)
		}
	}
}

// TestParseNameRoundTrip builds names as the Splitter does, for random
// times, every format, continuations and suffixes, and checks that
// parsing gives the time range back.
func TestParseNameRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 15))
	formats := []NameFormat{EpochSecStartEnd, EpochSec, TstrHHMM, TstrHHMMSS, TstrHHMMSSNS}
	suffixes := []string{".pcap", ".pcap.gz", ".pcap.zst", ".pcap.lz4", ".cap", "", "x.pcap", ".PCAP"}
	for i := 0; i < 20000; i++ {
		f := formats[r.IntN(len(formats))]
		start := r.Int64N(4e18) // 1970 to 2096
		end := start + r.Int64N(4e12)
		dup := 0
		if r.IntN(3) == 0 {
			dup = 2 + r.IntN(50)
		}
		leaf := []string{"all", "", "pcap-all", "x_y"}[r.IntN(4)]
		prefix := "/data/push/" + leaf
		suffix := suffixes[r.IntN(len(suffixes))]
		name := Names{Base: JoinName(prefix, f.TimePart(start, end), ""), Dup: dup, Suffix: suffix}.Name()
		base := strings.TrimPrefix(name, "/data/push/")
		p, err := ParseName(base, leaf)
		if err != nil {
			t.Fatalf("ParseName(%q, %q): %v", base, leaf, err)
		}
		res := f.Resolution()
		if p.Format != f || p.Dup != dup || p.Suffix != suffix || p.Start > start || start-p.Start >= res {
			t.Fatalf("ParseName(%q, %q) = %+v; want format %v, dup %d, suffix %q, start within %d ns below %d", base, leaf, p, f.Flag(), dup, suffix, res, start)
		}
		if p.HasEnd != (f == EpochSecStartEnd) || (p.HasEnd && (p.End > end || end-p.End >= 1e9)) {
			t.Fatalf("ParseName(%q, %q) = %+v; want the end within a second below %d", base, leaf, p, end)
		}
		if back := p.Name(prefix); back != name {
			t.Fatalf("ParseName(%q, %q).Name(%q) = %q; want %q", base, leaf, prefix, back, name)
		}
	}
}

// FuzzParseName checks that ParseName never panics and accepts only the
// names it would build: whatever parses builds back to the same name.
func FuzzParseName(f *testing.F) {
	for _, s := range []string{"all_1616334655-1616334755.pcap", "all_20211201_235059.123.456.789_2.pcap.gz", "all_20211201_2350", "all_1616334655_1.pcap", "x"} {
		f.Add(s, "all")
	}
	f.Add("20211201_235959.pcap", "")
	f.Fuzz(func(t *testing.T, base, leaf string) {
		if strings.Contains(leaf, "/") {
			return // a leaf is one element of a path
		}
		p, err := ParseName(base, leaf)
		if err != nil {
			return
		}
		if back := p.Name(leaf); back != base {
			t.Fatalf("ParseName(%q, %q) = %+v; it builds back %q", base, leaf, p, back)
		}
		if p.Start < 0 || (p.HasEnd && p.End < 0) || p.Dup == 1 || p.Dup < 0 {
			t.Fatalf("ParseName(%q, %q) = %+v: out of range", base, leaf, p)
		}
	})
}
