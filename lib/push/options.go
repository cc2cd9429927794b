package push

import (
	"context"
	"io"
	"path/filepath"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/install"
)

// Options are what push_realtime's command line asks for: New turns them
// into a running push.
type Options struct {
	ConfigFile string   // the Lua configuration (--config)
	Targets    []string // push only these targets (--target); all when empty
	// Offline is a stored capture to push once through every target, by
	// name in the store or by path (--offline); "" follows the current
	// capture.
	Offline string
	Force   bool // run while another push_realtime holds the state folder's lock

	// Given on the command line, these win over the configuration's
	// globals, which win over the defaults (lib/install); "" when not
	// given.
	Store, LogDir, RcloneConfig, Capture, Host string
	StateDir                                   string // the state folder (--state-dir)
	BinDir                                     string // where the stage tools are; "": next to push_realtime, else on PATH

	// Intervals; zero takes the default.
	StatusInterval time.Duration // status lines and files (15 s)
	StopTimeout    time.Duration // how long a stop waits for splits in progress to be published (60 s)
	BackoffMin     time.Duration // first wait before a failed pipeline restarts (1 s), doubled at each failure
	BackoffMax     time.Duration // up to this (1 min)
	IdlePoll       time.Duration // how often a target without a capture looks again (2 s)
	SchedulePoll   time.Duration // how often the schedule is checked (1 s)

	Reloads <-chan struct{} // a value asks Realtime to load the configuration again (SIGHUP)
	Stderr  io.Writer       // where words for the person who started it go; nil: nowhere

	// What tests replace; nil: the real ones.
	Clock     clockwork.Clock
	Pipelines Pipelines         // starts the pipelines: processes
	Tools     map[string]string // the stage tools' paths: found as BinDir says
	// Config is the configuration, loaded; nil: New loads ConfigFile. Load
	// loads it again at a reload, FilterCode returns the program a
	// target's filter was compiled to when it was loaded (pcap_filter
	// --compiled); nil: New's own, which compile the filters once.
	Config     *config.Config
	Load       func(ctx context.Context) (*config.Config, error)
	FilterCode func(t config.Target) string

	dryRun bool // DryRun's: no folder made, tools not found shown by name
}

// The defaults of the intervals.
const (
	DefaultStatusInterval = 15 * time.Second
	DefaultStopTimeout    = 60 * time.Second
	DefaultBackoffMin     = time.Second
	DefaultBackoffMax     = time.Minute
	DefaultIdlePoll       = 2 * time.Second
	DefaultSchedulePoll   = time.Second
)

// withDefaults returns o with the zero values filled in.
func (o Options) withDefaults() Options {
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&o.StatusInterval, DefaultStatusInterval}, {&o.StopTimeout, DefaultStopTimeout}, {&o.BackoffMin, DefaultBackoffMin},
		{&o.BackoffMax, DefaultBackoffMax}, {&o.IdlePoll, DefaultIdlePoll}, {&o.SchedulePoll, DefaultSchedulePoll}} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	if o.Clock == nil {
		o.Clock = clockwork.NewRealClock()
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	if o.Pipelines == nil {
		o.Pipelines = processes{}
	}
	o.StateDir = abs(o.StateDir)
	return o
}

// settings are the folders and names in force: the command line's, else
// the configuration's globals, else the defaults; paths absolute, so that
// the pipelines logged work pasted from any directory.
type settings struct {
	store, logDir, rcloneConfig, capture, host string
}

// resolve returns the settings cfg and o give.
func (o Options) resolve(cfg *config.Config) settings {
	return settings{
		store:        abs(firstOf(o.Store, cfg.Store, install.Store)),
		logDir:       abs(firstOf(o.LogDir, cfg.LogDir, install.LogDir)),
		rcloneConfig: abs(firstOf(o.RcloneConfig, cfg.RcloneConfig, install.RcloneConfig)),
		capture:      firstOf(o.Capture, cfg.Capture),
		host:         o.Host,
	}
}

// firstOf returns the first of values that is not "".
func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// abs returns path made absolute (unchanged when the working directory is
// unknown).
func abs(path string) string {
	if path == "" {
		return ""
	}
	if a, err := filepath.Abs(path); err == nil {
		return a
	}
	return path
}
