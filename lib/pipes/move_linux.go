package pipes

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

func grow(f *os.File) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) { //nolint:errcheck // advice: a pipe that stays small still works
		if n, err := unix.FcntlInt(fd, unix.F_GETPIPE_SZ, 0); err == nil && n < Size {
			unix.FcntlInt(fd, unix.F_SETPIPE_SZ, Size) //nolint:errcheck // advice, as above
		}
	})
}

// move loops the system call until n bytes are moved or it fails.
func (m *Mover) move(src *os.File, off, n int64) (int64, error) {
	in, err := src.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	out, err := m.out.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	var moved int64
	var callErr error
	cerr := in.Control(func(rfd uintptr) {
		werr := out.Write(func(wfd uintptr) bool {
			for moved < n {
				k, err := m.call(int(rfd), off+moved, int(wfd), n-moved)
				switch {
				case errors.Is(err, syscall.EINTR):
					continue
				case errors.Is(err, syscall.EAGAIN):
					return false // a non-blocking output: wait until writable
				case err != nil:
					callErr = err
					return true
				case k == 0:
					callErr = errShort
					return true
				}
				moved += k
			}
			return true
		})
		if callErr == nil {
			callErr = werr
		}
	})
	if cerr != nil {
		return moved, fmt.Errorf("%w: %w", ErrUnsupported, cerr)
	}
	return moved, m.explain(moved, callErr)
}

// errShort is a move that made no progress: the file is shorter than the
// range asked.
var errShort = errors.New("the file ends before the range to move")

// call makes one system call moving up to n bytes from rfd at off.
func (m *Mover) call(rfd int, off int64, wfd int, n int64) (int64, error) {
	n = min(n, 1<<30)
	if m.kind == kindPipe {
		return unix.Splice(rfd, &off, wfd, nil, int(n), unix.SPLICE_F_MOVE)
	}
	k, err := unix.CopyFileRange(rfd, &off, wfd, nil, int(n), 0)
	return int64(k), err
}

// explain turns the system call's failure into Move's error.
func (m *Mover) explain(moved int64, err error) error {
	name := "copy_file_range"
	if m.kind == kindPipe {
		name = "splice"
	}
	var errno syscall.Errno
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.EPIPE):
		return syscall.EPIPE
	case moved == 0 && errors.As(err, &errno) && unsupported(errno):
		return fmt.Errorf("%w: %w", ErrUnsupported, os.NewSyscallError(name, err))
	case errors.As(err, &errno):
		return os.NewSyscallError(name, err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// unsupported tells the errors by which the kernel refuses to move bytes
// between these two files, rather than failing to.
func unsupported(e syscall.Errno) bool {
	switch e {
	case syscall.EINVAL, syscall.EXDEV, syscall.ENOSYS, syscall.EOPNOTSUPP, syscall.EBADF, syscall.EPERM, syscall.ETXTBSY:
		return true
	}
	return false
}
