package capture

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/lib/pcapio"
	statepkg "github.com/pcappush/pcappush/lib/state"
	"github.com/pcappush/pcappush/lib/state/checkpoint"
)

// moveCapture writes a capture whose nanosecond little-endian chunks are
// large enough for their records to be moved by the kernel (runs of 64 KiB
// and more between checkpoints), beside chunks that must be rewritten or
// decompressed, and returns its folder.
func moveCapture(t *testing.T) string {
	dir := t.TempDir()
	big := func(i int) []tp {
		p := make([]tp, 6000)
		for j := range p {
			p[j] = tp{t0 + int64(i)*4e9 + int64(j)*5e5 + 1234, strings.Repeat(string(rune('a'+i)), 60+j*97%1400)}
		}
		return p
	}
	writeFile(t, dir, "m1.pcap", pcapFile(nsLE, 1, big(0)...))
	writeFile(t, dir, "m2.pcap", pcapFile(usLE, 1, big(1)...))
	writeFile(t, dir, "m3.pcap", pcapFile(nsLE, 1, big(2)...))
	writeFile(t, dir, "m4.pcap.gz", compress(t, Gzip, pcapFile(nsLE, 1, big(3)...)))
	writeFile(t, dir, "m5.pcap", pcapFile(nsLE, 1, big(4)...))
	writeFile(t, dir, CompleteMarker, nil)
	return dir
}

// An output kind Cat is tried with: a buffer (bytes written), a pipe
// (chunk bytes spliced), a file (copy_file_range), a file opened for
// appending (which the kernel refuses to copy into: bytes written).
type moveOutput struct {
	name  string
	moves bool // the kernel moves chunk bytes into it
	cat   func(t *testing.T, dir string, opts Options) ([]byte, Stats)
}

func moveOutputs(t *testing.T) []moveOutput {
	cat := func(t *testing.T, dir string, w io.Writer, opts Options) Stats {
		t.Helper()
		c, err := Resolve("", dir)
		if err != nil {
			t.Fatal(err)
		}
		st, err := Cat(t.Context(), c, w, opts)
		if err != nil {
			t.Fatalf("Cat: %v", err)
		}
		return st
	}
	file := func(flag int) func(t *testing.T, dir string, opts Options) ([]byte, Stats) {
		return func(t *testing.T, dir string, opts Options) ([]byte, Stats) {
			p := filepath.Join(t.TempDir(), "out.pcap")
			f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|flag, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st := cat(t, dir, f, opts)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			return b, st
		}
	}
	return []moveOutput{
		{"buffer", false, func(t *testing.T, dir string, opts Options) ([]byte, Stats) {
			var b bytes.Buffer
			st := cat(t, dir, &b, opts)
			return b.Bytes(), st
		}},
		{"pipe", true, func(t *testing.T, dir string, opts Options) ([]byte, Stats) {
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			cw := &checkedWriter{t: t}
			if opts.UID != "" {
				cw.path = statepkg.At(opts.StateDir).Checkpoints(opts.UID, filepath.Base(dir))
			}
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				io.Copy(cw, pr) // each tick is checked against the checkpoint file as it arrives
				pr.Close()
			}()
			st := cat(t, dir, pw, opts)
			pw.Close()
			wg.Wait()
			return cw.buf.Bytes(), st
		}},
		{"file", true, file(os.O_TRUNC)},
		{"appended file", false, file(os.O_APPEND)},
	}
}

