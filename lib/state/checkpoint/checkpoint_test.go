package checkpoint

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/internal/testutil"
)

// TestParse: the file format, comments, torn last lines, later
// lines overriding earlier ones, and errors.
func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want []Point
		err  string
	}{
		{header + "2000 24 \"b.pcap\"\n1000 10 \"a b.pcap\"\n", []Point{{1000, "a b.pcap", 10}, {2000, "b.pcap", 24}}, ""},
		{"1000 24 \"a\"\n1000 99 \"b\"\n", []Point{{1000, "b", 99}}, ""},
		{"1000 24 \"a\"\n2000 3", []Point{{1000, "a", 24}}, ""},
		{"\n# x\n", nil, ""},
		{"1000 24 a\n", nil, `line 1: "1000 24 a": want TIME_NS OFFSET "CHUNK"`},
		{"-1 24 \"a\"\n", nil, "line 1"},
		{"1 2 \"../x\"\n", nil, "line 1"},
		{"1 2\n", nil, "line 1"},
	}
	for _, tc := range tests {
		got, err := Parse(strings.NewReader(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Parse(%q) error %v; want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !cmp.Equal(got, tc.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// TestLogBounded: the file never holds more than MaxEntries
// entries, keeping the newest.
func TestLogBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "u", "c.checkpoints")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Compact(0); err != nil {
		t.Fatal(err)
	}
	n := MaxEntries + 10
	for i := 0; i < n; i++ {
		if err := l.Add(Point{Time: int64(i) * 1e9, Chunk: "c.pcap", Offset: int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l, _ = Open(path)
	es := l.Entries()
	if len(es) > MaxEntries || es[len(es)-1].Time != int64(n-1)*1e9 || len(es) < MaxEntries/2 {
		t.Errorf("%d entries, last %d", len(es), es[len(es)-1].Time)
	}
}

// FuzzParse: never panics; what parses survives a round trip.
func FuzzParse(f *testing.F) {
	f.Add([]byte(header + "1621849860000000000 24 \"x.pcap1\"\n"))
	f.Add([]byte("1 2 \"a\\nb\"\n3 4 \"\\u00e9\"\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		cs, err := Parse(bytes.NewReader(in))
		if err != nil {
			return
		}
		var b []byte
		for _, c := range cs {
			b = c.AppendLine(b)
		}
		again, err := Parse(bytes.NewReader(b))
		if err != nil || !cmp.Equal(cs, again, cmp.Comparer(func(a, b []Point) bool { return len(a) == 0 && len(b) == 0 || cmp.Equal(a, b) })) {
			t.Fatalf("round trip of %q: %v, %v", b, again, err)
		}
	})
}

// TestCutFiles: what a power cut can leave of the file. A missing or
// emptied file has no checkpoints; a torn last line is dropped, and
// rewritten away by Compact, so the next line never joins it.
func TestCutFiles(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content string
		want          []Point
	}{
		{"missing", "", nil},
		{"empty", "", nil},
		{"torn", header + "1000 24 \"a\"\n2000 3", []Point{{1000, "a", 24}}},
		{"torn header", "# stream_cat chec", nil},
	} {
		path := filepath.Join(dir, tc.name+".checkpoints")
		if tc.name != "missing" {
			os.WriteFile(path, []byte(tc.content), 0o640)
		}
		l, err := Open(path)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !cmp.Equal(l.Entries(), tc.want) {
			t.Errorf("%s: entries %v; want %v", tc.name, l.Entries(), tc.want)
		}
		if err := l.Compact(0); err != nil {
			t.Fatal(err)
		}
		if err := l.Add(Point{Time: 3000, Chunk: "b", Offset: 5}); err != nil {
			t.Fatal(err)
		}
		l.Close()
		got, err := Read(path)
		if want := append(tc.want, Point{3000, "b", 5}); err != nil || !cmp.Equal(got, want) {
			t.Errorf("%s: after an Add the file holds %v, %v; want %v", tc.name, got, err, want)
		}
	}
}

// TestRefusesLink: a link planted at the file is refused, naming it; its
// target is untouched.
func TestRefusesLink(t *testing.T) {
	v := testutil.PlantLink(t, filepath.Join(t.TempDir(), "c.checkpoints"))
	_, err := Open(v.Link)
	v.Refused("Open", fmt.Sprint(err))
}
