package push

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pcappush/pcappush/lib/ledger"
)

// Backoff limits for restarting a failed pipeline.
var (
	BackoffMin = time.Second
	BackoffMax = time.Minute
	// IdlePoll is how often a target without a capture to push looks again.
	IdlePoll = 2 * time.Second
)

// Realtime follows the current capture with every target until ctx is
// cancelled, then stops the pipelines from their heads.
func (p *Pusher) Realtime(ctx context.Context) error {
	sctx, stopStatus := context.WithCancel(ctx)
	defer stopStatus()
	go p.statusLoop(sctx)
	var wg sync.WaitGroup
	for _, t := range p.targets {
		wg.Add(1)
		go func(t *target) {
			defer wg.Done()
			p.supervise(ctx, t)
		}(t)
	}
	wg.Wait()
	p.status()
	return nil
}

// supervise keeps t's pipeline running on the current capture.
func (p *Pusher) supervise(ctx context.Context, t *target) {
	backoff := BackoffMin
	for ctx.Err() == nil {
		done := p.doneCaptures(t)
		capture, gone, err := p.o.Current(p.pendingCaptures(t, done), done)
		for _, g := range gone {
			p.lost(t, g)
		}
		if err != nil || capture == "" {
			if err != nil {
				p.log.Printf("push %s: error: %v", t.cfg.Desc, err)
			}
			sleep(ctx, IdlePoll)
			continue
		}
		err = p.runOnce(ctx, t, capture, true)
		switch {
		case errors.Is(err, errStopped) || ctx.Err() != nil:
			return
		case err == nil:
			p.markDone(t, capture)
			backoff = BackoffMin
		default:
			p.log.Printf("push %s: restarting in %v", t.cfg.Desc, backoff)
			sleep(ctx, backoff)
			backoff = min(backoff*2, BackoffMax)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// doneDir holds a marker per capture a target has pushed to its end.
func (p *Pusher) doneDir(t *target) string {
	return filepath.Join(p.o.StateDir, "targets", t.cfg.Desc, "done")
}

func (p *Pusher) markDone(t *target, capture string) {
	dir := p.doneDir(t)
	if err := os.MkdirAll(dir, 0o750); err == nil {
		os.WriteFile(filepath.Join(dir, capture), nil, 0o640) //nolint:errcheck // worst case the capture is looked at again
	}
}

func (p *Pusher) doneCaptures(t *target) map[string]bool {
	es, _ := os.ReadDir(p.doneDir(t))
	out := make(map[string]bool, len(es))
	for _, e := range es {
		out[e.Name()] = true
	}
	return out
}

// pendingCaptures lists the captures t has published from in realtime mode
// without finishing them, oldest first.
func (p *Pusher) pendingCaptures(t *target, done map[string]bool) []string {
	m, _ := filepath.Glob(filepath.Join(p.o.StateDir, t.uid, "*.ledger"))
	type entry struct {
		name string
		mod  time.Time
	}
	var es []entry
	for _, f := range m {
		name := strings.TrimSuffix(filepath.Base(f), ".ledger")
		if strings.HasSuffix(name, ".offline") || done[name] {
			continue
		}
		if st, err := os.Stat(f); err == nil {
			es = append(es, entry{name, st.ModTime()})
		}
	}
	sort.Slice(es, func(i, j int) bool { return es[i].mod.Before(es[j].mod) })
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.name
	}
	return out
}

// lost reports, loudly, a capture deleted (by its recorder's ring buffer)
// before t pushed it to its end, with the time from which data is lost,
// and stops looking for it.
func (p *Pusher) lost(t *target, capture string) {
	from := "its start"
	if last, ok, err := ledger.Last(ledgerPath(p.o.StateDir, t.uid, capture, false)); err == nil && ok {
		from = time.Unix(0, last.End).UTC().Format(time.RFC3339Nano) + " (after " + last.Name + ")"
	}
	msg := fmt.Sprintf("LOST: capture %s was deleted from the store before it was pushed to its end; its packets from %s on were not pushed", capture, from)
	p.log.Printf("push %s: %s", t.cfg.Desc, msg)
	fmt.Fprintf(p.o.Stderr, "push_realtime: %s: %s\n", t.cfg.Desc, msg)
	p.markDone(t, capture)
}
