package push

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pcappush/pcappush/lib/capture"
	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/event"
	"github.com/pcappush/pcappush/lib/pipeline"
	"github.com/pcappush/pcappush/lib/push/logs"
	"github.com/pcappush/pcappush/lib/push/status"
	"github.com/pcappush/pcappush/lib/schedule"
	"github.com/pcappush/pcappush/lib/state"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

// Pusher runs the targets of one configuration.
type Pusher struct {
	o          Options
	log        *logs.Analytics
	unlock     func()
	started    time.Time
	pidStart   uint64
	sched      atomic.Pointer[schedule.Schedule]
	persistErr atomic.Bool // a status file could not be written (logged once)

	mu      sync.Mutex
	cfg     *config.Config
	targets []*target
	cur     settings
	refused sync.Map // capture name -> true: refused at selection, logged once
}

// New loads the configuration (unless Options.Config holds it), resolves
// the folders, checks them, takes the state folder's lock, opens the
// analytics log and gives every target its id. A mistake in the options
// or the configuration is an exitcode.UsageError, returned before
// anything is written.
func New(ctx context.Context, o Options) (*Pusher, error) {
	o = o.withDefaults()
	cfg, err := o.prepare(ctx)
	if err != nil {
		return nil, err
	}
	s := o.resolve(cfg)
	if err := o.check(s); err != nil {
		return nil, err
	}
	unlock, err := o.lock()
	if err != nil {
		return nil, err
	}
	p, err := newPusher(o, cfg, s, unlock)
	if err != nil {
		unlock()
		return nil, err
	}
	return p, nil
}

// newPusher opens the analytics log and gives every target its id.
func newPusher(o Options, cfg *config.Config, s settings, unlock func()) (*Pusher, error) {
	if n := state.At(o.StateDir).Sweep(); n > 0 {
		fmt.Fprintf(o.Stderr, "push_realtime: removed %d temporary files an interrupted write left in %s\n", n, o.StateDir)
	}
	log, err := logs.OpenAnalytics(s.logDir, logs.Options{Now: o.Clock.Now})
	if err != nil {
		return nil, err
	}
	p := &Pusher{o: o, log: log, unlock: unlock, started: o.Clock.Now(), cfg: cfg, cur: s}
	p.pidStart, _ = status.ProcessStart(os.Getpid())
	sched := cfg.Schedule
	p.sched.Store(&sched)
	mode := status.Realtime
	if o.Offline != "" {
		mode = status.Offline
	}
	for _, t := range cfg.Targets {
		uid, err := p.targetUID(t.Desc)
		if err != nil {
			log.Close() //nolint:errcheck // already failing
			return nil, err
		}
		p.targets = append(p.targets, p.newTarget(t, uid, mode))
	}
	for _, w := range cfg.Warnings {
		log.Printf("warning: %s", w)
	}
	return p, nil
}

// targetUID returns target desc's id, logging how it was found again when
// its file was lost.
func (p *Pusher) targetUID(desc string) (string, error) {
	uid, note, err := p.state().TargetUID(desc, p.o.Clock.Now())
	if note != "" {
		p.log.Printf("warning: %s", note)
		fmt.Fprintf(p.o.Stderr, "push_realtime: warning: %s\n", note)
	}
	return uid, err
}

// Run pushes as the options say: Options.Offline once, else the current
// capture until ctx ends.
func (p *Pusher) Run(ctx context.Context) error {
	s := p.settings()
	p.recordRun()
	if p.o.Offline != "" {
		fmt.Fprintf(p.o.Stderr, "push_realtime: pushing %s through %d targets; logs in %s\n", p.o.Offline, len(p.targetList()), s.logDir)
		return p.Offline(ctx, p.o.Offline)
	}
	fmt.Fprintf(p.o.Stderr, "push_realtime: following the current capture with %d targets (schedule: %s); logs in %s\n",
		len(p.targetList()), p.schedule().String(), s.logDir)
	return p.Realtime(ctx)
}

// state returns the state folder.
func (p *Pusher) state() state.Dir { return state.At(p.o.StateDir) }

