// Command pcap_split reads a PCAP stream on stdin and writes it as a series
// of files split by packet time or by size.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/pcappush/pcappush/lib/cliapp"
	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/event"
	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/hook"
	"github.com/pcappush/pcappush/lib/install"
	"github.com/pcappush/pcappush/lib/manual"
	"github.com/pcappush/pcappush/lib/output"
	"github.com/pcappush/pcappush/lib/redact"
	"github.com/pcappush/pcappush/lib/split"
	"github.com/pcappush/pcappush/lib/state/ledger"
	"github.com/pcappush/pcappush/lib/units"
)

const tool = "pcap_split"

func main() { os.Exit(cliapp.Main(tool, run)) }

var help = manual.Help{
	Synopsis: []string{"pcap_split (--split-time NS | --split-byte BYTES) --filename-FORMAT -o PREFIX [options] < in.pcap"},
	Description: `Reads a PCAP or pcapng stream on stdin and writes it as a series of
nanosecond pcap files, by packet time or by size, and publishes each
atomically: it is written as NAME.pending, synced and renamed without
replacing anything, so a final name always means a complete file, and a
published file is never replaced. When NAME already exists and holds the
same bytes (a run done again over the same input), the split counts as
published and is not written again (a line says so, and the summary
counts the splits skipped); when it holds other bytes, the split is
published as NAME_2 (then _3, ...) with a warning, or, when those bytes
are the split's own first packets (a split cut short by a stop), only the
rest of it is. --overwrite replaces instead. The same holds for --rclone remotes, where existing objects are
compared by size and hash (or their bytes where the store gives no hash).
A symbolic link found at NAME.pending or NAME is refused.

Time splits are half-open intervals aligned to multiples of the split time
since the epoch (60e9: one file per UTC minute; a packet at hh:mm:00.000
starts the next file); an interval without packets makes no file. Size
splits never exceed BYTES, the 24-byte file header included; a packet
larger than that gets a file of its own. Names are PREFIX, then _ (none
when PREFIX ends in /), the time part of --filename-FORMAT in UTC, then
the suffix. A packet stamped before the open split is written to it and
counted as reordered, never dropped.

A packet whose time is out of the clock by more than --clock-tolerance
(later than the wall clock by more, earlier than the open or last split by
more, or ahead of its neighbours by more and followed by packets back at
the old time) goes into a time split of its own interval, published at the
next clock tick or packet with a warning, and does not move the clock: the
split it came in continues as NAME_2, and later splits are published on
time. A clock tick later than the wall clock by more is not believed.

Clock ticks (records without bytes, from stream_cat --follow) and
--idle-close complete time splits on a quiet link. At end of input,
SIGTERM or SIGINT the open split is completed and published. Progress goes
to stderr at each new split and about every 80 MB, in the form

   [0.001 H][2021-05-24 18:51:04] NAME : Total Bytes 0.080 GB Speed: 0.256Gbps : New Split`,
	Examples: []manual.Example{
		{Comment: "one file per UTC minute, named by its bounds: /data/push/1621849860-1621849920.pcap",
			Command: "stream_cat --follow capture1 | pcap_split -o /data/push/ --split-time 60e9 --filename-epoch-sec-startend"},
		{Comment: "files of at most 1 GB, compressed with gzip: /data/push/all_20210524_095104.pcap.gz",
			Command: `pcap_split -o /data/push/all --split-byte 1e9 --filename-tstr-HHMMSS --pipe-cmd "gzip -c -1" --filename-suffix .pcap.gz < in.pcap`},
		{Comment: `one zstd file per minute into the S3 bucket "pcap" of the rclone remote s3-fmad: all_20210524_095100.pcap.zst`,
			Command: "pcap_split --rclone -o s3-fmad://pcap/all --split-time 60e9 --filename-tstr-HHMMSS --compress zstd:1 < in.pcap"},
	},
	SeeAlso: []string{"editcap(1)", "tcpdump(8)"},
}

