package capture

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"

	"github.com/fsnotify/fsnotify"
)

// wait blocks until the folder changes, the tick timer fires or ctx is
// cancelled; on a tick it emits an idle tick.
func (f *follower) wait() error {
	k := f.k
	f.caughtUp = true
	var events chan fsnotify.Event
	var errs chan error
	if f.w != nil {
		events, errs = f.w.Events, f.w.Errors
	}
	select {
	case ev := <-events:
		f.event(ev)
		for more := true; more; {
			select {
			case ev := <-events:
				f.event(ev)
			default:
				more = false
			}
		}
	case err := <-errs:
		k.notef("watching %s: %v: listing it again", k.c.Dir, err)
		f.dirty = true // an overflowed queue: list again
	case <-f.tick.C:
		return f.onTick()
	case <-k.ctx.Done():
	}
	return nil
}

// event notes a change in the capture folder.
func (f *follower) event(ev fsnotify.Event) {
	if !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Remove) && !ev.Has(fsnotify.Rename) {
		return
	}
	f.dirty = true
	name := filepath.Base(ev.Name)
	if f.k.c.File != "" || !ev.Has(fsnotify.Create) {
		return
	}
	if key, _, class := classify(name); class != notChunk && NaturalCompare(key, f.k.pos) > 0 {
		f.known[key] = name
	}
}

// onTick emits an idle tick when nothing arrived for a tick's time, and
// notes when such a tick passes --end-time.
func (f *follower) onTick() error {
	k := f.k
	now := k.now()
	if now.Sub(f.lastData) < TickEvery*9/10 {
		return nil
	}
	lag := max(int64(k.opts.TickLag), f.delays.max(now.UnixNano()))
	at := now.UnixNano() - lag
	if k.opts.End != 0 && max(at, k.out.wm) >= k.opts.End {
		f.endReached = true
	}
	if k.opts.NoTicks {
		return nil
	}
	name, off := k.posName, k.posEnd
	if k.cur != nil {
		name, off = k.curCh.Name, k.cur.offset()
	}
	if err := k.out.idleTick(at, name, off); err != nil {
		return err
	}
	return k.out.flush()
}

// relist lists the capture folder again and warns about chunks that were
// listed (or created) but vanished before they were read.
func (f *follower) relist() error {
	k := f.k
	chs, err := k.c.Chunks(false)
	if errors.Is(err, fs.ErrNotExist) {
		return errors.New("capture folder " + k.c.Dir + " was removed")
	}
	if err != nil {
		return err
	}
	now := k.now()
	if len(chs) != len(k.chs) || (len(chs) > 0 && chs[len(chs)-1].Name != k.chs[len(k.chs)-1].Name) {
		f.changed = now
	}
	k.chs, f.dirty, f.listed = chs, false, now
	var gone []string
	for key := range f.known {
		if _, ok := slices.BinarySearchFunc(chs, key, func(c Chunk, key string) int { return NaturalCompare(c.Key, key) }); !ok {
			gone = append(gone, key)
		}
	}
	slices.SortFunc(gone, NaturalCompare)
	for _, key := range gone {
		if NaturalCompare(key, k.pos) > 0 {
			k.lost++
			k.warnLost(f.known[key], k.nextAfter(key))
		}
	}
	f.remember()
	return nil
}
