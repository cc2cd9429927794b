package window

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/rclone/rclone/fs/operations"

	"github.com/pcappush/pcappush/lib/compress"
)

// errAbandoned ends the fetch of a split the merge gave up on.
var errAbandoned = errors.New("abandoned")

// fetcher reads a source's splits, one after the other, on its own
// goroutine, decompressed, into a fixed set of buffers it hands to the
// merge in order: reading runs ahead of the merge by at most those
// buffers, across split boundaries.
type fetcher struct {
	splits []Split
	free   chan []byte // buffers to fill
	full   chan piece  // filled buffers and split ends, in order
	skip   atomic.Int64
	read   atomic.Int64 // bytes as stored of the splits opened
	decs   map[compress.Algorithm]compress.Decoder
}

// piece is a filled buffer of split, or (end) the end of split, with the
// error that cut it short.
type piece struct {
	split int
	buf   []byte
	end   bool
	err   error
}

func newFetcher(splits []Split, size int) *fetcher {
	f := &fetcher{splits: splits, free: make(chan []byte, buffers), full: make(chan piece, buffers+1), decs: map[compress.Algorithm]compress.Decoder{}}
	for i := 0; i < buffers; i++ {
		f.free <- make([]byte, size)
	}
	f.skip.Store(-1)
	return f
}

// run fetches every split until ctx ends.
func (f *fetcher) run(ctx context.Context) {
	defer f.closeDecoders()
	for i := range f.splits {
		err := f.fetch(ctx, i)
		if ctx.Err() != nil {
			return
		}
		if !f.send(ctx, piece{split: i, end: true, err: err}) {
			return
		}
	}
}

// fetch sends split i's bytes and returns why it stopped early (nil at
// its end).
func (f *fetcher) fetch(ctx context.Context, i int) error {
	// rclone's reader: opened with the backend's low-level retries, and
	// reopened at the offset reached when a read fails, as often.
	rc, err := operations.Open(ctx, f.splits[i].obj)
	if err != nil {
		return err
	}
	defer rc.Close() //nolint:errcheck // a read-only object; what was read is checked
	f.read.Add(max(f.splits[i].Size, 0))
	r, err := f.decoder(rc, f.splits[i].Name)
	if err != nil {
		return err
	}
	for {
		var buf []byte
		select {
		case buf = <-f.free:
		case <-ctx.Done():
			return ctx.Err()
		}
		n, err := fill(r, buf[:cap(buf)])
		if n > 0 {
			if !f.send(ctx, piece{split: i, buf: buf[:n]}) {
				return ctx.Err()
			}
		} else {
			f.free <- buf
		}
		switch {
		case err == io.EOF: //nolint:errorlint // io.EOF is returned as is by contract
			return nil
		case err != nil:
			return err
		case f.skip.Load() == int64(i):
			return errAbandoned
		}
	}
}

// fill reads into b until it is full or the input ends: io.EOF only at
// a clean end (a decoder's io.ErrUnexpectedEOF is a stream cut short).
func fill(r io.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k, err := r.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// decoder puts the decompressor the name asks for in front of r; one is
// kept per format and reset from split to split.
func (f *fetcher) decoder(r io.Reader, name string) (io.Reader, error) {
	alg, ok := compress.ByName(name)
	if !ok {
		return r, nil
	}
	if d := f.decs[alg]; d != nil {
		if err := d.Reset(r); err != nil {
			return nil, fmt.Errorf("%s: %w", alg, err)
		}
		return d, nil
	}
	d, err := alg.NewDecoder(r)
	if err != nil {
		return nil, err
	}
	f.decs[alg] = d
	return d, nil
}

func (f *fetcher) closeDecoders() {
	for _, d := range f.decs {
		d.Close() //nolint:errcheck // releases memory only
	}
}

func (f *fetcher) send(ctx context.Context, p piece) bool {
	select {
	case f.full <- p:
		return true
	case <-ctx.Done():
		return false
	}
}

// splitReader is the merge's io.Reader over one split's pieces.
type splitReader struct {
	ctx    context.Context
	f      *fetcher
	split  int
	data   []byte // unread part of buf
	buf    []byte // the piece being read, returned to f once read
	ended  bool
	endErr error
}

// begin starts reading split i; the previous split must have ended.
func (s *splitReader) begin(i int) {
	s.split, s.ended, s.endErr, s.data = i, false, nil, nil
}

// Read copies the split's bytes; at its end io.EOF, or the error that cut
// it short.
func (s *splitReader) Read(p []byte) (int, error) {
	for len(s.data) == 0 {
		if s.ended {
			return 0, s.endErr
		}
		if err := s.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, s.data)
	s.data = s.data[n:]
	return n, nil
}

// next takes the next piece of the split.
func (s *splitReader) next() error {
	if s.buf != nil {
		s.f.free <- s.buf[:cap(s.buf)]
		s.buf = nil
	}
	var p piece
	select {
	case p = <-s.f.full:
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
	if p.split != s.split {
		return fmt.Errorf("internal error: piece of split %d while reading split %d", p.split, s.split)
	}
	if p.end {
		s.ended, s.endErr = true, p.err
		if s.endErr == nil {
			s.endErr = io.EOF
		}
		return nil
	}
	s.buf, s.data = p.buf, p.buf
	return nil
}

// abandon drops the rest of the split: the fetcher stops reading it, and
// what it sent already is given back.
func (s *splitReader) abandon() error {
	if !s.ended {
		s.f.skip.Store(int64(s.split))
	}
	for !s.ended {
		s.data = nil
		if err := s.next(); err != nil {
			return err
		}
	}
	s.data = nil
	if s.buf != nil {
		s.f.free <- s.buf[:cap(s.buf)]
		s.buf = nil
	}
	return nil
}