// Close closes the logs and lets the lock go.
func (p *Pusher) Close() error {
	err := p.log.Close()
	p.unlock()
	return err
}

// settings returns the folders and names in force.
func (p *Pusher) settings() settings {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur
}

// Pipelines returns every target's pipeline for capture, as Offline
// (follow false) or Realtime (follow true) would run it.
func (p *Pusher) Pipelines(capture string, follow bool) []pipeline.Pipeline {
	var out []pipeline.Pipeline
	for _, t := range p.targetList() {
		out = append(out, Build(t.config(), p.spec(t, t.config(), capture, follow)))
	}
	return out
}

// spec returns what t's pipeline over capture is built from. A realtime
// pipeline resumes after what its ledger records; an offline one starts
// afresh and keeps its own ledger.
func (p *Pusher) spec(t *target, cfg config.Target, capture string, follow bool) Spec {
	s := p.settings()
	spec := Spec{Tools: p.o.Tools, UID: t.uid, Store: s.store, StateDir: p.o.StateDir, RcloneConfig: s.rcloneConfig, Capture: capture, Follow: follow}
	if p.o.FilterCode != nil {
		spec.FilterCode = p.o.FilterCode(cfg)
	}
	return SpecFor(cfg, spec)
}

// SpecFor completes base (tools, id, folders, capture, follow) with target
// t's checkpoint interval and ledger, before any resume point is applied.
func SpecFor(t config.Target, base Spec) Spec {
	base.CheckpointEvery = checkpointEvery(t)
	base.Ledger = state.At(base.StateDir).Ledger(base.UID, capture.ArgName(base.Capture), !base.Follow)
	return base
}

// planned returns spec with the resume point applied, logging it.
func (p *Pusher) planned(t *target, cfg config.Target, capture string, follow bool) (Spec, error) {
	s := p.spec(t, cfg, capture, follow)
	if !follow {
		return s, clearOffline(p.o.StateDir, t.uid, capture)
	}
	rp, err := planResume(cfg, p.o.StateDir, t.uid, capture)
	if err != nil {
		return s, err
	}
	s.Resume, s.ResumeAt, s.After, s.StartTime = rp.resume, rp.ckpt, rp.after, rp.start
	if rp.note != "" {
		p.log.Printf("push %s: %s", cfg.Desc, rp.note)
	}
	return s, nil
}

// run is one pipeline run of a target: the process, and what its ledger
// held when it started.
type run struct {
	proc      Proc
	log       *logs.TargetLog
	ledger    string
	lastEntry *ledger.Entry // the ledger's last entry at the start; nil when it had none
	announced int64         // splits its events announced
}

// inStore reports whether the store holds a capture of that name.
func inStore(store, name string) bool {
	_, err := capture.Store{Dir: store}.Capture(name)
	return err == nil
}

// start starts t's pipeline for capture with a new log file.
func (p *Pusher) start(t *target, capture string, follow bool) (*run, error) {
	cfg := t.config()
	spec, err := p.planned(t, cfg, capture, follow)
	if err != nil {
		return nil, err
	}
	if follow && inStore(p.settings().store, capture) {
		// The ledger is made, durably, before the pipeline starts: after a
		// crash before its first split, the capture is still known as
		// started (pendingCaptures) and is pushed to its end even if it
		// is no longer the active one by then.
		l, err := ledger.Open(spec.Ledger)
		if err != nil {
			return nil, err
		}
		if err := l.Close(); err != nil {
			return nil, err
		}
	}
	pl := Build(cfg, spec)
	tl, err := logs.OpenTarget(p.settings().logDir, cfg.Desc, logs.Options{Now: p.o.Clock.Now})
	if err != nil {
		return nil, err
	}
	writeHeader(tl, pl)
	r := &run{ledger: spec.Ledger, log: tl}
	if last, ok, err := ledger.Last(spec.Ledger); err == nil && ok {
		r.lastEntry = &last
	}
	proc, err := p.o.Pipelines.Start(pl, tl)
	if err != nil {
		tl.Printf("push_realtime: %v", err)
		tl.Close() //nolint:errcheck // logs are best effort
		return nil, err
	}
	r.proc = proc
	t.mu.Lock()
	t.proc = proc
	t.st.Capture, t.st.Log = capture, tl.Path()
	t.mu.Unlock()
	p.log.Printf("push %s: started (log %s): %s", cfg.Desc, tl.Path(), pl.Shell())
	return r, nil
}