// TestCatMovesChunkBytes: whatever the output, Cat writes the same
// stream, records the same checkpoints (each durable before its tick
// reaches the output), honours time bounds and resumes exactly; into a
// pipe or a file the nanosecond little-endian chunks' records are moved
// by the kernel rather than written.
func TestCatMovesChunkBytes(t *testing.T) {
	dir := moveCapture(t)
	outs := moveOutputs(t)
	var ref []byte
	var refCkpt []checkpoint.Point
	for _, o := range outs {
		state := t.TempDir()
		got, st := o.cat(t, dir, Options{UID: "u", StateDir: state})
		ckpt, err := checkpoint.Read(statepkg.At(state).Checkpoints("u", filepath.Base(dir)))
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref, refCkpt = got, ckpt
			if n := len(parse(t, got)); n != 5*6000+len(ckpt) || len(ckpt) < 15 {
				t.Fatalf("%s: %d records and %d checkpoints; want 30000 packets and a tick per checkpoint", o.name, n, len(ckpt))
			}
		} else if !bytes.Equal(got, ref) {
			t.Errorf("%s: the stream differs from the buffer's (%d bytes; want %d)", o.name, len(got), len(ref))
		}
		if diff := cmp.Diff(refCkpt, ckpt); diff != "" {
			t.Errorf("%s: checkpoints differ from the buffer's (-buffer +%s):\n%s", o.name, o.name, diff)
		}
		// m1, m3 and m5 qualify: about 60% of the bytes.
		if o.moves && (st.Moved < st.Bytes/2 || st.Moved > st.Bytes) || !o.moves && st.Moved != 0 {
			t.Errorf("%s: %d of %d bytes moved by the kernel; want more than half: %v", o.name, st.Moved, st.Bytes, o.moves)
		}
	}
	t.Run("time bounds", func(t *testing.T) {
		opts := Options{Start: t0 + 1e9 + 7, End: t0 + 18e9 + 3}
		ref, _ := outs[0].cat(t, dir, opts)
		for _, o := range outs[1:] {
			if got, _ := o.cat(t, dir, opts); !bytes.Equal(got, ref) {
				t.Errorf("%s: the stream differs from the buffer's", o.name)
			}
		}
	})
	t.Run("resume", func(t *testing.T) {
		full := parse(t, ref)
		state := t.TempDir()
		outs[0].cat(t, dir, Options{UID: "u", StateDir: state})
		for i, cp := range refCkpt {
			if i%3 != 1 {
				continue // a sample, each with another output
			}
			o := outs[1+i/3%(len(outs)-1)]
			got, _ := o.cat(t, dir, Options{UID: "u", StateDir: state, Resume: true, ResumeAt: cp.Time})
			sameRecs(t, fmt.Sprintf("%s resumed at %d (%s byte %d)", o.name, cp.Time, cp.Chunk, cp.Offset), parse(t, got), full[indexOfTick(full, cp.Time):])
			// The file now starts at the resume point: write it whole again.
			outs[0].cat(t, dir, Options{UID: "u", StateDir: state})
		}
	})
}

// TestCatMoveTicksInOrder: the ticks written between moved runs arrive in
// order: every record of a run moved by the kernel lies between the tick
// before it and the tick after it.
func TestCatMoveTicksInOrder(t *testing.T) {
	dir := moveCapture(t)
	got, st := moveOutputs(t)[1].cat(t, dir, Options{UID: "u", StateDir: t.TempDir(), CheckpointEvery: 2e8})
	if st.Moved == 0 {
		t.Fatal("nothing was moved")
	}
	var last int64
	b := got[pcapio.HeaderLen:]
	for len(b) >= 16 {
		ts := int64(binary.LittleEndian.Uint32(b))*1e9 + int64(binary.LittleEndian.Uint32(b[4:]))
		n := binary.LittleEndian.Uint32(b[8:])
		if n == 0 && ts < last || n == 0 && ts%2e8 != 0 {
			t.Fatalf("tick %d after a record at %d", ts, last)
		}
		if n > 0 && ts < last {
			t.Fatalf("record at %d after a tick or record at %d", ts, last)
		}
		last = ts
		b = b[16+n:]
	}
	if len(b) != 0 {
		t.Fatalf("%d bytes left after the last whole record", len(b))
	}
}

// TestSpanAtFileCut: a chunk cut shorter after its records were read
// cannot give the kernel the rest of a run; what the kernel moved is
// followed by the rest written from the buffer, so the stream is whole.
func TestSpanAtFileCut(t *testing.T) {
	p := make([]byte, 300<<10)
	for i := range p {
		p[i] = byte(i * 13)
	}
	path := filepath.Join(t.TempDir(), "cut.pcap")
	if err := os.WriteFile(path, p, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.Truncate(path, 100<<10); err != nil { // cut after the read
		t.Fatal(err)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(pr)
		got <- b
	}()
	o := newOutput(pw, 0, nil)
	if err := o.spanAt(p, f, 0); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if b := <-got; !bytes.Equal(b, p) {
		t.Errorf("the pipe carried %d bytes unlike the %d read", len(b), len(p))
	}
	if o.moved != 100<<10 {
		t.Errorf("%d bytes moved; want the %d the file still holds", o.moved, 100<<10)
	}
}
