package split

import "testing"

func TestNames(t *testing.T) {
	const start, end = 1638402659123456789, 1638402719123456789 // 2021-12-01 23:50:59.123456789 UTC + 60 s
	tests := []struct {
		format NameFormat
		prefix string
		want   string
	}{
		{EpochSecStartEnd, "/data/push/all", "/data/push/all_1638402659-1638402719.pcap"},
		{EpochSecStartEnd, "/data/push/", "/data/push/1638402659-1638402719.pcap"},
		{EpochSec, "/data/push/all", "/data/push/all_1638402659.pcap"},
		{EpochSec, "/data/push/", "/data/push/1638402659.pcap"},
		{TstrHHMM, "/data/push/all", "/data/push/all_20211201_2350.pcap"},
		{TstrHHMM, "/data/push/", "/data/push/20211201_2350.pcap"},
		{TstrHHMMSS, "/data/push/all", "/data/push/all_20211201_235059.pcap"},
		{TstrHHMMSS, "rel", "rel_20211201_235059.pcap"},
		{TstrHHMMSSNS, "/data/push/all", "/data/push/all_20211201_235059.123.456.789.pcap"},
		{TstrHHMMSSNS, "/data/push/", "/data/push/20211201_235059.123.456.789.pcap"},
	}
	for _, tt := range tests {
		if got := JoinName(tt.prefix, tt.format.TimePart(start, end), ".pcap"); got != tt.want {
			t.Errorf("%s with prefix %q = %q; want %q", tt.format.Flag(), tt.prefix, got, tt.want)
		}
	}
	// The reference's own examples.
	if got := EpochSecStartEnd.TimePart(1616334655e9, 1616334755e9); got != "1616334655-1616334755" {
		t.Errorf("startend = %q", got)
	}
	if got := TstrHHMMSSNS.TimePart(1638402659000000007, 0); got != "20211201_235059.000.000.007" {
		t.Errorf("tstr ns = %q", got)
	}
}

func TestParseNameFormat(t *testing.T) {
	for _, flag := range NameFlags() {
		f, err := ParseNameFormat("--" + flag)
		if err != nil || f.Flag() != "--"+flag {
			t.Errorf("ParseNameFormat(--%s) = %v, %v", flag, f.Flag(), err)
		}
	}
	if _, err := ParseNameFormat("--filename-epoch"); err == nil {
		t.Error("ParseNameFormat(--filename-epoch) succeeded; want an error")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		ok   bool
	}{
		{"time", Options{Time: 60e9, Name: EpochSec, Prefix: "/x/"}, true},
		{"bytes", Options{Bytes: 1e9, Name: TstrHHMMSS, Prefix: "/x/"}, true},
		{"none", Options{Name: EpochSec, Prefix: "/x/"}, false},
		{"both", Options{Time: 60e9, Bytes: 1e9, Name: EpochSec, Prefix: "/x/"}, false},
		{"no name", Options{Time: 60e9, Prefix: "/x/"}, false},
		{"no prefix", Options{Time: 60e9, Name: EpochSec}, false},
		{"tiny bytes", Options{Bytes: 10, Name: EpochSec, Prefix: "/x/"}, false},
		{"30 s with minute names", Options{Time: 30e9, Name: TstrHHMM, Prefix: "/x/"}, false},
		{"half second with second names", Options{Time: 5e8, Name: EpochSecStartEnd, Prefix: "/x/"}, false},
		{"half second with ns names", Options{Time: 5e8, Name: TstrHHMMSSNS, Prefix: "/x/"}, true},
	}
	for _, tt := range tests {
		err := tt.o.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v; want ok=%v", tt.name, err, tt.ok)
		}
	}
}
