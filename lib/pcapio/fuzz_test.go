package pcapio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/internal/testutil"
)

// addSeeds adds the corpus captures and a few hand-built inputs.
func addSeeds(f *testing.F) {
	for _, p := range testutil.CorpusFiles(f) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	le := binary.LittleEndian
	f.Add(classic(le, 0xa1b23c4d, 0, 1, pkt{sec: 1, capLen: 2, origLen: 2, data: []byte("ab")}, pkt{}))
	n := &ng{o: le}
	f.Add(n.shb().idb(1, 0, n.opt(9, []byte{0x94})).epb(0, 1<<40, 3, []byte("abc")).spb(2, []byte("zz")).b)
}

// FuzzReader feeds arbitrary bytes to a Reader: it must never panic, never
// return a record longer than MaxCapLen or beyond the input or with an
// original length the Reader should have refused, and what it
// reads must survive a round trip through a Writer.
func FuzzReader(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := NewReaderSize(bytes.NewReader(in), "fuzz", 0)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("NewReader error %v is not an *Error", err)
			}
			return
		}
		var recs []got
		for {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				var pe *Error
				if !errors.As(err, &pe) || pe.Packet != r.Packets()+1 {
					t.Fatalf("error %v: want an *Error for packet %d", err, r.Packets()+1)
				}
				break
			}
			if len(rec.Data) > MaxCapLen || rec.Time < 0 || r.Offset() > int64(len(in)) || !ValidOrigLen(uint32(len(rec.Data)), rec.OrigLen) {
				t.Fatalf("record of %d bytes at %d ns, offset %d of %d", len(rec.Data), rec.Time, r.Offset(), len(in))
			}
			recs = append(recs, got{rec.Time, rec.OrigLen, string(rec.Data)})
		}
		roundTrip(t, r.LinkType(), recs)
	})
}

func roundTrip(t *testing.T, linkType uint32, recs []got) {
	var buf bytes.Buffer
	w := NewWriter(&buf, linkType, 0)
	if err := w.WriteHeader(); err != nil {
		t.Fatal(err)
	}
	var kept []got
	for _, g := range recs {
		if err := w.WritePacket(g.Time, g.OrigLen, []byte(g.Data)); err != nil {
			if !errors.Is(err, ErrTimestamp) {
				t.Fatal(err)
			}
			continue
		}
		kept = append(kept, g)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(&buf, "round trip")
	if err != nil {
		t.Fatal(err)
	}
	back, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(kept, back); d != "" && len(kept)+len(back) > 0 {
		t.Fatalf("round trip (-in +out):\n%s", d)
	}
}
