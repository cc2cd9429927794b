package capture

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pcappush/pcappush/lib/pcapio"
)

const t0 = int64(1621849860e9) // 2021-05-24T09:51:00Z

// TestCatFormats: every chunk format and compression gives the same
// packets, in natural chunk order, as one nanosecond stream.
func TestCatFormats(t *testing.T) {
	type chunk struct {
		name string
		enc  func([]tp) []byte
		comp Compression
	}
	classic := func(v variant) func([]tp) []byte {
		return func(p []tp) []byte { return pcapFile(v, 1, p...) }
	}
	ng := func(p []tp) []byte { return ngFile(1, p...) }
	tests := []struct {
		name   string
		chunks []chunk
	}{
		{"tcpdump -C names", []chunk{{"x.pcap", classic(nsLE), None}, {"x.pcap1", classic(usLE), None}, {"x.pcap2", classic(nsBE), None}, {"x.pcap10", classic(usBE), None}}},
		{"no extension", []chunk{{"x", classic(usLE), None}, {"x1", classic(usLE), None}, {"x2", classic(usLE), None}, {"x10", classic(usLE), None}}},
		{"dumpcap ring", []chunk{{"r_00009_20210524095100.pcapng", ng, None}, {"r_00010_20210524095101.pcapng", ng, None}, {"r_100000_20210524095102.pcapng", ng, None}}},
		{"compressed", []chunk{{"c1.pcap.gz", classic(nsLE), Gzip}, {"c2.pcap.zst", classic(usBE), Zstd}, {"c3.pcap.lz4", classic(nsLE), LZ4}, {"c4.pcapng.gz", ng, Gzip}}},
		{"mixed", []chunk{{"m1.pcap", ng, None}, {"m2.cap", classic(usLE), None}, {"m3.pcapng.zst", ng, Zstd}, {"m4.pcap", classic(nsLE), None}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var all [][]tp
			for i, c := range tc.chunks {
				p := pkts(t0+int64(i)*1e9, 1000, 200, string(rune('a'+i)))
				all = append(all, p)
				writeFile(t, dir, c.name, compress(t, c.comp, c.enc(p)))
			}
			writeFile(t, dir, "index.json", []byte("{}"))
			writeFile(t, dir, ".hidden.pcap", pcapFile(nsLE, 1, pkts(1, 1, 3, "z")...))
			out, log, st, err := run(t, dir, Options{})
			if err != nil {
				t.Fatalf("Cat: %v\n%s", err, log)
			}
			got := parse(t, out)
			sameRecs(t, "output", got, want(all...))
			if st.Chunks != int64(len(tc.chunks)) || st.Packets != int64(len(got)) || st.Ticks != 0 {
				t.Errorf("stats %+v; want %d chunks, %d packets, no ticks", st, len(tc.chunks), len(got))
			}
			if log != "" {
				t.Errorf("log %q; want none", log)
			}
		})
	}
}

// TestCatTimeFilter: --start-time and --end-time keep [start, end) and do
// not open chunks that lie wholly outside.
func TestCatTimeFilter(t *testing.T) {
	dir := t.TempDir()
	var all []tp
	for i := 0; i < 20; i++ {
		p := pkts(t0+int64(i)*10e9, 1e9, 10, "p")
		all = append(all, p...)
		writeFile(t, dir, fmt.Sprintf("c%d.pcap", i), pcapFile(nsLE, 1, p...))
	}
	start, end := t0+57e9, t0+123e9+1
	out, log, st, err := run(t, dir, Options{Start: start, End: end, Verbose: true})
	if err != nil {
		t.Fatal(err)
	}
	var w []tp
	for _, p := range all {
		if p.t >= start && p.t < end {
			w = append(w, p)
		}
	}
	sameRecs(t, "filtered", parse(t, out), want(w))
	if st.Chunks != 8 { // c5 .. c12
		t.Errorf("opened %d chunks; want 8 (c5 to c12)\n%s", st.Chunks, log)
	}
	if !strings.Contains(log, "skipping 5 chunks before the start time") || !strings.Contains(log, "chunk c13.pcap starts at 2021-05-24T09:53:10.000Z, at or after the end time") {
		t.Errorf("log lacks the skips:\n%s", log)
	}
}

