package pcapio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Magic numbers of the formats a Reader recognises, as read little endian.
const (
	magicMicros  = 0xa1b2c3d4
	magicNanos   = 0xa1b23c4d
	magicMicrosS = 0xd4c3b2a1
	magicNanosS  = 0x4d3cb2a1
	magicNG      = 0x0a0d0d0a
)

// Reader reads packets from a classic pcap or pcapng stream. It is not safe
// for concurrent use.
type Reader struct {
	name     string
	br       *rbuf
	off      int64 // bytes consumed from the input
	packets  int64 // records returned
	format   Format
	linkType uint32
	snaplen  uint32

	// classic pcap
	native bool   // nanosecond little endian: records are already in output form
	raw    []byte // the last record as read, when native
	be     bool
	tsMul  int64
	fracLT uint32

	ng *ngState // non-nil for pcapng
}

// NewReader reads the file header from r and returns a Reader for the
// records that follow. name identifies the input in errors ("stdin", a file
// name). For pcapng, blocks up to the first interface description are read
// so that LinkType is known.
func NewReader(r io.Reader, name string) (*Reader, error) {
	return NewReaderSize(r, name, DefaultBufferSize)
}

// NewReaderSize is NewReader with a read buffer of the given size, raised to
// hold at least one maximal record.
func NewReaderSize(r io.Reader, name string, size int) (*Reader, error) {
	if min := 2*MaxCapLen + 64*1024; size < min {
		size = min
	}
	rd := &Reader{name: name, br: newRBuf(r, size)}
	if err := rd.readHeader(); err != nil {
		return nil, err
	}
	return rd, nil
}

// Name returns the input's name as given to NewReader.
func (r *Reader) Name() string { return r.name }

// LinkType returns the stream's link type (for pcapng, the first
// interface's).
func (r *Reader) LinkType() uint32 { return r.linkType }

// Snaplen returns the snapshot length of a classic pcap header; zero means
// none was recorded, and is always the answer for pcapng, whose interfaces
// may differ.
func (r *Reader) Snaplen() uint32 { return r.snaplen }

// Format describes the input's container.
func (r *Reader) Format() Format { return r.format }

// Offset returns the number of input bytes consumed so far.
func (r *Reader) Offset() int64 { return r.off }

// Packets returns the number of records returned so far.
func (r *Reader) Packets() int64 { return r.packets }

// Raw returns the bytes of the record last returned by Next, header
// included, exactly as read, when the input is nanosecond little-endian
// classic pcap (the form Writer writes); otherwise nil. Like Record.Data it
// aliases the Reader's buffer: records returned one after another are
// adjacent in it until the buffer is compacted, which is announced to the
// function set with SetCompactHook. A consumer can therefore write a run of
// records with a single write.
func (r *Reader) Raw() []byte { return r.raw }

// SetCompactHook sets a function called before the Reader moves buffered
// data, which invalidates every slice it has returned so far. A consumer
// holding such slices writes them out in fn. An error from fn is returned
// as it is (not as an *Error: the input is not at fault) by the Next that
// triggered it.
func (r *Reader) SetCompactHook(fn func() error) { r.br.compact = fn }

// Next returns the next record. Its Data aliases the Reader's buffer and
// is valid only until the next call. At the clean end of the input it
// returns io.EOF; a malformed or cut input gives an *Error.
func (r *Reader) Next() (Record, error) {
	if r.ng != nil {
		return r.nextNG()
	}
	return r.nextClassic()
}

func (r *Reader) fail(off int64, packet int64, format string, args ...any) error {
	return &Error{Input: r.name, Offset: off, Packet: packet, Err: fmt.Errorf(format, args...)}
}

func (r *Reader) readHeader() error {
	b, err := r.br.Peek(4)
	if err != nil {
		if errors.Is(err, io.EOF) && len(b) == 0 {
			return r.fail(0, 0, "empty input: %w", ErrTruncated)
		}
		return r.readErr(0, 0, "file header", 4, len(b), err)
	}
	magic := binary.LittleEndian.Uint32(b)
	switch magic {
	case magicNG:
		return r.readSectionHeader(true)
	case magicMicros, magicNanos, magicMicrosS, magicNanosS:
		return r.readClassicHeader()
	}
	return r.fail(0, 0, "magic %#08x%s: %w", magic, compressedHint(b), ErrBadMagic)
}

// compressedHint names the compressor whose magic starts b, if any.
func compressedHint(b []byte) string {
	switch {
	case len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b:
		return " (gzip data: decompress it first)"
	case len(b) >= 4 && binary.LittleEndian.Uint32(b) == 0xfd2fb528:
		return " (zstd data: decompress it first)"
	case len(b) >= 4 && binary.LittleEndian.Uint32(b) == 0x184d2204:
		return " (lz4 data: decompress it first)"
	}
	return ""
}

// readErr turns a short read of want bytes at off into an *Error.
func (r *Reader) readErr(off, packet int64, what string, want, got int, err error) error {
	var he hookError
	if errors.As(err, &he) {
		return he.err // the consumer's own failure, not the input's
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return r.fail(off, packet, "%s cut short: %d of %d bytes present: %w", what, got, want, ErrTruncated)
	}
	return &Error{Input: r.name, Offset: off, Packet: packet, Err: err}
}

// peek returns the next n bytes without consuming them.
func (r *Reader) peek(n int, packet int64, what string) ([]byte, error) {
	b, err := r.br.Peek(n)
	if err != nil {
		return nil, r.readErr(r.off, packet, what, n, len(b), err)
	}
	return b, nil
}

// discard consumes n bytes that were peeked or are to be skipped.
func (r *Reader) discard(n int, packet int64, what string) error {
	d, err := r.br.Discard(n)
	r.off += int64(d)
	if err != nil {
		return r.readErr(r.off-int64(d), packet, what, n, d, err)
	}
	return nil
}
