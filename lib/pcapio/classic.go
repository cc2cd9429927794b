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

// ClassicHeader is what a classic pcap file header says: the one
// decoder of it, used by Reader and by stream_cat's chunk readers.
type ClassicHeader struct {
	BigEndian    bool
	Nanos        bool
	Major, Minor uint16
	Snaplen      uint32 // as written; 0 means none
	LinkType     uint32 // without the FCS bits
}

// ParseClassicHeader decodes a classic pcap file header, the first
// HeaderLen bytes of h. Anything else is an *Error without Input: a magic
// of another format (ErrBadMagic; pcapng included), a version other than
// 2 (ErrVersion), reserved link-type bits (ErrLinkType, at byte 20), or
// fewer than HeaderLen bytes (ErrTruncated).
func ParseClassicHeader(h []byte) (ClassicHeader, error) {
	if len(h) < HeaderLen {
		return ClassicHeader{}, &Error{Err: fmt.Errorf("file header cut short: %d of %d bytes: %w", len(h), HeaderLen, ErrTruncated)}
	}
	var c ClassicHeader
	switch magic := binary.LittleEndian.Uint32(h); magic {
	case magicNanos:
		c.Nanos = true
	case magicMicros:
	case magicNanosS:
		c.Nanos, c.BigEndian = true, true
	case magicMicrosS:
		c.BigEndian = true
	default:
		return c, &Error{Err: fmt.Errorf("magic %#08x%s: %w", magic, compressedHint(h), ErrBadMagic)}
	}
	o := c.Order()
	c.Major, c.Minor = o.Uint16(h[4:]), o.Uint16(h[6:])
	if c.Major != 2 {
		return c, &Error{Err: fmt.Errorf("pcap version %d.%d (want 2.x): %w", c.Major, c.Minor, ErrVersion)}
	}
	c.Snaplen = o.Uint32(h[16:])
	lt := o.Uint32(h[20:])
	if lt&linkTypeReserved != 0 {
		return c, &Error{Offset: 20, Err: fmt.Errorf("link type field %#08x has reserved bits set: %w", lt, ErrLinkType)}
	}
	c.LinkType = lt & linkTypeMask
	return c, nil
}

// Order returns the header's byte order.
func (c ClassicHeader) Order() binary.ByteOrder {
	if c.BigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// Native reports whether records are already in the stream's form:
// nanosecond, little endian.
func (c ClassicHeader) Native() bool { return c.Nanos && !c.BigEndian }

// CapLimit returns the largest captured length a record may have: the
// snapshot length, or MaxCapLen when that is 0 or larger.
func (c ClassicHeader) CapLimit() uint32 {
	if c.Snaplen != 0 && c.Snaplen < MaxCapLen {
		return c.Snaplen
	}
	return MaxCapLen
}

// Record decodes a record header (RecordHeaderLen bytes of b): its time
// in nanoseconds, captured and original length; ok is false when the
// header cannot be valid (a fraction out of range, a captured length over
// CapLimit).
func (c ClassicHeader) Record(b []byte) (t int64, capLen, origLen uint32, ok bool) {
	o := c.Order()
	sec, frac := o.Uint32(b), o.Uint32(b[4:])
	capLen, origLen = o.Uint32(b[8:]), o.Uint32(b[12:])
	mul, lim := int64(1000), uint32(1e6)
	if c.Nanos {
		mul, lim = 1, 1e9
	}
	return int64(sec)*1e9 + int64(frac)*mul, capLen, origLen, frac < lim && capLen <= c.CapLimit()
}

func (r *Reader) readClassicHeader() error {
	h, err := r.peek(HeaderLen, 0, "file header")
	if err != nil {
		return err
	}
	c, err := ParseClassicHeader(h)
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			pe.Input = r.name
		}
		return err
	}
	r.be = c.BigEndian
	r.format = Format{Nanos: c.Nanos, BigEndian: c.BigEndian}
	r.native = c.Native()
	r.tsMul, r.fracLT = 1000, 1000000
	if c.Nanos {
		r.tsMul, r.fracLT = 1, 1000000000
	}
	r.snaplen, r.linkType = c.Snaplen, c.LinkType
	return r.discard(HeaderLen, 0, "file header")
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
