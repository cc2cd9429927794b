package config

import (
	"fmt"
	"strings"

	"github.com/pcappush/pcappush/lib/schedule"
	"github.com/pcappush/pcappush/lib/split"
)

// Mode says how a target's splits are written.
type Mode int

// Target modes.
const (
	ModeFile   Mode = iota // local or mounted file system
	ModeRclone             // an rclone remote
)

func (m Mode) String() string {
	if m == ModeRclone {
		return "RCLONE"
	}
	return "File"
}

// Config is a loaded configuration.
type Config struct {
	File         string // the file it was loaded from
	Store        string // Config.Store: the capture store ("" if unset)
	LogDir       string // Config.LogDir
	RcloneConfig string // Config.RcloneConfig
	Capture      string // Config.Capture: the capture realtime mode follows
	Host         string // Config.Host: {host} in Path ("": the short host name)
	// Schedule is Config.Schedule: when realtime mode pushes. The zero
	// Schedule (the global left out) is always open.
	Schedule schedule.Schedule
	Targets  []Target // Config.Target, in order
	Warnings []string // things worth logging that do not stop a load
}

// Target is one push target.
type Target struct {
	Desc       string // unique name; names log files
	Mode       Mode   // File or RCLONE
	Path       string // output prefix: folder and name prefix, or remote path
	Split      string // as written: "--split-time 60e9" or "--split-byte 1e9"
	SplitTime  int64  // parsed --split-time, ns (0 when by size)
	SplitBytes int64  // parsed --split-byte (0 when by time)
	FileName   split.NameFormat
	FilterBPF  string // "" when nil: everything
	Decap      bool
	PipeCmd    string
	FileSuffix string // "" when unset: pcap_split's default
	Post       string // command run after each split is published ("" when unset)
	Compress   string // in-process compression, "gzip", "zstd:1", "lz4" ("" when unset)
}

// Error is a configuration mistake.
type Error struct {
	File   string
	Target string // `target "pcap-tcp"` or `target 3`; empty for globals
	Field  string // empty when the mistake is not about one field
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("config " + e.File + ": ")
	if e.Target != "" {
		b.WriteString(e.Target + ": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Checks are validations that need other packages: compiling a BPF filter
// with libpcap, resolving an rclone remote. A nil check is skipped.
type Checks struct {
	// BPF checks a target's FilterBPF; decap tells that the filter sees
	// pcap_decap's output (Ethernet) rather than the capture's link type.
	BPF func(expr string, decap bool) error
	// Output checks a target's output options (rclone remote and
	// compression) without touching the network.
	Output func(t *Target, rcloneConfig string) error
	// Folder makes sure a File target's output folder exists; nil means
	// os.MkdirAll with mode 0750.
	Folder func(dir string) error
	// Host and Capture are the command line's --host and --capture (or
	// --offline): they win over Config.Host and Config.Capture as the
	// values of {host} and {capture} in Path.
	Host, Capture string
}

// SplitOptions returns the split.Options the target's fields describe.
func (t *Target) SplitOptions() split.Options {
	return split.Options{Time: t.SplitTime, Bytes: t.SplitBytes, Name: t.FileName, Prefix: t.Path, Suffix: t.FileSuffix}
}

func targetName(t *Target, index int) string {
	if t.Desc != "" {
		return fmt.Sprintf("target %q", t.Desc)
	}
	return fmt.Sprintf("target %d", index+1)
}
