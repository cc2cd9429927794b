// Command push_realtime reads the push configuration and runs one
// stream_cat | [pcap_decap |] [pcap_filter |] pcap_split pipeline per
// target, live on the current capture or offline over a stored one.
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

Examples:
   # run as a service with /etc/pcappush/push_realtime.lua
   push_realtime

   # push a stored capture through every target, even if a push is running
   push_realtime --force --offline capture1_20210521_0101`

// Defaults of the folders (see ARCHITECTURE.md).
const (
	defaultConfig = "/etc/pcappush/push_realtime.lua"
	defaultStore  = "/var/lib/pcappush/capture"
	defaultState  = "/var/lib/pcappush/state"
	defaultLogDir = "/var/log/pcappush"
	defaultRclone = "/etc/pcappush/rclone.conf"
)

func flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "config", EnvVars: []string{"PCAPPUSH_CONFIG"}, Value: defaultConfig, Usage: "the Lua configuration `FILE`"},
		&cli.StringFlag{Name: "store", EnvVars: []string{"PCAPPUSH_STORE"}, Usage: "the capture store `DIR` (default: Config.Store, else " + defaultStore + ")"},
		&cli.StringFlag{Name: "state-dir", EnvVars: []string{"PCAPPUSH_STATE"}, Value: defaultState, Usage: "`DIR` for positions, ids and the lock"},
		&cli.StringFlag{Name: "log-dir", Usage: "`DIR` for the logs (default: Config.LogDir, else " + defaultLogDir + ")"},
		&cli.StringFlag{Name: "rclone-config", Usage: "rclone config `FILE` for RCLONE targets (default: Config.RcloneConfig, else " + defaultRclone + ")"},
		&cli.StringFlag{Name: "capture", Usage: "follow capture `NAME` (default: Config.Capture, else the newest active capture)"},
		&cli.StringFlag{Name: "bin-dir", Usage: "`DIR` holding stream_cat, pcap_decap, pcap_filter, pcap_split (default: next to push_realtime, else PATH)"},
		&cli.StringFlag{Name: "offline", Usage: "push stored capture `NAME` through every target and exit"},
		&cli.BoolFlag{Name: "force", Usage: "run even when another push_realtime holds the lock"},
		&cli.BoolFlag{Name: "dry-run", Usage: "print each target's pipeline and exit"},
		&cli.StringSliceFlag{Name: "target", Usage: "run only target `DESC` (repeatable)"},
		&cli.DurationFlag{Name: "status-interval", Value: defaultStatusInterval, Usage: "how often the analytics log gets a status line per target"},
		&cli.DurationFlag{Name: "stop-timeout", Value: defaultStopTimeout, Usage: "how long SIGTERM waits for splits in progress to be published"},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	app := cliutil.NewApp(tool, "push packet captures to files and remotes, one pipeline per target", stdout, stderr)
	app.UsageText = usageText
	app.Flags = flags()
	app.Action = func(c *cli.Context) error {
		if c.NArg() > 0 {
			return cliutil.Usagef("unexpected argument %q", c.Args().First())
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
