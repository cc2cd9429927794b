// Command push_realtime reads the push configuration and runs one
// stream_cat | [pcap_decap |] [pcap_filter |] pcap_split pipeline per
// target, live on the current capture or offline over a stored one;
// `push_realtime status` shows what a push is doing.
package main

import (
	"context"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pcappush/pcappush/lib/cliapp"
	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/install"
	"github.com/pcappush/pcappush/lib/manual"
	"github.com/pcappush/pcappush/lib/push"
)

const tool = "push_realtime"

func main() { os.Exit(cliapp.Main(tool, run)) }

var help = manual.Help{
	Synopsis: []string{
		"push_realtime [--config FILE] [options]",
		"push_realtime --offline CAPTURE [--force] [options]",
		"push_realtime --dry-run [--offline CAPTURE] [options]",
		"push_realtime status [--json] [--state-dir DIR] [--store DIR] [--config FILE] [--log-dir DIR]",
	},
	Description: `Reads the push configuration (Lua: a table Config whose list Config.Target
holds the targets) and runs, for each target, the pipeline

   stream_cat --follow CAPTURE | [pcap_decap |] [pcap_filter --bpf EXPR |] pcap_split ...

starting the stages itself, restarting a pipeline that dies (after 1 s,
then 2, 4, ... up to a minute) and logging its state. Without --offline it
follows the current capture (--capture, else Config.Capture, else the
active capture of the store that changed last) and moves to the next
capture when it is finished. With --offline it pushes one stored capture
through every target and exits: 0 when every target succeeded, else 1
naming the failed ones. The capture is a name in the store or, as
stream_cat takes it, the path of a capture folder or file (write ./NAME
for a folder here).

A realtime push resumes after a crash exactly after its last published
split: stream_cat checkpoints and pcap_split's ledger are kept in
--state-dir. SIGTERM or SIGINT stops the pipelines from their heads, so the
splits in progress are published before push_realtime exits (within
--stop-timeout). SIGHUP reloads the configuration: unchanged targets keep
running, changed ones restart (the split in progress is published, and
the rest of its interval follows as NAME_2). A lock in --state-dir
keeps a second push_realtime away unless --force is given. A state or log
folder others can write (group- or world-writable, or neither this user's
nor root's) is refused, exit 2; no file is written through a symbolic
link. A run whose state folder was lost publishes again no split the
destination holds: one found there with the same bytes is counted as
skipped (in the status and the target's log). The command
status shows each target's state, from the status files a running push
keeps in --state-dir, and the store.

A Path may hold {host}, {desc} and {capture}, expanded once at start (the
logs, --dry-run and status show the result): with Path
"s3-fmad://pcap/{host}/all" many machines push into one bucket, each into
its own folder, and stream_cat --from reads a time window back across them.

Command-line flags win over the Lua globals (Config.Store, Config.LogDir,
Config.RcloneConfig, Config.Capture, Config.Host), which win over the
defaults. A mistake in the configuration is reported with the file, the
target and the field, exit 2, before anything starts.`,
	Sections: []manual.Section{{Title: "FILES", Items: []manual.Item{
		{Name: install.ConfigFile, Text: "the configuration (--config)"},
		{Name: install.RcloneConfig, Text: "rclone's configuration, for RCLONE targets (--rclone-config)"},
		{Name: install.Store, Text: "the capture store: one folder per capture (--store)"},
		{Name: install.StateDir, Text: "ids, checkpoints, ledgers and the lock (--state-dir)"},
		{Name: install.LogDir + "/analytics_push_realtime.cur", Text: "a status line per target every --status-interval; starts, exits, restarts, errors (--log-dir)"},
		{Name: install.LogDir + "/push_DESC.cur", Text: "the newest log of target DESC's pipeline: its arguments and every stage's stderr"},
	}}},
	Examples: []manual.Example{
		{Comment: "check the configuration: print each target's pipeline and exit",
			Command: "push_realtime --dry-run --config /etc/pcappush/push_realtime.lua"},
		{Comment: "push a stored capture through every target, even while the service runs",
			Command: "push_realtime --force --offline capture1_20210521_0101"},
		{Comment: "what the running push is doing",
			Command: "push_realtime status"},
		{Comment: "run as a service with Prometheus metrics",
			Command: "push_realtime --metrics-listen 127.0.0.1:9310"},
		{Comment: "run in the foreground as the service does, with the folders elsewhere",
			Command: "push_realtime --config ./push.lua --store /data/capture --state-dir /data/state --log-dir /data/log"},
	},
	SeeAlso: []string{"push_realtime.lua(5)", "rclone(1)", "systemd.exec(5)"},
}

// Flags shared by the push and the status command.
func configFlag() cli.Flag {
	return &cli.StringFlag{Name: "config", EnvVars: []string{"PCAPPUSH_CONFIG"}, Value: install.ConfigFile, Usage: "the Lua configuration `FILE`"}
}

