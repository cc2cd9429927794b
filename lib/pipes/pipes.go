package pipes

import (
	"errors"
	"io"
	"os"
)

// Size is the capacity Grow asks for: 1 MiB.
const Size = 1 << 20

// ErrUnsupported is wrapped by Move's error when the kernel cannot move
// bytes from the file given to the Mover's output; nothing was moved.
var ErrUnsupported = errors.New("moving file bytes to this output is not supported")

// Grow enlarges f to Size when it is an *os.File that is a pipe smaller
// than that, and reports whether f is a pipe. Failing to enlarge it is not
// an error: the pipe keeps its size.
func Grow(f any) bool {
	file, ok := f.(*os.File)
	if !ok || file == nil || kindOf(file) != kindPipe {
		return false
	}
	grow(file)
	return true
}

// kind is what an output file is, as far as moving bytes into it goes.
type kind int

const (
	kindOther   kind = iota // a terminal, a socket, a device: the caller writes
	kindPipe                // splice(2)
	kindRegular             // copy_file_range(2)
)

func kindOf(f *os.File) kind {
	st, err := f.Stat()
	switch {
	case err != nil:
		return kindOther
	case st.Mode()&os.ModeNamedPipe != 0:
		return kindPipe
	case st.Mode().IsRegular():
		return kindRegular
	}
	return kindOther
}

// NewMover returns a Mover writing to w, or nil when w is not an *os.File
// that is a pipe or a regular file.
func NewMover(w io.Writer) *Mover {
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return nil
	}
	k := kindOf(f)
	if k == kindOther {
		return nil
	}
	return &Mover{out: f, kind: k}
}

// Mover moves byte ranges of files to one output (see the package doc).
// It is not safe for concurrent use.
type Mover struct {
	out  *os.File
	kind kind
	off  bool // the kernel refused once: the caller writes from now on
}

// Pipe reports whether the output is a pipe.
func (m *Mover) Pipe() bool { return m != nil && m.kind == kindPipe }

// Move moves n bytes of src, from offset off on, to the output, and
// returns how many it moved. src's own file offset is not used or changed.
// Its errors: ErrUnsupported (wrapped) when the kernel cannot move these
// bytes, with nothing moved; syscall.EPIPE when the reader has gone; any
// other failure of the system call, wrapped in an *os.SyscallError.
func (m *Mover) Move(src *os.File, off, n int64) (int64, error) {
	if m == nil || m.off {
		return 0, ErrUnsupported
	}
	moved, err := m.move(src, off, n)
	if errors.Is(err, ErrUnsupported) {
		m.off = true
	}
	return moved, err
}
