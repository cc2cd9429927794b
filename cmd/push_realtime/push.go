package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/pcappush/pcappush/lib/capture"
	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/durable"
	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/install"
	"github.com/pcappush/pcappush/lib/lockfile"
	"github.com/pcappush/pcappush/lib/push"
	"github.com/pcappush/pcappush/lib/push/status"
	"github.com/pcappush/pcappush/lib/state"
)

const (
	defaultStatusInterval   = 15 * time.Second
	defaultStopTimeout      = 60 * time.Second
	defaultProgressInterval = 5 * time.Second
)

// settings are the folders after flags, Lua globals and defaults.
type settings struct {
	store, stateDir, logDir, rcloneConfig, capture, host string
}

// pick returns the flag's value when set, else the Lua global, else def.
func pick(c *cli.Context, flag, global, def string) string {
	if c.IsSet(flag) {
		return c.String(flag)
	}
	if global != "" {
		return global
	}
	return def
}

// resolve returns the settings in force, with the folders and files made
// absolute, so that the pipelines logged work pasted from any directory.
func resolve(c *cli.Context, cfg *config.Config) settings {
	return settings{
		store:        abs(pick(c, "store", cfg.Store, install.Store)),
		stateDir:     abs(c.String("state-dir")),
		logDir:       abs(pick(c, "log-dir", cfg.LogDir, install.LogDir)),
		rcloneConfig: abs(pick(c, "rclone-config", cfg.RcloneConfig, install.RcloneConfig)),
		capture:      pick(c, "capture", cfg.Capture, ""),
		host:         c.String("host"),
	}
}

// abs returns path made absolute (unchanged when the working directory is
// unknown).
func abs(path string) string {
	if path == "" {
		return ""
	}
	if a, err := filepath.Abs(path); err == nil {
		return a
	}
	return path
}

// recordRun writes, next to the lock, what a realtime push resolved, for
// `push_realtime status`; a failure is a warning.
func recordRun(s settings, cfgFile string, stderr io.Writer) {
	pid := os.Getpid()
	start, _ := status.ProcessStart(pid)
	r := &status.Run{PID: pid, PIDStart: start, Started: time.Now(), Config: abs(cfgFile), Store: s.store, LogDir: s.logDir, Capture: s.capture, Host: s.host}
	if err := status.WriteRun(s.stateDir, r); err != nil {
		fmt.Fprintf(stderr, "%s: warning: push_realtime status will not find this push's folders without flags: %v\n", tool, err)
	}
}

// load reads the configuration and keeps the targets --target names.
func load(ctx context.Context, c *cli.Context, dryRun bool, f *filters) (*config.Config, error) {
	chk := checks(dryRun, c.String("rclone-config"), f)
	if chk.Host = c.String("host"); c.IsSet("host") {
		if err := config.CheckHost(chk.Host); err != nil {
			return nil, usageErr(fmt.Errorf("--host: %w", err))
		}
	}
	chk.Capture = c.String("offline")
	if chk.Capture == "" {
		chk.Capture = c.String("capture")
	}
	cfg, err := config.LoadContext(ctx, c.String("config"), chk)
	if err != nil {
		return nil, usageErr(err)
	}
	if err := selectTargets(cfg, c.StringSlice("target")); err != nil {
		return nil, usageErr(err)
	}
	f.keep(cfg)
	return cfg, nil
}

func pushMain(ctx context.Context, c *cli.Context, stdout, stderr io.Writer) error {
	f := newFilters(ctx)
	cfg, err := load(ctx, c, c.Bool("dry-run"), f)
	if ctx.Err() != nil {
		return nil // SIGTERM while the configuration loaded: nothing started
	}
	if err != nil {
		return err
	}
	s := resolve(c, cfg)
	cfg.Warnings = append(cfg.Warnings, rcloneWarnings(cfg, s.rcloneConfig)...)
	for _, w := range cfg.Warnings {
		fmt.Fprintf(stderr, "%s: warning: %s\n", tool, w)
	}
	show, err := progressMode(c, stderr)
	if err != nil {
		return err
	}
	if c.IsSet("offline") && c.String("offline") == "" {
		return exitcode.Usagef("--offline: give the name of a stored capture (an empty one would push the live capture instead)")
	}
	if err := checkCaptureNames(s.capture, c.String("offline")); err != nil {
		return usageErr(err)
	}
	tools, err := push.FindTools(c.String("bin-dir"))
	if c.Bool("dry-run") {
		for _, t := range install.Stages {
			if tools[t] == "" {
				tools[t] = t // shown by name when not installed
			}
		}
		return dryRun(stdout, cfg, s, tools, c.String("offline"), f)
	}
	if err != nil {
		return usageErr(err)
	}
	if err := checkStored(s.store, c.String("offline")); err != nil {
		return err
	}
	if err := checkFolders(s); err != nil {
		return err
	}
	unlock, err := lock(s.stateDir, c.Bool("force"))
	if err != nil {
		return err
	}
	defer unlock()
	if n := state.At(s.stateDir).Sweep(); n > 0 {
		fmt.Fprintf(stderr, "%s: removed %d temporary files an interrupted write left in %s\n", tool, n, s.stateDir)
	}
	reloads := make(chan push.Reload)
	p, err := push.New(push.Options{
		Config: cfg, Tools: tools, Store: s.store, StateDir: s.stateDir, LogDir: s.logDir, RcloneConfig: s.rcloneConfig,
		StatusInterval: c.Duration("status-interval"), StopTimeout: c.Duration("stop-timeout"),
		Capture: s.capture, Current: currentCapture(s.store, s.capture), Reloads: reloads, Stderr: stderr,
		FilterCode: f.code,
	})
	if err != nil {
		return err
	}
	defer p.Close() //nolint:errcheck // closing the analytics log
	mctx, stopMetrics := context.WithCancel(ctx)
	defer stopMetrics()
	if err := serveMetrics(mctx, c.String("metrics-listen"), p, stderr); err != nil {
		return err
	}
	if name := c.String("offline"); name != "" {
		fmt.Fprintf(stderr, "%s: pushing %s through %d targets; logs in %s\n", tool, name, len(cfg.Targets), s.logDir)
		return offline(ctx, p, name, show, c.Duration("progress-interval"), stderr)
	}
	recordRun(s, cfg.File, stderr)
	fmt.Fprintf(stderr, "%s: following the current capture with %d targets (schedule: %s); logs in %s\n", tool, len(cfg.Targets), cfg.Schedule.String(), s.logDir)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go watchHUP(ctx, c, p, hup, reloads, f, stderr)
	return p.Realtime(ctx)
}

