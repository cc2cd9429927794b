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
	"time"

	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/pipeline"
	"github.com/pcappush/pcappush/lib/pushlog"
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
	// Current returns the capture realtime mode follows for a target:
	// first a capture in pending (started and not finished), else the
	// current capture unless it is in done; "" when there is none yet. It
	// also returns the pending captures that no longer exist.
	Current func(pending []string, done map[string]bool) (name string, gone []string, err error)
	Now     func() time.Time
	Stderr  io.Writer // where summaries for a person go; nil: nowhere
}

// Pusher runs the targets of one configuration.
type Pusher struct {
	o       Options
	log     *pushlog.Analytics
	targets []*target
}

// target is the live state of one push target.
type target struct {
	cfg     config.Target
	uid     string
	mu      sync.Mutex
	running *pipeline.Running
	stages  []string
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
	log, err := pushlog.OpenAnalytics(o.LogDir, o.Now)
	if err != nil {
		return nil, err
	}
	p := &Pusher{o: o, log: log}
	for _, t := range o.Config.Targets {
		uid, err := targetUID(o.StateDir, t.Desc, o.Now())
		if err != nil {
			log.Close() //nolint:errcheck // already failing
			return nil, err
		}
		p.targets = append(p.targets, &target{cfg: t, uid: uid})
	}
	for _, w := range o.Config.Warnings {
		log.Printf("warning: %s", w)
	}
	return p, nil
}

// Close closes the logs.
func (p *Pusher) Close() error { return p.log.Close() }

// Pipelines returns every target's pipeline for capture, as Offline
// (follow false) or Realtime (follow true) would run it.
func (p *Pusher) Pipelines(capture string, follow bool) []pipeline.Pipeline {
	var out []pipeline.Pipeline
	for _, t := range p.targets {
		out = append(out, Build(t.cfg, p.spec(t, capture, follow)))
	}
	return out
}

// spec returns what t's pipeline over capture is built from. A realtime
// pipeline resumes after what its ledger records; an offline one starts
// afresh and keeps its own ledger.
func (p *Pusher) spec(t *target, capture string, follow bool) Spec {
	return SpecFor(t.cfg, Spec{Tools: p.o.Tools, UID: t.uid, Store: p.o.Store, StateDir: p.o.StateDir, RcloneConfig: p.o.RcloneConfig, Capture: capture, Follow: follow})
}

// SpecFor completes base (tools, id, folders, capture, follow) with target
// t's checkpoint interval and ledger, before any resume point is applied.
func SpecFor(t config.Target, base Spec) Spec {
	base.CheckpointEvery = checkpointEvery(t)
	base.Ledger = ledgerPath(base.StateDir, base.UID, base.Capture, !base.Follow)
	return base
}

// planned returns spec with the resume point applied, logging it.
func (p *Pusher) planned(t *target, capture string, follow bool) (Spec, error) {
	s := p.spec(t, capture, follow)
	if !follow {
		return s, clearOffline(p.o.StateDir, t.uid, capture)
	}
	rp, err := planResume(t.cfg, p.o.StateDir, t.uid, capture)
	if err != nil {
		return s, err
	}
	s.Resume, s.ResumeAt, s.After, s.StartTime = rp.resume, rp.ckpt, rp.after, rp.start
	if rp.note != "" {
		p.log.Printf("push %s: %s", t.cfg.Desc, rp.note)
	}
	return s, nil
}

// start starts t's pipeline for capture with a new log file, and returns
// it with a channel closed when its stderr has been copied out.
func (p *Pusher) start(t *target, capture string, follow bool) (*pipeline.Running, <-chan struct{}, error) {
	spec, err := p.planned(t, capture, follow)
	if err != nil {
		return nil, nil, err
	}
	pl := Build(t.cfg, spec)
	tl, err := pushlog.OpenTarget(p.o.LogDir, t.cfg.Desc, p.o.Now)
	if err != nil {
		return nil, nil, err
	}
	writeHeader(tl, pl)
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
		copyLines(tl, pr, func(line []byte) {
			if bytes.Contains(line, []byte("warning")) || bytes.Contains(line, []byte("LOST")) {
				p.log.Printf("push %s: %s", t.cfg.Desc, bytes.TrimSpace(line))
			}
		})
		pr.Close()
		tl.Close() //nolint:errcheck // logs are best effort
	}()
	t.mu.Lock()
	t.running, t.stages = r, pl.Names()
	t.mu.Unlock()
	p.log.Printf("push %s: started (log %s): %s", t.cfg.Desc, tl.Path(), pl.Shell())
	return r, copied, nil
}

// writeHeader puts the pipeline and each stage's arguments at the top of a
// target's log, as the reference's logs begin.
func writeHeader(tl *pushlog.TargetLog, pl pipeline.Pipeline) {
	tl.Printf("%s", pl.Shell())
	for _, s := range pl.Stages {
		tl.Printf("%s args", s.Name)
		for _, a := range s.Args {
			tl.Printf("  %s", strings.ReplaceAll(a, "\n", `\n`))
		}
	}
}

// copyLines copies r into w line by line, so that log files rotate between
// lines, showing each line to note.
func copyLines(w io.Writer, r io.Reader, note func([]byte)) {
	br := bufio.NewReaderSize(r, 64*1024)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			w.Write(line) //nolint:errcheck // logging is best effort
			note(line)
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// statusLoop writes every target's status line each interval until ctx ends.
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
	for _, t := range p.targets {
		t.mu.Lock()
		stages := t.stages
		var alive []bool
		if t.running != nil {
			alive = t.running.Alive()
		} else {
			stages = stageNames(t.cfg)
			alive = make([]bool, len(stages))
		}
		t.mu.Unlock()
		p.log.Printf("%s", pushlog.StatusLine(t.cfg.Desc, stages, alive))
	}
}

func stageNames(t config.Target) []string {
	return Build(t, Spec{}).Names()
}
