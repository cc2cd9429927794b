package split

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/pcappush/pcappush/lib/pcapio"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

// Stats count what a Splitter has done.
type Stats struct {
	Files      int64 // splits published
	Existed    int64 // splits found already published (the same bytes under their name): not written again
	Packets    int64 // packets written
	Bytes      int64 // pcap bytes written, file headers included
	Reordered  int64 // packets stamped before the start of their split
	OutOfClock int64 // packets stamped out of the clock's tolerance, published apart
	Ticks      int64 // clock ticks seen
	Skipped    int64 // packets dropped by Options.Skip (published before)
}

// Splitter writes records into splits. It is not safe for concurrent use.
type Splitter struct {
	opts     Options
	sink     Sink
	w        *pcapio.Writer
	linkType uint32
	snaplen  uint32
	open     bool
	cur      current
	lastEnd  int64  // end of the last published time split
	win      window // the last published time split, when known
	prevName string
	dup      int
	stats    Stats
	progress *progress
	run      []byte        // adjacent raw records not yet queued for the open split
	out      *asyncOut     // performs the writes on its own goroutine
	ckpt     position      // the last checkpoint tick and the packets since
	toSkip   int64         // packets still to drop
	expect   bool          // the next record must be the resume checkpoint tick
	ahead    int64         // the wall clock plus the tolerance, when last read
	outliers map[int64]int // outlier splits published: interval start -> last "_N" used
}

// ErrResume is wrapped by the error for an input that does not begin at
// the checkpoint a resumed run expects.
var ErrResume = errors.New("the input does not start at the checkpoint the ledger names")

// window is a published time split: its interval's start, its name before
// any "_N" and that N (0 for none).
type window struct {
	start int64
	base  string
	dup   int
	known bool
}

// position is a place in the input: after checkpoint tick at, n packets.
type position struct {
	at  int64
	n   int64
	set bool
}

// current is the open split.
type current struct {
	part    Part
	name    string // provisional (size splits) or final (time splits) name
	base    string // time splits: the final name before any "_N"
	dup     int    // time splits: that N, 0 for none
	start   int64
	end     int64
	first   int64
	last    int64
	packets int64
	bytes   int64
	resume  position // after the last packet written
	kind    splitKind
}

// New returns a Splitter that publishes to sink and logs progress on log
// (nil: no log). The options must have passed Validate. Close or Abort
// ends it.
func New(opts Options, sink Sink, log io.Writer) *Splitter {
	s := &Splitter{opts: opts, sink: sink, progress: newProgress(log, opts), out: newAsyncOut(pcapio.DefaultBufferSize),
		lastEnd: opts.Resume.End, toSkip: opts.Resume.Skip, prevName: opts.Resume.Base, dup: max(opts.Resume.Dup-1, 0),
		expect: opts.Resume.HasCkpt, ahead: math.MinInt64, outliers: map[int64]int{}}
	if r := opts.Resume; opts.Time != 0 && r.Base != "" && r.End > 0 {
		// The last split a previous run published, when the ledger names it
		// (a split cut short by a stop is continued under "_N"). Under
		// another prefix or name format, the continuation is "_2".
		start := r.End - opts.Time
		s.win = window{start: start, base: s.baseName(start, r.End), dup: 1, known: true}
		if s.win.base == r.Base {
			s.win.dup = r.Dup
		}
	}
	return s
}

// baseName is the name of a split of [start, end) (time) or with packets
// from start to end (size), before any "_N" and the suffix.
func (s *Splitter) baseName(start, end int64) string {
	return JoinName(s.opts.Prefix, s.opts.Name.TimePart(start, end), "")
}

// fullName is base with "_dup" (when dup is not 0) and the suffix.
func (s *Splitter) fullName(base string, dup int) string {
	return Names{Base: base, Dup: dup, Suffix: s.opts.Suffix}.Name()
}

// SetFormat sets the link type and snapshot length of the files' headers;
// call it before the first record.
func (s *Splitter) SetFormat(linkType, snaplen uint32) {
	s.linkType, s.snaplen = linkType, snaplen
}

// Stats returns the counts so far.
func (s *Splitter) Stats() Stats { return s.stats }

// Write adds one record: a packet goes into its split, a tick may close
// the open time split.
func (s *Splitter) Write(rec pcapio.Record) error { return s.WriteRaw(rec, nil) }

