package split

import (
	"errors"
	"fmt"
	"time"

	"github.com/pcappush/pcappush/lib/event"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

// Options say how a stream is cut and named.
type Options struct {
	Time      int64         // split time in nanoseconds; zero when splitting by size
	Bytes     int64         // split size in bytes, header included; zero when splitting by time
	Name      NameFormat    // time part of names
	Prefix    string        // name prefix; "/dir/" puts names straight in dir
	Suffix    string        // name suffix; default ".pcap"
	IdleClose time.Duration // close a quiet time split this long after its end; 0: never
	// ClockTolerance is how far a packet's time may lie ahead of the wall
	// clock, or behind the split it comes in, before it is taken as out of
	// the clock: published in a split of its own, the clock unchanged; 0:
	// DefaultClockTolerance, negative: off.
	ClockTolerance time.Duration
	UID            string // shown in logs

	// CheckpointEvery says which ticks are checkpoints: those whose time
	// is a multiple of it (see lib/ledger).
	CheckpointEvery int64
	// Resume continues a push after its last published split.
	Resume Resume

	// ReadBuffer is how many bytes of input are held at once; runs of
	// records are written straight from it, so a larger one makes fewer
	// and larger writes. 0: DefaultReadBuffer.
	ReadBuffer int

	// ProgressEvery is the number of bytes between progress lines; zero
	// means DefaultProgressEvery, negative disables them.
	ProgressEvery int64
	// OnPublish, when set, is called after each split is published.
	OnPublish func(ledger.Entry) error
	// Events receives the warnings (nil: none).
	Events *event.Writer
	// Now returns the wall-clock time; nil means time.Now.
	Now func() time.Time
}

// Resume describes the last split a previous run published, so that a
// resumed run carries on exactly as that run would have (see lib/ledger).
type Resume struct {
	Skip int64  // packets at the start of the input already published
	End  int64  // the last split's end: no time split starts before it
	Base string // the last split's name before any "_N" (size splits)
	Dup  int    // and the N it had, 0 for none
	// Ckpt is the checkpoint tick the input must begin with, when HasCkpt:
	// the replayed stream must start where the ledger's last entry says.
	Ckpt    int64
	HasCkpt bool
}

// Defaults.
const (
	DefaultSuffix    = ".pcap"
	DefaultIdleClose = 5 * time.Second
	// DefaultClockTolerance bounds the skew accepted between a recorder's
	// clock and this host's, and how late a packet may come.
	DefaultClockTolerance = 5 * time.Minute
	DefaultProgressEvery  = 80e6
	// MinBytes is the smallest split size: a header and one small record.
	MinBytes = 64
)

// Validate checks the options, filling defaults.
func (o *Options) Validate() error {
	switch {
	case o.Time == 0 && o.Bytes == 0:
		return errors.New("no split option: give --split-time NS or --split-byte BYTES")
	case o.Time != 0 && o.Bytes != 0:
		return errors.New("--split-time and --split-byte exclude each other: give one")
	case o.Time < 0 || o.Bytes < 0:
		return errors.New("the split size must be positive")
	case o.Bytes != 0 && o.Bytes < MinBytes:
		return fmt.Errorf("--split-byte %d is below the %d-byte minimum", o.Bytes, MinBytes)
	case o.Name == 0:
		return fmt.Errorf("no file name option: give one of %s", nameList())
	case o.Prefix == "":
		return errors.New("no output prefix: give -o PREFIX")
	case o.CheckpointEvery < 0 || o.Resume.Skip < 0 || o.Resume.End < 0 || o.Resume.Dup < 0:
		return errors.New("--checkpoint-every, --skip and --after must not be negative")
	}
	if res := o.Name.Resolution(); o.Time != 0 && o.Time%res != 0 {
		return fmt.Errorf("--split-time %d is finer than %s can name (%d ns); use a multiple of %d or another name option", o.Time, o.Name.Flag(), res, res)
	}
	if o.Suffix == "" {
		o.Suffix = DefaultSuffix
	}
	if o.ProgressEvery == 0 {
		o.ProgressEvery = DefaultProgressEvery
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ClockTolerance == 0 {
		o.ClockTolerance = DefaultClockTolerance
	}
	return nil
}

func nameList() string {
	s := ""
	for i, f := range NameFlags() {
		if i > 0 {
			s += ", "
		}
		s += "--" + f
	}
	return s
}
