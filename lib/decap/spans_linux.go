package decap

import (
	"errors"
	"io"
	"os"
	"runtime"
	"syscall"
	"unsafe"
)

// maxIOV is the most buffers one writev call takes (IOV_MAX).
const maxIOV = 1024

// fdSpans writes spans to a file with writev: the kernel gathers them, so
// that nothing is copied in user space.
type fdSpans struct {
	f   *os.File
	fd  uintptr
	iov []syscall.Iovec
}

func newSpanWriter(out io.Writer) spanWriter {
	if f, ok := out.(*os.File); ok {
		return &fdSpans{f: f, fd: f.Fd(), iov: make([]syscall.Iovec, 0, maxIOV)}
	}
	return newBufSpans(out)
}

func (w *fdSpans) Write(p []byte) (int, error) { return w.f.Write(p) }

func (w *fdSpans) writeSpans(spans [][]byte) error {
	for len(spans) > 0 {
		w.iov = w.iov[:0]
		for _, s := range spans[:min(len(spans), maxIOV)] {
			if len(s) > 0 {
				v := syscall.Iovec{Base: &s[0]}
				v.SetLen(len(s))
				w.iov = append(w.iov, v)
			}
		}
		if len(w.iov) == 0 {
			return nil
		}
		n, _, errno := syscall.Syscall(syscall.SYS_WRITEV, w.fd, uintptr(unsafe.Pointer(&w.iov[0])), uintptr(len(w.iov)))
		runtime.KeepAlive(spans)
		switch {
		case errno == syscall.EINTR:
			continue
		case errno != 0:
			return w.fallback(spans, errno)
		}
		spans = advance(spans, int(n))
	}
	return nil
}

// fallback writes the rest through os.File, which waits for a
// non-blocking descriptor and, on a closed pipe, ends the process with
// SIGPIPE as every write to stdout does.
func (w *fdSpans) fallback(spans [][]byte, errno syscall.Errno) error {
	if !errors.Is(errno, syscall.EAGAIN) && !errors.Is(errno, syscall.EPIPE) {
		return &os.PathError{Op: "write", Path: w.f.Name(), Err: errno}
	}
	for _, s := range spans {
		if _, err := w.f.Write(s); err != nil {
			return err
		}
	}
	return nil
}

// advance drops the first n bytes of spans.
func advance(spans [][]byte, n int) [][]byte {
	for len(spans) > 0 && n >= len(spans[0]) {
		n -= len(spans[0])
		spans = spans[1:]
	}
	if n > 0 {
		spans[0] = spans[0][n:]
	}
	return spans
}
