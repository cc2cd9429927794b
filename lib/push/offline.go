package push

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

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

// Offline pushes the stored capture through every target at once and
// waits for all. Cancelling ctx stops the pipelines from their heads.
// The schedule does not apply: an offline push is an operator's command.
func (p *Pusher) Offline(ctx context.Context, capture string) error {
	ix, err := indexCapture(p.settings().store, capture)
	if err != nil {
		ix = nil // stream_cat reports it; there is no progress to show
	}
	targets := p.targetList()
	for _, t := range targets {
		t.mu.Lock()
		t.st.Mode, t.st.Capture, t.chunks, t.st.Lost = status.Offline, capture, ix, nil
		t.mu.Unlock()
	}
	sctx, stopStatus := context.WithCancel(ctx)
	defer stopStatus()
	go p.statusLoop(sctx)
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := map[string]error{}
	for _, t := range targets {
		wg.Add(1)
		go func(t *target) {
			defer wg.Done()
			if err := p.offline(ctx, t, capture); err != nil {
				mu.Lock()
				failed[t.desc()] = err
				mu.Unlock()
			}
		}(t)
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
		if t.chunks != nil {
			t.done = t.chunks.total
		}
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
// (following) the schedule's window closes, logging how it ended.
func (p *Pusher) runOnce(ctx context.Context, t *target, capture string, follow bool) error {
	desc := t.desc()
	r, finished, err := p.start(t, capture, follow)
	if err != nil {
		p.log.Printf("push %s: error: %v", desc, err)
		p.failed(t, err)
		return err
	}
	p.setState(t, status.Running, "")
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var closed <-chan struct{}
	if follow {
		closed = p.windowCloses(wctx)
	}
	stopped, paused := false, false
	select {
	case <-r.Done():
	case <-ctx.Done():
		stopped = true
		p.log.Printf("push %s: stopping", desc)
		r.Stop(p.o.StopTimeout) //nolint:errcheck // r.Err below reports it
	case <-closed:
		paused = true
		p.log.Printf("push %s: the schedule's window closed: stopping", desc)
		r.Stop(p.o.StopTimeout) //nolint:errcheck // r.Err below reports it
	}
	<-finished
	err = r.Err()
	switch {
	case err != nil:
		p.log.Printf("push %s: error: %v", desc, err)
		p.failed(t, err)
	case stopped || paused:
		p.log.Printf("push %s: stopped", desc)
	default:
		p.log.Printf("push %s: finished capture %s", desc, capture)
	}
	switch {
	case err != nil:
		return err
	case stopped:
		return errStopped
	case paused:
		return errPaused
	}
	return nil
}

var (
	// errStopped says a pipeline ended because it was asked to.
	errStopped = errors.New("stopped")
	// errPaused says a pipeline ended because the schedule closed.
	errPaused = errors.New("paused by the schedule")
)
