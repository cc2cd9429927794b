package pcapio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"testing/iotest"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

type got struct {
	Time    int64
	OrigLen uint32
	Data    string
}

// readAll reads every record, copying the borrowed data.
func readAll(t *testing.T, r *Reader) ([]got, error) {
	t.Helper()
	var out []got
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, got{rec.Time, rec.OrigLen, string(rec.Data)})
	}
}

func TestReadClassic(t *testing.T) {
	pkts := []pkt{
		{sec: 1621849860, frac: 0, capLen: 4, origLen: 60, data: []byte("abcd")},
		{sec: 1621849861, frac: 999, capLen: 0, origLen: 0},
		{sec: 1621849862, frac: 5, capLen: 3, origLen: 3, data: []byte("xyz")},
	}
	tests := []struct {
		name  string
		order binary.ByteOrder
		magic uint32
		mul   int64
		want  Format
	}{
		{"micro LE", binary.LittleEndian, 0xa1b2c3d4, 1000, Format{}},
		{"nano LE", binary.LittleEndian, 0xa1b23c4d, 1, Format{Nanos: true}},
		{"micro BE", binary.BigEndian, 0xa1b2c3d4, 1000, Format{BigEndian: true}},
		{"nano BE", binary.BigEndian, 0xa1b23c4d, 1, Format{Nanos: true, BigEndian: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := classic(tt.order, tt.magic, 65535, 1, pkts...)
			r, err := NewReader(iotest.OneByteReader(bytes.NewReader(in)), "test")
			if err != nil {
				t.Fatal(err)
			}
			if r.Format() != tt.want || r.LinkType() != 1 || r.Snaplen() != 65535 {
				t.Errorf("header = %v link %d snap %d; want %v link 1 snap 65535", r.Format(), r.LinkType(), r.Snaplen(), tt.want)
			}
			recs, err := readAll(t, r)
			if err != nil {
				t.Fatal(err)
			}
			want := []got{
				{1621849860e9, 60, "abcd"},
				{1621849861e9 + 999*tt.mul, 0, ""},
				{1621849862e9 + 5*tt.mul, 3, "xyz"},
			}
			if d := cmp.Diff(want, recs); d != "" {
				t.Errorf("records (-want +got):\n%s", d)
			}
			if r.Offset() != int64(len(in)) || r.Packets() != 3 {
				t.Errorf("offset %d packets %d; want %d and 3", r.Offset(), r.Packets(), len(in))
			}
		})
	}
}

func TestReadPcapNG(t *testing.T) {
	le := &ng{o: binary.LittleEndian}
	le.shb()
	le.block(4, []byte{0, 0, 0, 0})                                 // name resolution: skipped
	le.idb(1, 0)                                                    // microseconds (default)
	le.idb(1, 128, le.opt(9, []byte{9}), le.opt(14, u64(le.o, 10))) // ns, +10 s
	le.epb(0, 1621849860123456, 64, []byte("first"))
	le.epb(1, 1621849860123456789, 1514, []byte("second"))
	le.spb(6, []byte("simple"))   // interface 0, the previous packet's time
	le.block(5, make([]byte, 12)) // interface statistics: skipped
	le.opb(0, 1621849861000000, 3, []byte("old"))
	le.block(0x40000bad, []byte("custom"))
	be := &ng{o: binary.BigEndian}
	be.shb()
	be.idb(1, 0, be.opt(9, []byte{0x80 | 20})) // 2^-20 s
	be.epb(0, 3<<20|1<<19, 2, []byte("be"))    // 3.5 s
	in := append(le.b, be.b...)

	r, err := NewReader(bytes.NewReader(in), "ng")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Format().PcapNG || r.Format().BigEndian || r.LinkType() != 1 || r.Snaplen() != 0 {
		t.Errorf("header = %v link %d snap %d; want pcapng LE link 1 snap 0", r.Format(), r.LinkType(), r.Snaplen())
	}
	recs, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	want := []got{
		{1621849860123456000, 64, "first"},
		{1621849870123456789, 1514, "second"},
		{1621849870123456789, 6, "simple"},
		{1621849861000000000, 3, "old"},
		{3500000000, 2, "be"},
	}
	if d := cmp.Diff(want, recs); d != "" {
		t.Errorf("records (-want +got):\n%s", d)
	}
}

func TestReadEmpty(t *testing.T) {
	in := classic(binary.LittleEndian, 0xa1b2c3d4, 0, 113)
	r, err := NewReader(bytes.NewReader(in), "hdr")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("Next on a header-only file = %v; want io.EOF", err)
	}
	if r.LinkType() != 113 {
		t.Errorf("link type %d; want 113", r.LinkType())
	}
	shbOnly := (&ng{o: binary.LittleEndian}).shb().b
	r, err = NewReader(bytes.NewReader(shbOnly), "shb")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("Next on a section without interfaces = %v; want io.EOF", err)
	}
}

