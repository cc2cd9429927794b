package output

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/pcappush/pcappush/lib/compress"
	"github.com/pcappush/pcappush/lib/event"
	"github.com/pcappush/pcappush/lib/split"
)

// Options say where and how splits are published.
type Options struct {
	// Rclone makes the prefix an rclone path (REMOTE:PATH or
	// REMOTE://PATH) instead of a local one.
	Rclone bool
	// RcloneConfig is the rclone config file; "" means $RCLONE_CONFIG, else
	// install.RcloneConfig.
	RcloneConfig string
	// Compress is an in-process compression, "gzip", "zstd:1", ... ("":
	// none); see compress.Parse.
	Compress string
	// PipeCmd is a shell command each split passes through (stdin to
	// stdout), after the compression if both are given.
	PipeCmd string
	// PipeTimeout kills a pipe command that hangs (see split.PipeSink);
	// 0 means split.DefaultPipeTimeout.
	PipeTimeout time.Duration
	// Suffix is the splits' name suffix; the start-up sweep removes only
	// NAME.pending files with this suffix ("": any).
	Suffix string
	// Overwrite publishes a split over an existing file or object of the
	// same name. Without it a published split is never replaced: a name
	// holding the same bytes counts the split as published, one holding
	// other bytes makes the split NAME_2 (then _3, ...).
	Overwrite bool
	// NamesFinal says that the name given to Create is the final one (time
	// splits). Stores without a server-side move (S3 and the like, where
	// an object appears only once complete) then receive each split
	// straight under its final name instead of NAME.pending and a copy.
	NamesFinal bool
	// SweepAge is the age past which unfinished S3 multipart uploads under
	// the prefix's folder are aborted at start; 0 means DefaultSweepAge,
	// negative never.
	SweepAge time.Duration
	// Timeout and ConnectTimeout bound rclone's network waits: no
	// progress for Timeout, or no connection within ConnectTimeout, fails
	// the upload. 0 means $RCLONE_TIMEOUT / $RCLONE_CONTIMEOUT when set,
	// else DefaultTimeout / DefaultConnectTimeout.
	Timeout, ConnectTimeout time.Duration
	// Threads is the number of compression goroutines; 0: GOMAXPROCS.
	Threads int
	// Log receives start-up notes, rclone's log lines and the pipe
	// command's stderr; nil discards them. Each of our lines starts with
	// LogPrefix (e.g. "pcap_split: ").
	Log       io.Writer
	LogPrefix string
	// Events receives the warnings too (nil: none).
	Events *event.Writer
}

// Defaults.
const (
	DefaultSweepAge        = 24 * time.Hour
	DefaultTimeout         = 30 * time.Second
	DefaultConnectTimeout  = 15 * time.Second
	DefaultLowLevelRetries = 3
)

// ConfigError is a mistake in the options or in the rclone config: the
// caller's usage error (exit 2), found before any output is touched.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

func configErrorf(format string, args ...any) error {
	return &ConfigError{Err: fmt.Errorf(format, args...)}
}

// Output is an opened destination: a split.Sink for split.Run, and the
// resources behind it.
type Output struct {
	split.Sink
	// Where says where splits go, for the log: "local folder /data" or
	// "rclone remote s3-fmad (s3), folder /pcap".
	Where string
	close func() error
}

// Close releases the destination's connections; call it after split.Run.
func (o *Output) Close() error {
	if o.close == nil {
		return nil
	}
	return o.close()
}

// Suffix returns the default name suffix for the options: the
// compression's (".pcap.gz", ".pcap.zst", ".pcap.lz4") or ".pcap".
func Suffix(opts Options) (string, error) {
	if opts.Compress == "" {
		return split.DefaultSuffix, nil
	}
	c, err := compress.Parse(opts.Compress)
	if err != nil {
		return "", &ConfigError{Err: err}
	}
	return c.Suffix(), nil
}

// Check validates the options for prefix without touching the network or
// any output: the compression, the rclone path, the config file, and that
// the remote exists (in the file or in RCLONE_CONFIG_NAME_TYPE) with a
// backend pcap_split includes. Errors are *ConfigError.
func Check(prefix string, opts Options) error {
	if opts.Compress != "" {
		if _, err := compress.Parse(opts.Compress); err != nil {
			return &ConfigError{Err: fmt.Errorf("--compress: %w", err)}
		}
	}
	if !opts.Rclone {
		return nil
	}
	r, err := ParseRemote(prefix)
	if err != nil {
		return &ConfigError{Err: err}
	}
	setLogger(opts)
	if err := loadConfig(opts.RcloneConfig); err != nil {
		return err
	}
	return checkRemote(r)
}

// Open checks the options, connects to the destination of prefix, sweeps
// what an earlier run left unfinished there (NAME.pending files, and on S3
// multipart uploads older than SweepAge) and returns the sink chain:
// compression, then the pipe command, then the file or rclone sink.
// Option and config mistakes are *ConfigError; a destination that cannot
// be reached is a plain error.
func Open(ctx context.Context, prefix string, opts Options) (*Output, error) {
	if err := Check(prefix, opts); err != nil {
		return nil, err
	}
	var out *Output
	var err error
	if opts.Rclone {
		out, err = openRclone(ctx, prefix, opts)
	} else {
		out, err = openFiles(prefix, opts)
	}
	if err != nil {
		return nil, err
	}
	if opts.PipeCmd != "" {
		out.Sink = split.PipeSink{Inner: out.Sink, Command: opts.PipeCmd, Stderr: opts.Log, Timeout: opts.PipeTimeout}
	}
	if opts.Compress != "" {
		c, _ := compress.Parse(opts.Compress)
		out.Sink = &compress.Sink{Inner: out.Sink, Codec: c, Threads: opts.Threads}
	}
	return out, nil
}

// openFiles returns the local file sink after checking the folder and
// sweeping its stale NAME.pending files.
func openFiles(prefix string, opts Options) (*Output, error) {
	if err := split.CheckFolder(prefix); err != nil {
		return nil, err
	}
	dir := filepath.Dir(prefix + "x")
	swept, err := split.SweepPending(prefix, opts.Suffix)
	if err != nil {
		return nil, err
	}
	if len(swept) > 0 {
		logf(opts, "removed %d stale .pending files in %s", len(swept), dir)
	}
	return &Output{Sink: split.FileSink{Overwrite: opts.Overwrite}, Where: "local folder " + dir}, nil
}

// logf writes a start-up note.
func logf(opts Options, format string, args ...any) {
	if opts.Log == nil {
		return
	}
	fmt.Fprintf(opts.Log, opts.LogPrefix+format+"\n", args...)
}

// Flags returns the pcap_split options that select these output options,
// for a program that runs pcap_split (push_realtime): --rclone,
// --rclone-config, --compress, --pipe-cmd and --rclone-sweep-age, each
// only when set. Suffix, NamesFinal and the logging options are not flags
// of their own.
func (o Options) Flags() []string {
	var out []string
	if o.Rclone {
		out = append(out, "--rclone")
	}
	if o.RcloneConfig != "" {
		out = append(out, "--rclone-config", o.RcloneConfig)
	}
	if o.SweepAge != 0 {
		age := o.SweepAge
		if age < 0 {
			age = 0
		}
		out = append(out, "--rclone-sweep-age", age.String())
	}
	if o.Compress != "" {
		out = append(out, "--compress", o.Compress)
	}
	if o.PipeTimeout != 0 {
		out = append(out, "--pipe-timeout", o.PipeTimeout.String())
	}
	if o.PipeCmd != "" {
		out = append(out, "--pipe-cmd", o.PipeCmd)
	}
	return out
}