func storeFlag() cli.Flag {
	return &cli.StringFlag{Name: "store", EnvVars: []string{"PCAPPUSH_STORE"}, Usage: "the capture store `DIR` (default: Config.Store, else " + install.Store + ")"}
}

func stateFlag() cli.Flag {
	return &cli.StringFlag{Name: "state-dir", EnvVars: []string{"PCAPPUSH_STATE"}, Value: install.StateDir, Usage: "`DIR` for positions, ids, status files and the lock"}
}

func logDirFlag() cli.Flag {
	return &cli.StringFlag{Name: "log-dir", Usage: "`DIR` for the logs (default: Config.LogDir, else " + install.LogDir + ")"}
}

func flags() []cli.Flag {
	return []cli.Flag{
		configFlag(), storeFlag(), stateFlag(), logDirFlag(),
		&cli.StringFlag{Name: "rclone-config", EnvVars: []string{"RCLONE_CONFIG"}, Usage: "rclone config `FILE` for RCLONE targets (default: Config.RcloneConfig, else " + install.RcloneConfig + ")"},
		&cli.StringFlag{Name: "capture", Usage: "follow capture `NAME` (default: Config.Capture, else the newest active capture)"},
		&cli.StringFlag{Name: "host", Usage: "this machine's `NAME` as {host} in Path (default: Config.Host, else the host name up to its first dot)"},
		&cli.StringFlag{Name: "bin-dir", Usage: "`DIR` holding stream_cat, pcap_decap, pcap_filter, pcap_split (default: next to push_realtime, else PATH)"},
		&cli.StringFlag{Name: "offline", Usage: "push the stored `CAPTURE` through every target and exit: a name in the store, or a capture folder's or file's path as stream_cat takes it"},
		&cli.BoolFlag{Name: "force", Usage: "run even when another push_realtime holds the lock"},
		&cli.BoolFlag{Name: "dry-run", Usage: "print each target's pipeline and exit"},
		&cli.StringSliceFlag{Name: "target", Usage: "run only target `DESC` (repeatable)"},
		&cli.DurationFlag{Name: "status-interval", Value: push.DefaultStatusInterval, Usage: "every `D` the analytics log gets a status line and the state folder a status file per target"},
		&cli.DurationFlag{Name: "stop-timeout", Value: push.DefaultStopTimeout, Usage: "SIGTERM, a reload or the schedule waits up to `D` for splits in progress to be published"},
		&cli.StringFlag{Name: "metrics-listen", Usage: "serve Prometheus metrics at http://`ADDR`/metrics, e.g. 127.0.0.1:9310 (default: none)"},
		&cli.StringFlag{Name: "progress", Value: "auto", Usage: "offline progress on stderr: `MODE` is bar, lines, none, or auto (bars on a terminal, else lines)"},
		&cli.DurationFlag{Name: "progress-interval", Value: defaultProgressInterval, Usage: "write --progress lines every `D`"},
	}
}

// statusSection lists the status command's options, for --help and the
// man page.
func statusSection() manual.Section {
	sec := manual.Section{Title: "STATUS COMMAND OPTIONS"}
	for _, f := range statusFlags() {
		switch f := f.(type) {
		case *cli.StringFlag:
			// urfave/cli's convention: the argument's name is in backquotes
			_, arg, _ := strings.Cut(f.Usage, "`")
			arg, _, _ = strings.Cut(arg, "`")
			sec.Items = append(sec.Items, manual.Item{Name: "--" + f.Name + " " + arg, Text: strings.ReplaceAll(f.Usage, "`", "")})
		case *cli.BoolFlag:
			sec.Items = append(sec.Items, manual.Item{Name: "--" + f.Name, Text: f.Usage})
		}
	}
	return sec
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	app := cliapp.NewApp(tool, "push packet captures to files and remotes, one pipeline per target", stdout, stderr)
	h := help
	h.Sections = append(slices.Clone(help.Sections), statusSection())
	manual.SetHelp(app, h)
	app.Flags = append(flags(), &cli.BoolFlag{Name: "man-config", Hidden: true, Usage: "write the man page push_realtime.lua(5) to stdout"})
	app.Commands = []*cli.Command{statusCommand(stdout)}
	app.Action = func(c *cli.Context) error {
		if c.Bool("man-config") {
			return config.WriteMan(stdout, manual.ManDate(), cliapp.Version)
		}
		if c.NArg() > 0 {
			return exitcode.Usagef("unexpected argument %q (the one command is status)", c.Args().First())
		}
		return pushMain(ctx, c, stdout, stderr)
	}
	return cliapp.Run(ctx, app, args)
}

func usageErr(err error) error {
	if err == nil {
		return nil
	}
	return &exitcode.UsageError{Err: err}
}
