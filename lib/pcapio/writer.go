package pcapio

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// MagicNanos is the magic number of nanosecond classic pcap.
const MagicNanos = 0xa1b23c4d

// HeaderLen and RecordHeaderLen are the sizes of the classic pcap file and
// record headers.
const (
	HeaderLen       = 24
	RecordHeaderLen = 16
)

// Writer writes nanosecond little-endian classic pcap through a large
// buffer. Call WriteHeader once, then WriteRecord for each packet, then
// Flush; a failed Flush is the caller's error.
type Writer struct {
	bw       *bufio.Writer
	linkType uint32
	snaplen  uint32
	hdr      [RecordHeaderLen]byte
}

// NewWriter returns a Writer to w with a DefaultBufferSize buffer. A snaplen
// of zero is written as DefaultSnaplen.
func NewWriter(w io.Writer, linkType, snaplen uint32) *Writer {
	return NewWriterSize(w, linkType, snaplen, DefaultBufferSize)
}

// NewWriterSize is NewWriter with a buffer of the given size.
func NewWriterSize(w io.Writer, linkType, snaplen uint32, size int) *Writer {
	if snaplen == 0 {
		snaplen = DefaultSnaplen
	}
	return &Writer{bw: bufio.NewWriterSize(w, size), linkType: linkType, snaplen: snaplen}
}

// Reset discards unflushed data and directs the Writer, with its buffer, to
// w; the next file needs its own WriteHeader.
func (w *Writer) Reset(dst io.Writer) { w.bw.Reset(dst) }

// LinkType returns the link type written in the header.
func (w *Writer) LinkType() uint32 { return w.linkType }

// Snaplen returns the snapshot length written in the header.
func (w *Writer) Snaplen() uint32 { return w.snaplen }

// WriteHeader writes the 24-byte file header.
func (w *Writer) WriteHeader() error {
	var h [HeaderLen]byte
	PutHeader(h[:], w.linkType, w.snaplen)
	_, err := w.bw.Write(h[:])
	return err
}

// PutHeader encodes a nanosecond little-endian pcap file header into
// b[:HeaderLen].
func PutHeader(b []byte, linkType, snaplen uint32) {
	le := binary.LittleEndian
	le.PutUint32(b[0:], MagicNanos)
	le.PutUint16(b[4:], 2)
	le.PutUint16(b[6:], 4)
	le.PutUint32(b[8:], 0)
	le.PutUint32(b[12:], 0)
	le.PutUint32(b[16:], snaplen)
	le.PutUint32(b[20:], linkType)
}

// WriteRecord writes one packet or clock tick.
func (w *Writer) WriteRecord(rec Record) error {
	return w.WritePacket(rec.Time, rec.OrigLen, rec.Data)
}

// WritePacket writes one record stamped ts (nanoseconds since the epoch).
func (w *Writer) WritePacket(ts int64, origLen uint32, data []byte) error {
	if err := PutRecordHeader(w.hdr[:], ts, uint32(len(data)), origLen); err != nil {
		return err
	}
	if _, err := w.bw.Write(w.hdr[:]); err != nil {
		return err
	}
	_, err := w.bw.Write(data)
	return err
}

// WriteRaw writes records already encoded as nanosecond little-endian
// pcap, such as a run of Reader.Raw slices. Large writes bypass the buffer.
func (w *Writer) WriteRaw(b []byte) error {
	_, err := w.bw.Write(b)
	return err
}

// WritePacketParts writes one record stamped ts whose data is head followed
// by body, so that a caller can replace a packet's first bytes without
// copying it. The captured length is len(head)+len(body).
func (w *Writer) WritePacketParts(ts int64, origLen uint32, head, body []byte) error {
	if err := PutRecordHeader(w.hdr[:], ts, uint32(len(head)+len(body)), origLen); err != nil {
		return err
	}
	if _, err := w.bw.Write(w.hdr[:]); err != nil {
		return err
	}
	if _, err := w.bw.Write(head); err != nil {
		return err
	}
	_, err := w.bw.Write(body)
	return err
}

// PutRecordHeader encodes a nanosecond little-endian record header into
// b[:RecordHeaderLen]. Times before 1970 or after 2106 cannot be encoded.
func PutRecordHeader(b []byte, ts int64, capLen, origLen uint32) error {
	if ts < 0 || ts/1e9 > math.MaxUint32 {
		return fmt.Errorf("write record stamped %d ns: %w", ts, ErrTimestamp)
	}
	le := binary.LittleEndian
	le.PutUint32(b[0:], uint32(ts/1e9))
	le.PutUint32(b[4:], uint32(ts%1e9))
	le.PutUint32(b[8:], capLen)
	le.PutUint32(b[12:], origLen)
	return nil
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() error { return w.bw.Flush() }

// Buffered returns the number of bytes written but not yet flushed.
func (w *Writer) Buffered() int { return w.bw.Buffered() }
