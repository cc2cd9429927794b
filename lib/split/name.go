package split

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// NameFormat is how the time part of a split's name is written.
type NameFormat int

// The five name formats of the reference system.
const (
	EpochSecStartEnd NameFormat = iota + 1 // 1616334655-1616334755
	EpochSec                               // 1616334655
	TstrHHMM                               // 20211201_2350
	TstrHHMMSS                             // 20211201_235059
	TstrHHMMSSNS                           // 20211201_235059.123.456.789
)

var nameFlags = []struct {
	flag   string
	format NameFormat
}{
	{"filename-epoch-sec-startend", EpochSecStartEnd},
	{"filename-epoch-sec", EpochSec},
	{"filename-tstr-HHMM", TstrHHMM},
	{"filename-tstr-HHMMSS", TstrHHMMSS},
	{"filename-tstr-HHMMSS_NS", TstrHHMMSSNS},
}

// NameFlags returns the flag names (without dashes) of the name formats.
func NameFlags() []string {
	out := make([]string, len(nameFlags))
	for i, f := range nameFlags {
		out[i] = f.flag
	}
	return out
}

// ParseNameFormat returns the format selected by a flag such as
// "--filename-epoch-sec" (leading dashes optional).
func ParseNameFormat(flag string) (NameFormat, error) {
	f := strings.TrimLeft(flag, "-")
	for _, n := range nameFlags {
		if n.flag == f {
			return n.format, nil
		}
	}
	return 0, fmt.Errorf("unknown file name option %q (want one of --%s)", flag, strings.Join(NameFlags(), ", --"))
}

// Flag returns the format's flag, with its leading dashes.
func (f NameFormat) Flag() string {
	for _, n := range nameFlags {
		if n.format == f {
			return "--" + n.flag
		}
	}
	return "--filename-?"
}

// Resolution is the smallest time step, in nanoseconds, that the format
// tells apart.
func (f NameFormat) Resolution() int64 {
	switch f {
	case TstrHHMM:
		return 60e9
	case TstrHHMMSSNS:
		return 1
	}
	return 1e9
}

// TimePart formats the time part of a name for a split from start to end
// (nanoseconds since the epoch, UTC).
func (f NameFormat) TimePart(start, end int64) string {
	t := time.Unix(0, start).UTC()
	switch f {
	case EpochSecStartEnd:
		return strconv.FormatInt(floorDiv(start, 1e9), 10) + "-" + strconv.FormatInt(floorDiv(end, 1e9), 10)
	case EpochSec:
		return strconv.FormatInt(floorDiv(start, 1e9), 10)
	case TstrHHMM:
		return t.Format("20060102_1504")
	case TstrHHMMSS:
		return t.Format("20060102_150405")
	case TstrHHMMSSNS:
		ns := t.Nanosecond()
		return fmt.Sprintf("%s.%03d.%03d.%03d", t.Format("20060102_150405"), ns/1e6, ns/1e3%1e3, ns%1e3)
	}
	return strconv.FormatInt(start, 10)
}

// Describe returns a short human description of the format.
func (f NameFormat) Describe() string {
	switch f {
	case EpochSecStartEnd:
		return "epoch seconds start-end"
	case EpochSec:
		return "epoch seconds"
	case TstrHHMM:
		return "time string YYYYMMDD_HHMM"
	case TstrHHMMSS:
		return "time string YYYYMMDD_HHMMSS"
	case TstrHHMMSSNS:
		return "time string YYYYMMDD_HHMMSS.mmm.uuu.nnn"
	}
	return "unknown"
}

// JoinName builds a split's name from the prefix, time part and suffix: the
// prefix is followed by "_" unless it ends in "/".
func JoinName(prefix, timePart, suffix string) string {
	if prefix == "" || strings.HasSuffix(prefix, "/") {
		return prefix + timePart + suffix
	}
	return prefix + "_" + timePart + suffix
}

// floorDiv divides rounding towards negative infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
