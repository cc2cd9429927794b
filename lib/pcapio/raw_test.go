package pcapio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/internal/testutil"
)

// readRaw reads every record with NextRaw, decoding the raw headers.
func readRaw(t *testing.T, r *Reader) ([]got, error) {
	t.Helper()
	var out []got
	for {
		raw, err := r.NextRaw()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if &raw[0] != &r.Raw()[0] {
			t.Fatal("Raw differs from what NextRaw returned")
		}
		le := binary.LittleEndian
		if int(le.Uint32(raw[8:])) != len(raw)-RecordHeaderLen {
			t.Fatalf("raw record of %d bytes says caplen %d", len(raw), le.Uint32(raw[8:]))
		}
		out = append(out, got{int64(le.Uint32(raw))*1e9 + int64(le.Uint32(raw[4:])), le.Uint32(raw[12:]), string(raw[RecordHeaderLen:])})
	}
}

// recordAt returns the offset of record k (from 0) of a classic pcap file.
func recordAt(b []byte, k int) int {
	off := HeaderLen
	for ; k > 0; k-- {
		off += RecordHeaderLen + int(binary.LittleEndian.Uint32(b[off+8:]))
	}
	return off
}

// TestNextRawEqualsNext: on nanosecond little-endian input, whole, cut
// anywhere or with a bad record, NextRaw returns Next's records and
// errors, through a plain and a read-ahead Reader; other input gives
// ErrNotRaw.
func TestNextRawEqualsNext(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, LinkTypeEthernet, 1000)
	if err := w.WriteHeader(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		if err := w.WritePacket(int64(i)*1e6+int64(i), uint32(i*13%900+i%3), make([]byte, i*13%900)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	badLen := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(badLen[recordAt(good, 3)+8:], 1001) // packet 4's caplen, over the snaplen
	badNs := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(badNs[recordAt(good, 0)+4:], 1e9) // packet 1's nanoseconds
	badOrig := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(badOrig[recordAt(good, 5)+12:], 0) // packet 6's original length, below its caplen
	hugeOrig := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(hugeOrig[recordAt(good, 7)+12:], MaxOrigLen+1) // packet 8's
	inputs := map[string][]byte{"good": good, "bad caplen": badLen, "bad ns": badNs, "bad origlen": badOrig, "bad huge origlen": hugeOrig}
	for n := 0; n < len(good); n += 1 + n/50*7 {
		inputs[string(rune(n))] = good[:n]
	}
	for name, in := range inputs {
		for _, ahead := range []bool{false, true} {
			open := func() (*Reader, error) {
				if ahead {
					return NewReaderAhead(bytes.NewReader(in), "in", 512)
				}
				return NewReader(bytes.NewReader(in), "in")
			}
			r1, err1 := open()
			r2, err2 := open()
			if (err1 == nil) != (err2 == nil) {
				t.Fatalf("%q: %v, %v", name, err1, err2)
			}
			if err1 != nil {
				continue
			}
			want, werr := readAll(t, r1)
			have, herr := readRaw(t, r2)
			if strings.HasPrefix(name, "bad") && (werr == nil || len(want) != map[string]int{"bad caplen": 3, "bad ns": 0, "bad origlen": 5, "bad huge origlen": 7}[name]) {
				t.Errorf("%q: %d records then %v; want the fault found", name, len(want), werr)
			}
			if d := cmp.Diff(want, have); d != "" || fmt.Sprint(werr) != fmt.Sprint(herr) || r1.Offset() != r2.Offset() || r1.Packets() != r2.Packets() {
				t.Errorf("%q (ahead %v): errors %v, %v; (-Next +NextRaw):\n%s", name, ahead, werr, herr, d)
			}
			r1.Close()
			r2.Close()
		}
	}
	f, err := os.Open(testutil.Corpus(t, "gre-within-gre.pcap")) // microseconds
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f, "us")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.NextRaw(); !errors.Is(err, ErrNotRaw) {
		t.Errorf("microsecond input: NextRaw = %v; want ErrNotRaw", err)
	}
}
