package synth

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/pcappush/pcappush/lib/pcapio"
	"github.com/pcappush/pcappush/lib/units"
)

// Defaults used by DefaultOptions and pcapgen.
var (
	// DefaultStart is the time of the first packet.
	DefaultStart = time.Date(2021, 5, 24, 9, 51, 0, 0, time.UTC)
	// DefaultDuration is the span the packets are spread over.
	DefaultDuration = 10 * time.Minute
)

// DefaultEncap is the default fraction of encapsulated packets.
const DefaultEncap = 0.1

// Snaplen is the snapshot length written in the file header.
const Snaplen = 262144

// MinSize is the smallest Options.Size: a file header and one 60-byte frame.
const MinSize = pcapio.HeaderLen + pcapio.RecordHeaderLen + minFrame

// Options choose what Generate writes. Exactly one of Packets and Size must
// be set.
type Options struct {
	// Seed selects the traffic: equal Options give byte-identical output.
	Seed int64
	// Start is the earliest timestamp; all packets fall in
	// [Start, Start+Duration).
	Start time.Time
	// Duration is the span the timestamps are spread over; it must be
	// positive.
	Duration time.Duration
	// Packets is the number of packets to generate.
	Packets int64
	// Size is the exact size in bytes of the output file, header
	// included; it must be at least MinSize.
	Size int64
	// Encap is the fraction of packets, in [0, 1], that are VLAN-tagged or
	// tunnelled (QinQ, GRE, VXLAN).
	Encap float64
}

// DefaultOptions returns the defaults of pcapgen, without a size: set
// Packets or Size before use.
func DefaultOptions() Options {
	return Options{Seed: 1, Start: DefaultStart, Duration: DefaultDuration, Encap: DefaultEncap}
}

// ErrOption is wrapped by every *OptionError.
var ErrOption = errors.New("invalid option")

// OptionError reports an option value Generate cannot use; callers such as
// pcapgen treat it as a usage error.
type OptionError struct {
	Name  string // option name as pcapgen spells it, such as "size"
	Value string // the offending value
	Err   error  // what is wrong
}

// Error returns "name value: problem".
func (e *OptionError) Error() string {
	return fmt.Sprintf("%s %s: %v", e.Name, e.Value, e.Err)
}

// Unwrap returns the cause.
func (e *OptionError) Unwrap() error { return e.Err }

// Is makes every OptionError match ErrOption.
func (e *OptionError) Is(target error) bool { return target == ErrOption }

func optErr(name string, value any, format string, args ...any) error {
	return &OptionError{Name: name, Value: fmt.Sprint(value), Err: fmt.Errorf(format, args...)}
}

// Validate reports the first option that Generate cannot use.
func (o Options) Validate() error {
	switch {
	case o.Packets < 0:
		return optErr("packets", o.Packets, "must not be negative")
	case o.Size < 0:
		return optErr("size", o.Size, "must not be negative")
	case o.Packets > 0 && o.Size > 0:
		return optErr("packets", o.Packets, "cannot be combined with size %d", o.Size)
	case o.Packets == 0 && o.Size == 0:
		return optErr("packets", 0, "set packets or size")
	case o.Size > 0 && o.Size < MinSize:
		return optErr("size", o.Size, "below the minimum of %d bytes", MinSize)
	case o.Duration <= 0:
		return optErr("duration", o.Duration, "must be positive")
	case !(o.Encap >= 0 && o.Encap <= 1):
		return optErr("encap", o.Encap, "must be a fraction in [0, 1]")
	}
	end := o.Start.Add(o.Duration)
	if o.Start.Unix() < 0 || end.Unix() > math.MaxUint32 || end.Before(o.Start) {
		return optErr("start", o.Start.Format(time.RFC3339), "packets must fall between 1970 and 2106")
	}
	return nil
}

// ParseSize parses a byte count such as 1000000, 1e9, 1.5GB, 100MB, 512KiB
// or 2GiB (see units.ParseCount); zero is not a size.
func ParseSize(s string) (int64, error) {
	n, err := units.ParseCount(s, true)
	if err != nil {
		return 0, optErr("size", strconv.Quote(s), "%w", err)
	}
	return n, nil
}

// ParseStart parses a start time given as RFC 3339 or as seconds since the
// epoch with up to nine decimals (1621849860, 1621849860.25).
func ParseStart(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	bad := optErr("start", strconv.Quote(s), "not an RFC 3339 time or epoch seconds")
	whole, frac, dot := strings.Cut(s, ".")
	sec, err := strconv.ParseUint(whole, 10, 32)
	if err != nil || len(frac) > 9 || (dot && frac == "") {
		return time.Time{}, bad
	}
	var ns uint64
	if frac != "" {
		ns, err = strconv.ParseUint(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
		if err != nil {
			return time.Time{}, bad
		}
	}
	return time.Unix(int64(sec), int64(ns)).UTC(), nil
}
