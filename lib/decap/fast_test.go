package decap

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// stream writes packets (and a tick every 50) as nanosecond LE pcap.
func stream(t *testing.T, pkts [][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := pcapio.NewWriter(&b, 1, 0)
	if err := w.WriteHeader(); err != nil {
		t.Fatal(err)
	}
	for i, p := range pkts {
		ts := 1621849860e9 + int64(i)*1e6
		if i%50 == 0 {
			if err := w.WritePacket(ts, 0, nil); err != nil {
				t.Fatal(err)
			}
		}
		orig := uint32(len(p))
		if i%9 == 0 {
			orig += 100 // cut by a snapshot length
		}
		if err := w.WritePacket(ts, orig, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bigEndian rewrites a nanosecond LE pcap stream as nanosecond BE pcap,
// which Run reads through pcapio rather than the fast path.
func bigEndian(t *testing.T, le []byte) []byte {
	t.Helper()
	out := bytes.Clone(le)
	swap := func(b []byte) { binary.BigEndian.PutUint32(b, binary.LittleEndian.Uint32(b)) }
	swap(out[0:])
	binary.BigEndian.PutUint16(out[4:], 2)
	binary.BigEndian.PutUint16(out[6:], 4)
	swap(out[16:])
	swap(out[20:])
	for p := pcapio.HeaderLen; p+16 <= len(out); {
		n := int(binary.LittleEndian.Uint32(out[p+8:]))
		for _, f := range []int{0, 4, 8, 12} {
			swap(out[p+f:])
		}
		p += 16 + n
	}
	return out
}

// setOrig returns a copy of stream b with the original length of the
// first record at or after byte off set to orig.
func setOrig(b []byte, off int, orig uint32) []byte {
	c := bytes.Clone(b)
	p := pcapio.HeaderLen
	for p < off {
		p += pcapio.RecordHeaderLen + int(binary.LittleEndian.Uint32(c[p+8:]))
	}
	binary.LittleEndian.PutUint32(c[p+12:], orig)
	return c
}

func run(t *testing.T, in []byte) ([]byte, Stats, error) {
	t.Helper()
	var out bytes.Buffer
	st, err := Run(context.Background(), bytes.NewReader(in), "in", &out, Options{}, nil)
	return out.Bytes(), st, err
}

// TestFastPathMatchesPcapio: the fast path (LE input) and the pcapio path
// (the same records, BE) give byte-identical output and the same errors.
func TestFastPathMatchesPcapio(t *testing.T) {
	le := stream(t, append(mixed(t, 3000), corpusPackets(t, 30)...))
	be := bigEndian(t, le)
	fast, fst, ferr := run(t, le)
	slow, sst, serr := run(t, be)
	if ferr != nil || serr != nil {
		t.Fatalf("errors %v, %v", ferr, serr)
	}
	if !bytes.Equal(fast, slow) {
		t.Fatalf("fast path output (%d bytes) differs from pcapio's (%d bytes)", len(fast), len(slow))
	}
	if fst != sst || fst.Changed == 0 || fst.Ticks == 0 {
		t.Fatalf("stats %+v and %+v; want equal, with changes and ticks", fst, sst)
	}
	third := len(le) / 3
	cases := []struct {
		name string
		cut  func([]byte) []byte
	}{
		{"cut mid-record", func(b []byte) []byte { return b[:third] }},
		{"cut mid-header", func(b []byte) []byte { return b[:pcapio.HeaderLen+16+60+5] }},
		{"captured length too big", func(b []byte) []byte {
			c := bytes.Clone(b)
			binary.LittleEndian.PutUint32(c[pcapio.HeaderLen+8:], 300000)
			return c
		}},
		{"original length below captured", func(b []byte) []byte { return setOrig(b, 2000, 1) }},
		{"original length over 16 MiB", func(b []byte) []byte { return setOrig(b, 2500, pcapio.MaxOrigLen+1) }},
	}
	for _, tc := range cases {
		lb := tc.cut(le)
		fo, _, fe := run(t, lb)
		so, _, se := run(t, bigEndian(t, lb))
		if fe == nil || se == nil || fe.Error() != se.Error() {
			t.Errorf("%s: fast path error %v; pcapio's %v", tc.name, fe, se)
		}
		if want := strings.HasPrefix(tc.name, "original"); want != errors.Is(fe, pcapio.ErrOrigLen) {
			t.Errorf("%s: fast path error %v; ErrOrigLen expected: %v", tc.name, fe, want)
		}
		if !bytes.Equal(fo, so) {
			t.Errorf("%s: output before the error differs (%d and %d bytes)", tc.name, len(fo), len(so))
		}
	}
}

func TestFastPathSmallWriterAndTicksOnly(t *testing.T) {
	in := stream(t, nil)
	out, st, err := run(t, in)
	if err != nil || !bytes.Equal(out, in) || st.Packets != 0 {
		t.Fatalf("empty stream: %v, %+v, %d bytes; want it unchanged", err, st, len(out))
	}
}
