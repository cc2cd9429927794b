package capture

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// relistEvery is how often the capture folder is listed again without a
// sign of change from inotify (a safety net for lost events).
const relistEvery = 10 * time.Second

// follower keeps reading a capture as its recorder writes it.
type follower struct {
	k          *catter
	w          *fsnotify.Watcher // nil when inotify is unavailable: poll
	tick       *time.Ticker
	startAt    int               // index of the first chunk to open; -1 once used
	dirty      bool              // the folder changed since it was listed
	listed     time.Time         // when it was listed
	known      map[string]string // key -> name of listed chunks not read yet
	lastData   time.Time         // when records last arrived
	changed    time.Time         // when the capture last changed
	checked    time.Time         // when newer captures were last looked for
	caughtUp   bool              // reading data as it is written
	endReached bool              // an idle tick passed --end-time
	stalled    bool              // warned that the capture stopped changing
	delays     delayWindow
}

// follow reads the capture, then follows it as it grows and rotates, until
// it is finished (completion marker, or a newer capture and a quiet
// window), --end-time is passed, or ctx is cancelled.
func (k *catter) follow() error {
	f := &follower{k: k, known: map[string]string{}, lastData: k.now()}
	if err := f.start(); err != nil {
		return err
	}
	defer f.stop()
	for {
		done, err := f.step()
		if done || err != nil {
			return err
		}
	}
}

// start lists the capture, finds the first chunk and starts watching.
func (f *follower) start() error {
	k := f.k
	w, err := fsnotify.NewBufferedWatcher(4096)
	if err == nil {
		if err = w.Add(k.c.Dir); err != nil {
			_ = w.Close() // unused watcher
		}
	}
	if err != nil {
		k.warnf("cannot watch %s (%v): polling every %s instead", k.c.Dir, err, TickEvery)
	} else {
		f.w = w
	}
	f.tick = time.NewTicker(TickEvery)
	chs, err := k.c.Chunks(true)
	if err != nil {
		return err
	}
	for _, ch := range chs {
		if ch.ModTime.After(f.changed) {
			f.changed = ch.ModTime
		}
	}
	k.chs, f.listed = chs, k.now()
	if len(chs) == 0 && k.opts.Resume {
		return errors.New("cannot resume: the capture holds no chunks")
	}
	if f.startAt, err = k.startIndex(); err != nil {
		return err
	}
	f.remember()
	return nil
}

func (f *follower) stop() {
	f.tick.Stop()
	if f.w != nil {
		_ = f.w.Close() // nothing was written through it
	}
}

// step does one round: read what is there, move on to the next chunk,
// or wait. It reports true when following is over.
func (f *follower) step() (bool, error) {
	k := f.k
	if k.stopped() {
		return true, nil
	}
	every := relistEvery
	if f.w == nil {
		every = TickEvery // no inotify: poll
	}
	if f.dirty || k.now().Sub(f.listed) >= every {
		if err := f.relist(); err != nil {
			return true, err
		}
	}
	if k.cur == nil {
		opened, err := f.openNext()
		if err != nil || opened {
			return false, err
		}
	} else {
		if err := f.pump(); err != nil {
			k.closeChunk()
			return false, k.chunkErr(k.curCh, err)
		}
		if k.nextAfter(k.pos) < len(k.chs) {
			return false, f.finishChunk()
		}
	}
	if f.endReached {
		return true, nil
	}
	if f.finished() {
		return true, f.drainAll()
	}
	if err := k.out.flush(); err != nil {
		return true, err
	}
	return false, f.wait()
}

// openNext opens the next chunk to read, if there is one that may be read
// now: a compressed chunk only once a later chunk exists (it is complete).
func (f *follower) openNext() (bool, error) {
	k := f.k
	i := f.startAt
	if i < 0 {
		i = k.nextAfter(k.pos)
	}
	if i >= len(k.chs) {
		return false, nil
	}
	ch := k.chs[i]
	if ch.Comp != None && i == len(k.chs)-1 {
		return false, nil
	}
	f.startAt = -1
	if k.beyondEnd(ch) {
		f.endReached = true
		return false, nil
	}
	delete(f.known, ch.Key)
	ok, err := k.openChunk(ch, i)
	return ok || err == nil, err
}

