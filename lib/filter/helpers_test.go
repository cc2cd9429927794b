package filter

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/pcappush/pcappush/lib/pcapio"
	"github.com/pcappush/pcappush/lib/synth"
)

// rec is a record to build or compare: time in ns, wire length, bytes.
type rec struct {
	Time    int64
	OrigLen uint32
	Data    string
}

// encoding is how a test input is written.
type encoding int

const (
	nsLE encoding = iota // the stream format
	usLE
	nsBE
)

// build writes a classic pcap file of recs.
func build(enc encoding, linkType, snaplen uint32, recs ...rec) []byte {
	var o binary.ByteOrder = binary.LittleEndian
	magic, div := uint32(0xa1b23c4d), int64(1)
	switch enc {
	case usLE:
		magic, div = 0xa1b2c3d4, 1000
	case nsBE:
		o = binary.BigEndian
	}
	b := make([]byte, 24, 1024)
	o.PutUint32(b[0:], magic)
	o.PutUint16(b[4:], 2)
	o.PutUint16(b[6:], 4)
	o.PutUint32(b[16:], snaplen)
	o.PutUint32(b[20:], linkType)
	for _, r := range recs {
		h := make([]byte, 16)
		o.PutUint32(h[0:], uint32(r.Time/1e9))
		o.PutUint32(h[4:], uint32(r.Time%1e9/div))
		o.PutUint32(h[8:], uint32(len(r.Data)))
		o.PutUint32(h[12:], r.OrigLen)
		b = append(append(b, h...), r.Data...)
	}
	return b
}

// parse reads every record of a stream; it fails the test on a bad one.
func parse(t testing.TB, b []byte) (linkType, snaplen uint32, recs []rec) {
	t.Helper()
	r, err := pcapio.NewReader(bytes.NewReader(b), "output")
	if err != nil {
		t.Fatal(err)
	}
	for {
		x, err := r.Next()
		if errors.Is(err, io.EOF) {
			return r.LinkType(), r.Snaplen(), recs
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec{x.Time, x.OrigLen, string(x.Data)})
	}
}

// run filters in through Run and returns the output.
func run(t testing.TB, in []byte, expr string) ([]byte, Stats, error) {
	t.Helper()
	var out bytes.Buffer
	st, err := Run(context.Background(), bytes.NewReader(in), "in", &out, Options{Expr: expr})
	return out.Bytes(), st, err
}

// frame returns an Ethernet frame of ethertype et carrying payload.
func frame(et uint16, payload []byte) string {
	b := make([]byte, 14, 14+len(payload))
	copy(b[0:], []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	binary.BigEndian.PutUint16(b[12:], et)
	return string(append(b, payload...))
}

// ipv4 returns an IPv4 header (no options) for protocol proto from src to
// dst, followed by payload.
func ipv4(proto byte, src, dst [4]byte, payload []byte) []byte {
	b := make([]byte, 20, 20+len(payload))
	b[0] = 0x45
	binary.BigEndian.PutUint16(b[2:], uint16(20+len(payload)))
	b[8], b[9] = 64, proto
	copy(b[12:], src[:])
	copy(b[16:], dst[:])
	return append(b, payload...)
}

// tcpSeg returns a TCP header from port sp to dp with flags.
func tcpSeg(sp, dp uint16, flags byte) []byte {
	b := make([]byte, 20)
	binary.BigEndian.PutUint16(b[0:], sp)
	binary.BigEndian.PutUint16(b[2:], dp)
	b[12], b[13] = 0x50, flags
	return b
}

// generated returns n synthetic Ethernet packets as a stream.
func generated(t testing.TB, seed, n int64) []byte {
	t.Helper()
	opt := synth.DefaultOptions()
	opt.Seed, opt.Packets, opt.Encap = seed, n, 0.3
	var b bytes.Buffer
	if _, err := synth.Generate(context.Background(), &b, opt); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
