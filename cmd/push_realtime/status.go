package main

import (
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/install"
	"github.com/pcappush/pcappush/lib/push/status"
)

const statusUsage = `push_realtime status [--json] [--state-dir DIR] [--store DIR] [--config FILE] [--log-dir DIR]

   One row per target from the status files a running push_realtime keeps in
   the state folder (no lock is taken; it works while a push runs), then the
   log folder and the capture store as stream_cat --list shows it. The
   store, log folder and configuration are, in order: the flag, else what
   the realtime push_realtime of this state folder recorded (push_realtime.json),
   else the configuration's globals, else the defaults.

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
// status reads: each flag given, else the running push's record, else
// the configuration's global, else the default.
func statusFolders(c *cli.Context, stateDir string) (cfg *config.Config, store, logDir string) {
	rec, err := status.ReadRun(stateDir, status.Realtime)
	if err != nil {
		if rec, err = status.ReadRun(stateDir, status.Offline); err != nil {
			rec = &status.Run{}
		}
	}
	file := flagValue(c, "config")
	if _, ok := flagSet(c, "config"); !ok && rec.Config != "" {
		file = rec.Config
	}
	cfg, err = config.Load(file, config.Checks{Folder: func(string) error { return nil }, Host: rec.Host, Capture: rec.Capture})
	if err != nil {
		fmt.Fprintf(c.App.ErrWriter, "%s: status: warning: %v (showing the state folder only)\n", tool, err)
		cfg = &config.Config{}
	}
	store, logDir = firstOf(rec.Store, cfg.Store, install.Store), firstOf(rec.LogDir, cfg.LogDir, install.LogDir)
	if v, ok := flagSet(c, "store"); ok {
		store = v
	}
	if v, ok := flagSet(c, "log-dir"); ok {
		logDir = v
	}
	return cfg, store, logDir
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
	stateDir := flagValue(c, "state-dir")
	cfg, store, logDir := statusFolders(c, stateDir)
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
	r.LogDir = logDir
	if c.Bool("json") {
		return r.WriteJSON(stdout)
	}
	return r.WriteTable(stdout)
}
