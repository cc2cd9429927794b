package capture

import (
	"io"
	"math"
	"os"
	"time"

	"github.com/pcappush/pcappush/lib/pcapio"
	"github.com/pcappush/pcappush/lib/pipes"
	"github.com/pcappush/pcappush/lib/state/checkpoint"
)

// outBufSize is the buffer for headers, ticks and re-encoded records;
// spans of input larger than what is left in it are written directly.
const outBufSize = 1 << 20

// spanDirect is the length from which a span is written without copying.
const spanDirect = 64 << 10

// output writes the stream: one header, then records, ticks and spans of
// records copied from chunks. It keeps the watermark (the largest time
// emitted) and inserts checkpoint ticks as records cross multiples of the
// checkpoint interval. Every write to the underlying writer is preceded by
// a sync of the checkpoints added before it.
type output struct {
	w        io.Writer
	mover    *pipes.Mover // moves spans from chunk files (spanAt); nil: they are written
	buf      []byte
	started  bool // header written
	linkType uint32

	wm       int64 // watermark: largest time of any record emitted
	next     int64 // a record at or after next crosses a checkpoint
	every    int64 // checkpoint interval; 0 without checkpoints
	ckpt     *checkpoint.Log
	lastTick int64
	ahead    int64            // the wall clock plus tol, when last read; records later do not move wm
	now      func() time.Time // nil: no limit
	tol      int64

	packets, bytes int64 // packets and pcap bytes emitted, ticks excluded
	ticks          int64
	moved          int64 // bytes the kernel moved from chunk files (spanAt)
}

func newOutput(w io.Writer, every int64, ckpt *checkpoint.Log) *output {
	o := &output{w: w, mover: pipes.NewMover(w), buf: make([]byte, 0, outBufSize), wm: math.MinInt64, next: math.MaxInt64, every: every, ckpt: ckpt, lastTick: math.MinInt64, ahead: math.MaxInt64}
	if ckpt != nil && every > 0 {
		o.next = math.MinInt64
	}
	return o
}

// header writes the stream's header once.
func (o *output) header(linkType uint32) {
	if o.started {
		return
	}
	o.started, o.linkType = true, linkType
	var h [pcapio.HeaderLen]byte
	pcapio.PutHeader(h[:], linkType, pcapio.DefaultSnaplen)
	o.buf = append(o.buf, h[:]...)
}

// writeOut writes b to the stream, syncing pending checkpoints first. Its
// errors are *OutputError: never a chunk's fault.
func (o *output) writeOut(b []byte) error {
	if err := o.syncCheckpoints(); err != nil {
		return err
	}
	if _, err := o.w.Write(b); err != nil {
		return &OutputError{Err: err}
	}
	return nil
}

// syncCheckpoints makes the checkpoints added so far durable: done before
// anything reaches the stream.
func (o *output) syncCheckpoints() error {
	if o.ckpt != nil && o.ckpt.Dirty() {
		if err := o.ckpt.Sync(); err != nil {
			return &OutputError{Err: err}
		}
	}
	return nil
}

// flush writes what is buffered.
func (o *output) flush() error {
	if len(o.buf) == 0 {
		return nil
	}
	err := o.writeOut(o.buf)
	o.buf = o.buf[:0]
	return err
}

// span writes validated nanosecond little-endian records: a short span is
// buffered, a long one written straight from the caller's buffer.
func (o *output) span(p []byte) error {
	if len(p) < spanDirect {
		if len(p) > cap(o.buf)-len(o.buf) {
			if err := o.flush(); err != nil {
				return err
			}
		}
		o.buf = append(o.buf, p...)
		return nil
	}
	if err := o.flush(); err != nil {
		return err
	}
	return o.writeOut(p)
}

