package durable

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"time"
)

// LinkError refuses a symbolic link found where a file is to be written
// (or read as state): writing would land on the link's target.
type LinkError struct{ Path string }

func (e *LinkError) Error() string {
	return e.Path + " is a symbolic link: refused, so that nothing is written through it (remove the link; only this service should write its folder)"
}

// NotRegularError refuses something other than a regular file (a FIFO, a
// device, a folder) found where a file is to be written.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is not a regular file (%v): refused (remove it)", e.Path, e.Mode.Type())
}

// refused turns the error of an O_NOFOLLOW open of path into a
// *LinkError when a link is there.
func refused(path string, err error) error {
	if errors.Is(err, syscall.ELOOP) || errors.Is(err, fs.ErrExist) {
		if st, lerr := os.Lstat(path); lerr == nil && st.Mode()&fs.ModeSymlink != 0 {
			return &LinkError{Path: path}
		}
	}
	return err
}

// checkRegular refuses an open f that is not a regular file.
func checkRegular(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return &NotRegularError{Path: f.Name(), Mode: st.Mode()}
	}
	return nil
}

// File is a new file being written under a temporary name, to be given
// its name by Replace or Publish, or removed by Abort.
type File struct {
	f      *os.File
	tmp    string
	synced bool
	closed bool
	gone   bool // renamed or removed
}

// Create creates the new file path (its temporary name, e.g.
// NAME.pending) for writing: O_CREAT|O_EXCL|O_NOFOLLOW. An existing file
// is an error wrapping fs.ErrExist; a link there is a *LinkError.
func Create(path string, perm fs.FileMode) (*File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, perm)
	if err != nil {
		return nil, refused(path, err)
	}
	return &File{f: f, tmp: path}, nil
}

// tempName matches the temporary names CreateTemp makes.
var tempName = regexp.MustCompile(`^\..+\.[0-9a-f]{16}\.tmp$`)

// CreateTemp creates a new file under a temporary name in the folder of
// path (".BASE.RANDOM.tmp"), to be given the name path by Replace.
func CreateTemp(path string, perm fs.FileMode) (*File, error) {
	dir, base := filepath.Split(path)
	var b [8]byte
	for {
		rand.Read(b[:]) //nolint:errcheck // crypto/rand never fails on Linux
		f, err := Create(filepath.Join(dir, "."+base+"."+hex.EncodeToString(b[:])+".tmp"), perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
}

// Write writes to the file.
func (f *File) Write(b []byte) (int, error) { return f.f.Write(b) }

// File returns the open file, for writers that want it (a child process's
// stdout). It is closed by Replace, Publish and Abort.
func (f *File) File() *os.File { return f.f }

// Name returns the file's temporary name.
func (f *File) Name() string { return f.tmp }

// finish fsyncs and closes the file, once.
func (f *File) finish() error {
	if !f.synced {
		if err := f.f.Sync(); err != nil {
			return fmt.Errorf("sync %s: %w", f.tmp, err)
		}
		f.synced = true
	}
	if !f.closed {
		f.closed = true
		if err := f.f.Close(); err != nil {
			return fmt.Errorf("close %s: %w", f.tmp, err)
		}
	}
	return nil
}

// Replace makes the file durable under path, replacing what path held:
// fsync, rename, fsync of the folder. On failure the file is removed.
func (f *File) Replace(path string) error {
	err := f.finish()
	if err == nil {
		err = os.Rename(f.tmp, path)
	}
	if err != nil {
		f.Abort() //nolint:errcheck // err is the one to report
		return err
	}
	f.gone = true
	return SyncDir(filepath.Dir(path))
}

// Publish makes the file durable under path without ever replacing a
// file there: fsync, rename without replacing, fsync of the folder. When
// path exists it returns an error wrapping fs.ErrExist (a *LinkError when
// path is a link) and keeps the file under its temporary name, so that
// Publish may be called again with another name, or Abort. On any other
// failure the file is removed.
func (f *File) Publish(path string) error {
	err := f.finish()
	if err == nil {
		err = RenameNoReplace(f.tmp, path)
	}
	switch {
	case err == nil:
		f.gone = true
		return nil
	case errors.Is(err, fs.ErrExist):
		return refused(path, err)
	}
	f.Abort() //nolint:errcheck // err is the one to report
	return err
}

// Abort closes the file and removes it, unless Replace or Publish gave it
// its name. It may be called more than once.
func (f *File) Abort() error {
	var err error
	if !f.closed {
		f.closed = true
		err = f.f.Close()
	}
	if !f.gone {
		f.gone = true
		if rerr := os.Remove(f.tmp); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return rerr
		}
	}
	return err
}

// WriteFile replaces the file at path with data, durably: a temporary file
// in the same folder, fsync, rename, fsync of the folder. After a power
// cut path holds the old content or data, whole; the temporary file is
// removed on any failure.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	f, err := CreateTemp(path, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort() //nolint:errcheck // err is the one to report
		return fmt.Errorf("write %s: %w", f.tmp, err)
	}
	return f.Replace(path)
}

// ReadFile reads the file at path without following a link: a link there
// is a *LinkError.
func ReadFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, refused(path, err)
	}
	defer f.Close()
	if err := checkRegular(f); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return b, nil
}

// SweepTemps removes the temporary files CreateTemp left in dir (a crash
// between create and rename) that are older than age, and returns how
// many it removed.
func SweepTemps(dir string, age time.Duration) int {
	es, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range es {
		if !e.Type().IsRegular() || !tempName.MatchString(e.Name()) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > age {
			if os.Remove(filepath.Join(dir, e.Name())) == nil {
				n++
			}
		}
	}
	return n
}

// OpenFile opens path as os.OpenFile does, but never through a link (a
// *LinkError) and only when it is a regular file (a *NotRegularError; a
// FIFO does not block the open). For files that need not survive a power
// cut, such as logs and lock files.
func OpenFile(path string, flag int, perm fs.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, perm)
	if err != nil {
		return nil, refused(path, err)
	}
	if err := checkRegular(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
