package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/pcappush/pcappush/lib/bpf"
	"github.com/pcappush/pcappush/lib/capture"
	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/durable"
	"github.com/pcappush/pcappush/lib/output"
	"github.com/pcappush/pcappush/lib/pcapio"
	"github.com/pcappush/pcappush/lib/state"
)

// checks are the validations config.Load runs with other packages. A dry
// run makes no folders.
//
// rcloneFlag is --rclone-config, which wins over Config.RcloneConfig.
func checks(dryRun bool, rcloneFlag string) config.Checks {
	chk := config.Checks{BPF: func(expr string, decap bool) error {
		if !decap {
			// The capture's link type is known only when its stream
			// starts: accept what libpcap compiles for a common one, as
			// pcap_filter does before its input's header is read.
			return bpf.Check(expr)
		}
		_, err := bpf.Compile(expr, pcapio.LinkTypeEthernet, pcapio.DefaultSnaplen)
		if err != nil {
			return fmt.Errorf("%w (compiled by libpcap for Ethernet, pcap_decap's output)", err)
		}
		return nil
	}}
	chk.Output = func(t *config.Target, rcloneConfig string) error {
		if rcloneFlag != "" {
			rcloneConfig = rcloneFlag
		}
		if rcloneConfig == "" {
			rcloneConfig = defaultRclone
		}
		if t.Mode != config.ModeRclone {
			rcloneConfig = ""
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
