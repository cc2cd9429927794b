package main

import (
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/pushstatus"
)

const statusUsage = `push_realtime status [--json] [--state-dir DIR] [--store DIR] [--config FILE]

   One row per target from the status files a running push_realtime keeps in
   the state folder (no lock is taken; it works while a push runs), then the
   capture store as stream_cat --list shows it.

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
		Flags: []cli.Flag{configFlag(), storeFlag(), stateFlag(),
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object (targets, store) for machines"}},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageErr(fmt.Errorf("status: unexpected argument %q", c.Args().First()))
			}
			return statusMain(c, stdout)
		},
	}
}

// flagValue returns a flag given to the command or, before it, to
// push_realtime itself; else the command's default.
func flagValue(c *cli.Context, name string) string {
	for _, x := range c.Lineage() {
		if x.IsSet(name) {
			return x.String(name)
		}
	}
	return c.String(name)
}

func statusMain(c *cli.Context, stdout io.Writer) error {
	var configured []string
	store := defaultStore
	cfg, err := config.Load(flagValue(c, "config"), config.Checks{Folder: func(string) error { return nil }})
	if err == nil {
		for _, t := range cfg.Targets {
			configured = append(configured, t.Desc)
		}
		if cfg.Store != "" {
			store = cfg.Store
		}
	} else {
		fmt.Fprintf(c.App.ErrWriter, "%s: status: warning: %v (showing the state folder only)\n", tool, err)
	}
	if v := flagValue(c, "store"); v != "" {
		store = v
	}
	r, err := pushstatus.NewReport(flagValue(c, "state-dir"), store, configured, time.Now())
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return r.WriteJSON(stdout)
	}
	return r.WriteTable(stdout)
}
