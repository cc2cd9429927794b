package feed

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// direct reads an *os.File on the caller's goroutine. A pipe or socket is
// switched to non-blocking mode so that reads honour deadlines: a stop
// request or an idle timer interrupts a read that waits. A regular file
// never waits, so it only checks for a stop request between reads.
type direct struct {
	f        *os.File
	orig     *os.File // the file given, when f is its non-blocking duplicate
	opts     Options
	pollable bool
	stopped  chan struct{} // closed once Stop has been seen
	once     sync.Once
	last     time.Time
}

// newDirect returns a direct reader for f, or nil when f cannot be read
// that way (it is neither a regular file nor pollable).
func newDirect(f *os.File, opts Options) *direct {
	st, err := f.Stat()
	if err != nil {
		return nil
	}
	d := &direct{f: f, opts: opts, stopped: make(chan struct{}), last: time.Now()}
	switch {
	case st.Mode().IsRegular():
	case st.Mode()&(os.ModeNamedPipe|os.ModeSocket) != 0:
		nf, err := pollable(f)
		if err != nil {
			return nil
		}
		d.f, d.orig, d.pollable = nf, f, true
	default:
		return nil
	}
	if opts.Stop != nil {
		go d.watch()
	}
	return d
}

// pollable returns a new *os.File on a duplicate of f's descriptor in
// non-blocking mode, which the runtime's poller serves with deadlines.
func pollable(f *os.File) (*os.File, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var fd int
	var derr error
	if err := rc.Control(func(s uintptr) { fd, derr = unix.Dup(int(s)) }); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, derr
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd) //nolint:errcheck // giving up on this descriptor
		return nil, err
	}
	nf := os.NewFile(uintptr(fd), f.Name())
	if err := nf.SetReadDeadline(time.Time{}); err != nil {
		nf.Close()
		return nil, fmt.Errorf("%s is not pollable: %w", f.Name(), err)
	}
	return nf, nil
}

// Close lets the duplicate go and gives the original descriptor back its
// blocking mode (the mode is shared by both).
func (d *direct) Close() error {
	d.once.Do(func() { close(d.stopped) })
	if d.orig == nil {
		return nil
	}
	err := d.f.Close()
	if rc, cerr := d.orig.SyscallConn(); cerr == nil {
		rc.Control(func(fd uintptr) { unix.SetNonblock(int(fd), false) }) //nolint:errcheck // best effort
	}
	d.orig = nil
	return err
}

// watch turns a stop request into an immediate read deadline.
func (d *direct) watch() {
	select {
	case <-d.opts.Stop:
	case <-d.stopped: // closed
		return
	}
	d.once.Do(func() { close(d.stopped) })
	if d.pollable {
		d.f.SetReadDeadline(time.Now()) //nolint:errcheck // best effort: the flag is checked too
	}
}

func (d *direct) isStopped() bool {
	select {
	case <-d.stopped:
		return true
	default:
		return false
	}
}

// Read implements io.Reader.
func (d *direct) Read(p []byte) (int, error) {
	for {
		if d.isStopped() {
			return 0, ErrStopped
		}
		if d.pollable && d.opts.Idle > 0 && d.opts.OnIdle != nil {
			if err := d.f.SetReadDeadline(time.Now().Add(d.opts.Idle)); err != nil {
				return 0, err
			}
		}
		n, err := d.f.Read(p)
		if n > 0 {
			d.last = time.Now()
			return n, nil
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			if errors.Is(err, syscall.EAGAIN) {
				continue
			}
			return n, err
		}
		if d.isStopped() {
			return 0, ErrStopped
		}
		if d.opts.OnIdle != nil {
			if err := d.opts.OnIdle(time.Since(d.last)); err != nil {
				return 0, err
			}
		}
	}
}

var _ io.ReadCloser = (*direct)(nil)
