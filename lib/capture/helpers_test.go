package capture

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// tp is a test packet: time in ns and bytes.
type tp struct {
	t    int64
	data string
}

// variant is a classic pcap flavour.
type variant struct {
	order binary.ByteOrder
	micro bool
}

var (
	nsLE = variant{binary.LittleEndian, false}
	usLE = variant{binary.LittleEndian, true}
	nsBE = variant{binary.BigEndian, false}
	usBE = variant{binary.BigEndian, true}
)

// pcapFile encodes packets as a classic pcap file of the variant.
func pcapFile(v variant, linkType uint32, pkts ...tp) []byte {
	magic := uint32(0xa1b23c4d)
	if v.micro {
		magic = 0xa1b2c3d4
	}
	b := make([]byte, 24)
	v.order.PutUint32(b, magic)
	v.order.PutUint16(b[4:], 2)
	v.order.PutUint16(b[6:], 4)
	v.order.PutUint32(b[16:], 65535)
	v.order.PutUint32(b[20:], linkType)
	for _, p := range pkts {
		h := make([]byte, 16)
		frac := uint32(p.t % 1e9)
		if v.micro {
			frac /= 1000
		}
		v.order.PutUint32(h, uint32(p.t/1e9))
		v.order.PutUint32(h[4:], frac)
		v.order.PutUint32(h[8:], uint32(len(p.data)))
		v.order.PutUint32(h[12:], uint32(len(p.data)+4))
		b = append(append(b, h...), p.data...)
	}
	return b
}

// ngFile encodes packets as little-endian pcapng with nanosecond stamps.
func ngFile(linkType uint32, pkts ...tp) []byte {
	le := binary.LittleEndian
	block := func(b []byte, typ uint32, body []byte) []byte {
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
		n := uint32(12 + len(body))
		b = le.AppendUint32(le.AppendUint32(b, typ), n)
		return le.AppendUint32(append(b, body...), n)
	}
	shb := le.AppendUint32(nil, 0x1a2b3c4d)
	shb = le.AppendUint16(le.AppendUint16(shb, 1), 0)
	shb = le.AppendUint64(shb, ^uint64(0))
	b := block(nil, 0x0a0d0d0a, shb)
	idb := le.AppendUint32(le.AppendUint16(le.AppendUint16(nil, uint16(linkType)), 0), 0)
	idb = append(le.AppendUint16(le.AppendUint16(idb, 9), 1), 9, 0, 0, 0)
	idb = le.AppendUint32(idb, 0)
	b = block(b, 1, idb)
	for _, p := range pkts {
		e := le.AppendUint32(nil, 0)
		e = le.AppendUint32(le.AppendUint32(e, uint32(uint64(p.t)>>32)), uint32(p.t))
		e = le.AppendUint32(le.AppendUint32(e, uint32(len(p.data))), uint32(len(p.data)+4))
		b = block(b, 6, append(e, p.data...))
	}
	return b
}

// pkts makes n packets from time start, step ns apart, with sizes varying.
func pkts(start, step int64, n int, tag string) []tp {
	out := make([]tp, n)
	for i := range out {
		out[i] = tp{start + int64(i)*step, strings.Repeat(tag, 1+i%37)}
	}
	return out
}

// compress returns b compressed by c.
func compress(t testing.TB, c Compression, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch c {
	case Gzip:
		w = gzip.NewWriter(&buf)
	case Zstd:
		zw, err := zstd.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		w = zw
	case LZ4:
		w = lz4.NewWriter(&buf)
	default:
		return b
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeFile writes a file under dir.
func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// rec is a record read back from a stream, copied.
type rec struct {
	T    int64
	Data string
	Tick bool
}

// parse reads a whole stream, ticks included.
func parse(t testing.TB, b []byte) []rec {
	t.Helper()
	r, err := pcapio.NewReader(bytes.NewReader(b), "out")
	if err != nil {
		t.Fatalf("output: %v", err)
	}
	if r.LinkType() != 1 || r.Snaplen() != pcapio.DefaultSnaplen || r.Format().String() != "pcap ns LE" {
		t.Fatalf("output header: link %d snaplen %d %s", r.LinkType(), r.Snaplen(), r.Format())
	}
	var out []rec
	for {
		x, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("output: %v", err)
		}
		out = append(out, rec{x.Time, string(x.Data), x.IsTick()})
	}
}

// packetsOf drops the ticks.
func packetsOf(rs []rec) []rec {
	var out []rec
	for _, r := range rs {
		if !r.Tick {
			out = append(out, r)
		}
	}
	return out
}

// want turns test packets into the records expected back.
func want(ps ...[]tp) []rec {
	var out []rec
	for _, p := range ps {
		for _, x := range p {
			out = append(out, rec{T: x.t, Data: x.data})
		}
	}
	return out
}

// run runs Cat on a capture folder and returns stdout and the log.
func run(t testing.TB, dir string, opts Options) ([]byte, string, Stats, error) {
	t.Helper()
	c, err := Resolve("", dir)
	if err != nil {
		t.Fatal(err)
	}
	var out, log bytes.Buffer
	opts.Log = &log
	st, err := Cat(context.Background(), c, &out, opts)
	return out.Bytes(), log.String(), st, err
}

// sameRecs compares record lists briefly.
func sameRecs(t testing.TB, what string, got, want []rec) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d records; want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: record %d = {%d %d bytes tick %v}; want {%d %d bytes tick %v}", what, i, got[i].T, len(got[i].Data), got[i].Tick, want[i].T, len(want[i].Data), want[i].Tick)
		}
	}
}
