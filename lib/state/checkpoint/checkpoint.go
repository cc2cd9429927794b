package checkpoint

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pcappush/pcappush/lib/durable"
	"github.com/pcappush/pcappush/lib/lockfile"
)

// Point is a position in a capture that a reader can resume from: the
// record at Offset in Chunk (decompressed bytes from the chunk's start) is
// the first one after the clock tick stamped Time.
type Point struct {
	Time   int64  // ns since the epoch, a multiple of the checkpoint interval
	Chunk  string // chunk file name
	Offset int64  // byte offset in the chunk's (decompressed) pcap or pcapng data
}

// MaxEntries bounds a checkpoint file: when it grows past this many
// entries it is rewritten with the newest half.
const MaxEntries = 100000

// header is the first line of every checkpoint file.
const header = "# stream_cat checkpoints v1: TIME_NS OFFSET \"CHUNK\"\n"

// ErrNotRecorded is wrapped when a resume point is not recorded.
var ErrNotRecorded = errors.New("no such checkpoint")

// AppendLine appends the point's line in the file format.
func (c Point) AppendLine(b []byte) []byte {
	b = strconv.AppendInt(b, c.Time, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, c.Offset, 10)
	b = append(b, ' ')
	b = strconv.AppendQuote(b, c.Chunk)
	return append(b, '\n')
}

// Parse reads a checkpoint file: comment lines start with #, every other
// line is TIME_NS OFFSET "CHUNK" (the chunk name quoted as a Go string). A
// last line without a newline is a torn write and is ignored. Entries come
// back sorted by time; of equal times the later line wins.
func Parse(r io.Reader) ([]Point, error) {
	br := bufio.NewReader(r)
	var out []Point
	for n := 1; ; n++ {
		line, err := br.ReadString('\n')
		if errors.Is(err, io.EOF) {
			return sortPoints(out), nil
		}
		if err != nil {
			return nil, err
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" || line[0] == '#' {
			continue
		}
		c, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, c)
	}
}

func parseLine(line string) (Point, error) {
	ts, rest, ok1 := strings.Cut(line, " ")
	off, name, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 {
		return Point{}, fmt.Errorf("%q: want TIME_NS OFFSET \"CHUNK\"", line)
	}
	t, err1 := strconv.ParseInt(ts, 10, 64)
	o, err2 := strconv.ParseInt(off, 10, 64)
	chunk, err3 := strconv.Unquote(name)
	if err1 != nil || err2 != nil || err3 != nil || t < 0 || o < 0 || chunk == "" || strings.ContainsAny(chunk, "/\n") {
		return Point{}, fmt.Errorf("%q: want TIME_NS OFFSET \"CHUNK\"", line)
	}
	return Point{Time: t, Offset: o, Chunk: chunk}, nil
}

// sortPoints sorts by time, keeping the last of equal times.
func sortPoints(cs []Point) []Point {
	slices.SortStableFunc(cs, func(a, b Point) int { return cmp.Compare(a.Time, b.Time) })
	out := cs[:0]
	for i, c := range cs {
		if i+1 < len(cs) && cs[i+1].Time == c.Time {
			continue
		}
		out = append(out, c)
	}
	return out
}

// Log is a reader's checkpoint file for one capture (lib/state names it).
// Add appends without syncing; Sync makes what was added durable. It is
// not safe for concurrent use.
type Log struct {
	path    string
	log     *durable.Log
	entries []Point // sorted by time
	line    []byte
	lock    *lockfile.Lock
}

// LockWait is how long Open waits for the file's previous keeper.
var LockWait = 2 * time.Minute

// Open reads the checkpoint file at path, creating its folder when
// missing; Compact then opens it for Add.
//
// Only one reader at a time keeps a checkpoint file: it waits up to
// LockWait for another (the stream_cat of a pipeline being replaced) to
// exit.
func Open(path string) (*Log, error) {
	if err := durable.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	lock, err := lockfile.Acquire(path+".lock", LockWait)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	l := &Log{path: path, lock: lock}
	if l.entries, err = Read(path); err != nil {
		lock.Release() //nolint:errcheck // already failing
		return nil, err
	}
	return l, nil
}

