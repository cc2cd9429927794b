// Command pcap_split reads a PCAP stream on stdin and writes it as a series
// of files split by packet time or by size.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pcappush/pcappush/lib/cliutil"
	"github.com/pcappush/pcappush/lib/hook"
	"github.com/pcappush/pcappush/lib/ledger"
	"github.com/pcappush/pcappush/lib/split"
)

const tool = "pcap_split"

func main() { os.Exit(cliutil.Main(tool, run)) }

const usageText = `pcap_split (--split-time NS | --split-byte BYTES) --filename-FORMAT -o PREFIX [options] < in.pcap

Examples:
   # one file per UTC minute, named by its bounds: /data/push/1621849860-1621849920.pcap
   stream_cat --follow capture1 | pcap_split -o /data/push/ --split-time 60e9 --filename-epoch-sec-startend

   # 1 GB files compressed with gzip: /data/push/all_20210524_095104.pcap.gz
   pcap_split -o /data/push/all --split-byte 1e9 --filename-tstr-HHMMSS --pipe-cmd "gzip -c -1" --filename-suffix .pcap.gz < in.pcap`

func flags() []cli.Flag {
	fs := []cli.Flag{
		&cli.StringFlag{Name: "split-time", Usage: "split by packet time every `NS` nanoseconds, aligned to the epoch (60e9: one file per minute)"},
		&cli.StringFlag{Name: "split-byte", Usage: "split by size: files of at most `BYTES` bytes (1e9, 512MB)"},
		&cli.StringFlag{Name: "o", Usage: "output `PREFIX`: /data/push/all gives /data/push/all_TIME.pcap; /data/push/ gives /data/push/TIME.pcap"},
		&cli.StringFlag{Name: "filename-suffix", Value: split.DefaultSuffix, Usage: "file name `SUFFIX`, e.g. .pcap.gz"},
		&cli.StringFlag{Name: "pipe-cmd", Usage: "pass each split through shell `COMMAND` (stdin to stdout), e.g. \"gzip -c -1\""},
		&cli.StringFlag{Name: "uid", Usage: "`ID` shown in the log (push_realtime passes push_<ns>)"},
		&cli.DurationFlag{Name: "idle-close", Value: split.DefaultIdleClose, Usage: "complete a time split this long after its end when stdin is quiet (0: never)"},
		&cli.StringFlag{Name: "ledger", Usage: "record each published split in `FILE` (for exactly-once resume)"},
		&cli.BoolFlag{Name: "resume", Usage: "continue after the last split recorded in the --ledger file (stream_cat must --resume at its checkpoint)"},
		&cli.StringFlag{Name: "checkpoint-every", Usage: "ticks stamped at multiples of `NS` are stream_cat's checkpoints (give stream_cat's value)"},
		&cli.StringFlag{Name: "after", Usage: "no time split starts before `NS` (the end of the last split published from an earlier capture)"},
		&cli.StringFlag{Name: "post-cmd", Usage: "run `COMMAND` after each split is published, given its name, bytes, packets, first and last packet ns as $1..$5 and PCAPPUSH_SPLIT_* variables; a failure is logged, not fatal"},
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
	app := cliutil.NewApp(tool, "split a PCAP stream on stdin into files by time or size", stdout, stderr)
	app.UsageText = usageText
	app.Flags = flags()
	app.Action = func(c *cli.Context) error { return split1(ctx, c, stdin, stderr) }
	return app.RunContext(ctx, args)
}

func split1(ctx context.Context, c *cli.Context, stdin io.Reader, stderr io.Writer) error {
	opts, err := options(c)
	if err != nil {
		return err
	}
	if err := split.CheckFolder(opts.Prefix); err != nil {
		return err
	}
	var sink split.Sink = split.FileSink{}
	if cmd := c.String("pipe-cmd"); cmd != "" {
		sink = split.PipeSink{Inner: sink, Command: cmd, Stderr: stderr}
	}
	if path := c.String("ledger"); path != "" {
		l, err := ledger.Open(path)
		if err != nil {
			return err
		}
		defer l.Close() //nolint:errcheck // every entry was synced when written
		opts.OnPublish = func(i split.Info) error { return l.Append(ledgerEntry(i)) }
	}
	post, err := postRunner(c, stderr)
	if err != nil {
		return err
	}
	if post != nil {
		opts.OnPublish = withPost(opts.OnPublish, post)
	}
	preamble(stderr, c, opts)
	st, err := split.Run(ctx, stdin, "stdin", opts, sink, stderr)
	if post != nil {
		post.Wait()
	}
	fmt.Fprintf(stderr, "%s: done: %s\n", tool, st.Summary())
	return err
}

// postRunner returns the --post-cmd runner, nil without one.
func postRunner(c *cli.Context, stderr io.Writer) (*hook.Runner, error) {
	cmd := c.String("post-cmd")
	if cmd == "" {
		return nil, nil
	}
	if strings.TrimSpace(cmd) == "" || strings.ContainsRune(cmd, 0) {
		return nil, cliutil.Usagef("--post-cmd %q: want a command", cmd)
	}
	if d := c.Duration("post-timeout"); d <= 0 {
		return nil, cliutil.Usagef("--post-timeout %v: want a positive duration", d)
	}
	if n := c.Int("post-jobs"); n < 1 || n > hook.MaxJobs {
		return nil, cliutil.Usagef("--post-jobs %d: want 1 to %d", n, hook.MaxJobs)
	}
	return &hook.Runner{Command: cmd, Timeout: c.Duration("post-timeout"), Jobs: c.Int("post-jobs"), Stderr: stderr, Prefix: tool + ": "}, nil
}

// withPost runs the post command after publish (the ledger entry) succeeds.
func withPost(publish func(split.Info) error, post *hook.Runner) func(split.Info) error {
	return func(i split.Info) error {
		if publish != nil {
			if err := publish(i); err != nil {
				return err
			}
		}
		post.Run(hook.Split{Name: i.Name, Bytes: i.Bytes, Packets: i.Packets, First: i.First, Last: i.Last})
		return nil
	}
}

// options turns the flags into split.Options; every mistake is a usage error.
func options(c *cli.Context) (split.Options, error) {
	if c.NArg() > 0 {
		return split.Options{}, cliutil.Usagef("unexpected argument %q: pcap_split reads stdin", c.Args().First())
	}
	o := split.Options{Prefix: c.String("o"), Suffix: c.String("filename-suffix"), UID: c.String("uid"), IdleClose: c.Duration("idle-close")}
	var err error
	if v := c.String("split-time"); c.IsSet("split-time") {
		if o.Time, err = cliutil.ParseCount(v, false); err != nil {
			return o, cliutil.Usagef("--split-time %q: %w", v, err)
		}
	}
	if v := c.String("split-byte"); c.IsSet("split-byte") {
		if o.Bytes, err = cliutil.ParseCount(v, true); err != nil {
			return o, cliutil.Usagef("--split-byte %q: %w", v, err)
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
		return o, cliutil.Usagef("file name options exclude each other: %s", strings.Join(picked, ", "))
	}
	if o.IdleClose < 0 {
		return o, cliutil.Usagef("--idle-close must not be negative")
	}
	if err := resumeOptions(c, &o); err != nil {
		return o, err
	}
	if err := o.Validate(); err != nil {
		return o, cliutil.Usagef("%w", err)
	}
	return o, nil
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
	if cmd := c.String("pipe-cmd"); cmd != "" {
		fmt.Fprintf(w, "pipe cmd [%s]\n", cmd)
	}
	if cmd := c.String("post-cmd"); cmd != "" {
		fmt.Fprintf(w, "post cmd [%s]\n", cmd)
	}
	if r := o.Resume; r.Skip > 0 || r.End > 0 || r.Base != "" {
		fmt.Fprintf(w, "resuming after the last published split: skipping %d packets already published; no split before %d\n", r.Skip, r.End)
	}
}

// resumeOptions reads --checkpoint-every, --after and --resume.
func resumeOptions(c *cli.Context, o *split.Options) error {
	var err error
	if v := c.String("checkpoint-every"); v != "" {
		if o.CheckpointEvery, err = cliutil.ParseCount(v, false); err != nil {
			return cliutil.Usagef("--checkpoint-every %q: %w", v, err)
		}
	}
	if v := c.String("after"); v != "" {
		if o.Resume.End, err = cliutil.ParseCount(v, false); err != nil {
			return cliutil.Usagef("--after %q: %w", v, err)
		}
	}
	if !c.Bool("resume") {
		return nil
	}
	path := c.String("ledger")
	if path == "" {
		return cliutil.Usagef("--resume needs --ledger FILE")
	}
	last, ok, err := ledger.Last(path)
	if err != nil {
		return err
	}
	if !ok {
		return nil // nothing published yet: start from the beginning
	}
	if !last.HasCkpt {
		return fmt.Errorf("ledger %s: the last split (%s) has no checkpoint to resume after", path, last.Name)
	}
	o.Resume = split.Resume{Skip: last.Skip, Base: last.Base, Dup: last.Dup}
	if o.Time != 0 {
		o.Resume.End = last.End
	}
	return nil
}

func ledgerEntry(i split.Info) ledger.Entry {
	return ledger.Entry{Name: i.Name, Start: i.Start, End: i.End, First: i.First, Last: i.Last, Packets: i.Packets, Bytes: i.Bytes,
		Ckpt: i.Ckpt, Skip: i.Skip, HasCkpt: i.HasCkpt, Base: i.Base, Dup: i.Dup}
}
