package capture

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pcappush/pcappush/lib/lockfile"
)

// Checkpoint is a position in a capture that a reader can resume from: the
// record at Offset in Chunk (decompressed bytes from the chunk's start) is
// the first one after the clock tick stamped Time.
type Checkpoint struct {
	Time   int64  // ns since the epoch, a multiple of the checkpoint interval
	Chunk  string // chunk file name
	Offset int64  // byte offset in the chunk's (decompressed) pcap or pcapng data
}

// MaxCheckpoints bounds a checkpoint file: when it grows past this many
// entries it is rewritten with the newest half.
const MaxCheckpoints = 100000

// checkpointHeader is the first line of every checkpoint file.
const checkpointHeader = "# stream_cat checkpoints v1: TIME_NS OFFSET \"CHUNK\"\n"

// ErrNoCheckpoint is wrapped when a resume point is not recorded.
var ErrNoCheckpoint = errors.New("no such checkpoint")

// AppendLine appends the checkpoint's line in the file format.
func (c Checkpoint) AppendLine(b []byte) []byte {
	b = strconv.AppendInt(b, c.Time, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, c.Offset, 10)
	b = append(b, ' ')
	b = strconv.AppendQuote(b, c.Chunk)
	return append(b, '\n')
}

// ParseCheckpoints reads a checkpoint file: comment lines start with #,
// every other line is TIME_NS OFFSET "CHUNK" (the chunk name quoted as a Go
// string). A last line without a newline is a torn write and is ignored.
// Entries come back sorted by time; of equal times the later line wins.
func ParseCheckpoints(r io.Reader) ([]Checkpoint, error) {
	br := bufio.NewReader(r)
	var out []Checkpoint
	for n := 1; ; n++ {
		line, err := br.ReadString('\n')
		if errors.Is(err, io.EOF) {
			return sortCheckpoints(out), nil
		}
		if err != nil {
			return nil, err
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" || line[0] == '#' {
			continue
		}
		c, err := parseCheckpointLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, c)
	}
}

func parseCheckpointLine(line string) (Checkpoint, error) {
	ts, rest, ok1 := strings.Cut(line, " ")
	off, name, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 {
		return Checkpoint{}, fmt.Errorf("%q: want TIME_NS OFFSET \"CHUNK\"", line)
	}
	t, err1 := strconv.ParseInt(ts, 10, 64)
	o, err2 := strconv.ParseInt(off, 10, 64)
	chunk, err3 := strconv.Unquote(name)
	if err1 != nil || err2 != nil || err3 != nil || t < 0 || o < 0 || chunk == "" || strings.ContainsAny(chunk, "/\n") {
		return Checkpoint{}, fmt.Errorf("%q: want TIME_NS OFFSET \"CHUNK\"", line)
	}
	return Checkpoint{Time: t, Offset: o, Chunk: chunk}, nil
}

// sortCheckpoints sorts by time, keeping the last of equal times.
func sortCheckpoints(cs []Checkpoint) []Checkpoint {
	slices.SortStableFunc(cs, func(a, b Checkpoint) int { return cmp.Compare(a.Time, b.Time) })
	out := cs[:0]
	for i, c := range cs {
		if i+1 < len(cs) && cs[i+1].Time == c.Time {
			continue
		}
		out = append(out, c)
	}
	return out
}

// CheckpointLog is a reader's checkpoint file for one capture,
// <state-dir>/<uid>/<capture>.checkpoints. Add appends without syncing;
// Sync makes what was added durable. It is not safe for concurrent use.
type CheckpointLog struct {
	path    string
	f       *os.File
	entries []Checkpoint // sorted by time
	dirty   bool
	line    []byte
	lock    *lockfile.Lock
}

// CheckpointPath returns where the checkpoints of capture for uid live.
func CheckpointPath(stateDir, uid, capture string) string {
	return filepath.Join(stateDir, uid, capture+".checkpoints")
}

// OpenCheckpointLog reads the checkpoint file at path, creating it and its
// folder when missing.
//
// Only one reader at a time keeps a checkpoint file: it waits up to
// CheckpointLockWait for another (the stream_cat of a pipeline being
// replaced) to exit.
func OpenCheckpointLog(path string) (*CheckpointLog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	lock, err := lockfile.Acquire(path+".lock", CheckpointLockWait)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	l := &CheckpointLog{path: path, lock: lock}
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	if l.entries, err = ParseCheckpoints(bytes.NewReader(b)); err != nil {
		lock.Release() //nolint:errcheck // already failing
		return nil, fmt.Errorf("checkpoints %s: %w", path, err)
	}
	return l, nil
}

