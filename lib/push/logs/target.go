package logs

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/pcappush/pcappush/lib/durable"
)

// TargetLog is one target's log: the file of the current pipeline start,
// continued in new files when it grows too large. It is safe for
// concurrent use.
type TargetLog struct {
	dir, desc string
	now       func() time.Time
	mu        sync.Mutex
	f         *os.File
	n         int64
}

// OpenTarget begins the log of a pipeline start of target desc: the file
// push_<desc>_YYYYMMDD_HHMM (appended to when it exists), and the link
// push_<desc>.cur to it.
func OpenTarget(dir, desc string, now func() time.Time) (*TargetLog, error) {
	if now == nil {
		now = time.Now
	}
	if err := durable.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("log folder: %w", err)
	}
	t := &TargetLog{dir: dir, desc: desc, now: now}
	if err := t.next(); err != nil {
		return nil, err
	}
	return t, nil
}

// Path returns the current file's path.
func (t *TargetLog) Path() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.f.Name()
}

// next opens the file for now, or a numbered sibling when that one is full.
func (t *TargetLog) next() error {
	base := filepath.Join(t.dir, "push_"+t.desc+"_"+t.now().Format("20060102_1504"))
	name := base
	for i := 1; ; i++ {
		st, err := os.Stat(name)
		if err != nil || st.Size() < MaxBytes {
			break
		}
		name = base + "." + strconv.Itoa(i)
	}
	f, err := durable.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open log: %w", err)
	}
	if t.f != nil {
		t.f.Close()
	}
	t.f, t.n = f, st.Size()
	link := filepath.Join(t.dir, "push_"+t.desc+".cur")
	tmp := link + ".new"
	os.Remove(tmp)
	if err := os.Symlink(filepath.Base(name), tmp); err == nil {
		os.Rename(tmp, link) //nolint:errcheck // the link is a convenience
	}
	prune(t.dir, regexp.MustCompile(`^push_`+regexp.QuoteMeta(t.desc)+`_\d{8}_\d{4}(\.\d+)?$`), Keep)
	return nil
}

// Write appends p, which should be whole lines, continuing in a new file
// once the current one is full.
func (t *TargetLog) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, err := t.f.Write(p)
	t.n += int64(n)
	if t.n >= MaxBytes {
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
