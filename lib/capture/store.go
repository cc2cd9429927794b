package capture

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pcappush/pcappush/lib/quote"
)

// Defaults shared with the other tools (see ARCHITECTURE.md).
const (
	// CompleteMarker is the file a recorder (or an operator) creates in a
	// capture's folder once the capture is finished.
	CompleteMarker = ".complete"
)

// ErrNotFound is matched (errors.Is) by the error for a capture that does
// not exist.
var ErrNotFound = errors.New("capture not found")

// NotFoundError names a capture that does not exist and where it was
// looked for.
type NotFoundError struct {
	Name  string // the capture asked for
	Store string // the store searched; "" for a path
}

func (e *NotFoundError) Error() string {
	if e.Store == "" {
		return fmt.Sprintf("capture %s not found", e.Name)
	}
	return fmt.Sprintf("capture %q not found in store %s (stream_cat --list shows its captures)", e.Name, e.Store)
}

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// CheckName refuses a capture name that a push must not choose: one
// starting with '-', which a tool could read as an option, and one with a
// character that does not print (a line break, a terminal escape) or that
// is not UTF-8, which would forge log lines or reach a terminal.
func CheckName(name string) error {
	switch {
	case strings.HasPrefix(name, "-"):
		return fmt.Errorf("capture %s: a name starting with '-' reads as an option", quote.Name(name))
	case !quote.Printable(name):
		return fmt.Errorf("capture %s: a name with a line break, a terminal escape or another character that does not print", quote.Name(name))
	}
	return nil
}

// Store is a folder with one sub-folder per capture.
type Store struct {
	Dir string
}

// Names returns the captures' names in natural order. Dotfiles and plain
// files at the top of the store are not captures.
func (s Store) Names() ([]string, error) {
	es, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, fmt.Errorf("read store: %w", err)
	}
	var out []string
	for _, e := range es {
		if strings.HasPrefix(e.Name(), ".") || !isDir(s.Dir, e) {
			continue
		}
		out = append(out, e.Name())
	}
	slices.SortFunc(out, NaturalCompare)
	return out, nil
}

// isDir reports whether e is a folder, following a symbolic link.
func isDir(dir string, e fs.DirEntry) bool {
	if e.Type()&fs.ModeSymlink != 0 {
		st, err := os.Stat(filepath.Join(dir, e.Name()))
		return err == nil && st.IsDir()
	}
	return e.IsDir()
}

// Capture returns the capture called name in the store.
func (s Store) Capture(name string) (*Capture, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsRune(name, '/') {
		return nil, fmt.Errorf("capture name %q: not a folder name", name)
	}
	dir := filepath.Join(s.Dir, name)
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NotFoundError{Name: name, Store: s.Dir}
	}
	if err != nil {
		return nil, fmt.Errorf("capture %s: %w", name, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("capture %s: %s is not a folder", name, dir)
	}
	return &Capture{Name: name, Dir: dir, Store: s.Dir}, nil
}

// Resolve finds the capture an argument names: an argument without a slash
// is a capture name in the store; one with a slash is a path, to a capture
// folder or to one capture file (write ./x for a folder x here).
func Resolve(store, arg string) (*Capture, error) {
	if !strings.ContainsRune(arg, '/') {
		return Store{Dir: store}.Capture(arg)
	}
	p := filepath.Clean(arg)
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NotFoundError{Name: arg}
	}
	if err != nil {
		return nil, fmt.Errorf("capture %s: %w", arg, err)
	}
	if st.IsDir() {
		c := &Capture{Name: filepath.Base(p), Dir: p}
		if sameDir(filepath.Dir(p), store) {
			c.Store = store
		}
		return c, nil
	}
	return &Capture{Name: filepath.Base(p), Dir: filepath.Dir(p), File: filepath.Base(p)}, nil
}

// sameDir reports whether two paths name the same folder.
func sameDir(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// ArgName returns the name of the capture an argument names (see
// Resolve): the argument itself, or the last element of a path.
func ArgName(arg string) string {
	if !strings.ContainsRune(arg, '/') {
		return arg
	}
	return filepath.Base(filepath.Clean(arg))
}
