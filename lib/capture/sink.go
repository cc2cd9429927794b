package capture

import (
	"errors"
	"fmt"
	"math"

	"github.com/pcappush/pcappush/lib/state/checkpoint"
)

// ErrLinkType is wrapped when a chunk's link type differs from the stream's.
var ErrLinkType = errors.New("link type differs from the stream's")

// sink is what chunk readers emit into: the output, the time filter, the
// pending resume tick and the delay measurement of live reading.
type sink struct {
	out        *output
	start, end int64 // keep packets with start <= t < end

	resume   bool            // a resume tick is due after the header
	resumeAt int64           // its time
	live     bool            // reading data that arrived while stream_cat waited
	now      int64           // wall clock of the current batch, ns
	maxDelay int64           // largest now-t seen in live batches since reset
	stop     <-chan struct{} // closed when reading must stop
	reading  func()          // called between reads, to tell where reading is; nil: nothing
}

// stopped reports whether reading must stop. Readers ask between reads,
// which is when the position is told.
func (s *sink) stopped() bool {
	if s.reading != nil {
		s.reading()
	}
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

func newSink(out *output, start, end int64) *sink {
	if end == 0 {
		end = math.MaxInt64
	}
	return &sink{out: out, start: start, end: end, maxDelay: math.MinInt64}
}

// onHeader starts the stream with a chunk's link type, or checks that the
// chunk agrees with it, then emits a pending resume tick.
func (s *sink) onHeader(chunk string, linkType uint32) error {
	if s.out.started && s.out.linkType != linkType {
		return fmt.Errorf("chunk %s has link type %d; the stream has %d: %w", chunk, linkType, s.out.linkType, ErrLinkType)
	}
	s.out.header(linkType)
	if s.resume {
		s.resume = false
		return s.out.resumeAt(s.resumeAt)
	}
	return nil
}

// keep reports whether a packet at t passes the time filter.
func (s *sink) keep(t int64) bool { return t >= s.start && t < s.end }

// delay notes a live packet's delay.
func (s *sink) delay(t int64) {
	if d := s.now - t; d > s.maxDelay {
		s.maxDelay = d
	}
}

// boundaryError reports a resume offset that falls inside a record.
func boundaryError(chunk string, want, at int64) error {
	return fmt.Errorf("chunk %s: checkpoint offset %d falls inside the record at byte %d: %w", chunk, want, at, checkpoint.ErrNotRecorded)
}
