package lockfile

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAcquireWaitsAndNamesTheHolder(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "x.lock")
	a, err := Acquire(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(p, 100*time.Millisecond)
	if !errors.Is(err, ErrHeld) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second Acquire = %v; want held, naming pid %d", err, os.Getpid())
	}
	go func() { time.Sleep(200 * time.Millisecond); a.Release() }()
	start := time.Now()
	b, err := Acquire(p, 5*time.Second)
	if err != nil || time.Since(start) < 150*time.Millisecond {
		t.Fatalf("waiting Acquire = %v after %v", err, time.Since(start))
	}
	b.Release()
}

// TestLockDiesWithItsHolder: a process killed while holding the lock
// leaves it free.
func TestLockDiesWithItsHolder(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.lock")
	cmd := exec.Command("flock", "-o", p, "sleep", "30") // -o: the lock stays with flock itself
	if err := cmd.Start(); err != nil {
		t.Skipf("flock(1): %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	if _, err := Acquire(p, 0); !errors.Is(err, ErrHeld) {
		t.Fatalf("Acquire while flock(1) holds it = %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	l, err := Acquire(p, time.Second)
	if err != nil {
		t.Fatalf("Acquire after the holder died = %v", err)
	}
	l.Release()
}
