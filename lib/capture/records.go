package capture

import (
	"encoding/binary"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// records emits the complete records in buf[r:w]. Consecutive records that
// pass the filter and cross no checkpoint are written as one span. This is
// the hot loop of stream_cat, kept in one piece so that nothing but the
// header checks runs per record.
func (c *pcapChunk) records(s *sink) error {
	o := s.out
	p, spanStart := c.r, c.r
	flush := func(end int) error {
		switch {
		case end <= spanStart:
			return nil
		case c.movable():
			return o.spanAt(c.buf[spanStart:end], c.file, c.base+int64(spanStart))
		}
		return o.span(c.buf[spanStart:end])
	}
	for c.w-p >= pcapio.RecordHeaderLen {
		h := c.buf[p : p+pcapio.RecordHeaderLen]
		t, capLen, err := c.decode(h, p)
		if err != nil {
			c.r = p
			return firstErr(flush(p), err)
		}
		n := pcapio.RecordHeaderLen + int(capLen)
		if c.w-p < n {
			break
		}
		if c.be || c.micro {
			c.rewrite(h, t, capLen)
		}
		off := c.base + int64(p)
		c.count++
		switch {
		case off < c.skipTo:
			if off+int64(n) > c.skipTo {
				return boundaryError(c.name, c.skipTo, off)
			}
			spanStart = p + n
		case !s.keep(t):
			if err := flush(p); err != nil {
				return err
			}
			spanStart = p + n
		default:
			if o.crosses(t) {
				if err := flush(p); err != nil {
					return err
				}
				spanStart = p
				if err := o.checkpoint(t, c.name, off); err != nil {
					return err
				}
			}
			if t > o.wm && o.inClock(t) {
				o.wm = t
			}
			if s.live {
				s.delay(t)
			}
			o.packets++
			o.bytes += int64(n)
		}
		p += n
	}
	c.r = p
	return flush(p)
}

// decode validates a record header and returns its time in nanoseconds
// and captured length.
func (c *pcapChunk) decode(h []byte, p int) (int64, uint32, error) {
	le := binary.LittleEndian
	if !c.be && !c.micro {
		sec, frac, capLen := le.Uint32(h), le.Uint32(h[4:]), le.Uint32(h[8:])
		if capLen > c.limit || frac >= 1e9 || !pcapio.ValidOrigLen(capLen, le.Uint32(h[12:])) {
			return 0, 0, c.badRecord(p, frac, capLen, le.Uint32(h[12:]))
		}
		return int64(sec)*1e9 + int64(frac), capLen, nil
	}
	sec, frac, capLen := c.u32(h), c.u32(h[4:]), c.u32(h[8:])
	fracLimit, mul := uint32(1e9), int64(1)
	if c.micro {
		fracLimit, mul = 1e6, 1000
	}
	if capLen > c.limit || frac >= fracLimit || !pcapio.ValidOrigLen(capLen, c.u32(h[12:])) {
		return 0, 0, c.badRecord(p, frac, capLen, c.u32(h[12:]))
	}
	return int64(sec)*1e9 + int64(frac)*mul, capLen, nil
}

// rewrite turns a complete record's header, decoded as t and capLen, into
// nanosecond little endian where it lies (the same 16 bytes).
func (c *pcapChunk) rewrite(h []byte, t int64, capLen uint32) {
	origLen := c.u32(h[12:])
	le := binary.LittleEndian
	le.PutUint32(h, uint32(t/1e9))
	le.PutUint32(h[4:], uint32(t%1e9))
	le.PutUint32(h[8:], capLen)
	le.PutUint32(h[12:], origLen)
}

// badRecord describes a record header that fails validation.
func (c *pcapChunk) badRecord(p int, frac, capLen, origLen uint32) error {
	off := c.base + int64(p)
	switch {
	case capLen > pcapio.MaxCapLen:
		return c.fail(off, "captured length %d exceeds the %d-byte maximum: %w", capLen, pcapio.MaxCapLen, pcapio.ErrCapLen)
	case capLen > c.limit:
		return c.fail(off, "captured length %d exceeds the snapshot length %d: %w", capLen, c.limit, pcapio.ErrCapLen)
	case !pcapio.ValidOrigLen(capLen, origLen):
		return c.fail(off, "%s: %w", pcapio.DescribeOrigLen(capLen, origLen), pcapio.ErrOrigLen)
	}
	return c.fail(off, "fraction of a second %d is out of range: %w", frac, pcapio.ErrTimestamp)
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
