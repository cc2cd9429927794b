package pcapio

import (
	"errors"
	"io"
)

// minRead is the least free space a read is given before the buffer is
// compacted.
const minRead = 64 * 1024

// maxRead caps a single read, whatever the free space: the bytes a read
// brings in are then still in the CPU's cache when the records are parsed
// and written out. Large reads into a large buffer measured a third slower
// end to end (the kernel's copy pushes the data out of the cache).
const maxRead = 128 * 1024

// rbuf is a read buffer like bufio.Reader's Peek and Discard, with two
// differences that let consumers write whole runs of records straight from
// it: data is moved only when the buffer is compacted, and a hook runs just
// before that happens.
type rbuf struct {
	src     io.Reader
	buf     []byte
	r, w    int   // unread data is buf[r:w]
	err     error // sticky error from src
	compact func() error
	limit   int    // Size's answer when not len(buf): see NewReaderAhead
	ahead   *ahead // buffers read ahead on a goroutine: see NewReaderAhead
}

func newRBuf(src io.Reader, size int) *rbuf {
	return &rbuf{src: src, buf: make([]byte, size)}
}

// Size returns the buffer's size.
func (b *rbuf) Size() int {
	if b.limit > 0 {
		return b.limit
	}
	return len(b.buf)
}

// Peek returns the next n bytes without consuming them. They alias the
// buffer until it is next compacted. With fewer bytes available it returns
// what there is and the input's error.
func (b *rbuf) Peek(n int) ([]byte, error) {
	if n > b.Size() {
		return b.buf[b.r:b.w], errors.New("read request larger than the buffer")
	}
	for b.w-b.r < n {
		if b.err != nil {
			return b.buf[b.r:b.w], b.err
		}
		if err := b.fill(n); err != nil {
			return b.buf[b.r:b.w], err
		}
	}
	return b.buf[b.r : b.r+n], nil
}

// fill reads once, compacting first when the free space cannot take the n
// bytes wanted or is too small for an efficient read.
func (b *rbuf) fill(n int) error {
	if b.ahead != nil {
		return b.fillAhead()
	}
	free := len(b.buf) - b.w
	if b.r > 0 && (free < n-(b.w-b.r) || free < minRead) {
		if err := b.runCompact(); err != nil {
			return err
		}
		copy(b.buf, b.buf[b.r:b.w])
		b.w -= b.r
		b.r = 0
	}
	for i := 0; i < 100; i++ {
		m, err := b.src.Read(b.buf[b.w:min(len(b.buf), b.w+maxRead)])
		b.w += m
		if err != nil {
			b.err = err
		}
		if m > 0 || err != nil {
			return nil
		}
	}
	b.err = io.ErrNoProgress
	return nil
}

// Discard skips the next n bytes, reading through the input as needed, and
// returns how many were skipped.
func (b *rbuf) Discard(n int) (int, error) {
	done := 0
	for {
		k := min(n-done, b.w-b.r)
		b.r += k
		done += k
		if done == n {
			return done, nil
		}
		if b.err != nil {
			return done, b.err
		}
		if err := b.fill(1); err != nil {
			return done, err
		}
	}
}

// runCompact calls the compact hook, if any; its error is the consumer's,
// marked so that it does not pass for an error of the input.
func (b *rbuf) runCompact() error {
	if b.compact == nil {
		return nil
	}
	if err := b.compact(); err != nil {
		return hookError{err}
	}
	return nil
}

// hookError is an error of the compact hook.
type hookError struct{ err error }

func (e hookError) Error() string { return e.err.Error() }
func (e hookError) Unwrap() error { return e.err }
