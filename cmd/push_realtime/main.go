// Command push_realtime reads the push configuration and runs one
// stream_cat | [pcap_decap |] [pcap_filter |] pcap_split pipeline per
// target, live on the current capture or offline over a stored one;
// `push_realtime status` shows what a push is doing.
package main

import (
	"context"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/pcappush/pcappush/lib/cliutil"
)

const tool = "push_realtime"

func main() { os.Exit(cliutil.Main(tool, run)) }

const usageText = `push_realtime [--config FILE] [options]                 follow the current capture (a service)
   push_realtime --offline CAPTURE [--force] [options]     push one stored capture and exit
   push_realtime --dry-run [--offline CAPTURE]             print the pipelines and exit
   push_realtime status [--json] [--state-dir DIR]         show each target's state and the store

   SIGHUP reloads the configuration; SIGTERM and SIGINT publish the splits in progress and exit.

Examples:
   # run as a service with /etc/pcappush/push_realtime.lua, with Prometheus metrics
   push_realtime --metrics-listen 127.0.0.1:9310

   # push a stored capture through every target, even if a push is running, with progress bars
   push_realtime --force --offline capture1_20210521_0101

   # what the running push is doing
   push_realtime status`

// Defaults of the folders (see ARCHITECTURE.md).
const (
	defaultConfig = "/etc/pcappush/push_realtime.lua"
	defaultStore  = "/var/lib/pcappush/capture"
	defaultState  = "/var/lib/pcappush/state"
	defaultLogDir = "/var/log/pcappush"
	defaultRclone = "/etc/pcappush/rclone.conf"
)

// Flags shared by the push and the status command.
func configFlag() cli.Flag {
	return &cli.StringFlag{Name: "config", EnvVars: []string{"PCAPPUSH_CONFIG"}, Value: defaultConfig, Usage: "the Lua configuration `FILE`"}
}

func storeFlag() cli.Flag {
	return &cli.StringFlag{Name: "store", EnvVars: []string{"PCAPPUSH_STORE"}, Usage: "the capture store `DIR` (default: Config.Store, else " + defaultStore + ")"}
}

func stateFlag() cli.Flag {
	return &cli.StringFlag{Name: "state-dir", EnvVars: []string{"PCAPPUSH_STATE"}, Value: defaultState, Usage: "`DIR` for positions, ids, status files and the lock"}
}

func flags() []cli.Flag {
	return []cli.Flag{
		configFlag(), storeFlag(), stateFlag(),
		&cli.StringFlag{Name: "log-dir", Usage: "`DIR` for the logs (default: Config.LogDir, else " + defaultLogDir + ")"},
		&cli.StringFlag{Name: "rclone-config", Usage: "rclone config `FILE` for RCLONE targets (default: Config.RcloneConfig, else " + defaultRclone + ")"},
		&cli.StringFlag{Name: "capture", Usage: "follow capture `NAME` (default: Config.Capture, else the newest active capture)"},
		&cli.StringFlag{Name: "bin-dir", Usage: "`DIR` holding stream_cat, pcap_decap, pcap_filter, pcap_split (default: next to push_realtime, else PATH)"},
		&cli.StringFlag{Name: "offline", Usage: "push stored capture `NAME` through every target and exit"},
		&cli.BoolFlag{Name: "force", Usage: "run even when another push_realtime holds the lock"},
		&cli.BoolFlag{Name: "dry-run", Usage: "print each target's pipeline and exit"},
		&cli.StringSliceFlag{Name: "target", Usage: "run only target `DESC` (repeatable)"},
		&cli.DurationFlag{Name: "status-interval", Value: defaultStatusInterval, Usage: "every `D` the analytics log gets a status line and the state folder a status file per target"},
		&cli.DurationFlag{Name: "stop-timeout", Value: defaultStopTimeout, Usage: "SIGTERM, a reload or the schedule waits up to `D` for splits in progress to be published"},
		&cli.StringFlag{Name: "metrics-listen", Usage: "serve Prometheus metrics at http://`ADDR`/metrics, e.g. 127.0.0.1:9310 (default: none)"},
		&cli.StringFlag{Name: "progress", Value: "auto", Usage: "offline progress on stderr: `MODE` is bar, lines, none, or auto (bars on a terminal, else lines)"},
		&cli.DurationFlag{Name: "progress-interval", Value: defaultProgressInterval, Usage: "write --progress lines every `D`"},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	app := cliutil.NewApp(tool, "push packet captures to files and remotes, one pipeline per target", stdout, stderr)
	app.UsageText = usageText
	app.Flags = flags()
	app.Commands = []*cli.Command{statusCommand(stdout)}
	app.Action = func(c *cli.Context) error {
		if c.NArg() > 0 {
			return cliutil.Usagef("unexpected argument %q (the one command is status)", c.Args().First())
		}
		return pushMain(ctx, c, stdout, stderr)
	}
	return app.RunContext(ctx, args)
}

func usageErr(err error) error {
	if err == nil {
		return nil
	}
	return &cliutil.UsageError{Err: err}
}
