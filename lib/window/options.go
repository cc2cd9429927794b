package window

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/pcappush/pcappush/lib/output"
)

// Options say what to read and from where.
type Options struct {
	// From are the destinations: local or rclone prefixes, "*" allowed in
	// folder components.
	From []string
	// Start and End bound the window [Start, End), ns since the epoch;
	// End 0 means no end.
	Start, End int64
	// RcloneConfig is the rclone config file ("": $RCLONE_CONFIG, else
	// install.RcloneConfig).
	RcloneConfig string
	// SkipBad makes a split that cannot be read a warning instead of an
	// error.
	SkipBad bool
	// Buffer is how many bytes each source reads ahead of the merge; 0
	// means DefaultBuffer.
	Buffer int
	// Log receives warnings and rclone's log lines, each starting with
	// LogPrefix ("stream_cat: "); nil discards them.
	Log       io.Writer
	LogPrefix string
}

// Defaults.
const (
	DefaultBuffer = 1 << 20
	// buffers is how many pieces a source's read-ahead is cut into.
	buffers = 4
	// minBuffer is the smallest read-ahead piece.
	minBuffer = 32 << 10
)

// Stats count what Read did.
type Stats struct {
	Sources int   // series with splits in the window
	Splits  int   // splits read
	Skipped int   // splits skipped as bad (SkipBad)
	Bytes   int64 // their sizes as stored
	Packets int64 // packets written
}

// ErrUsage is wrapped by the errors of options that cannot work.
var ErrUsage = errors.New("bad options")

// check validates the options.
func (o *Options) check() error {
	switch {
	case len(o.From) == 0:
		return fmt.Errorf("no destination to read from: %w", ErrUsage)
	case o.Start < 0 || o.End < 0 || (o.End != 0 && o.End <= o.Start):
		return fmt.Errorf("the window's start must be before its end: %w", ErrUsage)
	case o.Buffer < 0:
		return fmt.Errorf("the read-ahead must not be negative: %w", ErrUsage)
	}
	for _, f := range o.From {
		if strings.TrimSpace(f) == "" {
			return fmt.Errorf("an empty destination: %w", ErrUsage)
		}
	}
	return nil
}

// end returns the window's end, math.MaxInt64 for none.
func (o *Options) end() int64 {
	if o.End == 0 {
		return math.MaxInt64
	}
	return o.End
}

// pieceSize is the size of each read-ahead buffer.
func (o *Options) pieceSize() int {
	b := o.Buffer
	if b == 0 {
		b = DefaultBuffer
	}
	return max(b/buffers, minBuffer)
}

// outputOptions are the rclone options of lib/output.
func (o *Options) outputOptions() output.Options {
	return output.Options{Rclone: true, RcloneConfig: o.RcloneConfig, Log: o.Log, LogPrefix: o.LogPrefix}
}

// warnf writes a warning to the log.
func (o *Options) warnf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, o.LogPrefix+"warning: "+format+"\n", args...)
	}
}