// Read returns the checkpoints recorded in the file at path, without
// taking its lock (a reader may be appending); a missing file has none, a
// link there is refused.
func Read(path string) ([]Point, error) {
	b, err := durable.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	cps, err := Parse(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("checkpoints %s: %w", path, err)
	}
	return cps, nil
}

// Path returns the file's path.
func (l *Log) Path() string { return l.path }

// Entries returns the checkpoints recorded, sorted by time. The slice is
// the log's own.
func (l *Log) Entries() []Point { return l.entries }

// Find returns the checkpoint recorded for time t.
func (l *Log) Find(t int64) (Point, error) {
	i, ok := slices.BinarySearchFunc(l.entries, t, func(c Point, t int64) int { return cmp.Compare(c.Time, t) })
	if !ok {
		return Point{}, fmt.Errorf("checkpoint %d is not recorded in %s: %w", t, l.path, ErrNotRecorded)
	}
	return l.entries[i], nil
}

// Compact rewrites the file durably with the entries at or after from, at
// most MaxEntries/2 of them (the newest), and opens it for Add.
func (l *Log) Compact(from int64) error {
	i, _ := slices.BinarySearchFunc(l.entries, from, func(c Point, t int64) int { return cmp.Compare(c.Time, t) })
	keep := l.entries[i:]
	if len(keep) > MaxEntries/2 {
		keep = keep[len(keep)-MaxEntries/2:]
	}
	l.entries = slices.Clone(keep)
	return l.rewrite()
}

// rewrite replaces the file with every entry and reopens it for
// appending.
func (l *Log) rewrite() error {
	if l.log != nil {
		l.log.Close() //nolint:errcheck // replaced below
		l.log = nil
	}
	b := []byte(header)
	for _, c := range l.entries {
		b = c.AppendLine(b)
	}
	if err := durable.WriteFile(l.path, b, 0o640); err != nil {
		return fmt.Errorf("checkpoints: %w", err)
	}
	log, err := durable.OpenLog(l.path, 0o640)
	if err != nil {
		return fmt.Errorf("checkpoints: %w", err)
	}
	l.log = log
	return nil
}

// Add records a checkpoint; call Sync before relying on it. A checkpoint
// already recorded identically is not written again.
func (l *Log) Add(c Point) error {
	i, found := slices.BinarySearchFunc(l.entries, c.Time, func(e Point, t int64) int { return cmp.Compare(e.Time, t) })
	if found && l.entries[i] == c {
		return nil
	}
	if l.log == nil {
		if err := l.Compact(0); err != nil {
			return err
		}
	}
	if found {
		l.entries[i] = c
	} else {
		l.entries = slices.Insert(l.entries, i, c)
	}
	if len(l.entries) > MaxEntries {
		return l.Compact(l.entries[len(l.entries)-MaxEntries/2].Time)
	}
	l.line = c.AppendLine(l.line[:0])
	if _, err := l.log.Write(l.line); err != nil {
		return fmt.Errorf("checkpoints: %w", err)
	}
	return nil
}

// Dirty reports whether entries were added since the last Sync.
func (l *Log) Dirty() bool { return l.log != nil && l.log.Dirty() }

// Sync makes every added checkpoint durable.
func (l *Log) Sync() error {
	if l.log == nil {
		return nil
	}
	if err := l.log.Sync(); err != nil {
		return fmt.Errorf("checkpoints: %w", err)
	}
	return nil
}

// Close syncs and closes the file.
func (l *Log) Close() error {
	if l.lock != nil {
		defer l.lock.Release() //nolint:errcheck // the kernel drops it at exit anyway
		l.lock = nil
	}
	if l.log == nil {
		return nil
	}
	err := l.log.Close()
	l.log = nil
	if err != nil {
		return fmt.Errorf("checkpoints: %w", err)
	}
	return nil
}
