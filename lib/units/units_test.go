package units

import (
	"strconv"
	"testing"
)

func TestParseCount(t *testing.T) {
	tests := []struct {
		in    string
		units bool
		want  int64
		ok    bool
	}{
		{"60e9", false, 60e9, true},
		{"1e9", false, 1e9, true},
		{"1.5e9", false, 1.5e9, true},
		{"1000000000", false, 1e9, true},
		{"9007199254740993", false, 9007199254740993, true}, // beyond float64's exact integers
		{" 5 ", false, 5, true},
		{"1.5", false, 0, false},
		{"0", false, 0, false},
		{"-60e9", false, 0, false},
		{"60x9", false, 0, false},
		{"", false, 0, false},
		{"1e30", false, 0, false},
		{"1GB", false, 0, false},
		{"1GB", true, 1e9, true},
		{"512MB", true, 512e6, true},
		{"1GiB", true, 1 << 30, true},
		{"64k", true, 64e3, true},
		{"100B", true, 100, true},
		{"1e9", true, 1e9, true},
		{"1.5KiB", true, 1536, true},
		{"0.1B", true, 0, false},
		{"12XB", true, 0, false},
		{"MB", true, 0, false},
	}
	for _, tt := range tests {
		got, err := ParseCount(tt.in, tt.units)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseCount(%q, %v) = %d, %v; want %d, ok=%v", tt.in, tt.units, got, err, tt.want, tt.ok)
		}
	}
}

func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"60e9", "1GiB", "1.5e9", "-1", "0x10", "1/3", "9e18"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseCount(s, true)
		if err != nil {
			return
		}
		if n <= 0 {
			t.Fatalf("ParseCount(%q) = %d", s, n)
		}
		if m, err := ParseCount(strconv.FormatInt(n, 10), false); err != nil || m != n {
			t.Fatalf("ParseCount(%d) = %d, %v", n, m, err)
		}
	})
}
