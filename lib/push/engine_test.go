package push

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/event"
	"github.com/pcappush/pcappush/lib/pipeline"
	"github.com/pcappush/pcappush/lib/push/status"
)

// fakePipelines hands every pipeline the engine starts to the test, which
// plays its stages: events, exit, and what a stop does.
type fakePipelines struct {
	starts chan *fakeProc
}

func newFakePipelines() *fakePipelines { return &fakePipelines{starts: make(chan *fakeProc, 16)} }

func (f *fakePipelines) Start(pl pipeline.Pipeline, log io.Writer) (Proc, error) {
	p := &fakeProc{pl: pl, log: log, events: make(chan event.Event, 64), done: make(chan struct{}), stopped: make(chan struct{})}
	f.starts <- p
	return p, nil
}

// next returns the next pipeline started, failing the test when none
// starts within a few seconds.
func (f *fakePipelines) next(t *testing.T) *fakeProc {
	t.Helper()
	select {
	case p := <-f.starts:
		return p
	case <-time.After(5 * time.Second):
		t.Fatal("no pipeline started")
		return nil
	}
}

// none fails the test when a pipeline starts within a moment.
func (f *fakePipelines) none(t *testing.T) {
	t.Helper()
	select {
	case p := <-f.starts:
		t.Fatalf("a pipeline started: %s", p.pl.Shell())
	case <-time.After(20 * time.Millisecond):
	}
}

// fakeProc is a started fake pipeline.
type fakeProc struct {
	pl       pipeline.Pipeline
	log      io.Writer
	events   chan event.Event
	done     chan struct{}
	stopped  chan struct{} // closed by Stop
	stopOnce sync.Once
	endOnce  sync.Once
	err      error
}

func (p *fakeProc) Events() <-chan event.Event { return p.events }
func (p *fakeProc) Done() <-chan struct{}      { return p.done }
func (p *fakeProc) Err() error                 { return p.err }

// Stop is a SIGTERM the stages obey: they publish and exit 0.
func (p *fakeProc) Stop(time.Duration) {
	p.stopOnce.Do(func() { close(p.stopped) })
	p.exit(nil)
}

func (p *fakeProc) Stages() []status.Stage {
	up := true
	select {
	case <-p.done:
		up = false
	default:
	}
	var out []status.Stage
	for _, n := range p.pl.Names() {
		out = append(out, status.Stage{Name: n, Up: up})
	}
	return out
}

// exit ends the pipeline: every stage has exited, the last one with err.
func (p *fakeProc) exit(err error) {
	p.endOnce.Do(func() {
		p.err = err
		close(p.events)
		close(p.done)
	})
}

// wasStopped reports whether the engine stopped the pipeline.
func (p *fakeProc) wasStopped() bool {
	select {
	case <-p.stopped:
		return true
	default:
		return false
	}
}

// args returns the arguments of the stage named.
func (p *fakeProc) args(name string) string {
	for _, s := range p.pl.Stages {
		if filepath.Base(s.Path) == name {
			return strings.Join(s.Args, " ")
		}
	}
	return ""
}

// engine is a Pusher on fake pipelines and a fake clock, running
// Realtime until the test ends.
type engine struct {
	p       *Pusher
	fake    *fakePipelines
	clock   *clockwork.FakeClock
	reloads chan struct{}
	state   string
	logs    string
	store   string
	cancel  context.CancelFunc
	ended   chan error
}

// at is a Friday afternoon, the fake clock's start unless told otherwise.
var at = time.Date(2021, 5, 28, 14, 0, 0, 0, time.UTC)

func newEngine(t *testing.T, cfg *config.Config, o Options) *engine {
	t.Helper()
	e := &engine{fake: newFakePipelines(), reloads: make(chan struct{}), state: t.TempDir(), logs: t.TempDir(), store: t.TempDir(), ended: make(chan error, 1)}
	if o.Clock == nil {
		o.Clock = clockwork.NewFakeClockAt(at)
	}
	e.clock = o.Clock.(*clockwork.FakeClock)
	o.Config, o.Pipelines, o.Tools, o.Reloads = cfg, e.fake, tools, e.reloads
	o.StateDir, o.LogDir = e.state, e.logs
	if o.Store == "" {
		o.Store = e.store
	}
	e.store = o.Store
	if o.StatusInterval == 0 {
		o.StatusInterval = time.Hour
	}
	p, err := New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	e.p = p
	return e
}

