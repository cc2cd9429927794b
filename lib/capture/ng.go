package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// ngChunk reads a pcapng chunk with pcapio's Reader, one record at a time.
type ngChunk struct {
	cf      *ChunkFile
	name    string
	rd      *pcapio.Reader
	skipTo  int64
	partial bool // the last run stopped at an incomplete block
	final   bool // the chunk is complete: an incomplete block is an error
}

func newNGChunk(cf *ChunkFile, name string, skipTo int64) *ngChunk {
	return &ngChunk{cf: cf, name: name, skipTo: skipTo}
}

// open reads the section header and the first interface, once they are
// present; on a growing file it waits (returns nil with rd unset) until
// they are.
func (c *ngChunk) open(s *sink) error {
	if !c.final && c.cf.Comp == None && !ngHeaderReady(c.cf.File) {
		return nil
	}
	if c.cf.Comp == None {
		if _, err := c.cf.File.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("chunk %s: %w", c.name, err)
		}
	}
	rd, err := pcapio.NewReader(c.cf.Reader, c.name)
	if err != nil {
		return err
	}
	c.rd = rd
	return s.onHeader(c.name, rd.LinkType())
}

// run emits every complete record present.
func (c *ngChunk) run(s *sink) error {
	c.partial = false
	if c.rd == nil {
		if err := c.open(s); err != nil || c.rd == nil {
			return err
		}
	}
	for n := 0; ; n++ {
		if n&1023 == 1023 && s.stopped() {
			return errStopped
		}
		off := c.rd.Offset()
		rec, err := c.rd.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if !c.final && errors.Is(err, pcapio.ErrTruncated) {
				c.partial = true
				return nil
			}
			return err
		}
		if err := c.emit(s, rec, off); err != nil {
			return err
		}
	}
}

// emit passes one record on, unless it lies before the resume offset or
// outside the time filter; a checkpoint tick goes first when it crosses one.
func (c *ngChunk) emit(s *sink, rec pcapio.Record, off int64) error {
	o := s.out
	if off < c.skipTo {
		if c.rd.Offset() > c.skipTo {
			return boundaryError(c.name, c.skipTo, off)
		}
		return nil
	}
	if !s.keep(rec.Time) {
		return nil
	}
	if o.crosses(rec.Time) {
		if err := o.checkpoint(rec.Time, c.name, off); err != nil {
			return err
		}
	}
	if s.live {
		s.delay(rec.Time)
	}
	return o.record(rec.Time, rec.OrigLen, rec.Data)
}

// offset returns where reading resumes.
func (c *ngChunk) offset() int64 {
	if c.rd == nil {
		return 0
	}
	return c.rd.Offset()
}

// setFinal makes an incomplete block at the end an error.
func (c *ngChunk) setFinal() { c.final = true }

// truncated describes an incomplete header left at the end; run reports
// incomplete blocks itself once the chunk is final.
func (c *ngChunk) truncated() error {
	return &pcapio.Error{Input: c.name, Offset: c.offset(), Err: fmt.Errorf("pcapng header cut short: %w", pcapio.ErrTruncated)}
}

// pending reports an incomplete block (or header) left at the end.
func (c *ngChunk) pending() int {
	if c.partial || c.rd == nil {
		return 1
	}
	return 0
}

// ngHeaderReady reports whether a growing pcapng file holds its section
// header and first interface description (or anything that is not a
// header: a packet block, which the Reader will report).
func ngHeaderReady(f *os.File) bool {
	var b [64 << 10]byte
	n, _ := f.ReadAt(b[:], 0)
	p := b[:n]
	if len(p) < 12 {
		return false
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if binary.LittleEndian.Uint32(p[8:]) != 0x1a2b3c4d {
		order = binary.BigEndian
	}
	for off := 0; off+8 <= len(p); {
		typ, blen := order.Uint32(p[off:]), int(order.Uint32(p[off+4:]))
		if off > 0 && typ != 1 && typ != 0x0a0d0d0a {
			return true // not a header block: let the Reader judge it
		}
		if blen < 12 || off+blen > len(p) {
			return blen < 12 || off+blen > len(b)
		}
		if typ == 1 {
			return true
		}
		off += blen
	}
	return false
}
