package push

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync/atomic"
	"time"

	"github.com/pcappush/pcappush/lib/capture"
	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/push/status"
	"github.com/pcappush/pcappush/lib/schedule"
)

// supervisor is the goroutine keeping one target pushed.
type supervisor struct {
	t      *target
	cancel context.CancelFunc
	done   chan struct{}
	why    atomic.Value // string: the reason it stops, for the status
	drop   atomic.Bool  // the target is removed: forget it once stopped
}

// Realtime follows the current capture with every target until ctx is
// cancelled, then stops the pipelines from their heads. A value on
// Options.Reloads loads the configuration again and applies it (see
// reload). Every goroutine it starts has ended when it returns.
func (p *Pusher) Realtime(ctx context.Context) error {
	sups := map[string]*supervisor{}
	for _, t := range p.targetList() {
		p.persist(t)
		sups[t.desc()] = p.launch(ctx, t, nil, nil)
	}
	stopStatus := p.goStatus(ctx)
	stopping := map[string]chan struct{}{} // removed targets finishing their split
	for {
		select {
		case <-ctx.Done():
			for _, s := range sups {
				<-s.done
			}
			for _, done := range stopping {
				<-done
			}
			stopStatus()
			p.status()
			return nil
		case <-p.o.Reloads:
			p.reload(ctx, sups, stopping)
		}
	}
}

// launch starts t's supervisor, once after (when not nil) is closed, with
// cfg (when not nil) as t's new configuration.
func (p *Pusher) launch(ctx context.Context, t *target, after <-chan struct{}, cfg *config.Target) *supervisor {
	sctx, cancel := context.WithCancel(ctx)
	s := &supervisor{t: t, cancel: cancel, done: make(chan struct{})}
	s.why.Store("push_realtime stopped")
	go func() {
		defer close(s.done)
		if after != nil {
			<-after
		}
		if cfg != nil {
			t.mu.Lock()
			t.cfg = *cfg
			t.mu.Unlock()
		}
		if sctx.Err() == nil {
			p.supervise(sctx, t)
		}
		p.setState(t, status.Stopped, s.why.Load().(string))
		if s.drop.Load() {
			p.dropTarget(t)
		}
	}()
	return s
}

// stop tells the supervisor to stop, for the reason why.
func (s *supervisor) stop(why string) {
	s.why.Store(why)
	s.cancel()
}

// supervise keeps t's pipeline running on the current capture while the
// schedule is open.
func (p *Pusher) supervise(ctx context.Context, t *target) {
	backoff := p.o.BackoffMin
	for ctx.Err() == nil {
		if !p.open() {
			p.idleUntilOpen(ctx, t)
			continue
		}
		capture, ok := p.pick(t)
		if !ok {
			p.sleep(ctx, p.o.IdlePoll)
			continue
		}
		err := p.runOnce(ctx, t, capture, true)
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, errPaused):
		case err == nil:
			p.markDone(t, capture)
			t.mu.Lock()
			t.finished = capture
			t.mu.Unlock()
			backoff = p.o.BackoffMin
		default:
			p.log.Printf("push %s: restarting in %v", t.desc(), backoff)
			t.mu.Lock()
			t.st.Restarts++
			t.mu.Unlock()
			p.setState(t, status.Restarting, fmt.Sprintf("restarting at %s after: %v", p.o.Clock.Now().Add(backoff).UTC().Format("15:04:05 UTC"), err))
			p.sleep(ctx, backoff)
			backoff = min(backoff*2, p.o.BackoffMax)
		}
	}
}

