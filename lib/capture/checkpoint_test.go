package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/lib/pcapio"
	statepkg "github.com/pcappush/pcappush/lib/state"
	"github.com/pcappush/pcappush/lib/state/checkpoint"
)

// checkpointCapture writes a capture of five chunks in several formats,
// 3.5 s of packets each with gaps, and returns its folder.
func checkpointCapture(t *testing.T) string {
	dir := t.TempDir()
	enc := []func([]tp) []byte{
		func(p []tp) []byte { return pcapFile(nsLE, 1, p...) },
		func(p []tp) []byte { return pcapFile(usBE, 1, p...) },
		func(p []tp) []byte { return compress(t, Gzip, pcapFile(nsLE, 1, p...)) },
		func(p []tp) []byte { return ngFile(1, p...) },
		func(p []tp) []byte { return compress(t, Zstd, ngFile(1, p...)) },
	}
	names := []string{"k1.pcap", "k2.pcap", "k3.pcap.gz", "k4.pcapng", "k5.pcapng.zst"}
	for i := range enc {
		writeFile(t, dir, names[i], enc[i](pkts(t0+int64(i)*5e9+123456000, 7e6, 500, "k")))
	}
	writeFile(t, dir, CompleteMarker, nil)
	return dir
}

// TestCheckpoints: with a uid, a tick at each multiple E of the interval
// precedes the first record at or after it; each is recorded with the
// position of that record, durably before the tick is written; resuming
// at any E gives exactly what followed the tick.
func TestCheckpoints(t *testing.T) {
	dir := checkpointCapture(t)
	state := t.TempDir()
	opts := Options{UID: "push_1", StateDir: state}
	path := statepkg.At(state).Checkpoints("push_1", filepath.Base(dir))
	cw := &checkedWriter{t: t, path: path}
	c, _ := Resolve("", dir)
	if _, err := Cat(t.Context(), c, cw, opts); err != nil {
		t.Fatal(err)
	}
	full := parse(t, cw.buf.Bytes())
	var ticks []int64
	wm := int64(-1)
	for i, r := range full {
		if r.Tick {
			if r.T%1e9 != 0 || r.T <= wm || i+1 >= len(full) || full[i+1].T < r.T || full[i+1].T >= r.T+1e9 {
				t.Fatalf("tick %d at %d: not the second before record %d", len(ticks), r.T, i+1)
			}
			ticks = append(ticks, r.T)
		}
		wm = max(wm, r.T)
	}
	if len(ticks) != 20 || cw.ticks != 20 {
		t.Fatalf("%d ticks (%d checked durable); want 20 (four per chunk): %v", len(ticks), cw.ticks, ticks)
	}
	entries, err := checkpoint.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var times []int64
	for _, e := range entries {
		times = append(times, e.Time)
	}
	if diff := cmp.Diff(ticks, times); diff != "" {
		t.Fatalf("recorded checkpoints differ from the ticks (-ticks +file):\n%s", diff)
	}
	for i, e := range ticks {
		out, log, _, err := run(t, dir, Options{UID: "push_1", StateDir: state, Resume: true, ResumeAt: e})
		if err != nil {
			t.Fatalf("resume at %d: %v", e, err)
		}
		at := indexOfTick(full, e)
		sameRecs(t, fmt.Sprintf("resumed at checkpoint %d (%s)", i, entries[i].Chunk), parse(t, out), full[at:])
		if !strings.Contains(log, fmt.Sprintf("resuming at checkpoint %d", e)) {
			t.Errorf("log %q", log)
		}
	}
	entries, _ = checkpoint.Read(path)
	if got := entries[0].Time; got != ticks[len(ticks)-1] || len(entries) != 1 {
		t.Errorf("after resuming at the last checkpoint the file holds %d entries from %d; want 1 from %d", len(entries), got, ticks[len(ticks)-1])
	}
}

func indexOfTick(rs []rec, e int64) int {
	for i, r := range rs {
		if r.Tick && r.T == e {
			return i
		}
	}
	return -1
}

// checkedWriter collects the stream and, for every tick written, checks
// that its checkpoint is already in the file.
type checkedWriter struct {
	t     *testing.T
	path  string
	buf   bytes.Buffer
	next  int // offset of the next record header not yet checked
	ticks int
}

func (w *checkedWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	b := w.buf.Bytes()
	if w.next == 0 {
		w.next = pcapio.HeaderLen
	}
	for w.next+16 <= len(b) {
		h := b[w.next:]
		capLen := binary.LittleEndian.Uint32(h[8:])
		if capLen == 0 && binary.LittleEndian.Uint32(h[12:]) == 0 {
			e := int64(binary.LittleEndian.Uint32(h))*1e9 + int64(binary.LittleEndian.Uint32(h[4:]))
			file, _ := os.ReadFile(w.path)
			if !bytes.Contains(file, fmt.Appendf(nil, "\n%d ", e)) {
				w.t.Errorf("tick %d written before its checkpoint reached %s", e, w.path)
			}
			w.ticks++
		}
		w.next += 16 + int(capLen)
	}
	return len(p), nil
}

// TestResumeErrors: an unknown checkpoint names the file; a checkpoint in
// a chunk deleted since is warned about and reading starts at the next.
func TestResumeErrors(t *testing.T) {
	dir := checkpointCapture(t)
	state := t.TempDir()
	opts := Options{UID: "u", StateDir: state}
	if _, _, _, err := run(t, dir, opts); err != nil {
		t.Fatal(err)
	}
	path := statepkg.At(state).Checkpoints("u", filepath.Base(dir))
	opts.Resume, opts.ResumeAt = true, t0+4e9 // between chunks: never crossed alone
	_, _, _, err := run(t, dir, opts)
	if !errors.Is(err, checkpoint.ErrNotRecorded) || !strings.Contains(err.Error(), "checkpoint 1621849864000000000 is not recorded in "+path) {
		t.Errorf("error %v; want not recorded in %s", err, path)
	}
	os.Remove(filepath.Join(dir, "k2.pcap"))
	opts.ResumeAt = t0 + 6e9 // in k2
	out, log, _, err := run(t, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	got := parse(t, out)
	if !got[0].Tick || got[0].T != t0+6e9 || !got[1].Tick || got[1].T != t0+10e9 || got[2].T != t0+10e9+123456000 {
		t.Errorf("resumed output starts %v, %v, %v; want the resume tick, k3's checkpoint tick, k3's first packet", got[0], got[1], got[2])
	}
	if !strings.Contains(log, "warning: chunk k2.pcap was deleted before it was read") {
		t.Errorf("log %q", log)
	}
}
