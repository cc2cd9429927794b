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
	r, err := pcapio.NewReaderSize(feed.New(in, fopts), inName, 4<<20)
	if err != nil {
		if errors.Is(err, feed.ErrStopped) {
			return s.Stats(), nil
		}
		return s.Stats(), err
	}
	s.SetFormat(r.LinkType(), r.Snaplen())
	r.SetCompactHook(s.Sync)
	err = copyRecords(r, s)
	if errors.Is(err, feed.ErrStopped) || errors.Is(err, io.EOF) {
		err = nil
	}
	var perr *pcapio.Error
	if err != nil && !errors.As(err, &perr) {
		s.Abort()
		return s.Stats(), err
	}
	if cerr := s.Close(); cerr != nil {
		return s.Stats(), cerr
	}
	return s.Stats(), err
}

func copyRecords(r *pcapio.Reader, s *Splitter) error {
	for {
		rec, err := r.Next()
		if err != nil {
			return err
		}
		if err := s.WriteRaw(rec, r.Raw()); err != nil {
			return err
		}
	}
}

// Summary returns the line logged when a run ends.
func (st Stats) Summary() string {
	return fmt.Sprintf("%d files, %d packets, %.3f GB, %d reordered packets", st.Files, st.Packets, float64(st.Bytes)/1e9, st.Reordered)
}
