package capture

import (
	"errors"
	"strconv"
	"testing"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  bool
	}{
		{"1621849860123456789", 1621849860123456789, false},
		{"1621849860", 1621849860e9, false},
		{"0", 0, false},
		{"1621849860.5", 1621849860500000000, false},
		{"1621849860.123456789", 1621849860123456789, false},
		{" 1621849860.000000001 ", 1621849860000000001, false},
		{"1.62184986e18", 1621849860e9, false},
		{"1621849860e9", 1621849860e9, false},
		{"2021-05-24T09:51:00Z", 1621849860e9, false},
		{"2021-05-24T11:51:00.25+02:00", 1621849860250000000, false},
		{"16218498601", 16218498601, false}, // eleven digits: nanoseconds
		{"1621849860.0000000001", 0, true},
		{"-5", 0, true},
		{"1969-12-31T23:59:59Z", 0, true},
		{"2021-05-24 09:51:00", 0, true},
		{"1e99999999999", 0, true},
		{"1e19", 0, true},
		{"0x10", 0, true},
		{"", 0, true},
		{"yesterday", 0, true},
	}
	for _, tc := range tests {
		got, err := ParseTime(tc.in)
		if tc.err {
			if err == nil || !errors.Is(err, ErrBadTime) {
				t.Errorf("ParseTime(%q) = %d, %v; want an ErrBadTime", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseTime(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestFormatTime(t *testing.T) {
	if got := FormatTime(1621849860123456789); got != "2021-05-24T09:51:00.123Z" {
		t.Errorf("FormatTime = %q", got)
	}
}

// FuzzParseTime: never panics, never negative; integers of more than ten
// digits are nanoseconds and come back unchanged.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"1621849860123456789", "1621849860.5", "2021-05-24T09:51:00Z", "1e9", "1.5e-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ns, err := ParseTime(s)
		if err != nil {
			if !errors.Is(err, ErrBadTime) {
				t.Fatalf("ParseTime(%q) error %v is not ErrBadTime", s, err)
			}
			return
		}
		if ns < 0 {
			t.Fatalf("ParseTime(%q) = %d", s, ns)
		}
		if ns >= 1e10 {
			if back, err := ParseTime(strconv.FormatInt(ns, 10)); err != nil || back != ns {
				t.Fatalf("ParseTime(%d) = %d, %v", ns, back, err)
			}
		}
	})
}
