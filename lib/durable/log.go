package durable

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Log is an append-only file of lines. It is not safe for concurrent use.
type Log struct {
	f      *os.File
	path   string
	synced int64 // bytes known durable
	size   int64 // bytes written
}

// OpenLog opens the log at path for appending, creating it (and fsyncing
// its folder) when missing. A last line without its newline, torn by a
// crash while it was appended, is cut off. A link at path is a
// *LinkError.
func OpenLog(path string, perm fs.FileMode) (*Log, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, perm)
	if err == nil {
		if err := SyncDir(filepath.Dir(path)); err != nil {
			f.Close()
			return nil, err
		}
		return &Log{f: f, path: path}, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return nil, refused(path, err)
	}
	if f, err = os.OpenFile(path, os.O_RDWR|os.O_APPEND|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0); err != nil {
		return nil, refused(path, err)
	}
	l := &Log{f: f, path: path}
	if err := l.trimTorn(); err != nil {
		f.Close()
		return nil, err
	}
	return l, nil
}

// trimTorn cuts the file after its last newline, checking it is a regular
// file on the way.
func (l *Log) trimTorn() error {
	if err := checkRegular(l.f); err != nil {
		return err
	}
	st, err := l.f.Stat()
	if err != nil {
		return err
	}
	end := st.Size()
	keep, err := lastNewline(l.f, end)
	if err != nil {
		return fmt.Errorf("read %s: %w", l.path, err)
	}
	if keep < end {
		if err := l.f.Truncate(keep); err != nil {
			return fmt.Errorf("cut the torn last line of %s: %w", l.path, err)
		}
		if err := l.f.Sync(); err != nil {
			return fmt.Errorf("sync %s: %w", l.path, err)
		}
	}
	l.synced, l.size = keep, keep
	return nil
}

// lastNewline returns the offset just after the last newline of the
// first end bytes of r (0 when there is none).
func lastNewline(r io.ReaderAt, end int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for end > 0 {
		n := min(int64(len(buf)), end)
		if _, err := r.ReadAt(buf[:n], end-n); err != nil {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return end - n + int64(i) + 1, nil
		}
		end -= n
	}
	return 0, nil
}

// Path returns the log's path.
func (l *Log) Path() string { return l.path }

// Write appends b without syncing it; Sync makes it durable.
func (l *Log) Write(b []byte) (int, error) {
	n, err := l.f.Write(b)
	l.size += int64(n)
	if err != nil {
		l.undo()
		return n, fmt.Errorf("append to %s: %w", l.path, err)
	}
	return n, nil
}

// Sync makes every byte written durable.
func (l *Log) Sync() error {
	if l.synced == l.size {
		return nil
	}
	if err := l.f.Sync(); err != nil {
		l.undo()
		return fmt.Errorf("sync %s: %w", l.path, err)
	}
	l.synced = l.size
	return nil
}

// Append writes b (whole lines) and syncs it: once it returns nil, b
// survives a power cut.
func (l *Log) Append(b []byte) error {
	if _, err := l.Write(b); err != nil {
		return err
	}
	return l.Sync()
}

// undo cuts what was written after the last sync (after a failed write
// or sync: a disk full half way through a line), so that the next line
// does not join a partial one; the caller reports the failure.
func (l *Log) undo() {
	if l.f.Truncate(l.synced) == nil {
		l.size = l.synced
	}
}

// Size returns the bytes of the log known to be durable.
func (l *Log) Size() int64 { return l.synced }

// Dirty reports whether bytes were written since the last Sync.
func (l *Log) Dirty() bool { return l.size != l.synced }

// Close syncs and closes the log.
func (l *Log) Close() error {
	err := l.Sync()
	if cerr := l.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close %s: %w", l.path, cerr)
	}
	return err
}
