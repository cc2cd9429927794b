package push

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/hook"
	"github.com/pcappush/pcappush/lib/pipeline"
	"github.com/pcappush/pcappush/lib/push/logs"
	"github.com/pcappush/pcappush/lib/push/status"
	"github.com/pcappush/pcappush/lib/schedule"
	"github.com/pcappush/pcappush/lib/state"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

// Options configure a Pusher.
type Options struct {
	Config         *config.Config
	Tools          map[string]string // from FindTools
	Store          string
	StateDir       string
	LogDir         string
	RcloneConfig   string
	StatusInterval time.Duration // default 15 s
	StopTimeout    time.Duration // default 60 s
	// Capture is the capture realtime mode was told to follow ("" for the
	// newest active one); a reload that changes it restarts every target.
	Capture string
	// Current returns the capture realtime mode follows for a target:
	// first a capture in pending (started and not finished), else the
	// current capture unless it is in done; "" when there is none yet. It
	// also returns the pending captures that no longer exist.
	Current func(pending []string, done map[string]bool) (name string, gone []string, err error)
	// Reloads delivers new configurations to a running Realtime (SIGHUP).
	Reloads <-chan Reload
	Now     func() time.Time
	Stderr  io.Writer // where summaries for a person go; nil: nowhere
	// FilterCode returns the program a target's FilterBPF was compiled to
	// when the configuration was loaded (bpf.Program.Bytecode), passed to
	// pcap_filter --compiled so that a pipeline start compiles nothing;
	// nil or "": pcap_filter compiles the expression.
	FilterCode func(t config.Target) string
}

// settings are the options a reload may change.
type settings struct {
	store, rcloneConfig, capture string
	current                      func(pending []string, done map[string]bool) (string, []string, error)
}

// Pusher runs the targets of one configuration.
type Pusher struct {
	o          Options
	log        *logs.Analytics
	started    time.Time
	pidStart   uint64
	sched      atomic.Pointer[schedule.Schedule]
	persistErr atomic.Bool // a status file could not be written (logged once)

	mu      sync.Mutex
	targets []*target
	cur     settings
	refused sync.Map // capture name -> true: refused at selection, logged once
}

// New prepares a Pusher: opens the analytics log and gives every target
// its id.
func New(o Options) (*Pusher, error) {
	if o.StatusInterval <= 0 {
		o.StatusInterval = 15 * time.Second
	}
	if o.StopTimeout <= 0 {
		o.StopTimeout = 60 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	log, err := logs.OpenAnalytics(o.LogDir, o.Now)
	if err != nil {
		return nil, err
	}
	p := &Pusher{o: o, log: log, started: o.Now(), cur: settings{o.Store, o.RcloneConfig, o.Capture, o.Current}}
	p.pidStart, _ = status.ProcessStart(os.Getpid())
	sched := o.Config.Schedule
	p.sched.Store(&sched)
	for _, t := range o.Config.Targets {
		uid, note, err := p.state().TargetUID(t.Desc, o.Now())
		if err != nil {
			log.Close() //nolint:errcheck // already failing
			return nil, err
		}
		if note != "" {
			log.Printf("warning: %s", note)
			fmt.Fprintf(o.Stderr, "push_realtime: warning: %s\n", note)
		}
		p.targets = append(p.targets, p.newTarget(t, uid, status.Realtime))
	}
	for _, w := range o.Config.Warnings {
		log.Printf("warning: %s", w)
	}
	return p, nil
}

// state returns the state folder.
func (p *Pusher) state() state.Dir { return state.At(p.o.StateDir) }

// Close closes the logs.
func (p *Pusher) Close() error { return p.log.Close() }

// settings returns the options in force.
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
	base.Ledger = state.At(base.StateDir).Ledger(base.UID, base.Capture, !base.Follow)
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

// start starts t's pipeline for capture with a new log file, and returns
// it with a channel closed once its stderr has been copied out and the
// splits it published have been counted.
func (p *Pusher) start(t *target, capture string, follow bool) (*pipeline.Running, <-chan struct{}, error) {
	cfg := t.config()
	spec, err := p.planned(t, cfg, capture, follow)
	if err != nil {
		return nil, nil, err
	}
	pl := Build(cfg, spec)
	tl, err := logs.OpenTarget(p.o.LogDir, cfg.Desc, p.o.Now)
	if err != nil {
		return nil, nil, err
	}
	writeHeader(tl, pl)
	tail := ledger.NewTail(spec.Ledger)
	pr, pw, err := os.Pipe()
	if err != nil {
		tl.Close() //nolint:errcheck // logs are best effort
		return nil, nil, fmt.Errorf("pipe: %w", err)
	}
	r, err := pipeline.Start(pl, pw)
	pw.Close()
	if err != nil {
		pr.Close()
		tl.Printf("push_realtime: %v", err)
		tl.Close() //nolint:errcheck // logs are best effort
		return nil, nil, err
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		copyLines(tl, pr, func(line []byte) { p.scanLine(t, line) })
		pr.Close()
		tl.Close() //nolint:errcheck // logs are best effort
	}()
	t.mu.Lock()
	t.running, t.stages = r, pl.Names()
	t.st.Capture, t.st.Log = capture, tl.Path()
	t.mu.Unlock()
	p.log.Printf("push %s: started (log %s): %s", cfg.Desc, tl.Path(), pl.Shell())
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		p.watchLedger(t, tail, r.Done())
		<-copied
	}()
	return r, finished, nil
}

// TailPoll is how often a running pipeline's ledger is read for the
// splits it published.
var TailPoll = 250 * time.Millisecond

// watchLedger counts the splits appended to the ledger until done is
// closed, and once more after.
func (p *Pusher) watchLedger(t *target, tail *ledger.Tail, done <-chan struct{}) {
	tick := time.NewTicker(TailPoll)
	defer tick.Stop()
	for {
		select {
		case <-done:
			p.published(t, tail.Poll())
			return
		case <-tick.C:
			p.published(t, tail.Poll())
		}
	}
}

// postFailure begins the line pcap_split writes when a Post command fails.
var postFailure = []byte("pcap_split: " + hook.FailurePrefix)

// scanLine looks at each line a pipeline writes to its log.
func (p *Pusher) scanLine(t *target, line []byte) {
	if bytes.HasPrefix(line, postFailure) {
		p.postFailed(t, strings.TrimSpace(string(line[len("pcap_split: "):])))
	}
	if bytes.Contains(line, []byte("warning")) || bytes.Contains(line, []byte("LOST")) {
		p.log.Printf("push %s: %s", t.cfg.Desc, bytes.TrimSpace(line))
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

// copyLines copies r into w line by line, so that log files rotate between
// lines, showing each line to onLine.
func copyLines(w io.Writer, r io.Reader, onLine func([]byte)) {
	br := bufio.NewReaderSize(r, 64*1024)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			w.Write(line) //nolint:errcheck // logging is best effort
			onLine(line)
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// statusLoop writes every target's status line and file each interval
// until ctx ends.
func (p *Pusher) statusLoop(ctx context.Context) {
	tick := time.NewTicker(p.o.StatusInterval)
	defer tick.Stop()
	for {
		p.status()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

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
		p.log.Printf("%s", logs.StatusLine(s.Target, stages, alive))
	}
}

func stageNames(t config.Target) []string {
	return Build(t, Spec{}).Names()
}

// Logf writes a line to the analytics log.
func (p *Pusher) Logf(format string, args ...any) { p.log.Printf(format, args...) }
