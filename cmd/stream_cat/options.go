package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pcappush/pcappush/lib/capture"
	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/units"
	"github.com/pcappush/pcappush/lib/window"
)

// options turns the flags into capture.Options; every mistake is a usage
// error, found before any input is touched.
func options(c *cli.Context) (capture.Options, error) {
	o := capture.Options{
		Follow: c.Bool("follow"), NoTicks: c.Bool("no-ticks"), SkipBad: c.Bool("skip-bad"), Verbose: c.Bool("verbose"),
		TickLag: c.Duration("tick-lag"), ActiveWindow: c.Duration("active-window"),
		UID: c.String("uid"), StateDir: c.String("state-dir"), ClockTolerance: c.Duration("clock-tolerance"),
	}
	switch {
	case c.NArg() == 0:
		return o, exitcode.Usagef("no capture given: stream_cat CAPTURE (stream_cat --list shows the captures)")
	case c.NArg() > 1:
		return o, exitcode.Usagef("one capture at a time: got %q and %q", c.Args().Get(0), c.Args().Get(1))
	case o.TickLag < 0 || o.ActiveWindow < 0 || o.ClockTolerance < 0:
		return o, exitcode.Usagef("--tick-lag, --active-window and --clock-tolerance must not be negative")
	case strings.ContainsAny(o.UID, "/\n") || o.UID == "." || o.UID == "..":
		return o, exitcode.Usagef("--uid %q: must be a plain name (it names a folder under --state-dir)", o.UID)
	case o.UID != "" && o.StateDir == "":
		return o, exitcode.Usagef("--state-dir must not be empty with --uid")
	}
	var err error
	if o.Start, o.End, err = timeWindow(c); err != nil {
		return o, err
	}
	if o.CheckpointEvery, err = units.ParseCount(c.String("checkpoint-every"), false); err != nil {
		return o, exitcode.Usagef("--checkpoint-every %q: %w", c.String("checkpoint-every"), err)
	}
	if c.IsSet("resume") {
		if o.UID == "" {
			return o, exitcode.Usagef("--resume needs --uid: checkpoints are kept per reader")
		}
		if o.ResumeAt, err = units.ParseCount(c.String("resume"), false); err != nil {
			return o, exitcode.Usagef("--resume %q: %w", c.String("resume"), err)
		}
		o.Resume = true
	}
	return o, nil
}

// timeFlag parses a time option; unset is 0.
func timeFlag(c *cli.Context, name string) (int64, error) {
	if !c.IsSet(name) {
		return 0, nil
	}
	t, err := capture.ParseTime(c.String(name))
	if err != nil {
		return 0, exitcode.Usagef("--%s %q: %w", name, c.String(name), err)
	}
	return t, nil
}

// windowOptions turns the flags of a --from read into window.Options;
// flags that have no meaning there are usage errors.
func windowOptions(c *cli.Context) (window.Options, error) {
	o := window.Options{From: c.StringSlice("from"), RcloneConfig: c.String("rclone-config"), SkipBad: c.Bool("skip-bad"), LogPrefix: tool + ": "}
	if c.NArg() > 0 {
		return o, exitcode.Usagef("--from reads published splits, not a capture: got %q too", c.Args().First())
	}
	for _, f := range []string{"follow", "uid", "resume", "checkpoint-every", "tick-lag", "active-window"} {
		if c.IsSet(f) {
			return o, exitcode.Usagef("--%s is for reading a capture; --from reads published splits", f)
		}
	}
	var err error
	o.Start, o.End, err = timeWindow(c)
	return o, err
}

// timeWindow parses --start-time and --end-time; unset are 0.
func timeWindow(c *cli.Context) (start, end int64, err error) {
	if start, err = timeFlag(c, "start-time"); err != nil {
		return 0, 0, err
	}
	if end, err = timeFlag(c, "end-time"); err != nil {
		return 0, 0, err
	}
	if end != 0 && start >= end {
		return 0, 0, exitcode.Usagef("--start-time must be before --end-time")
	}
	return start, end, nil
}
