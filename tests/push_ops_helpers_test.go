package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/push/status"
)

// runningPush is a push_realtime started by a test.
type runningPush struct {
	cmd    *exec.Cmd
	stderr *testutil.SyncBuffer
	e      pushEnv
	cfg    string
}

// startPush starts a realtime push_realtime with the tools of binDir.
func startPush(t *testing.T, e pushEnv, cfg string, extra ...string) *runningPush {
	t.Helper()
	p := &runningPush{stderr: &testutil.SyncBuffer{}, e: e, cfg: cfg}
	p.cmd = exec.Command(testutil.Tool(t, "push_realtime"), e.args(cfg, append([]string{"--bin-dir", binDir(t)}, extra...)...)...)
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill() }) //nolint:errcheck // may have exited
	return p
}

// stop sends SIGTERM and expects a clean exit.
func (p *runningPush) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("push_realtime after SIGTERM: %v\n%s", err, p.stderr.String())
	}
}

// hup sends SIGHUP.
func (p *runningPush) hup(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
}

// statusArgs are the arguments of `push_realtime status` for this push.
func (p *runningPush) statusArgs(extra ...string) []string {
	return append([]string{"status", "--config", p.cfg, "--store", p.e.store, "--state-dir", p.e.state}, extra...)
}

// status runs `push_realtime status --json` and decodes it.
func (p *runningPush) status(t *testing.T) status.Report {
	t.Helper()
	res := testutil.MustRun(t, nil, testutil.Tool(t, "push_realtime"), p.statusArgs("--json")...)
	var r status.Report
	if err := json.Unmarshal(res.Stdout, &r); err != nil {
		t.Fatalf("status --json: %v\n%s", err, res.Stdout)
	}
	return r
}

// row returns the realtime row of target desc.
func row(t *testing.T, r status.Report, desc string) status.Row {
	t.Helper()
	for _, x := range r.Targets {
		if x.Target == desc && x.Mode == status.Realtime {
			return x
		}
	}
	t.Fatalf("status has no row for %s: %+v", desc, r.Targets)
	return status.Row{}
}

// analytics returns the analytics log.
func (e pushEnv) analytics(t *testing.T) string {
	t.Helper()
	b, _ := os.ReadFile(filepath.Join(e.logs, "analytics_push_realtime.cur"))
	return string(b)
}

// waitUntil polls cond every 50 ms for up to timeout and fails with what
// when it never holds.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out after %v waiting for %s", timeout, what)
}

// splitFiles lists the published splits in dir whose names start with
// prefix.
func splitFiles(t *testing.T, dir, prefix string) []string {
	t.Helper()
	var out []string
	for _, n := range files(t, dir) {
		if strings.HasPrefix(n, prefix) && !strings.HasSuffix(n, ".pending") {
			out = append(out, n)
		}
	}
	return out
}

// liveDir makes the folder of a live capture in the store and a writer
// appending to it.
func liveDir(t *testing.T, e pushEnv, seed string) *liveWriter {
	t.Helper()
	src := readRecs(t, gen(t, "--seed", seed, "--packets", "3000", "--encap", "0.3"))
	dir := filepath.Join(e.store, "live")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w := &liveWriter{t: t, dir: dir, src: src}
	w.rotate()
	return w
}

// during writes packets gap apart for about d.
func (w *liveWriter) during(d, gap time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
		w.packets(10, gap)
	}
}

// record writes a live capture in the background, ~400 packets/s, a
// new chunk every 2 s, until stopped.
func record(w *liveWriter) (stop func()) {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-quit:
				return
			default:
			}
			w.packets(40, 2*time.Millisecond)
			if i%20 == 19 {
				w.rotate()
			}
		}
	}()
	return func() { close(quit); wg.Wait() }
}
