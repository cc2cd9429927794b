package split

import "math"

// The split clock and packets that lie about the time (see the package
// documentation, "Clocks that lie").

// splitKind says what the open time split is.
type splitKind int

const (
	normalSplit  splitKind = iota
	outlierSplit           // packets out of the clock's tolerance: published apart, the clock unchanged
	jumpSplit              // opened by a packet far ahead of the last split, not yet confirmed by the next packets
)

// jumpConfirm is how many packets a split opened by a jump ahead must
// receive (or the time must pass its end) before the jump is taken for the
// clock's: a single packet far ahead followed by packets back at the old
// time was out of the clock instead.
const jumpConfirm = 16

// tolerance returns the clock tolerance in ns; 0 when it is off.
func (s *Splitter) tolerance() int64 {
	if s.opts.ClockTolerance < 0 {
		return 0
	}
	return int64(s.opts.ClockTolerance)
}

// aheadOfNow reports whether t is later than the wall clock plus the
// tolerance. The limit is cached and read again only when t passes it,
// so that the clock is not read per packet.
func (s *Splitter) aheadOfNow(t int64) bool {
	tol := s.tolerance()
	if tol == 0 || t <= s.ahead {
		return false
	}
	now := s.opts.Now().UnixNano()
	s.ahead = math.MaxInt64
	if now < math.MaxInt64-tol {
		s.ahead = now + tol
	}
	return t > s.ahead
}

// clockStart returns the start of the split the clock is in: the open
// split unless it is out of the clock or an unconfirmed jump, else the
// last split published; false when there is none yet.
func (s *Splitter) clockStart() (int64, bool) {
	if s.open && s.cur.kind == normalSplit {
		return s.cur.start, true
	}
	if s.win.known {
		return s.win.start, true
	}
	if s.lastEnd > 0 {
		return s.lastEnd - s.opts.Time, true
	}
	return 0, false
}

// outOfClock reports whether a packet stamped ts is out of the clock's
// tolerance: before the epoch, later than the wall clock plus the
// tolerance, or earlier than the clock's split by more than it.
func (s *Splitter) outOfClock(ts int64) bool {
	tol := s.tolerance()
	if tol == 0 {
		return false
	}
	if ts < 0 || s.aheadOfNow(ts) {
		return true
	}
	start, ok := s.clockStart()
	return ok && ts < start-tol
}

// routeTime makes sure the time split that takes a packet stamped ts is
// open.
func (s *Splitter) routeTime(ts int64) error {
	tol, T := s.tolerance(), s.opts.Time
	if s.open && s.cur.kind == jumpSplit {
		switch {
		case ts < s.cur.start-tol:
			// Back to the old time: the jump was out of the clock.
			s.cur.kind = outlierSplit
			s.stats.OutOfClock += s.cur.packets
			if err := s.publish(); err != nil {
				return err
			}
		case ts >= s.cur.end:
			s.cur.kind = normalSplit // the time went on from the jump: the clock's
		case s.cur.packets+1 >= jumpConfirm:
			s.cur.kind = normalSplit
		}
	}
	if s.outOfClock(ts) {
		return s.routeOutlier(ts)
	}
	if s.open && (s.cur.kind == outlierSplit || ts >= s.cur.end) {
		if err := s.publish(); err != nil {
			return err
		}
	}
	if !s.open {
		start, dup := floorDiv(ts, T)*T, 0
		if start < s.lastEnd {
			if w := s.win; w.known && w.start+T == s.lastEnd {
				// The last split published was cut short (a stop, a
				// reload, a packet out of the clock): the rest of its
				// interval goes into a file of the same interval, named
				// "_N", so that no name lies about its packets and no
				// published file is replaced.
				start, dup = w.start, max(w.dup, 1)+1
			} else {
				start = s.lastEnd
			}
		}
		if err := s.startTime(start, start+T, dup); err != nil {
			return err
		}
		if tol > 0 && s.lastEnd > 0 && start >= s.lastEnd+tol {
			s.cur.kind = jumpSplit
		}
	}
	if ts < s.cur.start {
		s.stats.Reordered++
	}
	return nil
}

// routeOutlier puts a packet out of the clock into a split of its own
// interval, published apart (ledger.Entry.Outlier) without moving the clock:
// consecutive such packets of one interval share it.
func (s *Splitter) routeOutlier(ts int64) error {
	T := s.opts.Time
	start := floorDiv(ts, T) * T
	s.stats.OutOfClock++
	if s.open && s.cur.kind == outlierSplit && s.cur.start == start {
		return nil
	}
	if s.open {
		if err := s.publish(); err != nil {
			return err
		}
	}
	// Two outlier splits of one interval in a run are told apart by "_N".
	dup := s.outliers[start]
	if dup > 0 {
		dup++
	}
	if err := s.startTime(start, start+T, dup); err != nil {
		return err
	}
	s.outliers[start] = max(dup, 1)
	s.cur.kind = outlierSplit
	return nil
}

// tickCloses reports whether a clock tick at t closes the open time
// split: a split out of the clock at any tick, the others once t reaches
// their end; a tick later than the wall clock plus the tolerance is not
// believed.
func (s *Splitter) tickCloses(t int64) bool {
	switch {
	case !s.open || s.opts.Time == 0:
		return false
	case s.cur.kind == outlierSplit:
		return true
	case s.aheadOfNow(t):
		return false
	}
	return t >= s.cur.end
}