// run runs the push in realtime until stop.
func (e *engine) run() {
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	go func() { e.ended <- e.p.Run(ctx) }()
}

// stop ends the push as SIGTERM does and waits for Run to return.
func (e *engine) stop(t *testing.T) {
	t.Helper()
	e.cancel()
	select {
	case err := <-e.ended:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	e.p.Close()
}

// status returns target desc's status now.
func (e *engine) status(t *testing.T, desc string) status.Status {
	t.Helper()
	for _, s := range e.p.Snapshot() {
		if s.Target == desc {
			return s
		}
	}
	t.Fatalf("no target %s", desc)
	return status.Status{}
}

// waitState waits until target desc is in state, then for the engine's
// goroutines to hold n timers or tickers on the clock.
func (e *engine) waitState(t *testing.T, desc, state string, n int) status.Status {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := e.status(t, desc)
		if s.State == state {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := e.clock.BlockUntilContext(ctx, n); err != nil {
				t.Fatalf("target %s %s: the clock never had %d waiters", desc, state, n)
			}
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("target %s is %s (%s); want %s", desc, s.State, s.Detail, state)
		}
		time.Sleep(time.Millisecond)
	}
}

// analytics returns the analytics log's lines without their time stamps.
func (e *engine) analytics(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.logs, "analytics_push_realtime.cur"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		out = append(out, l[strings.Index(l, "] ")+2:])
	}
	return out
}

// hasLine reports whether lines hold one containing s.
func hasLine(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

func oneTarget(desc string) *config.Config {
	return &config.Config{File: "test.lua", Targets: []config.Target{{Desc: desc, Path: "/out/" + desc, Split: "--split-time 60e9", SplitTime: 60e9}}}
}

// TestEngineBackoff: a pipeline that keeps failing is restarted after 1 s,
// then 2, 4, and never more than the maximum; its restarts are counted
// and said; SIGTERM stops the one running from its head.
func TestEngineBackoff(t *testing.T) {
	t.Parallel()
	e := newEngine(t, oneTarget("all"), Options{Capture: "cap1", BackoffMin: time.Second, BackoffMax: 4 * time.Second})
	e.run()
	p := e.fake.next(t)
	if !strings.HasSuffix(p.args("stream_cat"), "--follow --skip-bad --checkpoint-every 60000000000 -- cap1") {
		t.Errorf("stream_cat %s; want it following cap1", p.args("stream_cat"))
	}
	for i, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second} {
		p.exit(errors.New("pcap_split exited with status 1"))
		// status ticker, backoff timer
		s := e.waitState(t, "all", status.Restarting, 2)
		want := "restarting at " + e.clock.Now().Add(wait).Format("15:04:05") + " UTC after: pcap_split exited with status 1"
		if s.Detail != want || s.Restarts != int64(i+1) {
			t.Errorf("restart %d: %q, %d restarts; want %q", i+1, s.Detail, s.Restarts, want)
		}
		e.clock.Advance(wait - time.Millisecond)
		e.fake.none(t)
		e.clock.Advance(time.Millisecond)
		p = e.fake.next(t)
	}
	e.stop(t)
	if !p.wasStopped() {
		t.Error("the running pipeline was not stopped from its head")
	}
	lines := e.analytics(t)
	for _, w := range []string{"restarting in 1s", "restarting in 2s", "restarting in 4s", "push all: stopping", "push all: stopped"} {
		if !hasLine(lines, "push all: "+strings.TrimPrefix(w, "push all: ")) {
			t.Errorf("analytics log lacks %q:\n%s", w, strings.Join(lines, "\n"))
		}
	}
	if s := e.status(t, "all"); s.State != status.Stopped || s.Errors != 4 {
		t.Errorf("after SIGTERM: %s (%s), %d errors; want stopped, 4 errors", s.State, s.Detail, s.Errors)
	}
}
