package push

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/push/status"
)

// reload loads the configuration again and applies it; one that does not
// load is reported and ignored, the running one staying.
func (p *Pusher) reload(ctx context.Context, sups map[string]*supervisor, stopping map[string]chan struct{}) {
	cfg, err := p.o.Load(ctx)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		fmt.Fprintf(p.o.Stderr, "push_realtime: SIGHUP: the configuration was not reloaded; the running one stays: %v\n", err)
		p.log.Printf("reload: ignored, the running configuration stays: %v", err)
		return
	}
	s := p.o.resolve(cfg)
	cfg.Warnings = append(cfg.Warnings, rcloneWarnings(cfg, s.rcloneConfig)...)
	for _, w := range cfg.Warnings {
		p.log.Printf("warning: %s", w)
	}
	p.apply(ctx, cfg, s, sups, stopping)
	p.recordRun()
	fmt.Fprintf(p.o.Stderr, "push_realtime: SIGHUP: reloaded %s\n", cfg.File)
}

// apply puts a new configuration in force: the schedule at once; targets
// whose settings are unchanged keep running; changed ones stop from the
// head (their split in progress is published) and start again with the
// new settings, resuming after their ledger; removed ones stop the same
// way; added ones start. A change of the store, the rclone config or the
// capture followed restarts every target.
func (p *Pusher) apply(ctx context.Context, cfg *config.Config, s settings, sups map[string]*supervisor, stopping map[string]chan struct{}) {
	sched := cfg.Schedule
	p.sched.Store(&sched)
	p.mu.Lock()
	old := p.cur
	if s.logDir != old.logDir {
		p.log.Printf("reload: the log folder stays %s until push_realtime restarts (the configuration names %s)", old.logDir, s.logDir)
		s.logDir = old.logDir
	}
	p.cur, p.cfg = s, cfg
	p.mu.Unlock()
	global := old.store != s.store || old.rcloneConfig != s.rcloneConfig || old.capture != s.capture
	next := map[string]config.Target{}
	for _, t := range cfg.Targets {
		next[t.Desc] = t
	}
	var kept, changed, removed, added []string
	for desc, sup := range sups {
		tc, ok := next[desc]
		switch {
		case !ok:
			removed = append(removed, desc)
			sup.drop.Store(true)
			sup.stop("removed from the configuration")
			stopping[desc] = sup.done
			delete(sups, desc)
		case !global && reflect.DeepEqual(tc, sup.t.config()):
			kept = append(kept, desc)
		default:
			changed = append(changed, desc)
			sup.stop("restarting with its new configuration")
			sups[desc] = p.launch(ctx, sup.t, sup.done, &tc)
		}
	}
	for _, tc := range cfg.Targets {
		if _, ok := sups[tc.Desc]; ok {
			continue
		}
		if err := p.add(ctx, tc, sups, stopping); err != nil {
			p.log.Printf("reload: target %s not started: %v", tc.Desc, err)
			continue
		}
		added = append(added, tc.Desc)
	}
	for _, l := range [][]string{kept, changed, removed} {
		sort.Strings(l)
	}
	p.log.Printf("reload: %s: schedule %s; unchanged: %s; restarting: %s; stopping: %s; starting: %s", cfg.File, sched.String(),
		list(kept), list(changed), list(removed), list(added))
}

// add starts a target new to the configuration, once a target of that
// name removed earlier has finished stopping.
func (p *Pusher) add(ctx context.Context, cfg config.Target, sups map[string]*supervisor, stopping map[string]chan struct{}) error {
	uid, err := p.targetUID(cfg.Desc)
	if err != nil {
		return err
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
