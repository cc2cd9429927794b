package push

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
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
func (p *Pusher) Offline(ctx context.Context, capture string) error {
	sctx, stopStatus := context.WithCancel(ctx)
	defer stopStatus()
	go p.statusLoop(sctx)
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := map[string]error{}
	for _, t := range p.targets {
		wg.Add(1)
		go func(t *target) {
			defer wg.Done()
			if err := p.runOnce(ctx, t, capture, false); err != nil {
				mu.Lock()
				failed[t.cfg.Desc] = err
				mu.Unlock()
			}
		}(t)
	}
	wg.Wait()
	p.status()
	if len(failed) > 0 {
		return &TargetError{Failed: failed}
	}
	return nil
}

// runOnce runs t's pipeline over capture until it ends or ctx is done,
// logging how it ended.
func (p *Pusher) runOnce(ctx context.Context, t *target, capture string, follow bool) error {
	r, copied, err := p.start(t, capture, follow)
	if err != nil {
		p.log.Printf("push %s: error: %v", t.cfg.Desc, err)
		return err
	}
	stopped := false
	select {
	case <-r.Done():
	case <-ctx.Done():
		stopped = true
		p.log.Printf("push %s: stopping", t.cfg.Desc)
		r.Stop(p.o.StopTimeout) //nolint:errcheck // r.Err below reports it
	}
	<-copied
	err = r.Err()
	switch {
	case err != nil:
		p.log.Printf("push %s: error: %v", t.cfg.Desc, err)
	case stopped:
		p.log.Printf("push %s: stopped", t.cfg.Desc)
	default:
		p.log.Printf("push %s: finished capture %s", t.cfg.Desc, capture)
	}
	if err == nil && stopped {
		return errStopped
	}
	return err
}

// errStopped says a pipeline ended because it was asked to.
var errStopped = errors.New("stopped")
