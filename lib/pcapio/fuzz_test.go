package pcapio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/internal/testutil"
)

// addSeeds adds the corpus captures of one container (pcapng or classic
// pcap, told by the first four bytes) and a few hand-built inputs.
func addSeeds(f *testing.F, pcapng bool) {
	for _, p := range testutil.CorpusFiles(f) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if isNG := len(b) >= 4 && binary.LittleEndian.Uint32(b) == magicNG; isNG == pcapng {
			f.Add(b)
		}
	}
	le, be := binary.LittleEndian, binary.BigEndian
	if pcapng {
		n := &ng{o: le}
		f.Add(n.shb().idb(1, 0, n.opt(9, []byte{0x94})).epb(0, 1<<40, 3, []byte("abc")).spb(2, []byte("zz")).b)
		m := &ng{o: be}
		f.Add(m.shb().idb(1, 64).opb(0, 1e6, 5, []byte("abcd")).shb().idb(101, 0).epb(0, 2e6, 1, nil).b)
		return
	}
	two := []pkt{{sec: 1, capLen: 2, origLen: 2, data: []byte("ab")}, {}, {sec: 2, frac: 3, origLen: 60}}
	f.Add(classic(le, 0xa1b23c4d, 0, 1, two...))
	f.Add(classic(le, 0xa1b2c3d4, 64, 101, two...))
	f.Add(classic(be, 0xa1b23c4d, 0, 113, two...))
}

// FuzzReaderPcap feeds arbitrary bytes, seeded with classic pcap files,
// to a Reader (see checkReader) and, where it applies, compares NextRaw
// with Next: the same records, offsets and errors.
func FuzzReaderPcap(f *testing.F) {
	addSeeds(f, false)
	f.Fuzz(func(t *testing.T, in []byte) {
		recs, err := checkReader(t, in)
		r, rerr := NewReaderSize(bytes.NewReader(in), "fuzz", 0)
		if rerr != nil || !r.native {
			return
		}
		raw, rawErr := readRaw(t, r)
		if d := cmp.Diff(recs, raw); d != "" || fmt.Sprint(err) != fmt.Sprint(rawErr) {
			t.Fatalf("Next: %v; NextRaw: %v; records (-Next +NextRaw):\n%s", err, rawErr, d)
		}
	})
}

// FuzzReaderPcapng is FuzzReaderPcap's check (checkReader) seeded with
// pcapng files: sections, interfaces, options and packet blocks.
func FuzzReaderPcapng(f *testing.F) {
	addSeeds(f, true)
	f.Fuzz(func(t *testing.T, in []byte) {
		checkReader(t, in) //nolint:errcheck // checkReader fails t itself
	})
}

// checkReader reads in with a Reader, which must never panic, never
// return a record longer than MaxCapLen or beyond the input or with an
// original length the Reader should have refused, and whose records must
// survive a round trip through a Writer. It returns the records and the
// error that ended them (nil at a clean end).
func checkReader(t *testing.T, in []byte) ([]got, error) {
	r, err := NewReaderSize(bytes.NewReader(in), "fuzz", 0)
	if err != nil {
		var pe *Error
		if !errors.As(err, &pe) {
			t.Fatalf("NewReader error %v is not an *Error", err)
		}
		return nil, err
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
			roundTrip(t, r.LinkType(), recs)
			return recs, err
		}
		if len(rec.Data) > MaxCapLen || rec.Time < 0 || r.Offset() > int64(len(in)) || !ValidOrigLen(uint32(len(rec.Data)), rec.OrigLen) {
			t.Fatalf("record of %d bytes, original length %d, at %d ns, offset %d of %d", len(rec.Data), rec.OrigLen, rec.Time, r.Offset(), len(in))
		}
		recs = append(recs, got{rec.Time, rec.OrigLen, string(rec.Data)})
	}
	roundTrip(t, r.LinkType(), recs)
	return recs, nil
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
