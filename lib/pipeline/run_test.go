package pipeline

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sh(name, script string) Stage {
	return Stage{Name: name, Path: "/bin/sh", Args: []string{"-c", script}}
}

func start(t *testing.T, stages ...Stage) (*Running, *os.File) {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	r, err := Start(Pipeline{Stages: stages}, logf)
	if err != nil {
		t.Fatal(err)
	}
	return r, logf
}

func waitDone(t *testing.T, r *Running) {
	t.Helper()
	select {
	case <-r.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("pipeline did not end")
	}
}

func TestRunJoinsStagesWithPipes(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	r, logf := start(t, sh("head", "seq 1 100000; echo to-stderr >&2"), Stage{Name: "tr", Path: "tr", Args: []string{"0", "x"}}, sh("tail", "cat > "+out))
	waitDone(t, r)
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	if lines := strings.Count(string(b), "\n"); lines != 100000 || !strings.Contains(string(b), "1xxxxx\n") {
		t.Errorf("output has %d lines; want 100000 with zeros replaced", lines)
	}
	logb, _ := os.ReadFile(logf.Name())
	if string(logb) != "to-stderr\n" {
		t.Errorf("log %q; want the stages' stderr", logb)
	}
	if a := r.Alive(); a[0] || a[1] || a[2] {
		t.Errorf("alive %v after Done", a)
	}
}

func TestRunReportsFailedStages(t *testing.T) {
	r, _ := start(t, sh("head", "true"), sh("filter", "exit 3"), sh("tail", "cat >/dev/null"))
	waitDone(t, r)
	var se *StageError
	err := r.Err()
	if !errors.As(err, &se) || se.Stage != "filter" || err.Error() != "filter exited with status 3" {
		t.Errorf("Err = %v; want filter exited with status 3", err)
	}
}

func TestStopFromHeadLetsTheRestFinish(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	head := sh("head", `trap 'echo last; exit 0' TERM; echo first; while :; do sleep 0.05; done`)
	tail := sh("tail", "cat > "+out+"; echo tail-done >&2")
	r, logf := start(t, head, Stage{Name: "cat", Path: "cat"}, tail)
	time.Sleep(300 * time.Millisecond)
	if a := r.Alive(); !a[0] || !a[1] || !a[2] {
		t.Fatalf("alive %v; want all running", a)
	}
	if err := r.Stop(10 * time.Second); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "first\nlast\n" {
		t.Errorf("output %q; want what the head wrote, its last words included", b)
	}
	if b, _ := os.ReadFile(logf.Name()); !bytes.Contains(b, []byte("tail-done")) {
		t.Errorf("log %q: the tail did not finish normally", b)
	}
}

func TestStopEscalates(t *testing.T) {
	stuck := sh("stuck", `trap '' TERM; sleep 30 & wait`)
	r, _ := start(t, sh("head", "trap 'exit 0' TERM; while :; do sleep 0.05; done"), stuck)
	r.KillAfter = 200 * time.Millisecond
	begin := time.Now()
	err := r.Stop(200 * time.Millisecond)
	if el := time.Since(begin); el > 5*time.Second {
		t.Errorf("Stop took %v", el)
	}
	if err == nil || !strings.Contains(err.Error(), "stuck killed by signal killed") {
		t.Errorf("Stop = %v; want the stuck stage killed", err)
	}
}

func TestStartFailsCleanly(t *testing.T) {
	_, err := Start(Pipeline{Stages: []Stage{sh("ok", "sleep 30"), {Name: "missing", Path: "/nonexistent/pcap_split"}}}, os.Stderr)
	if err == nil || !strings.Contains(err.Error(), "start missing") {
		t.Errorf("Start = %v; want an error naming the stage", err)
	}
}
