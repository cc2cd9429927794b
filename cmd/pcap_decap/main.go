// Command pcap_decap reads a PCAP stream on stdin and writes it to stdout
// with VLAN tags, MPLS labels and tunnels removed, so that filters and
// consumers see the inner traffic.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pcappush/pcappush/lib/cliapp"
	"github.com/pcappush/pcappush/lib/decap"
	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/manual"
)

const tool = "pcap_decap"

func main() { os.Exit(cliapp.Main(tool, run)) }

var help = manual.Help{
	Synopsis: []string{"pcap_decap [--max-depth N] [--no-DECODER ...] [--vxlan-port PORTS] [--stats] < in.pcap > out.pcap"},
	Description: `Reads a PCAP or pcapng stream on stdin and writes it to stdout as
nanosecond pcap with VLAN tags, MPLS labels and tunnels removed, so that a
BPF filter after it (pcap_filter, tcpdump) sees the inner traffic.

Headers are removed recursively, in any nesting. L2 tunnels (ERSPAN,
VXLAN, GENEVE, GRE bridging, EtherIP, pseudowires) leave the inner Ethernet
frame; tags and L3 tunnels (VLAN, MPLS, GRE carrying IP, IP in IP, GTP-U,
PPPoE, Teredo, L2TP) leave an Ethernet frame with the innermost addresses
and the inner packet. A header is removed only when it is complete and
valid; a malformed one leaves the frame as decapsulated so far.
Timestamps are unchanged; frames without encapsulation and clock ticks
pass byte for byte. Each --no-DECODER option keeps one decoder's headers.`,
	Examples: []manual.Example{
		{Comment: "filter the traffic inside VLANs, GRE, ERSPAN and VXLAN tunnels, one file per minute",
			Command: "stream_cat --follow capture1 | pcap_decap | pcap_filter --bpf 'net 192.168.1.0/24 and tcp' | pcap_split -o /data/push/ --split-time 60e9 --filename-epoch-sec-startend"},
		{Comment: "keep VLAN tags and MPLS labels, remove only tunnels; counts on stderr at exit",
			Command: "pcap_decap --no-vlan --no-mpls --stats < in.pcap > inner.pcap"},
	},
	SeeAlso: []string{"tcpdump(8)", "pcap-filter(7)"},
}

func flags() []cli.Flag {
	fs := []cli.Flag{
		&cli.IntFlag{Name: "max-depth", Value: decap.DefaultMaxDepth, Usage: "remove at most `N` headers per packet (a run of VLAN tags, a label stack, another tag or a tunnel each count one)"},
		&cli.StringFlag{Name: "vxlan-port", Value: "4789,8472", Usage: "UDP `PORTS` read as VXLAN, comma separated (\"\" for none)"},
		&cli.BoolFlag{Name: "stats", Usage: "print at exit, on stderr, the packets in, changed and unchanged and the headers removed by each decoder"},
		cliapp.EventsFlag("counters at the end"),
	}
	for f := decap.Family(0); f < decap.NumFamilies; f++ {
		fs = append(fs, &cli.BoolFlag{Name: "no-" + f.String(), Usage: "keep " + f.Doc()})
	}
	return fs
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	app := cliapp.NewApp(tool, "remove tags and tunnels from a PCAP stream on stdin", stdout, stderr)
	manual.SetHelp(app, help)
	app.Flags = flags()
	app.Action = func(c *cli.Context) error { return decap1(ctx, c, stdin, stdout, stderr) }
	return cliapp.Run(ctx, app, args)
}

func decap1(ctx context.Context, c *cli.Context, stdin io.Reader, stdout, stderr io.Writer) error {
	opts, err := options(c)
	if err != nil {
		return err
	}
	ev, err := cliapp.OpenEvents(c, tool)
	if err != nil {
		return err
	}
	defer ev.Close() //nolint:errcheck // events are best effort
	st, err := decap.Run(ctx, stdin, "stdin", stdout, opts, prefixed{stderr})
	ev.Counts(map[string]int64{"packets": st.Packets, "changed": st.Changed, "unchanged": st.Unchanged, "ticks": st.Ticks, "converted": st.Converted, "bytes_removed": st.Bytes})
	if c.Bool("stats") {
		printStats(stderr, st)
	}
	return err
}

// options turns the flags into decap.Options; every mistake is a usage error.
func options(c *cli.Context) (decap.Options, error) {
	var o decap.Options
	if c.NArg() > 0 {
		return o, exitcode.Usagef("unexpected argument %q: pcap_decap reads stdin", c.Args().First())
	}
	o.MaxDepth = c.Int("max-depth")
	if o.MaxDepth < 1 || o.MaxDepth > 64 {
		return o, exitcode.Usagef("--max-depth %d: must be from 1 to 64", o.MaxDepth)
	}
	for f := decap.Family(0); f < decap.NumFamilies; f++ {
		if c.Bool("no-" + f.String()) {
			o.Disabled = o.Disabled.With(f)
		}
	}
	o.VXLANPorts = []uint16{}
	for _, s := range strings.Split(c.String("vxlan-port"), ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := strconv.ParseUint(s, 10, 16)
		if err != nil || p == 0 {
			return o, exitcode.Usagef("--vxlan-port %q: %q is not a UDP port", c.String("vxlan-port"), s)
		}
		o.VXLANPorts = append(o.VXLANPorts, uint16(p))
	}
	if err := o.Validate(); err != nil {
		return o, exitcode.Usagef("%w", err)
	}
	return o, nil
}

func printStats(w io.Writer, st decap.Stats) {
	fmt.Fprintf(w, "%s: packets in %d, changed %d, unchanged %d, ticks %d, converted to Ethernet %d, bytes removed %d\n",
		tool, st.Packets, st.Changed, st.Unchanged, st.Ticks, st.Converted, st.Bytes)
	for f := decap.Family(0); f < decap.NumFamilies; f++ {
		fmt.Fprintf(w, "%s: %-10s %d removed\n", tool, f, st.Removed[f])
	}
}

// prefixed writes notices as `pcap_decap: notice`.
type prefixed struct{ w io.Writer }

func (p prefixed) Write(b []byte) (int, error) {
	fmt.Fprintf(p.w, "%s: %s", tool, b)
	return len(b), nil
}