func flags() []cli.Flag {
	fs := []cli.Flag{
		&cli.StringFlag{Name: "split-time", Usage: "split by packet time every `NS` nanoseconds, aligned to the epoch (60e9: one file per minute)"},
		&cli.StringFlag{Name: "split-byte", Usage: "split by size: files of at most `BYTES` bytes (1e9, 512MB)"},
		&cli.StringFlag{Name: "o", Usage: "output `PREFIX`: /data/push/all gives /data/push/all_TIME.pcap; /data/push/ gives /data/push/TIME.pcap; {host} in it is --host"},
		&cli.StringFlag{Name: "host", Usage: "this machine's `NAME` as {host} in -o (default: the host name up to its first dot)"},
		&cli.StringFlag{Name: "filename-suffix", Value: split.DefaultSuffix, Usage: "file name `SUFFIX`, e.g. .pcap.gz"},
		&cli.StringFlag{Name: "pipe-cmd", Usage: "pass each split through shell `COMMAND` (stdin to stdout), e.g. \"gzip -c -1\"; after --compress when both are given"},
		&cli.DurationFlag{Name: "pipe-timeout", Value: split.DefaultPipeTimeout, Usage: "kill a --pipe-cmd that reads nothing, or does not exit after its input ends, for `D`; the split fails"},
		&cli.StringFlag{Name: "compress", Usage: "compress in process with `ALGO`[:LEVEL]: gzip (1-9, default 6), zstd (1-22, default 3) or lz4 (1-9, default 1); the suffix defaults to .pcap.gz, .pcap.zst or .pcap.lz4"},
		&cli.BoolFlag{Name: "overwrite", Usage: "publish over a file (or object) already under a split's name, instead of keeping it and publishing as NAME_2 when it differs"},
		&cli.BoolFlag{Name: "rclone", Usage: "upload through rclone (built in): -o is REMOTE://PATH (absolute) or REMOTE:PATH, a remote of the rclone config"},
		&cli.StringFlag{Name: "rclone-config", Usage: "rclone config `FILE` (default $RCLONE_CONFIG, else " + install.RcloneConfig + "); never written to"},
		&cli.DurationFlag{Name: "rclone-sweep-age", Value: output.DefaultSweepAge, Usage: "at start, abort S3 multipart uploads under the folder older than `D` (0: never)"},
		&cli.StringFlag{Name: "uid", Usage: "`ID` shown in the log (push_realtime passes push_<ns>)"},
		&cli.DurationFlag{Name: "idle-close", Value: split.DefaultIdleClose, Usage: "complete a time split `D` after its end when stdin is quiet (0: never)"},
		&cli.DurationFlag{Name: "clock-tolerance", Value: split.DefaultClockTolerance, Usage: "a packet more than `D` ahead of the wall clock, or behind the split it comes in, goes into a split of its own without moving the split clock (0: off)"},
		&cli.StringFlag{Name: "ledger", Usage: "record each published split in `FILE` (for exactly-once resume)"},
		&cli.BoolFlag{Name: "resume", Usage: "continue after the last split recorded in the --ledger file (stream_cat must --resume at its checkpoint)"},
		&cli.StringFlag{Name: "checkpoint-every", Usage: "ticks stamped at multiples of `NS` are stream_cat's checkpoints (give stream_cat's value)"},
		&cli.StringFlag{Name: "after", Usage: "no time split starts before `NS` (the end of the last split published from an earlier capture)"},
		&cli.StringFlag{Name: "post-cmd", Usage: "run `COMMAND` after each split is published (not for one found already published), given its name, bytes, packets, first and last packet ns as $1..$5 and PCAPPUSH_SPLIT_* variables; a failure is logged, not fatal"},
		cliapp.EventsFlag("splits published, warnings, Post failures, counters at the end"),
		&cli.DurationFlag{Name: "post-timeout", Value: hook.DefaultTimeout, Usage: "kill a --post-cmd running longer than `D`"},
		&cli.IntFlag{Name: "post-jobs", Value: hook.DefaultJobs, Usage: "run at most `N` --post-cmd at once; publishing waits for a free one"},
	}
	names := []string{"name by the start and end epoch seconds: 1616334655-1616334755.pcap",
		"name by the start epoch second: 1616334655.pcap",
		"name by the UTC start minute: 20211201_2350.pcap",
		"name by the UTC start second: 20211201_235059.pcap",
		"name by the UTC start to the nanosecond: 20211201_235059.123.456.789.pcap"}
	for i, n := range split.NameFlags() {
		fs = append(fs, &cli.BoolFlag{Name: n, Usage: names[i]})
	}
	return fs
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	app := cliapp.NewApp(tool, "split a PCAP stream on stdin into files by time or size", stdout, stderr)
	manual.SetHelp(app, help)
	app.Flags = flags()
	app.Action = func(c *cli.Context) error {
		// A connection string given as -o may hold a password or a key:
		// keep it out of every message (split names include the prefix).
		if r, err := output.ParseRemote(c.String("o")); err == nil && c.Bool("rclone") && len(r.SecretOptions()) > 0 {
			return redact.Error(split1(ctx, c, stdin, redact.Writer{W: stderr, Redact: r.Redact}), r.Redact)
		}
		return split1(ctx, c, stdin, stderr)
	}
	return cliapp.Run(ctx, app, args)
}

