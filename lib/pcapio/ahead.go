package pcapio

import (
	"errors"
	"io"
	"sync"
)

// aheadBuffers is how many buffers a read-ahead Reader cycles through: one
// being parsed, the others being filled or waiting.
const aheadBuffers = 4

// ErrClosed is returned by a Reader used after Close.
var ErrClosed = errors.New("reader closed")

// ahead reads a Reader's input on a goroutine into buffers that are then
// parsed where they are. Each buffer has room before its data for the
// unread end of the previous one (a record cut by the read), which is the
// only copy made.
type ahead struct {
	room int // bytes before each buffer's data
	full chan aheadChunk
	free chan []byte
	done chan struct{}
	once sync.Once
}

type aheadChunk struct {
	buf []byte // room bytes, then the n bytes read
	n   int
	err error
}

// NewReaderAhead is NewReader with the input read ahead on a goroutine:
// while the caller works on the records of one buffer, the next buffers
// (chunk bytes each) are being read, so reading overlaps with parsing and
// whatever the caller does with the records. Buffers change hands without
// their contents being copied; the compact hook runs before each change,
// after which earlier records and Raw slices are invalid. src's Read is
// called on that goroutine. Close the Reader if it is abandoned before the
// end of its input, to stop the goroutine.
func NewReaderAhead(src io.Reader, name string, chunk int) (*Reader, error) {
	room := DefaultBufferSize // the largest record or block Peek may need
	a := &ahead{room: room, full: make(chan aheadChunk, aheadBuffers), free: make(chan []byte, aheadBuffers), done: make(chan struct{})}
	for i := 0; i < aheadBuffers; i++ {
		a.free <- make([]byte, room+chunk)
	}
	go a.run(src)
	rd := &Reader{name: name, br: &rbuf{ahead: a, limit: room}}
	if err := rd.readHeader(); err != nil {
		a.close()
		return nil, err
	}
	return rd, nil
}

// Close stops a read-ahead Reader's goroutine (see NewReaderAhead); a read
// in progress finishes first. Other Readers have nothing to close.
func (r *Reader) Close() {
	if r.br.ahead != nil {
		r.br.ahead.close()
	}
}

func (a *ahead) close() { a.once.Do(func() { close(a.done) }) }

// run fills free buffers until an error, the end of the input, or close.
func (a *ahead) run(src io.Reader) {
	for {
		var buf []byte
		select {
		case buf = <-a.free:
		case <-a.done:
			return
		}
		n, err := src.Read(buf[a.room:])
		for i := 0; n == 0 && err == nil; i++ {
			if i == 100 {
				err = io.ErrNoProgress
				break
			}
			n, err = src.Read(buf[a.room:])
		}
		select {
		case a.full <- aheadChunk{buf: buf, n: n, err: err}:
		case <-a.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// fillAhead moves to the next buffer read ahead, carrying the unread bytes
// over into its room.
func (b *rbuf) fillAhead() error {
	a := b.ahead
	if b.buf != nil {
		if err := b.runCompact(); err != nil {
			return err
		}
	}
	var c aheadChunk
	select {
	case c = <-a.full:
	case <-a.done:
		b.err = ErrClosed
		return nil
	}
	left := b.w - b.r
	copy(c.buf[a.room-left:a.room], b.buf[b.r:b.w])
	if b.buf != nil {
		a.free <- b.buf
	}
	b.buf, b.r, b.w = c.buf, a.room-left, a.room+c.n
	if c.err != nil {
		b.err = c.err
	}
	return nil
}
