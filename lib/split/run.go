package split

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pcappush/pcappush/lib/feed"
	"github.com/pcappush/pcappush/lib/pcapio"
)

// idleCheck is how often a quiet input is checked for an idle close.
const idleCheck = 250 * time.Millisecond

// DefaultReadBuffer is Options.ReadBuffer's default.
const DefaultReadBuffer = 4 << 20

// Run splits the stream read from in until it ends or ctx is cancelled,
// then publishes the open split. Input already read when ctx is cancelled
// is still split; a malformed input publishes what came before the fault
// and returns its error. log receives progress lines (nil: none).
func Run(ctx context.Context, in io.Reader, inName string, opts Options, sink Sink, log io.Writer) (Stats, error) {
	if err := opts.Validate(); err != nil {
		return Stats{}, err
	}
	s := New(opts, sink, log)
	fopts := feed.Options{Stop: ctx.Done()}
	if opts.Time != 0 && opts.IdleClose > 0 {
		fopts.Idle, fopts.OnIdle = idleCheck, s.Idle
	}
	size := opts.ReadBuffer
	if size <= 0 {
		size = DefaultReadBuffer
	}
	r, err := pcapio.NewReaderSize(feed.New(in, fopts), inName, size)
	if err != nil {
		if errors.Is(err, feed.ErrStopped) {
			return s.Stats(), nil
		}
		return s.Stats(), err
	}
	s.SetFormat(r.LinkType(), r.Snaplen())
	r.SetCompactHook(s.Sync)
	rerr, werr := copyRecords(r, s)
	if werr != nil {
		s.Abort()
		return s.Stats(), werr
	}
	if errors.Is(rerr, feed.ErrStopped) || errors.Is(rerr, io.EOF) {
		rerr = nil // the end of the input, or a stop: publish what is open
	}
	var perr *pcapio.Error
	if rerr != nil && !errors.As(rerr, &perr) {
		s.Abort() // the compact hook's write failed: nothing to publish
		return s.Stats(), rerr
	}
	if cerr := s.Close(); cerr != nil {
		return s.Stats(), cerr
	}
	return s.Stats(), rerr
}

// copyRecords feeds every record to s until the reader or s fails; it
// returns the reader's error (io.EOF at the end) and the Splitter's apart,
// so that a write error never passes for the end of the input.
func copyRecords(r *pcapio.Reader, s *Splitter) (readErr, writeErr error) {
	for {
		rec, err := r.Next()
		if err != nil {
			return err, nil
		}
		if err := s.WriteRaw(rec, r.Raw()); err != nil {
			return nil, err
		}
	}
}

// Counts returns the counters by name, for a stats event.
func (st Stats) Counts() map[string]int64 {
	return map[string]int64{"files": st.Files, "existed": st.Existed, "packets": st.Packets, "bytes": st.Bytes,
		"reordered": st.Reordered, "out_of_clock": st.OutOfClock, "ticks": st.Ticks, "skipped": st.Skipped}
}

// Summary returns the line logged when a run ends.
func (st Stats) Summary() string {
	s := fmt.Sprintf("%d files, %d packets, %.3f GB, %d reordered packets", st.Files, st.Packets, float64(st.Bytes)/1e9, st.Reordered)
	if st.OutOfClock > 0 {
		s += fmt.Sprintf(", %d out of the clock", st.OutOfClock)
	}
	if st.Existed > 0 {
		s += fmt.Sprintf(", %d splits skipped as already published", st.Existed)
	}
	return s
}
