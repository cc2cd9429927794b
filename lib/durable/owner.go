package durable

import (
	"fmt"
	"os"
	"syscall"
)

// FolderError refuses a folder others could write: they could plant
// links in it or rewrite what it holds.
type FolderError struct {
	Dir    string
	Reason string // "is group-writable (mode 0775)", ...
	Fix    string // the command that makes it safe
}

func (e *FolderError) Error() string {
	return fmt.Sprintf("folder %s %s: others could plant links or rewrite files in it; refused (%s)", e.Dir, e.Reason, e.Fix)
}

// CheckFolder refuses dir, as sshd refuses such keys, when it is group- or
// world-writable or owned by neither the running user nor root. A missing
// dir is an error wrapping fs.ErrNotExist.
func CheckFolder(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if uid := uint32(os.Geteuid()); sys.Uid != uid && sys.Uid != 0 {
		return &FolderError{Dir: dir, Reason: fmt.Sprintf("is owned by uid %d, not by the user running this (uid %d) or root", sys.Uid, uid),
			Fix: fmt.Sprintf("chown %d %s, or run as its owner", uid, dir)}
	}
	if perm := st.Mode().Perm(); perm&0o022 != 0 {
		who := "group-writable"
		switch {
		case perm&0o020 != 0 && perm&0o002 != 0:
			who = "group- and world-writable"
		case perm&0o002 != 0:
			who = "world-writable"
		}
		return &FolderError{Dir: dir, Reason: fmt.Sprintf("is %s (mode %04o)", who, perm), Fix: "chmod go-w " + dir}
	}
	return nil
}
