// Command stream_cat writes a capture from the capture store to stdout as
// one nanosecond PCAP stream, and follows a live capture as its recorder
// writes and rotates it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/pcappush/pcappush/lib/capture"
	"github.com/pcappush/pcappush/lib/cliapp"
	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/install"
	"github.com/pcappush/pcappush/lib/manual"
	"github.com/pcappush/pcappush/lib/output"
	_ "github.com/pcappush/pcappush/lib/output/backends" // the remotes --from reads
	"github.com/pcappush/pcappush/lib/window"
)

const tool = "stream_cat"

func main() { os.Exit(cliapp.Main(tool, run)) }

var help = manual.Help{
	Synopsis: []string{
		"stream_cat [--store DIR] [--follow] [--uid UID] [--start-time T] [--end-time T] [options] CAPTURE > out.pcap",
		"stream_cat --list [--store DIR]",
		"stream_cat --from DEST [--from DEST ...] [--start-time T] [--end-time T] [--rclone-config FILE] [--skip-bad] > window.pcap",
		"stream_cat --list --from DEST [--start-time T] [--end-time T]",
	},
	Description: `Writes a capture from the capture store to stdout as one nanosecond PCAP
stream, and with --follow keeps reading as the recorder writes and rotates
it, until the capture is finished (a .complete marker, or a newer capture
and this one quiet for --active-window).

CAPTURE is a capture name in the store, or a path (with a /) to a capture
folder or to one capture file. A capture is a folder of chunks (*.pcap,
*.pcapng, *.cap, tcpdump -C names, each possibly .gz, .zst or .lz4) read in
name order, runs of digits compared as numbers.

T is epoch nanoseconds, epoch seconds with a fraction (1621849860.5; ten
digits or fewer: seconds), or RFC 3339 (2021-05-21T01:10:00Z).

While following, an idle stream_cat emits clock ticks (records without
bytes) so that pcap_split closes time splits on a quiet link. With --uid it
writes checkpoints under --state-dir/UID for an exact --resume. A packet
stamped more than --clock-tolerance after the wall clock (a recorder's
clock that jumped) is emitted but moves neither the ticks nor the
checkpoints, which keep to the clock.

Chunks must be regular files in the capture's folder: a FIFO, device or
symbolic link of a chunk's name is never opened and is reported as a bad
chunk (an error, or a warning with --skip-bad); --list does not count it.
CAPTURE given as a path may be a link.

With --from it reads back what pushes published instead: DEST is a push
target's Path, a local prefix (/mnt/remote0/push/all) or an rclone one
(s3-fmad://pcap/sensor7/all, remote:pcap/sensor7/all), with * in folder
names to take every sensor (s3-fmad://pcap/*/all). The splits whose names
meet [--start-time, --end-time) are read, in parallel and decompressed by
their suffix (.gz, .zst, .lz4); their packets in the window are merged
by time into one stream, without ticks. --list --from shows the splits it
would read.`,
	Examples: []manual.Example{
		{Comment: "push the live capture, one file per minute",
			Command: "stream_cat --follow --uid push_1622272417078768896 capture1_20210521_0101 | pcap_split -o /data/push/ --split-time 60e9 --filename-epoch-sec-startend"},
		{Comment: "ten minutes of a stored capture, for Wireshark",
			Command: "stream_cat --start-time 2021-05-21T01:10:00Z --end-time 2021-05-21T01:20:00Z capture1_20210521_0101 > ten.pcap"},
		{Comment: "what the store holds", Command: "stream_cat --list --store /var/lib/pcappush/capture"},
		{Comment: "an incident: two minutes from every sensor of the bucket, one host's packets",
			Command: "stream_cat --from 's3-fmad://pcap/*/all' --start-time 2021-05-21T14:02:10Z --end-time 2021-05-21T14:04:30Z | pcap_filter --bpf 'host 10.1.2.3' > incident.pcap"},
		{Comment: "which splits hold that window", Command: "stream_cat --list --from 's3-fmad://pcap/*/all' --start-time 2021-05-21T14:02:10Z --end-time 2021-05-21T14:04:30Z"},
	},
	SeeAlso: []string{"tcpdump(8)", "dumpcap(1)"},
}

func flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "store", Value: install.Store, EnvVars: []string{"PCAPPUSH_STORE"}, Usage: "capture store `DIR`: one sub-folder per capture"},
		&cli.BoolFlag{Name: "list", Usage: "list the store's captures: name, chunks, bytes, first and last packet time, active; with --from, the splits that meet the window: folder, name, time range, bytes"},
		&cli.StringSliceFlag{Name: "from", Usage: "read the splits pushes published under `DEST` (a local or rclone prefix, * in folder names; repeatable) instead of a capture"},
		&cli.StringFlag{Name: "rclone-config", Usage: "rclone config `FILE` for --from (default $RCLONE_CONFIG, else " + install.RcloneConfig + "); never written to"},
		&cli.BoolFlag{Name: "follow", Aliases: []string{"f"}, Usage: "keep reading as the recorder writes, until the capture is finished"},
		&cli.StringFlag{Name: "start-time", Usage: "skip packets before `T`"},
		&cli.StringFlag{Name: "end-time", Usage: "skip packets at or after `T` (following: stop once the clock passes it)"},
		&cli.StringFlag{Name: "uid", Usage: "reader `UID`, shown in logs; keeps checkpoints under --state-dir/UID"},
		&cli.StringFlag{Name: "state-dir", Value: install.StateDir, EnvVars: []string{"PCAPPUSH_STATE"}, Usage: "state `DIR` for checkpoints (with --uid)"},
		&cli.StringFlag{Name: "checkpoint-every", Value: "1e9", Usage: "checkpoint every `NS` nanoseconds of packet time (with --uid)"},
		&cli.StringFlag{Name: "resume", Usage: "start at checkpoint `E` (ns) recorded for --uid, re-emitting its tick"},
		&cli.BoolFlag{Name: "no-ticks", Usage: "no idle clock ticks while following"},
		&cli.DurationFlag{Name: "tick-lag", Value: capture.DefaultTickLag, Usage: "idle ticks lag the clock by at least `D` (more when the recorder delays packets)"},
		&cli.DurationFlag{Name: "clock-tolerance", Value: capture.DefaultClockTolerance, Usage: "a packet stamped more than `D` after the wall clock moves neither idle ticks nor checkpoints (0: no limit)"},
		&cli.DurationFlag{Name: "active-window", Value: capture.DefaultActiveWindow, Usage: "a capture without a .complete marker is active until quiet for `D`"},
		&cli.BoolFlag{Name: "skip-bad", Usage: "warn about a corrupt chunk (with --from: a bad split, naming the time range not read) and go on with the next"},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "log each chunk as it starts"},
		cliapp.EventsFlag("where it reads, warnings, chunks lost, counters at the end; not with --from or --list"),
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	app := cliapp.NewApp(tool, "write a capture from the store to stdout as one PCAP stream", stdout, stderr)
	manual.SetHelp(app, help)
	app.Flags = flags()
	app.DisableSliceFlagSeparator = true // --from may hold commas (rclone connection strings)
	app.Action = func(c *cli.Context) error { return cat(ctx, c, stdout, stderr) }
	err := cliapp.Run(ctx, app, args)
	if errors.Is(err, syscall.EPIPE) {
		return nil // downstream closed: end quietly, as cat does
	}
	return err
}

func cat(ctx context.Context, c *cli.Context, stdout, stderr io.Writer) error {
	if c.IsSet("events") && (c.IsSet("from") || c.Bool("list")) {
		return exitcode.Usagef("--events is for reading a capture, not with --from or --list")
	}
	if c.IsSet("from") {
		return fromDest(ctx, c, stdout, stderr)
	}
	if c.IsSet("rclone-config") {
		return exitcode.Usagef("--rclone-config needs --from")
	}
	if c.Bool("list") {
		if c.NArg() > 0 {
			return exitcode.Usagef("--list takes no capture (got %q)", c.Args().First())
		}
		infos, err := capture.Store{Dir: c.String("store")}.List(c.Duration("active-window"), time.Now())
		if err != nil {
			return err
		}
		return capture.WriteList(stdout, infos)
	}
	opts, err := options(c)
	if err != nil {
		return err
	}
	if opts.Events, err = cliapp.OpenEvents(c, tool); err != nil {
		return err
	}
	defer opts.Events.Close() //nolint:errcheck // events are best effort
	capt, err := capture.Resolve(c.String("store"), c.Args().First())
	if err != nil {
		return err
	}
	if opts.UID != "" {
		fmt.Fprintf(stderr, "stream_cat UID [%s]\n", opts.UID)
	}
	opts.Log = stderr
	st, err := capture.Cat(ctx, capt, stdout, opts)
	opts.Events.Counts(st.Counts())
	if opts.Verbose {
		fmt.Fprintf(stderr, "%s: done: %d chunks, %d packets, %.3f GB, %d ticks, %d chunks lost, %d skipped\n",
			tool, st.Chunks, st.Packets, float64(st.Bytes)/1e9, st.Ticks, st.Lost, st.Skipped)
	}
	return err
}

// fromDest reads (or with --list lists) a time window back from where
// pushes published their splits.
func fromDest(ctx context.Context, c *cli.Context, stdout, stderr io.Writer) error {
	opts, err := windowOptions(c)
	if err != nil {
		return err
	}
	opts.Log = stderr
	if c.Bool("list") {
		series, err := window.List(ctx, opts)
		if err != nil {
			return windowErr(err)
		}
		return window.WriteList(stdout, series, opts)
	}
	st, err := window.Read(ctx, stdout, opts)
	if c.Bool("verbose") {
		fmt.Fprintf(stderr, "%s: done: %d sources, %d splits (%.3f GB as stored), %d skipped, %d packets\n",
			tool, st.Sources, st.Splits, float64(st.Bytes)/1e9, st.Skipped, st.Packets)
	}
	return windowErr(err)
}

// windowErr makes option and rclone config mistakes usage errors.
func windowErr(err error) error {
	var ce *output.ConfigError
	if errors.Is(err, window.ErrUsage) || errors.As(err, &ce) {
		return &exitcode.UsageError{Err: err}
	}
	return err
}
