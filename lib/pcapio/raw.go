package pcapio

import (
	"encoding/binary"
	"errors"
)

// ErrNotRaw is returned by NextRaw for input that is not nanosecond
// little-endian classic pcap.
var ErrNotRaw = errors.New("input is not in the stream format: use Next")

// NextRaw is a faster Next for input that Raw applies to (nanosecond
// little-endian classic pcap, the stream format): it returns the next
// record as read, its 16-byte header then its data, without decoding it.
// The header holds, little endian, the seconds, the nanoseconds, the
// captured length and the original length. NextRaw checks what Next
// checks and returns the same errors; the slice aliases the buffer as Raw
// does, and Raw returns it too. Other input gives ErrNotRaw.
func (r *Reader) NextRaw() ([]byte, error) {
	if !r.native {
		return nil, ErrNotRaw
	}
	b := r.br
	if avail := b.w - b.r; avail >= RecordHeaderLen {
		h := b.buf[b.r : b.r+RecordHeaderLen]
		capLen, origLen := binary.LittleEndian.Uint32(h[8:]), binary.LittleEndian.Uint32(h[12:])
		n := RecordHeaderLen + int(capLen)
		if avail >= n && capLen <= MaxCapLen && (r.snaplen == 0 || capLen <= r.snaplen) && ValidOrigLen(capLen, origLen) && binary.LittleEndian.Uint32(h[4:]) < 1e9 {
			raw := b.buf[b.r : b.r+n : b.r+n]
			b.r += n
			r.off += int64(n)
			r.packets++
			r.raw = raw
			return raw, nil
		}
	}
	// A record cut by the end of the buffer, or a bad one: Next reads
	// more or reports the fault.
	if _, err := r.nextClassic(); err != nil {
		return nil, err
	}
	return r.raw, nil
}
