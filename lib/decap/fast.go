package decap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// The fast path handles the stream format itself (nanosecond little-endian
// pcap): records are parsed in place in one read buffer, unchanged records
// and the bodies of changed ones are written straight from it as spans, and
// only the new record and Ethernet headers are built, in a small arena. What
// one read brings is written before the next read, so a quiet input never
// holds output back.
const (
	fastBufSize = 1 << 20
	arenaSize   = 16 << 10
	recHeadMax  = pcapio.RecordHeaderLen + 14
)

type fastCopier struct {
	d       *Decapper
	src     io.Reader
	out     spanWriter
	name    string
	snaplen uint32

	buf   []byte
	spans [][]byte
	arena []byte
	raw   int   // start in buf of the pending run of unchanged records; -1: none
	off   int64 // input offset of buf[0]
	pkts  int64 // records read
}

func newFastCopier(d *Decapper, src io.Reader, out spanWriter, name string, snaplen uint32) *fastCopier {
	return &fastCopier{d: d, src: src, out: out, name: name, snaplen: snaplen, buf: make([]byte, fastBufSize),
		spans: make([][]byte, 0, maxSpans), arena: make([]byte, 0, arenaSize), raw: -1, off: pcapio.HeaderLen}
}

// maxSpans bounds the spans collected before they are written.
const maxSpans = 1000

// run copies every record; the file header is already read and written.
func (c *fastCopier) run(hdr []byte) error {
	w := 0
	for {
		n, err := c.src.Read(c.buf[w:])
		w += n
		r, perr := c.records(w)
		if perr != nil && !errors.Is(perr, errRefused) {
			return perr
		}
		if werr := c.flush(r); werr != nil {
			return werr
		}
		if perr != nil || err != nil && w > r {
			// A record the fast checks refuse, or a cut one at the end:
			// pcapio reads the rest and reports it exactly.
			return c.slow(hdr, r, w, err)
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		copy(c.buf, c.buf[r:w])
		c.off += int64(r)
		w -= r
	}
}

// records handles the complete records in buf[:w] and returns where the
// first incomplete one starts, or an error for a record to refuse.
func (c *fastCopier) records(w int) (int, error) {
	le := binary.LittleEndian
	r := 0
	for w-r >= pcapio.RecordHeaderLen {
		h := c.buf[r : r+pcapio.RecordHeaderLen]
		capLen := le.Uint32(h[8:])
		if capLen > pcapio.MaxCapLen || c.snaplen != 0 && capLen > c.snaplen || le.Uint32(h[4:]) >= 1e9 ||
			!pcapio.ValidOrigLen(capLen, le.Uint32(h[12:])) {
			return r, errRefused
		}
		end := r + pcapio.RecordHeaderLen + int(capLen)
		if end > w {
			break
		}
		c.pkts++
		c.record(r, end, h, capLen)
		r = end
		if len(c.spans) >= maxSpans-3 || cap(c.arena)-len(c.arena) < recHeadMax {
			if err := c.flush(r); err != nil {
				return r, err
			}
		}
	}
	return r, nil
}

var errRefused = errors.New("record refused by the fast path")

// record decapsulates the record at buf[r:end].
func (c *fastCopier) record(r, end int, h []byte, capLen uint32) {
	le := binary.LittleEndian
	orig := le.Uint32(h[12:])
	data := c.buf[r+pcapio.RecordHeaderLen : end]
	if capLen == 0 && orig == 0 {
		c.d.Tick()
		c.keep(r)
		return
	}
	ts := int64(le.Uint32(h[0:]))*1e9 + int64(le.Uint32(h[4:]))
	head, body := c.d.Decap(ts, orig, data)
	if head == nil && len(body) == len(data) {
		c.keep(r)
		return
	}
	if c.raw >= 0 {
		c.spans = append(c.spans, c.buf[c.raw:r])
		c.raw = -1
	}
	n := len(head) + len(body)
	a := len(c.arena)
	c.arena = append(c.arena, h[:8]...)
	c.arena = le.AppendUint32(c.arena, uint32(n))
	c.arena = le.AppendUint32(c.arena, Lengths(int(capLen), orig, n))
	c.arena = append(c.arena, head...)
	c.spans = append(c.spans, c.arena[a:len(c.arena)], body)
}

// keep adds the record at buf[r:] to the pending run of unchanged records.
func (c *fastCopier) keep(r int) {
	if c.raw < 0 {
		c.raw = r
	}
}

// flush writes the spans collected, the pending run ending at r included.
func (c *fastCopier) flush(r int) error {
	if c.raw >= 0 {
		c.spans = append(c.spans, c.buf[c.raw:r])
		c.raw = -1
	}
	if len(c.spans) == 0 {
		return nil
	}
	err := c.out.writeSpans(c.spans)
	clear(c.spans)
	c.spans, c.arena = c.spans[:0], c.arena[:0]
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// slow hands the rest of the stream, from buf[r:w] on, to pcapio, whose
// errors it adjusts to count from the start of the input.
func (c *fastCopier) slow(hdr []byte, r, w int, readErr error) error {
	rest := io.MultiReader(bytes.NewReader(hdr), bytes.NewReader(c.buf[r:w]), errReader{c.src, readErr})
	rd, err := pcapio.NewReader(rest, c.name)
	if err == nil {
		pw := pcapio.NewWriter(c.out, c.d.OutputLinkType(), 0)
		err = copyRecords(rd, pw, c.d)
		if errors.Is(err, io.EOF) {
			err = nil
		}
		if ferr := pw.Flush(); ferr != nil && err == nil {
			err = fmt.Errorf("write: %w", ferr)
		}
	}
	var perr *pcapio.Error
	if errors.As(err, &perr) {
		perr.Offset += c.off + int64(r) - pcapio.HeaderLen
		perr.Packet += c.pkts
	}
	return err
}

// errReader returns err (unless nil) before reading r.
type errReader struct {
	r   io.Reader
	err error
}

func (e errReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return e.r.Read(p)
}