// pick returns the capture t should push now; false, with t idle, when
// there is none.
func (p *Pusher) pick(t *target) (string, bool) {
	done := p.doneCaptures(t)
	capture, gone, err := p.choose(p.pendingCaptures(t, done), done)
	for _, g := range gone {
		p.lost(t, g)
	}
	switch {
	case err != nil:
		p.log.Printf("push %s: error: %v", t.desc(), err)
		p.setState(t, status.Idle, err.Error())
		return "", false
	case capture == "":
		detail := "waiting for an active capture in " + p.settings().store
		if c := p.settings().capture; c != "" {
			detail = "waiting for capture " + c + " (pushed to its end, or not in " + p.settings().store + ")"
		}
		t.mu.Lock()
		if t.finished != "" {
			detail = "finished capture " + t.finished + "; " + detail
		}
		t.mu.Unlock()
		p.setState(t, status.Idle, detail)
		return "", false
	}
	t.mu.Lock()
	t.finished = ""
	t.mu.Unlock()
	return capture, true
}

// choose asks Options.Current for the capture to push, passing over
// captures whose names a push must not choose (capture.CheckName: a name
// starting with '-', or with characters that do not print), each logged
// once.
func (p *Pusher) choose(pending []string, done map[string]bool) (string, []string, error) {
	skip := maps.Clone(done)
	pending = slices.DeleteFunc(slices.Clone(pending), func(n string) bool { return p.refuse(n) })
	var gone []string
	for range 1000 {
		name, g, err := p.current(pending, skip)
		gone = append(gone, g...)
		if err != nil || name == "" || !p.refuse(name) {
			return name, gone, err
		}
		skip[name] = true
	}
	return "", gone, nil
}

// refuse reports whether name is refused at selection, logging the first
// refusal.
func (p *Pusher) refuse(name string) bool {
	err := capture.CheckName(name)
	if err == nil {
		return false
	}
	if _, seen := p.refused.LoadOrStore(name, true); !seen {
		p.log.Printf("push: %v: not pushed (rename its folder to push it)", err)
		fmt.Fprintf(p.o.Stderr, "push_realtime: warning: %v: not pushed (rename its folder to push it)\n", err)
	}
	return true
}

// schedule returns the schedule in force.
func (p *Pusher) schedule() schedule.Schedule { return *p.sched.Load() }

// open reports whether the schedule is open now.
func (p *Pusher) open() bool { return p.schedule().Open(p.o.Clock.Now()) }

// idleUntilOpen keeps t idle until the schedule opens or ctx ends.
func (p *Pusher) idleUntilOpen(ctx context.Context, t *target) {
	detail := "outside the schedule"
	if next, ok := p.schedule().Next(p.o.Clock.Now()); ok {
		detail += "; it opens " + next.UTC().Format("Mon 2006-01-02 15:04:05 UTC")
	}
	p.setState(t, status.Idle, detail)
	p.log.Printf("push %s: idle: %s", t.desc(), detail)
	for ctx.Err() == nil && !p.open() {
		p.sleep(ctx, p.o.SchedulePoll)
	}
	if ctx.Err() == nil {
		p.log.Printf("push %s: the schedule's window opened", t.desc())
	}
}

// sleep waits d on the clock, or until ctx ends.
func (p *Pusher) sleep(ctx context.Context, d time.Duration) {
	timer := p.o.Clock.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-timer.Chan():
	}
}

// markDone records in the state folder that t pushed capture to its end;
// a failure is logged (the capture is then looked at again after a
// restart, and its ledger says it is finished).
func (p *Pusher) markDone(t *target, capture string) {
	if err := p.state().MarkDone(t.desc(), capture); err != nil {
		p.log.Printf("push %s: warning: %v", t.desc(), err)
	}
}

func (p *Pusher) doneCaptures(t *target) map[string]bool { return p.state().Done(t.desc()) }

// pendingCaptures lists the captures t has published from in realtime mode
// without finishing them, oldest first.
func (p *Pusher) pendingCaptures(t *target, done map[string]bool) []string {
	var out []string
	for _, l := range p.state().Ledgers(t.uid) {
		if !done[l.Capture] {
			out = append(out, l.Capture)
		}
	}
	return out
}
