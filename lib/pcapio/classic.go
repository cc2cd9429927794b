package pcapio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Link type field layout (libpcap's LT_* macros): the low 16 bits are the
// link type, bits 16-25 are reserved and must be zero, the top bits carry
// an optional FCS length, which readers ignore.
const (
	linkTypeMask     = 0x0000ffff
	linkTypeReserved = 0x03ff0000
)

func (r *Reader) readClassicHeader(magic uint32) error {
	h, err := r.peek(HeaderLen, 0, "file header")
	if err != nil {
		return err
	}
	r.be = magic == magicMicrosS || magic == magicNanosS
	r.format = Format{Nanos: magic == magicNanos || magic == magicNanosS, BigEndian: r.be}
	r.native = magic == magicNanos
	r.tsMul, r.fracLT = 1000, 1000000
	if r.format.Nanos {
		r.tsMul, r.fracLT = 1, 1000000000
	}
	major, minor := r.u16(h[4:]), r.u16(h[6:])
	if major != 2 {
		return r.fail(0, 0, "pcap version %d.%d (want 2.x): %w", major, minor, ErrVersion)
	}
	r.snaplen = r.u32(h[16:])
	lt := r.u32(h[20:])
	if lt&linkTypeReserved != 0 {
		return r.fail(20, 0, "link type field %#08x has reserved bits set: %w", lt, ErrLinkType)
	}
	r.linkType = lt & linkTypeMask
	return r.discard(HeaderLen, 0, "file header")
}

func (r *Reader) u16(b []byte) uint16 {
	if r.be {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (r *Reader) u32(b []byte) uint32 {
	if r.be {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (r *Reader) nextClassic() (Record, error) {
	num := r.packets + 1
	h, err := r.br.Peek(RecordHeaderLen)
	if err != nil {
		if len(h) == 0 && errors.Is(err, io.EOF) {
			return Record{}, io.EOF
		}
		return Record{}, r.readErr(r.off, num, "record header", RecordHeaderLen, len(h), err)
	}
	sec, frac := r.u32(h[0:]), r.u32(h[4:])
	capLen, origLen := r.u32(h[8:]), r.u32(h[12:])
	if err := r.checkLens(capLen, origLen, r.snaplen, num); err != nil {
		return Record{}, err
	}
	if frac >= r.fracLT {
		return Record{}, r.fail(r.off, num, "fraction of a second %d is not below %d: %w", frac, r.fracLT, ErrTimestamp)
	}
	n := RecordHeaderLen + int(capLen)
	b, err := r.br.Peek(n)
	if err != nil {
		return Record{}, r.readErr(r.off, num, "record", n, len(b), err)
	}
	r.br.Discard(n) //nolint:errcheck // n bytes were just peeked
	r.off += int64(n)
	r.packets = num
	if r.native {
		r.raw = b[:n]
	}
	return Record{Time: int64(sec)*1e9 + int64(frac)*r.tsMul, OrigLen: origLen, Data: b[RecordHeaderLen:n:n]}, nil
}

// checkCapLen rejects a captured length above MaxCapLen or above the
// snapshot length recorded for the packet's interface (zero: no limit).
func (r *Reader) checkCapLen(capLen, snaplen uint32, num int64) error {
	if capLen > MaxCapLen {
		return r.fail(r.off, num, "captured length %d exceeds the %d-byte maximum: %w", capLen, MaxCapLen, ErrCapLen)
	}
	if snaplen != 0 && capLen > snaplen {
		return r.fail(r.off, num, "captured length %d exceeds the snapshot length %d: %w", capLen, snaplen, ErrCapLen)
	}
	return nil
}

// checkLens is checkCapLen followed by checkOrigLen.
func (r *Reader) checkLens(capLen, origLen, snaplen uint32, num int64) error {
	if err := r.checkCapLen(capLen, snaplen, num); err != nil {
		return err
	}
	return r.checkOrigLen(capLen, origLen, num)
}

// checkOrigLen rejects an original length above MaxOrigLen or below the
// captured length. A clock tick (both zero) and a record that kept no
// bytes of its packet (captured length 0) pass.
func (r *Reader) checkOrigLen(capLen, origLen uint32, num int64) error {
	if !ValidOrigLen(capLen, origLen) {
		return r.fail(r.off, num, "%s: %w", DescribeOrigLen(capLen, origLen), ErrOrigLen)
	}
	return nil
}

// ValidOrigLen reports whether a record's original length is acceptable
// for its captured length: not below it and not above MaxOrigLen. Parsers
// that read records without a Reader apply the same rule.
func ValidOrigLen(capLen, origLen uint32) bool {
	return origLen >= capLen && origLen <= MaxOrigLen
}

// DescribeOrigLen says what is wrong with an original length that
// ValidOrigLen refuses, for an error message.
func DescribeOrigLen(capLen, origLen uint32) string {
	if origLen > MaxOrigLen {
		return fmt.Sprintf("original length %d exceeds the %d-byte maximum", origLen, MaxOrigLen)
	}
	return fmt.Sprintf("original length %d is smaller than the captured length %d", origLen, capLen)
}
