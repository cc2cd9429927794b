package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// Limits of LastTime's work on one chunk.
const (
	// tailWindow is how much of the end of an uncompressed chunk is read
	// to find its last record.
	tailWindow = 1<<20 + pcapio.MaxCapLen
)

// maxInflate is the largest compressed chunk decompressed whole to find
// its last packet; beyond it the first packet's time stands in. (A
// variable for the tests.)
var maxInflate int64 = 32 << 20

// LastTime returns the time of a chunk's last packet. Uncompressed chunks
// are read from their tail; a compressed chunk is decompressed whole when
// it is at most 32 MiB, otherwise its first packet's time is returned with
// approx set (the last packet is at or after it). ok is false when the
// chunk holds no packet.
func LastTime(path string) (t int64, ok, approx bool, err error) {
	cf, err := OpenFile(path)
	if err != nil {
		return 0, false, false, err
	}
	defer cf.Close() //nolint:errcheck // read-only
	st, err := cf.File.Stat()
	if err != nil {
		return 0, false, false, err
	}
	if cf.Comp != None {
		if st.Size() > maxInflate {
			t, ok, err = FirstTime(path)
			return t, ok, ok, err
		}
		t, ok = scanLast(cf.Reader)
		return t, ok, false, nil
	}
	t, ok = tailTime(cf.File, st.Size())
	return t, ok, false, nil
}

// scanLast reads a whole stream and returns its last packet's time.
func scanLast(r io.Reader) (int64, bool) {
	rd, err := pcapio.NewReader(r, "chunk")
	if err != nil {
		return 0, false
	}
	var t int64
	ok := false
	for {
		rec, err := rd.Next()
		if err != nil {
			return t, ok
		}
		t, ok = rec.Time, true
	}
}

// tailTime finds the last packet of an uncompressed chunk of size bytes.
func tailTime(f io.ReaderAt, size int64) (int64, bool) {
	head := make([]byte, 64<<10)
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, false
	}
	head = head[:n]
	if size <= tailWindow+pcapio.HeaderLen {
		return scanLast(io.NewSectionReader(f, 0, size))
	}
	tail := make([]byte, tailWindow)
	if _, err := f.ReadAt(tail, size-tailWindow); err != nil && !errors.Is(err, io.EOF) {
		return 0, false
	}
	if cf, err := pcapio.ParseClassicHeader(head); err == nil {
		return classicTail(cf, head, tail)
	}
	return ngTail(head, tail)
}

// classicTail finds the last record in the tail of a classic pcap file:
// the first offset from which valid record headers chain to the end (a
// last incomplete record allowed) holds a true record boundary, or a false
// one whose chain merges with the true one; either way the chain's last
// record is the file's. Times must lie near the first packet's.
func classicTail(cf pcapio.ClassicHeader, head, tail []byte) (int64, bool) {
	first, _, _, ok := cf.Record(head[pcapio.HeaderLen:])
	if !ok || len(head) < pcapio.HeaderLen+pcapio.RecordHeaderLen {
		return 0, false
	}
	const slack = 366 * 24 * 3600 * 1e9
	for p := 0; p < pcapio.MaxCapLen+pcapio.RecordHeaderLen && p < len(tail); p++ {
		if t, ok := chainToEnd(cf, tail[p:], first-slack, first+10*slack); ok {
			return t, true
		}
	}
	return 0, false
}

// chainToEnd follows records from the start of b; ok when they chain to
// its end with every header valid and every time within [lo, hi].
func chainToEnd(cf pcapio.ClassicHeader, b []byte, lo, hi int64) (int64, bool) {
	var last int64
	n := 0
	for q := 0; ; n++ {
		if len(b)-q < pcapio.RecordHeaderLen {
			return last, n > 0
		}
		t, capLen, origLen, ok := cf.Record(b[q:])
		if !ok || capLen > origLen || t < lo || t > hi {
			return 0, false
		}
		next := q + pcapio.RecordHeaderLen + int(capLen)
		if next > len(b) {
			return last, n > 0
		}
		last, q = t, next
	}
}

// ngTail finds the last enhanced packet block in the tail of a pcapng file
// and reads its time through pcapio with the file's header blocks.
func ngTail(head, tail []byte) (int64, bool) {
	rd, err := pcapio.NewReader(bytes.NewReader(head), "head")
	if err != nil {
		return 0, false
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if rd.Format().BigEndian {
		order = binary.BigEndian
	}
	hdr := ngHeaderBlocks(head, order)
	for p := len(tail) - 32; p >= 0; p-- {
		if order.Uint32(tail[p:]) != 6 {
			continue
		}
		blen := int(order.Uint32(tail[p+4:]))
		if blen < 32 || blen%4 != 0 || p+blen > len(tail) || int(order.Uint32(tail[p+blen-4:])) != blen {
			continue
		}
		one := append(append([]byte(nil), hdr...), tail[p:p+blen]...)
		r, err := pcapio.NewReader(bytes.NewReader(one), "tail")
		if err != nil {
			continue
		}
		if rec, err := r.Next(); err == nil {
			return rec.Time, true
		}
	}
	return 0, false
}

// ngHeaderBlocks returns the blocks at the start of a pcapng file up to its
// first packet block: the section header and interface descriptions.
func ngHeaderBlocks(head []byte, order binary.ByteOrder) []byte {
	off := 0
	for off+8 <= len(head) {
		typ, blen := order.Uint32(head[off:]), int(order.Uint32(head[off+4:]))
		if typ == 2 || typ == 3 || typ == 6 || blen < 12 || off+blen > len(head) {
			break
		}
		off += blen
	}
	return head[:off]
}
