package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/pcappush/pcappush/lib/capture"
	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/durable"
	"github.com/pcappush/pcappush/lib/install"
	"github.com/pcappush/pcappush/lib/output"
	"github.com/pcappush/pcappush/lib/state"
)

// checks are the validations config.Load runs with other packages. A dry
// run makes no folders.
//
// rcloneFlag is --rclone-config, which wins over Config.RcloneConfig;
// filters compiles and keeps the FilterBPF programs.
func checks(dryRun bool, rcloneFlag string, f *filters) config.Checks {
	chk := config.Checks{BPF: f.check}
	chk.Output = func(t *config.Target, rcloneConfig string) error {
		if rcloneFlag != "" {
			rcloneConfig = rcloneFlag
		}
		if rcloneConfig == "" {
			rcloneConfig = install.RcloneConfig
		}
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

// currentCapture returns the function realtime mode asks which capture to
// follow: the fixed one when given, else the active capture of the store
// changed most recently; captures a target has finished are passed over.
func currentCapture(store, fixed string) func(pending []string, done map[string]bool) (string, []string, error) {
	return func(pending []string, done map[string]bool) (string, []string, error) {
		st := capture.Store{Dir: store}
		var gone []string
		for _, name := range pending {
			if _, err := st.Capture(name); err == nil {
				return name, gone, nil
			} else if errors.Is(err, capture.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
				gone = append(gone, name)
			}
		}
		if fixed != "" {
			if done[fixed] {
				return "", gone, nil
			}
			return fixed, gone, nil
		}
		infos, err := st.List(capture.DefaultActiveWindow, time.Now())
		if err != nil {
			return "", gone, fmt.Errorf("capture store: %w", err)
		}
		best := -1
		for i, in := range infos {
			if in.Active && !done[in.Name] && (best < 0 || in.Newest.After(infos[best].Newest)) {
				best = i
			}
		}
		if best < 0 {
			return "", gone, nil
		}
		return infos[best].Name, gone, nil
	}
}
