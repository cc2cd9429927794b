package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// readBufSize is the read buffer of classic pcap chunks: records are
// validated in place and written out in spans of up to this size. It holds
// one record of the largest size; larger buffers measured slower, as the
// record headers parsed and the spans written fall out of the CPU caches.
const readBufSize = 320 << 10

// moveBufSize is the read buffer of chunks whose records the kernel moves
// to the output (see output.spanAt): only their headers are read from it,
// so the cache argument above does not hold, and a larger buffer means
// fewer reads and fewer, larger moves. (Measured against readBufSize for
// stream_cat CAPTURE | cat: 8% to 30% less wall time in four of five
// alternating series of 9 to 15 runs, even in the fifth; never more CPU.)
const moveBufSize = 1 << 20

// pcapChunk reads one classic pcap chunk through a large buffer. Record
// headers are validated where they lie and, unless the chunk is already
// nanosecond little endian, rewritten in place into that form (the header
// size is the same), so that runs of records are written out as one slice.
type pcapChunk struct {
	src    io.Reader
	seeker io.Seeker // non-nil for an uncompressed file: resume by seeking
	file   *os.File  // the uncompressed file, which spans may be moved from
	name   string
	buf    []byte
	r, w   int   // bytes not yet parsed: buf[r:w]
	base   int64 // chunk offset of buf[0]
	eof    bool  // the last fill reached the end of the data present
	skipTo int64 // drop records before this offset (resume)
	count  int64 // records read, for messages

	header   bool // file header parsed
	be       bool
	micro    bool
	limit    uint32 // largest captured length accepted
	linkType uint32
}

func newPCAPChunk(cf *ChunkFile, name string, buf []byte, skipTo int64) *pcapChunk {
	c := &pcapChunk{src: cf.Reader, name: name, buf: buf, skipTo: skipTo}
	if cf.Comp == None {
		c.seeker, c.file = cf.File, cf.File
	}
	return c
}

// movable reports whether the records in the buffer are the file's bytes
// unchanged: an uncompressed chunk already in the stream's form, whose
// spans the output may move from the file itself (see output.spanAt).
func (c *pcapChunk) movable() bool { return c.file != nil && !c.be && !c.micro }

// run emits every complete record present. It returns nil when the data
// present is used up; pending then tells whether part of a record is left.
func (c *pcapChunk) run(s *sink) error {
	c.eof = false
	for {
		if !c.header {
			if err := c.readHeader(s); err != nil || !c.header {
				return err
			}
		}
		if err := c.records(s); err != nil {
			return err
		}
		if c.eof {
			return nil
		}
		if err := c.fill(s); err != nil {
			return err
		}
	}
}

// fill moves the unparsed bytes to the front and reads until the buffer is
// full or the data present ends.
func (c *pcapChunk) fill(s *sink) error {
	if s.stopped() {
		return errStopped
	}
	if c.r > 0 {
		n := copy(c.buf, c.buf[c.r:c.w])
		c.base += int64(c.r)
		c.r, c.w = 0, n
	}
	for c.w < len(c.buf) {
		n, err := c.src.Read(c.buf[c.w:])
		c.w += n
		if errors.Is(err, io.EOF) || (n == 0 && err == nil) {
			c.eof = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("chunk %s: read at byte %d: %w", c.name, c.base+int64(c.w), err)
		}
	}
	return nil
}

// setFinal is a no-op: the caller checks pending after the last run.
func (c *pcapChunk) setFinal() {}

// pending returns the bytes of an incomplete record (or file header) left.
func (c *pcapChunk) pending() int { return c.w - c.r }

// offset returns the chunk offset where reading resumes.
func (c *pcapChunk) offset() int64 { return c.base + int64(c.r) }

// truncated describes the incomplete record left at the end of the chunk.
func (c *pcapChunk) truncated() error {
	what, want := "file header", pcapio.HeaderLen
	if c.header {
		what, want = "record header", pcapio.RecordHeaderLen
		if c.pending() >= pcapio.RecordHeaderLen {
			what, want = "record", pcapio.RecordHeaderLen+int(c.u32(c.buf[c.r+8:]))
		}
	}
	return c.fail(c.offset(), "%s cut short: %d of %d bytes present: %w", what, c.pending(), want, pcapio.ErrTruncated)
}

func (c *pcapChunk) fail(off int64, format string, args ...any) error {
	num := c.count + 1
	if !c.header {
		num = 0
	}
	return &pcapio.Error{Input: c.name, Offset: off, Packet: num, Err: fmt.Errorf(format, args...)}
}

func (c *pcapChunk) u32(b []byte) uint32 {
	if c.be {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

// readHeader parses the file header once 24 bytes are present, then seeks
// to the resume offset of an uncompressed chunk.
func (c *pcapChunk) readHeader(s *sink) error {
	for c.pending() < pcapio.HeaderLen {
		if c.eof {
			return nil
		}
		if err := c.fill(s); err != nil {
			return err
		}
	}
	hdr, err := pcapio.ParseClassicHeader(c.buf[c.r : c.r+pcapio.HeaderLen])
	if err != nil {
		var pe *pcapio.Error
		if errors.As(err, &pe) {
			pe.Input = c.name
		}
		return err
	}
	c.be, c.micro, c.linkType, c.limit = hdr.BigEndian, !hdr.Nanos, hdr.LinkType, hdr.CapLimit()
	c.header, c.r = true, c.r+pcapio.HeaderLen
	if err := s.onHeader(c.name, c.linkType); err != nil {
		return err
	}
	return c.seekResume()
}

// seekResume jumps an uncompressed chunk straight to the resume offset.
func (c *pcapChunk) seekResume() error {
	if c.skipTo <= c.offset() || c.seeker == nil {
		return nil
	}
	if _, err := c.seeker.Seek(c.skipTo, io.SeekStart); err != nil {
		return fmt.Errorf("chunk %s: seek to %d: %w", c.name, c.skipTo, err)
	}
	c.base, c.r, c.w, c.eof = c.skipTo, 0, 0, false
	return nil
}
