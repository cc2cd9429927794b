package synth

import "math"

// clock stamps packets. Packets come in bursts: the first packet of a burst
// is placed where the generation progress says it belongs in the span,
// warped so the rate swells and ebbs, and the others follow it at wire speed
// with some jitter. Stamps never decrease and stay inside [start, end).
type clock struct {
	start   int64   // first possible stamp, ns since the epoch
	span    int64   // length of the span, ns
	meanGap float64 // expected gap between packets, ns
	last    int64   // previous stamp
	burst   int     // packets left in the current burst
}

func newClock(start, span int64, packets float64) clock {
	return clock{start: start, span: span, meanGap: float64(span) / max(packets, 1), last: start}
}

// Rate modulation: over the span the rate goes through warpCycles periods,
// between 1-warpDepth and 1+warpDepth times the mean.
const (
	warpCycles = 3
	warpDepth  = 0.6
)

// warp maps progress in [0, 1] monotonically onto [0, 1]; its slope is
// the inverse of the momentary rate.
func warp(u float64) float64 {
	const k = 2 * math.Pi * warpCycles
	return u + warpDepth*math.Sin(k*u)/k
}

// stamp returns the time of the next packet, a frame of n bytes, given the
// progress of generation in [0, 1).
func (c *clock) stamp(r *rng, progress float64, n int) int64 {
	var ts int64
	if c.burst == 0 {
		c.burst = 1 + r.intn(1+r.intn(32))
		at := warp(progress)*float64(c.span) + r.float()*c.meanGap
		ts = c.start + int64(at)
	} else {
		// 8 ns a byte is gigabit wire speed; the jitter is host noise.
		gap := float64(n)*8 + r.float()*2000
		ts = c.last + int64(min(gap, c.meanGap/2))
	}
	c.burst--
	ts = min(max(ts, c.last), c.start+c.span-1)
	c.last = ts
	return ts
}
