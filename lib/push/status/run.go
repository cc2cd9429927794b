package status

import (
	"time"

	"github.com/pcappush/pcappush/lib/state"
)

// Run is what a push_realtime resolved from its flags, its configuration
// and the defaults, recorded so that `push_realtime status` finds the
// same store, logs and configuration without repeating the flags. Paths
// are absolute. The realtime push and the last offline one each keep
// theirs.
type Run struct {
	Format   int       `json:"format"`
	PID      int       `json:"pid"`
	PIDStart uint64    `json:"pid_start"`
	Started  time.Time `json:"started"`
	Config   string    `json:"config"`
	Store    string    `json:"store"`
	LogDir   string    `json:"log_dir"`
	Capture  string    `json:"capture,omitempty"` // the capture it was told to follow; "" for the newest active one
	Host     string    `json:"host,omitempty"`    // its --host, the value of {host} in Path; "" for Config.Host or the host name
	Mode     string    `json:"mode"`              // Realtime or Offline (then Capture is the capture pushed)
}

// WriteRun replaces stateDir's run record of r's mode (state.Dir.RunFile)
// with r, durably.
func WriteRun(stateDir string, r *Run) error {
	r.Format = Format
	return writeJSON(state.At(stateDir).RunFile(r.Mode == Offline), r)
}

// ReadRun reads stateDir's run record of mode; an error wrapping
// os.ErrNotExist when there is none, ErrTorn when a crash emptied or cut
// it.
func ReadRun(stateDir, mode string) (*Run, error) {
	return readJSON(state.At(stateDir).RunFile(mode == Offline), func(r *Run) int { return r.Format })
}

// Alive reports whether the push_realtime that wrote r still runs.
func (r *Run) Alive() bool {
	start, ok := ProcessStart(r.PID)
	return ok && start == r.PIDStart
}

// LatestRun returns the run record status should take its folders from:
// the realtime push's while it runs, else the newer of the realtime
// push's and the last offline push's; an error wrapping os.ErrNotExist
// when there is neither.
func LatestRun(stateDir string) (*Run, error) {
	rt, rtErr := ReadRun(stateDir, Realtime)
	if rtErr == nil && rt.Alive() {
		return rt, nil
	}
	off, offErr := ReadRun(stateDir, Offline)
	switch {
	case rtErr != nil && offErr != nil:
		return nil, rtErr
	case rtErr != nil:
		return off, nil
	case offErr != nil || !off.Started.After(rt.Started):
		return rt, nil
	}
	return off, nil
}
