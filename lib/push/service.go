package push

import (
	"errors"
	"fmt"
	"os"

	"github.com/pcappush/pcappush/lib/durable"
	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/lockfile"
	"github.com/pcappush/pcappush/lib/push/status"
	"github.com/pcappush/pcappush/lib/state"
)

// check fails, before anything is written, when the capture an offline
// push names is not there; then it makes the state and log folders when
// missing and refuses them, as a usage error, when others could write
// them (plant links, rewrite the state): group- or world-writable, or
// another user's.
func (o Options) check(s settings) error {
	if err := checkStored(s.store, o.Offline); err != nil {
		return err
	}
	for _, f := range []struct{ what, dir string }{{"state folder (--state-dir)", o.StateDir}, {"log folder (--log-dir, Config.LogDir)", s.logDir}} {
		if err := durable.MkdirAll(f.dir, state.DirPerm); err != nil {
			return fmt.Errorf("%s: %w", f.what, err)
		}
		if err := durable.CheckFolder(f.dir); err != nil {
			return &exitcode.UsageError{Err: fmt.Errorf("%s: %w", f.what, err)}
		}
	}
	return nil
}

// lock takes the state folder's lock, so that two push_realtime of one
// configuration do not run at once; Force runs anyway.
func (o Options) lock() (unlock func(), err error) {
	l, err := lockfile.Acquire(state.At(o.StateDir).LockFile(), 0)
	switch {
	case err == nil:
		return func() { l.Release() }, nil //nolint:errcheck // released at exit anyway
	case o.Force && errors.Is(err, lockfile.ErrHeld):
		return func() {}, nil
	case errors.Is(err, lockfile.ErrHeld):
		return nil, fmt.Errorf("another push_realtime holds the lock: %w; stop it, or give --force", err)
	}
	return nil, err
}

// recordRun writes what this push resolved, for `push_realtime status`
// (next to the lock, an offline push's apart); a failure is a warning.
func (p *Pusher) recordRun() {
	pid := os.Getpid()
	s := p.settings()
	p.mu.Lock()
	file := p.cfg.File
	p.mu.Unlock()
	r := &status.Run{PID: pid, PIDStart: p.pidStart, Started: p.started, Config: abs(file), Store: s.store, LogDir: s.logDir,
		Capture: s.capture, Host: s.host, Mode: status.Realtime}
	if p.o.Offline != "" {
		r.Mode, r.Capture = status.Offline, p.o.Offline
	}
	if err := status.WriteRun(p.o.StateDir, r); err != nil {
		fmt.Fprintf(p.o.Stderr, "push_realtime: warning: push_realtime status will not find this push's folders without flags: %v\n", err)
	}
}