// ReadCheckpointFile returns the checkpoints recorded in the file at path,
// without taking its lock (a reader may be appending); a missing file has
// none.
func ReadCheckpointFile(path string) ([]Checkpoint, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	cps, err := ParseCheckpoints(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("checkpoints %s: %w", path, err)
	}
	return cps, nil
}

// CheckpointLockWait is how long OpenCheckpointLog waits for the file's
// previous keeper.
var CheckpointLockWait = 2 * time.Minute

// Path returns the file's path.
func (l *CheckpointLog) Path() string { return l.path }

// Entries returns the checkpoints recorded, sorted by time. The slice is
// the log's own.
func (l *CheckpointLog) Entries() []Checkpoint { return l.entries }

// Find returns the checkpoint recorded for time t.
func (l *CheckpointLog) Find(t int64) (Checkpoint, error) {
	i, ok := slices.BinarySearchFunc(l.entries, t, func(c Checkpoint, t int64) int { return cmp.Compare(c.Time, t) })
	if !ok {
		return Checkpoint{}, fmt.Errorf("checkpoint %d is not recorded in %s: %w", t, l.path, ErrNoCheckpoint)
	}
	return l.entries[i], nil
}

// Compact rewrites the file atomically with the entries at or after from,
// at most MaxCheckpoints/2 of them (the newest), and opens it for Add.
func (l *CheckpointLog) Compact(from int64) error {
	i, _ := slices.BinarySearchFunc(l.entries, from, func(c Checkpoint, t int64) int { return cmp.Compare(c.Time, t) })
	keep := l.entries[i:]
	if len(keep) > MaxCheckpoints/2 {
		keep = keep[len(keep)-MaxCheckpoints/2:]
	}
	l.entries = slices.Clone(keep)
	return l.rewrite()
}

// rewrite writes every entry to path.tmp, syncs it, renames it over path,
// syncs the folder and reopens the file for appending.
func (l *CheckpointLog) rewrite() error {
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
	b := []byte(checkpointHeader)
	for _, c := range l.entries {
		b = c.AppendLine(b)
	}
	if err := writeFileSync(l.path, b); err != nil {
		return fmt.Errorf("checkpoints: %w", err)
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("checkpoints: %w", err)
	}
	l.f, l.dirty = f, false
	return nil
}

// writeFileSync replaces path with b durably.
func writeFileSync(path string, b []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Add records a checkpoint; call Sync before relying on it. A checkpoint
// already recorded identically is not written again.
func (l *CheckpointLog) Add(c Checkpoint) error {
	i, found := slices.BinarySearchFunc(l.entries, c.Time, func(e Checkpoint, t int64) int { return cmp.Compare(e.Time, t) })
	if found && l.entries[i] == c {
		return nil
	}
	if l.f == nil {
		if err := l.Compact(0); err != nil {
			return err
		}
	}
	if found {
		l.entries[i] = c
	} else {
		l.entries = slices.Insert(l.entries, i, c)
	}
	if len(l.entries) > MaxCheckpoints {
		return l.Compact(l.entries[len(l.entries)-MaxCheckpoints/2].Time)
	}
	l.line = c.AppendLine(l.line[:0])
	if _, err := l.f.Write(l.line); err != nil {
		return fmt.Errorf("checkpoints %s: %w", l.path, err)
	}
	l.dirty = true
	return nil
}

// Dirty reports whether entries were added since the last Sync.
func (l *CheckpointLog) Dirty() bool { return l.dirty }

// Sync makes every added checkpoint durable.
func (l *CheckpointLog) Sync() error {
	if !l.dirty {
		return nil
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("checkpoints %s: %w", l.path, err)
	}
	l.dirty = false
	return nil
}

// Close syncs and closes the file.
func (l *CheckpointLog) Close() error {
	if l.lock != nil {
		defer l.lock.Release() //nolint:errcheck // the kernel drops it at exit anyway
		l.lock = nil
	}
	if l.f == nil {
		return nil
	}
	err := l.Sync()
	if cerr := l.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("checkpoints %s: %w", l.path, cerr)
	}
	l.f = nil
	return err
}
