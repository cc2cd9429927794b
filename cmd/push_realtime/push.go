package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/push"
)

const defaultProgressInterval = 5 * time.Second

// options turns the command line into the push's options.
func options(c *cli.Context, stderr io.Writer) push.Options {
	given := func(name string) string {
		if c.IsSet(name) {
			return c.String(name)
		}
		return ""
	}
	return push.Options{
		ConfigFile: c.String("config"), Targets: c.StringSlice("target"), Offline: c.String("offline"), Force: c.Bool("force"),
		Store: given("store"), LogDir: given("log-dir"), RcloneConfig: given("rclone-config"), Capture: given("capture"), Host: given("host"),
		StateDir: c.String("state-dir"), BinDir: c.String("bin-dir"),
		StatusInterval: c.Duration("status-interval"), StopTimeout: c.Duration("stop-timeout"),
		Stderr: stderr,
	}
}

func pushMain(ctx context.Context, c *cli.Context, stdout, stderr io.Writer) error {
	show, err := progressMode(c, stderr)
	if err != nil {
		return err
	}
	if c.IsSet("offline") && c.String("offline") == "" {
		return exitcode.Usagef("--offline: give the name or the path of a stored capture (an empty one would push the live capture instead)")
	}
	o := options(c, stderr)
	if c.Bool("dry-run") {
		err := push.DryRun(ctx, o, stdout)
		if ctx.Err() != nil {
			return nil // SIGTERM while the configuration loaded
		}
		return err
	}
	var reloads chan struct{}
	if o.Offline == "" {
		reloads = make(chan struct{})
		o.Reloads = reloads
		stop := forwardHUP(ctx, reloads)
		defer stop()
	}
	p, err := push.New(ctx, o)
	if err != nil {
		if ctx.Err() != nil {
			return nil // SIGTERM while the configuration loaded: nothing started
		}
		return err
	}
	defer p.Close() //nolint:errcheck // closing the analytics log and the lock
	mctx, stopMetrics := context.WithCancel(ctx)
	waitMetrics, err := serveMetrics(mctx, c.String("metrics-listen"), p, stderr)
	if err != nil {
		stopMetrics()
		return err
	}
	defer func() {
		stopMetrics()
		waitMetrics()
	}()
	if o.Offline != "" {
		return offline(ctx, p, show, c.Duration("progress-interval"), stderr)
	}
	return p.Run(ctx)
}

// forwardHUP turns each SIGHUP into a value on reloads until the returned
// function is called, which waits for it.
func forwardHUP(ctx context.Context, reloads chan<- struct{}) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	fctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-fctx.Done():
				return
			case <-hup:
			}
			select {
			case reloads <- struct{}{}:
			case <-fctx.Done():
				return
			}
		}
	}()
	return func() {
		signal.Stop(hup)
		cancel()
		<-done
	}
}