// pump reads what the current chunk holds now.
func (f *follower) pump() error {
	k, s := f.k, f.k.sink
	off, pend := k.cur.offset(), k.cur.pending()
	now := k.now()
	s.live, s.now = f.caughtUp, now.UnixNano()
	err := k.cur.run(s)
	if s.maxDelay != math.MinInt64 {
		f.delays.add(s.now, s.maxDelay)
		s.maxDelay = math.MinInt64
	}
	if k.cur.offset() != off || k.cur.pending() != pend {
		if f.stalled {
			f.stalled = false
			k.logf("capture %s: data again, after %s without", k.c.Name, now.Sub(f.changed).Round(time.Second))
		}
		f.lastData, f.changed = now, now
	}
	return err
}

// finishChunk reads the current chunk to its end, a later one existing.
func (f *follower) finishChunk() error {
	k := f.k
	k.cur.setFinal()
	err := k.cur.run(k.sink)
	if err == nil && k.cur.pending() > 0 {
		err = k.cur.truncated()
	}
	ch := k.curCh
	k.closeChunk()
	return k.chunkErr(ch, err)
}

// drainAll reads everything left once the capture is finished.
func (f *follower) drainAll() error {
	k := f.k
	if err := f.relist(); err != nil {
		return err
	}
	if k.cur != nil {
		if err := f.finishChunk(); err != nil {
			return err
		}
	}
	for i := f.next(); i < len(k.chs); i = k.nextAfter(k.pos) {
		if k.stopped() || k.beyondEnd(k.chs[i]) {
			return nil
		}
		if err := k.whole(i, false); err != nil {
			return err
		}
	}
	k.notef("capture %s is finished", k.c.Name)
	return nil
}

// next returns the index of the next chunk to read.
func (f *follower) next() int {
	if f.startAt >= 0 {
		i := f.startAt
		f.startAt = -1
		return i
	}
	return f.k.nextAfter(f.k.pos)
}

// finished reports whether the recorder is done with the capture: its
// completion marker exists, or a newer capture exists in the store and
// this one has been quiet for the active window.
func (f *follower) finished() bool {
	k := f.k
	if k.c.Complete() {
		return true
	}
	now := k.now()
	if !f.stalled && now.Sub(f.changed) >= k.opts.ActiveWindow {
		// A quiet link, a recorder that stopped, or a stalled store: said
		// once, and again when data returns; following goes on.
		f.stalled = true
		k.warnf("capture %s: nothing new for %s, since %s (has the recorder stopped, or the store stalled?); still following",
			k.c.Name, now.Sub(f.changed).Round(time.Second), FormatTime(f.changed.UnixNano()))
	}
	if k.c.Store == "" || now.Sub(f.changed) < k.opts.ActiveWindow || now.Sub(f.checked) < TickEvery {
		return false
	}
	f.checked = now
	return newerCapture(Store{Dir: k.c.Store}, k.c.Name, f.changed)
}

// newerCapture reports whether another capture in the store changed after
// since.
func newerCapture(s Store, name string, since time.Time) bool {
	names, err := s.Names()
	if err != nil {
		return false
	}
	for _, n := range names {
		if n == name {
			continue
		}
		if st, err := os.Stat(filepath.Join(s.Dir, n)); err == nil && st.ModTime().After(since) {
			return true
		}
	}
	return false
}

// remember notes the listed chunks not read yet, to tell a deleted one.
func (f *follower) remember() {
	k := f.k
	clear(f.known)
	for _, ch := range k.chs {
		if NaturalCompare(ch.Key, k.pos) > 0 {
			f.known[ch.Key] = ch.Name
		}
	}
}
