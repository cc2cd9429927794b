package push

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/pcappush/pcappush/lib/capture"
	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/durable"
	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/install"
	"github.com/pcappush/pcappush/lib/output"
	"github.com/pcappush/pcappush/lib/state"
)

// prepare checks the options that need no configuration, loads the
// configuration (unless given), keeps the targets Options.Targets names,
// finds the tools and warns on Stderr of what the configuration's
// warnings say. It fills in Load, FilterCode and Tools when nil.
func (o *Options) prepare(ctx context.Context) (*config.Config, error) {
	if strings.Contains(o.Offline, "/") {
		o.Offline = abs(o.Offline) // the pipelines logged work pasted anywhere
	}
	if err := checkCaptures(o.Capture, o.Offline); err != nil {
		return nil, err
	}
	if o.Host != "" {
		if err := config.CheckHost(o.Host); err != nil {
			return nil, &exitcode.UsageError{Err: fmt.Errorf("--host: %w", err)}
		}
	}
	if o.Load == nil {
		f := newFilters(ctx)
		dryRun := o.dryRun
		o.Load = func(ctx context.Context) (*config.Config, error) { return o.load(ctx, f, dryRun) }
		if o.FilterCode == nil {
			o.FilterCode = f.code
		}
	}
	cfg := o.Config
	if cfg == nil {
		var err error
		if cfg, err = o.Load(ctx); err != nil {
			return nil, err
		}
	}
	if err := checkCaptures(cfg.Capture, ""); err != nil {
		return nil, err
	}
	cfg.Warnings = append(cfg.Warnings, rcloneWarnings(cfg, o.resolve(cfg).rcloneConfig)...)
	for _, w := range cfg.Warnings {
		fmt.Fprintf(o.Stderr, "push_realtime: warning: %s\n", w)
	}
	if o.Tools == nil {
		tools, err := FindTools(o.BinDir)
		if o.dryRun {
			tools, err = toolsByName(tools), nil
		}
		if err != nil {
			return nil, &exitcode.UsageError{Err: err}
		}
		o.Tools = tools
	}
	return cfg, nil
}

// load reads the configuration with the checks push_realtime runs (the
// outputs, the filters compiled by f, the output folders made unless
// dryRun) and keeps the targets Options.Targets names. Its mistakes are
// usage errors.
func (o *Options) load(ctx context.Context, f *filters, dryRun bool) (*config.Config, error) {
	chk := o.checks(f, dryRun)
	chk.Host, chk.Capture = o.Host, firstOf(capture.ArgName(o.Offline), o.Capture)
	cfg, err := config.LoadContext(ctx, o.ConfigFile, chk)
	if err != nil {
		return nil, &exitcode.UsageError{Err: err}
	}
	if err := selectTargets(cfg, o.Targets); err != nil {
		return nil, &exitcode.UsageError{Err: err}
	}
	f.keep(cfg)
	return cfg, nil
}

// selectTargets keeps only the targets named.
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

// checks are the validations config.Load runs with other packages: each
// target's output, its filter (compiled by f and kept), and its output
// folder, made durably unless dryRun.
func (o *Options) checks(f *filters, dryRun bool) config.Checks {
	chk := config.Checks{BPF: f.check}
	chk.Output = func(t *config.Target, rcloneConfig string) error {
		rcloneConfig = firstOf(o.RcloneConfig, rcloneConfig, install.RcloneConfig)
		if t.Mode != config.ModeRclone {
			rcloneConfig = ""
		} else if err := checkRemoteName(t.Path); err != nil {
			return err
		} else if r, err := output.ParseRemote(t.Path); err == nil && len(r.SecretOptions()) > 0 {
			// Path goes into process arguments, logs and status.
			return fmt.Errorf("the connection string holds credentials (%s): keep them in the rclone config or in RCLONE_CONFIG_<REMOTE>_<OPTION> variables; Path shows in process lists, logs and status",
				strings.Join(r.SecretOptions(), ", "))
		}
		return output.Check(t.Path, output.Options{Rclone: t.Mode == config.ModeRclone, RcloneConfig: rcloneConfig,
			Compress: t.Compress, PipeCmd: t.PipeCmd, Suffix: t.FileSuffix, NamesFinal: t.SplitTime > 0})
	}
	// An output folder is made durably, so that a power cut does not take
	// it away with the splits published in it.
	chk.Folder = func(dir string) error { return durable.MkdirAll(dir, state.DirPerm) }
	if dryRun {
		chk.Folder = func(string) error { return nil }
	}
	return chk
}

// checkRemoteName refuses an RCLONE Path without a remote: rclone would
// take it for a local path, relative to the working folder when it is not
// absolute.
func checkRemoteName(path string) error {
	r, err := output.ParseRemote(path)
	if err != nil || r.Name != "" {
		return nil // a parse error is output.Check's to report
	}
	return fmt.Errorf("%q names no rclone remote: give REMOTE:PATH or REMOTE://PATH (REMOTE in the rclone config, or a connection string such as :sftp,host=h:PATH); for a local folder use Mode = \"File\"", path)
}

// rcloneWarnings warns about an rclone config that others can read, when
// a target uses it.
func rcloneWarnings(cfg *config.Config, path string) []string {
	for _, t := range cfg.Targets {
		if t.Mode == config.ModeRclone {
			if w := output.ConfigPermWarning(path, os.Getgid()); w != "" {
				return []string{w}
			}
			return nil
		}
	}
	return nil
}
