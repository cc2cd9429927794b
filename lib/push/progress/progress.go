package progress

import (
	"context"
	"fmt"
	"io"
	"math"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/pcappush/pcappush/lib/push/status"
)

// Source returns every target's status now.
type Source func() []status.Status

// barRefresh is how often the bars are redrawn.
const barRefresh = 150 * time.Millisecond

// bar is one target's bar and what its decorators show.
type bar struct {
	b      *mpb.Bar
	splits atomic.Int64
	last   time.Time
	total  int64
}

// Bars draws a bar per target on w (a terminal) until ctx ends, then
// draws the final state and returns.
func Bars(ctx context.Context, w io.Writer, src Source) {
	p := mpb.New(mpb.WithOutput(w), mpb.WithRefreshRate(barRefresh), mpb.ForceTTY(), mpb.WithAutoRefresh())
	first := src()
	width := 0
	for _, s := range first {
		width = max(width, len(s.Target))
	}
	bars := make([]*bar, len(first))
	for i, s := range first {
		bars[i] = addBar(p, s, width)
	}
	tick := time.NewTicker(barRefresh)
	defer tick.Stop()
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-tick.C:
		}
		update(bars, src(), done)
	}
	p.Wait()
}

func addBar(p *mpb.Progress, s status.Status, width int) *bar {
	b := &bar{last: time.Now()}
	// Built with no total and given it after, a bar does not complete by
	// itself when stream_cat has read everything: only update ends it,
	// once the target's splits are published.
	b.b = p.AddBar(0,
		mpb.PrependDecorators(decor.Name(s.Target, decor.WC{W: width + 1, C: decor.DindentRight})),
		mpb.AppendDecorators(
			decor.Counters(decor.SizeB1000(0), "% .1f / % .1f", decor.WC{W: 22}),
			decor.OnCompleteOrOnAbort(decor.EwmaSpeed(decor.SizeB1000(0), "% .1f", 30, decor.WC{W: 13}), ""),
			decor.OnComplete(decor.OnAbort(decor.EwmaETA(decor.ET_STYLE_GO, 30, decor.WC{W: 10}), "  failed"), "  done"),
			decor.Any(func(decor.Statistics) string { return fmt.Sprintf("  %d splits", b.splits.Load()) }),
		))
	return b
}

// update moves each bar to its target's progress; at the end it
// completes the bars of finished targets and aborts the others.
func update(bars []*bar, sts []status.Status, end bool) {
	now := time.Now()
	for i, s := range sts {
		if i >= len(bars) {
			break
		}
		b := bars[i]
		b.splits.Store(s.Splits)
		if s.Progress != nil && s.Progress.Total > 0 && b.total == 0 {
			b.total = s.Progress.Total
			b.b.SetTotal(b.total, false)
		}
		if s.Progress != nil {
			b.b.EwmaSetCurrent(s.Progress.Done, now.Sub(b.last))
		}
		b.last = now
		if end {
			if s.State == status.Failed || (s.Progress != nil && s.Progress.Done < s.Progress.Total) {
				b.b.Abort(false)
			} else {
				b.b.SetTotal(-1, true)
			}
		}
	}
}

// Lines writes a line per target on w every interval until ctx ends, then
// a last line per target with how it ended:
//
//	push_realtime: pcap-all: 12.4 MB of 24.0 MB (51%), 2 splits, 10.2 MB/s, ETA 1.1s
func Lines(ctx context.Context, w io.Writer, src Source, every time.Duration, prefix string) {
	began, last := time.Now(), time.Now()
	prev := map[string]int64{}
	ended := map[string]bool{}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for end := false; !end; {
		select {
		case <-ctx.Done():
			end = true
		case <-tick.C:
		}
		now := time.Now()
		el := now.Sub(last).Seconds()
		last = now
		for _, s := range src() {
			if end || (s.State != status.Running && s.State != status.Idle) {
				if !ended[s.Target] {
					fmt.Fprintf(w, "%s%s: %s in %s: %s\n", prefix, s.Target, amount(s), status.Duration(now.Sub(began)), ending(s))
				}
				ended[s.Target] = true
				continue
			}
			rate := 0.0
			if s.Progress != nil && el > 0 {
				rate = float64(s.Progress.Done-prev[s.Target]) / el
				prev[s.Target] = s.Progress.Done
			}
			fmt.Fprintf(w, "%s%s: %s, %s/s, ETA %s\n", prefix, s.Target, amount(s), status.Bytes(int64(rate)), eta(s, rate))
		}
	}
}

// amount says how much is done: "12.4 MB of 24.0 MB (51%), 2 splits".
func amount(s status.Status) string {
	splits := fmt.Sprintf("%d splits", s.Splits)
	if s.Progress == nil || s.Progress.Total <= 0 {
		return splits
	}
	pct := math.Floor(100 * float64(s.Progress.Done) / float64(s.Progress.Total))
	return fmt.Sprintf("%s of %s (%.0f%%), %s", status.Bytes(s.Progress.Done), status.Bytes(s.Progress.Total), pct, splits)
}

func eta(s status.Status, rate float64) string {
	if s.Progress == nil || rate <= 0 {
		return "-"
	}
	return status.Duration(time.Duration(float64(s.Progress.Total-s.Progress.Done) / rate * float64(time.Second)))
}

func ending(s status.Status) string {
	switch s.State {
	case status.Failed:
		return "failed: " + s.Detail
	case status.Stopped:
		return s.Detail
	}
	return s.State
}
