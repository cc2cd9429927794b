package filter

import (
	"errors"
	"io"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// maxIovecs is the most runs one writev takes (Linux's IOV_MAX).
const maxIovecs = 1024

// vecOut writes runs of the reader's buffer to a file with writev, so
// that kept records go from the input buffer to the kernel without being
// copied into an output buffer first. Runs must stay valid until flush,
// which the filterer calls before the reader moves to its next buffer.
type vecOut struct {
	f    *os.File
	rc   syscall.RawConn
	iovs []unix.Iovec

	// The call in progress, for writevFD (made once, so that writes do
	// not allocate).
	cur   []unix.Iovec
	n     uintptr
	errno syscall.Errno
	do    func(fd uintptr) bool
}

// newVecOut returns a vecOut for out when it is a file, else nil.
func newVecOut(out io.Writer) *vecOut {
	f, ok := out.(*os.File)
	if !ok {
		return nil
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return nil
	}
	v := &vecOut{f: f, rc: rc, iovs: make([]unix.Iovec, 0, maxIovecs)}
	v.do = v.writevFD
	return v
}

// add queues a run, writing the queue when it is full.
func (v *vecOut) add(b []byte) error {
	v.iovs = append(v.iovs, unix.Iovec{Base: &b[0], Len: uint64(len(b))})
	if len(v.iovs) == maxIovecs {
		return v.flush()
	}
	return nil
}

// flush writes every queued run, resuming after partial writes.
func (v *vecOut) flush() error {
	iovs := v.iovs
	v.iovs = v.iovs[:0]
	for len(iovs) > 0 {
		n, err := v.writev(iovs)
		if errors.Is(err, syscall.EPIPE) {
			return v.writeRest(iovs) // the os package handles a closed stdout
		}
		if err != nil {
			return err
		}
		iovs = advance(iovs, n)
	}
	return nil
}

// writev makes one writev call, waiting for a non-blocking file to take
// data.
func (v *vecOut) writev(iovs []unix.Iovec) (int, error) {
	v.cur = iovs
	err := v.rc.Write(v.do)
	v.cur = nil
	if err != nil {
		return 0, err
	}
	if v.errno != 0 {
		return 0, &os.PathError{Op: "writev", Path: v.f.Name(), Err: v.errno}
	}
	return int(v.n), nil
}

// writevFD is the system call; false asks the poller to wait until fd
// takes data.
func (v *vecOut) writevFD(fd uintptr) bool {
	for {
		v.n, _, v.errno = unix.Syscall(unix.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&v.cur[0])), uintptr(len(v.cur)))
		if v.errno != syscall.EINTR {
			return v.errno != syscall.EAGAIN
		}
	}
}

// writeRest writes the queued bytes with os.File.Write, as after a broken
// pipe: on stdout, the os package then ends the process by SIGPIPE, as
// any tool in a pipeline whose reader went away.
func (v *vecOut) writeRest(iovs []unix.Iovec) error {
	for _, iov := range iovs {
		if _, err := v.f.Write(unsafe.Slice(iov.Base, iov.Len)); err != nil {
			return err
		}
	}
	return nil
}

// advance drops the first n bytes written from iovs.
func advance(iovs []unix.Iovec, n int) []unix.Iovec {
	for n > 0 {
		if uint64(n) < iovs[0].Len {
			iovs[0].Base = (*byte)(unsafe.Add(unsafe.Pointer(iovs[0].Base), n))
			iovs[0].Len -= uint64(n)
			return iovs
		}
		n -= int(iovs[0].Len)
		iovs = iovs[1:]
	}
	return iovs
}
