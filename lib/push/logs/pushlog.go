package logs

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pcappush/pcappush/lib/durable"
	"github.com/pcappush/pcappush/lib/quote"
)

// Options say how logs are written; zero values take the defaults.
type Options struct {
	Now      func() time.Time // the clock of time stamps and file names; time.Now
	MaxBytes int64            // a file this large is continued in a new one; DefaultMaxBytes
	Keep     int              // files kept per target, and old analytics logs kept; DefaultKeep
}

// The defaults of Options.
const (
	DefaultMaxBytes = 64 << 20
	DefaultKeep     = 20
)

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.Keep <= 0 {
		o.Keep = DefaultKeep
	}
	return o
}

// Stamp formats t as the reference's log lines do: "Sat May 29 15:36:46 2021".
func Stamp(t time.Time) string { return t.Format(time.ANSIC) }

// StatusLine is the reference's status line for a target whose stages are
// named with their liveness, followed by note when not "": the target's
// state when no pipeline runs (finished, idle, restarting), so that stages
// all false never stand alone.
func StatusLine(desc string, stages []string, alive []bool, note string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "push [%-40s :", desc)
	for i, s := range stages {
		fmt.Fprintf(&b, " %s:%v", shortName(s), alive[i])
	}
	b.WriteString("]")
	if note != "" {
		b.WriteString(" " + note)
	}
	return b.String()
}

// shortName is a stage's name in status lines: stream_cat, decap, filter,
// split.
func shortName(s string) string {
	if s == "stream_cat" {
		return s
	}
	return strings.TrimPrefix(s, "pcap_")
}

// Analytics is the analytics_push_realtime.cur log. It is safe for
// concurrent use.
type Analytics struct {
	dir string
	o   Options
	mu  sync.Mutex
	f   *os.File
	n   int64
}

// AnalyticsName is the analytics log's file name.
const AnalyticsName = "analytics_push_realtime.cur"

// OpenAnalytics opens (appending) the analytics log in dir, creating dir.
func OpenAnalytics(dir string, o Options) (*Analytics, error) {
	if err := durable.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("log folder: %w", err)
	}
	a := &Analytics{dir: dir, o: o.withDefaults()}
	if err := a.open(); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *Analytics) open() error {
	f, err := durable.OpenFile(filepath.Join(a.dir, AnalyticsName), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open log: %w", err)
	}
	a.f, a.n = f, st.Size()
	return nil
}

// Printf writes one stamped line. Characters that do not print (line
// breaks, terminal escapes from a folder name) are written as Go escapes,
// so that a message is always one line and forges none.
func (a *Analytics) Printf(format string, args ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	line := "[" + Stamp(a.o.Now()) + "] " + quote.OneLine(fmt.Sprintf(format, args...)) + "\n"
	n, _ := io.WriteString(a.f, line)
	a.n += int64(n)
	if a.n >= a.o.MaxBytes {
		a.rotate()
	}
}

// rotate renames the full log with a time stamp and begins a new one.
func (a *Analytics) rotate() {
	a.f.Close()
	old := filepath.Join(a.dir, "analytics_push_realtime_"+a.o.Now().Format("20060102_150405"))
	os.Rename(filepath.Join(a.dir, AnalyticsName), old) //nolint:errcheck // on failure the log keeps growing in place
	prune(a.dir, analyticsOld, a.o.Keep)
	if err := a.open(); err != nil {
		a.f, _ = os.Open(os.DevNull)
	}
}

// Close closes the log.
func (a *Analytics) Close() error { return a.f.Close() }

var analyticsOld = regexp.MustCompile(`^analytics_push_realtime_\d{8}_\d{6}$`)

// logOrder makes a start's continuations (NAME.2) sort after NAME.1 and
// NAME, NAME.10 after NAME.9, and a later start in the same minute
// (NAME_2, NAME_10) after the earlier ones and their continuations.
func logOrder(p string) string {
	base, num, ok := strings.Cut(filepath.Base(p), ".")
	if !ok {
		num = "0"
	}
	start := "0"
	if m := sameMinute.FindStringSubmatch(base); m != nil {
		base, start = m[1], m[2]
	}
	return fmt.Sprintf("%s_%010s.%010s", base, start, num)
}

// sameMinute matches the file of a later start in the same minute.
var sameMinute = regexp.MustCompile(`^(.*_\d{8}_\d{4})_(\d+)$`)

// prune removes all but the newest keep regular files of dir whose names
// match re (their names sort by time).
func prune(dir string, re *regexp.Regexp, keep int) {
	es, _ := os.ReadDir(dir)
	var files []string
	for _, e := range es {
		if e.Type().IsRegular() && re.MatchString(e.Name()) {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	sort.Slice(files, func(i, j int) bool { return logOrder(files[i]) < logOrder(files[j]) })
	for len(files) > keep {
		os.Remove(files[0])
		files = files[1:]
	}
}
