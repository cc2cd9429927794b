package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	capturepkg "github.com/pcappush/pcappush/lib/capture"
	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/install"
	"github.com/pcappush/pcappush/lib/push/status"
)

const statusUsage = `push_realtime status [--json] [--state-dir DIR] [--store DIR] [--config FILE] [--log-dir DIR]

   One row per target from the status files a running push_realtime keeps in
   the state folder (no lock is taken; it works while a push runs), then the
   log folder and the capture store as stream_cat --list shows it. The
   store, log folder and configuration are, in order: the flag, else what
   the push_realtime of this state folder recorded (the realtime one while it
   runs, push_realtime.json, else the latest of it and the last --offline
   push, push_realtime.offline.json), else the configuration's globals, else
   the defaults; the report says which, and shows them absolute. Without
   the state folder it exits 1, saying what to pass.

Examples:
   # the service's targets and the store
   push_realtime status

   # for a script: the lag of each target, in seconds
   push_realtime status --json | jq '.targets[] | {target, lag_seconds}'`

func statusCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "show each target's state, last split, counters, lag and errors, and the capture store",
		UsageText: statusUsage,
		Flags:     statusFlags(),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageErr(fmt.Errorf("status: unexpected argument %q", c.Args().First()))
			}
			return statusMain(c, stdout)
		},
	}
}

func statusFlags() []cli.Flag {
	return []cli.Flag{configFlag(), storeFlag(), stateFlag(), logDirFlag(),
		&cli.BoolFlag{Name: "json", Usage: "print one JSON object (targets, log folder, store) for machines"}}
}

// flagSet returns a flag given to the command or, before it, to
// push_realtime itself, and whether it was given.
func flagSet(c *cli.Context, name string) (string, bool) {
	for _, x := range c.Lineage() {
		if x.IsSet(name) {
			return x.String(name), true
		}
	}
	return "", false
}

// flagValue returns a flag given to the command or to push_realtime;
// else the command's default.
func flagValue(c *cli.Context, name string) string {
	if v, ok := flagSet(c, name); ok {
		return v
	}
	return c.String(name)
}

// statusFolders returns the configuration file, store and log folder
// status reads, absolute, and where they come from: each flag given, else
// the record of the push that ran with this state folder (the realtime
// one while it runs, else the latest), else the configuration's global,
// else the default.
func statusFolders(c *cli.Context, stateDir string) (cfg *config.Config, store, logDir, from string) {
	rec, err := status.LatestRun(stateDir)
	switch {
	case err != nil:
		rec, from = &status.Run{}, "the configuration or the defaults: no push recorded its folders in "+stateDir
	case rec.Mode == status.Offline:
		from = fmt.Sprintf("the offline push of %s started %s", rec.Capture, rec.Started.UTC().Format("2006-01-02 15:04:05 UTC"))
	default:
		from = fmt.Sprintf("the realtime push started %s", rec.Started.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	file := flagValue(c, "config")
	if _, ok := flagSet(c, "config"); !ok && rec.Config != "" {
		file = rec.Config
	}
	capture := rec.Capture
	if rec.Mode == status.Offline {
		capture = capturepkg.ArgName(capture)
	}
	cfg, err = config.Load(file, config.Checks{Folder: func(string) error { return nil }, Host: rec.Host, Capture: capture})
	if err != nil {
		fmt.Fprintf(c.App.ErrWriter, "%s: status: warning: %v (showing the state folder only)\n", tool, err)
		cfg = &config.Config{}
	}
	store, logDir = firstOf(rec.Store, cfg.Store, install.Store), firstOf(rec.LogDir, cfg.LogDir, install.LogDir)
	var given []string
	if v, ok := flagSet(c, "store"); ok {
		store, given = v, append(given, "--store")
	}
	if v, ok := flagSet(c, "log-dir"); ok {
		logDir, given = v, append(given, "--log-dir")
	}
	switch len(given) {
	case 2:
		from = "the command line"
	case 1:
		from = "the command line (" + given[0] + ") and " + from
	}
	return cfg, absPath(store), absPath(logDir), from
}

// absPath returns path made absolute (unchanged when the working folder
// is unknown).
func absPath(path string) string {
	if a, err := filepath.Abs(path); err == nil {
		return a
	}
	return path
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

func statusMain(c *cli.Context, stdout io.Writer) error {
	stateDir := absPath(flagValue(c, "state-dir"))
	if st, err := os.Stat(stateDir); err != nil || !st.IsDir() {
		return fmt.Errorf("status: no state folder %s: give --state-dir DIR, the folder the push ran with (push_realtime --state-dir, default %s)", stateDir, install.StateDir)
	}
	cfg, store, logDir, from := statusFolders(c, stateDir)
	var configured []string
	if cfg.File != "" {
		configured = []string{}
		for _, t := range cfg.Targets {
			configured = append(configured, t.Desc)
		}
	}
	r, err := status.NewReport(stateDir, store, configured, time.Now())
	if err != nil {
		return err
	}
	r.LogDir, r.FoldersFrom = logDir, from
	if c.Bool("json") {
		return r.WriteJSON(stdout)
	}
	return writeTable(stdout, r)
}
