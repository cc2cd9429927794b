package filter

import (
	"os"

	"golang.org/x/sys/unix"
)

// pipeSize is the capacity asked for the pipes pcap_filter reads and
// writes: large pipes mean fewer, larger reads and writes, and fewer
// context switches between the stages of a pipeline.
const pipeSize = 1 << 20

// growPipe enlarges the pipe f is, if it is one; it is only an
// optimization, so failures (a pipe size limit) are ignored.
func growPipe(f any) {
	file, ok := f.(*os.File)
	if !ok {
		return
	}
	if st, err := file.Stat(); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		return
	}
	rc, err := file.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) { //nolint:errcheck // best effort
		if n, err := unix.FcntlInt(fd, unix.F_GETPIPE_SZ, 0); err == nil && n < pipeSize {
			unix.FcntlInt(fd, unix.F_SETPIPE_SZ, pipeSize) //nolint:errcheck // best effort
		}
	})
}
