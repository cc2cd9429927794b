// Command pcap_filter copies a PCAP stream from stdin to stdout, keeping
// the packets a tcpdump filter expression matches and every clock tick.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/pcappush/pcappush/lib/bpf"
	"github.com/pcappush/pcappush/lib/cliapp"
	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/filter"
	"github.com/pcappush/pcappush/lib/manual"
)

const tool = "pcap_filter"

func main() { os.Exit(cliapp.Main(tool, run)) }

var help = manual.Help{
	Synopsis: []string{"pcap_filter (--bpf EXPR | -F FILE | EXPR...) [--stats] < in.pcap > out.pcap"},
	Description: `Copies a PCAP or pcapng stream from stdin to stdout as nanosecond pcap,
keeping the packets a tcpdump filter expression matches (see
pcap-filter(7)) and every clock tick. The expression is compiled by the
system's libpcap for the stream's link type, as tcpdump -r compiles it; the
output equals what tcpdump --time-stamp-precision nano -r in.pcap -w - EXPR
writes, packet for packet.

Exactly one of --bpf, -F and trailing words gives the expression; put --
before trailing words that start with -. Like tcpdump, a filter sees the
outermost headers: run pcap_decap first to filter on tunnelled traffic. A
bad expression is a usage error (exit 2) before any input is read; when
libpcap names the word it refused, the expression is shown with that word
marked.

libpcap's compile time grows steeply with a filter's length, so an
expression is limited to 4096 bytes, and libpcap compiles it in a child
process that is stopped after 10 s (or at once by SIGTERM) and may use
512 MiB; either is a usage error asking for a shorter filter (net for
address ranges, portrange for port runs). With --compiled (which
push_realtime passes, having compiled each filter once when it loaded its
configuration) a stream of that link type is filtered without compiling.`,
	Examples: []manual.Example{
		{Comment: "the TCP of 192.168.1.0/24, as the reference's FilterBPF example, one file per minute",
			Command: "stream_cat --follow capture1 | pcap_filter --bpf 'net 192.168.1.0/24 and tcp' | pcap_split -o /data/push/tcp --split-time 60e9 --filename-epoch-sec-startend"},
		{Comment: "the expression as trailing words, as tcpdump takes it; counts on stderr",
			Command: "pcap_filter --stats host 10.1.2.3 and not port 22 < in.pcap > out.pcap"},
		{Comment: "the expression from a file with # comments, as tcpdump -F reads it",
			Command: "pcap_filter -F /etc/pcappush/voip.bpf < in.pcap > voip.pcap"},
	},
	SeeAlso: []string{"pcap-filter(7)", "tcpdump(8)"},
}

func flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "bpf", Usage: "keep the packets filter expression `EXPR` matches (\"\" keeps all)"},
		&cli.StringFlag{Name: "F", Usage: "read the expression from `FILE`, as tcpdump -F does ('#' starts a comment)"},
		&cli.BoolFlag{Name: "stats", Usage: "print the packets read and kept on stderr at exit"},
		cliapp.EventsFlag("counters at the end"),
		&cli.StringFlag{Name: "compiled", Usage: "filter streams of link type L with `PROGRAM`, written L:COUNT,CODE JT JF K,... (tcpdump -ddd's lines joined by commas after L:), instead of compiling the expression"},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	app := cliapp.NewApp(tool, "keep the packets of a PCAP stream that a tcpdump filter expression matches", stdout, stderr)
	manual.SetHelp(app, help)
	app.Flags = flags()
	app.Action = func(c *cli.Context) error { return filter1(ctx, c, stdin, stdout, stderr) }
	return cliapp.Run(ctx, app, args)
}

func filter1(ctx context.Context, c *cli.Context, stdin io.Reader, stdout, stderr io.Writer) error {
	expr, err := expression(c)
	if err != nil {
		return err
	}
	opts := filter.Options{Expr: expr}
	if code := c.String("compiled"); code != "" {
		if opts.Compiled, err = bpf.ParseBytecode(code, expr); err != nil {
			return exitcode.Usagef("--compiled: %w", err)
		}
	} else if opts.Compiled, err = (bpf.Compiler{}).Check(ctx, expr); ctx.Err() != nil {
		return nil // stopped while libpcap compiled: nothing was read or written
	} else if err != nil {
		return usage(err)
	}
	ev, err := cliapp.OpenEvents(c, tool)
	if err != nil {
		return err
	}
	defer ev.Close() //nolint:errcheck // events are best effort
	st, err := filter.Run(ctx, stdin, "stdin", stdout, opts)
	ev.Counts(map[string]int64{"packets": st.Packets, "kept": st.Kept, "ticks": st.Ticks})
	var ce *bpf.CompileError
	if errors.As(err, &ce) {
		return &exitcode.UsageError{Err: err}
	}
	if c.Bool("stats") {
		fmt.Fprintf(stderr, "%s: %s\n", tool, st)
	}
	return err
}

// usage makes libpcap's refusal of the expression a usage error.
func usage(err error) error {
	var ce *bpf.CompileError
	if errors.As(err, &ce) {
		return &exitcode.UsageError{Err: err}
	}
	return err
}

// expression returns the filter expression from its one source.
func expression(c *cli.Context) (string, error) {
	n := 0
	for _, set := range []bool{c.IsSet("bpf"), c.IsSet("F"), c.NArg() > 0} {
		if set {
			n++
		}
	}
	switch {
	case n == 0:
		return "", exitcode.Usagef("no filter expression: give --bpf EXPR, -F FILE or the expression as arguments")
	case n > 1:
		return "", exitcode.Usagef("give the filter expression once: --bpf EXPR, -F FILE or arguments")
	case c.IsSet("bpf"):
		return c.String("bpf"), nil
	case c.IsSet("F"):
		e, err := filter.ReadExprFile(c.String("F"))
		if err != nil {
			return "", exitcode.Usagef("-F: %w", err)
		}
		return e, nil
	}
	return filter.JoinArgs(c.Args().Slice()), nil
}
