// Package lockfile takes exclusive advisory locks (flock) on files in the
// state folder, so that two processes never keep the same state at once:
// two push_realtime of one state folder, or an old and a new stage of one
// target's pipeline while the old one is still finishing its split. The
// lock file holds the holder's pid for the message of whoever waits; the
// kernel releases the lock when the holder exits, however it exits, so a
// lock file a crash emptied or lost is simply taken again. A link planted
// at the lock's name is refused, naming it (lib/durable).
//
//	l, err := lockfile.Acquire(path+".lock", 30*time.Second)
//	if err != nil {
//		return err // names the holder's pid
//	}
//	defer l.Release()
package lockfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pcappush/pcappush/lib/durable"
)

// ErrHeld is wrapped by the error of Acquire when another process keeps
// the lock past the wait.
var ErrHeld = errors.New("held by another process")

// Lock is a held lock.
type Lock struct{ f *os.File }

// pollEvery is how often a waiting Acquire tries again.
const pollEvery = 50 * time.Millisecond

// Acquire locks path (creating it and its folder), waiting up to wait for
// another holder to let go; a wait of zero tries once.
func Acquire(path string, wait time.Duration) (*Lock, error) {
	if err := durable.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	f, err := durable.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || !time.Now().Before(deadline) {
			pid := Holder(path)
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, fmt.Errorf("%s is %w (pid %s)", path, ErrHeld, pid)
			}
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		time.Sleep(pollEvery)
	}
	f.Truncate(0)                                        //nolint:errcheck // the pid is informative
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0) //nolint:errcheck // the pid is informative
	return &Lock{f: f}, nil
}

// Holder returns the pid written in the lock file at path, or "unknown".
func Holder(path string) string {
	b, err := durable.ReadFile(path)
	if s := strings.TrimSpace(string(b)); err == nil && s != "" {
		return s
	}
	return "unknown"
}

// Release lets the lock go.
func (l *Lock) Release() error { return l.f.Close() }
