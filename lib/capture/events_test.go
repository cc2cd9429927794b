package capture

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/pcappush/pcappush/lib/event"
)

// readEvents reads every event written to b.
func readEvents(t *testing.T, b *bytes.Buffer) []event.Event {
	t.Helper()
	var out []event.Event
	r := event.NewReader(b)
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
}

// TestCatPositionEvents: reading a stored capture tells where it reads,
// at each chunk's end at least, in bytes of the chunk files (compressed
// ones as stored), growing to their total; a warning has its event.
func TestCatPositionEvents(t *testing.T) {
	dir := t.TempDir()
	var total int64
	for i, name := range []string{"a.pcap", "b.pcap.gz", "c.pcap"} {
		b := pcapFile(nsLE, 1, pkts(t0+int64(i)*1e9, 1000, 3000, name)...)
		if i == 1 {
			b = compress(t, Gzip, b)
		}
		total += int64(len(b))
		writeFile(t, dir, name, b)
	}
	writeFile(t, dir, "d.pcap", []byte("not a capture, not even a header"))
	total += int64(len("not a capture, not even a header"))
	var evb bytes.Buffer
	_, _, _, err := run(t, dir, Options{SkipBad: true, Events: event.NewWriter(&evb, "stream_cat", nil)})
	if err != nil {
		t.Fatal(err)
	}
	var last int64
	var chunks []string
	warnings := 0
	for _, e := range readEvents(t, &evb) {
		switch e.Type {
		case event.Position:
			p := e.Position
			if p.Read < last || p.Total != total || p.Read > total {
				t.Errorf("position %+v after %d; want growing to %d", *p, last, total)
			}
			last = p.Read
			if len(chunks) == 0 || chunks[len(chunks)-1] != p.Chunk {
				chunks = append(chunks, p.Chunk)
			}
		case event.Warning:
			warnings++
		}
	}
	if last != total || len(chunks) != 4 || warnings != 1 {
		t.Errorf("read %d of %d through %v, %d warnings; want every byte of the 4 chunks and the bad chunk's warning", last, total, chunks, warnings)
	}
}

// TestCatLostChunkEvent: a chunk deleted before it was read has a lost
// event with the time range its warning names.
func TestCatLostChunkEvent(t *testing.T) {
	dir := t.TempDir()
	a, b, c := pkts(t0, 1e6, 5, "a"), pkts(t0+1e9, 1e6, 5, "b"), pkts(t0+2e9, 1e6, 5, "c")
	writeFile(t, dir, "a.pcap", pcapFile(nsLE, 1, a...))
	writeFile(t, dir, "b.pcap", pcapFile(nsLE, 1, b...))
	writeFile(t, dir, "c.pcap", pcapFile(nsLE, 1, c...))
	cp, _ := Resolve("", dir)
	var evb bytes.Buffer
	k, err := newCatter(t.Context(), cp, ioDiscard{}, Options{Events: event.NewWriter(&evb, "stream_cat", nil)})
	if err != nil {
		t.Fatal(err)
	}
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
	var lost []event.Event
	for _, e := range readEvents(t, &evb) {
		if e.Type == event.Lost {
			lost = append(lost, e)
		}
	}
	if len(lost) != 1 || lost[0].Lost.Chunk != "b.pcap" || lost[0].Lost.FromNS == nil || *lost[0].Lost.FromNS != t0+4e6 ||
		lost[0].Lost.ToNS == nil || *lost[0].Lost.ToNS != t0+2e9 {
		t.Errorf("lost events %+v; want b.pcap from its last emitted record to c.pcap's first", lost)
	}
}
