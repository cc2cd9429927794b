package feed

import "golang.org/x/sys/unix"

// ready reports whether a pipe or socket has bytes to read now
// (FIONREAD, called TIOCINQ here); an error counts as none, so that
// BeforeWait runs: never too late.
func (d *direct) ready() bool {
	rc, err := d.f.SyscallConn()
	if err != nil {
		return false
	}
	n := 0
	if err := rc.Control(func(fd uintptr) { n, _ = unix.IoctlGetInt(int(fd), unix.TIOCINQ) }); err != nil {
		return false
	}
	return n > 0
}