func TestNextAliasesBufferWithoutAllocating(t *testing.T) {
	var pkts []pkt
	for i := 0; i < 1000; i++ {
		pkts = append(pkts, pkt{sec: uint32(i), capLen: 100, origLen: 100, data: bytes.Repeat([]byte{byte(i)}, 100)})
	}
	in := classic(binary.LittleEndian, 0xa1b23c4d, 0, 1, pkts...)
	r, err := NewReader(bytes.NewReader(in), "alias")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := r.Next()
	if cap(a.Data) != len(a.Data) {
		t.Errorf("cap(Data) = %d; want %d so that append cannot clobber the buffer", cap(a.Data), len(a.Data))
	}
	b, _ := r.Next()
	// Consecutive records are views into one buffer, side by side.
	if gap := addr(b.Data) - addr(a.Data); gap != 116 {
		t.Errorf("second record's data starts %d bytes after the first's; want 116 (same buffer)", gap)
	}
	allocs := testing.AllocsPerRun(500, func() {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Next allocates %v times per record; want 0", allocs)
	}
}

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

func TestRawRunsAndCompactHook(t *testing.T) {
	var pkts []pkt
	for i := 0; i < 5000; i++ {
		n := 60 + i%1400
		pkts = append(pkts, pkt{sec: uint32(i), frac: uint32(i), capLen: uint32(n), origLen: uint32(n), data: bytes.Repeat([]byte{byte(i)}, n)})
	}
	in := classic(binary.LittleEndian, 0xa1b23c4d, 0, 1, pkts...)
	r, err := NewReaderSize(iotest.HalfReader(bytes.NewReader(in)), "raw", 0)
	if err != nil {
		t.Fatal(err)
	}
	// Rebuild the input from runs of adjacent raw records, writing a run
	// out when the hook says the buffer will move.
	out := append([]byte(nil), in[:24]...)
	var run []byte
	flush := func() error { out = append(out, run...); run = nil; return nil }
	compactions, records := 0, 0
	r.SetCompactHook(func() error { compactions++; return flush() })
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		records++
		raw := r.Raw()
		if len(run) > 0 && cap(run) > len(run) && &run[:len(run)+1][len(run)] == &raw[0] {
			run = run[:len(run)+len(raw)]
			continue
		}
		flush() //nolint:errcheck
		run = raw
	}
	flush() //nolint:errcheck
	if !bytes.Equal(out, in) {
		t.Fatalf("rebuilt %d bytes from raw runs; want the %d of the input", len(out), len(in))
	}
	if compactions == 0 || compactions > records/10 {
		t.Errorf("%d compactions for %d records; want a few", compactions, records)
	}
	micro := classic(binary.LittleEndian, 0xa1b2c3d4, 0, 1, pkts[0])
	r, _ = NewReader(bytes.NewReader(micro), "micro")
	if _, err := r.Next(); err != nil || r.Raw() != nil {
		t.Errorf("Raw of a microsecond file = %v (%v); want nil", r.Raw(), err)
	}
}

// TestCompactHookErrorIsNotTheInputs: a failing compact hook (the
// consumer's write) ends Next with the hook's own error, not an *Error
// that would blame a packet of the input.
func TestCompactHookErrorIsNotTheInputs(t *testing.T) {
	var pkts []pkt
	for i := 0; i < 2000; i++ {
		pkts = append(pkts, pkt{sec: uint32(i), capLen: 1000, origLen: 1000, data: bytes.Repeat([]byte{1}, 1000)})
	}
	in := classic(binary.LittleEndian, 0xa1b23c4d, 0, 1, pkts...)
	for _, ahead := range []bool{false, true} {
		var r *Reader
		var err error
		if ahead {
			r, err = NewReaderAhead(bytes.NewReader(in), "in", 256<<10)
		} else {
			r, err = NewReaderSize(bytes.NewReader(in), "in", 256<<10)
		}
		if err != nil {
			t.Fatal(err)
		}
		hookErr := errors.New("write out.pcap: disk full")
		r.SetCompactHook(func() error { return hookErr })
		for err == nil {
			_, err = r.Next()
		}
		var perr *Error
		if err != hookErr || errors.As(err, &perr) {
			t.Errorf("ahead %v: Next returned %v (%T); want the hook's error as it is", ahead, err, err)
		}
	}
}
