package capture

import (
	"slices"
	"strings"
	"testing"
)

func TestNaturalOrder(t *testing.T) {
	tests := []struct {
		in, want []string
	}{
		{[]string{"x10", "x2", "x", "x1"}, []string{"x", "x1", "x2", "x10"}},
		{[]string{"cap.pcap10", "cap.pcap", "cap.pcap9", "cap.pcap1"}, []string{"cap.pcap", "cap.pcap1", "cap.pcap9", "cap.pcap10"}},
		{[]string{"r_100000_20210521010101.pcap", "r_00002_20210521010101.pcap", "r_99999_20210521010100.pcap"},
			[]string{"r_00002_20210521010101.pcap", "r_99999_20210521010100.pcap", "r_100000_20210521010101.pcap"}},
		{[]string{"c_20210521_010200.pcap", "c_20210521_010100.pcap", "c_20210520_235900.pcap"},
			[]string{"c_20210520_235900.pcap", "c_20210521_010100.pcap", "c_20210521_010200.pcap"}},
		{[]string{"a01", "a1", "a001", "a0"}, []string{"a0", "a1", "a01", "a001"}},
		{[]string{"b", "a2", "a10b", "a10a"}, []string{"a2", "a10a", "a10b", "b"}},
		{[]string{"x99999999999999999999999", "x100000000000000000000000", "x9"}, []string{"x9", "x99999999999999999999999", "x100000000000000000000000"}},
	}
	for _, tc := range tests {
		got := slices.Clone(tc.in)
		slices.SortFunc(got, NaturalCompare)
		if !slices.Equal(got, tc.want) {
			t.Errorf("sorted %q = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzNaturalCompare checks that the order is a total order: equal only
// for equal strings, antisymmetric, and transitive.
func FuzzNaturalCompare(f *testing.F) {
	f.Add("x2", "x10", "x")
	f.Add("a01b2", "a1b02", "a1b2")
	f.Add("cap.pcap1", "cap.pcap", "cap.pcap01")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		ab, ba := NaturalCompare(a, b), NaturalCompare(b, a)
		if ab != -ba || (ab == 0) != (a == b) {
			t.Fatalf("compare(%q, %q) = %d, reverse %d", a, b, ab, ba)
		}
		if ab <= 0 && NaturalCompare(b, c) <= 0 && NaturalCompare(a, c) > 0 {
			t.Fatalf("%q <= %q <= %q but %q > %q", a, b, c, a, c)
		}
		if strings.HasPrefix(b, a) && a != b && !strings.ContainsAny(b[len(a):len(a)+1], "0123456789") && ab >= 0 {
			t.Fatalf("prefix %q not before %q", a, b)
		}
	})
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name, key string
		comp      Compression
		class     nameClass
	}{
		{"x.pcap", "x.pcap", None, chunkName},
		{"x.pcap12", "x.pcap12", None, chunkName},
		{"x.PCAPNG", "x.PCAPNG", None, chunkName},
		{"x.cap.gz", "x.cap", Gzip, chunkName},
		{"x.pcap3.zst", "x.pcap3", Zstd, chunkName},
		{"x.pcapng.lz4", "x.pcapng", LZ4, chunkName},
		{"x1", "x1", None, maybeChunk},
		{"x1.gz", "x1", Gzip, maybeChunk},
		{".x.pcap", "", None, notChunk},
		{".complete", "", None, notChunk},
		{"x.pcap.pending", "", None, notChunk},
		{"index.json", "", None, notChunk},
		{"x.pcap.tmp", "", None, notChunk},
		{"x.pcapx", "", None, notChunk},
		{"a\nb.pcap", "", None, notChunk},
	}
	for _, tc := range tests {
		key, comp, class := classify(tc.name)
		if key != tc.key || comp != tc.comp || class != tc.class {
			t.Errorf("classify(%q) = %q, %v, %v; want %q, %v, %v", tc.name, key, comp, class, tc.key, tc.comp, tc.class)
		}
	}
}

// TestChunksListing: chunk order, compressed copies of a chunk still
// being written, extensionless names told by content.
func TestChunksListing(t *testing.T) {
	dir := t.TempDir()
	pc := pcapFile(nsLE, 1, pkts(t0, 1, 2, "x")...)
	for _, n := range []string{"x10", "x2", "x", "x1", "x1.gz", "x3.gz"} {
		writeFile(t, dir, n, pc)
	}
	writeFile(t, dir, "LOCK", []byte("pid 42"))
	writeFile(t, dir, "x11", nil) // just created by the recorder
	c, _ := Resolve("", dir)
	chs, err := c.Chunks(true)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ch := range chs {
		names = append(names, ch.Name)
		if ch.ModTime.IsZero() || (ch.Size != int64(len(pc)) && ch.Name != "x11") {
			t.Errorf("%s: size %d, time %v", ch.Name, ch.Size, ch.ModTime)
		}
	}
	want := []string{"x", "x1", "x2", "x3.gz", "x10", "x11"}
	if !slices.Equal(names, want) {
		t.Errorf("chunks %q; want %q", names, want)
	}
}
