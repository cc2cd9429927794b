package push

import (
	"context"
	"reflect"
	"sort"
	"strings"

	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/push/status"
)

// Reload is a new configuration for a running Realtime push, with the
// settings resolved from it (flags still win over its globals).
type Reload struct {
	Config       *config.Config
	Store        string
	RcloneConfig string
	LogDir       string
	Capture      string
	Current      func(pending []string, done map[string]bool) (string, []string, error)
}

// apply puts a new configuration in force: the schedule at once; targets
// whose settings are unchanged keep running; changed ones stop from the
// head (their split in progress is published) and start again with the
// new settings, resuming after their ledger; removed ones stop the same
// way; added ones start. A change of the store, the rclone config or the
// capture followed restarts every target.
func (p *Pusher) apply(ctx context.Context, r Reload, sups map[string]*supervisor, stopping map[string]chan struct{}) {
	sched := r.Config.Schedule
	p.sched.Store(&sched)
	p.mu.Lock()
	old := p.cur
	p.cur = settings{r.Store, r.RcloneConfig, r.Capture, r.Current}
	p.mu.Unlock()
	global := old.store != r.Store || old.rcloneConfig != r.RcloneConfig || old.capture != r.Capture
	if r.LogDir != p.o.LogDir {
		p.log.Printf("reload: the log folder stays %s until push_realtime restarts (the configuration names %s)", p.o.LogDir, r.LogDir)
	}
	next := map[string]config.Target{}
	for _, t := range r.Config.Targets {
		next[t.Desc] = t
	}
	var kept, changed, removed, added []string
	for desc, s := range sups {
		cfg, ok := next[desc]
		switch {
		case !ok:
			removed = append(removed, desc)
			s.stop("removed from the configuration")
			stopping[desc] = s.done
			go func(s *supervisor) {
				<-s.done
				p.dropTarget(s.t)
			}(s)
			delete(sups, desc)
		case !global && reflect.DeepEqual(cfg, s.t.config()):
			kept = append(kept, desc)
		default:
			changed = append(changed, desc)
			s.stop("restarting with its new configuration")
			sups[desc] = p.launch(ctx, s.t, s.done, &cfg)
		}
	}
	for _, cfg := range r.Config.Targets {
		if _, ok := sups[cfg.Desc]; ok {
			continue
		}
		if err := p.add(ctx, cfg, sups, stopping); err != nil {
			p.log.Printf("reload: target %s not started: %v", cfg.Desc, err)
			continue
		}
		added = append(added, cfg.Desc)
	}
	for _, l := range [][]string{kept, changed, removed} {
		sort.Strings(l)
	}
	p.log.Printf("reload: %s: schedule %s; unchanged: %s; restarting: %s; stopping: %s; starting: %s", r.Config.File, sched.String(),
		list(kept), list(changed), list(removed), list(added))
}

// add starts a target new to the configuration, once a target of that
// name removed earlier has finished stopping.
func (p *Pusher) add(ctx context.Context, cfg config.Target, sups map[string]*supervisor, stopping map[string]chan struct{}) error {
	uid, note, err := p.state().TargetUID(cfg.Desc, p.o.Now())
	if err != nil {
		return err
	}
	if note != "" {
		p.log.Printf("warning: %s", note)
	}
	t := p.newTarget(cfg, uid, status.Realtime)
	after := stopping[cfg.Desc]
	delete(stopping, cfg.Desc)
	p.mu.Lock()
	p.targets = append(p.targets, t)
	p.mu.Unlock()
	sups[cfg.Desc] = p.launch(ctx, t, after, nil)
	return nil
}

// dropTarget forgets a removed target once it has stopped.
func (p *Pusher) dropTarget(t *target) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.targets {
		if x == t {
			p.targets = append(p.targets[:i], p.targets[i+1:]...)
			return
		}
	}
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
