package push

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/install"
	"github.com/pcappush/pcappush/lib/pipeline"
	"github.com/pcappush/pcappush/lib/state"
)

// FindTools returns the path of each tool: in binDir when given, else next
// to the running executable, else on PATH.
func FindTools(binDir string) (map[string]string, error) {
	dirs := []string{binDir}
	if binDir == "" {
		if exe, err := os.Executable(); err == nil {
			dirs = []string{filepath.Dir(exe)}
		}
	}
	out := map[string]string{}
	var missing []string
	for _, t := range install.Stages {
		p, err := findTool(t, dirs, binDir == "")
		if err != nil {
			missing = append(missing, t)
			continue
		}
		out[t] = p
	}
	if len(missing) > 0 {
		where := "next to push_realtime or on PATH"
		if binDir != "" {
			where = "in " + binDir
		}
		return out, fmt.Errorf("cannot find %s %s (install them, or give --bin-dir)", strings.Join(missing, ", "), where)
	}
	return out, nil
}

func findTool(name string, dirs []string, usePath bool) (string, error) {
	for _, d := range dirs {
		if d == "" {
			continue
		}
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if usePath {
		return exec.LookPath(name)
	}
	return "", os.ErrNotExist
}

// Spec is what a pipeline is built from besides its target.
type Spec struct {
	Tools        map[string]string
	UID          string
	Store        string
	StateDir     string
	RcloneConfig string
	Capture      string
	Follow       bool
	FilterCode   string // pcap_filter --compiled: the target's filter compiled at load ("" for none)

	// Exactly-once bookkeeping (see lib/state/ledger); zero values turn it off.
	CheckpointEvery int64  // stream_cat's checkpoint interval, told to pcap_split too
	Ledger          string // pcap_split --ledger
	Resume          bool   // stream_cat --resume ResumeAt, pcap_split --resume
	ResumeAt        int64
	After           int64 // pcap_split --after
	StartTime       int64 // stream_cat --start-time
}

// Build returns target t's pipeline.
func Build(t config.Target, s Spec) pipeline.Pipeline {
	cat := []string{"--uid", s.UID}
	if s.Store != "" {
		cat = append(cat, "--store", s.Store)
	}
	if s.StateDir != "" {
		// An offline push keeps its checkpoints apart, so that pushing by
		// hand the capture the service follows leaves the service's alone.
		dir := state.At(s.StateDir)
		if !s.Follow {
			dir = dir.Offline()
		}
		cat = append(cat, "--state-dir", dir.Root())
	}
	if s.Follow {
		cat = append(cat, "--follow")
	}
	cat = append(cat, "--skip-bad") // a corrupt chunk is reported, and the rest pushed
	if s.CheckpointEvery > 0 {
		cat = append(cat, "--checkpoint-every", num(s.CheckpointEvery))
	}
	switch {
	case s.Resume:
		cat = append(cat, "--resume", num(s.ResumeAt))
	case s.StartTime > 0:
		cat = append(cat, "--start-time", num(s.StartTime))
	}
	// "--" ends the options: a capture named "--list" is an operand.
	stages := []pipeline.Stage{{Name: "stream_cat", Path: s.Tools["stream_cat"], Args: append(cat, "--", s.Capture)}}
	if t.Decap {
		stages = append(stages, pipeline.Stage{Name: "pcap_decap", Path: s.Tools["pcap_decap"]})
	}
	if t.FilterBPF != "" {
		args := []string{"--bpf", t.FilterBPF}
		if s.FilterCode != "" {
			args = append(args, "--compiled", s.FilterCode)
		}
		stages = append(stages, pipeline.Stage{Name: "pcap_filter", Path: s.Tools["pcap_filter"], Args: args})
	}
	last := pipeline.Stage{Name: "pcap_split", Path: s.Tools["pcap_split"], Args: splitArgs(t, s)}
	if t.Post != "" {
		last.Env = []string{"PCAPPUSH_TARGET=" + t.Desc}
	}
	return pipeline.Pipeline{Stages: append(stages, last)}
}

func splitArgs(t config.Target, s Spec) []string {
	args := []string{"--uid", s.UID, "-o", t.Path}
	args = append(args, strings.Fields(t.Split)...)
	args = append(args, t.FileName.Flag())
	if t.Compress != "" {
		args = append(args, "--compress", t.Compress)
	}
	if t.PipeCmd != "" {
		args = append(args, "--pipe-cmd", t.PipeCmd)
	}
	if t.Mode == config.ModeRclone {
		args = append(args, "--rclone")
		if s.RcloneConfig != "" {
			args = append(args, "--rclone-config", s.RcloneConfig)
		}
	}
	if t.FileSuffix != "" {
		args = append(args, "--filename-suffix", t.FileSuffix)
	}
	if t.Post != "" {
		args = append(args, "--post-cmd", t.Post)
	}
	if s.Ledger != "" {
		args = append(args, "--ledger", s.Ledger)
	}
	if s.CheckpointEvery > 0 {
		args = append(args, "--checkpoint-every", num(s.CheckpointEvery))
	}
	if s.Follow {
		args = append(args, "--idle-close", "0") // stream_cat's ticks close splits, at positions it can resume from
	}
	switch {
	case s.Resume:
		args = append(args, "--resume")
	case s.After > 0:
		args = append(args, "--after", num(s.After))
	}
	return args
}

func num(n int64) string { return strconv.FormatInt(n, 10) }
