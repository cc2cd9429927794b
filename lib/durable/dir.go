package durable

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// RenameNoReplace renames oldpath to newpath unless newpath exists (an
// error wrapping fs.ErrExist), then fsyncs newpath's folder. It looks for
// newpath, then uses renameat2(RENAME_NOREPLACE); where the file system does not know the
// flag (EINVAL, ENOSYS), link then unlink, which fail the same way on an
// existing name; where it has no hard links either, a check of newpath
// then a rename, which a writer creating newpath in between could race.
func RenameNoReplace(oldpath, newpath string) error {
	// A look first, so that a file system that takes the flag but ignores
	// it (some FUSE file systems) still leaves an existing name alone.
	if _, err := os.Lstat(newpath); err == nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: unix.EEXIST}
	}
	err := unix.Renameat2(unix.AT_FDCWD, oldpath, unix.AT_FDCWD, newpath, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.ENOTSUP) {
		err = linkRename(oldpath, newpath)
	}
	if err != nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
	}
	return SyncDir(filepath.Dir(newpath))
}

// linkRename renames by link and unlink, or by check and rename where the
// file system has no hard links.
func linkRename(oldpath, newpath string) error {
	err := unix.Link(oldpath, newpath)
	switch {
	case err == nil:
		if err := unix.Unlink(oldpath); err != nil {
			return err
		}
		return nil
	case errors.Is(err, unix.EPERM) || errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.ENOSYS):
		if _, err := os.Lstat(newpath); err == nil {
			return unix.EEXIST
		}
		return os.Rename(oldpath, newpath)
	}
	return err
}

// SyncDir fsyncs a folder, making the names created, renamed or removed
// in it durable. A file system that cannot fsync a folder (EINVAL,
// ENOTSUP) has nothing more to do.
func SyncDir(dir string) error {
	d, err := os.OpenFile(dir, os.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		return fmt.Errorf("sync folder: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return fmt.Errorf("sync folder %s: %w", dir, err)
	}
	return nil
}

// MkdirAll creates path and its missing parents with perm (before the
// umask), fsyncing the parent of each folder it creates.
func MkdirAll(path string, perm fs.FileMode) error {
	path = filepath.Clean(path)
	if st, err := os.Stat(path); err == nil {
		if !st.IsDir() {
			return &os.PathError{Op: "mkdir", Path: path, Err: syscall.ENOTDIR}
		}
		return nil
	}
	parent := filepath.Dir(path)
	if parent != path {
		if err := MkdirAll(parent, perm); err != nil {
			return err
		}
	}
	if err := os.Mkdir(path, perm); err != nil {
		if st, serr := os.Stat(path); serr == nil && st.IsDir() {
			return nil // made meanwhile by another process
		}
		return err
	}
	return SyncDir(parent)
}