func split1(ctx context.Context, c *cli.Context, stdin io.Reader, stderr io.Writer) error {
	opts, err := options(c)
	if err != nil {
		return err
	}
	ev, err := cliapp.OpenEvents(c, tool)
	if err != nil {
		return err
	}
	defer ev.Close() //nolint:errcheck // events are best effort
	opts.Events = ev
	oo := outputOptions(c, opts, stderr)
	oo.Events = ev
	if err := output.Check(opts.Prefix, oo); err != nil {
		return exitcode.Usagef("%w", err)
	}
	if path := c.String("ledger"); path != "" {
		l, err := ledger.Open(path) // waits for a previous pipeline's pcap_split
		if err != nil {
			return err
		}
		defer l.Close() //nolint:errcheck // every entry was synced when written
		if c.Bool("resume") {
			if err := resumeAfter(l, &opts); err != nil {
				return err
			}
		}
		opts.OnPublish = func(i ledger.Entry) error { return l.Append(i) }
	} else if c.Bool("resume") {
		return exitcode.Usagef("--resume needs --ledger FILE")
	}
	opts.OnPublish = announce(opts.OnPublish, ev)
	post, err := postRunner(c, stderr, ev)
	if err != nil {
		return err
	}
	if post != nil {
		opts.OnPublish = withPost(opts.OnPublish, post)
	}
	opts.OnPublish = warnOutOfClock(opts.OnPublish, opts.ClockTolerance, stderr, ev)
	preamble(stderr, c, opts)
	out, err := output.Open(ctx, opts.Prefix, oo)
	var cerr *output.ConfigError
	if errors.As(err, &cerr) {
		return exitcode.Usagef("%w", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "output: %s\n", out.Where)
	if c.Bool("rclone") {
		if w := output.ConfigPermWarning(output.RcloneConfigPath(c.String("rclone-config")), os.Getgid()); w != "" {
			fmt.Fprintf(stderr, "%s: warning: %s\n", tool, w)
			ev.Warn("%s", w)
		}
	}
	if oo.Compress != "" {
		// The encoder sets the pace, not the size of the writes; the
		// smaller buffer (at least room for two of the largest records)
		// keeps 5 MB less in memory.
		opts.ReadBuffer = 512 << 10
	}
	st, err := split.Run(ctx, stdin, "stdin", opts, out, stderr)
	if cerr := out.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if post != nil {
		post.Wait()
	}
	fmt.Fprintf(stderr, "%s: done: %s\n", tool, st.Summary())
	ev.Counts(st.Counts())
	return err
}

// outputOptions turns the output flags into output.Options.
func outputOptions(c *cli.Context, o split.Options, stderr io.Writer) output.Options {
	age := c.Duration("rclone-sweep-age")
	if age <= 0 {
		age = -1
	}
	return output.Options{
		Rclone: c.Bool("rclone"), RcloneConfig: c.String("rclone-config"),
		Compress: c.String("compress"), PipeCmd: c.String("pipe-cmd"), PipeTimeout: setDuration(c, "pipe-timeout"),
		Suffix: o.Suffix, NamesFinal: o.Time != 0, SweepAge: age, Overwrite: c.Bool("overwrite"),
		Log: stderr, LogPrefix: tool + ": ",
	}
}

// setDuration is a duration flag's value when given, else 0 (the default).
func setDuration(c *cli.Context, name string) time.Duration {
	if c.IsSet(name) {
		return c.Duration(name)
	}
	return 0
}

// postRunner returns the --post-cmd runner, nil without one.
func postRunner(c *cli.Context, stderr io.Writer, ev *event.Writer) (*hook.Runner, error) {
	cmd := c.String("post-cmd")
	if cmd == "" {
		return nil, nil
	}
	if strings.TrimSpace(cmd) == "" || strings.ContainsRune(cmd, 0) {
		return nil, exitcode.Usagef("--post-cmd %q: want a command", cmd)
	}
	if d := c.Duration("post-timeout"); d <= 0 {
		return nil, exitcode.Usagef("--post-timeout %v: want a positive duration", d)
	}
	if n := c.Int("post-jobs"); n < 1 || n > hook.MaxJobs {
		return nil, exitcode.Usagef("--post-jobs %d: want 1 to %d", n, hook.MaxJobs)
	}
	return &hook.Runner{Command: cmd, Timeout: c.Duration("post-timeout"), Jobs: c.Int("post-jobs"), Stderr: stderr, Prefix: tool + ": ", Events: ev}, nil
}

// warnOutOfClock logs a split of packets out of the clock, then calls next
// (when not nil).
func warnOutOfClock(next func(ledger.Entry) error, tol time.Duration, stderr io.Writer, ev *event.Writer) func(ledger.Entry) error {
	return func(i ledger.Entry) error {
		if i.Outlier {
			msg := fmt.Sprintf("%s: %d packets stamped out of the clock by more than %v (first %s, last %s): published apart, the split clock unchanged",
				i.Name, i.Packets, tol, time.Unix(0, i.First).UTC().Format(time.RFC3339Nano), time.Unix(0, i.Last).UTC().Format(time.RFC3339Nano))
			fmt.Fprintf(stderr, "%s: warning: %s\n", tool, msg)
			ev.Warn("%s", msg)
		}
		if next == nil {
			return nil
		}
		return next(i)
	}
}

// announce writes the split's event once publish (the ledger entry, when
// not nil) has succeeded.
func announce(publish func(ledger.Entry) error, ev *event.Writer) func(ledger.Entry) error {
	return func(i ledger.Entry) error {
		if publish != nil {
			if err := publish(i); err != nil {
				return err
			}
		}
		ev.Published(i)
		return nil
	}
}

// withPost runs the post command after publish (the ledger entry) succeeds.
func withPost(publish func(ledger.Entry) error, post *hook.Runner) func(ledger.Entry) error {
	return func(i ledger.Entry) error {
		if publish != nil {
			if err := publish(i); err != nil {
				return err
			}
		}
		if i.Existed {
			return nil // published, and its command run, before
		}
		post.Run(i)
		return nil
	}
}

// options turns the flags into split.Options; every mistake is a usage error.
func options(c *cli.Context) (split.Options, error) {
	if c.NArg() > 0 {
		return split.Options{}, exitcode.Usagef("unexpected argument %q: pcap_split reads stdin", c.Args().First())
	}
	o := split.Options{Suffix: c.String("filename-suffix"), UID: c.String("uid"), IdleClose: c.Duration("idle-close"),
		ClockTolerance: c.Duration("clock-tolerance")}
	var err error
	if o.Prefix, err = expandPrefix(c); err != nil {
		return o, err
	}
	switch {
	case o.ClockTolerance < 0:
		return o, exitcode.Usagef("--clock-tolerance must not be negative")
	case o.ClockTolerance == 0:
		o.ClockTolerance = -1 // off
	}
	if err := outputFlags(c, &o); err != nil {
		return o, err
	}
	if v := c.String("split-time"); c.IsSet("split-time") {
		if o.Time, err = units.ParseCount(v, false); err != nil {
			return o, exitcode.Usagef("--split-time %q: %w", v, err)
		}
	}
	if v := c.String("split-byte"); c.IsSet("split-byte") {
		if o.Bytes, err = units.ParseCount(v, true); err != nil {
			return o, exitcode.Usagef("--split-byte %q: %w", v, err)
		}
	}
	var picked []string
	for _, n := range split.NameFlags() {
		if c.Bool(n) {
			picked = append(picked, "--"+n)
			o.Name, _ = split.ParseNameFormat(n)
		}
	}
	if len(picked) > 1 {
		return o, exitcode.Usagef("file name options exclude each other: %s", strings.Join(picked, ", "))
	}
	if o.IdleClose < 0 {
		return o, exitcode.Usagef("--idle-close must not be negative")
	}
	if err := resumeOptions(c, &o); err != nil {
		return o, err
	}
	if err := o.Validate(); err != nil {
		return o, exitcode.Usagef("%w", err)
	}
	return o, nil
}

// expandPrefix returns -o with {host} expanded: --host, else the short
// host name. {desc} and {capture} are push_realtime's; here they are
// errors, as is any other placeholder.
func expandPrefix(c *cli.Context) (string, error) {
	prefix := c.String("o")
	var v config.PathValues
	var err error
	switch {
	case c.IsSet("host"):
		if v.Host = c.String("host"); config.CheckHost(v.Host) != nil {
			return "", exitcode.Usagef("--host: %w", config.CheckHost(v.Host))
		}
	case config.HasPlaceholder(prefix, config.PlaceholderHost):
		if v.Host, err = config.ShortHostname(); err != nil {
			return "", exitcode.Usagef("-o %q: {host}: %w: give --host", prefix, err)
		}
	}
	if prefix, err = config.ExpandPath(prefix, v); err != nil {
		return "", exitcode.Usagef("-o %w", err)
	}
	return prefix, nil
}

// outputFlags checks the output flags that shape split.Options: the
// suffix follows --compress unless --filename-suffix is given.
func outputFlags(c *cli.Context, o *split.Options) error {
	if v := c.String("compress"); v != "" && !c.IsSet("filename-suffix") {
		var err error
		if o.Suffix, err = output.Suffix(output.Options{Compress: v}); err != nil {
			return exitcode.Usagef("--compress: %w", err)
		}
	}
	if c.IsSet("rclone-config") && !c.Bool("rclone") {
		return exitcode.Usagef("--rclone-config needs --rclone")
	}
	return nil
}

// preamble logs what the run will do, as the reference's log does.
func preamble(w io.Writer, c *cli.Context, o split.Options) {
	if o.UID != "" {
		fmt.Fprintf(w, "pcap_split UID [%s]\n", o.UID)
	}
	if o.Time != 0 {
		fmt.Fprintf(w, "split every %.9g s of packet time\n", float64(o.Time)/1e9)
	} else {
		fmt.Fprintf(w, "split every %d bytes\n", o.Bytes)
	}
	fmt.Fprintf(w, "file names: %s, e.g. %s\n", o.Name.Describe(), split.JoinName(o.Prefix, o.Name.TimePart(1621849860e9, 1621849920e9), o.Suffix))
	if v := c.String("compress"); v != "" {
		fmt.Fprintf(w, "compress [%s]\n", v)
	}
	if cmd := c.String("pipe-cmd"); cmd != "" {
		fmt.Fprintf(w, "pipe cmd [%s]\n", cmd)
	}
	if cmd := c.String("post-cmd"); cmd != "" {
		fmt.Fprintf(w, "post cmd [%s]\n", cmd)
	}
	if r := o.Resume; r.Skip > 0 || r.End > 0 || r.Base != "" {
		fmt.Fprintf(w, "resuming after the last published split: skipping %d packets already published; no split before %d\n", r.Skip, r.End)
	}
	if c.Bool("rclone") {
		fmt.Fprintf(w, "Output Mode RClone, config %s\n", output.RcloneConfigPath(c.String("rclone-config")))
	}
}

// resumeOptions reads --checkpoint-every, --after and --resume.
func resumeOptions(c *cli.Context, o *split.Options) error {
	var err error
	if v := c.String("checkpoint-every"); v != "" {
		if o.CheckpointEvery, err = units.ParseCount(v, false); err != nil {
			return exitcode.Usagef("--checkpoint-every %q: %w", v, err)
		}
	}
	if v := c.String("after"); v != "" {
		if o.Resume.End, err = units.ParseCount(v, false); err != nil {
			return exitcode.Usagef("--after %q: %w", v, err)
		}
	}
	return nil
}

// resumeAfter sets o to continue after the last split the ledger records:
// at its resume point, with the clock of the last split that is not an
// outlier (a split of packets out of the clock does not move it).
func resumeAfter(l *ledger.Ledger, o *split.Options) error {
	es, err := l.Entries()
	if err != nil {
		return err
	}
	if len(es) == 0 {
		return nil // nothing published yet: start from the beginning
	}
	last := es[len(es)-1]
	if !last.HasCkpt {
		return fmt.Errorf("ledger: the last split (%s) has no checkpoint to resume after", last.Name)
	}
	o.Resume = split.Resume{Skip: last.Skip, Ckpt: last.Ckpt, HasCkpt: true}
	if clock, ok := ledger.Clock(es); ok {
		o.Resume.Base, o.Resume.Dup = clock.Base, clock.Dup
		if o.Time != 0 {
			o.Resume.End = clock.End
		}
	}
	return nil
}
