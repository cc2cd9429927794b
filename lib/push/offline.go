package push

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pcappush/pcappush/lib/push/status"
)

// TargetError lists the targets whose offline push failed.
type TargetError struct {
	Failed map[string]error // by Desc
}

func (e *TargetError) Error() string {
	names := make([]string, 0, len(e.Failed))
	for n := range e.Failed {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s (%v)", n, e.Failed[n])
	}
	return "failed targets: " + strings.Join(parts, "; ")
}

// Offline pushes the stored capture (a name in the store, or a path)
// through every target at once and waits for all. Cancelling ctx stops
// the pipelines from their heads. The schedule does not apply: an offline
// push is an operator's command.
func (p *Pusher) Offline(ctx context.Context, capture string) error {
	targets := p.targetList()
	for _, t := range targets {
		t.mu.Lock()
		t.st.Mode, t.st.Capture, t.read, t.total, t.st.Lost = status.Offline, capture, 0, 0, nil
		t.mu.Unlock()
		p.persist(t)
	}
	stopStatus := p.goStatus(ctx)
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := map[string]error{}
	for _, t := range targets {
		wg.Go(func() {
			if err := p.offline(ctx, t, capture); err != nil {
				mu.Lock()
				failed[t.desc()] = err
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	stopStatus()
	p.status()
	if len(failed) > 0 {
		return &TargetError{Failed: failed}
	}
	return nil
}

// offline pushes capture through t and records how it ended.
func (p *Pusher) offline(ctx context.Context, t *target, capture string) error {
	err := p.runOnce(ctx, t, capture, false)
	switch {
	case err == nil:
		t.mu.Lock()
		t.read = t.total
		t.mu.Unlock()
		p.setState(t, status.Stopped, "finished capture "+capture)
		return nil
	case errors.Is(err, errStopped):
		p.setState(t, status.Stopped, "stopped before the end of capture "+capture)
		return nil
	}
	p.setState(t, status.Failed, err.Error())
	return err
}

// runOnce runs t's pipeline over capture until it ends, ctx is done, or
// (following) the schedule's window closes, logging how it ended. Its
// events are handled as they come, by a goroutine it waits for.
func (p *Pusher) runOnce(ctx context.Context, t *target, capture string, follow bool) error {
	desc := t.desc()
	r, err := p.start(t, capture, follow)
	if err != nil {
		p.log.Printf("push %s: error: %v", desc, err)
		p.failed(t, err)
		return err
	}
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		p.watch(t, r)
	}()
	p.setState(t, status.Running, "")
	why := p.await(ctx, r.proc, follow)
	switch {
	case errors.Is(why, errStopped):
		p.log.Printf("push %s: stopping", desc)
		r.proc.Stop(p.o.StopTimeout)
	case errors.Is(why, errPaused):
		p.log.Printf("push %s: the schedule's window closed: stopping", desc)
		r.proc.Stop(p.o.StopTimeout)
	}
	<-watched
	err = r.proc.Err()
	switch {
	case err != nil:
		p.log.Printf("push %s: error: %v", desc, err)
		p.failed(t, err)
		return err
	case why != nil:
		p.log.Printf("push %s: stopped", desc)
		return why
	}
	p.log.Printf("push %s: finished capture %s", desc, capture)
	return nil
}

// await waits for proc to end by itself (nil), for ctx to end
// (errStopped) or, following, for the schedule to close (errPaused),
// looking at the schedule every SchedulePoll.
func (p *Pusher) await(ctx context.Context, proc Proc, follow bool) error {
	var poll <-chan time.Time // nil: never
	if follow {
		tick := p.o.Clock.NewTicker(p.o.SchedulePoll)
		defer tick.Stop()
		poll = tick.Chan()
	}
	for {
		select {
		case <-proc.Done():
			return nil
		case <-ctx.Done():
			return errStopped
		case <-poll:
			if !p.open() {
				return errPaused
			}
		}
	}
}