// spanAt is span for validated records p read from file f at offset off:
// a long span is moved from the file to the output by the kernel when it
// can (see lib/pipes), and otherwise written from p.
func (o *output) spanAt(p []byte, f *os.File, off int64) error {
	if o.mover == nil || len(p) < spanDirect {
		return o.span(p)
	}
	if err := o.flush(); err != nil {
		return err
	}
	if err := o.syncCheckpoints(); err != nil {
		return err
	}
	n, err := o.mover.Move(f, off, int64(len(p)))
	o.moved += n
	if err != nil {
		// Whatever stopped the move (a kernel that refuses, a reader gone,
		// a file cut since it was read), the rest is written from p, which
		// holds the same bytes: a reader gone then ends the tool as any
		// write to stdout does, and a failing output reports itself.
		return o.writeOut(p[n:])
	}
	return nil
}

// record writes one packet, encoding its header.
func (o *output) record(t int64, origLen uint32, data []byte) error {
	n := pcapio.RecordHeaderLen + len(data)
	if n > cap(o.buf)-len(o.buf) {
		if err := o.flush(); err != nil {
			return err
		}
	}
	l := len(o.buf)
	o.buf = o.buf[:l+pcapio.RecordHeaderLen]
	if err := pcapio.PutRecordHeader(o.buf[l:], t, uint32(len(data)), origLen); err != nil {
		o.buf = o.buf[:l]
		return err
	}
	o.buf = append(o.buf, data...)
	o.packets++
	o.bytes += int64(n)
	o.observe(t)
	return nil
}

// setClock makes records stamped more than tol later than now() (a
// recorder's clock that jumped) leave the watermark and the checkpoints
// alone: they are emitted, but idle ticks and checkpoints keep to the
// clock. tol <= 0: no limit.
func (o *output) setClock(now func() time.Time, tol time.Duration) {
	if tol > 0 {
		o.now, o.tol, o.ahead = now, int64(tol), math.MinInt64
	}
}

// inClock reports whether a record at t may move the watermark: not later
// than the wall clock plus the tolerance. The limit is read again only
// when t passes it.
func (o *output) inClock(t int64) bool {
	if t <= o.ahead {
		return true
	}
	o.ahead = o.now().UnixNano() + o.tol
	return t <= o.ahead
}

// observe raises the watermark to t.
func (o *output) observe(t int64) {
	if t > o.wm && o.inClock(t) {
		o.wm = t
	}
}

// tick writes a clock tick stamped t (callers keep ticks monotonic).
func (o *output) tick(t int64) error {
	if len(o.buf)+pcapio.RecordHeaderLen > cap(o.buf) {
		if err := o.flush(); err != nil {
			return err
		}
	}
	l := len(o.buf)
	o.buf = o.buf[:l+pcapio.RecordHeaderLen]
	if err := pcapio.PutRecordHeader(o.buf[l:], t, 0, 0); err != nil {
		o.buf = o.buf[:l]
		return err
	}
	o.ticks++
	o.lastTick = t
	o.observe(t)
	return nil
}

// crosses reports whether a record at t crosses a checkpoint.
func (o *output) crosses(t int64) bool { return t >= o.next && o.inClock(t) }

// checkpoint records the largest multiple E of the interval at or below t,
// at position pos (the record that follows), then emits the tick E. The
// caller has checked crosses(t).
func (o *output) checkpoint(t int64, chunk string, off int64) error {
	e := t - t%o.every
	if err := o.ckpt.Add(checkpoint.Point{Time: e, Chunk: chunk, Offset: off}); err != nil {
		return &OutputError{Err: err}
	}
	if err := o.tick(e); err != nil {
		return err
	}
	o.wm, o.next = e, e+o.every
	return nil
}

// resumeAt restarts the watermark at a checkpoint and emits its tick.
func (o *output) resumeAt(e int64) error {
	if err := o.tick(e); err != nil {
		return err
	}
	o.wm = e
	if o.ckpt != nil && o.every > 0 {
		o.next = e + o.every
	}
	return nil
}

// idleTick emits a tick at max(last tick, watermark, at), preceded by a
// checkpoint when it crosses one (pos: where reading resumes).
func (o *output) idleTick(at int64, chunk string, off int64) error {
	t := max(o.lastTick, o.wm, at)
	if t < 0 || !o.started {
		return nil
	}
	if o.crosses(t) {
		if err := o.checkpoint(t, chunk, off); err != nil {
			return err
		}
		if t == o.lastTick {
			return nil
		}
	}
	return o.tick(t)
}
