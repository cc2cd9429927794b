package decap

import (
	"context"
	"errors"
	"io"
	"os"
	"time"

	"github.com/pcappush/pcappush/lib/feed"
)

// source reads the input and stops when its context is cancelled: at the
// next read, or at once while a read of a pipe waits for data (the pipe is
// read through a pollable duplicate whose deadline the cancellation sets).
// It reports a stop as feed.ErrStopped.
type source struct {
	ctx  context.Context
	r    io.Reader
	done chan struct{}
	undo func()
}

func newSource(ctx context.Context, in io.Reader) *source {
	s := &source{ctx: ctx, r: in, done: make(chan struct{})}
	if f, undo := pollable(in); f != nil {
		s.r, s.undo = f, undo
		go func() {
			select {
			case <-ctx.Done():
				f.SetReadDeadline(time.Unix(1, 0)) //nolint:errcheck // the file is pollable
			case <-s.done:
			}
		}()
	}
	return s
}

// Read implements io.Reader.
func (s *source) Read(p []byte) (int, error) {
	if s.ctx.Err() != nil {
		return 0, feed.ErrStopped
	}
	n, err := s.r.Read(p)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) && s.ctx.Err() != nil {
		return n, feed.ErrStopped
	}
	return n, err
}

// interruptible reports whether a blocked read is interrupted by a stop.
func (s *source) interruptible() bool { return s.undo != nil }

// close releases the duplicate and restores the input's blocking mode.
func (s *source) close() {
	close(s.done)
	if s.undo != nil {
		s.undo()
	}
}
