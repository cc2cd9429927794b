//go:build unix

package decap

import (
	"os"
	"syscall"
	"time"
)

// pollable returns a duplicate of in, in non-blocking mode and served by
// Go's poller, so that a read blocked on a quiet pipe can be interrupted
// with a deadline, and a function that undoes it. It returns nil for
// inputs that are not pipes or sockets (files never block for long).
func pollable(in any) (*os.File, func()) {
	f, ok := in.(*os.File)
	if !ok {
		return nil, nil
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&(os.ModeNamedPipe|os.ModeSocket) == 0 {
		return nil, nil
	}
	orig := int(f.Fd())
	fd, err := syscall.Dup(orig)
	if err != nil {
		return nil, nil
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd) //nolint:errcheck // unused duplicate
		return nil, nil
	}
	nf := os.NewFile(uintptr(fd), f.Name())
	undo := func() {
		nf.Close()
		syscall.SetNonblock(orig, false) //nolint:errcheck // best effort: the flag is shared with the original
	}
	if nf.SetReadDeadline(time.Time{}) != nil {
		undo()
		return nil, nil
	}
	return nf, undo
}