// WriteRaw is Write for a record whose encoded form raw (pcapio.Reader.Raw)
// can be written as it is. Records adjacent in the reader's buffer are
// collected into one run and written with a single call: at the end of the
// run, when the split changes, or when FlushRun is called (which must happen
// before the reader's buffer moves: see pcapio.Reader.SetCompactHook).
func (s *Splitter) WriteRaw(rec pcapio.Record, raw []byte) error {
	if s.expect {
		s.expect = false
		if !rec.IsTick() || rec.Time != s.opts.Resume.Ckpt {
			return fmt.Errorf("resume: first record at %d, not the checkpoint tick %d (the ledger moved on since the pipeline was planned; start it again): %w", rec.Time, s.opts.Resume.Ckpt, ErrResume)
		}
	}
	if rec.IsTick() {
		s.stats.Ticks++
		if g := s.opts.CheckpointEvery; g > 0 && rec.Time%g == 0 {
			s.ckpt = position{at: rec.Time, set: true}
		}
		if s.tickCloses(rec.Time) {
			return s.publish()
		}
		return nil
	}
	s.ckpt.n++
	if s.toSkip > 0 {
		s.toSkip--
		s.stats.Skipped++
		return nil
	}
	if err := s.route(rec.Time, int64(pcapio.RecordHeaderLen+len(rec.Data))); err != nil {
		return err
	}
	if err := s.put(rec, raw); err != nil {
		return err
	}
	c := &s.cur
	c.resume = s.ckpt
	if c.packets == 0 {
		c.first, c.last = rec.Time, rec.Time
	}
	c.first, c.last = min(c.first, rec.Time), max(c.last, rec.Time)
	n := int64(pcapio.RecordHeaderLen + len(rec.Data))
	c.packets++
	c.bytes += n
	s.stats.Packets++
	s.stats.Bytes += n
	s.progress.add(n, c.name)
	return nil
}

// runQueueSize is the run length at which a run is handed to the writing
// goroutine without waiting for its end, so that writing overlaps reading.
const runQueueSize = 256 * 1024

// put writes a packet to the open split, extending the current run when
// raw follows it in the reader's buffer.
func (s *Splitter) put(rec pcapio.Record, raw []byte) error {
	if len(raw) == pcapio.RecordHeaderLen+len(rec.Data) {
		if n := len(s.run); n > 0 && cap(s.run) > n && &s.run[:n+1][n] == &raw[0] {
			s.run = s.run[:n+len(raw)]
			if len(s.run) >= runQueueSize {
				return s.FlushRun()
			}
			return nil
		}
		if err := s.FlushRun(); err != nil {
			return err
		}
		s.run = raw
		return nil
	}
	if err := s.FlushRun(); err != nil {
		return err
	}
	if err := s.w.WritePacket(rec.Time, rec.OrigLen, rec.Data); err != nil {
		return s.fail(err)
	}
	return nil
}

// FlushRun queues the run of raw records collected so far for writing.
func (s *Splitter) FlushRun() error {
	if len(s.run) == 0 {
		return nil
	}
	if err := s.w.Flush(); err != nil {
		return s.fail(err)
	}
	if err := s.out.err(); err != nil {
		return s.fail(err)
	}
	s.out.writeStable(s.cur.part, s.run)
	s.run = nil
	return nil
}

// Sync writes out everything queued, so that the reader's buffer may move:
// give it to pcapio.Reader.SetCompactHook.
func (s *Splitter) Sync() error {
	if err := s.FlushRun(); err != nil {
		return err
	}
	if !s.open {
		return nil
	}
	if err := s.out.barrier(); err != nil {
		return s.fail(err)
	}
	return nil
}

// route makes sure the split that takes a packet stamped ts of n bytes is
// open.
func (s *Splitter) route(ts, n int64) error {
	if s.opts.Time != 0 {
		return s.routeTime(ts)
	}
	if s.open && s.cur.packets > 0 && s.cur.bytes+n > s.opts.Bytes {
		if err := s.publish(); err != nil {
			return err
		}
	}
	if !s.open {
		return s.start(s.fullName(s.baseName(ts, ts), 0), ts, ts)
	}
	return nil
}

// startTime opens the time split [start, end), named with "_dup" when dup
// is not 0.
func (s *Splitter) startTime(start, end int64, dup int) error {
	base := s.baseName(start, end)
	if err := s.start(s.fullName(base, dup), start, end); err != nil {
		return err
	}
	s.cur.base, s.cur.dup = base, dup
	return nil
}

// start opens a split named name for [start, end) (time) or starting at a
// packet stamped start (size; the name is provisional).
func (s *Splitter) start(name string, start, end int64) error {
	part, err := s.sink.Create(name)
	if err != nil {
		return err
	}
	dst := asyncPart{a: s.out, part: part}
	if s.w == nil {
		s.w = pcapio.NewWriter(dst, s.linkType, s.snaplen)
	} else {
		s.w.Reset(dst)
	}
	s.open = true
	s.cur = current{part: part, name: name, start: start, end: end, bytes: pcapio.HeaderLen}
	if err := s.w.WriteHeader(); err != nil {
		return s.fail(err)
	}
	s.stats.Bytes += pcapio.HeaderLen
	s.progress.newSplit(pcapio.HeaderLen, name)
	return nil
}

