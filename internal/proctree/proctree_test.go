package proctree

import (
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"
)

// TestKillTakesTheWholeTree: a shell whose children sit in a process group
// of their own (setsid) and would trap SIGTERM; all die by SIGKILL.
func TestKillTakesTheWholeTree(t *testing.T) {
	cmd := exec.Command("sh", "-c", `setsid sh -c 'trap "" TERM; sleep 60 & sleep 60' & sleep 60 & wait`)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() //nolint:errcheck // killed below
	var below []int
	for deadline := time.Now().Add(5 * time.Second); len(below) < 4 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		below = Descendants(cmd.Process.Pid)
	}
	if len(below) < 4 {
		t.Fatalf("descendants %v; want 4 (sh, sleep, sleep, sleep)", below)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	pids, err := Kill(cmd.Process.Pid, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range below {
		if !slices.Contains(pids, p) {
			t.Errorf("pid %d not killed (killed %v)", p, pids)
		}
	}
	if err := <-done; err == nil || cmd.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("shell ended with %v; want SIGKILL", err)
	}
}
