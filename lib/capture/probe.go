package capture

import (
	"bufio"
	"encoding/binary"
	"io"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// classicFormat is what a classic pcap file header says.
type classicFormat struct {
	order binary.ByteOrder
	mul   int64  // ns per unit of the fraction
	lim   uint32 // fractions must be below this
	snap  uint32 // largest captured length accepted
}

// parseClassicHeader reads a classic pcap file header; ok is false for
// anything else (pcapng, garbage).
func parseClassicHeader(h []byte) (classicFormat, bool) {
	if len(h) < pcapio.HeaderLen {
		return classicFormat{}, false
	}
	f := classicFormat{order: binary.LittleEndian, mul: 1, lim: 1e9}
	switch binary.LittleEndian.Uint32(h) {
	case 0xa1b23c4d:
	case 0x4d3cb2a1:
		f.order = binary.BigEndian
	case 0xa1b2c3d4:
		f.mul, f.lim = 1000, 1e6
	case 0xd4c3b2a1:
		f.order, f.mul, f.lim = binary.BigEndian, 1000, 1e6
	default:
		return f, false
	}
	f.snap = pcapio.MaxCapLen
	if s := f.order.Uint32(h[16:]); s != 0 && s < f.snap {
		f.snap = s
	}
	return f, true
}

// record parses a record header: time, captured and original length; ok
// is false when the header cannot be valid.
func (f classicFormat) record(h []byte) (t int64, capLen, origLen uint32, ok bool) {
	sec, frac := f.order.Uint32(h), f.order.Uint32(h[4:])
	capLen, origLen = f.order.Uint32(h[8:]), f.order.Uint32(h[12:])
	ok = frac < f.lim && capLen <= f.snap
	return int64(sec)*1e9 + int64(frac)*f.mul, capLen, origLen, ok
}

// FirstTime returns the time of a chunk's first packet, reading as little
// of it as it can; ok is false when the chunk holds no complete packet.
func FirstTime(path string) (t int64, ok bool, err error) {
	cf, err := OpenFile(path)
	if err != nil {
		return 0, false, err
	}
	defer cf.Close() //nolint:errcheck // read-only
	t, ok = firstTime(cf.Reader)
	return t, ok, nil
}

// firstTime reads the first packet's time from a chunk's data.
func firstTime(r io.Reader) (int64, bool) {
	br := bufio.NewReaderSize(r, 4096)
	h, err := br.Peek(pcapio.HeaderLen + pcapio.RecordHeaderLen)
	if f, classic := parseClassicHeader(h); classic {
		if err != nil {
			return 0, false
		}
		t, _, _, valid := f.record(h[pcapio.HeaderLen:])
		return t, valid
	}
	rd, err := pcapio.NewReader(br, "chunk")
	if err != nil {
		return 0, false
	}
	rec, err := rd.Next()
	if err != nil {
		return 0, false
	}
	return rec.Time, true
}
