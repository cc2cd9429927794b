package event

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/pcappush/pcappush/lib/state/ledger"
)

var at = time.Date(2021, 5, 24, 18, 51, 4, 0, time.UTC)

func TestRoundTrip(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b, "pcap_split", func() time.Time { return at })
	from := int64(1621849860e9)
	split := ledger.Entry{Name: "/p/all_1621849860.pcap", Start: 1621849860e9, End: 1621849920e9, Packets: 3, Bytes: 240, Existed: true}
	w.Published(split)
	w.Warn("%s already exists with other content: published as %s", "a", "a_2")
	w.PostFailed(split, "post failed for /p/all_1621849860.pcap: exit status 3")
	w.LostChunk(Range{Chunk: "c2.pcap", FromNS: &from}, "chunk c2.pcap was deleted before it was read")
	w.At(Place{Chunk: "c1.pcap", Offset: 700, Read: 1700, Total: 4000})
	w.Counts(map[string]int64{"files": 2})
	want := []Event{
		{Time: at, Tool: "pcap_split", Type: Split, Split: &split},
		{Time: at, Tool: "pcap_split", Type: Warning, Message: "a already exists with other content: published as a_2"},
		{Time: at, Tool: "pcap_split", Type: PostFailed, Split: &split, Message: "post failed for /p/all_1621849860.pcap: exit status 3"},
		{Time: at, Tool: "pcap_split", Type: Lost, Lost: &Range{Chunk: "c2.pcap", FromNS: &from}, Message: "chunk c2.pcap was deleted before it was read"},
		{Time: at, Tool: "pcap_split", Type: Position, Position: &Place{Chunk: "c1.pcap", Offset: 700, Read: 1700, Total: 4000}},
		{Time: at, Tool: "pcap_split", Type: Stats, Stats: map[string]int64{"files": 2}},
	}
	if n := strings.Count(b.String(), "\n"); n != len(want) {
		t.Fatalf("%d lines; want one per event:\n%s", n, b.String())
	}
	r := NewReader(&b)
	var got []Event
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("read back (-want +got):\n%s", d)
	}
}

// TestReaderBadLines: a line that is not an event is an error naming it,
// and reading goes on after it; a line cut by a stage's death is dropped.
func TestReaderBadLines(t *testing.T) {
	in := "not json\n{\"tool\":\"x\"}\n" + `{"type":"` + strings.Repeat("x", MaxLine) + "\"}\n" + `{"type":"warning","message":"m"}` + "\n" + `{"type":"warn`
	r := NewReader(strings.NewReader(in))
	var bad int
	var msgs []string
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, ErrBadLine) {
			bad++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, e.Message)
	}
	if bad != 3 || len(msgs) != 1 || msgs[0] != "m" {
		t.Errorf("%d bad lines, events %q; want 3 bad and the warning", bad, msgs)
	}
}

// TestNilWriter: a stage without --events calls the same methods.
func TestNilWriter(t *testing.T) {
	var w *Writer
	w.Warn("x")
	w.Published(ledger.Entry{})
	w.At(Place{})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestOpen: a descriptor that is not open is refused, naming it; an open
// one is made close-on-exec and written to; a reader gone turns the
// Writer off without failing.
func TestOpen(t *testing.T) {
	if _, err := Open(987, "stream_cat"); err == nil || !strings.Contains(err.Error(), "descriptor 987 is not open") {
		t.Errorf("Open(987) = %v; want an error naming the descriptor", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Dup(int(w.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	ew, err := Open(fd, "stream_cat")
	if err != nil {
		t.Fatal(err)
	}
	if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil || flags&unix.FD_CLOEXEC == 0 {
		t.Errorf("descriptor flags %#x, %v; want close-on-exec", flags, err)
	}
	ew.Warn("hello")
	e, err := NewReader(r).Next()
	if err != nil || e.Tool != "stream_cat" || e.Message != "hello" {
		t.Errorf("read %+v, %v", e, err)
	}
	r.Close()
	ew.Warn("nobody reads")
	ew.Warn("nobody reads")
	if !ew.off {
		t.Error("the Writer is still on after its reader went")
	}
	ew.Close()
}

func FuzzReader(f *testing.F) {
	f.Add([]byte(`{"time":"2021-05-24T18:51:04Z","tool":"pcap_split","type":"split","split":{"name":"a","start":1,"end":2}}` + "\n"))
	f.Add([]byte("x\n{\"type\":\"stats\",\"stats\":{\"a\":1}}\n{"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(bytes.NewReader(b))
		for range 1000 {
			e, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err == nil && e.Type == "" {
				t.Fatalf("an event without a type from %q", b)
			}
		}
	})
}
