// Command pcapgen writes a synthetic Ethernet capture in nanosecond,
// little-endian classic pcap, reproducible from a seed. It is a thin CLI over
// lib/synth; see that package for the traffic it generates.
package main

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/pcappush/pcappush/lib/cliapp"
	"github.com/pcappush/pcappush/lib/durable"
	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/manual"
	"github.com/pcappush/pcappush/lib/synth"
	"github.com/pcappush/pcappush/lib/units"
)

const synopsis = "pcapgen [--seed N] [--start T] [--duration D] (--packets N | --size BYTES) [--encap FRACTION] [-w FILE]"

var help = manual.Help{
	Synopsis: []string{synopsis},
	Description: `Writes synthetic Ethernet traffic (IMIX sizes; TCP, UDP, DNS, ICMP, ARP over
IPv4 and IPv6; VLAN, QinQ, GRE and VXLAN encapsulation) as nanosecond pcap,
to FILE or to stdout. The same options always give the same bytes. A FILE
is written as FILE.pending and renamed when complete.

T is RFC 3339 or seconds since the epoch. D is a Go duration (90s, 10m, 1h).
BYTES is the exact size of the file: 1000000, 1e9, 100MB, 1GB, 512KiB.`,
	Examples: []manual.Example{
		{Comment: "10,000 packets over the default ten minutes", Command: "pcapgen --packets 10000 -w small.pcap"},
		{Comment: "1 GB with a quarter of the packets tunnelled, compressed", Command: "pcapgen --seed 7 --size 1GB --encap 0.25 | zstd -1 > big.pcap.zst"},
	},
}

func main() { os.Exit(cliapp.Main("pcapgen", run)) }

func usagef(format string, args ...any) error { return exitcode.Usagef(format, args...) }

// usage marks an invalid option value as a usage error.
func usage(err error) error {
	if err == nil {
		return nil
	}
	return &exitcode.UsageError{Err: err}
}

// run is pcapgen with its environment passed in. stdin is unused.
func run(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	app := cliapp.NewApp("pcapgen", "generate a synthetic Ethernet capture", stdout, stderr)
	manual.SetHelp(app, help)
	app.Flags = flags()
	app.Action = func(c *cli.Context) error { return generate(c, stdout) }
	return cliapp.Run(ctx, app, args)
}

func flags() []cli.Flag {
	return []cli.Flag{
		&cli.Int64Flag{Name: "seed", Value: 1, Usage: "random seed `N`; equal seeds give equal files"},
		&cli.StringFlag{Name: "start", Value: synth.DefaultStart.Format("2006-01-02T15:04:05Z07:00"), Usage: "time `T` of the first packet"},
		&cli.DurationFlag{Name: "duration", Value: synth.DefaultDuration, Usage: "span `D` of the timestamps"},
		&cli.StringFlag{Name: "packets", Usage: "write `N` packets (this or --size is required)"},
		&cli.StringFlag{Name: "size", Usage: "write a file of exactly `BYTES` bytes (this or --packets is required)"},
		&cli.Float64Flag{Name: "encap", Value: synth.DefaultEncap, Usage: "`FRACTION` of packets tagged or tunnelled"},
		&cli.StringFlag{Name: "write", Aliases: []string{"w"}, Usage: "write to `FILE` instead of stdout (- is stdout)"},
	}
}

// options turns the flags into synth.Options.
func options(c *cli.Context) (synth.Options, error) {
	opt := synth.DefaultOptions()
	if c.NArg() > 0 {
		return opt, usagef("unexpected argument %q", c.Args().First())
	}
	opt.Seed, opt.Duration, opt.Encap = c.Int64("seed"), c.Duration("duration"), c.Float64("encap")
	var err error
	if opt.Start, err = synth.ParseStart(c.String("start")); err != nil {
		return opt, usage(err)
	}
	switch {
	case c.IsSet("packets") == c.IsSet("size"):
		return opt, usagef("give exactly one of --packets and --size")
	case c.IsSet("packets"):
		if opt.Packets, err = units.ParseCount(c.String("packets"), false); err != nil {
			return opt, usagef("--packets %s: %w", c.String("packets"), err)
		}
	default:
		if opt.Size, err = synth.ParseSize(c.String("size")); err != nil {
			return opt, usage(err)
		}
		if opt.Size < synth.MinSize {
			return opt, usagef("size %d: below the minimum of %d bytes", opt.Size, synth.MinSize)
		}
	}
	return opt, usage(opt.Validate())
}

func generate(c *cli.Context, stdout io.Writer) error {
	opt, err := options(c)
	if err != nil {
		return err
	}
	path := c.String("write")
	if path == "" || path == "-" {
		_, err := synth.Generate(c.Context, stdout, opt)
		return err
	}
	return writeFile(c.Context, path, opt)
}

// writeFile publishes the capture durably (lib/durable): it writes
// path.pending (never through a link planted there; a file a killed run
// left there is removed first), syncs it, renames it to path and syncs the
// folder, removing it if anything fails.
func writeFile(ctx context.Context, path string, opt synth.Options) error {
	tmp := path + ".pending"
	f, err := durable.Create(tmp, 0o666)
	if errors.Is(err, fs.ErrExist) && !errors.As(err, new(*durable.LinkError)) {
		os.Remove(tmp)
		f, err = durable.Create(tmp, 0o666)
	}
	if err != nil {
		return err
	}
	if _, err := synth.Generate(ctx, f, opt); err != nil {
		f.Abort() //nolint:errcheck // err is the one to report
		return err
	}
	return f.Replace(path)
}
