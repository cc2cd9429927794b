package logs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"

	"github.com/pcappush/pcappush/lib/durable"
)

// TargetLog is one target's log: the file of the current pipeline start,
// continued in new files when it grows too large. It is safe for
// concurrent use.
type TargetLog struct {
	dir, desc string
	o         Options
	start     string // the start's file: push_<desc>_YYYYMMDD_HHMM, or with _N
	part      int    // its continuations so far
	mu        sync.Mutex
	f         *os.File
	n         int64
}

// OpenTarget begins the log of a pipeline start of target desc: a new
// file push_<desc>_YYYYMMDD_HHMM, or, when a start in the same minute
// made that one, push_<desc>_YYYYMMDD_HHMM_2 (then _3, ...): two starts
// never share a file. The link push_<desc>.cur points to it.
func OpenTarget(dir, desc string, o Options) (*TargetLog, error) {
	o = o.withDefaults()
	if err := durable.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("log folder: %w", err)
	}
	t := &TargetLog{dir: dir, desc: desc, o: o}
	base := filepath.Join(dir, "push_"+desc+"_"+o.Now().Format("20060102_1504"))
	for i := 1; ; i++ {
		name := base
		if i > 1 {
			name += "_" + strconv.Itoa(i)
		}
		err := t.open(name)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		t.start = name
		return t, nil
	}
}

// Path returns the current file's path.
func (t *TargetLog) Path() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.f.Name()
}

// open makes the file name, which must not exist, the current one, and
// points the link at it.
func (t *TargetLog) open(name string) error {
	f, err := durable.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o640)
	if errors.Is(err, fs.ErrExist) {
		if st, lerr := os.Lstat(name); lerr == nil && st.Mode()&fs.ModeSymlink != 0 {
			err = &durable.LinkError{Path: name}
		}
	}
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err // a file of an earlier start
		}
		return fmt.Errorf("open log: %w", err)
	}
	if t.f != nil {
		t.f.Close()
	}
	t.f, t.n = f, 0
	link := filepath.Join(t.dir, "push_"+t.desc+".cur")
	tmp := link + ".new"
	os.Remove(tmp)
	if err := os.Symlink(filepath.Base(name), tmp); err == nil {
		os.Rename(tmp, link) //nolint:errcheck // the link is a convenience
	}
	prune(t.dir, regexp.MustCompile(`^push_`+regexp.QuoteMeta(t.desc)+`_\d{8}_\d{4}(_\d+)?(\.\d+)?$`), t.o.Keep)
	return nil
}

// next continues the start's log in its next numbered file, NAME.1, ...
func (t *TargetLog) next() error {
	for {
		t.part++
		err := t.open(t.start + "." + strconv.Itoa(t.part))
		if !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
}

// Write appends p, which should be whole lines, continuing in a new file
// once the current one is full.
func (t *TargetLog) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, err := t.f.Write(p)
	t.n += int64(n)
	if t.n >= t.o.MaxBytes {
		if rerr := t.next(); rerr != nil && err == nil {
			err = rerr
		}
	}
	return n, err
}

// Printf writes one line.
func (t *TargetLog) Printf(format string, args ...any) {
	t.Write([]byte(fmt.Sprintf(format, args...) + "\n")) //nolint:errcheck // logging is best effort
}

// Close closes the file.
func (t *TargetLog) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.f.Close()
}
