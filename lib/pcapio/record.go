package pcapio

import (
	"errors"
	"fmt"
)

// Limits that protect readers from hostile input.
const (
	// MaxCapLen is the largest captured length accepted for one packet
	// (256 KiB, libpcap's largest snapshot length for common link types).
	MaxCapLen = 256 * 1024
	// MaxOrigLen is the largest original (wire) length accepted for one
	// packet (16 MiB). Real frames, even TSO/GRO aggregates and jumbo
	// frames, stay far below it; a larger value is a corrupt header.
	MaxOrigLen = 16 << 20
	// MaxInterfaces bounds the interfaces one pcapng section may describe.
	MaxInterfaces = 65536
	// DefaultSnaplen is the snapshot length written when the input has none.
	DefaultSnaplen = 262144
	// DefaultBufferSize is the buffer used by NewReader and NewWriter.
	DefaultBufferSize = 1 << 20
)

// Link types used by name in pcappush. Any other value is passed through.
const (
	LinkTypeNull     uint32 = 0
	LinkTypeEthernet uint32 = 1
	LinkTypeRaw      uint32 = 101
	LinkTypeLinuxSLL uint32 = 113
)

// Sentinel errors wrapped by *Error.
var (
	ErrBadMagic   = errors.New("not a pcap or pcapng file")
	ErrVersion    = errors.New("unsupported file format version")
	ErrTruncated  = errors.New("truncated")
	ErrCapLen     = errors.New("bad captured length")
	ErrOrigLen    = errors.New("bad original length")
	ErrTimestamp  = errors.New("timestamp out of range")
	ErrLinkType   = errors.New("unsupported link type")
	ErrBadBlock   = errors.New("malformed pcapng block")
	ErrInterfaces = errors.New("bad pcapng interface")
)

// Record is one packet, or one clock tick, read from or written to a stream.
type Record struct {
	// Time is the capture time in nanoseconds since the Unix epoch (UTC).
	Time int64
	// OrigLen is the packet's length on the wire; it may exceed len(Data).
	OrigLen uint32
	// Data holds the captured bytes. A Reader's records alias its buffer.
	Data []byte
}

// IsTick reports whether r is a clock tick: no bytes, no wire length.
func (r *Record) IsTick() bool { return len(r.Data) == 0 && r.OrigLen == 0 }

// Error describes malformed input: which input, where, and what.
type Error struct {
	Input  string // name of the input given to NewReader
	Offset int64  // byte offset of the record or block at fault
	Packet int64  // 1-based number of the packet being read; 0 in a file header
	Err    error  // what is wrong, wrapping a sentinel error
}

func (e *Error) Error() string {
	if e.Packet == 0 {
		return fmt.Sprintf("%s: at byte %d: %v", e.Input, e.Offset, e.Err)
	}
	return fmt.Sprintf("%s: packet %d at byte %d: %v", e.Input, e.Packet, e.Offset, e.Err)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Format describes the container of an input stream.
type Format struct {
	PcapNG    bool // pcapng rather than classic pcap
	Nanos     bool // classic pcap with nanosecond timestamps
	BigEndian bool // classic pcap or the first pcapng section is big endian
}

// String returns a short description such as "pcap ns LE" or "pcapng BE".
func (f Format) String() string {
	order := "LE"
	if f.BigEndian {
		order = "BE"
	}
	if f.PcapNG {
		return "pcapng " + order
	}
	res := "us"
	if f.Nanos {
		res = "ns"
	}
	return "pcap " + res + " " + order
}
