package status

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pcappush/pcappush/lib/durable"
	"github.com/pcappush/pcappush/lib/state"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

// Format is the version of the file format written.
const Format = 2

// States of a target.
const (
	Running    = "running"    // its pipeline runs
	Idle       = "idle"       // nothing to push now: outside the schedule, or no capture yet
	Restarting = "restarting" // its pipeline failed and waits to be restarted
	Failed     = "failed"     // its pipeline failed and will not be restarted (offline)
	Stopped    = "stopped"    // stopped, finished, or push_realtime is not running
)

// Modes of a push.
const (
	Realtime = "realtime"
	Offline  = "offline"
)

// Split is a published split, as its ledger entry records it, and when
// it was published.
type Split struct {
	ledger.Entry
	Published time.Time `json:"published"`
}

// Stage is one process of the target's pipeline.
type Stage struct {
	Name string `json:"name"`
	Up   bool   `json:"up"`
	PID  int    `json:"pid,omitempty"`
}

// Progress is how far an offline push has read its capture.
type Progress struct {
	Done  int64 `json:"done"`  // chunk bytes stream_cat has read
	Total int64 `json:"total"` // chunk bytes of the capture
}

// Status is one target's state and counters. The counters count since
// the push_realtime process (PID) started, across pipeline restarts.
type Status struct {
	Format   int       `json:"format"`
	Target   string    `json:"target"`
	UID      string    `json:"uid"`
	Mode     string    `json:"mode"`
	PID      int       `json:"pid"`       // push_realtime's
	PIDStart uint64    `json:"pid_start"` // its start time in clock ticks after boot, telling it from a reused pid
	State    string    `json:"state"`
	Detail   string    `json:"detail,omitempty"` // why idle, when the restart comes, ...
	Since    time.Time `json:"since"`            // when State began
	Started  time.Time `json:"started"`          // when push_realtime started
	Updated  time.Time `json:"updated"`
	Capture  string    `json:"capture,omitempty"`
	Log      string    `json:"log,omitempty"` // the pipeline's log file
	Stages   []Stage   `json:"stages,omitempty"`

	Splits  int64 `json:"splits"`
	Bytes   int64 `json:"bytes"`
	Packets int64 `json:"packets"`
	// Skipped counts splits not written because their final name already
	// held the same bytes: published before (by a run whose state was lost,
	// or just before a crash kept its ledger entry from being recorded).
	// Splits, Bytes and Packets do not count them.
	Skipped      int64  `json:"skipped"`
	LastSplit    *Split `json:"last_split,omitempty"`
	Restarts     int64  `json:"restarts"`
	Errors       int64  `json:"errors"`        // pipeline runs that failed, or could not start
	PostFailures int64  `json:"post_failures"` // Post commands that failed
	// OutOfClock counts the packets stamped out of the clock's tolerance
	// (a recorder's clock that jumped), published in splits of their own;
	// LastOutOfClock is the newest such split.
	OutOfClock     int64      `json:"out_of_clock,omitempty"`
	LastOutOfClock *Split     `json:"last_out_of_clock,omitempty"`
	LastError      string     `json:"last_error,omitempty"`
	LastErrorTime  *time.Time `json:"last_error_time,omitempty"`
	Progress       *Progress  `json:"progress,omitempty"`
	// Lost lists the captures deleted from the store (by their recorder's
	// ring buffer) before this target pushed them to their end, oldest
	// first, at most MaxLost. Unlike the counters it survives restarts:
	// push_realtime keeps each loss in the state folder.
	Lost []state.Loss `json:"lost,omitempty"`
}

// MaxLost is how many losses a status lists: the newest.
const MaxLost = 20

// Up reports whether the target's pipeline runs with every stage alive.
func (s *Status) Up() bool {
	if s.State != Running || len(s.Stages) == 0 {
		return false
	}
	for _, st := range s.Stages {
		if !st.Up {
			return false
		}
	}
	return true
}

// Lag returns now minus the last packet time of the last split published,
// and false before any split and for an offline push (of old packets).
func (s *Status) Lag(now time.Time) (time.Duration, bool) {
	if s.LastSplit == nil || s.Mode == Offline {
		return 0, false
	}
	return now.Sub(time.Unix(0, s.LastSplit.Last)), true
}

// ErrTorn is wrapped by the error for a status file or run record that
// is empty or not whole: a crash or power cut while it was written.
var ErrTorn = errors.New("empty or torn by a crash; it is written again at the next status interval")

// ErrFormat is wrapped by the error for a file of another format: written
// by another version of push_realtime, it is written again in this one's
// at its next status interval.
var ErrFormat = errors.New("written in another format")

// Path is where a target's status is kept in stateDir, by mode (see
// lib/state).
func Path(stateDir, desc, mode string) string {
	return state.At(stateDir).StatusFile(desc, mode == Offline)
}

// Write replaces the file at path with s, durably (lib/durable): a reader
// sees the old or the new file whole, and so does push_realtime status
// after a power cut.
func Write(path string, s *Status) error { return writeJSON(path, s) }

// writeJSON replaces the file at path with v as indented JSON, durably.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	if err := durable.WriteFile(path, append(b, '\n'), state.FilePerm); err != nil {
		return fmt.Errorf("status: %w", err)
	}
	return nil
}

// Read reads one status file.
func Read(path string) (*Status, error) {
	return readJSON(path, func(s *Status) int { return s.Format })
}

// readJSON reads one of this package's JSON files, whose format format
// tells, into a new T. An empty or cut file is an error wrapping ErrTorn.
func readJSON[T any](path string, format func(*T) int) (*T, error) {
	b, err := durable.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		var se *json.SyntaxError
		if len(bytes.TrimSpace(b)) == 0 || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &se) {
			return nil, fmt.Errorf("status %s: %w", path, ErrTorn)
		}
		return nil, fmt.Errorf("status %s: %w", path, err)
	}
	if f := format(&v); f != Format {
		return nil, fmt.Errorf("status %s: format %d; this push_realtime reads format %d: %w", path, f, Format, ErrFormat)
	}
	return &v, nil
}

// ReadAll reads every target's status files in the state folder, sorted
// by target, realtime before offline. A missing folder holds none; a file
// a crash emptied or cut, or one of another format, is skipped, as if not
// yet written.
func ReadAll(stateDir string) ([]Status, error) {
	descs, err := state.At(stateDir).Targets()
	if err != nil {
		return nil, err
	}
	var out []Status
	for _, desc := range descs {
		for _, mode := range []string{Realtime, Offline} {
			s, err := Read(Path(stateDir, desc, mode))
			if errors.Is(err, os.ErrNotExist) || errors.Is(err, ErrTorn) || errors.Is(err, ErrFormat) {
				continue
			}
			if err != nil {
				return out, err
			}
			out = append(out, *s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Target < out[j].Target })
	return out, nil
}

// ProcessStart returns the start time of process pid in clock ticks after
// boot (field 22 of /proc/PID/stat), and false when there is no such
// process.
func ProcessStart(pid int) (uint64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name, field 2, is in parentheses and may hold anything.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(f[19], 10, 64)
	return n, err == nil
}

// Alive reports whether the push_realtime that wrote s still runs.
func (s *Status) Alive() bool {
	start, ok := ProcessStart(s.PID)
	return ok && start == s.PIDStart
}