// finalName is the name the open split is published under, its name
// before any "_N", and that N.
func (s *Splitter) finalName() (name, base string, dup int) {
	if s.opts.Time != 0 {
		return s.cur.name, s.cur.base, s.cur.dup
	}
	base = s.baseName(s.cur.first, s.cur.last)
	if base == s.prevName {
		s.dup++
		return s.fullName(base, s.dup+1), base, s.dup + 1
	}
	s.prevName, s.dup = base, 0
	return s.fullName(base, 0), base, 0
}

// publish completes the open split and publishes it under its final name.
func (s *Splitter) publish() error {
	if err := s.FlushRun(); err != nil {
		return err
	}
	if err := s.w.Flush(); err != nil {
		return s.fail(err)
	}
	if err := s.out.barrier(); err != nil {
		return s.fail(err)
	}
	c := s.cur
	name, base, dup := s.finalName()
	s.open = false
	res, err := c.part.Commit(Names{Base: base, Dup: dup, Suffix: s.opts.Suffix})
	if err != nil {
		c.part.Abort() //nolint:errcheck // the commit error is the one to report
		return err
	}
	s.noteCommit(name, res, c.packets)
	if res.Name() != name {
		name, dup = res.Name(), res.Dup
		if s.opts.Time == 0 {
			s.dup = max(dup-1, 0) // the next split of this name takes the N after
		}
	}
	if res.Existed {
		s.stats.Existed++
	} else {
		s.stats.Files++
	}
	if q := res.Prefix; q.Packets > 0 {
		c.packets, c.bytes, c.first = c.packets-q.Packets, c.bytes-q.Bytes, q.Next
	}
	if s.opts.Time != 0 && c.kind != outlierSplit {
		s.lastEnd = c.end
		s.win = window{start: c.start, base: base, dup: dup, known: true}
	} else if s.opts.Time == 0 && name != c.name {
		s.progress.renamed(name)
	}
	info := ledger.Entry{Name: name, Start: c.start, End: c.end, First: c.first, Last: c.last, Packets: c.packets, Bytes: c.bytes,
		Ckpt: c.resume.at, Skip: c.resume.n, HasCkpt: c.resume.set, Base: base, Dup: dup, Existed: res.Existed, Outlier: c.kind == outlierSplit}
	if s.opts.Time == 0 {
		info.Start, info.End = c.first, c.last
	}
	if s.opts.OnPublish != nil {
		return s.opts.OnPublish(info)
	}
	return nil
}

// noteCommit logs what publishing the split meant to be name found: the
// name taken, the same bytes there already, or the first packets there.
func (s *Splitter) noteCommit(name string, res Published, packets int64) {
	switch q := res.Prefix; {
	case q.Packets > 0 && res.Existed:
		s.progress.note("%s already holds the first %d packets of this split with the same bytes, and %s the rest: not written again (skipped)", name, q.Packets, res.Name())
	case q.Packets > 0:
		s.progress.note("%s already holds the first %d packets of this split with the same bytes (a split cut short, published before): the other %d published as %s", name, q.Packets, packets-q.Packets, res.Name())
	case res.Existed:
		s.progress.note("%s is already published with the same content: not written again (skipped)", res.Name())
	case res.Name() != name:
		s.progress.note("warning: %s already exists with other content: published as %s", name, res.Name())
		s.opts.Events.Warn("%s already exists with other content: published as %s", name, res.Name())
	}
}

// fail aborts the open split after a write error.
func (s *Splitter) fail(err error) error {
	s.run = nil
	if s.open {
		s.out.barrier() //nolint:errcheck // err is the one to report
		s.open = false
		s.cur.part.Abort() //nolint:errcheck // err is the one to report
		return fmt.Errorf("write %s: %w", s.cur.name, err)
	}
	return err
}

// Idle closes the open time split when the input has been quiet for the
// idle grace and the wall clock is that far past the split's end.
func (s *Splitter) Idle(quiet time.Duration) error {
	g := s.opts.IdleClose
	if !s.open || s.opts.Time == 0 || g <= 0 || quiet < g {
		return nil
	}
	if s.cur.kind != outlierSplit && s.opts.Now().UnixNano() < s.cur.end+int64(g) {
		return nil
	}
	return s.publish()
}

// Close publishes the open split, if any, and ends the Splitter.
func (s *Splitter) Close() error {
	defer s.out.close()
	if !s.open {
		return nil
	}
	return s.publish()
}

// Abort removes the open split, if any, without publishing it, and ends
// the Splitter.
func (s *Splitter) Abort() {
	defer s.out.close()
	s.run = nil
	if s.open {
		s.out.barrier() //nolint:errcheck // aborting: nothing to report
		s.open = false
		s.cur.part.Abort() //nolint:errcheck // nothing more to do
	}
}
