package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/pcappush/pcappush/lib/cliapp"
	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/push"
	"github.com/pcappush/pcappush/lib/push/metrics"
	"github.com/pcappush/pcappush/lib/push/progress"
)

// progressMode returns how an offline push shows its progress: "bar",
// "lines" or "none". It also checks --metrics-listen's form.
func progressMode(c *cli.Context, stderr io.Writer) (string, error) {
	if d := c.Duration("progress-interval"); d <= 0 {
		return "", exitcode.Usagef("--progress-interval %v: want a positive duration", d)
	}
	if a := c.String("metrics-listen"); a != "" {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return "", exitcode.Usagef("--metrics-listen %q: want HOST:PORT, e.g. 127.0.0.1:9310", a)
		}
	}
	switch m := c.String("progress"); m {
	case "bar", "lines", "none":
		return m, nil
	case "auto":
		if isTerminal(stderr) {
			return "bar", nil
		}
		return "lines", nil
	default:
		return "", exitcode.Usagef("--progress %q: want bar, lines, none or auto", m)
	}
}

// isTerminal reports whether w is a terminal that tells its size (bars
// need it).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	return err == nil && ws.Row > 0 && ws.Col > 0
}

// offline runs the offline push with its progress shown on stderr.
func offline(ctx context.Context, p *push.Pusher, show string, every time.Duration, stderr io.Writer) error {
	pctx, stop := context.WithCancel(context.Background())
	shown := make(chan struct{})
	go func() {
		defer close(shown)
		switch show {
		case "bar":
			progress.Bars(pctx, stderr, p.Snapshot)
		case "lines":
			progress.Lines(pctx, stderr, p.Snapshot, every, tool+": ")
		default:
			<-pctx.Done()
		}
	}()
	err := p.Run(ctx)
	stop()
	<-shown
	return err
}

// serveMetrics serves the metrics at addr ("" for none) until ctx ends;
// wait returns once the server has stopped.
func serveMetrics(ctx context.Context, addr string, p *push.Pusher, stderr io.Writer) (wait func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	ln, err := metrics.Listen(addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-listen: %w", err)
	}
	reg, err := metrics.Registry(p.Snapshot, cliapp.Version)
	if err != nil {
		ln.Close() //nolint:errcheck // already failing
		return nil, err
	}
	fmt.Fprintf(stderr, "%s: metrics at http://%s/metrics\n", tool, ln.Addr())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := metrics.Serve(ctx, ln, reg); err != nil {
			p.Logf("metrics: %v", err)
		}
	}()
	return func() { <-done }, nil
}
