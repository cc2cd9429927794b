package split

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// PendingSuffix marks a split still being written.
const PendingSuffix = ".pending"

// Sink is where splits are published.
type Sink interface {
	// Create starts a split whose final name is expected to be name; the
	// final name is given again, possibly changed, to Part.Commit.
	Create(name string) (Part, error)
}

// Part is one split being written.
type Part interface {
	io.Writer
	// Commit completes the split and publishes it under name.
	Commit(name string) error
	// Abort discards the split; nothing is published.
	Abort() error
}

// FileSink publishes splits as local files (or files on a mounted network
// file system): NAME.pending, fsync, rename, fsync of the folder.
type FileSink struct {
	// Mode is the permission of new files before the umask; 0 means 0640.
	Mode os.FileMode
}

var _ Sink = FileSink{}

// Create opens NAME.pending for writing.
func (s FileSink) Create(name string) (Part, error) {
	mode := s.Mode
	if mode == 0 {
		mode = 0o640
	}
	pending := name + PendingSuffix
	f, err := os.OpenFile(pending, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return nil, fmt.Errorf("create split: %w", err)
	}
	return &filePart{f: f, pending: pending}, nil
}

type filePart struct {
	f       *os.File
	pending string
	done    bool
}

func (p *filePart) Write(b []byte) (int, error) { return p.f.Write(b) }

// File returns the open pending file, for writers that can use it directly.
func (p *filePart) File() *os.File { return p.f }

func (p *filePart) Commit(name string) error {
	if err := p.f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", p.pending, err)
	}
	if err := p.f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", p.pending, err)
	}
	if err := os.Rename(p.pending, name); err != nil {
		return fmt.Errorf("publish split: %w", err)
	}
	p.done = true
	return syncDir(filepath.Dir(name))
}

func (p *filePart) Abort() error {
	if p.done {
		return nil
	}
	p.done = true
	cerr := p.f.Close()
	if err := os.Remove(p.pending); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if errors.Is(cerr, os.ErrClosed) {
		return nil
	}
	return cerr
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync folder: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync folder %s: %w", dir, err)
	}
	return nil
}

// CheckFolder reports a missing or unusable output folder for prefix
// before any input is read.
func CheckFolder(prefix string) error {
	dir := filepath.Dir(prefix + "x")
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("output folder: %w (create or mount it first)", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("output folder %s is not a folder", dir)
	}
	return nil
}

// IsPendingOf reports whether name, a file's base name, is an unfinished
// split of a prefix whose last element is leaf ("all" for /data/push/all,
// "" for /data/push/) and of the given suffix: leaf, "_" unless leaf is
// empty, a time part (which starts with a digit), suffix, ".pending".
// Other targets' files in the same folder never match.
func IsPendingOf(name, leaf, suffix string) bool {
	if leaf != "" {
		leaf += "_"
	}
	rest, ok := strings.CutPrefix(name, leaf)
	if !ok || rest == "" || rest[0] < '0' || rest[0] > '9' {
		return false
	}
	return strings.HasSuffix(rest, suffix+PendingSuffix)
}

// SweepPending removes the files that a run writing to prefix with suffix
// left as NAME.pending because it did not finish (killed, or the machine
// lost power), and returns them. Call it only while no other run writes to
// the same prefix.
func SweepPending(prefix, suffix string) ([]string, error) {
	dir, leaf := filepath.Split(prefix)
	if dir == "" {
		dir = "."
	}
	es, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	var removed []string
	for _, e := range es {
		if !e.Type().IsRegular() || !IsPendingOf(e.Name(), leaf, suffix) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return removed, fmt.Errorf("sweep: %w", err)
		}
		removed = append(removed, p)
	}
	return removed, nil
}