// TestCatBadChunks: each kind of bad chunk is an error naming the chunk
// (and offset), or under SkipBad a warning and the next chunk.
func TestCatBadChunks(t *testing.T) {
	good := pcapFile(nsLE, 1, pkts(t0, 1000, 5, "g")...)
	bigCap := pcapFile(nsLE, 1, pkts(t0+1e9, 1000, 3, "b")...)
	binaryPutCapLen(bigCap, 41+8, 300000) // packet 2 starts at 24+16+1
	tests := []struct {
		name, file string
		b          []byte
		msg        string
		kept       int // packets of the bad chunk emitted before the fault
	}{
		{"bad magic", "b.pcap", []byte("this is not a capture at all"), `^b\.pcap: at byte 0: magic 0x73696874: not a pcap or pcapng file$`, 0},
		{"caplen", "b.pcap", bigCap, `^b\.pcap: packet 2 at byte 41: captured length 300000 exceeds the 262144-byte maximum: bad captured length$`, 1},
		{"truncated", "b.pcap", pcapFile(nsLE, 1, pkts(t0+1e9, 1000, 3, "t")...)[:70], `^b\.pcap: packet 3 at byte 59: record header cut short: 11 of 16 bytes present: truncated$`, 2},
		{"link type", "b.pcap", pcapFile(nsLE, 101, pkts(t0+1e9, 1000, 3, "l")...), `^chunk b\.pcap has link type 101; the stream has 1: link type differs from the stream's$`, 0},
		{"bad gzip", "b.pcap.gz", []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff}, `^chunk b\.pcap\.gz: read at byte 0: .*`, 0},
		{"pcapng", "b.pcapng", ngFile(1, pkts(t0+1e9, 1000, 3, "n")...)[:100], `^b\.pcapng: packet 2 at byte 96: block header cut short: 4 of 8 bytes present: truncated$`, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "a.pcap", good)
			writeFile(t, dir, tc.file, tc.b)
			writeFile(t, dir, "c.pcap", good)
			writeFile(t, dir, CompleteMarker, nil)
			out, _, _, err := run(t, dir, Options{})
			if err == nil || !regexp.MustCompile(tc.msg).MatchString(err.Error()) {
				t.Fatalf("error %v; want %s", err, tc.msg)
			}
			if n := len(parse(t, out)); n != 5+tc.kept {
				t.Errorf("%d packets before the error; want %d", n, 5+tc.kept)
			}
			out, log, st, err := run(t, dir, Options{SkipBad: true})
			if err != nil {
				t.Fatalf("SkipBad: %v", err)
			}
			if n := len(parse(t, out)); n != 10+tc.kept || st.Skipped != 1 {
				t.Errorf("SkipBad: %d packets, %d skipped; want %d, 1", n, st.Skipped, 10+tc.kept)
			}
			if !strings.HasPrefix(log, "stream_cat: warning: skipping the rest of chunk "+tc.file+": ") {
				t.Errorf("SkipBad log %q", log)
			}
		})
	}
}

func binaryPutCapLen(b []byte, off int, v uint32) {
	b[off], b[off+1], b[off+2], b[off+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

// TestCatActiveTail: the last chunk of an active capture may end inside a
// record being written; an inactive capture's may not.
func TestCatActiveTail(t *testing.T) {
	dir := t.TempDir()
	p := pkts(t0, 1000, 10, "x")
	b := pcapFile(nsLE, 1, p...)
	writeFile(t, dir, "a.pcap", b[:len(b)-3])
	out, log, _, err := run(t, dir, Options{})
	if err != nil {
		t.Fatalf("active capture: %v", err)
	}
	sameRecs(t, "active", parse(t, out), want(p[:9]))
	if !strings.Contains(log, "a.pcap: stopped at the last complete record; 23 bytes of a record being written follow") {
		t.Errorf("log %q", log)
	}
	writeFile(t, dir, CompleteMarker, nil)
	if _, _, _, err := run(t, dir, Options{}); err == nil || !errors.Is(err, pcapio.ErrTruncated) {
		t.Errorf("complete capture: error %v; want truncated", err)
	}
}

// TestCatEmpty: a capture without chunks is an error; empty chunks are
// passed over.
func TestCatEmpty(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "notes.txt", []byte("x"))
	if _, _, _, err := run(t, dir, Options{}); err == nil || !strings.Contains(err.Error(), "holds no chunks") {
		t.Errorf("error %v; want no chunks", err)
	}
	p := pkts(t0, 1000, 3, "e")
	writeFile(t, dir, "a.pcap", nil)
	writeFile(t, dir, "b.pcap", pcapFile(nsLE, 1, p...))
	writeFile(t, dir, "c.pcap", pcapFile(nsLE, 1))
	writeFile(t, dir, CompleteMarker, nil)
	out, _, _, err := run(t, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameRecs(t, "output", parse(t, out), want(p))
}

// TestCatLostChunk: a chunk deleted between listing and reading is warned
// about with its time span, and reading goes on.
func TestCatLostChunk(t *testing.T) {
	dir := t.TempDir()
	a, b, c := pkts(t0, 1e6, 5, "a"), pkts(t0+1e9, 1e6, 5, "b"), pkts(t0+2e9, 1e6, 5, "c")
	writeFile(t, dir, "a.pcap", pcapFile(nsLE, 1, a...))
	writeFile(t, dir, "b.pcap", pcapFile(nsLE, 1, b...))
	writeFile(t, dir, "c.pcap", pcapFile(nsLE, 1, c...))
	cp, _ := Resolve("", dir)
	k, err := newCatter(t.Context(), cp, ioDiscard{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	k.opts.Log = &log
	k.chs, _ = cp.Chunks(false)
	if err := k.whole(0, false); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "b.pcap"))
	for i := 1; i < 3; i++ {
		if err := k.whole(i, false); err != nil {
			t.Fatal(err)
		}
	}
	w := "stream_cat: warning: chunk b.pcap was deleted before it was read (a ring buffer overtook this reader?): its packets are lost, from after 2021-05-24T09:51:00.004Z (the last record emitted) to before 2021-05-24T09:51:02.000Z (the first packet of c.pcap)\n"
	if log.String() != w || k.lost != 1 || k.out.packets != 10 {
		t.Errorf("log %q, %d lost, %d packets; want %q, 1, 10", log.String(), k.lost, k.out.packets, w)
	}
}

type ioDiscard struct{}

func (ioDiscard) Write(p []byte) (int, error) { return len(p), nil }

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk on fire") }

// TestCatOutputErrors: a failing stdout is never taken for a bad chunk,
// not even under SkipBad.
func TestCatOutputErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.pcap", pcapFile(nsLE, 1, pkts(t0, 1000, 100000, "w")...))
	c, _ := Resolve("", dir)
	var log strings.Builder
	_, err := Cat(t.Context(), c, failWriter{}, Options{SkipBad: true, Log: &log})
	var oe *OutputError
	if !errors.As(err, &oe) || err.Error() != "disk on fire" || log.Len() != 0 {
		t.Errorf("error %v, log %q; want the write error and no warning", err, log.String())
	}
}
