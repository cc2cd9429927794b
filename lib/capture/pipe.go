package capture

import (
	"os"

	"golang.org/x/sys/unix"
)

// PipeSize is the pipe buffer GrowPipe asks for.
const PipeSize = 1 << 20

// GrowPipe enlarges the kernel buffer of f when it is a pipe, so that
// fewer, larger writes cross it; it tries PipeSize, then smaller sizes down
// to 256 KiB (the limit for unprivileged users is
// /proc/sys/fs/pipe-max-size). It reports the size set, or 0.
func GrowPipe(f *os.File) int {
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		return 0
	}
	for size := PipeSize; size >= 64<<10; size /= 2 {
		if n, err := unix.FcntlInt(f.Fd(), unix.F_SETPIPE_SZ, size); err == nil {
			return n
		}
	}
	return 0
}
