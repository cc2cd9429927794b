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
	"github.com/pcappush/pcappush/lib/cliutil"
	"github.com/pcappush/pcappush/lib/state"
)

const tool = "stream_cat"

func main() { os.Exit(cliutil.Main(tool, run)) }

var help = cliutil.Help{
	Synopsis: []string{
		"stream_cat [--store DIR] [--follow] [--uid UID] [--start-time T] [--end-time T] [options] CAPTURE > out.pcap",
		"stream_cat --list [--store DIR]",
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
writes checkpoints under --state-dir/UID for an exact --resume.`,
	Examples: []cliutil.Example{
		{Comment: "push the live capture, one file per minute",
			Command: "stream_cat --follow --uid push_1622272417078768896 capture1_20210521_0101 | pcap_split -o /data/push/ --split-time 60e9 --filename-epoch-sec-startend"},
		{Comment: "ten minutes of a stored capture, for Wireshark",
			Command: "stream_cat --start-time 2021-05-21T01:10:00Z --end-time 2021-05-21T01:20:00Z capture1_20210521_0101 > ten.pcap"},
		{Comment: "what the store holds", Command: "stream_cat --list --store /var/lib/pcappush/capture"},
	},
	SeeAlso: []string{"tcpdump(8)", "dumpcap(1)"},
}

func flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "store", Value: capture.DefaultStore, EnvVars: []string{"PCAPPUSH_STORE"}, Usage: "capture store `DIR`: one sub-folder per capture"},
		&cli.BoolFlag{Name: "list", Usage: "list the store's captures: name, chunks, bytes, first and last packet time, active"},
		&cli.BoolFlag{Name: "follow", Aliases: []string{"f"}, Usage: "keep reading as the recorder writes, until the capture is finished"},
		&cli.StringFlag{Name: "start-time", Usage: "skip packets before `T`"},
		&cli.StringFlag{Name: "end-time", Usage: "skip packets at or after `T` (following: stop once the clock passes it)"},
		&cli.StringFlag{Name: "uid", Usage: "reader `UID`, shown in logs; keeps checkpoints under --state-dir/UID"},
		&cli.StringFlag{Name: "state-dir", Value: state.Default, EnvVars: []string{"PCAPPUSH_STATE"}, Usage: "state `DIR` for checkpoints (with --uid)"},
		&cli.StringFlag{Name: "checkpoint-every", Value: "1e9", Usage: "checkpoint every `NS` nanoseconds of packet time (with --uid)"},
		&cli.StringFlag{Name: "resume", Usage: "start at checkpoint `E` (ns) recorded for --uid, re-emitting its tick"},
		&cli.BoolFlag{Name: "no-ticks", Usage: "no idle clock ticks while following"},
		&cli.DurationFlag{Name: "tick-lag", Value: capture.DefaultTickLag, Usage: "idle ticks lag the clock by at least `D` (more when the recorder delays packets)"},
		&cli.DurationFlag{Name: "active-window", Value: capture.DefaultActiveWindow, Usage: "a capture without a .complete marker is active until quiet for `D`"},
		&cli.BoolFlag{Name: "skip-bad", Usage: "warn about a corrupt chunk and go on with the next"},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "log each chunk as it starts"},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	app := cliutil.NewApp(tool, "write a capture from the store to stdout as one PCAP stream", stdout, stderr)
	cliutil.SetHelp(app, help)
	app.Flags = flags()
	app.Action = func(c *cli.Context) error { return cat(ctx, c, stdout, stderr) }
	err := cliutil.Run(ctx, app, args)
	if errors.Is(err, syscall.EPIPE) {
		return nil // downstream closed: end quietly, as cat does
	}
	return err
}

func cat(ctx context.Context, c *cli.Context, stdout, stderr io.Writer) error {
	if c.Bool("list") {
		if c.NArg() > 0 {
			return cliutil.Usagef("--list takes no capture (got %q)", c.Args().First())
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
	capt, err := capture.Resolve(c.String("store"), c.Args().First())
	if err != nil {
		return err
	}
	if opts.UID != "" {
		fmt.Fprintf(stderr, "stream_cat UID [%s]\n", opts.UID)
	}
	opts.Log = stderr
	st, err := capture.Cat(ctx, capt, stdout, opts)
	if opts.Verbose {
		fmt.Fprintf(stderr, "%s: done: %d chunks, %d packets, %.3f GB, %d ticks, %d chunks lost, %d skipped\n",
			tool, st.Chunks, st.Packets, float64(st.Bytes)/1e9, st.Ticks, st.Lost, st.Skipped)
	}
	return err
}
