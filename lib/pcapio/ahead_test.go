package pcapio

import (
	"bytes"
	"errors"
	"io"
	"os"
	"runtime"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/internal/testutil"
)

// readPlain reads b with NewReader.
func readPlain(t *testing.T, b []byte) ([]got, string) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(b), "in")
	if err != nil {
		return nil, err.Error()
	}
	recs, err := readAll(t, r)
	if err != nil {
		return recs, err.Error()
	}
	return recs, ""
}

// readAhead reads b with NewReaderAhead over src(b) in chunks of chunk.
func readAhead(t *testing.T, src io.Reader, chunk int) ([]got, string) {
	t.Helper()
	r, err := NewReaderAhead(src, "in", chunk)
	if err != nil {
		return nil, err.Error()
	}
	defer r.Close()
	recs, err := readAll(t, r)
	if err != nil {
		return recs, err.Error()
	}
	return recs, ""
}

// TestReaderAheadEqualsReader: over every corpus file, every prefix of a
// few, and reads of one byte at a time, a read-ahead Reader returns the
// records and errors of a plain one.
func TestReaderAheadEqualsReader(t *testing.T) {
	for _, path := range testutil.CorpusFiles(t) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want, werr := readPlain(t, b)
		srcs := []io.Reader{bytes.NewReader(b), iotest.HalfReader(bytes.NewReader(b))}
		if len(b) < 20000 {
			srcs = append(srcs, iotest.OneByteReader(bytes.NewReader(b)))
		}
		for _, src := range srcs {
			got, gerr := readAhead(t, src, 1000)
			if d := cmp.Diff(want, got); d != "" || gerr != werr {
				t.Fatalf("%s: errors %q, %q; records (-plain +ahead):\n%s", path, werr, gerr, d)
			}
		}
	}
	b, err := os.ReadFile(testutil.Corpus(t, "pcapng-multi-interface.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n <= len(b); n += 1 + n/100*16 {
		want, werr := readPlain(t, b[:n])
		got, gerr := readAhead(t, bytes.NewReader(b[:n]), 64)
		if len(want) != len(got) || werr != gerr {
			t.Fatalf("cut at %d: %d, %d records; errors %q, %q", n, len(want), len(got), werr, gerr)
		}
	}
}

// TestReaderAheadHandsOverBuffers: the compact hook runs before each move
// to the next buffer, records before it are adjacent, and a read error
// reaches the caller after the bytes before it.
func TestReaderAheadHandsOverBuffers(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, LinkTypeEthernet, 0)
	if err := w.WriteHeader(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 628; i++ {
		if err := w.WritePacket(int64(i)*1e6, 1500, make([]byte, 60+i*7%1400)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	boom := errors.New("boom")
	r, err := NewReaderAhead(io.MultiReader(bytes.NewReader(b), iotest.ErrReader(boom)), "in", 4096)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	hooks, run := 0, []byte(nil)
	r.SetCompactHook(func() error { hooks++; run = nil; return nil })
	n := 0
	for {
		_, err := r.Next()
		if err != nil {
			if !errors.Is(err, boom) || n != 628 {
				t.Fatalf("after %d records: %v; want all 628 then boom", n, err)
			}
			break
		}
		n++
		raw := r.Raw()
		if len(raw) < RecordHeaderLen+60 {
			t.Fatalf("record %d: raw %d bytes", n, len(raw))
		}
		if len(run) > 0 && addr(raw) != addr(run)+uintptr(len(run)) {
			t.Fatalf("record %d is not adjacent to the one before it in the same buffer", n)
		}
		run = raw
	}
	if hooks < len(b)/4096-1 {
		t.Errorf("%d hook calls for %d bytes in 4096-byte reads", hooks, len(b))
	}
}

// TestReaderAheadClose: Close stops the goroutine, and a Reader used after
// it reports ErrClosed.
func TestReaderAheadClose(t *testing.T) {
	b, err := os.ReadFile(testutil.Corpus(t, "gre-within-gre.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		r, err := NewReaderAhead(bytes.NewReader(b), "in", 512)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
		r.Close()
		for {
			if _, err := r.Next(); err != nil {
				if !errors.Is(err, ErrClosed) {
					t.Fatalf("after Close: %v", err)
				}
				break
			}
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left running, %d before", n, before)
	}
}
