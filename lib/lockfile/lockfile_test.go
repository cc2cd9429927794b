package lockfile

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
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

// TestCutAndLinks: a lock file a power cut emptied is taken as usual; a
// link planted at its name is refused, naming it, and its target is left
// alone.
func TestCutAndLinks(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "push_realtime.lock")
	os.WriteFile(p, nil, 0o640)
	l, err := Acquire(p, 0)
	if err != nil {
		t.Fatalf("Acquire of an emptied lock file: %v", err)
	}
	l.Release()
	v := testutil.PlantLink(t, filepath.Join(dir, "x.lock"))
	_, err = Acquire(v.Link, 0)
	v.Refused("Acquire", fmt.Sprint(err))
}