// watch handles r's events until its stages have all exited, closes its
// log, then counts the splits its ledger gained that no event announced
// (a stage killed between the two).
func (p *Pusher) watch(t *target, r *run) {
	for e := range r.proc.Events() {
		if e.Type == event.Split {
			r.announced++
		}
		p.onEvent(t, e)
	}
	<-r.proc.Done()
	r.log.Close() //nolint:errcheck // logs are best effort
	es, err := ledger.Read(r.ledger)
	if err != nil {
		return
	}
	from := 0
	if r.lastEntry != nil {
		from = len(es)
		for i := len(es) - 1; i >= 0; i-- {
			if es[i] == *r.lastEntry {
				from = i + 1
				break
			}
		}
	}
	if n := int64(len(es) - from); n > r.announced {
		p.published(t, es[len(es)-int(n-r.announced):], p.o.Clock.Now())
	}
}

// onEvent takes one event of t's pipeline.
func (p *Pusher) onEvent(t *target, e event.Event) {
	switch e.Type {
	case event.Split:
		if e.Split != nil {
			p.published(t, []ledger.Entry{*e.Split}, e.Time)
		}
	case event.Warning, event.Lost:
		p.log.Printf("push %s: %s: warning: %s", t.desc(), e.Tool, e.Message)
	case event.PostFailed:
		p.postFailed(t, e.Message, e.Time)
	case event.Position:
		if e.Position != nil {
			t.mu.Lock()
			t.read = max(t.read, e.Position.Read)
			if e.Position.Total > 0 {
				t.total = e.Position.Total
			}
			t.mu.Unlock()
		}
	}
}

// writeHeader puts the pipeline and each stage's arguments at the top of a
// target's log, as the reference's logs begin.
func writeHeader(tl *logs.TargetLog, pl pipeline.Pipeline) {
	tl.Printf("%s", pl.Shell())
	for _, s := range pl.Stages {
		tl.Printf("%s args", s.Name)
		for _, a := range s.Args {
			tl.Printf("  %s", strings.ReplaceAll(a, "\n", `\n`))
		}
	}
}

// statusLoop writes every target's status line and file each interval
// until ctx ends; the first after one interval, once the pipelines have
// started.
func (p *Pusher) statusLoop(ctx context.Context) {
	tick := p.o.Clock.NewTicker(p.o.StatusInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.Chan():
			p.status()
		}
	}
}

// goStatus runs the status loop until the returned function is called,
// which waits for it.
func (p *Pusher) goStatus(ctx context.Context) (stop func()) {
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.statusLoop(sctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// status writes every target's status line and file.
func (p *Pusher) status() {
	for _, t := range p.targetList() {
		p.noteEnd(t)
		s := p.persist(t)
		var stages []string
		var alive []bool
		for _, st := range s.Stages {
			stages, alive = append(stages, st.Name), append(alive, st.Up)
		}
		if len(stages) == 0 {
			stages = stageNames(t.config())
			alive = make([]bool, len(stages))
		}
		note := ""
		switch {
		case s.State == status.Running && !slices.Contains(alive, true):
			note = "pipeline exited" // a moment before its state says how
		case s.State == status.Running:
		case strings.HasPrefix(s.Detail, s.State):
			note = s.Detail
		case s.Detail != "":
			note = s.State + ": " + s.Detail
		default:
			note = s.State
		}
		line := logs.StatusLine(s.Target, stages, alive, note)
		p.log.Printf("%s", line)
	}
}

func stageNames(t config.Target) []string {
	return Build(t, Spec{}).Names()
}

// Logf writes a line to the analytics log.
func (p *Pusher) Logf(format string, args ...any) { p.log.Printf(format, args...) }

var (
	// errStopped says a pipeline ended because it was asked to.
	errStopped = errors.New("stopped")
	// errPaused says a pipeline ended because the schedule closed.
	errPaused = errors.New("paused by the schedule")
)
