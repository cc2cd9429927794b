package bpf

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/pcapio"
	"github.com/pcappush/pcappush/lib/synth"
)

// packet is a record copied out of a capture.
type packet struct {
	data    []byte
	wireLen uint32
}

// capture is a corpus file's packets, those before any read error.
type capture struct {
	name     string
	linkType uint32
	snaplen  uint32
	packets  []packet
	fault    error // the read error after the packets, if any
}

// readCapture reads a capture; ok is false when its header is refused.
func readCapture(t testing.TB, path string) (capture, bool) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := capture{name: filepath.Base(path)}
	r, err := pcapio.NewReader(f, c.name)
	if err != nil {
		return c, false
	}
	c.linkType, c.snaplen = r.LinkType(), r.Snaplen()
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return c, true
		}
		if err != nil {
			c.fault = err
			return c, true
		}
		c.packets = append(c.packets, packet{append([]byte(nil), rec.Data...), rec.OrigLen})
	}
}

// corpusPaths lists the repository's corpus and, when present, the shared
// corpus's files not already in it.
func corpusPaths(t testing.TB) []string {
	t.Helper()
	paths := testutil.CorpusFiles(t)
	seen := map[string]bool{}
	for _, p := range paths {
		seen[filepath.Base(p)] = true
	}
	shared, _ := filepath.Glob(filepath.Join(testutil.Root(t), "..", "shared", "corpus", "pcaps", "*"))
	for _, p := range shared {
		if !seen[filepath.Base(p)] {
			paths = append(paths, p)
		}
	}
	return paths
}

// corpusCaptures reads every readable corpus capture.
func corpusCaptures(t testing.TB) []capture {
	t.Helper()
	var out []capture
	for _, p := range corpusPaths(t) {
		if c, ok := readCapture(t, p); ok {
			out = append(out, c)
		}
	}
	return out
}

// lines returns the non-empty lines of a corpus text file.
func lines(t testing.TB, name string) []string {
	t.Helper()
	return readLines(t, filepath.Join(testutil.Root(t), "testdata", "corpus", name))
}

// readLines returns the non-empty lines of a text file.
func readLines(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// validFilters returns filters_valid.txt.
func validFilters(t testing.TB) []string { return lines(t, "filters_valid.txt") }

// generated returns n synthetic packets with every encapsulation.
func generated(t testing.TB, seed int64, n int) []packet {
	t.Helper()
	opt := synth.DefaultOptions()
	opt.Seed, opt.Packets, opt.Encap = seed, int64(n), 0.5
	g, err := synth.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	var out []packet
	for rec, ok := g.Next(); ok; rec, ok = g.Next() {
		out = append(out, packet{append([]byte(nil), rec.Data...), rec.OrigLen})
	}
	return out
}

// truncations returns each packet cut at three lengths, keeping its wire
// length, so that loads past the captured bytes are exercised: the cuts
// rotate through the ends of the headers filters read.
func truncations(pkts []packet) []packet {
	cuts := []int{0, 1, 13, 14, 15, 17, 20, 23, 24, 34, 37, 38, 40, 42, 54, 55, 58, 62, 66, 78}
	var out []packet
	for i, p := range pkts {
		for _, n := range []int{cuts[i%len(cuts)], cuts[(i*7+3)%len(cuts)], len(p.data) - 1} {
			if n >= 0 && n < len(p.data) {
				out = append(out, packet{p.data[:n], p.wireLen})
			}
		}
	}
	return out
}

// fields splits a tab-separated line.
func fields(l string) []string { return strings.Split(l, "\t") }
