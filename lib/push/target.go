package push

import (
	"os"
	"sync"
	"time"

	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/durable"
	"github.com/pcappush/pcappush/lib/push/status"
	"github.com/pcappush/pcappush/lib/state"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

// target is the live state of one push target.
type target struct {
	uid string

	mu    sync.Mutex
	cfg   config.Target
	proc  Proc // the pipeline running; nil when none
	st    status.Status
	read  int64 // the most stream_cat has told it read of the capture (offline)
	total int64 // the capture's bytes, as stream_cat told them; 0 before it did
	// finished is the capture realtime mode pushed to its end last, said
	// while it waits for the next; "" once another starts.
	finished string
	// seenCapture's last packet was at seenEnd when last looked at.
	seenCapture string
	seenEnd     int64

	wmu sync.Mutex // serialises writes of the status file
}

// newTarget returns the target with its status begun.
func (p *Pusher) newTarget(cfg config.Target, uid, mode string) *target {
	now := p.o.Clock.Now()
	t := &target{uid: uid, cfg: cfg}
	t.st = status.Status{Format: status.Format, Target: cfg.Desc, UID: uid, Mode: mode, PID: os.Getpid(), PIDStart: p.pidStart,
		State: status.Idle, Since: now, Started: p.started, Lost: p.losses(cfg.Desc)}
	return t
}

// config returns the target's configuration.
func (t *target) config() config.Target {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cfg
}

// desc returns the target's name.
func (t *target) desc() string { return t.config().Desc }

// setState records a new state and writes the status file.
func (p *Pusher) setState(t *target, state, detail string) {
	t.mu.Lock()
	if t.st.State == state && t.st.Detail == detail {
		t.mu.Unlock()
		return
	}
	if t.st.State != state {
		t.st.Since = p.o.Clock.Now()
	}
	t.st.State, t.st.Detail = state, detail
	if state != status.Running {
		t.proc = nil
	}
	t.mu.Unlock()
	p.persist(t)
}

// failed counts a pipeline error.
func (p *Pusher) failed(t *target, err error) {
	now := p.o.Clock.Now()
	t.mu.Lock()
	t.st.Errors++
	t.st.LastError, t.st.LastErrorTime = err.Error(), &now
	t.mu.Unlock()
}

// postFailed counts a Post command's failure, reported by pcap_split at
// now.
func (p *Pusher) postFailed(t *target, msg string, now time.Time) {
	t.mu.Lock()
	t.st.PostFailures++
	t.st.LastError, t.st.LastErrorTime = msg, &now
	desc := t.cfg.Desc
	t.mu.Unlock()
	p.log.Printf("push %s: %s", desc, msg)
	p.persist(t)
}

// published counts splits published at now: those found already
// published at their final name as skipped.
func (p *Pusher) published(t *target, es []ledger.Entry, now time.Time) {
	if len(es) == 0 {
		return
	}
	t.mu.Lock()
	for _, e := range es {
		if e.Outlier {
			// Out of the clock: counted and shown, not the split that
			// tells how far the push is.
			t.st.Splits++
			t.st.Bytes += e.Bytes
			t.st.Packets += e.Packets
			t.st.OutOfClock += e.Packets
			t.st.LastOutOfClock = &status.Split{Entry: e, Published: now}
			continue
		}
		if e.Existed {
			t.st.Skipped++
		} else {
			t.st.Splits++
			t.st.Bytes += e.Bytes
			t.st.Packets += e.Packets
		}
		t.st.LastSplit = &status.Split{Entry: e, Published: now}
	}
	t.mu.Unlock()
	p.persist(t)
}

// snapshot returns the target's status now.
func (p *Pusher) snapshot(t *target) status.Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.st
	s.Updated = p.o.Clock.Now()
	s.Stages = nil
	if t.proc != nil {
		s.Stages = t.proc.Stages()
	}
	if s.Mode == status.Offline && t.total > 0 {
		s.Progress = &status.Progress{Done: min(t.read, t.total), Total: t.total}
	}
	return s
}

// persist writes the target's status file, returning the status written;
// a failure is logged once.
func (p *Pusher) persist(t *target) status.Status {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	s := p.snapshot(t)
	err := durable.MkdirAll(p.state().TargetDir(s.Target), state.DirPerm)
	if err == nil {
		err = status.Write(status.Path(p.o.StateDir, s.Target, s.Mode), &s)
	}
	if err != nil && p.persistErr.CompareAndSwap(false, true) {
		p.log.Printf("push %s: cannot write its status file (status will be stale): %v", s.Target, err)
	}
	return s
}

// Snapshot returns every target's status now, in configuration order.
func (p *Pusher) Snapshot() []status.Status {
	ts := p.targetList()
	out := make([]status.Status, len(ts))
	for i, t := range ts {
		out[i] = p.snapshot(t)
	}
	return out
}

// targetList returns the targets being pushed.
func (p *Pusher) targetList() []*target {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*target(nil), p.targets...)
}
