package feed

import (
	"errors"
	"io"
	"os"
	"time"
)

// ErrStopped is returned by Read once Stop is closed and every byte read
// before has been delivered.
var ErrStopped = errors.New("stopped")

// Defaults for Options.
const (
	DefaultChunkSize = 1 << 20
	DefaultChunks    = 4
)

// Options configure a Reader.
type Options struct {
	Stop      <-chan struct{}                 // closed to stop reading; nil: never
	Idle      time.Duration                   // how often OnIdle runs while waiting; 0: never
	OnIdle    func(quiet time.Duration) error // called with the time since the last byte
	ChunkSize int                             // bytes per read; default DefaultChunkSize
	Chunks    int                             // buffers in flight; default DefaultChunks
}

type chunk struct {
	buf []byte
	n   int
	err error
}

// Reader is an io.Reader over another reader that is read ahead on a
// goroutine.
type Reader struct {
	opts     Options
	full     chan chunk
	free     chan []byte
	cur      chunk
	pos      int
	err      error
	stopping bool
	last     time.Time
}

// New returns a reader that delivers r's bytes and honours opts. A regular
// file, pipe or socket is read directly on the caller's goroutine (a pipe
// with deadlines, so waiting reads can be interrupted); any other reader is
// read ahead on a goroutine through a small ring of buffers.
//
// Close the result when done: a pipe's descriptor is given back its
// blocking mode.
func New(r io.Reader, opts Options) io.ReadCloser {
	if f, ok := r.(*os.File); ok {
		if d := newDirect(f, opts); d != nil {
			return d
		}
	}
	return newPump(r, opts)
}

func newPump(r io.Reader, opts Options) *Reader {
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	if opts.Chunks <= 0 {
		opts.Chunks = DefaultChunks
	}
	f := &Reader{
		opts: opts,
		full: make(chan chunk, opts.Chunks),
		free: make(chan []byte, opts.Chunks),
		last: time.Now(),
	}
	for i := 0; i < opts.Chunks; i++ {
		f.free <- make([]byte, opts.ChunkSize)
	}
	go f.pump(r)
	return f
}

// Close does nothing: the goroutine ends with its input.
func (f *Reader) Close() error { return nil }

// pump reads r into free buffers until an error or EOF.
func (f *Reader) pump(r io.Reader) {
	for buf := range f.free {
		n, err := r.Read(buf)
		if n == 0 && err == nil {
			f.free <- buf
			continue
		}
		f.full <- chunk{buf: buf, n: n, err: err}
		if err != nil {
			return
		}
	}
}

// Read implements io.Reader.
func (f *Reader) Read(p []byte) (int, error) {
	for f.pos >= f.cur.n {
		if f.err != nil {
			return 0, f.err
		}
		if err := f.next(); err != nil {
			f.err = err
			return 0, err
		}
	}
	n := copy(p, f.cur.buf[f.pos:f.cur.n])
	f.pos += n
	return n, nil
}

// next moves to the next chunk, waiting for it while honouring Stop and
// Idle. It returns the input's error once its bytes are delivered.
func (f *Reader) next() error {
	if f.cur.buf != nil {
		if f.cur.err != nil {
			return f.cur.err
		}
		f.free <- f.cur.buf
		f.cur, f.pos = chunk{}, 0
	}
	c, err := f.wait()
	if err != nil {
		return err
	}
	f.cur, f.pos, f.last = c, 0, time.Now()
	if c.n == 0 {
		return c.err
	}
	return nil
}

func (f *Reader) wait() (chunk, error) {
	if f.stopping {
		select {
		case c := <-f.full:
			return c, nil
		default:
			return chunk{}, ErrStopped
		}
	}
	select {
	case c := <-f.full:
		return c, nil
	default:
	}
	var tick <-chan time.Time
	if f.opts.Idle > 0 && f.opts.OnIdle != nil {
		t := time.NewTicker(f.opts.Idle)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case c := <-f.full:
			return c, nil
		case <-f.opts.Stop:
			f.stopping = true
			return f.wait()
		case <-tick:
			if err := f.opts.OnIdle(time.Since(f.last)); err != nil {
				return chunk{}, err
			}
		}
	}
}
