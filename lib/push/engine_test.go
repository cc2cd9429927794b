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

	"github.com/pcappush/pcappush/internal/testutil"

	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/event"
	"github.com/pcappush/pcappush/lib/pipeline"
	"github.com/pcappush/pcappush/lib/push/status"
	"github.com/pcappush/pcappush/lib/schedule"
	statepkg "github.com/pcappush/pcappush/lib/state"
	"github.com/pcappush/pcappush/lib/state/ledger"
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

// desc returns the target a pipeline pushes: its split's -o /out/DESC.
func (p *fakeProc) desc() string {
	_, after, _ := strings.Cut(p.args("pcap_split"), "-o /out/")
	d, _, _ := strings.Cut(after, " ")
	return d
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
	e := &engine{fake: newFakePipelines(), reloads: make(chan struct{}), state: o.StateDir, logs: t.TempDir(), store: t.TempDir(), ended: make(chan error, 1)}
	if e.state == "" {
		e.state = t.TempDir()
	}
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
		e.waitState(t, "all", status.Running, 2) // status ticker, schedule poll
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

// TestEngineScheduleWindow: a pipeline runs while the schedule's window is
// open; when it closes the pipeline is stopped from its head and the
// target idles, saying when it opens; when it opens the push resumes.
func TestEngineScheduleWindow(t *testing.T) {
	t.Parallel()
	cfg := oneTarget("all")
	sched, err := schedule.Parse([]string{"Mon-Fri 08:00-18:00"})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Schedule = sched
	friday := time.Date(2021, 5, 28, 17, 59, 30, 0, time.UTC)
	e := newEngine(t, cfg, Options{Capture: "cap1", Clock: clockwork.NewFakeClockAt(friday)})
	e.run()
	p := e.fake.next(t)
	e.waitState(t, "all", status.Running, 2) // status ticker, schedule poll
	e.clock.Advance(29 * time.Second)
	if p.wasStopped() {
		t.Fatal("stopped while the window is open")
	}
	e.clock.Advance(2 * time.Second)
	s := e.waitState(t, "all", status.Idle, 2) // status ticker, idle poll
	if !p.wasStopped() || s.Detail != "outside the schedule; it opens Mon 2021-05-31 08:00:00 UTC" {
		t.Errorf("after 18:00: stopped %v, %s (%s); want stopped, idle until Monday", p.wasStopped(), s.State, s.Detail)
	}
	e.clock.Advance(time.Date(2021, 5, 31, 7, 59, 0, 0, time.UTC).Sub(e.clock.Now()))
	e.fake.none(t)
	e.clock.Advance(time.Minute)
	e.fake.next(t) // the window opened: a new pipeline
	e.stop(t)
	lines := e.analytics(t)
	for _, w := range []string{"push all: the schedule's window closed: stopping", "push all: idle: outside the schedule; it opens Mon 2021-05-31 08:00:00 UTC", "push all: the schedule's window opened"} {
		if !hasLine(lines, w) {
			t.Errorf("analytics log lacks %q:\n%s", w, strings.Join(lines, "\n"))
		}
	}
}

// TestEngineReload: a reload keeps an unchanged target's pipeline,
// restarts a changed one with its new settings, stops a removed one and
// starts an added one; a configuration that does not load changes
// nothing.
func TestEngineReload(t *testing.T) {
	t.Parallel()
	target := func(desc, split string) config.Target {
		return config.Target{Desc: desc, Path: "/out/" + desc, Split: split, SplitTime: 60e9}
	}
	before := &config.Config{File: "test.lua", Targets: []config.Target{target("all", "--split-time 60e9"), target("same", "--split-time 60e9"), target("old", "--split-time 60e9")}}
	after := &config.Config{File: "test.lua", Targets: []config.Target{target("all", "--split-time 30e9"), target("same", "--split-time 60e9"), target("new", "--split-time 60e9")}}
	var mu sync.Mutex
	next, nextErr := after, errors.New("config test.lua: line 3: syntax error")
	load := func(context.Context) (*config.Config, error) {
		mu.Lock()
		defer mu.Unlock()
		return next, nextErr
	}
	e := newEngine(t, before, Options{Capture: "cap1", Load: load, FilterCode: func(config.Target) string { return "" }})
	e.run()
	procs := map[string]*fakeProc{}
	for range 3 {
		p := e.fake.next(t)
		procs[p.desc()] = p
	}
	e.reloads <- struct{}{} // does not load
	e.fake.none(t)
	mu.Lock()
	nextErr = nil
	mu.Unlock()
	e.reloads <- struct{}{}
	started := map[string]*fakeProc{}
	for range 2 {
		p := e.fake.next(t)
		started[p.desc()] = p
	}
	if p := started["all"]; p == nil || !strings.Contains(p.args("pcap_split"), "--split-time 30e9") {
		t.Errorf("all restarted as %v; want its new split", started["all"])
	}
	if started["new"] == nil {
		t.Error("the added target did not start")
	}
	if !procs["all"].wasStopped() || !procs["old"].wasStopped() || procs["same"].wasStopped() {
		t.Errorf("stopped: all %v, old %v, same %v; want all and old only", procs["all"].wasStopped(), procs["old"].wasStopped(), procs["same"].wasStopped())
	}
	e.fake.none(t)
	e.stop(t)
	lines := e.analytics(t)
	for _, w := range []string{"reload: ignored, the running configuration stays: config test.lua: line 3: syntax error",
		"reload: test.lua: schedule always; unchanged: same; restarting: all; stopping: old; starting: new"} {
		if !hasLine(lines, w) {
			t.Errorf("analytics log lacks %q:\n%s", w, strings.Join(lines, "\n"))
		}
	}
	for _, s := range e.p.Snapshot() {
		if s.Target == "old" {
			t.Error("the removed target is still reported")
		}
	}
}

// TestEngineLostCapture: a capture a target began and did not finish
// that is gone from the store is reported lost, from the end of its last
// split, in the log, on stderr, in the status and in the state folder;
// the push goes on with the current capture.
func TestEngineLostCapture(t *testing.T) {
	t.Parallel()
	stateDir := t.TempDir()
	uid, _, err := statepkg.At(stateDir).TargetUID("all", at)
	if err != nil {
		t.Fatal(err)
	}
	appendEntry(t, statepkg.At(stateDir).Ledger(uid, "cap0", false), ledger.Entry{Name: "/out/all_1621849800-1621849860.pcap", Start: 240e9, End: 300e9, Last: 299e9})
	var stderr testutil.SyncBuffer
	e := newEngine(t, oneTarget("all"), Options{Capture: "cap1", StateDir: stateDir, Stderr: &stderr})
	e.run()
	p := e.fake.next(t)
	if !strings.HasSuffix(p.args("stream_cat"), "-- cap1") {
		t.Errorf("stream_cat %s; want cap1", p.args("stream_cat"))
	}
	s := e.waitState(t, "all", status.Running, 2)
	if len(s.Lost) != 1 || s.Lost[0].Capture != "cap0" || s.Lost[0].FromNS == nil || *s.Lost[0].FromNS != 300e9 || s.Lost[0].After != "all_1621849800-1621849860.pcap" {
		t.Errorf("lost %+v; want cap0 after 300e9", s.Lost)
	}
	e.stop(t)
	if l := statepkg.At(stateDir).Losses("all", 10); len(l) != 1 || l[0].Capture != "cap0" {
		t.Errorf("losses kept %+v; want cap0", l)
	}
	if !strings.Contains(stderr.String(), "push_realtime: all: LOST") || !hasLine(e.analytics(t), "push all: LOST") {
		t.Errorf("the loss is not said: stderr %q\n%s", stderr.String(), strings.Join(e.analytics(t), "\n"))
	}
}

// TestEngineEvents: what a pipeline's events say is counted as it comes
// (splits, Post failures) and logged (warnings, chunks lost); the splits
// its ledger gained without an event (a stage killed between the two) are
// counted once it ended. A capture pushed to its end leaves the target
// idle, its status line saying so beside the stages all down.
func TestEngineEvents(t *testing.T) {
	t.Parallel()
	e := newEngine(t, oneTarget("all"), Options{Capture: "cap1"})
	e.run()
	p := e.fake.next(t)
	uid := e.status(t, "all").UID
	ledgerPath := statepkg.At(e.state).Ledger(uid, "cap1", false)
	first := ledger.Entry{Name: "/out/all_1621849800-1621849860.pcap", Start: 240e9, End: 300e9, Packets: 10, Bytes: 1000}
	second := ledger.Entry{Name: "/out/all_1621849860-1621849920.pcap", Start: 300e9, End: 360e9, Packets: 20, Bytes: 2000}
	appendEntry(t, ledgerPath, first)
	appendEntry(t, ledgerPath, second)
	p.events <- event.Event{Time: at, Tool: "pcap_split", Type: event.Split, Split: &first}
	p.events <- event.Event{Time: at, Tool: "pcap_split", Type: event.PostFailed, Message: "post failed for /out/all_1621849800-1621849860.pcap: exit status 3", Split: &first}
	p.events <- event.Event{Time: at, Tool: "stream_cat", Type: event.Warning, Message: "chunk c2.pcap: truncated record"}
	deadline := time.Now().Add(5 * time.Second)
	for s := e.status(t, "all"); s.Splits != 1 || s.PostFailures != 1; s = e.status(t, "all") {
		if time.Now().After(deadline) {
			t.Fatalf("status %+v; want 1 split and 1 Post failure", s)
		}
		time.Sleep(time.Millisecond)
	}
	p.exit(nil) // the capture is complete: stream_cat --follow ended
	s := e.waitState(t, "all", status.Idle, 2)
	if s.Splits != 2 || s.Packets != 30 || s.Bytes != 3000 || !strings.HasPrefix(s.Detail, "finished capture cap1; waiting for capture cap1") {
		t.Errorf("after the end: %d splits, %d packets, %d bytes, %q; want 2, 30, 3000, finished", s.Splits, s.Packets, s.Bytes, s.Detail)
	}
	e.p.status()
	e.stop(t)
	lines := e.analytics(t)
	for _, w := range []string{"push all: stream_cat: warning: chunk c2.pcap: truncated record", "push all: finished capture cap1",
		"push [all                                      : stream_cat:false split:false] idle: finished capture cap1; waiting for capture cap1"} {
		if !hasLine(lines, w) {
			t.Errorf("analytics log lacks %q:\n%s", w, strings.Join(lines, "\n"))
		}
	}
	if s := e.status(t, "all"); s.LastError != "post failed for /out/all_1621849800-1621849860.pcap: exit status 3" {
		t.Errorf("last error %q; want the Post failure", s.LastError)
	}
}

// TestEngineRollover: when the capture followed ends (its recorder
// started the next), the target moves to the newest active capture and
// never comes back to the one finished.
func TestEngineRollover(t *testing.T) {
	t.Parallel()
	now := time.Now()
	store := t.TempDir()
	chunk := func(capture string, mtime time.Time) {
		t.Helper()
		dir := filepath.Join(store, capture)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		hdr := []byte{0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0}
		f := filepath.Join(dir, "chunk0.pcap")
		if err := os.WriteFile(f, hdr, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(f, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	chunk("cap1", now.Add(-10*time.Second))
	e := newEngine(t, oneTarget("all"), Options{Store: store, Clock: clockwork.NewFakeClockAt(now)})
	e.run()
	p := e.fake.next(t)
	if !strings.HasSuffix(p.args("stream_cat"), "-- cap1") {
		t.Fatalf("stream_cat %s; want cap1, the one active capture", p.args("stream_cat"))
	}
	e.waitState(t, "all", status.Running, 2)
	chunk("cap2", now.Add(-time.Second)) // the recorder begins the next capture
	p.exit(nil)                          // and cap1 ends
	p = e.fake.next(t)
	if !strings.HasSuffix(p.args("stream_cat"), "-- cap2") {
		t.Fatalf("stream_cat %s; want cap2 after cap1 ended", p.args("stream_cat"))
	}
	e.waitState(t, "all", status.Running, 2)
	p.exit(nil) // cap2 ends too: nothing left to push, cap1 not again
	s := e.waitState(t, "all", status.Idle, 2)
	if !strings.HasPrefix(s.Detail, "finished capture cap2; waiting for an active capture in "+store) {
		t.Errorf("after cap2: %s (%s); want idle, waiting", s.State, s.Detail)
	}
	e.clock.Advance(DefaultIdlePoll)
	e.fake.none(t)
	e.stop(t)
	if done := statepkg.At(e.state).Done("all"); !done["cap1"] || !done["cap2"] {
		t.Errorf("done markers %v; want cap1 and cap2", done)
	}
}

// TestEngineOffline: an offline push runs every target over the stored
// capture at once; its progress is what stream_cat's position events say;
// a target that fails is named in the error, the others finish.
func TestEngineOffline(t *testing.T) {
	t.Parallel()
	store := t.TempDir()
	if err := os.MkdirAll(filepath.Join(store, "cap1"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{File: "test.lua", Targets: []config.Target{oneTarget("all").Targets[0], oneTarget("tcp").Targets[0]}}
	e := newEngine(t, cfg, Options{Store: store, Offline: "cap1"})
	ended := make(chan error, 1)
	go func() { ended <- e.p.Run(context.Background()) }()
	procs := map[string]*fakeProc{}
	for range 2 {
		p := e.fake.next(t)
		procs[p.desc()] = p
	}
	if a := procs["all"].args("stream_cat"); strings.Contains(a, "--follow") || !strings.HasSuffix(a, "-- cap1") {
		t.Errorf("stream_cat %s; want cap1 read once", a)
	}
	procs["all"].events <- event.Event{Time: at, Tool: "stream_cat", Type: event.Position, Position: &event.Place{Chunk: "c1.pcap", Offset: 250, Read: 1250, Total: 5000}}
	deadline := time.Now().Add(5 * time.Second)
	for s := e.status(t, "all"); s.Progress == nil || s.Progress.Done != 1250; s = e.status(t, "all") {
		if time.Now().After(deadline) {
			t.Fatalf("progress %+v; want 1250 of 5000", s.Progress)
		}
		time.Sleep(time.Millisecond)
	}
	if s := e.status(t, "all"); s.Progress.Total != 5000 || s.Mode != status.Offline {
		t.Errorf("status %s, progress %+v; want offline, 1250 of 5000", s.Mode, s.Progress)
	}
	procs["tcp"].exit(errors.New("pcap_filter exited with status 1"))
	procs["all"].exit(nil)
	var err error
	select {
	case err = <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("Offline did not return once its pipelines ended")
	}
	var te *TargetError
	if !errors.As(err, &te) || len(te.Failed) != 1 || te.Failed["tcp"] == nil {
		t.Errorf("Run = %v; want tcp named as failed", err)
	}
	if s := e.status(t, "all"); s.State != status.Stopped || s.Detail != "finished capture cap1" || s.Progress.Done != 5000 {
		t.Errorf("all: %s (%s), %+v; want stopped, finished, all read", s.State, s.Detail, s.Progress)
	}
	if s := e.status(t, "tcp"); s.State != status.Failed {
		t.Errorf("tcp: %s (%s); want failed", s.State, s.Detail)
	}
	e.p.Close()
}

// TestEngineReloadCapture: a reload that names another capture to follow
// restarts every target on it, the configuration of each unchanged.
func TestEngineReloadCapture(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{File: "test.lua", Capture: "cap1", Targets: []config.Target{oneTarget("all").Targets[0], oneTarget("tcp").Targets[0]}}
	next := *cfg
	next.Capture = "cap2"
	e := newEngine(t, cfg, Options{Load: func(context.Context) (*config.Config, error) { c := next; return &c, nil }, FilterCode: func(config.Target) string { return "" }})
	e.run()
	old := []*fakeProc{e.fake.next(t), e.fake.next(t)}
	e.reloads <- struct{}{}
	for range 2 {
		if p := e.fake.next(t); !strings.HasSuffix(p.args("stream_cat"), "-- cap2") {
			t.Errorf("restarted on %s; want cap2", p.args("stream_cat"))
		}
	}
	for _, p := range old {
		if !p.wasStopped() {
			t.Errorf("%s was not stopped", p.desc())
		}
	}
	e.stop(t)
	if !hasLine(e.analytics(t), "unchanged: none; restarting: all, tcp; stopping: none; starting: none") {
		t.Errorf("analytics log:\n%s", strings.Join(e.analytics(t), "\n"))
	}
}
