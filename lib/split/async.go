package split

import (
	"io"
	"sync/atomic"
)

// asyncOut performs a Splitter's writes on a goroutine, in order, so that
// writing one run of records overlaps with reading and parsing the next.
//
// Two kinds of bytes are queued: stable slices (runs in the reader's
// buffer, which the Splitter keeps valid until a barrier) are written as
// they are; any other bytes are first copied into one of a few pooled
// chunks, which bounds memory. Barrier waits until everything queued is
// written and returns the first write error since the previous barrier.
type asyncOut struct {
	ops  chan asyncOp
	pool chan []byte
	made int
	size int
	// failed holds the first write error until a barrier collects it, so
	// that writers learn of it early.
	failed atomic.Pointer[error]
}

type asyncOp struct {
	w       io.Writer
	b       []byte
	pooled  bool
	barrier chan error
}

const (
	asyncQueue  = 256
	asyncChunks = 4
)

func newAsyncOut(chunkSize int) *asyncOut {
	a := &asyncOut{ops: make(chan asyncOp, asyncQueue), pool: make(chan []byte, asyncChunks), size: chunkSize}
	go a.loop()
	return a
}

func (a *asyncOut) loop() {
	var err error
	for op := range a.ops {
		if op.barrier != nil {
			a.failed.Store(nil)
			op.barrier <- err
			err = nil
			continue
		}
		if err == nil {
			if _, err = op.w.Write(op.b); err != nil {
				a.failed.Store(&err)
			}
		}
		if op.pooled {
			a.pool <- op.b[:cap(op.b)]
		}
	}
}

// err returns the first write error not yet collected by a barrier.
func (a *asyncOut) err() error {
	if p := a.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// writeStable queues b, which must stay unchanged until the next barrier.
func (a *asyncOut) writeStable(w io.Writer, b []byte) {
	a.ops <- asyncOp{w: w, b: b}
}

// write queues a copy of b.
func (a *asyncOut) write(w io.Writer, b []byte) {
	for len(b) > 0 {
		var c []byte
		select {
		case c = <-a.pool:
		default:
			if a.made < asyncChunks {
				a.made++
				c = make([]byte, a.size)
			} else {
				c = <-a.pool
			}
		}
		n := copy(c, b)
		a.ops <- asyncOp{w: w, b: c[:n], pooled: true}
		b = b[n:]
	}
}

// barrier waits for every queued write and returns the first error since
// the previous barrier.
func (a *asyncOut) barrier() error {
	c := make(chan error, 1)
	a.ops <- asyncOp{barrier: c}
	return <-c
}

// close stops the goroutine after the queued writes.
func (a *asyncOut) close() { close(a.ops) }

// asyncPart is the io.Writer a Splitter's pcapio.Writer flushes into: it
// queues copies, since the pcapio.Writer reuses its buffer.
type asyncPart struct {
	a    *asyncOut
	part Part
}

func (p asyncPart) Write(b []byte) (int, error) {
	if err := p.a.err(); err != nil {
		return 0, err
	}
	p.a.write(p.part, b)
	return len(b), nil
}