// watchHUP reloads the configuration at each SIGHUP and hands it to the
// push; a configuration that does not load is reported and ignored.
func watchHUP(ctx context.Context, c *cli.Context, p *push.Pusher, hup <-chan os.Signal, reloads chan<- push.Reload, f *filters, stderr io.Writer) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		cfg, err := load(ctx, c, false, f)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: SIGHUP: the configuration was not reloaded; the running one stays: %v\n", tool, err)
			p.Logf("reload: ignored, the running configuration stays: %v", err)
			continue
		}
		s := resolve(c, cfg)
		cfg.Warnings = append(cfg.Warnings, rcloneWarnings(cfg, s.rcloneConfig)...)
		for _, w := range cfg.Warnings {
			p.Logf("warning: %s", w)
		}
		r := push.Reload{Config: cfg, Store: s.store, RcloneConfig: s.rcloneConfig, LogDir: s.logDir, Capture: s.capture, Current: currentCapture(s.store, s.capture)}
		select {
		case reloads <- r:
			recordRun(s, cfg.File, stderr)
			fmt.Fprintf(stderr, "%s: SIGHUP: reloaded %s\n", tool, cfg.File)
		case <-ctx.Done():
			return
		}
	}
}

// selectTargets keeps only the targets named by --target.
func selectTargets(cfg *config.Config, names []string) error {
	if len(names) == 0 {
		return nil
	}
	var kept []config.Target
	for _, n := range names {
		found := false
		for _, t := range cfg.Targets {
			if t.Desc == n {
				kept, found = append(kept, t), true
			}
		}
		if !found {
			return fmt.Errorf("--target %q: no such target in %s", n, cfg.File)
		}
	}
	cfg.Targets = kept
	return nil
}

func dryRun(w io.Writer, cfg *config.Config, s settings, tools map[string]string, offline string, f *filters) error {
	capture := offline
	if capture == "" {
		capture = s.capture
	}
	if capture == "" {
		capture = "CAPTURE"
	}
	for _, t := range cfg.Targets {
		pl := push.Build(t, push.SpecFor(t, push.Spec{Tools: tools, UID: "push_UID", Store: s.store, StateDir: s.stateDir, RcloneConfig: s.rcloneConfig, Capture: capture, Follow: offline == "", FilterCode: f.code(t)}))
		fmt.Fprintf(w, "# %s\n%s\n", t.Desc, pl.Shell())
	}
	return nil
}

// checkFolders makes the state and log folders when missing and refuses
// them, as a usage error, when others could write them (plant links,
// rewrite the state): group- or world-writable, or another user's.
func checkFolders(s settings) error {
	for _, f := range []struct{ what, dir string }{{"state folder (--state-dir)", s.stateDir}, {"log folder (--log-dir, Config.LogDir)", s.logDir}} {
		if err := durable.MkdirAll(f.dir, state.DirPerm); err != nil {
			return fmt.Errorf("%s: %w", f.what, err)
		}
		if err := durable.CheckFolder(f.dir); err != nil {
			return usageErr(fmt.Errorf("%s: %w", f.what, err))
		}
	}
	return nil
}

// lock takes the state folder's lock, so that two push_realtime of one
// configuration do not run at once; force runs anyway.
func lock(stateDir string, force bool) (func(), error) {
	l, err := lockfile.Acquire(state.At(stateDir).LockFile(), 0)
	switch {
	case err == nil:
		return func() { l.Release() }, nil //nolint:errcheck // released at exit anyway
	case force && errors.Is(err, lockfile.ErrHeld):
		return func() {}, nil
	case errors.Is(err, lockfile.ErrHeld):
		return nil, fmt.Errorf("another push_realtime holds the lock: %w; stop it, or give --force", err)
	}
	return nil, err
}

// checkStored fails, before any pipeline starts, when the capture an
// offline push names is not in the store ("" passes).
func checkStored(store, name string) error {
	if name == "" {
		return nil
	}
	if _, err := (capture.Store{Dir: store}).Capture(name); err != nil {
		if errors.Is(err, capture.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("--offline %s: no such capture in the store %s (stream_cat --list --store %s lists them)", name, store, store)
		}
		return fmt.Errorf("--offline %s: %w", name, err)
	}
	return nil
}

// checkCaptureNames refuses capture names that are not plain names of the
// store's folders: they name state files, which must stay in their folder;
// and names a push must not choose (capture.CheckName).
func checkCaptureNames(names ...string) error {
	for _, n := range names {
		if n == "" {
			continue
		}
		if n == "." || n == ".." || strings.ContainsAny(n, "/\x00\n") {
			return fmt.Errorf("capture %q: give the name of a capture in the store, not a path", n)
		}
		if err := capture.CheckName(n); err != nil {
			return err
		}
	}
	return nil
}
