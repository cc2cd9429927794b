package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pcappush/pcappush/lib/event"
)

// DefaultCheckpointEvery is the checkpoint interval: one second of packet
// time.
const DefaultCheckpointEvery = int64(time.Second)

// Options control Cat.
type Options struct {
	Follow       bool          // wait for more at the end; rotate with the recorder
	Start, End   int64         // keep packets with Start <= time < End (ns); 0: no bound
	NoTicks      bool          // no idle ticks in follow mode
	TickLag      time.Duration // least lag of idle ticks behind the clock; 0: DefaultTickLag
	ActiveWindow time.Duration // quiet time after which a capture is inactive; 0: DefaultActiveWindow
	SkipBad      bool          // warn about a corrupt chunk and go on
	Verbose      bool          // log each chunk as it starts
	NoMove       bool          // write every byte; never have the kernel move chunk bytes to the output

	// UID turns on checkpoints, kept where lib/state says:
	// state.At(StateDir).Checkpoints(UID, name).
	UID             string
	StateDir        string
	CheckpointEvery int64 // ns; 0: DefaultCheckpointEvery
	Resume          bool  // start at the checkpoint ResumeAt
	ResumeAt        int64

	// ClockTolerance: a packet stamped later than the wall clock by more
	// (a recorder's clock that jumped) is emitted but moves neither idle
	// ticks nor checkpoints; 0: no limit.
	ClockTolerance time.Duration

	Log io.Writer        // warnings and notes; nil: discarded
	Now func() time.Time // the wall clock; nil: time.Now
	// Events receives the warnings, the chunks lost, and where reading
	// is every PositionEvery and at each chunk's end (nil: none).
	Events *event.Writer
}

// PositionEvery is how often, at most, Cat writes a position event while
// it reads.
const PositionEvery = 200 * time.Millisecond

// DefaultClockTolerance is stream_cat's --clock-tolerance.
const DefaultClockTolerance = 5 * time.Minute

// Stats count what Cat emitted.
type Stats struct {
	Chunks  int64 // chunks opened
	Packets int64 // packets emitted
	Bytes   int64 // pcap bytes of those packets, record headers included
	Ticks   int64 // clock ticks emitted (idle and checkpoint)
	Lost    int64 // chunks deleted before they were read
	Skipped int64 // corrupt chunks skipped under SkipBad
	Moved   int64 // of Bytes, those moved from the chunk files by the kernel, never copied here
}

// Counts returns the counters by name, for a stats event.
func (st Stats) Counts() map[string]int64 {
	return map[string]int64{"chunks": st.Chunks, "packets": st.Packets, "bytes": st.Bytes, "ticks": st.Ticks, "lost": st.Lost, "skipped": st.Skipped}
}

// OutputError wraps a failure to write the stream or the checkpoints:
// never a chunk's fault, so never skipped.
type OutputError struct{ Err error }

func (e *OutputError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *OutputError) Unwrap() error { return e.Err }

// errStopped ends reading when the context is cancelled.
var errStopped = errors.New("stopped")

// Cat writes the capture's packets to w as one nanosecond pcap stream. It
// returns when the capture is read to its end (or, following, finished),
// or when ctx is cancelled; either way what was read is flushed.
func Cat(ctx context.Context, c *Capture, w io.Writer, opts Options) (Stats, error) {
	k, err := newCatter(ctx, c, w, opts)
	if err != nil {
		return Stats{}, err
	}
	if opts.Follow {
		err = k.follow()
	} else {
		err = k.stored()
	}
	if errors.Is(err, errStopped) {
		err = nil
	}
	if ferr := k.out.flush(); err == nil && ferr != nil {
		err = ferr
	}
	if k.ckpt != nil {
		if cerr := k.ckpt.Close(); err == nil && cerr != nil {
			err = &OutputError{Err: cerr}
		}
	}
	k.close()
	return k.stats(), err
}

// stored reads every chunk present once.
func (k *catter) stored() error {
	chs, err := k.c.Chunks(k.opts.Events != nil) // sizes, for the position's total
	if err != nil {
		return err
	}
	if len(chs) == 0 {
		return fmt.Errorf("capture %s holds no chunks (in %s)", k.c.Name, k.c.Dir)
	}
	k.chs = chs
	for _, ch := range chs {
		k.total += ch.Size
	}
	i, err := k.startIndex()
	if err != nil {
		return err
	}
	for ; i < len(k.chs); i++ {
		if k.stopped() {
			return nil
		}
		if k.beyondEnd(k.chs[i]) {
			return nil
		}
		lenient := i == len(k.chs)-1 && k.activeNow()
		if err := k.whole(i, lenient); err != nil {
			return err
		}
	}
	return nil
}

// whole reads chunk i to its end. When lenient (the last chunk of an
// active capture), a record being written at the end is left out;
// otherwise it is an error.
func (k *catter) whole(i int, lenient bool) error {
	ch := k.chs[i]
	if ok, err := k.openChunk(ch, i); !ok {
		return err
	}
	k.cur.setFinal()
	err := k.cur.run(k.sink)
	if err == nil && k.cur.pending() > 0 {
		if lenient {
			k.logf("%s: stopped at the last complete record; %d bytes of a record being written follow", ch.Name, k.cur.pending())
		} else {
			err = k.cur.truncated()
		}
	}
	k.closeChunk()
	return k.chunkErr(ch, err)
}

// activeNow tells whether the capture is still being written.
func (k *catter) activeNow() bool {
	in, err := k.c.Chunks(true)
	if err != nil || k.c.Complete() {
		return false
	}
	var newest time.Time
	for _, ch := range in {
		if ch.ModTime.After(newest) {
			newest = ch.ModTime
		}
	}
	return k.now().Sub(newest) < k.opts.ActiveWindow
}

// beyondEnd tells whether a chunk starts at or after --end-time, so that
// it and (chunks being in time order) all later ones hold nothing wanted.
func (k *catter) beyondEnd(ch Chunk) bool {
	if k.opts.End == 0 {
		return false
	}
	t, ok, err := FirstTime(k.c.Path(ch))
	if err == nil && ok && t >= k.opts.End {
		k.notef("chunk %s starts at %s, at or after the end time: done", ch.Name, FormatTime(t))
		return true
	}
	return false
}

// chunkErr turns a chunk's failure into the run's error, or into a warning
// under SkipBad.
func (k *catter) chunkErr(ch Chunk, err error) error {
	var oe *OutputError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errStopped), errors.As(err, &oe):
		return err
	case k.opts.SkipBad:
		k.skipped++
		k.warnf("skipping the rest of chunk %s: %v", ch.Name, err)
		return nil
	}
	return err
}
