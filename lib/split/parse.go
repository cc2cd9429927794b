package split

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrNotSplitName is wrapped by ParseName's errors: the name is not one
// a split of that prefix gets (another target's file, a .pending file, a
// file someone else put there).
var ErrNotSplitName = errors.New("not a split name")

// ParsedName is a split's name taken apart, as ParseName returns it.
type ParsedName struct {
	Format NameFormat
	// Start is the time part's start, ns since the epoch: the split's
	// interval start (time splits) or its first packet's time (size
	// splits), cut down to Format.Resolution().
	Start int64
	// End is the end the name holds, ns since the epoch, whole seconds:
	// only EpochSecStartEnd names have one (HasEnd). For a time split it
	// is the interval's end; for a size split, its last packet's second.
	End    int64
	HasEnd bool
	// Dup is N of a continuation "_N" (2, 3, ...), 0 for none.
	Dup    int
	Suffix string // what follows: ".pcap", ".pcap.gz", or anything else
}

// maxDup bounds the N of "_N" that ParseName reads.
const maxDup = 1 << 30

// maxEpochSec is the last second whose nanoseconds fit in an int64.
const maxEpochSec = math.MaxInt64 / int64(1e9)

// ParseName takes apart base, a split's file name without its folder, as
// the splits of a prefix whose last element is leaf get it ("all" for
// /data/push/all, "" for /data/push/): leaf, "_" unless leaf is empty,
// the time part of one of the five formats, an optional continuation
// "_N", then the suffix. It is the inverse of the names Splitter builds:
// only a name those rules build, digit for digit, parses; anything else
// gives an error wrapping ErrNotSplitName. Where a name could be read two
// ways, the longer time part wins (20211201_235059.123.456.789 is a
// nanosecond name, not a second name with the suffix .123.456.789), so a
// suffix that starts with a digit, or with '_', '-' or '.' and a digit,
// is not told apart from the time part.
func ParseName(base, leaf string) (ParsedName, error) {
	rest := base
	if leaf != "" {
		var ok bool
		if rest, ok = strings.CutPrefix(base, leaf+"_"); !ok {
			return ParsedName{}, fmt.Errorf("%q does not start with %q: %w", base, leaf+"_", ErrNotSplitName)
		}
	}
	p, n, ok := parseTimePart(rest)
	if !ok {
		return ParsedName{}, fmt.Errorf("%q has no time part after %q: %w", base, leaf, ErrNotSplitName)
	}
	rest = rest[n:]
	if d, k := leadingDup(rest); k > 0 {
		p.Dup, rest = d, rest[k:]
	}
	p.Suffix = rest
	return p, nil
}

// parseTimePart reads the time part at the start of s, the longest
// format first, and returns it with its length.
func parseTimePart(s string) (ParsedName, int, bool) {
	if n := tstrLen(s); n > 0 {
		layout := map[int]string{13: "20060102_1504", 15: "20060102_150405"}[min(n, 15)]
		t, err := time.Parse(layout, s[:min(n, 15)])
		if err != nil || t.Year() < 1970 || t.Year() > 2261 {
			return ParsedName{}, 0, false
		}
		p := ParsedName{Format: TstrHHMM, Start: t.UnixNano()}
		switch n {
		case 15:
			p.Format = TstrHHMMSS
		case 27:
			p.Format = TstrHHMMSSNS
			ms, _ := strconv.Atoi(s[16:19])
			us, _ := strconv.Atoi(s[20:23])
			ns, _ := strconv.Atoi(s[24:27])
			p.Start += int64(ms)*1e6 + int64(us)*1e3 + int64(ns)
		}
		return p, n, true
	}
	start, n, ok := epochSec(s)
	if !ok {
		return ParsedName{}, 0, false
	}
	p := ParsedName{Format: EpochSec, Start: start}
	if len(s) > n+1 && s[n] == '-' {
		if end, k, ok := epochSec(s[n+1:]); ok {
			p.Format, p.End, p.HasEnd = EpochSecStartEnd, end, true
			n += 1 + k
		}
	}
	return p, n, true
}

// tstrLen returns the length of the YYYYMMDD_HHMM[SS[.mmm.uuu.nnn]] at
// the start of s (13, 15 or 27), or 0; the date is checked by its caller.
func tstrLen(s string) int {
	if len(s) < 13 || !digits(s[:8]) || s[8] != '_' || !digits(s[9:13]) {
		return 0
	}
	if len(s) < 15 || !digits(s[13:15]) {
		return 13
	}
	if len(s) >= 27 && s[15] == '.' && digits(s[16:19]) && s[19] == '.' && digits(s[20:23]) && s[23] == '.' && digits(s[24:27]) {
		return 27
	}
	return 15
}

// epochSec reads epoch seconds, written as strconv writes them (no sign,
// no leading zero), at the start of s, and returns them in ns.
func epochSec(s string) (int64, int, bool) {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n == 0 || (n > 1 && s[0] == '0') {
		return 0, 0, false
	}
	v, err := strconv.ParseInt(s[:n], 10, 64)
	if err != nil || v > maxEpochSec {
		return 0, 0, false
	}
	return v * 1e9, n, true
}

// leadingDup reads a continuation "_N" (N from 2, no leading zero) at the
// start of s and returns N and its length, or 0, 0.
func leadingDup(s string) (int, int) {
	if len(s) < 2 || s[0] != '_' || s[1] < '1' || s[1] > '9' {
		return 0, 0
	}
	n := 1
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	d, err := strconv.Atoi(s[1:n])
	if err != nil || d < 2 || d > maxDup {
		return 0, 0
	}
	return d, n
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Name builds the name ParseName takes apart: the base name of the prefix
// and time part, the continuation "_N" when Dup is not 0, and the suffix.
// TimePart, not Name, is what the end of a name without one comes from,
// so Name needs only Start and End.
func (p ParsedName) Name(prefix string) string {
	return Names{Base: JoinName(prefix, p.Format.TimePart(p.Start, p.End), ""), Dup: p.Dup, Suffix: p.Suffix}.Name()
}
