package window

import (
	"math"
	"testing"
	"time"

	"github.com/pcappush/pcappush/lib/split"
)

func TestStarMatch(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*", "sensor7", true},
		{"*", "", true},
		{"sensor*", "sensor7", true},
		{"sensor*", "sensor", true},
		{"sensor*", "probe7", false},
		{"*7", "sensor7", true},
		{"*7", "sensor8", false},
		{"s*n*7", "sensor7", true},
		{"s*n*7", "s7", false},
		{"a*a", "a", false},
		{"a*a", "aa", true},
		{"dc[1]-*", "dc[1]-x", true}, // only * is special
		{"dc?-*", "dc1-x", false},
	}
	for _, tt := range tests {
		if got := starMatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("starMatch(%q, %q) = %v; want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

// TestBounds: a split's bounds come from its name: a start-end name's
// end plus a second, else the next later split's start plus the name's
// resolution, else none; continuations share their split's bounds.
func TestBounds(t *testing.T) {
	at := func(hms string) int64 {
		tm, err := time.Parse("150405", hms)
		if err != nil {
			t.Fatal(err)
		}
		return time.Date(2021, 12, 1, tm.Hour(), tm.Minute(), tm.Second(), 0, time.UTC).UnixNano()
	}
	names := []string{
		"all_20211201_235010.pcap", "all_20211201_235000.pcap", "all_20211201_235010_2.pcap",
		"all_20211201_235030.pcap.gz", "all_1638402600-1638402610.pcap",
	}
	s := &Series{}
	s.Remote.Leaf = "all"
	for _, n := range names {
		p, err := split.ParseName(n, "all")
		if err != nil {
			t.Fatal(err)
		}
		s.Splits = append(s.Splits, Split{Name: n, Parsed: p})
	}
	s.bound()
	want := []struct {
		name   string
		lo, hi int64
	}{
		{"all_1638402600-1638402610.pcap", at("235000"), at("235011")},
		{"all_20211201_235000.pcap", at("235000"), at("235011")},
		{"all_20211201_235010.pcap", at("235010"), at("235031")},
		{"all_20211201_235010_2.pcap", at("235010"), at("235031")},
		{"all_20211201_235030.pcap.gz", at("235030"), math.MaxInt64},
	}
	for i, w := range want {
		sp := s.Splits[i]
		if sp.Name != w.name || sp.Lo != w.lo || sp.Hi != w.hi {
			t.Errorf("split %d = %s [%d, %d); want %s [%d, %d)", i, sp.Name, sp.Lo, sp.Hi, w.name, w.lo, w.hi)
		}
	}
	sel := func(start, end int64) (out []string) {
		for _, sp := range s.Select(start, end) {
			out = append(out, sp.Name)
		}
		return out
	}
	if got := sel(at("235012"), at("235020")); len(got) != 2 || got[0] != "all_20211201_235010.pcap" || got[1] != "all_20211201_235010_2.pcap" {
		t.Errorf("Select(23:50:12, 23:50:20) = %v", got)
	}
	if got := sel(at("235100"), math.MaxInt64); len(got) != 1 || got[0] != "all_20211201_235030.pcap.gz" {
		t.Errorf("Select(23:51:00, no end) = %v; want the last split, whose end is unknown", got)
	}
	if got := sel(0, at("235000")); len(got) != 0 {
		t.Errorf("Select(before the first split) = %v", got)
	}
	if e, ok := s.Splits[2].NameEnd(); !ok || e != at("235030") {
		t.Errorf("NameEnd of %s = %d, %v", s.Splits[2].Name, e, ok)
	}
	if _, ok := s.Splits[4].NameEnd(); ok {
		t.Errorf("the last split's NameEnd is known")
	}
}
